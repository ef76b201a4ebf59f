// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn up NAME|PATH: connects and stays in the foreground until SIGINT,
 * SIGTERM or `l2tp-vpn down NAME`, then tears everything down. One line per
 * phase with elapsed milliseconds, then a "connected ..." line.
 */
#include <signal.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cli.h"

typedef struct {
	GMainLoop *loop;
	L2tpVpnConnection *conn;
	CliControl *control;
	gboolean verbose;
	GError *outcome;
} Up;

static void say(const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
}

static void on_event(L2tpVpnConnection *conn, const L2tpVpnEvent *ev, gpointer data)
{
	Up *up = data;
	g_autofree char *line = NULL;

	switch (ev->type) {
	case L2TP_VPN_EVENT_PHASE_STARTED:
		break;
	case L2TP_VPN_EVENT_PHASE_DONE:
		line = cli_format_phase(ev);
		break;
	case L2TP_VPN_EVENT_PROGRESS:
		if (up->verbose)
			line = g_strdup_printf("%6" G_GUINT64_FORMAT " ms  . %s", ev->elapsed_ms, ev->text);
		break;
	case L2TP_VPN_EVENT_CONNECTED:
		line = cli_format_connected(ev->info);
		break;
	case L2TP_VPN_EVENT_DISCONNECTING:
		line =
		    g_strdup_printf("%6" G_GUINT64_FORMAT " ms  disconnecting: %s", ev->elapsed_ms, ev->text);
		break;
	case L2TP_VPN_EVENT_DISCONNECTED:
		if (ev->error)
			line = g_strdup_printf("error %s: %s", l2tp_vpn_error_code_name(ev->error->code),
					       ev->error->message);
		else
			line = g_strdup_printf("disconnected after %" G_GUINT64_FORMAT " ms", ev->elapsed_ms);
		up->outcome = ev->error ? g_error_copy(ev->error) : NULL;
		if (up->control)
			cli_control_finish(up->control, ev->error);
		g_main_loop_quit(up->loop);
		break;
	}
	if (line)
		say(line);
}

static gboolean on_signal(gpointer data)
{
	Up *up = data;

	l2tp_vpn_connection_disconnect(up->conn);
	return G_SOURCE_CONTINUE;
}

/* Leftovers of a run that was killed go before anything else. */
static gboolean recover(L2tpVpnConfig *cfg, GError **error)
{
	L2tpVpnRecovery rec;

	if (!l2tp_vpn_recover_full(cfg->run_dir, cfg->name, cfg->ipsec.vici_uri, &rec, error))
		return FALSE;
	if (rec.cleaned)
		say("recovered: removed what a previous run of this connection left behind");
	/* The LNS may still hold the dead tunnel on our address:1701; do not walk into it. */
	if (rec.l2tp_tunnel_left_open && cfg->port_policy == L2TP_PORT_POLICY_1701_OR_EPHEMERAL) {
		cfg->port_policy = L2TP_PORT_POLICY_EPHEMERAL;
		say("recovered: the gateway may still hold the dead L2TP tunnel on port 1701: using an "
		    "ephemeral source port this time");
	}
	return TRUE;
}

static int run(L2tpVpnConfig *cfg, gboolean verbose)
{
	Up up = {.verbose = verbose};
	g_autofree char *state_dir = l2tp_vpn_state_dir(cfg->run_dir, cfg->name);
	g_autoptr(GError) error = NULL;
	int code;

	if (!recover(cfg, &error) || !l2tp_vpn_state_dir_create(state_dir, &error)) {
		l2tp_vpn_config_free(cfg);
		return cli_fail(error);
	}
	up.loop = g_main_loop_new(NULL, FALSE);
	up.conn = l2tp_vpn_connection_new(cfg, on_event, &up);
	up.control = cli_control_start(state_dir, up.conn, &error);
	if (!up.control)
		say("warning: no control socket: `down` and `status` cannot reach this run");
	g_unix_signal_add(SIGINT, on_signal, &up);
	g_unix_signal_add(SIGTERM, on_signal, &up);
	g_unix_signal_add(SIGHUP, on_signal, &up);
	l2tp_vpn_connection_start(up.conn);
	g_main_loop_run(up.loop);
	code = l2tp_vpn_error_exit_code(up.outcome);
	cli_control_free(up.control);
	l2tp_vpn_connection_free(up.conn);
	g_main_loop_unref(up.loop);
	g_clear_error(&up.outcome);
	return code;
}

int cmd_up(int argc, char **argv)
{
	gboolean foreground = FALSE, password_stdin = FALSE, verbose = FALSE;
	GOptionEntry entries[] = {
	    {"foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
	     "Stay in the foreground (the only mode until the daemon exists: `up` always does)", NULL},
	    {"password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
	     "Read secrets the profile says to ask for from stdin, one line each", NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Also print every layer's progress", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME|PATH - connect");
	g_autoptr(GError) error = NULL;
	L2tpVpnConfig *cfg;
	int code = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(
	    ctx, "Connects and runs in this process until SIGINT/SIGTERM or `l2tp-vpn down NAME`, then\n"
		 "disconnects cleanly. Without a daemon (a later release) `up` always stays in the\n"
		 "foreground; --foreground is accepted for scripts that will want it then.\n"
		 "NAME is /etc/l2tp-vpn/NAME.conf; anything with a '/' is a profile path.");
	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc != 2) {
		fprintf(stderr, "l2tp-vpn up: give one profile NAME or PATH\n");
		return CLI_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		g_set_error_literal(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_PERMISSION,
				    "l2tp-vpn up needs root (IPsec, kernel L2TP, routes)");
		return cli_fail(error);
	}
	signal(SIGPIPE, SIG_IGN);
	cfg = cli_load_config(argv[1], password_stdin ? STDIN_FILENO : -1, &error);
	if (!cfg)
		return cli_fail(error);
	cfg->run_dir = cli_globals.run_dir;
	if (cli_globals.resolv_conf)
		cfg->resolv_conf = cli_globals.resolv_conf;
	return run(cfg, verbose);
}
