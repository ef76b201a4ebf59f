// SPDX-License-Identifier: GPL-2.0-or-later
/* l2tp-vpn list: the profiles in /etc/l2tp-vpn and the state of each. */
#include <string.h>

#include "cli.h"
#include "profile.h"

/* The daemon's word first (it may host NAME); else the --foreground run's, else what is on disk. */
static char *state_of(L2tpVpnDaemonClient *daemon, const char *name)
{
	g_autoptr(GPtrArray) hosted = daemon ? cli_daemon_status_records(daemon, name, NULL) : NULL;
	g_autofree char *state_dir = l2tp_vpn_state_dir(cli_globals.run_dir, name);
	g_autoptr(GPtrArray) lines = NULL;

	if (hosted && strcmp(cli_records_state(hosted), "disconnected") != 0)
		return g_strdup_printf("%s (l2tp-vpnd)", cli_records_state(hosted));
	lines = cli_control_request(state_dir, "status", NULL);
	for (guint i = 0; lines && i < lines->len; i++)
		if (g_str_has_prefix(lines->pdata[i], "state="))
			return g_strdup((char *)lines->pdata[i] + strlen("state="));
	return g_strdup(g_file_test(state_dir, G_FILE_TEST_IS_DIR) ? "crashed" : "down");
}

int cmd_list(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- list profiles");
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL;
	g_autoptr(L2tpVpnDaemonClient) daemon = NULL;
	int code = 0;

	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	names = l2tpvpn_profile_list(cli_globals.profile_dir, &error);
	if (!names)
		return cli_fail(error);
	daemon = cli_daemon_open_running();
	for (char **n = names; *n; n++) {
		g_autofree char *state = state_of(daemon, *n);

		printf("%-24s %s\n", *n, state);
	}
	if (!names[0])
		printf("no profiles in %s\n",
		       cli_globals.profile_dir ? cli_globals.profile_dir : L2TPVPN_PROFILE_DIR);
	return 0;
}
