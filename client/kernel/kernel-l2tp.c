// SPDX-License-Identifier: GPL-2.0-or-later
/* L2TP generic netlink: tunnels, sessions, statistics; see kernel-l2tp.h. */
#include "kernel-l2tp.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/l2tp.h>

GQuark l2tp_kernel_error_quark(void)
{
	return g_quark_from_static_string("l2tp-vpn-kernel-error-quark");
}

struct _L2tpKernel {
	struct nl_sock *sk;
	int family;
};

static const char *const l2tp_modules[] = {"l2tp_ppp", "l2tp_netlink", "l2tp_core",
					   "pppox",    "ppp_generic",  NULL};

/* ---- diagnostics for a missing family -------------------------------------- */

static gboolean is_l2tp_module(const char *name)
{
	g_autofree char *norm = g_strdup(name);

	/* modprobe treats '-' and '_' in module names alike */
	g_strdelimit(norm, "-", '_');
	return g_strv_contains(l2tp_modules, norm);
}

/* "blacklist MOD", or "install MOD /bin/false" (and /bin/true), which disables it just as well. */
static gboolean line_disables(char *line)
{
	g_auto(GStrv) w = g_strsplit_set(g_strstrip(line), " \t", -1);
	g_autofree char *rest = NULL;

	if (!w[0] || !w[1] || !is_l2tp_module(w[1]))
		return FALSE;
	if (!strcmp(w[0], "blacklist"))
		return TRUE;
	if (strcmp(w[0], "install") || !w[2])
		return FALSE;
	rest = g_strjoinv(" ", w + 2);
	return strstr(rest, "/bin/false") || strstr(rest, "/bin/true");
}

static void scan_file(const char *path, GPtrArray *hits)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, NULL) || len > (1 << 20) || strlen(text) != len)
		return;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_autofree char *copy = g_strdup(*l);

		if (line_disables(copy))
			g_ptr_array_add(hits, g_strdup_printf("%s: %s", path, g_strstrip(*l)));
	}
}

/* g_ptr_array_sort hands us pointers to the elements. */
static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GStrv l2tp_kernel_find_blacklists(const char *root)
{
	static const char *const dirs[] = {"etc/modprobe.d",     "run/modprobe.d", "usr/local/lib/modprobe.d",
					   "usr/lib/modprobe.d", "lib/modprobe.d", NULL};
	GPtrArray *hits = g_ptr_array_new();

	for (const char *const *d = dirs; *d; d++) {
		g_autofree char *dir_path = g_build_filename(root, *d, NULL);
		g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		const char *name;

		while (dir && (name = g_dir_read_name(dir)))
			if (g_str_has_suffix(name, ".conf"))
				g_ptr_array_add(names, g_strdup(name));
		/* modprobe reads them in name order; report them the same way */
		g_ptr_array_sort(names, compare_names);
		for (guint i = 0; i < names->len; i++) {
			g_autofree char *path = g_build_filename(dir_path, g_ptr_array_index(names, i), NULL);

			scan_file(path, hits);
		}
	}
	g_ptr_array_add(hits, NULL);
	return (GStrv)g_ptr_array_free(hits, FALSE);
}

char *l2tp_kernel_missing_message(const char *root, const char *modprobe_result)
{
	g_auto(GStrv) hits = l2tp_kernel_find_blacklists(root);
	GString *msg =
	    g_string_new("The kernel's L2TP interface is missing (generic netlink family \"l2tp\" not "
			 "found): l2tp-vpn needs the kernel modules l2tp_netlink and l2tp_ppp (they bring "
			 "l2tp_core, pppox and ppp_generic).");

	if (modprobe_result)
		g_string_append_printf(msg, " %s.", modprobe_result);
	if (hits[0]) {
		g_autofree char *list = g_strjoinv("; ", hits);

		g_string_append_printf(
		    msg,
		    " They are blacklisted in %s. Fedora and RHEL ship such files (package "
		    "kernel-modules-extra): remove them, or load the modules explicitly as root with "
		    "`modprobe l2tp_netlink l2tp_ppp`.",
		    list);
	} else {
		g_string_append(
		    msg, " Fedora and RHEL blacklist these modules by default (/etc/modprobe.d/"
			 "l2tp_netlink-blacklist.conf, l2tp_ppp-blacklist.conf); an explicit `modprobe "
			 "l2tp_netlink l2tp_ppp` as root still loads them.");
	}
	g_string_append(
	    msg, " A kernel built without CONFIG_L2TP, CONFIG_L2TP_V3 and CONFIG_PPPOL2TP cannot do it "
		 "at all.");
	return g_string_free(msg, FALSE);
}

static char *find_modprobe(void)
{
	static const char *const fixed[] = {"/usr/sbin/modprobe", "/sbin/modprobe", NULL};
	char *path = g_find_program_in_path("modprobe");

	for (const char *const *p = fixed; !path && *p; p++)
		if (g_file_test(*p, G_FILE_TEST_IS_EXECUTABLE))
			path = g_strdup(*p);
	return path;
}

/* Try to load the modules; returns a sentence describing what happened. */
static char *run_modprobe(void)
{
	g_autofree char *modprobe = find_modprobe();
	g_autofree char *err_text = NULL;
	g_autoptr(GError) error = NULL;
	int status = 0;

	if (!modprobe)
		return g_strdup("modprobe is not installed, so nothing was loaded");
	{
		char *argv[] = {modprobe, "-a", "l2tp_netlink", "l2tp_ppp", NULL};

		if (!g_spawn_sync("/", argv, (char *[]){"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL},
				  G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text, &status, &error))
			return g_strdup_printf("running modprobe failed: %s", error->message);
	}
	if (g_spawn_check_wait_status(status, NULL))
		return NULL;
	if (err_text)
		g_strdelimit(g_strstrip(err_text), "\n", ';');
	return g_strdup_printf("`modprobe -a l2tp_netlink l2tp_ppp` failed: %s",
			       err_text && *err_text ? err_text : "no message");
}

/* ---- netlink plumbing --------------------------------------------------------- */

static void set_nl_error(GError **error, int nlerr, const char *what)
{
	L2tpKernelError code;

	switch (-nlerr) {
	case NLE_EXIST:
		code = L2TP_KERNEL_ERROR_EXISTS;
		break;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOADDR:
	case NLE_NODEV: /* the l2tp family answers ENODEV for an unknown tunnel or session */
		code = L2TP_KERNEL_ERROR_NOT_FOUND;
		break;
	case NLE_PERM:
	case NLE_NOACCESS:
		code = L2TP_KERNEL_ERROR_PERMISSION;
		break;
	case NLE_INVAL:
	case NLE_RANGE:
	case NLE_BAD_SOCK:
		code = L2TP_KERNEL_ERROR_INVALID;
		break;
	default:
		code = L2TP_KERNEL_ERROR_NETLINK;
	}
	g_set_error(error, L2TP_KERNEL_ERROR, code, "%s: %s%s", what, nl_geterror(nlerr),
		    code == L2TP_KERNEL_ERROR_PERMISSION ? " (CAP_NET_ADMIN is needed)" : "");
}

static int resolve_family(struct nl_sock *sk)
{
	return genl_ctrl_resolve(sk, L2TP_GENL_NAME);
}

L2tpKernel *l2tp_kernel_open(guint flags, GError **error)
{
	g_autoptr(L2tpKernel) k = g_new0(L2tpKernel, 1);
	g_autofree char *modprobe_result = NULL;
	int err;

	k->sk = nl_socket_alloc();
	if (!k->sk) {
		g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NETLINK, "out of memory");
		return NULL;
	}
	err = genl_connect(k->sk);
	if (err < 0) {
		set_nl_error(error, err, "generic netlink");
		return NULL;
	}
	k->family = resolve_family(k->sk);
	if (k->family == -NLE_OBJ_NOTFOUND && !(flags & L2TP_KERNEL_OPEN_NO_MODPROBE)) {
		modprobe_result = run_modprobe();
		k->family = resolve_family(k->sk);
	}
	if (k->family == -NLE_OBJ_NOTFOUND) {
		g_autofree char *msg = l2tp_kernel_missing_message("/", modprobe_result);

		g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_MODULE_MISSING, msg);
		return NULL;
	}
	if (k->family < 0) {
		set_nl_error(error, k->family, "resolving the genl family \"l2tp\"");
		return NULL;
	}
	return g_steal_pointer(&k);
}

void l2tp_kernel_close(L2tpKernel *k)
{
	if (!k)
		return;
	if (k->sk)
		nl_socket_free(k->sk);
	g_free(k);
}

static struct nl_msg *new_request(L2tpKernel *k, guint8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0, NLM_F_REQUEST, cmd,
				L2TP_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Send @msg (consumed) and wait for the kernel's verdict. */
static gboolean transact(L2tpKernel *k, struct nl_msg *msg, int put_err, const char *what, GError **error)
{
	int err;

	if (!msg || put_err < 0) {
		nlmsg_free(msg);
		g_set_error(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NETLINK,
			    "%s: cannot build the request", what);
		return FALSE;
	}
	err = nl_send_sync(k->sk, msg);
	if (err < 0) {
		set_nl_error(error, err, what);
		return FALSE;
	}
	return TRUE;
}

static gboolean id_ok(guint32 id)
{
	return id > 0 && id <= 0xffff;
}

static gboolean check_ids(guint32 a, guint32 b, GError **error)
{
	if (id_ok(a) && id_ok(b))
		return TRUE;
	g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_INVALID,
			    "L2TPv2 tunnel and session ids are 1..65535");
	return FALSE;
}

static gboolean udp_socket_ok(int fd)
{
	int type = 0, proto = 0;
	socklen_t len = sizeof(type);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_DGRAM)
		return FALSE;
	len = sizeof(proto);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_UDP;
}

/* ---- commands -------------------------------------------------------------------- */

gboolean l2tp_kernel_tunnel_create(L2tpKernel *k, guint32 tunnel_id, guint32 peer_tunnel_id, int udp_fd,
				   GError **error)
{
	struct nl_msg *msg;
	int err = 0;

	if (!check_ids(tunnel_id, peer_tunnel_id, error))
		return FALSE;
	if (!udp_socket_ok(udp_fd)) {
		g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_INVALID,
				    "the tunnel needs our UDP socket (SOCK_DGRAM, IPPROTO_UDP)");
		return FALSE;
	}
	msg = new_request(k, L2TP_CMD_TUNNEL_CREATE);
	if (msg) {
		err |= nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
		err |= nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id);
		err |= nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, 2);
		err |= nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
		/* Managed tunnel: the kernel uses our socket (looked up in our fd table). */
		err |= nla_put_u32(msg, L2TP_ATTR_FD, (guint32)udp_fd);
	}
	return transact(k, msg, err, "creating the kernel L2TP tunnel", error);
}

gboolean l2tp_kernel_tunnel_delete(L2tpKernel *k, guint32 tunnel_id, GError **error)
{
	g_autoptr(GError) err = NULL;
	struct nl_msg *msg;
	int put = 0;

	if (!check_ids(tunnel_id, tunnel_id, error))
		return FALSE;
	msg = new_request(k, L2TP_CMD_TUNNEL_DELETE);
	if (msg)
		put = nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
	if (transact(k, msg, put, "deleting the kernel L2TP tunnel", &err))
		return TRUE;
	/* Deleting is idempotent: gone already is fine. */
	if (g_error_matches(err, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND))
		return TRUE;
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

/*
 * A GET: the kernel answers with the object (on_reply sets *found) and then the ACK, in two
 * reads; nl_send_sync() would stop after the object and leave the ACK for the next request to
 * take as its own answer. Consumes msg; returns 0 or libnl's (negative) error.
 */
static int get_object(L2tpKernel *k, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_reply, void *reply,
		      const gboolean *found)
{
	int err;

	nl_socket_modify_cb(k->sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, reply);
	err = nl_send_auto(k->sk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs_default(k->sk);
	if (err >= 0 && *found)
		err = nl_wait_for_ack(k->sk);
	nl_socket_modify_cb(k->sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	return err < 0 ? err : 0;
}

static int on_tunnel_reply(struct nl_msg *msg, void *data)
{
	*(gboolean *)data = TRUE;
	return NL_OK;
}

gboolean l2tp_kernel_tunnel_exists(L2tpKernel *k, guint32 tunnel_id, GError **error)
{
	g_autoptr(GError) err = NULL;
	gboolean found = FALSE;
	struct nl_msg *msg;
	int rc;

	if (!check_ids(tunnel_id, tunnel_id, error))
		return FALSE;
	msg = new_request(k, L2TP_CMD_TUNNEL_GET);
	if (!msg || nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0) {
		nlmsg_free(msg);
		g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NETLINK,
				    "cannot build TUNNEL_GET");
		return FALSE;
	}
	rc = get_object(k, msg, on_tunnel_reply, &found, &found);
	if (rc == 0)
		return found;
	set_nl_error(&err, rc, "looking up a kernel L2TP tunnel");
	if (!g_error_matches(err, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND))
		g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

gboolean l2tp_kernel_session_create(L2tpKernel *k, guint32 tunnel_id, guint32 session_id,
				    guint32 peer_session_id, GError **error)
{
	struct nl_msg *msg;
	int err = 0;

	if (!check_ids(tunnel_id, session_id, error) || !check_ids(peer_session_id, peer_session_id, error))
		return FALSE;
	msg = new_request(k, L2TP_CMD_SESSION_CREATE);
	if (msg) {
		err |= nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
		err |= nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id);
		err |= nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, peer_session_id);
		err |= nla_put_u16(msg, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	}
	return transact(k, msg, err, "creating the kernel L2TP session", error);
}

gboolean l2tp_kernel_session_delete(L2tpKernel *k, guint32 tunnel_id, guint32 session_id, GError **error)
{
	g_autoptr(GError) err = NULL;
	struct nl_msg *msg;
	int put = 0;

	if (!check_ids(tunnel_id, session_id, error))
		return FALSE;
	msg = new_request(k, L2TP_CMD_SESSION_DELETE);
	if (msg) {
		put |= nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id);
		put |= nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id);
	}
	if (transact(k, msg, put, "deleting the kernel L2TP session", &err))
		return TRUE;
	if (g_error_matches(err, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND))
		return TRUE;
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}

struct stats_reply {
	L2tpKernelStats *out;
	gboolean found;
};

static guint64 stat_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

static int on_session_reply(struct nl_msg *msg, void *data)
{
	static struct nla_policy top_policy[L2TP_ATTR_MAX + 1] = {
	    [L2TP_ATTR_STATS] = {.type = NLA_NESTED},
	};
	static struct nla_policy stats_policy[L2TP_ATTR_STATS_MAX + 1] = {
	    [L2TP_ATTR_TX_PACKETS] = {.type = NLA_U64},     [L2TP_ATTR_TX_BYTES] = {.type = NLA_U64},
	    [L2TP_ATTR_TX_ERRORS] = {.type = NLA_U64},      [L2TP_ATTR_RX_PACKETS] = {.type = NLA_U64},
	    [L2TP_ATTR_RX_BYTES] = {.type = NLA_U64},       [L2TP_ATTR_RX_SEQ_DISCARDS] = {.type = NLA_U64},
	    [L2TP_ATTR_RX_OOS_PACKETS] = {.type = NLA_U64}, [L2TP_ATTR_RX_ERRORS] = {.type = NLA_U64},
	};
	struct stats_reply *r = data;
	struct nlattr *tb[L2TP_ATTR_MAX + 1];
	struct nlattr *st[L2TP_ATTR_STATS_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, L2TP_ATTR_MAX, top_policy) < 0 || !tb[L2TP_ATTR_STATS] ||
	    nla_parse_nested(st, L2TP_ATTR_STATS_MAX, tb[L2TP_ATTR_STATS], stats_policy) < 0)
		return NL_SKIP;
	*r->out = (L2tpKernelStats){
	    .tx_packets = stat_u64(st, L2TP_ATTR_TX_PACKETS),
	    .tx_bytes = stat_u64(st, L2TP_ATTR_TX_BYTES),
	    .tx_errors = stat_u64(st, L2TP_ATTR_TX_ERRORS),
	    .rx_packets = stat_u64(st, L2TP_ATTR_RX_PACKETS),
	    .rx_bytes = stat_u64(st, L2TP_ATTR_RX_BYTES),
	    .rx_errors = stat_u64(st, L2TP_ATTR_RX_ERRORS),
	    .rx_seq_discards = stat_u64(st, L2TP_ATTR_RX_SEQ_DISCARDS),
	    .rx_oos_packets = stat_u64(st, L2TP_ATTR_RX_OOS_PACKETS),
	};
	r->found = TRUE;
	return NL_OK;
}

gboolean l2tp_kernel_session_stats(L2tpKernel *k, guint32 tunnel_id, guint32 session_id, L2tpKernelStats *out,
				   GError **error)
{
	struct stats_reply reply = {.out = out};
	struct nl_msg *msg;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!check_ids(tunnel_id, session_id, error))
		return FALSE;
	msg = new_request(k, L2TP_CMD_SESSION_GET);
	if (!msg || nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id) < 0) {
		nlmsg_free(msg);
		g_set_error_literal(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NETLINK,
				    "cannot build SESSION_GET");
		return FALSE;
	}
	err = get_object(k, msg, on_session_reply, &reply, &reply.found);
	if (err < 0) {
		set_nl_error(error, err, "reading L2TP session statistics");
		return FALSE;
	}
	if (!reply.found) {
		g_set_error(error, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND,
			    "no statistics for tunnel %u session %u", tunnel_id, session_id);
		return FALSE;
	}
	return TRUE;
}
