/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the orchestrator shared by its files and its unit tests.
 *
 * The state machine (orchestrator.c) knows only a phase table: for each phase
 * a start function and an undo function. Steps report back with
 * l2tp_vpn_phase_done() / l2tp_vpn_undo_done(), from inside start/undo or
 * later from a layer's callback; failures that happen outside a phase (the
 * link dropped while connected) go to l2tp_vpn_fail(). orch-steps.c holds the
 * real steps over the layers; tests install fakes with
 * l2tp_vpn_connection_new_with_steps().
 */
#ifndef L2TP_VPN_ORCHESTRATOR_PRIVATE_H
#define L2TP_VPN_ORCHESTRATOR_PRIVATE_H

#include "orchestrator.h"

#include "kernel-l2tp.h"
#include "ppp-launcher.h"

G_BEGIN_DECLS

typedef struct {
	void (*start)(L2tpVpnConnection *conn);
	void (*undo)(L2tpVpnConnection *conn); /* must end in l2tp_vpn_undo_done(), now or later */
} L2tpVpnStep;

extern const L2tpVpnStep l2tp_vpn_real_steps[L2TP_VPN_N_PHASES];

/* While the first SCCRP is awaited under a brand-new IPsec SA (orch-sa-guard.c). */
typedef struct {
	gint64 anchor_us;  /* monotonic: when our charon got the gateway's quick-mode answer (QM2) */
	guint catch_up;    /* timer: right after the gateway's expected QM2 repeat */
	guint renew;       /* timer: time to ask for a new quick mode */
	guint settle;      /* timer: the renewed SA is (probably) in place at the gateway too */
	guint renewals;    /* new quick modes asked for */
	gboolean renewing; /* asked; IPSEC_EVENT_CHILD_REKEYED awaited */
} L2tpVpnSaGuard;

/* What the real steps hold; tests leave it zeroed. */
typedef struct {
	GCancellable *cancel;
	L2tpUdp *udp;
	IpsecSession *ipsec;
	L2tpKernel *kernel;
	gboolean tunnel_ids_unchecked; /* the kernel could not be asked which tunnel IDs it has */
	int pppox;
	L2tpPppLauncher *ppp;
	L2tpNetContext net;
	L2tpNetDnsProbe *dns_probe; /* taken while IKE runs; net.dns_probe points here */
	char *net_run_dir;
	struct in_addr gateway;
	L2tpNetRoute underlay;
	gint64 ike_up_us, child_up_us; /* monotonic: how long quick mode took sizes the SCCRQ restart */
	guint sccrq_wait;              /* the first SCCRQ waits for the gateway's SA */
	L2tpVpnSaGuard sa_guard;       /* no SCCRP under a new SA (orch-sa-guard.c) */
	gboolean routes_wait_ip_up;    /* IPCP renegotiates under the routes phase: redo it on IP_UP
					* (once connected, every IP_UP sets routes again anyway) */
	gboolean tunnel_up, session_ready, session_up, l2tp_finished, l2tp_closing;
	gboolean l2tp_peer_silent; /* retransmissions went unanswered: the LNS may still hold the tunnel */
	gboolean kernel_tunnel, kernel_session;
	gboolean ppp_exited, ppp_stopping;
	gboolean ppp_auth_failed; /* the plugin said the gateway refused us: that, not the CDN, is why */
	char *ppp_auth_detail;    /* pppd's own words for it */
	guint ppp_hints;
	GError *ppp_error;
} L2tpVpnLayers;

struct _L2tpVpnConnection {
	L2tpVpnConfig *cfg;
	const L2tpVpnStep *steps;
	L2tpVpnEventFunc func;
	gpointer user_data;

	L2tpVpnState state;
	L2tpVpnPhase phase; /* connecting: the running phase; disconnecting: the one being undone */
	guint started;      /* bit per phase whose start ran (its undo is due) */
	gint64 t0_us, phase_t0_us;
	guint timer;           /* phase or undo timeout */
	guint idle;            /* deferred teardown step */
	gboolean undo_running; /* an undo is in flight for conn->phase */
	GError *error;         /* why we are tearing down; NULL when asked to */
	L2tpVpnInfo info;
	char *state_dir;
	L2tpVpnLayers layers;
};

L2tpVpnConnection *l2tp_vpn_connection_new_with_steps(L2tpVpnConfig *cfg, const L2tpVpnStep *steps,
						      L2tpVpnEventFunc func, gpointer user_data);

/* @phase completed (error NULL; @summary may be NULL) or failed (takes @error). Stale calls are ignored. */
void l2tp_vpn_phase_done(L2tpVpnConnection *conn, L2tpVpnPhase phase, const char *summary, GError *error);
/* The undo of @phase finished (stale calls are ignored). Continues from the main loop. */
void l2tp_vpn_undo_done(L2tpVpnConnection *conn, L2tpVpnPhase phase);
/* A failure while connecting or connected: tear down and report it (takes @error). */
void l2tp_vpn_fail(L2tpVpnConnection *conn, GError *error);
void l2tp_vpn_progress(L2tpVpnConnection *conn, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Async results may arrive after the connection is gone: they carry its cancellable. */
typedef struct {
	L2tpVpnConnection *conn;
	GCancellable *cancel;
} L2tpVpnAsyncCtx;

L2tpVpnAsyncCtx *l2tp_vpn_async_ctx_new(L2tpVpnConnection *conn);
/* The connection, or NULL if it was freed meanwhile; frees @ctx. */
L2tpVpnConnection *l2tp_vpn_async_ctx_take(L2tpVpnAsyncCtx *ctx);

/* ---- lost last quick-mode message (orch-sa-guard.c) ---------------------- */

/* The first SCCRQ under a new IPsec SA is out. */
void l2tp_vpn_sa_guard_start(L2tpVpnConnection *conn);
/* SCCRP came, or the tunnel phase is being undone. */
void l2tp_vpn_sa_guard_stop(L2tpVpnConnection *conn);
/* IPSEC_EVENT_CHILD_REKEYED. */
void l2tp_vpn_sa_guard_renewed(L2tpVpnConnection *conn);

/* ---- the run-state record (orch-state.c) --------------------------------- */

/* Sets (value non-NULL) or removes @key in <state_dir>/state, written atomically, 0600. */
gboolean l2tp_vpn_state_set(const char *state_dir, const char *key, const char *value, GError **error);
/* All records; NULL when there is no state file. */
GHashTable *l2tp_vpn_state_read(const char *state_dir, GError **error);
/* Removes the state file, the control socket and the directory. */
void l2tp_vpn_state_dir_remove(const char *state_dir);

#define L2TP_VPN_STATE_PID            "pid"
#define L2TP_VPN_STATE_PPPD_PID       "pppd-pid"
#define L2TP_VPN_STATE_IPSEC_CONN     "ipsec-conn"
#define L2TP_VPN_STATE_IPSEC_VICI     "ipsec-vici"
#define L2TP_VPN_STATE_KERNEL_TUNNEL  "kernel-tunnel"
#define L2TP_VPN_STATE_KERNEL_SESSION "kernel-session"
#define L2TP_VPN_STATE_NET            "net-state"
#define L2TP_VPN_CONTROL_SOCKET       L2TP_VPN_CONTROL_SOCKET_NAME

G_END_DECLS

#endif
