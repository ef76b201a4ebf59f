// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding modprobe.d files that disable the L2TP modules, and the message naming them (client/kernel). */
#include <glib/gstdio.h>

#include "dp-check.h"
#include "kernel-l2tp.h"

static char *root;

static void put(const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);
	g_autofree char *dir = g_path_get_dirname(path);

	g_mkdir_with_parents(dir, 0755);
	g_file_set_contents(path, text, -1, NULL);
}

static void test_no_blacklist(void)
{
	g_auto(GStrv) hits = l2tp_kernel_find_blacklists(root);
	g_autofree char *msg = l2tp_kernel_missing_message(root, NULL);

	CHECK(hits && hits[0] == NULL);
	CHECK(strstr(msg, "l2tp_netlink") && strstr(msg, "l2tp_ppp") && strstr(msg, "\"l2tp\""));
	CHECK(strstr(msg, "Fedora") && strstr(msg, "blacklist") &&
	      strstr(msg, "modprobe l2tp_netlink l2tp_ppp"));
}

static void test_fedora_style_blacklists(void)
{
	g_auto(GStrv) hits = NULL;
	g_autofree char *msg = NULL, *want1 = NULL, *want2 = NULL;

	put("etc/modprobe.d/l2tp_netlink-blacklist.conf", "# Remove the blacklist by adding a comment # at "
							  "the start of the line.\nblacklist l2tp_netlink\n");
	put("etc/modprobe.d/l2tp_ppp-blacklist.conf", "  blacklist\tl2tp_ppp  \n");
	put("etc/modprobe.d/other.conf",
	    "blacklist pcspkr\n# blacklist l2tp_ppp\noptions l2tp_core debug=1\n");
	put("usr/lib/modprobe.d/disable.conf",
	    "install l2tp-core /bin/false\ninstall ppp_generic /sbin/modprobe x\n");
	put("etc/modprobe.d/not-a-conf.txt", "blacklist l2tp_ppp\n");
	hits = l2tp_kernel_find_blacklists(root);
	CHECK(hits && g_strv_length(hits) == 3);
	want1 =
	    g_strdup_printf("%s/etc/modprobe.d/l2tp_netlink-blacklist.conf: blacklist l2tp_netlink", root);
	want2 = g_strdup_printf("%s/usr/lib/modprobe.d/disable.conf: install l2tp-core /bin/false", root);
	if (hits && g_strv_length(hits) == 3) {
		CHECK_STR(hits[0], want1);
		CHECK(g_str_has_suffix(hits[1], "l2tp_ppp-blacklist.conf: blacklist\tl2tp_ppp"));
		CHECK_STR(hits[2], want2);
	}
	msg = l2tp_kernel_missing_message(root, "`modprobe -a l2tp_netlink l2tp_ppp` failed: not found");
	CHECK(strstr(msg, want1) && strstr(msg, "kernel-modules-extra") && strstr(msg, "failed: not found"));
}

static void test_pppox_argument_checks(void)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	CHECK(l2tp_kernel_pppox_connect(0, 1, 1, 1, 5, &e1) < 0 &&
	      g_error_matches(e1, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_INVALID));
	CHECK(l2tp_kernel_pppox_connect(1, 70000, 1, 1, 5, &e2) < 0 &&
	      g_error_matches(e2, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_INVALID));
}

int main(void)
{
	root = g_dir_make_tmp("l2tp-vpn-modprobe-XXXXXX", NULL);
	if (!root)
		return 1;
	DP_RUN(test_no_blacklist);
	DP_RUN(test_fedora_style_blacklists);
	DP_RUN(test_pppox_argument_checks);
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf %s", root);

		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
	return dp_summary();
}
