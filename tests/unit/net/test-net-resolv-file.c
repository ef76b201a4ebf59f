// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolv.conf file backend (client/net/net-dns.c) with two connections
 * stacked on one file, each with its own run directory as the orchestrator
 * keeps them: whichever ends first, the other's DNS stays, and after both the
 * user's file is back byte for byte (mode included). A file someone else
 * rewrote is still left alone with a named error. Applies wait for the lock
 * that keeps two connections from rewriting the file at the same time.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "dp-check.h"
#include "net-apply.h"

#define ORIGINAL "# the user's own\nnameserver 192.168.77.1\nsearch home.example\n"

static char *scratch, *resolv_path;

static GArray *dns_plan(const char *ifname, const char *server, gboolean full)
{
	GArray *plan = g_array_new(FALSE, TRUE, sizeof(L2tpNetAction));
	L2tpNetAction a = {.type = L2TP_NET_ACTION_DNS};

	g_strlcpy(a.dns.ifname, ifname, sizeof(a.dns.ifname));
	inet_pton(AF_INET, server, &a.dns.servers[0]);
	a.dns.n_servers = 1;
	a.dns.default_route = full;
	g_array_append_val(plan, a);
	return plan;
}

/* <scratch>/run/<name>, as l2tp_vpn_state_dir() makes it. */
static L2tpNetContext context(const char *name, char *buf, gsize size)
{
	g_snprintf(buf, size, "%s/run/%s", scratch, name);
	g_mkdir_with_parents(buf, 0700);
	return (L2tpNetContext){
	    .run_dir = buf, .name = name, .resolv_conf = resolv_path, .dns_backend = L2TP_NET_DNS_FILE};
}

static char *resolv_text(void)
{
	char *text = NULL;

	g_file_get_contents(resolv_path, &text, NULL, NULL);
	return text ? text : g_strdup("");
}

static gboolean resolv_is_original(void)
{
	g_autofree char *text = resolv_text();
	struct stat st;

	return lstat(resolv_path, &st) == 0 && (st.st_mode & 07777) == 0640 && !strcmp(text, ORIGINAL);
}

/* office (full tunnel) first, then lab2 (split) on top of it. */
static gboolean stack_two(L2tpNetContext *office, L2tpNetContext *lab2)
{
	g_autoptr(GArray) p1 = dns_plan("l2tp-office", "10.20.0.53", TRUE);
	g_autoptr(GArray) p2 = dns_plan("l2tp-lab2", "10.30.0.53", FALSE);

	g_unlink(resolv_path);
	return g_file_set_contents(resolv_path, ORIGINAL, -1, NULL) && chmod(resolv_path, 0640) == 0 &&
	       l2tp_net_apply(office, p1, NULL) && l2tp_net_apply(lab2, p2, NULL);
}

static void test_last_applied_ends_first(void)
{
	char b1[512], b2[512];
	L2tpNetContext office = context("office", b1, sizeof(b1)), lab2 = context("lab2", b2, sizeof(b2));
	g_autofree char *text = NULL;

	CHECK(stack_two(&office, &lab2));
	CHECK(l2tp_net_undo(&lab2, NULL));
	text = resolv_text();
	CHECK(strstr(text, "nameserver 10.20.0.53\n") && !strstr(text, "10.30.0.53"));
	CHECK(l2tp_net_undo(&office, NULL));
	CHECK(resolv_is_original());
}

static void test_first_applied_ends_first(void)
{
	char b1[512], b2[512];
	L2tpNetContext office = context("office", b1, sizeof(b1)), lab2 = context("lab2", b2, sizeof(b2));
	g_autofree char *before = NULL, *after = NULL,
			*backup = g_build_filename(b1, "office.resolv.conf.orig", NULL);
	g_autoptr(GError) error = NULL;

	CHECK(stack_two(&office, &lab2));
	before = resolv_text();
	CHECK(strstr(before, "nameserver 10.30.0.53\n") != NULL);
	CHECK(l2tp_net_undo(&office, &error));
	if (error)
		fprintf(stderr, "  undo office: %s\n", error->message);
	after = resolv_text();
	CHECK_STR(after, before); /* lab2's DNS stays as lab2 wrote it */
	CHECK(!g_file_test(backup, G_FILE_TEST_EXISTS));
	CHECK(l2tp_net_undo(&lab2, NULL));
	CHECK(resolv_is_original());
}

static void test_foreign_rewrite_still_left_alone(void)
{
	char b1[512], b2[512];
	L2tpNetContext office = context("office", b1, sizeof(b1)), lab2 = context("lab2", b2, sizeof(b2));
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	CHECK(stack_two(&office, &lab2));
	CHECK(l2tp_net_undo(&lab2, NULL));
	CHECK(g_file_set_contents(resolv_path, "nameserver 1.1.1.1\n", -1, NULL));
	CHECK(!l2tp_net_undo(&office, &error) &&
	      g_error_matches(error, L2TP_NET_ERROR, L2TP_NET_ERROR_RESOLV_CONF_CHANGED));
	text = resolv_text();
	CHECK_STR(text, "nameserver 1.1.1.1\n");
	CHECK(l2tp_net_undo(&office, NULL)); /* the failed record was dropped */
}

static gpointer apply_in_thread(gpointer data)
{
	g_autoptr(GArray) plan = dns_plan("l2tp-office", "10.20.0.53", TRUE);

	return GINT_TO_POINTER(l2tp_net_apply(data, plan, NULL));
}

/* Another connection holds resolv.conf's directory lock (read, rewrite, restore): an apply
 * leaves the file alone until it is released, then writes. */
static void test_apply_waits_for_the_lock(void)
{
	char buf[512];
	L2tpNetContext office = context("office", buf, sizeof(buf));
	int held = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	GThread *thread;
	g_autofree char *during = NULL, *after = NULL, *restored = NULL;

	g_unlink(resolv_path);
	CHECK(g_file_set_contents(resolv_path, ORIGINAL, -1, NULL));
	CHECK(held >= 0 && flock(held, LOCK_EX) == 0);
	thread = g_thread_new("apply", apply_in_thread, &office);
	/* Time for an apply that ignored the lock to have written (one that waits never does). */
	g_usleep(200 * 1000);
	during = resolv_text();
	close(held);
	CHECK(GPOINTER_TO_INT(g_thread_join(thread)));
	after = resolv_text();
	CHECK_STR(during, ORIGINAL);
	CHECK(strstr(after, "nameserver 10.20.0.53") != NULL);
	CHECK(l2tp_net_undo(&office, NULL));
	restored = resolv_text();
	CHECK_STR(restored, ORIGINAL);
}

int main(void)
{
	scratch = g_dir_make_tmp("l2tp-vpn-resolv-file-XXXXXX", NULL);
	if (!scratch)
		return 1;
	resolv_path = g_build_filename(scratch, "resolv.conf", NULL);
	DP_RUN(test_last_applied_ends_first);
	DP_RUN(test_first_applied_ends_first);
	DP_RUN(test_foreign_rewrite_still_left_alone);
	DP_RUN(test_apply_waits_for_the_lock);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", scratch);

		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
	g_free(resolv_path);
	g_free(scratch);
	return dp_summary();
}
