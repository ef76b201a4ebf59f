// SPDX-License-Identifier: GPL-2.0-or-later
/* Applying and undoing route/DNS plans with a crash-safe state file; see net-apply.h. */
#include "net-apply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <linux/rtnetlink.h>

#include "net-dns.h"

#define STATE_HEADER   "l2tp-vpn-net-state 1"
#define STATE_MAX_SIZE (1 << 20)

/* ---- netlink ------------------------------------------------------------ */

static struct nl_sock *route_socket(GError **error)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK,
				    "out of memory for a netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK, "rtnetlink: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

typedef struct nl_sock NlSock;
typedef struct rtnl_route RtnlRoute;
typedef struct nl_addr NlAddr;
typedef struct nl_msg NlMsg;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RtnlRoute, rtnl_route_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlAddr, nl_addr_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlMsg, nlmsg_free)

static struct rtnl_route *build_route(const L2tpNetRoute *r, int ifindex)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	g_autoptr(NlAddr) dst = nl_addr_build(AF_INET, &r->dst, 4);

	nl_addr_set_prefixlen(dst, r->plen);
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, dst);
	rtnl_route_set_table(route, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_priority(route, r->metric);
	rtnl_route_set_scope(route, r->gateway.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (r->gateway.s_addr) {
		g_autoptr(NlAddr) gw = nl_addr_build(AF_INET, &r->gateway, 4);

		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh);
	return route;
}

gboolean l2tp_net_route_add(const L2tpNetRoute *r, GError **error)
{
	g_autoptr(NlSock) sk = NULL;
	g_autoptr(RtnlRoute) route = NULL;
	unsigned int ifindex = if_nametoindex(r->ifname);
	int err;

	if (!ifindex) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NO_INTERFACE, "no interface %s", r->ifname);
		return FALSE;
	}
	sk = route_socket(error);
	if (!sk)
		return FALSE;
	route = build_route(r, (int)ifindex);
	err = rtnl_route_add(sk, route, NLM_F_EXCL);
	if (err == -NLE_EXIST) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "route exists");
		return FALSE;
	}
	if (err < 0) {
		g_autofree char *text = l2tp_net_route_to_string(r);

		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK, "cannot add route %s: %s", text,
			    nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

gboolean l2tp_net_route_del(const L2tpNetRoute *r, GError **error)
{
	g_autoptr(NlSock) sk = NULL;
	g_autoptr(RtnlRoute) route = NULL;
	unsigned int ifindex = if_nametoindex(r->ifname);
	int err;

	/* The interface is gone, and every route through it went with it. */
	if (!ifindex)
		return TRUE;
	sk = route_socket(error);
	if (!sk)
		return FALSE;
	route = build_route(r, (int)ifindex);
	err = rtnl_route_delete(sk, route, 0);
	if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR) {
		g_autofree char *text = l2tp_net_route_to_string(r);

		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK, "cannot delete route %s: %s", text,
			    nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

struct lookup {
	L2tpNetRoute *out;
	gboolean found;
};

static int on_route_reply(struct nl_msg *msg, void *data)
{
	struct lookup *lk = data;
	g_autoptr(RtnlRoute) route = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *gw;
	char name[IF_NAMESIZE];

	if (rtnl_route_parse(nlmsg_hdr(msg), &route) < 0 || rtnl_route_get_nnexthops(route) < 1)
		return NL_SKIP;
	nh = rtnl_route_nexthop_n(route, 0);
	if (!if_indextoname((unsigned)rtnl_route_nh_get_ifindex(nh), name))
		return NL_SKIP;
	g_strlcpy(lk->out->ifname, name, sizeof(lk->out->ifname));
	gw = rtnl_route_nh_get_gateway(nh);
	if (gw && nl_addr_get_family(gw) == AF_INET && nl_addr_get_len(gw) == 4)
		memcpy(&lk->out->gateway, nl_addr_get_binary_addr(gw), 4);
	lk->out->metric = rtnl_route_get_priority(route);
	lk->out->table = RT_TABLE_MAIN;
	lk->found = TRUE;
	return NL_OK;
}

gboolean l2tp_net_lookup_route(struct in_addr dst, L2tpNetRoute *out, GError **error)
{
	g_autoptr(NlSock) sk = route_socket(error);
	g_autoptr(NlMsg) msg = NULL;
	/* FIB_MATCH: the reply is the routing entry that matched (with its metric), not a cache clone. */
	struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_dst_len = 32, .rtm_flags = RTM_F_FIB_MATCH};
	struct lookup lk = {.out = out};
	int err;

	memset(out, 0, sizeof(*out));
	out->dst = dst;
	out->plen = 32;
	if (!sk)
		return FALSE;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, 4, &dst) < 0) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK,
				    "cannot build RTM_GETROUTE");
		return FALSE;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_route_reply, &lk);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	if (err == -NLE_NOADDR || err == -NLE_FAILURE || err == -NLE_NOACCESS || (err >= 0 && !lk.found)) {
		char text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &dst, text, sizeof(text));
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NO_ROUTE, "no route to %s%s%s", text,
			    err < 0 ? ": " : "", err < 0 ? nl_geterror(err) : "");
		return FALSE;
	}
	if (err < 0) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_NETLINK, "route lookup: %s",
			    nl_geterror(err));
		return FALSE;
	}
	return TRUE;
}

/* ---- state file ----------------------------------------------------------- */

static gboolean name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || name[0] == '.')
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("-_.", name[i]))
			return FALSE;
	return TRUE;
}

char *l2tp_net_state_path(const L2tpNetContext *ctx)
{
	g_autofree char *file = g_strconcat(ctx->name, ".net-state", NULL);

	return g_build_filename(ctx->run_dir, file, NULL);
}

static gboolean check_context(const L2tpNetContext *ctx, GError **error)
{
	if (!ctx->run_dir || !g_path_is_absolute(ctx->run_dir) || !name_valid(ctx->name)) {
		g_set_error_literal(error, L2TP_NET_ERROR, L2TP_NET_ERROR_INVALID,
				    "state needs an absolute run directory and a plain connection name");
		return FALSE;
	}
	return TRUE;
}

static gboolean state_error(GError **error, const char *what, const char *path)
{
	g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "%s %s: %s", what, path, g_strerror(errno));
	return FALSE;
}

/* Append one record and make it durable before the change it describes. */
static gboolean state_append(const L2tpNetContext *ctx, const char *record, GError **error)
{
	g_autofree char *path = l2tp_net_state_path(ctx);
	g_autofree char *line = NULL;
	struct stat st;
	int fd;
	gboolean fresh;

	if (g_mkdir_with_parents(ctx->run_dir, 0700) < 0)
		return state_error(error, "cannot create", ctx->run_dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return state_error(error, "cannot open", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return state_error(error, "not a regular file:", path);
	}
	fresh = st.st_size == 0;
	line = g_strconcat(fresh ? STATE_HEADER "\n" : "", record, "\n", NULL);
	if (fchmod(fd, 0600) < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) < 0) {
		close(fd);
		return state_error(error, "cannot write", path);
	}
	return close(fd) == 0 || state_error(error, "cannot write", path);
}

/* The records, oldest first; an empty array when there is no state file. */
static GPtrArray *state_read(const L2tpNetContext *ctx, GError **error)
{
	g_autofree char *path = l2tp_net_state_path(ctx);
	g_autofree char *text = NULL;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) lines = NULL;
	struct stat st;
	gsize len;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return g_steal_pointer(&records);
	if (!S_ISREG(st.st_mode) || st.st_size > STATE_MAX_SIZE || (st.st_mode & 077)) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE,
			    "refusing state file %s: not a private regular file of sane size", path);
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	if (strlen(text) != len || !g_str_has_prefix(text, STATE_HEADER "\n")) {
		g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "%s is not an l2tp-vpn state file",
			    path);
		return NULL;
	}
	lines = g_strsplit(text + strlen(STATE_HEADER "\n"), "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l)
			g_ptr_array_add(records, g_strdup(*l));
	return g_steal_pointer(&records);
}

/* Rewrite the state file with @records (or remove it when there are none). */
static gboolean state_write(const L2tpNetContext *ctx, GPtrArray *records, GError **error)
{
	g_autofree char *path = l2tp_net_state_path(ctx);
	g_autoptr(GString) text = g_string_new(STATE_HEADER "\n");

	if (records->len == 0) {
		if (g_unlink(path) < 0 && errno != ENOENT)
			return state_error(error, "cannot remove", path);
		return TRUE;
	}
	for (guint i = 0; i < records->len; i++)
		g_string_append_printf(text, "%s\n", (char *)g_ptr_array_index(records, i));
	return g_file_set_contents_full(path, text->str, (gssize)text->len, G_FILE_SET_CONTENTS_CONSISTENT,
					0600, error);
}

static gboolean state_has(const L2tpNetContext *ctx, const char *record)
{
	g_autoptr(GPtrArray) records = state_read(ctx, NULL);

	for (guint i = 0; records && i < records->len; i++)
		if (!strcmp(g_ptr_array_index(records, i), record))
			return TRUE;
	return FALSE;
}

/* Forget the last record: its change turned out not to be ours (the route already existed). */
static gboolean state_drop_last(const L2tpNetContext *ctx, GError **error)
{
	g_autoptr(GPtrArray) records = state_read(ctx, error);

	if (!records)
		return FALSE;
	if (records->len)
		g_ptr_array_remove_index(records, records->len - 1);
	return state_write(ctx, records, error);
}

/* ---- apply / undo --------------------------------------------------------- */

static gboolean apply_route(const L2tpNetContext *ctx, const L2tpNetRoute *r, GError **error)
{
	g_autofree char *text = l2tp_net_route_to_string(r);
	g_autofree char *record = g_strconcat("route ", text, NULL);
	g_autoptr(GError) err = NULL;

	if (state_has(ctx, record))
		return TRUE; /* pinned earlier by l2tp_net_pin_gateway() */
	if (!state_append(ctx, record, error))
		return FALSE;
	if (l2tp_net_route_add(r, &err))
		return TRUE;
	/* Someone else's identical route: leave it, and never delete it on undo. */
	if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_EXISTS))
		return state_drop_last(ctx, error);
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

/*
 * A second DNS change on top of one still recorded would take our own
 * resolv.conf for the user's original (and overwrite the backup): refuse it.
 */
static gboolean dns_already_applied(const L2tpNetContext *ctx, GError **error)
{
	g_autoptr(GPtrArray) records = state_read(ctx, NULL);

	for (guint i = 0; records && i < records->len; i++) {
		if (l2tp_net_dns_is_record(g_ptr_array_index(records, i))) {
			g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE,
				    "DNS of connection %s is still applied: undo it first", ctx->name);
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean record_cb(const char *record, gpointer data, GError **error)
{
	return state_append(data, record, error);
}

gboolean l2tp_net_apply(const L2tpNetContext *ctx, GArray *plan, GError **error)
{
	if (!check_context(ctx, error))
		return FALSE;
	for (guint i = 0; i < plan->len; i++) {
		const L2tpNetAction *a = &g_array_index(plan, L2tpNetAction, i);
		gboolean ok;

		if (a->type == L2TP_NET_ACTION_ROUTE)
			ok = apply_route(ctx, &a->route, error);
		else
			ok = !dns_already_applied(ctx, error) &&
			     l2tp_net_dns_apply(ctx, &a->dns, record_cb, (gpointer)ctx, error);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

gboolean l2tp_net_pin_gateway(const L2tpNetContext *ctx, struct in_addr gateway, L2tpNetRoute *underlay,
			      GError **error)
{
	L2tpNetRoute host;

	if (!check_context(ctx, error) || !l2tp_net_lookup_route(gateway, underlay, error))
		return FALSE;
	host = *underlay;
	host.dst = gateway;
	host.plen = 32;
	return apply_route(ctx, &host, error);
}

static gboolean undo_record(const L2tpNetContext *ctx, const char *record, GError **error)
{
	L2tpNetRoute r;

	if (g_str_has_prefix(record, "route "))
		return l2tp_net_route_from_string(record + 6, &r, error) && l2tp_net_route_del(&r, error);
	if (l2tp_net_dns_is_record(record))
		return l2tp_net_dns_undo(ctx, record, error);
	g_set_error(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE, "unknown state record \"%s\"", record);
	return FALSE;
}

gboolean l2tp_net_undo(const L2tpNetContext *ctx, GError **error)
{
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GPtrArray) left = NULL;
	GError *first = NULL;

	if (!check_context(ctx, error))
		return FALSE;
	records = state_read(ctx, error);
	if (!records)
		return FALSE;
	left = g_ptr_array_new_with_free_func(g_free);
	/* Newest first; a step that fails stays recorded for the next attempt. */
	for (guint i = records->len; i-- > 0;) {
		const char *record = g_ptr_array_index(records, i);
		GError *err = NULL;

		if (undo_record(ctx, record, &err)) {
			continue;
		}
		if (g_error_matches(err, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE) ||
		    g_error_matches(err, L2TP_NET_ERROR, L2TP_NET_ERROR_RESOLV_CONF_CHANGED)) {
			/* Malformed or unrestorable: retrying cannot help; report, do not keep. */
		} else {
			g_ptr_array_insert(left, 0, g_strdup(record));
		}
		if (!first)
			first = err;
		else
			g_error_free(err);
	}
	/* Keep what is still to undo; a write failure matters only if nothing else failed. */
	state_write(ctx, left, first ? NULL : &first);
	if (first) {
		g_propagate_error(error, first);
		return FALSE;
	}
	return TRUE;
}
