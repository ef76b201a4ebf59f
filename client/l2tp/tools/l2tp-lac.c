// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-lac: bring up an L2TP tunnel + session against an LNS and print every
 * event as one line on stdout:
 *
 *   EVENT tunnel-up our-tunnel=N peer-tunnel=N peer=ADDR:PORT
 *   EVENT session-ready ... our-session=N peer-session=N
 *   EVENT session-up ...
 *   EVENT session-down ... cause=NAME result=N error=N reason="..."
 *
 * No kernel involvement: SESSION_READY is confirmed at once. The session is
 * held --hold seconds (default: until SIGINT/SIGTERM or the LNS ends it), then
 * closed with CDN + StopCCN. Exit status: 0 if the session came up, 1 if not,
 * 2 for usage errors. --capture DIR saves every received datagram as a file.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "l2tp-udp.h"

struct tool {
	GMainLoop *loop;
	L2tpUdp *udp;
	int hold_seconds;
	gboolean verbose;
	gboolean session_was_up;
	const char *capture_dir;
	unsigned captured;
	guint hold_source;
};

static void format_peer(const struct l2tp_event *ev, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ev->peer && ev->peer->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ev->peer;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
		snprintf(out, size, "%s:%u", addr, port);
	} else if (ev->peer && ev->peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ev->peer;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
		snprintf(out, size, "[%s]:%u", addr, port);
	} else {
		snprintf(out, size, "?");
	}
}

static gboolean on_hold_over(gpointer data)
{
	struct tool *t = data;
	t->hold_source = 0;
	l2tp_udp_close(t->udp, "hold time over");
	return G_SOURCE_REMOVE;
}

static void on_event(L2tpUdp *udp, const struct l2tp_event *ev, gpointer data)
{
	struct tool *t = data;
	char peer[80];
	format_peer(ev, peer, sizeof(peer));
	printf("EVENT %s our-tunnel=%u peer-tunnel=%u our-session=%u peer-session=%u peer=%s",
	       l2tp_event_name(ev->type), ev->our_tunnel_id, ev->peer_tunnel_id, ev->our_session_id,
	       ev->peer_session_id, peer);
	if (ev->type >= L2TP_EVENT_SESSION_DOWN)
		printf(" cause=%s result=%u error=%u stopccn-acked=%s reason=\"%s\"",
		       l2tp_cause_name(ev->cause), ev->result_code, ev->error_code,
		       ev->stopccn_acked ? "yes" : "no", ev->reason);
	printf("\n");
	fflush(stdout);
	switch (ev->type) {
	case L2TP_EVENT_SESSION_READY:
		l2tp_udp_session_confirm(udp);
		break;
	case L2TP_EVENT_SESSION_UP:
		t->session_was_up = TRUE;
		if (t->hold_seconds >= 0)
			t->hold_source = g_timeout_add_seconds((guint)t->hold_seconds, on_hold_over, t);
		break;
	case L2TP_EVENT_FINISHED:
		g_main_loop_quit(t->loop);
		break;
	default:
		break;
	}
}

static void on_log(L2tpUdp *udp, enum l2tp_log_level level, const char *message, gpointer data)
{
	struct tool *t = data;
	static const char *const names[] = {"error", "info", "debug"};
	if (level == L2TP_LOG_DEBUG && !t->verbose)
		return;
	fprintf(stderr, "l2tp-lac: %s: %s\n", names[level], message);
}

static void on_rx(const guint8 *data, gsize len, gpointer user_data)
{
	struct tool *t = user_data;
	g_autofree char *path = g_strdup_printf("%s/rx-%03u.bin", t->capture_dir, t->captured++);
	g_autoptr(GError) error = NULL;
	if (!g_file_set_contents(path, (const char *)data, (gssize)len, &error))
		fprintf(stderr, "l2tp-lac: capture: %s\n", error->message);
}

static gboolean on_signal(gpointer data)
{
	struct tool *t = data;
	l2tp_udp_close(t->udp, "interrupted");
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	struct tool t = {.hold_seconds = -1};
	struct l2tp_lac_config cfg;
	struct l2tp_udp_config ucfg = {0};
	g_autofree char *server = NULL, *local = NULL, *host_name = NULL, *secret = NULL, *policy = NULL;
	g_autofree char *capture = NULL;
	int port = 1701, hello = 60, retries = 5, rto_max = 8;
	gboolean hide = FALSE, rx_speed = FALSE;

	l2tp_lac_config_defaults(&cfg);
	GOptionEntry entries[] = {
	    {"server", 's', 0, G_OPTION_ARG_STRING, &server, "LNS address (numeric)", "ADDR"},
	    {"port", 'p', 0, G_OPTION_ARG_INT, &port, "LNS port (1701)", "PORT"},
	    {"local", 'l', 0, G_OPTION_ARG_STRING, &local, "local address to bind", "ADDR"},
	    {"local-port", 0, 0, G_OPTION_ARG_STRING, &policy, "1701, ephemeral or auto (default)", "POLICY"},
	    {"host-name", 'n', 0, G_OPTION_ARG_STRING, &host_name, "our Host Name AVP", "NAME"},
	    {"secret", 0, 0, G_OPTION_ARG_STRING, &secret, "tunnel shared secret", "SECRET"},
	    {"hide", 0, 0, G_OPTION_ARG_NONE, &hide, "hide session AVPs (needs --secret)", NULL},
	    {"rx-connect-speed", 0, 0, G_OPTION_ARG_NONE, &rx_speed, "send Rx Connect Speed in ICCN", NULL},
	    {"hello", 0, 0, G_OPTION_ARG_INT, &hello, "HELLO interval in seconds (0 = off)", "SECONDS"},
	    {"retries", 0, 0, G_OPTION_ARG_INT, &retries, "retransmissions before giving up (5)", "N"},
	    {"rto-max", 0, 0, G_OPTION_ARG_INT, &rto_max, "retransmission backoff cap in seconds (8)",
	     "SECONDS"},
	    {"hold", 0, 0, G_OPTION_ARG_INT, &t.hold_seconds, "close the session after this long", "SECONDS"},
	    {"capture", 0, 0, G_OPTION_ARG_FILENAME, &capture, "save received datagrams here", "DIR"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &t.verbose, "debug logging", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- L2TP LAC test client");
	g_autoptr(GError) error = NULL;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !server || port <= 0 || port > 65535 ||
	    hello < 0 || retries < 0 || rto_max < 1) {
		fprintf(stderr, "l2tp-lac: %s\n", error ? error->message : "--server ADDR is required");
		return 2;
	}
	ucfg.lns_address = server;
	ucfg.lns_port = (guint16)port;
	ucfg.local_address = local;
	ucfg.port_policy = !policy || !strcmp(policy, "auto") ? L2TP_PORT_POLICY_1701_OR_EPHEMERAL
			   : !strcmp(policy, "1701")          ? L2TP_PORT_POLICY_1701
							      : L2TP_PORT_POLICY_EPHEMERAL;
	if (host_name)
		cfg.host_name = host_name;
	if (secret) {
		cfg.secret = (const uint8_t *)secret;
		cfg.secret_len = strlen(secret);
	}
	cfg.hide_avps = hide;
	cfg.send_rx_connect_speed = rx_speed;
	cfg.hello_interval_ms = (uint32_t)hello * 1000;
	cfg.retries = (unsigned)retries;
	cfg.rto_max_ms = (uint32_t)rto_max * 1000;

	t.loop = g_main_loop_new(NULL, FALSE);
	t.udp = l2tp_udp_new(&ucfg, &cfg, on_event, on_log, &t, &error);
	if (!t.udp) {
		fprintf(stderr, "l2tp-lac: %s\n", error->message);
		return 1;
	}
	if (capture) {
		t.capture_dir = capture;
		g_mkdir_with_parents(capture, 0755);
		l2tp_udp_set_rx_hook(t.udp, on_rx, &t);
	}
	fprintf(stderr, "l2tp-lac: local UDP port %u\n", l2tp_udp_local_port(t.udp));
	g_unix_signal_add(SIGINT, on_signal, &t);
	g_unix_signal_add(SIGTERM, on_signal, &t);
	if (!l2tp_udp_start(t.udp, &error)) {
		fprintf(stderr, "l2tp-lac: %s\n", error->message);
		return 1;
	}
	g_main_loop_run(t.loop);
	if (t.hold_source)
		g_source_remove(t.hold_source);
	l2tp_udp_free(t.udp);
	g_main_loop_unref(t.loop);
	return t.session_was_up ? 0 : 1;
}
