/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The private channel between l2tp-vpn and its pppd plugin.
 *
 * One end of a socketpair(AF_UNIX, SOCK_SEQPACKET) is inherited by pppd and
 * named to the plugin with the option "l2tp-vpn-fd N". The plugin speaks
 * first (HELLO with pppd's version, while pppd parses that option); only then
 * does the launcher send the credentials, once (they never touch argv, the
 * environment or a file). The plugin acknowledges them and from then on
 * reports what pppd does: phase changes, authentication result, IPCP results,
 * the exit status.
 *
 * Every message is one frame:
 *   u8 version (PPPCHAN_VERSION) | u8 type | u16 payload length (big endian) | payload
 * Strings inside payloads are u8 length + bytes, never NUL-terminated on the
 * wire and never containing NUL. IPv4 addresses are 4 bytes in network order.
 *
 * This header is shared by the plugin (compiled against pppd's headers, which
 * typedef their own "bool") and the launcher, so it uses only stdint/stddef.
 */
#ifndef L2TP_VPN_PPP_CHANNEL_H
#define L2TP_VPN_PPP_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#define PPPCHAN_VERSION     1
#define PPPCHAN_HEADER_LEN  4
#define PPPCHAN_MAX_PAYLOAD 1024
#define PPPCHAN_MAX_FRAME   (PPPCHAN_HEADER_LEN + PPPCHAN_MAX_PAYLOAD)
/* pppd's MAXNAMELEN and MAXSECRETLEN are 256 including the terminating NUL. */
#define PPPCHAN_MAX_USER     255
#define PPPCHAN_MAX_PASSWORD 255
#define PPPCHAN_MAX_VERSION  31
#define PPPCHAN_MAX_IFNAME   15

enum pppchan_type {
	PPPCHAN_CREDENTIALS = 1,    /* launcher -> plugin: user, password */
	PPPCHAN_HELLO = 2,          /* plugin -> launcher: pppd version the plugin runs in */
	PPPCHAN_CREDENTIALS_OK = 3, /* plugin -> launcher: credentials received and installed */
	PPPCHAN_PHASE = 4,          /* plugin -> launcher: pppd phase (PHASE_* of pppd.h) */
	PPPCHAN_AUTH = 5,           /* plugin -> launcher: outcome of authenticating to the peer */
	PPPCHAN_IP_UP = 6,          /* plugin -> launcher: IPCP is up */
	PPPCHAN_IP_DOWN = 7,        /* plugin -> launcher: IPCP went down */
	PPPCHAN_EXIT = 8,           /* plugin -> launcher: pppd is exiting with this status */
};

enum pppchan_auth_result {
	PPPCHAN_AUTH_SUCCEEDED = 0,
	PPPCHAN_AUTH_FAILED = 1,
	PPPCHAN_AUTH_NOT_REQUIRED = 2, /* the peer asked for no authentication */
};

/* pppd's highest phase value (PHASE_MASTER in 2.4.9 and 2.5). */
#define PPPCHAN_MAX_PHASE 12

struct pppchan_credentials {
	char user[PPPCHAN_MAX_USER + 1];
	char password[PPPCHAN_MAX_PASSWORD + 1];
};

struct pppchan_ip_up {
	char ifname[PPPCHAN_MAX_IFNAME + 1];
	uint8_t local[4];
	uint8_t peer[4];
	uint8_t dns1[4]; /* 0.0.0.0 when the peer gave none */
	uint8_t dns2[4];
};

struct pppchan_msg {
	enum pppchan_type type;
	union {
		struct pppchan_credentials cred;
		char version[PPPCHAN_MAX_VERSION + 1];
		uint8_t phase;
		uint8_t auth; /* enum pppchan_auth_result */
		struct pppchan_ip_up ip_up;
		uint8_t exit_status;
	} u;
};

enum pppchan_result {
	PPPCHAN_OK = 0,
	PPPCHAN_NEED_MORE = 1,  /* the buffer holds only part of a frame */
	PPPCHAN_E_VERSION = -1, /* unknown protocol version */
	PPPCHAN_E_TYPE = -2,    /* unknown message type */
	PPPCHAN_E_LENGTH = -3,  /* payload length wrong for the type or too large */
	PPPCHAN_E_VALUE = -4,   /* a field holds a value out of range */
	PPPCHAN_E_NOSPACE = -5, /* encoding: output buffer too small */
};

/*
 * Encode @msg into @buf. Returns the frame length (> 0) or a negative
 * enum pppchan_result. Strings are validated like the decoder does.
 */
int pppchan_encode(const struct pppchan_msg *msg, uint8_t *buf, size_t cap);

/*
 * Decode the first frame in @buf[0..len). On PPPCHAN_OK, *@consumed is the
 * frame length. The decoder never reads past @len and never trusts a length
 * it has not checked. @msg may hold a password afterwards: wipe it.
 */
enum pppchan_result pppchan_decode(const uint8_t *buf, size_t len, struct pppchan_msg *msg, size_t *consumed);

/* Overwrite a message (and any secret it holds) in a way the compiler keeps. */
void pppchan_msg_wipe(struct pppchan_msg *msg);

const char *pppchan_result_str(enum pppchan_result r);
const char *pppchan_type_str(enum pppchan_type t);

#endif
