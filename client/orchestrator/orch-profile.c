// SPDX-License-Identifier: GPL-2.0-or-later
/* A loaded profile (client/profile) as an orchestrator configuration. */
#include "orchestrator-private.h"

#include "profile.h"

static void profile_free(gpointer p)
{
	l2tpvpn_profile_free(p);
}

static void take_net(L2tpVpnConfig *cfg, const L2tpVpnProfile *p)
{
	L2tpNetContext ctx;
	L2tpNetPlanInput in;
	struct in_addr storage[L2TP_NET_MAX_DNS];

	/* Without peer DNS this yields exactly the static part; the gateway's servers come at ip-up. */
	l2tpvpn_profile_net(p, NULL, 0, storage, &ctx, &in);
	cfg->dns_backend = ctx.dns_backend;
	cfg->route_mode = in.mode;
	g_array_append_vals(cfg->routes, in.routes, in.n_routes);
	cfg->dns_domains = in.domains;
	for (guint i = 0; i < in.n_dns && i < L2TP_NET_MAX_DNS; i++)
		cfg->dns_servers[cfg->n_dns_servers++] = in.dns[i];
	cfg->ignore_vpn_dns = !p->use_peer_dns || p->dns_mode == L2TPVPN_DNS_OFF;
}

L2tpVpnConfig *l2tp_vpn_config_from_profile(gpointer profile, const char *plugin_path, GError **error)
{
	L2tpVpnProfile *p = profile;
	L2tpVpnConfig *cfg = l2tp_vpn_config_new();
	struct l2tp_udp_config udp;
	L2tpPppLaunch launch;

	cfg->source = p;
	cfg->source_free = profile_free;
	cfg->name = g_strdup(p->name);
	cfg->gateway = g_strdup(p->gateway);
	cfg->ipsec_enabled = p->ipsec_enabled;
	l2tpvpn_profile_ipsec_settings(p, &cfg->ipsec);
	l2tpvpn_profile_l2tp_config(p, &cfg->l2tp, &udp);
	cfg->lns_port = udp.lns_port;
	cfg->local_address = udp.local_address;
	cfg->port_policy = udp.port_policy;
	l2tpvpn_profile_ppp_launch(p, &launch);
	cfg->ppp = launch.ppp;
	cfg->ppp.plugin_path = l2tp_vpn_config_own(cfg, plugin_path);
	cfg->pppd_path = launch.pppd_path;
	cfg->ppp_user = launch.user;
	cfg->ppp_password = launch.password;
	take_net(cfg, p);
	if (!l2tp_vpn_config_validate(cfg, error)) {
		g_prefix_error(error, "profile %s: ", p->path ? p->path : p->name);
		l2tp_vpn_config_free(cfg);
		return NULL;
	}
	return cfg;
}
