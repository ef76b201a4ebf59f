// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The GLib UDP adapter on real loopback sockets:
 *   - an LNS that answers SCCRQ from a different port is followed when allowed
 *     (L2TP without IPsec): SCCCN goes to the new port and the socket ends up
 *     connect()ed to it (what the kernel tunnel needs);
 *   - by default (under IPsec) it is not: its answers are dropped with a log
 *     line saying why, nothing reaches the other port, no tunnel comes up;
 *   - the source-port policy: 1701 when free, a named error or an ephemeral
 *     port when it is taken;
 *   - unusable addresses become named errors.
 */
#include "check.h"
#include "l2tp-codec.h"
#include "l2tp-udp.h"

#include <arpa/inet.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int bound_socket(guint16 port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static guint16 port_of(int fd, gboolean peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int rc = peer ? getpeername(fd, (struct sockaddr *)&sin, &len)
		      : getsockname(fd, (struct sockaddr *)&sin, &len);
	return rc == 0 ? ntohs(sin.sin_port) : 0;
}

struct moving_lns {
	int listen_fd, answer_fd;
	GMainLoop *loop;
	uint16_t tunnel_up_port;
	uint16_t scccn_seen_on;
	gboolean timed_out;
	guint sccrq_count;
	gboolean drop_logged;
};

/* SCCRQ arrives on the listening socket; SCCRP leaves from the other one. */
static gboolean on_sccrq(gint fd, GIOCondition cond, gpointer data)
{
	struct moving_lns *lns = data;
	uint8_t buf[2048], out[256];
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	static struct l2tp_msg msg;
	uint16_t lac_tunnel = 0;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	if (n <= 0 || l2tp_msg_parse(buf, (size_t)n, NULL, &msg) != L2TP_PARSE_OK ||
	    msg.type != L2TP_MSG_SCCRQ)
		return G_SOURCE_CONTINUE;
	l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &lac_tunnel);
	/* Pinned LAC: the retransmitted SCCRQ proves our first answer was dropped. */
	if (++lns->sccrq_count == 2 && lns->drop_logged)
		g_main_loop_quit(lns->loop);
	struct l2tp_builder b;
	l2tp_builder_init(&b, out, sizeof(out), L2TP_MSG_SCCRP, lac_tunnel, 0, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_HOST_NAME, "moving-lns", 10);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x1111);
	size_t len = l2tp_builder_finish(&b);
	l2tp_header_set_seq(out, 0, 1);
	sendto(lns->answer_fd, out, len, 0, (struct sockaddr *)&from, from_len);
	return G_SOURCE_CONTINUE;
}

static gboolean on_answer_socket(gint fd, GIOCondition cond, gpointer data)
{
	struct moving_lns *lns = data;
	uint8_t buf[2048];
	static struct l2tp_msg msg;
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n > 0 && l2tp_msg_parse(buf, (size_t)n, NULL, &msg) == L2TP_PARSE_OK &&
	    msg.type == L2TP_MSG_SCCCN) {
		lns->scccn_seen_on = port_of(fd, FALSE);
		g_main_loop_quit(lns->loop);
	}
	return G_SOURCE_CONTINUE;
}

static void on_event(L2tpUdp *udp, const struct l2tp_event *ev, gpointer data)
{
	struct moving_lns *lns = data;
	if (ev->type == L2TP_EVENT_TUNNEL_UP)
		lns->tunnel_up_port = ntohs(((const struct sockaddr_in *)ev->peer)->sin_port);
}

static gboolean on_guard(gpointer data)
{
	struct moving_lns *lns = data;
	lns->timed_out = TRUE;
	g_main_loop_quit(lns->loop);
	return G_SOURCE_REMOVE;
}

static void on_log(L2tpUdp *udp, enum l2tp_log_level level, const char *message, gpointer data)
{
	struct moving_lns *lns = data;
	if (level == L2TP_LOG_ERROR && strstr(message, "dropping L2TP from 127.0.0.1 port") &&
	    strstr(message, "in clear"))
		lns->drop_logged = TRUE;
}

static void run_moving_lns(struct moving_lns *lns, gboolean follow, L2tpUdp **out)
{
	g_autoptr(GError) error = NULL;
	struct l2tp_lac_config cfg;
	CHECK(lns->listen_fd >= 0 && lns->answer_fd >= 0);
	l2tp_lac_config_defaults(&cfg);
	lns->loop = g_main_loop_new(NULL, FALSE);
	struct l2tp_udp_config ucfg = {.lns_address = "127.0.0.1",
				       .lns_port = port_of(lns->listen_fd, FALSE),
				       .local_address = "127.0.0.1",
				       .port_policy = L2TP_PORT_POLICY_EPHEMERAL,
				       .follow_lns_port = follow};
	L2tpUdp *udp = l2tp_udp_new(&ucfg, &cfg, on_event, on_log, lns, &error);
	CHECK(udp != NULL);
	guint s1 = g_unix_fd_add(lns->listen_fd, G_IO_IN, on_sccrq, lns);
	guint s2 = g_unix_fd_add(lns->answer_fd, G_IO_IN, on_answer_socket, lns);
	guint guard = g_timeout_add_seconds(10, on_guard, lns);
	if (udp && l2tp_udp_start(udp, &error))
		g_main_loop_run(lns->loop);
	if (!lns->timed_out)
		g_source_remove(guard);
	g_source_remove(s1);
	g_source_remove(s2);
	*out = udp;
}

static void test_follows_lns_to_new_port(void)
{
	struct moving_lns lns = {.listen_fd = bound_socket(0), .answer_fd = bound_socket(0)};
	L2tpUdp *udp = NULL;
	run_moving_lns(&lns, TRUE, &udp);
	CHECK(!lns.timed_out);
	uint16_t new_port = port_of(lns.answer_fd, FALSE);
	CHECK_INT(lns.tunnel_up_port, new_port);
	CHECK_INT(lns.scccn_seen_on, new_port);
	if (udp)
		CHECK_INT(port_of(l2tp_udp_fd(udp), TRUE), new_port); /* connected to the LNS's new port */
	l2tp_udp_free(udp);
	close(lns.listen_fd);
	close(lns.answer_fd);
	g_main_loop_unref(lns.loop);
}

static void test_pinned_to_lns_port(void)
{
	struct moving_lns lns = {.listen_fd = bound_socket(0), .answer_fd = bound_socket(0)};
	L2tpUdp *udp = NULL;
	run_moving_lns(&lns, FALSE, &udp);
	CHECK(!lns.timed_out);     /* ended by the retransmitted SCCRQ */
	CHECK(lns.drop_logged);    /* the SCCRP from the other port was dropped, and said so */
	CHECK_INT(lns.tunnel_up_port, 0);
	CHECK_INT(lns.scccn_seen_on, 0);
	if (udp)
		CHECK_INT(port_of(l2tp_udp_fd(udp), TRUE), 0); /* never connected anywhere */
	l2tp_udp_free(udp);
	close(lns.listen_fd);
	close(lns.answer_fd);
	g_main_loop_unref(lns.loop);
}

static L2tpUdp *make(L2tpPortPolicy policy, const char *local, const char *lns, GError **error)
{
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	struct l2tp_udp_config ucfg = {.lns_address = lns, .local_address = local, .port_policy = policy};
	return l2tp_udp_new(&ucfg, &cfg, NULL, NULL, NULL, error);
}

static void test_port_policy(void)
{
	g_autoptr(GError) error = NULL;
	/* Take 1701 ourselves (if something else already holds it, it is taken just the same). */
	int blocker = bound_socket(L2TP_PORT);
	L2tpUdp *udp = make(L2TP_PORT_POLICY_1701, "127.0.0.1", "127.0.0.1", &error);
	CHECK(udp == NULL);
	CHECK(error && g_error_matches(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_SOCKET));
	if (error)
		CHECK(strstr(error->message,
			     "cannot bind UDP port 1701 (another L2TP client such as xl2tpd is "
			     "running?)") != NULL);
	g_clear_error(&error);
	udp = make(L2TP_PORT_POLICY_1701_OR_EPHEMERAL, "127.0.0.1", "127.0.0.1", &error);
	CHECK(udp != NULL);
	if (udp) {
		CHECK(l2tp_udp_local_port(udp) != L2TP_PORT && l2tp_udp_local_port(udp) != 0);
		l2tp_udp_free(udp);
	}
	if (blocker >= 0) {
		close(blocker);
		udp = make(L2TP_PORT_POLICY_1701_OR_EPHEMERAL, "127.0.0.1", "127.0.0.1", &error);
		CHECK(udp && l2tp_udp_local_port(udp) == L2TP_PORT);
		l2tp_udp_free(udp);
	}
}

static void test_address_errors(void)
{
	g_autoptr(GError) error = NULL;
	CHECK(make(L2TP_PORT_POLICY_EPHEMERAL, NULL, "lns.example.org", &error) == NULL);
	CHECK(error && g_error_matches(error, L2TP_UDP_ERROR, L2TP_UDP_ERROR_ADDRESS));
	g_clear_error(&error);
	CHECK(make(L2TP_PORT_POLICY_EPHEMERAL, "::1", "127.0.0.1", &error) == NULL);
	CHECK(error && strstr(error->message, "different IP families"));
	g_clear_error(&error);
	L2tpUdp *udp = make(L2TP_PORT_POLICY_EPHEMERAL, "::1", "::1", &error);
	CHECK(udp != NULL); /* IPv6 works too */
	l2tp_udp_free(udp);
}

int main(void)
{
	RUN(test_follows_lns_to_new_port);
	RUN(test_pinned_to_lns_port);
	RUN(test_port_policy);
	RUN(test_address_errors);
	return check_summary();
}
