// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn doctor: is this machine able to connect? One line per check,
 * "ok" or "problem" with what to do about it. Exit 0 when nothing is wrong,
 * else the "system" exit code.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>

#include "cli.h"
#include "ipsec-private.h"
#include "kernel-l2tp.h"
#include "vici-client.h"

typedef struct {
	int problems;
} Doctor;

static void verdict(Doctor *d, gboolean ok, const char *what, const char *detail, const char *fix)
{
	printf("%-8s %-18s %s\n", ok ? "ok" : "problem", what, detail);
	if (!ok) {
		d->problems++;
		if (fix)
			printf("         %-18s fix: %s\n", "", fix);
	}
}

/* ---- charon ----------------------------------------------------------------- */

typedef struct {
	GMainLoop *loop;
	ViciClient *client;
	struct vici_node *reply;
	GError *error;
} VersionCall;

static void on_version(GObject *src, GAsyncResult *res, gpointer data)
{
	VersionCall *call = data;

	call->reply = vici_client_command_finish(call->client, res, &call->error);
	g_main_loop_quit(call->loop);
}

static void check_charon(Doctor *d)
{
	VersionCall call = {.loop = g_main_loop_new(NULL, FALSE),
			    .client = vici_client_new(IPSEC_DEFAULT_VICI_URI)};
	g_autofree char *detail = NULL;

	vici_client_command_async(call.client, "version", NULL, 0, NULL, NULL, NULL, 5000, NULL, on_version,
				  &call);
	g_main_loop_run(call.loop);
	if (!call.reply) {
		verdict(
		    d, FALSE, "charon", call.error->message,
		    "install strongswan-charon and strongswan-swanctl (Debian: apt install strongswan-charon "
		    "strongswan-swanctl libstrongswan-standard-plugins) and start strongswan.service");
	} else {
		const char *version = vici_node_str(call.reply, "version");
		gboolean old_enough = !ipsec_version_may_lack_ikev1(version);

		detail = g_strdup_printf("%s %s over vici (%s)",
					 vici_node_str(call.reply, "daemon") ?: "charon", version ?: "?",
					 old_enough ? "IKEv1 built in by default"
						    : "6.1 or later: IKEv1 only if built with "
						      "--enable-ikev1");
		verdict(
		    d, old_enough, "charon", detail,
		    "strongSwan 6.1+ drops IKEv1 unless built with --enable-ikev1: use your distribution's "
		    "package with IKEv1, or strongSwan 5.9");
	}
	vici_node_free(call.reply);
	g_clear_error(&call.error);
	vici_client_unref(call.client);
	g_main_loop_unref(call.loop);
}

/* ---- kernel ------------------------------------------------------------------ */

static void check_kernel(Doctor *d)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL;
	g_autoptr(L2tpKernel) k = l2tp_kernel_open(L2TP_KERNEL_OPEN_NO_MODPROBE, &e1);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fd = l2tp_kernel_pppox_connect(1, 1, 1, 1, udp, &e2);
	/* No tunnel 1: PPPoL2TP itself is there. */
	gboolean pppox = fd >= 0 || g_error_matches(e2, L2TP_KERNEL_ERROR, L2TP_KERNEL_ERROR_NOT_FOUND);

	verdict(d, k != NULL, "l2tp_netlink", k ? "genetlink family \"l2tp\" present" : e1->message,
		"modprobe l2tp_netlink (l2tp-vpn up also tries; remove blacklist lines naming it in "
		"/etc/modprobe.d)");
	verdict(d, pppox, "l2tp_ppp", pppox ? "PPPoL2TP sockets available" : e2->message,
		"modprobe l2tp_ppp (and remove blacklist lines naming it in /etc/modprobe.d)");
	verdict(d, g_file_test("/dev/ppp", G_FILE_TEST_EXISTS), "ppp_generic",
		g_file_test("/dev/ppp", G_FILE_TEST_EXISTS) ? "/dev/ppp present" : "/dev/ppp missing",
		"modprobe ppp_generic");
	if (fd >= 0)
		close(fd);
	if (udp >= 0)
		close(udp);
}

/* ---- pppd and our plugin ---------------------------------------------------------- */

static char *pppd_version(GError **error)
{
	g_autoptr(GSubprocess) p =
	    g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, error,
			     "/usr/sbin/pppd", "--version", NULL);
	g_autofree char *out = NULL;
	char *v;

	if (!p || !g_subprocess_communicate_utf8(p, NULL, NULL, &out, NULL, error))
		return NULL;
	v = out ? strstr(out, "version ") : NULL;
	if (!v) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "pppd --version said nothing we understand");
		return NULL;
	}
	return g_strstrip(g_strdup(v + strlen("version ")));
}

static void check_pppd(Doctor *d)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *version = pppd_version(&error);
	g_autofree char *detail = NULL;
	const char *plugin = cli_plugin_path();
	gboolean plugin_ok = g_file_test(plugin, G_FILE_TEST_IS_REGULAR);

	verdict(d, version != NULL, "pppd", version ? version : error->message, "apt install ppp");
	detail = g_strdup_printf("%s, built for pppd %s", plugin, L2TP_VPN_PPPD_VERSION);
	verdict(d, plugin_ok && (!version || !strcmp(version, L2TP_VPN_PPPD_VERSION)), "pppd plugin", detail,
		plugin_ok
		    ? "rebuild l2tp-vpn against this pppd (ppp-dev): pppd refuses plugins of another version"
		    : "install l2tp-vpn (meson install): the plugin is missing");
}

/* ---- port 1701, DNS ------------------------------------------------------------------ */

static void check_port(Doctor *d)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1701)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	gboolean free_port = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	int err = errno;

	if (fd >= 0)
		close(fd);
	verdict(d, free_port, "udp port 1701", free_port ? "free" : g_strerror(err),
		"stop the program holding it (often xl2tpd: systemctl stop xl2tpd); otherwise we use an "
		"ephemeral "
		"port, which some servers refuse");
}

static void check_dns(Doctor *d)
{
	gboolean resolved = g_file_test("/run/systemd/resolve/io.systemd.Resolve", G_FILE_TEST_EXISTS);

	/* Not a problem either way: without resolved, resolv.conf is rewritten and restored exactly. */
	printf("%-8s %-18s %s\n", "ok", "systemd-resolved",
	       resolved ? "running: per-link DNS over D-Bus"
			: "not running: DNS goes through resolvconf or /etc/resolv.conf, restored on down");
}

int cmd_doctor(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- check this machine");
	Doctor d = {0};
	int code = 0;

	if (!cli_parse(ctx, &argc, &argv, &code))
		return code;
	if (geteuid() != 0)
		printf("note: not root: charon and the kernel checks may fail for lack of permission only\n");
	check_charon(&d);
	check_kernel(&d);
	check_pppd(&d);
	check_port(&d);
	check_dns(&d);
	printf("%d problem(s)\n", d.problems);
	return d.problems ? l2tp_vpn_error_exit_code(&(GError){L2TP_VPN_ERROR, L2TP_VPN_ERROR_SYSTEM, NULL})
			  : 0;
}
