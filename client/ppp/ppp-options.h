/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd command line and exit status for an L2TP session.
 *
 * l2tp_ppp_build_argv() turns validated options into pppd's argv. Nothing in
 * it is secret: the user name and password travel over the plugin channel
 * (ppp-channel.h). l2tp_ppp_exit_to_error() turns pppd's wait status, refined
 * by what its log said, into an L2TP_PPP_ERROR with a named code.
 */
#ifndef L2TP_VPN_PPP_OPTIONS_H
#define L2TP_VPN_PPP_OPTIONS_H

#include <glib.h>

#define L2TP_PPP_ERROR (l2tp_ppp_error_quark())
GQuark l2tp_ppp_error_quark(void);

typedef enum {
	/* Our own checks, before pppd runs. */
	L2TP_PPP_ERROR_INVALID_OPTION,    /* an option value is malformed or out of range */
	L2TP_PPP_ERROR_NO_AUTH_METHOD,    /* no authentication method allowed */
	L2TP_PPP_ERROR_MPPE_WITH_IPSEC,   /* MPPE asked for while IPsec protects the tunnel */
	L2TP_PPP_ERROR_MPPE_NEEDS_MSCHAP, /* MPPE keys come from MS-CHAP; none allowed */
	L2TP_PPP_ERROR_SPAWN,             /* pppd could not be started */
	L2TP_PPP_ERROR_CHANNEL,           /* the plugin channel broke or spoke nonsense */
	L2TP_PPP_ERROR_PLUGIN_MISMATCH,   /* the plugin runs in a pppd it was not built for */
	/* pppd's exit status (pppd(8) EXIT STATUS), by name. */
	L2TP_PPP_ERROR_FATAL,              /* 1 */
	L2TP_PPP_ERROR_OPTION,             /* 2: pppd rejected an option */
	L2TP_PPP_ERROR_NOT_ROOT,           /* 3 */
	L2TP_PPP_ERROR_NO_KERNEL_SUPPORT,  /* 4: no /dev/ppp, ppp_generic missing */
	L2TP_PPP_ERROR_LOCK_FAILED,        /* 6 */
	L2TP_PPP_ERROR_OPEN_FAILED,        /* 7 */
	L2TP_PPP_ERROR_CONNECT_FAILED,     /* 8 */
	L2TP_PPP_ERROR_NEGOTIATION_FAILED, /* 10: LCP/IPCP could not agree */
	L2TP_PPP_ERROR_LCP_TIMEOUT,        /* 10 + "timeout sending Config-Requests": peer silent */
	L2TP_PPP_ERROR_PEER_AUTH_FAILED,   /* 11: the peer failed to authenticate to us */
	L2TP_PPP_ERROR_IDLE_TIMEOUT,       /* 12 */
	L2TP_PPP_ERROR_CONNECT_TIME,       /* 13 */
	L2TP_PPP_ERROR_PEER_DEAD,          /* 15: no reply to LCP echo requests */
	L2TP_PPP_ERROR_HANGUP,             /* 16: the L2TP session went away */
	L2TP_PPP_ERROR_LOOPBACK,           /* 17 */
	L2TP_PPP_ERROR_INIT_FAILED,        /* 18 */
	L2TP_PPP_ERROR_AUTH_FAILED,        /* 19: the gateway refused our credentials */
	L2TP_PPP_ERROR_TRAFFIC_LIMIT,      /* 20 */
	L2TP_PPP_ERROR_CNID_AUTH_FAILED,   /* 21 */
	L2TP_PPP_ERROR_KILLED,             /* killed by a signal we did not send */
	L2TP_PPP_ERROR_UNKNOWN_EXIT,       /* any other status */
} L2tpPppError;

typedef enum {
	L2TP_PPP_AUTH_PAP = 1 << 0,
	L2TP_PPP_AUTH_CHAP = 1 << 1,
	L2TP_PPP_AUTH_MSCHAP = 1 << 2,
	L2TP_PPP_AUTH_MSCHAP_V2 = 1 << 3,
	L2TP_PPP_AUTH_EAP = 1 << 4,
	L2TP_PPP_AUTH_ALL = (1 << 5) - 1,
} L2tpPppAuth;

#define L2TP_PPP_DEFAULT_MTU               1400
/* A link that stopped answering (the gateway lost its SAs without telling us) is noticed in 40-50 s. */
#define L2TP_PPP_DEFAULT_LCP_ECHO_INTERVAL 10
#define L2TP_PPP_DEFAULT_LCP_ECHO_FAILURE  4

typedef struct {
	int pppol2tp_fd;             /* fd number pppd sees for the PPPoL2TP socket; -1 only with dry_run */
	int channel_fd;              /* fd number pppd sees for the plugin channel */
	const char *plugin_path;     /* our plugin: absolute path or name in pppd's plugin dir */
	const char *pppol2tp_plugin; /* NULL = "pppol2tp.so" */
	const char *ifname;          /* interface name for this connection, e.g. "l2tp-office" */
	const char *linkname;        /* NULL = none; names /run/ppp-<linkname>.pid */
	guint auth;                  /* L2tpPppAuth bits we accept */
	guint mtu;                   /* 0 = L2TP_PPP_DEFAULT_MTU */
	guint mru;                   /* 0 = L2TP_PPP_DEFAULT_MTU */
	gboolean mppe;               /* require MPPE (only without IPsec) */
	gboolean ipsec;              /* the tunnel runs inside IPsec */
	guint lcp_echo_interval;     /* seconds; 0 = default; G_MAXUINT = no echo */
	guint lcp_echo_failure;      /* 0 = default */
	gboolean debug;              /* pppd "debug": packet dumps in the log */
	gboolean dry_run;            /* pppd "dryrun": check options, load plugins, print, exit */
} L2tpPppOptions;

/* Options with every default filled in; fds still have to be set. */
void l2tp_ppp_options_init(L2tpPppOptions *opts);

/* pppd's argv (argv[0] = @pppd_path), or NULL with a named error. */
GStrv l2tp_ppp_build_argv(const L2tpPppOptions *opts, const char *pppd_path, GError **error);

/* An interface name the kernel accepts and pppd's "ifname" takes as one word. */
gboolean l2tp_ppp_ifname_valid(const char *ifname);

/* Facts picked out of pppd's log that sharpen the meaning of its exit status. */
typedef enum {
	L2TP_PPP_HINT_LCP_TIMEOUT = 1 << 0,  /* "LCP: timeout sending Config-Requests" */
	L2TP_PPP_HINT_ECHO_TIMEOUT = 1 << 1, /* "No response to N echo-requests" */
	L2TP_PPP_HINT_MPPE_REFUSED = 1 << 2, /* "MPPE required but peer refused" */
	L2TP_PPP_HINT_AUTH_REFUSED = 1 << 3, /* peer refused to authenticate with any method we allow */
} L2tpPppHint;

guint l2tp_ppp_log_hints(const char *line);

/*
 * Decode a wait status from pppd. Returns TRUE when pppd ended cleanly: exit 0,
 * exit 5 (it received our SIGTERM/SIGINT) or when @we_stopped_it and it died of
 * SIGTERM. Otherwise FALSE with an L2TP_PPP_ERROR.
 */
gboolean l2tp_ppp_exit_to_error(int wait_status, guint hints, gboolean we_stopped_it, GError **error);

#endif
