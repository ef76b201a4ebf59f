/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Carrying out a route/DNS plan (net-plan.h) and undoing it.
 *
 * Every change is written to a state file (<run_dir>/<name>.net-state, 0600,
 * directory 0700) *before* it is made, and fsync'ed, so that a crash at any
 * point leaves a record of everything that may have changed. l2tp_net_undo()
 * reads that file and reverses the records in reverse order: on a normal
 * disconnect, and at the next start after a crash. Removing something that is
 * already gone counts as success, so undo can be repeated.
 *
 * Routes go through libnl-route (works in any network namespace we run in).
 * DNS goes to systemd-resolved over D-Bus when it runs, else to resolvconf,
 * else into resolv.conf itself, rewritten and later restored byte for byte
 * (see net-dns.c).
 */
#ifndef L2TP_VPN_NET_APPLY_H
#define L2TP_VPN_NET_APPLY_H

#include "net-plan.h"

typedef enum {
	L2TP_NET_DNS_AUTO, /* resolved, else resolvconf, else the file */
	L2TP_NET_DNS_RESOLVED,
	L2TP_NET_DNS_RESOLVCONF,
	L2TP_NET_DNS_FILE,
	L2TP_NET_DNS_NONE, /* leave DNS alone */
} L2tpNetDnsBackend;

/* Which DNS backend an apply will use, found out ahead (see l2tp_net_dns_probe()). */
typedef struct L2tpNetDnsProbe L2tpNetDnsProbe;

typedef struct {
	const char *run_dir;     /* e.g. /run/l2tp-vpn */
	const char *name;        /* connection name: [A-Za-z0-9_.-], no leading dot */
	const char *resolv_conf; /* NULL = /etc/resolv.conf (tests point elsewhere) */
	L2tpNetDnsBackend dns_backend;
	const L2tpNetDnsProbe *dns_probe; /* NULL: an apply with DNS probes by itself */
} L2tpNetContext;

/*
 * Finds out now which DNS backend a later apply will use for @backend, and keeps
 * systemd-resolved's bus connection: a connect probes while IKE runs, not after PPP is up
 * (lab: GDBus's set-up alone was 20 ms of the routes phase). Never fails: a backend that
 * is missing is found missing again, and named, by the apply.
 */
L2tpNetDnsProbe *l2tp_net_dns_probe(L2tpNetDnsBackend backend);
void l2tp_net_dns_probe_free(L2tpNetDnsProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(L2tpNetDnsProbe, l2tp_net_dns_probe_free)

/* The kernel's current route to @dst (RTM_GETROUTE), as the underlay for the plan. */
gboolean l2tp_net_lookup_route(struct in_addr dst, L2tpNetRoute *out, GError **error);

/*
 * Look up the route to @gateway and pin it with a host route now, before
 * PPP exists, so that nothing PPP adds (e.g. a peer route equal to the
 * gateway's address) can capture the tunnel's own packets. Recorded like any
 * other change; l2tp_net_apply() later skips the identical plan entry.
 */
gboolean l2tp_net_pin_gateway(const L2tpNetContext *ctx, struct in_addr gateway, L2tpNetRoute *underlay,
			      GError **error);

/* Apply @plan (L2tpNetAction). On failure what was done stays recorded: call l2tp_net_undo(). */
gboolean l2tp_net_apply(const L2tpNetContext *ctx, GArray *plan, GError **error);

/* Undo everything the state file records; TRUE when nothing is left (also when there was no file). */
gboolean l2tp_net_undo(const L2tpNetContext *ctx, GError **error);

char *l2tp_net_state_path(const L2tpNetContext *ctx);

/* Route primitives (also used by tools and tests). A route that already exists fails with G_IO_ERROR_EXISTS.
 */
gboolean l2tp_net_route_add(const L2tpNetRoute *r, GError **error);
/* Deleting a route (or one whose interface) is gone succeeds. */
gboolean l2tp_net_route_del(const L2tpNetRoute *r, GError **error);

#endif
