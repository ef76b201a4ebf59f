// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn secret set NAME [KIND] [--stdin] | secret clear NAME [KIND]: the
 * caller's own keyring (libsecret, the schema client/profile looks secrets up
 * with), where `up` finds what l2tp-vpnd asks for. The secret is read without
 * echo from the terminal or as one line of stdin; never from the command line.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"

static const struct {
	const char *word;
	L2tpVpnSecretKind kind;
} kinds[] = {
    {"password", L2TPVPN_SECRET_PPP_PASSWORD},     {"psk", L2TPVPN_SECRET_PSK},
    {"ppp-password", L2TPVPN_SECRET_PPP_PASSWORD}, {"l2tp-secret", L2TPVPN_SECRET_L2TP_SECRET},
    {"key-password", L2TPVPN_SECRET_KEY_PASSWORD},
};

static gboolean parse_kind(const char *word, L2tpVpnSecretKind *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(word, kinds[i].word)) {
			*kind = kinds[i].kind;
			return TRUE;
		}
	fprintf(stderr, "l2tp-vpn secret: \"%s\" is no secret kind (password psk l2tp-secret key-password)\n",
		word);
	return FALSE;
}

/* No Secret Service (or no libsecret in this build) is a missing part of the system. */
static int fail_keyring(const GError *error)
{
	g_autoptr(GError) named = NULL;

	if (g_error_matches(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE) ||
	    g_error_matches(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NO_LIBSECRET)) {
		named = g_error_new_literal(L2TP_VPN_ERROR, L2TP_VPN_ERROR_SYSTEM, error->message);
		return cli_fail(named);
	}
	return cli_fail(error);
}

static int secret_set(const char *name, L2tpVpnSecretKind kind, gboolean from_stdin)
{
	L2tpVpnSecretRequest request = {
	    .profile = name, .kind = kind, .description = l2tpvpn_secret_kind_describe(kind)};
	g_autoptr(L2tpVpnSecret) secret = NULL;
	g_autoptr(GError) error = NULL;

	secret = from_stdin ? l2tpvpn_secret_read_fd(STDIN_FILENO, &error)
			    : cli_ask_terminal(&request, NULL, &error);
	if (!secret)
		return cli_fail(error);
	if (!l2tpvpn_secret_libsecret_store(name, kind, secret, &error))
		return fail_keyring(error);
	printf("%s: %s stored in your keyring\n", name, request.description);
	return 0;
}

/* Without KIND: every kind of NAME. */
static int secret_clear(const char *name, const L2tpVpnSecretKind *only)
{
	g_autoptr(GError) error = NULL;

	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++) {
		if (only && *only != (L2tpVpnSecretKind)k)
			continue;
		if (!l2tpvpn_secret_libsecret_clear(name, k, &error))
			return fail_keyring(error);
	}
	if (only)
		printf("%s: %s removed from your keyring\n", name, l2tpvpn_secret_kind_describe(*only));
	else
		printf("%s: every secret removed from your keyring\n", name);
	return 0;
}

int cmd_secret(int argc, char **argv)
{
	gboolean from_stdin = FALSE;
	GOptionEntry entries[] = {
	    {"stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin, "set: read the secret as one line of stdin",
	     NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("set|clear NAME [password|psk|l2tp-secret|key-password] - your keyring");
	g_autoptr(GError) error = NULL;
	L2tpVpnSecretKind kind = L2TPVPN_SECRET_PPP_PASSWORD;
	gboolean set;
	int code = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(
	    ctx, "Stores or removes a secret of profile NAME in your keyring (the Secret Service of\n"
		 "your session), where `l2tp-vpn up` looks first when l2tp-vpnd needs it.\n"
		 "set reads it without echo from the terminal, or one line of stdin with --stdin;\n"
		 "KIND defaults to password (the PPP password). clear without KIND removes them all.");
	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc < 3 || argc > 4 || (strcmp(argv[1], "set") != 0 && strcmp(argv[1], "clear") != 0)) {
		fprintf(stderr, "l2tp-vpn secret: set|clear NAME [KIND]\n");
		return CLI_EXIT_USAGE;
	}
	set = !strcmp(argv[1], "set");
	if (argc == 4 && !parse_kind(argv[3], &kind))
		return CLI_EXIT_USAGE;
	if (!set && from_stdin) {
		fprintf(stderr, "l2tp-vpn secret clear: --stdin is for set\n");
		return CLI_EXIT_USAGE;
	}
	if (!l2tp_vpn_name_valid(argv[2])) {
		g_set_error(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG,
			    "\"%s\" is not a profile name", argv[2]);
		return cli_fail(error);
	}
	if (set)
		return secret_set(argv[2], kind, from_stdin);
	return secret_clear(argv[2], argc == 4 ? &kind : NULL);
}
