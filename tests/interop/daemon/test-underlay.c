// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The underlay watch against the real kernel, in a network namespace of its
 * own (addresses on lo, changed with ip(8)): removing the address a connection
 * is bound to, or re-routing the gateway to another source, fires the watch
 * with the reason; a change elsewhere does not.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

#include "underlay-watch.h"

#define WAIT_MS 10000

typedef struct {
	gboolean fired;
	char *why;
} Fired;

static void ip(const char *args)
{
	g_autofree char *cmd = g_strdup_printf("ip %s", args);
	g_autoptr(GError) error = NULL;
	int status = -1;

	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, &error));
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("%s failed", cmd);
}

static void on_changed(const char *why, gpointer data)
{
	Fired *f = data;

	g_assert_false(f->fired);
	f->fired = TRUE;
	f->why = g_strdup(why);
}

static gboolean on_timeout(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

static void wait_fired(Fired *f)
{
	gboolean timed_out = FALSE;
	guint timer = g_timeout_add(WAIT_MS, on_timeout, &timed_out);

	while (!f->fired && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	g_assert_false(timed_out);
	g_source_remove(timer);
}

/* ip(8) has returned, so the kernel has queued its notification: dispatch whatever it led to. */
static void settle(void)
{
	while (g_main_context_pending(NULL))
		g_main_context_iteration(NULL, FALSE);
}

static VpndUnderlayWatch *watch(const char *gateway, const char *local, Fired *f)
{
	char source[INET_ADDRSTRLEN];
	g_autofree char *why_not = NULL;
	g_autoptr(GError) error = NULL;
	VpndUnderlayWatch *w;

	g_assert_true(vpnd_route_source(gateway, source, &why_not));
	g_assert_cmpstr(source, ==, local);
	w = vpnd_underlay_watch_new(gateway, local, on_changed, f, &error);
	g_assert_no_error(error);
	settle();
	g_assert_false(f->fired);
	return w;
}

static void test_address_removed(void)
{
	Fired f = {0};
	VpndUnderlayWatch *w;

	ip("addr add 10.9.0.1/24 dev lo");
	ip("addr add 10.9.1.1/24 dev lo");
	w = watch("10.9.0.5", "10.9.0.1", &f);
	ip("addr del 10.9.0.1/24 dev lo");
	wait_fired(&f);
	g_assert_nonnull(strstr(f.why, "no route to the gateway 10.9.0.5"));
	vpnd_underlay_watch_free(w);
	g_free(f.why);
}

static void test_source_changed(void)
{
	Fired f = {0};
	VpndUnderlayWatch *w;

	ip("addr add 10.9.2.1/24 dev lo");
	ip("addr add 10.9.3.1/24 dev lo");
	w = watch("10.9.2.5", "10.9.2.1", &f);
	ip("route replace 10.9.2.5/32 dev lo src 10.9.3.1");
	wait_fired(&f);
	g_assert_cmpstr(f.why, ==,
			"the route to the gateway 10.9.2.5 now leaves from 10.9.3.1, not 10.9.2.1");
	vpnd_underlay_watch_free(w);
	g_free(f.why);
}

static void test_unrelated_change(void)
{
	Fired f = {0};
	VpndUnderlayWatch *w;

	ip("addr add 10.9.4.1/24 dev lo");
	w = watch("10.9.4.5", "10.9.4.1", &f);
	ip("route add 10.77.0.0/16 dev lo");
	ip("addr add 10.9.5.1/24 dev lo");
	settle();
	g_assert_false(f.fired);
	vpnd_underlay_watch_free(w);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* 77: meson reports the test as skipped, not passed. */
	if (getuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		g_printerr("skipped: needs root and a network namespace of its own\n");
		return 77;
	}
	ip("link set lo up");
	g_test_add_func("/underlay/address-removed", test_address_removed);
	g_test_add_func("/underlay/source-changed", test_source_changed);
	g_test_add_func("/underlay/unrelated-change-ignored", test_unrelated_change);
	return g_test_run();
}
