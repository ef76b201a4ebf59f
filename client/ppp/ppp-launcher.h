/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs pppd with our plugin for one L2TP session and turns what it does into
 * events in the GLib main loop.
 *
 * pppd gets: the PPPoL2TP socket as fd 3 (plugin pppol2tp.so), one end of a
 * SOCK_SEQPACKET socketpair as fd 4 (plugin l2tp-vpn-pppd.so, "l2tp-vpn-fd 4")
 * over which the credentials go in and the events come out, stdin /dev/null,
 * stdout+stderr into one pipe we read line by line ("logfd 2"), a clean
 * environment, and (unless disabled) a private mount namespace in which
 * /etc/ppp is an empty tmpfs and ~/.ppprc is /dev/null: see child_setup().
 */
#ifndef L2TP_VPN_PPP_LAUNCHER_H
#define L2TP_VPN_PPP_LAUNCHER_H

#include <netinet/in.h>
#include <glib.h>

#include "ppp-options.h"

#define L2TP_PPP_CHILD_PPPOL2TP_FD 3
#define L2TP_PPP_CHILD_CHANNEL_FD  4

typedef enum {
	L2TP_PPP_EVENT_HELLO,          /* plugin loaded: pppd_version */
	L2TP_PPP_EVENT_CREDENTIALS_OK, /* plugin holds the credentials */
	L2TP_PPP_EVENT_PHASE,          /* phase, phase_name */
	L2TP_PPP_EVENT_AUTH,           /* auth (enum pppchan_auth_result) */
	L2TP_PPP_EVENT_IP_UP,          /* ifname, local, peer, dns[0..1] (0.0.0.0 = none) */
	L2TP_PPP_EVENT_IP_DOWN,
	L2TP_PPP_EVENT_LOG,    /* log_line (the password, if present, is masked) */
	L2TP_PPP_EVENT_EXITED, /* error: NULL when pppd ended cleanly; the last event */
} L2tpPppEventType;

typedef struct {
	L2tpPppEventType type;
	const char *pppd_version;
	int phase;
	const char *phase_name;
	int auth;
	char ifname[16];
	struct in_addr local, peer, dns[2];
	const char *log_line;
	int plugin_exit_status; /* EXITED: what the plugin reported, -1 if nothing */
	const GError *error;
} L2tpPppEvent;

typedef void (*L2tpPppEventFunc)(const L2tpPppEvent *event, gpointer user_data);

typedef struct {
	L2tpPppOptions ppp;         /* fds are set by the launcher */
	int pppol2tp_socket;        /* our PPPoL2TP socket, duplicated into pppd: close ours once started, so
				       pppd's exit releases the session (FACTS §3) */
	const char *pppd_path;      /* NULL = /usr/sbin/pppd */
	gboolean no_private_mounts; /* keep pppd in our mount namespace (tests, no CAP_SYS_ADMIN) */
	const char *user;
	const char *password;
	/*
	 * Start pppd now but hold it in our plugin's option (before pppol2tp.so looks at the
	 * socket, which may still be unconnected) until l2tp_ppp_launcher_release(): pppd's
	 * start-up (exec, private mounts, plugins: ~250 ms under the lab's emulation) then
	 * overlaps IKE and L2TP instead of adding to the connect time.
	 */
	gboolean hold;
} L2tpPppLaunch;

typedef struct _L2tpPppLauncher L2tpPppLauncher;

L2tpPppLauncher *l2tp_ppp_launcher_start(const L2tpPppLaunch *launch, L2tpPppEventFunc func,
					 gpointer user_data, GError **error);
/* A held pppd goes on: the PPPoL2TP socket must be connected by now. */
void l2tp_ppp_launcher_release(L2tpPppLauncher *launcher);
/* SIGTERM now, SIGKILL after @grace_seconds; EXITED follows. */
void l2tp_ppp_launcher_stop(L2tpPppLauncher *launcher, guint grace_seconds);
/* pid of pppd, 0 once it has exited. */
GPid l2tp_ppp_launcher_get_pid(L2tpPppLauncher *launcher);
/* Kills pppd if still running; no event is delivered after this. */
void l2tp_ppp_launcher_free(L2tpPppLauncher *launcher);

const char *l2tp_ppp_phase_name(int phase);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpPppLauncher, l2tp_ppp_launcher_free)

#endif
