// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The first SCCRQ under a brand-new IPsec SA, when no SCCRP comes.
 *
 * IKEv1's last quick-mode message (QM3, ours) is never acknowledged, and the gateway installs
 * its side of the SA only when QM3 arrives. If QM3 is lost our SA is in place, the gateway has
 * none, and our SCCRQs die there unseen. The gateway notices only by its own timer: it repeats
 * its answer (QM2) after 4 s, then 7.2 s and 13 s later (charon's defaults), and each repeat
 * makes our charon send QM3 again. Left alone, the L2TP retransmissions (1, 2, 4, 8 s apart)
 * then add up to 8 s more before an SCCRQ meets the installed SA, and two losses in a row cost
 * 11 s + 4 s: the lab's loss campaign (15 % loss each way) saw 44 s connects from this alone.
 *
 * So, while the first SCCRP is awaited:
 *  - catch-up: right after the gateway's expected first repeat (4 s after our charon got QM2,
 *    plus the gateway's install time), start the tunnel over at once instead of waiting for
 *    the next retransmission;
 *  - renew: still nothing 1.5 s later, ask charon for a new quick mode (a CHILD_SA rekey) and
 *    start over under it, at most twice. Our kernel sends under the newest SA, so from then on
 *    only the new quick mode counts, and it brings its own repeat to catch up with.
 * If the gateway did have the SA all along (SCCRPs lost instead), a restart costs one message
 * and a rekey one round trip; neither disturbs anything the gateway holds.
 */
#include "orchestrator-private.h"

/* charon's retransmit_timeout default: when the gateway repeats QM2 if QM3 did not come. */
#define GW_QM_REPEAT_MS      4000
#define RENEW_AFTER_CATCH_UP 1500
#define RENEWALS_MAX         2
/* A renewal whose quick mode is not done by then (its own first message lost: charon repeats it
 * after 4 s) makes way for the next one. */
#define RENEWAL_STALLED_MS 6000

static gboolean waiting_for_sccrp(const L2tpVpnConnection *c)
{
	return c->state == L2TP_VPN_STATE_CONNECTING && c->phase == L2TP_VPN_PHASE_L2TP_TUNNEL &&
	       c->layers.udp && !c->layers.tunnel_up && !c->layers.l2tp_closing;
}

static const IpsecSaInfo *sa_info(const L2tpVpnConnection *c)
{
	return c->layers.ipsec ? ipsec_session_get_sa_info(c->layers.ipsec) : NULL;
}

static guint peer_install_ms(const L2tpVpnConnection *c)
{
	return ipsec_sa_info_peer_install_ms(sa_info(c));
}

/* Milliseconds from now until anchor + offset_ms (0 if past). */
static guint ms_until(gint64 anchor_us, guint offset_ms)
{
	gint64 at = anchor_us + (gint64)offset_ms * 1000, now = g_get_monotonic_time();

	return at > now ? (guint)((at - now + 999) / 1000) : 0;
}

static gboolean on_catch_up(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->layers.sa_guard.catch_up = 0;
	if (!waiting_for_sccrp(c))
		return G_SOURCE_REMOVE;
	l2tp_vpn_progress(c, "l2tp: no SCCRP yet; the gateway repeats its quick-mode answer about now if our "
			     "last message was lost: starting over under the SA");
	l2tp_udp_restart_tunnel(c->layers.udp);
	return G_SOURCE_REMOVE;
}

static void on_renew_asked(GObject *src, GAsyncResult *res, gpointer data)
{
	L2tpVpnConnection *c = l2tp_vpn_async_ctx_take(data);
	g_autoptr(GError) error = NULL;

	if (!c || ipsec_session_rekey_child_finish(c->layers.ipsec, res, &error))
		return;
	c->layers.sa_guard.renewing = FALSE;
	/* The stall timer: charon said no, not "later". */
	g_clear_handle_id(&c->layers.sa_guard.renew, g_source_remove);
	if (waiting_for_sccrp(c))
		l2tp_vpn_progress(c, "l2tp: could not renew the IPsec SA (%s): left to retransmissions",
				  error->message);
}

static gboolean on_renew(gpointer data);

static gboolean on_renewal_stalled(gpointer data)
{
	L2tpVpnConnection *c = data;
	L2tpVpnSaGuard *g = &c->layers.sa_guard;

	g->renew = 0;
	if (!waiting_for_sccrp(c) || !g->renewing)
		return G_SOURCE_REMOVE;
	g->renewing = FALSE;
	l2tp_vpn_progress(c, "l2tp: the renewed SA is not up after %u ms", RENEWAL_STALLED_MS);
	return on_renew(c);
}

static gboolean on_renew(gpointer data)
{
	L2tpVpnConnection *c = data;
	L2tpVpnSaGuard *g = &c->layers.sa_guard;

	g->renew = 0;
	if (!waiting_for_sccrp(c) || g->renewals >= RENEWALS_MAX)
		return G_SOURCE_REMOVE;
	g->renewals++;
	g->renewing = TRUE;
	l2tp_vpn_progress(c,
			  "l2tp: still no SCCRP: the gateway may have no SA for us (our last quick-mode "
			  "message lost); renewing the SA (%u of %u)",
			  g->renewals, RENEWALS_MAX);
	ipsec_session_rekey_child_async(c->layers.ipsec, NULL, on_renew_asked, l2tp_vpn_async_ctx_new(c));
	g->renew = g_timeout_add(RENEWAL_STALLED_MS, on_renewal_stalled, c);
	return G_SOURCE_REMOVE;
}

/*
 * Catch-up and renew for the quick mode whose QM2 our charon got at g->anchor_us, called as an
 * SCCRQ goes out. Past the repeat already (a slow start), that SCCRQ is the catch-up, and the
 * renewal still gives it RENEW_AFTER_CATCH_UP to be answered.
 */
static void arm(L2tpVpnConnection *c)
{
	L2tpVpnSaGuard *g = &c->layers.sa_guard;
	guint repeat_seen_ms = GW_QM_REPEAT_MS + peer_install_ms(c);
	guint catch_up_ms = ms_until(g->anchor_us, repeat_seen_ms);

	g_clear_handle_id(&g->catch_up, g_source_remove);
	g_clear_handle_id(&g->renew, g_source_remove);
	if (catch_up_ms)
		g->catch_up = g_timeout_add(catch_up_ms, on_catch_up, c);
	if (g->renewals < RENEWALS_MAX)
		g->renew = g_timeout_add(catch_up_ms + RENEW_AFTER_CATCH_UP, on_renew, c);
}

void l2tp_vpn_sa_guard_start(L2tpVpnConnection *c)
{
	L2tpVpnSaGuard *g = &c->layers.sa_guard;
	const IpsecSaInfo *sa = sa_info(c);

	if (!c->cfg->ipsec_enabled || !c->layers.ipsec)
		return;
	if (sa && sa->child_installed_us && sa->child_install_time_us > 0)
		g->anchor_us = sa->child_installed_us - sa->child_install_time_us;
	else
		g->anchor_us = c->layers.child_up_us ? c->layers.child_up_us : g_get_monotonic_time();
	arm(c);
}

void l2tp_vpn_sa_guard_stop(L2tpVpnConnection *c)
{
	L2tpVpnSaGuard *g = &c->layers.sa_guard;

	g_clear_handle_id(&g->catch_up, g_source_remove);
	g_clear_handle_id(&g->renew, g_source_remove);
	g_clear_handle_id(&g->settle, g_source_remove);
	g->renewing = FALSE;
}

static gboolean on_settled(gpointer data)
{
	L2tpVpnConnection *c = data;

	c->layers.sa_guard.settle = 0;
	if (!waiting_for_sccrp(c))
		return G_SOURCE_REMOVE;
	l2tp_udp_restart_tunnel(c->layers.udp);
	arm(c);
	return G_SOURCE_REMOVE;
}

void l2tp_vpn_sa_guard_renewed(L2tpVpnConnection *c)
{
	L2tpVpnSaGuard *g = &c->layers.sa_guard;
	const IpsecSaInfo *sa = sa_info(c);

	if (!g->renewing)
		return; /* charon's own rekey, long after the tunnel came up */
	g->renewing = FALSE;
	if (!waiting_for_sccrp(c))
		return;
	/* Our charon took about as long for this quick mode's install as for the first one's. */
	g->anchor_us = g_get_monotonic_time() - (sa ? MAX(sa->child_install_time_us, 0) : 0);
	g_clear_handle_id(&g->renew, g_source_remove); /* the stall timer */
	g_clear_handle_id(&g->settle, g_source_remove);
	g->settle = g_timeout_add(peer_install_ms(c), on_settled, c);
}
