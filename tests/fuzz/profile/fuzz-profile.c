/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the profile parser. Any input must either fail with a
 * profile error whose message names the source, or give a profile whose
 * masked rendering (l2tp-vpn show) contains no secret and parses again into
 * the same settings. The conversions to every layer must not crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Every secret given inline comes back from the masked text as the mask itself
 * (a plain substring search would trip over a user name that happens to
 * contain the PSK).
 */
static void check_masked(const L2tpVpnProfile *p, const L2tpVpnProfile *again)
{
	for (int k = 0; k < L2TPVPN_SECRET_N_KINDS; k++) {
		if (p->secrets[k].source != again->secrets[k].source)
			abort();
		if (p->secrets[k].source == L2TPVPN_SECRET_SOURCE_INLINE &&
		    strcmp(l2tpvpn_profile_get_secret(again, k), "********") != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	L2tpVpnProfile *p = l2tpvpn_profile_load_data((const char *)data, size, "fuzz.conf", "fuzz", &error);

	if (!p) {
		if (!error || error->domain != L2TPVPN_PROFILE_ERROR ||
		    strncmp(error->message, "fuzz.conf", 9) != 0)
			abort();
		g_error_free(error);
		return 0;
	}

	char *masked = l2tpvpn_profile_to_string_masked(p);
	L2tpVpnProfile *again =
	    l2tpvpn_profile_load_data(masked, strlen(masked), "masked.conf", "fuzz", &error);
	if (!again) {
		fprintf(stderr, "masked output does not parse: %s\n%s", error->message, masked);
		abort();
	}
	check_masked(p, again);
	char *masked2 = l2tpvpn_profile_to_string_masked(again);
	/* The rendering is a fixed point. */
	if (strcmp(masked, masked2) != 0) {
		fprintf(stderr, "masked rendering not stable:\n%s\n---\n%s", masked, masked2);
		abort();
	}

	IpsecSettings s;
	struct l2tp_lac_config lac;
	struct l2tp_udp_config udp;
	L2tpPppLaunch launch;
	L2tpNetContext ctx;
	L2tpNetPlanInput in;
	struct in_addr peer[2] = {{htonl(0x0a000001)}, {0}}, storage[L2TP_NET_MAX_DNS];
	l2tpvpn_profile_ipsec_settings(p, &s);
	l2tpvpn_profile_l2tp_config(p, &lac, &udp);
	l2tpvpn_profile_ppp_launch(p, &launch);
	l2tpvpn_profile_net(p, peer, 2, storage, &ctx, &in);
	if (in.n_dns > L2TP_NET_MAX_DNS || !l2tp_ppp_ifname_valid(launch.ppp.ifname))
		abort();

	g_free(masked2);
	g_free(masked);
	l2tpvpn_profile_free(again);
	l2tpvpn_profile_free(p);
	return 0;
}
