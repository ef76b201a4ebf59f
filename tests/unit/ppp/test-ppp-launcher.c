// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pppd launcher (client/ppp/ppp-launcher.c) end to end against
 * fake-pppd, which speaks the real plugin channel: events in order, the
 * credentials handshake, IPCP results, password masking in log lines, and
 * every way pppd can end — clean stop, auth failure (19), LCP timeout (10 +
 * log hint), channel garbage, a crash, a pppd that ignores SIGTERM, and
 * freeing the launcher while pppd runs.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "ppp-channel.h"
#include "ppp-launcher.h"

static const char *fake_pppd;
static char *scratch;
static char password[64];

struct run {
	GMainLoop *loop;
	L2tpPppLauncher *l;
	GString *trace;
	GPtrArray *log;
	GError *error;
	gboolean exited;
	int plugin_exit;
	L2tpPppEventType stop_at;
	guint grace;
	L2tpPppEvent ip;
	gboolean hold, released;
};

static gboolean release_held(gpointer data)
{
	struct run *r = data;

	r->released = TRUE;
	l2tp_ppp_launcher_release(r->l);
	return G_SOURCE_REMOVE;
}

static void on_event(const L2tpPppEvent *ev, gpointer data)
{
	struct run *r = data;

	switch (ev->type) {
	case L2TP_PPP_EVENT_HELLO:
		g_string_append_printf(r->trace, "hello:%s ", ev->pppd_version);
		/* a held pppd waits; let it wait a while before releasing it */
		if (r->hold && r->stop_at != L2TP_PPP_EVENT_HELLO)
			g_timeout_add(300, release_held, r);
		break;
	case L2TP_PPP_EVENT_CREDENTIALS_OK:
		g_string_append(r->trace, r->hold && !r->released ? "creds-before-release " : "creds ");
		break;
	case L2TP_PPP_EVENT_PHASE:
		g_string_append_printf(r->trace, "%s ", ev->phase_name);
		break;
	case L2TP_PPP_EVENT_AUTH:
		g_string_append_printf(r->trace, "auth:%d ", ev->auth);
		break;
	case L2TP_PPP_EVENT_IP_UP:
		g_string_append(r->trace, "ip-up ");
		r->ip = *ev;
		break;
	case L2TP_PPP_EVENT_IP_DOWN:
		g_string_append(r->trace, "ip-down ");
		break;
	case L2TP_PPP_EVENT_LOG:
		g_ptr_array_add(r->log, g_strdup(ev->log_line));
		break;
	case L2TP_PPP_EVENT_EXITED:
		r->exited = TRUE;
		r->plugin_exit = ev->plugin_exit_status;
		if (ev->error)
			r->error = g_error_copy(ev->error);
		g_main_loop_quit(r->loop);
		return;
	}
	if (ev->type == r->stop_at)
		l2tp_ppp_launcher_stop(r->l, r->grace);
}

static gboolean on_timeout(gpointer data)
{
	struct run *r = data;

	g_main_loop_quit(r->loop);
	return G_SOURCE_REMOVE;
}

static char *scenario_path(const char *scenario)
{
	g_autofree char *name = g_strconcat("fake-pppd-", scenario, NULL);
	char *path = g_build_filename(scratch, name, NULL);

	if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK))
		symlink(fake_pppd, path);
	return path;
}

static void run_held(struct run *r, const char *scenario, L2tpPppEventType stop_at, guint grace,
		     gboolean hold)
{
	g_autofree char *pppd = scenario_path(scenario);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	L2tpPppLaunch launch = {.pppol2tp_socket = udp,
				.pppd_path = pppd,
				.no_private_mounts = TRUE,
				.user = "alice",
				.password = password,
				.hold = hold};
	g_autoptr(GError) error = NULL;
	guint timer;

	*r = (struct run){.stop_at = stop_at, .grace = grace, .plugin_exit = -2, .hold = hold};
	r->loop = g_main_loop_new(NULL, FALSE);
	r->trace = g_string_new(NULL);
	r->log = g_ptr_array_new_with_free_func(g_free);
	l2tp_ppp_options_init(&launch.ppp);
	launch.ppp.plugin_path = "/usr/lib/pppd/2.4.9/l2tp-vpn-pppd.so";
	launch.ppp.ifname = "l2tp-test";
	r->l = l2tp_ppp_launcher_start(&launch, on_event, r, &error);
	/* the launcher holds its own duplicate: ours can go right away */
	close(udp);
	CHECK(r->l != NULL);
	if (!r->l)
		return;
	timer = g_timeout_add_seconds(20, on_timeout, r);
	g_main_loop_run(r->loop);
	CHECK(r->exited);
	if (r->exited)
		g_source_remove(timer);
}

static void run(struct run *r, const char *scenario, L2tpPppEventType stop_at, guint grace)
{
	run_held(r, scenario, stop_at, grace, FALSE);
}

static void run_free(struct run *r)
{
	l2tp_ppp_launcher_free(r->l);
	g_main_loop_unref(r->loop);
	g_string_free(r->trace, TRUE);
	g_ptr_array_unref(r->log);
	g_clear_error(&r->error);
}

static gboolean log_has(struct run *r, const char *needle)
{
	for (guint i = 0; i < r->log->len; i++)
		if (strstr(g_ptr_array_index(r->log, i), needle))
			return TRUE;
	return FALSE;
}

static void test_connect_and_stop(void)
{
	struct run r;
	char text[INET_ADDRSTRLEN];

	run(&r, "ok", L2TP_PPP_EVENT_IP_UP, 5);
	CHECK_STR(r.trace->str,
		  "hello:2.4.9 creds establish authenticate network auth:0 ip-up running terminate ");
	CHECK(r.error == NULL && r.plugin_exit == 5);
	if (r.error)
		fprintf(stderr, "  error: %s\n", r.error->message);
	CHECK_STR(r.ip.ifname, "l2tp-test");
	CHECK_STR(inet_ntop(AF_INET, &r.ip.local, text, sizeof(text)), "10.8.0.2");
	CHECK_STR(inet_ntop(AF_INET, &r.ip.peer, text, sizeof(text)), "10.8.0.1");
	CHECK_STR(inet_ntop(AF_INET, &r.ip.dns[0], text, sizeof(text)), "10.8.0.53");
	CHECK(r.ip.dns[1].s_addr == 0);
	/* pppd's careless log line reached us with the password masked */
	CHECK(log_has(&r, "password=\"********\"") && !log_has(&r, password));
	run_free(&r);
}

/* Held: pppd starts and says hello, but gets the credentials only on release. */
static void test_held_until_release(void)
{
	struct run r;
	gint64 start = g_get_monotonic_time();

	run_held(&r, "ok", L2TP_PPP_EVENT_IP_UP, 5, TRUE);
	CHECK_STR(r.trace->str,
		  "hello:2.4.9 creds establish authenticate network auth:0 ip-up running terminate ");
	CHECK(r.released && r.error == NULL && r.plugin_exit == 5);
	CHECK(g_get_monotonic_time() - start >= 300 * 1000);
	run_free(&r);
}

/* Stopped while held (the connect failed before the session existed): a clean end. */
static void test_held_then_stopped(void)
{
	struct run r;

	run_held(&r, "ok", L2TP_PPP_EVENT_HELLO, 1, TRUE);
	CHECK_STR(r.trace->str, "hello:2.4.9 ");
	CHECK(!r.released && r.exited && r.error == NULL);
	if (r.error)
		fprintf(stderr, "  error: %s\n", r.error->message);
	run_free(&r);
}

static void expect_error(const char *scenario, int code, int plugin_exit, const char *trace)
{
	struct run r;

	run(&r, scenario, (L2tpPppEventType)-1, 0);
	CHECK(g_error_matches(r.error, L2TP_PPP_ERROR, code));
	if (!g_error_matches(r.error, L2TP_PPP_ERROR, code))
		fprintf(stderr, "  %s: got %s\n", scenario, r.error ? r.error->message : "no error");
	CHECK(r.plugin_exit == plugin_exit);
	if (trace)
		CHECK_STR(r.trace->str, trace);
	run_free(&r);
}

static void test_auth_failed(void)
{
	expect_error("auth-fail", L2TP_PPP_ERROR_AUTH_FAILED, 19,
		     "hello:2.4.9 creds establish authenticate auth:1 ");
}

static void test_lcp_timeout(void)
{
	expect_error("lcp-timeout", L2TP_PPP_ERROR_LCP_TIMEOUT, 10, NULL);
}

static void test_channel_garbage(void)
{
	expect_error("garbage", L2TP_PPP_ERROR_CHANNEL, -1, NULL);
}

static void test_crash(void)
{
	expect_error("crash", L2TP_PPP_ERROR_KILLED, -1, NULL);
}

static void test_ignores_sigterm(void)
{
	struct run r;
	gint64 start = g_get_monotonic_time();

	run(&r, "hang", L2TP_PPP_EVENT_CREDENTIALS_OK, 1);
	/* SIGKILL after the 1 s grace; stopping it ourselves is a clean end */
	CHECK(r.exited && r.error == NULL);
	CHECK(g_get_monotonic_time() - start >= G_USEC_PER_SEC);
	run_free(&r);
}

static void test_free_while_running(void)
{
	g_autofree char *pppd = scenario_path("hang");
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	L2tpPppLaunch launch = {.pppol2tp_socket = udp,
				.pppd_path = pppd,
				.no_private_mounts = TRUE,
				.user = "alice",
				.password = password};
	struct run r = {.stop_at = (L2tpPppEventType)-1};
	L2tpPppLauncher *l;
	GPid pid;

	r.trace = g_string_new(NULL);
	r.log = g_ptr_array_new_with_free_func(g_free);
	r.loop = g_main_loop_new(NULL, FALSE);
	l2tp_ppp_options_init(&launch.ppp);
	launch.ppp.plugin_path = "l2tp-vpn-pppd.so";
	launch.ppp.ifname = "l2tp-test";
	l = l2tp_ppp_launcher_start(&launch, on_event, &r, NULL);
	close(udp);
	CHECK(l != NULL);
	for (int i = 0; l && i < 200 && !strstr(r.trace->str, "creds"); i++)
		g_main_context_iteration(NULL, TRUE);
	pid = l ? l2tp_ppp_launcher_get_pid(l) : 0;
	CHECK(pid > 0);
	l2tp_ppp_launcher_free(l);
	/* killed, and no event reaches us afterwards */
	for (int i = 0; i < 50; i++)
		g_main_context_iteration(NULL, FALSE);
	g_usleep(100000);
	for (int i = 0; i < 50; i++)
		g_main_context_iteration(NULL, FALSE);
	CHECK(!r.exited);
	CHECK(pid > 0 && kill(pid, 0) < 0);
	g_string_free(r.trace, TRUE);
	g_ptr_array_unref(r.log);
	g_main_loop_unref(r.loop);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FAKE-PPPD\n", argv[0]);
		return 2;
	}
	fake_pppd = g_canonicalize_filename(argv[1], NULL);
	scratch = g_dir_make_tmp("l2tp-vpn-launcher-XXXXXX", NULL);
	g_snprintf(password, sizeof(password), "Pw-%08x-secret", g_random_int());
	DP_RUN(test_connect_and_stop);
	DP_RUN(test_auth_failed);
	DP_RUN(test_lcp_timeout);
	DP_RUN(test_channel_garbage);
	DP_RUN(test_crash);
	DP_RUN(test_ignores_sigterm);
	DP_RUN(test_free_while_running);
	DP_RUN(test_held_until_release);
	DP_RUN(test_held_then_stopped);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", scratch);

		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
	return dp_summary();
}
