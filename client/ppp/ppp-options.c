// SPDX-License-Identifier: GPL-2.0-or-later
/* pppd command line and exit status; see ppp-options.h. */
#include "ppp-options.h"

#include <string.h>
#include <sys/wait.h>

GQuark l2tp_ppp_error_quark(void)
{
	return g_quark_from_static_string("l2tp-vpn-ppp-error-quark");
}

/* pppd's MINMRU is 128; the L2TP channel cannot carry more than a jumbo frame. */
#define MIN_MTU      128
#define MAX_MTU      9000
#define MAX_LCP_ECHO 3600
#define MAX_LINKNAME 64

void l2tp_ppp_options_init(L2tpPppOptions *opts)
{
	*opts = (L2tpPppOptions){
	    .pppol2tp_fd = -1,
	    .channel_fd = -1,
	    .auth = L2TP_PPP_AUTH_ALL,
	    .mtu = L2TP_PPP_DEFAULT_MTU,
	    .mru = L2TP_PPP_DEFAULT_MTU,
	    .lcp_echo_interval = L2TP_PPP_DEFAULT_LCP_ECHO_INTERVAL,
	    .lcp_echo_failure = L2TP_PPP_DEFAULT_LCP_ECHO_FAILURE,
	};
}

static gboolean name_char_ok(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* The kernel refuses '/', ':' and whitespace; we keep to a plain, portable set. */
gboolean l2tp_ppp_ifname_valid(const char *ifname)
{
	size_t n;

	if (!ifname)
		return FALSE;
	n = strlen(ifname);
	if (n == 0 || n > 15 || !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(ifname[i]))
			return FALSE;
	return TRUE;
}

/* linkname becomes part of a pid file name: no path separators, no leading dot. */
static gboolean linkname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > MAX_LINKNAME || name[0] == '.')
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return FALSE;
	return TRUE;
}

static gboolean word_valid(const char *s)
{
	if (!s || !*s)
		return FALSE;
	for (; *s; s++)
		if (g_ascii_iscntrl(*s))
			return FALSE;
	return TRUE;
}

static gboolean invalid(GError **error, const char *what)
{
	g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_INVALID_OPTION, "Invalid PPP option: %s", what);
	return FALSE;
}

static gboolean check_auth(const L2tpPppOptions *o, GError **error)
{
	if ((o->auth & L2TP_PPP_AUTH_ALL) == 0 || (o->auth & ~(guint)L2TP_PPP_AUTH_ALL)) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NO_AUTH_METHOD,
				    "No valid PPP authentication method is allowed");
		return FALSE;
	}
	if (o->mppe && o->ipsec) {
		/* Encrypting twice costs throughput and MPPE (RC4) adds no protection inside ESP. */
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_MPPE_WITH_IPSEC,
				    "MPPE is refused while IPsec protects the tunnel: "
				    "turn MPPE off or run without IPsec");
		return FALSE;
	}
	if (o->mppe && !(o->auth & (L2TP_PPP_AUTH_MSCHAP | L2TP_PPP_AUTH_MSCHAP_V2))) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_MPPE_NEEDS_MSCHAP,
				    "MPPE needs MS-CHAP or MS-CHAPv2 (its keys come from them), "
				    "but neither is allowed");
		return FALSE;
	}
	return TRUE;
}

static gboolean check_options(const L2tpPppOptions *o, const char *pppd_path, GError **error)
{
	if (!word_valid(pppd_path) || pppd_path[0] != '/')
		return invalid(error, "pppd path (must be absolute)");
	/* pppd runs in "/": a plugin is a bare name in pppd's plugin dir or an absolute path. */
	if (!word_valid(o->plugin_path) || (strchr(o->plugin_path, '/') && o->plugin_path[0] != '/'))
		return invalid(error, "plugin path (a bare name or an absolute path)");
	if (o->pppol2tp_plugin && !word_valid(o->pppol2tp_plugin))
		return invalid(error, "pppol2tp plugin");
	if (o->channel_fd < 3)
		return invalid(error, "plugin channel fd must be 3 or above");
	if (!o->dry_run && (o->pppol2tp_fd < 3 || o->pppol2tp_fd == o->channel_fd))
		return invalid(error, "PPPoL2TP fd must be 3 or above and differ from the channel fd");
	if (!l2tp_ppp_ifname_valid(o->ifname))
		return invalid(error, "interface name (1-15 of A-Z a-z 0-9 - _ .)");
	if (o->linkname && !linkname_valid(o->linkname))
		return invalid(error, "link name (1-64 of A-Z a-z 0-9 - _ ., no leading dot)");
	if (o->mtu < MIN_MTU || o->mtu > MAX_MTU || o->mru < MIN_MTU || o->mru > MAX_MTU)
		return invalid(error, "MTU/MRU out of 128..9000");
	if (o->lcp_echo_interval != G_MAXUINT &&
	    (o->lcp_echo_interval > MAX_LCP_ECHO || o->lcp_echo_failure == 0 || o->lcp_echo_failure > 100))
		return invalid(error, "LCP echo interval (0..3600 s) or failure count (1..100)");
	return check_auth(o, error);
}

static void add(GPtrArray *a, const char *word)
{
	g_ptr_array_add(a, g_strdup(word));
}

static void add_uint(GPtrArray *a, const char *option, guint value)
{
	add(a, option);
	g_ptr_array_add(a, g_strdup_printf("%u", value));
}

static void add_int(GPtrArray *a, const char *option, int value)
{
	add(a, option);
	g_ptr_array_add(a, g_strdup_printf("%d", value));
}

/*
 * Options that counter what a system-wide /etc/ppp/options or ~/.ppprc could
 * set. The launcher also hides those files from pppd (a private mount of
 * /etc/ppp, see ppp-launcher.c), so this is the second line: it keeps us right
 * when pppd runs without that mount (tests, "--no-private-mounts").
 * Debian's file sets "auth crtscts lock modem lcp-echo-*": "auth" is countered
 * here and the echo settings are always given explicitly below. crtscts, lock
 * and modem belong to the tty channel; once pppol2tp.so has set the channel
 * pppd no longer knows their "no..." forms (a live run rejected "nocrtscts"),
 * and they have no effect on a PPPoL2TP channel anyway.
 */
static void add_neutralisers(GPtrArray *a)
{
	add(a, "noauth");         /* a client must not demand that the gateway authenticates */
	add(a, "nopersist");      /* we reconnect ourselves; pppd must exit when the link dies */
	add(a, "nodefaultroute"); /* routes are client/net's job */
	add(a, "noreplacedefaultroute");
	add(a, "noproxyarp");
	add(a, "hide-password"); /* "show-password" would put PAP passwords into debug logs */
	add(a, "noipdefault");   /* take the address the gateway assigns */
	add(a, "usepeerdns");    /* ask for DNS; the plugin hands it to us, no script applies it */
	add(a, "noipv6");        /* the data path is IPv4 only, IPv6 routes/DNS are not managed */
	add(a, "novj");          /* VJ header compression gains nothing on this path */
	/* The PPPoL2TP driver always sends the FF 03 header; asking for ACFC/PFC only invites mismatches. */
	add(a, "noaccomp");
	add(a, "nopcomp");
}

static void add_auth(GPtrArray *a, guint auth)
{
	static const struct {
		guint bit;
		const char *refuse;
	} methods[] = {
	    {L2TP_PPP_AUTH_PAP, "refuse-pap"},       {L2TP_PPP_AUTH_CHAP, "refuse-chap"},
	    {L2TP_PPP_AUTH_MSCHAP, "refuse-mschap"}, {L2TP_PPP_AUTH_MSCHAP_V2, "refuse-mschap-v2"},
	    {L2TP_PPP_AUTH_EAP, "refuse-eap"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(methods); i++)
		if (!(auth & methods[i].bit))
			add(a, methods[i].refuse);
}

static void add_compression(GPtrArray *a, gboolean mppe)
{
	if (!mppe) {
		/* CCP only makes noise (and rejects) when nothing is to be compressed. */
		add(a, "noccp");
		return;
	}
	add(a, "require-mppe-128");
	add(a, "nobsdcomp");
	add(a, "nodeflate");
}

static void add_liveness(GPtrArray *a, const L2tpPppOptions *o)
{
	if (o->lcp_echo_interval == G_MAXUINT || o->lcp_echo_interval == 0) {
		add_uint(a, "lcp-echo-interval", 0);
		return;
	}
	add_uint(a, "lcp-echo-interval", o->lcp_echo_interval);
	add_uint(a, "lcp-echo-failure", o->lcp_echo_failure);
}

/*
 * pppd retransmits a lost Configure-Request (LCP, IPCP) or PAP Authenticate-Request only after
 * 3 s. The path is one L2TP hop over an IPsec SA that just carried a whole IKE exchange, so a
 * reply later than 1 s is a lost one: retransmit after 1 s, and allow 20 tries (20 s, as long as
 * pppd's default budget of 10 x 3 s less a few seconds) so a slow peer is not given up on sooner.
 */
static void add_retransmission(GPtrArray *a)
{
	add_uint(a, "lcp-restart", 1);
	add_uint(a, "lcp-max-configure", 20);
	add_uint(a, "ipcp-restart", 1);
	add_uint(a, "ipcp-max-configure", 20);
	add_uint(a, "pap-restart", 1);
	add_uint(a, "pap-max-authreq", 20);
}

GStrv l2tp_ppp_build_argv(const L2tpPppOptions *o, const char *pppd_path, GError **error)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

	if (!check_options(o, pppd_path, error))
		return NULL;
	add(a, pppd_path);
	if (!o->dry_run) {
		add(a, "plugin");
		add(a, o->pppol2tp_plugin ? o->pppol2tp_plugin : "pppol2tp.so");
	}
	add(a, "plugin");
	add(a, o->plugin_path);
	/*
	 * pppd takes options in order: ours first, because our plugin waits in it for the
	 * credentials, and l2tp-vpn may send them only once the PPPoL2TP socket is connected
	 * (a held start, see L2tpPppLaunch.hold); pppol2tp.so's option checks the socket.
	 */
	add_int(a, "l2tp-vpn-fd", o->channel_fd);
	if (!o->dry_run)
		add_int(a, "pppol2tp", o->pppol2tp_fd);
	add(a, "nodetach");
	/* pppd's messages come to our stderr pipe; syslog gets them too. */
	add_int(a, "logfd", 2);
	add_neutralisers(a);
	add_auth(a, o->auth);
	add_compression(a, o->mppe);
	add_uint(a, "mtu", o->mtu);
	add_uint(a, "mru", o->mru);
	add_liveness(a, o);
	add_retransmission(a);
	add(a, "ifname");
	add(a, o->ifname);
	if (o->linkname) {
		add(a, "linkname");
		add(a, o->linkname);
	}
	if (o->debug)
		add(a, "debug");
	if (o->dry_run) {
		/* No PPPoL2TP channel: stdin (/dev/null) stands in as a non-tty device. */
		add(a, "notty");
		add(a, "dryrun");
	}
	g_ptr_array_add(a, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&a), FALSE);
}

guint l2tp_ppp_log_hints(const char *line)
{
	guint hints = 0;

	if (!line)
		return 0;
	if (strstr(line, "LCP: timeout sending Config-Requests"))
		hints |= L2TP_PPP_HINT_LCP_TIMEOUT;
	if (strstr(line, "No response to ") && strstr(line, "echo-requests"))
		hints |= L2TP_PPP_HINT_ECHO_TIMEOUT;
	if (strstr(line, "MPPE required but peer refused") || strstr(line, "MPPE required, but"))
		hints |= L2TP_PPP_HINT_MPPE_REFUSED;
	if (strstr(line, "peer refused to authenticate") || strstr(line, "Peer refused to agree to our"))
		hints |= L2TP_PPP_HINT_AUTH_REFUSED;
	return hints;
}

struct exit_meaning {
	int status;
	L2tpPppError code;
	const char *text;
};

static const struct exit_meaning exit_meanings[] = {
    {1, L2TP_PPP_ERROR_FATAL, "pppd hit a fatal error (see its log)"},
    {2, L2TP_PPP_ERROR_OPTION, "pppd rejected an option (plugin missing or wrong pppd version?)"},
    {3, L2TP_PPP_ERROR_NOT_ROOT, "pppd needs root privileges"},
    {4, L2TP_PPP_ERROR_NO_KERNEL_SUPPORT,
     "the kernel has no PPP support (/dev/ppp missing: load ppp_generic and l2tp_ppp)"},
    {6, L2TP_PPP_ERROR_LOCK_FAILED, "pppd could not lock the device"},
    {7, L2TP_PPP_ERROR_OPEN_FAILED, "pppd could not open the PPPoL2TP channel"},
    {8, L2TP_PPP_ERROR_CONNECT_FAILED, "pppd could not connect the channel"},
    {10, L2TP_PPP_ERROR_NEGOTIATION_FAILED, "PPP negotiation with the gateway failed"},
    {11, L2TP_PPP_ERROR_PEER_AUTH_FAILED, "the gateway failed to authenticate itself to us"},
    {12, L2TP_PPP_ERROR_IDLE_TIMEOUT, "the link was idle too long"},
    {13, L2TP_PPP_ERROR_CONNECT_TIME, "the maximum connect time was reached"},
    {15, L2TP_PPP_ERROR_PEER_DEAD, "the gateway stopped answering LCP echo requests"},
    {16, L2TP_PPP_ERROR_HANGUP, "the L2TP session was hung up"},
    {17, L2TP_PPP_ERROR_LOOPBACK, "the link is looped back (we are talking to ourselves)"},
    {18, L2TP_PPP_ERROR_INIT_FAILED, "pppd's init script failed"},
    {19, L2TP_PPP_ERROR_AUTH_FAILED, "authentication failed: the gateway refused the user name or password"},
    {20, L2TP_PPP_ERROR_TRAFFIC_LIMIT, "the traffic limit was reached"},
    {21, L2TP_PPP_ERROR_CNID_AUTH_FAILED, "caller number authorisation failed"},
    /* Not pppd's: the launcher's child setup exits 126 when it cannot hide /etc/ppp (no CAP_SYS_ADMIN?). */
    {126, L2TP_PPP_ERROR_SPAWN, "pppd was not started: its private view of /etc/ppp could not be set up"},
};

static gboolean exit_status_to_error(int status, guint hints, GError **error)
{
	if (status == 0 || status == 5)
		return TRUE;
	if (status == 10 && (hints & L2TP_PPP_HINT_LCP_TIMEOUT)) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_LCP_TIMEOUT,
				    "the gateway never answered PPP (LCP timeout): "
				    "the L2TP session carries no PPP traffic");
		return FALSE;
	}
	if (status == 10 && (hints & L2TP_PPP_HINT_MPPE_REFUSED)) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NEGOTIATION_FAILED,
				    "PPP negotiation failed: MPPE is required but the gateway refused it");
		return FALSE;
	}
	if (status == 10 && (hints & L2TP_PPP_HINT_AUTH_REFUSED)) {
		g_set_error_literal(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_NEGOTIATION_FAILED,
				    "PPP negotiation failed: the gateway wants an authentication method "
				    "this connection does not allow");
		return FALSE;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(exit_meanings); i++) {
		if (exit_meanings[i].status == status) {
			g_set_error(error, L2TP_PPP_ERROR, exit_meanings[i].code, "%s (pppd exit %d)",
				    exit_meanings[i].text, status);
			return FALSE;
		}
	}
	g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_UNKNOWN_EXIT, "pppd exited with status %d", status);
	return FALSE;
}

gboolean l2tp_ppp_exit_to_error(int wait_status, guint hints, gboolean we_stopped_it, GError **error)
{
	if (WIFEXITED(wait_status))
		return exit_status_to_error(WEXITSTATUS(wait_status), hints, error);
	if (WIFSIGNALED(wait_status)) {
		int sig = WTERMSIG(wait_status);

		if (we_stopped_it && (sig == SIGTERM || sig == SIGKILL))
			return TRUE;
		g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_KILLED, "pppd was killed by signal %d (%s)",
			    sig, g_strsignal(sig));
		return FALSE;
	}
	g_set_error(error, L2TP_PPP_ERROR, L2TP_PPP_ERROR_UNKNOWN_EXIT, "pppd ended with wait status %#x",
		    (unsigned)wait_status);
	return FALSE;
}
