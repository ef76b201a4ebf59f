// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Secrets from a Connect call. The daemon is a system service: it cannot see
 * the caller's terminal or keyring, so every secret the profile leaves to the
 * user (KEY-source=ask, KEY-source=libsecret) must come in the call, and when
 * some are missing the caller learns all of them at once.
 */
#include <string.h>

#include "daemon.h"
#include "l2tpvpn-dbus-error.h"

static int kind_by_name(const char *name)
{
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		if (strcmp(name, l2tpvpn_secret_kind_name(k)) == 0)
			return k;
	return -1;
}

static gboolean secret_text_ok(const char *value, gsize len)
{
	return len > 0 && len <= VPND_MAX_SECRET_BYTES && !memchr(value, '\n', len) &&
	       !memchr(value, '\r', len);
}

gboolean vpnd_parse_secrets(GVariant *dict, L2tpVpnSecret *out[L2TPVPN_SECRET_N_KINDS], GError **error)
{
	GVariantIter iter;
	const char *key, *value;

	memset(out, 0, sizeof(L2tpVpnSecret *) * L2TPVPN_SECRET_N_KINDS);
	if (g_variant_n_children(dict) > VPND_MAX_SECRETS)
		goto invalid;
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_next(&iter, "{&s&s}", &key, &value)) {
		int k = kind_by_name(key);
		gsize len = strlen(value);

		if (k < 0 || out[k] || !secret_text_ok(value, len))
			goto invalid;
		out[k] = l2tpvpn_secret_new(value, len);
	}
	return TRUE;
invalid:
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		g_clear_pointer(&out[k], l2tpvpn_secret_free);
	/* Never echo what was sent: it may be a secret under a mistyped key. */
	g_set_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_INVALID_ARGS,
		    "secrets: at most %d entries, kinds psk ppp-password l2tp-secret key-password, "
		    "1..%d bytes without newlines",
		    VPND_MAX_SECRETS, VPND_MAX_SECRET_BYTES);
	return FALSE;
}

typedef struct {
	L2tpVpnSecret *const *given;
	guint missing; /* bit per kind */
} AskFromCall;

/*
 * Serves the caller's secrets; a missing one is noted and answered with a
 * placeholder so that resolution goes on and names every missing kind. The
 * profile that got placeholders is thrown away (see vpnd_resolve_secrets).
 */
static L2tpVpnSecret *ask_from_call(const L2tpVpnSecretRequest *request, gpointer data, GError **error)
{
	AskFromCall *call = data;

	if (call->given[request->kind])
		return l2tpvpn_secret_dup(call->given[request->kind]);
	call->missing |= 1u << request->kind;
	return l2tpvpn_secret_new("-", 1);
}

gboolean vpnd_resolve_secrets(L2tpVpnProfile *profile, L2tpVpnSecret *const given[L2TPVPN_SECRET_N_KINDS],
			      GError **error)
{
	AskFromCall call = {.given = given};
	g_autoptr(GString) names = NULL;

	/* The keyring belongs to the user's session, which only the caller can reach. */
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		if (profile->secrets[k].source == L2TPVPN_SECRET_SOURCE_LIBSECRET)
			profile->secrets[k].source = L2TPVPN_SECRET_SOURCE_ASK;
	if (!l2tpvpn_profile_resolve_secrets(profile, ask_from_call, &call, error))
		return FALSE;
	if (!call.missing)
		return TRUE;
	names = g_string_new(L2TPVPN_MISSING_SECRETS_TEXT);
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		if (call.missing & (1u << k))
			g_string_append_printf(names, "%s%s", names->str[names->len - 1] == ' ' ? "" : " ",
					       l2tpvpn_secret_kind_name(k));
	g_set_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED, "%s", names->str);
	return FALSE;
}
