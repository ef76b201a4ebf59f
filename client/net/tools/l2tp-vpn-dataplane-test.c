// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn-dataplane-test: exercises the data plane layers together, for the
 * VM lab and for hand debugging, once a control plane has set up an L2TP
 * tunnel and session (ids negotiated) over a UDP socket:
 *
 *   client/kernel  kernel tunnel + PPP session + PPPoL2TP socket
 *   client/ppp     pppd with pppol2tp.so and our plugin, events printed
 *   client/net     optional: gateway host route, tunnel routes and DNS at
 *                  ip-up, all undone when pppd ends (or on SIGINT/SIGTERM)
 *
 * Examples:
 *   # UDP socket inherited as fd 5, already connected to the LNS:
 *   l2tp-vpn-dataplane-test --udp-fd 5 --tunnel 7 --peer-tunnel 9 \
 *       --session 3 --peer-session 4 --user alice --ifname l2tp0 \
 *       --routes full --gateway 192.0.2.1 --run-dir /run/l2tp-vpn < password-file
 *   # or let it make the socket: --local 192.0.2.2:1701 --remote 192.0.2.1:1701
 *   # what this machine supports (kernel family, PPPoX, pppd + plugin):
 *   l2tp-vpn-dataplane-test --check
 *   # the far end for a loopback lab test (no control plane: ids mirrored):
 *   l2tp-vpn-dataplane-test --serve --local 192.0.2.1:1701 --remote 192.0.2.2:1701 \
 *       --tunnel 9 --peer-tunnel 7 --session 4 --peer-session 3 -- \
 *       require-mschap-v2 name gw 10.99.0.1:10.99.0.10 ms-dns 10.20.0.53
 * The password is read from --password-fd N or the first line of stdin,
 * never from argv. Output: one line per event ("event phase establish", ...),
 * and finally "result ok" or "result error <domain> <code>: <message>".
 * Exit status: 0 when pppd ended cleanly, 1 otherwise, 2 for usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include "config.h"
#include "ascii-uint.h"
#include "kernel-l2tp.h"
#include "net-apply.h"
#include "net-plan.h"
#include "ppp-launcher.h"

#ifndef L2TP_VPN_PLUGIN_PATH
#define L2TP_VPN_PLUGIN_PATH "l2tp-vpn-pppd.so"
#endif

static int udp_fd = -1, password_fd = -1, stats_interval;
static int tunnel_id, peer_tunnel_id, session_id, peer_session_id;
static char *local_addr, *remote_addr, *user, *ifname = "l2tp-test", *auth_list, *plugin_path, *pppd_path;
static char *routes_spec, *gateway_text, *run_dir = "/run/l2tp-vpn", *dns_backend_text = "auto", *resolv_conf;
static int mtu;
static gboolean check_only, no_private_mounts, debug, serve;

static GOptionEntry entries[] = {
    {"check", 0, 0, G_OPTION_ARG_NONE, &check_only, "Only report what this machine supports", NULL},
    {"serve", 0, 0, G_OPTION_ARG_NONE, &serve,
     "Be the LNS end for loopback tests: hand the session to pppd with the arguments after --", NULL},
    {"udp-fd", 0, 0, G_OPTION_ARG_INT, &udp_fd, "Inherited, connected UDP socket", "N"},
    {"local", 0, 0, G_OPTION_ARG_STRING, &local_addr, "Create the UDP socket bound here", "IP[:PORT]"},
    {"remote", 0, 0, G_OPTION_ARG_STRING, &remote_addr, "... and connected there", "IP:PORT"},
    {"tunnel", 0, 0, G_OPTION_ARG_INT, &tunnel_id, "Our tunnel id", "ID"},
    {"peer-tunnel", 0, 0, G_OPTION_ARG_INT, &peer_tunnel_id, "Peer's tunnel id", "ID"},
    {"session", 0, 0, G_OPTION_ARG_INT, &session_id, "Our session id", "ID"},
    {"peer-session", 0, 0, G_OPTION_ARG_INT, &peer_session_id, "Peer's session id", "ID"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &user, "PPP user name", "NAME"},
    {"password-fd", 0, 0, G_OPTION_ARG_INT, &password_fd, "Read the password from this fd (default: stdin)",
     "N"},
    {"ifname", 0, 0, G_OPTION_ARG_STRING, &ifname, "PPP interface name", "NAME"},
    {"auth", 0, 0, G_OPTION_ARG_STRING, &auth_list, "Allowed: pap,chap,mschap,mschapv2,eap", "LIST"},
    {"mtu", 0, 0, G_OPTION_ARG_INT, &mtu, "PPP MTU and MRU (default 1400)", "N"},
    {"plugin", 0, 0, G_OPTION_ARG_FILENAME, &plugin_path, "Our pppd plugin", "PATH"},
    {"pppd", 0, 0, G_OPTION_ARG_FILENAME, &pppd_path, "pppd binary", "PATH"},
    {"routes", 0, 0, G_OPTION_ARG_STRING, &routes_spec, "full | never-default | split:PFX[,PFX...]", "MODE"},
    {"gateway", 0, 0, G_OPTION_ARG_STRING, &gateway_text, "The LNS's address (for the host route)", "IP"},
    {"run-dir", 0, 0, G_OPTION_ARG_FILENAME, &run_dir, "State directory (default /run/l2tp-vpn)", "DIR"},
    {"dns", 0, 0, G_OPTION_ARG_STRING, &dns_backend_text, "auto|resolved|resolvconf|file|none", "BACKEND"},
    {"resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &resolv_conf, "resolv.conf path for --dns file", "PATH"},
    {"stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_interval, "Print session statistics every S seconds",
     "S"},
    {"no-private-mounts", 0, 0, G_OPTION_ARG_NONE, &no_private_mounts, "Let pppd see /etc/ppp", NULL},
    {"debug", 0, 0, G_OPTION_ARG_NONE, &debug, "pppd debug", NULL},
    {NULL},
};

struct app {
	GMainLoop *loop;
	L2tpKernel *kernel;
	L2tpPppLauncher *ppp;
	L2tpNetContext net;
	gboolean net_applied;
	int pppox;
	int status;
	struct in_addr gateway;
};

static void result(const GError *error)
{
	if (!error)
		printf("result ok\n");
	else
		printf("result error %s %d: %s\n", g_quark_to_string(error->domain), error->code,
		       error->message);
	fflush(stdout);
}

static guint parse_auth(const char *list)
{
	static const struct {
		const char *name;
		guint bit;
	} names[] = {{"pap", L2TP_PPP_AUTH_PAP},
		     {"chap", L2TP_PPP_AUTH_CHAP},
		     {"mschap", L2TP_PPP_AUTH_MSCHAP},
		     {"mschapv2", L2TP_PPP_AUTH_MSCHAP_V2},
		     {"eap", L2TP_PPP_AUTH_EAP}};
	g_auto(GStrv) words = NULL;
	guint bits = 0;

	if (!list)
		return L2TP_PPP_AUTH_ALL;
	words = g_strsplit(list, ",", -1);
	for (char **w = words; *w; w++)
		for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
			if (!g_ascii_strcasecmp(*w, names[i].name))
				bits |= names[i].bit;
	return bits;
}

/* One line from --password-fd or stdin, read with read(2) so no stdio buffer keeps a copy. */
static char *read_password(void)
{
	int fd = password_fd >= 0 ? password_fd : 0;
	char buf[512];
	size_t len = 0;
	char *p;

	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[len] == '\n')
			break;
		len++;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	p = len ? g_strdup(buf) : NULL;
	explicit_bzero(buf, sizeof(buf));
	return p;
}

static gboolean parse_sockaddr(const char *text, struct sockaddr_in *sa, gboolean need_port)
{
	g_autofree char *host = g_strdup(text);
	char *colon = strrchr(host, ':');
	guint64 port = 0;

	*sa = (struct sockaddr_in){.sin_family = AF_INET};
	if (colon) {
		*colon = '\0';
		if (!l2tp_ascii_to_uint(colon + 1, 10, 0, 65535, &port))
			return FALSE;
	} else if (need_port) {
		return FALSE;
	}
	sa->sin_port = htons((guint16)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static int make_udp_socket(GError **error)
{
	struct sockaddr_in local, remote;
	int fd;

	if (!parse_sockaddr(local_addr, &local, FALSE) || !parse_sockaddr(remote_addr, &remote, TRUE)) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--local IP[:PORT] --remote IP:PORT");
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(fd, (struct sockaddr *)&remote, sizeof(remote)) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "UDP socket: %s",
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static gboolean parse_routes(L2tpNetPlanInput *in, GArray *prefixes, GError **error)
{
	if (!g_strcmp0(routes_spec, "full")) {
		in->mode = L2TP_NET_FULL_TUNNEL;
	} else if (!g_strcmp0(routes_spec, "never-default")) {
		in->mode = L2TP_NET_NEVER_DEFAULT;
	} else if (g_str_has_prefix(routes_spec, "split:")) {
		g_auto(GStrv) list = g_strsplit(routes_spec + 6, ",", -1);

		in->mode = L2TP_NET_SPLIT_TUNNEL;
		for (char **p = list; *p; p++) {
			L2tpNetPrefix prefix;

			if (!l2tp_net_prefix_parse(*p, &prefix, error))
				return FALSE;
			g_array_append_val(prefixes, prefix);
		}
	} else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown --routes %s",
			    routes_spec);
		return FALSE;
	}
	in->routes = (const L2tpNetPrefix *)(void *)prefixes->data;
	in->n_routes = prefixes->len;
	return TRUE;
}

static void apply_net(struct app *app, const L2tpPppEvent *ev)
{
	L2tpNetPlanInput in = {.gateway = app->gateway, .ifname = ev->ifname, .local = ev->local};
	g_autoptr(GArray) prefixes = g_array_new(FALSE, FALSE, sizeof(L2tpNetPrefix));
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;

	in.dns = ev->dns;
	in.n_dns = 2;
	if (!parse_routes(&in, prefixes, &error) ||
	    !l2tp_net_lookup_route(app->gateway, &in.underlay, &error) ||
	    !(plan = l2tp_net_plan(&in, &error)) || !l2tp_net_apply(&app->net, plan, &error)) {
		printf("event net-error %s\n", error->message);
		return;
	}
	for (guint i = 0; i < plan->len; i++) {
		const L2tpNetAction *a = &g_array_index(plan, L2tpNetAction, i);

		if (a->type == L2TP_NET_ACTION_ROUTE) {
			g_autofree char *text = l2tp_net_route_to_string(&a->route);

			printf("event route %s\n", text);
		} else {
			printf("event dns %s servers %u default-route %d\n", a->dns.ifname, a->dns.n_servers,
			       a->dns.default_route);
		}
	}
}

static void on_event(const L2tpPppEvent *ev, gpointer data)
{
	struct app *app = data;
	char a[4][INET_ADDRSTRLEN];

	switch (ev->type) {
	case L2TP_PPP_EVENT_HELLO:
		printf("event plugin pppd %s\n", ev->pppd_version);
		break;
	case L2TP_PPP_EVENT_CREDENTIALS_OK:
		printf("event credentials-delivered\n");
		break;
	case L2TP_PPP_EVENT_PHASE:
		printf("event phase %s\n", ev->phase_name);
		break;
	case L2TP_PPP_EVENT_AUTH:
		printf("event auth %s\n", ev->auth == 0 ? "ok" : ev->auth == 1 ? "failed" : "not-required");
		break;
	case L2TP_PPP_EVENT_IP_UP:
		inet_ntop(AF_INET, &ev->local, a[0], sizeof(a[0]));
		inet_ntop(AF_INET, &ev->peer, a[1], sizeof(a[1]));
		inet_ntop(AF_INET, &ev->dns[0], a[2], sizeof(a[2]));
		inet_ntop(AF_INET, &ev->dns[1], a[3], sizeof(a[3]));
		printf("event ip-up %s local %s peer %s dns %s %s\n", ev->ifname, a[0], a[1], a[2], a[3]);
		if (routes_spec && !app->net_applied) {
			app->net_applied = TRUE;
			apply_net(app, ev);
		}
		break;
	case L2TP_PPP_EVENT_IP_DOWN:
		printf("event ip-down\n");
		break;
	case L2TP_PPP_EVENT_LOG:
		printf("log %s\n", ev->log_line);
		break;
	case L2TP_PPP_EVENT_EXITED:
		printf("event exited plugin-status %d\n", ev->plugin_exit_status);
		result(ev->error);
		app->status = ev->error ? 1 : 0;
		g_main_loop_quit(app->loop);
		break;
	}
	fflush(stdout);
}

static gboolean on_signal(gpointer data)
{
	struct app *app = data;

	printf("event stopping\n");
	l2tp_ppp_launcher_stop(app->ppp, 5);
	return G_SOURCE_CONTINUE;
}

static gboolean on_stats(gpointer data)
{
	struct app *app = data;
	L2tpKernelStats st;

	if (l2tp_kernel_session_stats(app->kernel, (guint32)tunnel_id, (guint32)session_id, &st, NULL))
		printf("stats tx-packets %" G_GUINT64_FORMAT " tx-bytes %" G_GUINT64_FORMAT
		       " rx-packets %" G_GUINT64_FORMAT " rx-bytes %" G_GUINT64_FORMAT
		       " rx-errors %" G_GUINT64_FORMAT "\n",
		       st.tx_packets, st.tx_bytes, st.rx_packets, st.rx_bytes, st.rx_errors);
	fflush(stdout);
	return G_SOURCE_CONTINUE;
}

static int check_machine(void)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL;
	L2tpKernel *k = l2tp_kernel_open(0, &e1);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fd = l2tp_kernel_pppox_connect(1, 1, 1, 1, udp, &e2);

	printf("kernel-l2tp-netlink %s\n", k ? "ok" : e1->message);
	/* ENOENT (no tunnel 1) means PPPoX itself works */
	printf("kernel-pppol2tp %s\n",
	       fd >= 0 || g_error_matches(e2, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND) ? "ok"
											      : e2->message);
	if (fd >= 0)
		close(fd);
	close(udp);
	l2tp_kernel_close(k);
	return k ? 0 : 1;
}

static gboolean setup_kernel(struct app *app, GError **error)
{
	app->kernel = l2tp_kernel_open(0, error);
	if (!app->kernel ||
	    !l2tp_kernel_tunnel_create(app->kernel, (guint32)tunnel_id, (guint32)peer_tunnel_id, udp_fd,
				       error) ||
	    !l2tp_kernel_session_create(app->kernel, (guint32)tunnel_id, (guint32)session_id,
					(guint32)peer_session_id, error))
		return FALSE;
	app->pppox =
	    l2tp_kernel_pppox_connect((guint32)tunnel_id, (guint32)session_id, (guint32)peer_tunnel_id,
				      (guint32)peer_session_id, udp_fd, error);
	printf("event kernel-session-ready tunnel %d session %d\n", tunnel_id, session_id);
	return app->pppox >= 0;
}

static gboolean setup_net(struct app *app, GError **error)
{
	static const char *const backends[] = {"auto", "resolved", "resolvconf", "file", "none", NULL};
	L2tpNetRoute underlay;

	app->net = (L2tpNetContext){.run_dir = run_dir, .name = ifname, .resolv_conf = resolv_conf};
	for (int i = 0; backends[i]; i++)
		if (!strcmp(dns_backend_text, backends[i]))
			app->net.dns_backend = (L2tpNetDnsBackend)i;
	/* Leftovers of a crashed run with the same name go first. */
	if (!l2tp_net_undo(&app->net, error))
		return FALSE;
	if (!gateway_text || inet_pton(AF_INET, gateway_text, &app->gateway) != 1) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--routes needs --gateway IP");
		return FALSE;
	}
	return l2tp_net_pin_gateway(&app->net, app->gateway, &underlay, error);
}

static gboolean start_ppp(struct app *app, GError **error)
{
	g_autofree char *password = read_password();
	L2tpPppLaunch launch = {.pppol2tp_socket = app->pppox,
				.pppd_path = pppd_path,
				.user = user,
				.password = password,
				.no_private_mounts = no_private_mounts};
	gboolean ok;

	l2tp_ppp_options_init(&launch.ppp);
	launch.ppp.plugin_path = plugin_path ? plugin_path : L2TP_VPN_PLUGIN_PATH;
	launch.ppp.ifname = ifname;
	launch.ppp.auth = parse_auth(auth_list);
	launch.ppp.ipsec = TRUE;
	launch.ppp.debug = debug;
	if (mtu)
		launch.ppp.mtu = launch.ppp.mru = (guint)mtu;
	if (!password) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "no password on stdin/--password-fd");
		return FALSE;
	}
	app->ppp = l2tp_ppp_launcher_start(&launch, on_event, app, error);
	ok = app->ppp != NULL;
	/* pppd holds its own copy now; with ours closed, its exit deletes the kernel session. */
	if (ok) {
		close(app->pppox);
		app->pppox = -1;
	}
	explicit_bzero(password, strlen(password));
	return ok;
}

static void teardown(struct app *app)
{
	g_autoptr(GError) error = NULL;

	if (routes_spec && !l2tp_net_undo(&app->net, &error))
		printf("event net-undo-error %s\n", error->message);
	if (app->pppox >= 0)
		close(app->pppox);
	if (app->kernel) {
		l2tp_kernel_session_delete(app->kernel, (guint32)tunnel_id, (guint32)session_id, NULL);
		l2tp_kernel_tunnel_delete(app->kernel, (guint32)tunnel_id, NULL);
	}
	l2tp_ppp_launcher_free(app->ppp);
	l2tp_kernel_close(app->kernel);
}

/*
 * --serve: the other end of the tunnel, for lab tests without a control plane
 * (both ends' kernels are told the ids directly). pppd gets the session as an
 * LNS and whatever server options follow "--" (auth, addresses, ms-dns).
 */
static int run_server(struct app *app, char **extra)
{
	g_autoptr(GSubprocessLauncher) sl = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *tunnel_text = g_strdup_printf("%d", tunnel_id);
	g_autofree char *session_text = g_strdup_printf("%d", session_id);
	int status = 1;

	if (!setup_kernel(app, &error)) {
		result(error);
		teardown(app);
		return 1;
	}
	g_ptr_array_add(argv, pppd_path ? pppd_path : "/usr/sbin/pppd");
	for (const char *const *w = (const char *const[]){"plugin", "pppol2tp.so", "pppol2tp", "3",
							  "pppol2tp_lns_mode", "nodetach", NULL};
	     *w; w++)
		g_ptr_array_add(argv, (gpointer)*w);
	/* LNS mode wants the ids (pppol2tp.so refuses to start without them). */
	g_ptr_array_add(argv, "pppol2tp_tunnel_id");
	g_ptr_array_add(argv, tunnel_text);
	g_ptr_array_add(argv, "pppol2tp_session_id");
	g_ptr_array_add(argv, session_text);
	for (char **e = extra; e && *e; e++)
		if (strcmp(*e, "--") != 0)
			g_ptr_array_add(argv, *e);
	g_ptr_array_add(argv, NULL);
	g_subprocess_launcher_take_fd(sl, fcntl(app->pppox, F_DUPFD_CLOEXEC, 3), 3);
	proc = g_subprocess_launcher_spawnv(sl, (const char *const *)argv->pdata, &error);
	close(app->pppox);
	app->pppox = -1;
	if (proc) {
		printf("event server-pppd-started\n");
		fflush(stdout);
		if (g_subprocess_wait(proc, NULL, &error))
			status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : 128;
		printf("event server-pppd-exited %d\n", status);
	}
	result(error);
	teardown(app);
	return status == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("- drive the kernel L2TP data plane, pppd and routes");
	g_autoptr(GError) error = NULL;
	struct app app = {.pppox = -1, .status = 1};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return 2;
	}
	if (check_only)
		return check_machine();
	if (udp_fd < 0 && local_addr && remote_addr)
		udp_fd = make_udp_socket(&error);
	if (serve && udp_fd >= 0 && tunnel_id && peer_tunnel_id && session_id && peer_session_id)
		return run_server(&app, argv + 1);
	if (udp_fd < 0 || !tunnel_id || !peer_tunnel_id || !session_id || !peer_session_id || !user) {
		fprintf(stderr, "%s\n",
			error ? error->message
			      : "need --udp-fd (or --local/--remote), the four ids and --user");
		return 2;
	}
	app.loop = g_main_loop_new(NULL, FALSE);
	if ((routes_spec && !setup_net(&app, &error)) || !setup_kernel(&app, &error) ||
	    !start_ppp(&app, &error)) {
		result(error);
		teardown(&app);
		g_main_loop_unref(app.loop);
		return 1;
	}
	g_unix_signal_add(SIGINT, on_signal, &app);
	g_unix_signal_add(SIGTERM, on_signal, &app);
	if (stats_interval > 0)
		g_timeout_add_seconds((guint)stats_interval, on_stats, &app);
	g_main_loop_run(app.loop);
	teardown(&app);
	g_main_loop_unref(app.loop);
	return app.status;
}
