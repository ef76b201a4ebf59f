// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route/DNS apply and undo for real, inside a throwaway network namespace.
 *
 * The test unshares a network and a mount namespace, builds an "underlay"
 * veth with the user's default route and a second veth standing in for the
 * PPP interface (the host kernel has no PPP), then applies plans with
 * client/net and checks the kernel's routing decisions (RTM_GETROUTE through
 * our own lookup and `ip route get`). After undo the complete routing table
 * (`ip -4 route show table all`) must equal the one before, and a resolv.conf
 * stand-in (a temp file, mode 0640) must be restored byte for byte. It also
 * proves: undo from the state file alone after the applying process died
 * (crash), a route that was already there is not removed, a resolv.conf
 * someone else changed is left alone, a symlinked resolv.conf comes back as
 * the same symlink, undo after the PPP interface vanished, undo twice.
 * Needs root and the ip tool; exits 77 (skip) otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "net-apply.h"
#include "net-plan.h"

#define TUN             "l2tp-t0"
#define GATEWAY         "203.0.113.10"
#define ORIGINAL_RESOLV "# the user's own\nnameserver 192.168.77.1\nsearch home.example\noptions edns0\n"

static char *scratch;
static char *resolv_path;

static char *run(const char *cmd)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	int status = 0;

	if (!g_spawn_command_line_sync(cmd, &out, &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		fprintf(stderr, "  `%s` failed: %s%s\n", cmd, error ? error->message : "", err ? err : "");
		return NULL;
	}
	return g_steal_pointer(&out);
}

static gboolean sh(const char *cmd)
{
	g_autofree char *out = run(cmd);

	return out != NULL;
}

static char *routes_now(void)
{
	return run("ip -4 route show table all");
}

/* The device the kernel would send a packet for @dst through. */
static char *dev_for(const char *dst)
{
	struct in_addr a;
	L2tpNetRoute r;

	inet_pton(AF_INET, dst, &a);
	if (!l2tp_net_lookup_route(a, &r, NULL))
		return g_strdup("(none)");
	return g_strdup(r.ifname);
}

static L2tpNetContext context(void)
{
	static char run_dir[512];
	L2tpNetContext ctx = {.name = "office", .resolv_conf = resolv_path, .dns_backend = L2TP_NET_DNS_FILE};

	g_snprintf(run_dir, sizeof(run_dir), "%s/run", scratch);
	ctx.run_dir = run_dir;
	return ctx;
}

static gboolean write_resolv(void)
{
	g_unlink(resolv_path);
	return g_file_set_contents(resolv_path, ORIGINAL_RESOLV, -1, NULL) && chmod(resolv_path, 0640) == 0;
}

static gboolean resolv_is_original(void)
{
	g_autofree char *text = NULL;
	struct stat st;

	return lstat(resolv_path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 &&
	       g_file_get_contents(resolv_path, &text, NULL, NULL) && !strcmp(text, ORIGINAL_RESOLV);
}

static GArray *plan_for(L2tpNetMode mode, const char *const *prefixes)
{
	L2tpNetPlanInput in = {.mode = mode, .ifname = TUN};
	static L2tpNetPrefix routes[8];
	static struct in_addr dns[2];
	static const char *const domains[] = {"corp.example", NULL};
	g_autoptr(GError) error = NULL;
	GArray *plan;

	inet_pton(AF_INET, GATEWAY, &in.gateway);
	inet_pton(AF_INET, "10.8.0.2", &in.local);
	inet_pton(AF_INET, "10.8.0.53", &dns[0]);
	in.dns = dns;
	in.n_dns = 1;
	in.domains = domains;
	for (; prefixes && prefixes[in.n_routes]; in.n_routes++)
		l2tp_net_prefix_parse(prefixes[in.n_routes], &routes[in.n_routes], NULL);
	in.routes = routes;
	CHECK(l2tp_net_lookup_route(in.gateway, &in.underlay, &error));
	plan = l2tp_net_plan(&in, &error);
	CHECK(plan != NULL);
	if (error)
		fprintf(stderr, "  plan: %s\n", error->message);
	return plan;
}

static void check_state_private(const L2tpNetContext *ctx)
{
	g_autofree char *path = l2tp_net_state_path(ctx);
	struct stat st, dir;

	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(stat(ctx->run_dir, &dir) == 0 && (dir.st_mode & 07777) == 0700);
}

static void check_undo_exact(const L2tpNetContext *ctx, const char *before)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *after = NULL, *state = l2tp_net_state_path(ctx);

	CHECK(l2tp_net_undo(ctx, &error));
	if (error)
		fprintf(stderr, "  undo: %s\n", error->message);
	after = routes_now();
	CHECK_STR(after, before);
	CHECK(resolv_is_original());
	CHECK(!g_file_test(state, G_FILE_TEST_EXISTS));
	/* Undo is repeatable: nothing left, nothing to do. */
	CHECK(l2tp_net_undo(ctx, NULL));
}

static void test_lookup_underlay(void)
{
	struct in_addr gw;
	L2tpNetRoute r;
	char via[INET_ADDRSTRLEN];

	inet_pton(AF_INET, GATEWAY, &gw);
	CHECK(l2tp_net_lookup_route(gw, &r, NULL));
	inet_ntop(AF_INET, &r.gateway, via, sizeof(via));
	CHECK_STR(r.ifname, "under0");
	CHECK_STR(via, "192.168.77.1");
	CHECK(r.metric == 100);
}

static void test_full_tunnel_apply_undo(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *before = routes_now(), *written = NULL, *d1 = NULL, *d2 = NULL, *d3 = NULL,
			*d4 = NULL;
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;
	L2tpNetRoute underlay;
	struct in_addr gw;

	CHECK(write_resolv());
	inet_pton(AF_INET, GATEWAY, &gw);
	/* the host route goes in first, before PPP would exist */
	CHECK(l2tp_net_pin_gateway(&ctx, gw, &underlay, &error));
	plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);
	CHECK(plan && l2tp_net_apply(&ctx, plan, &error));
	if (error)
		fprintf(stderr, "  apply: %s\n", error->message);
	d1 = dev_for("8.8.8.8");
	d2 = dev_for("200.1.2.3");
	d3 = dev_for(GATEWAY);
	d4 = dev_for("192.168.77.1");
	CHECK_STR(d1, TUN);
	CHECK_STR(d2, TUN);
	CHECK_STR(d3, "under0");
	CHECK_STR(d4, "under0");
	/* the user's default route is untouched */
	CHECK(sh("sh -c 'ip -4 route show default | grep -q \"via 192.168.77.1 dev under0 metric 100\"'"));
	CHECK(g_file_get_contents(resolv_path, &written, NULL, NULL) &&
	      strstr(written, "nameserver 10.8.0.53\n") && !strstr(written, "192.168.77.1"));
	check_state_private(&ctx);
	check_undo_exact(&ctx, before);
}

/* Applying twice must not take our own resolv.conf for the original. */
static void test_second_apply_refused(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *before = routes_now();
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;

	CHECK(write_resolv());
	plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);
	CHECK(plan && l2tp_net_apply(&ctx, plan, NULL));
	CHECK(!l2tp_net_apply(&ctx, plan, &error) &&
	      g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE));
	check_undo_exact(&ctx, before);
}

static void test_split_tunnel_and_foreign_route(void)
{
	L2tpNetContext ctx = context();
	const char *const prefixes[] = {"10.20.0.0/16", "10.99.0.0/16", NULL};
	g_autofree char *before = NULL, *d1 = NULL, *d2 = NULL, *after = NULL;
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;

	CHECK(write_resolv());
	/* someone else's route, identical to one of ours */
	CHECK(sh("ip route add 10.99.0.0/16 dev " TUN " proto static scope link"));
	before = routes_now();
	plan = plan_for(L2TP_NET_SPLIT_TUNNEL, prefixes);
	CHECK(plan && l2tp_net_apply(&ctx, plan, &error));
	if (error)
		fprintf(stderr, "  apply: %s\n", error->message);
	d1 = dev_for("10.20.1.1");
	d2 = dev_for("8.8.8.8");
	CHECK_STR(d1, TUN);
	CHECK_STR(d2, "under0");
	check_undo_exact(&ctx, before);
	after = routes_now();
	CHECK(after && strstr(after, "10.99.0.0/16 dev " TUN));
	CHECK(sh("ip route del 10.99.0.0/16 dev " TUN));
}

/* The applying process dies; a new one undoes from the state file alone. */
static void test_undo_after_crash(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *before = routes_now();
	int status = 0;
	pid_t pid;

	CHECK(write_resolv());
	pid = fork();
	if (pid == 0) {
		g_autoptr(GArray) plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);

		_exit(plan && l2tp_net_apply(&ctx, plan, NULL) ? 9 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 9);
	{
		g_autofree char *during = routes_now();

		CHECK(during && strstr(during, "128.0.0.0/1 dev " TUN));
	}
	check_undo_exact(&ctx, before);
}

static void test_resolv_conf_changed_by_someone_else(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *before = routes_now(), *after = NULL, *text = NULL;
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;

	CHECK(write_resolv());
	plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);
	CHECK(plan && l2tp_net_apply(&ctx, plan, NULL));
	CHECK(g_file_set_contents(resolv_path, "nameserver 1.1.1.1\n", -1, NULL));
	CHECK(!l2tp_net_undo(&ctx, &error) &&
	      g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_RESOLV_CONF_CHANGED));
	CHECK(g_file_get_contents(resolv_path, &text, NULL, NULL) && !strcmp(text, "nameserver 1.1.1.1\n"));
	/* the routes were undone all the same */
	after = routes_now();
	CHECK_STR(after, before);
	CHECK(l2tp_net_undo(&ctx, NULL));
}

static void test_symlinked_resolv_conf(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *real = g_build_filename(scratch, "stub-resolv.conf", NULL);
	g_autofree char *link = NULL, *text = NULL;
	g_autoptr(GArray) plan = NULL;

	CHECK(g_file_set_contents(real, ORIGINAL_RESOLV, -1, NULL));
	g_unlink(resolv_path);
	CHECK(symlink(real, resolv_path) == 0);
	plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);
	CHECK(plan && l2tp_net_apply(&ctx, plan, NULL));
	CHECK(!g_file_test(resolv_path, G_FILE_TEST_IS_SYMLINK));
	CHECK(l2tp_net_undo(&ctx, NULL));
	link = g_file_read_link(resolv_path, NULL);
	CHECK_STR(link, real);
	/* the link's target was never written */
	CHECK(g_file_get_contents(real, &text, NULL, NULL) && !strcmp(text, ORIGINAL_RESOLV));
	g_unlink(resolv_path);
}

static void test_undo_after_interface_vanished(void)
{
	L2tpNetContext ctx = context();
	g_autoptr(GArray) plan = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *after = NULL;

	CHECK(write_resolv());
	plan = plan_for(L2TP_NET_FULL_TUNNEL, NULL);
	CHECK(plan && l2tp_net_apply(&ctx, plan, NULL));
	CHECK(sh("ip link del " TUN));
	CHECK(l2tp_net_undo(&ctx, &error));
	if (error)
		fprintf(stderr, "  undo: %s\n", error->message);
	after = routes_now();
	CHECK(after && !strstr(after, TUN) && !strstr(after, GATEWAY));
	CHECK(resolv_is_original());
}

static void test_state_file_refused_when_not_private(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *path = l2tp_net_state_path(&ctx);
	g_autoptr(GError) error = NULL;

	CHECK(g_mkdir_with_parents(ctx.run_dir, 0700) == 0);
	CHECK(g_file_set_contents(
	    path, "l2tp-vpn-net-state 1\nroute 10.0.0.0/8 via 0.0.0.0 dev lo metric 0 table 254\n", -1,
	    NULL));
	CHECK(chmod(path, 0644) == 0);
	CHECK(!l2tp_net_undo(&ctx, &error) && g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE));
	g_unlink(path);
}

static gboolean build_namespace(void)
{
	return sh("ip link set lo up") && sh("ip link add under0 type veth peer name under0-p") &&
	       sh("ip link set under0-p up") && sh("ip addr add 192.168.77.2/24 dev under0") &&
	       sh("ip link set under0 up") &&
	       sh("ip route add default via 192.168.77.1 dev under0 metric 100") &&
	       sh("ip link add " TUN " type veth peer name " TUN "-p") && sh("ip link set " TUN "-p up") &&
	       sh("ip addr add 10.8.0.2/32 peer 10.8.0.1 dev " TUN) && sh("ip link set " TUN " up");
}

int main(void)
{
	g_autofree char *ip = g_find_program_in_path("ip");

	if (geteuid() != 0 || !ip) {
		printf("skip: needs root and iproute2\n0 passed, 0 failed\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		printf("skip: cannot create namespaces: %s\n0 passed, 0 failed\n", g_strerror(errno));
		return 77;
	}
	scratch = g_dir_make_tmp("l2tp-vpn-net-XXXXXX", NULL);
	resolv_path = g_build_filename(scratch, "resolv.conf", NULL);
	if (!scratch || !build_namespace()) {
		fprintf(stderr, "cannot build the test namespace\n");
		return 1;
	}
	DP_RUN(test_lookup_underlay);
	DP_RUN(test_full_tunnel_apply_undo);
	DP_RUN(test_second_apply_refused);
	DP_RUN(test_split_tunnel_and_foreign_route);
	DP_RUN(test_undo_after_crash);
	DP_RUN(test_resolv_conf_changed_by_someone_else);
	DP_RUN(test_symlinked_resolv_conf);
	DP_RUN(test_state_file_refused_when_not_private);
	DP_RUN(test_undo_after_interface_vanished);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", scratch);

		sh(cmd);
	}
	return dp_summary();
}
