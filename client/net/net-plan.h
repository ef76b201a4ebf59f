/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes and DNS for a connection: pure planning.
 *
 * l2tp_net_plan() turns what we know once PPP is up (gateway, the kernel's
 * current route to it, our PPP interface and addresses, the user's routing
 * mode, the DNS servers the gateway gave) into an ordered list of actions.
 * It touches nothing; net-apply.c carries the actions out and records them
 * so that they can be undone, even after a crash. IPv4 only.
 */
#ifndef L2TP_VPN_NET_PLAN_H
#define L2TP_VPN_NET_PLAN_H

#include <net/if.h>
#include <netinet/in.h>
#include <glib.h>

#define L2TP_NET_ERROR (l2tp_net_error_quark())
GQuark l2tp_net_error_quark(void);

typedef enum {
	L2TP_NET_ERROR_INVALID,             /* bad input: prefix, interface name, mode */
	L2TP_NET_ERROR_GATEWAY_LOOP,        /* the route to the gateway already goes through the tunnel */
	L2TP_NET_ERROR_NO_ROUTE,            /* the kernel has no route to the gateway */
	L2TP_NET_ERROR_NETLINK,             /* a netlink request failed */
	L2TP_NET_ERROR_NO_INTERFACE,        /* an interface named in an action does not exist */
	L2TP_NET_ERROR_STATE,               /* the state file cannot be written, read or parsed */
	L2TP_NET_ERROR_DNS,                 /* systemd-resolved / resolvconf refused */
	L2TP_NET_ERROR_RESOLV_CONF_CHANGED, /* someone else rewrote resolv.conf since we did */
} L2tpNetError;

typedef enum {
	L2TP_NET_FULL_TUNNEL,   /* everything through the tunnel */
	L2TP_NET_SPLIT_TUNNEL,  /* only the listed prefixes (at least one) */
	L2TP_NET_NEVER_DEFAULT, /* never the default route; listed prefixes, if any */
} L2tpNetMode;

typedef struct {
	struct in_addr addr;
	guint8 plen;
} L2tpNetPrefix;

typedef struct {
	struct in_addr dst;
	guint8 plen;
	struct in_addr gateway; /* INADDR_ANY: on-link through ifname */
	char ifname[IF_NAMESIZE];
	guint32 metric;
	guint32 table; /* 0 = main */
} L2tpNetRoute;

#define L2TP_NET_MAX_DNS 3

typedef struct {
	char ifname[IF_NAMESIZE];
	struct in_addr servers[L2TP_NET_MAX_DNS];
	guint n_servers;
	GStrv domains;          /* search domains given by the profile */
	gboolean default_route; /* full tunnel: every name query goes to these servers ("~.") */
} L2tpNetDns;

typedef enum {
	L2TP_NET_ACTION_ROUTE,
	L2TP_NET_ACTION_DNS,
} L2tpNetActionType;

typedef struct {
	L2tpNetActionType type;
	L2tpNetRoute route;
	L2tpNetDns dns;
} L2tpNetAction;

typedef struct {
	L2tpNetMode mode;
	struct in_addr gateway; /* the VPN server's public address */
	L2tpNetRoute underlay;  /* the kernel's route to it before we change anything */
	const char *ifname;     /* our PPP interface */
	struct in_addr local;   /* our address from IPCP */
	const L2tpNetPrefix *routes;
	guint n_routes;
	const struct in_addr *dns; /* from IPCP; INADDR_ANY entries are ignored */
	guint n_dns;
	const char *const *domains; /* NULL-terminated, may be NULL */
	gboolean ignore_vpn_dns;
} L2tpNetPlanInput;

/* An array of L2tpNetAction, in the order they must be applied. */
GArray *l2tp_net_plan(const L2tpNetPlanInput *in, GError **error);

gboolean l2tp_net_prefix_parse(const char *text, L2tpNetPrefix *out, GError **error);
gboolean l2tp_net_prefix_contains(const L2tpNetPrefix *p, struct in_addr a);
/* "10.0.0.0/8 via 192.0.2.1 dev eth0 metric 0 table 254" (for logs and the state file). */
char *l2tp_net_route_to_string(const L2tpNetRoute *r);
gboolean l2tp_net_route_from_string(const char *text, L2tpNetRoute *out, GError **error);
gboolean l2tp_net_ifname_valid(const char *ifname);
/* A DNS name a resolver accepts as a search/routing domain (letters, digits, '-', '.', '_'). */
gboolean l2tp_net_domain_valid(const char *domain);

#endif
