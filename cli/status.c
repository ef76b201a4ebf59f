// SPDX-License-Identifier: GPL-2.0-or-later
/* l2tp-vpn status [NAME] [--json]: what the running connections report over their control sockets. */
#include <string.h>

#include "cli.h"

/* The records of one connection, or a stand-in for a run that died without cleaning up. */
static GPtrArray *query(const char *name)
{
	g_autofree char *state_dir = l2tp_vpn_state_dir(cli_globals.run_dir, name);
	GPtrArray *lines = cli_control_request(state_dir, "status", NULL);

	if (lines && lines->len && !strcmp(lines->pdata[lines->len - 1], "ok")) {
		g_ptr_array_remove_index(lines, lines->len - 1);
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

static GPtrArray *running_names(void)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) dir = g_dir_open(cli_globals.run_dir, 0, NULL);
	const char *entry;

	while (dir && (entry = g_dir_read_name(dir)))
		if (l2tp_vpn_name_valid(entry))
			g_ptr_array_add(names, g_strdup(entry));
	g_ptr_array_sort(names, (GCompareFunc)g_ascii_strcasecmp);
	return names;
}

int cmd_status(int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON document (an object for NAME, else an array)",
	     NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[NAME] - show running connections");
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	int code = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (argc > 2) {
		fprintf(stderr, "l2tp-vpn status: at most one NAME\n");
		return CLI_EXIT_USAGE;
	}
	if (argc == 2) {
		g_autofree char *name = cli_connection_name(argv[1], &error);

		if (!name)
			return cli_fail(error);
		names = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(names, g_steal_pointer(&name));
	} else {
		names = running_names();
	}
	for (guint i = 0; i < names->len; i++) {
		g_autoptr(GPtrArray) records = query(names->pdata[i]);
		g_autofree char *text = NULL;

		if (!records)
			continue;
		text = json ? cli_status_to_json(records) : cli_status_to_text(records);
		g_string_append_printf(out, "%s%s", json && out->len ? "," : "", text);
	}
	if (argc == 2 && !out->len) {
		g_set_error(&error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_NOT_RUNNING, "%s is not running",
			    (char *)names->pdata[0]);
		if (json)
			printf("null\n");
		return cli_fail(error);
	}
	if (json)
		printf(argc == 2 ? "%s\n" : "[%s]\n", out->str);
	else
		printf("%s", out->len ? out->str : "no connection is running\n");
	return 0;
}
