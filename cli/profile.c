// SPDX-License-Identifier: GPL-2.0-or-later
/* Profiles for the CLI: loading (client/profile), secrets from the terminal or stdin, the plugin path. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"

char *cli_connection_name(const char *name_or_path, GError **error)
{
	g_autofree char *base = NULL;

	if (!strchr(name_or_path, '/')) {
		base = g_strdup(name_or_path);
	} else {
		base = g_path_get_basename(name_or_path);
		if (g_str_has_suffix(base, L2TPVPN_PROFILE_SUFFIX))
			base[strlen(base) - strlen(L2TPVPN_PROFILE_SUFFIX)] = '\0';
	}
	if (!l2tp_vpn_name_valid(base)) {
		g_set_error(error, L2TP_VPN_ERROR, L2TP_VPN_ERROR_INVALID_CONFIG,
			    "\"%s\" is not a connection name (A-Z a-z 0-9 - _ ., at most 64, no leading dot)",
			    name_or_path);
		return NULL;
	}
	return g_steal_pointer(&base);
}

/*
 * While a prompt has the terminal's echo off, a signal that ends us (^C at the
 * prompt) puts the terminal back first; only async-signal-safe calls here.
 */
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static struct {
	int fd;
	struct termios saved;
} echo_off = {-1};

static void restore_terminal_and_die(int sig)
{
	tcsetattr(echo_off.fd, TCSAFLUSH, &echo_off.saved);
	(void)!write(echo_off.fd, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig); /* delivered once this handler returns: the default action, as if never caught */
}

static void guard_terminal(int fd, const struct termios *saved, struct sigaction *old)
{
	struct sigaction sa = {.sa_handler = restore_terminal_and_die};

	echo_off.fd = fd;
	echo_off.saved = *saved;
	sigemptyset(&sa.sa_mask);
	for (guint i = 0; i < G_N_ELEMENTS(fatal_signals); i++) {
		sigaction(fatal_signals[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN) /* an ignored signal stays ignored */
			sigaction(fatal_signals[i], &sa, NULL);
	}
}

static void unguard_terminal(const struct sigaction *old)
{
	for (guint i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
		sigaction(fatal_signals[i], &old[i], NULL);
	echo_off.fd = -1;
}

/* An interactive prompt on the terminal, without echo. */
L2tpVpnSecret *cli_ask_terminal(const L2tpVpnSecretRequest *request, gpointer user_data, GError **error)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios saved, quiet;
	struct sigaction old[G_N_ELEMENTS(fatal_signals)];
	g_autofree char *prompt = NULL;
	L2tpVpnSecret *secret;

	if (fd < 0 || tcgetattr(fd, &saved) < 0) {
		if (fd >= 0)
			close(fd);
		g_set_error(error, L2TPVPN_PROFILE_ERROR, L2TPVPN_PROFILE_ERROR_SECRET_NEEDED,
			    "%s of %s needed: no terminal to ask on (use --password-stdin or a secret file)",
			    request->description, request->profile);
		return NULL;
	}
	prompt = request->user ? g_strdup_printf("%s for %s (%s): ", request->description, request->user,
						 request->profile)
			       : g_strdup_printf("%s (%s): ", request->description, request->profile);
	/* Echo off before the prompt: what is typed once the prompt shows is never echoed (and type-ahead
	 * from before it is discarded). */
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	guard_terminal(fd, &saved, old);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	(void)!write(fd, prompt, strlen(prompt));
	secret = l2tpvpn_secret_read_fd(fd, error);
	tcsetattr(fd, TCSAFLUSH, &saved);
	unguard_terminal(old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return secret;
}

L2tpVpnConfig *cli_load_config(const char *name_or_path, int password_fd, GError **error)
{
	L2tpVpnProfile *profile = l2tpvpn_profile_open(name_or_path, cli_globals.profile_dir, error);
	gboolean ok;

	if (!profile)
		return NULL;
	if (password_fd >= 0)
		ok = l2tpvpn_profile_resolve_secrets(profile, l2tpvpn_secret_ask_fd,
						     GINT_TO_POINTER(password_fd), error);
	else
		ok = l2tpvpn_profile_resolve_secrets(profile, cli_ask_terminal, NULL, error);
	if (!ok) {
		l2tpvpn_profile_free(profile);
		return NULL;
	}
	return l2tp_vpn_config_from_profile(profile, cli_plugin_path(), error);
}

/* A plugin pppd loads as root must be root's and writable by nobody else. */
static gboolean trustworthy(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022);
}

const char *cli_plugin_path(void)
{
	/* Running from the build tree (tests, the VM lab): this build's plugin, if nothing is installed. */
	if (!trustworthy(L2TP_VPN_PLUGIN_INSTALLED) && trustworthy(L2TP_VPN_PLUGIN_BUILT))
		return L2TP_VPN_PLUGIN_BUILT;
	return L2TP_VPN_PLUGIN_INSTALLED;
}
