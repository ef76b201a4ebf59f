/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Underlay supervision: a connection is bound to the local address the kernel
 * routed toward the gateway when it came up. When that changes (the address
 * went away, the interface went down, the route to the gateway now leaves from
 * somewhere else) the tunnel is dead even if no keep-alive has noticed yet:
 * the watch tells its owner at once, so that it reconnects over the new path.
 *
 * Any rtnetlink address, route or link event triggers one re-check from the
 * main loop (events are not parsed: the kernel's own route lookup is the
 * answer). Only for a connection that is up: its own routes were set by then,
 * and the orchestrator pins a host route to the gateway over the underlay.
 */
#ifndef L2TPVPN_UNDERLAY_WATCH_H
#define L2TPVPN_UNDERLAY_WATCH_H

#include <netinet/in.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _VpndUnderlayWatch VpndUnderlayWatch;

/* @why: what changed, for the log and LastErrorMessage. Runs at most once per watch. */
typedef void (*VpndUnderlayFunc)(const char *why, gpointer user_data);

VpndUnderlayWatch *vpnd_underlay_watch_new(const char *gateway, const char *local, VpndUnderlayFunc func,
					   gpointer user_data, GError **error);
void vpnd_underlay_watch_free(VpndUnderlayWatch *watch);

/*
 * The source address the kernel picks toward @gateway (a UDP connect(), no
 * packet leaves); FALSE with errno's text in @why_not when there is no route.
 */
gboolean vpnd_route_source(const char *gateway, char out[INET_ADDRSTRLEN], char **why_not);

G_END_DECLS

#endif
