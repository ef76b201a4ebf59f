// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CLI without a network: output lines, status as JSON and text, the
 * control protocol (request parsing, a real socket round trip for status and
 * down against a connection whose layers are faked), connection names from
 * NAME or PATH, and argument errors of each subcommand. The CLI against the
 * real daemon: tests/interop/daemon/test-cli-daemon.sh.
 */
#include <arpa/inet.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cli.h"
#include "dp-check.h"
#include "orchestrator-private.h"

static void test_phase_line(void)
{
	L2tpVpnEvent ev = {.type = L2TP_VPN_EVENT_PHASE_DONE,
			   .phase = L2TP_VPN_PHASE_IPSEC,
			   .elapsed_ms = 412,
			   .phase_ms = 180,
			   .text = "ESP transport SA up"};
	g_autofree char *line = cli_format_phase(&ev);

	CHECK_STR(line, "   412 ms  ipsec           ESP transport SA up (+180 ms)");
}

static void test_connected_line(void)
{
	L2tpVpnInfo info = {.connect_ms = 2345};
	g_autofree char *line = NULL;

	g_strlcpy(info.ifname, "l2tp-lab", sizeof(info.ifname));
	g_strlcpy(info.gateway_addr, "172.31.0.1", sizeof(info.gateway_addr));
	inet_pton(AF_INET, "10.99.0.10", &info.ppp_local);
	inet_pton(AF_INET, "10.99.0.1", &info.ppp_peer);
	inet_pton(AF_INET, "10.20.0.53", &info.dns[1]);
	line = cli_format_connected(&info);
	CHECK_STR(line, "connected l2tp-lab local 10.99.0.10 peer 10.99.0.1 gateway 172.31.0.1 dns "
			"10.20.0.53 in 2345 ms");
}

/* Daemon and --foreground runs print through the same function: one line per kind of event. */
static void test_event_lines(void)
{
	L2tpVpnInfo info = {.connect_ms = 9};
	GError lost = {L2TP_VPN_ERROR, L2TP_VPN_ERROR_UNREACHABLE, (char *)"resolve: no route"};
	L2tpVpnEvent started = {.type = L2TP_VPN_EVENT_PHASE_STARTED, .phase = L2TP_VPN_PHASE_RESOLVE};
	L2tpVpnEvent progress = {.type = L2TP_VPN_EVENT_PROGRESS, .elapsed_ms = 7, .text = "charon: hi"};
	L2tpVpnEvent going = {.type = L2TP_VPN_EVENT_DISCONNECTING, .elapsed_ms = 30, .text = "undo"};
	L2tpVpnEvent failed = {.type = L2TP_VPN_EVENT_DISCONNECTED, .error = &lost};
	L2tpVpnEvent ended = {.type = L2TP_VPN_EVENT_DISCONNECTED, .elapsed_ms = 40};
	L2tpVpnEvent up = {.type = L2TP_VPN_EVENT_CONNECTED, .info = &info};
	L2tpVpnEvent up_bare = {.type = L2TP_VPN_EVENT_CONNECTED};
	g_autofree char *quiet = cli_format_event(&progress, FALSE);
	g_autofree char *loud = cli_format_event(&progress, TRUE);
	g_autofree char *a = cli_format_event(&going, FALSE), *b = cli_format_event(&failed, FALSE);
	g_autofree char *c = cli_format_event(&ended, FALSE), *d = cli_format_event(&up, FALSE);
	g_autofree char *e = cli_format_event(&up_bare, FALSE), *f = cli_format_event(&started, TRUE);

	CHECK(quiet == NULL && f == NULL);
	CHECK_STR(loud, "     7 ms  . charon: hi");
	CHECK_STR(a, "    30 ms  disconnecting: undo");
	CHECK_STR(b, "error unreachable: resolve: no route");
	CHECK_STR(c, "disconnected after 40 ms");
	CHECK(d && g_str_has_prefix(d, "connected  local 0.0.0.0 peer 0.0.0.0 gateway  in 9 ms"));
	CHECK_STR(e, "connected");
}

static GPtrArray *records(const char *const *list)
{
	GPtrArray *r = g_ptr_array_new_with_free_func(g_free);

	for (; *list; list++)
		g_ptr_array_add(r, g_strdup(*list));
	return r;
}

static void test_status_json_and_text(void)
{
	const char *const in[] = {"name=lab",       "state=connected", "pid=42",
				  "dns=10.20.0.53", "dns=10.20.0.54",  "ipsec_sa=IKE \"quoted\"\\",
				  "rx_bytes=12x",   "bogus",           NULL};
	g_autoptr(GPtrArray) r = records(in);
	g_autofree char *json = cli_status_to_json(r);
	g_autofree char *text = cli_status_to_text(r);
	g_autoptr(GPtrArray) empty = g_ptr_array_new();
	g_autofree char *json_empty = cli_status_to_json(empty);

	CHECK_STR(json, "{\"name\":\"lab\",\"state\":\"connected\",\"pid\":42,"
			"\"ipsec_sa\":\"IKE \\\"quoted\\\"\\\\\",\"rx_bytes\":\"12x\","
			"\"dns\":[\"10.20.0.53\",\"10.20.0.54\"]}");
	CHECK(g_str_has_prefix(text, "connection lab\n  state          connected\n"));
	CHECK_STR(json_empty, "{\"dns\":[]}");
}

static void test_json_string_escapes_controls(void)
{
	g_autofree char *s = cli_json_string("a\tb\x01");

	CHECK_STR(s, "\"a\\u0009b\\u0001\"");
}

static void test_request_parsing(void)
{
	g_autofree char *a = NULL, *b = NULL;
	char *c = NULL;

	CHECK(cli_control_parse_request("status", &a));
	CHECK_STR(a, "status");
	CHECK(cli_control_parse_request("  down \r", &b));
	CHECK_STR(b, "down");
	CHECK(!cli_control_parse_request("shutdown", &c));
	CHECK(!cli_control_parse_request("", &c));
	CHECK(!cli_control_parse_request("status extra", &c));
	CHECK(c == NULL);
}

static void test_connection_names(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *a = cli_connection_name("work", NULL);
	g_autofree char *b = cli_connection_name("/etc/l2tp-vpn/office.conf", NULL);
	g_autofree char *c = cli_connection_name("/tmp/lab", NULL);
	g_autofree char *d = cli_connection_name("bad name", &error);
	g_autofree char *e = cli_connection_name("/etc/l2tp-vpn/.conf", NULL);
	g_autofree char *f = cli_connection_name(".hidden", NULL);

	CHECK_STR(a, "work");
	CHECK_STR(b, "office");
	CHECK_STR(c, "lab");
	CHECK(d == NULL && e == NULL && f == NULL);
	CHECK(g_error_matches(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG));
}

/* ---- control socket round trip ---------------------------------------------- */

static void instant_start(L2tpVpnConnection *c)
{
	l2tp_vpn_phase_done(c, c->phase, NULL, NULL);
}

static void instant_undo(L2tpVpnConnection *c)
{
	l2tp_vpn_undo_done(c, c->phase);
}

static L2tpVpnStep steps[L2TP_VPN_N_PHASES];

typedef struct {
	CliControl *control;
	gboolean connected, disconnected;
} Host;

static void on_event(L2tpVpnConnection *c, const L2tpVpnEvent *ev, gpointer data)
{
	Host *h = data;

	if (ev->type == L2TP_VPN_EVENT_CONNECTED)
		h->connected = TRUE;
	if (ev->type == L2TP_VPN_EVENT_DISCONNECTED) {
		h->disconnected = TRUE;
		cli_control_finish(h->control, ev->error);
	}
}

typedef struct {
	const char *state_dir, *command;
	GPtrArray *lines;
	GError *error;
	gboolean done;
} Call;

static gpointer client_thread(gpointer data)
{
	Call *call = data;

	call->lines = cli_control_request(call->state_dir, call->command, &call->error);
	g_atomic_int_set(&call->done, TRUE);
	return NULL;
}

/* The client blocks; the server lives in this thread's main loop. */
static void call(Call *c)
{
	GThread *t = g_thread_new("client", client_thread, c);
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	while (!g_atomic_int_get(&c->done) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, FALSE);
	g_thread_join(t);
}

static void test_control_round_trip(void)
{
	g_autofree char *root = g_dir_make_tmp("cli-control-XXXXXX", NULL);
	g_autofree char *state_dir = g_build_filename(root, "unit", NULL);
	L2tpVpnConfig *cfg = l2tp_vpn_config_new();
	Host host = {0};
	Call status = {.state_dir = state_dir, .command = "status"};
	Call down = {.state_dir = state_dir, .command = "down"};
	Call after = {.state_dir = state_dir, .command = "status"};
	Call bogus = {.state_dir = state_dir, .command = "reboot"};
	L2tpVpnConnection *conn;

	for (int p = 0; p < L2TP_VPN_N_PHASES; p++)
		steps[p] = (L2tpVpnStep){instant_start, instant_undo};
	cfg->name = g_strdup("unit");
	cfg->gateway = g_strdup("192.0.2.1");
	cfg->ppp_user = "u";
	cfg->ppp_password = "p";
	cfg->ipsec.psk = "k";
	cfg->ppp.plugin_path = "/x.so";
	cfg->run_dir = root;
	conn = l2tp_vpn_connection_new_with_steps(cfg, steps, on_event, &host);
	CHECK(l2tp_vpn_state_dir_create(state_dir, NULL));
	host.control = cli_control_start(state_dir, conn, NULL);
	CHECK(host.control != NULL);
	l2tp_vpn_connection_start(conn);
	while (!host.connected)
		g_main_context_iteration(NULL, TRUE);

	call(&status);
	CHECK(status.lines && status.lines->len >= 3);
	CHECK_STR(status.lines ? status.lines->pdata[0] : NULL, "name=unit");
	CHECK_STR(status.lines ? status.lines->pdata[1] : NULL, "state=connected");
	CHECK_STR(status.lines ? status.lines->pdata[status.lines->len - 1] : NULL, "ok");

	call(&bogus);
	CHECK(bogus.lines && bogus.lines->len == 1);
	CHECK_STR(bogus.lines ? bogus.lines->pdata[0] : NULL, "error unknown-command");

	call(&down);
	CHECK(host.disconnected);
	CHECK(down.lines && down.lines->len == 2);
	CHECK_STR(down.lines ? down.lines->pdata[0] : NULL, "disconnecting");
	CHECK_STR(down.lines ? down.lines->pdata[1] : NULL, "disconnected");

	/* Nobody listens any more: a named "not running". */
	call(&after);
	CHECK(after.lines == NULL);
	CHECK(g_error_matches(after.error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING));

	for (Call *c = &status; c; c = c == &status  ? &down
				       : c == &down  ? &bogus
				       : c == &bogus ? &after
						     : NULL) {
		if (c->lines)
			g_ptr_array_unref(c->lines);
		g_clear_error(&c->error);
	}
	cli_control_free(host.control);
	l2tp_vpn_connection_free(conn);
	g_rmdir(state_dir);
	g_rmdir(root);
}

/* ---- argument errors ------------------------------------------------------------ */

static int run_cmd(int (*cmd)(int, char **), const char *const *args)
{
	g_auto(GStrv) argv = g_strdupv((char **)args);
	int argc = (int)g_strv_length(argv);
	char **copy = g_memdup2(argv, sizeof(char *) * (gsize)(argc + 1));
	int rc = cmd(argc, copy);

	g_free(copy);
	return rc;
}

static void test_argument_errors(void)
{
	CHECK(run_cmd(cmd_up, (const char *const[]){"up", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_up, (const char *const[]){"up", "a", "b", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_up, (const char *const[]){"up", "--no-such-option", "a", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_down, (const char *const[]){"down", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_status, (const char *const[]){"status", "a", "b", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_show, (const char *const[]){"show", NULL}) == CLI_EXIT_USAGE);
	/* A name that is no connection name: an invalid-config error before anything is touched. */
	CHECK(run_cmd(cmd_down, (const char *const[]){"down", ".hidden", NULL}) == 3);
	/* Through the daemon, a profile file outside the profile directory: refused before any bus. */
	CHECK(run_cmd(cmd_up, (const char *const[]){"up", "/nonexistent/dir/work.conf", NULL}) == 3);
	CHECK(run_cmd(cmd_up, (const char *const[]){"up", "bad name", NULL}) == 3);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "set", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "show", "work", NULL}) == CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "set", "work", "pin", NULL}) ==
	      CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "clear", "work", "--stdin", NULL}) ==
	      CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "set", "a", "psk", "extra", NULL}) ==
	      CLI_EXIT_USAGE);
	CHECK(run_cmd(cmd_secret, (const char *const[]){"secret", "clear", ".hidden", NULL}) == 3);
}

static void test_records_state(void)
{
	const char *const in[] = {"name=a", "via=l2tp-vpnd", "state=connecting", NULL};
	g_autoptr(GPtrArray) r = records(in);
	g_autoptr(GPtrArray) none = g_ptr_array_new();

	CHECK_STR(cli_records_state(r), "connecting");
	CHECK_STR(cli_records_state(none), "");
	CHECK_STR(cli_records_state(NULL), "");
}

int main(void)
{
	DP_RUN(test_phase_line);
	DP_RUN(test_event_lines);
	DP_RUN(test_records_state);
	DP_RUN(test_connected_line);
	DP_RUN(test_status_json_and_text);
	DP_RUN(test_json_string_escapes_controls);
	DP_RUN(test_request_parsing);
	DP_RUN(test_connection_names);
	DP_RUN(test_control_round_trip);
	DP_RUN(test_argument_errors);
	return dp_summary();
}
