// SPDX-License-Identifier: GPL-2.0-or-later
/* Blocking calls to l2tp-vpnd; see l2tpvpn-daemon-client.h. */
#include "l2tpvpn-daemon-client.h"

#include <signal.h>
#include <string.h>
#include <arpa/inet.h>
#include <glib-unix.h>

#include "l2tpvpn-dbus-error.h"

#define BUS_NAME             "org.l2tpvpn"
#define MANAGER_PATH         "/org/l2tpvpn/Manager1"
#define MANAGER_INTERFACE    "org.l2tpvpn.Manager1"
#define CONNECTION_PREFIX    "/org/l2tpvpn/Connection1"
#define CONNECTION_INTERFACE "org.l2tpvpn.Connection1"
#define CONNECT_TIMEOUT_MS   180000
/* Disconnecting waits for every undo step; the orchestrator bounds them (IPsec up to 40 s). */
#define DISCONNECT_TIMEOUT_MS 120000
/* polkit may show an authentication dialog. */
#define CALL_TIMEOUT_MS (5 * 60 * 1000)

struct _L2tpVpnDaemonClient {
	GDBusConnection *bus;
};

char *l2tpvpn_daemon_connection_path(const char *name)
{
	g_autofree char *escaped = g_dbus_escape_object_path(name);

	return g_strdup_printf("%s/%s", CONNECTION_PREFIX, escaped);
}

L2tpVpnDaemonClient *l2tpvpn_daemon_client_new(const char *bus_address, GError **error)
{
	L2tpVpnDaemonClient *client;
	GDBusConnection *bus;
	GError *local = NULL;

	/* Registers the org.l2tpvpn.Error names before any reply can carry one. */
	(void)L2TPVPN_DBUS_ERROR;
	if (bus_address)
		bus =
		    g_dbus_connection_new_for_address_sync(bus_address,
							   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
							       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
							   NULL, NULL, &local);
	else
		bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &local);
	if (!bus) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "no message bus: %s",
			    local->message);
		g_error_free(local);
		return NULL;
	}
	client = g_new0(L2tpVpnDaemonClient, 1);
	client->bus = bus;
	return client;
}

void l2tpvpn_daemon_client_free(L2tpVpnDaemonClient *client)
{
	if (!client)
		return;
	g_object_unref(client->bus);
	g_free(client);
}

static void set_local_error(GError **error, GError *remote)
{
	g_propagate_error(error, l2tpvpn_dbus_error_to_local(remote));
	g_error_free(remote);
}

gboolean l2tpvpn_daemon_client_daemon_running(L2tpVpnDaemonClient *client)
{
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	    client->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", g_variant_new("(s)", BUS_NAME), G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE,
	    CALL_TIMEOUT_MS, NULL, NULL);
	gboolean owned = FALSE;

	if (reply)
		g_variant_get(reply, "(b)", &owned);
	return owned;
}

/*
 * A call to the manager; the reply or NULL with an L2TP_VPN_ERROR. Calls about
 * existing connections pass G_DBUS_CALL_FLAGS_NO_AUTO_START: a daemon that is
 * not running has none, and starting it just to hear so is waste.
 */
static GVariant *call_manager(L2tpVpnDaemonClient *client, const char *method, GVariant *params,
			      const char *reply_type, GDBusCallFlags flags, int timeout_ms, GError **error)
{
	GError *remote = NULL;
	GVariant *reply =
	    g_dbus_connection_call_sync(client->bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, method,
					params, G_VARIANT_TYPE(reply_type), flags, timeout_ms, NULL, &remote);

	if (!reply)
		set_local_error(error, remote);
	return reply;
}

/* ---- profiles ----------------------------------------------------------------------------- */

GStrv l2tpvpn_daemon_client_list_profiles(L2tpVpnDaemonClient *client, GError **error)
{
	g_autoptr(GVariant) reply = call_manager(client, "ListProfiles", NULL, "(as)", G_DBUS_CALL_FLAGS_NONE,
						 CALL_TIMEOUT_MS, error);
	GStrv names = NULL;

	if (reply)
		g_variant_get(reply, "(^as)", &names);
	return names;
}

char *l2tpvpn_daemon_client_get_profile(L2tpVpnDaemonClient *client, const char *name, GError **error)
{
	g_autoptr(GVariant) reply = call_manager(client, "GetProfile", g_variant_new("(s)", name), "(s)",
						 G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, error);
	char *text = NULL;

	if (reply)
		g_variant_get(reply, "(s)", &text);
	return text;
}

gboolean l2tpvpn_daemon_client_save_profile(L2tpVpnDaemonClient *client, const char *name, const char *text,
					    GError **error)
{
	g_autoptr(GVariant) reply = call_manager(client, "SaveProfile", g_variant_new("(ss)", name, text),
						 "()", G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, error);

	return reply != NULL;
}

gboolean l2tpvpn_daemon_client_delete_profile(L2tpVpnDaemonClient *client, const char *name, GError **error)
{
	g_autoptr(GVariant) reply = call_manager(client, "DeleteProfile", g_variant_new("(s)", name), "()",
						 G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, error);

	return reply != NULL;
}

/* ---- connections ---------------------------------------------------------------------------- */

gboolean l2tpvpn_daemon_client_disconnect(L2tpVpnDaemonClient *client, const char *name, GError **error)
{
	g_autoptr(GVariant) reply =
	    call_manager(client, "Disconnect", g_variant_new("(s)", name), "()",
			 G_DBUS_CALL_FLAGS_NO_AUTO_START, DISCONNECT_TIMEOUT_MS, error);

	return reply != NULL;
}

static GVariant *get_all(L2tpVpnDaemonClient *client, const char *path, GError **error)
{
	GError *remote = NULL;
	GVariant *reply = g_dbus_connection_call_sync(
	    client->bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
	    g_variant_new("(s)", CONNECTION_INTERFACE), G_VARIANT_TYPE("(a{sv})"),
	    G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, &remote);
	GVariant *props;

	if (!reply) {
		/* No object: the daemon never connected this profile. */
		if (g_error_matches(remote, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
		    g_error_matches(remote, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)) {
			g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "no connection at %s",
				    path);
			g_error_free(remote);
		} else {
			set_local_error(error, remote);
		}
		return NULL;
	}
	props = g_variant_get_child_value(reply, 0);
	g_variant_unref(reply);
	return props;
}

GVariant *l2tpvpn_daemon_client_status(L2tpVpnDaemonClient *client, const char *name, GError **error)
{
	g_autofree char *path = NULL;

	if (!l2tp_vpn_name_valid(name)) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG,
			    "\"%s\" is not a connection name", name);
		return NULL;
	}
	path = l2tpvpn_daemon_connection_path(name);
	return get_all(client, path, error);
}

static void add_string(GPtrArray *r, GVariant *props, const char *prop, const char *key)
{
	const char *value;

	if (g_variant_lookup(props, prop, "&s", &value) && value[0])
		g_ptr_array_add(r, g_strdup_printf("%s=%s", key, value));
}

/* @zero_too: 0 is a value worth showing (the bytes of a connection that is up), not "unknown". */
static void add_number(GPtrArray *r, GVariant *props, const char *prop, const char *type, const char *key,
		       gboolean zero_too)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(props, prop, G_VARIANT_TYPE(type));
	guint64 n;

	if (!v)
		return;
	n = g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)   ? g_variant_get_uint64(v)
	    : g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32(v)
							     : g_variant_get_uint16(v);
	if (n || zero_too)
		g_ptr_array_add(r, g_strdup_printf("%s=%" G_GUINT64_FORMAT, key, n));
}

/* "org.l2tpvpn.Error.Unreachable" → "unreachable" (the CLI's class names). */
static char *error_class(const char *dbus_name)
{
	for (int code = 0; code < L2TP_VPN_ERROR_N_CODES; code++)
		if (!g_strcmp0(dbus_name, l2tpvpn_dbus_error_name(code)))
			return g_strdup(l2tp_vpn_error_code_name(code));
	return g_strdup(g_str_has_prefix(dbus_name, L2TPVPN_DBUS_ERROR_PREFIX)
			    ? dbus_name + strlen(L2TPVPN_DBUS_ERROR_PREFIX)
			    : dbus_name);
}

GPtrArray *l2tpvpn_daemon_client_status_records(GVariant *props)
{
	GPtrArray *r = g_ptr_array_new_with_free_func(g_free);
	g_autofree const char **dns = NULL;
	const char *state = "", *last_error;
	guint64 uptime_s = 0;

	g_variant_lookup(props, "State", "&s", &state);
	add_string(r, props, "Name", "name");
	add_string(r, props, "State", "state");
	if (!strcmp(state, "connecting") || !strcmp(state, "disconnecting"))
		add_string(r, props, "Phase", "phase");
	add_string(r, props, "GatewayAddress", "gateway_address");
	add_string(r, props, "UnderlayAddress", "local_address");
	add_number(r, props, "UnderlayPort", "q", "local_port", FALSE);
	add_string(r, props, "Interface", "interface");
	add_string(r, props, "LocalAddress", "ppp_local");
	add_string(r, props, "PeerAddress", "ppp_peer");
	if (g_variant_lookup(props, "DnsServers", "^a&s", &dns))
		for (guint i = 0; dns[i]; i++)
			g_ptr_array_add(r, g_strdup_printf("dns=%s", dns[i]));
	add_string(r, props, "IpsecSa", "ipsec_sa");
	if (!strcmp(state, "connected")) {
		add_number(r, props, "ConnectTime", "t", "connect_ms", FALSE);
		if (g_variant_lookup(props, "Uptime", "t", &uptime_s))
			g_ptr_array_add(r, g_strdup_printf("uptime_ms=%" G_GUINT64_FORMAT, uptime_s * 1000));
		add_number(r, props, "BytesIn", "t", "rx_bytes", TRUE);
		add_number(r, props, "BytesOut", "t", "tx_bytes", TRUE);
	}
	add_number(r, props, "ReconnectCount", "u", "reconnects", FALSE);
	if (g_variant_lookup(props, "LastError", "&s", &last_error) && last_error[0]) {
		g_autofree char *cls = error_class(last_error);

		g_ptr_array_add(r, g_strdup_printf("last_error=%s", cls));
		add_string(r, props, "LastErrorMessage", "last_error_message");
	}
	return r;
}

static void copy_address(GVariant *props, const char *prop, char *out, gsize size)
{
	const char *value = "";

	g_variant_lookup(props, prop, "&s", &value);
	g_strlcpy(out, value, size);
}

static void parse_address(GVariant *props, const char *prop, struct in_addr *out)
{
	const char *value = "";

	g_variant_lookup(props, prop, "&s", &value);
	if (inet_pton(AF_INET, value, out) != 1)
		out->s_addr = 0;
}

gboolean l2tpvpn_daemon_client_info_from_status(GVariant *props, L2tpVpnInfo *info)
{
	g_autofree const char **dns = NULL;
	const char *sa = NULL;

	memset(info, 0, sizeof(*info));
	if (!g_variant_lookup(props, "State", "&s", &sa))
		return FALSE;
	copy_address(props, "GatewayAddress", info->gateway_addr, sizeof(info->gateway_addr));
	copy_address(props, "UnderlayAddress", info->local_addr, sizeof(info->local_addr));
	copy_address(props, "Interface", info->ifname, sizeof(info->ifname));
	g_variant_lookup(props, "UnderlayPort", "q", &info->local_port);
	parse_address(props, "LocalAddress", &info->ppp_local);
	parse_address(props, "PeerAddress", &info->ppp_peer);
	if (g_variant_lookup(props, "DnsServers", "^a&s", &dns))
		for (guint i = 0; dns[i] && i < G_N_ELEMENTS(info->dns); i++)
			if (inet_pton(AF_INET, dns[i], &info->dns[i]) != 1)
				info->dns[i].s_addr = 0;
	if (g_variant_lookup(props, "IpsecSa", "&s", &sa) && sa[0])
		info->ipsec_sa = (char *)sa;
	g_variant_lookup(props, "ConnectTime", "t", &info->connect_ms);
	return TRUE;
}

GStrv l2tpvpn_daemon_client_list_connections(L2tpVpnDaemonClient *client, GError **error)
{
	g_autoptr(GVariant) reply = call_manager(client, "ListConnections", NULL, "(ao)",
						 G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, error);
	g_autoptr(GPtrArray) names = NULL;
	GVariantIter *paths;
	const char *path;

	if (!reply)
		return NULL;
	names = g_ptr_array_new_with_free_func(g_free);
	g_variant_get(reply, "(ao)", &paths);
	while (g_variant_iter_next(paths, "&o", &path)) {
		g_autoptr(GVariant) props = get_all(client, path, NULL);
		const char *conn_name;

		if (props && g_variant_lookup(props, "Name", "&s", &conn_name))
			g_ptr_array_add(names, g_strdup(conn_name));
	}
	g_variant_iter_free(paths);
	g_ptr_array_add(names, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

/* ---- connect: progress while the call runs, secrets on demand ------------------------------------ */

typedef struct {
	L2tpVpnDaemonClient *client;
	const char *name;
	const char *path;
	const L2tpVpnDaemonConnectOptions *options;
	guint64 phase_started_ms[L2TP_VPN_N_PHASES + 1];
	GVariant *reply;
	GError *error;
	gboolean done;
	gboolean interrupted;
} ConnectCall;

L2tpVpnPhase l2tpvpn_daemon_phase_from_name(const char *name)
{
	for (int p = 0; p < L2TP_VPN_N_PHASES; p++)
		if (!g_strcmp0(name, l2tp_vpn_phase_name(p)))
			return (L2tpVpnPhase)p;
	return L2TP_VPN_N_PHASES;
}

static gboolean event_type(const char *kind, L2tpVpnEventType *type)
{
	static const char *const kinds[] = {
	    [L2TP_VPN_EVENT_PHASE_STARTED] = "started",       [L2TP_VPN_EVENT_PHASE_DONE] = "done",
	    [L2TP_VPN_EVENT_PROGRESS] = "progress",           [L2TP_VPN_EVENT_CONNECTED] = "connected",
	    [L2TP_VPN_EVENT_DISCONNECTING] = "disconnecting", [L2TP_VPN_EVENT_DISCONNECTED] = "disconnected",
	};

	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(kind, kinds[i])) {
			*type = (L2tpVpnEventType)i;
			return TRUE;
		}
	return FALSE;
}

static void on_progress(GDBusConnection *bus, const char *sender, const char *path, const char *interface,
			const char *signal, GVariant *params, gpointer data)
{
	ConnectCall *call = data;
	const char *phase, *kind, *text;
	L2tpVpnEvent ev = {0};
	L2tpVpnInfo info = {0};
	g_autoptr(GVariant) props = NULL;

	if (!call->options->progress || !g_variant_is_of_type(params, G_VARIANT_TYPE("(stss)")))
		return;
	g_variant_get(params, "(&st&s&s)", &phase, &ev.elapsed_ms, &kind, &text);
	if (!event_type(kind, &ev.type))
		return;
	ev.phase = l2tpvpn_daemon_phase_from_name(phase);
	ev.text = text;
	if (ev.type == L2TP_VPN_EVENT_PHASE_STARTED)
		call->phase_started_ms[ev.phase] = ev.elapsed_ms;
	ev.phase_ms = ev.elapsed_ms - MIN(ev.elapsed_ms, call->phase_started_ms[ev.phase]);
	if (ev.type == L2TP_VPN_EVENT_CONNECTED) {
		/* The signal says that it is up; the properties say how. */
		props = get_all(call->client, call->path, NULL);
		if (props && l2tpvpn_daemon_client_info_from_status(props, &info))
			ev.info = &info;
	}
	call->options->progress(&ev, call->options->progress_data);
}

static void on_connect_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	ConnectCall *call = data;

	call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &call->error);
	call->done = TRUE;
}

/*
 * SIGINT/SIGTERM/SIGHUP while connecting: ask the daemon to stop this
 * connection and keep waiting, so that Connect's reply says how it ended.
 */
static gboolean on_interrupt(gpointer data)
{
	ConnectCall *call = data;

	if (!call->interrupted)
		g_dbus_connection_call(call->client->bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE,
				       "Disconnect", g_variant_new("(s)", call->name), NULL,
				       G_DBUS_CALL_FLAGS_NO_AUTO_START, DISCONNECT_TIMEOUT_MS, NULL, NULL,
				       NULL);
	call->interrupted = TRUE;
	return G_SOURCE_CONTINUE;
}

static void watch_signals(GMainContext *ctx, ConnectCall *call, GSource **sources)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

	for (guint i = 0; i < G_N_ELEMENTS(signals); i++) {
		sources[i] = g_unix_signal_source_new(signals[i]);
		g_source_set_callback(sources[i], on_interrupt, call, NULL);
		g_source_attach(sources[i], ctx);
	}
}

static void unwatch_signals(GSource **sources)
{
	for (guint i = 0; i < 3 && sources[i]; i++) {
		g_source_destroy(sources[i]);
		g_source_unref(sources[i]);
	}
}

/* One Connect call, dispatching Progress until the reply; the raw D-Bus error on failure. */
static gboolean connect_once(L2tpVpnDaemonClient *client, const char *name, GVariant *secrets,
			     const L2tpVpnDaemonConnectOptions *options, GError **remote)
{
	g_autoptr(GMainContext) ctx = g_main_context_new();
	g_autofree char *path = l2tpvpn_daemon_connection_path(name);
	ConnectCall call = {.client = client, .name = name, .path = path, .options = options};
	GSource *signals[3] = {NULL};
	guint sub;

	g_main_context_push_thread_default(ctx);
	if (options->disconnect_on_signal)
		watch_signals(ctx, &call, signals);
	/* Subscribed before the call: the first phase's signal cannot be missed. */
	sub =
	    g_dbus_connection_signal_subscribe(client->bus, BUS_NAME, CONNECTION_INTERFACE, "Progress", path,
					       NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_progress, &call, NULL);
	g_dbus_connection_call(client->bus, BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, "Connect",
			       g_variant_new("(s@a{ss})", name, secrets), G_VARIANT_TYPE("(o)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       options->timeout_ms ? (int)options->timeout_ms : CONNECT_TIMEOUT_MS, NULL,
			       on_connect_reply, &call);
	while (!call.done)
		g_main_context_iteration(ctx, TRUE);
	g_dbus_connection_signal_unsubscribe(client->bus, sub);
	unwatch_signals(signals);
	/* Let the unsubscription's pending dispatches drain in our context. */
	while (g_main_context_iteration(ctx, FALSE))
		;
	g_main_context_pop_thread_default(ctx);
	if (call.reply) {
		g_variant_unref(call.reply);
		return TRUE;
	}
	*remote = call.error;
	return FALSE;
}

static L2tpVpnSecret *find_secret(const char *name, L2tpVpnSecretKind kind,
				  const L2tpVpnDaemonConnectOptions *o, GError **error)
{
	L2tpVpnSecretRequest request = {
	    .profile = name,
	    .kind = kind,
	    .description = l2tpvpn_secret_kind_describe(kind),
	};

	if (o->use_keyring && l2tpvpn_secret_have_libsecret()) {
		L2tpVpnSecret *stored = l2tpvpn_secret_libsecret_lookup(name, kind, NULL);

		if (stored)
			return stored;
	}
	if (!o->ask) {
		g_set_error(
		    error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG,
		    "%s: the %s is needed and nobody can be asked (store it with `l2tp-vpn secret set`)",
		    name, request.description);
		return NULL;
	}
	return o->ask(&request, o->ask_data, error);
}

/* The kinds named by @missing → a{ss} (the values are copied into the message; ours are wiped). */
static GVariant *gather_secrets(const char *name, guint missing, const L2tpVpnDaemonConnectOptions *o,
				GError **error)
{
	GVariantBuilder dict;

	g_variant_builder_init(&dict, G_VARIANT_TYPE("a{ss}"));
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++) {
		g_autoptr(L2tpVpnSecret) secret = NULL;

		if (!(missing & (1u << k)))
			continue;
		secret = find_secret(name, k, o, error);
		if (!secret) {
			g_variant_builder_clear(&dict);
			return NULL;
		}
		g_variant_builder_add(&dict, "{ss}", l2tpvpn_secret_kind_name(k), l2tpvpn_secret_get(secret));
	}
	return g_variant_builder_end(&dict);
}

gboolean l2tpvpn_daemon_client_connect(L2tpVpnDaemonClient *client, const char *name,
				       const L2tpVpnDaemonConnectOptions *options, GError **error)
{
	static const L2tpVpnDaemonConnectOptions none = {0};
	const L2tpVpnDaemonConnectOptions *o = options ? options : &none;
	GError *remote = NULL;
	GVariant *secrets;
	guint missing;

	if (connect_once(client, name, g_variant_new("a{ss}", NULL), o, &remote))
		return TRUE;
	/* The daemon names every secret it lacks at once: one round of asking, then one more try. */
	missing = l2tpvpn_dbus_error_missing_secrets(remote);
	if (!missing) {
		set_local_error(error, remote);
		return FALSE;
	}
	g_error_free(remote);
	secrets = gather_secrets(name, missing, o, error);
	if (!secrets)
		return FALSE;
	if (connect_once(client, name, secrets, o, &remote))
		return TRUE;
	set_local_error(error, remote);
	return FALSE;
}
