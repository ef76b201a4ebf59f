/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for client/profile: parsing, errors with file:line, secrets, masking, conversions. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "profile.h"

char *l2tpvpn_profile_unescape_for_test(const char *raw);

static const char *source_root;
static char *tmpdir;

static L2tpVpnProfile *parse(const char *text, GError **error)
{
	return l2tpvpn_profile_load_data(text, strlen(text), "/etc/l2tp-vpn/test.conf", NULL, error);
}

/* Asserts a parse error with @code whose message starts "test.conf:LINE: " (LINE 0: no line) and contains
 * @needle. */
static void expect_error(const char *text, int code, guint line, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) p = parse(text, &error);

	if (!p && error && g_test_verbose())
		g_test_message("%s", error->message);
	g_assert_null(p);
	g_assert_nonnull(error);
	if (!g_error_matches(error, L2TPVPN_PROFILE_ERROR, code))
		g_error("expected %s, got %s: %s\n--- text:\n%s", l2tpvpn_profile_error_code_name(code),
			l2tpvpn_profile_error_code_name(error->code), error->message, text);
	g_autofree char *prefix = line ? g_strdup_printf("/etc/l2tp-vpn/test.conf:%u: ", line)
				       : g_strdup("/etc/l2tp-vpn/test.conf: ");
	if (!g_str_has_prefix(error->message, prefix))
		g_error("expected prefix “%s” in “%s”\n--- text:\n%s", prefix, error->message, text);
	if (needle && !strstr(error->message, needle))
		g_error("expected “%s” in “%s”\n--- text:\n%s", needle, error->message, text);
}

static const char *const minimal = "[connection]\n"
				   "gateway=HOST-OR-IP.example\n"
				   "[ipsec]\n"
				   "psk=SECRET1\n"
				   "[ppp]\n"
				   "user=NAME\n"
				   "password=SECRET2\n";

/* ---- the exact keys external scripts use ---------------------------------- */

static void test_exact_keys(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) p = parse(minimal, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(p->name, ==, "test");
	g_assert_cmpstr(p->gateway, ==, "HOST-OR-IP.example");
	g_assert_cmpstr(p->user, ==, "NAME");
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PSK].source, ==, L2TPVPN_SECRET_SOURCE_INLINE);
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, "SECRET1");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PPP_PASSWORD), ==, "SECRET2");
	/* Nothing to ask for: resolving needs no callback. */
	g_assert_true(l2tpvpn_profile_resolve_secrets(p, NULL, NULL, &error));
	g_assert_no_error(error);

	/* A numeric gateway and surrounding whitespace are fine too. */
	const char *text =
	    "  [connection]\t\n gateway = 192.0.2.7\r\n[ipsec]\npsk =  k e y\n[ppp]\nuser=u\npassword=p\n";
	g_autoptr(L2tpVpnProfile) q = parse(text, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(q->gateway, ==, "192.0.2.7");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(q, L2TPVPN_SECRET_PSK), ==, "k e y");
}

/* ---- every key with a valid value ---------------------------------------- */

static const char *const full = "# every key\n"
				"[connection]\n"
				"gateway=vpn.example.com\n"
				"description=Office\n"
				"autoconnect=yes\n"
				"local-address=192.0.2.10\n"
				"[ipsec]\n"
				"enabled=yes\n"
				"auth=psk\n"
				"psk=\\sleading space and tab\\t\n"
				"mode=aggressive\n"
				"local-id=laptop@example.com\n"
				"remote-id=vpn.example.com\n"
				"proposals=aes256-sha1-modp2048, aes128-sha1-modp1024\n"
				"esp-proposals=aes256-sha1;aes128-sha1\n"
				"pfs=on\n"
				"nat-traversal=force\n"
				"dpd=2m\n"
				"ike-lifetime=8h\n"
				"sa-lifetime=3600s\n"
				"timeout=90\n"
				"vici-socket=/run/test/charon.vici\n"
				"[l2tp]\n"
				"port=1702\n"
				"source-port=ephemeral\n"
				"host-name=laptop\n"
				"vendor-name=ACME\n"
				"secret=tunnelsecret\n"
				"hide-avps=yes\n"
				"hello-interval=off\n"
				"retries=7\n"
				"window=4\n"
				"rx-connect-speed=true\n"
				"connect-speed=54000000\n"
				"timeout=45s\n"
				"[ppp]\n"
				"user=alice\n"
				"password-file=/etc/l2tp-vpn/test.pw\n"
				"auth=chap, MSCHAPv2\n"
				"mtu=1380\n"
				"mru=1360\n"
				"mppe=no\n"
				"lcp-echo-interval=0\n"
				"lcp-echo-failure=9\n"
				"interface-name=vpn0\n"
				"pppd=/opt/ppp/sbin/pppd\n"
				"debug=1\n"
				"[routes]\n"
				"mode=never-default\n"
				"routes=10.0.0.0/8,192.168.10.0/24\n"
				"[dns]\n"
				"mode=resolvconf\n"
				"servers=10.0.0.53, 10.0.0.54\n"
				"domains=corp.example.com;example.internal\n"
				"use-peer-dns=no\n";

static void test_every_key(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) p = parse(full, &error);
	char buf[64];

	g_assert_no_error(error);
	g_assert_cmpstr(p->description, ==, "Office");
	g_assert_true(p->autoconnect);
	g_assert_cmpstr(p->local_address, ==, "192.0.2.10");
	g_assert_true(p->ipsec_enabled);
	g_assert_cmpint(p->ipsec_auth, ==, IPSEC_AUTH_PSK);
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, " leading space and tab\t");
	g_assert_true(p->aggressive);
	g_assert_cmpstr(p->local_id, ==, "laptop@example.com");
	g_assert_cmpstr(p->remote_id, ==, "vpn.example.com");
	g_assert_null(p->proposal_preset);
	g_assert_cmpstr(p->ike_proposals, ==, "aes256-sha1-modp2048,aes128-sha1-modp1024");
	g_assert_cmpstr(p->esp_proposals, ==, "aes256-sha1,aes128-sha1");
	g_assert_true(p->pfs);
	g_assert_cmpint(p->nat_t, ==, IPSEC_NAT_T_FORCED);
	g_assert_cmpuint(p->dpd_s, ==, 120);
	g_assert_cmpuint(p->ike_lifetime_s, ==, 8 * 3600);
	g_assert_cmpuint(p->sa_lifetime_s, ==, 3600);
	g_assert_cmpuint(p->ipsec_timeout_s, ==, 90);
	g_assert_cmpstr(p->vici_uri, ==, "unix:///run/test/charon.vici");
	g_assert_cmpuint(p->l2tp_port, ==, 1702);
	g_assert_cmpint(p->source_port, ==, L2TP_PORT_POLICY_EPHEMERAL);
	g_assert_cmpstr(p->host_name, ==, "laptop");
	g_assert_cmpstr(p->vendor_name, ==, "ACME");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_L2TP_SECRET), ==, "tunnelsecret");
	g_assert_true(p->hide_avps);
	g_assert_cmpuint(p->hello_interval_s, ==, 0);
	g_assert_cmpuint(p->retries, ==, 7);
	g_assert_cmpuint(p->window, ==, 4);
	g_assert_true(p->rx_connect_speed);
	g_assert_cmpuint(p->connect_speed_bps, ==, 54000000);
	g_assert_cmpuint(p->l2tp_timeout_s, ==, 45);
	g_assert_cmpstr(p->user, ==, "alice");
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].source, ==, L2TPVPN_SECRET_SOURCE_FILE);
	g_assert_cmpstr(p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].file, ==, "/etc/l2tp-vpn/test.pw");
	g_assert_cmpuint(p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].line, ==, 38);
	g_assert_cmpuint(p->auth, ==, L2TP_PPP_AUTH_CHAP | L2TP_PPP_AUTH_MSCHAP_V2);
	g_assert_cmpuint(p->mtu, ==, 1380);
	g_assert_cmpuint(p->mru, ==, 1360);
	g_assert_false(p->mppe);
	g_assert_cmpuint(p->lcp_echo_interval, ==, 0);
	g_assert_cmpuint(p->lcp_echo_failure, ==, 9);
	g_assert_cmpstr(l2tpvpn_profile_ifname(p), ==, "vpn0");
	g_assert_cmpstr(p->pppd_path, ==, "/opt/ppp/sbin/pppd");
	g_assert_true(p->ppp_debug);
	g_assert_cmpint(p->route_mode, ==, L2TP_NET_NEVER_DEFAULT);
	g_assert_cmpuint(p->routes->len, ==, 2);
	L2tpNetPrefix *r1 = &g_array_index(p->routes, L2tpNetPrefix, 1);
	g_assert_cmpstr(inet_ntop(AF_INET, &r1->addr, buf, sizeof(buf)), ==, "192.168.10.0");
	g_assert_cmpuint(r1->plen, ==, 24);
	g_assert_cmpint(p->dns_mode, ==, L2TPVPN_DNS_RESOLVCONF);
	g_assert_cmpuint(p->n_dns_servers, ==, 2);
	g_assert_cmpstr(inet_ntop(AF_INET, &p->dns_servers[1], buf, sizeof(buf)), ==, "10.0.0.54");
	g_assert_cmpuint(g_strv_length(p->dns_domains), ==, 2);
	g_assert_cmpstr(p->dns_domains[1], ==, "example.internal");
	g_assert_false(p->use_peer_dns);

	/* Defaults. */
	g_autoptr(L2tpVpnProfile) d = parse(minimal, &error);
	g_assert_no_error(error);
	g_assert_false(d->autoconnect);
	g_assert_true(d->ipsec_enabled);
	g_assert_false(d->aggressive);
	g_assert_null(d->proposal_preset);
	g_assert_null(d->ike_proposals);
	g_assert_cmpuint(d->dpd_s, ==, 30);
	g_assert_cmpuint(d->l2tp_port, ==, 1701);
	g_assert_cmpint(d->source_port, ==, L2TP_PORT_POLICY_1701_OR_EPHEMERAL);
	g_assert_cmpuint(d->auth, ==, L2TP_PPP_AUTH_ALL);
	g_assert_cmpuint(d->mtu, ==, 1400);
	g_assert_cmpint(d->route_mode, ==, L2TP_NET_FULL_TUNNEL);
	g_assert_cmpint(d->dns_mode, ==, L2TPVPN_DNS_AUTO);
	g_assert_true(d->use_peer_dns);
	g_assert_cmpstr(l2tpvpn_profile_ifname(d), ==, "l2tp-test");
}

/* ---- a bad value for every key: code, file:line, message ------------------ */

/*
 * The base profile; the case's line goes right after its group's header (so
 * at that header's line + 1), replacing a base line with the same key.
 */
static const struct {
	const char *group;
	guint header_line;
	const char *base[3];
} base_groups[] = {
    {"connection", 1, {"gateway=vpn.example.com"}}, {"ipsec", 3, {"psk=k"}}, {"l2tp", 5, {NULL}},
    {"ppp", 6, {"user=u", "password=p"}},           {"routes", 9, {NULL}},   {"dns", 10, {NULL}},
};

static char *build(const char *group, const char *line, guint *at)
{
	GString *s = g_string_new(NULL);
	guint n = 0;
	g_autofree char *key = g_strndup(line, strcspn(line, "="));

	for (gsize g = 0; g < G_N_ELEMENTS(base_groups); g++) {
		g_string_append_printf(s, "[%s]\n", base_groups[g].group);
		n++;
		if (!strcmp(group, base_groups[g].group)) {
			g_string_append_printf(s, "%s\n", line);
			*at = ++n;
		}
		for (gsize i = 0; i < G_N_ELEMENTS(base_groups[g].base) && base_groups[g].base[i]; i++) {
			if (!strcmp(group, base_groups[g].group) &&
			    g_str_has_prefix(base_groups[g].base[i], key) &&
			    base_groups[g].base[i][strlen(key)] == '=')
				continue;
			g_string_append_printf(s, "%s\n", base_groups[g].base[i]);
			n++;
		}
	}
	return g_string_free(s, FALSE);
}

static const struct {
	const char *group, *line;
	int code;
	const char *needle;
} bad_values[] = {
    {"connection", "gateway=vpn example.com", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "neither an IP address nor a host name"},
    {"connection", "gateway=10.0.0.256", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "“10.0.0.256” is neither"},
    {"connection", "description=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "1 to 255 characters"},
    {"connection", "autoconnect=maybe", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "“maybe” is not a boolean"},
    {"connection", "local-address=1.2.3", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a numeric IPv4 or IPv6"},
    {"ipsec", "enabled=sometimes", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "[ipsec] enabled: “sometimes” is not a boolean"},
    {"ipsec", "auth=pks", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "not one of: psk, certificate (did you mean “psk”?)"},
    {"ipsec", "psk=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "[ipsec] psk: empty secret"},
    {"ipsec", "psk=bad\\escape", L2TPVPN_PROFILE_ERROR_SYNTAX, "[ipsec] psk: invalid escape sequence"},
    {"ipsec", "psk-file=relative/psk", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"ipsec", "psk-source=keyring", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not one of: libsecret, ask"},
    {"ipsec", "mode=agressive", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "(did you mean “aggressive”?)"},
    {"ipsec", "local-id=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "[ipsec] local-id: must be 1 to 255"},
    {"ipsec", "remote-id=a\\nb", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "control character"},
    {"ipsec", "certificate=cert.pem", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "“cert.pem” is not an absolute path"},
    {"ipsec", "private-key=key.pem", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"ipsec", "private-key-password=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "empty secret"},
    {"ipsec", "private-key-password-file=pw", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"ipsec", "private-key-password-source=prompt", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "not one of: libsecret, ask"},
    {"ipsec", "ca-certificate=ca.pem", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"ipsec", "proposals=windos", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "unknown proposal preset “windos” (did you mean “windows”?)"},
    {"ipsec", "proposals=aes256-sha1-modp2048,aes$", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "“aes$” is not an IKE proposal"},
    {"ipsec", "esp-proposals=aes256 sha1", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an ESP proposal list"},
    {"ipsec", "pfs=2", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
    {"ipsec", "nat-traversal=forced", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "not one of: auto, force (did you mean “force”?)"},
    {"ipsec", "dpd=-1", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a duration from 0 to 3600 seconds"},
    {"ipsec", "ike-lifetime=8 weeks", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a duration"},
    {"ipsec", "sa-lifetime=8d", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 0 to 604800 seconds"},
    {"ipsec", "timeout=1", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 5 to 600 seconds"},
    {"ipsec", "vici-socket=tcp://192.0.2.1", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not unix:///PATH"},
    {"l2tp", "port=70000", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "“70000” is not a whole number from 1 to 65535"},
    {"l2tp", "source-port=1702", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not one of: auto, 1701, ephemeral"},
    {"l2tp", "host-name=a\\tb", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "[l2tp] host-name: contains a control character"},
    {"l2tp", "vendor-name=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "1 to 255"},
    {"l2tp", "secret=a\\q", L2TPVPN_PROFILE_ERROR_SYNTAX, "invalid escape sequence"},
    {"l2tp", "secret-file=secret", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"l2tp", "secret-source=kwallet", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not one of: libsecret, ask"},
    {"l2tp", "hide-avps=yess", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
    {"l2tp", "hello-interval=2h", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "“2h” is not a duration from 0 to 3600"},
    {"l2tp", "retries=0", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 1 to 20"},
    {"l2tp", "window=17", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 1 to 16"},
    {"l2tp", "rx-connect-speed=x", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
    {"l2tp", "connect-speed=0", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 1 to 4294967295"},
    {"l2tp", "timeout=11m", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 5 to 600"},
    {"ppp", "user=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "[ppp] user: must be 1 to 255"},
    {"ppp", "password=", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "[ppp] password: empty secret"},
    {"ppp", "password-file=~/pw", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "“~/pw” is not an absolute path"},
    {"ppp", "password-source=stdin", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not one of: libsecret, ask"},
    {"ppp", "auth=pap,mschapv3", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "unknown method “mschapv3” (did you mean “mschapv2”?)"},
    {"ppp", "auth=,", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "no method listed"},
    {"ppp", "mtu=100", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 128 to 9000"},
    {"ppp", "mru=9001", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 128 to 9000"},
    {"ppp", "mppe=x", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
    {"ppp", "lcp-echo-interval=1h1m", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a duration"},
    {"ppp", "lcp-echo-failure=0", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "from 1 to 100"},
    {"ppp", "interface-name=l2tp/x", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an interface name"},
    {"ppp", "interface-name=a-very-long-ifname", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "1 to 15"},
    {"ppp", "pppd=pppd", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an absolute path"},
    {"ppp", "debug=x", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
    {"routes", "mode=splitt", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "(did you mean “split”?)"},
    {"routes", "routes=10.0.0.1/8", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "“10.0.0.1/8” is not an IPv4 prefix"},
    {"routes", "routes=10.0.0.0/33", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not an IPv4 prefix"},
    {"dns", "mode=systemd", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "not one of: auto, resolved, resolvconf, file, off"},
    {"dns", "servers=1.1.1.1,8.8.8.8,9.9.9.9,1.0.0.1", L2TPVPN_PROFILE_ERROR_INVALID_VALUE,
     "more than 3 servers"},
    {"dns", "servers=dns.google", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "“dns.google” is not an IPv4 address"},
    {"dns", "domains=bad domain", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a DNS domain"},
    {"dns", "use-peer-dns=x", L2TPVPN_PROFILE_ERROR_INVALID_VALUE, "not a boolean"},
};

static void test_bad_values(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(bad_values); i++) {
		guint at = 0;
		g_autofree char *text = build(bad_values[i].group, bad_values[i].line, &at);
		expect_error(text, bad_values[i].code, at, bad_values[i].needle);
	}
	/* Every key of the schema has at least one bad-value case. */
	g_auto(GStrv) known = l2tpvpn_profile_known_keys();
	for (char **k = known; *k; k++) {
		gboolean covered = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(bad_values) && !covered; i++) {
			g_autofree char *gk =
			    g_strdup_printf("%s.%.*s", bad_values[i].group,
					    (int)strcspn(bad_values[i].line, "="), bad_values[i].line);
			covered = !strcmp(gk, *k);
		}
		if (!covered)
			g_error("no bad-value test for %s", *k);
	}
}

/* ---- unknown groups and keys, did-you-mean --------------------------------- */

static void test_did_you_mean(void)
{
	g_assert_cmpuint(l2tpvpn_edit_distance("password", "pasword"), ==, 1);
	g_assert_cmpuint(l2tpvpn_edit_distance("psk", "pks"), ==, 1); /* transposition */
	g_assert_cmpuint(l2tpvpn_edit_distance("GATEWAY", "gateway"), ==, 0);
	g_assert_cmpuint(l2tpvpn_edit_distance("", "abc"), ==, 3);

	expect_error("[connection]\ngateway=x.example\n[ppp]\nuser=u\npasword=p\n",
		     L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, 5,
		     "unknown key “pasword” in [ppp] (did you mean “password”?)");
	expect_error("[connection]\ngatway=x.example\n", L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, 2,
		     "(did you mean “gateway”?)");
	/* A key of another group. */
	expect_error("[connection]\ngateway=x.example\n[ppp]\nuser=u\npsk=p\n",
		     L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, 5, "(did you mean [ipsec] psk?)");
	/* Nothing close: the known keys are listed. */
	expect_error("[dns]\nfrobnicate=1\n", L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, 2,
		     "(known: mode, servers, domains, use-peer-dns)");
	expect_error("[ppp]\nuser[de]=u\n", L2TPVPN_PROFILE_ERROR_UNKNOWN_KEY, 2, "localized keys");
	/* Unknown groups. */
	expect_error("[connection]\ngateway=x.example\n\n[ipsex]\npsk=1\n",
		     L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP, 4, "unknown group [ipsex] (did you mean [ipsec]?)");
	expect_error("# c\n[vpn-settings]\n", L2TPVPN_PROFILE_ERROR_UNKNOWN_GROUP, 2,
		     "(known: [connection] [ipsec] [l2tp] [ppp] [routes] [dns])");
}

/* ---- structure ------------------------------------------------------------- */

static void test_duplicates(void)
{
	expect_error("[connection]\ngateway=a.example\n# again\ngateway=b.example\n",
		     L2TPVPN_PROFILE_ERROR_DUPLICATE, 4,
		     "[connection] gateway is given twice (first at line 2)");
	expect_error("[ppp]\nuser=u\n[dns]\n[ppp]\npassword=p\n", L2TPVPN_PROFILE_ERROR_DUPLICATE, 4,
		     "group [ppp] appears twice (first at line 1)");
	/* Same key name in different groups is fine. */
	g_autoptr(GError) error = NULL;
	g_autofree char *text =
	    g_strconcat(minimal, "[l2tp]\ntimeout=30\n[routes]\nmode=full\n[dns]\nmode=off\n", NULL);
	g_autoptr(L2tpVpnProfile) p = parse(text, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(p->l2tp_timeout_s, ==, 30);
}

static void test_syntax(void)
{
	expect_error("gateway=x\n[connection]\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 1, "before any [group]");
	expect_error("[connection]\ngateway x.example\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 2,
		     "is not a key=value pair");
	expect_error("[connection\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 1, "without a closing “]”");
	expect_error("[connection] x\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 1, "text after the group header");
	expect_error("\n\n[]\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 3, "empty group name");
	expect_error("[connection]\n=x\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 2, "without a key name");
	expect_error("[connection]\ngateway=\xff\xfe\n", L2TPVPN_PROFILE_ERROR_SYNTAX, 2, "not valid UTF-8");

	g_autoptr(GError) error = NULL;
	const char nul[] = "[connection]\ngateway=a\0b\n";
	g_assert_null(l2tpvpn_profile_load_data(nul, sizeof(nul) - 1, "/x/test.conf", NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SYNTAX);
	g_assert_true(g_str_has_prefix(error->message, "/x/test.conf:2: contains a NUL byte"));
	g_clear_error(&error);

	g_autofree char *big = g_malloc0(L2TPVPN_PROFILE_MAX_BYTES + 2);
	memset(big, '#', L2TPVPN_PROFILE_MAX_BYTES + 1);
	g_assert_null(
	    l2tpvpn_profile_load_data(big, L2TPVPN_PROFILE_MAX_BYTES + 1, "/x/test.conf", NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO);
}

static void test_missing_and_conflicts(void)
{
	/* Missing required keys name the group's line, or only the file without the group. */
	expect_error("[ipsec]\npsk=k\n[ppp]\nuser=u\n", L2TPVPN_PROFILE_ERROR_MISSING, 0,
		     "[connection] gateway is required");
	expect_error("[connection]\ngateway=x.example\n[ipsec]\npsk=k\n[ppp]\npassword=p\n",
		     L2TPVPN_PROFILE_ERROR_MISSING, 5, "[ppp] user is required");
	expect_error("[connection]\ngateway=x.example\n[ipsec]\npsk=k\nmode=aggressive\n[ppp]\nuser=u\n",
		     L2TPVPN_PROFILE_ERROR_MISSING, 5, "needs [ipsec] local-id");
	expect_error(
	    "[connection]\ngateway=x.example\n[ipsec]\nauth=certificate\ncertificate=/c.pem\n[ppp]\nuser=u\n",
	    L2TPVPN_PROFILE_ERROR_MISSING, 4, "needs ca-certificate=");
	expect_error("[connection]\ngateway=x.example\n[ipsec]\nauth=certificate\n[ppp]\nuser=u\n",
		     L2TPVPN_PROFILE_ERROR_MISSING, 4, "needs certificate=");
	expect_error("[connection]\ngateway=x.example\n[ppp]\nuser=u\n[routes]\nmode=split\n",
		     L2TPVPN_PROFILE_ERROR_MISSING, 6, "a split tunnel needs [routes] routes=");

	expect_error("[connection]\ngateway=x.example\n[ipsec]\npsk=k\npsk-file=/etc/k\n[ppp]\nuser=u\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 5,
		     "the IPsec pre-shared key is already given at line 4");
	expect_error("[connection]\ngateway=x.example\n[ppp]\npassword-source=ask\nuser=u\npassword=p\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 6, "already given at line 4");
	expect_error(
	    "[connection]\ngateway=x.example\n[ipsec]\ncertificate=/c.pem\npsk=k\nca-certificate=/ca.pem\n"
	    "[ppp]\nuser=u\n",
	    L2TPVPN_PROFILE_ERROR_CONFLICT, 5, "a pre-shared key is given, but auth=certificate");
	expect_error(
	    "[connection]\ngateway=x.example\n[ipsec]\nauth=psk\ncertificate=/c.pem\n[ppp]\nuser=u\n",
	    L2TPVPN_PROFILE_ERROR_CONFLICT, 5, "only used with auth=certificate");
	expect_error("[connection]\ngateway=x.example\n[ipsec]\nprivate-key-password=x\n[ppp]\nuser=u\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 4, "only used with auth=certificate");
	expect_error("[connection]\ngateway=x.example\n[l2tp]\nhide-avps=yes\n[ppp]\nuser=u\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 4, "hiding AVPs needs the tunnel secret");
	expect_error("[connection]\ngateway=x.example\n[ppp]\nuser=u\nmppe=yes\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 5, "MPPE is refused while IPsec protects the tunnel");
	expect_error(
	    "[connection]\ngateway=x.example\n[ipsec]\nenabled=no\n[ppp]\nuser=u\nmppe=yes\nauth=pap,chap\n",
	    L2TPVPN_PROFILE_ERROR_CONFLICT, 7, "allow mschap or mschapv2");
	expect_error(
	    "[connection]\ngateway=x.example\n[ppp]\nuser=u\n[routes]\nmode=full\nroutes=10.0.0.0/8\n",
	    L2TPVPN_PROFILE_ERROR_CONFLICT, 7, "a full tunnel already routes everything");
	expect_error("[connection]\ngateway=x.example\n[ppp]\nuser=u\n[dns]\nservers=10.0.0.1\nmode=off\n",
		     L2TPVPN_PROFILE_ERROR_CONFLICT, 6, "[dns] servers: has no effect with [dns] mode=off");

	/* Plain L2TP with MPPE: allowed, and no PSK is needed then. */
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) p =
	    parse("[connection]\ngateway=x.example\n[ipsec]\nenabled=no\n[ppp]\nuser=u\n"
		  "password=p\nmppe=yes\nauth=mschapv2\n",
		  &error);
	g_assert_no_error(error);
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PSK].source, ==, L2TPVPN_SECRET_SOURCE_NONE);
	g_assert_true(l2tpvpn_profile_resolve_secrets(p, NULL, NULL, &error));
	g_assert_no_error(error);
	/* Routes alone mean split; a certificate alone means auth=certificate. */
	g_autoptr(L2tpVpnProfile) q =
	    parse("[connection]\ngateway=x.example\n[ipsec]\ncertificate=/c.p12\n"
		  "ca-certificate=/ca.pem\nprivate-key-password-source=ask\n[ppp]\nuser=u\n"
		  "[routes]\nroutes=10.1.0.0/16\n",
		  &error);
	g_assert_no_error(error);
	g_assert_cmpint(q->route_mode, ==, L2TP_NET_SPLIT_TUNNEL);
	g_assert_cmpint(q->ipsec_auth, ==, IPSEC_AUTH_CERT);
	g_assert_cmpint(q->secrets[L2TPVPN_SECRET_PSK].source, ==, L2TPVPN_SECRET_SOURCE_NONE);
}

/* ---- names, listing --------------------------------------------------------- */

static void test_names(void)
{
	static const char *const bad[] = {"../x",       ".hidden", "a/b", "",
					  "with space", "x\n",     "..",  "/etc/passwd"};
	g_autoptr(GError) error = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(l2tpvpn_profile_name_valid(bad[i], &error));
		g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME);
		g_clear_error(&error);
		g_autofree char *path = l2tpvpn_profile_path_for_name("/etc/l2tp-vpn", bad[i], &error);
		g_assert_null(path);
		g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME);
		g_clear_error(&error);
	}
	g_assert_false(l2tpvpn_profile_name_valid("x/../../etc/shadow", &error));
	g_assert_nonnull(strstr(error->message, "path separator"));
	g_clear_error(&error);
	g_assert_false(l2tpvpn_profile_name_valid(".hidden", &error));
	g_assert_nonnull(strstr(error->message, "starts with a dot"));
	g_clear_error(&error);

	g_autofree char *n64 = g_strnfill(64, 'a');
	g_autofree char *n65 = g_strnfill(65, 'a');
	g_assert_true(l2tpvpn_profile_name_valid(n64, NULL));
	g_assert_false(l2tpvpn_profile_name_valid(n65, &error));
	g_assert_nonnull(strstr(error->message, "longer than 64"));
	g_clear_error(&error);
	g_assert_true(l2tpvpn_profile_name_valid("Office_2.eu-west", NULL));
	g_autofree char *path = l2tpvpn_profile_path_for_name("/etc/l2tp-vpn", "work", &error);
	g_assert_cmpstr(path, ==, "/etc/l2tp-vpn/work.conf");

	/* A file whose name is not a valid profile name cannot be loaded by its derived name. */
	g_assert_null(l2tpvpn_profile_load_data(minimal, strlen(minimal), "/tmp/my vpn.conf", NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME);
	g_clear_error(&error);

	/* Names longer than the IPsec layer's 32 characters or with dots still map to usable settings. */
	g_autoptr(L2tpVpnProfile) p = l2tpvpn_profile_load_data(minimal, strlen(minimal), "x", n64, &error);
	g_assert_no_error(error);
	IpsecSettings s;
	l2tpvpn_profile_ipsec_settings(p, &s);
	g_assert_cmpuint(strlen(s.profile), ==, 32);
	g_assert_cmpuint(strlen(l2tpvpn_profile_ifname(p)), ==, 15);
	g_assert_true(g_str_has_prefix(l2tpvpn_profile_ifname(p), "l2tp-aaaaa-"));
	g_assert_true(l2tp_ppp_ifname_valid(l2tpvpn_profile_ifname(p)));
	/* Long names with a common prefix get different interfaces. */
	g_autoptr(L2tpVpnProfile) b1 =
	    l2tpvpn_profile_load_data(minimal, strlen(minimal), "x", "office-berlin", &error);
	g_autoptr(L2tpVpnProfile) b2 =
	    l2tpvpn_profile_load_data(minimal, strlen(minimal), "x", "office-bern", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_profile_ifname(b1), !=, l2tpvpn_profile_ifname(b2));
	g_assert_true(l2tp_ppp_ifname_valid(l2tpvpn_profile_ifname(b1)));
	g_autoptr(L2tpVpnProfile) b3 =
	    l2tpvpn_profile_load_data(minimal, strlen(minimal), "x", "0123456789", &error);
	g_assert_cmpstr(l2tpvpn_profile_ifname(b3), ==, "l2tp-0123456789");
	g_autoptr(L2tpVpnProfile) q =
	    l2tpvpn_profile_load_data(minimal, strlen(minimal), "x", "eu.west", &error);
	g_assert_no_error(error);
	l2tpvpn_profile_ipsec_settings(q, &s);
	g_assert_cmpstr(s.profile, ==, "eu_west");
	g_assert_true(l2tp_ppp_ifname_valid(l2tpvpn_profile_ifname(q)));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
	g_assert_cmpint(chmod(path, mode), ==, 0);
}

static void test_list(void)
{
	g_autofree char *dir = g_build_filename(tmpdir, "list", NULL);
	g_autoptr(GError) error = NULL;
	static const char *const files[] = {"work.conf", "alpha.conf", ".hidden.conf", "bad name.conf",
					    "notes.txt", "b.conf.bak", ".conf"};

	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *path = g_build_filename(dir, files[i], NULL);
		write_file(path, minimal, 0600);
	}
	g_autofree char *subdir = g_build_filename(dir, "sub.conf", NULL);
	g_assert_cmpint(g_mkdir(subdir, 0700), ==, 0);

	g_auto(GStrv) names = l2tpvpn_profile_list(dir, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(names), ==, 2);
	g_assert_cmpstr(names[0], ==, "alpha");
	g_assert_cmpstr(names[1], ==, "work");

	g_autofree char *missing = g_build_filename(tmpdir, "no-such-dir", NULL);
	g_auto(GStrv) none = l2tpvpn_profile_list(missing, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(none), ==, 0);

	/* open(): a name is looked up in the directory, a path is read as is. */
	if (geteuid() != 0) {
		g_test_skip("profile files must be root-owned: needs root");
		return;
	}
	g_autoptr(L2tpVpnProfile) p = l2tpvpn_profile_open("work", dir, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(p->name, ==, "work");
	g_autofree char *path = g_build_filename(dir, "alpha.conf", NULL);
	g_autoptr(L2tpVpnProfile) q = l2tpvpn_profile_open(path, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(q->name, ==, "alpha");
	g_assert_cmpstr(q->path, ==, path);
	g_assert_null(l2tpvpn_profile_open("nothere", dir, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "l2tp-vpn list"));
	g_clear_error(&error);
	g_assert_null(l2tpvpn_profile_open(".hidden", dir, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_INVALID_NAME);
}

/* ---- permissions ------------------------------------------------------------- */

static void test_permissions(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "perm.conf", NULL);
	g_autoptr(GError) error = NULL;

	if (geteuid() != 0) {
		g_test_skip("chown to another user needs root");
		return;
	}
	write_file(path, minimal, 0644);
	g_assert_null(l2tpvpn_profile_load_file(path, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_PERMISSIONS);
	g_autofree char *fix = g_strdup_printf("chmod 600 %s", path);
	g_assert_nonnull(strstr(error->message, fix));
	g_assert_nonnull(strstr(error->message, "0644"));
	g_clear_error(&error);

	g_assert_cmpint(chmod(path, 0640), ==, 0);
	g_assert_null(l2tpvpn_profile_load_file(path, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_PERMISSIONS);
	g_clear_error(&error);

	g_assert_cmpint(chmod(path, 0600), ==, 0);
	g_assert_cmpint(chown(path, 4242, 4242), ==, 0);
	g_assert_null(l2tpvpn_profile_load_file(path, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_OWNER);
	g_autofree char *chown_fix = g_strdup_printf("chown root:root %s", path);
	g_assert_nonnull(strstr(error->message, chown_fix));
	g_assert_nonnull(strstr(error->message, "uid 4242"));
	g_clear_error(&error);

	g_assert_cmpint(chown(path, 0, 0), ==, 0);
	g_autoptr(L2tpVpnProfile) p = l2tpvpn_profile_load_file(path, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(p->name, ==, "perm");

	/* Errors from a file carry its path and line. */
	g_autofree char *badpath = g_build_filename(tmpdir, "bad.conf", NULL);
	write_file(badpath, "[connection]\ngateway=x.example\n[ppp]\nuser=u\nmtu=10\n", 0600);
	g_assert_null(l2tpvpn_profile_load_file(badpath, &error));
	g_autofree char *prefix = g_strdup_printf("%s:5: [ppp] mtu:", badpath);
	g_assert_true(g_str_has_prefix(error->message, prefix));
	g_clear_error(&error);

	g_assert_null(l2tpvpn_profile_load_file(tmpdir, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO);
	g_clear_error(&error);
	g_autofree char *missing = g_build_filename(tmpdir, "missing.conf", NULL);
	g_assert_null(l2tpvpn_profile_load_file(missing, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND);
}

/* ---- secrets --------------------------------------------------------------- */

static void test_secret_file(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "pw", NULL);
	g_autoptr(GError) error = NULL;

	write_file(path, "s3cret with spaces\n", 0600);
	g_autoptr(L2tpVpnSecret) s = l2tpvpn_secret_read_file(path, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_secret_get(s), ==, "s3cret with spaces");
	g_assert_cmpuint(l2tpvpn_secret_len(s), ==, 18);

	write_file(path, "crlf\r\n", 0600);
	g_autoptr(L2tpVpnSecret) c = l2tpvpn_secret_read_file(path, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_secret_get(c), ==, "crlf");

	write_file(path, "no-newline", 0600);
	g_autoptr(L2tpVpnSecret) n = l2tpvpn_secret_read_file(path, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_secret_get(n), ==, "no-newline");

	/* Only one newline is stripped: a second line is refused, not silently cut. */
	write_file(path, "two\n\n", 0600);
	g_assert_null(l2tpvpn_secret_read_file(path, FALSE, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID);
	g_clear_error(&error);
	write_file(path, "\n", 0600);
	g_assert_null(l2tpvpn_secret_read_file(path, FALSE, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID);
	g_assert_nonnull(strstr(error->message, "empty"));
	g_clear_error(&error);

	g_autofree char *missing = g_build_filename(tmpdir, "nope", NULL);
	g_assert_null(l2tpvpn_secret_read_file(missing, FALSE, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, missing));
	g_clear_error(&error);

	/* Through a profile: the file must be root-owned 0600 too. */
	if (geteuid() != 0) {
		g_test_skip("secret files must be root-owned: needs root");
		return;
	}
	write_file(path, "from-file\n", 0600);
	g_autofree char *text =
	    g_strdup_printf("[connection]\ngateway=x.example\n[ipsec]\npsk-file=%s\n[ppp]\n"
			    "user=u\npassword-file=%s\n",
			    path, missing);
	g_autoptr(L2tpVpnProfile) p = parse(text, &error);
	g_assert_no_error(error);
	g_assert_null(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK));
	g_assert_false(l2tpvpn_profile_resolve_secrets(p, NULL, NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "PPP password"));
	g_clear_error(&error);
	/* The PSK was read before the password failed. */
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, "from-file");

	g_autofree char *text2 =
	    g_strdup_printf("[connection]\ngateway=x.example\n[ipsec]\npsk-file=%s\n[ppp]\n"
			    "user=u\npassword=p\n",
			    path);
	g_assert_cmpint(chmod(path, 0644), ==, 0);
	g_autoptr(L2tpVpnProfile) q = parse(text2, &error);
	g_assert_no_error(error);
	g_assert_false(l2tpvpn_profile_resolve_secrets(q, NULL, NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_PERMISSIONS);
	g_assert_nonnull(strstr(error->message, "chmod 600"));
	g_clear_error(&error);
	g_assert_cmpint(chmod(path, 0600), ==, 0);
	g_assert_cmpint(chown(path, 4242, 0), ==, 0);
	g_assert_false(l2tpvpn_profile_resolve_secrets(q, NULL, NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_OWNER);
	g_clear_error(&error);
	g_assert_cmpint(chown(path, 0, 0), ==, 0);
	g_assert_true(l2tpvpn_profile_resolve_secrets(q, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_profile_get_secret(q, L2TPVPN_SECRET_PSK), ==, "from-file");
}

typedef struct {
	int calls;
	L2tpVpnSecretKind kinds[8];
	char *users[8];
	gboolean cancel;
} AskLog;

static L2tpVpnSecret *ask_cb(const L2tpVpnSecretRequest *req, gpointer user_data, GError **error)
{
	AskLog *log = user_data;

	g_assert_cmpstr(req->profile, ==, "test");
	g_assert_cmpstr(req->gateway, ==, "x.example");
	g_assert_cmpstr(req->description, ==, l2tpvpn_secret_kind_describe(req->kind));
	log->kinds[log->calls] = req->kind;
	log->users[log->calls] = g_strdup(req->user);
	log->calls++;
	if (log->cancel) {
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED,
			    "cancelled");
		return NULL;
	}
	g_autofree char *v = g_strdup_printf("typed-%s", l2tpvpn_secret_kind_name(req->kind));
	return l2tpvpn_secret_new(v, strlen(v));
}

static void test_secret_prompt(void)
{
	const char *text = "[connection]\ngateway=x.example\n[ipsec]\n[ppp]\nuser=bob\n";
	g_autoptr(GError) error = NULL;
	AskLog log = {0};

	g_autoptr(L2tpVpnProfile) p = parse(text, &error);
	g_assert_no_error(error);
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PSK].source, ==, L2TPVPN_SECRET_SOURCE_ASK);
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].source, ==, L2TPVPN_SECRET_SOURCE_ASK);

	/* Nobody to ask. */
	g_assert_false(l2tpvpn_profile_resolve_secrets(p, NULL, NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_NEEDED);
	g_assert_nonnull(strstr(error->message, "--password-stdin"));
	g_clear_error(&error);

	/* The user cancels: that error comes back, naming the secret. */
	log.cancel = TRUE;
	g_assert_false(l2tpvpn_profile_resolve_secrets(p, ask_cb, &log, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_CANCELLED);
	g_assert_nonnull(strstr(error->message, "IPsec pre-shared key"));
	g_clear_error(&error);
	g_assert_cmpint(log.calls, ==, 1);
	g_free(log.users[0]);

	log = (AskLog){0};
	g_assert_true(l2tpvpn_profile_resolve_secrets(p, ask_cb, &log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(log.calls, ==, 2);
	g_assert_cmpint(log.kinds[0], ==, L2TPVPN_SECRET_PSK);
	g_assert_null(log.users[0]);
	g_assert_cmpint(log.kinds[1], ==, L2TPVPN_SECRET_PPP_PASSWORD);
	g_assert_cmpstr(log.users[1], ==, "bob");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, "typed-psk");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PPP_PASSWORD), ==, "typed-ppp-password");
	for (int i = 0; i < log.calls; i++)
		g_free(log.users[i]);

	/* Resolved secrets are kept: a second resolve asks nothing. */
	log = (AskLog){0};
	g_assert_true(l2tpvpn_profile_resolve_secrets(p, ask_cb, &log, &error));
	g_assert_cmpint(log.calls, ==, 0);

	/* Conversions carry the resolved secrets. */
	IpsecSettings s;
	l2tpvpn_profile_ipsec_settings(p, &s);
	g_assert_cmpstr(s.psk, ==, "typed-psk");
	L2tpPppLaunch launch;
	l2tpvpn_profile_ppp_launch(p, &launch);
	g_assert_cmpstr(launch.password, ==, "typed-ppp-password");
}

static void test_secret_stdin(void)
{
	int fds[2];
	g_autoptr(GError) error = NULL;
	const char *input = "psk from stdin\npassword from stdin\nrest";

	g_assert_cmpint(pipe(fds), ==, 0);
	g_assert_cmpint(write(fds[1], input, strlen(input)), ==, (gssize)strlen(input));

	g_autoptr(L2tpVpnProfile) p = parse("[connection]\ngateway=x.example\n[ppp]\nuser=u\n", &error);
	g_assert_no_error(error);
	g_assert_true(
	    l2tpvpn_profile_resolve_secrets(p, l2tpvpn_secret_ask_fd, GINT_TO_POINTER(fds[0]), &error));
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PSK), ==, "psk from stdin");
	g_assert_cmpstr(l2tpvpn_profile_get_secret(p, L2TPVPN_SECRET_PPP_PASSWORD), ==,
			"password from stdin");

	/* Nothing beyond each newline was consumed. */
	close(fds[1]);
	g_autoptr(L2tpVpnSecret) rest = l2tpvpn_secret_read_fd(fds[0], &error);
	g_assert_no_error(error);
	g_assert_cmpstr(l2tpvpn_secret_get(rest), ==, "rest");
	/* End of input. */
	g_assert_null(l2tpvpn_secret_read_fd(fds[0], &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_INVALID);
	g_assert_nonnull(strstr(error->message, "end of input"));
	g_clear_error(&error);
	close(fds[0]);

	/* A closed fd is an I/O error. */
	g_assert_null(l2tpvpn_secret_read_fd(fds[0], &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_IO);
}

static void test_secret_libsecret(void)
{
	g_autoptr(GError) error = NULL;

	/* No session bus here (and never in CI): the lookup must fail clearly, not hang or crash. */
	g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/l2tp-vpn-test-bus", TRUE);
	int expected = l2tpvpn_secret_have_libsecret() ? L2TPVPN_PROFILE_ERROR_SECRET_UNAVAILABLE
						       : L2TPVPN_PROFILE_ERROR_NO_LIBSECRET;
#ifdef PROFILE_HAVE_LIBSECRET
	g_assert_true(l2tpvpn_secret_have_libsecret());
#else
	g_assert_false(l2tpvpn_secret_have_libsecret());
#endif
	g_autoptr(L2tpVpnSecret) s = l2tpvpn_secret_libsecret_lookup("test", L2TPVPN_SECRET_PSK, &error);
	g_assert_null(s);
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, expected);
	g_assert_nonnull(
	    strstr(error->message, l2tpvpn_secret_have_libsecret() ? "Secret Service" : "without libsecret"));
	g_clear_error(&error);
	L2tpVpnSecret *v = l2tpvpn_secret_new("x", 1);
	g_assert_false(l2tpvpn_secret_libsecret_store("test", L2TPVPN_SECRET_PSK, v, &error));
	l2tpvpn_secret_free(v);
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, expected);
	g_clear_error(&error);
	g_assert_false(l2tpvpn_secret_libsecret_clear("test", L2TPVPN_SECRET_PSK, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, expected);
	g_clear_error(&error);

	g_autoptr(L2tpVpnProfile) p = parse(
	    "[connection]\ngateway=x.example\n[ipsec]\npsk=k\n[ppp]\nuser=u\npassword-source=libsecret\n",
	    &error);
	g_assert_no_error(error);
	g_assert_cmpint(p->secrets[L2TPVPN_SECRET_PPP_PASSWORD].source, ==, L2TPVPN_SECRET_SOURCE_LIBSECRET);
	g_assert_false(l2tpvpn_profile_resolve_secrets(p, NULL, NULL, &error));
	g_assert_error(error, L2TPVPN_PROFILE_ERROR, expected);
	g_assert_nonnull(strstr(error->message, "PPP password"));
}

static void test_unescape_matches_gkeyfile(void)
{
	static const char *const raws[] = {"plain",  "a\\sb",         "\\s\\s",     "tab\\there", "nl\\nx",
					   "cr\\rx", "back\\\\slash", "trailing  ", "ünïcödé",    "\\\\s",
					   "a\\",    "\\x",           "\\;"};
	for (gsize i = 0; i < G_N_ELEMENTS(raws); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autofree char *text = g_strdup_printf("[g]\nk=%s\n", raws[i]);
		g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, NULL));
		g_autoptr(GError) kf_error = NULL;
		g_autofree char *want = g_key_file_get_string(kf, "g", "k", &kf_error);
		g_autofree char *got = l2tpvpn_profile_unescape_for_test(raws[i]);
		if (got) {
			g_assert_no_error(kf_error);
			g_assert_cmpstr(got, ==, want);
		}
		/* Where we refuse an escape (GKeyFile also lets "a\\" pass as "a"), every value is refused
		 * alike. */
		g_autofree char *ptext = g_strdup_printf(
		    "[connection]\ndescription=%s\ngateway=g.example\n[ppp]\nuser=u\n", raws[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(L2tpVpnProfile) p = parse(ptext, &error);
		if (got) {
			g_strstrip(got);
			if (!*got || strpbrk(got, "\t\r\n")) {
				g_assert_error(error, L2TPVPN_PROFILE_ERROR,
					       L2TPVPN_PROFILE_ERROR_INVALID_VALUE);
			} else {
				g_assert_no_error(error);
				g_assert_cmpstr(p->description, ==, got);
			}
		} else {
			g_assert_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SYNTAX);
			g_assert_true(g_str_has_prefix(
			    error->message,
			    "/etc/l2tp-vpn/test.conf:2: [connection] description: invalid escape"));
		}
	}
}

/* ---- masking --------------------------------------------------------------- */

static void test_masked(void)
{
	g_autoptr(GError) error = NULL;
	const char *text =
	    "[connection]\ngateway=vpn.example.com\n[ipsec]\npsk=PskTopSecret123\n[l2tp]\n"
	    "secret=TunnelSecret456\nhide-avps=yes\n[ppp]\nuser=alice\npassword=PppPassword789\n";
	g_autoptr(L2tpVpnProfile) p = parse(text, &error);
	g_assert_no_error(error);

	g_autofree char *out = l2tpvpn_profile_to_string_masked(p);
	g_assert_null(strstr(out, "PskTopSecret123"));
	g_assert_null(strstr(out, "TunnelSecret456"));
	g_assert_null(strstr(out, "PppPassword789"));
	g_assert_null(strstr(out, "TopSecret"));
	g_assert_nonnull(strstr(out, "psk=********"));
	g_assert_nonnull(strstr(out, "secret=********"));
	g_assert_nonnull(strstr(out, "password=********"));
	g_assert_nonnull(strstr(out, "gateway=vpn.example.com"));
	g_assert_nonnull(strstr(out, "user=alice"));

	/* Cert profile: the key passphrase is masked, sources by reference are shown as such. */
	const char *cert =
	    "[connection]\ngateway=vpn.example.com\n[ipsec]\ncertificate=/c.p12\nca-certificate=/ca.pem\n"
	    "private-key-password=KeyPass321\n[ppp]\nuser=alice\npassword-file=/etc/l2tp-vpn/pw\n";
	g_autoptr(L2tpVpnProfile) c = parse(cert, &error);
	g_assert_no_error(error);
	g_autofree char *cout = l2tpvpn_profile_to_string_masked(c);
	g_assert_null(strstr(cout, "KeyPass321"));
	g_assert_nonnull(strstr(cout, "private-key-password=********"));
	g_assert_nonnull(strstr(cout, "password-file=/etc/l2tp-vpn/pw"));

	/* Resolved (asked) secrets stay hidden too. */
	g_autoptr(L2tpVpnProfile) a = parse("[connection]\ngateway=x.example\n[ppp]\nuser=bob\n", &error);
	g_assert_no_error(error);
	AskLog log = {0};
	g_assert_true(l2tpvpn_profile_resolve_secrets(a, ask_cb, &log, &error));
	for (int i = 0; i < log.calls; i++)
		g_free(log.users[i]);
	g_autofree char *aout = l2tpvpn_profile_to_string_masked(a);
	g_assert_null(strstr(aout, "typed-"));
	g_assert_nonnull(strstr(aout, "psk-source=ask"));

	/* The masked text is itself a valid profile with the same settings. */
	g_autofree char *fout = NULL;
	{
		g_autoptr(L2tpVpnProfile) f = parse(full, &error);
		g_assert_no_error(error);
		fout = l2tpvpn_profile_to_string_masked(f);
		g_assert_null(strstr(fout, "leading space"));
		g_assert_null(strstr(fout, "tunnelsecret"));
	}
	g_autoptr(L2tpVpnProfile) r = parse(fout, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(r->ike_proposals, ==, "aes256-sha1-modp2048,aes128-sha1-modp1024");
	g_assert_cmpuint(r->routes->len, ==, 2);
	g_assert_cmpuint(r->auth, ==, L2TP_PPP_AUTH_CHAP | L2TP_PPP_AUTH_MSCHAP_V2);
	g_assert_cmpstr(r->secrets[L2TPVPN_SECRET_PPP_PASSWORD].file, ==, "/etc/l2tp-vpn/test.pw");
}

/* ---- conversions ------------------------------------------------------------ */

static void test_conversions(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) p = parse(full, &error);
	g_assert_no_error(error);

	IpsecSettings s;
	l2tpvpn_profile_ipsec_settings(p, &s);
	g_assert_cmpstr(s.vici_uri, ==, "unix:///run/test/charon.vici");
	g_assert_cmpstr(s.profile, ==, "test");
	g_assert_cmpstr(s.gateway, ==, "vpn.example.com");
	g_assert_cmpstr(s.local_address, ==, "192.0.2.10");
	g_assert_cmpuint(s.local_port, ==, 0);
	g_assert_cmpuint(s.remote_port, ==, 1702);
	g_assert_true(s.aggressive);
	g_assert_cmpint(s.auth, ==, IPSEC_AUTH_PSK);
	g_assert_cmpstr(s.psk, ==, " leading space and tab\t");
	g_assert_cmpstr(s.local_id, ==, "laptop@example.com");
	g_assert_cmpstr(s.remote_id, ==, "vpn.example.com");
	g_assert_null(s.proposal_preset);
	g_assert_cmpstr(s.ike_proposals, ==, "aes256-sha1-modp2048,aes128-sha1-modp1024");
	g_assert_cmpstr(s.esp_proposals, ==, "aes256-sha1,aes128-sha1");
	g_assert_true(s.pfs);
	g_assert_cmpint(s.nat_t, ==, IPSEC_NAT_T_FORCED);
	g_assert_cmpuint(s.dpd_delay_s, ==, 120);
	g_assert_cmpuint(s.ike_lifetime_s, ==, 28800);
	g_assert_cmpuint(s.watch_interval_ms, ==, 300000); /* not the IPsec layer's 5 s: idle wake-ups */
	p->ike_lifetime_s = 600;
	l2tpvpn_profile_ipsec_settings(p, &s);
	g_assert_cmpuint(s.watch_interval_ms, ==, 150000); /* four checks per short IKE lifetime */
	p->ike_lifetime_s = 28800;
	l2tpvpn_profile_ipsec_settings(p, &s);
	g_assert_cmpuint(s.child_lifetime_s, ==, 3600);
	g_assert_cmpuint(s.initiate_timeout_ms, ==, 90000);
	g_assert_cmpuint(s.command_timeout_ms, ==, 10000); /* the layer's default */

	struct l2tp_lac_config lac;
	struct l2tp_udp_config udp;
	l2tpvpn_profile_l2tp_config(p, &lac, &udp);
	g_assert_cmpstr(lac.host_name, ==, "laptop");
	g_assert_cmpstr(lac.vendor_name, ==, "ACME");
	g_assert_cmpuint(lac.secret_len, ==, strlen("tunnelsecret"));
	g_assert_cmpmem(lac.secret, lac.secret_len, "tunnelsecret", 12);
	g_assert_true(lac.hide_avps);
	g_assert_true(lac.send_rx_connect_speed);
	g_assert_cmpuint(lac.connect_speed_bps, ==, 54000000);
	g_assert_cmpuint(lac.hello_interval_ms, ==, 0);
	g_assert_cmpuint(lac.retries, ==, 7);
	g_assert_cmpuint(lac.rx_window, ==, 4);
	g_assert_cmpuint(lac.setup_timeout_ms, ==, 45000);
	g_assert_cmpuint(lac.rto_initial_ms, ==, 1000); /* the layer's default */
	g_assert_null(udp.lns_address);
	g_assert_cmpuint(udp.lns_port, ==, 1702);
	g_assert_cmpstr(udp.local_address, ==, "192.0.2.10");
	g_assert_cmpint(udp.port_policy, ==, L2TP_PORT_POLICY_EPHEMERAL);

	L2tpPppLaunch l;
	l2tpvpn_profile_ppp_launch(p, &l);
	g_assert_cmpstr(l.ppp.ifname, ==, "vpn0");
	g_assert_cmpstr(l.ppp.linkname, ==, "test");
	g_assert_cmpuint(l.ppp.auth, ==, L2TP_PPP_AUTH_CHAP | L2TP_PPP_AUTH_MSCHAP_V2);
	g_assert_cmpuint(l.ppp.mtu, ==, 1380);
	g_assert_cmpuint(l.ppp.mru, ==, 1360);
	g_assert_false(l.ppp.mppe);
	g_assert_true(l.ppp.ipsec);
	g_assert_cmpuint(l.ppp.lcp_echo_interval, ==, G_MAXUINT); /* 0 in the profile = no echo */
	g_assert_cmpuint(l.ppp.lcp_echo_failure, ==, 9);
	g_assert_true(l.ppp.debug);
	g_assert_cmpint(l.ppp.pppol2tp_fd, ==, -1);
	g_assert_cmpstr(l.pppd_path, ==, "/opt/ppp/sbin/pppd");
	g_assert_cmpstr(l.user, ==, "alice");
	g_assert_null(l.password); /* password-file not read yet */
	/* pppd's argv builds from these options once the fds are set, and holds no secret. */
	l.ppp.pppol2tp_fd = 3;
	l.ppp.channel_fd = 4;
	l.ppp.plugin_path = "l2tp-vpn-pppd.so";
	g_auto(GStrv) argv = l2tp_ppp_build_argv(&l.ppp, "/usr/sbin/pppd", &error);
	g_assert_no_error(error);
	g_autofree char *joined = g_strjoinv(" ", argv);
	g_assert_nonnull(strstr(joined, "vpn0"));
	g_assert_nonnull(strstr(joined, "1380"));

	struct in_addr peer[2], storage[L2TP_NET_MAX_DNS];
	inet_pton(AF_INET, "172.16.0.1", &peer[0]);
	inet_pton(AF_INET, "172.16.0.2", &peer[1]);
	L2tpNetContext ctx;
	L2tpNetPlanInput in;
	char buf[64];
	l2tpvpn_profile_net(p, peer, 2, storage, &ctx, &in);
	g_assert_cmpstr(ctx.name, ==, "test");
	g_assert_cmpint(ctx.dns_backend, ==, L2TP_NET_DNS_RESOLVCONF);
	g_assert_cmpint(in.mode, ==, L2TP_NET_NEVER_DEFAULT);
	g_assert_cmpstr(in.ifname, ==, "vpn0");
	g_assert_cmpuint(in.n_routes, ==, 2);
	g_assert_cmpstr(inet_ntop(AF_INET, &in.routes[0].addr, buf, sizeof(buf)), ==, "10.0.0.0");
	g_assert_cmpuint(in.routes[0].plen, ==, 8);
	g_assert_cmpstr(in.domains[0], ==, "corp.example.com");
	/* use-peer-dns=no: only the profile's servers. */
	g_assert_cmpuint(in.n_dns, ==, 2);
	g_assert_cmpstr(inet_ntop(AF_INET, &in.dns[0], buf, sizeof(buf)), ==, "10.0.0.53");
	g_assert_false(in.ignore_vpn_dns);

	/* Defaults: peer DNS used, full tunnel, auto backend; mode=off ignores DNS. */
	g_autoptr(L2tpVpnProfile) d = parse(minimal, &error);
	g_assert_no_error(error);
	l2tpvpn_profile_net(d, peer, 2, storage, &ctx, &in);
	g_assert_cmpint(in.mode, ==, L2TP_NET_FULL_TUNNEL);
	g_assert_cmpint(ctx.dns_backend, ==, L2TP_NET_DNS_AUTO);
	g_assert_cmpuint(in.n_dns, ==, 2);
	g_assert_cmpstr(inet_ntop(AF_INET, &in.dns[1], buf, sizeof(buf)), ==, "172.16.0.2");
	g_assert_cmpuint(in.n_routes, ==, 0);
	g_assert_false(in.ignore_vpn_dns);
	/* ... and the plan the net layer makes from it puts those servers on our interface. */
	in.ifname = "l2tp-test";
	inet_pton(AF_INET, "203.0.113.1", &in.gateway);
	inet_pton(AF_INET, "172.16.0.10", &in.local);
	in.underlay.dst = in.gateway;
	in.underlay.plen = 32;
	g_strlcpy(in.underlay.ifname, "eth0", sizeof(in.underlay.ifname));
	inet_pton(AF_INET, "192.0.2.1", &in.underlay.gateway);
	g_autoptr(GArray) plan = l2tp_net_plan(&in, &error);
	g_assert_no_error(error);
	gboolean dns_seen = FALSE;
	for (guint i = 0; i < plan->len; i++) {
		L2tpNetAction *a = &g_array_index(plan, L2tpNetAction, i);
		if (a->type == L2TP_NET_ACTION_DNS) {
			dns_seen = TRUE;
			g_assert_cmpuint(a->dns.n_servers, ==, 2);
			g_assert_true(a->dns.default_route);
		}
	}
	g_assert_true(dns_seen);

	g_autoptr(L2tpVpnProfile) off =
	    parse("[connection]\ngateway=x.example\n[ppp]\nuser=u\n[dns]\nmode=off\n", &error);
	g_assert_no_error(error);
	l2tpvpn_profile_net(off, peer, 2, storage, &ctx, &in);
	g_assert_cmpint(ctx.dns_backend, ==, L2TP_NET_DNS_NONE);
	g_assert_true(in.ignore_vpn_dns);

	/* A preset goes through by name and the IPsec layer knows it. */
	g_autoptr(L2tpVpnProfile) w =
	    parse("[connection]\ngateway=x.example\n[ipsec]\npsk=k\nproposals=Meraki\n[ppp]\nuser=u\n"
		  "password=p\n[l2tp]\nsource-port=1701\n",
		  &error);
	g_assert_no_error(error);
	l2tpvpn_profile_ipsec_settings(w, &s);
	g_assert_cmpstr(s.proposal_preset, ==, "meraki");
	g_assert_nonnull(ipsec_proposal_preset_find(s.proposal_preset));
	g_assert_cmpstr(s.vici_uri, ==, IPSEC_DEFAULT_VICI_URI);
	l2tpvpn_profile_l2tp_config(w, &lac, &udp);
	g_assert_cmpint(udp.port_policy, ==, L2TP_PORT_POLICY_1701);
	g_assert_cmpstr(lac.host_name, ==, g_get_host_name());
	g_assert_null(lac.secret);
	g_assert_cmpuint(lac.secret_len, ==, 0);
}

/* ---- shipped files ----------------------------------------------------------- */

static void test_examples(void)
{
	g_autofree char *dir = g_build_filename(source_root, "data", "examples", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
	const char *name;
	guint n = 0;

	g_assert_no_error(error);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *text = NULL;
		gsize len;
		g_assert_true(g_file_get_contents(path, &text, &len, &error));
		g_autoptr(L2tpVpnProfile) p = l2tpvpn_profile_load_data(text, len, path, NULL, &error);
		if (!p)
			g_error("%s", error->message);
		n++;
	}
	g_assert_cmpuint(n, >=, 3);
}

static void test_man_page_documents_every_key(void)
{
	g_autofree char *path = g_build_filename(source_root, "data", "man", "l2tp-vpn.conf.5", NULL);
	g_autofree char *raw = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_get_contents(path, &raw, NULL, &error));
	/* troff: "\-" is a hyphen. */
	g_auto(GStrv) parts = g_strsplit(raw, "\\-", -1);
	g_autofree char *text = g_strjoinv("-", parts);
	g_auto(GStrv) known = l2tpvpn_profile_known_keys();
	for (char **k = known; *k; k++) {
		const char *dot = strchr(*k, '.');
		g_autofree char *group = g_strdup_printf("\"[%.*s]\"", (int)(dot - *k), *k);
		g_autofree char *key = g_strdup_printf("%s=", dot + 1);
		const char *section = strstr(text, group);
		if (!section)
			g_error("man page: no section %s", group);
		const char *next = strstr(section + 1, ".SH ");
		g_autofree char *body = g_strndup(section, next ? (gsize)(next - section) : strlen(section));
		if (!strstr(body, key))
			g_error("man page: %s not documented in %s", key, group);
	}
}

static const char *const case_names[] = {
    "exact-keys",
    "every-key",
    "bad-values",
    "did-you-mean",
    "duplicates",
    "syntax",
    "missing-and-conflicts",
    "names",
    "list",
    "permissions",
    "secret-file",
    "secret-prompt",
    "secret-stdin",
    "secret-libsecret",
    "unescape-matches-gkeyfile",
    "masked",
    "conversions",
    "examples",
    "man-page",
};

static int check_cases(int n, char **listed)
{
	int bad = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(case_names); i++)
		if (!g_strv_contains((const char *const *)listed, case_names[i])) {
			g_printerr("case %s is not run by tests/unit/profile/meson.build\n", case_names[i]);
			bad++;
		}
	if ((gsize)n != G_N_ELEMENTS(case_names)) {
		g_printerr("meson lists %d cases, test-profile.c has %zu\n", n, G_N_ELEMENTS(case_names));
		bad++;
	}
	printf("%d passed, %d failed\n", bad ? 0 : 1, bad ? 1 : 0);
	return bad ? 1 : 0;
}

static void add_cases(void)
{
	static const GTestFunc funcs[] = {
	    test_exact_keys,
	    test_every_key,
	    test_bad_values,
	    test_did_you_mean,
	    test_duplicates,
	    test_syntax,
	    test_missing_and_conflicts,
	    test_names,
	    test_list,
	    test_permissions,
	    test_secret_file,
	    test_secret_prompt,
	    test_secret_stdin,
	    test_secret_libsecret,
	    test_unescape_matches_gkeyfile,
	    test_masked,
	    test_conversions,
	    test_examples,
	    test_man_page_documents_every_key,
	};
	G_STATIC_ASSERT(G_N_ELEMENTS(funcs) == G_N_ELEMENTS(case_names));
	for (gsize i = 0; i < G_N_ELEMENTS(funcs); i++) {
		g_autofree char *path = g_strconcat("/profile/", case_names[i], NULL);
		g_test_add_func(path, funcs[i]);
	}
}

static void rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	if (d) {
		const char *name;
		while ((name = g_dir_read_name(d))) {
			g_autofree char *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		g_dir_close(d);
	}
	if (g_remove(path) != 0 && errno != ENOENT)
		g_printerr("could not remove %s: %s\n", path, g_strerror(errno));
}

int main(int argc, char **argv)
{
	/* --check-cases NAME...: the meson file runs exactly the cases registered here. */
	if (argc > 1 && !strcmp(argv[1], "--check-cases"))
		return check_cases(argc - 2, argv + 2);
	g_test_init(&argc, &argv, NULL);
	source_root = g_getenv("L2TPVPN_SOURCE_ROOT");
	if (!source_root)
		source_root = SOURCE_ROOT;
	tmpdir = g_dir_make_tmp("l2tpvpn-profile-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);

	add_cases();

	int rc = g_test_run();
	rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
