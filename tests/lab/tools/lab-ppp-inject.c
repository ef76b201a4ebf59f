// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-ppp-inject HEX — send one PPP frame out of the only PPP channel in this
 * network namespace, as if pppd had sent it.
 *
 * The lab uses it to make the peer renegotiate: an IPCP Configure-Request that
 * reaches an open IPCP takes both ends' IPv4 side down and negotiates afresh
 * (RFC 1661), as a lost Configure-Ack does on a real link. /dev/ppp lets any
 * number of files attach to a channel (PPPIOCATTCHAN); a write on one goes out
 * through the channel's driver (here PPPoL2TP, which adds the address and
 * control bytes). HEX starts at the protocol field, e.g. 8021 for IPCP.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ppp-ioctl.h>
#include <sys/ioctl.h>

#define MAX_FRAME   1500
#define MAX_CHANNEL 4096

static int parse_hex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};

		out[i] = (unsigned char)strtoul(byte, NULL, 16);
	}
	return (int)(n / 2);
}

/* The one channel index that exists in this namespace; -1 if none or several. */
static int only_channel(void)
{
	int found = -1;

	for (int idx = 0; idx < MAX_CHANNEL; idx++) {
		int fd = open("/dev/ppp", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			perror("lab-ppp-inject: /dev/ppp");
			return -1;
		}
		if (ioctl(fd, PPPIOCATTCHAN, &idx) == 0) {
			if (found >= 0) {
				fprintf(stderr, "lab-ppp-inject: several PPP channels (%d, %d)\n", found, idx);
				close(fd);
				return -1;
			}
			found = idx;
		}
		close(fd);
	}
	if (found < 0)
		fprintf(stderr, "lab-ppp-inject: no PPP channel in this namespace\n");
	return found;
}

int main(int argc, char **argv)
{
	unsigned char frame[MAX_FRAME];
	int len, idx, fd;

	if (argc != 2 || (len = parse_hex(argv[1], frame, sizeof(frame))) < 2) {
		fprintf(stderr, "usage: lab-ppp-inject HEX (from the PPP protocol field on)\n");
		return 2;
	}
	if ((idx = only_channel()) < 0)
		return 1;
	fd = open("/dev/ppp", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, PPPIOCATTCHAN, &idx) < 0) {
		fprintf(stderr, "lab-ppp-inject: attach to channel %d: %s\n", idx, strerror(errno));
	} else if (write(fd, frame, (size_t)len) != len) {
		fprintf(stderr, "lab-ppp-inject: write to channel %d: %s\n", idx, strerror(errno));
	} else {
		printf("channel %d: sent %d bytes\n", idx, len);
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	return 1;
}
