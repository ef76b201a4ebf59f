// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crash recovery: what a killed run recorded under <run_dir>/<name>/ is
 * removed before anything else happens, in teardown order: pppd (its exit
 * releases the PPPoX session and the interface), the kernel session and
 * tunnel, routes and DNS (client/net's own state file), then charon's conn,
 * SA and shared secret. Only then does the directory go; if something could
 * not be undone it stays, and so does the record of it.
 */
#include "orchestrator-private.h"
#include "ascii-uint.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vici-client.h"

#define PPPD_TERM_WAIT_MS 3000
#define VICI_TIMEOUT_MS   10000

static gboolean parse_pid(const char *text, pid_t *pid)
{
	guint64 v;

	if (!text || !l2tp_ascii_to_uint(text, 10, 2, G_MAXINT32, &v))
		return FALSE;
	*pid = (pid_t)v;
	return TRUE;
}

/* A live (not zombie) process whose name starts with @prefix: the pid was not reused by something else. */
static gboolean process_named(pid_t pid, const char *prefix)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *status = NULL;
	g_autofree char *name_line = g_strconcat("Name:\t", prefix, NULL);

	return g_file_get_contents(path, &status, NULL, NULL) && g_str_has_prefix(status, name_line) &&
	       !strstr(status, "\nState:\tZ");
}

/* Waits for @pid to exit (pidfd: woken by the exit itself, no polling loop). */
static gboolean wait_exit(pid_t pid, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p;
	int n;

	if (fd < 0)
		return errno == ESRCH;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n > 0;
}

static gboolean stop_pppd(pid_t pid)
{
	if (!process_named(pid, "pppd"))
		return FALSE;
	/* SIGTERM lets pppd say goodbye to the gateway (LCP Terminate) and remove its interface. */
	kill(pid, SIGTERM);
	if (!wait_exit(pid, PPPD_TERM_WAIT_MS)) {
		kill(pid, SIGKILL);
		wait_exit(pid, 1000);
	}
	return TRUE;
}

static gboolean parse_id(GHashTable *state, const char *key, guint32 *id)
{
	guint64 v;
	const char *text = g_hash_table_lookup(state, key);

	if (!text || !l2tp_ascii_to_uint(text, 10, 1, 65535, &v))
		return FALSE;
	*id = (guint32)v;
	return TRUE;
}

static gboolean remove_kernel(GHashTable *state)
{
	g_autoptr(L2tpKernel) k = NULL;
	guint32 tunnel, session;
	gboolean had_tunnel = parse_id(state, L2TP_VPN_STATE_KERNEL_TUNNEL, &tunnel);

	if (!had_tunnel)
		return FALSE;
	k = l2tp_kernel_open(L2TP_KERNEL_OPEN_NO_MODPROBE, NULL);
	if (!k)
		return FALSE; /* no L2TP in the kernel: nothing of ours in it */
	if (parse_id(state, L2TP_VPN_STATE_KERNEL_SESSION, &session))
		l2tp_kernel_session_delete(k, tunnel, session, NULL);
	/* Usually gone already with the dead process's socket; a missing tunnel is fine. */
	return l2tp_kernel_tunnel_delete(k, tunnel, NULL);
}

/* ---- charon ------------------------------------------------------------------- */

typedef struct {
	ViciClient *client;
	GMainContext *context;
	gboolean done;
	struct vici_node *response;
	GError *error;
} ViciSync;

static void on_vici_reply(GObject *src, GAsyncResult *res, gpointer data)
{
	ViciSync *v = data;

	v->response = vici_client_command_finish(v->client, res, &v->error);
	v->done = TRUE;
}

/* One command, waited for on our private context. FALSE when charon cannot be reached at all. */
static gboolean vici_run(ViciSync *v, const char *command, struct vici_builder *b, gboolean *removed)
{
	uint8_t *msg = NULL;
	size_t len = 0;
	const char *errmsg = NULL;

	if (vici_builder_finish(b, &msg, &len) != VICI_OK)
		return TRUE;
	v->done = FALSE;
	vici_client_command_async(v->client, command, msg, len, NULL, NULL, NULL, VICI_TIMEOUT_MS, NULL,
				  on_vici_reply, v);
	vici_buffer_free_secure(msg, len);
	while (!v->done)
		g_main_context_iteration(v->context, TRUE);
	if (v->response && vici_response_ok(v->response, &errmsg))
		*removed = TRUE;
	g_clear_pointer(&v->response, vici_node_free);
	if (v->error && (g_error_matches(v->error, IPSEC_ERROR, IPSEC_ERROR_CHARON_NOT_RUNNING) ||
			 g_error_matches(v->error, IPSEC_ERROR, IPSEC_ERROR_PERMISSION_DENIED))) {
		g_clear_error(&v->error);
		return FALSE;
	}
	g_clear_error(&v->error);
	return TRUE;
}

/* terminate → unload-conn → unload-shared, as the IPsec layer's own cleanup does. */
static gboolean remove_ipsec(GHashTable *state)
{
	const char *conn = g_hash_table_lookup(state, L2TP_VPN_STATE_IPSEC_CONN);
	const char *uri = g_hash_table_lookup(state, L2TP_VPN_STATE_IPSEC_VICI);
	g_autofree char *shared = NULL;
	ViciSync v = {0};
	struct vici_builder b;
	gboolean removed = FALSE;

	if (!conn || !g_str_has_prefix(conn, "l2tp-vpn-"))
		return FALSE;
	shared = g_strconcat(conn, "-psk", NULL);
	v.context = g_main_context_new();
	g_main_context_push_thread_default(v.context);
	v.client = vici_client_new(uri && g_str_has_prefix(uri, "unix://") ? uri : IPSEC_DEFAULT_VICI_URI);
	vici_builder_init(&b);
	vici_builder_kv_str(&b, "ike", conn);
	vici_builder_kv_str(&b, "force", "yes");
	vici_builder_kv_uint(&b, "timeout", 5000);
	if (vici_run(&v, "terminate", &b, &removed)) {
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "name", conn);
		vici_run(&v, "unload-conn", &b, &removed);
		vici_builder_init(&b);
		vici_builder_kv_str(&b, "id", shared);
		vici_run(&v, "unload-shared", &b, &removed);
	}
	vici_client_close(v.client, NULL);
	vici_client_unref(v.client);
	/* Let the closed connection's sources finish on our context before dropping it. */
	while (g_main_context_iteration(v.context, FALSE))
		;
	g_main_context_pop_thread_default(v.context);
	g_main_context_unref(v.context);
	return removed;
}

/* ---- public ---------------------------------------------------------------------- */

gboolean l2tp_vpn_recover_full(const char *run_dir, const char *name, const char *vici_uri,
			       L2tpVpnRecovery *out, GError **error)
{
	g_autofree char *dir = NULL;
	g_autoptr(GHashTable) state = NULL;
	GError *local = NULL;
	L2tpNetContext net = {.name = name, .dns_backend = L2TP_NET_DNS_AUTO};
	pid_t pid;
	gboolean any = FALSE;

	*out = (L2tpVpnRecovery){FALSE, FALSE};
	if (!l2tp_vpn_name_valid(name)) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG, "bad connection name");
		return FALSE;
	}
	dir = l2tp_vpn_state_dir(run_dir, name);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return TRUE;
	state = l2tp_vpn_state_read(dir, &local);
	if (local) {
		g_propagate_prefixed_error(error, local, "%s: ", dir);
		return FALSE;
	}
	if (!state)
		state = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (parse_pid(g_hash_table_lookup(state, L2TP_VPN_STATE_PID), &pid) && pid != getpid() &&
	    process_named(pid, "l2tp-vpn")) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_ALREADY_RUNNING,
			    "connection %s is running (process %d)", name, (int)pid);
		return FALSE;
	}
	if (parse_pid(g_hash_table_lookup(state, L2TP_VPN_STATE_PPPD_PID), &pid))
		any |= stop_pppd(pid);
	out->l2tp_tunnel_left_open = g_hash_table_contains(state, L2TP_VPN_STATE_KERNEL_TUNNEL);
	any |= remove_kernel(state);
	net.run_dir = dir;
	{
		g_autofree char *net_state = l2tp_net_state_path(&net);

		if (net_state && g_file_test(net_state, G_FILE_TEST_EXISTS)) {
			any = TRUE;
			if (!l2tp_net_undo(&net, &local)) {
				g_propagate_prefixed_error(error, local, "routes/DNS of %s: ", name);
				return FALSE;
			}
		}
	}
	if (vici_uri && !g_hash_table_contains(state, L2TP_VPN_STATE_IPSEC_VICI))
		g_hash_table_insert(state, g_strdup(L2TP_VPN_STATE_IPSEC_VICI), g_strdup(vici_uri));
	any |= remove_ipsec(state);
	l2tp_vpn_state_dir_remove(dir);
	out->cleaned = any || out->l2tp_tunnel_left_open;
	if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_FAILED,
			    "%s holds files we did not recognise; remove them by hand", dir);
		return FALSE;
	}
	return TRUE;
}

gboolean l2tp_vpn_recover(const char *run_dir, const char *name, const char *vici_uri, gboolean *cleaned,
			  GError **error)
{
	L2tpVpnRecovery rec;
	gboolean ok = l2tp_vpn_recover_full(run_dir, name, vici_uri, &rec, error);

	*cleaned = rec.cleaned;
	return ok;
}
