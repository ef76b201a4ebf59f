// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec vectors: header flag rules, AVP round trips and strictness, hidden
 * AVPs and tunnel authentication against independently computed MD5 values,
 * result codes as text.
 *
 * The hiding and challenge vectors were computed outside this code base with
 * Python's hashlib (RFC 2661 §4.3 and §4.4.3 followed literally):
 *
 *   import hashlib
 *   def hide(t, secret, rv, value):
 *       p = len(value).to_bytes(2, 'big') + value
 *       out = b''; key = hashlib.md5(t.to_bytes(2, 'big') + secret + rv).digest()
 *       for i in range(0, len(p), 16):
 *           c = bytes(a ^ b for a, b in zip(p[i:i+16], key)); out += c
 *           key = hashlib.md5(secret + c).digest()
 *       return out
 *   s = b"s3cret!"; rv = bytes(range(16))
 *   hide(14, s, rv, bytes([0x12, 0x34]))                       # SESSION_ID_HIDDEN
 *   hide(7, s, rv, b"lns.example.org-a-host-name-long-enough")  # HOST_NAME_HIDDEN
 *   ch = bytes(range(0x10, 0x20))
 *   hashlib.md5(bytes([2]) + s + ch).digest()                   # RESPONSE_SCCRP
 *   hashlib.md5(bytes([3]) + s + ch).digest()                   # RESPONSE_SCCCN
 *   hide(13, s, rv, RESPONSE_SCCCN)                             # RESPONSE_SCCCN_HIDDEN (two MD5 blocks)
 *   hide(9, s, rv, bytes([0x12, 0x34]))                         # TUNNEL_ID_HIDDEN
 */
#include "check.h"
#include "l2tp-codec.h"

#include <stdint.h>

static const uint8_t SECRET[] = "s3cret!";
static const struct l2tp_secret secret = {SECRET, 7};
static const uint8_t VECTOR[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t SESSION_ID_HIDDEN[] = {0x4c, 0x26, 0x8d, 0xc5};
static const char HOST_NAME[] = "lns.example.org-a-host-name-long-enough";
static const uint8_t HOST_NAME_HIDDEN[] = {0xe5, 0xaf, 0xa9, 0x82, 0x47, 0x39, 0x67, 0xbc, 0xfd, 0xcf, 0x2f,
					   0x7f, 0x35, 0xa6, 0x31, 0x34, 0x7b, 0xef, 0xaa, 0xac, 0xfd, 0x80,
					   0x0a, 0x2a, 0x94, 0x0c, 0x55, 0xab, 0xc5, 0x50, 0xb3, 0x1c, 0x23,
					   0x99, 0xae, 0xf7, 0x02, 0x4a, 0xa1, 0xb1, 0xe2};
static const uint8_t CHALLENGE[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				      0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t RESPONSE_SCCRP[16] = {0x18, 0x68, 0x03, 0x3e, 0x19, 0xaa, 0x9f, 0x86,
					   0xd1, 0x44, 0x68, 0x48, 0x92, 0x0e, 0x48, 0x4f};
static const uint8_t RESPONSE_SCCCN[16] = {0xfc, 0x4f, 0x7f, 0x52, 0xce, 0x02, 0xe7, 0xd9,
					   0x89, 0x5d, 0x5b, 0x8e, 0x37, 0x64, 0x0f, 0xf7};

static const uint8_t RESPONSE_SCCCN_HIDDEN[18] = {0x51, 0x68, 0xef, 0x02, 0x61, 0x75, 0x13, 0x0b, 0xe3,
						  0xeb, 0x9c, 0x73, 0x48, 0x29, 0x32, 0x43, 0xbe, 0xbd};
static const uint8_t TUNNEL_ID_HIDDEN[4] = {0x22, 0x94, 0x8b, 0x9b};

/* SCCRQ as RFC 2661 §3.1/§4.1 lays it out, written by hand. */
static const uint8_t SCCRQ_BYTES[] = {
    0xc8, 0x02, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header, length 63 */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,                         /* Message Type 1 */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00,                         /* Protocol Version 1.0 */
    0x80, 0x09, 0x00, 0x00, 0x00, 0x07, 'l',  'a',  'c',                    /* Host Name */
    0x80, 0x0a, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03,             /* Framing Capabilities */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x09, 0x12, 0x34,                         /* Assigned Tunnel ID */
    0x80, 0x08, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08,                         /* Receive Window Size */
};

static void test_build_sccrq_matches_hand_vector(void)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCRQ, 0, 0, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_HOST_NAME, "lac", 3);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x1234);
	l2tp_builder_u16(&b, true, L2TP_AVP_RECEIVE_WINDOW, 8);
	size_t len = l2tp_builder_finish(&b);
	CHECK_INT(len, sizeof(SCCRQ_BYTES));
	CHECK_MEM(buf, SCCRQ_BYTES, sizeof(SCCRQ_BYTES));
	l2tp_header_set_seq(buf, 0x0102, 0x0304);
	CHECK(buf[8] == 0x01 && buf[9] == 0x02 && buf[10] == 0x03 && buf[11] == 0x04);
}

static void test_parse_sccrq_accessors(void)
{
	struct l2tp_msg msg;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	const uint8_t *v;
	uint16_t vlen;
	struct l2tp_protocol_version ver;
	CHECK_INT(l2tp_msg_parse(SCCRQ_BYTES, sizeof(SCCRQ_BYTES), NULL, &msg), L2TP_PARSE_OK);
	CHECK_INT(msg.type, L2TP_MSG_SCCRQ);
	CHECK(!msg.zlb);
	CHECK(msg.hdr.control && msg.hdr.has_length && msg.hdr.has_seq);
	CHECK(l2tp_msg_protocol_version(&msg, &ver) && ver.version == 1 && ver.revision == 0);
	CHECK(l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &u16) && u16 == 0x1234);
	CHECK(l2tp_msg_u16(&msg, L2TP_AVP_RECEIVE_WINDOW, &u16) && u16 == 8);
	CHECK(l2tp_msg_u32(&msg, L2TP_AVP_FRAMING_CAPS, &u32) && u32 == 3);
	CHECK(l2tp_msg_bytes(&msg, L2TP_AVP_HOST_NAME, &v, &vlen) && vlen == 3 && !memcmp(v, "lac", 3));
	CHECK(msg.avp[L2TP_AVP_HOST_NAME].mandatory && !msg.avp[L2TP_AVP_HOST_NAME].was_hidden);
	CHECK(!l2tp_msg_has(&msg, L2TP_AVP_CHALLENGE));
}

/* Every typed AVP survives a build/parse round trip. */
static void test_round_trip_all_typed_avps(void)
{
	uint8_t buf[1024];
	struct l2tp_builder b;
	struct l2tp_msg msg;
	uint64_t tie = 0;
	uint32_t u32 = 0;
	uint16_t u16 = 0;
	const uint8_t q931[] = {0x00, 0x10, 0x05, 'b', 'y', 'e'};
	const uint8_t errors[26] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
				    3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6};
	const uint8_t accm[10] = {0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	const uint8_t tie_breaker[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const uint8_t auth_id[2] = {0, 42};

	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_ICCN, 7, 9, NULL);
	l2tp_builder_u32(&b, true, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_TYPE, 1);
	l2tp_builder_u32(&b, false, L2TP_AVP_RX_CONNECT_SPEED, 54000000);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_Q931_CAUSE, q931, sizeof(q931));
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_CALL_ERRORS, errors, sizeof(errors));
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_ACCM, accm, sizeof(accm));
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_TIE_BREAKER, tie_breaker, sizeof(tie_breaker));
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_PROXY_AUTH_ID, auth_id, sizeof(auth_id));
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_SEQUENCING_REQUIRED, NULL, 0);
	l2tp_builder_result(&b, 2, 6, "vendor says no");
	size_t len = l2tp_builder_finish(&b);
	CHECK(len > 0);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_OK);
	CHECK_INT(msg.hdr.tunnel_id, 7);
	CHECK_INT(msg.hdr.session_id, 9);
	CHECK(l2tp_msg_u32(&msg, L2TP_AVP_TX_CONNECT_SPEED, &u32) && u32 == 100000000);
	CHECK(l2tp_msg_u32(&msg, L2TP_AVP_RX_CONNECT_SPEED, &u32) && u32 == 54000000);
	CHECK(!msg.avp[L2TP_AVP_RX_CONNECT_SPEED].mandatory);
	CHECK(l2tp_msg_u64(&msg, L2TP_AVP_TIE_BREAKER, &tie) && tie == 0x0102030405060708ull);
	CHECK(l2tp_msg_has(&msg, L2TP_AVP_SEQUENCING_REQUIRED));
	CHECK(!l2tp_msg_u16(&msg, L2TP_AVP_SEQUENCING_REQUIRED, &u16));
	struct l2tp_q931_cause cause;
	CHECK(l2tp_msg_q931_cause(&msg, &cause) && cause.cause == 0x10 && cause.msg == 5 &&
	      cause.advisory_len == 3);
	struct l2tp_call_errors ce;
	CHECK(l2tp_msg_call_errors(&msg, &ce) && ce.crc == 1 && ce.alignment == 6);
	struct l2tp_accm a;
	CHECK(l2tp_msg_accm(&msg, &a) && a.send == 0xffffffff && a.recv == 0);
	struct l2tp_proxy_auth_id pid;
	CHECK(l2tp_msg_proxy_auth_id(&msg, &pid) && pid.id == 42);
	struct l2tp_result r;
	CHECK(l2tp_msg_result(&msg, &r) && r.result == 2 && r.has_error && r.error == 6 &&
	      r.message_len == 14 && !memcmp(r.message, "vendor says no", 14));
}

static void test_header_flag_rules(void)
{
	struct l2tp_header h;
	uint8_t m[12];
	memcpy(m, SCCRQ_BYTES, 12);
	m[3] = 12; /* a ZLB */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_OK);
	CHECK_INT(l2tp_header_decode(m, 11, &h), L2TP_PARSE_TOO_SHORT);
	m[0] = 0x88; /* T,S without L */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_CONTROL_FLAGS);
	m[0] = 0xc0; /* T,L without S */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_CONTROL_FLAGS);
	m[0] = 0xca; /* O set */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_CONTROL_FLAGS);
	m[0] = 0xc9; /* P set */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_CONTROL_FLAGS);
	m[0] = 0xc8;
	m[1] = 0x03; /* version 3 (L2TPv3) */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_VERSION);
	m[1] = 0x01; /* version 1 (L2F) */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_VERSION);
	m[1] = 0x02;
	m[3] = 13; /* Length beyond the datagram */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_LENGTH);
	m[3] = 11; /* Length shorter than the header */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_BAD_LENGTH);
	m[0] = 0x40; /* data message with L */
	CHECK_INT(l2tp_header_decode(m, 12, &h), L2TP_PARSE_NOT_CONTROL);
	CHECK(!h.control);
	/* Bytes after Length are not part of the message. */
	uint8_t padded[sizeof(SCCRQ_BYTES) + 5];
	struct l2tp_msg msg;
	memcpy(padded, SCCRQ_BYTES, sizeof(SCCRQ_BYTES));
	memset(padded + sizeof(SCCRQ_BYTES), 0xff, 5);
	CHECK_INT(l2tp_msg_parse(padded, sizeof(padded), NULL, &msg), L2TP_PARSE_OK);
}

static size_t build_with(uint8_t *buf, size_t cap, uint16_t flags, uint16_t vendor, uint16_t type,
			 const uint8_t *value, size_t vlen)
{
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, cap, L2TP_MSG_HELLO, 1, 0, NULL);
	size_t off = b.len;
	l2tp_builder_avp(&b, false, vendor, type, value, vlen);
	/* Patch the flags: the builder only sets M/H itself. */
	buf[off] = (uint8_t)((buf[off] & 0x03) | (flags >> 8));
	return l2tp_builder_finish(&b);
}

static void test_avp_strictness(void)
{
	uint8_t buf[128];
	struct l2tp_msg msg;
	const uint8_t two[2] = {0, 1}, three[3] = {0, 1, 2};
	size_t len;

	len = build_with(buf, sizeof(buf), 0, 0, 99, two, 2); /* unknown, M=0: ignored */
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_OK);
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 0, 99, two, 2);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_UNKNOWN_MANDATORY_AVP);
	CHECK_INT(msg.bad_type, 99);
	CHECK_INT(msg.type, L2TP_MSG_HELLO);
	len =
	    build_with(buf, sizeof(buf), 0, 311, L2TP_AVP_ASSIGNED_TUNNEL_ID, three, 3); /* Microsoft, M=0 */
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_OK);
	CHECK(!l2tp_msg_has(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID));         /* vendor checked before type */
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 3561, 1, two, 2); /* Broadband Forum, M=1 */
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_UNKNOWN_MANDATORY_AVP);
	CHECK_INT(msg.bad_vendor, 3561);
	len = build_with(buf, sizeof(buf), L2TP_AVP_M | 0x0400, 0, L2TP_AVP_FIRMWARE_REVISION, two, 2);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_UNKNOWN_MANDATORY_AVP); /* reserved bit */
	len = build_with(buf, sizeof(buf), 0x0400, 0, L2TP_AVP_FIRMWARE_REVISION, two, 2);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_OK);
	CHECK(!l2tp_msg_has(&msg, L2TP_AVP_FIRMWARE_REVISION));
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 0, L2TP_AVP_ASSIGNED_TUNNEL_ID, three, 3);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_AVP_BAD_LENGTH);
	CHECK_INT(msg.status_avp, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 0, L2TP_AVP_RESULT_CODE, three, 3);
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_AVP_BAD_LENGTH);
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 0, L2TP_AVP_RESULT_CODE, two, 2); /* no Error Code */
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_OK);
	struct l2tp_result r;
	CHECK(l2tp_msg_result(&msg, &r) && r.result == 1 && !r.has_error);
	/* AVP length field: below 6 and beyond the message. */
	len = build_with(buf, sizeof(buf), L2TP_AVP_M, 0, L2TP_AVP_FIRMWARE_REVISION, two, 2);
	buf[len - 7] = 5;
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_AVP_BAD_LENGTH);
	buf[len - 7] = 9;
	CHECK_INT(l2tp_msg_parse(buf, len, NULL, &msg), L2TP_PARSE_AVP_BAD_LENGTH);
	/* A truncated AVP header at the end. */
	len = build_with(buf, sizeof(buf), 0, 0, 99, two, 2);
	buf[3] = (uint8_t)(len - 3);
	CHECK_INT(l2tp_msg_parse(buf, len - 3, NULL, &msg), L2TP_PARSE_AVP_TRUNCATED);
	/* First AVP must be Message Type, never hidden. */
	uint8_t m[] = {0xc8, 0x02, 0, 20, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 8, 0, 0, 0, 9, 0, 1};
	CHECK_INT(l2tp_msg_parse(m, sizeof(m), NULL, &msg), L2TP_PARSE_NO_MESSAGE_TYPE);
	m[17] = 0;
	m[12] = 0xc0;
	CHECK_INT(l2tp_msg_parse(m, sizeof(m), &secret, &msg), L2TP_PARSE_HIDDEN_FORBIDDEN);
	m[12] = 0x80;
	m[19] = 5; /* message type 5 is not defined */
	CHECK_INT(l2tp_msg_parse(m, sizeof(m), NULL, &msg), L2TP_PARSE_UNKNOWN_MESSAGE_TYPE);
	CHECK(msg.avp[L2TP_AVP_MESSAGE_TYPE].mandatory);
	/* A Message Type AVP with reserved bits is unrecognised, so there is no Message Type (found by
	 * fuzzing). */
	m[12] = 0x94;
	CHECK_INT(l2tp_msg_parse(m, sizeof(m), NULL, &msg), L2TP_PARSE_NO_MESSAGE_TYPE);
	m[12] = 0x80;
	/* SCCRP without Assigned Tunnel ID. */
	m[19] = 2;
	CHECK_INT(l2tp_msg_parse(m, sizeof(m), NULL, &msg), L2TP_PARSE_MISSING_AVP);
	/* ZLB */
	m[3] = 12;
	CHECK_INT(l2tp_msg_parse(m, 12, NULL, &msg), L2TP_PARSE_OK);
	CHECK(msg.zlb);
}

static void test_hide_vectors(void)
{
	uint8_t out[64];
	const uint8_t sid[2] = {0x12, 0x34};
	CHECK(l2tp_avp_hide(L2TP_AVP_ASSIGNED_SESSION_ID, &secret, VECTOR, 16, sid, 2, out));
	CHECK_MEM(out, SESSION_ID_HIDDEN, sizeof(SESSION_ID_HIDDEN));
	CHECK(l2tp_avp_hide(L2TP_AVP_HOST_NAME, &secret, VECTOR, 16, (const uint8_t *)HOST_NAME,
			    strlen(HOST_NAME), out));
	CHECK_MEM(out, HOST_NAME_HIDDEN, sizeof(HOST_NAME_HIDDEN));
	CHECK_INT(l2tp_avp_unhide(L2TP_AVP_HOST_NAME, &secret, VECTOR, 16, HOST_NAME_HIDDEN,
				  sizeof(HOST_NAME_HIDDEN), out),
		  strlen(HOST_NAME));
	CHECK_MEM(out + 2, HOST_NAME, strlen(HOST_NAME));
	struct l2tp_secret wrong = {(const uint8_t *)"wrong", 5};
	CHECK_INT(
	    l2tp_avp_unhide(L2TP_AVP_ASSIGNED_SESSION_ID, &wrong, VECTOR, 16, SESSION_ID_HIDDEN, 4, out), -1);
	struct l2tp_secret none = {NULL, 0};
	CHECK(!l2tp_avp_hide(14, &none, VECTOR, 16, sid, 2, out));
}

/* An ICRQ with a Random Vector and two hidden AVPs, assembled from the independent vectors. */
static void test_parse_hidden_message(void)
{
	uint8_t m[128];
	size_t n = 0;
	const uint8_t hdr[] = {0xc8, 0x02, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 8, 0, 0, 0, 0, 0, 10};
	memcpy(m, hdr, sizeof(hdr));
	n = sizeof(hdr);
	const uint8_t rv_hdr[] = {0x80, 6 + 16, 0, 0, 0, 36};
	memcpy(m + n, rv_hdr, 6), n += 6;
	memcpy(m + n, VECTOR, 16), n += 16;
	const uint8_t sid_hdr[] = {0xc0, 6 + 4, 0, 0, 0, 14};
	memcpy(m + n, sid_hdr, 6), n += 6;
	memcpy(m + n, SESSION_ID_HIDDEN, 4), n += 4;
	const uint8_t hn_hdr[] = {0xc0, (uint8_t)(6 + sizeof(HOST_NAME_HIDDEN)), 0, 0, 0, 7};
	memcpy(m + n, hn_hdr, 6), n += 6;
	memcpy(m + n, HOST_NAME_HIDDEN, sizeof(HOST_NAME_HIDDEN)), n += sizeof(HOST_NAME_HIDDEN);
	const uint8_t serial[] = {0x80, 10, 0, 0, 0, 15, 0, 0, 0, 1};
	memcpy(m + n, serial, sizeof(serial)), n += sizeof(serial);
	m[3] = (uint8_t)n;

	struct l2tp_msg msg;
	uint16_t sid = 0;
	const uint8_t *v;
	uint16_t vlen;
	CHECK_INT(l2tp_msg_parse(m, n, &secret, &msg), L2TP_PARSE_OK);
	CHECK(l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_SESSION_ID, &sid) && sid == 0x1234);
	CHECK(msg.avp[L2TP_AVP_ASSIGNED_SESSION_ID].was_hidden);
	CHECK(l2tp_msg_bytes(&msg, L2TP_AVP_HOST_NAME, &v, &vlen) && vlen == strlen(HOST_NAME) &&
	      !memcmp(v, HOST_NAME, vlen));
	CHECK_INT(l2tp_msg_parse(m, n, NULL, &msg), L2TP_PARSE_HIDDEN_NO_SECRET);
	struct l2tp_secret wrong = {(const uint8_t *)"wrong", 5};
	CHECK_INT(l2tp_msg_parse(m, n, &wrong, &msg), L2TP_PARSE_HIDDEN_BAD_LENGTH);
	/* Without the Random Vector before it. */
	m[12 + 8 + 5] = 99; /* turn RV into an unknown optional AVP */
	m[12 + 8] = 0x00;
	CHECK_INT(l2tp_msg_parse(m, n, &secret, &msg), L2TP_PARSE_HIDDEN_NO_VECTOR);
}

/* Our builder's hidden AVPs decode with the same vectors. */
static void test_builder_hidden_round_trip(void)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	struct l2tp_msg msg;
	uint16_t sid = 0;
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_ICRQ, 1, 0, &secret);
	const uint8_t v[2] = {0x12, 0x34};
	l2tp_builder_hidden(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, v, 2);
	CHECK_INT(l2tp_builder_finish(&b), 0); /* no Random Vector yet */
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_ICRQ, 1, 0, &secret);
	l2tp_builder_random_vector(&b, VECTOR, 16);
	size_t off = b.len;
	l2tp_builder_hidden(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, v, 2);
	l2tp_builder_u32(&b, true, L2TP_AVP_CALL_SERIAL, 1);
	size_t len = l2tp_builder_finish(&b);
	CHECK(len > 0);
	CHECK(buf[off] == 0xc0 && buf[off + 1] == 10);
	CHECK_MEM(buf + off + 6, SESSION_ID_HIDDEN, 4);
	CHECK_INT(l2tp_msg_parse(buf, len, &secret, &msg), L2TP_PARSE_OK);
	CHECK(l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_SESSION_ID, &sid) && sid == 0x1234);
}

/* After l2tp_builder_hide_from_here() every AVP the RFC lets be hidden is, and no other. */
static void test_builder_hides_from_here(void)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	struct l2tp_msg msg;
	uint16_t tid = 0;
	const uint8_t *v;
	uint16_t vlen;

	/* SCCCN: Message Type, Random Vector, hidden Challenge Response. */
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCCN, 1, 0, &secret);
	l2tp_builder_hide_from_here(&b, VECTOR, 16);
	size_t off = b.len;
	l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_CHALLENGE_RESPONSE, RESPONSE_SCCCN, 16);
	size_t len = l2tp_builder_finish(&b);
	CHECK_INT(len, 12 + 8 + 22 + 24);
	CHECK(buf[12 + 8] == 0x80 && buf[12 + 8 + 5] == L2TP_AVP_RANDOM_VECTOR); /* plain, mandatory */
	CHECK(buf[off] == 0xc0 && buf[off + 1] == 6 + 18);
	CHECK_MEM(buf + off + 6, RESPONSE_SCCCN_HIDDEN, sizeof(RESPONSE_SCCCN_HIDDEN));
	CHECK_INT(l2tp_msg_parse(buf, len, &secret, &msg), L2TP_PARSE_OK);
	CHECK(l2tp_msg_bytes(&msg, L2TP_AVP_CHALLENGE_RESPONSE, &v, &vlen) && vlen == 16 &&
	      !memcmp(v, RESPONSE_SCCCN, 16));

	/* StopCCN: Assigned Tunnel ID hidden, Result Code (MUST NOT be hidden) plain. */
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_STOPCCN, 1, 0, &secret);
	l2tp_builder_hide_from_here(&b, VECTOR, 16);
	off = b.len;
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x1234);
	size_t res = b.len;
	l2tp_builder_result(&b, L2TP_STOPCCN_CLEAR, 0, "bye");
	len = l2tp_builder_finish(&b);
	CHECK(len > 0);
	CHECK(buf[off] == 0xc0 && buf[off + 1] == 10);
	CHECK_MEM(buf + off + 6, TUNNEL_ID_HIDDEN, sizeof(TUNNEL_ID_HIDDEN));
	CHECK(buf[res] == 0x80 && buf[res + 5] == L2TP_AVP_RESULT_CODE);
	CHECK_INT(l2tp_msg_parse(buf, len, &secret, &msg), L2TP_PARSE_OK);
	CHECK(l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &tid) && tid == 0x1234);

	/* The §4.4 "MUST NOT be hidden" AVPs, and vendor AVPs, stay plain in hiding mode. */
	static const uint16_t plain[] = {L2TP_AVP_MESSAGE_TYPE,       L2TP_AVP_RESULT_CODE,  L2TP_AVP_PROTOCOL_VERSION,
					 L2TP_AVP_TIE_BREAKER,        L2TP_AVP_HOST_NAME,    L2TP_AVP_RECEIVE_WINDOW,
					 L2TP_AVP_Q931_CAUSE,         L2TP_AVP_RANDOM_VECTOR, L2TP_AVP_SEQUENCING_REQUIRED};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		CHECK(!l2tp_avp_may_be_hidden(plain[i]));
	CHECK(l2tp_avp_may_be_hidden(L2TP_AVP_VENDOR_NAME) && l2tp_avp_may_be_hidden(L2TP_AVP_CHALLENGE));
	CHECK(!l2tp_avp_may_be_hidden(20) && !l2tp_avp_may_be_hidden(L2TP_AVP_TYPE_COUNT));
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCRP, 1, 0, &secret);
	l2tp_builder_hide_from_here(&b, VECTOR, 16);
	off = b.len;
	l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME, "lns", 3);
	CHECK(buf[off] == 0x80);
	off = b.len;
	l2tp_builder_u16(&b, true, L2TP_AVP_RECEIVE_WINDOW, 4);
	CHECK(buf[off] == 0x80);
	off = b.len;
	l2tp_builder_avp(&b, false, 311, 1, "x", 1);
	CHECK(buf[off] == 0x00);
	CHECK(l2tp_builder_finish(&b) > 0);
}

static void test_challenge_vectors(void)
{
	uint8_t out[16];
	CHECK(l2tp_challenge_response(2, &secret, CHALLENGE, 16, out));
	CHECK_MEM(out, RESPONSE_SCCRP, 16);
	CHECK(l2tp_challenge_response(3, &secret, CHALLENGE, 16, out));
	CHECK_MEM(out, RESPONSE_SCCCN, 16);
	CHECK(l2tp_challenge_verify(2, &secret, CHALLENGE, 16, RESPONSE_SCCRP, 16));
	CHECK(!l2tp_challenge_verify(3, &secret, CHALLENGE, 16, RESPONSE_SCCRP, 16));
	CHECK(!l2tp_challenge_verify(2, &secret, CHALLENGE, 16, RESPONSE_SCCRP, 15));
	struct l2tp_secret wrong = {(const uint8_t *)"s3cret?", 7};
	CHECK(!l2tp_challenge_verify(2, &wrong, CHALLENGE, 16, RESPONSE_SCCRP, 16));
}

static void test_result_texts(void)
{
	char text[256];
	struct l2tp_result r = {.result = 4};
	l2tp_result_format(text, sizeof(text), L2TP_MSG_STOPCCN, &r);
	CHECK_STR(text, "not authorized (StopCCN result 4)");
	r = (struct l2tp_result){.result = 2,
				 .has_error = true,
				 .error = 8,
				 .message = (const uint8_t *)"bad\x01"
							     "avp",
				 .message_len = 7};
	l2tp_result_format(text, sizeof(text), L2TP_MSG_CDN, &r);
	CHECK_STR(text, "call disconnected for the reason in the error code (CDN result 2, error 8: unknown "
			"mandatory AVP): \"bad?avp\"");
	r = (struct l2tp_result){.result = 99};
	l2tp_result_format(text, 20, L2TP_MSG_STOPCCN, &r);
	CHECK_INT(strlen(text), 19);
	CHECK_STR(l2tp_cdn_result_text(10), "call was not established within the time allotted");
	CHECK_STR(l2tp_stopccn_result_text(6), "LNS is being shut down");
	CHECK_STR(l2tp_error_code_text(7), "try another LNS");
	CHECK_STR(l2tp_msg_type_name(L2TP_MSG_SLI), "SLI");
	CHECK_STR(l2tp_avp_name(L2TP_AVP_RANDOM_VECTOR), "Random Vector");
	CHECK_STR(l2tp_avp_name(20), "unknown AVP");
}

static void test_builder_overflow(void)
{
	uint8_t buf[30];
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCRQ, 0, 0, NULL);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_HOST_NAME, "a-host-name-that-does-not-fit", 29);
	CHECK_INT(l2tp_builder_finish(&b), 0);
	uint8_t big[2048];
	uint8_t value[1100] = {0};
	l2tp_builder_init(&b, big, sizeof(big), L2TP_MSG_SCCRQ, 0, 0, NULL);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_VENDOR_NAME, value, sizeof(value)); /* > 1023 - 6 */
	CHECK_INT(l2tp_builder_finish(&b), 0);
}

int main(void)
{
	RUN(test_build_sccrq_matches_hand_vector);
	RUN(test_parse_sccrq_accessors);
	RUN(test_round_trip_all_typed_avps);
	RUN(test_header_flag_rules);
	RUN(test_avp_strictness);
	RUN(test_hide_vectors);
	RUN(test_parse_hidden_message);
	RUN(test_builder_hidden_round_trip);
	RUN(test_builder_hides_from_here);
	RUN(test_challenge_vectors);
	RUN(test_result_texts);
	RUN(test_builder_overflow);
	return check_summary();
}
