// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Error mapping: every orchestrator class crosses the bus as its own
 * org.l2tpvpn.Error name and comes back as the same class (same exit code);
 * profile and layer errors get the right names; secrets from a Connect call
 * are bounded, and every missing one is named at once.
 */
#include <string.h>
#include <gio/gio.h>

#include "daemon.h"
#include "ipsec.h"
#include "l2tpvpn-dbus-error.h"

/* Through GDBus's own encoding, as a reply on the wire would be. */
static GError *over_the_wire(const GError *sent)
{
	g_autofree char *name = g_dbus_error_encode_gerror(sent);

	return g_dbus_error_new_for_dbus_error(name, sent->message);
}

static void test_classes_round_trip(void)
{
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

	for (int code = 0; code < L2TP_VPN_ERROR_N_CODES; code++) {
		g_autoptr(GError) local = g_error_new(L2TP_VPN_ERROR, code, "class %d", code);
		g_autoptr(GError) wire = l2tpvpn_dbus_error_from_local(local);
		g_autoptr(GError) received = over_the_wire(wire);
		g_autoptr(GError) back = l2tpvpn_dbus_error_to_local(received);
		g_autofree char *encoded = g_dbus_error_encode_gerror(wire);

		g_assert_error(wire, L2TPVPN_DBUS_ERROR, code);
		g_assert_cmpstr(encoded, ==, l2tpvpn_dbus_error_name(code));
		g_assert_true(g_str_has_prefix(encoded, L2TPVPN_DBUS_ERROR_PREFIX));
		g_assert_false(g_hash_table_contains(names, l2tpvpn_dbus_error_name(code)));
		g_hash_table_add(names, (gpointer)l2tpvpn_dbus_error_name(code));
		g_assert_error(received, L2TPVPN_DBUS_ERROR, code);
		g_assert_error(back, L2TP_VPN_ERROR, code);
		g_assert_cmpint(l2tp_vpn_error_exit_code(back), ==, l2tp_vpn_error_exit_code(local));
		/* The receiving side shows the message, not GDBus's "GDBus.Error:NAME: " prefix. */
		g_assert_cmpstr(back->message, ==, local->message);
	}
}

static void test_names(void)
{
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TP_VPN_ERROR_UNREACHABLE), ==,
			"org.l2tpvpn.Error.Unreachable");
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TP_VPN_ERROR_IPSEC_AUTH), ==,
			"org.l2tpvpn.Error.IpsecAuthFailed");
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TP_VPN_ERROR_IPSEC_PROPOSAL), ==,
			"org.l2tpvpn.Error.NoProposal");
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TP_VPN_ERROR_PPP_AUTH), ==,
			"org.l2tpvpn.Error.PppAuthFailed");
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED), ==,
			"org.l2tpvpn.Error.NotAuthorized");
	g_assert_cmpstr(l2tpvpn_dbus_error_name(L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED), ==,
			"org.l2tpvpn.Error.SecretsRequired");
	g_assert_null(l2tpvpn_dbus_error_name(L2TPVPN_DBUS_ERROR_N_CODES));
	g_assert_null(l2tpvpn_dbus_error_name(-1));
}

static void expect_from(GQuark domain, int code, int wire_code)
{
	g_autoptr(GError) local = g_error_new_literal(domain, code, "x");
	g_autoptr(GError) wire = l2tpvpn_dbus_error_from_local(local);

	g_assert_error(wire, L2TPVPN_DBUS_ERROR, wire_code);
}

static void test_profile_and_layer_errors(void)
{
	expect_from(L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND,
		    L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE);
	expect_from(L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME,
		    L2TPVPN_DBUS_ERROR_INVALID_ARGS);
	expect_from(L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_NEEDED,
		    L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED);
	expect_from(L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SYNTAX, L2TP_VPN_ERROR_INVALID_CONFIG);
	expect_from(L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_PERMISSIONS, L2TP_VPN_ERROR_INVALID_CONFIG);
	expect_from(IPSEC_ERROR, IPSEC_ERROR_AUTH_FAILED_PSK, L2TP_VPN_ERROR_IPSEC_AUTH);
	expect_from(IPSEC_ERROR, IPSEC_ERROR_NO_PROPOSAL_CHOSEN, L2TP_VPN_ERROR_IPSEC_PROPOSAL);
	expect_from(IPSEC_ERROR, IPSEC_ERROR_PEER_UNREACHABLE, L2TP_VPN_ERROR_UNREACHABLE);
	expect_from(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, L2TP_VPN_ERROR_TIMEOUT);
	expect_from(L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED, L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED);
}

static void expect_to(GQuark domain, int code, int local_code)
{
	g_autoptr(GError) received = g_error_new_literal(domain, code, "x");
	g_autoptr(GError) local = l2tpvpn_dbus_error_to_local(received);

	g_assert_error(local, L2TP_VPN_ERROR, local_code);
}

static void test_client_side(void)
{
	expect_to(L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_NOT_AUTHORIZED, L2TP_VPN_ERROR_PERMISSION);
	expect_to(L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE, L2TP_VPN_ERROR_INVALID_CONFIG);
	expect_to(L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_INVALID_ARGS, L2TP_VPN_ERROR_INVALID_CONFIG);
	expect_to(G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN, L2TP_VPN_ERROR_NOT_RUNNING);
	expect_to(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, L2TP_VPN_ERROR_PERMISSION);
	expect_to(G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY, L2TP_VPN_ERROR_TIMEOUT);
}

/* ---- secrets from the call ------------------------------------------------------------- */

static GVariant *dict(const char *const *pairs)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
	for (guint i = 0; pairs[i]; i += 2)
		g_variant_builder_add(&b, "{ss}", pairs[i], pairs[i + 1]);
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void free_secrets(L2tpVpnSecret *s[L2TPVPN_SECRET_N_KINDS])
{
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		l2tpvpn_secret_free(s[k]);
}

static void expect_invalid(const char *const *pairs)
{
	g_autoptr(GVariant) d = dict(pairs);
	L2tpVpnSecret *s[L2TPVPN_SECRET_N_KINDS];
	g_autoptr(GError) error = NULL;

	g_assert_false(vpnd_parse_secrets(d, s, &error));
	g_assert_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_INVALID_ARGS);
	/* The refusal never repeats what was sent. */
	for (guint i = 0; pairs[i]; i += 2)
		if (pairs[i + 1][0])
			g_assert_null(strstr(error->message, pairs[i + 1]));
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		g_assert_null(s[k]);
}

static void test_parse_secrets(void)
{
	static const char *const good[] = {"psk", "sesame", "ppp-password", "hunter2", NULL};
	g_autoptr(GVariant) d = dict(good);
	L2tpVpnSecret *s[L2TPVPN_SECRET_N_KINDS];
	g_autofree char *big = g_strnfill(VPND_MAX_SECRET_BYTES + 1, 'a');
	const char *too_big[] = {"psk", big, NULL};
	const char *many[2 * (VPND_MAX_SECRETS + 1) + 1] = {NULL};

	g_assert_true(vpnd_parse_secrets(d, s, NULL));
	g_assert_cmpstr(l2tpvpn_secret_get(s[L2TPVPN_SECRET_PSK]), ==, "sesame");
	g_assert_cmpstr(l2tpvpn_secret_get(s[L2TPVPN_SECRET_PPP_PASSWORD]), ==, "hunter2");
	g_assert_null(s[L2TPVPN_SECRET_L2TP_SECRET]);
	free_secrets(s);

	expect_invalid((const char *const[]){"pks", "typo-secret", NULL});
	expect_invalid((const char *const[]){"psk", "", NULL});
	expect_invalid((const char *const[]){"psk", "two\nlines", NULL});
	expect_invalid((const char *const[]){"psk", "once", "psk", "twice", NULL});
	expect_invalid(too_big);
	for (guint i = 0; i < VPND_MAX_SECRETS + 1; i++) {
		many[2 * i] = "psk";
		many[2 * i + 1] = "value-of-many";
	}
	expect_invalid(many);
}

static L2tpVpnProfile *test_profile(void)
{
	static const char text[] = "[connection]\ngateway=192.0.2.1\n[ipsec]\npsk-source=ask\n"
				   "[ppp]\nuser=alice\npassword-source=libsecret\n";
	g_autoptr(GError) error = NULL;
	L2tpVpnProfile *p = l2tpvpn_profile_load_data(text, strlen(text), "test.conf", "test", &error);

	g_assert_no_error(error);
	return p;
}

static void test_missing_secrets_named_at_once(void)
{
	L2tpVpnSecret *none[L2TPVPN_SECRET_N_KINDS] = {NULL};
	g_autoptr(L2tpVpnProfile) p = test_profile();
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) received = NULL;

	g_assert_false(vpnd_resolve_secrets(p, none, &error));
	g_assert_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED);
	g_assert_cmpstr(error->message, ==, "missing secrets: psk ppp-password");
	/* The client reads the kinds back from what it receives. */
	received = over_the_wire(error);
	g_assert_cmpuint(l2tpvpn_dbus_error_missing_secrets(received), ==,
			 (1u << L2TPVPN_SECRET_PSK) | (1u << L2TPVPN_SECRET_PPP_PASSWORD));
}

static void test_given_secrets_resolve(void)
{
	L2tpVpnSecret *given[L2TPVPN_SECRET_N_KINDS] = {NULL};
	g_autoptr(L2tpVpnProfile) p = test_profile();
	g_autoptr(L2tpVpnProfile) partial = test_profile();
	g_autoptr(GError) error = NULL;

	given[L2TPVPN_SECRET_PSK] = l2tpvpn_secret_new("sesame", 6);
	g_assert_false(vpnd_resolve_secrets(partial, given, &error));
	g_assert_cmpstr(error->message, ==, "missing secrets: ppp-password");
	g_clear_error(&error);
	/* A libsecret-sourced secret comes from the caller: the daemon cannot reach a user's keyring. */
	given[L2TPVPN_SECRET_PPP_PASSWORD] = l2tpvpn_secret_new("hunter2", 7);
	g_assert_true(vpnd_resolve_secrets(p, given, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, "sesame");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PPP_PASSWORD), ==, "hunter2");
	free_secrets(given);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/errors/classes-round-trip", test_classes_round_trip);
	g_test_add_func("/errors/names", test_names);
	g_test_add_func("/errors/profile-and-layer", test_profile_and_layer_errors);
	g_test_add_func("/errors/client-side", test_client_side);
	g_test_add_func("/secrets/parse", test_parse_secrets);
	g_test_add_func("/secrets/missing-named-at-once", test_missing_secrets_named_at_once);
	g_test_add_func("/secrets/given-resolve", test_given_secrets_resolve);
	return g_test_run();
}
