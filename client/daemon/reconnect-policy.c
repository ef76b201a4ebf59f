// SPDX-License-Identifier: GPL-2.0-or-later
/* Reconnect decisions and backoff on a caller-supplied clock; see reconnect-policy.h. */
#include "reconnect-policy.h"

#include <gio/gio.h>

#include "orchestrator.h"

void l2tpvpn_reconnect_config_defaults(L2tpVpnReconnectConfig *cfg)
{
	*cfg = (L2tpVpnReconnectConfig){
	    .enabled = TRUE,
	    .initial_ms = 1000,
	    .max_ms = 60000,
	    .multiplier = 2,
	    .max_attempts = 0,
	    .stable_ms = 60000,
	};
}

gboolean l2tpvpn_reconnect_config_validate(const L2tpVpnReconnectConfig *cfg, GError **error)
{
	const char *why = NULL;

	if (cfg->initial_ms == 0)
		why = "the first reconnect delay must be at least 1 ms";
	else if (cfg->max_ms < cfg->initial_ms)
		why = "the maximum reconnect delay is below the first one";
	else if (cfg->multiplier == 0)
		why = "the backoff multiplier must be at least 1";
	if (!why)
		return TRUE;
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, why);
	return FALSE;
}

void l2tpvpn_reconnect_init(L2tpVpnReconnect *r, const L2tpVpnReconnectConfig *cfg)
{
	*r = (L2tpVpnReconnect){.cfg = *cfg, .last_error = -1};
}

void l2tpvpn_reconnect_user_connect(L2tpVpnReconnect *r)
{
	r->supervising = FALSE;
	r->up = FALSE;
	r->attempt = 0;
}

void l2tpvpn_reconnect_connected(L2tpVpnReconnect *r, gint64 now_ms)
{
	r->supervising = TRUE;
	r->up = TRUE;
	r->up_since_ms = now_ms;
}

gboolean l2tpvpn_reconnect_error_is_fatal(int error_code)
{
	switch (error_code) {
	case L2TP_VPN_ERROR_INVALID_CONFIG:
	case L2TP_VPN_ERROR_PERMISSION:
	case L2TP_VPN_ERROR_ALREADY_RUNNING:
	case L2TP_VPN_ERROR_NOT_RUNNING:
	case L2TP_VPN_ERROR_SYSTEM:
	case L2TP_VPN_ERROR_IPSEC_AUTH:
	case L2TP_VPN_ERROR_PPP_AUTH:
		return TRUE;
	default:
		return FALSE;
	}
}

/* initial × multiplier^(attempt-1), capped, without overflowing on long outages. */
static guint backoff_ms(const L2tpVpnReconnectConfig *cfg, guint attempt)
{
	guint64 delay = cfg->initial_ms;

	for (guint i = 1; i < attempt && delay < cfg->max_ms; i++)
		delay *= cfg->multiplier;
	return (guint)MIN(delay, (guint64)cfg->max_ms);
}

static gboolean was_stable(const L2tpVpnReconnect *r, gint64 now_ms)
{
	return r->up && now_ms - r->up_since_ms >= (gint64)r->cfg.stable_ms;
}

L2tpVpnReconnectDecision l2tpvpn_reconnect_down(L2tpVpnReconnect *r, int error_code, gint64 now_ms,
						guint *delay_ms)
{
	gboolean stable = was_stable(r, now_ms);

	r->up = FALSE;
	if (error_code >= 0)
		r->last_error = error_code;
	if (error_code < 0 || !r->supervising || !r->cfg.enabled ||
	    l2tpvpn_reconnect_error_is_fatal(error_code)) {
		r->supervising = FALSE;
		return L2TPVPN_RECONNECT_STOP;
	}
	if (stable)
		r->attempt = 0;
	if (r->cfg.max_attempts && r->attempt >= r->cfg.max_attempts) {
		r->supervising = FALSE;
		return L2TPVPN_RECONNECT_STOP;
	}
	r->attempt++;
	r->reconnect_count++;
	*delay_ms = backoff_ms(&r->cfg, r->attempt);
	return L2TPVPN_RECONNECT_RETRY;
}

guint64 l2tpvpn_reconnect_uptime_ms(const L2tpVpnReconnect *r, gint64 now_ms)
{
	return r->up && now_ms > r->up_since_ms ? (guint64)(now_ms - r->up_since_ms) : 0;
}
