/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp-vpn, the command-line front end: one file per subcommand (wireguard-tools
 * style), all over the orchestrator (client/orchestrator) and the profile
 * module (client/profile). `up` asks l2tp-vpnd over the system bus by default
 * (client/daemon's client library); `up --foreground` runs the connection in
 * its own process, which answers `down` and `status` over a root-only unix
 * socket, <run_dir>/<name>/control (protocol in control.c). `down` and
 * `status` cover both kinds.
 */
#ifndef L2TP_VPN_CLI_H
#define L2TP_VPN_CLI_H

#include <stdio.h>
#include <glib.h>

#include "l2tpvpn-daemon-client.h"
#include "orchestrator.h"

/* Usage errors; everything else exits with l2tp_vpn_error_exit_code(). */
#define CLI_EXIT_USAGE 2

typedef struct {
	const char *run_dir;     /* --run-dir (tests, lab); default /run/l2tp-vpn */
	const char *profile_dir; /* --profile-dir; default /etc/l2tp-vpn */
	const char *resolv_conf; /* --resolv-conf (tests, lab): the file the "file" DNS backend rewrites */
} CliGlobals;

extern CliGlobals cli_globals;

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_secret(int argc, char **argv);

/* @error in one of the L2TP_VPN_ERROR classes (a copy, or classified). */
GError *cli_named_error(const GError *error);
/* Prints "error CLASS: message" on stderr and returns the exit code of @error. */
int cli_fail(const GError *error);
/* Parses subcommand options; on --help prints and sets *exit_code 0, on error CLI_EXIT_USAGE. */
gboolean cli_parse(GOptionContext *ctx, int *argc, char ***argv, int *exit_code);

/* ---- profiles (cli/profile.c) ----------------------------------------------- */

/* The connection name `down NAME|PATH` and `status NAME` mean (a path's base name without .conf). */
char *cli_connection_name(const char *name_or_path, GError **error);
/* Loads the profile, resolves its secrets (password_fd >= 0: --password-stdin), makes the config. */
L2tpVpnConfig *cli_load_config(const char *name_or_path, int password_fd, GError **error);
/* The no-echo prompt on /dev/tty (an L2tpVpnSecretAskFunc; user_data unused). */
L2tpVpnSecret *cli_ask_terminal(const L2tpVpnSecretRequest *request, gpointer user_data, GError **error);
/* Where our pppd plugin is: the installed one, or this build's when not installed. */
const char *cli_plugin_path(void);

/* ---- output (cli/output.c) ---------------------------------------------------- */

/* One line per finished phase: "   412 ms  ipsec           ESP transport SA up: ... (+180 ms)". */
char *cli_format_phase(const L2tpVpnEvent *event);
/* "connected l2tp-work local 10.99.0.10 peer 10.99.0.1 gateway 192.0.2.1 dns 10.20.0.53 in 2345 ms" */
char *cli_format_connected(const L2tpVpnInfo *info);
/* The line `up` prints for an event (NULL: nothing), daemon or in-process alike; @verbose: PROGRESS too. */
char *cli_format_event(const L2tpVpnEvent *event, gboolean verbose);
/* "error CLASS: message", the last line of a failed `up`. */
char *cli_format_error(const GError *error);
/* "key=value" records (the control protocol's status answer) → JSON object / human text. */
char *cli_status_to_json(GPtrArray *records);
char *cli_status_to_text(GPtrArray *records);
char *cli_json_string(const char *text);

/* ---- l2tp-vpnd (cli/daemon.c) ---------------------------------------------------- */

/* The daemon on the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured); NOT_RUNNING with a hint without a bus. */
L2tpVpnDaemonClient *cli_daemon_open(GError **error);
/* The daemon if it runs now, else NULL (status, down, list: a daemon that is not running hosts nothing). */
L2tpVpnDaemonClient *cli_daemon_open_running(void);
/* A NOT_RUNNING @error from a call that needed the daemon gets the hint to start it or use --foreground. */
void cli_daemon_explain_absent(L2tpVpnDaemonClient *client, GError **error);
/* The daemon's status records of @name with via=l2tp-vpnd, or NULL (no such connection there). */
GPtrArray *cli_daemon_status_records(L2tpVpnDaemonClient *client, const char *name, GError **error);
/* The "state" value of status records ("" if none). */
const char *cli_records_state(GPtrArray *records);

/* ---- control socket (cli/control.c) -------------------------------------------- */

typedef struct _CliControl CliControl;

/* Listens on <state_dir>/control (0600) for the running connection. */
CliControl *cli_control_start(const char *state_dir, L2tpVpnConnection *conn, GError **error);
/* Answers pending `down` requests with the final outcome and stops listening. */
void cli_control_finish(CliControl *control, const GError *outcome);
void cli_control_free(CliControl *control);

/* The status records of @conn ("key=value"), as `status` receives them. */
GPtrArray *cli_control_status_records(L2tpVpnConnection *conn);
/* One request line (status|down) → FALSE for unknown requests. */
gboolean cli_control_parse_request(const char *line, char **command);

/*
 * Client side: sends @command to <state_dir>/control and returns every line
 * of the answer (up to EOF). NOT_RUNNING when nobody listens there.
 */
GPtrArray *cli_control_request(const char *state_dir, const char *command, GError **error);

#endif
