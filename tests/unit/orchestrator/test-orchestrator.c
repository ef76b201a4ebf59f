// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The orchestrator's state machine with every layer replaced by fake steps:
 * phase order, teardown in reverse from every phase (failure, timeout,
 * disconnect while pending), a stuck undo, stale completions, losing an
 * established connection; error classes and exit codes; the run-state record
 * and recovery of an empty or dead run.
 */
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "orchestrator-private.h"

/* ---- fake steps -------------------------------------------------------------- */

typedef enum { FAKE_OK, FAKE_FAIL, FAKE_HANG } FakeMode;

static struct {
	FakeMode start_mode[L2TP_VPN_N_PHASES];
	gboolean undo_hangs[L2TP_VPN_N_PHASES];
	GString *trace; /* "s:ipsec u:ipsec ..." */
	GPtrArray *events;
	gboolean disconnected, connected;
	GError *outcome;
	int disconnect_at; /* phase at whose start we call disconnect, -1 never */
} fake;

static void fake_start(L2tpVpnConnection *c)
{
	L2tpVpnPhase p = c->phase;

	g_string_append_printf(fake.trace, "s:%s ", l2tp_vpn_phase_name(p));
	if ((int)p == fake.disconnect_at) {
		l2tp_vpn_connection_disconnect(c);
		return;
	}
	switch (fake.start_mode[p]) {
	case FAKE_OK:
		l2tp_vpn_phase_done(c, p, NULL, NULL);
		break;
	case FAKE_FAIL:
		l2tp_vpn_phase_done(c, p, NULL,
				    g_error_new(IPSEC_ERROR, IPSEC_ERROR_AUTH_FAILED_PSK, "fake failure"));
		break;
	case FAKE_HANG:
		break;
	}
}

static void fake_undo(L2tpVpnConnection *c)
{
	g_string_append_printf(fake.trace, "u:%s ", l2tp_vpn_phase_name(c->phase));
	if (!fake.undo_hangs[c->phase])
		l2tp_vpn_undo_done(c, c->phase);
}

static L2tpVpnStep fake_steps[L2TP_VPN_N_PHASES];

static void on_event(L2tpVpnConnection *c, const L2tpVpnEvent *ev, gpointer data)
{
	g_ptr_array_add(fake.events, g_strdup_printf("%d:%s", ev->type, l2tp_vpn_phase_name(ev->phase)));
	if (ev->type == L2TP_VPN_EVENT_CONNECTED)
		fake.connected = TRUE;
	if (ev->type == L2TP_VPN_EVENT_DISCONNECTED) {
		fake.disconnected = TRUE;
		fake.outcome = ev->error ? g_error_copy(ev->error) : NULL;
	}
}

static L2tpVpnConfig *fake_config(void)
{
	L2tpVpnConfig *cfg = l2tp_vpn_config_new();

	cfg->name = g_strdup("unit");
	cfg->gateway = g_strdup("192.0.2.1");
	cfg->ppp_user = "alice";
	cfg->ppp_password = "pw";
	cfg->ipsec.psk = "psk";
	cfg->ppp.plugin_path = "/nonexistent/plugin.so";
	cfg->run_dir = "/nonexistent-run";
	cfg->undo_timeout_ms = 30;
	return cfg;
}

static void fake_reset(void)
{
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++) {
		fake.start_mode[p] = FAKE_OK;
		fake.undo_hangs[p] = FALSE;
		fake_steps[p] = (L2tpVpnStep){fake_start, fake_undo};
	}
	if (fake.trace)
		g_string_free(fake.trace, TRUE);
	fake.trace = g_string_new(NULL);
	if (fake.events)
		g_ptr_array_unref(fake.events);
	fake.events = g_ptr_array_new_with_free_func(g_free);
	fake.connected = fake.disconnected = FALSE;
	g_clear_error(&fake.outcome);
	fake.disconnect_at = -1;
}

static L2tpVpnConnection *fake_connection(L2tpVpnConfig *cfg)
{
	return l2tp_vpn_connection_new_with_steps(cfg, fake_steps, on_event, NULL);
}

/* Runs the main loop until @flag is set (bounded: a hang fails the test instead of the run). */
static gboolean run_until(gboolean *flag)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (!*flag && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	return *flag;
}

static char *expected_trace(int failing, gboolean include_failing_undo)
{
	GString *s = g_string_new(NULL);

	for (int p = 0; p <= failing; p++)
		g_string_append_printf(s, "s:%s ", l2tp_vpn_phase_name(p));
	for (int p = failing; p >= 0; p--)
		if (p < failing || include_failing_undo)
			g_string_append_printf(s, "u:%s ", l2tp_vpn_phase_name(p));
	return g_string_free(s, FALSE);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_phase_order_and_disconnect(void)
{
	L2tpVpnConnection *c;
	g_autofree char *want = NULL;

	fake_reset();
	c = fake_connection(fake_config());
	l2tp_vpn_connection_start(c);
	CHECK(run_until(&fake.connected));
	CHECK(l2tp_vpn_connection_get_state(c) == L2TP_VPN_STATE_CONNECTED);
	/* started + done per phase, then connected */
	CHECK(fake.events->len == 2 * L2TP_VPN_N_PHASES + 1);
	CHECK_STR(fake.events->pdata[0], "0:resolve");
	CHECK_STR(fake.events->pdata[5], "1:ipsec");
	l2tp_vpn_connection_disconnect(c);
	CHECK(run_until(&fake.disconnected));
	CHECK(fake.outcome == NULL);
	want = expected_trace(L2TP_VPN_N_PHASES - 1, TRUE);
	CHECK_STR(fake.trace->str, want);
	CHECK(l2tp_vpn_connection_get_state(c) == L2TP_VPN_STATE_DISCONNECTED);
	l2tp_vpn_connection_free(c);
}

/* A failure in phase p undoes p (it may have half-acquired something) and every phase before it. */
static void test_failure_in_every_phase(void)
{
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++) {
		g_autofree char *want = expected_trace(p, TRUE);
		g_autofree char *prefix = g_strdup_printf("%s: ", l2tp_vpn_phase_name(p));
		L2tpVpnConnection *c;

		fake_reset();
		fake.start_mode[p] = FAKE_FAIL;
		c = fake_connection(fake_config());
		l2tp_vpn_connection_start(c);
		CHECK(run_until(&fake.disconnected));
		CHECK(!fake.connected);
		CHECK_STR(fake.trace->str, want);
		CHECK(g_error_matches(fake.outcome, L2TP_VPN_ERROR, L2TP_VPN_ERROR_IPSEC_AUTH));
		CHECK(fake.outcome && g_str_has_prefix(fake.outcome->message, prefix));
		l2tp_vpn_connection_free(c);
	}
}

static void test_timeout_in_every_phase(void)
{
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++) {
		g_autofree char *want = expected_trace(p, TRUE);
		L2tpVpnConfig *cfg = fake_config();
		L2tpVpnConnection *c;

		fake_reset();
		fake.start_mode[p] = FAKE_HANG;
		cfg->phase_timeout_ms[p] = 20;
		c = fake_connection(cfg);
		l2tp_vpn_connection_start(c);
		CHECK(run_until(&fake.disconnected));
		CHECK_STR(fake.trace->str, want);
		CHECK(g_error_matches(fake.outcome, L2TP_VPN_ERROR, L2TP_VPN_ERROR_TIMEOUT));
		l2tp_vpn_connection_free(c);
	}
}

static void test_disconnect_in_every_phase(void)
{
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++) {
		g_autofree char *want = expected_trace(p, TRUE);
		L2tpVpnConnection *c;

		fake_reset();
		fake.disconnect_at = p;
		c = fake_connection(fake_config());
		l2tp_vpn_connection_start(c);
		CHECK(run_until(&fake.disconnected));
		CHECK_STR(fake.trace->str, want);
		CHECK(fake.outcome == NULL);
		l2tp_vpn_connection_free(c);
	}
}

/* An undo that never reports back must not stop the rest of the teardown. */
static void test_stuck_undo_goes_on(void)
{
	L2tpVpnConnection *c;
	g_autofree char *want = NULL;

	fake_reset();
	fake.undo_hangs[L2TP_VPN_PHASE_L2TP_TUNNEL] = TRUE;
	fake.start_mode[L2TP_VPN_PHASE_PPP] = FAKE_FAIL;
	c = fake_connection(fake_config());
	l2tp_vpn_connection_start(c);
	CHECK(run_until(&fake.disconnected));
	want = expected_trace(L2TP_VPN_PHASE_PPP, TRUE);
	CHECK_STR(fake.trace->str, want);
	l2tp_vpn_connection_free(c);
}

static void test_stale_completion_ignored(void)
{
	L2tpVpnConnection *c;

	fake_reset();
	fake.start_mode[L2TP_VPN_PHASE_IPSEC] = FAKE_HANG;
	c = fake_connection(fake_config());
	l2tp_vpn_connection_start(c);
	CHECK(l2tp_vpn_connection_get_phase(c) == L2TP_VPN_PHASE_IPSEC);
	/* A late result of an earlier phase, and an undo nobody asked for. */
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_RESOLVE, NULL, g_error_new_literal(L2TP_VPN_ERROR, 0, "late"));
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_IPSEC);
	CHECK(l2tp_vpn_connection_get_state(c) == L2TP_VPN_STATE_CONNECTING);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IPSEC, "up", NULL);
	CHECK(run_until(&fake.connected));
	l2tp_vpn_connection_disconnect(c);
	CHECK(run_until(&fake.disconnected));
	l2tp_vpn_connection_free(c);
}

static void test_lost_after_connected(void)
{
	L2tpVpnConnection *c;

	fake_reset();
	c = fake_connection(fake_config());
	l2tp_vpn_connection_start(c);
	CHECK(run_until(&fake.connected));
	l2tp_vpn_fail(c, g_error_new(L2TP_PPP_ERROR, L2TP_PPP_ERROR_PEER_DEAD, "no echo replies"));
	/* A second report of the same loss changes nothing. */
	l2tp_vpn_fail(c, g_error_new(IPSEC_ERROR, IPSEC_ERROR_CANCELLED_BY_PEER, "deleted"));
	CHECK(run_until(&fake.disconnected));
	CHECK(g_error_matches(fake.outcome, L2TP_VPN_ERROR, L2TP_VPN_ERROR_CONNECTION_LOST));
	CHECK(fake.outcome && strstr(fake.outcome->message, "no echo replies"));
	l2tp_vpn_connection_free(c);
}

static void test_invalid_config_fails_at_start(void)
{
	L2tpVpnConfig *cfg = fake_config();
	L2tpVpnConnection *c;

	fake_reset();
	cfg->ipsec.psk = NULL;
	c = fake_connection(cfg);
	l2tp_vpn_connection_start(c);
	CHECK(run_until(&fake.disconnected));
	CHECK(g_error_matches(fake.outcome, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG));
	CHECK_STR(fake.trace->str, "");
	l2tp_vpn_connection_free(c);
}

static void test_disconnect_idle(void)
{
	L2tpVpnConnection *c;

	fake_reset();
	c = fake_connection(fake_config());
	l2tp_vpn_connection_disconnect(c);
	CHECK(run_until(&fake.disconnected));
	CHECK(fake.outcome == NULL);
	l2tp_vpn_connection_free(c);
}

static int exit_of(GQuark domain, int code)
{
	g_autoptr(GError) layer = g_error_new_literal(domain, code, "x");
	g_autoptr(GError) named = l2tp_vpn_error_classify(layer);

	return l2tp_vpn_error_exit_code(named);
}

static void test_error_classes_and_exit_codes(void)
{
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);

	/* The four failures the lab provokes are four different named errors. */
	CHECK(exit_of(IPSEC_ERROR, IPSEC_ERROR_AUTH_FAILED_PSK) == 10);
	CHECK(exit_of(L2TP_PPP_ERROR, L2TP_PPP_ERROR_AUTH_FAILED) == 14);
	CHECK(exit_of(IPSEC_ERROR, IPSEC_ERROR_PEER_UNREACHABLE) == 9);
	CHECK(exit_of(IPSEC_ERROR, IPSEC_ERROR_NO_PROPOSAL_CHOSEN) == 11);
	CHECK(exit_of(IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING) == 7);
	CHECK(exit_of(IPSEC_ERROR, IPSEC_ERROR_PERMISSION_DENIED) == 4);
	CHECK(exit_of(L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_MODULE_MISSING) == 7);
	CHECK(exit_of(L2TP_NET_ERROR, L2TP_NET_ERROR_DNS) == 16);
	CHECK(exit_of(L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID) == 3);
	CHECK(exit_of(G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) == 8);
	CHECK(exit_of(L2TP_PPP_ERROR, L2TP_PPP_ERROR_HANGUP) == 18);
	CHECK(exit_of(G_IO_ERROR, G_IO_ERROR_FAILED) == 1);
	CHECK(l2tp_vpn_error_exit_code(NULL) == 0);
	/* Every class has its own name and exit code. */
	for (int code = 0; code < L2TP_VPN_ERROR_N_CODES; code++) {
		GError e = {L2TP_VPN_ERROR, code, (char *)"x"};
		int exit_code = l2tp_vpn_error_exit_code(&e);

		CHECK(exit_code != 0 && exit_code != 2);
		CHECK(!g_hash_table_contains(seen, GINT_TO_POINTER(exit_code)));
		g_hash_table_add(seen, GINT_TO_POINTER(exit_code));
		CHECK(strcmp(l2tp_vpn_error_code_name(code), "failed") != 0 || code == L2TP_VPN_ERROR_FAILED);
	}
	g_hash_table_unref(seen);
}

static void test_phase_names_and_timeouts(void)
{
	L2tpVpnConfig *cfg = fake_config();

	CHECK_STR(l2tp_vpn_phase_name(L2TP_VPN_PHASE_KERNEL_SESSION), "kernel-session");
	CHECK_STR(l2tp_vpn_phase_name(L2TP_VPN_N_PHASES), "connected");
	/* The IPsec phase outlasts charon's own initiate timeout, so charon names the failure. */
	cfg->ipsec.initiate_timeout_ms = 40000;
	CHECK(l2tp_vpn_config_phase_timeout(cfg, L2TP_VPN_PHASE_IPSEC) >= 50000);
	cfg->phase_timeout_ms[L2TP_VPN_PHASE_IPSEC] = 1234;
	CHECK(l2tp_vpn_config_phase_timeout(cfg, L2TP_VPN_PHASE_IPSEC) == 1234);
	/* The L2TP phases outlast the retransmission 23 s in (RFC 2661 backoff: 1, 2, 4, 8, 8 s). */
	CHECK(l2tp_vpn_config_phase_timeout(cfg, L2TP_VPN_PHASE_L2TP_TUNNEL) > 23000);
	CHECK(l2tp_vpn_config_phase_timeout(cfg, L2TP_VPN_PHASE_L2TP_TUNNEL) <= 25000);
	CHECK(l2tp_vpn_config_phase_timeout(cfg, L2TP_VPN_PHASE_L2TP_SESSION) > 23000);
	CHECK(l2tp_vpn_name_valid("work.vpn-2"));
	CHECK(!l2tp_vpn_name_valid("../etc"));
	CHECK(!l2tp_vpn_name_valid(".hidden"));
	CHECK(!l2tp_vpn_name_valid(""));
	CHECK(!l2tp_vpn_name_valid("a/b"));
	l2tp_vpn_config_free(cfg);
}

static void test_state_record(void)
{
	g_autofree char *root = g_dir_make_tmp("orch-state-XXXXXX", NULL);
	g_autofree char *dir = l2tp_vpn_state_dir(root, "work");
	g_autofree char *file = g_build_filename(dir, "state", NULL);
	g_autoptr(GHashTable) t = NULL;
	struct stat st;

	CHECK(l2tp_vpn_state_dir_create(dir, NULL));
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(l2tp_vpn_state_set(dir, "ipsec-conn", "l2tp-vpn-work-1", NULL));
	CHECK(l2tp_vpn_state_set(dir, "kernel-tunnel", "7", NULL));
	CHECK(l2tp_vpn_state_set(dir, "kernel-tunnel", NULL, NULL));
	CHECK(!l2tp_vpn_state_set(dir, "bad key", "x", NULL));
	CHECK(!l2tp_vpn_state_set(dir, "key", "line\nbreak", NULL));
	CHECK(stat(file, &st) == 0 && (st.st_mode & 07777) == 0600);
	t = l2tp_vpn_state_read(dir, NULL);
	CHECK(t && g_hash_table_size(t) == 1);
	CHECK_STR(t ? g_hash_table_lookup(t, "ipsec-conn") : NULL, "l2tp-vpn-work-1");
	l2tp_vpn_state_dir_remove(dir);
	CHECK(!g_file_test(dir, G_FILE_TEST_EXISTS));
	g_rmdir(root);
}

/* A run whose owner is gone and that recorded nothing else: recovery just removes the record. */
static void test_recover_dead_run(void)
{
	g_autofree char *root = g_dir_make_tmp("orch-recover-XXXXXX", NULL);
	g_autofree char *dir = l2tp_vpn_state_dir(root, "work");
	g_autoptr(GError) error = NULL;
	L2tpVpnRecovery rec = {TRUE, TRUE};

	CHECK(l2tp_vpn_recover_full(root, "work", NULL, &rec, &error));
	CHECK(!rec.cleaned && !rec.l2tp_tunnel_left_open);
	CHECK(l2tp_vpn_state_dir_create(dir, NULL));
	/* pid 1 is never an l2tp-vpn: not "already running". */
	CHECK(l2tp_vpn_state_set(dir, "pid", "1", NULL));
	/* A tunnel the kernel no longer has (no L2TP on this host, or gone with its socket). */
	CHECK(l2tp_vpn_state_set(dir, "kernel-tunnel", "4242", NULL));
	CHECK(l2tp_vpn_recover_full(root, "work", NULL, &rec, &error));
	CHECK(error == NULL);
	CHECK(rec.cleaned && rec.l2tp_tunnel_left_open);
	CHECK(!g_file_test(dir, G_FILE_TEST_EXISTS));
	CHECK(!l2tp_vpn_recover_full(root, "../x", NULL, &rec, NULL));
	g_rmdir(root);
}

/* A file we do not know stays, and recovery says so instead of pretending all is clean. */
static void test_recover_keeps_unknown_files(void)
{
	g_autofree char *root = g_dir_make_tmp("orch-recover-XXXXXX", NULL);
	g_autofree char *dir = l2tp_vpn_state_dir(root, "work");
	g_autofree char *other = g_build_filename(dir, "someone-elses", NULL);
	g_autoptr(GError) error = NULL;
	L2tpVpnRecovery rec;

	CHECK(l2tp_vpn_state_dir_create(dir, NULL));
	CHECK(g_file_set_contents(other, "x", 1, NULL));
	CHECK(!l2tp_vpn_recover_full(root, "work", NULL, &rec, &error));
	CHECK(g_file_test(other, G_FILE_TEST_EXISTS));
	g_unlink(other);
	g_rmdir(dir);
	g_rmdir(root);
}

int main(void)
{
	DP_RUN(test_phase_order_and_disconnect);
	DP_RUN(test_failure_in_every_phase);
	DP_RUN(test_timeout_in_every_phase);
	DP_RUN(test_disconnect_in_every_phase);
	DP_RUN(test_stuck_undo_goes_on);
	DP_RUN(test_stale_completion_ignored);
	DP_RUN(test_lost_after_connected);
	DP_RUN(test_invalid_config_fails_at_start);
	DP_RUN(test_disconnect_idle);
	DP_RUN(test_error_classes_and_exit_codes);
	DP_RUN(test_phase_names_and_timeouts);
	DP_RUN(test_state_record);
	DP_RUN(test_recover_dead_run);
	DP_RUN(test_recover_keeps_unknown_files);
	fake_reset();
	return dp_summary();
}
