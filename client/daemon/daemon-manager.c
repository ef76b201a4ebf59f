// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.l2tpvpn.Manager1: profiles and the table of connections. Every call is
 * authorised first (daemon-auth.c) and only then are its arguments looked at,
 * so an unauthorised caller learns nothing, not even which names exist.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "daemon-auth.h"
#include "daemon.h"
#include "l2tpvpn-dbus-error.h"
#include "l2tp-vpnd-resources.h"

#include "config.h"

struct _VpndManager {
	GDBusConnection *bus;
	VpndSettings settings;
	GDBusNodeInfo *manager_node, *connection_node;
	guint registration;
	GHashTable *connections; /* name → VpndConnection */
	GSourceFunc shutdown_done;
	gpointer shutdown_data;
	gboolean shutting_down;
	GHashTable *tunnel_left_open; /* names whose crashed run left an L2TP tunnel at the LNS */
	GPtrArray *owned;             /* the settings' strings, copied */
};

GDBusNodeInfo *vpnd_interface_info(const char *resource_name, GError **error)
{
	g_autofree char *path = g_strdup_printf("/org/l2tpvpn/dbus/%s", resource_name);
	g_autoptr(GBytes) xml = g_resource_lookup_data(l2tpvpnd_get_resource(), path, 0, error);

	return xml ? g_dbus_node_info_new_for_xml(g_bytes_get_data(xml, NULL), error) : NULL;
}

const VpndSettings *vpnd_manager_settings(VpndManager *m)
{
	return &m->settings;
}

GDBusConnection *vpnd_manager_bus(VpndManager *m)
{
	return m->bus;
}

GDBusInterfaceInfo *vpnd_manager_connection_info(VpndManager *m)
{
	return m->connection_node->interfaces[0];
}

VpndConnection *vpnd_manager_ensure_connection(VpndManager *m, const char *name, GError **error)
{
	VpndConnection *c = g_hash_table_lookup(m->connections, name);

	if (c)
		return c;
	c = vpnd_connection_new(m, name, error);
	if (!c)
		return NULL;
	g_hash_table_insert(m->connections, g_strdup(name), c);
	g_dbus_connection_emit_signal(m->bus, NULL, L2TPVPN_MANAGER_PATH, L2TPVPN_MANAGER_INTERFACE,
				      "ConnectionAdded", g_variant_new("(os)", vpnd_connection_path(c), name),
				      NULL);
	return c;
}

/* ---- profiles -------------------------------------------------------------------------- */

static GError *to_wire(GError *local)
{
	GError *wire = l2tpvpn_dbus_error_from_local(local);

	g_error_free(local);
	return wire;
}

static GVariant *list_profiles(VpndManager *m, GVariant *params, GError **error)
{
	GError *local = NULL;
	g_auto(GStrv) names = l2tpvpn_profile_list(m->settings.profile_dir, &local);

	if (!names) {
		*error = to_wire(local);
		return NULL;
	}
	return g_variant_new("(^as)", names);
}

static GVariant *get_profile(VpndManager *m, GVariant *params, GError **error)
{
	const char *name;
	GError *local = NULL;
	g_autoptr(L2tpVpnProfile) profile = NULL;
	g_autofree char *text = NULL;

	g_variant_get(params, "(&s)", &name);
	if (!l2tpvpn_profile_name_valid(name, &local) ||
	    !(profile = l2tpvpn_profile_open(name, m->settings.profile_dir, &local))) {
		*error = to_wire(local);
		return NULL;
	}
	text = l2tpvpn_profile_to_string_masked(profile);
	return g_variant_new("(s)", text);
}

static const char *profile_dir(VpndManager *m)
{
	return m->settings.profile_dir ? m->settings.profile_dir : L2TPVPN_PROFILE_DIR;
}

static GVariant *save_profile(VpndManager *m, GVariant *params, GError **error)
{
	const char *name, *text;
	gsize len;
	GError *local = NULL;
	g_autoptr(L2tpVpnProfile) profile = NULL;
	g_autofree char *path = NULL;

	g_variant_get(params, "(&s&s)", &name, &text);
	len = strlen(text);
	if (len > L2TPVPN_PROFILE_MAX_BYTES) {
		g_set_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_INVALID_ARGS,
			    "a profile is at most %d bytes", L2TPVPN_PROFILE_MAX_BYTES);
		return NULL;
	}
	path = l2tpvpn_profile_path_for_name(profile_dir(m), name, &local);
	/* Validate exactly what will be stored: errors name the line. */
	if (!path || !(profile = l2tpvpn_profile_load_data(text, len, name, name, &local)) ||
	    g_mkdir_with_parents(profile_dir(m), 0700) < 0 ||
	    !g_file_set_contents_full(path, text, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      &local)) {
		if (!local)
			g_set_error(&local, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s",
				    profile_dir(m), g_strerror(errno));
		*error = to_wire(local);
		return NULL;
	}
	g_message("profile %s saved", name);
	return g_variant_new("()");
}

static GVariant *delete_profile(VpndManager *m, GVariant *params, GError **error)
{
	const char *name;
	GError *local = NULL;
	g_autofree char *path = NULL;
	VpndConnection *c;

	g_variant_get(params, "(&s)", &name);
	path = l2tpvpn_profile_path_for_name(profile_dir(m), name, &local);
	if (!path) {
		*error = to_wire(local);
		return NULL;
	}
	c = g_hash_table_lookup(m->connections, name);
	if (c && !vpnd_connection_is_down(c)) {
		g_set_error(error, L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_ALREADY_RUNNING,
			    "%s is in use: disconnect it first", name);
		return NULL;
	}
	if (g_unlink(path) < 0) {
		int err = errno;

		g_set_error(error, L2TPVPN_DBUS_ERROR,
			    err == ENOENT ? L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE : L2TP_VPN_ERROR_FAILED,
			    "profile %s: %s", name, g_strerror(err));
		return NULL;
	}
	g_message("profile %s deleted", name);
	return g_variant_new("()");
}

static GVariant *list_connections(VpndManager *m, GVariant *params, GError **error)
{
	GVariantBuilder paths;
	GHashTableIter iter;
	gpointer value;

	g_variant_builder_init(&paths, G_VARIANT_TYPE("ao"));
	g_hash_table_iter_init(&iter, m->connections);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_variant_builder_add(&paths, "o", vpnd_connection_path(value));
	return g_variant_new("(ao)", &paths);
}

/* ---- connect / disconnect: they reply later ------------------------------------------------ */

static VpndConnection *connection_for(VpndManager *m, GVariant *params, gboolean create, GError **error)
{
	const char *name;
	GError *local = NULL;
	g_autofree char *path = NULL;
	VpndConnection *c;

	g_variant_get_child(params, 0, "&s", &name);
	if (!l2tpvpn_profile_name_valid(name, &local)) {
		*error = to_wire(local);
		return NULL;
	}
	c = g_hash_table_lookup(m->connections, name);
	if (c)
		return c;
	if (!create) {
		g_set_error(error, L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "%s is not connected",
			    name);
		return NULL;
	}
	/* Only a profile that exists gets an object: callers cannot fill the table with names. */
	path = l2tpvpn_profile_path_for_name(profile_dir(m), name, NULL);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, L2TPVPN_DBUS_ERROR, L2TPVPN_DBUS_ERROR_NO_SUCH_PROFILE,
			    "no profile %s in %s", name, profile_dir(m));
		return NULL;
	}
	c = vpnd_manager_ensure_connection(m, name, &local);
	if (!c)
		*error = to_wire(local);
	return c;
}

static void do_connect(VpndManager *m, GVariant *params, GDBusMethodInvocation *inv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) secrets = g_variant_get_child_value(params, 1);
	VpndConnection *c;

	if (m->shutting_down) {
		g_dbus_method_invocation_return_error_literal(inv, L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_FAILED,
							      "l2tp-vpnd is stopping");
		return;
	}
	c = connection_for(m, params, TRUE, &error);
	if (c)
		vpnd_connection_connect(c, secrets, inv);
	else
		g_dbus_method_invocation_return_gerror(inv, error);
}

static void do_disconnect(VpndManager *m, GVariant *params, GDBusMethodInvocation *inv)
{
	g_autoptr(GError) error = NULL;
	VpndConnection *c = connection_for(m, params, FALSE, &error);

	if (c)
		vpnd_connection_disconnect(c, inv);
	else
		g_dbus_method_invocation_return_gerror(inv, error);
}

/* ---- dispatch ---------------------------------------------------------------------------- */

typedef GVariant *(*SyncMethod)(VpndManager *m, GVariant *params, GError **error);
typedef void (*AsyncMethod)(VpndManager *m, GVariant *params, GDBusMethodInvocation *inv);

static const struct {
	const char *name;
	const char *action;
	SyncMethod sync;
	AsyncMethod async;
} methods[] = {
    {"ListProfiles", L2TPVPN_ACTION_CONNECT, list_profiles, NULL},
    {"GetProfile", L2TPVPN_ACTION_CONNECT, get_profile, NULL},
    {"SaveProfile", L2TPVPN_ACTION_MODIFY_PROFILES, save_profile, NULL},
    {"DeleteProfile", L2TPVPN_ACTION_MODIFY_PROFILES, delete_profile, NULL},
    /* Read-only state, open to every caller like the connections' properties and signals. */
    {"ListConnections", NULL, list_connections, NULL},
    {"Connect", L2TPVPN_ACTION_CONNECT, NULL, do_connect},
    {"Disconnect", L2TPVPN_ACTION_DISCONNECT, NULL, do_disconnect},
};

typedef struct {
	VpndManager *m;
	guint method;
	GDBusMethodInvocation *inv;
} Call;

static void on_authorized(const GError *error, gpointer data)
{
	Call *call = data;
	GDBusMethodInvocation *inv = call->inv;
	GVariant *params = g_dbus_method_invocation_get_parameters(inv);
	GError *failure = NULL;
	GVariant *reply;

	if (error) {
		g_message("%s refused for %s: %s", methods[call->method].name,
			  g_dbus_method_invocation_get_sender(inv), error->message);
		g_dbus_method_invocation_return_gerror(inv, error);
	} else if (methods[call->method].async) {
		methods[call->method].async(call->m, params, inv);
	} else if ((reply = methods[call->method].sync(call->m, params, &failure))) {
		g_dbus_method_invocation_return_value(inv, reply);
	} else {
		g_dbus_method_invocation_take_error(inv, failure);
	}
	g_free(call);
}

static void manager_method_call(GDBusConnection *bus, const char *sender, const char *path,
				const char *interface, const char *method, GVariant *params,
				GDBusMethodInvocation *inv, gpointer data)
{
	Call *call;

	/* GDBus has checked the signature against the interface info already. */
	for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
		if (strcmp(methods[i].name, method) != 0)
			continue;
		call = g_new0(Call, 1);
		*call = (Call){.m = data, .method = i, .inv = inv};
		if (methods[i].action)
			vpnd_auth_check(bus, sender, methods[i].action, on_authorized, call);
		else
			on_authorized(NULL, call);
		return;
	}
	g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD, "no method %s",
					      method);
}

static GVariant *manager_get_property(GDBusConnection *bus, const char *sender, const char *path,
				      const char *interface, const char *prop, GError **error, gpointer data)
{
	if (strcmp(prop, "Version") == 0)
		return g_variant_new_string(PACKAGE_VERSION);
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
	return NULL;
}

static const GDBusInterfaceVTable manager_vtable = {
    .method_call = manager_method_call,
    .get_property = manager_get_property,
};

/* ---- life cycle ----------------------------------------------------------------------------- */

static const char *own(VpndManager *m, const char *s)
{
	char *copy = g_strdup(s);

	if (copy)
		g_ptr_array_add(m->owned, copy);
	return copy;
}

VpndManager *vpnd_manager_new(GDBusConnection *bus, const VpndSettings *settings, GError **error)
{
	VpndManager *m = g_new0(VpndManager, 1);

	m->bus = g_object_ref(bus);
	m->settings = *settings;
	m->owned = g_ptr_array_new_with_free_func(g_free);
	m->settings.profile_dir = own(m, settings->profile_dir);
	m->settings.run_dir = own(m, settings->run_dir);
	m->settings.plugin_path = own(m, settings->plugin_path);
	m->settings.resolv_conf = own(m, settings->resolv_conf);
	m->connections =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)vpnd_connection_free);
	m->manager_node = vpnd_interface_info("org.l2tpvpn.Manager1.xml", error);
	m->connection_node =
	    m->manager_node ? vpnd_interface_info("org.l2tpvpn.Connection1.xml", error) : NULL;
	if (m->connection_node)
		m->registration = g_dbus_connection_register_object(bus, L2TPVPN_MANAGER_PATH,
								    m->manager_node->interfaces[0],
								    &manager_vtable, m, NULL, error);
	if (!m->registration) {
		vpnd_manager_free(m);
		return NULL;
	}
	return m;
}

static gboolean all_down(VpndManager *m)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, m->connections);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		if (!vpnd_connection_is_down(value))
			return FALSE;
	return TRUE;
}

void vpnd_manager_connection_idle(VpndManager *m)
{
	GSourceFunc done = m->shutdown_done;

	if (!m->shutting_down || !done || !all_down(m))
		return;
	m->shutdown_done = NULL;
	g_idle_add(done, m->shutdown_data);
}

void vpnd_manager_shutdown(VpndManager *m, GSourceFunc done, gpointer data)
{
	GHashTableIter iter;
	gpointer value;

	if (m->shutting_down)
		return;
	m->shutting_down = TRUE;
	m->shutdown_done = done;
	m->shutdown_data = data;
	g_hash_table_iter_init(&iter, m->connections);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		vpnd_connection_disconnect(value, NULL);
	vpnd_manager_connection_idle(m);
}

void vpnd_manager_free(VpndManager *m)
{
	if (!m)
		return;
	/* Connections first: they unregister from the bus the manager holds. */
	g_hash_table_unref(m->connections);
	if (m->registration)
		g_dbus_connection_unregister_object(m->bus, m->registration);
	g_clear_pointer(&m->manager_node, g_dbus_node_info_unref);
	g_clear_pointer(&m->connection_node, g_dbus_node_info_unref);
	g_clear_pointer(&m->tunnel_left_open, g_hash_table_unref);
	g_ptr_array_unref(m->owned);
	g_object_unref(m->bus);
	g_free(m);
}

/* ---- start-up recovery ---------------------------------------------------------------------- */

GHashTable *vpnd_recover_all(const VpndSettings *settings)
{
	GHashTable *left_open = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GDir) dir = g_dir_open(settings->run_dir, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autoptr(GError) error = NULL;
		L2tpVpnRecovery rec = {0};

		if (!l2tp_vpn_name_valid(name))
			continue;
		/* The state record names the charon socket it used; NULL = the default. */
		if (!l2tp_vpn_recover_full(settings->run_dir, name, NULL, &rec, &error))
			g_warning("%s: recovery after a crash failed: %s", name, error->message);
		else if (rec.cleaned)
			g_message("%s: removed what a crashed run left behind", name);
		if (rec.l2tp_tunnel_left_open)
			g_hash_table_add(left_open, g_strdup(name));
	}
	return left_open;
}

gboolean vpnd_manager_take_tunnel_left_open(VpndManager *m, const char *name)
{
	return m->tunnel_left_open && g_hash_table_remove(m->tunnel_left_open, name);
}

void vpnd_manager_set_tunnel_left_open(VpndManager *m, GHashTable *names)
{
	g_clear_pointer(&m->tunnel_left_open, g_hash_table_unref);
	m->tunnel_left_open = names;
}
