// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vici client and session lifecycle against an in-process fake charon: what a
 * real charon on this kernel cannot show (an established TRANSPORT SA, vanished
 * conns, peer deletes, charon restarts, timeouts, cancellation). Every wait is
 * event-driven with a deadline.
 */
#include <glib/gstdio.h>

#include "check.h"
#include "fake-charon.h"
#include "ipsec-private.h"
#include "vici-client.h"

static char *tmpdir;
static char *sock_path;
static char *sock_uri;

typedef gboolean (*Cond)(gpointer);

/* Iterates the main loop until cond holds or timeout_ms passes. */
static gboolean run_until(Cond cond, gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (!cond(data)) {
		if (g_get_monotonic_time() > deadline)
			return FALSE;
		/* Sleep only when idle; a GSource wakes the context anyway via fd polling. */
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
	}
	return TRUE;
}

static gboolean is_set(gpointer p)
{
	return *(gboolean *)p;
}

static FakeCharon *fake_new(void)
{
	return fake_charon_new(sock_path);
}

/* ---- client -------------------------------------------------------------- */

typedef struct {
	gboolean done;
	struct vici_node *resp;
	GError *error;
	int events;
	ViciClient *client;
} Call;

static void call_clear(Call *c)
{
	vici_node_free(c->resp);
	g_clear_error(&c->error);
	memset(c, 0, sizeof(*c));
}

static void on_call(GObject *src, GAsyncResult *res, gpointer data)
{
	Call *c = data;
	c->resp = vici_client_command_finish(c->client, res, &c->error);
	c->done = TRUE;
}

static void count_event(const char *event, const struct vici_node *msg, gpointer data)
{
	((Call *)data)->events++;
}

static void call(ViciClient *client, Call *c, const char *command, const char *stream, guint timeout_ms,
		 GCancellable *cancel)
{
	c->client = client;
	vici_client_command_async(client, command, NULL, 0, stream, stream ? count_event : NULL, c,
				  timeout_ms, cancel, on_call, c);
}

static void test_client_commands(void)
{
	FakeCharon *fc = fake_new();
	ViciClient *client = vici_client_new(sock_uri);
	Call c = {0};
	call(client, &c, "version", NULL, 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK_STR(vici_node_str(c.resp, "version"), "5.9.8");
	call_clear(&c);

	call(client, &c, "no-such-command", NULL, 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.error && c.error->code == IPSEC_ERROR_PROTOCOL &&
	      strstr(c.error->message, "no-such-command"));
	call_clear(&c);

	/* Streaming: register, events during the command, response, unregister. */
	g_hash_table_add(fc->conns, g_strdup("a"));
	g_hash_table_add(fc->conns, g_strdup("b"));
	call(client, &c, "list-conns", "list-conn", 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.resp != NULL);
	CHECK_INT(c.events, 2);
	call_clear(&c);
	CHECK_INT(fc->accepted, 1); /* one connection for all of it */
	/* The registration and the command went out together (no round trip in between). */
	CHECK_INT(fc->registers_followed_at_once, 1);

	/* A stream charon does not know: the command still ran; the error names the event. */
	call(client, &c, "list-conns", "no-such-event", 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.error && c.error->code == IPSEC_ERROR_PROTOCOL && strstr(c.error->message, "no-such-event"));
	CHECK_INT(c.events, 0);
	call_clear(&c);
	/* ... and the connection stayed in step. */
	call(client, &c, "version", NULL, 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK_STR(vici_node_str(c.resp, "version"), "5.9.8");
	call_clear(&c);
	CHECK_INT(fc->accepted, 1);

	/* Several queued at once come back in order on the same connection. */
	Call many[5] = {{0}};
	for (int i = 0; i < 5; i++)
		call(client, &many[i], "version", NULL, 2000, NULL);
	CHECK(run_until(is_set, &many[4].done, 3000));
	for (int i = 0; i < 5; i++) {
		CHECK(many[i].done && many[i].resp);
		call_clear(&many[i]);
	}
	vici_client_close(client, NULL);
	vici_client_unref(client);
	fake_charon_free(fc);
}

static void test_client_not_running(void)
{
	g_autofree char *uri = g_strdup_printf("unix://%s/absent.vici", tmpdir);
	ViciClient *client = vici_client_new(uri);
	Call c = {0};
	call(client, &c, "version", NULL, 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.error && c.error->domain == IPSEC_ERROR && c.error->code == IPSEC_ERROR_CHARON_NOT_RUNNING);
	call_clear(&c);
	vici_client_unref(client);
}

static void test_client_timeout_reconnect(void)
{
	FakeCharon *fc = fake_new();
	fc->hang_command = g_strdup("version");
	ViciClient *client = vici_client_new(sock_uri);
	Call c = {0};
	call(client, &c, "version", NULL, 200, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.error && c.error->code == IPSEC_ERROR_TIMEOUT);
	call_clear(&c);
	CHECK(!vici_client_is_connected(client)); /* out of step: dropped */
	g_clear_pointer(&fc->hang_command, g_free);
	call(client, &c, "version", NULL, 2000, NULL);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(c.resp != NULL);
	CHECK_INT(fc->accepted, 2); /* reconnected */
	call_clear(&c);
	vici_client_close(client, NULL);
	vici_client_unref(client);
	fake_charon_free(fc);
}

/* Plain commands go out without waiting for the answers before them (charon answers in
 * order): the fake holds its answers until all three are in. */
static void test_client_pipelines(void)
{
	FakeCharon *fc = fake_new();
	fc->hold_first_requests = 3;
	ViciClient *client = vici_client_new(sock_uri);
	Call c[3] = {{0}};
	const char *commands[] = {"version", "list-conns", "version"};
	for (int i = 0; i < 3; i++)
		call(client, &c[i], commands[i], NULL, 2000, NULL);
	CHECK(run_until(is_set, &c[2].done, 3000));
	CHECK(c[0].resp && c[1].resp && c[2].resp);
	CHECK_STR(vici_node_str(c[0].resp, "version"), "5.9.8");
	CHECK_STR(vici_node_str(c[2].resp, "version"), "5.9.8");
	CHECK_STR(fc->command_log->str, "version;list-conns;version;");
	for (int i = 0; i < 3; i++)
		call_clear(&c[i]);
	vici_client_close(client, NULL);
	vici_client_unref(client);
	fake_charon_free(fc);
}

static void test_client_cancel(void)
{
	FakeCharon *fc = fake_new();
	fc->hang_command = g_strdup("initiate");
	ViciClient *client = vici_client_new(sock_uri);
	g_autoptr(GCancellable) cancel_flight = g_cancellable_new();
	g_autoptr(GCancellable) cancel_queued = g_cancellable_new();
	Call flight = {0}, queued = {0};
	call(client, &flight, "initiate", NULL, 0, cancel_flight);
	call(client, &queued, "version", NULL, 0, cancel_queued);
	g_cancellable_cancel(cancel_queued);
	CHECK(run_until(is_set, &queued.done, 2000));
	CHECK(g_error_matches(queued.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
	CHECK(!flight.done);
	g_cancellable_cancel(cancel_flight);
	CHECK(run_until(is_set, &flight.done, 2000));
	CHECK(g_error_matches(flight.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
	call_clear(&flight);
	call_clear(&queued);
	vici_client_close(client, NULL);
	vici_client_unref(client);
	fake_charon_free(fc);
}

typedef struct {
	gboolean registered;
	int updowns;
	gboolean closed;
	ViciClient *client;
} Watch;

static void on_updown(const char *event, const struct vici_node *msg, gpointer data)
{
	((Watch *)data)->updowns++;
}

static void on_registered(GObject *src, GAsyncResult *res, gpointer data)
{
	Watch *w = data;
	w->registered = vici_client_register_finish(w->client, res, NULL);
}

static void on_closed(ViciClient *client, const GError *reason, gpointer data)
{
	((Watch *)data)->closed = TRUE;
}

static gboolean two_updowns(gpointer p)
{
	return ((Watch *)p)->updowns == 2;
}

static void test_client_events_and_close(void)
{
	FakeCharon *fc = fake_new();
	Watch w = {0};
	w.client = vici_client_new(sock_uri);
	vici_client_set_closed_handler(w.client, on_closed, &w);
	vici_client_register_async(w.client, "ike-updown", on_updown, &w, 2000, NULL, on_registered, &w);
	CHECK(run_until(is_set, &w.registered, 3000));
	fake_charon_ike_updown(fc, "x", TRUE);
	fake_charon_ike_updown(fc, "x", FALSE);
	CHECK(run_until(two_updowns, &w, 3000));
	/* An event between a request and its response is demultiplexed, not taken as the response. */
	Call c = {.client = w.client};
	fc->initiate_ok = TRUE;
	g_hash_table_add(fc->conns, g_strdup("x"));
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "ike", "x");
	uint8_t *msg;
	size_t len;
	CHECK_INT(vici_builder_finish(&b, &msg, &len), VICI_OK);
	vici_client_command_async(w.client, "initiate", msg, len, NULL, NULL, NULL, 2000, NULL, on_call, &c);
	vici_buffer_free_secure(msg, len);
	CHECK(run_until(is_set, &c.done, 3000));
	CHECK(vici_node_is_yes(c.resp, "success"));
	CHECK_INT(w.updowns, 3);
	call_clear(&c);
	fake_charon_kick(fc);
	CHECK(run_until(is_set, &w.closed, 3000));
	vici_client_close(w.client, NULL);
	vici_client_unref(w.client);
	fake_charon_free(fc);
}

/* ---- session ------------------------------------------------------------- */

typedef struct {
	IpsecSession *s;
	gboolean up_done, up_ok, down_done, down_ok;
	GError *up_error, *down_error;
	GPtrArray *events; /* "type: text" */
	int seen[IPSEC_EVENT_CHARON_LOST + 1];
} Sess;

static void on_event(const IpsecEvent *ev, gpointer data)
{
	Sess *t = data;
	CHECK(ev->timestamp_us > 0 && ev->text != NULL);
	g_ptr_array_add(t->events, g_strdup_printf("%s: %s", ipsec_event_type_name(ev->type), ev->text));
	t->seen[ev->type]++;
}

static void on_up(GObject *src, GAsyncResult *res, gpointer data)
{
	Sess *t = data;
	t->up_ok = ipsec_session_up_finish(t->s, res, &t->up_error);
	t->up_done = TRUE;
}

static void on_down(GObject *src, GAsyncResult *res, gpointer data)
{
	Sess *t = data;
	t->down_ok = ipsec_session_down_finish(t->s, res, &t->down_error);
	t->down_done = TRUE;
}

static IpsecSettings session_settings(void)
{
	IpsecSettings s;
	ipsec_settings_init(&s);
	s.vici_uri = sock_uri;
	s.profile = "unit";
	s.gateway = "192.0.2.10";
	s.local_port = 40123;
	s.psk = "unit-test-psk";
	s.watch_interval_ms = 50;
	s.command_timeout_ms = 2000;
	s.initiate_timeout_ms = 3000;
	return s;
}

static Sess *sess_new(const IpsecSettings *settings)
{
	Sess *t = g_new0(Sess, 1);
	t->events = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	t->s = ipsec_session_new(settings, &error);
	CHECK(t->s != NULL);
	ipsec_session_set_event_handler(t->s, on_event, t);
	return t;
}

static void sess_up(Sess *t)
{
	ipsec_session_up_async(t->s, NULL, on_up, t);
	CHECK(run_until(is_set, &t->up_done, 5000));
}

static void sess_down(Sess *t)
{
	ipsec_session_down_async(t->s, NULL, on_down, t);
	CHECK(run_until(is_set, &t->down_done, 5000));
	CHECK(t->down_ok);
}

static void sess_free(Sess *t)
{
	ipsec_session_free(t->s);
	g_clear_error(&t->up_error);
	g_clear_error(&t->down_error);
	g_ptr_array_unref(t->events);
	g_free(t);
}

/* Some event text so far contains text. */
static gboolean event_seen(const Sess *t, const char *text)
{
	for (guint i = 0; i < t->events->len; i++)
		if (strstr(t->events->pdata[i], text))
			return TRUE;
	return FALSE;
}

static gboolean fake_clean(gpointer fc)
{
	return fake_charon_is_clean(fc);
}

static gboolean no_open_clients(gpointer fc)
{
	return fake_charon_open_clients(fc) == 0;
}

static void test_session_up_down(void)
{
	FakeCharon *fc = fake_new();
	static const char *const log[] = {"initiating Main Mode IKE_SA x[1] to 192.0.2.10",
					  "IKE_SA x[1] established between a...b", NULL};
	fc->initiate_log = log;
	/* version, load-shared and load-conn go out together: one round trip, not three. */
	fc->hold_first_requests = 3;
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	CHECK_INT(fc->hold_first_requests, 0);
	const IpsecSaInfo *sa = ipsec_session_get_sa_info(t->s);
	CHECK(sa != NULL);
	if (sa) {
		CHECK_STR(sa->child_mode, "TRANSPORT");
		CHECK_STR(sa->child_protocol, "ESP");
		CHECK(sa->child_encap && sa->nat_detected);
		CHECK_INT(sa->remote_ike_port, 4500);
		CHECK_STR(sa->ike_encr, "AES_CBC-256");
		CHECK_STR(sa->ike_dh, "MODP_2048");
		CHECK_STR(sa->child_encr, "AES_CBC-128");
		CHECK_STR(sa->child_integ, "HMAC_SHA1_96");
		CHECK_STR(sa->local_ts, "198.51.100.7/32[udp/40123]");
		g_autofree char *desc = ipsec_sa_info_describe(sa);
		CHECK(strstr(desc, "ESP TRANSPORT") != NULL);
	}
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_UP], 1);
	CHECK(event_seen(t, "progress: initiating Main Mode IKE_SA"));
	/* The PSK went in under our unique id, the conn under our unique name. */
	const char *name = ipsec_session_get_conn_name(t->s);
	CHECK(g_hash_table_contains(fc->conns, name));
	g_autofree char *psk_id = g_strdup_printf("%s-psk", name);
	CHECK(g_hash_table_contains(fc->shared, psk_id));
	sess_down(t);
	CHECK(fake_charon_is_clean(fc));
	/* terminate before unload-conn before unload-shared. */
	const char *order = fc->command_log->str;
	const char *term = strstr(order, "terminate;"), *uc = strstr(order, "unload-conn;"),
		   *us = strstr(order, "unload-shared;");
	CHECK(term && uc && us && term < uc && uc < us);
	/* down is idempotent. */
	t->down_done = FALSE;
	sess_down(t);
	sess_free(t);
	/* Freed session: every connection it opened (commands, events, cleanup) is closed. */
	CHECK(run_until(no_open_clients, fc, 3000));
	fake_charon_free(fc);
}

/* The gateway gets twice our install time (+10 ms) after our CHILD_SA line, capped. */
static void test_peer_ready_estimate(void)
{
	IpsecSaInfo i = {0};
	CHECK_INT(ipsec_sa_info_peer_ready_ms(NULL), 0);
	CHECK_INT(ipsec_sa_info_peer_ready_ms(&i), 0); /* nothing known: no wait */
	i.child_installed_us = g_get_monotonic_time();
	i.child_install_time_us = 50 * 1000;
	guint ms = ipsec_sa_info_peer_ready_ms(&i);
	CHECK(ms > 80 && ms <= 110);
	i.child_install_time_us = 10 * G_USEC_PER_SEC; /* a stalled charon: capped */
	ms = ipsec_sa_info_peer_ready_ms(&i);
	CHECK(ms > 380 && ms <= 410);
	i.child_installed_us -= G_USEC_PER_SEC; /* long past */
	i.child_install_time_us = 50 * 1000;
	CHECK_INT(ipsec_sa_info_peer_ready_ms(&i), 0);
}

/* Quick mode's log lines time our own SA install (QM2 parsed → CHILD_SA established), which
 * the orchestrator uses to pace its first SCCRQ; without those lines nothing is claimed. */
static void test_session_quick_mode_timing(void)
{
	FakeCharon *fc = fake_new();
	static const char *const log[] = {
	    "parsed QUICK_MODE response 1658992892 [ HASH SA No ID ID ]",
	    "selected proposal: ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ",
	    "CHILD_SA x{7} established with SPIs c0f3f24a_i caa49c60_o and TS 1.2.3.4/32[udp/l2f] === "
	    "5.6.7.8/32[udp/l2f]",
	    NULL};
	fc->initiate_log = log;
	fc->initiate_log_pause_ms = 60;
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	gint64 before = g_get_monotonic_time();
	sess_up(t);
	CHECK(t->up_ok);
	const IpsecSaInfo *sa = ipsec_session_get_sa_info(t->s);
	CHECK(sa && sa->child_install_time_us >= 60 * 1000 && sa->child_install_time_us < 2 * G_USEC_PER_SEC);
	CHECK(sa && sa->child_installed_us > before + 60 * 1000 &&
	      sa->child_installed_us <= g_get_monotonic_time());
	sess_down(t);
	sess_free(t);
	/* The same session shape without those lines: no timing. */
	fc->initiate_log = NULL;
	t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	sa = ipsec_session_get_sa_info(t->s);
	CHECK(sa && sa->child_installed_us == 0 && sa->child_install_time_us == 0);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_not_transport(void)
{
	FakeCharon *fc = fake_new();
	fc->child_mode = "TUNNEL";
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(!t->up_ok);
	CHECK(t->up_error && t->up_error->code == IPSEC_ERROR_NOT_TRANSPORT);
	/* Cleanup ran before the callback. */
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	fake_charon_free(fc);
}

/* child-updown before the initiate reply carries the SA: no list-sas round trip. */
static void test_session_up_from_child_updown(void)
{
	FakeCharon *fc = fake_new();
	fc->updown_child_mode = "TRANSPORT";
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	const IpsecSaInfo *sa = ipsec_session_get_sa_info(t->s);
	CHECK(sa && sa->child_mode && !strcmp(sa->child_mode, "TRANSPORT"));
	CHECK(strstr(fc->command_log->str, "initiate;") != NULL);
	CHECK(strstr(fc->command_log->str, "list-sas;") == NULL);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

/* An event SA that is not usable is not trusted on its own: list-sas decides, and refuses it. */
static void test_session_child_updown_tunnel_refused(void)
{
	FakeCharon *fc = fake_new();
	fc->updown_child_mode = "TUNNEL";
	fc->child_mode = "TUNNEL";
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(!t->up_ok);
	CHECK(t->up_error && t->up_error->code == IPSEC_ERROR_NOT_TRANSPORT);
	CHECK(strstr(fc->command_log->str, "list-sas;") != NULL);
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_initiate_failure(void)
{
	FakeCharon *fc = fake_new();
	static const char *const log[] = {"sending packet: from a[500] to b[500] (324 bytes)",
					  "received packet: from b[500] to a[500] (40 bytes)",
					  "received NO_PROPOSAL_CHOSEN error notify", NULL};
	fc->initiate_log = log;
	fc->initiate_ok = FALSE;
	IpsecSettings settings = session_settings();
	settings.proposal_preset = "windows";
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(!t->up_ok);
	CHECK(t->up_error && t->up_error->code == IPSEC_ERROR_NO_PROPOSAL_CHOSEN);
	CHECK(t->up_error && strstr(t->up_error->message, "we offered windows: aes256-sha1-modp2048"));
	CHECK(fake_charon_is_clean(fc));
	CHECK(strstr(fc->command_log->str, "terminate;") !=
	      NULL); /* a lingering IKE_SA is always terminated */
	sess_free(t);
	fake_charon_free(fc);
}

static gboolean restored(gpointer p)
{
	return ((Sess *)p)->seen[IPSEC_EVENT_CONN_RESTORED] > 0;
}

static void test_session_vanished_restored(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	const char *name = ipsec_session_get_conn_name(t->s);
	fake_charon_forget_conns_and_creds(fc); /* swanctl --load-all */
	CHECK(run_until(restored, t, 3000));
	CHECK_INT(t->seen[IPSEC_EVENT_CONN_VANISHED], 1);
	CHECK(g_hash_table_contains(fc->conns, name));
	g_autofree char *psk_id = g_strdup_printf("%s-psk", name);
	CHECK(g_hash_table_contains(fc->shared, psk_id));
	/* Only the secret wiped (clear-creds): noticed as well. */
	g_hash_table_remove_all(fc->shared);
	t->seen[IPSEC_EVENT_CONN_RESTORED] = 0;
	CHECK(run_until(restored, t, 3000));
	CHECK(g_hash_table_contains(fc->shared, psk_id));
	sess_down(t);
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	fake_charon_free(fc);
}

static gboolean ike_down_seen(gpointer p)
{
	return ((Sess *)p)->seen[IPSEC_EVENT_IKE_DOWN] > 0;
}

static void test_session_peer_down(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	/* Another conn's events are not ours. */
	fake_charon_ike_updown(fc, "someone-else", FALSE);
	fake_charon_ike_updown(fc, ipsec_session_get_conn_name(t->s), FALSE);
	CHECK(run_until(ike_down_seen, t, 3000));
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_DOWN], 1);
	sess_down(t);
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	fake_charon_free(fc);
}

static gboolean replaced_ike_closed(gpointer p)
{
	return event_seen(p, "IKE_SA #1 closed, replaced by #2");
}

/* An IKE rekey brings up a new IKE_SA, then the old one goes down: no outage. The new one's down is. */
static void test_session_ike_rekey_old_down(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	const char *conn = ipsec_session_get_conn_name(t->s);
	fake_charon_rekey(fc, "ike-rekey", conn);      /* IKE_SA #1 -> #2 */
	fake_charon_ike_updown_id(fc, conn, FALSE, 1); /* #1 deleted afterwards */
	CHECK(run_until(replaced_ike_closed, t, 3000));
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_DOWN], 0);
	fake_charon_ike_updown(fc, conn, FALSE); /* #2, the current one */
	CHECK(run_until(ike_down_seen, t, 3000));
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_DOWN], 1);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

static gboolean both_rekeyed(gpointer p)
{
	Sess *t = p;
	return t->seen[IPSEC_EVENT_IKE_REKEYED] && t->seen[IPSEC_EVENT_CHILD_REKEYED];
}

static void test_session_rekey_events(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	fake_charon_rekey(fc, "ike-rekey", "someone-else");
	fake_charon_rekey(fc, "ike-rekey", ipsec_session_get_conn_name(t->s));
	fake_charon_rekey(fc, "child-rekey", ipsec_session_get_conn_name(t->s));
	CHECK(run_until(both_rekeyed, t, 3000));
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_REKEYED], 1);
	CHECK_INT(t->seen[IPSEC_EVENT_CHILD_REKEYED], 1);
	CHECK_INT(t->seen[IPSEC_EVENT_IKE_DOWN], 0);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

typedef struct {
	gboolean done, ok;
	GError *error;
} RekeyResult;

static void on_rekey_child_done(GObject *src, GAsyncResult *res, gpointer data)
{
	RekeyResult *r = data;
	r->ok = ipsec_session_rekey_child_finish(NULL, res, &r->error);
	r->done = TRUE;
}

static gboolean child_rekeyed(gpointer p)
{
	return ((Sess *)p)->seen[IPSEC_EVENT_CHILD_REKEYED] > 0;
}

/* rekey_child asks charon for a new quick mode of our own CHILD_SA; refused when not up. */
static void test_session_rekey_child(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	RekeyResult r = {0};

	ipsec_session_rekey_child_async(t->s, NULL, on_rekey_child_done, &r); /* not up yet */
	CHECK(run_until(is_set, &r.done, 3000));
	CHECK(!r.ok && r.error && r.error->domain == IPSEC_ERROR);
	CHECK_INT(fc->rekeys_seen, 0);
	g_clear_error(&r.error);

	sess_up(t);
	CHECK(t->up_ok);
	r = (RekeyResult){0};
	ipsec_session_rekey_child_async(t->s, NULL, on_rekey_child_done, &r);
	CHECK(run_until(is_set, &r.done, 3000));
	CHECK(r.ok && !r.error);
	CHECK_INT(fc->rekeys_seen, 1);
	CHECK(run_until(child_rekeyed, t, 3000));
	CHECK(event_seen(t, "progress: asking charon to rekey CHILD_SA"));
	CHECK_INT(t->seen[IPSEC_EVENT_CHILD_DOWN], 0);

	/* charon no longer has the SA (deleted meanwhile): its refusal is the error. */
	g_hash_table_remove_all(fc->established);
	r = (RekeyResult){0};
	ipsec_session_rekey_child_async(t->s, NULL, on_rekey_child_done, &r);
	CHECK(run_until(is_set, &r.done, 3000));
	CHECK(!r.ok && r.error && strstr(r.error->message, "no matching SAs to rekey"));
	g_clear_error(&r.error);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_free_cleans_up(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	CHECK(!fake_charon_is_clean(fc));
	ipsec_session_free(t->s); /* no down: the detached cleanup must still run */
	t->s = NULL;
	CHECK(run_until(fake_clean, fc, 3000));
	g_ptr_array_unref(t->events);
	g_free(t);
	fake_charon_free(fc);
}

static gboolean initiate_seen(gpointer p)
{
	return strstr(((FakeCharon *)p)->command_log->str, "initiate;") != NULL;
}

/* An IKE negotiation that stalls (messages lost, charon waiting to retransmit) starts over. */
static void test_session_ike_restart(void)
{
	FakeCharon *fc = fake_new();
	fc->hang_initiates = 1;
	IpsecSettings settings = session_settings();
	settings.initiate_timeout_ms = 10000;
	settings.ike_restart_ms = 300;
	Sess *t = sess_new(&settings);
	gint64 t0 = g_get_monotonic_time();
	sess_up(t);
	CHECK(t->up_ok);
	CHECK(g_get_monotonic_time() - t0 >= 300 * 1000);
	CHECK(strstr(fc->command_log->str, "initiate;terminate;initiate;") != NULL);
	CHECK_INT(t->seen[IPSEC_EVENT_INITIATED], 1); /* pppd is started ahead once */
	CHECK(event_seen(t, "starting over"));
	sess_down(t);
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	/* A budget too short for a fresh start: the one initiate keeps it all. */
	fc->hang_initiates = 0;
	g_string_truncate(fc->command_log, 0);
	settings.initiate_timeout_ms = 3000;
	settings.ike_restart_ms = 100;
	fc->updown_child_mode = "TRANSPORT"; /* the reply 50 ms after the event: longer than nothing */
	t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	CHECK(strstr(fc->command_log->str, "terminate;") == NULL);
	sess_down(t);
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_cancel_during_initiate(void)
{
	FakeCharon *fc = fake_new();
	fc->hang_command = g_strdup("initiate");
	IpsecSettings settings = session_settings();
	settings.initiate_timeout_ms = 20000;
	Sess *t = sess_new(&settings);
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	ipsec_session_up_async(t->s, cancel, on_up, t);
	CHECK(run_until(initiate_seen, fc, 3000));
	g_cancellable_cancel(cancel);
	CHECK(run_until(is_set, &t->up_done, 5000));
	CHECK(g_error_matches(t->up_error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
	CHECK(fake_charon_is_clean(fc));
	g_clear_pointer(&fc->hang_command, g_free);
	sess_free(t);
	fake_charon_free(fc);
}

static gboolean charon_back(gpointer p)
{
	return event_seen(p, "event connection to charon restored");
}

static void test_session_charon_lost(void)
{
	FakeCharon *fc = fake_new();
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(t->up_ok);
	fake_charon_kick(fc);
	CHECK(run_until(charon_back, t, 5000));
	CHECK(t->seen[IPSEC_EVENT_CHARON_LOST] >= 1);
	sess_down(t);
	CHECK(fake_charon_is_clean(fc));
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_ikev1_refused(void)
{
	/* A strongSwan >= 6.1 built without IKEv1 refusing the conn gets the named error. */
	FakeCharon *fc = fake_new();
	fc->version = "6.1.0";
	fc->load_conn_errmsg = "invalid value for: version, config discarded";
	IpsecSettings settings = session_settings();
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(!t->up_ok);
	CHECK(t->up_error && t->up_error->code == IPSEC_ERROR_IKEV1_UNSUPPORTED);
	CHECK(t->up_error && strstr(t->up_error->message, "--enable-ikev1"));
	CHECK(fake_charon_is_clean(fc)); /* the PSK loaded before is gone again */
	sess_free(t);
	fake_charon_free(fc);
}

static void test_session_not_running(void)
{
	IpsecSettings settings = session_settings();
	g_autofree char *uri = g_strdup_printf("unix://%s/absent.vici", tmpdir);
	settings.vici_uri = uri;
	Sess *t = sess_new(&settings);
	sess_up(t);
	CHECK(!t->up_ok);
	CHECK(t->up_error && t->up_error->code == IPSEC_ERROR_CHARON_NOT_RUNNING);
	sess_free(t);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	tmpdir = g_dir_make_tmp("ipsec-session-XXXXXX", NULL);
	sock_path = g_build_filename(tmpdir, "charon.vici", NULL);
	sock_uri = g_strdup_printf("unix://%s", sock_path);
	RUN(test_client_commands);
	RUN(test_client_not_running);
	RUN(test_client_timeout_reconnect);
	RUN(test_client_pipelines);
	RUN(test_client_cancel);
	RUN(test_client_events_and_close);
	RUN(test_session_up_down);
	RUN(test_peer_ready_estimate);
	RUN(test_session_quick_mode_timing);
	RUN(test_session_not_transport);
	RUN(test_session_up_from_child_updown);
	RUN(test_session_child_updown_tunnel_refused);
	RUN(test_session_initiate_failure);
	RUN(test_session_vanished_restored);
	RUN(test_session_peer_down);
	RUN(test_session_rekey_events);
	RUN(test_session_ike_rekey_old_down);
	RUN(test_session_rekey_child);
	RUN(test_session_free_cleans_up);
	RUN(test_session_ike_restart);
	RUN(test_session_cancel_during_initiate);
	RUN(test_session_charon_lost);
	RUN(test_session_ikev1_refused);
	RUN(test_session_not_running);
	g_rmdir(tmpdir);
	return CHECK_SUMMARY();
}
