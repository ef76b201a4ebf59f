// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One supervised connection: org.l2tpvpn.Connection1 over a sequence of
 * orchestrator connections (the user's attempt, then reconnects chosen by
 * reconnect-policy.h). The object stays after a failure so that LastError can
 * be read; it goes with the daemon.
 */
#include <string.h>
#include <arpa/inet.h>

#include "daemon-auth.h"
#include "daemon.h"
#include "l2tpvpn-daemon-client.h"
#include "l2tpvpn-dbus-error.h"
#include "underlay-watch.h"

struct _VpndConnection {
	VpndManager *m;
	char *name;
	char *path;
	guint registration;

	L2tpVpnConnection *orch; /* the running attempt, NULL between attempts */
	GPtrArray *finished;     /* attempts that ended: freed from the main loop, never in their callback */
	guint free_idle;
	guint retry_timer;
	gboolean stopping;           /* the user (or SIGTERM) asked for down: no reconnect */
	VpndUnderlayWatch *underlay; /* while connected */
	gboolean tunnel_left_open;   /* the last attempt's L2TP tunnel may still be open at the LNS */
	char *underlay_lost;         /* why we took it down ourselves: the path to the gateway changed */

	L2tpVpnSecret *secrets[L2TPVPN_SECRET_N_KINDS]; /* the caller's, kept for reconnects */
	L2tpVpnReconnect policy;

	const char *state;
	char *phase;
	char *error_name, *error_message;
	char ifname[IF_NAMESIZE];
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN];
	char underlay_addr[INET_ADDRSTRLEN];
	guint16 underlay_port;
	char dns[2][INET_ADDRSTRLEN];
	char *ipsec_sa;
	guint64 connect_ms;

	GPtrArray *connect_waiters;    /* GDBusMethodInvocation: reply when up or failed */
	GPtrArray *disconnect_waiters; /* reply when down */
};

static gint64 now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

const char *vpnd_connection_path(VpndConnection *c)
{
	return c->path;
}

gboolean vpnd_connection_is_down(VpndConnection *c)
{
	return !c->orch && !c->retry_timer;
}

/* ---- properties --------------------------------------------------------------------- */

static guint64 stat_bytes(VpndConnection *c, gboolean in)
{
	L2tpVpnStats stats;

	if (!c->orch || l2tp_vpn_connection_get_state(c->orch) != L2TP_VPN_STATE_CONNECTED ||
	    !l2tp_vpn_connection_get_stats(c->orch, &stats, NULL))
		return 0;
	return in ? stats.rx_bytes : stats.tx_bytes;
}

static GVariant *dns_servers(VpndConnection *c)
{
	GVariantBuilder list;

	g_variant_builder_init(&list, G_VARIANT_TYPE("as"));
	for (guint i = 0; i < G_N_ELEMENTS(c->dns); i++)
		if (c->dns[i][0])
			g_variant_builder_add(&list, "s", c->dns[i]);
	return g_variant_builder_end(&list);
}

static GVariant *get_property(VpndConnection *c, const char *prop)
{
	if (strcmp(prop, "Name") == 0)
		return g_variant_new_string(c->name);
	if (strcmp(prop, "State") == 0)
		return g_variant_new_string(c->state);
	if (strcmp(prop, "Phase") == 0)
		return g_variant_new_string(c->phase ? c->phase : "");
	if (strcmp(prop, "LastError") == 0)
		return g_variant_new_string(c->error_name ? c->error_name : "");
	if (strcmp(prop, "LastErrorMessage") == 0)
		return g_variant_new_string(c->error_message ? c->error_message : "");
	if (strcmp(prop, "Uptime") == 0)
		return g_variant_new_uint64(l2tpvpn_reconnect_uptime_ms(&c->policy, now_ms()) / 1000);
	if (strcmp(prop, "ReconnectCount") == 0)
		return g_variant_new_uint32(c->policy.reconnect_count);
	if (strcmp(prop, "BytesIn") == 0)
		return g_variant_new_uint64(stat_bytes(c, TRUE));
	if (strcmp(prop, "BytesOut") == 0)
		return g_variant_new_uint64(stat_bytes(c, FALSE));
	if (strcmp(prop, "Interface") == 0)
		return g_variant_new_string(c->ifname);
	if (strcmp(prop, "LocalAddress") == 0)
		return g_variant_new_string(c->local);
	if (strcmp(prop, "PeerAddress") == 0)
		return g_variant_new_string(c->peer);
	if (strcmp(prop, "GatewayAddress") == 0)
		return g_variant_new_string(c->gateway);
	if (strcmp(prop, "UnderlayAddress") == 0)
		return g_variant_new_string(c->underlay_addr);
	if (strcmp(prop, "UnderlayPort") == 0)
		return g_variant_new_uint16(c->underlay_port);
	if (strcmp(prop, "DnsServers") == 0)
		return dns_servers(c);
	if (strcmp(prop, "IpsecSa") == 0)
		return g_variant_new_string(c->ipsec_sa ? c->ipsec_sa : "");
	if (strcmp(prop, "ConnectTime") == 0)
		return g_variant_new_uint64(c->connect_ms);
	return NULL;
}

/* PropertiesChanged for the NULL-terminated property names. */
static void notify(VpndConnection *c, ...)
{
	GVariantBuilder changed;
	const char *prop;
	va_list ap;

	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	va_start(ap, c);
	while ((prop = va_arg(ap, const char *)))
		g_variant_builder_add(&changed, "{sv}", prop, get_property(c, prop));
	va_end(ap);
	g_dbus_connection_emit_signal(
	    vpnd_manager_bus(c->m), NULL, c->path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
	    g_variant_new("(sa{sv}as)", L2TPVPN_CONNECTION_INTERFACE, &changed, NULL), NULL);
}

static void set_state(VpndConnection *c, const char *state)
{
	if (strcmp(c->state, state) == 0)
		return;
	c->state = state;
	notify(c, "State", NULL);
	g_dbus_connection_emit_signal(vpnd_manager_bus(c->m), NULL, c->path, L2TPVPN_CONNECTION_INTERFACE,
				      "StateChanged",
				      g_variant_new("(sss)", state, c->error_name ? c->error_name : "",
						    c->error_message ? c->error_message : ""),
				      NULL);
}

static void set_phase(VpndConnection *c, const char *phase)
{
	if (g_strcmp0(c->phase, phase) == 0)
		return;
	g_free(c->phase);
	c->phase = g_strdup(phase);
	notify(c, "Phase", NULL);
}

/* @error is what goes on the wire (L2TPVPN_DBUS_ERROR). */
static void set_last_error(VpndConnection *c, const GError *error)
{
	g_free(c->error_name);
	g_free(c->error_message);
	c->error_name = g_strdup(l2tpvpn_dbus_error_name(error->code));
	c->error_message = g_strdup(error->message);
	notify(c, "LastError", "LastErrorMessage", NULL);
}

static void wipe_secrets(VpndConnection *c)
{
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++)
		g_clear_pointer(&c->secrets[k], l2tpvpn_secret_free);
}

/* ---- replies ------------------------------------------------------------------------- */

static void reply_all(GPtrArray *waiters, const char *path, const GError *error)
{
	for (guint i = 0; i < waiters->len; i++) {
		GDBusMethodInvocation *inv = waiters->pdata[i];

		if (error)
			g_dbus_method_invocation_return_gerror(inv, error);
		else if (path)
			g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", path));
		else
			g_dbus_method_invocation_return_value(inv, NULL);
	}
	/* return_* took the references. */
	g_ptr_array_set_size(waiters, 0);
}

/* ---- orchestrator events -------------------------------------------------------------- */

static void progress(VpndConnection *c, const L2tpVpnEvent *ev, const char *kind, const char *phase)
{
	g_dbus_connection_emit_signal(
	    vpnd_manager_bus(c->m), NULL, c->path, L2TPVPN_CONNECTION_INTERFACE, "Progress",
	    g_variant_new("(stss)", phase, (guint64)ev->elapsed_ms, kind, ev->text ? ev->text : ""), NULL);
}

static void take_info(VpndConnection *c, const L2tpVpnInfo *info)
{
	g_strlcpy(c->ifname, info->ifname, sizeof(c->ifname));
	c->local[0] = c->peer[0] = '\0';
	/* Unknown addresses stay "", never "0.0.0.0". */
	if (info->ppp_local.s_addr)
		inet_ntop(AF_INET, &info->ppp_local, c->local, sizeof(c->local));
	if (info->ppp_peer.s_addr)
		inet_ntop(AF_INET, &info->ppp_peer, c->peer, sizeof(c->peer));
	g_strlcpy(c->gateway, info->gateway_addr, sizeof(c->gateway));
	g_strlcpy(c->underlay_addr, info->local_addr, sizeof(c->underlay_addr));
	c->underlay_port = info->local_port;
	for (guint i = 0; i < G_N_ELEMENTS(c->dns); i++) {
		c->dns[i][0] = '\0';
		if (info->dns[i].s_addr)
			inet_ntop(AF_INET, &info->dns[i], c->dns[i], sizeof(c->dns[i]));
	}
	g_free(c->ipsec_sa);
	c->ipsec_sa = g_strdup(info->ipsec_sa);
	c->connect_ms = info->connect_ms;
	/* Not Uptime: it is never signalled (it would wake every client each second). */
	notify(c, "Interface", "LocalAddress", "PeerAddress", "GatewayAddress", "UnderlayAddress",
	       "UnderlayPort", "DnsServers", "IpsecSa", "ConnectTime", NULL);
}

static void clear_info(VpndConnection *c)
{
	c->ifname[0] = c->local[0] = c->peer[0] = c->dns[0][0] = c->dns[1][0] = '\0';
	notify(c, "Interface", "LocalAddress", "PeerAddress", "DnsServers", NULL);
}

/* The path to the gateway changed under a connection that is up: down now, reconnect in on_disconnected. */
static void on_underlay_changed(const char *why, gpointer data)
{
	VpndConnection *c = data;

	if (!c->orch || c->stopping)
		return;
	g_message("%s: %s: reconnecting", c->name, why);
	g_free(c->underlay_lost);
	c->underlay_lost = g_strdup(why);
	l2tp_vpn_connection_disconnect(c->orch);
}

static void watch_underlay(VpndConnection *c, const L2tpVpnInfo *info)
{
	g_autoptr(GError) error = NULL;

	c->underlay =
	    vpnd_underlay_watch_new(info->gateway_addr, info->local_addr, on_underlay_changed, c, &error);
	if (!c->underlay)
		g_warning(
		    "%s: cannot watch the route to the gateway (%s): only keep-alives will notice a change",
		    c->name, error->message);
}

static void on_connected(VpndConnection *c, const L2tpVpnEvent *ev)
{
	l2tpvpn_reconnect_connected(&c->policy, now_ms());
	watch_underlay(c, ev->info);
	take_info(c, ev->info);
	set_phase(c, "connected");
	set_state(c, "connected");
	g_message("%s: connected (%s, local %s, peer %s) in %" G_GUINT64_FORMAT " ms", c->name, c->ifname,
		  c->local, c->peer, c->connect_ms);
	reply_all(c->connect_waiters, c->path, NULL);
}

static gboolean free_finished(gpointer data)
{
	VpndConnection *c = data;

	c->free_idle = 0;
	g_ptr_array_set_size(c->finished, 0);
	return G_SOURCE_REMOVE;
}

static void retry_or_stop(VpndConnection *c, int error_code);

static void on_disconnected(VpndConnection *c, const L2tpVpnEvent *ev)
{
	g_autoptr(GError) wire = ev->error ? l2tpvpn_dbus_error_from_local(ev->error) : NULL;
	int code = ev->error ? ev->error->code : -1;

	g_clear_pointer(&c->underlay, vpnd_underlay_watch_free);
	/* We asked for this teardown ourselves because the underlay changed: it is a lost connection. */
	if (c->underlay_lost && !wire) {
		wire =
		    g_error_new(L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_CONNECTION_LOST, "%s", c->underlay_lost);
		code = L2TP_VPN_ERROR_CONNECTION_LOST;
	}
	g_clear_pointer(&c->underlay_lost, g_free);
	c->tunnel_left_open = l2tp_vpn_connection_l2tp_left_open(c->orch);
	g_ptr_array_add(c->finished, g_steal_pointer(&c->orch));
	if (!c->free_idle)
		c->free_idle = g_idle_add(free_finished, c);
	if (wire) {
		g_message("%s: %s: %s", c->name, l2tpvpn_dbus_error_name(wire->code), wire->message);
		set_last_error(c, wire);
	} else {
		g_message("%s: disconnected", c->name);
	}
	clear_info(c);
	set_phase(c, "");
	if (!wire)
		g_set_error_literal(&wire, L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_NOT_RUNNING,
				    "disconnected before the connection was up");
	reply_all(c->connect_waiters, NULL, wire);
	retry_or_stop(c, c->stopping ? -1 : code);
}

static void on_event(L2tpVpnConnection *orch, const L2tpVpnEvent *ev, gpointer data)
{
	VpndConnection *c = data;
	const char *phase = l2tp_vpn_phase_name(ev->phase);

	switch (ev->type) {
	case L2TP_VPN_EVENT_PHASE_STARTED:
		set_phase(c, phase);
		progress(c, ev, "started", phase);
		break;
	case L2TP_VPN_EVENT_PHASE_DONE:
		progress(c, ev, "done", phase);
		break;
	case L2TP_VPN_EVENT_PROGRESS:
		progress(c, ev, "progress", phase);
		break;
	case L2TP_VPN_EVENT_CONNECTED:
		progress(c, ev, "connected", "connected");
		on_connected(c, ev);
		break;
	case L2TP_VPN_EVENT_DISCONNECTING:
		g_clear_pointer(&c->underlay, vpnd_underlay_watch_free);
		progress(c, ev, "disconnecting", phase);
		set_state(c, "disconnecting");
		break;
	case L2TP_VPN_EVENT_DISCONNECTED:
		progress(c, ev, "disconnected", "");
		on_disconnected(c, ev);
		break;
	}
}

/* ---- attempts ------------------------------------------------------------------------------ */

/* Leftovers of a crashed run of this connection go first, as `up` does. */
static gboolean prepare_run_dir(VpndConnection *c, L2tpVpnConfig *cfg, GError **error)
{
	g_autofree char *state_dir = l2tp_vpn_state_dir(cfg->run_dir, cfg->name);
	L2tpVpnRecovery rec = {0};
	gboolean left_open;

	if (!l2tp_vpn_recover_full(cfg->run_dir, cfg->name, cfg->ipsec.vici_uri, &rec, error))
		return FALSE;
	if (rec.cleaned)
		g_message("%s: removed what a previous run left behind", cfg->name);
	/* The LNS may still hold a dead tunnel on our address:1701 (after a crash, or a lost
	 * connection whose end it never confirmed): do not walk into it. */
	left_open = rec.l2tp_tunnel_left_open || vpnd_manager_take_tunnel_left_open(c->m, cfg->name) ||
		    c->tunnel_left_open;
	c->tunnel_left_open = FALSE;
	if (left_open && cfg->port_policy == L2TP_PORT_POLICY_1701_OR_EPHEMERAL) {
		cfg->port_policy = L2TP_PORT_POLICY_EPHEMERAL;
		g_message(
		    "%s: the gateway may still hold a dead L2TP tunnel on port 1701: using an ephemeral port",
		    cfg->name);
	}
	return l2tp_vpn_state_dir_create(state_dir, error);
}

static L2tpVpnConfig *load_config(VpndConnection *c, GError **error)
{
	const VpndSettings *s = vpnd_manager_settings(c->m);
	L2tpVpnProfile *profile = l2tpvpn_profile_open(c->name, s->profile_dir, error);
	L2tpVpnConfig *cfg;

	if (!profile)
		return NULL;
	if (!vpnd_resolve_secrets(profile, c->secrets, error)) {
		l2tpvpn_profile_free(profile); /* it may hold placeholders for the missing secrets */
		return NULL;
	}
	cfg = l2tp_vpn_config_from_profile(profile, s->plugin_path, error);
	if (!cfg)
		return NULL;
	cfg->run_dir = s->run_dir;
	if (s->resolv_conf)
		cfg->resolv_conf = s->resolv_conf;
	return cfg;
}

/* FALSE with the error to send (L2TPVPN_DBUS_ERROR) when the attempt could not even start. */
static gboolean start_attempt(VpndConnection *c, GError **error)
{
	g_autoptr(GError) local = NULL;
	L2tpVpnConfig *cfg = load_config(c, &local);

	if (!cfg || !prepare_run_dir(c, cfg, &local)) {
		l2tp_vpn_config_free(cfg);
		*error = l2tpvpn_dbus_error_from_local(local);
		return FALSE;
	}
	c->stopping = FALSE;
	if (vpnd_manager_settings(c->m)->connection_new)
		c->orch = vpnd_manager_settings(c->m)->connection_new(cfg, on_event, c);
	else
		c->orch = l2tp_vpn_connection_new(cfg, on_event, c);
	set_state(c, "connecting");
	l2tp_vpn_connection_start(c->orch);
	return TRUE;
}

static gboolean on_retry(gpointer data)
{
	VpndConnection *c = data;
	g_autoptr(GError) error = NULL;

	c->retry_timer = 0;
	g_message("%s: reconnecting (attempt %u)", c->name, c->policy.attempt);
	if (start_attempt(c, &error))
		return G_SOURCE_REMOVE;
	g_message("%s: reconnect failed: %s", c->name, error->message);
	set_last_error(c, error);
	/* Profile or secret trouble is not something a retry fixes. */
	retry_or_stop(c, error->code < L2TP_VPN_ERROR_N_CODES ? error->code : L2TP_VPN_ERROR_INVALID_CONFIG);
	return G_SOURCE_REMOVE;
}

static void retry_or_stop(VpndConnection *c, int error_code)
{
	guint delay_ms = 0;

	/* Asked to go down (-1): the policy stops supervising. */
	if (c->stopping)
		error_code = -1;
	if (l2tpvpn_reconnect_down(&c->policy, error_code, now_ms(), &delay_ms) == L2TPVPN_RECONNECT_RETRY) {
		g_message("%s: reconnect %u in %u ms", c->name, c->policy.reconnect_count, delay_ms);
		c->retry_timer = g_timeout_add(delay_ms, on_retry, c);
		notify(c, "ReconnectCount", NULL);
		set_state(c, "reconnecting");
		return;
	}
	wipe_secrets(c);
	set_state(c, "disconnected");
	reply_all(c->disconnect_waiters, NULL, NULL);
	vpnd_manager_connection_idle(c->m);
}

void vpnd_connection_connect(VpndConnection *c, GVariant *secrets, GDBusMethodInvocation *inv)
{
	L2tpVpnSecret *given[L2TPVPN_SECRET_N_KINDS];
	g_autoptr(GError) error = NULL;

	if (c->orch && l2tp_vpn_connection_get_state(c->orch) == L2TP_VPN_STATE_CONNECTED) {
		g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", c->path));
		return;
	}
	if (c->orch && l2tp_vpn_connection_get_state(c->orch) == L2TP_VPN_STATE_CONNECTING) {
		g_ptr_array_add(c->connect_waiters, inv);
		return;
	}
	if (c->orch) {
		g_dbus_method_invocation_return_error(inv, L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_ALREADY_RUNNING,
						      "%s is disconnecting; connect again once it is down",
						      c->name);
		return;
	}
	if (!vpnd_parse_secrets(secrets, given, &error)) {
		g_dbus_method_invocation_return_gerror(inv, error);
		return;
	}
	if (c->retry_timer)
		g_clear_handle_id(&c->retry_timer, g_source_remove);
	wipe_secrets(c);
	memcpy(c->secrets, given, sizeof(given));
	l2tpvpn_reconnect_user_connect(&c->policy);
	g_message("%s: connect requested by %s", c->name, g_dbus_method_invocation_get_sender(inv));
	/* Waiting before the start: an orchestrator may report its outcome from inside start. */
	g_ptr_array_add(c->connect_waiters, inv);
	if (start_attempt(c, &error))
		return;
	g_ptr_array_remove(c->connect_waiters, inv);
	if (error->code != L2TPVPN_DBUS_ERROR_SECRETS_REQUIRED)
		set_last_error(c, error);
	wipe_secrets(c);
	set_state(c, "disconnected");
	g_dbus_method_invocation_return_gerror(inv, error);
	vpnd_manager_connection_idle(c->m);
}

void vpnd_connection_disconnect(VpndConnection *c, GDBusMethodInvocation *inv)
{
	if (c->retry_timer) {
		g_clear_handle_id(&c->retry_timer, g_source_remove);
		c->stopping = TRUE;
		if (inv)
			g_ptr_array_add(c->disconnect_waiters, inv);
		retry_or_stop(c, -1);
		return;
	}
	if (!c->orch) {
		if (inv)
			g_dbus_method_invocation_return_error(inv, L2TPVPN_DBUS_ERROR,
							      L2TP_VPN_ERROR_NOT_RUNNING,
							      "%s is not connected", c->name);
		return;
	}
	c->stopping = TRUE;
	if (inv)
		g_ptr_array_add(c->disconnect_waiters, inv);
	g_message("%s: disconnect requested%s%s", c->name, inv ? " by " : "",
		  inv ? g_dbus_method_invocation_get_sender(inv) : "");
	l2tp_vpn_connection_disconnect(c->orch);
}

/* ---- the D-Bus object -------------------------------------------------------------------- */

static void on_disconnect_authorized(const GError *error, gpointer data)
{
	GDBusMethodInvocation *inv = data;
	VpndConnection *c = g_object_get_data(G_OBJECT(inv), "vpnd-connection");

	if (error)
		g_dbus_method_invocation_return_gerror(inv, error);
	else
		vpnd_connection_disconnect(c, inv);
}

static void method_call(GDBusConnection *bus, const char *sender, const char *path, const char *interface,
			const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
	/* The only method, Disconnect (GDBus refuses methods that are not in the interface info). */
	g_object_set_data(G_OBJECT(inv), "vpnd-connection", data);
	vpnd_auth_check(bus, sender, L2TPVPN_ACTION_DISCONNECT, on_disconnect_authorized, inv);
}

static GVariant *property_get(GDBusConnection *bus, const char *sender, const char *path,
			      const char *interface, const char *prop, GError **error, gpointer data)
{
	GVariant *value = get_property(data, prop);

	if (!value)
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
	return value;
}

static const GDBusInterfaceVTable vtable = {
    .method_call = method_call,
    .get_property = property_get,
};

VpndConnection *vpnd_connection_new(VpndManager *m, const char *name, GError **error)
{
	VpndConnection *c = g_new0(VpndConnection, 1);

	c->m = m;
	c->name = g_strdup(name);
	c->path = l2tpvpn_daemon_connection_path(name);
	c->state = "idle";
	c->finished = g_ptr_array_new_with_free_func((GDestroyNotify)l2tp_vpn_connection_free);
	c->connect_waiters = g_ptr_array_new();
	c->disconnect_waiters = g_ptr_array_new();
	l2tpvpn_reconnect_init(&c->policy, &vpnd_manager_settings(m)->reconnect);
	c->registration = g_dbus_connection_register_object(
	    vpnd_manager_bus(m), c->path, vpnd_manager_connection_info(m), &vtable, c, NULL, error);
	if (!c->registration) {
		vpnd_connection_free(c);
		return NULL;
	}
	return c;
}

void vpnd_connection_free(VpndConnection *c)
{
	g_autoptr(GError) gone = NULL;

	if (!c)
		return;
	if (c->registration)
		g_dbus_connection_unregister_object(vpnd_manager_bus(c->m), c->registration);
	g_clear_handle_id(&c->retry_timer, g_source_remove);
	g_clear_handle_id(&c->free_idle, g_source_remove);
	gone = g_error_new_literal(L2TPVPN_DBUS_ERROR, L2TP_VPN_ERROR_FAILED, "l2tp-vpnd is stopping");
	reply_all(c->connect_waiters, NULL, gone);
	reply_all(c->disconnect_waiters, NULL, NULL);
	g_ptr_array_unref(c->connect_waiters);
	g_ptr_array_unref(c->disconnect_waiters);
	/* A connection still running here is left to l2tp_vpn_recover() through its run record. */
	if (c->orch)
		g_ptr_array_add(c->finished, c->orch);
	g_ptr_array_unref(c->finished);
	wipe_secrets(c);
	vpnd_underlay_watch_free(c->underlay);
	g_free(c->underlay_lost);
	g_free(c->ipsec_sa);
	g_free(c->phase);
	g_free(c->error_name);
	g_free(c->error_message);
	g_free(c->path);
	g_free(c->name);
	g_free(c);
}
