// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real phase steps over the layers: client/l2tp (UDP adapter), client/ipsec,
 * client/kernel, client/ppp and client/net. Each start records what it is about
 * to acquire in the run-state file first (orch-state.c) and reports back with
 * l2tp_vpn_phase_done(); each undo releases it and calls l2tp_vpn_undo_done().
 * Layer events that arrive for a later phase are remembered in L2tpVpnLayers
 * and picked up when that phase starts.
 */
#include "orchestrator-private.h"
#include "ppp-channel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PPPD_STOP_GRACE_S 3

/* ---- helpers ---------------------------------------------------------------- */

static void record(L2tpVpnConnection *c, const char *key, const char *value)
{
	g_autoptr(GError) error = NULL;

	if (c->state_dir && !l2tp_vpn_state_set(c->state_dir, key, value, &error))
		l2tp_vpn_progress(c, "warning: cannot record %s in %s: %s", key, c->state_dir,
				  error->message);
}

static void record_uint(L2tpVpnConnection *c, const char *key, guint value)
{
	char text[16];

	g_snprintf(text, sizeof(text), "%u", value);
	record(c, key, text);
}

L2tpVpnAsyncCtx *l2tp_vpn_async_ctx_new(L2tpVpnConnection *c)
{
	L2tpVpnAsyncCtx *ctx = g_new(L2tpVpnAsyncCtx, 1);

	ctx->conn = c;
	ctx->cancel = g_object_ref(c->layers.cancel);
	return ctx;
}

L2tpVpnConnection *l2tp_vpn_async_ctx_take(L2tpVpnAsyncCtx *ctx)
{
	L2tpVpnConnection *c = g_cancellable_is_cancelled(ctx->cancel) ? NULL : ctx->conn;

	g_object_unref(ctx->cancel);
	g_free(ctx);
	return c;
}

static void undo_nothing(L2tpVpnConnection *c)
{
	l2tp_vpn_undo_done(c, c->phase);
}

/* ---- resolve ------------------------------------------------------------------ */

/* The address the kernel would send from toward the gateway: connect() a UDP socket, no packet leaves. */
static gboolean route_local_address(L2tpVpnConnection *c, GError **error)
{
	struct sockaddr_in gw = {
	    .sin_family = AF_INET, .sin_port = htons(L2TP_PORT), .sin_addr = c->layers.gateway};
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&gw, sizeof(gw)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_UNREACHABLE,
			    "no route to the gateway %s: %s", c->info.gateway_addr, g_strerror(err));
		return FALSE;
	}
	inet_ntop(AF_INET, &local.sin_addr, c->info.local_addr, sizeof(c->info.local_addr));
	return TRUE;
}

static gboolean pick_local_address(L2tpVpnConnection *c, GError **error)
{
	if (c->cfg->local_address) {
		g_strlcpy(c->info.local_addr, c->cfg->local_address, sizeof(c->info.local_addr));
		return TRUE;
	}
	return route_local_address(c, error);
}

static void resolved(L2tpVpnConnection *c, struct in_addr addr)
{
	g_autofree char *summary = NULL;
	GError *error = NULL;

	c->layers.gateway = addr;
	inet_ntop(AF_INET, &addr, c->info.gateway_addr, sizeof(c->info.gateway_addr));
	if (!pick_local_address(c, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_RESOLVE, NULL, error);
		return;
	}
	summary = g_strdup_printf("gateway %s is %s, local address %s", c->cfg->gateway, c->info.gateway_addr,
				  c->info.local_addr);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_RESOLVE, summary, NULL);
}

static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GList *addrs = g_resolver_lookup_by_name_with_flags_finish(G_RESOLVER(src), res, &error);
	L2tpVpnConnection *c = l2tp_vpn_async_ctx_take(data);
	struct in_addr addr = {0};

	if (c && addrs) {
		g_autofree char *text = g_inet_address_to_string(addrs->data);

		inet_pton(AF_INET, text, &addr);
		resolved(c, addr);
	} else if (c) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_RESOLVE, NULL,
				    g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_RESOLVE,
						"cannot resolve the gateway %s: %s", c->cfg->gateway,
						error->message));
	}
	g_resolver_free_addresses(addrs);
}

static void resolve_start(L2tpVpnConnection *c)
{
	struct in_addr addr;
	g_autoptr(GResolver) resolver = NULL;
	GError *error = NULL;
	char pid[16];

	/* The record of this run starts with its owner. */
	g_snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (!l2tp_vpn_state_dir_create(c->state_dir, &error) ||
	    !l2tp_vpn_state_set(c->state_dir, L2TP_VPN_STATE_PID, pid, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_RESOLVE, NULL, error);
		return;
	}
	if (inet_pton(AF_INET, c->cfg->gateway, &addr) == 1) {
		resolved(c, addr);
		return;
	}
	resolver = g_resolver_get_default();
	g_resolver_lookup_by_name_with_flags_async(resolver, c->cfg->gateway,
						   G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY, c->layers.cancel,
						   on_resolved, l2tp_vpn_async_ctx_new(c));
}

/* Records other than the owner's pid: something a teardown step could not remove. */
static gboolean state_has_leftovers(const char *state_dir)
{
	g_autoptr(GHashTable) state = l2tp_vpn_state_read(state_dir, NULL);

	return state &&
	       g_hash_table_size(state) > (g_hash_table_contains(state, L2TP_VPN_STATE_PID) ? 1u : 0u);
}

/*
 * The first phase's undo is the last teardown step: the run is over, its record
 * goes, unless it still names something (then the next up/down recovers it).
 */
static void resolve_undo(L2tpVpnConnection *c)
{
	if (c->state_dir && state_has_leftovers(c->state_dir))
		l2tp_vpn_progress(c,
				  "warning: not everything could be undone; kept the record in %s for "
				  "`l2tp-vpn down`",
				  c->state_dir);
	else if (c->state_dir)
		l2tp_vpn_state_dir_remove(c->state_dir);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_RESOLVE);
}

/* ---- L2TP events (tunnel, session) --------------------------------------------- */

static GError *l2tp_failure(L2tpVpnConnection *c, const struct l2tp_event *ev)
{
	L2tpVpnError code = L2TP_VPN_ERROR_L2TP;

	/* An LNS clears the call when its pppd refused us; the refusal is the news, not the CDN. */
	if (c->layers.ppp_auth_failed)
		return g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_PPP_AUTH,
				   "the gateway refused the PPP user name or password (%s)",
				   c->layers.ppp_auth_detail ? c->layers.ppp_auth_detail
							     : "authentication failed");

	if (ev->cause == L2TP_CAUSE_TIMEOUT)
		code = L2TP_VPN_ERROR_TIMEOUT;
	else if (ev->cause == L2TP_CAUSE_PEER_DEAD && !c->layers.tunnel_up)
		code = L2TP_VPN_ERROR_UNREACHABLE;
	return g_error_new(L2TP_VPN_ERROR, code, "L2TP %s: %s (%s)",
			   ev->type == L2TP_EVENT_SESSION_DOWN ? "session" : "tunnel", ev->reason,
			   l2tp_cause_name(ev->cause));
}

static void on_l2tp_event(L2tpUdp *udp, const struct l2tp_event *ev, gpointer data)
{
	L2tpVpnConnection *c = data;
	L2tpVpnLayers *l = &c->layers;
	g_autofree char *summary = NULL;

	switch (ev->type) {
	case L2TP_EVENT_TUNNEL_UP:
		l->tunnel_up = TRUE;
		l2tp_vpn_sa_guard_stop(c);
		c->info.tunnel_id = ev->our_tunnel_id;
		c->info.peer_tunnel_id = ev->peer_tunnel_id;
		summary = g_strdup_printf("tunnel %u (LNS's %u) established", ev->our_tunnel_id,
					  ev->peer_tunnel_id);
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL, summary, NULL);
		break;
	case L2TP_EVENT_SESSION_READY:
		l->session_ready = TRUE;
		c->info.session_id = ev->our_session_id;
		c->info.peer_session_id = ev->peer_session_id;
		summary = g_strdup_printf("session %u (LNS's %u)", ev->our_session_id, ev->peer_session_id);
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_L2TP_SESSION, summary, NULL);
		break;
	case L2TP_EVENT_SESSION_UP: /* the LNS acknowledged ICCN; PPP did not wait for it */
		l->session_up = TRUE;
		break;
	case L2TP_EVENT_SESSION_DOWN:
	case L2TP_EVENT_TUNNEL_DOWN:
		if (ev->cause == L2TP_CAUSE_PEER_DEAD)
			l->l2tp_peer_silent = TRUE;
		if (ev->type == L2TP_EVENT_TUNNEL_DOWN && ev->cause != L2TP_CAUSE_LOCAL)
			l->l2tp_finished = TRUE; /* nothing of ours left to acknowledge */
		if (!l->l2tp_closing)
			l2tp_vpn_fail(c, l2tp_failure(c, ev));
		else if (l->l2tp_finished)
			l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL);
		break;
	case L2TP_EVENT_FINISHED:
		l->l2tp_finished = TRUE;
		l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL);
		break;
	}
}

static void on_l2tp_log(L2tpUdp *udp, enum l2tp_log_level level, const char *message, gpointer data)
{
	if (level <= L2TP_LOG_INFO)
		l2tp_vpn_progress(data, "l2tp: %s", message);
}

/* ---- socket --------------------------------------------------------------------- */

static gboolean ppp_launch(L2tpVpnConnection *c, gboolean hold, GError **error);

/*
 * pppd starts while IKE runs (or at once without IPsec), held in our plugin until the
 * L2TP session exists (ppp_start() releases it): exec, private mounts and plugins
 * (~250 ms under the lab's emulation) then overlap IKE and L2TP instead of adding to
 * the connect time; the spawn itself (~80 ms, synchronous) happens while charon
 * negotiates, not while it waits for us. Without a PPPoL2TP socket (module missing;
 * hosts without L2TP) pppd starts in the PPP phase as before, and the kernel phases
 * name the problem. socket_undo() stops a pppd that was never released.
 */
static void ppp_prespawn(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;
	g_autoptr(GError) error = NULL;

	if (l->ppp || l->pppox >= 0 || c->state != L2TP_VPN_STATE_CONNECTING)
		return;
	l->pppox = l2tp_kernel_pppox_open(NULL);
	if (l->pppox < 0)
		return;
	if (!ppp_launch(c, TRUE, &error)) {
		l2tp_vpn_progress(c, "ppp: pppd not started ahead (%s): starting it later", error->message);
		close(l->pppox);
		l->pppox = -1;
	}
}

/*
 * The kernel's L2TP family, if its modules are there (the kernel phase loads them, opens it
 * otherwise and names a failure). The generic netlink lookup costs 10-30 ms under the lab's
 * TCG: a connect does it while IKE runs, not between the SA and the first SCCRQ.
 */
static void kernel_open_no_modprobe(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	if (!l->kernel)
		l->kernel = l2tp_kernel_open(L2TP_KERNEL_OPEN_NO_MODPROBE, NULL);
}

/*
 * Kernel tunnel IDs are one namespace for every connection on the host (the daemon's two
 * profiles, or another L2TP client): an SCCRQ must not assign one the kernel already has, or
 * creating our kernel tunnel would fail after the LNS had answered. Without the l2tp modules
 * there is no kernel tunnel to collide with (the kernel phase names that problem later).
 */
static gboolean tunnel_id_taken(guint16 id, gpointer data)
{
	L2tpVpnConnection *c = data;
	L2tpVpnLayers *l = &c->layers;
	g_autoptr(GError) error = NULL;
	gboolean taken;

	if (l->tunnel_ids_unchecked)
		return FALSE;
	kernel_open_no_modprobe(c);
	if (!l->kernel) {
		l->tunnel_ids_unchecked = TRUE; /* no module yet, so no tunnel: don't ask again */
		return FALSE;
	}
	taken = l2tp_kernel_tunnel_exists(l->kernel, id, &error);
	if (error) {
		l->tunnel_ids_unchecked = TRUE;
		l2tp_vpn_progress(c, "l2tp: cannot check tunnel IDs against the kernel's: %s",
				  error->message);
	}
	return taken;
}

/* Which DNS backend the routes phase will use, asked now rather than after PPP is up. */
static void dns_probe_early(L2tpVpnConnection *c)
{
	if (!c->layers.dns_probe && c->cfg->dns_backend != L2TP_NET_DNS_NONE)
		c->layers.dns_probe = l2tp_net_dns_probe(c->cfg->dns_backend);
}

static void socket_start(L2tpVpnConnection *c)
{
	struct l2tp_udp_config ucfg = {
	    .lns_address = c->info.gateway_addr,
	    .lns_port = c->cfg->lns_port ? c->cfg->lns_port : L2TP_PORT,
	    .local_address = c->info.local_addr,
	    .port_policy = c->cfg->port_policy,
	    /* Under IPsec the SA covers the LNS's port only: never follow it elsewhere. */
	    .follow_lns_port = !c->cfg->ipsec_enabled,
	    .tunnel_id_taken = tunnel_id_taken,
	    .tunnel_id_taken_data = c,
	};
	g_autofree char *summary = NULL;
	GError *error = NULL;

	c->layers.udp = l2tp_udp_new(&ucfg, &c->cfg->l2tp, on_l2tp_event, on_l2tp_log, c, &error);
	if (!c->layers.udp) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_SOCKET, NULL, error);
		return;
	}
	c->info.local_port = l2tp_udp_local_port(c->layers.udp);
	summary = g_strdup_printf("UDP %s:%u", c->info.local_addr, c->info.local_port);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_SOCKET, summary, NULL);
}

static void socket_undo_finish(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	if (l->pppox >= 0)
		close(l->pppox);
	l->pppox = -1;
	g_clear_pointer(&l->udp, l2tp_udp_free);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_SOCKET);
}

static void socket_undo(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	/* A pppd started ahead and never released (we failed before PPP): stop it first. */
	if (l->ppp && !l->ppp_exited) {
		l2tp_ppp_launcher_stop(l->ppp, 1);
		return; /* ppp_exited() finishes */
	}
	socket_undo_finish(c);
}

/* ---- ipsec ------------------------------------------------------------------------ */

static void on_ipsec_event(const IpsecEvent *ev, gpointer data)
{
	L2tpVpnConnection *c = data;
	gboolean past_ipsec = c->state == L2TP_VPN_STATE_CONNECTED ||
			      (c->state == L2TP_VPN_STATE_CONNECTING && c->phase > L2TP_VPN_PHASE_IPSEC);

	if (ev->type == IPSEC_EVENT_IKE_UP)
		c->layers.ike_up_us = g_get_monotonic_time();
	else if (ev->type == IPSEC_EVENT_CHILD_UP && !c->layers.child_up_us)
		c->layers.child_up_us = g_get_monotonic_time();
	switch (ev->type) {
	case IPSEC_EVENT_INITIATED:
		if (c->phase == L2TP_VPN_PHASE_IPSEC) {
			ppp_prespawn(c);
			kernel_open_no_modprobe(c);
			dns_probe_early(c);
		}
		break;
	case IPSEC_EVENT_CHILD_REKEYED:
		l2tp_vpn_progress(c, "ipsec: %s", ev->text);
		l2tp_vpn_sa_guard_renewed(c);
		break;
	case IPSEC_EVENT_IKE_DOWN:
	case IPSEC_EVENT_CHILD_DOWN:
	case IPSEC_EVENT_CHARON_LOST:
		if (past_ipsec)
			l2tp_vpn_fail(c, ev->error
					     ? g_error_copy(ev->error)
					     : g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_CONNECTION_LOST,
							   "IPsec: %s (%s)", ev->text,
							   ipsec_event_type_name(ev->type)));
		break;
	default:
		l2tp_vpn_progress(c, "ipsec: %s", ev->text);
		break;
	}
}

static void on_ipsec_up(GObject *src, GAsyncResult *res, gpointer data)
{
	L2tpVpnConnection *c = l2tp_vpn_async_ctx_take(data);
	GError *error = NULL;
	g_autofree char *summary = NULL;

	if (!c)
		return;
	if (!ipsec_session_up_finish(c->layers.ipsec, res, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IPSEC, NULL, error);
		return;
	}
	c->info.ipsec_sa = ipsec_sa_info_describe(ipsec_session_get_sa_info(c->layers.ipsec));
	summary = g_strdup_printf("ESP transport SA up: %s", c->info.ipsec_sa);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IPSEC, summary, NULL);
}

static void ipsec_start(L2tpVpnConnection *c)
{
	IpsecSettings s = c->cfg->ipsec;
	GError *error = NULL;

	if (!c->cfg->ipsec_enabled) {
		ppp_prespawn(c);
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IPSEC,
				    "IPsec disabled by the profile: L2TP in the clear", NULL);
		return;
	}
	if (!s.profile)
		s.profile = c->cfg->name;
	s.gateway = c->info.gateway_addr;
	s.local_address = c->info.local_addr;
	s.local_port = c->info.local_port;
	s.remote_port = c->cfg->lns_port ? c->cfg->lns_port : L2TP_PORT;
	c->layers.ipsec = ipsec_session_new(&s, &error);
	if (!c->layers.ipsec) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IPSEC, NULL, error);
		return;
	}
	c->info.ipsec_conn = g_strdup(ipsec_session_get_conn_name(c->layers.ipsec));
	/* Recorded before anything is loaded into charon (the shared secret is "<conn>-psk"). */
	record(c, L2TP_VPN_STATE_IPSEC_VICI, s.vici_uri ? s.vici_uri : IPSEC_DEFAULT_VICI_URI);
	record(c, L2TP_VPN_STATE_IPSEC_CONN, c->info.ipsec_conn);
	ipsec_session_set_event_handler(c->layers.ipsec, on_ipsec_event, c);
	ipsec_session_up_async(c->layers.ipsec, NULL, on_ipsec_up, l2tp_vpn_async_ctx_new(c));
}

static void on_ipsec_down(GObject *src, GAsyncResult *res, gpointer data)
{
	L2tpVpnConnection *c = l2tp_vpn_async_ctx_take(data);
	g_autoptr(GError) error = NULL;

	if (!c)
		return;
	if (ipsec_session_down_finish(c->layers.ipsec, res, &error)) {
		record(c, L2TP_VPN_STATE_IPSEC_CONN, NULL);
		record(c, L2TP_VPN_STATE_IPSEC_VICI, NULL);
	} else {
		l2tp_vpn_progress(c, "warning: IPsec teardown: %s", error->message);
	}
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_IPSEC);
}

static void ipsec_undo(L2tpVpnConnection *c)
{
	if (!c->layers.ipsec) {
		l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_IPSEC);
		return;
	}
	ipsec_session_down_async(c->layers.ipsec, NULL, on_ipsec_down, l2tp_vpn_async_ctx_new(c));
}

/* ---- l2tp tunnel and session ------------------------------------------------------- */

/*
 * Under a brand-new IPsec SA the gateway may answer our first SCCRQ before its
 * own outbound policy is in place (see l2tp_lac_set_sccrq_restart()). Start
 * over after half of what quick mode took: quick mode is a round trip plus both
 * charons installing SAs, while after our QM3 the gateway only installs its own
 * (lab: QM 150-200 ms, the gateway's SA in place ~70 ms after QM3, which leaves
 * just before our first SCCRQ; SCCRP ~10 ms after the SCCRQ once it is ready).
 * Starting over too early costs xl2tpd's 1 s SCCRP timer, so never below 100 ms; and
 * always below the 1 s first retransmission, which l2tp_lac_set_sccrq_restart() would
 * take as "off" (a quick mode slowed by a lost message was exactly when it was lost:
 * lab loss-connect waited 24 s for a tunnel behind ignored SCCRQ retransmissions).
 */
static guint32 sccrq_restart_ms(const L2tpVpnConnection *c)
{
	const L2tpVpnLayers *l = &c->layers;
	gint64 quick_mode_ms;

	if (!c->cfg->ipsec_enabled || !l->ike_up_us || l->child_up_us < l->ike_up_us)
		return 0;
	quick_mode_ms = (l->child_up_us - l->ike_up_us) / 1000;
	return (guint32)CLAMP(quick_mode_ms / 2, 100, 900);
}

static void l2tp_tunnel_send_sccrq(L2tpVpnConnection *c)
{
	GError *error = NULL;
	guint32 restart_ms = sccrq_restart_ms(c);

	if (restart_ms)
		l2tp_lac_set_sccrq_restart(l2tp_udp_lac(c->layers.udp), restart_ms);
	if (!l2tp_udp_start(c->layers.udp, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL, NULL, error);
		return;
	}
	l2tp_vpn_sa_guard_start(c);
}

static gboolean on_sccrq_wait(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->layers.sccrq_wait = 0;
	l2tp_tunnel_send_sccrq(c);
	return G_SOURCE_REMOVE;
}

/*
 * An SCCRQ that reaches the gateway before its side of the brand-new SA is in place is
 * dropped or answered in the clear (which our policy drops), and the SCCRQ restart above
 * then costs half a quick mode: send the first one when the gateway should be ready.
 */
static void l2tp_tunnel_start(L2tpVpnConnection *c)
{
	const IpsecSaInfo *sa =
	    c->cfg->ipsec_enabled && c->layers.ipsec ? ipsec_session_get_sa_info(c->layers.ipsec) : NULL;
	guint wait_ms = ipsec_sa_info_peer_ready_ms(sa);

	if (!wait_ms) {
		l2tp_tunnel_send_sccrq(c);
		return;
	}
	l2tp_vpn_progress(
	    c, "l2tp: first SCCRQ in %u ms, once the gateway has installed its SA (ours took %u ms)", wait_ms,
	    (guint)(sa->child_install_time_us / 1000));
	c->layers.sccrq_wait = g_timeout_add(wait_ms, on_sccrq_wait, c);
}

/* CDN and StopCCN; FINISHED (the LNS acknowledged) ends the wait, or the undo timeout does. */
static void l2tp_tunnel_undo(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	l2tp_vpn_sa_guard_stop(c);
	if (l->sccrq_wait) {
		/* Nothing was sent yet. */
		g_source_remove(l->sccrq_wait);
		l->sccrq_wait = 0;
		l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL);
		return;
	}
	if (!l->udp || l->l2tp_finished || l2tp_lac_finished(l2tp_udp_lac(l->udp))) {
		l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_L2TP_TUNNEL);
		return;
	}
	l->l2tp_closing = TRUE;
	l2tp_udp_close(l->udp, c->error ? "connection failed" : "user disconnected");
}

static void l2tp_session_start(L2tpVpnConnection *c)
{
	g_autofree char *summary = NULL;

	if (!c->layers.session_ready)
		return; /* SESSION_READY completes the phase */
	summary = g_strdup_printf("session %u (LNS's %u)", c->info.session_id, c->info.peer_session_id);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_L2TP_SESSION, summary, NULL);
}

/* ---- kernel ------------------------------------------------------------------------- */

static void kernel_tunnel_start(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;
	GError *error = NULL;

	if (!l->kernel)
		l->kernel = l2tp_kernel_open(0, &error);
	if (l->kernel) {
		record_uint(c, L2TP_VPN_STATE_KERNEL_TUNNEL, c->info.tunnel_id);
		l->kernel_tunnel = l2tp_kernel_tunnel_create(
		    l->kernel, c->info.tunnel_id, c->info.peer_tunnel_id, l2tp_udp_fd(l->udp), &error);
	}
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_KERNEL_TUNNEL, "kernel tunnel on our socket", error);
}

static void kernel_tunnel_undo(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;
	g_autoptr(GError) error = NULL;

	if (l->kernel_tunnel && !l2tp_kernel_tunnel_delete(l->kernel, c->info.tunnel_id, &error) &&
	    !g_error_matches(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND))
		l2tp_vpn_progress(c, "warning: kernel tunnel %u: %s", c->info.tunnel_id, error->message);
	l->kernel_tunnel = FALSE;
	record(c, L2TP_VPN_STATE_KERNEL_TUNNEL, NULL);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_KERNEL_TUNNEL);
}

/* The session and its PPPoX socket exist before ICCN: the LNS may send data right after it. */
static void kernel_session_start(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;
	GError *error = NULL;
	gboolean attached = FALSE;

	record_uint(c, L2TP_VPN_STATE_KERNEL_SESSION, c->info.session_id);
	l->kernel_session = l2tp_kernel_session_create(l->kernel, c->info.tunnel_id, c->info.session_id,
						       c->info.peer_session_id, &error);
	/* Opened ahead when pppd was started ahead (it holds it too); else now. */
	if (l->kernel_session && l->pppox < 0)
		l->pppox = l2tp_kernel_pppox_open(&error);
	if (l->kernel_session && l->pppox >= 0)
		attached = l2tp_kernel_pppox_attach(l->pppox, c->info.tunnel_id, c->info.session_id,
						    c->info.peer_tunnel_id, c->info.peer_session_id,
						    l2tp_udp_fd(l->udp), &error);
	if (!attached) { /* kernel_session_undo() closes the socket */
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_KERNEL_SESSION, NULL, error);
		return;
	}
	if (!l2tp_udp_session_confirm(l->udp)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_KERNEL_SESSION, NULL,
				    g_error_new_literal(L2TP_VPN_ERROR, L2TP_VPN_ERROR_L2TP,
							"the L2TP session could not be confirmed (ICCN)"));
		return;
	}
	/*
	 * The call is ours to use once ICCN is out (xl2tpd as LAC starts pppd there too): waiting
	 * for its acknowledgement would only delay PPP, by a whole retransmission when ICCN or the
	 * ZLB is lost (lab loss-connect: a second in one attempt of three). If ICCN never arrives,
	 * pppd's LCP retries meet the LNS once a retransmission does, and CDN or a dead peer still
	 * ends the connection from any phase.
	 */
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_KERNEL_SESSION, "kernel session and PPPoL2TP socket, ICCN sent",
			    NULL);
}

static void kernel_session_undo(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	/* Ours; a pppd started ahead holds its own copy (and is stopped by socket_undo()). */
	if (l->pppox >= 0)
		close(l->pppox);
	l->pppox = -1;
	/* Normally gone with the last PPPoX socket; make sure. */
	if (l->kernel_session)
		l2tp_kernel_session_delete(l->kernel, c->info.tunnel_id, c->info.session_id, NULL);
	l->kernel_session = FALSE;
	record(c, L2TP_VPN_STATE_KERNEL_SESSION, NULL);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_KERNEL_SESSION);
}

/* ---- ppp ------------------------------------------------------------------------------ */

static void net_undo(L2tpVpnConnection *c)
{
	g_autoptr(GError) error = NULL;

	if (c->layers.net.name && !l2tp_net_undo(&c->layers.net, &error))
		l2tp_vpn_progress(c, "warning: routes/DNS not fully restored: %s", error->message);
}

static void ppp_exited(L2tpVpnConnection *c, const L2tpPppEvent *ev)
{
	L2tpVpnLayers *l = &c->layers;

	l->ppp_exited = TRUE;
	record(c, L2TP_VPN_STATE_PPPD_PID, NULL);
	if (c->state == L2TP_VPN_STATE_DISCONNECTING) {
		if (c->undo_running && c->phase == L2TP_VPN_PHASE_PPP) {
			net_undo(c);
			l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_PPP);
		} else if (c->undo_running && c->phase == L2TP_VPN_PHASE_SOCKET) {
			socket_undo_finish(c);
		}
		return;
	}
	l2tp_vpn_fail(c, ev->error ? g_error_copy(ev->error)
				   : g_error_new_literal(L2TP_VPN_ERROR, L2TP_VPN_ERROR_PPP,
							 "pppd ended without an error"));
}

/* The DNS servers pppd got, as L2tpVpnInfo keeps them. */
static void ppp_dns(const L2tpPppEvent *ev, struct in_addr dns[2])
{
	dns[0] = ev->dns[0];
	/* pppd repeats a lone ms-dns as the second server */
	dns[1] = ev->dns[1].s_addr == ev->dns[0].s_addr ? (struct in_addr){0} : ev->dns[1];
}

static void ppp_ip_up(L2tpVpnConnection *c, const L2tpPppEvent *ev)
{
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	g_autofree char *summary = NULL;

	g_strlcpy(c->info.ifname, ev->ifname, sizeof(c->info.ifname));
	c->info.ppp_local = ev->local;
	c->info.ppp_peer = ev->peer;
	ppp_dns(ev, c->info.dns);
	inet_ntop(AF_INET, &ev->local, local, sizeof(local));
	inet_ntop(AF_INET, &ev->peer, peer, sizeof(peer));
	summary = g_strdup_printf("%s local %s peer %s", ev->ifname, local, peer);
	if (c->phase == L2TP_VPN_PHASE_PPP) /* no authentication asked for */
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_PPP, "no authentication required", NULL);
	l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IP_UP, summary, NULL);
}

static void routes_start(L2tpVpnConnection *c);
static void ip_up_again(L2tpVpnConnection *c, const L2tpPppEvent *ev);

static void on_ppp_event(const L2tpPppEvent *ev, gpointer data)
{
	L2tpVpnConnection *c = data;

	switch (ev->type) {
	case L2TP_PPP_EVENT_HELLO:
		l2tp_vpn_progress(c, "ppp: pppd %s runs our plugin", ev->pppd_version);
		break;
	case L2TP_PPP_EVENT_CREDENTIALS_OK:
		break;
	case L2TP_PPP_EVENT_IP_DOWN:
		if (c->state == L2TP_VPN_STATE_CONNECTED)
			l2tp_vpn_progress(c, "ppp: IPCP went down on %s: routes and DNS return with IP up",
					  c->info.ifname);
		break;
	case L2TP_PPP_EVENT_PHASE:
		l2tp_vpn_progress(c, "ppp: phase %s", ev->phase_name);
		break;
	case L2TP_PPP_EVENT_AUTH:
		if (ev->auth == PPPCHAN_AUTH_FAILED) {
			c->layers.ppp_auth_failed = TRUE;
			l2tp_vpn_progress(c, "ppp: the gateway refused our credentials");
		} else {
			l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_PPP,
					    ev->auth == PPPCHAN_AUTH_SUCCEEDED ? "authenticated"
									       : "no authentication required",
					    NULL);
		}
		break;
	case L2TP_PPP_EVENT_IP_UP:
		if (c->state == L2TP_VPN_STATE_CONNECTED) {
			ip_up_again(c, ev);
			break;
		}
		ppp_ip_up(c, ev);
		if (c->state == L2TP_VPN_STATE_CONNECTING && c->phase == L2TP_VPN_PHASE_ROUTES &&
		    c->layers.routes_wait_ip_up)
			routes_start(c); /* clears the wait */
		break;
	case L2TP_PPP_EVENT_LOG:
		if (!c->layers.ppp_auth_detail && strstr(ev->log_line, "authentication failed"))
			c->layers.ppp_auth_detail = g_strdup(ev->log_line);
		l2tp_vpn_progress(c, "pppd: %s", ev->log_line);
		break;
	case L2TP_PPP_EVENT_EXITED:
		ppp_exited(c, ev);
		break;
	}
}

/* pppd for this connection, held (see ppp_prespawn()) or going at once on l->pppox. */
static gboolean ppp_launch(L2tpVpnConnection *c, gboolean hold, GError **error)
{
	L2tpVpnLayers *l = &c->layers;
	g_autofree char *ifname = c->cfg->ppp.ifname ? g_strdup(c->cfg->ppp.ifname) : NULL;
	L2tpPppLaunch launch = {
	    .ppp = c->cfg->ppp,
	    .pppol2tp_socket = l->pppox,
	    .pppd_path = c->cfg->pppd_path,
	    .no_private_mounts = c->cfg->no_private_mounts,
	    .user = c->cfg->ppp_user,
	    .password = c->cfg->ppp_password,
	    .hold = hold,
	};
	char pid[16];

	if (!ifname) {
		g_autofree char *full = g_strconcat("l2tp-", c->cfg->name, NULL);

		ifname = g_strndup(full, IF_NAMESIZE - 1);
	}
	launch.ppp.ifname = ifname;
	launch.ppp.ipsec = c->cfg->ipsec_enabled;
	l->ppp = l2tp_ppp_launcher_start(&launch, on_ppp_event, c, error);
	if (!l->ppp)
		return FALSE;
	g_snprintf(pid, sizeof(pid), "%d", (int)l2tp_ppp_launcher_get_pid(l->ppp));
	record(c, L2TP_VPN_STATE_PPPD_PID, pid);
	return TRUE;
}

static void ppp_start(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;
	GError *error = NULL;

	/* Pin the path to the gateway before PPP can add a route that captures it. */
	l->net_run_dir = g_strdup(c->state_dir);
	l->net = (L2tpNetContext){.run_dir = l->net_run_dir,
				  .name = c->cfg->name,
				  .resolv_conf = c->cfg->resolv_conf,
				  .dns_backend = c->cfg->dns_backend,
				  .dns_probe = l->dns_probe};
	if (!l2tp_net_pin_gateway(&l->net, l->gateway, &l->underlay, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_PPP, NULL, error);
		return;
	}
	if (l->ppp) {
		l2tp_ppp_launcher_release(l->ppp);
	} else if (!ppp_launch(c, FALSE, &error)) {
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_PPP, NULL, error);
		return;
	}
	/* pppd holds its own copy; with ours closed, pppd's exit releases the session (FACTS §3). */
	close(l->pppox);
	l->pppox = -1;
}

static void ppp_undo(L2tpVpnConnection *c)
{
	L2tpVpnLayers *l = &c->layers;

	if (l->ppp && !l->ppp_exited) {
		l2tp_ppp_launcher_stop(l->ppp, PPPD_STOP_GRACE_S);
		return; /* EXITED continues */
	}
	net_undo(c);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_PPP);
}

static void ip_up_start(L2tpVpnConnection *c)
{
	/* IP_UP from the plugin completes the phase (it may have arrived with the PPP phase). */
	if (c->info.ifname[0])
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_IP_UP, c->info.ifname, NULL);
}

/* ---- routes and DNS ------------------------------------------------------------------------ */

static char *describe_plan(L2tpVpnConnection *c, GArray *plan)
{
	guint routes = 0, dns = 0;

	for (guint i = 0; i < plan->len; i++) {
		if (g_array_index(plan, L2tpNetAction, i).type == L2TP_NET_ACTION_ROUTE)
			routes++;
		else
			dns += g_array_index(plan, L2tpNetAction, i).dns.n_servers;
	}
	return g_strdup_printf("%s, %u route(s), %u DNS server(s)",
			       c->cfg->route_mode == L2TP_NET_FULL_TUNNEL    ? "full tunnel"
			       : c->cfg->route_mode == L2TP_NET_SPLIT_TUNNEL ? "split tunnel"
									     : "never default",
			       routes, dns);
}

static gboolean dns_listed(const struct in_addr *list, guint n, struct in_addr a)
{
	for (guint i = 0; i < n; i++)
		if (list[i].s_addr == a.s_addr)
			return TRUE;
	return FALSE;
}

/*
 * A peer that missed our IPCP Configure-Ack sends its Configure-Request again, and pppd,
 * IPCP already open, takes the link's IPv4 side down and negotiates afresh (RFC 1661): a
 * route added meanwhile fails (lab loss-connect: "cannot add route 128.0.0.0/1 ...:
 * Unspecific failure", IP up again 30 ms later). TRUE if the interface lost its IPv4
 * address or went down.
 */
static gboolean ipcp_went_down(const L2tpVpnConnection *c)
{
	struct ifaddrs *all, *a;
	gboolean up = FALSE;

	if (getifaddrs(&all) < 0)
		return FALSE;
	for (a = all; a && !up; a = a->ifa_next)
		up = a->ifa_addr && a->ifa_addr->sa_family == AF_INET && (a->ifa_flags & IFF_UP) &&
		     !strcmp(a->ifa_name, c->info.ifname);
	freeifaddrs(all);
	return !up;
}

/* The routes phase's outcome: set, waiting for IPCP to come up again, or failed. */
typedef enum { ROUTES_SET, ROUTES_WAIT_IP_UP, ROUTES_FAILED } RoutesOutcome;

static RoutesOutcome routes_apply(L2tpVpnConnection *c, char **summary, GError **error)
{
	L2tpNetPlanInput in = {
	    .mode = c->cfg->route_mode,
	    .gateway = c->layers.gateway,
	    .underlay = c->layers.underlay,
	    .ifname = c->info.ifname,
	    .local = c->info.ppp_local,
	    .routes = (const L2tpNetPrefix *)(void *)c->cfg->routes->data,
	    .n_routes = c->cfg->routes->len,
	    .domains = c->cfg->dns_domains,
	};
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) err = NULL;
	struct in_addr dns[L2TP_NET_MAX_DNS];
	guint n = 0;

	/* Static servers first, then the gateway's unless the profile ignores them. */
	for (guint i = 0; i < c->cfg->n_dns_servers && n < L2TP_NET_MAX_DNS; i++)
		dns[n++] = c->cfg->dns_servers[i];
	for (guint i = 0; !c->cfg->ignore_vpn_dns && i < 2 && n < L2TP_NET_MAX_DNS; i++)
		if (c->info.dns[i].s_addr != INADDR_ANY && !dns_listed(dns, n, c->info.dns[i]))
			dns[n++] = c->info.dns[i];
	in.dns = dns;
	in.n_dns = n;
	in.ignore_vpn_dns = n == 0;
	c->layers.routes_wait_ip_up = FALSE;
	plan = l2tp_net_plan(&in, &err);
	if (plan && !l2tp_net_apply(&c->layers.net, plan, &err) && ipcp_went_down(c)) {
		l2tp_vpn_progress(c,
				  "routes: %s, and %s has no IPv4 address now: PPP renegotiates "
				  "IPCP, waiting for it to come up again",
				  err->message, c->info.ifname);
		net_undo(c);
		c->layers.routes_wait_ip_up = TRUE;
		return ROUTES_WAIT_IP_UP;
	}
	if (err) {
		g_propagate_error(error, g_steal_pointer(&err));
		return ROUTES_FAILED;
	}
	*summary = describe_plan(c, plan);
	return ROUTES_SET;
}

static void routes_start(L2tpVpnConnection *c)
{
	g_autofree char *summary = NULL;
	GError *error = NULL;

	switch (routes_apply(c, &summary, &error)) {
	case ROUTES_SET:
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_ROUTES, summary, NULL);
		break;
	case ROUTES_FAILED:
		l2tp_vpn_phase_done(c, L2TP_VPN_PHASE_ROUTES, NULL, error);
		break;
	case ROUTES_WAIT_IP_UP:
		break;
	}
}

static gboolean same_dns(const L2tpVpnConnection *c, const L2tpPppEvent *ev)
{
	struct in_addr dns[2];

	ppp_dns(ev, dns);
	return dns[0].s_addr == c->info.dns[0].s_addr && dns[1].s_addr == c->info.dns[1].s_addr;
}

/*
 * IPCP came up again while connected: the peer sent a Configure-Request to an
 * open IPCP (it missed our Ack, or renegotiates for its own reasons), pppd took
 * the link's IPv4 side down, and the kernel dropped every route through it. The
 * same addresses and DNS servers: set routes and DNS again. Anything else makes
 * what the front ends were told stale: the connection is lost, and supervision
 * starts a fresh one. If IPCP never comes back, pppd ends the link once its
 * Configure-Requests run out (no other network protocol runs: noipv6), and its
 * exit ends the connection.
 */
static void ip_up_again(L2tpVpnConnection *c, const L2tpPppEvent *ev)
{
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	g_autofree char *summary = NULL;
	GError *error = NULL;

	if (ev->local.s_addr != c->info.ppp_local.s_addr || ev->peer.s_addr != c->info.ppp_peer.s_addr ||
	    !same_dns(c, ev)) {
		inet_ntop(AF_INET, &ev->local, local, sizeof(local));
		inet_ntop(AF_INET, &ev->peer, peer, sizeof(peer));
		l2tp_vpn_fail(c, g_error_new(L2TP_VPN_ERROR, L2TP_VPN_ERROR_CONNECTION_LOST,
					     "PPP renegotiated IPCP with other addresses or DNS servers "
					     "(now local %s peer %s)",
					     local, peer));
		return;
	}
	net_undo(c);
	switch (routes_apply(c, &summary, &error)) {
	case ROUTES_SET:
		l2tp_vpn_progress(c, "routes: PPP renegotiated IPCP, same addresses: set again (%s)",
				  summary);
		break;
	case ROUTES_FAILED:
		g_prefix_error(&error, "routes after PPP renegotiated IPCP: ");
		l2tp_vpn_fail(c, error);
		break;
	case ROUTES_WAIT_IP_UP:
		break; /* the next IP_UP comes here again */
	}
}

static void routes_undo(L2tpVpnConnection *c)
{
	net_undo(c);
	l2tp_vpn_undo_done(c, L2TP_VPN_PHASE_ROUTES);
}

const L2tpVpnStep l2tp_vpn_real_steps[L2TP_VPN_N_PHASES] = {
    [L2TP_VPN_PHASE_RESOLVE] = {resolve_start, resolve_undo},
    [L2TP_VPN_PHASE_SOCKET] = {socket_start, socket_undo},
    [L2TP_VPN_PHASE_IPSEC] = {ipsec_start, ipsec_undo},
    [L2TP_VPN_PHASE_L2TP_TUNNEL] = {l2tp_tunnel_start, l2tp_tunnel_undo},
    [L2TP_VPN_PHASE_KERNEL_TUNNEL] = {kernel_tunnel_start, kernel_tunnel_undo},
    [L2TP_VPN_PHASE_L2TP_SESSION] = {l2tp_session_start, undo_nothing},
    [L2TP_VPN_PHASE_KERNEL_SESSION] = {kernel_session_start, kernel_session_undo},
    [L2TP_VPN_PHASE_PPP] = {ppp_start, ppp_undo},
    [L2TP_VPN_PHASE_IP_UP] = {ip_up_start, undo_nothing},
    [L2TP_VPN_PHASE_ROUTES] = {routes_start, routes_undo},
};
