// SPDX-License-Identifier: GPL-2.0-or-later
/* Profiles for the CLI: loading (client/profile), secrets from the terminal or stdin, the plugin path. */
#include <fcntl.h>
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

/* An interactive prompt on the terminal, without echo. */
L2tpVpnSecret *cli_ask_terminal(const L2tpVpnSecretRequest *request, gpointer user_data, GError **error)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios saved, quiet;
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
	tcsetattr(fd, TCSAFLUSH, &quiet);
	(void)!write(fd, prompt, strlen(prompt));
	secret = l2tpvpn_secret_read_fd(fd, error);
	tcsetattr(fd, TCSAFLUSH, &saved);
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
