// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for "pppd + our plugin" to drive the launcher through every
 * outcome without a kernel. The launcher gives pppd a clean environment, so
 * the scenario is the name it is started as (argv[0]'s basename, via
 * symlinks made by the test): fake-pppd-ok, -auth-fail, -lcp-timeout,
 * -garbage, -crash, -hang. It speaks the real channel protocol
 * (ppp-channel.h) on the fd named by "l2tp-vpn-fd", and exits 99 if it finds
 * the password in its own argv or environment or the fds are not as promised.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ppp-channel.h"

extern char **environ;

static int chan = -1;
static volatile sig_atomic_t got_term;

static void send_msg(const struct pppchan_msg *m)
{
	uint8_t buf[PPPCHAN_MAX_FRAME];
	int n = pppchan_encode(m, buf, sizeof(buf));

	if (n > 0)
		send(chan, buf, (size_t)n, MSG_NOSIGNAL);
}

static void send_phase(int p)
{
	struct pppchan_msg m = {.type = PPPCHAN_PHASE, .u.phase = (uint8_t)p};

	send_msg(&m);
}

static void send_byte(enum pppchan_type t, uint8_t v)
{
	struct pppchan_msg m = {.type = t};

	if (t == PPPCHAN_AUTH)
		m.u.auth = v;
	else
		m.u.exit_status = v;
	send_msg(&m);
}

static void finish(int status)
{
	send_byte(PPPCHAN_EXIT, (uint8_t)status);
	exit(status);
}

static const char *option_value(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static int secret_leaked(int argc, char **argv, const char *password)
{
	for (int i = 0; i < argc; i++)
		if (strstr(argv[i], password))
			return 1;
	for (char **e = environ; *e; e++)
		if (strstr(*e, password))
			return 1;
	return 0;
}

static void on_term(int sig)
{
	got_term = 1;
}

static void ip_up(const char *ifname)
{
	struct pppchan_msg m = {.type = PPPCHAN_IP_UP};

	strncpy(m.u.ip_up.ifname, ifname, PPPCHAN_MAX_IFNAME);
	memcpy(m.u.ip_up.local, (uint8_t[]){10, 8, 0, 2}, 4);
	memcpy(m.u.ip_up.peer, (uint8_t[]){10, 8, 0, 1}, 4);
	memcpy(m.u.ip_up.dns1, (uint8_t[]){10, 8, 0, 53}, 4);
	send_msg(&m);
}

static void run(const char *scenario, const char *ifname, const char *password)
{
	if (!strcmp(scenario, "fake-pppd-ok")) {
		send_phase(4);
		send_phase(5);
		/* a careless log line with the password in it: the launcher must mask it */
		fprintf(stderr, "sent [PAP AuthReq id=0x1 user=\"alice\" password=\"%s\"]\n", password);
		send_phase(7);
		send_byte(PPPCHAN_AUTH, PPPCHAN_AUTH_SUCCEEDED);
		ip_up(ifname);
		send_phase(8);
		while (!got_term)
			pause();
		send_phase(9);
		finish(5);
	} else if (!strcmp(scenario, "fake-pppd-auth-fail")) {
		send_phase(4);
		send_phase(5);
		fprintf(stderr, "MS-CHAP authentication failed: E=691 Authentication failure\n");
		send_byte(PPPCHAN_AUTH, PPPCHAN_AUTH_FAILED);
		finish(19);
	} else if (!strcmp(scenario, "fake-pppd-lcp-timeout")) {
		send_phase(4);
		fprintf(stderr, "LCP: timeout sending Config-Requests\n");
		finish(10);
	} else if (!strcmp(scenario, "fake-pppd-garbage")) {
		send(chan, "\x01\x63\x00\x00", 4, MSG_NOSIGNAL);
		exit(0);
	} else if (!strcmp(scenario, "fake-pppd-crash")) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	} else if (!strcmp(scenario, "fake-pppd-hang")) {
		for (;;)
			pause();
	}
	exit(98);
}

int main(int argc, char **argv)
{
	const char *fd_text = option_value(argc, argv, "l2tp-vpn-fd");
	const char *ifname = option_value(argc, argv, "ifname");
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct pppchan_msg hello = {.type = PPPCHAN_HELLO}, cred;
	uint8_t buf[PPPCHAN_MAX_FRAME];
	struct stat st;
	size_t used;
	ssize_t n;

	if (!fd_text || !ifname)
		return 97;
	chan = atoi(fd_text);
	/* the promised fds: the channel, and fd 3 a socket unless it is a dry run */
	if (fstat(chan, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 96;
	if (!option_value(argc, argv, "dryrun") && strcmp(argv[argc - 1], "dryrun") &&
	    (fstat(3, &st) < 0 || !S_ISSOCK(st.st_mode)))
		return 95;
	/* Before the first message: the launcher may signal us as soon as it hears from us. */
	if (!strcmp(base, "fake-pppd-ok"))
		signal(SIGTERM, on_term);
	else if (!strcmp(base, "fake-pppd-hang"))
		signal(SIGTERM, SIG_IGN);
	strcpy(hello.u.version, "2.4.9");
	send_msg(&hello);
	n = recv(chan, buf, sizeof(buf), 0);
	if (n <= 0 || pppchan_decode(buf, (size_t)n, &cred, &used) != PPPCHAN_OK ||
	    cred.type != PPPCHAN_CREDENTIALS)
		return 94;
	if (secret_leaked(argc, argv, cred.u.cred.password))
		return 99;
	hello.type = PPPCHAN_CREDENTIALS_OK;
	send_msg(&hello);
	run(base, ifname, cred.u.cred.password);
	return 98;
}
