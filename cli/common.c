// SPDX-License-Identifier: GPL-2.0-or-later
/* What every subcommand shares: global options, error reporting, option parsing. */
#include "cli.h"

CliGlobals cli_globals = {L2TP_VPN_RUN_DIR, NULL, NULL};

GError *cli_named_error(const GError *error)
{
	return error->domain == L2TP_VPN_ERROR ? g_error_copy(error) : l2tp_vpn_error_classify(error);
}

int cli_fail(const GError *error)
{
	GError *named = cli_named_error(error);
	int code = l2tp_vpn_error_exit_code(named);

	fprintf(stderr, "error %s: %s\n", l2tp_vpn_error_code_name(named->code), named->message);
	g_error_free(named);
	return code;
}

gboolean cli_parse(GOptionContext *ctx, int *argc, char ***argv, int *exit_code)
{
	g_autoptr(GError) error = NULL;

	if (g_option_context_parse(ctx, argc, argv, &error))
		return TRUE;
	fprintf(stderr, "l2tp-vpn: %s\n", error->message);
	*exit_code = CLI_EXIT_USAGE;
	return FALSE;
}
