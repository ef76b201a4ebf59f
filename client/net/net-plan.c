// SPDX-License-Identifier: GPL-2.0-or-later
/* Route and DNS planning; see net-plan.h. */
#include "net-plan.h"
#include "ascii-uint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

GQuark l2tp_net_error_quark(void)
{
	return g_quark_from_static_string("l2tp-vpn-net-error-quark");
}

#define MAIN_TABLE 254

static guint32 mask_of(guint8 plen)
{
	return plen == 0 ? 0 : htonl(0xffffffffu << (32 - plen));
}

gboolean l2tp_net_prefix_contains(const L2tpNetPrefix *p, struct in_addr a)
{
	return (a.s_addr & mask_of(p->plen)) == p->addr.s_addr;
}

gboolean l2tp_net_prefix_parse(const char *text, L2tpNetPrefix *out, GError **error)
{
	g_autofree char *copy = g_strdup(text ? text : "");
	char *slash = strchr(copy, '/');
	char *end = NULL;
	long plen = 32;

	if (slash) {
		*slash = '\0';
		errno = 0;
		plen = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || plen < 0 || plen > 32 || !g_ascii_isdigit(slash[1]))
			goto bad;
	}
	if (inet_pton(AF_INET, copy, &out->addr) != 1)
		goto bad;
	out->plen = (guint8)plen;
	/* Host bits set usually means a typo: refuse it rather than guess. */
	if ((out->addr.s_addr & ~mask_of(out->plen)) != 0)
		goto bad;
	return TRUE;
bad:
	g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID, "not an IPv4 prefix (a.b.c.d/len): \"%s\"",
		    text ? text : "");
	return FALSE;
}

gboolean l2tp_net_ifname_valid(const char *ifname)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n >= IF_NAMESIZE || !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(ifname[i]) && !strchr("-_.", ifname[i]))
			return FALSE;
	return TRUE;
}

gboolean l2tp_net_domain_valid(const char *domain)
{
	size_t n = domain ? strlen(domain) : 0;
	size_t label = 0;

	if (n == 0 || n > 253 || domain[0] == '.' || domain[0] == '-')
		return FALSE;
	for (size_t i = 0; i < n; i++) {
		char c = domain[i];

		if (c == '.') {
			if (label == 0)
				return FALSE;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(c) && c != '-' && c != '_')
			return FALSE;
		if (++label > 63)
			return FALSE;
	}
	return TRUE;
}

static void add_route(GArray *plan, struct in_addr dst, guint8 plen, struct in_addr via, const char *ifname,
		      guint32 metric)
{
	L2tpNetAction a = {.type = L2TP_NET_ACTION_ROUTE};

	a.route.dst = dst;
	a.route.plen = plen;
	a.route.gateway = via;
	g_strlcpy(a.route.ifname, ifname, sizeof(a.route.ifname));
	a.route.metric = metric;
	a.route.table = MAIN_TABLE;
	g_array_append_val(plan, a);
}

static gboolean route_listed(GArray *plan, struct in_addr dst, guint8 plen)
{
	for (guint i = 0; i < plan->len; i++) {
		const L2tpNetAction *a = &g_array_index(plan, L2tpNetAction, i);

		if (a->type == L2TP_NET_ACTION_ROUTE && a->route.dst.s_addr == dst.s_addr &&
		    a->route.plen == plen)
			return TRUE;
	}
	return FALSE;
}

/*
 * First of all, a host route to the gateway through the path it takes now:
 * once the tunnel routes exist, the gateway itself must not be reached
 * through the tunnel (the encapsulated packets would loop). It also covers a
 * gateway whose PPP peer address equals its public one, and split routes that
 * happen to contain the gateway.
 */
static gboolean plan_gateway_route(const L2tpNetPlanInput *in, GArray *plan, GError **error)
{
	const L2tpNetRoute *u = &in->underlay;

	if (!u->ifname[0]) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NO_ROUTE,
				    "no route to the VPN gateway");
		return FALSE;
	}
	if (!strcmp(u->ifname, in->ifname)) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_GATEWAY_LOOP,
			    "the route to the VPN gateway already goes through %s", in->ifname);
		return FALSE;
	}
	add_route(plan, in->gateway, 32, u->gateway, u->ifname, u->metric);
	return TRUE;
}

/*
 * Full tunnel as two /1 routes rather than replacing the default route or
 * adding one with a lower metric: a /1 is more specific than any /0, so it
 * wins whatever metric the user's default has, the user's default route stays
 * untouched (nothing to restore, and a DHCP renewal that re-adds it cannot
 * take the traffic back), and undoing means deleting exactly our two routes.
 * (OpenVPN's def1 and wg-quick make the same choice.)
 */
static void plan_full_tunnel(const L2tpNetPlanInput *in, GArray *plan)
{
	struct in_addr zero = {0}, half = {htonl(0x80000000u)};

	add_route(plan, zero, 1, zero, in->ifname, 0);
	add_route(plan, half, 1, zero, in->ifname, 0);
}

static gboolean plan_listed_routes(const L2tpNetPlanInput *in, GArray *plan, GError **error)
{
	struct in_addr zero = {0};

	if (in->mode == L2TP_NET_SPLIT_TUNNEL && in->n_routes == 0) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID,
				    "split tunnel without any route: list the networks behind the gateway");
		return FALSE;
	}
	for (guint i = 0; i < in->n_routes; i++) {
		const L2tpNetPrefix *p = &in->routes[i];

		if (p->plen > 32 || (p->addr.s_addr & ~mask_of(p->plen)) != 0) {
			g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID,
				    "route %u is not a valid prefix", i);
			return FALSE;
		}
		if (p->plen == 0) {
			g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID,
					    "0.0.0.0/0 in the route list: that is a full tunnel");
			return FALSE;
		}
		if (!route_listed(plan, p->addr, p->plen))
			add_route(plan, p->addr, p->plen, zero, in->ifname, 0);
	}
	return TRUE;
}

static gboolean dns_server_usable(struct in_addr a)
{
	guint32 h = ntohl(a.s_addr);

	return h != 0 && h != 0xffffffffu && (h >> 24) != 127 && (h >> 28) != 0xe;
}

static gboolean plan_dns(const L2tpNetPlanInput *in, GArray *plan, GError **error)
{
	L2tpNetAction a = {.type = L2TP_NET_ACTION_DNS};
	g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func(g_free);

	if (in->ignore_vpn_dns)
		return TRUE;
	for (guint i = 0; i < in->n_dns && a.dns.n_servers < L2TP_NET_MAX_DNS; i++) {
		gboolean dup = FALSE;

		for (guint j = 0; j < a.dns.n_servers; j++)
			dup |= a.dns.servers[j].s_addr == in->dns[i].s_addr;
		if (!dup && dns_server_usable(in->dns[i]))
			a.dns.servers[a.dns.n_servers++] = in->dns[i];
	}
	if (a.dns.n_servers == 0)
		return TRUE;
	for (const char *const *d = in->domains; d && *d; d++) {
		if (!l2tp_net_domain_valid(*d)) {
			g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID, "not a DNS domain: \"%s\"",
				    *d);
			return FALSE;
		}
		g_ptr_array_add(domains, g_strdup(*d));
	}
	g_ptr_array_add(domains, NULL);
	g_strlcpy(a.dns.ifname, in->ifname, sizeof(a.dns.ifname));
	a.dns.domains = (GStrv)g_ptr_array_free(g_steal_pointer(&domains), FALSE);
	a.dns.default_route = in->mode == L2TP_NET_FULL_TUNNEL;
	g_array_append_val(plan, a);
	return TRUE;
}

static void clear_action(gpointer p)
{
	L2tpNetAction *a = p;

	g_strfreev(a->dns.domains);
	a->dns.domains = NULL;
}

static gboolean check_input(const L2tpNetPlanInput *in, GError **error)
{
	if (!l2tp_net_ifname_valid(in->ifname) ||
	    (in->underlay.ifname[0] && !l2tp_net_ifname_valid(in->underlay.ifname))) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID, "invalid interface name");
		return FALSE;
	}
	if (in->mode > L2TP_NET_NEVER_DEFAULT) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID, "unknown routing mode");
		return FALSE;
	}
	if (in->gateway.s_addr == 0 || in->gateway.s_addr == in->local.s_addr) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID,
				    "the gateway address is missing or equals our tunnel address");
		return FALSE;
	}
	if (in->n_routes && !in->routes) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID, "route list missing");
		return FALSE;
	}
	return TRUE;
}

GArray *l2tp_net_plan(const L2tpNetPlanInput *in, GError **error)
{
	g_autoptr(GArray) plan = g_array_new(FALSE, TRUE, sizeof(L2tpNetAction));

	g_array_set_clear_func(plan, clear_action);
	if (!check_input(in, error) || !plan_gateway_route(in, plan, error))
		return NULL;
	if (in->mode == L2TP_NET_FULL_TUNNEL)
		plan_full_tunnel(in, plan);
	else if (!plan_listed_routes(in, plan, error))
		return NULL;
	if (!plan_dns(in, plan, error))
		return NULL;
	return g_steal_pointer(&plan);
}

char *l2tp_net_route_to_string(const L2tpNetRoute *r)
{
	char dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &r->dst, dst, sizeof(dst));
	inet_ntop(AF_INET, &r->gateway, gw, sizeof(gw));
	return g_strdup_printf("%s/%u via %s dev %s metric %u table %u", dst, r->plen, gw, r->ifname,
			       r->metric, r->table ? r->table : MAIN_TABLE);
}

static gboolean parse_u32(const char *s, guint32 *out)
{
	guint64 v;

	if (!l2tp_ascii_to_uint(s, 10, 0, G_MAXUINT32, &v))
		return FALSE;
	*out = (guint32)v;
	return TRUE;
}

gboolean l2tp_net_route_from_string(const char *text, L2tpNetRoute *out, GError **error)
{
	g_auto(GStrv) w = g_strsplit(text ? text : "", " ", -1);
	L2tpNetPrefix p;

	memset(out, 0, sizeof(*out));
	if (g_strv_length(w) != 9 || strcmp(w[1], "via") || strcmp(w[3], "dev") || strcmp(w[5], "metric") ||
	    strcmp(w[7], "table") || !l2tp_net_prefix_parse(w[0], &p, NULL) ||
	    inet_pton(AF_INET, w[2], &out->gateway) != 1 || !l2tp_net_ifname_valid(w[4]) ||
	    !parse_u32(w[6], &out->metric) || !parse_u32(w[8], &out->table)) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "malformed route record \"%s\"",
			    text ? text : "");
		return FALSE;
	}
	out->dst = p.addr;
	out->plen = p.plen;
	g_strlcpy(out->ifname, w[4], sizeof(out->ifname));
	/* Only the exact form we write is accepted: no bare addresses, leading zeros or table 0. */
	{
		g_autofree char *canonical = l2tp_net_route_to_string(out);

		if (strcmp(canonical, text) != 0) {
			g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE,
				    "non-canonical route record \"%s\"", text);
			return FALSE;
		}
	}
	return TRUE;
}
