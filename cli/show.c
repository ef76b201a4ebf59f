// SPDX-License-Identifier: GPL-2.0-or-later
/* l2tp-vpn show NAME|PATH: the profile as the connection will use it, every secret masked. */
#include "cli.h"
#include "profile.h"

int cmd_show(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME|PATH - print a profile, secrets masked");
	g_autoptr(GError) error = NULL;
	g_autoptr(L2tpVpnProfile) profile = NULL;
	g_autofree char *text = NULL;
	int code = 0;

	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc != 2) {
		fprintf(stderr, "l2tp-vpn show: give one profile NAME or PATH\n");
		return CLI_EXIT_USAGE;
	}
	profile = l2tpvpn_profile_open(argv[1], cli_globals.profile_dir, &error);
	if (!profile)
		return cli_fail(error);
	text = l2tpvpn_profile_to_string_masked(profile);
	printf("# %s\n%s", profile->path, text);
	return 0;
}
