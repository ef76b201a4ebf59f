/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of l2tp-vpnd for front ends (the CLI first): blocking calls
 * over D-Bus that run their own main context, so a caller needs no main loop.
 * Errors come back as L2TP_VPN_ERROR (the orchestrator's classes, so
 * l2tp_vpn_error_exit_code() and l2tp_vpn_error_code_name() work on them);
 * a refusal by polkit is PERMISSION, no daemon on the bus is NOT_RUNNING.
 *
 *	g_autoptr(L2tpVpnDaemonClient) d = l2tpvpn_daemon_client_new(NULL, &error);
 *	L2tpVpnDaemonConnectOptions o = {.progress = print_line, .ask = ask_terminal,
 *					 .use_keyring = TRUE};
 *	if (!l2tpvpn_daemon_client_connect(d, "work", &o, &error)) ...
 *	GVariant *status = l2tpvpn_daemon_client_status(d, "work", &error); // a{sv}
 *	l2tpvpn_daemon_client_disconnect(d, "work", &error);
 */
#ifndef L2TPVPN_DAEMON_CLIENT_H
#define L2TPVPN_DAEMON_CLIENT_H

#include <gio/gio.h>

#include "orchestrator.h"
#include "profile-secret.h"

G_BEGIN_DECLS

typedef struct _L2tpVpnDaemonClient L2tpVpnDaemonClient;

/* @bus_address: a bus address (tests), NULL for the system bus. */
L2tpVpnDaemonClient *l2tpvpn_daemon_client_new(const char *bus_address, GError **error);
void l2tpvpn_daemon_client_free(L2tpVpnDaemonClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpVpnDaemonClient, l2tpvpn_daemon_client_free)

/* /org/l2tpvpn/Connection1/<name escaped by g_dbus_escape_object_path()>. */
char *l2tpvpn_daemon_connection_path(const char *name);

/*
 * Progress while connecting, as the orchestrator's own events, so that a front
 * end formats daemon and in-process runs with the same code: PHASE_STARTED,
 * PHASE_DONE (phase_ms from the phase's start), PROGRESS, CONNECTED (info
 * filled from the connection's properties), DISCONNECTING, DISCONNECTED. The
 * event's error is always NULL: the outcome is connect()'s return value.
 */
typedef void (*L2tpVpnDaemonProgressFunc)(const L2tpVpnEvent *event, gpointer user_data);

typedef struct {
	L2tpVpnDaemonProgressFunc progress; /* NULL: no progress */
	gpointer progress_data;
	/* Secrets the daemon lacks: from the caller's keyring first (use_keyring), then @ask (NULL: an
	 * error). */
	gboolean use_keyring;
	L2tpVpnSecretAskFunc ask;
	gpointer ask_data;
	guint timeout_ms; /* the whole connect; 0: 180 s */
	/* SIGINT, SIGTERM, SIGHUP while waiting ask the daemon to disconnect (a terminal front end's ^C);
	 * connect() then returns how the attempt ended. */
	gboolean disconnect_on_signal;
} L2tpVpnDaemonConnectOptions;

/* TRUE when l2tp-vpnd owns its bus name now (asking does not start it). */
gboolean l2tpvpn_daemon_client_daemon_running(L2tpVpnDaemonClient *client);

/*
 * Returns once connected (TRUE) or failed (the named error). A daemon that is
 * not running is started by D-Bus activation where the bus can; else NOT_RUNNING.
 */
gboolean l2tpvpn_daemon_client_connect(L2tpVpnDaemonClient *client, const char *name,
				       const L2tpVpnDaemonConnectOptions *options, GError **error);
/* Returns once the connection is down; NOT_RUNNING when the daemon (running or not) has no such connection.
 * Status, disconnect and the connection list never start the daemon. */
gboolean l2tpvpn_daemon_client_disconnect(L2tpVpnDaemonClient *client, const char *name, GError **error);
/* Every property of the connection (a{sv}: State, Phase, LastError, Uptime, ...); NOT_RUNNING if none. */
GVariant *l2tpvpn_daemon_client_status(L2tpVpnDaemonClient *client, const char *name, GError **error);
/*
 * @props (from l2tpvpn_daemon_client_status()) as "key=value" records in the
 * vocabulary of `l2tp-vpn status` (name state phase gateway_address
 * local_address local_port interface ppp_local ppp_peer dns ipsec_sa
 * connect_ms uptime_ms rx_bytes tx_bytes; the bytes while connected, even 0),
 * plus reconnects (once it reconnected) and last_error (the class name, e.g.
 * "unreachable", and last_error_message) once there was one.
 */
GPtrArray *l2tpvpn_daemon_client_status_records(GVariant *props);
/*
 * The connection as an L2tpVpnInfo (what a CONNECTED event carries); strings
 * borrow from @props. FALSE when @props lacks the connection's properties.
 */
gboolean l2tpvpn_daemon_client_info_from_status(GVariant *props, L2tpVpnInfo *info);
/* "ipsec" → L2TP_VPN_PHASE_IPSEC; "connected" and unknown names → L2TP_VPN_N_PHASES. */
L2tpVpnPhase l2tpvpn_daemon_phase_from_name(const char *name);
/* Names of the daemon's connections (any state). */
GStrv l2tpvpn_daemon_client_list_connections(L2tpVpnDaemonClient *client, GError **error);

GStrv l2tpvpn_daemon_client_list_profiles(L2tpVpnDaemonClient *client, GError **error);
/* Masked keyfile text. */
char *l2tpvpn_daemon_client_get_profile(L2tpVpnDaemonClient *client, const char *name, GError **error);
gboolean l2tpvpn_daemon_client_save_profile(L2tpVpnDaemonClient *client, const char *name, const char *text,
					    GError **error);
gboolean l2tpvpn_daemon_client_delete_profile(L2tpVpnDaemonClient *client, const char *name, GError **error);

G_END_DECLS

#endif
