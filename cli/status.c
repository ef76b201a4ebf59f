// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn status [NAME] [--json]: the connections l2tp-vpnd hosts (over the
 * bus, any user it authorises) merged with the --foreground runs (over their
 * root-only control sockets), one entry per name, sorted.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The records of one --foreground run, or a stand-in for a run that died without cleaning up. */
static GPtrArray *query_foreground(const char *name)
{
	g_autofree char *state_dir = l2tp_vpn_state_dir(cli_globals.run_dir, name);
	GPtrArray *lines = cli_control_request(state_dir, "status", NULL);

	if (lines && lines->len && !strcmp(lines->pdata[lines->len - 1], "ok")) {
		g_ptr_array_remove_index(lines, lines->len - 1);
		g_ptr_array_insert(lines, MIN(1, (int)lines->len), g_strdup("via=foreground"));
		return lines;
	}
	if (lines)
		g_ptr_array_unref(lines);
	if (!g_file_test(state_dir, G_FILE_TEST_IS_DIR))
		return NULL;
	lines = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(lines, g_strdup_printf("name=%s", name));
	g_ptr_array_add(lines, g_strdup_printf("state=crashed (`l2tp-vpn down %s` cleans up)", name));
	return lines;
}

static void add_run_dir_names(GPtrArray *names)
{
	g_autoptr(GDir) dir = g_dir_open(cli_globals.run_dir, 0, NULL);
	const char *entry;

	while (dir && (entry = g_dir_read_name(dir)))
		if (l2tp_vpn_name_valid(entry))
			g_ptr_array_add(names, g_strdup(entry));
}

/* name → records. NULL with PERMISSION when the daemon refuses us. */
typedef GHashTable Entries;

static gboolean collect_daemon(Entries *entries, const char *only, GError **error)
{
	g_autoptr(L2tpVpnDaemonClient) client = cli_daemon_open_running();
	g_auto(GStrv) names = NULL;
	GError *local = NULL;

	if (!client)
		return TRUE;
	names = only ? g_strdupv((char *[]){(char *)only, NULL})
		     : l2tpvpn_daemon_client_list_connections(client, &local);
	for (guint i = 0; names && names[i]; i++) {
		GPtrArray *records = cli_daemon_status_records(client, names[i], &local);

		if (records)
			g_hash_table_replace(entries, g_strdup(names[i]), records);
		else if (!g_error_matches(local, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING))
			break;
		g_clear_error(&local);
	}
	if (local)
		g_propagate_error(error, local);
	return local == NULL;
}

/*
 * --foreground runs live in the run directory beside the daemon's own
 * connections (same layout): a name the daemon has active is the daemon's.
 * Only root may ask their control sockets.
 */
static void collect_foreground(Entries *entries, const char *only)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

	if (geteuid() != 0)
		return;
	if (only)
		g_ptr_array_add(names, g_strdup(only));
	else
		add_run_dir_names(names);
	for (guint i = 0; i < names->len; i++) {
		GPtrArray *daemon = g_hash_table_lookup(entries, names->pdata[i]);
		GPtrArray *records;

		if (daemon && strcmp(cli_records_state(daemon), "disconnected") != 0)
			continue;
		records = query_foreground(names->pdata[i]);
		if (records)
			g_hash_table_replace(entries, g_strdup(names->pdata[i]), records);
	}
}

static int by_name(gconstpointer a, gconstpointer b)
{
	return g_ascii_strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static char *render(Entries *entries, gboolean json, gboolean single)
{
	g_autofree gpointer *keys = g_hash_table_get_keys_as_array(entries, NULL);
	GString *out = g_string_new(NULL);
	guint n = g_hash_table_size(entries);

	qsort(keys, n, sizeof(*keys), by_name);
	for (guint i = 0; i < n; i++) {
		GPtrArray *records = g_hash_table_lookup(entries, keys[i]);
		g_autofree char *text = json ? cli_status_to_json(records) : cli_status_to_text(records);

		g_string_append_printf(out, "%s%s", json && out->len ? "," : "", text);
	}
	if (json && !single) {
		g_string_prepend_c(out, '[');
		g_string_append_c(out, ']');
	}
	if (json)
		g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

static int status_of_one(Entries *entries, const char *name, gboolean json)
{
	GPtrArray *records = g_hash_table_lookup(entries, name);
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;

	if (!records) {
		g_set_error(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "%s is not running", name);
		if (json)
			printf("null\n");
		return cli_fail(error);
	}
	text = render(entries, json, TRUE);
	printf("%s", text);
	/* The daemon remembers a connection that ended (with its last error): shown, but it is not up. */
	if (!strcmp(cli_records_state(records), "disconnected")) {
		g_set_error(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "%s is not connected", name);
		return cli_fail(error);
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON document (an object for NAME, else an array)",
	     NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[NAME] - show connections");
	g_autoptr(GHashTable) found =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) error = NULL;
	g_autofree char *name = NULL, *text = NULL;
	int code = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc > 2) {
		fprintf(stderr, "l2tp-vpn status: at most one NAME\n");
		return CLI_EXIT_USAGE;
	}
	if (argc == 2 && !(name = cli_connection_name(argv[1], &error)))
		return cli_fail(error);
	if (!collect_daemon(found, name, &error)) {
		/* Refused by the daemon: say so, but root still sees its --foreground runs. */
		if (geteuid() != 0)
			return cli_fail(error);
		fprintf(stderr, "l2tp-vpn status: l2tp-vpnd: %s\n", error->message);
	}
	collect_foreground(found, name);
	if (name)
		return status_of_one(found, name, json);
	text = render(found, json, FALSE);
	printf("%s", g_hash_table_size(found) || json ? text : "no connection is running\n");
	return 0;
}
