// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpnd on a private system-like bus: a dbus-daemon whose policy is the
 * system bus's default plus our data/dbus/org.l2tpvpn.conf, l2tp-vpnd in an
 * empty network namespace (so every gateway is unreachable, deterministically)
 * with a temporary profile and run directory, and GDBus clients:
 *
 *   profiles   SaveProfile (validated, 0600), ListProfiles, GetProfile (secrets
 *              masked), DeleteProfile, and their named errors
 *   connect    SecretsRequired names the missing secret; with it, the gateway
 *              is unreachable: org.l2tpvpn.Error.Unreachable as the D-Bus error,
 *              as LastError, through the client library too; nothing is left
 *              in the run directory
 *   nobody     an unprivileged caller (uid 65534) may list the connections (state
 *              is open, as NetworkManager's is) and is refused every action with
 *              NotAuthorized (no polkit here: the root-only fallback)
 *   sigterm    SIGTERM: the daemon releases its name and exits 0
 *
 * Waits are event-driven with timeouts. A supervisor process owns the
 * temporary directory and removes it whatever happens to the test; the
 * children die with the test (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "l2tpvpn-daemon-client.h"
#include "l2tpvpn-dbus-error.h"

#define WAIT_MS    20000
#define NOBODY_UID 65534
#define MANAGER    "/org/l2tpvpn/Manager1"
#define MANAGER_IF "org.l2tpvpn.Manager1"
#define WORK_PROFILE                                                                                         \
	"[connection]\ngateway=10.255.255.1\n[ipsec]\nenabled=no\n[ppp]\nuser=alice\npassword-source=ask\n"
/* Nothing listens on 127.0.0.1:1702 in the daemon's namespace: the tunnel request goes unanswered. */
#define SILENT_PROFILE                                                                                       \
	"[connection]\ngateway=127.0.0.1\n[ipsec]\nenabled=no\n[l2tp]\nport=1702\n[ppp]\nuser="              \
	"carol\npassword=pw\n"
#define INLINE_PROFILE                                                                                       \
	"[connection]\ngateway=192.0.2.7\n[ipsec]\npsk=PskNeverShown1\n[ppp]\nuser=bob\npassword="           \
	"PwNeverShown2\n"

static struct {
	char *dir;
	char *address;
	GPid bus_pid, daemon_pid;
	GDBusConnection *bus;
	gboolean daemon_exited;
	int daemon_status;
} env;

/* ---- children ------------------------------------------------------------------------------ */

static void die_with_test(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * A network namespace of its own with nothing but loopback (up): no gateway
 * outside 127/8 has a route, and nothing answers on 127.0.0.1. Only
 * async-signal-safe calls here (between fork and exec).
 */
static void daemon_child_setup(gpointer data)
{
	struct ifreq lo = {.ifr_name = "lo"};
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET) < 0)
		_exit(77);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &lo) < 0)
		_exit(78);
	lo.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &lo) < 0)
		_exit(78);
	close(fd);
}

static void write_bus_config(const char *path, const char *socket)
{
	g_autofree char *policy = g_build_filename(g_getenv("L2TPVPN_DBUS_DIR"), "org.l2tpvpn.conf", NULL);
	g_autofree char *text = g_strdup_printf(
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
	    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	    "<busconfig>\n"
	    "  <type>system</type>\n"
	    "  <listen>unix:path=%s</listen>\n"
	    "  <auth>EXTERNAL</auth>\n"
	    /* The system bus's default policy (dbus's system.conf): deny owning and method calls. */
	    "  <policy context=\"default\">\n"
	    "    <allow user=\"*\"/>\n"
	    "    <deny own=\"*\"/>\n"
	    "    <deny send_type=\"method_call\"/>\n"
	    "    <allow send_type=\"signal\"/>\n"
	    "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
	    "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
	    "    <allow receive_type=\"method_call\"/>\n"
	    "    <allow receive_type=\"method_return\"/>\n"
	    "    <allow receive_type=\"error\"/>\n"
	    "    <allow receive_type=\"signal\"/>\n"
	    "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
	    "    <allow send_destination=\"org.freedesktop.DBus\"\n"
	    "           send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
	    "  </policy>\n"
	    "  <include>%s</include>\n"
	    "</busconfig>\n",
	    socket, policy);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* One line from @fd within WAIT_MS (dbus-daemon --print-address). */
static char *read_line(int fd)
{
	GString *line = g_string_new(NULL);
	gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
	char c;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);

		g_assert_cmpint(left, >, 0);
		if (poll(&p, 1, left) <= 0)
			continue;
		if (read(fd, &c, 1) != 1 || c == '\n')
			break;
		g_string_append_c(line, c);
	}
	return g_string_free(line, FALSE);
}

static void start_bus(void)
{
	g_autofree char *config = g_build_filename(env.dir, "bus.conf", NULL);
	g_autofree char *socket = g_build_filename(env.dir, "bus", NULL);
	const char *argv[] = {"dbus-daemon", "--nofork", "--print-address", "--config-file", config, NULL};
	g_autoptr(GError) error = NULL;
	int out;

	write_bus_config(config, socket);
	g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
					       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, die_with_test,
					       NULL, &env.bus_pid, NULL, &out, NULL, &error));
	g_assert_no_error(error);
	env.address = read_line(out);
	close(out);
	g_assert_true(g_str_has_prefix(env.address, "unix:"));
}

static GDBusConnection *connect_bus(void)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_dbus_connection_new_for_address_sync(
	    env.address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);

	g_assert_no_error(error);
	return bus;
}

/* ---- waiting --------------------------------------------------------------------------------- */

static gboolean on_timeout(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag, failing after WAIT_MS. */
static void wait_for(gboolean *flag, const char *what)
{
	gboolean timed_out = FALSE;
	guint timer = g_timeout_add(WAIT_MS, on_timeout, &timed_out);

	while (!*flag && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(timer);
	if (timed_out)
		g_error("timed out waiting for %s", what);
}

static void on_name_gone(GDBusConnection *bus, const char *name, gpointer data)
{
	*(gboolean *)data = TRUE;
}

static void on_daemon_exit(GPid pid, int status, gpointer data)
{
	env.daemon_exited = TRUE;
	env.daemon_status = status;
}

/* Appeared on the bus, or exited trying. */
static void on_appeared_or_exited(GDBusConnection *bus, const char *name, const char *owner, gpointer data)
{
	*(gboolean *)data = TRUE;
}

/* What a run killed with SIGKILL leaves: its record under <run>/stale/, naming a process that is gone. */
static void plant_crashed_run(const char *run)
{
	g_autofree char *dir = g_build_filename(run, "stale", NULL);
	g_autofree char *state = g_build_filename(dir, "state", NULL);
	g_autofree char *record = NULL;
	const char *argv[] = {"true", NULL};
	GPid dead;

	g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
				    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &dead,
				    NULL));
	g_assert_cmpint(waitpid(dead, NULL, 0), ==, dead);
	record = g_strdup_printf("pid=%d\n", (int)dead);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents_full(state, record, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
}

static void start_daemon(void)
{
	g_autofree char *profiles = g_build_filename(env.dir, "profiles", NULL);
	g_autofree char *run = g_build_filename(env.dir, "run", NULL);
	g_autofree char *log = g_build_filename(env.dir, "daemon.log", NULL);
	g_autofree char *a_bus = g_strdup_printf("--bus-address=%s", env.address);
	g_autofree char *a_profiles = g_strdup_printf("--profile-dir=%s", profiles);
	g_autofree char *a_run = g_strdup_printf("--run-dir=%s", run);
	g_autofree char *a_plugin = g_strdup_printf("--plugin=%s/no-plugin.so", env.dir);
	const char *argv[] = {g_getenv("L2TPVPND"), a_bus, a_profiles, a_run, a_plugin, NULL};
	g_autoptr(GError) error = NULL;
	gboolean appeared = FALSE;
	int log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	guint watch;

	g_assert_cmpint(log_fd, >=, 0);
	g_assert_cmpint(g_mkdir(profiles, 0700), ==, 0);
	plant_crashed_run(run);
	/* Its log goes to a file, shown when something fails. */
	g_assert_true(g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					     daemon_child_setup, NULL, &env.daemon_pid, -1, log_fd, log_fd,
					     &error));
	g_assert_no_error(error);
	close(log_fd);
	g_child_watch_add(env.daemon_pid, on_daemon_exit, NULL);
	watch = g_bus_watch_name_on_connection(env.bus, "org.l2tpvpn", G_BUS_NAME_WATCHER_FLAGS_NONE,
					       on_appeared_or_exited, NULL, &appeared, NULL);
	while (!appeared && !env.daemon_exited)
		wait_for(&appeared, "l2tp-vpnd on the bus");
	g_bus_unwatch_name(watch);
}

/* ---- calls --------------------------------------------------------------------------------------- */

typedef struct {
	GVariant *reply;
	GError *error;
	gboolean done;
} Reply;

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	Reply *r = data;

	r->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &r->error);
	r->done = TRUE;
}

/* A manager call; NULL with *@error_name (the D-Bus error name) on failure. */
static GVariant *call(GDBusConnection *bus, const char *method, GVariant *params, char **error_name,
		      char **message)
{
	Reply r = {0};

	g_dbus_connection_call(bus, "org.l2tpvpn", MANAGER, MANAGER_IF, method, params, NULL,
			       G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, method);
	if (!r.reply) {
		if (error_name)
			*error_name = g_dbus_error_get_remote_error(r.error);
		if (message)
			*message = g_strdup(r.error->message);
		g_error_free(r.error);
	}
	return r.reply;
}

static void expect_ok(const char *method, GVariant *params)
{
	g_autofree char *name = NULL, *message = NULL;
	g_autoptr(GVariant) reply = call(env.bus, method, params, &name, &message);

	if (!reply)
		g_error("%s: %s", method, message);
}

static char *expect_error(GDBusConnection *bus, const char *method, GVariant *params, const char *error_name)
{
	g_autofree char *name = NULL;
	char *message = NULL;
	g_autoptr(GVariant) reply = call(bus, method, params, &name, &message);

	g_assert_null(reply);
	g_assert_cmpstr(name, ==, error_name);
	return message;
}

static GVariant *property(const char *path, const char *prop)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_sync(env.bus, "org.l2tpvpn", path, "org.freedesktop.DBus.Properties",
					"Get", g_variant_new("(ss)", "org.l2tpvpn.Connection1", prop),
					G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, &error);
	GVariant *value;

	g_assert_no_error(error);
	g_variant_get(reply, "(v)", &value);
	return value;
}

/* ---- tests ----------------------------------------------------------------------------------------- */

static gboolean need_daemon(void)
{
	if (!env.daemon_exited)
		return TRUE;
	/* 77: the child could not get its own network namespace (a container without CAP_SYS_ADMIN). */
	if (WIFEXITED(env.daemon_status) && WEXITSTATUS(env.daemon_status) == 77)
		g_test_skip("no network namespace for l2tp-vpnd (needs CAP_SYS_ADMIN)");
	else
		g_test_fail_printf("l2tp-vpnd is not running (wait status %d)", env.daemon_status);
	return FALSE;
}

/* Start-up recovery: the crashed run's record is gone before the daemon took its name. */
static void test_startup_recovery(void)
{
	g_autofree char *stale = g_build_filename(env.dir, "run", "stale", NULL);

	if (!need_daemon())
		return;
	g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
}

static void test_profiles(void)
{
	g_autofree char *path = g_build_filename(env.dir, "profiles", "inline.conf", NULL);
	g_autoptr(GVariant) list = NULL, shown = NULL;
	g_autofree char *bad = NULL;
	g_autofree char *joined = NULL;
	g_autofree const char **names = NULL;
	const char *text;
	struct stat st;

	if (!need_daemon())
		return;
	expect_ok("SaveProfile", g_variant_new("(ss)", "work", WORK_PROFILE));
	expect_ok("SaveProfile", g_variant_new("(ss)", "inline", INLINE_PROFILE));
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
	g_assert_cmpuint(st.st_uid, ==, 0);

	list = call(env.bus, "ListProfiles", NULL, NULL, NULL);
	g_assert_nonnull(list);
	g_variant_get(list, "(^a&s)", &names);
	joined = g_strjoinv(",", (char **)names);
	g_assert_cmpstr(joined, ==, "inline,work");

	shown = call(env.bus, "GetProfile", g_variant_new("(s)", "inline"), NULL, NULL);
	g_assert_nonnull(shown);
	g_variant_get(shown, "(&s)", &text);
	g_assert_nonnull(strstr(text, "gateway=192.0.2.7"));
	g_assert_nonnull(strstr(text, "********"));
	g_assert_null(strstr(text, "PskNeverShown1"));
	g_assert_null(strstr(text, "PwNeverShown2"));

	/* Validated before anything is written: the error names the line. */
	bad = expect_error(env.bus, "SaveProfile", g_variant_new("(ss)", "bad", "[connection]\ngatway=x\n"),
			   "org.l2tpvpn.Error.InvalidConfig");
	g_assert_nonnull(strstr(bad, ":2:"));
	g_free(expect_error(env.bus, "SaveProfile", g_variant_new("(ss)", "../escape", WORK_PROFILE),
			    "org.l2tpvpn.Error.InvalidArgs"));
	g_free(expect_error(env.bus, "GetProfile", g_variant_new("(s)", "absent"),
			    "org.l2tpvpn.Error.NoSuchProfile"));

	expect_ok("DeleteProfile", g_variant_new("(s)", "inline"));
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(expect_error(env.bus, "DeleteProfile", g_variant_new("(s)", "inline"),
			    "org.l2tpvpn.Error.NoSuchProfile"));
}

static void on_progress(const L2tpVpnEvent *ev, gpointer data)
{
	static const char *const kinds[] = {"started",   "done",          "progress",
					    "connected", "disconnecting", "disconnected"};
	GString *seen = data;

	g_assert_cmpuint(ev->phase_ms, <=, ev->elapsed_ms);
	g_assert_null(ev->error);
	g_string_append_printf(seen, "%s:%s;", kinds[ev->type],
			       ev->type == L2TP_VPN_EVENT_DISCONNECTED ? "" : l2tp_vpn_phase_name(ev->phase));
}

static L2tpVpnSecret *give_password(const L2tpVpnSecretRequest *request, gpointer data, GError **error)
{
	guint *asked = data;

	g_assert_cmpint(request->kind, ==, L2TPVPN_SECRET_PPP_PASSWORD);
	(*asked)++;
	return l2tpvpn_secret_new("pw-from-prompt", 14);
}

static void assert_nothing_left(void)
{
	g_autofree char *state = g_build_filename(env.dir, "run", "work", NULL);

	g_assert_false(g_file_test(state, G_FILE_TEST_EXISTS));
}

/* The client library's view after the failed connect: status, lists, errors as classes. */
static void check_client_status(L2tpVpnDaemonClient *client)
{
	g_autoptr(GVariant) status = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) connections = NULL, profiles = NULL;
	g_autofree char *text = NULL, *joined = NULL;
	g_autoptr(GPtrArray) records = NULL;
	const char *value;

	status = l2tpvpn_daemon_client_status(client, "work", &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_lookup(status, "State", "&s", &value));
	g_assert_cmpstr(value, ==, "disconnected");
	g_assert_true(g_variant_lookup(status, "LastError", "&s", &value));
	g_assert_cmpstr(value, ==, "org.l2tpvpn.Error.Unreachable");
	records = l2tpvpn_daemon_client_status_records(status);
	g_ptr_array_add(records, NULL);
	joined = g_strjoinv(" ", (char **)records->pdata);
	g_assert_true(g_str_has_prefix(joined,
				       "name=work state=disconnected last_error=unreachable "
				       "last_error_message=resolve: no route to the gateway 10.255.255.1"));
	connections = l2tpvpn_daemon_client_list_connections(client, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(connections), ==, 1);
	g_assert_cmpstr(connections[0], ==, "work");
	profiles = l2tpvpn_daemon_client_list_profiles(client, &error);
	g_assert_no_error(error);
	g_assert_true(g_strv_contains((const char *const *)profiles, "work"));
	text = l2tpvpn_daemon_client_get_profile(client, "work", &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "password-source=ask"));
	g_assert_false(l2tpvpn_daemon_client_disconnect(client, "work", &error));
	g_assert_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING);
	g_clear_error(&error);
	g_assert_null(l2tpvpn_daemon_client_status(client, "never-connected", &error));
	g_assert_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING);
}

static void test_connect_unreachable(void)
{
	g_autofree char *path = l2tpvpn_daemon_connection_path("work");
	g_autofree char *missing = NULL, *unreachable = NULL;
	g_autoptr(GVariant) last = NULL, state = NULL;
	g_autoptr(L2tpVpnDaemonClient) client = NULL;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	guint asked = 0;
	L2tpVpnDaemonConnectOptions options = {
	    .progress = on_progress, .progress_data = seen, .ask = give_password, .ask_data = &asked};

	if (!need_daemon())
		return;
	missing = expect_error(env.bus, "Connect", g_variant_new("(sa{ss})", "work", NULL),
			       "org.l2tpvpn.Error.SecretsRequired");
	g_assert_nonnull(strstr(missing, "missing secrets: ppp-password"));

	unreachable =
	    expect_error(env.bus, "Connect", g_variant_new_parsed("('work', {'ppp-password': 'pw'})"),
			 "org.l2tpvpn.Error.Unreachable");
	last = property(path, "LastError");
	g_assert_cmpstr(g_variant_get_string(last, NULL), ==, "org.l2tpvpn.Error.Unreachable");
	state = property(path, "State");
	g_assert_cmpstr(g_variant_get_string(state, NULL), ==, "disconnected");
	assert_nothing_left();
	g_free(expect_error(env.bus, "Disconnect", g_variant_new("(s)", "work"),
			    "org.l2tpvpn.Error.NotRunning"));

	/* The client library: asks once for what is missing, streams progress, returns the class. */
	client = l2tpvpn_daemon_client_new(env.address, &error);
	g_assert_no_error(error);
	g_assert_false(l2tpvpn_daemon_client_connect(client, "work", &options, &error));
	g_assert_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_UNREACHABLE);
	g_assert_cmpuint(asked, ==, 1);
	g_assert_nonnull(strstr(seen->str, "started:resolve;"));
	g_assert_nonnull(strstr(seen->str, "disconnected:;"));
	assert_nothing_left();
	check_client_status(client);
}

/* Two profiles connecting at the same time: each its own object, each its own outcome. */
static void test_two_at_once(void)
{
	static const char *const names[] = {"first", "second"};
	Reply replies[2] = {{0}};
	g_autofree char *p0 = l2tpvpn_daemon_connection_path("first");
	g_autofree char *p1 = l2tpvpn_daemon_connection_path("second");

	if (!need_daemon())
		return;
	for (guint i = 0; i < 2; i++) {
		expect_ok("SaveProfile", g_variant_new("(ss)", names[i], WORK_PROFILE));
		g_dbus_connection_call(env.bus, "org.l2tpvpn", MANAGER, MANAGER_IF, "Connect",
				       g_variant_new_parsed("(%s, {'ppp-password': 'pw'})", names[i]), NULL,
				       G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &replies[i]);
	}
	for (guint i = 0; i < 2; i++) {
		g_autofree char *remote = NULL;

		wait_for(&replies[i].done, names[i]);
		g_assert_null(replies[i].reply);
		remote = g_dbus_error_get_remote_error(replies[i].error);
		g_assert_cmpstr(remote, ==, "org.l2tpvpn.Error.Unreachable");
		g_error_free(replies[i].error);
	}
	g_assert_cmpstr(p0, !=, p1);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GVariant) state = property(i ? p1 : p0, "State");

		g_assert_cmpstr(g_variant_get_string(state, NULL), ==, "disconnected");
		expect_ok("DeleteProfile", g_variant_new("(s)", names[i]));
	}
}

/* Connection1.Disconnect on the object itself is authorised like Manager1.Disconnect. */
static gboolean connection_disconnect_refused(GDBusConnection *bus)
{
	g_autofree char *path = l2tpvpn_daemon_connection_path("work");
	g_autofree char *name = NULL;
	Reply r = {0};

	g_dbus_connection_call(bus, "org.l2tpvpn", path, "org.l2tpvpn.Connection1", "Disconnect", NULL, NULL,
			       G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, "Connection1.Disconnect");
	if (r.reply) {
		g_variant_unref(r.reply);
		g_printerr("Connection1.Disconnect as nobody: allowed\n");
		return FALSE;
	}
	name = g_dbus_error_get_remote_error(r.error);
	g_error_free(r.error);
	if (g_strcmp0(name, "org.l2tpvpn.Error.NotAuthorized") == 0)
		return TRUE;
	g_printerr("Connection1.Disconnect as nobody: %s\n", name);
	return FALSE;
}

/* Reading connection state is open to everyone (a status applet), like NetworkManager's. */
static gboolean connection_state_open(GDBusConnection *bus)
{
	g_autofree char *name = NULL;
	g_autoptr(GVariant) reply = call(bus, "ListConnections", NULL, &name, NULL);

	if (reply && g_variant_is_of_type(reply, G_VARIANT_TYPE("(ao)")))
		return TRUE;
	g_printerr("ListConnections as nobody: %s\n", reply ? "wrong type" : name);
	return FALSE;
}

/* The client library reports the refusal as the PERMISSION class (the CLI's exit code 4). */
static gboolean client_library_refused(const char *address)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnDaemonClient) client = l2tpvpn_daemon_client_new(address, &error);
	g_auto(GStrv) names = client ? l2tpvpn_daemon_client_list_profiles(client, &error) : NULL;

	if (!names && g_error_matches(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_PERMISSION))
		return TRUE;
	g_printerr("client library as nobody: %s\n", error ? error->message : "allowed");
	return FALSE;
}

/*
 * Real phases through the client library: resolve, socket and ipsec (off)
 * complete with their durations, then the LNS never answers: the named
 * timeout, and nothing left behind.
 */
static void test_phases_then_timeout(void)
{
	g_autofree char *state = g_build_filename(env.dir, "run", "silent", NULL);
	g_autoptr(L2tpVpnDaemonClient) client = NULL;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	L2tpVpnDaemonConnectOptions options = {.progress = on_progress, .progress_data = seen};

	if (!need_daemon())
		return;
	expect_ok("SaveProfile", g_variant_new("(ss)", "silent", SILENT_PROFILE));
	client = l2tpvpn_daemon_client_new(env.address, &error);
	g_assert_no_error(error);
	g_assert_false(l2tpvpn_daemon_client_connect(client, "silent", &options, &error));
	g_assert_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_TIMEOUT);
	g_assert_nonnull(strstr(error->message, "l2tp-tunnel"));
	g_assert_nonnull(strstr(seen->str, "started:resolve;done:resolve;started:socket;done:socket;"
					   "started:ipsec;done:ipsec;started:l2tp-tunnel;"));
	g_assert_true(g_str_has_suffix(seen->str, "disconnected:;"));
	g_assert_false(g_file_test(state, G_FILE_TEST_EXISTS));
	expect_ok("DeleteProfile", g_variant_new("(s)", "silent"));
}

/* The child side of test_nobody: every action must be refused. */
static int run_as_nobody(const char *address)
{
	static const char *const actions[] = {"ListProfiles", "GetProfile", "SaveProfile",
					      "DeleteProfile", "Connect",    "Disconnect"};
	GVariant *params[G_N_ELEMENTS(actions)] = {
	    NULL,
	    g_variant_new("(s)", "work"),
	    g_variant_new("(ss)", "evil", WORK_PROFILE),
	    g_variant_new("(s)", "work"),
	    g_variant_new_parsed("('work', {'ppp-password': 'pw'})"),
	    g_variant_new("(s)", "work"),
	};
	int refused = 0;

	env.address = (char *)address;
	env.bus = connect_bus();
	if (getuid() != NOBODY_UID)
		return 3;
	for (guint i = 0; i < G_N_ELEMENTS(actions); i++) {
		g_autofree char *name = NULL;
		g_autoptr(GVariant) reply = call(env.bus, actions[i], params[i], &name, NULL);

		if (!reply && g_strcmp0(name, "org.l2tpvpn.Error.NotAuthorized") == 0)
			refused++;
		else
			g_printerr("%s as nobody: %s\n", actions[i], reply ? "allowed" : name);
	}
	if (!connection_disconnect_refused(env.bus) || !connection_state_open(env.bus))
		return 1;
	g_object_unref(env.bus);
	if (!client_library_refused(address))
		return 1;
	return refused == G_N_ELEMENTS(actions) ? 0 : 1;
}

static void drop_to_nobody(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY_UID, NOBODY_UID, NOBODY_UID) < 0 ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID) < 0)
		_exit(4);
}

/* This program, where nobody can run it: the build tree may sit under a 0700 directory (a CI clone). */
static char *copy_of_self(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *copy = g_build_filename(env.dir, "as-nobody", NULL);
	g_autofree char *data = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(exe, &data, &len, NULL));
	g_assert_true(
	    g_file_set_contents_full(copy, data, (gssize)len, G_FILE_SET_CONTENTS_NONE, 0755, NULL));
	return copy;
}

static void test_nobody(void)
{
	g_autofree char *self = copy_of_self();
	g_autofree char *evil = g_build_filename(env.dir, "profiles", "evil.conf", NULL);
	const char *argv[] = {self, "--as-nobody", env.address, NULL};
	g_autoptr(GError) error = NULL;
	int status = -1;

	if (!need_daemon())
		return;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, drop_to_nobody,
				   NULL, NULL, NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	/* Nothing it tried happened. */
	g_assert_false(g_file_test(evil, G_FILE_TEST_EXISTS));
}

static void test_sigterm(void)
{
	gboolean gone = FALSE;
	guint watch;

	if (!need_daemon())
		return;
	watch = g_bus_watch_name_on_connection(env.bus, "org.l2tpvpn", G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
					       on_name_gone, &gone, NULL);
	g_assert_cmpint(kill(env.daemon_pid, SIGTERM), ==, 0);
	wait_for(&env.daemon_exited, "l2tp-vpnd to exit on SIGTERM");
	wait_for(&gone, "org.l2tpvpn to leave the bus");
	g_bus_unwatch_name(watch);
	g_assert_true(WIFEXITED(env.daemon_status));
	g_assert_cmpint(WEXITSTATUS(env.daemon_status), ==, 0);
}

/* ---- the supervisor: temporary files go whatever happens to the test --------------------------------- */

static void remove_tree(const char *path)
{
	const char *argv[] = {"rm", "-rf", "--one-file-system", path, NULL};

	g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static void print_daemon_log(void)
{
	g_autofree char *log = g_build_filename(env.dir, "daemon.log", NULL);
	g_autofree char *text = NULL;

	if (g_file_get_contents(log, &text, NULL, NULL))
		g_printerr("--- l2tp-vpnd log ---\n%s", text);
}

static int run_tests(int argc, char **argv)
{
	int result;

	start_bus();
	env.bus = connect_bus();
	start_daemon();
	if (env.daemon_exited && WIFEXITED(env.daemon_status) && WEXITSTATUS(env.daemon_status) == 77) {
		g_printerr("skipped: no network namespace for l2tp-vpnd (needs CAP_SYS_ADMIN)\n");
		g_object_unref(env.bus);
		kill(env.bus_pid, SIGTERM);
		waitpid(env.bus_pid, NULL, 0);
		return 77;
	}
	g_test_add_func("/daemon-bus/startup-recovery", test_startup_recovery);
	g_test_add_func("/daemon-bus/profiles", test_profiles);
	g_test_add_func("/daemon-bus/connect-unreachable", test_connect_unreachable);
	g_test_add_func("/daemon-bus/two-at-once", test_two_at_once);
	g_test_add_func("/daemon-bus/phases-then-timeout", test_phases_then_timeout);
	g_test_add_func("/daemon-bus/nobody-refused", test_nobody);
	g_test_add_func("/daemon-bus/sigterm", test_sigterm);
	result = g_test_run();
	g_object_unref(env.bus);
	kill(env.bus_pid, SIGTERM);
	waitpid(env.bus_pid, NULL, 0);
	return result;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	pid_t pid;
	int status = 1;

	if (argc == 3 && strcmp(argv[1], "--as-nobody") == 0)
		return run_as_nobody(argv[2]);
	g_test_init(&argc, &argv, NULL);
	/* 77: meson reports the test as skipped, not passed. */
	if (getuid() != 0) {
		g_printerr(
		    "skipped: needs root (l2tp-vpnd, a system-like bus, a caller switched to nobody)\n");
		return 77;
	}
	env.dir = g_dir_make_tmp("l2tpvpnd-bus-XXXXXX", &error);
	g_assert_no_error(error);
	/* nobody must reach the bus socket inside. */
	g_assert_cmpint(chmod(env.dir, 0755), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0)
		_exit(run_tests(argc, argv));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		print_daemon_log();
	remove_tree(env.dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
