/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Supervision: when a connection that was up goes down, reconnect or not, and
 * after how long. Pure code over the orchestrator's error classes and a clock
 * the caller passes in (milliseconds, any monotonic origin), so tests run it
 * on virtual time; the daemon feeds it g_get_monotonic_time() / 1000.
 *
 * What triggers a reconnect: the orchestrator reports every loss of an
 * established connection as CONNECTION_LOST (HELLO/retransmission failure,
 * StopCCN or CDN from the LNS, pppd exit or LCP echo failure, CHILD_SA deleted
 * or a failed rekey, the underlay going away as seen by those keep-alives) and
 * a broken route/DNS as NETWORK; both reconnect. While reconnecting, the
 * transient classes (unreachable, timeout, resolve, l2tp, ppp, ipsec,
 * network, failed) keep retrying; so does "no common proposal": these
 * proposals were accepted minutes ago, and a gateway whose charon restarts
 * answers NO_PROPOSAL_CHOSEN until its configuration is loaded again. The
 * classes that need a human (wrong PSK or password, bad configuration, missing
 * system parts, permissions, another process running it) stop at once:
 * retrying a wrong password only locks the account. The user's own first
 * Connect is never retried: they see its error.
 *
 * Backoff: initial_ms × multiplier^(attempt-1), capped at max_ms; a
 * connection that stayed up for stable_ms resets it. max_attempts 0 = no limit.
 */
#ifndef L2TPVPN_RECONNECT_POLICY_H
#define L2TPVPN_RECONNECT_POLICY_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gboolean enabled;
	guint initial_ms;
	guint max_ms;
	guint multiplier;
	guint max_attempts;
	guint stable_ms;
} L2tpVpnReconnectConfig;

/* On, 1 s doubling up to 60 s, no attempt limit, reset after 60 s up. */
void l2tpvpn_reconnect_config_defaults(L2tpVpnReconnectConfig *cfg);
/* FALSE with a message when the values make no sense (0 delays, max < initial, multiplier 0). */
gboolean l2tpvpn_reconnect_config_validate(const L2tpVpnReconnectConfig *cfg, GError **error);

typedef struct {
	L2tpVpnReconnectConfig cfg;
	gboolean supervising; /* it was up once since the user's Connect: losses reconnect */
	gboolean up;
	gint64 up_since_ms;
	guint attempt;         /* consecutive attempts without a stable connection */
	guint reconnect_count; /* every reconnect started, for status */
	int last_error;        /* L2tpVpnError of the last failure, -1 for none */
} L2tpVpnReconnect;

typedef enum {
	L2TPVPN_RECONNECT_STOP,
	L2TPVPN_RECONNECT_RETRY,
} L2tpVpnReconnectDecision;

void l2tpvpn_reconnect_init(L2tpVpnReconnect *r, const L2tpVpnReconnectConfig *cfg);
/* The user asked to connect: a fresh supervision (counters kept for status). */
void l2tpvpn_reconnect_user_connect(L2tpVpnReconnect *r);
void l2tpvpn_reconnect_connected(L2tpVpnReconnect *r, gint64 now_ms);
/*
 * The connection is down: @error_code is its L2tpVpnError, -1 when the user
 * asked for it. RETRY sets *@delay_ms and counts a reconnect.
 */
L2tpVpnReconnectDecision l2tpvpn_reconnect_down(L2tpVpnReconnect *r, int error_code, gint64 now_ms,
						guint *delay_ms);
/* Milliseconds up, 0 when not up. */
guint64 l2tpvpn_reconnect_uptime_ms(const L2tpVpnReconnect *r, gint64 now_ms);
/* The classes a retry cannot fix. */
gboolean l2tpvpn_reconnect_error_is_fatal(int error_code);

G_END_DECLS

#endif
