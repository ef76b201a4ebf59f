// SPDX-License-Identifier: GPL-2.0-or-later
/* The plugin channel codec (client/ppp/ppp-channel.c): round trips, exact wire bytes, hostile frames. */
#include <stdlib.h>

#include "dp-check.h"
#include "ppp-channel.h"

static int roundtrip(const struct pppchan_msg *in, struct pppchan_msg *out)
{
	uint8_t buf[PPPCHAN_MAX_FRAME];
	size_t used = 0;
	int n = pppchan_encode(in, buf, sizeof(buf));

	if (n <= 0)
		return -1;
	if (pppchan_decode(buf, (size_t)n, out, &used) != PPPCHAN_OK || used != (size_t)n)
		return -1;
	/* Every strict prefix is incomplete, never an error or a message. */
	for (int cut = 1; cut < n; cut++) {
		struct pppchan_msg m;

		if (pppchan_decode(buf, (size_t)cut, &m, &used) != PPPCHAN_NEED_MORE || used != 0)
			return -1;
	}
	return n;
}

static void test_credentials_wire_format(void)
{
	struct pppchan_msg in = {.type = PPPCHAN_CREDENTIALS}, out;
	static const uint8_t want[] = {1, 1, 0, 9, 5, 'a', 'l', 'i', 'c', 'e', 2, 'p', 'w'};
	uint8_t buf[64];

	strcpy(in.u.cred.user, "alice");
	strcpy(in.u.cred.password, "pw");
	CHECK(pppchan_encode(&in, buf, sizeof(buf)) == (int)sizeof(want));
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
	CHECK(roundtrip(&in, &out) == (int)sizeof(want));
	CHECK_STR(out.u.cred.user, "alice");
	CHECK_STR(out.u.cred.password, "pw");
	pppchan_msg_wipe(&out);
	CHECK(out.u.cred.password[0] == 0 && out.u.cred.password[1] == 0);
}

static void test_every_type_roundtrips(void)
{
	struct pppchan_msg in, out;

	memset(&in, 0, sizeof(in));
	in.type = PPPCHAN_HELLO;
	strcpy(in.u.version, "2.4.9");
	CHECK(roundtrip(&in, &out) == 10 && out.type == PPPCHAN_HELLO);
	CHECK_STR(out.u.version, "2.4.9");

	for (int t = PPPCHAN_CREDENTIALS_OK; t <= PPPCHAN_EXIT;
	     t += (t == PPPCHAN_CREDENTIALS_OK ? 4 : 100)) {
		memset(&in, 0, sizeof(in));
		in.type = (enum pppchan_type)t; /* CREDENTIALS_OK and IP_DOWN: no payload */
		CHECK(roundtrip(&in, &out) == PPPCHAN_HEADER_LEN && out.type == in.type);
	}
	for (uint8_t p = 0; p <= PPPCHAN_MAX_PHASE; p++) {
		in = (struct pppchan_msg){.type = PPPCHAN_PHASE, .u.phase = p};
		CHECK(roundtrip(&in, &out) == 5 && out.u.phase == p);
	}
	for (uint8_t a = 0; a <= PPPCHAN_AUTH_NOT_REQUIRED; a++) {
		in = (struct pppchan_msg){.type = PPPCHAN_AUTH, .u.auth = a};
		CHECK(roundtrip(&in, &out) == 5 && out.u.auth == a);
	}
	in = (struct pppchan_msg){.type = PPPCHAN_EXIT, .u.exit_status = 19};
	CHECK(roundtrip(&in, &out) == 5 && out.u.exit_status == 19);

	in = (struct pppchan_msg){.type = PPPCHAN_IP_UP};
	strcpy(in.u.ip_up.ifname, "l2tp-office");
	memcpy(in.u.ip_up.local, (uint8_t[]){10, 8, 0, 2}, 4);
	memcpy(in.u.ip_up.peer, (uint8_t[]){10, 8, 0, 1}, 4);
	memcpy(in.u.ip_up.dns1, (uint8_t[]){192, 0, 2, 53}, 4);
	CHECK(roundtrip(&in, &out) == 4 + 1 + 11 + 16);
	CHECK_STR(out.u.ip_up.ifname, "l2tp-office");
	CHECK(memcmp(out.u.ip_up.local, in.u.ip_up.local, 4) == 0 &&
	      memcmp(out.u.ip_up.peer, in.u.ip_up.peer, 4) == 0);
	CHECK(memcmp(out.u.ip_up.dns1, in.u.ip_up.dns1, 4) == 0 && out.u.ip_up.dns2[0] == 0);
}

static void test_limits(void)
{
	struct pppchan_msg in = {.type = PPPCHAN_CREDENTIALS}, out;
	uint8_t small[8];

	memset(in.u.cred.user, 'u', PPPCHAN_MAX_USER);
	memset(in.u.cred.password, 'p', PPPCHAN_MAX_PASSWORD);
	CHECK(roundtrip(&in, &out) == 4 + 2 + 255 + 255);
	CHECK(strlen(out.u.cred.user) == 255 && strlen(out.u.cred.password) == 255);
	/* Empty password is legal (some gateways), empty user is not. */
	in.u.cred.password[0] = 0;
	CHECK(roundtrip(&in, &out) > 0 && out.u.cred.password[0] == 0);
	in.u.cred.user[0] = 0;
	CHECK(pppchan_encode(&in, small, sizeof(small)) == PPPCHAN_E_VALUE);
	strcpy(in.u.cred.user, "alice");
	strcpy(in.u.cred.password, "secret");
	CHECK(pppchan_encode(&in, small, sizeof(small)) == PPPCHAN_E_NOSPACE);
	CHECK(pppchan_encode(&in, small, 3) == PPPCHAN_E_NOSPACE);
	in = (struct pppchan_msg){.type = PPPCHAN_PHASE, .u.phase = PPPCHAN_MAX_PHASE + 1};
	CHECK(pppchan_encode(&in, small, sizeof(small)) == PPPCHAN_E_VALUE);
	in = (struct pppchan_msg){.type = (enum pppchan_type)99};
	CHECK(pppchan_encode(&in, small, sizeof(small)) == PPPCHAN_E_TYPE);
}

static enum pppchan_result decode(const uint8_t *frame, size_t len)
{
	struct pppchan_msg m;
	size_t used = 12345;
	enum pppchan_result r = pppchan_decode(frame, len, &m, &used);

	if (r != PPPCHAN_OK && used != 0)
		return (enum pppchan_result)99;
	return r;
}

static void test_hostile_frames(void)
{
	/* wrong version is rejected from its first byte on */
	CHECK(decode((const uint8_t[]){2}, 1) == PPPCHAN_E_VERSION);
	CHECK(decode((const uint8_t[]){0, 4, 0, 1, 1}, 5) == PPPCHAN_E_VERSION);
	CHECK(decode((const uint8_t[]){1, 0, 0, 0}, 4) == PPPCHAN_E_TYPE);
	CHECK(decode((const uint8_t[]){1, 9, 0, 0}, 4) == PPPCHAN_E_TYPE);
	/* payload longer than the maximum, even before it arrives */
	CHECK(decode((const uint8_t[]){1, 4, 0x04, 0x01}, 4) == PPPCHAN_E_LENGTH);
	/* phase: missing byte, extra byte, out of range */
	CHECK(decode((const uint8_t[]){1, 4, 0, 0}, 4) == PPPCHAN_E_LENGTH);
	CHECK(decode((const uint8_t[]){1, 4, 0, 2, 1, 1}, 6) == PPPCHAN_E_LENGTH);
	CHECK(decode((const uint8_t[]){1, 4, 0, 1, 13}, 5) == PPPCHAN_E_VALUE);
	CHECK(decode((const uint8_t[]){1, 5, 0, 1, 3}, 5) == PPPCHAN_E_VALUE);
	/* empty-payload types with a payload */
	CHECK(decode((const uint8_t[]){1, 3, 0, 1, 0}, 5) == PPPCHAN_E_LENGTH);
	/* credentials: string length running past the payload */
	CHECK(decode((const uint8_t[]){1, 1, 0, 4, 5, 'a', 'b', 0}, 8) == PPPCHAN_E_LENGTH);
	/* credentials: NUL inside the user name */
	CHECK(decode((const uint8_t[]){1, 1, 0, 4, 2, 'a', 0, 0}, 8) == PPPCHAN_E_VALUE);
	/* credentials: empty user */
	CHECK(decode((const uint8_t[]){1, 1, 0, 2, 0, 0}, 6) == PPPCHAN_E_VALUE);
	/* hello: version string too long for its field */
	{
		uint8_t f[4 + 1 + 40] = {1, 2, 0, 41, 40};

		memset(f + 5, '9', 40);
		CHECK(decode(f, sizeof(f)) == PPPCHAN_E_VALUE);
	}
	/* ip-up: ifname of 16 bytes */
	{
		uint8_t f[4 + 1 + 16 + 16] = {1, 6, 0, 33, 16};

		memset(f + 5, 'x', 16);
		CHECK(decode(f, sizeof(f)) == PPPCHAN_E_VALUE);
	}
	/* two frames back to back: the first is consumed alone */
	{
		const uint8_t two[] = {1, 4, 0, 1, 7, 1, 8, 0, 1, 0};
		struct pppchan_msg m;
		size_t used;

		CHECK(pppchan_decode(two, sizeof(two), &m, &used) == PPPCHAN_OK && used == 5 &&
		      m.u.phase == 7);
		CHECK(pppchan_decode(two + used, sizeof(two) - used, &m, &used) == PPPCHAN_OK && used == 5 &&
		      m.type == PPPCHAN_EXIT && m.u.exit_status == 0);
	}
	CHECK(decode(NULL, 0) == PPPCHAN_NEED_MORE);
}

static void test_random_garbage_never_crashes(void)
{
	uint8_t buf[64];
	unsigned int seed = 42;
	int ok = 0;

	for (int i = 0; i < 200000; i++) {
		struct pppchan_msg m;
		size_t used, len = (size_t)(rand_r(&seed) % sizeof(buf));

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		if (len >= PPPCHAN_HEADER_LEN && (rand_r(&seed) & 1)) {
			/* a plausible header, so payload decoding gets exercised too */
			buf[0] = PPPCHAN_VERSION;
			buf[1] = (uint8_t)(1 + rand_r(&seed) % 8);
			buf[2] = 0;
			buf[3] = (uint8_t)(len - PPPCHAN_HEADER_LEN);
		}
		if (pppchan_decode(buf, len, &m, &used) == PPPCHAN_OK) {
			uint8_t again[PPPCHAN_MAX_FRAME];

			/* whatever decodes re-encodes to the same bytes */
			CHECK(used <= len && pppchan_encode(&m, again, sizeof(again)) == (int)used &&
			      memcmp(again, buf, used) == 0);
			ok++;
		}
	}
	CHECK(ok > 0);
}

int main(void)
{
	DP_RUN(test_credentials_wire_format);
	DP_RUN(test_every_type_roundtrips);
	DP_RUN(test_limits);
	DP_RUN(test_hostile_frames);
	DP_RUN(test_random_garbage_never_crashes);
	return dp_summary();
}
