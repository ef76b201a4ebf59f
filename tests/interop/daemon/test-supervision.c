// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Supervision end to end, with the layers replaced by fake orchestrator steps:
 * the daemon's manager serves on a private dbus-daemon, a client connects over
 * the bus, and then the "gateway" drops the established connection. The
 * daemon must reconnect on its own (StateChanged: reconnecting, connecting,
 * connected; ReconnectCount 1; LastError ConnectionLost), stop at once when a
 * reconnect meets a wrong password, not reconnect after a requested
 * Disconnect, and bring a connected connection down on shutdown.
 *
 * First, authorisation with a fake polkit authority on the same bus: the
 * daemon asks it (action, subject = the caller's bus name) and its "no" wins
 * even for root; once polkit leaves the bus, the root-only fallback applies.
 */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "l2tpvpn-daemon-client.h"
#include "orchestrator-private.h"
#include "ppp-launcher.h"

#define WAIT_MS 20000
#define PROFILE                                                                                              \
	"[connection]\ngateway=127.0.0.1\n[ipsec]\nenabled=no\n[ppp]\nuser=alice\npassword-source=ask\n"

static struct {
	char *dir;
	GPid bus_pid;
	GDBusConnection *server, *client;
	VpndManager *manager;
	L2tpVpnConnection *live; /* the latest orchestrator connection the daemon made */
	int fail_phase;          /* a phase whose start fails with fail_code, -1 none */
	int fail_code;           /* L2tpVpnError */
	GString *states;         /* StateChanged sequence, "state," each */
	char *path;
} t;

/* ---- fake layers: every phase succeeds at once (or fail_phase fails) ------------------------------- */

static void fake_start(L2tpVpnConnection *c)
{
	if (c->phase == L2TP_VPN_PHASE_RESOLVE) {
		/* What the underlay watch checks: loopback routes to itself. */
		g_strlcpy(c->info.gateway_addr, "127.0.0.1", sizeof(c->info.gateway_addr));
		g_strlcpy(c->info.local_addr, "127.0.0.1", sizeof(c->info.local_addr));
	}
	if ((int)c->phase == t.fail_phase)
		l2tp_vpn_phase_done(c, c->phase, NULL,
				    g_error_new_literal(L2TP_VPN_ERROR, t.fail_code, "fake: failed"));
	else
		l2tp_vpn_phase_done(c, c->phase, NULL, NULL);
}

static void fake_undo(L2tpVpnConnection *c)
{
	l2tp_vpn_undo_done(c, c->phase);
}

static L2tpVpnStep fake_steps[L2TP_VPN_N_PHASES];

static L2tpVpnConnection *fake_connection_new(L2tpVpnConfig *cfg, L2tpVpnEventFunc func, gpointer data)
{
	t.live = l2tp_vpn_connection_new_with_steps(cfg, fake_steps, func, data);
	return t.live;
}

/* ---- bus and waiting --------------------------------------------------------------------------------- */

static void die_with_test(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static char *start_bus(void)
{
	const char *argv[] = {"dbus-daemon", "--session", "--nofork", "--print-address", NULL};
	g_autoptr(GError) error = NULL;
	GString *line = g_string_new(NULL);
	struct pollfd p;
	int out;
	char ch;

	g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
					       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, die_with_test,
					       NULL, &t.bus_pid, NULL, &out, NULL, &error));
	g_assert_no_error(error);
	p = (struct pollfd){.fd = out, .events = POLLIN};
	while (poll(&p, 1, WAIT_MS) == 1 && read(out, &ch, 1) == 1 && ch != '\n')
		g_string_append_c(line, ch);
	close(out);
	g_assert_true(g_str_has_prefix(line->str, "unix:"));
	return g_string_free(line, FALSE);
}

static GDBusConnection *connect_bus(const char *address)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *bus = g_dbus_connection_new_for_address_sync(
	    address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);

	g_assert_no_error(error);
	return bus;
}

static gboolean on_timeout(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

static void wait_for(gboolean *flag, const char *what)
{
	gboolean timed_out = FALSE;
	guint timer = g_timeout_add(WAIT_MS, on_timeout, &timed_out);

	while (!*flag && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (timed_out)
		g_error("timed out waiting for %s (states so far: %s)", what, t.states->str);
	g_source_remove(timer);
}

static void on_state(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
		     const char *signal, GVariant *params, gpointer data)
{
	const char *state;

	g_variant_get(params, "(&s&s&s)", &state, NULL, NULL);
	g_string_append_printf(t.states, "%s,", state);
}

/* Waits until the StateChanged sequence so far ends with @tail. */
static void wait_states(const char *tail)
{
	gboolean timed_out = FALSE;
	guint timer = g_timeout_add(WAIT_MS, on_timeout, &timed_out);

	while (!g_str_has_suffix(t.states->str, tail) && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (timed_out)
		g_error("timed out waiting for states ...%s (got %s)", tail, t.states->str);
	g_source_remove(timer);
}

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

static void manager_call_ok(const char *method, GVariant *params)
{
	Reply r = {0};

	g_dbus_connection_call(t.client, "org.l2tpvpn", L2TPVPN_MANAGER_PATH, L2TPVPN_MANAGER_INTERFACE,
			       method, params, NULL, G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, method);
	g_assert_no_error(r.error);
	g_variant_unref(r.reply);
}

static GVariant *prop(const char *name)
{
	Reply r = {0};
	GVariant *value;

	g_dbus_connection_call(t.client, "org.l2tpvpn", t.path, "org.freedesktop.DBus.Properties", "Get",
			       g_variant_new("(ss)", L2TPVPN_CONNECTION_INTERFACE, name),
			       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, name);
	g_assert_no_error(r.error);
	g_variant_get(r.reply, "(v)", &value);
	g_variant_unref(r.reply);
	return value;
}

static void assert_prop_string(const char *name, const char *want)
{
	g_autoptr(GVariant) v = prop(name);

	g_assert_cmpstr(g_variant_get_string(v, NULL), ==, want);
}

static void assert_reconnects(guint want)
{
	g_autoptr(GVariant) v = prop("ReconnectCount");

	g_assert_cmpuint(g_variant_get_uint32(v), ==, want);
}

/* What `l2tp-vpn status` would show, through the client library's record conversion. */
static void assert_status(const char *head, const char *tail)
{
	Reply r = {0};
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GPtrArray) records = NULL;
	g_autofree char *joined = NULL;

	g_dbus_connection_call(t.client, "org.l2tpvpn", t.path, "org.freedesktop.DBus.Properties", "GetAll",
			       g_variant_new("(s)", L2TPVPN_CONNECTION_INTERFACE), G_VARIANT_TYPE("(a{sv})"),
			       G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, "GetAll");
	g_assert_no_error(r.error);
	props = g_variant_get_child_value(r.reply, 0);
	g_variant_unref(r.reply);
	records = l2tpvpn_daemon_client_status_records(props);
	g_ptr_array_add(records, NULL);
	joined = g_strjoinv(" ", (char **)records->pdata);
	g_assert_true(g_str_has_prefix(joined, "name=sup "));
	/* connect_ms and uptime_ms vary with the machine's speed. */
	if (!g_str_has_prefix(joined + strlen("name=sup "), head) || !g_str_has_suffix(joined, tail) ||
	    !strstr(joined, " uptime_ms="))
		g_error("status records: %s", joined);
}

static void connect_profile(void)
{
	g_string_truncate(t.states, 0);
	manager_call_ok("Connect", g_variant_new_parsed("('sup', {'ppp-password': 'pw'})"));
	assert_prop_string("State", "connected");
}

/* The established connection is dropped by the far end (as a HELLO failure would report it). */
static void drop_connection(void)
{
	g_assert_cmpint(l2tp_vpn_connection_get_state(t.live), ==, L2TP_VPN_STATE_CONNECTED);
	l2tp_vpn_fail(
	    t.live, g_error_new_literal(L2TP_VPN_ERROR, L2TP_VPN_ERROR_L2TP, "fake: HELLO not acknowledged"));
}

/* ---- a fake polkit authority ------------------------------------------------------------------------ */

static const char polkit_xml[] =
    "<node><interface name='org.freedesktop.PolicyKit1.Authority'>"
    "<method name='CheckAuthorization'>"
    "<arg type='(sa{sv})' name='subject' direction='in'/><arg type='s' name='action_id' direction='in'/>"
    "<arg type='a{ss}' name='details' direction='in'/><arg type='u' name='flags' direction='in'/>"
    "<arg type='s' name='cancellation_id' direction='in'/><arg type='(bba{ss})' name='result' "
    "direction='out'/>"
    "</method></interface></node>";

static struct {
	GDBusConnection *bus;
	guint registration, owner;
	gboolean answer;
	guint calls;
	char *action, *subject_kind, *subject_name;
} polkit;

static void polkit_check(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
			 const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
	g_autoptr(GVariant) subject = NULL, details = NULL;
	const char *action;

	g_variant_get(params, "(@(sa{sv})&s@a{ss}u&s)", &subject, &action, NULL, NULL, NULL);
	polkit.calls++;
	g_free(polkit.action);
	g_free(polkit.subject_kind);
	g_free(polkit.subject_name);
	polkit.action = g_strdup(action);
	g_variant_get(subject, "(s@a{sv})", &polkit.subject_kind, &details);
	polkit.subject_name = NULL;
	g_variant_lookup(details, "name", "s", &polkit.subject_name);
	g_dbus_method_invocation_return_value(
	    inv, g_variant_new_parsed("((%b, false, @a{ss} {}),)", polkit.answer));
}

static const GDBusInterfaceVTable polkit_vtable = {.method_call = polkit_check};

static void on_flag(GDBusConnection *bus, const char *name, gpointer data)
{
	*(gboolean *)data = TRUE;
}

static void start_polkit(const char *address)
{
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(polkit_xml, NULL);
	g_autoptr(GError) error = NULL;
	gboolean owned = FALSE;

	polkit.bus = connect_bus(address);
	polkit.registration =
	    g_dbus_connection_register_object(polkit.bus, "/org/freedesktop/PolicyKit1/Authority",
					      node->interfaces[0], &polkit_vtable, NULL, NULL, &error);
	g_assert_no_error(error);
	polkit.owner = g_bus_own_name_on_connection(polkit.bus, "org.freedesktop.PolicyKit1",
						    G_BUS_NAME_OWNER_FLAGS_NONE, on_flag, NULL, &owned, NULL);
	wait_for(&owned, "the fake polkit's name");
}

static void stop_polkit(void)
{
	gboolean gone = FALSE;
	guint watch;

	g_bus_unown_name(polkit.owner);
	watch = g_bus_watch_name_on_connection(t.client, "org.freedesktop.PolicyKit1",
					       G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_flag, &gone, NULL);
	wait_for(&gone, "the fake polkit to leave");
	g_bus_unwatch_name(watch);
	g_dbus_connection_unregister_object(polkit.bus, polkit.registration);
	g_object_unref(polkit.bus);
	g_free(polkit.action);
	g_free(polkit.subject_kind);
	g_free(polkit.subject_name);
}

static char *manager_call_error(const char *method, GVariant *params)
{
	Reply r = {0};
	char *name;

	g_dbus_connection_call(t.client, "org.l2tpvpn", L2TPVPN_MANAGER_PATH, L2TPVPN_MANAGER_INTERFACE,
			       method, params, NULL, G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, on_reply, &r);
	wait_for(&r.done, method);
	g_assert_null(r.reply);
	name = g_dbus_error_get_remote_error(r.error);
	g_error_free(r.error);
	return name;
}

static void test_polkit_asked(void)
{
	polkit.answer = TRUE;
	manager_call_ok("ListProfiles", NULL);
	g_assert_cmpuint(polkit.calls, ==, 1);
	g_assert_cmpstr(polkit.action, ==, "org.l2tpvpn.connect");
	g_assert_cmpstr(polkit.subject_kind, ==, "system-bus-name");
	g_assert_cmpstr(polkit.subject_name, ==, g_dbus_connection_get_unique_name(t.client));
}

static void test_polkit_refusal_wins(void)
{
	g_autofree char *profile = g_build_filename(t.dir, "profiles", "other.conf", NULL);
	g_autofree char *name = NULL;

	/* Root, but polkit says no: refused. */
	polkit.answer = FALSE;
	name = manager_call_error("SaveProfile", g_variant_new("(ss)", "other", PROFILE));
	g_assert_cmpstr(name, ==, "org.l2tpvpn.Error.NotAuthorized");
	g_assert_cmpstr(polkit.action, ==, "org.l2tpvpn.modify-profiles");
	g_assert_false(g_file_test(profile, G_FILE_TEST_EXISTS));
}

static void test_polkit_gone_root_only(void)
{
	guint calls = polkit.calls;

	stop_polkit();
	manager_call_ok("ListProfiles", NULL);
	g_assert_cmpuint(polkit.calls, ==, calls);
}

/* ---- tests ----------------------------------------------------------------------------------------------
 */

static void test_reconnects_after_loss(void)
{
	t.fail_phase = -1;
	connect_profile();
	assert_reconnects(0);
	g_string_truncate(t.states, 0);
	drop_connection();
	wait_states("disconnecting,reconnecting,connecting,connected,");
	assert_reconnects(1);
	assert_prop_string("LastError", "org.l2tpvpn.Error.ConnectionLost");
	assert_prop_string("Interface", "");
	/* The fake has no PPP addresses or interface: they are left out, not shown as 0.0.0.0. */
	assert_status(
	    "state=connected gateway_address=127.0.0.1 local_address=127.0.0.1 ",
	    " reconnects=1 last_error=connection-lost last_error_message=fake: HELLO not acknowledged");
}

static void test_wrong_password_stops(void)
{
	/* A fresh Connect: the backoff starts over at 10 ms. */
	manager_call_ok("Disconnect", g_variant_new("(s)", "sup"));
	connect_profile();
	g_string_truncate(t.states, 0);
	t.fail_phase = L2TP_VPN_PHASE_PPP;
	t.fail_code = L2TP_VPN_ERROR_PPP_AUTH;
	drop_connection();
	wait_states("reconnecting,connecting,disconnecting,disconnected,");
	assert_reconnects(2);
	assert_prop_string("LastError", "org.l2tpvpn.Error.PppAuthFailed");
	/* Nothing more is scheduled: the daemon considers the connection down. */
	g_assert_true(vpnd_connection_is_down(vpnd_manager_ensure_connection(t.manager, "sup", NULL)));
	t.fail_phase = -1;
}

static void test_requested_disconnect_stays_down(void)
{
	connect_profile();
	g_string_truncate(t.states, 0);
	manager_call_ok("Disconnect", g_variant_new("(s)", "sup"));
	g_assert_cmpstr(t.states->str, ==, "disconnecting,disconnected,");
	assert_prop_string("State", "disconnected");
	assert_reconnects(2);
	g_assert_true(vpnd_connection_is_down(vpnd_manager_ensure_connection(t.manager, "sup", NULL)));
}

/* The gateway stays away after a loss: the second retry waits long; Disconnect cancels it at once. */
static void test_disconnect_while_waiting(void)
{
	connect_profile();
	g_string_truncate(t.states, 0);
	t.fail_phase = L2TP_VPN_PHASE_RESOLVE;
	t.fail_code = L2TP_VPN_ERROR_UNREACHABLE;
	drop_connection();
	wait_states("reconnecting,connecting,disconnecting,reconnecting,");
	assert_prop_string("LastError", "org.l2tpvpn.Error.Unreachable");
	g_assert_false(vpnd_connection_is_down(vpnd_manager_ensure_connection(t.manager, "sup", NULL)));
	manager_call_ok("Disconnect", g_variant_new("(s)", "sup"));
	assert_prop_string("State", "disconnected");
	g_assert_true(vpnd_connection_is_down(vpnd_manager_ensure_connection(t.manager, "sup", NULL)));
	t.fail_phase = -1;
}

static gboolean on_shutdown_done(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

static void test_shutdown_brings_down(void)
{
	gboolean done = FALSE;

	connect_profile();
	g_string_truncate(t.states, 0);
	vpnd_manager_shutdown(t.manager, on_shutdown_done, &done);
	wait_for(&done, "shutdown");
	g_assert_true(vpnd_connection_is_down(vpnd_manager_ensure_connection(t.manager, "sup", NULL)));
	/* The signals travel through the bus: they may arrive after the daemon finished. */
	wait_states("disconnecting,disconnected,");
}

/* ---- setup ----------------------------------------------------------------------------------------------
 */

static void on_name(GDBusConnection *bus, const char *name, gpointer data)
{
	*(gboolean *)data = TRUE;
}

static void serve(const char *address)
{
	g_autofree char *profiles = g_build_filename(t.dir, "profiles", NULL);
	g_autofree char *profile = g_build_filename(profiles, "sup.conf", NULL);
	g_autofree char *run = g_build_filename(t.dir, "run", NULL);
	VpndSettings settings = {
	    .profile_dir = profiles, .run_dir = run, .plugin_path = "/nonexistent/plugin.so"};
	g_autoptr(GError) error = NULL;
	gboolean owned = FALSE;

	g_assert_cmpint(g_mkdir(profiles, 0700), ==, 0);
	g_assert_true(g_file_set_contents_full(profile, PROFILE, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
	l2tpvpn_reconnect_config_defaults(&settings.reconnect);
	settings.reconnect.initial_ms = 10;
	/* The second retry waits 10 s: long enough to be caught waiting. */
	settings.reconnect.multiplier = 1000;
	settings.connection_new = fake_connection_new;
	t.server = connect_bus(address);
	t.client = connect_bus(address);
	t.manager = vpnd_manager_new(t.server, &settings, &error);
	g_assert_no_error(error);
	g_bus_own_name_on_connection(t.server, L2TPVPN_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE, on_name, NULL,
				     &owned, NULL);
	wait_for(&owned, "the bus name");
	t.path = l2tpvpn_daemon_connection_path("sup");
	g_dbus_connection_signal_subscribe(t.client, L2TPVPN_BUS_NAME, L2TPVPN_CONNECTION_INTERFACE,
					   "StateChanged", t.path, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_state,
					   NULL, NULL);
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *address = NULL;
	const char *argv_rm[] = {"rm", "-rf", NULL, NULL};
	int result;

	g_test_init(&argc, &argv, NULL);
	if (getuid() != 0) {
		/* Without polkit the daemon allows root only. 77: meson reports a skip. */
		g_printerr("skipped: needs root\n");
		return 77;
	}
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++)
		fake_steps[p] = (L2tpVpnStep){fake_start, fake_undo};
	t.states = g_string_new(NULL);
	t.fail_phase = -1;
	t.dir = g_dir_make_tmp("l2tpvpnd-supervision-XXXXXX", &error);
	g_assert_no_error(error);
	address = start_bus();
	serve(address);
	start_polkit(address);
	g_test_add_func("/polkit/asked", test_polkit_asked);
	g_test_add_func("/polkit/refusal-wins-over-root", test_polkit_refusal_wins);
	g_test_add_func("/polkit/gone-root-only", test_polkit_gone_root_only);
	g_test_add_func("/supervision/reconnects-after-loss", test_reconnects_after_loss);
	g_test_add_func("/supervision/wrong-password-stops", test_wrong_password_stops);
	g_test_add_func("/supervision/requested-disconnect-stays-down", test_requested_disconnect_stays_down);
	g_test_add_func("/supervision/disconnect-while-waiting", test_disconnect_while_waiting);
	g_test_add_func("/supervision/shutdown-brings-down", test_shutdown_brings_down);
	result = g_test_run();
	vpnd_manager_free(t.manager);
	g_object_unref(t.client);
	g_object_unref(t.server);
	kill(t.bus_pid, SIGTERM);
	waitpid(t.bus_pid, NULL, 0);
	argv_rm[2] = t.dir;
	g_spawn_sync(NULL, (char **)argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	g_free(t.dir);
	g_free(t.path);
	g_string_free(t.states, TRUE);
	return result;
}
