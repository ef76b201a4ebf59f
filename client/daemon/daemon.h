/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp-vpnd internals: the manager (org.l2tpvpn.Manager1, profiles, the table
 * of connections) and one supervised connection per profile
 * (org.l2tpvpn.Connection1 over an orchestrator connection, reconnecting
 * according to reconnect-policy.h). Everything runs on the main loop.
 */
#ifndef L2TPVPN_DAEMON_H
#define L2TPVPN_DAEMON_H

#include <gio/gio.h>

#include "orchestrator.h"
#include "profile.h"
#include "reconnect-policy.h"

G_BEGIN_DECLS

#define L2TPVPN_BUS_NAME             "org.l2tpvpn"
#define L2TPVPN_MANAGER_PATH         "/org/l2tpvpn/Manager1"
#define L2TPVPN_MANAGER_INTERFACE    "org.l2tpvpn.Manager1"
#define L2TPVPN_CONNECTION_PREFIX    "/org/l2tpvpn/Connection1"
#define L2TPVPN_CONNECTION_INTERFACE "org.l2tpvpn.Connection1"

/* Bounds on what a caller may send: everything else is InvalidArgs. */
#define VPND_MAX_SECRETS      8
#define VPND_MAX_SECRET_BYTES 1024

typedef struct {
	const char *profile_dir; /* NULL: /etc/l2tp-vpn */
	const char *run_dir;     /* /run/l2tp-vpn */
	const char *plugin_path; /* our pppd plugin */
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
	L2tpVpnReconnectConfig reconnect;
	/* Makes each orchestrator connection; NULL: l2tp_vpn_connection_new (tests substitute fake layers).
	 */
	L2tpVpnConnection *(*connection_new)(L2tpVpnConfig *cfg, L2tpVpnEventFunc func, gpointer user_data);
} VpndSettings;

typedef struct _VpndManager VpndManager;
typedef struct _VpndConnection VpndConnection;

/* Parses the embedded introspection XML (data/dbus); the same info the objects are registered with. */
GDBusNodeInfo *vpnd_interface_info(const char *resource_name, GError **error);

/* ---- manager (daemon-manager.c) ------------------------------------------------- */

/* Copies @settings (and its strings). */
VpndManager *vpnd_manager_new(GDBusConnection *bus, const VpndSettings *settings, GError **error);
/* Disconnects everything; @done runs once every connection is down. */
void vpnd_manager_shutdown(VpndManager *m, GSourceFunc done, gpointer data);
void vpnd_manager_free(VpndManager *m);
const VpndSettings *vpnd_manager_settings(VpndManager *m);
GDBusConnection *vpnd_manager_bus(VpndManager *m);
GDBusInterfaceInfo *vpnd_manager_connection_info(VpndManager *m);
/* The connection object of profile @name, created (and announced) on first use. */
VpndConnection *vpnd_manager_ensure_connection(VpndManager *m, const char *name, GError **error);
/* A connection went quiet (down, no reconnect pending): the manager may finish a shutdown. */
void vpnd_manager_connection_idle(VpndManager *m);

/*
 * Removes what crashed runs left under the run directory (start-up). Returns
 * the names whose dead run may have left an L2TP tunnel open at the LNS: their
 * next connect uses an ephemeral source port (vpnd_manager_set_tunnel_left_open).
 */
GHashTable *vpnd_recover_all(const VpndSettings *settings);
void vpnd_manager_set_tunnel_left_open(VpndManager *m, GHashTable *names);
/* TRUE once for a name in that set. */
gboolean vpnd_manager_take_tunnel_left_open(VpndManager *m, const char *name);

/* ---- connection (daemon-connection.c) ---------------------------------------------- */

VpndConnection *vpnd_connection_new(VpndManager *m, const char *name, GError **error);
void vpnd_connection_free(VpndConnection *c);
const char *vpnd_connection_path(VpndConnection *c);
/* Connect with the caller's secrets (kind name → value); replies to @inv with the outcome. */
void vpnd_connection_connect(VpndConnection *c, GVariant *secrets, GDBusMethodInvocation *inv);
/* Disconnect; replies to @inv (NULL: nobody waits) when down. */
void vpnd_connection_disconnect(VpndConnection *c, GDBusMethodInvocation *inv);
/* Neither connecting, connected nor waiting to reconnect. */
gboolean vpnd_connection_is_down(VpndConnection *c);

/*
 * The caller's secrets for the profile's ask/libsecret secrets. FALSE with
 * SECRETS_REQUIRED naming every missing kind, or INVALID_ARGS for a malformed
 * dictionary. On success @profile's secrets are all resolved; after a
 * failure it may hold placeholders for the missing ones: free it.
 */
gboolean vpnd_resolve_secrets(L2tpVpnProfile *profile, L2tpVpnSecret *const given[L2TPVPN_SECRET_N_KINDS],
			      GError **error);
/* a{ss} from the bus → secrets by kind (wiped on free); INVALID_ARGS for unknown kinds or bad sizes. */
gboolean vpnd_parse_secrets(GVariant *dict, L2tpVpnSecret *out[L2TPVPN_SECRET_N_KINDS], GError **error);

G_END_DECLS

#endif
