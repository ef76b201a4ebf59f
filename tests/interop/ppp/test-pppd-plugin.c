// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our pppd plugin inside the real pppd, driven by the real launcher.
 *
 * The host has no /dev/ppp, so pppd cannot run a link here. What it can do is
 * "dryrun": parse all options (loading plugins, which runs our option handler
 * and with it the whole credentials exchange), print the options in effect and
 * exit through die(), which runs the exit notifiers. dryrun happens after
 * pppd's kernel check, which only opens /dev/ppp: inside a private mount
 * namespace this test puts a regular file there. It also bind-mounts a hostile
 * /etc/ppp/options over the real one (only in that namespace).
 *
 * Proves, with pppd 2.4.9 from Debian:
 *  - without /dev/ppp pppd's exit status 4 becomes L2TP_PPP_ERROR_NO_KERNEL_SUPPORT;
 *  - the plugin loads (pppd_version matches), says hello with pppd's version,
 *    receives the credentials over the socket and acknowledges them;
 *  - pppd's /proc/<pid>/cmdline and environ never hold the password (scanned
 *    while pppd waits for the credentials), nor does any log line;
 *  - the plugin reports pppd's exit status over the channel;
 *  - with the launcher's private mounts pppd runs in its own mount namespace
 *    and ignores the hostile /etc/ppp/options; without them (the control) the
 *    same pppd reports options taken from that file.
 * Needs root (mount namespaces); exits 77 (skip) otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "ppp-channel.h"
#include "ppp-launcher.h"

static const char *plugin_path;
static const char *expected_version;
static char password[64];

struct run {
	GMainLoop *loop;
	GPtrArray *log;
	GError *error;
	gboolean exited;
	gboolean hello;
	gboolean credentials_ok;
	gboolean scanned;
	gboolean own_mount_ns;
	char version[32];
	int plugin_exit;
	L2tpPppLauncher *launcher;
};

static gboolean contains(const char *buf, gsize len, const char *needle)
{
	return g_strstr_len(buf, (gssize)len, needle) != NULL ||
	       memmem(buf, len, needle, strlen(needle)) != NULL;
}

static char *ns_of(const char *pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%s/ns/mnt", pid);

	return g_file_read_link(path, NULL);
}

/* pppd is alive and blocked in the plugin waiting for credentials right now. */
static void scan_proc(struct run *r)
{
	GPid pid = l2tp_ppp_launcher_get_pid(r->launcher);
	g_autofree char *spid = g_strdup_printf("%d", (int)pid);
	g_autofree char *cmd_path = g_strdup_printf("/proc/%s/cmdline", spid);
	g_autofree char *env_path = g_strdup_printf("/proc/%s/environ", spid);
	g_autofree char *cmd = NULL, *env = NULL, *their_ns = NULL, *our_ns = NULL;
	gsize cmd_len = 0, env_len = 0;

	CHECK(pid > 0);
	CHECK(g_file_get_contents(cmd_path, &cmd, &cmd_len, NULL) && cmd_len > 0);
	CHECK(g_file_get_contents(env_path, &env, &env_len, NULL));
	if (!cmd || !env)
		return;
	CHECK(contains(cmd, cmd_len, "pppd") && contains(cmd, cmd_len, "l2tp-vpn-fd"));
	CHECK(!contains(cmd, cmd_len, password) && !contains(env, env_len, password));
	CHECK(!contains(cmd, cmd_len, "alice") && !contains(env, env_len, "alice"));
	/* A clean environment: exactly PATH and LANG. */
	CHECK(env_len == strlen("PATH=/usr/sbin:/usr/bin:/sbin:/bin") + 1 + strlen("LANG=C") + 1);
	their_ns = ns_of(spid);
	our_ns = ns_of("self");
	r->own_mount_ns = their_ns && our_ns && strcmp(their_ns, our_ns) != 0;
	r->scanned = TRUE;
}

static void on_event(const L2tpPppEvent *ev, gpointer data)
{
	struct run *r = data;

	switch (ev->type) {
	case L2TP_PPP_EVENT_HELLO:
		r->hello = TRUE;
		g_strlcpy(r->version, ev->pppd_version, sizeof(r->version));
		scan_proc(r);
		break;
	case L2TP_PPP_EVENT_CREDENTIALS_OK:
		r->credentials_ok = TRUE;
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
		break;
	default:
		break;
	}
}

static gboolean on_timeout(gpointer data)
{
	struct run *r = data;

	fprintf(stderr, "timeout waiting for pppd\n");
	g_main_loop_quit(r->loop);
	return G_SOURCE_REMOVE;
}

static void run_dry(struct run *r, gboolean private_mounts)
{
	L2tpPppLaunch launch = {.pppol2tp_socket = -1, .user = "alice", .password = password};
	g_autoptr(GError) error = NULL;
	guint timer;

	memset(r, 0, sizeof(*r));
	r->plugin_exit = -2;
	l2tp_ppp_options_init(&launch.ppp);
	launch.ppp.plugin_path = plugin_path;
	launch.ppp.ifname = "l2tp-test";
	launch.ppp.dry_run = TRUE;
	launch.no_private_mounts = !private_mounts;
	r->loop = g_main_loop_new(NULL, FALSE);
	r->log = g_ptr_array_new_with_free_func(g_free);
	r->launcher = l2tp_ppp_launcher_start(&launch, on_event, r, &error);
	CHECK(r->launcher != NULL);
	if (!r->launcher) {
		fprintf(stderr, "launch: %s\n", error->message);
		return;
	}
	timer = g_timeout_add_seconds(30, on_timeout, r);
	g_main_loop_run(r->loop);
	if (r->exited)
		g_source_remove(timer);
}

static void run_free(struct run *r)
{
	l2tp_ppp_launcher_free(r->launcher);
	g_main_loop_unref(r->loop);
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

static void dump_log(struct run *r)
{
	for (guint i = 0; i < r->log->len; i++)
		fprintf(stderr, "  pppd: %s\n", (char *)g_ptr_array_index(r->log, i));
}

/* Before the fake /dev/ppp exists: pppd's "no kernel support" exit, decoded. */
static void test_no_kernel_support(void)
{
	struct run r;

	run_dry(&r, TRUE);
	CHECK(r.exited && r.hello && r.credentials_ok);
	CHECK(g_error_matches(r.error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NO_KERNEL_SUPPORT));
	if (r.error && !g_error_matches(r.error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NO_KERNEL_SUPPORT))
		fprintf(stderr, "  got: %s\n", r.error->message);
	run_free(&r);
}

static void test_plugin_in_real_pppd(void)
{
	struct run r;

	run_dry(&r, TRUE);
	CHECK(r.exited && r.error == NULL);
	if (r.error)
		fprintf(stderr, "  error: %s\n", r.error->message);
	CHECK(r.hello && r.credentials_ok && r.scanned);
	CHECK_STR(r.version, expected_version);
	CHECK(r.plugin_exit == 0);
	CHECK(r.own_mount_ns);
	/* pppd printed its options: ours are there, the hostile file's are not. */
	CHECK(log_has(&r, "l2tp-vpn-fd") && log_has(&r, "noauth"));
	CHECK(!log_has(&r, "/etc/ppp/options") && !log_has(&r, "6.6.6.6") && !log_has(&r, "minconn"));
	CHECK(!log_has(&r, password));
	if (dp_checks_failed || g_getenv("DP_VERBOSE"))
		dump_log(&r);
	run_free(&r);
}

static void test_control_without_private_mounts(void)
{
	struct run r;

	run_dry(&r, FALSE);
	CHECK(r.exited && r.hello && r.credentials_ok && r.scanned);
	CHECK(!r.own_mount_ns);
	/* The same pppd does read the hostile file when not isolated, and a plugin
	 * it names gets loaded: no command-line option could undo that. */
	CHECK(log_has(&r, "(from /etc/ppp/options)") && log_has(&r, "6.6.6.6"));
	CHECK(log_has(&r, "Plugin minconn.so loaded"));
	/* What argv can counter, it does: "auth" and "defaultroute" lost to ours. */
	CHECK(log_has(&r, "noauth") && log_has(&r, "nodefaultroute") && !log_has(&r, "show-password"));
	CHECK(!log_has(&r, password));
	if (dp_checks_failed || g_getenv("DP_VERBOSE"))
		dump_log(&r);
	run_free(&r);
}

static void test_bad_credentials_refused_before_spawn(void)
{
	L2tpPppLaunch launch = {.pppol2tp_socket = -1, .user = "", .password = "x"};
	g_autoptr(GError) error = NULL;
	L2tpPppLauncher *l;

	l2tp_ppp_options_init(&launch.ppp);
	launch.ppp.plugin_path = plugin_path;
	launch.ppp.ifname = "l2tp-test";
	launch.ppp.dry_run = TRUE;
	l = l2tp_ppp_launcher_start(&launch, on_event, NULL, &error);
	CHECK(l == NULL && g_error_matches(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION));
	l2tp_ppp_launcher_free(l);
}

static int bind_file(const char *src, const char *dst)
{
	int fd = open(dst, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return mount(src, dst, NULL, MS_BIND, NULL);
}

/* A /dev with the usual nodes plus a regular file as /dev/ppp, in our namespace only. */
static gboolean fake_dev(const char *scratch)
{
	g_autofree char *real = g_build_filename(scratch, "realdev", NULL);
	const char *nodes[] = {"null", "zero", "urandom", "random", NULL};

	if (g_mkdir(real, 0700) < 0 || mount("/dev", real, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount("fakedev", "/dev", "tmpfs", MS_NOSUID, "mode=0755") < 0)
		return FALSE;
	for (const char **n = nodes; *n; n++) {
		g_autofree char *src = g_build_filename(real, *n, NULL);
		g_autofree char *dst = g_build_filename("/dev", *n, NULL);

		if (bind_file(src, dst) < 0)
			return FALSE;
	}
	return g_file_set_contents("/dev/ppp", "", 0, NULL);
}

static gboolean hostile_etc_ppp_options(const char *scratch)
{
	g_autofree char *path = g_build_filename(scratch, "options", NULL);
	const char *hostile = "auth\ndefaultroute\nms-dns 6.6.6.6\nshow-password\nplugin minconn.so\n";

	return g_file_set_contents(path, hostile, -1, NULL) && bind_file(path, "/etc/ppp/options") == 0;
}

/* The scratch directory is on the real /tmp: only our mount namespace sees the mounts. */
static void remove_scratch(const char *scratch)
{
	g_autofree char *real = g_build_filename(scratch, "realdev", NULL);
	g_autofree char *options = g_build_filename(scratch, "options", NULL);

	umount2(real, MNT_DETACH);
	rmdir(real);
	unlink(options);
	rmdir(scratch);
}

int main(int argc, char **argv)
{
	g_autofree char *scratch = NULL;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PLUGIN.so PPPD_VERSION\n", argv[0]);
		return 2;
	}
	plugin_path = g_canonicalize_filename(argv[1], NULL);
	expected_version = argv[2];
	if (geteuid() != 0 || !g_file_test("/usr/sbin/pppd", G_FILE_TEST_IS_EXECUTABLE) ||
	    !g_file_test("/etc/ppp", G_FILE_TEST_IS_DIR)) {
		printf("skip: needs root, /usr/sbin/pppd and /etc/ppp\n0 passed, 0 failed\n");
		return 77;
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("skip: no mount namespace: %s\n0 passed, 0 failed\n", g_strerror(errno));
		return 77;
	}
	g_snprintf(password, sizeof(password), "Pw-%08x-%08x-secret", g_random_int(), g_random_int());
	scratch = g_dir_make_tmp("l2tp-vpn-pppd-XXXXXX", NULL);
	if (!scratch || !hostile_etc_ppp_options(scratch)) {
		fprintf(stderr, "cannot prepare the hostile /etc/ppp/options\n");
		return 1;
	}
	DP_RUN(test_bad_credentials_refused_before_spawn);
	if (g_file_test("/dev/ppp", G_FILE_TEST_EXISTS)) {
		DP_SKIP(test_no_kernel_support, "this machine has /dev/ppp");
	} else {
		DP_RUN(test_no_kernel_support);
		if (!fake_dev(scratch)) {
			fprintf(stderr, "cannot build a /dev with a stand-in /dev/ppp: %s\n",
				g_strerror(errno));
			return 1;
		}
	}
	DP_RUN(test_plugin_in_real_pppd);
	DP_RUN(test_control_without_private_mounts);
	rc = dp_summary();
	remove_scratch(scratch);
	return rc;
}
