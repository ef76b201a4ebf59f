// SPDX-License-Identifier: GPL-2.0-or-later
/* The LAC bound to a UDP socket in the GLib main loop; see l2tp-udp.h. */
#include "l2tp-udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#define RX_BUF_SIZE 65536

struct l2tp_udp {
	struct l2tp_lac *lac;
	int fd;
	guint fd_source, timer_source;
	struct sockaddr_storage lns;
	socklen_t lns_len;
	gboolean follow_lns_port;
	gboolean foreign_port_logged;
	L2tpUdpEventFunc on_event;
	L2tpUdpLogFunc on_log;
	gpointer user_data;
	L2tpUdpRxHook rx_hook;
	gpointer rx_hook_data;
	gboolean (*tunnel_id_taken)(guint16 id, gpointer data);
	gpointer tunnel_id_taken_data;
	guint8 *rx_buf;
};

G_DEFINE_QUARK(l2tp - udp - error - quark, l2tp_udp_error)

static guint64 now_ms(void)
{
	return (guint64)g_get_monotonic_time() / 1000;
}

static void udp_log(L2tpUdp *udp, enum l2tp_log_level level, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void udp_log(L2tpUdp *udp, enum l2tp_log_level level, const char *fmt, ...)
{
	if (!udp->on_log)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	udp->on_log(udp, level, msg, udp->user_data);
}

static void reschedule(L2tpUdp *udp);

static gboolean on_timer(gpointer data)
{
	L2tpUdp *udp = data;
	udp->timer_source = 0;
	l2tp_lac_timeout(udp->lac, now_ms());
	reschedule(udp);
	return G_SOURCE_REMOVE;
}

/* One GLib timeout at the LAC's next deadline. */
static void reschedule(L2tpUdp *udp)
{
	if (udp->timer_source)
		g_source_remove(udp->timer_source);
	udp->timer_source = 0;
	guint64 deadline = l2tp_lac_deadline(udp->lac);
	if (deadline == L2TP_NO_DEADLINE)
		return;
	guint64 now = now_ms();
	guint delay = deadline > now ? (guint)MIN(deadline - now, G_MAXUINT) : 0;
	udp->timer_source = g_timeout_add(delay, on_timer, udp);
}

static void lac_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	L2tpUdp *udp = ctx;
	if (sendto(udp->fd, data, len, 0, to, tolen) < 0)
		/* Lost like any datagram: retransmission covers it, the retry budget ends it. */
		udp_log(udp, L2TP_LOG_INFO, "sending to LNS failed: %s", g_strerror(errno));
}

static void lac_event(void *ctx, const struct l2tp_event *ev)
{
	L2tpUdp *udp = ctx;
	if (ev->type == L2TP_EVENT_TUNNEL_UP && ev->peer_len) {
		/* Follow the LNS to the port it answered from; the kernel tunnel needs a connected socket. */
		if (connect(udp->fd, ev->peer, ev->peer_len) < 0)
			udp_log(udp, L2TP_LOG_ERROR, "connecting the L2TP socket to the LNS failed: %s",
				g_strerror(errno));
	}
	if (udp->on_event)
		udp->on_event(udp, ev, udp->user_data);
}

static void lac_log_cb(void *ctx, enum l2tp_log_level level, const char *message)
{
	L2tpUdp *udp = ctx;
	if (udp->on_log)
		udp->on_log(udp, level, message, udp->user_data);
}

/* The pinned LNS address and port, or a datagram to drop (logged once). */
static gboolean is_lns(L2tpUdp *udp, const struct sockaddr_storage *from)
{
	if (from->ss_family == AF_INET && udp->lns.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)from;
		const struct sockaddr_in *b = (const struct sockaddr_in *)&udp->lns;
		if (a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr)
			return TRUE;
	} else if (from->ss_family == AF_INET6 && udp->lns.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)&udp->lns;
		if (a->sin6_port == b->sin6_port && IN6_ARE_ADDR_EQUAL(&a->sin6_addr, &b->sin6_addr))
			return TRUE;
	}
	if (!udp->foreign_port_logged) {
		char host[INET6_ADDRSTRLEN + 8] = "?";
		guint16 port = 0;
		if (from->ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
			port = ntohs(sin->sin_port);
		} else if (from->ss_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)from;
			inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
			port = ntohs(sin6->sin6_port);
		}
		udp_log(udp, L2TP_LOG_ERROR,
			"dropping L2TP from %s port %u: only the LNS at its configured port is protected by "
			"IPsec, and following it elsewhere would send L2TP in clear",
			host, port);
		udp->foreign_port_logged = TRUE;
	}
	return FALSE;
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	L2tpUdp *udp = data;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, udp->rx_buf, RX_BUF_SIZE, 0, (struct sockaddr *)&from, &from_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				/* e.g. ECONNREFUSED from an ICMP port unreachable: retransmission decides. */
				udp_log(udp, L2TP_LOG_INFO, "receiving from LNS: %s", g_strerror(errno));
			break;
		}
		if (udp->rx_hook)
			udp->rx_hook(udp->rx_buf, (gsize)n, udp->rx_hook_data);
		if (!udp->follow_lns_port && !is_lns(udp, &from))
			continue;
		l2tp_lac_input(udp->lac, now_ms(), udp->rx_buf, (size_t)n, (struct sockaddr *)&from,
			       from_len);
	}
	reschedule(udp);
	return G_SOURCE_CONTINUE;
}

static gboolean parse_address(const char *text, guint16 port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return TRUE;
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return TRUE;
	}
	return FALSE;
}

static void set_port(struct sockaddr_storage *ss, guint16 port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static gboolean bind_socket(L2tpUdp *udp, const struct l2tp_udp_config *ucfg, GError **error)
{
	struct sockaddr_storage local;
	socklen_t local_len;
	int family = udp->lns.ss_family;

	if (ucfg->local_address) {
		if (!parse_address(ucfg->local_address, 0, &local, &local_len)) {
			g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_ADDRESS,
				    "local address \"%s\" is not a numeric IP address", ucfg->local_address);
			return FALSE;
		}
		if (local.ss_family != family) {
			g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_ADDRESS,
				    "local address %s and LNS address are of different IP families",
				    ucfg->local_address);
			return FALSE;
		}
	} else {
		memset(&local, 0, sizeof(local));
		local.ss_family = (sa_family_t)family;
		local_len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	}
	udp->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (udp->fd < 0) {
		g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_SOCKET, "cannot create UDP socket: %s",
			    g_strerror(errno));
		return FALSE;
	}
	if (ucfg->port_policy != L2TP_PORT_POLICY_EPHEMERAL) {
		set_port(&local, L2TP_PORT);
		if (bind(udp->fd, (struct sockaddr *)&local, local_len) == 0)
			return TRUE;
		if (errno != EADDRINUSE || ucfg->port_policy == L2TP_PORT_POLICY_1701) {
			g_set_error(
			    error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_SOCKET, "cannot bind UDP port 1701%s: %s",
			    errno == EADDRINUSE ? " (another L2TP client such as xl2tpd is running?)" : "",
			    g_strerror(errno));
			return FALSE;
		}
		udp_log(udp, L2TP_LOG_INFO, "UDP port 1701 is in use: using an ephemeral port");
	}
	set_port(&local, 0);
	if (bind(udp->fd, (struct sockaddr *)&local, local_len) < 0) {
		g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_SOCKET, "cannot bind UDP socket: %s",
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static bool lac_tunnel_id_taken(void *ctx, uint16_t id)
{
	L2tpUdp *udp = ctx;
	return udp->tunnel_id_taken && udp->tunnel_id_taken(id, udp->tunnel_id_taken_data);
}

L2tpUdp *l2tp_udp_new(const struct l2tp_udp_config *ucfg, const struct l2tp_lac_config *cfg,
		      L2tpUdpEventFunc on_event, L2tpUdpLogFunc on_log, gpointer user_data, GError **error)
{
	g_autofree L2tpUdp *udp = g_new0(L2tpUdp, 1);
	char err[256];

	udp->fd = -1;
	udp->on_event = on_event;
	udp->on_log = on_log;
	udp->user_data = user_data;
	if (!ucfg->lns_address ||
	    !parse_address(ucfg->lns_address, ucfg->lns_port ? ucfg->lns_port : L2TP_PORT, &udp->lns,
			   &udp->lns_len)) {
		g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_ADDRESS,
			    "LNS address \"%s\" is not a numeric IP address",
			    ucfg->lns_address ? ucfg->lns_address : "");
		return NULL;
	}
	struct l2tp_lac_ops ops = {
	    .send = lac_send, .event = lac_event, .log = lac_log_cb, .tunnel_id_taken = lac_tunnel_id_taken};
	udp->tunnel_id_taken = ucfg->tunnel_id_taken;
	udp->tunnel_id_taken_data = ucfg->tunnel_id_taken_data;
	udp->lac = l2tp_lac_new(cfg, &ops, udp, err, sizeof(err));
	if (!udp->lac) {
		g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_CONFIG, "%s", err);
		return NULL;
	}
	udp->follow_lns_port = ucfg->follow_lns_port;
	if (!bind_socket(udp, ucfg, error)) {
		if (udp->fd >= 0)
			close(udp->fd);
		l2tp_lac_free(udp->lac);
		return NULL;
	}
	udp->rx_buf = g_malloc(RX_BUF_SIZE);
	udp->fd_source = g_unix_fd_add(udp->fd, G_IO_IN, on_readable, udp);
	return g_steal_pointer(&udp);
}

gboolean l2tp_udp_start(L2tpUdp *udp, GError **error)
{
	if (!l2tp_lac_start(udp->lac, now_ms(), (struct sockaddr *)&udp->lns, udp->lns_len)) {
		g_set_error(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_CONFIG, "L2TP tunnel already started");
		return FALSE;
	}
	reschedule(udp);
	return TRUE;
}

gboolean l2tp_udp_session_confirm(L2tpUdp *udp)
{
	gboolean ok = l2tp_lac_session_confirm(udp->lac, now_ms());
	reschedule(udp);
	return ok;
}

gboolean l2tp_udp_restart_tunnel(L2tpUdp *udp)
{
	gboolean ok = l2tp_lac_restart_tunnel(udp->lac, now_ms());
	reschedule(udp);
	return ok;
}

void l2tp_udp_close(L2tpUdp *udp, const char *why)
{
	l2tp_lac_close(udp->lac, now_ms(), why);
	reschedule(udp);
}

void l2tp_udp_set_rx_hook(L2tpUdp *udp, L2tpUdpRxHook hook, gpointer user_data)
{
	udp->rx_hook = hook;
	udp->rx_hook_data = user_data;
}

int l2tp_udp_fd(L2tpUdp *udp)
{
	return udp->fd;
}

guint16 l2tp_udp_local_port(L2tpUdp *udp)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(udp->fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

struct l2tp_lac *l2tp_udp_lac(L2tpUdp *udp)
{
	return udp->lac;
}

void l2tp_udp_free(L2tpUdp *udp)
{
	if (!udp)
		return;
	if (udp->timer_source)
		g_source_remove(udp->timer_source);
	if (udp->fd_source)
		g_source_remove(udp->fd_source);
	if (udp->fd >= 0)
		close(udp->fd);
	l2tp_lac_free(udp->lac);
	g_free(udp->rx_buf);
	g_free(udp);
}
