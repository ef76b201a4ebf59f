// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run-state record of one connection: <run_dir>/<name>/state, "key=value"
 * lines, rewritten atomically (temporary file, fsync, rename) before the
 * resource it names is acquired, so that a crash at any point leaves a record
 * of everything that may exist. The directory is 0700 and the file 0600: it
 * names nothing secret, but the control socket next to it is root-only too.
 */
#include "orchestrator-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE "state"

char *l2tp_vpn_state_dir(const char *run_dir, const char *name)
{
	return g_build_filename(run_dir ? run_dir : L2TP_VPN_RUN_DIR, name, NULL);
}

static gboolean mkdir_private(const char *path, GError **error)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot create %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	/* Refuse a symlink or a directory someone else owns: we write state and a socket into it. */
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "%s is not a directory owned by us", path);
		return FALSE;
	}
	if ((st.st_mode & 07777) != 0700 && chmod(path, 0700) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "chmod %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean l2tp_vpn_state_dir_create(const char *state_dir, GError **error)
{
	g_autofree char *parent = g_path_get_dirname(state_dir);

	return mkdir_private(parent, error) && mkdir_private(state_dir, error);
}

static gboolean valid_record(const char *key, const char *value)
{
	for (const char *p = key; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-')
			return FALSE;
	return key[0] && (!value || (!strchr(value, '\n') && !strchr(value, '=')));
}

GHashTable *l2tp_vpn_state_read(const char *state_dir, GError **error)
{
	g_autofree char *path = g_build_filename(state_dir, STATE_FILE, NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *table;
	GError *local = NULL;

	if (!g_file_get_contents(path, &text, NULL, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_error_free(local);
			return NULL;
		}
		g_propagate_error(error, local);
		return NULL;
	}
	table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *eq = strchr(*l, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (valid_record(*l, eq + 1))
			g_hash_table_replace(table, g_strdup(*l), g_strdup(eq + 1));
	}
	return table;
}

static gboolean write_table(const char *state_dir, GHashTable *table, GError **error)
{
	g_autofree char *path = g_build_filename(state_dir, STATE_FILE, NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);

	for (GList *k = keys; k; k = k->next)
		g_string_append_printf(text, "%s=%s\n", (char *)k->data,
				       (char *)g_hash_table_lookup(table, k->data));
	return g_file_set_contents_full(path, text->str, (gssize)text->len,
					G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600,
					error);
}

gboolean l2tp_vpn_state_set(const char *state_dir, const char *key, const char *value, GError **error)
{
	g_autoptr(GHashTable) table = NULL;
	GError *local = NULL;

	if (!valid_record(key, value)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad state record %s", key);
		return FALSE;
	}
	table = l2tp_vpn_state_read(state_dir, &local);
	if (local) {
		g_propagate_error(error, local);
		return FALSE;
	}
	if (!table)
		table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (value)
		g_hash_table_replace(table, g_strdup(key), g_strdup(value));
	else
		g_hash_table_remove(table, key);
	return write_table(state_dir, table, error);
}

void l2tp_vpn_state_dir_remove(const char *state_dir)
{
	g_autoptr(GDir) dir = g_dir_open(state_dir, 0, NULL);
	const char *entry;

	/* Only our own files: client/net removes its state file itself once everything is undone, and
	 * if it could not, rmdir() fails and the record stays for the next recovery. */
	while (dir && (entry = g_dir_read_name(dir))) {
		g_autofree char *path = g_build_filename(state_dir, entry, NULL);

		if (!strcmp(entry, STATE_FILE) || !strcmp(entry, L2TP_VPN_CONTROL_SOCKET) ||
		    g_str_has_prefix(entry, STATE_FILE "."))
			unlink(path);
	}
	rmdir(state_dir);
}
