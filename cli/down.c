// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn down NAME: asks l2tp-vpnd, when it hosts NAME, or else the running
 * `up --foreground` to disconnect, and waits until it has; with nobody
 * running, removes what a crashed run left behind.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The `up` answers "disconnecting", then "disconnected" or "error CLASS MESSAGE". */
static int report(GPtrArray *lines, const char *name)
{
	const char *last = lines->len ? lines->pdata[lines->len - 1] : "";

	if (g_str_has_prefix(last, "error permission")) {
		fprintf(stderr, "error permission: %s\n", last + strlen("error permission "));
		return l2tp_vpn_error_exit_code(&(GError){L2TP_VPN_ERROR, L2TP_VPN_ERROR_PERMISSION, NULL});
	}
	if (g_str_has_prefix(last, "error "))
		printf("%s: disconnected after a failure (%s)\n", name, last + strlen("error "));
	else if (!strcmp(last, "disconnected"))
		printf("%s: disconnected\n", name);
	else
		printf("%s: the connection ended without saying how\n", name);
	return 0;
}

static int clean_up_after_crash(const char *name, const GError *not_running)
{
	g_autoptr(GError) error = NULL;
	L2tpVpnRecovery rec;

	if (!l2tp_vpn_recover_full(cli_globals.run_dir, name, NULL, &rec, &error))
		return cli_fail(error);
	if (!rec.cleaned)
		return cli_fail(not_running);
	printf("%s: was not running; removed what a crashed run left behind\n", name);
	return 0;
}

/*
 * The daemon's connection NAME is stopped (TRUE, *@code set) or the daemon
 * does not host it (FALSE): then it may be a --foreground run.
 */
static gboolean down_in_daemon(const char *name, int *code)
{
	g_autoptr(L2tpVpnDaemonClient) client = cli_daemon_open_running();
	g_autoptr(GError) error = NULL;

	if (!client)
		return FALSE;
	if (l2tpvpn_daemon_client_disconnect(client, name, &error)) {
		printf("%s: disconnected\n", name);
		*code = 0;
		return TRUE;
	}
	if (g_error_matches(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING))
		return FALSE;
	*code = cli_fail(error);
	return TRUE;
}

int cmd_down(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME - disconnect");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	g_autofree char *name = NULL, *state_dir = NULL;
	int code = 0;

	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc != 2) {
		fprintf(stderr, "l2tp-vpn down: give one connection NAME\n");
		return CLI_EXIT_USAGE;
	}
	name = cli_connection_name(argv[1], &error);
	if (!name)
		return cli_fail(error);
	if (down_in_daemon(name, &code))
		return code;
	if (geteuid() != 0) {
		g_set_error(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_PERMISSION,
			    "l2tp-vpnd does not host %s, and only root may stop a --foreground run", name);
		return cli_fail(error);
	}
	state_dir = l2tp_vpn_state_dir(cli_globals.run_dir, name);
	lines = cli_control_request(state_dir, "down", &error);
	if (lines)
		return report(lines, name);
	return clean_up_after_crash(name, error);
}
