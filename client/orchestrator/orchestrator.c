// SPDX-License-Identifier: GPL-2.0-or-later
/* The connection state machine: phases forward, undo in reverse; see orchestrator.h. */
#include "orchestrator-private.h"
#include "profile.h"

#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(l2tp - vpn - error - quark, l2tp_vpn_error)

/* ---- names and error classes --------------------------------------------- */

static const char *const phase_names[L2TP_VPN_N_PHASES] = {
    "resolve",      "socket",         "ipsec", "l2tp-tunnel", "kernel-tunnel",
    "l2tp-session", "kernel-session", "ppp",   "ip-up",       "routes",
};

/*
 * Generous enough for a slow gateway, short enough that a failure is named within 30 s. The L2TP
 * phases get 25 s, so that RFC 2661's retransmissions (at 1, 3, 7, 15 and 23 s) run their course on a
 * lossy link: an IKEv1 responder installs its SAs only when our last quick-mode message arrives, and
 * if that is lost it waits for its own retransmission (4 s, then 11 s, 24 s after) before our SCCRQ
 * gets through; a lost SCCCN holds up the ICRQ behind it (xl2tpd drops messages out of order).
 */
static const guint default_timeout_ms[L2TP_VPN_N_PHASES] = {
    10000, 2000, 25000, 25000, 2000, 25000, 10000, 20000, 15000, 5000,
};

/* Undoing IPsec is three vici commands that must not be cut short (charon would keep our SA); pppd gets
 * its SIGTERM grace; the LNS normally acknowledges StopCCN within a round trip. */
static const guint default_undo_ms[L2TP_VPN_N_PHASES] = {
    4000, 4000, 40000, 3000, 4000, 4000, 4000, 8000, 4000, 8000,
};

const char *l2tp_vpn_phase_name(L2tpVpnPhase phase)
{
	return phase < L2TP_VPN_N_PHASES ? phase_names[phase] : "connected";
}

const char *l2tp_vpn_state_name(L2tpVpnState state)
{
	static const char *const names[] = {"idle", "connecting", "connected", "disconnecting",
					    "disconnected"};

	return state <= L2TP_VPN_STATE_DISCONNECTED ? names[state] : "unknown";
}

static const struct {
	const char *name;
	int exit_code;
} error_classes[L2TP_VPN_ERROR_N_CODES] = {
    [L2TP_VPN_ERROR_FAILED] = {"failed", 1},
    [L2TP_VPN_ERROR_INVALID_CONFIG] = {"invalid-config", 3},
    [L2TP_VPN_ERROR_PERMISSION] = {"permission", 4},
    [L2TP_VPN_ERROR_ALREADY_RUNNING] = {"already-running", 5},
    [L2TP_VPN_ERROR_NOT_RUNNING] = {"not-running", 6},
    [L2TP_VPN_ERROR_SYSTEM] = {"system", 7},
    [L2TP_VPN_ERROR_RESOLVE] = {"resolve", 8},
    [L2TP_VPN_ERROR_UNREACHABLE] = {"unreachable", 9},
    [L2TP_VPN_ERROR_IPSEC_AUTH] = {"ipsec-auth", 10},
    [L2TP_VPN_ERROR_IPSEC_PROPOSAL] = {"ipsec-proposal", 11},
    [L2TP_VPN_ERROR_IPSEC] = {"ipsec", 12},
    [L2TP_VPN_ERROR_L2TP] = {"l2tp", 13},
    [L2TP_VPN_ERROR_PPP_AUTH] = {"ppp-auth", 14},
    [L2TP_VPN_ERROR_PPP] = {"ppp", 15},
    [L2TP_VPN_ERROR_NETWORK] = {"network", 16},
    [L2TP_VPN_ERROR_TIMEOUT] = {"timeout", 17},
    [L2TP_VPN_ERROR_CONNECTION_LOST] = {"connection-lost", 18},
};

const char *l2tp_vpn_error_code_name(int code)
{
	return code >= 0 && code < L2TP_VPN_ERROR_N_CODES ? error_classes[code].name : "failed";
}

int l2tp_vpn_error_exit_code(const GError *error)
{
	if (!error)
		return 0;
	if (error->domain != L2TP_VPN_ERROR || error->code < 0 || error->code >= L2TP_VPN_ERROR_N_CODES)
		return 1;
	return error_classes[error->code].exit_code;
}

static L2tpVpnError classify_ipsec(int code)
{
	switch (code) {
	case IPSEC_ERROR_INVALID_SETTINGS:
	case IPSEC_ERROR_CREDENTIALS:
		return L2TP_VPN_ERROR_INVALID_CONFIG;
	case IPSEC_ERROR_PERMISSION_DENIED:
		return L2TP_VPN_ERROR_PERMISSION;
	case IPSEC_ERROR_CHARON_NOT_RUNNING:
	case IPSEC_ERROR_CHARON_START_FAILED:
	case IPSEC_ERROR_IKEV1_UNSUPPORTED:
	case IPSEC_ERROR_KERNEL_NO_ESP:
		return L2TP_VPN_ERROR_SYSTEM;
	case IPSEC_ERROR_PEER_UNREACHABLE:
	case IPSEC_ERROR_NAT_T_BLOCKED:
		return L2TP_VPN_ERROR_UNREACHABLE;
	case IPSEC_ERROR_NO_PROPOSAL_CHOSEN:
	case IPSEC_ERROR_TRANSPORT_REFUSED:
		return L2TP_VPN_ERROR_IPSEC_PROPOSAL;
	case IPSEC_ERROR_AUTH_FAILED_PSK:
	case IPSEC_ERROR_AUTH_FAILED_CERT:
		return L2TP_VPN_ERROR_IPSEC_AUTH;
	case IPSEC_ERROR_CANCELLED_BY_PEER:
		return L2TP_VPN_ERROR_CONNECTION_LOST;
	default:
		return L2TP_VPN_ERROR_IPSEC;
	}
}

static L2tpVpnError classify_ppp(int code)
{
	switch (code) {
	case L2TP_PPP_ERROR_AUTH_FAILED:
		return L2TP_VPN_ERROR_PPP_AUTH;
	case L2TP_PPP_ERROR_INVALID_OPTION:
	case L2TP_PPP_ERROR_NO_AUTH_METHOD:
	case L2TP_PPP_ERROR_MPPE_WITH_IPSEC:
	case L2TP_PPP_ERROR_MPPE_NEEDS_MSCHAP:
		return L2TP_VPN_ERROR_INVALID_CONFIG;
	case L2TP_PPP_ERROR_NOT_ROOT:
		return L2TP_VPN_ERROR_PERMISSION;
	case L2TP_PPP_ERROR_SPAWN:
	case L2TP_PPP_ERROR_PLUGIN_MISMATCH:
	case L2TP_PPP_ERROR_NO_KERNEL_SUPPORT:
	case L2TP_PPP_ERROR_OPTION:
		return L2TP_VPN_ERROR_SYSTEM;
	case L2TP_PPP_ERROR_PEER_DEAD:
	case L2TP_PPP_ERROR_HANGUP:
		return L2TP_VPN_ERROR_CONNECTION_LOST;
	default:
		return L2TP_VPN_ERROR_PPP;
	}
}

static L2tpVpnError classify_code(const GError *e)
{
	if (e->domain == L2TP_VPN_ERROR)
		return (L2tpVpnError)e->code;
	if (e->domain == IPSEC_ERROR)
		return classify_ipsec(e->code);
	if (e->domain == L2TP_PPP_ERROR)
		return classify_ppp(e->code);
	if (e->domain == L2TP_KERNEL_ERROR)
		return e->code == L2TP_KERNEL_ERROR_PERMISSION      ? L2TP_VPN_ERROR_PERMISSION
		       : e->code <= L2TP_KERNEL_ERROR_PPPOX_MISSING ? L2TP_VPN_ERROR_SYSTEM
								    : L2TP_VPN_ERROR_FAILED;
	if (e->domain == L2TP_UDP_ERROR)
		return e->code == L2TP_UDP_ERROR_SOCKET ? L2TP_VPN_ERROR_SYSTEM
							: L2TP_VPN_ERROR_INVALID_CONFIG;
	if (e->domain == L2TP_NET_ERROR)
		return e->code == L2TP_NET_ERROR_INVALID ? L2TP_VPN_ERROR_INVALID_CONFIG
							 : L2TP_VPN_ERROR_NETWORK;
	if (e->domain == L2TPVPN_PROFILE_ERROR)
		return L2TP_VPN_ERROR_INVALID_CONFIG;
	if (e->domain == G_RESOLVER_ERROR)
		return L2TP_VPN_ERROR_RESOLVE;
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		return L2TP_VPN_ERROR_PERMISSION;
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
		return L2TP_VPN_ERROR_TIMEOUT;
	return L2TP_VPN_ERROR_FAILED;
}

GError *l2tp_vpn_error_classify(const GError *layer_error)
{
	return g_error_new_literal(L2TP_VPN_ERROR, classify_code(layer_error), layer_error->message);
}

/* ---- configuration ---------------------------------------------------------- */

static void wipe_free(gpointer p)
{
	char *s = p;

	explicit_bzero(s, strlen(s));
	g_free(s);
}

L2tpVpnConfig *l2tp_vpn_config_new(void)
{
	L2tpVpnConfig *cfg = g_new0(L2tpVpnConfig, 1);

	cfg->owned = g_ptr_array_new_with_free_func(wipe_free);
	cfg->port_policy = L2TP_PORT_POLICY_1701_OR_EPHEMERAL;
	cfg->ipsec_enabled = TRUE;
	ipsec_settings_init(&cfg->ipsec);
	/* charon's own verdict (e.g. "wrong PSK") must come before our phase timeout. */
	cfg->ipsec.initiate_timeout_ms = 15000;
	l2tp_lac_config_defaults(&cfg->l2tp);
	cfg->l2tp.host_name = l2tp_vpn_config_own(cfg, g_get_host_name());
	cfg->l2tp.vendor_name = "l2tp-vpn";
	l2tp_ppp_options_init(&cfg->ppp);
	cfg->route_mode = L2TP_NET_FULL_TUNNEL;
	cfg->routes = g_array_new(FALSE, TRUE, sizeof(L2tpNetPrefix));
	cfg->dns_backend = L2TP_NET_DNS_AUTO;
	cfg->run_dir = L2TP_VPN_RUN_DIR;
	return cfg;
}

void l2tp_vpn_config_free(L2tpVpnConfig *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->name);
	g_free(cfg->gateway);
	g_array_unref(cfg->routes);
	g_ptr_array_unref(cfg->owned);
	if (cfg->source && cfg->source_free)
		cfg->source_free(cfg->source);
	g_free(cfg);
}

const char *l2tp_vpn_config_own(L2tpVpnConfig *cfg, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	copy = g_strdup(s);
	g_ptr_array_add(cfg->owned, copy);
	return copy;
}

const char *l2tp_vpn_config_own_secret(L2tpVpnConfig *cfg, const char *s)
{
	/* Every owned string is wiped on free; secrets need nothing more. */
	return l2tp_vpn_config_own(cfg, s);
}

gboolean l2tp_vpn_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	/* The profile's rule: it names a directory under /run/l2tp-vpn and can never leave it. */
	if (len == 0 || len > 64 || name[0] == '.')
		return FALSE;
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return TRUE;
}

gboolean l2tp_vpn_config_validate(const L2tpVpnConfig *cfg, GError **error)
{
	const char *why = NULL;

	if (!l2tp_vpn_name_valid(cfg->name))
		why = "the connection name must be 1-64 characters of A-Z a-z 0-9 - _ . (no leading dot)";
	else if (!cfg->gateway || !cfg->gateway[0])
		why = "no gateway";
	else if (!cfg->ppp_user || !cfg->ppp_user[0])
		why = "no PPP user name";
	else if (!cfg->ppp_password)
		why = "no PPP password";
	else if (cfg->ipsec_enabled && cfg->ipsec.auth == IPSEC_AUTH_PSK &&
		 (!cfg->ipsec.psk || !cfg->ipsec.psk[0]))
		why = "no IPsec pre-shared key";
	else if (!cfg->ppp.plugin_path)
		why = "no pppd plugin path";
	else if (!cfg->run_dir || cfg->run_dir[0] != '/')
		why = "the run directory must be an absolute path";
	if (!why)
		return TRUE;
	g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG, "%s", why);
	return FALSE;
}

guint l2tp_vpn_config_phase_timeout(const L2tpVpnConfig *cfg, L2tpVpnPhase phase)
{
	if (cfg->phase_timeout_ms[phase])
		return cfg->phase_timeout_ms[phase];
	/* charon's verdict at its initiate timeout names the failure better than our timer could. */
	if (phase == L2TP_VPN_PHASE_IPSEC && cfg->ipsec.initiate_timeout_ms)
		return MAX(default_timeout_ms[phase], cfg->ipsec.initiate_timeout_ms + 20000);
	return default_timeout_ms[phase];
}

/* ---- events ------------------------------------------------------------------ */

guint64 l2tp_vpn_connection_elapsed_ms(L2tpVpnConnection *c)
{
	return c->t0_us ? (guint64)(g_get_monotonic_time() - c->t0_us) / 1000 : 0;
}

static void emit(L2tpVpnConnection *c, L2tpVpnEventType type, const char *text, const GError *error)
{
	L2tpVpnEvent ev = {
	    .type = type,
	    .phase = c->phase,
	    .elapsed_ms = l2tp_vpn_connection_elapsed_ms(c),
	    .phase_ms = (guint64)(g_get_monotonic_time() - c->phase_t0_us) / 1000,
	    .text = text,
	    .info = &c->info,
	    .error = error,
	};

	if (c->func)
		c->func(c, &ev, c->user_data);
}

void l2tp_vpn_progress(L2tpVpnConnection *c, const char *format, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start(ap, format);
	text = g_strdup_vprintf(format, ap);
	va_end(ap);
	emit(c, L2TP_VPN_EVENT_PROGRESS, text, NULL);
}

/* ---- forward: phases ------------------------------------------------------------ */

static void clear_timer(L2tpVpnConnection *c)
{
	if (c->timer)
		g_source_remove(c->timer);
	c->timer = 0;
}

static gboolean on_phase_timeout(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->timer = 0;
	l2tp_vpn_fail(c, g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_TIMEOUT,
				     "phase %s did not complete within %u ms", l2tp_vpn_phase_name(c->phase),
				     l2tp_vpn_config_phase_timeout(c->cfg, c->phase)));
	return G_SOURCE_REMOVE;
}

static void run_phase(L2tpVpnConnection *c, L2tpVpnPhase phase)
{
	c->phase = phase;
	c->phase_t0_us = g_get_monotonic_time();
	c->started |= 1u << phase;
	emit(c, L2TP_VPN_EVENT_PHASE_STARTED, l2tp_vpn_phase_name(phase), NULL);
	c->timer = g_timeout_add(l2tp_vpn_config_phase_timeout(c->cfg, phase), on_phase_timeout, c);
	c->steps[phase].start(c);
}

static void connected(L2tpVpnConnection *c)
{
	c->state = L2TP_VPN_STATE_CONNECTED;
	c->phase = L2TP_VPN_N_PHASES;
	c->info.connect_ms = l2tp_vpn_connection_elapsed_ms(c);
	emit(c, L2TP_VPN_EVENT_CONNECTED, "connected", NULL);
}

void l2tp_vpn_phase_done(L2tpVpnConnection *c, L2tpVpnPhase phase, const char *summary, GError *error)
{
	if (c->state != L2TP_VPN_STATE_CONNECTING || phase != c->phase) {
		/* Late news from a phase we left (or tore down): nothing to do. */
		if (error)
			g_error_free(error);
		return;
	}
	if (error) {
		l2tp_vpn_fail(c, error);
		return;
	}
	clear_timer(c);
	emit(c, L2TP_VPN_EVENT_PHASE_DONE, summary ? summary : l2tp_vpn_phase_name(phase), NULL);
	if (phase + 1 == L2TP_VPN_N_PHASES)
		connected(c);
	else
		run_phase(c, phase + 1);
}

/* ---- backward: teardown ---------------------------------------------------------- */

static void undo_next(L2tpVpnConnection *c);

static gboolean on_undo_idle(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->idle = 0;
	undo_next(c);
	return G_SOURCE_REMOVE;
}

/* Teardown steps always continue from the main loop, never inside a layer's callback. */
static void schedule_undo(L2tpVpnConnection *c)
{
	if (!c->idle)
		c->idle = g_idle_add_full(G_PRIORITY_HIGH, on_undo_idle, c, NULL);
}

static guint undo_timeout(L2tpVpnConnection *c, L2tpVpnPhase phase)
{
	return c->cfg->undo_timeout_ms ? c->cfg->undo_timeout_ms : default_undo_ms[phase];
}

static gboolean on_undo_timeout(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->timer = 0;
	l2tp_vpn_progress(c, "undoing %s took longer than %u ms: going on", l2tp_vpn_phase_name(c->phase),
			  undo_timeout(c, c->phase));
	l2tp_vpn_undo_done(c, c->phase);
	return G_SOURCE_REMOVE;
}

static void finished(L2tpVpnConnection *c)
{
	c->state = L2TP_VPN_STATE_DISCONNECTED;
	c->phase = 0;
	emit(c, L2TP_VPN_EVENT_DISCONNECTED, c->error ? c->error->message : "disconnected", c->error);
}

static void undo_next(L2tpVpnConnection *c)
{
	int p;

	if (c->undo_running)
		return;
	for (p = L2TP_VPN_N_PHASES - 1; p >= 0; p--)
		if (c->started & (1u << p))
			break;
	if (p < 0) {
		finished(c);
		return;
	}
	c->started &= ~(1u << p);
	c->phase = (L2tpVpnPhase)p;
	c->phase_t0_us = g_get_monotonic_time();
	c->undo_running = TRUE;
	c->timer = g_timeout_add(undo_timeout(c, (L2tpVpnPhase)p), on_undo_timeout, c);
	c->steps[p].undo(c);
}

void l2tp_vpn_undo_done(L2tpVpnConnection *c, L2tpVpnPhase phase)
{
	if (c->state != L2TP_VPN_STATE_DISCONNECTING || !c->undo_running || phase != c->phase)
		return;
	clear_timer(c);
	c->undo_running = FALSE;
	schedule_undo(c);
}

static void begin_teardown(L2tpVpnConnection *c, GError *error)
{
	clear_timer(c);
	c->state = L2TP_VPN_STATE_DISCONNECTING;
	c->error = error;
	emit(c, L2TP_VPN_EVENT_DISCONNECTING, error ? error->message : "disconnecting", error);
	schedule_undo(c);
}

void l2tp_vpn_fail(L2tpVpnConnection *c, GError *error)
{
	GError *named;

	if (c->state != L2TP_VPN_STATE_CONNECTING && c->state != L2TP_VPN_STATE_CONNECTED) {
		g_error_free(error);
		return;
	}
	named = l2tp_vpn_error_classify(error);
	/* Losing an established connection is one class, whatever layer noticed it first. */
	if (c->state == L2TP_VPN_STATE_CONNECTED && named->code != L2TP_VPN_ERROR_NETWORK)
		named->code = L2TP_VPN_ERROR_CONNECTION_LOST;
	if (c->state == L2TP_VPN_STATE_CONNECTING)
		g_prefix_error(&named, "%s: ", l2tp_vpn_phase_name(c->phase));
	g_error_free(error);
	begin_teardown(c, named);
}

/* ---- public -------------------------------------------------------------------------- */

L2tpVpnConnection *l2tp_vpn_connection_new_with_steps(L2tpVpnConfig *cfg, const L2tpVpnStep *steps,
						      L2tpVpnEventFunc func, gpointer user_data)
{
	L2tpVpnConnection *c = g_new0(L2tpVpnConnection, 1);

	c->cfg = cfg;
	c->steps = steps;
	c->func = func;
	c->user_data = user_data;
	c->layers.pppox = -1;
	c->layers.cancel = g_cancellable_new();
	if (cfg->name && l2tp_vpn_name_valid(cfg->name))
		c->state_dir = l2tp_vpn_state_dir(cfg->run_dir, cfg->name);
	return c;
}

L2tpVpnConnection *l2tp_vpn_connection_new(L2tpVpnConfig *cfg, L2tpVpnEventFunc func, gpointer user_data)
{
	return l2tp_vpn_connection_new_with_steps(cfg, l2tp_vpn_real_steps, func, user_data);
}

void l2tp_vpn_connection_start(L2tpVpnConnection *c)
{
	GError *error = NULL;

	g_return_if_fail(c->state == L2TP_VPN_STATE_IDLE);
	c->t0_us = g_get_monotonic_time();
	c->phase_t0_us = c->t0_us;
	c->state = L2TP_VPN_STATE_CONNECTING;
	if (!l2tp_vpn_config_validate(c->cfg, &error)) {
		begin_teardown(c, error);
		return;
	}
	run_phase(c, L2TP_VPN_PHASE_RESOLVE);
}

void l2tp_vpn_connection_disconnect(L2tpVpnConnection *c)
{
	switch (c->state) {
	case L2TP_VPN_STATE_IDLE:
		c->state = L2TP_VPN_STATE_DISCONNECTING;
		schedule_undo(c);
		break;
	case L2TP_VPN_STATE_CONNECTING:
	case L2TP_VPN_STATE_CONNECTED:
		begin_teardown(c, NULL);
		break;
	default:
		break;
	}
}

L2tpVpnState l2tp_vpn_connection_get_state(L2tpVpnConnection *c)
{
	return c->state;
}

L2tpVpnPhase l2tp_vpn_connection_get_phase(L2tpVpnConnection *c)
{
	return c->phase;
}

gboolean l2tp_vpn_connection_l2tp_left_open(L2tpVpnConnection *c)
{
	return c->layers.tunnel_up && (c->layers.l2tp_peer_silent || !c->layers.l2tp_finished);
}

const L2tpVpnInfo *l2tp_vpn_connection_get_info(L2tpVpnConnection *c)
{
	return &c->info;
}

const L2tpVpnConfig *l2tp_vpn_connection_get_config(L2tpVpnConnection *c)
{
	return c->cfg;
}

gboolean l2tp_vpn_connection_get_stats(L2tpVpnConnection *c, L2tpVpnStats *stats, GError **error)
{
	L2tpKernelStats k;

	memset(stats, 0, sizeof(*stats));
	if (!c->layers.kernel || !c->layers.kernel_session) {
		g_set_error_literal(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "no kernel session");
		return FALSE;
	}
	if (!l2tp_kernel_session_stats(c->layers.kernel, c->info.tunnel_id, c->info.session_id, &k, error))
		return FALSE;
	*stats = (L2tpVpnStats){k.rx_bytes, k.tx_bytes, k.rx_packets, k.tx_packets, k.rx_errors, k.tx_errors};
	return TRUE;
}

void l2tp_vpn_connection_free(L2tpVpnConnection *c)
{
	if (!c)
		return;
	clear_timer(c);
	if (c->idle)
		g_source_remove(c->idle);
	if (c->layers.sccrq_wait)
		g_source_remove(c->layers.sccrq_wait);
	l2tp_vpn_sa_guard_stop(c);
	/* Whatever a teardown did not get to stays recorded for l2tp_vpn_recover(). */
	g_cancellable_cancel(c->layers.cancel);
	l2tp_ppp_launcher_free(c->layers.ppp);
	l2tp_udp_free(c->layers.udp);
	ipsec_session_free(c->layers.ipsec);
	l2tp_kernel_close(c->layers.kernel);
	if (c->layers.pppox >= 0)
		close(c->layers.pppox);
	g_clear_object(&c->layers.cancel);
	g_clear_error(&c->layers.ppp_error);
	g_free(c->layers.net_run_dir);
	l2tp_net_dns_probe_free(c->layers.dns_probe);
	g_free(c->layers.ppp_auth_detail);
	g_free(c->info.ipsec_conn);
	g_free(c->info.ipsec_sa);
	g_clear_error(&c->error);
	g_free(c->state_dir);
	l2tp_vpn_config_free(c->cfg);
	g_free(c);
}
