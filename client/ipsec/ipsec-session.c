// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPsec session lifecycle over vici (see ipsec.h):
 *   locate charon → version → resolve gateway → register events, and side by
 *   side load credentials → load-conn → initiate (control-log = progress) → list-sas
 *   (verify TRANSPORT, record algorithms) → watch (events, vanished conn)
 *   → terminate → unload-conn / unload-shared / unload-key.
 * Cleanup runs on its own vici connection so it never queues behind a pending
 * initiate, and it is idempotent: flags record what is loaded in charon.
 */
#include <stdlib.h>
#include <string.h>

#include "ipsec-private.h"
#include "vici-client.h"

typedef enum {
	LOADED_SHARED = 1 << 0,
	LOADED_KEY = 1 << 1,
	LOADED_CONN = 1 << 2,
	LOADED_IKE = 1 << 3, /* an IKE_SA of ours may exist (initiate was sent) */
} LoadedFlags;

struct _IpsecSession {
	gint ref;
	IpsecSettings *settings;
	char *conn_name;
	char *shared_id;
	char *key_id;
	char *remote_addr;
	char *daemon_version;
	IpsecCreds creds;
	ViciClient *cmd;
	ViciClient *events;
	ViciClient *cleanup;
	IpsecEventHandler handler;
	gpointer handler_data;
	IpsecSaInfo *sa;
	IpsecInitiateLog log;
	guint loaded;
	gboolean up;
	gboolean wrong_psk_seen; /* the initiate log showed a wrong PSK: failing early */
	gboolean stopping;
	GTask *up_task;
	guint watch_id;
	gboolean watch_busy;
	guint reconnect_id;
	guint reconnect_delay_s;
	GPtrArray *down_tasks;
	gboolean cleanup_running;
	GError *cleanup_error;
	gboolean watch_found_conn;
	gboolean watch_found_sa;
	gboolean restoring;
	gulong cancel_id;
	gint64 qm_response_us, child_installed_us; /* control-log timing, see IpsecSaInfo */
	guint before_initiate; /* event registration and load-conn, running side by side */
	guint restart_id;      /* on_ike_stalled() */
	guint restarts;        /* initiates started over in this up */
	guint stale_initiates; /* abandoned initiates whose replies are still to come */
	gint64 initiate_first_us;
	char *ike_uniqueid; /* the IKE_SA we ride on (note_current_ike()) */
};

static IpsecSession *session_ref(IpsecSession *s)
{
	g_atomic_int_inc(&s->ref);
	return s;
}

static void session_unref(IpsecSession *s)
{
	if (!s || !g_atomic_int_dec_and_test(&s->ref))
		return;
	if (s->watch_id)
		g_source_remove(s->watch_id);
	if (s->reconnect_id)
		g_source_remove(s->reconnect_id);
	if (s->restart_id)
		g_source_remove(s->restart_id);
	if (s->cmd)
		vici_client_close(s->cmd, NULL);
	if (s->events) {
		vici_client_set_closed_handler(s->events, NULL, NULL);
		vici_client_close(s->events, NULL);
	}
	g_clear_pointer(&s->cmd, vici_client_unref);
	g_clear_pointer(&s->events, vici_client_unref);
	if (s->cleanup)
		vici_client_close(s->cleanup, NULL);
	g_clear_pointer(&s->cleanup, vici_client_unref);
	ipsec_creds_clear(&s->creds);
	ipsec_initiate_log_clear(&s->log);
	ipsec_sa_info_free(s->sa);
	ipsec_settings_free(s->settings);
	g_ptr_array_unref(s->down_tasks);
	g_clear_error(&s->cleanup_error);
	g_free(s->conn_name);
	g_free(s->shared_id);
	g_free(s->key_id);
	g_free(s->remote_addr);
	g_free(s->daemon_version);
	g_free(s->ike_uniqueid);
	g_free(s);
}

/* ---- events to the owner ------------------------------------------------- */

const char *ipsec_event_type_name(IpsecEventType type)
{
	static const char *const names[] = {
	    [IPSEC_EVENT_PROGRESS] = "progress",           [IPSEC_EVENT_IKE_UP] = "ike-up",
	    [IPSEC_EVENT_IKE_DOWN] = "ike-down",           [IPSEC_EVENT_CHILD_UP] = "child-up",
	    [IPSEC_EVENT_CHILD_DOWN] = "child-down",       [IPSEC_EVENT_IKE_REKEYED] = "ike-rekeyed",
	    [IPSEC_EVENT_CHILD_REKEYED] = "child-rekeyed", [IPSEC_EVENT_CONN_VANISHED] = "conn-vanished",
	    [IPSEC_EVENT_CONN_RESTORED] = "conn-restored", [IPSEC_EVENT_INITIATED] = "initiated",
	    [IPSEC_EVENT_CHARON_LOST] = "charon-lost",
	};
	if ((int)type < 0 || type >= G_N_ELEMENTS(names))
		return "unknown";
	return names[type];
}

static void emit(IpsecSession *s, IpsecEventType type, const GError *error, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

static void emit(IpsecSession *s, IpsecEventType type, const GError *error, const char *format, ...)
{
	if (!s->handler)
		return;
	va_list ap;
	va_start(ap, format);
	g_autofree char *text = g_strdup_vprintf(format, ap);
	va_end(ap);
	IpsecEvent ev = {type, g_get_real_time(), text, error};
	s->handler(&ev, s->handler_data);
}

/* ---- SA info ------------------------------------------------------------- */

void ipsec_sa_info_free(IpsecSaInfo *i)
{
	if (!i)
		return;
	char **strings[] = {&i->ike_name,    &i->child_name, &i->ike_version,    &i->local_host,
			    &i->remote_host, &i->ike_encr,   &i->ike_integ,      &i->ike_prf,
			    &i->ike_dh,      &i->child_mode, &i->child_protocol, &i->child_encr,
			    &i->child_integ, &i->child_dh,   &i->spi_in,         &i->spi_out,
			    &i->local_ts,    &i->remote_ts};
	for (gsize k = 0; k < G_N_ELEMENTS(strings); k++)
		g_free(*strings[k]);
	g_free(i);
}

/*
 * The gateway installs its SA (keys, SAs, then policies) only once our QM3 is in, just as
 * our charon did between parsing QM2 and logging "CHILD_SA ... established"; QM3 leaves
 * after that line. So allow twice our own install time (+10 ms) from that line. Lab
 * (charon logs on both sides): ours 46 ms, QM3 out 30 ms after the line, the gateway's
 * outbound policy 55 ms after QM3 arrived, 90 ms after the line; SCCRQs sent 56 and 72 ms
 * after it were answered in the clear, 83 and 182 ms worked. On real hardware installs
 * take a few ms and this hardly waits. Capped: a stalled charon is no reason to wait long.
 */
guint ipsec_sa_info_peer_install_ms(const IpsecSaInfo *i)
{
	if (!i || !i->child_installed_us || i->child_install_time_us <= 0)
		return 0;
	return (guint)((2 * MIN(i->child_install_time_us, 200 * 1000) + 999) / 1000) + 10;
}

guint ipsec_sa_info_peer_ready_ms(const IpsecSaInfo *i)
{
	gint64 ready_us, now_us = g_get_monotonic_time();
	guint install_ms = ipsec_sa_info_peer_install_ms(i);

	if (!install_ms)
		return 0;
	ready_us = i->child_installed_us + (gint64)install_ms * 1000;
	return ready_us > now_us ? (guint)((ready_us - now_us + 999) / 1000) : 0;
}

static const char *or_none(const char *v)
{
	return v && *v ? v : "-";
}

char *ipsec_sa_info_describe(const IpsecSaInfo *i)
{
	return g_strdup_printf("IKEv%s%s %s/%s/%s/%s %s:%u-%s:%u%s; %s %s %s/%s%s%s %s === %s%s spi %s/%s",
			       or_none(i->ike_version), i->aggressive ? " aggressive" : " main",
			       or_none(i->ike_encr), or_none(i->ike_integ), or_none(i->ike_prf),
			       or_none(i->ike_dh), or_none(i->local_host), i->local_ike_port,
			       or_none(i->remote_host), i->remote_ike_port, i->nat_detected ? " NAT" : "",
			       or_none(i->child_protocol), or_none(i->child_mode), or_none(i->child_encr),
			       or_none(i->child_integ), i->child_dh ? "/" : "",
			       i->child_dh ? i->child_dh : "", or_none(i->local_ts), or_none(i->remote_ts),
			       i->child_encap ? " UDP-encap" : "", or_none(i->spi_in), or_none(i->spi_out));
}

static char *dup_str(const struct vici_node *n, const char *key)
{
	const char *v = vici_node_str(n, key);
	return v ? g_strdup(v) : NULL;
}

static char *join_list(const struct vici_node *n, const char *key)
{
	const struct vici_node *list = vici_node_list(n, key);
	if (!list)
		return NULL;
	GString *out = g_string_new(NULL);
	for (const struct vici_node *item = list->children; item; item = item->next)
		g_string_append_printf(out, "%s%s", out->len ? "," : "", (const char *)item->value);
	return g_string_free(out, FALSE);
}

static char *alg_with_size(const struct vici_node *n, const char *alg, const char *size)
{
	const char *a = vici_node_str(n, alg), *k = vici_node_str(n, size);
	if (!a)
		return NULL;
	return k ? g_strdup_printf("%s-%s", a, k) : g_strdup(a);
}

/* Reads one list-sa event section (our IKE_SA) into SaInfo. */
static IpsecSaInfo *sa_info_from(const char *name, const struct vici_node *ike, gboolean aggressive)
{
	IpsecSaInfo *i = g_new0(IpsecSaInfo, 1);
	i->ike_name = g_strdup(name);
	i->ike_version = dup_str(ike, "version");
	i->local_host = dup_str(ike, "local-host");
	i->remote_host = dup_str(ike, "remote-host");
	const char *lp = vici_node_str(ike, "local-port"), *rp = vici_node_str(ike, "remote-port");
	i->local_ike_port = lp ? (guint16)atoi(lp) : 0;
	i->remote_ike_port = rp ? (guint16)atoi(rp) : 0;
	i->nat_detected = vici_node_is_yes(ike, "nat-any");
	i->aggressive = aggressive;
	i->ike_encr = alg_with_size(ike, "encr-alg", "encr-keysize");
	i->ike_integ = dup_str(ike, "integ-alg");
	i->ike_prf = dup_str(ike, "prf-alg");
	i->ike_dh = dup_str(ike, "dh-group");
	const struct vici_node *children = vici_node_section(ike, "child-sas");
	const struct vici_node *child = children ? children->children : NULL;
	if (child && child->kind == VICI_NODE_SECTION) {
		i->child_name = dup_str(child, "name");
		if (!i->child_name)
			i->child_name = g_strdup(child->name);
		i->child_mode = dup_str(child, "mode");
		i->child_protocol = dup_str(child, "protocol");
		i->child_encap = vici_node_is_yes(child, "encap");
		i->child_encr = alg_with_size(child, "encr-alg", "encr-keysize");
		i->child_integ = dup_str(child, "integ-alg");
		i->child_dh = dup_str(child, "dh-group");
		i->spi_in = dup_str(child, "spi-in");
		i->spi_out = dup_str(child, "spi-out");
		i->local_ts = join_list(child, "local-ts");
		i->remote_ts = join_list(child, "remote-ts");
	}
	return i;
}

/* ---- construction -------------------------------------------------------- */

IpsecSession *ipsec_session_new(const IpsecSettings *settings, GError **error)
{
	if (!ipsec_settings_validate(settings, error))
		return NULL;
	IpsecSession *s = g_new0(IpsecSession, 1);
	s->ref = 1;
	s->settings = ipsec_settings_copy(settings);
	s->conn_name = ipsec_make_conn_name(s->settings->profile);
	s->shared_id = g_strdup_printf("%s-psk", s->conn_name);
	s->cmd = vici_client_new(s->settings->vici_uri);
	s->down_tasks = g_ptr_array_new();
	ipsec_initiate_log_init(&s->log);
	return s;
}

void ipsec_session_set_event_handler(IpsecSession *s, IpsecEventHandler handler, gpointer user_data)
{
	s->handler = handler;
	s->handler_data = user_data;
}

const char *ipsec_session_get_conn_name(IpsecSession *s)
{
	return s->conn_name;
}

const IpsecSaInfo *ipsec_session_get_sa_info(IpsecSession *s)
{
	return s->sa;
}

static guint cmd_timeout(IpsecSession *s)
{
	return s->settings->command_timeout_ms ? s->settings->command_timeout_ms : 10000;
}

/* Sends a message built by the caller; the builder is consumed (and wiped). */
static void send_command(IpsecSession *s, ViciClient *client, const char *command, struct vici_builder *b,
			 const char *stream, ViciEventFunc stream_func, guint timeout_ms,
			 GAsyncReadyCallback cb, gpointer data)
{
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc = b ? vici_builder_finish(b, &msg, &len) : VICI_OK;
	if (rc != VICI_OK) {
		/* Report through the normal path: an empty command name fails encoding. */
		g_warning("ipsec: cannot build %s message: %s", command, vici_strerror(rc));
		msg = NULL;
		len = 0;
		command = "";
	}
	vici_client_command_async(client, command, msg, len, stream, stream_func, s, timeout_ms, NULL, cb,
				  data);
	vici_buffer_free_secure(msg, len);
}

/* Returns the response if success=yes; else sets error with charon's errmsg. */
static struct vici_node *finish_ok(ViciClient *client, GAsyncResult *res, const char *what, GError **error)
{
	struct vici_node *resp = vici_client_command_finish(client, res, error);
	if (!resp)
		return NULL;
	const char *errmsg;
	if (!vici_response_ok(resp, &errmsg)) {
		g_set_error(error, IPSEC_ERROR, IPSEC_ERROR_FAILED, "charon refused %s: %s", what,
			    errmsg ? errmsg : "no reason given");
		vici_node_free(resp);
		return NULL;
	}
	return resp;
}

/* ---- cleanup (idempotent, own connection) -------------------------------- */

static void cleanup_step(IpsecSession *s);

static void cleanup_done(IpsecSession *s)
{
	s->cleanup_running = FALSE;
	g_autoptr(GPtrArray) tasks = s->down_tasks;
	s->down_tasks = g_ptr_array_new();
	for (guint i = 0; i < tasks->len; i++) {
		GTask *t = tasks->pdata[i];
		if (s->cleanup_error)
			g_task_return_error(t, g_error_copy(s->cleanup_error));
		else
			g_task_return_boolean(t, TRUE);
		g_object_unref(t);
	}
	g_clear_error(&s->cleanup_error);
	/* Close first: a connected client's pending read holds a reference of its own. */
	vici_client_close(s->cleanup, NULL);
	g_clear_pointer(&s->cleanup, vici_client_unref);
	session_unref(s);
}

static gboolean is_missing(const char *errmsg)
{
	/* charon's wording when there is nothing to remove: that is success for us. */
	return errmsg &&
	       (strstr(errmsg, "not found") || strstr(errmsg, "no matching") || strstr(errmsg, "unknown"));
}

typedef struct {
	IpsecSession *session;
	guint flag;
	const char *what;
} CleanupCtx;

static void on_cleanup_reply(GObject *src, GAsyncResult *res, gpointer data)
{
	CleanupCtx *ctx = data;
	IpsecSession *s = ctx->session;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cleanup, res, &error);
	const char *errmsg = NULL;
	/* Never loop on a step: clear its flag either way, and report what was left behind. */
	s->loaded &= ~ctx->flag;
	if (!(resp && (vici_response_ok(resp, &errmsg) || is_missing(errmsg))) && !s->cleanup_error)
		s->cleanup_error =
		    g_error_new(IPSEC_ERROR, IPSEC_ERROR_FAILED, "Cleanup of %s (%s) in charon failed: %s",
				s->conn_name, ctx->what,
				error    ? error->message
				: errmsg ? errmsg
					 : "refused");
	vici_node_free(resp);
	g_free(ctx);
	cleanup_step(s);
}

static void cleanup_send(IpsecSession *s, const char *command, struct vici_builder *b, guint flag)
{
	uint8_t *msg;
	size_t len;
	CleanupCtx *ctx = g_new(CleanupCtx, 1);
	*ctx = (CleanupCtx){s, flag, command};
	if (vici_builder_finish(b, &msg, &len) != VICI_OK) {
		msg = NULL;
		len = 0;
	}
	vici_client_command_async(s->cleanup, command, msg, len, NULL, NULL, NULL, cmd_timeout(s) + 5000,
				  NULL, on_cleanup_reply, ctx);
	vici_buffer_free_secure(msg, len);
}

/* terminate → unload-conn → unload-shared → unload-key, one at a time. */
/* Every IKE_SA of our conn, without waiting for the gateway to acknowledge (it may be gone). */
static void build_terminate(IpsecSession *s, struct vici_builder *b)
{
	vici_builder_kv_str(b, "ike", s->conn_name);
	vici_builder_kv_uint(b, "timeout", cmd_timeout(s));
	vici_builder_kv_str(b, "force", "yes");
}

static void cleanup_step(IpsecSession *s)
{
	struct vici_builder b;
	vici_builder_init(&b);
	if (s->loaded & LOADED_IKE) {
		build_terminate(s, &b);
		cleanup_send(s, "terminate", &b, LOADED_IKE);
	} else if (s->loaded & LOADED_CONN) {
		vici_builder_kv_str(&b, "name", s->conn_name);
		cleanup_send(s, "unload-conn", &b, LOADED_CONN);
	} else if (s->loaded & LOADED_SHARED) {
		vici_builder_kv_str(&b, "id", s->shared_id);
		cleanup_send(s, "unload-shared", &b, LOADED_SHARED);
	} else if (s->loaded & LOADED_KEY) {
		vici_builder_kv_str(&b, "id", s->key_id);
		cleanup_send(s, "unload-key", &b, LOADED_KEY);
	} else {
		cleanup_done(s);
	}
}

/* Starts cleanup unless running; task (may be NULL) completes when it is done. */
static void cleanup_start(IpsecSession *s, GTask *task)
{
	if (task)
		g_ptr_array_add(s->down_tasks, task);
	if (s->cleanup_running)
		return;
	s->cleanup_running = TRUE;
	session_ref(s);
	if (!s->cleanup)
		s->cleanup = vici_client_new(s->settings->vici_uri);
	cleanup_step(s);
}

/* ---- up: failure path ---------------------------------------------------- */

static void on_up_cleanup_done(GObject *src, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	GError *error = g_task_get_task_data(task);
	g_task_set_task_data(task, NULL, NULL);
	g_autoptr(GError) cleanup_error = NULL;
	if (!g_task_propagate_boolean(G_TASK(res), &cleanup_error))
		g_message("ipsec: %s", cleanup_error->message);
	g_task_return_error(task, error);
	g_object_unref(task);
}

static void stop_restart_timer(IpsecSession *s)
{
	if (s->restart_id) {
		g_source_remove(s->restart_id);
		s->restart_id = 0;
	}
}

/* Every failure after the first load goes through here: unload, then report. */
static void up_fail(IpsecSession *s, GError *error)
{
	GTask *task = g_steal_pointer(&s->up_task);
	if (!task) {
		/* A late reply after the up already failed or was cancelled: only tidy up. */
		g_error_free(error);
		if (s->loaded && !s->up)
			cleanup_start(s, NULL);
		return;
	}
	if (s->cancel_id) {
		g_cancellable_disconnect(g_task_get_cancellable(task), s->cancel_id);
		s->cancel_id = 0;
	}
	if (s->watch_id) {
		g_source_remove(s->watch_id);
		s->watch_id = 0;
	}
	stop_restart_timer(s);
	s->up = FALSE;
	emit(s, IPSEC_EVENT_PROGRESS, error, "failed: %s", error->message);
	GTask *cleanup = g_task_new(NULL, NULL, on_up_cleanup_done, task);
	g_task_set_task_data(task, error, NULL);
	cleanup_start(s, cleanup);
}

/* TRUE: stop the chain (cancelled, and the failure path has started; or no up is running). */
static gboolean up_cancelled(IpsecSession *s)
{
	if (!s->up_task) {
		/* Something may have been loaded after the cleanup passed it. */
		if (s->loaded && !s->up)
			cleanup_start(s, NULL);
		return TRUE;
	}
	GCancellable *c = g_task_get_cancellable(s->up_task);
	if (!c || !g_cancellable_is_cancelled(c))
		return FALSE;
	up_fail(s, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "IPsec connection cancelled"));
	return TRUE;
}

/* ---- watching ------------------------------------------------------------ */

static void watch_schedule(IpsecSession *s);
static void load_credentials(IpsecSession *s, gboolean restoring);

static const struct vici_node *our_ike(IpsecSession *s, const struct vici_node *msg)
{
	return vici_node_section(msg, s->conn_name);
}

/*
 * The IKE_SA we ride on. Renewing it (IKEv1 does that by reauthentication) brings a new one
 * up first and deletes the old one after, and that one's "down" is no outage of ours (lab
 * ours-rekey: the connection dropped 10 s after every IKE rekey before this).
 */
static void note_current_ike(IpsecSession *s, const struct vici_node *ike)
{
	const char *id = vici_node_str(ike, "uniqueid");
	if (id) {
		g_free(s->ike_uniqueid);
		s->ike_uniqueid = g_strdup(id);
	}
}

static gboolean is_replaced_ike(IpsecSession *s, const struct vici_node *ike)
{
	const char *id = vici_node_str(ike, "uniqueid");
	return id && s->ike_uniqueid && strcmp(id, s->ike_uniqueid) != 0;
}

static void on_ike_updown(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	const struct vici_node *ike = our_ike(s, msg);
	if (!ike)
		return;
	gboolean up = vici_node_is_yes(msg, "up");
	if (up) {
		note_current_ike(s, ike);
		emit(s, IPSEC_EVENT_IKE_UP, NULL, "IKE_SA %s up (%s ↔ %s)", s->conn_name,
		     or_none(vici_node_str(ike, "local-host")), or_none(vici_node_str(ike, "remote-host")));
		return;
	}
	if (is_replaced_ike(s, ike)) {
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "IKE_SA #%s closed, replaced by #%s",
		     vici_node_str(ike, "uniqueid"), s->ike_uniqueid);
		return;
	}
	if (s->up && !s->stopping) {
		s->up = FALSE;
		g_autoptr(GError) e = g_error_new(IPSEC_ERROR, IPSEC_ERROR_CANCELLED_BY_PEER,
						  "The IKE_SA with %s went down (deleted by the gateway, DPD "
						  "timeout or a reload)",
						  s->settings->gateway);
		emit(s, IPSEC_EVENT_IKE_DOWN, e, "%s", e->message);
	}
}

static void on_child_updown(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	const struct vici_node *ike = our_ike(s, msg);
	if (!ike)
		return;
	if (vici_node_is_yes(msg, "up")) {
		/* The event carries what list-sas would: while coming up, keep it (see on_initiate()). */
		if (s->up_task && !s->up && !s->sa)
			s->sa = sa_info_from(s->conn_name, ike, s->settings->aggressive);
		emit(s, IPSEC_EVENT_CHILD_UP, NULL, "CHILD_SA %s up", s->conn_name);
	} else if (!s->stopping) {
		g_autoptr(GError) e =
		    g_error_new(IPSEC_ERROR, IPSEC_ERROR_CANCELLED_BY_PEER, "The ESP SA for L2TP went down");
		emit(s, IPSEC_EVENT_CHILD_DOWN, s->up ? e : NULL, "CHILD_SA %s down", s->conn_name);
	}
}

static void on_rekey(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	const struct vici_node *ike = our_ike(s, msg);
	if (!ike)
		return;
	gboolean child = strcmp(event, "child-rekey") == 0;
	const struct vici_node *renewed = vici_node_section(ike, "new");
	if (!child && renewed)
		note_current_ike(s, renewed);
	emit(s, child ? IPSEC_EVENT_CHILD_REKEYED : IPSEC_EVENT_IKE_REKEYED, NULL, "%s rekeyed",
	     child ? "CHILD_SA" : "IKE_SA");
}

static const char *const watched_events[] = {"ike-updown", "child-updown", "ike-rekey", "child-rekey"};

static ViciEventFunc watched_handler(const char *event)
{
	if (strcmp(event, "ike-updown") == 0)
		return on_ike_updown;
	if (strcmp(event, "child-updown") == 0)
		return on_child_updown;
	return on_rekey;
}

static void on_list_conn(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	if (vici_node_section(msg, s->conn_name))
		s->watch_found_conn = TRUE;
}

static void on_restored(IpsecSession *s, const GError *error)
{
	s->restoring = FALSE;
	if (error)
		emit(s, IPSEC_EVENT_PROGRESS, error, "could not restore %s: %s", s->conn_name,
		     error->message);
	else
		emit(s, IPSEC_EVENT_CONN_RESTORED, NULL, "reloaded %s into charon", s->conn_name);
	watch_schedule(s);
}

static void on_watch_shared(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cmd, res, &error);
	/* get-shared for a PSK, get-keys for a certificate's key: both answer {keys = [ids]}. */
	const char *ours = s->settings->auth == IPSEC_AUTH_PSK ? s->shared_id : s->key_id;
	gboolean shared_present = !resp || !ours;
	const struct vici_node *keys = vici_node_list(resp, "keys");
	for (const struct vici_node *k = keys ? keys->children : NULL; k && !shared_present; k = k->next)
		shared_present = strcmp((const char *)k->value, ours) == 0;
	vici_node_free(resp);
	s->watch_busy = FALSE;
	if (error || s->stopping || !s->up) {
		watch_schedule(s);
		session_unref(s);
		return;
	}
	if (!s->watch_found_conn || !shared_present) {
		emit(
		    s, IPSEC_EVENT_CONN_VANISHED, NULL,
		    "%s vanished from charon (%s missing; e.g. swanctl --load-all or clear-creds): reloading",
		    s->conn_name, !s->watch_found_conn ? "connection" : "credential");
		s->restoring = TRUE;
		load_credentials(s, TRUE);
	} else {
		watch_schedule(s);
	}
	session_unref(s);
}

static void on_watch_conns(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cmd, res, &error);
	vici_node_free(resp);
	if (error || s->stopping) {
		s->watch_busy = FALSE;
		if (!s->stopping)
			watch_schedule(s);
		session_unref(s);
		return;
	}
	const char *command = s->settings->auth == IPSEC_AUTH_PSK ? "get-shared" : "get-keys";
	vici_client_command_async(s->cmd, command, NULL, 0, NULL, NULL, NULL, cmd_timeout(s), NULL,
				  on_watch_shared, s);
}

static gboolean on_watch_tick(gpointer data)
{
	IpsecSession *s = data;
	s->watch_id = 0;
	if (s->watch_busy || s->stopping || !s->up)
		return G_SOURCE_REMOVE;
	s->watch_busy = TRUE;
	s->watch_found_conn = FALSE;
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "ike", s->conn_name);
	session_ref(s);
	send_command(s, s->cmd, "list-conns", &b, "list-conn", on_list_conn, cmd_timeout(s), on_watch_conns,
		     s);
	return G_SOURCE_REMOVE;
}

static void watch_schedule(IpsecSession *s)
{
	guint ms = s->settings->watch_interval_ms ? s->settings->watch_interval_ms : 5000;
	if (!s->watch_id && s->up && !s->stopping)
		s->watch_id = g_timeout_add(ms, on_watch_tick, s);
}

/* ---- event connection ---------------------------------------------------- */

static void events_register(IpsecSession *s, GAsyncReadyCallback done, gpointer data);

static void on_events_reregistered(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	if (!vici_client_register_finish(s->events, res, &error)) {
		s->reconnect_delay_s = MIN(s->reconnect_delay_s * 2, 30);
	} else {
		s->reconnect_delay_s = 1;
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "event connection to charon restored");
		/* charon may have restarted and lost our conn: the watch notices and reloads. */
		if (s->watch_id) {
			g_source_remove(s->watch_id);
			s->watch_id = 0;
		}
		if (!s->watch_busy)
			on_watch_tick(s);
	}
	session_unref(s);
}

static gboolean on_reconnect(gpointer data)
{
	IpsecSession *s = data;
	s->reconnect_id = 0;
	if (!s->stopping && s->up)
		events_register(s, on_events_reregistered, session_ref(s));
	return G_SOURCE_REMOVE;
}

static void on_events_closed(ViciClient *client, const GError *reason, gpointer data)
{
	IpsecSession *s = data;
	if (s->stopping)
		return;
	emit(s, IPSEC_EVENT_CHARON_LOST, reason, "lost the event connection to charon: %s",
	     reason ? reason->message : "closed");
	if (!s->reconnect_delay_s)
		s->reconnect_delay_s = 1;
	if (!s->reconnect_id && s->up)
		s->reconnect_id = g_timeout_add_seconds(s->reconnect_delay_s, on_reconnect, s);
}

/* Queues all registrations; done runs after the last (charon answers in order). */
static void events_register(IpsecSession *s, GAsyncReadyCallback done, gpointer data)
{
	if (!s->events) {
		s->events = vici_client_new(s->settings->vici_uri);
		vici_client_set_closed_handler(s->events, on_events_closed, s);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(watched_events); i++) {
		gboolean last = i + 1 == G_N_ELEMENTS(watched_events);
		vici_client_register_async(s->events, watched_events[i], watched_handler(watched_events[i]),
					   s, cmd_timeout(s), NULL, last ? done : NULL, last ? data : NULL);
	}
}

/* ---- up: the chain ------------------------------------------------------- */

static void step_initiate(IpsecSession *s);

/* One of the two branches before initiate is done: the last one initiates. */
static void ready_to_initiate(IpsecSession *s)
{
	if (--s->before_initiate == 0)
		step_initiate(s);
}

/* A charon without IKEv1 may refuse the conn itself rather than the negotiation. */
static GError *load_conn_error(IpsecSession *s, GError *error)
{
	g_autofree char *lower = g_ascii_strdown(error->message, -1);
	if ((strstr(lower, "ikev1") || strstr(lower, "ike version")) ||
	    (ipsec_version_may_lack_ikev1(s->daemon_version) && strstr(lower, "version"))) {
		GError *e =
		    g_error_new(IPSEC_ERROR, IPSEC_ERROR_IKEV1_UNSUPPORTED,
				"charon %s refused our IKEv1 connection (%s): strongSwan 6.1 and later "
				"disable IKEv1 unless built with --enable-ikev1, and L2TP/IPsec needs IKEv1",
				s->daemon_version ? s->daemon_version : "", error->message);
		g_error_free(error);
		return e;
	}
	return error;
}

static void on_load_conn(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = finish_ok(s->cmd, res, "our connection (load-conn)", &error);
	vici_node_free(resp);
	if (error && error->domain == IPSEC_ERROR && error->code == IPSEC_ERROR_FAILED)
		error = load_conn_error(s, error);
	if (resp)
		s->loaded |= LOADED_CONN;
	if (s->restoring) {
		on_restored(s, error);
	} else if (!resp) {
		up_fail(s, g_steal_pointer(&error));
	} else if (!up_cancelled(s)) {
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "loaded connection %s", s->conn_name);
		ready_to_initiate(s);
	}
	session_unref(s);
}

static void load_conn(IpsecSession *s)
{
	struct vici_builder b;
	vici_builder_init(&b);
	ipsec_build_load_conn(&b, s->settings, s->conn_name, s->remote_addr, &s->creds);
	/* Mark before sending: a lost reply must still lead to unload-conn. */
	s->loaded |= LOADED_CONN;
	send_command(s, s->cmd, "load-conn", &b, NULL, NULL, cmd_timeout(s), on_load_conn, session_ref(s));
}

static gboolean credential_step_failed(IpsecSession *s, GError **error)
{
	if (*error) {
		up_fail(s, g_steal_pointer(error));
		return TRUE;
	}
	return up_cancelled(s);
}

/* A credential load finished (@error set on failure). Restoring what a reload wiped goes
 * on to load-conn from here; bringing the session up sent load-conn right behind it. */
static void credential_loaded(IpsecSession *s, GError **error, const char *what)
{
	if (s->restoring) {
		if (*error)
			on_restored(s, *error);
		else
			load_conn(s);
	} else if (!credential_step_failed(s, error)) {
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "loaded %s", what);
	}
}

static void on_load_key(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = finish_ok(s->cmd, res, "our private key (load-key)", &error);
	const char *id = vici_node_str(resp, "id");
	if (resp && id) {
		g_free(s->key_id);
		s->key_id = g_strdup(id);
		s->loaded |= LOADED_KEY;
	} else if (resp && !error) {
		error = g_error_new(IPSEC_ERROR, IPSEC_ERROR_PROTOCOL,
				    "charon loaded our key but returned no key id to unload it later");
	}
	vici_node_free(resp);
	g_autofree char *what = g_strdup_printf("private key %s", s->key_id);
	credential_loaded(s, &error, what);
	session_unref(s);
}

static void on_load_shared(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = finish_ok(s->cmd, res, "our pre-shared key (load-shared)", &error);
	vici_node_free(resp);
	if (resp)
		s->loaded |= LOADED_SHARED;
	g_autofree char *what = g_strdup_printf("pre-shared key for %s", s->remote_addr);
	credential_loaded(s, &error, what);
	session_unref(s);
}

/*
 * The credential, then the connection. Bringing the session up, load-conn goes right
 * behind the credential (the vici client pipelines them, charon answers in order: one
 * round trip less); should the credential fail, up_fail() unloads the connection too.
 */
static void load_credentials(IpsecSession *s, gboolean restoring)
{
	struct vici_builder b;
	vici_builder_init(&b);
	s->restoring = restoring;
	if (s->settings->auth == IPSEC_AUTH_PSK) {
		ipsec_build_load_shared(&b, s->settings, s->shared_id, s->remote_addr);
		s->loaded |= LOADED_SHARED;
		send_command(s, s->cmd, "load-shared", &b, NULL, NULL, cmd_timeout(s), on_load_shared,
			     session_ref(s));
	} else {
		ipsec_build_load_key(&b, &s->creds);
		send_command(s, s->cmd, "load-key", &b, NULL, NULL, cmd_timeout(s), on_load_key,
			     session_ref(s));
	}
	if (!restoring)
		load_conn(s);
}

static void on_events_registered(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	if (!vici_client_register_finish(s->events, res, &error))
		up_fail(s, g_steal_pointer(&error));
	else if (!up_cancelled(s))
		ready_to_initiate(s);
	session_unref(s);
}

static void step_events(IpsecSession *s)
{
	GError *error = NULL;
	if (!ipsec_creds_load(s->settings, &s->creds, &error)) {
		up_fail(s, error);
		return;
	}
	if (s->creds.subject)
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "certificate %s, key decrypted locally",
		     s->creds.subject);
	/* The event connection is independent of the loads on the command connection: both at
	 * once (lab: the four registrations cost ~25 ms in series), initiate when both are done. */
	s->before_initiate = 2;
	events_register(s, on_events_registered, session_ref(s));
	load_credentials(s, FALSE);
}

static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	GList *addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(src), res, &error);
	if (!addrs) {
		up_fail(s,
			g_error_new(IPSEC_ERROR, IPSEC_ERROR_PEER_UNREACHABLE,
				    "Cannot resolve gateway %s: %s", s->settings->gateway, error->message));
	} else {
		/* Prefer IPv4: L2TP/IPsec gateways are overwhelmingly IPv4. */
		GInetAddress *pick = addrs->data;
		for (GList *l = addrs; l; l = l->next)
			if (g_inet_address_get_family(l->data) == G_SOCKET_FAMILY_IPV4) {
				pick = l->data;
				break;
			}
		s->remote_addr = g_inet_address_to_string(pick);
		g_resolver_free_addresses(addrs);
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "gateway %s is %s", s->settings->gateway, s->remote_addr);
		if (!up_cancelled(s))
			step_events(s);
	}
	session_unref(s);
}

static void step_resolve(IpsecSession *s)
{
	g_autoptr(GInetAddress) literal = g_inet_address_new_from_string(s->settings->gateway);
	if (literal) {
		s->remote_addr = g_strdup(s->settings->gateway);
		step_events(s);
		return;
	}
	g_autoptr(GResolver) resolver = g_resolver_get_default();
	g_resolver_lookup_by_name_async(resolver, s->settings->gateway, g_task_get_cancellable(s->up_task),
					on_resolved, session_ref(s));
}

static void on_version(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cmd, res, &error);
	if (!resp) {
		up_fail(s, g_steal_pointer(&error));
	} else {
		s->daemon_version = dup_str(resp, "version");
		s->log.daemon_version = s->daemon_version;
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "connected to %s %s",
		     or_none(vici_node_str(resp, "daemon")), or_none(s->daemon_version));
		vici_node_free(resp);
	}
	session_unref(s);
}

/* version's answer comes before those of the loads queued behind it, and only their
 * errors read it: no need to wait for it. */
static void step_version(IpsecSession *s)
{
	vici_client_command_async(s->cmd, "version", NULL, 0, NULL, NULL, NULL, cmd_timeout(s), NULL,
				  on_version, session_ref(s));
	step_resolve(s);
}

/* ---- up: charon discovery, systemd activation ---------------------------- */

typedef struct {
	IpsecSession *session;
	char *path;
	gint64 deadline_us;
} WaitSocket;

static gboolean on_wait_socket(gpointer data)
{
	WaitSocket *w = data;
	IpsecSession *s = w->session;
	if (g_file_test(w->path, G_FILE_TEST_EXISTS)) {
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "strongswan.service is up");
		step_version(s);
	} else if (g_get_monotonic_time() < w->deadline_us) {
		return G_SOURCE_CONTINUE;
	} else {
		up_fail(s, g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_START_FAILED,
				       "Started strongswan.service, but %s did not appear within 15 s: see "
				       "journalctl -u strongswan.service",
				       w->path));
	}
	g_free(w->path);
	g_free(w);
	session_unref(s);
	return G_SOURCE_REMOVE;
}

static void on_start_unit(GObject *src, GAsyncResult *res, gpointer data)
{
	WaitSocket *w = data;
	g_autoptr(GError) error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &error);
	if (!reply) {
		IpsecSession *s = w->session;
		up_fail(s, g_error_new(
			       IPSEC_ERROR, IPSEC_ERROR_CHARON_START_FAILED,
			       "charon is not running and systemd refused to start strongswan.service: %s",
			       error->message));
		g_free(w->path);
		g_free(w);
		session_unref(s);
		return;
	}
	g_variant_unref(reply);
	/* StartUnit returns once the job is queued; the socket appears when charon is ready. */
	g_timeout_add(100, on_wait_socket, w);
}

static void start_strongswan_service(IpsecSession *s, const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus) {
		up_fail(s, g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHARON_START_FAILED,
				       "charon is not running and the system bus is unavailable to start "
				       "strongswan.service: %s",
				       error->message));
		return;
	}
	emit(s, IPSEC_EVENT_PROGRESS, NULL,
	     "charon is not running: starting strongswan.service through systemd");
	WaitSocket *w = g_new0(WaitSocket, 1);
	w->session = session_ref(s);
	w->path = g_strdup(path);
	w->deadline_us = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	g_dbus_connection_call(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "StartUnit",
			       g_variant_new("(ss)", "strongswan.service", "replace"), G_VARIANT_TYPE("(o)"),
			       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_start_unit, w);
}

static void step_locate(IpsecSession *s)
{
	g_autofree char *path = vici_uri_to_path(s->settings->vici_uri, NULL);
	gboolean default_uri = g_strcmp0(s->settings->vici_uri, IPSEC_DEFAULT_VICI_URI) == 0 ||
			       g_strcmp0(path, "/run/charon.vici") == 0;
	gboolean systemd = ipsec_pid1_is_systemd(NULL);
	switch (ipsec_charon_decide(g_file_test(path, G_FILE_TEST_EXISTS), systemd, default_uri)) {
	case IPSEC_CHARON_CONNECT:
		step_version(s);
		break;
	case IPSEC_CHARON_START_SYSTEMD:
		start_strongswan_service(s, path);
		break;
	case IPSEC_CHARON_NOT_RUNNING:
		up_fail(s, ipsec_charon_not_running_error(path, systemd, default_uri));
		break;
	}
}

/* ---- up: initiate and verify --------------------------------------------- */

static void on_list_sa(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	const struct vici_node *ike = vici_node_section(msg, s->conn_name);
	if (!ike || s->sa)
		return;
	s->sa = sa_info_from(s->conn_name, ike, s->settings->aggressive);
}

static GError *verify_sa(IpsecSession *s)
{
	if (!s->sa)
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_FAILED,
				   "charon reported success but lists no IKE_SA %s", s->conn_name);
	if (!s->sa->child_mode)
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_CHILD_FAILED,
				   "charon reported success but lists no CHILD_SA under %s", s->conn_name);
	if (g_ascii_strcasecmp(s->sa->child_mode, "TRANSPORT") != 0)
		return g_error_new(IPSEC_ERROR, IPSEC_ERROR_NOT_TRANSPORT,
				   "The SA came up in %s mode, not TRANSPORT: refusing to use it for L2TP "
				   "(the gateway must support transport mode)",
				   s->sa->child_mode);
	return NULL;
}

/* The SA is known (list-sas, or the child-updown event): check it and finish bringing it up. */
static void up_verified(IpsecSession *s, GError *error)
{
	if (!error)
		error = verify_sa(s);
	if (up_cancelled(s)) {
		/* already failing with G_IO_ERROR_CANCELLED */
		g_clear_error(&error);
	} else if (error) {
		up_fail(s, error);
	} else {
		s->up = TRUE;
		stop_restart_timer(s);
		if (s->qm_response_us && s->child_installed_us > s->qm_response_us) {
			s->sa->child_installed_us = s->child_installed_us;
			s->sa->child_install_time_us = s->child_installed_us - s->qm_response_us;
		}
		g_autofree char *desc = ipsec_sa_info_describe(s->sa);
		emit(s, IPSEC_EVENT_PROGRESS, NULL, "established: %s", desc);
		watch_schedule(s);
		GTask *task = g_steal_pointer(&s->up_task);
		if (s->cancel_id) {
			g_cancellable_disconnect(g_task_get_cancellable(task), s->cancel_id);
			s->cancel_id = 0;
		}
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
	}
}

static gboolean sa_unusable(IpsecSession *s)
{
	g_autoptr(GError) error = verify_sa(s);

	return error != NULL;
}

static void on_list_sas(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	GError *error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cmd, res, &error);

	vici_node_free(resp);
	up_verified(s, error);
	session_unref(s);
}

static void step_verify(IpsecSession *s)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "ike", s->conn_name);
	g_clear_pointer(&s->sa, ipsec_sa_info_free);
	send_command(s, s->cmd, "list-sas", &b, "list-sa", on_list_sa, cmd_timeout(s), on_list_sas,
		     session_ref(s));
}

/*
 * IKEv1 main mode with a wrong PSK: the gateway sends no refusal, its encrypted
 * messages just cannot be decrypted, and charon retransmits until its timeout
 * (a minute by default). With the right key charon never logs these lines (UDP
 * checksums catch corruption), so the first one settles it: fail now.
 */
static gboolean is_wrong_psk_sign(const IpsecSettings *settings, const char *line)
{
	return settings->auth == IPSEC_AUTH_PSK && !settings->aggressive &&
	       (strstr(line, "could not decrypt payloads") || strstr(line, "INVALID_HASH_INFORMATION"));
}

static gboolean on_wrong_psk_idle(gpointer data)
{
	IpsecSession *s = data;
	if (s->up_task && !s->up) {
		up_fail(s, ipsec_diagnose_failure(&s->log, s->settings));
		/* The initiate would hold the command connection until charon gives up:
		 * drop it; cleanup (terminate, unload) runs on its own connection. */
		if (s->cmd)
			vici_client_close(s->cmd, NULL);
	}
	session_unref(s);
	return G_SOURCE_REMOVE;
}

/* Quick mode as our charon logs it: QM2 parsed, then (keys derived, SAs and policies installed)
 * "CHILD_SA name{n} established", after which QM3 leaves (IKEv1 initiator). */
static void note_quick_mode_timing(IpsecSession *s, const char *line)
{
	if (!s->child_installed_us && g_str_has_prefix(line, "parsed QUICK_MODE response"))
		s->qm_response_us = g_get_monotonic_time();
	else if (s->qm_response_us && !s->child_installed_us && g_str_has_prefix(line, "CHILD_SA ") &&
		 strstr(line, " established with SPIs "))
		s->child_installed_us = g_get_monotonic_time();
}

static void on_control_log(const char *event, const struct vici_node *msg, gpointer data)
{
	IpsecSession *s = data;
	const char *line = vici_node_str(msg, "msg");
	if (!line)
		return;
	ipsec_initiate_log_add(&s->log, line);
	note_quick_mode_timing(s, line);
	emit(s, IPSEC_EVENT_PROGRESS, NULL, "%s", line);
	if (is_wrong_psk_sign(s->settings, line) && !s->wrong_psk_seen) {
		s->wrong_psk_seen = TRUE;
		/* Not from inside the client's event dispatch: it is about to be closed. */
		g_idle_add(on_wrong_psk_idle, session_ref(s));
	}
}

static void on_initiate(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	g_autoptr(GError) error = NULL;
	struct vici_node *resp = vici_client_command_finish(s->cmd, res, &error);
	const char *errmsg = NULL;
	if (s->stale_initiates) {
		/* An initiate we started over (on_ike_stalled()): its outcome no longer matters. */
		s->stale_initiates--;
	} else if (up_cancelled(s)) {
		/* Cancellation (or down) wins over whatever charon concluded. */
	} else if (resp && vici_response_ok(resp, &errmsg)) {
		/* charon raised child-updown before answering; if it reached us first, a list-sas round
		 * trip (~30 ms in the lab) is saved. Only a full, transport-mode SA counts. */
		if (s->sa && !sa_unusable(s))
			up_verified(s, NULL);
		else
			step_verify(s);
	} else if (resp) {
		s->log.errmsg = errmsg;
		up_fail(s, ipsec_diagnose_failure(&s->log, s->settings));
		s->log.errmsg = NULL;
	} else {
		up_fail(s, g_steal_pointer(&error));
	}
	vici_node_free(resp);
	session_unref(s);
}

/*
 * IKEv1 under loss: charon retransmits a lost message after 4, 11 and 24 s (strongSwan's
 * defaults, global to the system charon, not ours to change), so one message lost a few
 * times in a row holds the whole negotiation for most of a minute. Starting over restarts
 * that schedule. A simple model (four request/response exchanges, each round trip lost
 * with 28 %, i.e. 15 % loss each way, charon's schedule, a 40 s budget) leaves 2.8 % of
 * negotiations unfinished, 0.8 % with fresh starts at 12 and 24 s. A healthy gateway
 * answers in well under a second, so a working negotiation is never cut short.
 */
#define IKE_RESTART_MS       12000
#define IKE_RESTARTS_MAX     2
#define IKE_RESTART_MIN_LEFT 8000 /* a fresh start needs time for a retransmission or two */

static guint ipsec_ike_restart_ms(const IpsecSettings *settings)
{
	return settings->ike_restart_ms ? settings->ike_restart_ms : IKE_RESTART_MS;
}

static void on_restart_terminated(GObject *src, GAsyncResult *res, gpointer data)
{
	IpsecSession *s = data;
	/* "no matching SAs" is fine: charon may have dropped the attempt itself. */
	vici_node_free(vici_client_command_finish(s->cmd, res, NULL));
	if (!up_cancelled(s)) {
		g_clear_pointer(&s->sa, ipsec_sa_info_free); /* from the abandoned attempt, if any */
		step_initiate(s);
	}
	session_unref(s);
}

static gboolean on_ike_stalled(gpointer data)
{
	IpsecSession *s = data;
	s->restart_id = 0;
	if (!s->up_task || s->up || s->sa) /* s->sa: child-updown came, the reply is on its way */
		return G_SOURCE_REMOVE;
	s->restarts++;
	emit(s, IPSEC_EVENT_PROGRESS, NULL,
	     "no CHILD_SA %u s after initiate (lost IKE messages wait for charon's retransmissions, "
	     "4, 11 and 24 s apart): starting over",
	     ipsec_ike_restart_ms(s->settings) / 1000);
	/* Drop the pending initiate (its reply would hold the connection), then remove what it left. */
	s->stale_initiates++;
	vici_client_close(s->cmd, NULL);
	struct vici_builder b;
	vici_builder_init(&b);
	build_terminate(s, &b);
	send_command(s, s->cmd, "terminate", &b, NULL, NULL, cmd_timeout(s), on_restart_terminated,
		     session_ref(s));
	return G_SOURCE_REMOVE;
}

static void arm_restart_timer(IpsecSession *s, guint timeout_ms)
{
	guint after = ipsec_ike_restart_ms(s->settings);
	guint64 since_up_ms = (guint64)(g_get_monotonic_time() - s->initiate_first_us) / 1000;
	stop_restart_timer(s);
	if (s->restarts >= IKE_RESTARTS_MAX || since_up_ms + after + IKE_RESTART_MIN_LEFT > timeout_ms)
		return;
	s->restart_id = g_timeout_add(after, on_ike_stalled, s);
}

static void step_initiate(IpsecSession *s)
{
	guint timeout = s->settings->initiate_timeout_ms ? s->settings->initiate_timeout_ms : 60000;
	gboolean first = s->restarts == 0;
	if (first)
		s->initiate_first_us = g_get_monotonic_time();
	/* A fresh start gets what is left of the budget, not a new one. */
	guint64 spent_ms = (guint64)(g_get_monotonic_time() - s->initiate_first_us) / 1000;
	guint left = spent_ms + 1000 < timeout ? timeout - (guint)spent_ms : 1000;
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "child", s->conn_name);
	vici_builder_kv_str(&b, "ike", s->conn_name);
	vici_builder_kv_uint(&b, "timeout", left);
	/* Level 1 carries the packet and failure lines the diagnosis reads. */
	vici_builder_kv_str(&b, "loglevel", "1");
	s->loaded |= LOADED_IKE;
	g_ptr_array_set_size(s->log.lines, 0);
	s->wrong_psk_seen = FALSE;
	s->qm_response_us = s->child_installed_us = 0;
	emit(s, IPSEC_EVENT_PROGRESS, NULL, "initiating IKEv1 %s mode to %s",
	     s->settings->aggressive ? "aggressive" : "main", s->remote_addr);
	/* charon answers at its own timeout; ours only catches a charon that hangs. */
	send_command(s, s->cmd, "initiate", &b, "control-log", on_control_log, left + 10000, on_initiate,
		     session_ref(s));
	arm_restart_timer(s, timeout);
	/* Written by now (a local socket takes it at once): the caller may do slow work meanwhile. */
	if (first)
		emit(s, IPSEC_EVENT_INITIATED, NULL, "initiate sent to charon");
}

/* ---- public entry points ------------------------------------------------- */

static gboolean on_up_cancelled_idle(gpointer data)
{
	IpsecSession *s = data;
	if (s->up_task)
		(void)up_cancelled(s); /* the cancellable fired: this starts the failure path */
	/* A pending initiate would hold the command connection until charon's timeout:
	 * drop it; cleanup (terminate) runs on its own connection. */
	if (s->cmd && !s->up)
		vici_client_close(s->cmd, NULL);
	session_unref(s);
	return G_SOURCE_REMOVE;
}

static void on_up_cancelled(GCancellable *cancellable, gpointer data)
{
	/* Not inside the signal: disconnecting from within it would deadlock. */
	g_idle_add(on_up_cancelled_idle, session_ref(data));
}

void ipsec_session_up_async(IpsecSession *s, GCancellable *cancellable, GAsyncReadyCallback callback,
			    gpointer user_data)
{
	/* Always cancellable, so that down_async() can interrupt an up in progress. */
	g_autoptr(GCancellable) own = cancellable ? NULL : g_cancellable_new();
	if (!cancellable)
		cancellable = own;
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, ipsec_session_up_async);
	if (s->up_task || s->up || s->cleanup_running) {
		g_task_return_new_error(task, IPSEC_ERROR, IPSEC_ERROR_INVALID_SETTINGS,
					"This IPsec session is already %s", s->up ? "up" : "busy");
		g_object_unref(task);
		return;
	}
	s->stopping = FALSE;
	s->restarts = 0;
	g_clear_pointer(&s->ike_uniqueid, g_free);
	s->up_task = task;
	if (cancellable)
		s->cancel_id = g_cancellable_connect(cancellable, G_CALLBACK(on_up_cancelled), s, NULL);
	step_locate(s);
}

gboolean ipsec_session_up_finish(IpsecSession *s, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

void ipsec_session_down_async(IpsecSession *s, GCancellable *cancellable, GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, ipsec_session_down_async);
	s->stopping = TRUE;
	s->up = FALSE;
	if (s->watch_id) {
		g_source_remove(s->watch_id);
		s->watch_id = 0;
	}
	if (s->reconnect_id) {
		g_source_remove(s->reconnect_id);
		s->reconnect_id = 0;
	}
	if (s->up_task) {
		/* An up in progress: cancel it; its failure path runs the cleanup and we join it. */
		GCancellable *c = g_task_get_cancellable(s->up_task);
		if (c)
			g_cancellable_cancel(c);
	}
	cleanup_start(s, task);
}

static void on_rekey_child(GObject *src, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	IpsecSession *s = g_task_get_task_data(task);
	GError *error = NULL;
	struct vici_node *resp = finish_ok(s->cmd, res, "rekey", &error);

	vici_node_free(resp);
	if (error)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

void ipsec_session_rekey_child_async(IpsecSession *s, GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	struct vici_builder b;

	g_task_set_source_tag(task, ipsec_session_rekey_child_async);
	if (!s->up || s->stopping || !s->cmd) {
		g_task_return_new_error(task, IPSEC_ERROR, IPSEC_ERROR_FAILED,
					"no CHILD_SA to rekey: the IPsec session is not up");
		g_object_unref(task);
		return;
	}
	g_task_set_task_data(task, session_ref(s), (GDestroyNotify)session_unref);
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "ike", s->conn_name);
	vici_builder_kv_str(&b, "child", s->conn_name);
	emit(s, IPSEC_EVENT_PROGRESS, NULL, "asking charon to rekey CHILD_SA %s", s->conn_name);
	send_command(s, s->cmd, "rekey", &b, NULL, NULL, cmd_timeout(s), on_rekey_child, task);
}

gboolean ipsec_session_rekey_child_finish(IpsecSession *s, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean ipsec_session_down_finish(IpsecSession *s, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

void ipsec_session_free(IpsecSession *s)
{
	if (!s)
		return;
	s->handler = NULL;
	s->stopping = TRUE;
	/* An up in progress is cancelled; its callback still runs (G_IO_ERROR_CANCELLED). */
	if (s->up_task && g_task_get_cancellable(s->up_task))
		g_cancellable_cancel(g_task_get_cancellable(s->up_task));
	/* Anything still in charon gets removed by a detached cleanup that holds its own reference. */
	if (s->loaded && !s->cleanup_running)
		cleanup_start(s, NULL);
	session_unref(s);
}
