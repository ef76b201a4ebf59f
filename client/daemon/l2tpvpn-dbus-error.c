// SPDX-License-Identifier: GPL-2.0-or-later
/* org.l2tpvpn.Error.*: see l2tpvpn-dbus-error.h. */
#include "l2tpvpn-dbus-error.h"

#include <string.h>
#include <gio/gio.h>

#include "profile.h"

#define E(code, name) [code] = {code, L2TPVPN_DBUS_ERROR_PREFIX name}

static const GDBusErrorEntry entries[L2TPVPN_DBUS_ERROR_N_CODES] = {
    E(L2TP_VPN_ERROR_FAILED, "Failed"),
    E(L2TP_VPN_ERROR_INVALID_CONFIG, "InvalidConfig"),
    E(L2TP_VPN_ERROR_PERMISSION, "PermissionDenied"),
    E(L2TP_VPN_ERROR_ALREADY_RUNNING, "AlreadyRunning"),
    E(L2TP_VPN_ERROR_NOT_RUNNING, "NotRunning"),
    E(L2TP_VPN_ERROR_SYSTEM, "System"),
    E(L2TP_VPN_ERROR_RESOLVE, "Resolve"),
    E(L2TP_VPN_ERROR_UNREACHABLE, "Unreachable"),
    E(L2TP_VPN_ERROR_IPSEC_AUTH, "IpsecAuthFailed"),
    E(L2TP_VPN_ERROR_IPSEC_PROPOSAL, "NoProposal"),
    E(L2TP_VPN_ERROR_IPSEC, "Ipsec"),
    E(L2TP_VPN_ERROR_L2TP, "L2tp"),
    E(L2TP_VPN_ERROR_PPP_AUTH, "PppAuthFailed"),
    E(L2TP_VPN_ERROR_PPP, "Ppp"),
    E(L2TP_VPN_ERROR_NETWORK, "Network"),
    E(L2TP_VPN_ERROR_TIMEOUT, "Timeout"),
    E(L2TP_VPN_ERROR_CONNECTION_LOST, "ConnectionLost"),
    E(L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED, "NotAuthorized"),
    E(L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED, "SecretsRequired"),
    E(L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE, "NoSuchProfile"),
    E(L2TPVPN_DBUS_ERROR_INVALID_ARGS, "InvalidArgs"),
};

GQuark l2tpvpn_dbus_error_quark(void)
{
	static gsize quark;

	g_dbus_error_register_error_domain("l2tpvpn-dbus-error-quark", &quark, entries,
					   G_N_ELEMENTS(entries));
	return (GQuark)quark;
}

const char *l2tpvpn_dbus_error_name(int code)
{
	return code >= 0 && code < L2TPVPN_DBUS_ERROR_N_CODES ? entries[code].dbus_error_name : NULL;
}

static int from_profile(int code)
{
	switch (code) {
	case L2TPVPN_PROFILE_ERROR_NOT_FOUND:
		return L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE;
	case L2TPVPN_PROFILE_ERROR_INVALID_NAME:
		return L2TPVPN_DBUS_ERROR_INVALID_ARGS;
	case L2TPVPN_PROFILE_ERROR_SECRET_NEEDED:
		return L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED;
	default:
		return L2TP_VPN_ERROR_INVALID_CONFIG;
	}
}

GError *l2tpvpn_dbus_error_from_local(const GError *error)
{
	g_autoptr(GError) classified = NULL;

	if (error->domain == L2TPVPN_DBUS_ERROR)
		return g_error_copy(error);
	if (error->domain == L2TPVPN_PROFILE_ERROR)
		return g_error_new_literal(L2TPVPN_DBUS_ERROR, from_profile(error->code), error->message);
	classified = l2tp_vpn_error_classify(error);
	return g_error_new_literal(L2TPVPN_DBUS_ERROR, classified->code, classified->message);
}

static int to_local(const GError *error)
{
	if (error->domain == L2TPVPN_DBUS_ERROR) {
		if (error->code >= 0 && error->code < L2TP_VPN_ERROR_N_CODES)
			return error->code;
		return error->code == L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED ? L2TP_VPN_ERROR_PERMISSION
									: L2TP_VPN_ERROR_INVALID_CONFIG;
	}
	/* No daemon: nothing is running through it. */
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
		return L2TP_VPN_ERROR_NOT_RUNNING;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
		return L2TP_VPN_ERROR_PERMISSION;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
		return L2TP_VPN_ERROR_TIMEOUT;
	return L2TP_VPN_ERROR_SYSTEM;
}

GError *l2tpvpn_dbus_error_to_local(const GError *error)
{
	g_autoptr(GError) copy = g_error_copy(error);

	/* GDBus prefixes unmapped remote errors with "GDBus.Error:NAME: "; the name is in the class. */
	g_dbus_error_strip_remote_error(copy);
	return g_error_new_literal(L2TP_VPN_ERROR, to_local(error), copy->message);
}

guint l2tpvpn_dbus_error_missing_secrets(const GError *error)
{
	g_auto(GStrv) words = NULL;
	const char *list;
	guint kinds = 0;

	if (!g_error_matches(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED))
		return 0;
	list = strstr(error->message, L2TPVPN_MISSING_SECRETS_TEXT);
	if (!list)
		return 0;
	words = g_strsplit(list + strlen(L2TPVPN_MISSING_SECRETS_TEXT), " ", -1);
	for (guint i = 0; words[i]; i++)
		for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
			if (strcmp(words[i], l2tpvpn_secret_kind_name(k)) == 0)
				kinds |= 1u << k;
	return kinds;
}
