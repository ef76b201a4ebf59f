// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pppd argv for every combination of the options that shape it, option
 * validation, exit status decoding and log hints (client/ppp/ppp-options.c).
 */
#include <sys/wait.h>

#include "dp-check.h"
#include "ppp-options.h"

static int find(GStrv argv, const char *word)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], word))
			return i;
	return -1;
}

static const char *value_of(GStrv argv, const char *option)
{
	int i = find(argv, option);

	return i >= 0 ? argv[i + 1] : NULL;
}

static int count(GStrv argv, const char *word)
{
	int n = 0;

	for (int i = 0; argv[i]; i++)
		n += !strcmp(argv[i], word);
	return n;
}

static L2tpPppOptions base_options(void)
{
	L2tpPppOptions o;

	l2tp_ppp_options_init(&o);
	o.pppol2tp_fd = 3;
	o.channel_fd = 4;
	o.plugin_path = "/usr/lib/pppd/2.4.9/l2tp-vpn-pppd.so";
	o.ifname = "l2tp-office";
	return o;
}

/* What every argv must hold, whatever the combination. */
static void check_common(GStrv argv, const L2tpPppOptions *o)
{
	int plugin = find(argv, "/usr/lib/pppd/2.4.9/l2tp-vpn-pppd.so");

	CHECK_STR(argv[0], "/usr/sbin/pppd");
	CHECK(plugin > 0 && !strcmp(argv[plugin - 1], "plugin"));
	CHECK_STR(value_of(argv, "l2tp-vpn-fd"), "4");
	if (o->dry_run) {
		CHECK(find(argv, "pppol2tp") < 0 && find(argv, "pppol2tp.so") < 0);
		CHECK(find(argv, "dryrun") > 0 && find(argv, "notty") > 0);
	} else {
		int p = find(argv, "pppol2tp.so");

		CHECK(p > 0 && !strcmp(argv[p - 1], "plugin"));
		CHECK_STR(value_of(argv, "pppol2tp"), "3");
		CHECK(find(argv, "dryrun") < 0 && find(argv, "notty") < 0);
		/* pppol2tp.so must come first: its option names the channel. */
		CHECK(p < plugin);
		/* Our option before pppol2tp's: our plugin holds pppd there until the socket is
		 * connected, and pppol2tp.so's option handler checks the socket. */
		CHECK(find(argv, "l2tp-vpn-fd") < find(argv, "pppol2tp"));
	}
	for (const char *const *w =
		 (const char *const[]){"nodetach", "noauth", "nodefaultroute", "noipdefault", "usepeerdns",
				       "nopersist", "hide-password", "noreplacedefaultroute", NULL};
	     *w; w++) {
		CHECK(count(argv, *w) == 1);
		if (count(argv, *w) != 1)
			fprintf(stderr, "  missing or repeated: %s\n", *w);
	}
	CHECK_STR(value_of(argv, "logfd"), "2");
	CHECK_STR(value_of(argv, "ifname"), "l2tp-office");
	/* Never a secret or an auth source that could read one from a file. */
	/* tty-channel options: pppd rejects them once pppol2tp.so owns the channel */
	CHECK(find(argv, "nocrtscts") < 0 && find(argv, "nolock") < 0 && find(argv, "local") < 0);
	CHECK(find(argv, "user") < 0 && find(argv, "password") < 0 && find(argv, "file") < 0 &&
	      find(argv, "call") < 0 && find(argv, "defaultroute") < 0 && find(argv, "auth") < 0);
}

static void check_auth(GStrv argv, guint auth)
{
	static const struct {
		guint bit;
		const char *refuse;
	} m[] = {
	    {L2TP_PPP_AUTH_PAP, "refuse-pap"},       {L2TP_PPP_AUTH_CHAP, "refuse-chap"},
	    {L2TP_PPP_AUTH_MSCHAP, "refuse-mschap"}, {L2TP_PPP_AUTH_MSCHAP_V2, "refuse-mschap-v2"},
	    {L2TP_PPP_AUTH_EAP, "refuse-eap"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(m); i++)
		CHECK(count(argv, m[i].refuse) == ((auth & m[i].bit) ? 0 : 1));
}

static void check_compression(GStrv argv, gboolean mppe)
{
	CHECK(count(argv, "noccp") == (mppe ? 0 : 1));
	CHECK(count(argv, "require-mppe-128") == (mppe ? 1 : 0));
}

static void check_liveness(GStrv argv, guint interval)
{
	if (interval == G_MAXUINT) {
		CHECK_STR(value_of(argv, "lcp-echo-interval"), "0");
		CHECK(find(argv, "lcp-echo-failure") < 0);
	} else {
		CHECK_STR(value_of(argv, "lcp-echo-interval"), "10");
		CHECK_STR(value_of(argv, "lcp-echo-failure"), "4");
	}
}

/* Lost requests are sent again after 1 s, not pppd's 3 s, with a budget still about 20 s long. */
static void check_retransmission(GStrv argv)
{
	CHECK_STR(value_of(argv, "lcp-restart"), "1");
	CHECK_STR(value_of(argv, "lcp-max-configure"), "20");
	CHECK_STR(value_of(argv, "ipcp-restart"), "1");
	CHECK_STR(value_of(argv, "ipcp-max-configure"), "20");
	CHECK_STR(value_of(argv, "pap-restart"), "1");
	CHECK_STR(value_of(argv, "pap-max-authreq"), "20");
}

/* The error a combination must produce, or -1 when it is valid. */
static int expected_error(guint auth, gboolean mppe, gboolean ipsec)
{
	if (auth == 0)
		return L2TP_PPP_ERROR_NO_AUTH_METHOD;
	if (mppe && ipsec)
		return L2TP_PPP_ERROR_MPPE_WITH_IPSEC;
	if (mppe && !(auth & (L2TP_PPP_AUTH_MSCHAP | L2TP_PPP_AUTH_MSCHAP_V2)))
		return L2TP_PPP_ERROR_MPPE_NEEDS_MSCHAP;
	return -1;
}

static void test_every_combination(void)
{
	int built = 0, refused = 0;

	for (guint auth = 0; auth <= L2TP_PPP_AUTH_ALL; auth++)
		for (guint bits = 0; bits < 32; bits++) {
			L2tpPppOptions o = base_options();
			g_autoptr(GError) error = NULL;
			g_auto(GStrv) argv = NULL;
			int want;

			o.auth = auth;
			o.mppe = bits & 1;
			o.ipsec = (bits >> 1) & 1;
			o.lcp_echo_interval =
			    (bits >> 2) & 1 ? G_MAXUINT : L2TP_PPP_DEFAULT_LCP_ECHO_INTERVAL;
			o.linkname = (bits >> 3) & 1 ? "office" : NULL;
			o.dry_run = (bits >> 4) & 1;
			o.debug = o.linkname != NULL;
			want = expected_error(auth, o.mppe, o.ipsec);
			argv = l2tp_ppp_build_argv(&o, "/usr/sbin/pppd", &error);
			if (want >= 0) {
				CHECK(argv == NULL && g_error_matches(error, L2TP_PPP_ERROR, want));
				refused++;
				continue;
			}
			CHECK(argv != NULL && error == NULL);
			if (!argv)
				continue;
			built++;
			check_common(argv, &o);
			check_auth(argv, auth);
			check_compression(argv, o.mppe);
			check_liveness(argv, o.lcp_echo_interval);
			check_retransmission(argv);
			CHECK_STR(value_of(argv, "mtu"), "1400");
			CHECK_STR(value_of(argv, "mru"), "1400");
			CHECK(count(argv, "debug") == (o.debug ? 1 : 0));
			if (o.linkname)
				CHECK_STR(value_of(argv, "linkname"), "office");
			else
				CHECK(find(argv, "linkname") < 0);
		}
	/* 32 auth sets x 32 switch combinations, none skipped. */
	CHECK(built + refused == 32 * 32);
	CHECK(built > 0 && refused > 0);
}

static void test_mtu_and_plugin_name(void)
{
	L2tpPppOptions o = base_options();
	g_auto(GStrv) argv = NULL;

	o.mtu = 1280;
	o.mru = 1360;
	o.pppol2tp_plugin = "/opt/ppp/pppol2tp.so";
	argv = l2tp_ppp_build_argv(&o, "/usr/sbin/pppd", NULL);
	CHECK(argv != NULL);
	if (!argv)
		return;
	CHECK_STR(value_of(argv, "mtu"), "1280");
	CHECK_STR(value_of(argv, "mru"), "1360");
	CHECK(find(argv, "/opt/ppp/pppol2tp.so") > 0);
}

static void expect_invalid(L2tpPppOptions o, const char *what)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) argv = l2tp_ppp_build_argv(&o, "/usr/sbin/pppd", &error);

	CHECK(argv == NULL && g_error_matches(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION));
	if (argv)
		fprintf(stderr, "  accepted: %s\n", what);
}

static void test_hostile_values(void)
{
	L2tpPppOptions o;
	const char *bad_ifnames[] = {
	    "", "a-name-far-too-long", "ppp/0", "ppp 0", "ppp:0", ".", "..", "eth0\n", "ppp0;x", NULL};
	const char *bad_links[] = {"", ".hidden", "../../etc/x", "a/b", "x y", NULL};

	for (const char **s = bad_ifnames; *s; s++) {
		o = base_options();
		o.ifname = *s;
		expect_invalid(o, *s);
	}
	o = base_options();
	o.ifname = NULL;
	expect_invalid(o, "NULL ifname");
	for (const char **s = bad_links; *s; s++) {
		o = base_options();
		o.linkname = *s;
		expect_invalid(o, *s);
	}
	o = base_options();
	o.mtu = 100;
	expect_invalid(o, "mtu 100");
	o = base_options();
	o.mru = 65535;
	expect_invalid(o, "mru 65535");
	o = base_options();
	o.channel_fd = 2;
	expect_invalid(o, "channel fd 2");
	o = base_options();
	o.pppol2tp_fd = 4;
	expect_invalid(o, "pppol2tp fd = channel fd");
	o = base_options();
	o.pppol2tp_fd = -1;
	expect_invalid(o, "no pppol2tp fd without dry run");
	o = base_options();
	o.plugin_path = "evil\nplugin";
	expect_invalid(o, "control character in plugin path");
	o = base_options();
	o.plugin_path = "build/l2tp-vpn-pppd.so";
	expect_invalid(o, "relative plugin path");
	{
		g_autoptr(GError) error = NULL;
		g_auto(GStrv) argv = NULL;

		o = base_options();
		argv = l2tp_ppp_build_argv(&o, "sbin/pppd", &error);
		CHECK(!argv && g_error_matches(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION));
	}
	o = base_options();
	o.lcp_echo_interval = 10;
	o.lcp_echo_failure = 0;
	expect_invalid(o, "lcp-echo-failure 0");
	o = base_options();
	o.auth = 1u << 7;
	{
		g_autoptr(GError) error = NULL;
		g_auto(GStrv) argv = l2tp_ppp_build_argv(&o, "/usr/sbin/pppd", &error);

		CHECK(!argv && g_error_matches(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NO_AUTH_METHOD));
	}
	CHECK(l2tp_ppp_ifname_valid("ppp0") && l2tp_ppp_ifname_valid("l2tp-vpn_1.x"));
	CHECK(l2tp_ppp_ifname_valid("123456789012345") && !l2tp_ppp_ifname_valid("1234567890123456"));
}

static int exited(int code)
{
	return code << 8; /* W_EXITCODE(code, 0) */
}

static void expect_exit(int wait_status, guint hints, gboolean stopped, int code)
{
	g_autoptr(GError) error = NULL;
	gboolean clean = l2tp_ppp_exit_to_error(wait_status, hints, stopped, &error);

	if (code < 0) {
		CHECK(clean && error == NULL);
		return;
	}
	CHECK(!clean && g_error_matches(error, L2TP_PPP_ERROR, code));
	if (error && !g_error_matches(error, L2TP_PPP_ERROR, code))
		fprintf(stderr, "  status %#x: got code %d (%s), expected %d\n", (unsigned)wait_status,
			error->code, error->message, code);
}

static void test_exit_status(void)
{
	CHECK(WIFEXITED(exited(19)) && WEXITSTATUS(exited(19)) == 19);
	expect_exit(exited(0), 0, FALSE, -1);
	expect_exit(exited(5), 0, FALSE, -1);
	expect_exit(exited(1), 0, FALSE, L2TP_PPP_ERROR_FATAL);
	expect_exit(exited(2), 0, FALSE, L2TP_PPP_ERROR_OPTION);
	expect_exit(exited(3), 0, FALSE, L2TP_PPP_ERROR_NOT_ROOT);
	expect_exit(exited(4), 0, FALSE, L2TP_PPP_ERROR_NO_KERNEL_SUPPORT);
	expect_exit(exited(6), 0, FALSE, L2TP_PPP_ERROR_LOCK_FAILED);
	expect_exit(exited(7), 0, FALSE, L2TP_PPP_ERROR_OPEN_FAILED);
	expect_exit(exited(8), 0, FALSE, L2TP_PPP_ERROR_CONNECT_FAILED);
	expect_exit(exited(9), 0, FALSE, L2TP_PPP_ERROR_UNKNOWN_EXIT);
	expect_exit(exited(10), 0, FALSE, L2TP_PPP_ERROR_NEGOTIATION_FAILED);
	expect_exit(exited(10), L2TP_PPP_HINT_LCP_TIMEOUT, FALSE, L2TP_PPP_ERROR_LCP_TIMEOUT);
	expect_exit(exited(10), L2TP_PPP_HINT_MPPE_REFUSED, FALSE, L2TP_PPP_ERROR_NEGOTIATION_FAILED);
	expect_exit(exited(11), 0, FALSE, L2TP_PPP_ERROR_PEER_AUTH_FAILED);
	expect_exit(exited(12), 0, FALSE, L2TP_PPP_ERROR_IDLE_TIMEOUT);
	expect_exit(exited(13), 0, FALSE, L2TP_PPP_ERROR_CONNECT_TIME);
	expect_exit(exited(15), 0, FALSE, L2TP_PPP_ERROR_PEER_DEAD);
	expect_exit(exited(16), 0, FALSE, L2TP_PPP_ERROR_HANGUP);
	expect_exit(exited(17), 0, FALSE, L2TP_PPP_ERROR_LOOPBACK);
	expect_exit(exited(18), 0, FALSE, L2TP_PPP_ERROR_INIT_FAILED);
	expect_exit(exited(19), 0, FALSE, L2TP_PPP_ERROR_AUTH_FAILED);
	/* A hint never overrides a status it does not refine. */
	expect_exit(exited(19), L2TP_PPP_HINT_LCP_TIMEOUT, FALSE, L2TP_PPP_ERROR_AUTH_FAILED);
	expect_exit(exited(20), 0, FALSE, L2TP_PPP_ERROR_TRAFFIC_LIMIT);
	expect_exit(exited(21), 0, FALSE, L2TP_PPP_ERROR_CNID_AUTH_FAILED);
	expect_exit(exited(200), 0, FALSE, L2TP_PPP_ERROR_UNKNOWN_EXIT);
	expect_exit(exited(126), 0, FALSE, L2TP_PPP_ERROR_SPAWN);
	expect_exit(SIGTERM, 0, TRUE, -1);
	expect_exit(SIGKILL, 0, TRUE, -1);
	expect_exit(SIGTERM, 0, FALSE, L2TP_PPP_ERROR_KILLED);
	expect_exit(SIGSEGV, 0, TRUE, L2TP_PPP_ERROR_KILLED);
}

static void test_auth_failed_message(void)
{
	g_autoptr(GError) error = NULL;

	l2tp_ppp_exit_to_error(exited(19), 0, FALSE, &error);
	CHECK(error && strstr(error->message, "user name or password") && strstr(error->message, "19"));
}

static void test_log_hints(void)
{
	CHECK(l2tp_ppp_log_hints("LCP: timeout sending Config-Requests") == L2TP_PPP_HINT_LCP_TIMEOUT);
	CHECK(l2tp_ppp_log_hints("No response to 5 echo-requests") == L2TP_PPP_HINT_ECHO_TIMEOUT);
	CHECK(l2tp_ppp_log_hints("MPPE required but peer refused") == L2TP_PPP_HINT_MPPE_REFUSED);
	CHECK(l2tp_ppp_log_hints("peer refused to authenticate: terminating link") ==
	      L2TP_PPP_HINT_AUTH_REFUSED);
	CHECK(l2tp_ppp_log_hints("Connect: ppp0 <--> pppol2tp") == 0);
	CHECK(l2tp_ppp_log_hints("") == 0 && l2tp_ppp_log_hints(NULL) == 0);
}

int main(void)
{
	DP_RUN(test_every_combination);
	DP_RUN(test_mtu_and_plugin_name);
	DP_RUN(test_hostile_values);
	DP_RUN(test_exit_status);
	DP_RUN(test_auth_failed_message);
	DP_RUN(test_log_hints);
	return dp_summary();
}
