// SPDX-License-Identifier: GPL-2.0-or-later
/* The reconnect policy on virtual time: which losses reconnect, backoff, caps, resets, counters. */
#include "reconnect-policy.h"

#include "orchestrator.h"

static L2tpVpnReconnectConfig test_config(void)
{
	L2tpVpnReconnectConfig cfg;

	l2tpvpn_reconnect_config_defaults(&cfg);
	cfg.initial_ms = 1000;
	cfg.max_ms = 30000;
	cfg.multiplier = 2;
	cfg.stable_ms = 60000;
	return cfg;
}

/* Connected at @t, lost at @t + @up_ms with @code: the decision and delay. */
static L2tpVpnReconnectDecision lose(L2tpVpnReconnect *r, gint64 t, gint64 up_ms, int code, guint *delay)
{
	l2tpvpn_reconnect_connected(r, t);
	return l2tpvpn_reconnect_down(r, code, t + up_ms, delay);
}

static void test_defaults_on(void)
{
	L2tpVpnReconnectConfig cfg;

	l2tpvpn_reconnect_config_defaults(&cfg);
	g_assert_true(cfg.enabled);
	g_assert_true(l2tpvpn_reconnect_config_validate(&cfg, NULL));
	g_assert_cmpuint(cfg.max_attempts, ==, 0);
}

static void test_first_connect_never_retried(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;

	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	/* The user's own attempt fails: they see the error, nothing retries behind their back. */
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_UNREACHABLE, 500, &delay), ==,
			L2TPVPN_RECONNECT_STOP);
	g_assert_cmpuint(r.reconnect_count, ==, 0);
	g_assert_cmpint(r.last_error, ==, L2TP_VPN_ERROR_UNREACHABLE);
}

/* Every way an established connection is lost (HELLO, StopCCN/CDN, pppd exit, CHILD_SA, underlay) arrives as
 * CONNECTION_LOST, and a broken route/DNS as NETWORK: both reconnect. */
static void test_losses_reconnect(void)
{
	static const int lost[] = {L2TP_VPN_ERROR_CONNECTION_LOST, L2TP_VPN_ERROR_NETWORK};
	L2tpVpnReconnectConfig cfg = test_config();

	for (guint i = 0; i < G_N_ELEMENTS(lost); i++) {
		L2tpVpnReconnect r;
		guint delay = 0;

		l2tpvpn_reconnect_init(&r, &cfg);
		l2tpvpn_reconnect_user_connect(&r);
		g_assert_cmpint(lose(&r, 0, 5000, lost[i], &delay), ==, L2TPVPN_RECONNECT_RETRY);
		g_assert_cmpuint(delay, ==, 1000);
		g_assert_cmpuint(r.reconnect_count, ==, 1);
	}
}

static void test_fatal_classes_stop(void)
{
	static const int fatal[] = {
	    L2TP_VPN_ERROR_INVALID_CONFIG, L2TP_VPN_ERROR_PERMISSION, L2TP_VPN_ERROR_ALREADY_RUNNING,
	    L2TP_VPN_ERROR_NOT_RUNNING,    L2TP_VPN_ERROR_SYSTEM,     L2TP_VPN_ERROR_IPSEC_AUTH,
	    L2TP_VPN_ERROR_PPP_AUTH,
	};
	L2tpVpnReconnectConfig cfg = test_config();

	for (guint i = 0; i < G_N_ELEMENTS(fatal); i++) {
		L2tpVpnReconnect r;
		guint delay = 0;

		l2tpvpn_reconnect_init(&r, &cfg);
		l2tpvpn_reconnect_user_connect(&r);
		/* Up, then the reconnect attempt meets a wrong password: stop (retrying locks accounts). */
		g_assert_cmpint(lose(&r, 0, 5000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
				L2TPVPN_RECONNECT_RETRY);
		g_assert_cmpint(l2tpvpn_reconnect_down(&r, fatal[i], 7000, &delay), ==,
				L2TPVPN_RECONNECT_STOP);
		g_assert_true(l2tpvpn_reconnect_error_is_fatal(fatal[i]));
		g_assert_cmpint(r.last_error, ==, fatal[i]);
		g_assert_false(r.supervising);
	}
}

static void test_transient_attempts_retry(void)
{
	static const int transient[] = {
	    L2TP_VPN_ERROR_FAILED, L2TP_VPN_ERROR_RESOLVE, L2TP_VPN_ERROR_UNREACHABLE, L2TP_VPN_ERROR_IPSEC,
	    L2TP_VPN_ERROR_L2TP,   L2TP_VPN_ERROR_PPP,     L2TP_VPN_ERROR_NETWORK,     L2TP_VPN_ERROR_TIMEOUT,
	    L2TP_VPN_ERROR_IPSEC_PROPOSAL,
	};
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;
	gint64 t = 1000;

	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, t, 5000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	for (guint i = 0; i < G_N_ELEMENTS(transient); i++) {
		g_assert_false(l2tpvpn_reconnect_error_is_fatal(transient[i]));
		t += delay + 100;
		g_assert_cmpint(l2tpvpn_reconnect_down(&r, transient[i], t, &delay), ==,
				L2TPVPN_RECONNECT_RETRY);
	}
	g_assert_cmpuint(r.reconnect_count, ==, 1 + G_N_ELEMENTS(transient));
}

/*
 * The gateway's charon restarts (lab: daemon-reconnect): it deletes our SAs, and until its
 * configuration is loaded again it answers NO_PROPOSAL_CHOSEN. Reconnecting keeps trying; the
 * same answer to the user's own first Connect is a real mismatch and stops.
 */
static void test_no_proposal_while_gateway_restarts(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;

	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, 0, 5000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_IPSEC_PROPOSAL, 6000, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(delay, ==, 2000);
	g_assert_true(r.supervising);
	g_assert_cmpuint(r.reconnect_count, ==, 2);

	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_IPSEC_PROPOSAL, 9000, &delay), ==,
			L2TPVPN_RECONNECT_STOP);
	g_assert_false(r.supervising);
}

/* 1, 2, 4, 8, 16 s, then the 30 s cap, and no overflow after many attempts. */
static void test_backoff_capped(void)
{
	static const guint expected[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;
	gint64 t = 0;

	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, t, 1000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(delay, ==, expected[0]);
	for (guint i = 1; i < G_N_ELEMENTS(expected); i++) {
		t += delay;
		g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_UNREACHABLE, t, &delay), ==,
				L2TPVPN_RECONNECT_RETRY);
		g_assert_cmpuint(delay, ==, expected[i]);
	}
	for (guint i = 0; i < 1000; i++)
		g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_TIMEOUT, t, &delay), ==,
				L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(delay, ==, 30000);
}

/* Short-lived reconnects keep backing off; a connection that stayed up stable_ms starts over at 1 s. */
static void test_stable_connection_resets_backoff(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;
	gint64 t = 0;

	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, t, 1000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	t += 1000 + delay;
	g_assert_cmpint(lose(&r, t, 59999, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(delay, ==, 2000);
	t += 59999 + delay;
	g_assert_cmpint(lose(&r, t, 60000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(delay, ==, 1000);
	g_assert_cmpuint(r.reconnect_count, ==, 3);
}

static void test_max_attempts(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;

	cfg.max_attempts = 3;
	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, 0, 1000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_TIMEOUT, 5000, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_TIMEOUT, 9000, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_TIMEOUT, 20000, &delay), ==,
			L2TPVPN_RECONNECT_STOP);
	g_assert_cmpuint(r.reconnect_count, ==, 3);
}

static void test_disabled_and_requested(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;

	cfg.enabled = FALSE;
	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpint(lose(&r, 0, 1000, L2TP_VPN_ERROR_CONNECTION_LOST, &delay), ==,
			L2TPVPN_RECONNECT_STOP);

	cfg.enabled = TRUE;
	l2tpvpn_reconnect_init(&r, &cfg);
	l2tpvpn_reconnect_user_connect(&r);
	/* -1: the user asked for the disconnect. */
	g_assert_cmpint(lose(&r, 0, 1000, -1, &delay), ==, L2TPVPN_RECONNECT_STOP);
	g_assert_cmpint(r.last_error, ==, -1);
	g_assert_cmpuint(r.reconnect_count, ==, 0);
}

/* Uptime counts from the latest connect and is 0 while down; the reconnect count survives a new Connect. */
static void test_uptime_and_counters(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	L2tpVpnReconnect r;
	guint delay = 0;

	l2tpvpn_reconnect_init(&r, &cfg);
	g_assert_cmpuint(l2tpvpn_reconnect_uptime_ms(&r, 5000), ==, 0);
	l2tpvpn_reconnect_user_connect(&r);
	l2tpvpn_reconnect_connected(&r, 10000);
	g_assert_cmpuint(l2tpvpn_reconnect_uptime_ms(&r, 12500), ==, 2500);
	g_assert_cmpint(l2tpvpn_reconnect_down(&r, L2TP_VPN_ERROR_CONNECTION_LOST, 13000, &delay), ==,
			L2TPVPN_RECONNECT_RETRY);
	g_assert_cmpuint(l2tpvpn_reconnect_uptime_ms(&r, 14000), ==, 0);
	l2tpvpn_reconnect_connected(&r, 15000);
	g_assert_cmpuint(l2tpvpn_reconnect_uptime_ms(&r, 15100), ==, 100);
	l2tpvpn_reconnect_user_connect(&r);
	g_assert_cmpuint(r.reconnect_count, ==, 1);
	g_assert_cmpint(r.last_error, ==, L2TP_VPN_ERROR_CONNECTION_LOST);
}

static void test_config_validation(void)
{
	L2tpVpnReconnectConfig cfg = test_config();
	g_autoptr(GError) error = NULL;

	cfg.initial_ms = 0;
	g_assert_false(l2tpvpn_reconnect_config_validate(&cfg, &error));
	g_clear_error(&error);
	cfg = test_config();
	cfg.max_ms = cfg.initial_ms - 1;
	g_assert_false(l2tpvpn_reconnect_config_validate(&cfg, &error));
	g_clear_error(&error);
	cfg = test_config();
	cfg.multiplier = 0;
	g_assert_false(l2tpvpn_reconnect_config_validate(&cfg, &error));
	g_assert_nonnull(error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reconnect/defaults-on", test_defaults_on);
	g_test_add_func("/reconnect/first-connect-never-retried", test_first_connect_never_retried);
	g_test_add_func("/reconnect/losses-reconnect", test_losses_reconnect);
	g_test_add_func("/reconnect/fatal-classes-stop", test_fatal_classes_stop);
	g_test_add_func("/reconnect/no-proposal-while-gateway-restarts", test_no_proposal_while_gateway_restarts);
	g_test_add_func("/reconnect/transient-attempts-retry", test_transient_attempts_retry);
	g_test_add_func("/reconnect/backoff-capped", test_backoff_capped);
	g_test_add_func("/reconnect/stable-resets-backoff", test_stable_connection_resets_backoff);
	g_test_add_func("/reconnect/max-attempts", test_max_attempts);
	g_test_add_func("/reconnect/disabled-and-requested", test_disabled_and_requested);
	g_test_add_func("/reconnect/uptime-and-counters", test_uptime_and_counters);
	g_test_add_func("/reconnect/config-validation", test_config_validation);
	return g_test_run();
}
