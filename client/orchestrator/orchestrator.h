/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The orchestrator: one L2TP/IPsec connection as an event-driven state machine
 * on the thread-default GLib main context. Hosts: the CLI now, later the
 * D-Bus daemon, the GTK app and the NetworkManager plugin.
 *
 * Phases, in order (FACTS §3), each with its own timeout:
 *
 *   resolve        gateway name → IPv4 address; the local address is the one the
 *                  kernel routes toward it
 *   socket         UDP socket bound to that address, port 1701 if free (policy)
 *   ipsec          IKEv1 + ESP transport SA whose selectors name the socket's port
 *   l2tp-tunnel    SCCRQ … SCCCN
 *   kernel-tunnel  L2TP_CMD_TUNNEL_CREATE on our socket
 *   l2tp-session   ICRQ/ICRP
 *   kernel-session kernel session + PPPoL2TP socket, then ICCN (acknowledged)
 *   ppp            pppd with our plugin (credentials over its private channel),
 *                  host route to the gateway pinned first; done at authentication
 *   ip-up          IPCP report from the plugin
 *   routes         routes and DNS (client/net)
 *
 * then CONNECTED. Any failure, a phase timeout or l2tp_vpn_connection_disconnect()
 * tears down in reverse from wherever the connection is (routes/DNS, pppd,
 * PPPoX/kernel session, kernel tunnel, CDN + StopCCN, IPsec terminate + unload,
 * socket) and ends with one DISCONNECTED event carrying the named error (NULL
 * for a requested disconnect). Everything acquired is recorded under
 * <run_dir>/<name>/ first, so that l2tp_vpn_recover() can remove it after a crash.
 *
 * Callbacks must not free the connection; free it after DISCONNECTED, from the
 * main loop (e.g. after g_main_loop_quit()).
 */
#ifndef L2TP_VPN_ORCHESTRATOR_H
#define L2TP_VPN_ORCHESTRATOR_H

#include <netinet/in.h>
#include <glib.h>

#include "ipsec.h"
#include "l2tp-udp.h"
#include "l2tp.h"
#include "net-apply.h"
#include "net-plan.h"
#include "ppp-options.h"

G_BEGIN_DECLS

/* ---- errors: one code per failure class --------------------------------- */

#define L2TP_VPN_ERROR (l2tp_vpn_error_quark())
GQuark l2tp_vpn_error_quark(void);

typedef enum {
	L2TP_VPN_ERROR_FAILED,          /* anything not classified below */
	L2TP_VPN_ERROR_INVALID_CONFIG,  /* the profile/settings are unusable */
	L2TP_VPN_ERROR_PERMISSION,      /* root (CAP_NET_ADMIN) needed */
	L2TP_VPN_ERROR_ALREADY_RUNNING, /* this connection is up in another process */
	L2TP_VPN_ERROR_NOT_RUNNING,     /* no such connection is up */
	L2TP_VPN_ERROR_SYSTEM,          /* charon, kernel modules or pppd/plugin missing */
	L2TP_VPN_ERROR_RESOLVE,         /* the gateway name does not resolve */
	L2TP_VPN_ERROR_UNREACHABLE,     /* the gateway does not answer */
	L2TP_VPN_ERROR_IPSEC_AUTH,      /* pre-shared key or certificate refused */
	L2TP_VPN_ERROR_IPSEC_PROPOSAL,  /* no common IKE/ESP proposal */
	L2TP_VPN_ERROR_IPSEC,           /* any other IPsec failure */
	L2TP_VPN_ERROR_L2TP,            /* the LNS refused or broke the tunnel/session */
	L2TP_VPN_ERROR_PPP_AUTH,        /* the gateway refused the PPP user name/password */
	L2TP_VPN_ERROR_PPP,             /* any other PPP failure */
	L2TP_VPN_ERROR_NETWORK,         /* routes or DNS could not be set */
	L2TP_VPN_ERROR_TIMEOUT,         /* a phase did not complete in time */
	L2TP_VPN_ERROR_CONNECTION_LOST, /* it was up, then the gateway or a layer dropped it */
	L2TP_VPN_ERROR_N_CODES,
} L2tpVpnError;

const char *l2tp_vpn_error_code_name(int code); /* "ipsec-auth", ... */
/* Process exit status for an error (documented in l2tp-vpn(8)); 0 for NULL. */
int l2tp_vpn_error_exit_code(const GError *error);
/* Any layer's error → an L2TP_VPN_ERROR with the original message. */
GError *l2tp_vpn_error_classify(const GError *layer_error);

/* ---- configuration: the per-layer settings, owned ----------------------- */

typedef enum {
	L2TP_VPN_PHASE_RESOLVE,
	L2TP_VPN_PHASE_SOCKET,
	L2TP_VPN_PHASE_IPSEC,
	L2TP_VPN_PHASE_L2TP_TUNNEL,
	L2TP_VPN_PHASE_KERNEL_TUNNEL,
	L2TP_VPN_PHASE_L2TP_SESSION,
	L2TP_VPN_PHASE_KERNEL_SESSION,
	L2TP_VPN_PHASE_PPP,
	L2TP_VPN_PHASE_IP_UP,
	L2TP_VPN_PHASE_ROUTES,
	L2TP_VPN_N_PHASES,
} L2tpVpnPhase;

const char *l2tp_vpn_phase_name(L2tpVpnPhase phase);

typedef struct {
	char *name;    /* connection name: [A-Za-z0-9_.-], 1..64, no leading dot */
	char *gateway; /* host name or IPv4 address */
	L2tpPortPolicy port_policy;
	guint16 lns_port;          /* 0: 1701 */
	const char *local_address; /* NULL: the address the kernel routes toward the gateway */
	gboolean ipsec_enabled;    /* FALSE: plain L2TP (the ipsec phase does nothing) */

	/* gateway, local_address, local_port and profile are filled in by the orchestrator. */
	IpsecSettings ipsec;
	struct l2tp_lac_config l2tp;
	L2tpPppOptions ppp; /* fds, ifname and ipsec are filled in by the orchestrator */
	const char *ppp_user;
	const char *ppp_password;
	const char *pppd_path; /* NULL: /usr/sbin/pppd */

	L2tpNetMode route_mode;
	GArray *routes;                               /* L2tpNetPrefix */
	struct in_addr dns_servers[L2TP_NET_MAX_DNS]; /* static servers, before the gateway's */
	guint n_dns_servers;
	const char *const *dns_domains;
	gboolean ignore_vpn_dns;
	L2tpNetDnsBackend dns_backend;
	const char *resolv_conf; /* NULL: /etc/resolv.conf */

	const char *run_dir;                       /* default /run/l2tp-vpn */
	guint phase_timeout_ms[L2TP_VPN_N_PHASES]; /* 0: default for that phase */
	guint undo_timeout_ms;                     /* every teardown step; 0: per-phase defaults (3-40 s) */
	gboolean no_private_mounts;                /* pppd sees /etc/ppp (tests) */

	GPtrArray *owned; /* strings the settings above point to; secrets wiped on free */
	gpointer source;  /* what else they borrow from (e.g. the profile), freed with the config */
	GDestroyNotify source_free;
} L2tpVpnConfig;

/* Every layer's defaults; the caller sets name, gateway, secrets. */
L2tpVpnConfig *l2tp_vpn_config_new(void);
void l2tp_vpn_config_free(L2tpVpnConfig *cfg);
/* A copy of @s owned by @cfg (NULL stays NULL); _secret copies are wiped on free. */
const char *l2tp_vpn_config_own(L2tpVpnConfig *cfg, const char *s);
const char *l2tp_vpn_config_own_secret(L2tpVpnConfig *cfg, const char *s);
gboolean l2tp_vpn_config_validate(const L2tpVpnConfig *cfg, GError **error);
guint l2tp_vpn_config_phase_timeout(const L2tpVpnConfig *cfg, L2tpVpnPhase phase);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpVpnConfig, l2tp_vpn_config_free)

/*
 * The configuration of a loaded profile (client/profile) whose secrets are
 * resolved; takes ownership of @profile (an L2tpVpnProfile). @plugin_path:
 * our pppd plugin.
 */
L2tpVpnConfig *l2tp_vpn_config_from_profile(gpointer profile, const char *plugin_path, GError **error);

/* ---- events -------------------------------------------------------------- */

typedef enum {
	L2TP_VPN_STATE_IDLE,
	L2TP_VPN_STATE_CONNECTING,
	L2TP_VPN_STATE_CONNECTED,
	L2TP_VPN_STATE_DISCONNECTING,
	L2TP_VPN_STATE_DISCONNECTED,
} L2tpVpnState;

const char *l2tp_vpn_state_name(L2tpVpnState state);

typedef struct {
	char gateway_addr[INET_ADDRSTRLEN];
	char local_addr[INET_ADDRSTRLEN]; /* the underlay address the UDP socket is bound to */
	guint16 local_port;
	guint16 tunnel_id, peer_tunnel_id, session_id, peer_session_id;
	char *ipsec_conn; /* name in charon */
	char *ipsec_sa;   /* negotiated algorithms, one line */
	char ifname[IF_NAMESIZE];
	struct in_addr ppp_local, ppp_peer, dns[2];
	guint64 connect_ms; /* start → connected */
} L2tpVpnInfo;

typedef enum {
	L2TP_VPN_EVENT_PHASE_STARTED,
	L2TP_VPN_EVENT_PHASE_DONE,    /* text: what the phase achieved; phase_ms: its duration */
	L2TP_VPN_EVENT_PROGRESS,      /* text: detail from a layer (charon log, pppd log) */
	L2TP_VPN_EVENT_CONNECTED,     /* info */
	L2TP_VPN_EVENT_DISCONNECTING, /* error: why (NULL when asked to) */
	L2TP_VPN_EVENT_DISCONNECTED,  /* error: NULL after a requested disconnect; always last */
} L2tpVpnEventType;

typedef struct {
	L2tpVpnEventType type;
	L2tpVpnPhase phase;
	guint64 elapsed_ms; /* monotonic, since l2tp_vpn_connection_start() */
	guint64 phase_ms;
	const char *text;
	const L2tpVpnInfo *info;
	const GError *error;
} L2tpVpnEvent;

typedef struct _L2tpVpnConnection L2tpVpnConnection;
typedef void (*L2tpVpnEventFunc)(L2tpVpnConnection *conn, const L2tpVpnEvent *event, gpointer user_data);

/* Takes ownership of @cfg (validated at start). */
L2tpVpnConnection *l2tp_vpn_connection_new(L2tpVpnConfig *cfg, L2tpVpnEventFunc func, gpointer user_data);
/* Begins connecting; every outcome arrives as events. */
void l2tp_vpn_connection_start(L2tpVpnConnection *conn);
/* Orderly teardown from any state; DISCONNECTED follows (at once if idle). */
void l2tp_vpn_connection_disconnect(L2tpVpnConnection *conn);
L2tpVpnState l2tp_vpn_connection_get_state(L2tpVpnConnection *conn);
L2tpVpnPhase l2tp_vpn_connection_get_phase(L2tpVpnConnection *conn);
/*
 * After DISCONNECTED: the L2TP tunnel was up and the LNS never confirmed its end (our
 * StopCCN went unanswered, or the LNS had gone silent, e.g. a gateway that lost its SAs).
 * It may still hold the tunnel on our address and port, where a new SCCRQ would land
 * unanswered (see L2tpVpnRecovery): a next connect should use another port.
 */
gboolean l2tp_vpn_connection_l2tp_left_open(L2tpVpnConnection *conn);
const L2tpVpnInfo *l2tp_vpn_connection_get_info(L2tpVpnConnection *conn);
const L2tpVpnConfig *l2tp_vpn_connection_get_config(L2tpVpnConnection *conn);
guint64 l2tp_vpn_connection_elapsed_ms(L2tpVpnConnection *conn);

typedef struct {
	guint64 rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors;
} L2tpVpnStats;

/* Kernel session counters; FALSE unless the kernel session exists. */
gboolean l2tp_vpn_connection_get_stats(L2tpVpnConnection *conn, L2tpVpnStats *stats, GError **error);
void l2tp_vpn_connection_free(L2tpVpnConnection *conn);

/* ---- crash recovery ------------------------------------------------------- */

#define L2TP_VPN_RUN_DIR "/run/l2tp-vpn"
/* The front end's control socket in <run_dir>/<name>/ (removed with the run's record). */
#define L2TP_VPN_CONTROL_SOCKET_NAME "control"

/*
 * Removes what a previous run of connection @name recorded under
 * <run_dir>/<name>/ (pppd, kernel session and tunnel, routes and DNS, charon
 * conn/SA/secret), then the directory itself. Fails with ALREADY_RUNNING if
 * the recorded process is alive. Blocks (runs its own main context).
 */
typedef struct {
	gboolean cleaned; /* anything was left over */
	/*
	 * The dead run had an L2TP tunnel that never saw a StopCCN: the LNS may
	 * still hold it (xl2tpd keeps a socket connected to our address and
	 * port, and a new SCCRQ from that port lands there unanswered until its
	 * HELLO times out). A next connect should avoid that port.
	 */
	gboolean l2tp_tunnel_left_open;
} L2tpVpnRecovery;

gboolean l2tp_vpn_recover_full(const char *run_dir, const char *name, const char *vici_uri,
			       L2tpVpnRecovery *out, GError **error);
/* The same; *@cleaned: anything was left over. */
gboolean l2tp_vpn_recover(const char *run_dir, const char *name, const char *vici_uri, gboolean *cleaned,
			  GError **error);
/* <run_dir>/<name> */
char *l2tp_vpn_state_dir(const char *run_dir, const char *name);
/* Creates <run_dir>/<name> (0700, owned by us, not a symlink): where a front end puts its control socket. */
gboolean l2tp_vpn_state_dir_create(const char *state_dir, GError **error);
gboolean l2tp_vpn_name_valid(const char *name);

G_END_DECLS

#endif
