// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNS through systemd-resolved's D-Bus API (client/net/net-dns.c), against a
 * stand-in: a private dbus-daemon made the "system bus" for this process
 * (DBUS_SYSTEM_BUS_ADDRESS) and, on its own thread, an object that owns
 * org.freedesktop.resolve1 and declares the Manager methods with resolved's
 * real signatures (SetLinkDNS ia(iay), SetLinkDomains ia(sb),
 * SetLinkDefaultRoute ib, RevertLink i), so GDBus rejects any call whose
 * types differ. Proves: the calls and their arguments for a full and a split
 * tunnel, the state record and RevertLink on undo, that undo skips a link
 * whose index no longer matches, and that "auto" picks resolved only while
 * it owns its name. Exits 77 (skip) without dbus-daemon.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "net-apply.h"
#include "net-dns.h"

static const char introspection[] =
    "<node><interface name='org.freedesktop.resolve1.Manager'>"
    "<method name='SetLinkDNS'><arg type='i' direction='in'/><arg type='a(iay)' direction='in'/></method>"
    "<method name='SetLinkDomains'><arg type='i' direction='in'/><arg type='a(sb)' direction='in'/></method>"
    "<method name='SetLinkDefaultRoute'><arg type='i' direction='in'/><arg type='b' direction='in'/></method>"
    "<method name='RevertLink'><arg type='i' direction='in'/></method>"
    "</interface></node>";

struct mock {
	char *address;
	GMutex lock;
	GCond ready_cond;
	gboolean ready;
	GPtrArray *calls;
	GMainLoop *loop;
	GDBusConnection *conn;
};

static struct mock mock;

static char *describe_call(const char *method, GVariant *p)
{
	GString *s = g_string_new(method);
	gint32 ifindex;

	g_variant_get_child(p, 0, "i", &ifindex);
	g_string_append_printf(s, " %d", ifindex);
	if (!strcmp(method, "SetLinkDNS")) {
		g_autoptr(GVariantIter) it = NULL;
		GVariant *bytes;
		gint32 family;

		g_variant_get_child(p, 1, "a(iay)", &it);
		while (g_variant_iter_next(it, "(i@ay)", &family, &bytes)) {
			gsize n;
			const guint8 *b = g_variant_get_fixed_array(bytes, &n, 1);
			char text[INET_ADDRSTRLEN] = "?";

			if (family == AF_INET && n == 4)
				inet_ntop(AF_INET, b, text, sizeof(text));
			g_string_append_printf(s, " %s", text);
			g_variant_unref(bytes);
		}
	} else if (!strcmp(method, "SetLinkDomains")) {
		g_autoptr(GVariantIter) it = NULL;
		const char *domain;
		gboolean routing;

		g_variant_get_child(p, 1, "a(sb)", &it);
		while (g_variant_iter_next(it, "(&sb)", &domain, &routing))
			g_string_append_printf(s, " %s%s", routing ? "~" : "", domain);
	} else if (!strcmp(method, "SetLinkDefaultRoute")) {
		gboolean on;

		g_variant_get_child(p, 1, "b", &on);
		g_string_append_printf(s, " %s", on ? "yes" : "no");
	}
	return g_string_free(s, FALSE);
}

static void on_method(GDBusConnection *c, const char *sender, const char *path, const char *iface,
		      const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
	g_mutex_lock(&mock.lock);
	g_ptr_array_add(mock.calls, describe_call(method, params));
	g_mutex_unlock(&mock.lock);
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable vtable = {.method_call = on_method};

static gpointer mock_thread(gpointer data)
{
	g_autoptr(GMainContext) ctx = g_main_context_new();
	g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml(introspection, NULL);
	g_autoptr(GVariant) reply = NULL;

	g_main_context_push_thread_default(ctx);
	mock.conn = g_dbus_connection_new_for_address_sync(mock.address,
							   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
							       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
							   NULL, NULL, NULL);
	if (mock.conn) {
		g_dbus_connection_register_object(mock.conn, "/org/freedesktop/resolve1", info->interfaces[0],
						  &vtable, NULL, NULL, NULL);
		reply = g_dbus_connection_call_sync(
		    mock.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
		    "RequestName", g_variant_new("(su)", "org.freedesktop.resolve1", 4u), NULL,
		    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	}
	mock.loop = g_main_loop_new(ctx, FALSE);
	g_mutex_lock(&mock.lock);
	mock.ready = TRUE;
	g_cond_signal(&mock.ready_cond);
	g_mutex_unlock(&mock.lock);
	g_main_loop_run(mock.loop);
	g_main_context_pop_thread_default(ctx);
	return NULL;
}

static gboolean called(const char *want)
{
	gboolean found = FALSE;

	g_mutex_lock(&mock.lock);
	for (guint i = 0; i < mock.calls->len; i++)
		found |= !strcmp(g_ptr_array_index(mock.calls, i), want);
	if (!found)
		for (guint i = 0; i < mock.calls->len; i++)
			fprintf(stderr, "  call: %s\n", (char *)g_ptr_array_index(mock.calls, i));
	g_mutex_unlock(&mock.lock);
	return found;
}

static void clear_calls(void)
{
	g_mutex_lock(&mock.lock);
	g_ptr_array_set_size(mock.calls, 0);
	g_mutex_unlock(&mock.lock);
}

static char *scratch;

static L2tpNetContext context(L2tpNetDnsBackend backend)
{
	static char run_dir[512], resolv[512];

	g_snprintf(run_dir, sizeof(run_dir), "%s/run", scratch);
	g_snprintf(resolv, sizeof(resolv), "%s/resolv.conf", scratch);
	return (L2tpNetContext){
	    .run_dir = run_dir, .name = "office", .resolv_conf = resolv, .dns_backend = backend};
}

static GArray *dns_plan(gboolean full)
{
	GArray *plan = g_array_new(FALSE, TRUE, sizeof(L2tpNetAction));
	L2tpNetAction a = {.type = L2TP_NET_ACTION_DNS};
	char *domains[] = {"corp.example", NULL};

	g_strlcpy(a.dns.ifname, "lo", sizeof(a.dns.ifname));
	inet_pton(AF_INET, "10.8.0.53", &a.dns.servers[0]);
	inet_pton(AF_INET, "10.8.0.54", &a.dns.servers[1]);
	a.dns.n_servers = 2;
	a.dns.domains = g_strdupv(domains);
	a.dns.default_route = full;
	g_array_append_val(plan, a);
	return plan;
}

static void free_plan(GArray *plan)
{
	for (guint i = 0; i < plan->len; i++)
		g_strfreev(g_array_index(plan, L2tpNetAction, i).dns.domains);
	g_array_unref(plan);
}

static void test_full_tunnel_dns(void)
{
	L2tpNetContext ctx = context(L2TP_NET_DNS_RESOLVED);
	GArray *plan = dns_plan(TRUE);
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL, *path = l2tp_net_state_path(&ctx);
	int lo = (int)if_nametoindex("lo");
	g_autofree char *dns = g_strdup_printf("SetLinkDNS %d 10.8.0.53 10.8.0.54", lo);
	g_autofree char *domains = g_strdup_printf("SetLinkDomains %d corp.example ~.", lo);
	g_autofree char *def = g_strdup_printf("SetLinkDefaultRoute %d yes", lo);
	g_autofree char *revert = g_strdup_printf("RevertLink %d", lo);
	g_autofree char *record = g_strdup_printf("resolved %d lo", lo);

	clear_calls();
	CHECK(l2tp_net_apply(&ctx, plan, &error));
	if (error)
		fprintf(stderr, "  apply: %s\n", error->message);
	CHECK(called(dns) && called(domains) && called(def));
	CHECK(g_file_get_contents(path, &state, NULL, NULL) && strstr(state, record));
	clear_calls();
	CHECK(l2tp_net_undo(&ctx, NULL));
	CHECK(called(revert));
	CHECK(!g_file_test(path, G_FILE_TEST_EXISTS));
	free_plan(plan);
}

/* @ctx applies @plan to the resolv.conf file, not through resolved, and undoes it exactly. */
static void check_file_backend(const L2tpNetContext *ctx, GArray *plan)
{
	g_autofree char *resolv = g_build_filename(scratch, "resolv.conf", NULL);
	g_autofree char *text = NULL;

	CHECK(g_file_set_contents(resolv, "nameserver 192.168.1.1\n", -1, NULL));
	clear_calls();
	CHECK(l2tp_net_apply(ctx, plan, NULL));
	CHECK(mock.calls->len == 0);
	CHECK(g_file_get_contents(resolv, &text, NULL, NULL) && strstr(text, "nameserver 10.8.0.53"));
	CHECK(l2tp_net_undo(ctx, NULL));
	g_clear_pointer(&text, g_free);
	CHECK(g_file_get_contents(resolv, &text, NULL, NULL) && !strcmp(text, "nameserver 192.168.1.1\n"));
}

static void test_split_tunnel_dns_with_auto(void)
{
	L2tpNetContext ctx = context(L2TP_NET_DNS_AUTO);
	GArray *plan = dns_plan(FALSE);
	int lo = (int)if_nametoindex("lo");
	g_autofree char *domains = g_strdup_printf("SetLinkDomains %d corp.example", lo);
	g_autofree char *def = g_strdup_printf("SetLinkDefaultRoute %d no", lo);
	g_autofree char *resolv = g_build_filename(scratch, "resolv.conf", NULL);

	clear_calls();
	CHECK(l2tp_net_apply(&ctx, plan, NULL));
	/* "auto" chose resolved: routing domain only for the listed domain, no "~." */
	CHECK(called(domains) && called(def));
	CHECK(!g_file_test(resolv, G_FILE_TEST_EXISTS));
	CHECK(l2tp_net_undo(&ctx, NULL));
	free_plan(plan);
}

/* A probe taken ahead (the connect takes it while IKE runs) is what the apply uses; one
 * taken for another backend is not. */
static void test_apply_with_probe(void)
{
	L2tpNetContext ctx = context(L2TP_NET_DNS_AUTO);
	g_autoptr(L2tpNetDnsProbe) probe = l2tp_net_dns_probe(L2TP_NET_DNS_AUTO);
	GArray *plan = dns_plan(TRUE);
	int lo = (int)if_nametoindex("lo");
	g_autofree char *dns = g_strdup_printf("SetLinkDNS %d 10.8.0.53 10.8.0.54", lo);

	ctx.dns_probe = probe;
	clear_calls();
	CHECK(l2tp_net_apply(&ctx, plan, NULL));
	CHECK(called(dns));
	CHECK(l2tp_net_undo(&ctx, NULL));

	ctx.dns_backend = L2TP_NET_DNS_FILE;
	check_file_backend(&ctx, plan);
	free_plan(plan);
}

static void test_undo_skips_reused_index(void)
{
	L2tpNetContext ctx = context(L2TP_NET_DNS_RESOLVED);
	g_autofree char *path = l2tp_net_state_path(&ctx);

	CHECK(g_mkdir_with_parents(ctx.run_dir, 0700) == 0);
	CHECK(g_file_set_contents_full(path, "l2tp-vpn-net-state 1\nresolved 999 lo\n", -1, 0, 0600, NULL));
	clear_calls();
	CHECK(l2tp_net_undo(&ctx, NULL));
	CHECK(mock.calls->len == 0);
}

static void test_auto_without_resolved_uses_file(void)
{
	L2tpNetContext ctx = context(L2TP_NET_DNS_AUTO);
	GArray *plan = dns_plan(TRUE);

	g_dbus_connection_call_sync(
	    mock.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ReleaseName",
	    g_variant_new("(s)", "org.freedesktop.resolve1"), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	check_file_backend(&ctx, plan);
	free_plan(plan);
}

static GSubprocess *start_bus(const char *dir, GError **error)
{
	g_autofree char *conf = g_build_filename(dir, "bus.conf", NULL);
	g_autofree char *xml = g_strdup_printf(
	    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
	    "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">"
	    "<busconfig><type>custom</type><listen>unix:path=%s/bus</listen><auth>EXTERNAL</auth>"
	    "<policy context='default'><allow send_destination='*' eavesdrop='true'/><allow "
	    "eavesdrop='true'/>"
	    "<allow own='*'/><allow user='*'/></policy></busconfig>",
	    dir);
	g_autofree char *cfg_arg = g_strdup_printf("--config-file=%s", conf);
	GSubprocess *bus;
	g_autoptr(GDataInputStream) out = NULL;

	if (!g_file_set_contents(conf, xml, -1, error))
		return NULL;
	bus = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, "dbus-daemon", cfg_arg, "--nofork",
			       "--print-address=1", NULL);
	if (!bus)
		return NULL;
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(bus));
	mock.address = g_data_input_stream_read_line_utf8(out, NULL, NULL, error);
	return bus;
}

int main(void)
{
	g_autofree char *daemon = g_find_program_in_path("dbus-daemon");
	g_autoptr(GSubprocess) bus = NULL;
	g_autoptr(GError) error = NULL;
	GThread *thread;
	int rc;

	if (!daemon) {
		printf("skip: dbus-daemon not installed\n0 passed, 0 failed\n");
		return 77;
	}
	scratch = g_dir_make_tmp("l2tp-vpn-resolved-XXXXXX", NULL);
	bus = scratch ? start_bus(scratch, &error) : NULL;
	if (!bus || !mock.address) {
		fprintf(stderr, "cannot start a private bus: %s\n", error ? error->message : "?");
		return 1;
	}
	/* Before anything asks GLib for the system bus. */
	g_setenv("DBUS_SYSTEM_BUS_ADDRESS", mock.address, TRUE);
	mock.calls = g_ptr_array_new_with_free_func(g_free);
	thread = g_thread_new("mock-resolved", mock_thread, NULL);
	g_mutex_lock(&mock.lock);
	while (!mock.ready)
		g_cond_wait(&mock.ready_cond, &mock.lock);
	g_mutex_unlock(&mock.lock);
	if (!mock.conn) {
		fprintf(stderr, "mock resolved could not connect\n");
		return 1;
	}
	DP_RUN(test_full_tunnel_dns);
	DP_RUN(test_split_tunnel_dns_with_auto);
	DP_RUN(test_apply_with_probe);
	DP_RUN(test_undo_skips_reused_index);
	if (g_find_program_in_path("resolvconf"))
		DP_SKIP(test_auto_without_resolved_uses_file, "resolvconf installed: auto would pick it");
	else
		DP_RUN(test_auto_without_resolved_uses_file);
	rc = dp_summary();
	g_main_loop_quit(mock.loop);
	g_thread_join(thread);
	g_subprocess_force_exit(bus);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", scratch);

		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
	return rc;
}
