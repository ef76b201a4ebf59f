// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolvconf backend (client/net/net-dns.c) against a stand-in
 * `resolvconf` first in PATH that records its arguments and stdin: proves the
 * record name (<ifname>.l2tp-vpn), what is fed to `resolvconf -a`, the state
 * record, `resolvconf -d` on undo, and that a failing resolvconf is a named
 * L2TP_NET_ERROR_DNS error.
 */
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "net-apply.h"

static char *scratch;

static char *log_text(void)
{
	g_autofree char *path = g_build_filename(scratch, "calls.log", NULL);
	char *text = NULL;

	g_file_get_contents(path, &text, NULL, NULL);
	return text ? text : g_strdup("");
}

static gboolean install_fake(gboolean fail)
{
	g_autofree char *path = g_build_filename(scratch, "bin", "resolvconf", NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *script = g_strdup_printf("#!/bin/sh\n"
						  "echo \"args: $*\" >> %s/calls.log\n"
						  "cat >> %s/calls.log\n"
						  "exit %d\n",
						  scratch, scratch, fail ? 3 : 0);

	return g_mkdir_with_parents(dir, 0700) == 0 && g_file_set_contents(path, script, -1, NULL) &&
	       chmod(path, 0700) == 0;
}

static GArray *dns_plan(void)
{
	GArray *plan = g_array_new(FALSE, TRUE, sizeof(L2tpNetAction));
	L2tpNetAction a = {.type = L2TP_NET_ACTION_DNS};

	g_strlcpy(a.dns.ifname, "l2tp0", sizeof(a.dns.ifname));
	inet_pton(AF_INET, "10.8.0.53", &a.dns.servers[0]);
	a.dns.n_servers = 1;
	a.dns.default_route = TRUE;
	g_array_append_val(plan, a);
	return plan;
}

static L2tpNetContext context(void)
{
	static char run_dir[512];

	g_snprintf(run_dir, sizeof(run_dir), "%s/run", scratch);
	return (L2tpNetContext){.run_dir = run_dir, .name = "office", .dns_backend = L2TP_NET_DNS_RESOLVCONF};
}

static void test_add_and_delete(void)
{
	L2tpNetContext ctx = context();
	g_autoptr(GArray) plan = dns_plan();
	g_autoptr(GError) error = NULL;
	g_autofree char *state_path = l2tp_net_state_path(&ctx), *state = NULL, *log = NULL;

	CHECK(install_fake(FALSE));
	CHECK(l2tp_net_apply(&ctx, plan, &error));
	if (error)
		fprintf(stderr, "  apply: %s\n", error->message);
	log = log_text();
	CHECK(strstr(log, "args: -a l2tp0.l2tp-vpn\n") && strstr(log, "nameserver 10.8.0.53\n"));
	CHECK(g_file_get_contents(state_path, &state, NULL, NULL) &&
	      strstr(state, "\nresolvconf l2tp0.l2tp-vpn\n"));
	CHECK(l2tp_net_undo(&ctx, NULL));
	g_free(log);
	log = log_text();
	CHECK(strstr(log, "args: -d l2tp0.l2tp-vpn\n") != NULL);
	CHECK(!g_file_test(state_path, G_FILE_TEST_EXISTS));
}

static void test_failure_is_named(void)
{
	L2tpNetContext ctx = context();
	g_autoptr(GArray) plan = dns_plan();
	g_autoptr(GError) error = NULL;

	CHECK(install_fake(TRUE));
	CHECK(!l2tp_net_apply(&ctx, plan, &error) &&
	      g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_DNS));
	/* recorded before it ran, so undo still tries (and reports) the removal */
	CHECK(!l2tp_net_undo(&ctx, NULL));
	CHECK(install_fake(FALSE));
	CHECK(l2tp_net_undo(&ctx, NULL));
}

static void test_hostile_record_refused(void)
{
	L2tpNetContext ctx = context();
	g_autofree char *path = l2tp_net_state_path(&ctx);
	g_autoptr(GError) error = NULL;

	CHECK(g_mkdir_with_parents(ctx.run_dir, 0700) == 0);
	CHECK(g_file_set_contents_full(path, "l2tp-vpn-net-state 1\nresolvconf -x;rm.l2tp-vpn\n", -1, 0, 0600,
				       NULL));
	CHECK(!l2tp_net_undo(&ctx, &error) && g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_STATE));
	CHECK(!g_file_test(path, G_FILE_TEST_EXISTS));
}

int main(void)
{
	g_autofree char *bin = NULL, *path = NULL;

	scratch = g_dir_make_tmp("l2tp-vpn-resolvconf-XXXXXX", NULL);
	if (!scratch)
		return 1;
	bin = g_build_filename(scratch, "bin", NULL);
	path = g_strdup_printf("%s:%s", bin, g_getenv("PATH") ? g_getenv("PATH") : "/usr/bin:/bin");
	g_setenv("PATH", path, TRUE);
	DP_RUN(test_add_and_delete);
	DP_RUN(test_failure_is_named);
	DP_RUN(test_hostile_record_refused);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", scratch);

		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
	return dp_summary();
}
