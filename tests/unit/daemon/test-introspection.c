// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The objects l2tp-vpnd exports match the interfaces documented in data/dbus:
 * the manager and a connection object are served on a peer-to-peer GDBus
 * connection, introspected like any client would, and both sides are parsed
 * with GDBusNodeInfo and compared member by member, argument by argument.
 */
#include <sys/socket.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "l2tpvpn-daemon-client.h"

typedef struct {
	GDBusConnection *server, *client;
	VpndManager *manager;
	char *dir;
} Fixture;

static void on_server_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	GDBusConnection **server = data;
	g_autoptr(GError) error = NULL;

	*server = g_dbus_connection_new_finish(res, &error);
	g_assert_no_error(error);
}

/* Both ends over a socketpair; the server's handshake runs in GDBus's thread while the client's blocks here.
 */
static void connect_peers(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *guid = g_dbus_generate_guid();
	int fds[2];
	g_autoptr(GSocket) s0 = NULL, s1 = NULL;
	g_autoptr(GSocketConnection) c0 = NULL, c1 = NULL;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
	s0 = g_socket_new_from_fd(fds[0], &error);
	g_assert_no_error(error);
	s1 = g_socket_new_from_fd(fds[1], &error);
	g_assert_no_error(error);
	c0 = g_socket_connection_factory_create_connection(s0);
	c1 = g_socket_connection_factory_create_connection(s1);
	g_dbus_connection_new(G_IO_STREAM(c0), guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL,
			      NULL, on_server_ready, &f->server);
	f->client = g_dbus_connection_new_sync(
	    G_IO_STREAM(c1), NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
	g_assert_no_error(error);
	while (!f->server)
		g_main_context_iteration(NULL, TRUE);
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
	VpndSettings settings = {0};
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("l2tpvpnd-introspect-XXXXXX", &error);
	g_assert_no_error(error);
	settings.profile_dir = f->dir;
	settings.run_dir = f->dir;
	settings.plugin_path = "/nonexistent/plugin.so";
	l2tpvpn_reconnect_config_defaults(&settings.reconnect);
	connect_peers(f);
	f->manager = vpnd_manager_new(f->server, &settings, &error);
	g_assert_no_error(error);
	g_assert_nonnull(vpnd_manager_ensure_connection(f->manager, "work-1", &error));
	g_assert_no_error(error);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
	vpnd_manager_free(f->manager);
	g_dbus_connection_close_sync(f->client, NULL, NULL);
	g_object_unref(f->client);
	g_object_unref(f->server);
	g_rmdir(f->dir);
	g_free(f->dir);
}

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	GVariant **reply = data;
	g_autoptr(GError) error = NULL;

	*reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	g_assert_no_error(error);
}

/* What a client sees at @path, parsed. The server side needs this main loop to answer. */
static GDBusNodeInfo *introspect(Fixture *f, const char *path)
{
	GVariant *reply = NULL;
	const char *xml;
	GDBusNodeInfo *node;
	g_autoptr(GError) error = NULL;

	g_dbus_connection_call(f->client, NULL, path, "org.freedesktop.DBus.Introspectable", "Introspect",
			       NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_reply,
			       &reply);
	while (!reply)
		g_main_context_iteration(NULL, TRUE);
	g_variant_get(reply, "(&s)", &xml);
	node = g_dbus_node_info_new_for_xml(xml, &error);
	g_assert_no_error(error);
	g_variant_unref(reply);
	return node;
}

static GDBusNodeInfo *documented(const char *file)
{
	g_autofree char *path = g_build_filename(g_getenv("L2TPVPN_DBUS_DIR"), file, NULL);
	g_autofree char *xml = NULL;
	g_autoptr(GError) error = NULL;
	GDBusNodeInfo *node;

	g_assert_true(g_file_get_contents(path, &xml, NULL, &error));
	node = g_dbus_node_info_new_for_xml(xml, &error);
	g_assert_no_error(error);
	return node;
}

static guint count(gpointer *array)
{
	guint n = 0;

	while (array && array[n])
		n++;
	return n;
}

static void compare_args(GDBusArgInfo **want, GDBusArgInfo **got)
{
	g_assert_cmpuint(count((gpointer *)want), ==, count((gpointer *)got));
	for (guint i = 0; want && want[i]; i++) {
		g_assert_cmpstr(want[i]->name, ==, got[i]->name);
		g_assert_cmpstr(want[i]->signature, ==, got[i]->signature);
	}
}

static void compare_interfaces(GDBusInterfaceInfo *want, GDBusInterfaceInfo *got)
{
	g_assert_nonnull(got);
	g_assert_cmpuint(count((gpointer *)want->methods), ==, count((gpointer *)got->methods));
	for (guint i = 0; want->methods && want->methods[i]; i++) {
		GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(got, want->methods[i]->name);

		g_assert_nonnull(m);
		compare_args(want->methods[i]->in_args, m->in_args);
		compare_args(want->methods[i]->out_args, m->out_args);
	}
	g_assert_cmpuint(count((gpointer *)want->signals), ==, count((gpointer *)got->signals));
	for (guint i = 0; want->signals && want->signals[i]; i++) {
		GDBusSignalInfo *s = g_dbus_interface_info_lookup_signal(got, want->signals[i]->name);

		g_assert_nonnull(s);
		compare_args(want->signals[i]->args, s->args);
	}
	g_assert_cmpuint(count((gpointer *)want->properties), ==, count((gpointer *)got->properties));
	for (guint i = 0; want->properties && want->properties[i]; i++) {
		GDBusPropertyInfo *p = g_dbus_interface_info_lookup_property(got, want->properties[i]->name);

		g_assert_nonnull(p);
		g_assert_cmpstr(want->properties[i]->signature, ==, p->signature);
		g_assert_cmpint(want->properties[i]->flags, ==, p->flags);
	}
}

/* Every interface of the file is exported as documented, and nothing else but the standard ones. */
static void compare_nodes(GDBusNodeInfo *want, GDBusNodeInfo *got)
{
	guint ours = 0;

	for (guint i = 0; want->interfaces[i]; i++)
		compare_interfaces(want->interfaces[i],
				   g_dbus_node_info_lookup_interface(got, want->interfaces[i]->name));
	for (guint i = 0; got->interfaces[i]; i++)
		if (!g_str_has_prefix(got->interfaces[i]->name, "org.freedesktop.DBus."))
			ours++;
	g_assert_cmpuint(ours, ==, count((gpointer *)want->interfaces));
}

static void test_manager(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusNodeInfo) want = documented("org.l2tpvpn.Manager1.xml");
	g_autoptr(GDBusNodeInfo) got = introspect(f, L2TPVPN_MANAGER_PATH);

	compare_nodes(want, got);
}

static void test_connection(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusNodeInfo) want = documented("org.l2tpvpn.Connection1.xml");
	g_autofree char *path = l2tpvpn_daemon_connection_path("work-1");
	g_autoptr(GDBusNodeInfo) got = introspect(f, path);

	/* The documented escaping: '-' becomes _2d. */
	g_assert_cmpstr(path, ==, "/org/l2tpvpn/Connection1/work_2d1");
	compare_nodes(want, got);
}

/* The compiled-in copy is the documented file, byte for byte in meaning. */
static void test_embedded_is_documented(Fixture *f, gconstpointer data)
{
	static const char *const files[] = {"org.l2tpvpn.Manager1.xml", "org.l2tpvpn.Connection1.xml"};

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(GDBusNodeInfo) want = documented(files[i]);
		g_autoptr(GDBusNodeInfo) embedded = vpnd_interface_info(files[i], NULL);

		g_assert_nonnull(embedded);
		compare_nodes(want, embedded);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/introspection/manager", Fixture, NULL, fixture_setup, test_manager, fixture_teardown);
	g_test_add("/introspection/connection", Fixture, NULL, fixture_setup, test_connection,
		   fixture_teardown);
	g_test_add("/introspection/embedded", Fixture, NULL, fixture_setup, test_embedded_is_documented,
		   fixture_teardown);
	return g_test_run();
}
