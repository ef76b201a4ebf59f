// SPDX-License-Identifier: GPL-2.0-or-later
/* l2tp-vpn: the subcommand dispatcher. */
#include <locale.h>
#include <string.h>

#include "config.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *description;
} commands[] = {
    {"up", cmd_up, "Connect a profile through l2tp-vpnd (--foreground: in this process)"},
    {"down", cmd_down, "Disconnect a connection, or clean up after a crashed one"},
    {"status", cmd_status, "Show connections: l2tp-vpnd's and --foreground ones (--json)"},
    {"list", cmd_list, "List profiles and whether they are connected"},
    {"show", cmd_show, "Print a profile with its secrets masked"},
    {"doctor", cmd_doctor, "Check this machine: charon, kernel modules, pppd, port 1701, DNS"},
    {"secret", cmd_secret, "Store or clear a profile's secret in your keyring (set|clear NAME [KIND])"},
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: l2tp-vpn [--run-dir DIR] [--profile-dir DIR] [--resolv-conf FILE] COMMAND [ARGS...]\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].description);
	fprintf(out,
		"\n`l2tp-vpn COMMAND --help` for the options of one command; exit codes in l2tp-vpn(8).\n");
}

/* Global options come before the command; they point the tool at test directories. */
static int parse_globals(int argc, char **argv)
{
	int i = 1;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--run-dir") && argv[i + 1][0] == '/')
			cli_globals.run_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--profile-dir"))
			cli_globals.profile_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--resolv-conf") && argv[i + 1][0] == '/')
			cli_globals.resolv_conf = argv[i + 1];
		else
			break;
		i += 2;
	}
	return i;
}

int main(int argc, char **argv)
{
	int first;

	setlocale(LC_ALL, "");
	first = parse_globals(argc, argv);
	if (first >= argc || !strcmp(argv[first], "--help") || !strcmp(argv[first], "-h") ||
	    !strcmp(argv[first], "help")) {
		usage(first >= argc ? stderr : stdout);
		return first >= argc ? CLI_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[first], "--version")) {
		printf("l2tp-vpn %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(argv[first], commands[i].name))
			return commands[i].run(argc - first, argv + first);
	fprintf(stderr, "l2tp-vpn: unknown command \"%s\"\n\n", argv[first]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
