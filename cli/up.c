// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn up NAME|PATH: connects through l2tp-vpnd and returns once up, or
 * with --foreground connects in this process and stays until SIGINT, SIGTERM
 * or `l2tp-vpn down NAME`, then tears everything down. Both print one line
 * per phase with elapsed milliseconds, then a "connected ..." line, with the
 * same code (cli_format_event).
 */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cli.h"
#include "profile.h"

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
	g_autofree char *line = cli_format_event(ev, up->verbose);

	if (ev->type == L2TP_VPN_EVENT_DISCONNECTED) {
		up->outcome = ev->error ? g_error_copy(ev->error) : NULL;
		if (up->control)
			cli_control_finish(up->control, ev->error);
		g_main_loop_quit(up->loop);
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

/* ---- through l2tp-vpnd ------------------------------------------------------------------------- */

typedef struct {
	gboolean verbose;
	gboolean started;   /* a phase began: failures are the connection's, reported like --foreground */
	gboolean connected; /* the connected line is out */
} DaemonUp;

static void on_daemon_event(const L2tpVpnEvent *ev, gpointer data)
{
	DaemonUp *up = data;
	g_autofree char *line = NULL;

	/* The daemon's events carry no error: the outcome is connect()'s, printed once below. */
	if (ev->type == L2TP_VPN_EVENT_DISCONNECTED)
		return;
	up->started = TRUE;
	up->connected |= ev->type == L2TP_VPN_EVENT_CONNECTED;
	line = cli_format_event(ev, up->verbose);
	if (line)
		say(line);
}

/*
 * l2tp-vpnd knows its profiles by name, in its own directory: a path is accepted
 * only when it names one of them (NAME.conf straight inside the profile
 * directory); any other profile file runs with --foreground.
 */
static char *daemon_profile_name(const char *arg, GError **error)
{
	const char *dir = cli_globals.profile_dir ? cli_globals.profile_dir : L2TPVPN_PROFILE_DIR;
	g_autofree char *name = cli_connection_name(arg, error);
	g_autofree char *parent = NULL, *real_parent = NULL, *real_dir = NULL;

	if (!name || !strchr(arg, '/'))
		return g_steal_pointer(&name);
	parent = g_path_get_dirname(arg);
	real_parent = realpath(parent, NULL);
	real_dir = realpath(dir, NULL);
	if (g_str_has_suffix(arg, L2TPVPN_PROFILE_SUFFIX) && real_parent && real_dir &&
	    !strcmp(real_parent, real_dir))
		return g_steal_pointer(&name);
	g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG,
		    "%s: l2tp-vpnd connects only the profiles in %s (by NAME); run a profile file from "
		    "elsewhere with `l2tp-vpn up --foreground %s` (root), or install it there",
		    arg, dir, arg);
	return NULL;
}

/* Connect was answered at once: it was already up. Say so with the usual line. */
static void say_already_connected(L2tpVpnDaemonClient *client, const char *name)
{
	g_autoptr(GVariant) props = l2tpvpn_daemon_client_status(client, name, NULL);
	L2tpVpnInfo info;
	g_autofree char *line = NULL;

	if (!props || !l2tpvpn_daemon_client_info_from_status(props, &info))
		return;
	line = cli_format_connected(&info);
	printf("already %s\n", line);
	fflush(stdout);
}

static int run_in_daemon(const char *arg, gboolean password_stdin, gboolean verbose)
{
	g_autoptr(GError) error = NULL, named = NULL;
	g_autoptr(L2tpVpnDaemonClient) client = NULL;
	g_autofree char *name = daemon_profile_name(arg, &error);
	g_autofree char *line = NULL;
	DaemonUp up = {.verbose = verbose};
	L2tpVpnDaemonConnectOptions options = {
	    .progress = on_daemon_event,
	    .progress_data = &up,
	    /* --password-stdin is explicit: it alone answers (scripts get what they pass). */
	    .use_keyring = !password_stdin,
	    .ask = password_stdin ? l2tpvpn_secret_ask_fd : cli_ask_terminal,
	    .ask_data = password_stdin ? GINT_TO_POINTER(STDIN_FILENO) : NULL,
	    .disconnect_on_signal = TRUE,
	};

	if (!name)
		return cli_fail(error);
	client = cli_daemon_open(&error);
	if (!client)
		return cli_fail(error);
	if (l2tpvpn_daemon_client_connect(client, name, &options, &error)) {
		if (!up.connected)
			say_already_connected(client, name);
		return 0;
	}
	cli_daemon_explain_absent(client, &error);
	if (!up.started)
		return cli_fail(error);
	/* As --foreground ends a failed run: the error as the last line of the progress. */
	named = cli_named_error(error);
	line = cli_format_error(named);
	say(line);
	return l2tp_vpn_error_exit_code(named);
}

/* ---- in this process (--foreground) ----------------------------------------------------------------- */

static int run_in_foreground(const char *arg, gboolean password_stdin, gboolean verbose)
{
	g_autoptr(GError) error = NULL;
	L2tpVpnConfig *cfg;

	if (geteuid() != 0) {
		g_set_error_literal(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_PERMISSION,
				    "l2tp-vpn up --foreground needs root (IPsec, kernel L2TP, routes); "
				    "without it, l2tp-vpnd connects for you");
		return cli_fail(error);
	}
	signal(SIGPIPE, SIG_IGN);
	cfg = cli_load_config(arg, password_stdin ? STDIN_FILENO : -1, &error);
	if (!cfg)
		return cli_fail(error);
	cfg->run_dir = cli_globals.run_dir;
	if (cli_globals.resolv_conf)
		cfg->resolv_conf = cli_globals.resolv_conf;
	return run(cfg, verbose);
}

int cmd_up(int argc, char **argv)
{
	gboolean foreground = FALSE, password_stdin = FALSE, verbose = FALSE;
	GOptionEntry entries[] = {
	    {"foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
	     "Run the connection in this process (root) instead of l2tp-vpnd", NULL},
	    {"password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
	     "Read the secrets that must be asked for from stdin, one line each", NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Also print every layer's progress", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("NAME|PATH - connect");
	int code = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(
	    ctx, "Asks l2tp-vpnd (system bus) to connect NAME, prints its progress and returns once\n"
		 "connected; the connection stays up in the daemon until `l2tp-vpn down NAME`.\n"
		 "Secrets the daemon lacks come from your keyring (`l2tp-vpn secret set`), else a prompt,\n"
		 "or from stdin with --password-stdin.\n"
		 "--foreground connects in this process instead (root) and stays until SIGINT/SIGTERM or\n"
		 "`l2tp-vpn down NAME`; only it runs profile files from outside /etc/l2tp-vpn.\n"
		 "NAME is /etc/l2tp-vpn/NAME.conf; anything with a '/' is a profile path.");
	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc != 2) {
		fprintf(stderr, "l2tp-vpn up: give one profile NAME or PATH\n");
		return CLI_EXIT_USAGE;
	}
	if (foreground)
		return run_in_foreground(argv[1], password_stdin, verbose);
	return run_in_daemon(argv[1], password_stdin, verbose);
}
