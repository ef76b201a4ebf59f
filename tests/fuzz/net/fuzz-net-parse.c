// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for what client/net reads from outside: a resolv.conf written
 * by someone else (DHCP clients copy search domains from the network), route
 * records from the state file, and prefixes from profiles. The first byte
 * picks the parser. Invariants: route records and prefixes that parse
 * re-serialise to the same text; a rendered resolv.conf contains only
 * printable lines and only nameserver lines that are IP addresses.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "net-dns.h"
#include "net-plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rendered(const char *out)
{
	g_auto(GStrv) lines = g_strsplit(out, "\n", -1);

	for (char **l = lines; *l; l++) {
		for (const char *c = *l; *c; c++)
			if (!g_ascii_isprint(*c) && *c != '\t')
				abort();
		if (g_str_has_prefix(*l, "nameserver ")) {
			guchar buf[16];
			const char *a = *l + strlen("nameserver ");

			if (inet_pton(AF_INET, a, buf) != 1 && inet_pton(AF_INET6, a, buf) != 1)
				abort();
		}
	}
}

static void fuzz_route(const char *text)
{
	L2tpNetRoute r;

	if (l2tp_net_route_from_string(text, &r, NULL)) {
		g_autofree char *again = l2tp_net_route_to_string(&r);

		if (strcmp(again, text) != 0)
			abort();
	}
}

static void fuzz_prefix(const char *text)
{
	L2tpNetPrefix p;

	if (l2tp_net_prefix_parse(text, &p, NULL) && (p.plen > 32 || !l2tp_net_prefix_contains(&p, p.addr)))
		abort();
}

static void fuzz_resolv_conf(const char *text)
{
	L2tpNetDns dns = {.ifname = "l2tp0", .n_servers = 1};
	char *domains[] = {"corp.example", NULL};
	g_autofree char *full = NULL, *split = NULL;

	inet_pton(AF_INET, "10.8.0.53", &dns.servers[0]);
	dns.domains = domains;
	dns.default_route = TRUE;
	full = l2tp_net_resolv_conf_render(&dns, text);
	dns.default_route = FALSE;
	split = l2tp_net_resolv_conf_render(&dns, text);
	check_rendered(full);
	check_rendered(split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = NULL;

	if (size < 1 || size > 65536)
		return 0;
	text = g_strndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		fuzz_route(text);
		break;
	case 1:
		fuzz_prefix(text);
		break;
	default:
		fuzz_resolv_conf(text);
	}
	return 0;
}
