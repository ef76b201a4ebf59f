// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink events → one route lookup toward the gateway; see underlay-watch.h. */
#include "underlay-watch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <gio/gio.h>
#include <glib-unix.h>

struct _VpndUnderlayWatch {
	char gateway[INET_ADDRSTRLEN];
	char local[INET_ADDRSTRLEN];
	VpndUnderlayFunc func;
	gpointer user_data;
	int fd;
	guint fd_source;
	guint check_idle;
	gboolean fired;
};

gboolean vpnd_route_source(const char *gateway, char out[INET_ADDRSTRLEN], char **why_not)
{
	struct sockaddr_in gw = {.sin_family = AF_INET, .sin_port = htons(1701)};
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	int fd, err = 0;

	if (inet_pton(AF_INET, gateway, &gw.sin_addr) != 1) {
		*why_not = g_strdup_printf("%s is not an IPv4 address", gateway);
		return FALSE;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&gw, sizeof(gw)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err) {
		*why_not = g_strdup(g_strerror(err));
		return FALSE;
	}
	inet_ntop(AF_INET, &local.sin_addr, out, INET_ADDRSTRLEN);
	return TRUE;
}

static gboolean check(gpointer data)
{
	VpndUnderlayWatch *w = data;
	char source[INET_ADDRSTRLEN];
	g_autofree char *why_not = NULL;
	g_autofree char *why = NULL;

	w->check_idle = 0;
	if (w->fired)
		return G_SOURCE_REMOVE;
	if (!vpnd_route_source(w->gateway, source, &why_not))
		why = g_strdup_printf("no route to the gateway %s any more (%s)", w->gateway, why_not);
	else if (strcmp(source, w->local) != 0)
		why = g_strdup_printf("the route to the gateway %s now leaves from %s, not %s", w->gateway,
				      source, w->local);
	if (why) {
		w->fired = TRUE;
		w->func(why, w->user_data);
	}
	return G_SOURCE_REMOVE;
}

static gboolean on_netlink(int fd, GIOCondition cond, gpointer data)
{
	VpndUnderlayWatch *w = data;
	char buf[8192];

	/* Drain: what changed does not matter, only where the gateway is routed now. An overrun (ENOBUFS)
	 * means we missed events: check all the same. */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && (errno == ENOBUFS || errno == EINTR)))
			continue;
		break;
	}
	if (!w->check_idle && !w->fired)
		w->check_idle = g_idle_add(check, w);
	return G_SOURCE_CONTINUE;
}

static int open_netlink(GError **error)
{
	struct sockaddr_nl addr = {
	    .nl_family = AF_NETLINK,
	    .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE,
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "rtnetlink: %s", g_strerror(err));
		return -1;
	}
	return fd;
}

VpndUnderlayWatch *vpnd_underlay_watch_new(const char *gateway, const char *local, VpndUnderlayFunc func,
					   gpointer user_data, GError **error)
{
	VpndUnderlayWatch *w;
	int fd = open_netlink(error);

	if (fd < 0)
		return NULL;
	w = g_new0(VpndUnderlayWatch, 1);
	g_strlcpy(w->gateway, gateway, sizeof(w->gateway));
	g_strlcpy(w->local, local, sizeof(w->local));
	w->func = func;
	w->user_data = user_data;
	w->fd = fd;
	w->fd_source = g_unix_fd_add(fd, G_IO_IN, on_netlink, w);
	/* Something may have changed between connect and now. */
	w->check_idle = g_idle_add(check, w);
	return w;
}

void vpnd_underlay_watch_free(VpndUnderlayWatch *w)
{
	if (!w)
		return;
	g_clear_handle_id(&w->fd_source, g_source_remove);
	g_clear_handle_id(&w->check_idle, g_source_remove);
	close(w->fd);
	g_free(w);
}
