// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpnd: the system service that hosts L2TP/IPsec connections for
 * unprivileged front ends (CLI, GTK app, NetworkManager plugin) over D-Bus
 * (org.l2tpvpn, interfaces in data/dbus), authorised by polkit.
 *
 * Start-up: remove what a crashed run left behind, register the objects, then
 * take the bus name (systemd Type=dbus counts us ready then). SIGTERM/SIGINT:
 * disconnect everything cleanly, then exit 0. Losing the name or the bus also
 * brings everything down.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <glib-unix.h>

#include "daemon.h"

#include "config.h"

typedef struct {
	GMainLoop *loop;
	VpndManager *manager;
	int status;
} Daemon;

static gboolean on_shutdown_done(gpointer data)
{
	Daemon *d = data;

	g_main_loop_quit(d->loop);
	return G_SOURCE_REMOVE;
}

static void shut_down(Daemon *d, const char *why)
{
	g_message("stopping (%s): disconnecting everything", why);
	vpnd_manager_shutdown(d->manager, on_shutdown_done, d);
}

static gboolean on_signal(gpointer data)
{
	shut_down(data, "signal");
	return G_SOURCE_CONTINUE;
}

static void on_name_acquired(GDBusConnection *bus, const char *name, gpointer data)
{
	g_message("ready on the bus as %s", name);
}

static void on_name_lost(GDBusConnection *bus, const char *name, gpointer data)
{
	Daemon *d = data;

	g_warning("could not own (or lost) the bus name %s: is another l2tp-vpnd running, and does the bus "
		  "policy (org.l2tpvpn.conf) let root own it?",
		  name);
	d->status = 1;
	shut_down(d, "bus name lost");
}

static void on_bus_closed(GDBusConnection *bus, gboolean remote, GError *error, gpointer data)
{
	Daemon *d = data;

	d->status = 1;
	shut_down(d, "the bus connection closed");
}

/* A plugin pppd loads as root must be root's and writable by nobody else. */
static gboolean trustworthy(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022);
}

static const char *default_plugin_path(void)
{
	/* Run from the build tree (tests, the VM lab): this build's plugin when none is installed. */
	if (!trustworthy(L2TP_VPN_PLUGIN_INSTALLED) && trustworthy(L2TP_VPN_PLUGIN_BUILT))
		return L2TP_VPN_PLUGIN_BUILT;
	return L2TP_VPN_PLUGIN_INSTALLED;
}

static GDBusConnection *open_bus(const char *address, gboolean session, GError **error)
{
	if (address)
		return g_dbus_connection_new_for_address_sync(
		    address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL, NULL, error);
	return g_bus_get_sync(session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, error);
}

typedef struct {
	char *bus_address, *profile_dir, *run_dir, *plugin, *resolv_conf;
	gboolean session, no_reconnect, version;
	int initial_ms, max_ms, multiplier, max_attempts, stable_ms;
} Options;

static gboolean parse_options(int *argc, char ***argv, Options *o, VpndSettings *s, GError **error)
{
	GOptionEntry entries[] = {
	    {"bus-address", 0, 0, G_OPTION_ARG_STRING, &o->bus_address, "Use this message bus (tests)",
	     "ADDRESS"},
	    {"session", 0, 0, G_OPTION_ARG_NONE, &o->session, "Use the session bus (development)", NULL},
	    {"profile-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->profile_dir, "Profiles (default /etc/l2tp-vpn)",
	     "DIR"},
	    {"run-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->run_dir, "Run state (default /run/l2tp-vpn)", "DIR"},
	    {"plugin", 0, 0, G_OPTION_ARG_FILENAME, &o->plugin, "Our pppd plugin", "PATH"},
	    {"resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &o->resolv_conf,
	     "File the \"file\" DNS mode rewrites", "PATH"},
	    {"no-reconnect", 0, 0, G_OPTION_ARG_NONE, &o->no_reconnect, "Never reconnect on its own", NULL},
	    {"reconnect-initial-ms", 0, 0, G_OPTION_ARG_INT, &o->initial_ms, "First reconnect delay (1000)",
	     "MS"},
	    {"reconnect-max-ms", 0, 0, G_OPTION_ARG_INT, &o->max_ms, "Longest reconnect delay (60000)", "MS"},
	    {"reconnect-multiplier", 0, 0, G_OPTION_ARG_INT, &o->multiplier, "Backoff factor (2)", "N"},
	    {"reconnect-max-attempts", 0, 0, G_OPTION_ARG_INT, &o->max_attempts, "Give up after N (0: never)",
	     "N"},
	    {"reconnect-stable-ms", 0, 0, G_OPTION_ARG_INT, &o->stable_ms,
	     "Up this long resets the backoff (60000)", "MS"},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &o->version, "Print the version", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- the l2tp-vpn system service");

	o->initial_ms = o->max_ms = o->multiplier = o->max_attempts = o->stable_ms = -1;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, error))
		return FALSE;
	l2tpvpn_reconnect_config_defaults(&s->reconnect);
	s->reconnect.enabled = !o->no_reconnect;
	if (o->initial_ms >= 0)
		s->reconnect.initial_ms = (guint)o->initial_ms;
	if (o->max_ms >= 0)
		s->reconnect.max_ms = (guint)o->max_ms;
	if (o->multiplier >= 0)
		s->reconnect.multiplier = (guint)o->multiplier;
	if (o->max_attempts >= 0)
		s->reconnect.max_attempts = (guint)o->max_attempts;
	if (o->stable_ms >= 0)
		s->reconnect.stable_ms = (guint)o->stable_ms;
	s->profile_dir = o->profile_dir;
	s->run_dir = o->run_dir ? o->run_dir : L2TP_VPN_RUN_DIR;
	s->plugin_path = o->plugin ? o->plugin : default_plugin_path();
	s->resolv_conf = o->resolv_conf;
	if (s->run_dir[0] != '/') {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--run-dir must be absolute");
		return FALSE;
	}
	return l2tpvpn_reconnect_config_validate(&s->reconnect, error);
}

static void options_clear(Options *o)
{
	g_free(o->bus_address);
	g_free(o->profile_dir);
	g_free(o->run_dir);
	g_free(o->plugin);
	g_free(o->resolv_conf);
}

static int serve(GDBusConnection *bus, const VpndSettings *settings, GHashTable *left_open)
{
	Daemon d = {0};
	g_autoptr(GError) error = NULL;
	guint owner;

	d.manager = vpnd_manager_new(bus, settings, &error);
	if (!d.manager) {
		g_printerr("l2tp-vpnd: %s\n", error->message);
		g_hash_table_unref(left_open);
		return 1;
	}
	vpnd_manager_set_tunnel_left_open(d.manager, left_open);
	d.loop = g_main_loop_new(NULL, FALSE);
	g_dbus_connection_set_exit_on_close(bus, FALSE);
	g_signal_connect(bus, "closed", G_CALLBACK(on_bus_closed), &d);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	owner = g_bus_own_name_on_connection(bus, L2TPVPN_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
					     on_name_acquired, on_name_lost, &d, NULL);
	g_main_loop_run(d.loop);
	g_bus_unown_name(owner);
	g_signal_handlers_disconnect_by_data(bus, &d);
	vpnd_manager_free(d.manager);
	g_main_loop_unref(d.loop);
	g_message("stopped");
	return d.status;
}

int main(int argc, char **argv)
{
	Options o = {0};
	VpndSettings settings = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	GHashTable *left_open;
	int status;

	signal(SIGPIPE, SIG_IGN);
	if (!parse_options(&argc, &argv, &o, &settings, &error)) {
		g_printerr("l2tp-vpnd: %s\n", error->message);
		options_clear(&o);
		return 2;
	}
	if (o.version) {
		printf("l2tp-vpnd %s\n", PACKAGE_VERSION);
		options_clear(&o);
		return 0;
	}
	/* Leftovers of a crash go before anyone can ask for anything. */
	left_open = vpnd_recover_all(&settings);
	bus = open_bus(o.bus_address, o.session, &error);
	if (!bus) {
		g_printerr("l2tp-vpnd: cannot connect to the message bus: %s\n", error->message);
		g_hash_table_unref(left_open);
		options_clear(&o);
		return 1;
	}
	status = serve(bus, &settings, left_open);
	options_clear(&o);
	return status;
}
