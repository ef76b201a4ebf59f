// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp-vpn-pppd.so: pppd plugin of l2tp-vpn.
 *
 * Usage (built by client/ppp/ppp-options.c):
 *   pppd ... plugin l2tp-vpn-pppd.so l2tp-vpn-fd N ...
 * N is one end of an AF_UNIX SOCK_SEQPACKET socketpair inherited from
 * l2tp-vpn. While pppd parses that option the plugin says hello, receives the
 * user name and password (ppp-channel.h) and acknowledges them; from then on
 * it answers pppd's PAP/CHAP/MS-CHAP/EAP password hooks from memory and reports
 * phase changes, the authentication outcome, IPCP results and the exit status.
 * The password is never in argv, the environment or a file, and never logged.
 *
 * Built against pppd 2.4.x headers (Debian 12: /usr/include/pppd, no
 * pkg-config) or pppd 2.5 (pppd.pc); meson defines L2TP_VPN_PPPD_25 for 2.5,
 * whose plugin API moved to accessors (ppp_add_notify, ppp_ifname, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* pppd 2.4's pppd.h typedefs bool itself: nothing may include stdbool.h first. */
#ifdef L2TP_VPN_PPPD_25
#include <pppd/pppd.h>
#include <pppd/options.h>
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/upap.h>
#include <pppd/chap.h>
#else
#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/patchlevel.h>
#endif

#include "ppp-channel.h"

#define PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef L2TP_VPN_PPPD_25
PLUGIN_EXPORT char pppd_version[] = PPPD_VERSION;
/*
 * pppd 2.5 has no setter for the name we authenticate with, but the global
 * still exists and pppd exports its symbols to plugins (-rdynamic). CHAP takes
 * its name from it before any hook runs, so it must be filled in early.
 */
extern char user[MAXNAMELEN];
#define compat_add_options(o)   ppp_add_options(o)
#define compat_int_option(s, v) ppp_int_option(s, v)
#define compat_option_error     ppp_option_error
#define compat_ifname()         ppp_ifname()
#define compat_phase()          ppp_phase()
#define compat_status()         ppp_status()
#define compat_timeout          ppp_timeout
#define compat_untimeout        ppp_untimeout
#else
PLUGIN_EXPORT char pppd_version[] = VERSION;
#define compat_add_options(o)   add_options(o)
#define compat_int_option(s, v) int_option(s, v)
#define compat_option_error     option_error
#define compat_ifname()         ((const char *)ifname)
#define compat_phase()          (phase)
#define compat_status()         (status)
#define compat_timeout          timeout
#define compat_untimeout        untimeout
#endif

/*
 * l2tp-vpn may start pppd before the L2TP session exists and send the credentials only
 * once it does (IKE and L2TP under loss: up to a minute and a half). If l2tp-vpn dies
 * meanwhile, the channel hangs up and the wait ends at once; this only bounds a hung one.
 */
#define CREDENTIALS_TIMEOUT_MS 180000

/* PPP framing as pppd hands packets to its hooks: FF 03, protocol, then the CP header. */
#define PPP_FRAME_HDRLEN     4
#define CHAP_CODE_RESPONSE   2
#define CHAP_CODE_SUCCESS    3
#define CHAP_CODE_FAILURE    4
#define CHAP_RESEND_SECS     1
#define CHAP_RESEND_MAX      15

static int channel_fd = -1;
static int have_credentials;
static int saw_auth_phase;
static int auth_reported;
/*
 * The last CHAP/MS-CHAP Response pppd sent, kept to send again (see chap_resend_*). It holds
 * a digest of the password, never the password, and is wiped once authentication is over.
 */
static unsigned char chap_response[PPP_FRAME_HDRLEN + 4 + 256 + MAXNAMELEN];
static int chap_response_len;
static int chap_resends;
static int chap_resend_timer;
static struct timespec chap_last_resend;
/* The gateway's IPCP Configure-Request that pppd discarded during authentication (see below). */
static unsigned char early_ipcp[PPP_FRAME_HDRLEN + 256];
static int early_ipcp_len;
/* Hooks another plugin installed before us: called first (pppd has one slot each). */
static void (*next_send_hook)(unsigned char *p, int len);
static void (*next_recv_hook)(unsigned char *p, int len);
/* The password, locked in RAM (no swap) and wiped at exit. */
static char secret[PPPCHAN_MAX_PASSWORD + 1];

static void channel_send(const struct pppchan_msg *msg)
{
	uint8_t frame[PPPCHAN_MAX_FRAME];
	int n;

	if (channel_fd < 0)
		return;
	n = pppchan_encode(msg, frame, sizeof(frame));
	if (n < 0) {
		error("l2tp-vpn: cannot encode %s message: %s", pppchan_type_str(msg->type),
		      pppchan_result_str((enum pppchan_result)n));
		return;
	}
	/* Never block pppd on us: if l2tp-vpn is gone, pppd still has to finish. */
	if (send(channel_fd, frame, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		warn("l2tp-vpn: channel send failed: %m");
}

static void send_simple(enum pppchan_type type, uint8_t value)
{
	struct pppchan_msg msg = {.type = type};

	if (type == PPPCHAN_PHASE)
		msg.u.phase = value;
	else if (type == PPPCHAN_AUTH)
		msg.u.auth = value;
	else if (type == PPPCHAN_EXIT)
		msg.u.exit_status = value;
	channel_send(&msg);
}

static int channel_fd_acceptable(int fd)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (fd < 3 || fcntl(fd, F_GETFD) < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET)
		return 0;
	len = sizeof(domain);
	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX;
}

/* Wait for the credentials frame; l2tp-vpn sends it right after spawning us. */
static int receive_credentials(struct pppchan_msg *msg)
{
	uint8_t frame[PPPCHAN_MAX_FRAME];
	struct pollfd pfd = {.fd = channel_fd, .events = POLLIN};
	size_t used;
	ssize_t n;
	int ok;

	if (poll(&pfd, 1, CREDENTIALS_TIMEOUT_MS) != 1)
		return 0;
	do
		n = recv(channel_fd, frame, sizeof(frame), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	ok = n > 0 && (size_t)n <= sizeof(frame) &&
	     pppchan_decode(frame, (size_t)n, msg, &used) == PPPCHAN_OK && used == (size_t)n &&
	     msg->type == PPPCHAN_CREDENTIALS;
	explicit_bzero(frame, sizeof(frame));
	return ok;
}

static void install_credentials(const struct pppchan_msg *msg)
{
	strlcpy(user, msg->u.cred.user, MAXNAMELEN);
	strlcpy(secret, msg->u.cred.password, sizeof(secret));
	have_credentials = 1;
}

/* Handler of "l2tp-vpn-fd N". */
static int option_channel_fd(char **argv)
{
	struct pppchan_msg msg = {.type = PPPCHAN_HELLO};
	int fd;

	if (channel_fd >= 0) {
		compat_option_error("l2tp-vpn-fd given twice");
		return 0;
	}
	if (!compat_int_option(argv[0], &fd) || !channel_fd_acceptable(fd)) {
		compat_option_error("l2tp-vpn-fd: %s is not an inherited AF_UNIX SOCK_SEQPACKET socket",
				    argv[0]);
		return 0;
	}
	/* Scripts and helpers pppd runs must not inherit our channel. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	channel_fd = fd;
	strlcpy(msg.u.version, pppd_version, sizeof(msg.u.version));
	channel_send(&msg);
	if (!receive_credentials(&msg)) {
		pppchan_msg_wipe(&msg);
		compat_option_error("l2tp-vpn-fd: no valid credentials arrived from l2tp-vpn");
		return 0;
	}
	install_credentials(&msg);
	pppchan_msg_wipe(&msg);
	msg.type = PPPCHAN_CREDENTIALS_OK;
	channel_send(&msg);
	return 1;
}

static option_t plugin_options[] = {
    {.name = "l2tp-vpn-fd",
     .type = o_special,
     .addr = (void *)option_channel_fd,
     .description = "inherited socket to l2tp-vpn (credentials and events)",
     .flags = OPT_PRIV},
    {.name = NULL},
};

/* pppd asks "is there a password?" with passwd == NULL, then "give it" with a buffer. */
static int hook_pap_passwd(char *name, char *out)
{
	if (!have_credentials)
		return 0; /* 0 = no password; -1 would send pppd to /etc/ppp/pap-secrets */
	if (out)
		strlcpy(out, secret, MAXSECRETLEN);
	return 1;
}

static int hook_chap_passwd(char *name, char *out)
{
	if (!have_credentials)
		return -1;
	strlcpy(out, secret, MAXSECRETLEN);
	return 1;
}

static int hook_check(void)
{
	return have_credentials;
}

/*
 * A lost CHAP Success stalls Debian 12's pppd (2.4.9) for good: its CHAP client never sends its
 * Response again, and the authenticator, already done, sends Success again only when a Response
 * arrives (pppd's chap_handle_response answers a repeated Response with the same status). On a
 * lossy link that is a dead connection (lab loss-connect: most failures). So while we wait for
 * the outcome we send the same Response again: at once when the authenticator has clearly moved
 * on (an NCP packet arrives: it sent Success and is configuring the network), else every
 * CHAP_RESEND_SECS. Same identifier, same bytes: a fresh Challenge makes pppd answer anew.
 */
static unsigned protocol_of(const unsigned char *p, int len)
{
	return len >= PPP_FRAME_HDRLEN ? (unsigned)(p[2] << 8 | p[3]) : 0;
}

static int is_chap(const unsigned char *p, int len, int code)
{
	return protocol_of(p, len) == PPP_CHAP && len > PPP_FRAME_HDRLEN &&
	       p[PPP_FRAME_HDRLEN] == code;
}

static void chap_resend_tick(void *arg);

static void chap_resend_stop(void)
{
	if (chap_resend_timer)
		compat_untimeout(chap_resend_tick, NULL);
	chap_resend_timer = 0;
	explicit_bzero(chap_response, sizeof(chap_response));
	chap_response_len = 0;
}

static void chap_resend_arm(void)
{
	if (chap_resend_timer)
		compat_untimeout(chap_resend_tick, NULL);
	chap_resend_timer = chap_resends < CHAP_RESEND_MAX;
	if (chap_resend_timer)
		compat_timeout(chap_resend_tick, NULL, CHAP_RESEND_SECS, 0);
}

/* An NCP burst (IPCP and CCP together) asks once: one Response per second at most. */
static int chap_resent_within_a_second(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return chap_resends > 0 && (now.tv_sec - chap_last_resend.tv_sec) * 1000000000L +
					   (now.tv_nsec - chap_last_resend.tv_nsec) < 1000000000L;
}

static void chap_resend_now(void)
{
	unsigned char copy[sizeof(chap_response)];
	int len = chap_response_len;

	if (!len || chap_resends >= CHAP_RESEND_MAX || compat_phase() != PHASE_AUTHENTICATE)
		return;
	chap_resends++;
	clock_gettime(CLOCK_MONOTONIC, &chap_last_resend);
	/* output() runs our send hook, which stores what it sends: hand it a copy. */
	memcpy(copy, chap_response, (size_t)len);
	notice("l2tp-vpn: no CHAP outcome yet, sending the Response again (%d)", chap_resends);
	output(0, copy, len);
	explicit_bzero(copy, sizeof(copy));
	chap_resend_arm();
}

static void chap_resend_tick(void *arg)
{
	chap_resend_timer = 0;
	chap_resend_now();
}

static void on_packet_sent(unsigned char *p, int len)
{
	if (next_send_hook)
		next_send_hook(p, len);
	if (!is_chap(p, len, CHAP_CODE_RESPONSE) || len > (int)sizeof(chap_response))
		return;
	if (len != chap_response_len || memcmp(p, chap_response, (size_t)len)) {
		memcpy(chap_response, p, (size_t)len);
		chap_response_len = len;
		chap_resends = 0; /* a new Response (a new Challenge): a fresh budget */
	}
	chap_resend_arm();
}

/*
 * The authenticator sends its IPCP Configure-Request right after Success; when the link reorders
 * (or Success was lost and sent again) it arrives while pppd still authenticates, and pppd
 * discards every NCP packet before the network phase. The peer then repeats it only after its
 * restart timer (3 s by default; lab loss-connect: most lossy connects paid it). We keep the last
 * such request and hand it to IPCP once pppd is in the network phase, as if it came a little later:
 * a Configure-Request is idempotent, so a retransmission arriving too does no harm.
 */
static void early_ipcp_keep(const unsigned char *p, int len)
{
	if (protocol_of(p, len) != PPP_IPCP || len <= PPP_FRAME_HDRLEN ||
	    p[PPP_FRAME_HDRLEN] != CONFREQ || len > (int)sizeof(early_ipcp) ||
	    compat_phase() != PHASE_AUTHENTICATE)
		return;
	memcpy(early_ipcp, p, (size_t)len);
	early_ipcp_len = len;
}

static void early_ipcp_replay(void *arg)
{
	int phase_now = compat_phase();
	int len = early_ipcp_len;

	early_ipcp_len = 0;
	/* Only into an IPCP that negotiates: a closed one (MPPE first) would answer Terminate-Ack. */
	if (!len || (phase_now != PHASE_NETWORK && phase_now != PHASE_RUNNING) ||
	    ipcp_fsm[0].state < REQSENT)
		return;
	notice("l2tp-vpn: passing on the IPCP Configure-Request that came during authentication");
	ipcp_protent.input(0, early_ipcp + PPP_FRAME_HDRLEN, len - PPP_FRAME_HDRLEN);
}

static void on_packet_received(unsigned char *p, int len)
{
	unsigned protocol = protocol_of(p, len);

	if (next_recv_hook)
		next_recv_hook(p, len);
	early_ipcp_keep(p, len);
	if (!chap_response_len)
		return;
	if (is_chap(p, len, CHAP_CODE_SUCCESS) || is_chap(p, len, CHAP_CODE_FAILURE))
		chap_resend_stop(); /* the outcome arrived; pppd takes it from here */
	else if (protocol >= 0x8000 && protocol < 0xc000 && compat_phase() == PHASE_AUTHENTICATE &&
		 !chap_resent_within_a_second())
		chap_resend_now(); /* an NCP: the authenticator already sent its Success */
}

static void on_phase(void *ctx, int new_phase)
{
	if (new_phase != PHASE_AUTHENTICATE)
		chap_resend_stop();
	/* IPCP opens after this notifier returns: pass the early request on from the main loop. */
	if (new_phase == PHASE_NETWORK && early_ipcp_len)
		compat_timeout(early_ipcp_replay, NULL, 0, 0);
	else if (new_phase != PHASE_AUTHENTICATE)
		early_ipcp_len = 0;
	if (new_phase < 0 || new_phase > PPPCHAN_MAX_PHASE)
		return;
	/*
	 * Refused by the gateway: pppd sets its exit status, then closes LCP. Say so now, not at
	 * exit: the LNS clears the call as soon as its own pppd quits, and a CDN that arrived
	 * first would be taken for an L2TP failure (lab ours-errors-auth saw exactly that).
	 */
	if (new_phase == PHASE_TERMINATE && saw_auth_phase && !auth_reported &&
	    compat_status() == EXIT_AUTH_TOPEER_FAILED) {
		auth_reported = 1;
		send_simple(PPPCHAN_AUTH, PPPCHAN_AUTH_FAILED);
	}
	send_simple(PPPCHAN_PHASE, (uint8_t)new_phase);
	if (new_phase == PHASE_AUTHENTICATE)
		saw_auth_phase = 1;
	/* NETWORK follows a completed authentication, or none was asked for. */
	if ((new_phase == PHASE_NETWORK || new_phase == PHASE_CALLBACK) && !auth_reported) {
		auth_reported = 1;
		send_simple(PPPCHAN_AUTH,
			    saw_auth_phase ? PPPCHAN_AUTH_SUCCEEDED : PPPCHAN_AUTH_NOT_REQUIRED);
	}
}

static void copy_addr(uint8_t out[4], u_int32_t addr_be)
{
	memcpy(out, &addr_be, 4);
}

static void on_ip_up(void *ctx, int arg)
{
	struct pppchan_msg msg = {.type = PPPCHAN_IP_UP};

	strlcpy(msg.u.ip_up.ifname, compat_ifname(), sizeof(msg.u.ip_up.ifname));
	copy_addr(msg.u.ip_up.local, ipcp_gotoptions[0].ouraddr);
	copy_addr(msg.u.ip_up.peer, ipcp_hisoptions[0].hisaddr);
	copy_addr(msg.u.ip_up.dns1, ipcp_gotoptions[0].dnsaddr[0]);
	copy_addr(msg.u.ip_up.dns2, ipcp_gotoptions[0].dnsaddr[1]);
	channel_send(&msg);
}

static void on_ip_down(void *ctx, int arg)
{
	struct pppchan_msg msg = {.type = PPPCHAN_IP_DOWN};

	channel_send(&msg);
}

static void on_exit_notify(void *ctx, int exit_status)
{
	if (exit_status == EXIT_AUTH_TOPEER_FAILED && !auth_reported) {
		auth_reported = 1;
		send_simple(PPPCHAN_AUTH, PPPCHAN_AUTH_FAILED);
	}
	send_simple(PPPCHAN_EXIT, (uint8_t)(exit_status & 0xff));
	chap_resend_stop();
	explicit_bzero(secret, sizeof(secret));
	have_credentials = 0;
	if (channel_fd >= 0) {
		close(channel_fd);
		channel_fd = -1;
	}
}

PLUGIN_EXPORT void plugin_init(void);

void plugin_init(void)
{
	/* Best effort: keep the password out of swap (fails harmlessly under RLIMIT_MEMLOCK). */
	mlock(secret, sizeof(secret));
	compat_add_options(plugin_options);
	pap_passwd_hook = hook_pap_passwd;
	chap_passwd_hook = hook_chap_passwd;
	pap_check_hook = hook_check;
	chap_check_hook = hook_check;
	next_send_hook = snoop_send_hook;
	next_recv_hook = snoop_recv_hook;
	snoop_send_hook = on_packet_sent;
	snoop_recv_hook = on_packet_received;
#ifdef L2TP_VPN_PPPD_25
	ppp_add_notify(NF_PHASE_CHANGE, on_phase, NULL);
	ppp_add_notify(NF_IP_UP, on_ip_up, NULL);
	ppp_add_notify(NF_IP_DOWN, on_ip_down, NULL);
	ppp_add_notify(NF_EXIT, on_exit_notify, NULL);
#else
	add_notifier(&phasechange, on_phase, NULL);
	add_notifier(&ip_up_notifier, on_ip_up, NULL);
	add_notifier(&ip_down_notifier, on_ip_down, NULL);
	add_notifier(&exitnotify, on_exit_notify, NULL);
#endif
}
