// SPDX-License-Identifier: GPL-2.0-or-later
/* Route and DNS planning for full tunnel, split tunnel and never-default (client/net/net-plan.c). */
#include <arpa/inet.h>

#include "ascii-uint.h"
#include "dp-check.h"
#include "net-dns.h"
#include "net-plan.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a = {0};

	inet_pton(AF_INET, s, &a);
	return a;
}

static L2tpNetPlanInput base_input(L2tpNetMode mode)
{
	static struct in_addr dns[3];
	static const char *const domains[] = {"corp.example", NULL};
	L2tpNetPlanInput in = {.mode = mode, .ifname = "l2tp0"};

	dns[0] = ip("10.8.0.53");
	dns[1] = ip("0.0.0.0");
	dns[2] = ip("10.8.0.53");
	in.gateway = ip("203.0.113.10");
	in.local = ip("10.8.0.2");
	in.underlay.dst = in.gateway;
	in.underlay.plen = 32;
	in.underlay.gateway = ip("192.168.1.1");
	g_strlcpy(in.underlay.ifname, "eth0", sizeof(in.underlay.ifname));
	in.underlay.metric = 100;
	in.dns = dns;
	in.n_dns = 3;
	in.domains = domains;
	return in;
}

static const L2tpNetAction *action(GArray *plan, guint i)
{
	return &g_array_index(plan, L2tpNetAction, i);
}

static void check_route(GArray *plan, guint i, const char *want)
{
	g_autofree char *text = NULL;

	CHECK(plan && i < plan->len && action(plan, i)->type == L2TP_NET_ACTION_ROUTE);
	if (!plan || i >= plan->len)
		return;
	text = l2tp_net_route_to_string(&action(plan, i)->route);
	CHECK_STR(text, want);
}

static void check_gateway_first(GArray *plan)
{
	check_route(plan, 0, "203.0.113.10/32 via 192.168.1.1 dev eth0 metric 100 table 254");
}

static void test_full_tunnel(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_FULL_TUNNEL);
	g_autoptr(GArray) plan = l2tp_net_plan(&in, NULL);
	const L2tpNetAction *dns;

	CHECK(plan && plan->len == 4);
	if (!plan || plan->len != 4)
		return;
	check_gateway_first(plan);
	check_route(plan, 1, "0.0.0.0/1 via 0.0.0.0 dev l2tp0 metric 0 table 254");
	check_route(plan, 2, "128.0.0.0/1 via 0.0.0.0 dev l2tp0 metric 0 table 254");
	dns = action(plan, 3);
	CHECK(dns->type == L2TP_NET_ACTION_DNS);
	CHECK_STR(dns->dns.ifname, "l2tp0");
	/* 0.0.0.0 dropped, duplicate dropped */
	CHECK(dns->dns.n_servers == 1 && dns->dns.servers[0].s_addr == ip("10.8.0.53").s_addr);
	CHECK(dns->dns.default_route);
	CHECK(dns->dns.domains && !g_strcmp0(dns->dns.domains[0], "corp.example") && !dns->dns.domains[1]);
}

static void test_split_tunnel(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_SPLIT_TUNNEL);
	L2tpNetPrefix routes[3];
	g_autoptr(GArray) plan = NULL;

	CHECK(l2tp_net_prefix_parse("10.0.0.0/8", &routes[0], NULL));
	CHECK(l2tp_net_prefix_parse("172.16.0.0/12", &routes[1], NULL));
	CHECK(l2tp_net_prefix_parse("10.0.0.0/8", &routes[2], NULL));
	in.routes = routes;
	in.n_routes = 3;
	plan = l2tp_net_plan(&in, NULL);
	CHECK(plan && plan->len == 4);
	if (!plan || plan->len != 4)
		return;
	check_gateway_first(plan);
	check_route(plan, 1, "10.0.0.0/8 via 0.0.0.0 dev l2tp0 metric 0 table 254");
	check_route(plan, 2, "172.16.0.0/12 via 0.0.0.0 dev l2tp0 metric 0 table 254");
	CHECK(action(plan, 3)->type == L2TP_NET_ACTION_DNS && !action(plan, 3)->dns.default_route);
	for (guint i = 0; i < plan->len; i++)
		CHECK(action(plan, i)->type != L2TP_NET_ACTION_ROUTE || action(plan, i)->route.plen > 1);
}

static void test_split_needs_routes(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_SPLIT_TUNNEL);
	L2tpNetPrefix all = {.plen = 0};
	g_autoptr(GError) e1 = NULL, e2 = NULL;
	GArray *plan = l2tp_net_plan(&in, &e1);

	CHECK(!plan && g_error_matches(e1, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID));
	in.routes = &all;
	in.n_routes = 1;
	plan = l2tp_net_plan(&in, &e2);
	CHECK(!plan && g_error_matches(e2, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID));
}

static void test_never_default(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_NEVER_DEFAULT);
	g_autoptr(GArray) plan = l2tp_net_plan(&in, NULL);
	L2tpNetPrefix net;

	CHECK(plan && plan->len == 2);
	if (!plan || plan->len != 2)
		return;
	check_gateway_first(plan);
	CHECK(action(plan, 1)->type == L2TP_NET_ACTION_DNS && !action(plan, 1)->dns.default_route);
	g_clear_pointer(&plan, g_array_unref);
	/* with routes: exactly those, never a default */
	CHECK(l2tp_net_prefix_parse("192.0.2.0/24", &net, NULL));
	in.routes = &net;
	in.n_routes = 1;
	in.ignore_vpn_dns = TRUE;
	plan = l2tp_net_plan(&in, NULL);
	CHECK(plan && plan->len == 2);
	if (plan && plan->len == 2)
		check_route(plan, 1, "192.0.2.0/24 via 0.0.0.0 dev l2tp0 metric 0 table 254");
}

static void test_gateway_route_cases(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_FULL_TUNNEL);
	g_autoptr(GError) loop = NULL, none = NULL, bad = NULL;
	g_autoptr(GArray) plan = NULL;

	/* gateway on the local link: no next hop */
	in.underlay.gateway.s_addr = 0;
	plan = l2tp_net_plan(&in, NULL);
	if (plan)
		check_route(plan, 0, "203.0.113.10/32 via 0.0.0.0 dev eth0 metric 100 table 254");
	CHECK(plan != NULL);
	/* the kernel already sends the gateway into the tunnel: refuse to make a loop */
	in = base_input(L2TP_NET_FULL_TUNNEL);
	g_strlcpy(in.underlay.ifname, "l2tp0", sizeof(in.underlay.ifname));
	CHECK(!l2tp_net_plan(&in, &loop) &&
	      g_error_matches(loop, L2TP_NET_ERROR, L2TP_NET_ERROR_GATEWAY_LOOP));
	in.underlay.ifname[0] = 0;
	CHECK(!l2tp_net_plan(&in, &none) && g_error_matches(none, L2TP_NET_ERROR, L2TP_NET_ERROR_NO_ROUTE));
	in = base_input(L2TP_NET_FULL_TUNNEL);
	in.gateway = in.local;
	CHECK(!l2tp_net_plan(&in, &bad) && g_error_matches(bad, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID));
}

static void test_dns_filtering(void)
{
	L2tpNetPlanInput in = base_input(L2TP_NET_FULL_TUNNEL);
	struct in_addr junk[4] = {ip("127.0.0.1"), ip("0.0.0.0"), ip("255.255.255.255"), ip("224.0.0.1")};
	const char *const bad_domains[] = {"ok.example", "bad domain", NULL};
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;

	in.dns = junk;
	in.n_dns = 4;
	plan = l2tp_net_plan(&in, NULL);
	CHECK(plan && plan->len == 3); /* no DNS action when nothing usable came */
	g_clear_pointer(&plan, g_array_unref);
	in = base_input(L2TP_NET_FULL_TUNNEL);
	in.domains = bad_domains;
	CHECK(!l2tp_net_plan(&in, &error) && g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID));
	CHECK(l2tp_net_domain_valid("a-b.c_d.example") && !l2tp_net_domain_valid(".x") &&
	      !l2tp_net_domain_valid("x..y") && !l2tp_net_domain_valid("x/y") && !l2tp_net_domain_valid(""));
}

static void test_prefix_parse(void)
{
	L2tpNetPrefix p;
	const char *bad[] = {"",         "10.0.0.0/", "10.0.0.0/33", "10.0.0.1/8",  "10.0.0.0/-1",
			     "10.0.0/8", "x/8",       "10.0.0.0/8x", "10.0.0.0/+8", NULL};

	CHECK(l2tp_net_prefix_parse("10.1.0.0/16", &p, NULL) && p.plen == 16 &&
	      p.addr.s_addr == ip("10.1.0.0").s_addr);
	CHECK(l2tp_net_prefix_parse("192.0.2.7", &p, NULL) && p.plen == 32);
	CHECK(l2tp_net_prefix_parse("0.0.0.0/0", &p, NULL) && p.plen == 0);
	CHECK(l2tp_net_prefix_contains(&(L2tpNetPrefix){ip("10.0.0.0"), 8}, ip("10.255.1.2")));
	CHECK(!l2tp_net_prefix_contains(&(L2tpNetPrefix){ip("10.0.0.0"), 8}, ip("11.0.0.1")));
	for (const char **s = bad; *s; s++) {
		g_autoptr(GError) error = NULL;

		CHECK(!l2tp_net_prefix_parse(*s, &p, &error) && error);
		if (!error)
			fprintf(stderr, "  accepted \"%s\"\n", *s);
	}
	CHECK(!l2tp_net_prefix_parse(NULL, &p, NULL));
}

static void test_route_record_roundtrip(void)
{
	L2tpNetRoute r = {.plen = 24, .metric = 7, .table = 254}, back;
	g_autofree char *text = NULL;
	const char *bad[] = {"",
			     "10.0.0.0/24 via 0.0.0.0 dev eth0 metric 0",
			     "10.0.0.1/24 via 0.0.0.0 dev eth0 metric 0 table 254",
			     "10.0.0.0/24 via x dev eth0 metric 0 table 254",
			     "10.0.0.0/24 via 0.0.0.0 dev ../x metric 0 table 254",
			     "10.0.0.0/24 via 0.0.0.0 dev eth0 metric -1 table 254",
			     "10.0.0.0/24 via 0.0.0.0 dev eth0 metric 0 table 99999999999",
			     "10.9.8.24 via 10.0.0.2 dev vex metric 7 table 254",
			     "10.9.8.0/24 via 10.0.0.2 dev vex metric 07 table 254",
			     "10.9.8.0/24 via 10.0.0.2 dev vex metric 7 table 0",
			     NULL};

	r.dst = ip("10.9.8.0");
	r.gateway = ip("10.0.0.1");
	g_strlcpy(r.ifname, "veth-x", sizeof(r.ifname));
	text = l2tp_net_route_to_string(&r);
	CHECK_STR(text, "10.9.8.0/24 via 10.0.0.1 dev veth-x metric 7 table 254");
	CHECK(l2tp_net_route_from_string(text, &back, NULL));
	CHECK(memcmp(&r, &back, sizeof(r)) == 0);
	for (const char **s = bad; *s; s++)
		CHECK(!l2tp_net_route_from_string(*s, &back, NULL));
}

static void test_resolv_conf_render(void)
{
	L2tpNetDns dns = {.ifname = "l2tp0", .n_servers = 2};
	const char *original = "# managed by someone\nnameserver 192.168.1.1\nnameserver 2001:db8::1\n"
			       "nameserver 9.9.9.9\nsearch home.example bad/domain\noptions edns0 trust-ad\n"
			       "nameserver not-an-ip\nsortlist 1.2.3.4\n";
	char *domains[] = {"corp.example", NULL};
	g_autofree char *full = NULL, *split = NULL;

	dns.servers[0] = ip("10.8.0.53");
	dns.servers[1] = ip("10.8.0.54");
	dns.domains = domains;
	dns.default_route = TRUE;
	full = l2tp_net_resolv_conf_render(&dns, original);
	CHECK_STR(full, "# Written by l2tp-vpn for l2tp0; restored when the connection ends.\n"
			"nameserver 10.8.0.53\nnameserver 10.8.0.54\n"
			"search corp.example home.example\noptions edns0 trust-ad\n");
	dns.default_route = FALSE;
	split = l2tp_net_resolv_conf_render(&dns, original);
	CHECK_STR(split, "# Written by l2tp-vpn for l2tp0; restored when the connection ends.\n"
			 "nameserver 10.8.0.53\nnameserver 10.8.0.54\nnameserver 192.168.1.1\n"
			 "search corp.example home.example\noptions edns0 trust-ad\n");
}

/* The numbers of state records and profiles: digits only, in range, no overflow. */
static void test_ascii_to_uint(void)
{
	guint64 v = 0;

	CHECK(l2tp_ascii_to_uint("1", 10, 1, G_MAXINT, &v) && v == 1);
	CHECK(l2tp_ascii_to_uint("007", 10, 0, 10, &v) && v == 7);
	CHECK(l2tp_ascii_to_uint("0644", 8, 0, 07777, &v) && v == 0644);
	CHECK(l2tp_ascii_to_uint("18446744073709551615", 10, 0, G_MAXUINT64, &v) && v == G_MAXUINT64);
	v = 42;
	CHECK(!l2tp_ascii_to_uint("18446744073709551616", 10, 0, G_MAXUINT64, &v) && v == 42);
	CHECK(!l2tp_ascii_to_uint("000000000000000000001", 10, 0, 10, &v)); /* 21 digits */
	CHECK(!l2tp_ascii_to_uint("", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint(NULL, 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("+1", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("-1", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint(" 1", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("1 ", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("1a", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("0x1", 10, 0, 10, &v));
	CHECK(!l2tp_ascii_to_uint("8", 8, 0, 07777, &v));
	CHECK(!l2tp_ascii_to_uint("0", 10, 1, 10, &v));
	CHECK(!l2tp_ascii_to_uint("11", 10, 1, 10, &v));
	CHECK(!l2tp_ascii_to_uint("1", 11, 0, 10, &v));
	CHECK(v == 42);
}

int main(void)
{
	DP_RUN(test_ascii_to_uint);
	DP_RUN(test_full_tunnel);
	DP_RUN(test_split_tunnel);
	DP_RUN(test_split_needs_routes);
	DP_RUN(test_never_default);
	DP_RUN(test_gateway_route_cases);
	DP_RUN(test_dns_filtering);
	DP_RUN(test_prefix_parse);
	DP_RUN(test_route_record_roundtrip);
	DP_RUN(test_resolv_conf_render);
	return dp_summary();
}
