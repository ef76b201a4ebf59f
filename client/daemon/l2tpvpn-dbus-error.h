/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The named D-Bus errors of l2tp-vpnd (org.l2tpvpn.Error.*), shared by the
 * daemon and its client library. The first L2TP_VPN_ERROR_N_CODES codes are the
 * orchestrator's failure classes, value for value, so a class crosses the bus
 * and comes back as the same L2TP_VPN_ERROR (and the same CLI exit code).
 * Registered with g_dbus_error_register_error_domain(): GDBus turns a GError
 * of this domain into the named error on the wire and back on the client.
 */
#ifndef L2TPVPN_DBUS_ERROR_H
#define L2TPVPN_DBUS_ERROR_H

#include <glib.h>

#include "orchestrator.h"

G_BEGIN_DECLS

#define L2TPVPN_DBUS_ERROR (l2tpvpn_dbus_error_quark())
GQuark l2tpvpn_dbus_error_quark(void);

typedef enum {
	/* 0 .. L2TP_VPN_ERROR_N_CODES-1: the orchestrator's classes (L2tpVpnError). */
	L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED = L2TP_VPN_ERROR_N_CODES, /* polkit (or root-only) refused */
	L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED,                        /* "missing secrets: KIND[ KIND...]" */
	L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE,
	L2TPVPN_DBUS_ERROR_INVALID_ARGS,
	L2TPVPN_DBUS_ERROR_N_CODES,
} L2tpVpnDbusError;

#define L2TPVPN_DBUS_ERROR_PREFIX    "org.l2tpvpn.Error."
#define L2TPVPN_MISSING_SECRETS_TEXT "missing secrets: "

/* "org.l2tpvpn.Error.Unreachable"; NULL for a code out of range. */
const char *l2tpvpn_dbus_error_name(int code);

/*
 * Any error the daemon meets (orchestrator, profile module, a layer) → the
 * error it sends: the orchestrator's class, or NO_SUCH_PROFILE / INVALID_ARGS
 * / SECRETS_REQUIRED for the profile errors that mean those.
 */
GError *l2tpvpn_dbus_error_from_local(const GError *error);

/*
 * What a client received → an L2TP_VPN_ERROR for exit codes: classes map back
 * to themselves, NOT_AUTHORIZED to PERMISSION, the argument errors to
 * INVALID_CONFIG, "no daemon on the bus" to NOT_RUNNING... see the table.
 */
GError *l2tpvpn_dbus_error_to_local(const GError *error);

/*
 * The secret kinds named by a SECRETS_REQUIRED message, as a bit set over
 * L2tpVpnSecretKind; 0 when @error is not SECRETS_REQUIRED or names none.
 */
guint l2tpvpn_dbus_error_missing_secrets(const GError *error);

G_END_DECLS

#endif
