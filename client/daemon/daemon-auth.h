/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may do what: polkit decides (org.freedesktop.PolicyKit1 CheckAuthorization
 * over GDBus, subject = the caller's bus name, interaction allowed). When polkit
 * is not on the bus at all (a lab VM, a container, the tests' private bus) only
 * uid 0 is allowed, and the daemon says so in its log once. Any other polkit
 * failure denies: there is no path that allows everyone.
 */
#ifndef L2TPVPN_DAEMON_AUTH_H
#define L2TPVPN_DAEMON_AUTH_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define L2TPVPN_ACTION_CONNECT         "org.l2tpvpn.connect"
#define L2TPVPN_ACTION_DISCONNECT      "org.l2tpvpn.disconnect"
#define L2TPVPN_ACTION_MODIFY_PROFILES "org.l2tpvpn.modify-profiles"

/* @error is NULL when allowed, else why not (L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED). */
typedef void (*VpndAuthFunc)(const GError *error, gpointer user_data);

/* Asks whether bus name @sender may do @action; @func runs once, from the main loop. */
void vpnd_auth_check(GDBusConnection *bus, const char *sender, const char *action, VpndAuthFunc func,
		     gpointer user_data);

G_END_DECLS

#endif
