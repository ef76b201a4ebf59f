// SPDX-License-Identifier: GPL-2.0-or-later
/* pppd launcher; see ppp-launcher.h. */
#include "ppp-launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include "ppp-channel.h"

#define DEFAULT_PPPD "/usr/sbin/pppd"
#define ETC_PPP      "/etc/ppp"

struct _L2tpPppLauncher {
	GSubprocess *proc;
	GDataInputStream *log;
	GCancellable *cancel;
	int channel;
	guint channel_watch;
	guint kill_timer;
	L2tpPppEventFunc func;
	gpointer user_data;
	char *user;
	char *password; /* sent once to the plugin; kept to mask it in log lines */
	gboolean credentials_sent;
	gboolean held;       /* hello answered only after l2tp_ppp_launcher_release() */
	gboolean hello_seen; /* the plugin said hello and waits for the credentials */
	guint hints;
	int plugin_exit_status;
	gboolean exited;
	gboolean log_eof;
	gboolean stopping;
	gboolean finished;
	GError *channel_error;
};

/* Paths the child masks; computed in the parent because child_setup may only make syscalls. */
struct mount_plan {
	gboolean hide_etc_ppp;
	char *ppprc; /* NULL when there is none to hide */
};

static struct mount_plan *mount_plan_new(void)
{
	struct mount_plan *plan = g_new0(struct mount_plan, 1);
	struct passwd *pw = getpwuid(getuid());

	plan->hide_etc_ppp = g_file_test(ETC_PPP, G_FILE_TEST_IS_DIR);
	/* pppd reads ~/.ppprc of the real user (getpwuid(getuid())->pw_dir), not $HOME. */
	if (pw && pw->pw_dir && pw->pw_dir[0]) {
		plan->ppprc = g_build_filename(pw->pw_dir, ".ppprc", NULL);
		if (!g_file_test(plan->ppprc, G_FILE_TEST_EXISTS))
			g_clear_pointer(&plan->ppprc, g_free);
	}
	return plan;
}

static void mount_plan_free(gpointer p)
{
	struct mount_plan *plan = p;

	g_free(plan->ppprc);
	g_free(plan);
}

static void child_fail(const char *what)
{
	static const char prefix[] = "l2tp-vpn: cannot isolate pppd from the system PPP configuration: ";
	int e = errno;
	const char *msg = strerror(e);

	(void)!write(2, prefix, sizeof(prefix) - 1);
	(void)!write(2, what, strlen(what));
	(void)!write(2, ": ", 2);
	(void)!write(2, msg, strlen(msg));
	(void)!write(2, "\n", 1);
	_exit(126);
}

/*
 * Runs in the child between fork and exec. pppd always reads /etc/ppp/options
 * and ~/.ppprc and runs /etc/ppp/ip-up (Debian's ip-up.d rewrites resolv.conf
 * when usepeerdns is set); options given there can even load plugins, which no
 * command-line option can undo. A private mount namespace in which /etc/ppp is
 * an empty tmpfs and ~/.ppprc is /dev/null makes pppd see only our argv, and
 * its /etc/ppp/resolv.conf lands in that tmpfs. Nothing changes for the rest
 * of the system. Only syscalls here: we are in a forked child.
 */
static void child_setup(gpointer data)
{
	const struct mount_plan *plan = data;

	if (!plan)
		return;
	if (unshare(CLONE_NEWNS) < 0)
		child_fail("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("make / private");
	if (plan->hide_etc_ppp && mount("l2tp-vpn-ppp", ETC_PPP, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
					"mode=0755,size=64k") < 0)
		child_fail(ETC_PPP);
	if (plan->ppprc && mount("/dev/null", plan->ppprc, NULL, MS_BIND, NULL) < 0)
		child_fail("~/.ppprc");
}

const char *l2tp_ppp_phase_name(int phase)
{
	static const char *const names[] = {
	    "dead",    "initialize", "serialconn", "dormant",    "establish", "authenticate", "callback",
	    "network", "running",    "terminate",  "disconnect", "holdoff",   "master",
	};

	if (phase < 0 || phase >= (int)G_N_ELEMENTS(names))
		return "unknown";
	return names[phase];
}

static void emit(L2tpPppLauncher *l, L2tpPppEvent *ev)
{
	if (!l->finished)
		l->func(ev, l->user_data);
}

static void set_addr(struct in_addr *a, const uint8_t b[4])
{
	memcpy(&a->s_addr, b, 4);
}

static gboolean send_credentials(int fd, const char *user, const char *password, GError **error);

/*
 * The credentials go out only when the plugin has said hello in our protocol
 * version, from inside the pppd we started, and only once.
 */
static void answer_hello(L2tpPppLauncher *l)
{
	if (l->hello_seen) {
		g_set_error_literal(&l->channel_error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_CHANNEL,
				    "the pppd plugin said hello twice");
		return;
	}
	l->hello_seen = TRUE;
	if (l->held)
		return; /* l2tp_ppp_launcher_release() sends them */
	l->credentials_sent = TRUE;
	send_credentials(l->channel, l->user, l->password, &l->channel_error);
}

static void dispatch(L2tpPppLauncher *l, const struct pppchan_msg *m)
{
	L2tpPppEvent ev = {0};

	switch (m->type) {
	case PPPCHAN_HELLO:
		ev.type = L2TP_PPP_EVENT_HELLO;
		ev.pppd_version = m->u.version;
		emit(l, &ev);
		answer_hello(l);
		return;
	case PPPCHAN_CREDENTIALS_OK:
		ev.type = L2TP_PPP_EVENT_CREDENTIALS_OK;
		break;
	case PPPCHAN_PHASE:
		ev.type = L2TP_PPP_EVENT_PHASE;
		ev.phase = m->u.phase;
		ev.phase_name = l2tp_ppp_phase_name(m->u.phase);
		break;
	case PPPCHAN_AUTH:
		ev.type = L2TP_PPP_EVENT_AUTH;
		ev.auth = m->u.auth;
		break;
	case PPPCHAN_IP_UP:
		ev.type = L2TP_PPP_EVENT_IP_UP;
		g_strlcpy(ev.ifname, m->u.ip_up.ifname, sizeof(ev.ifname));
		set_addr(&ev.local, m->u.ip_up.local);
		set_addr(&ev.peer, m->u.ip_up.peer);
		set_addr(&ev.dns[0], m->u.ip_up.dns1);
		set_addr(&ev.dns[1], m->u.ip_up.dns2);
		break;
	case PPPCHAN_IP_DOWN:
		ev.type = L2TP_PPP_EVENT_IP_DOWN;
		break;
	case PPPCHAN_EXIT:
		l->plugin_exit_status = m->u.exit_status;
		return;
	case PPPCHAN_CREDENTIALS:
		/* Only we send credentials; a plugin echoing them is broken. */
		g_set_error_literal(&l->channel_error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_CHANNEL,
				    "the pppd plugin sent a message only l2tp-vpn may send");
		return;
	}
	emit(l, &ev);
}

static void finish_if_done(L2tpPppLauncher *l);

static void close_channel(L2tpPppLauncher *l)
{
	if (l->channel_watch)
		g_source_remove(l->channel_watch);
	l->channel_watch = 0;
	if (l->channel >= 0)
		close(l->channel);
	l->channel = -1;
}

/* Read every queued frame; FALSE once the channel is closed or broken. */
static gboolean drain_channel(L2tpPppLauncher *l)
{
	uint8_t frame[PPPCHAN_MAX_FRAME];

	for (;;) {
		struct pppchan_msg msg;
		size_t used;
		enum pppchan_result r;
		ssize_t n = recv(l->channel, frame, sizeof(frame), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		if (n <= 0)
			return FALSE;
		r = (size_t)n > sizeof(frame) ? PPPCHAN_E_LENGTH
					      : pppchan_decode(frame, (size_t)n, &msg, &used);
		if (r == PPPCHAN_OK && used != (size_t)n)
			r = PPPCHAN_E_LENGTH;
		if (r != PPPCHAN_OK) {
			if (!l->channel_error)
				g_set_error(&l->channel_error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_CHANNEL,
					    "bad message from the pppd plugin: %s", pppchan_result_str(r));
			return FALSE;
		}
		dispatch(l, &msg);
		pppchan_msg_wipe(&msg);
	}
}

static gboolean on_channel(gint fd, GIOCondition cond, gpointer data)
{
	L2tpPppLauncher *l = data;

	if (drain_channel(l))
		return G_SOURCE_CONTINUE;
	l->channel_watch = 0;
	close_channel(l);
	return G_SOURCE_REMOVE;
}

static char *mask_password(const L2tpPppLauncher *l, const char *line)
{
	g_auto(GStrv) parts = NULL;

	if (!l->password || !l->password[0] || !strstr(line, l->password))
		return g_strdup(line);
	parts = g_strsplit(line, l->password, -1);
	return g_strjoinv("********", parts);
}

static void read_next_line(L2tpPppLauncher *l);

static void on_log_line(GObject *src, GAsyncResult *res, gpointer data)
{
	L2tpPppLauncher *l = data;
	g_autoptr(GError) err = NULL;
	g_autofree char *line =
	    g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(src), res, NULL, &err);

	if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!line && err && g_error_matches(err, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE)) {
		/* Not UTF-8: skip the line, keep reading. */
		read_next_line(l);
		return;
	}
	if (!line) {
		l->log_eof = TRUE;
		finish_if_done(l);
		return;
	}
	{
		g_autofree char *safe = mask_password(l, line);
		L2tpPppEvent ev = {.type = L2TP_PPP_EVENT_LOG, .log_line = safe};

		l->hints |= l2tp_ppp_log_hints(line);
		emit(l, &ev);
	}
	read_next_line(l);
}

static void read_next_line(L2tpPppLauncher *l)
{
	g_data_input_stream_read_line_async(l->log, G_PRIORITY_DEFAULT, l->cancel, on_log_line, l);
}

static void finish_if_done(L2tpPppLauncher *l)
{
	g_autoptr(GError) error = NULL;
	L2tpPppEvent ev = {.type = L2TP_PPP_EVENT_EXITED};

	if (!l->exited || !l->log_eof || l->finished)
		return;
	if (l->channel >= 0)
		drain_channel(l);
	close_channel(l);
	if (l->kill_timer)
		g_source_remove(l->kill_timer);
	l->kill_timer = 0;
	/* pppd's own verdict first; a broken channel matters only when pppd itself ended cleanly. */
	if (l2tp_ppp_exit_to_error(g_subprocess_get_status(l->proc), l->hints, l->stopping, &error))
		ev.error = l->channel_error;
	else
		ev.error = error;
	ev.plugin_exit_status = l->plugin_exit_status;
	emit(l, &ev);
	l->finished = TRUE;
}

static void on_exited(GObject *src, GAsyncResult *res, gpointer data)
{
	L2tpPppLauncher *l = data;
	g_autoptr(GError) err = NULL;

	if (!g_subprocess_wait_finish(G_SUBPROCESS(src), res, &err) &&
	    g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	l->exited = TRUE;
	finish_if_done(l);
}

static gboolean credentials_valid(const char *user, const char *password, GError **error)
{
	if (user && password && user[0] && strlen(user) <= PPPCHAN_MAX_USER &&
	    strlen(password) <= PPPCHAN_MAX_PASSWORD)
		return TRUE;
	g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION,
			    "PPP user name must be 1-255 bytes and the password at most 255 bytes");
	return FALSE;
}

static gboolean send_credentials(int fd, const char *user, const char *password, GError **error)
{
	struct pppchan_msg msg = {.type = PPPCHAN_CREDENTIALS};
	uint8_t frame[PPPCHAN_MAX_FRAME];
	int n;

	g_strlcpy(msg.u.cred.user, user, sizeof(msg.u.cred.user));
	g_strlcpy(msg.u.cred.password, password, sizeof(msg.u.cred.password));
	n = pppchan_encode(&msg, frame, sizeof(frame));
	pppchan_msg_wipe(&msg);
	if (n < 0) {
		g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_CHANNEL, "cannot encode credentials: %s",
			    pppchan_result_str((enum pppchan_result)n));
		return FALSE;
	}
	n = (int)send(fd, frame, (size_t)n, MSG_NOSIGNAL) == n ? n : -1;
	explicit_bzero(frame, sizeof(frame));
	if (n < 0) {
		g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_CHANNEL, "cannot queue credentials: %s",
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static GSubprocess *spawn(const L2tpPppLaunch *launch, const char *const *argv, int child_end, GError **error)
{
	g_autoptr(GSubprocessLauncher) sl =
	    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
	const char *const env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", NULL};
	GSubprocess *proc;

	g_subprocess_launcher_set_environ(sl, (char **)env);
	g_subprocess_launcher_set_cwd(sl, "/");
	g_subprocess_launcher_take_fd(sl, child_end, L2TP_PPP_CHILD_CHANNEL_FD);
	if (!launch->ppp.dry_run) {
		int dup_fd = fcntl(launch->pppol2tp_socket, F_DUPFD_CLOEXEC, 3);

		if (dup_fd < 0) {
			g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_SPAWN, "PPPoL2TP socket: %s",
				    g_strerror(errno));
			return NULL;
		}
		g_subprocess_launcher_take_fd(sl, dup_fd, L2TP_PPP_CHILD_PPPOL2TP_FD);
	}
	if (!launch->no_private_mounts)
		g_subprocess_launcher_set_child_setup(sl, child_setup, mount_plan_new(), mount_plan_free);
	proc = g_subprocess_launcher_spawnv(sl, argv, error);
	if (!proc)
		g_prefix_error(error, "cannot start pppd: ");
	return proc;
}

static L2tpPppLauncher *launcher_new(L2tpPppEventFunc func, gpointer user_data, const char *user,
				     const char *password)
{
	L2tpPppLauncher *l = g_new0(L2tpPppLauncher, 1);

	l->channel = -1;
	l->cancel = g_cancellable_new();
	l->func = func;
	l->user_data = user_data;
	l->user = g_strdup(user);
	l->password = g_strdup(password);
	l->plugin_exit_status = -1;
	return l;
}

L2tpPppLauncher *l2tp_ppp_launcher_start(const L2tpPppLaunch *launch, L2tpPppEventFunc func,
					 gpointer user_data, GError **error)
{
	g_autoptr(L2tpPppLauncher) l = NULL;
	L2tpPppOptions opts = launch->ppp;
	g_auto(GStrv) argv = NULL;
	int sv[2];

	opts.channel_fd = L2TP_PPP_CHILD_CHANNEL_FD;
	opts.pppol2tp_fd = opts.dry_run ? -1 : L2TP_PPP_CHILD_PPPOL2TP_FD;
	argv = l2tp_ppp_build_argv(&opts, launch->pppd_path ? launch->pppd_path : DEFAULT_PPPD, error);
	if (!argv)
		return NULL;
	if (!opts.dry_run && launch->pppol2tp_socket < 0) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION,
				    "no PPPoL2TP socket");
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_SPAWN, "socketpair: %s", g_strerror(errno));
		return NULL;
	}
	if (!credentials_valid(launch->user, launch->password, error)) {
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	l = launcher_new(func, user_data, launch->user, launch->password);
	l->held = launch->hold;
	l->channel = sv[0];
	l->proc = spawn(launch, (const char *const *)argv, sv[1], error);
	if (!l->proc)
		return NULL;
	l->log = g_data_input_stream_new(g_subprocess_get_stdout_pipe(l->proc));
	l->channel_watch = g_unix_fd_add(l->channel, G_IO_IN | G_IO_HUP | G_IO_ERR, on_channel, l);
	read_next_line(l);
	g_subprocess_wait_async(l->proc, l->cancel, on_exited, l);
	return g_steal_pointer(&l);
}

static gboolean on_kill_timer(gpointer data)
{
	L2tpPppLauncher *l = data;

	l->kill_timer = 0;
	g_subprocess_force_exit(l->proc);
	return G_SOURCE_REMOVE;
}

void l2tp_ppp_launcher_release(L2tpPppLauncher *l)
{
	if (!l->held)
		return;
	l->held = FALSE;
	if (l->hello_seen && !l->credentials_sent && !l->exited) {
		l->credentials_sent = TRUE;
		send_credentials(l->channel, l->user, l->password, &l->channel_error);
	}
}

void l2tp_ppp_launcher_stop(L2tpPppLauncher *l, guint grace_seconds)
{
	if (l->exited || l->stopping)
		return;
	l->stopping = TRUE;
	g_subprocess_send_signal(l->proc, SIGTERM);
	/* Not g_timeout_add_seconds(): its first tick may come early, and pppd needs the whole grace
	 * to send LCP Terminate-Request and run its exit notifiers. */
	l->kill_timer = g_timeout_add((grace_seconds ? grace_seconds : 1) * 1000, on_kill_timer, l);
}

GPid l2tp_ppp_launcher_get_pid(L2tpPppLauncher *l)
{
	const char *id = l->exited ? NULL : g_subprocess_get_identifier(l->proc);

	return id ? (GPid)atoi(id) : 0;
}

void l2tp_ppp_launcher_free(L2tpPppLauncher *l)
{
	if (!l)
		return;
	l->finished = TRUE;
	g_cancellable_cancel(l->cancel);
	if (l->proc && !l->exited)
		g_subprocess_force_exit(l->proc);
	close_channel(l);
	if (l->kill_timer)
		g_source_remove(l->kill_timer);
	g_clear_object(&l->log);
	g_clear_object(&l->proc);
	g_clear_object(&l->cancel);
	g_clear_error(&l->channel_error);
	if (l->password)
		explicit_bzero(l->password, strlen(l->password));
	g_free(l->password);
	g_free(l->user);
	g_free(l);
}
