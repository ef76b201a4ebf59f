// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNS backends: systemd-resolved over D-Bus (per link, routing domain "~."
 * for a full tunnel), resolvconf, or a guarded rewrite of resolv.conf.
 *
 * State records (one line each, see net-apply.c):
 *   resolved <ifindex> <ifname>
 *   resolvconf <record-name>
 *   file <kind> <target> <backup> <mode> <link-target> <sha256-of-what-we-wrote>
 *     kind: file (a regular file, original bytes in <backup>), link (a symlink
 *     to <link-target>), none (there was no file); paths URI-escaped, "-" = none.
 * The file rewrite is undone only if resolv.conf still holds exactly what we
 * wrote: someone else's newer configuration is never clobbered.
 */
#include "net-dns.h"
#include "ascii-uint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#define RESOLVED_NAME       "org.freedesktop.resolve1"
#define RESOLVED_PATH       "/org/freedesktop/resolve1"
#define RESOLVED_IFACE      "org.freedesktop.resolve1.Manager"
#define DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define MAX_RESOLV_CONF     (64 * 1024)

/* "<what> <subject>: <errno text when relevant>" */
static gboolean dns_error(GError **error, const char *what, const char *subject)
{
	int e = errno;

	g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_DNS, "%s %s%s%s", what, subject, e ? ": " : "",
		    e ? g_strerror(e) : "");
	return FALSE;
}

/* ---- systemd-resolved ---------------------------------------------------- */

static GDBusConnection *resolved_bus(void)
{
	g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, NULL);
	g_autoptr(GVariant) reply = NULL;
	gboolean has_owner = FALSE;

	if (!bus)
		return NULL;
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "NameHasOwner",
					    g_variant_new("(s)", RESOLVED_NAME), G_VARIANT_TYPE("(b)"),
					    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	if (reply)
		g_variant_get(reply, "(b)", &has_owner);
	return has_owner ? g_steal_pointer(&bus) : NULL;
}

static gboolean resolved_call(GDBusConnection *bus, const char *method, GVariant *args, GError **error)
{
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_sync(bus, RESOLVED_NAME, RESOLVED_PATH, RESOLVED_IFACE, method, args, NULL,
					G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);

	if (!reply)
		g_prefix_error(error, "systemd-resolved %s: ", method);
	return reply != NULL;
}

static GVariant *resolved_servers(const L2tpNetDns *dns, int ifindex)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(iay)"));
	for (guint i = 0; i < dns->n_servers; i++)
		g_variant_builder_add(
		    &b, "(i@ay)", AF_INET,
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, &dns->servers[i].s_addr, 4, 1));
	return g_variant_new("(ia(iay))", ifindex, &b);
}

static GVariant *resolved_domains(const L2tpNetDns *dns, int ifindex)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(sb)"));
	for (char **d = dns->domains; d && *d; d++)
		g_variant_builder_add(&b, "(sb)", *d, FALSE);
	/* "~.": route every query to this link's servers (full tunnel). */
	if (dns->default_route)
		g_variant_builder_add(&b, "(sb)", ".", TRUE);
	return g_variant_new("(ia(sb))", ifindex, &b);
}

static gboolean resolved_apply(GDBusConnection *bus, const L2tpNetDns *dns, L2tpNetRecordFunc record,
			       gpointer data, GError **error)
{
	int ifindex = (int)if_nametoindex(dns->ifname);
	g_autofree char *rec = NULL;
	g_autoptr(GError) err = NULL;

	if (!ifindex) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NO_INTERFACE, "no interface %s",
			    dns->ifname);
		return FALSE;
	}
	rec = g_strdup_printf("resolved %d %s", ifindex, dns->ifname);
	if (!record(rec, data, error) ||
	    !resolved_call(bus, "SetLinkDNS", resolved_servers(dns, ifindex), error) ||
	    !resolved_call(bus, "SetLinkDomains", resolved_domains(dns, ifindex), error))
		return FALSE;
	/* resolved >= 240; older ones decide from the domains alone. */
	if (!resolved_call(bus, "SetLinkDefaultRoute", g_variant_new("(ib)", ifindex, dns->default_route),
			   &err) &&
	    !g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	return TRUE;
}

static gboolean resolved_undo(const char *record, GError **error)
{
	g_auto(GStrv) w = g_strsplit(record, " ", -1);
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GError) err = NULL;
	guint64 ifindex;

	if (g_strv_length(w) != 3 || !l2tp_ascii_to_uint(w[1], 10, 1, G_MAXINT, &ifindex) ||
	    !l2tp_net_ifname_valid(w[2])) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "malformed record \"%s\"", record);
		return FALSE;
	}
	/* Link gone (or its index reused by another): resolved dropped our settings with it. */
	if (if_nametoindex(w[2]) != ifindex)
		return TRUE;
	bus = resolved_bus();
	if (!bus)
		return TRUE; /* resolved not running: it keeps no per-link state across restarts */
	if (resolved_call(bus, "RevertLink", g_variant_new("(i)", (int)ifindex), &err))
		return TRUE;
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

/* ---- resolv.conf text ------------------------------------------------------ */

static gboolean printable(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isprint(*s) && *s != '\t')
			return FALSE;
	return TRUE;
}

struct original {
	GPtrArray *nameservers;
	GPtrArray *search;
	GPtrArray *options;
};

/* Pick from the original only what is well-formed; the rest is dropped, not copied blindly. */
static void parse_original(const char *text, struct original *o)
{
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

	for (char **l = lines; *l; l++) {
		g_auto(GStrv) w = g_strsplit_set(g_strstrip(*l), " \t", -1);
		guchar buf[16];

		if (!w[0] || !w[1])
			continue;
		if (!strcmp(w[0], "nameserver") &&
		    (inet_pton(AF_INET, w[1], buf) == 1 || inet_pton(AF_INET6, w[1], buf) == 1))
			g_ptr_array_add(o->nameservers, g_strdup(w[1]));
		else if (!strcmp(w[0], "search") || !strcmp(w[0], "domain"))
			for (char **d = w + 1; *d; d++)
				if (l2tp_net_domain_valid(*d))
					g_ptr_array_add(o->search, g_strdup(*d));
		if (!strcmp(w[0], "options") && printable(*l))
			g_ptr_array_add(o->options, g_strjoinv(" ", w));
	}
}

char *l2tp_net_resolv_conf_render(const L2tpNetDns *dns, const char *original)
{
	struct original o = {g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
			     g_ptr_array_new_with_free_func(g_free)};
	GString *out = g_string_new(NULL);
	guint servers = 0;

	parse_original(original, &o);
	g_string_append_printf(out, "# Written by l2tp-vpn for %s; restored when the connection ends.\n",
			       dns->ifname);
	for (guint i = 0; i < dns->n_servers; i++, servers++) {
		char text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &dns->servers[i], text, sizeof(text));
		g_string_append_printf(out, "nameserver %s\n", text);
	}
	/* Split tunnel: the user's own servers stay as fallbacks (the resolver uses the first three). */
	for (guint i = 0; !dns->default_route && i < o.nameservers->len && servers < 3; i++, servers++)
		g_string_append_printf(out, "nameserver %s\n", (char *)g_ptr_array_index(o.nameservers, i));
	if ((dns->domains && dns->domains[0]) || o.search->len) {
		g_string_append(out, "search");
		for (char **d = dns->domains; d && *d; d++)
			g_string_append_printf(out, " %s", *d);
		for (guint i = 0; i < o.search->len; i++)
			g_string_append_printf(out, " %s", (char *)g_ptr_array_index(o.search, i));
		g_string_append_c(out, '\n');
	}
	for (guint i = 0; i < o.options->len; i++)
		g_string_append_printf(out, "%s\n", (char *)g_ptr_array_index(o.options, i));
	g_ptr_array_unref(o.nameservers);
	g_ptr_array_unref(o.search);
	g_ptr_array_unref(o.options);
	return g_string_free(out, FALSE);
}

/* ---- resolvconf -------------------------------------------------------------- */

static gboolean run_resolvconf(const char *const *argv, const char *input, GError **error)
{
	g_autoptr(GSubprocess) p =
	    g_subprocess_newv(argv,
			      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
				  G_SUBPROCESS_FLAGS_STDERR_PIPE,
			      error);
	g_autofree char *err_text = NULL;

	if (!p || !g_subprocess_communicate_utf8(p, input, NULL, NULL, &err_text, error))
		return FALSE;
	if (!g_subprocess_get_successful(p)) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_DNS, "%s %s failed: %s", argv[0], argv[1],
			    err_text ? g_strstrip(err_text) : "");
		return FALSE;
	}
	return TRUE;
}

static gboolean resolvconf_apply(const char *resolvconf, const L2tpNetDns *dns, L2tpNetRecordFunc record,
				 gpointer data, GError **error)
{
	g_autofree char *name = g_strconcat(dns->ifname, ".l2tp-vpn", NULL);
	g_autofree char *rec = g_strconcat("resolvconf ", name, NULL);
	g_autofree char *text = l2tp_net_resolv_conf_render(dns, NULL);
	const char *argv[] = {resolvconf, "-a", name, NULL};

	return record(rec, data, error) && run_resolvconf(argv, text, error);
}

static gboolean resolvconf_undo(const char *record, GError **error)
{
	const char *name = record + strlen("resolvconf ");
	g_autofree char *resolvconf = g_find_program_in_path("resolvconf");
	g_autofree char *ifname = NULL;
	const char *argv[] = {resolvconf, "-d", name, NULL};

	if (!g_str_has_suffix(name, ".l2tp-vpn") ||
	    !l2tp_net_ifname_valid((ifname = g_strndup(name, strlen(name) - strlen(".l2tp-vpn"))))) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "malformed record \"%s\"", record);
		return FALSE;
	}
	if (!resolvconf) {
		errno = 0;
		return dns_error(error, "resolvconf is gone; cannot remove record", name);
	}
	return run_resolvconf(argv, "", error);
}

/* ---- guarded resolv.conf rewrite ----------------------------------------------- */

static char *esc(const char *s)
{
	return s ? g_uri_escape_string(s, "/", FALSE) : g_strdup("-");
}

static char *unesc(const char *s)
{
	return strcmp(s, "-") ? g_uri_unescape_string(s, NULL) : NULL;
}

static char *sha256_of(const char *data, gsize len)
{
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
}

struct file_state {
	const char *kind; /* "file", "link", "none" */
	char *link_target;
	char *bytes;
	gsize len;
	guint mode;
};

static gboolean read_original(const char *target, struct file_state *st, GError **error)
{
	struct stat s;

	*st = (struct file_state){.kind = "none", .mode = 0644};
	if (lstat(target, &s) < 0) {
		if (errno == ENOENT)
			return TRUE;
		return dns_error(error, "cannot inspect", target);
	}
	if (S_ISLNK(s.st_mode)) {
		st->kind = "link";
		st->link_target = g_file_read_link(target, error);
		/* Read through the link too: its servers and options are the user's current ones. */
		if (st->link_target)
			g_file_get_contents(target, &st->bytes, &st->len, NULL);
		return st->link_target != NULL;
	}
	if (!S_ISREG(s.st_mode) || s.st_size > MAX_RESOLV_CONF) {
		errno = 0;
		return dns_error(error, "not a regular file of sane size:", target);
	}
	st->kind = "file";
	st->mode = s.st_mode & 07777;
	return g_file_get_contents(target, &st->bytes, &st->len, error);
}

static void file_state_clear(struct file_state *st)
{
	g_free(st->link_target);
	g_free(st->bytes);
}

/*
 * Two connections (two processes, or the daemon's two) read, rewrite and restore the one
 * resolv.conf: each such step holds an exclusive lock on the file's directory, or one of
 * them writes over what the other wrote in between and loses it (lab two-gateways: the
 * split tunnel's file kept the user's server but not the full tunnel's, written meanwhile).
 * Not the file itself: every write replaces it (rename), so a lock on it would not hold.
 */
static int lock_dir_of(const char *target)
{
	g_autofree char *dir = g_path_get_dirname(target);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	do
		rc = flock(fd, LOCK_EX);
	while (rc < 0 && errno == EINTR);
	return fd;
}

static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd);
}

static gboolean file_apply_locked(const L2tpNetContext *ctx, const char *target, const L2tpNetDns *dns,
				  L2tpNetRecordFunc record, gpointer data, GError **error);

static gboolean file_apply(const L2tpNetContext *ctx, const L2tpNetDns *dns, L2tpNetRecordFunc record,
			   gpointer data, GError **error)
{
	const char *target = ctx->resolv_conf ? ctx->resolv_conf : DEFAULT_RESOLV_CONF;
	int lock = lock_dir_of(target);
	gboolean ok = file_apply_locked(ctx, target, dns, record, data, error);

	unlock_dir(lock);
	return ok;
}

static gboolean file_apply_locked(const L2tpNetContext *ctx, const char *target, const L2tpNetDns *dns,
				  L2tpNetRecordFunc record, gpointer data, GError **error)
{
	g_autofree char *backup_name = g_strconcat(ctx->name, ".resolv.conf.orig", NULL);
	g_autofree char *backup = g_build_filename(ctx->run_dir, backup_name, NULL);
	g_autofree char *content = NULL, *sha = NULL, *rec = NULL;
	g_autofree char *e_target = esc(target), *e_backup = NULL, *e_link = NULL;
	struct file_state st;
	gboolean ok;

	if (!read_original(target, &st, error))
		return FALSE;
	if (!strcmp(st.kind, "file") &&
	    !g_file_set_contents_full(backup, st.bytes, (gssize)st.len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      error)) {
		file_state_clear(&st);
		return FALSE;
	}
	content = l2tp_net_resolv_conf_render(dns, st.bytes && strlen(st.bytes) == st.len ? st.bytes : NULL);
	sha = sha256_of(content, strlen(content));
	e_backup = esc(!strcmp(st.kind, "file") ? backup : NULL);
	e_link = esc(st.link_target);
	rec = g_strdup_printf("file %s %s %s %o %s %s", st.kind, e_target, e_backup, st.mode, e_link, sha);
	ok = record(rec, data, error) &&
	     g_file_set_contents_full(target, content, -1, G_FILE_SET_CONTENTS_CONSISTENT,
				      !strcmp(st.kind, "file") ? (int)st.mode : 0644, error);
	file_state_clear(&st);
	return ok;
}

static gboolean restore_original(const char *kind, const char *target, const char *backup, guint mode,
				 const char *link_target, GError **error)
{
	g_autofree char *bytes = NULL;
	gsize len;

	if (!strcmp(kind, "none"))
		return g_unlink(target) == 0 || dns_error(error, "cannot remove", target);
	if (!strcmp(kind, "link")) {
		if ((g_unlink(target) < 0 && errno != ENOENT) || symlink(link_target, target) < 0)
			return dns_error(error, "cannot restore the symlink", target);
		return TRUE;
	}
	if (!g_file_get_contents(backup, &bytes, &len, error) ||
	    !g_file_set_contents_full(target, bytes, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, (int)mode,
				      error))
		return FALSE;
	/* set_contents applies the mode through the umask: make it exact. */
	if (chmod(target, mode) < 0)
		return dns_error(error, "cannot restore the mode of", target);
	g_unlink(backup);
	return TRUE;
}

/* A regular file (not a link to one) whose bytes hash to @sha. */
static gboolean regular_file_holds(const char *path, const char *sha)
{
	g_autofree char *bytes = NULL, *got = NULL;
	struct stat s;
	gsize len;

	return lstat(path, &s) == 0 && S_ISREG(s.st_mode) && s.st_size <= MAX_RESOLV_CONF &&
	       g_file_get_contents(path, &bytes, &len, NULL) && !strcmp((got = sha256_of(bytes, len)), sha);
}

/* Another connection's backup in @dir ("*.resolv.conf.orig", not @own) holding @sha, or NULL. */
static char *backup_in(const char *dir, const char *own, const char *sha)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *entry;

	while (d && (entry = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, entry, NULL);

		if (g_str_has_suffix(entry, ".resolv.conf.orig") && strcmp(path, own) != 0 &&
		    regular_file_holds(path, sha))
			return g_steal_pointer(&path);
	}
	return NULL;
}

/*
 * Connections stacked on one resolv.conf: one applied after us took our rewrite
 * for its original. If we end first the file is its, not ours to restore, but
 * its backup holds our servers: hand it our original instead, so that its undo
 * brings back the user's file. Backups sit next to ours or, one directory per
 * connection (the orchestrator's run dirs), in a sibling of our directory.
 */
static gboolean hand_original_up(const char *backup, const char *sha)
{
	g_autofree char *dir = g_path_get_dirname(backup), *parent = g_path_get_dirname(dir);
	g_autofree char *above = backup_in(dir, backup, sha), *bytes = NULL;
	g_autoptr(GDir) d = above ? NULL : g_dir_open(parent, 0, NULL);
	const char *entry;
	gsize len;

	while (!above && d && (entry = g_dir_read_name(d))) {
		g_autofree char *sibling = g_build_filename(parent, entry, NULL);

		if (strcmp(sibling, dir) != 0 && g_file_test(sibling, G_FILE_TEST_IS_DIR))
			above = backup_in(sibling, backup, sha);
	}
	if (!above || !g_file_get_contents(backup, &bytes, &len, NULL) ||
	    !g_file_set_contents_full(above, bytes, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
		return FALSE;
	g_unlink(backup);
	return TRUE;
}

static gboolean file_undo(const char *record, GError **error)
{
	g_auto(GStrv) w = g_strsplit(record, " ", -1);
	g_autofree char *target = NULL, *backup = NULL, *link_target = NULL, *current = NULL, *sha = NULL;
	gsize len = 0;
	guint64 mode;
	struct stat s;
	gboolean ok;
	int lock;

	if (g_strv_length(w) != 7 || (strcmp(w[1], "file") && strcmp(w[1], "link") && strcmp(w[1], "none")) ||
	    !(target = unesc(w[2])) || !g_path_is_absolute(target) ||
	    !l2tp_ascii_to_uint(w[4], 8, 0, 07777, &mode) || strlen(w[6]) != 64 ||
	    (!strcmp(w[1], "file") && (!(backup = unesc(w[3])) || !g_path_is_absolute(backup))) ||
	    (!strcmp(w[1], "link") && !(link_target = unesc(w[5])))) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "malformed record \"%s\"", record);
		return FALSE;
	}
	lock = lock_dir_of(target);
	if (lstat(target, &s) < 0 || !S_ISREG(s.st_mode) ||
	    !g_file_get_contents(target, &current, &len, NULL) ||
	    strcmp((sha = sha256_of(current, len)), w[6]) != 0) {
		ok = backup && hand_original_up(backup, w[6]);
		if (!ok)
			g_set_error(
			    error, L2TP_NET_ERROR, L2TP_NET_ERROR_RESOLV_CONF_CHANGED,
			    "%s was changed by someone else after l2tp-vpn wrote it; left as it is%s%s",
			    target, backup ? ", the original is in " : "", backup ? backup : "");
	} else {
		ok = restore_original(w[1], target, backup, (guint)mode, link_target, error);
	}
	unlock_dir(lock);
	return ok;
}

/* ---- dispatch ------------------------------------------------------------------ */

struct L2tpNetDnsProbe {
	L2tpNetDnsBackend backend;
	GDBusConnection *resolved; /* systemd-resolved runs */
	char *resolvconf;          /* else resolvconf's path, if installed and allowed */
};

L2tpNetDnsProbe *l2tp_net_dns_probe(L2tpNetDnsBackend backend)
{
	L2tpNetDnsProbe *probe = g_new0(L2tpNetDnsProbe, 1);

	probe->backend = backend;
	if (backend == L2TP_NET_DNS_AUTO || backend == L2TP_NET_DNS_RESOLVED)
		probe->resolved = resolved_bus();
	if (!probe->resolved && (backend == L2TP_NET_DNS_AUTO || backend == L2TP_NET_DNS_RESOLVCONF))
		probe->resolvconf = g_find_program_in_path("resolvconf");
	return probe;
}

void l2tp_net_dns_probe_free(L2tpNetDnsProbe *probe)
{
	if (!probe)
		return;
	g_clear_object(&probe->resolved);
	g_free(probe->resolvconf);
	g_free(probe);
}

gboolean l2tp_net_dns_apply(const L2tpNetContext *ctx, const L2tpNetDns *dns, L2tpNetRecordFunc record,
			    gpointer data, GError **error)
{
	L2tpNetDnsBackend backend = ctx->dns_backend;
	g_autoptr(L2tpNetDnsProbe) own = NULL;
	const L2tpNetDnsProbe *probe = ctx->dns_probe;

	if (backend == L2TP_NET_DNS_NONE || dns->n_servers == 0)
		return TRUE;
	if (!probe || probe->backend != backend)
		probe = own = l2tp_net_dns_probe(backend);
	if (probe->resolved)
		return resolved_apply(probe->resolved, dns, record, data, error);
	if (backend == L2TP_NET_DNS_RESOLVED) {
		errno = 0;
		return dns_error(error, "not running:", "systemd-resolved");
	}
	if (probe->resolvconf)
		return resolvconf_apply(probe->resolvconf, dns, record, data, error);
	if (backend == L2TP_NET_DNS_RESOLVCONF) {
		errno = 0;
		return dns_error(error, "not installed:", "resolvconf");
	}
	return file_apply(ctx, dns, record, data, error);
}

gboolean l2tp_net_dns_is_record(const char *record)
{
	return g_str_has_prefix(record, "resolved ") || g_str_has_prefix(record, "resolvconf ") ||
	       g_str_has_prefix(record, "file ");
}

gboolean l2tp_net_dns_undo(const L2tpNetContext *ctx, const char *record, GError **error)
{
	if (g_str_has_prefix(record, "resolved "))
		return resolved_undo(record, error);
	if (g_str_has_prefix(record, "resolvconf "))
		return resolvconf_undo(record, error);
	return file_undo(record, error);
}
