/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 (RFC 2661) control message codec.
 *
 * Plain C over byte buffers: no I/O, no globals, no allocation, no GLib, so a
 * fuzzer can link it alone. MD5 (AVP hiding, tunnel authentication) comes from
 * GnuTLS.
 *
 * Parsing: l2tp_msg_parse() checks the header flag rules and every AVP's
 * length, un-hides hidden AVPs into a scratch area inside struct l2tp_msg and
 * records every RFC 2661 AVP it finds in a table indexed by AVP type; typed
 * accessors read that table. Pointers in the table point into the datagram
 * (or the scratch area), so the datagram must outlive the parsed message.
 *
 * Building: l2tp_builder_*() appends AVPs to a caller-supplied buffer; the
 * header's Ns/Nr are written later by the reliable-delivery engine
 * (l2tp_header_set_seq()), because a retransmission refreshes Nr.
 */
#ifndef L2TP_CODEC_H
#define L2TP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2TP_VERSION            2
#define L2TP_CTRL_HDR_LEN       12
#define L2TP_AVP_HDR_LEN        6
#define L2TP_AVP_MAX_LEN        1023
#define L2TP_MAX_SECRET_LEN     255
#define L2TP_MSG_MAX_LEN        4096 /* what we build; larger peer messages are still parsed */
#define L2TP_CHALLENGE_RESP_LEN 16

/* Header flag bits (first 16-bit word). */
#define L2TP_HDR_T       0x8000
#define L2TP_HDR_L       0x4000
#define L2TP_HDR_S       0x0800
#define L2TP_HDR_O       0x0200
#define L2TP_HDR_P       0x0100
#define L2TP_HDR_VERSION 0x000f

/* AVP header flag bits. */
#define L2TP_AVP_M        0x8000
#define L2TP_AVP_H        0x4000
#define L2TP_AVP_RESERVED 0x3c00
#define L2TP_AVP_LENGTH   0x03ff

#define L2TP_VENDOR_IETF 0

enum l2tp_msg_type {
	L2TP_MSG_ZLB = 0, /* not a real type: a header-only acknowledgement */
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_TYPE_MAX = 16,
};

enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAPS = 3,
	L2TP_AVP_BEARER_CAPS = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REVISION = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECEIVE_WINDOW = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL = 15,
	L2TP_AVP_MIN_BPS = 16,
	L2TP_AVP_MAX_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYSICAL_CHANNEL = 25,
	L2TP_AVP_INITIAL_RX_LCP = 26,
	L2TP_AVP_LAST_TX_LCP = 27,
	L2TP_AVP_LAST_RX_LCP = 28,
	L2TP_AVP_PROXY_AUTH_TYPE = 29,
	L2TP_AVP_PROXY_AUTH_NAME = 30,
	L2TP_AVP_PROXY_AUTH_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTH_ID = 32,
	L2TP_AVP_PROXY_AUTH_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39,
	L2TP_AVP_TYPE_COUNT = 40,
};

/* Framing / bearer capability and type bits. */
#define L2TP_FRAMING_SYNC   0x1
#define L2TP_FRAMING_ASYNC  0x2
#define L2TP_BEARER_DIGITAL 0x1
#define L2TP_BEARER_ANALOG  0x2

/* StopCCN result codes (RFC 2661 §4.4.2). */
enum l2tp_stopccn_result {
	L2TP_STOPCCN_CLEAR = 1,
	L2TP_STOPCCN_GENERAL_ERROR = 2,
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_VERSION = 5,
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7,
};

/* CDN result codes (RFC 2661 §4.4.2). */
enum l2tp_cdn_result {
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,
	L2TP_CDN_ADMIN = 3,
	L2TP_CDN_TEMP_NO_FACILITIES = 4,
	L2TP_CDN_PERM_NO_FACILITIES = 5,
	L2TP_CDN_INVALID_DEST = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIALTONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_NO_FRAMING = 11,
};

/* General error codes (RFC 2661 §4.4.2). */
enum l2tp_error_code {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL_CONNECTION = 1,
	L2TP_ERR_BAD_LENGTH = 2,
	L2TP_ERR_BAD_VALUE = 3,
	L2TP_ERR_NO_RESOURCES = 4,
	L2TP_ERR_BAD_SESSION_ID = 5,
	L2TP_ERR_VENDOR = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_MANDATORY_AVP = 8,
};

/* Why a datagram could not be parsed. l2tp_parse_strerror() words them. */
enum l2tp_parse_status {
	L2TP_PARSE_OK = 0,
	L2TP_PARSE_TOO_SHORT,
	L2TP_PARSE_BAD_VERSION,
	L2TP_PARSE_BAD_CONTROL_FLAGS,
	L2TP_PARSE_BAD_LENGTH,
	L2TP_PARSE_NOT_CONTROL,
	L2TP_PARSE_AVP_TRUNCATED,
	L2TP_PARSE_AVP_BAD_LENGTH,
	L2TP_PARSE_NO_MESSAGE_TYPE,
	L2TP_PARSE_HIDDEN_FORBIDDEN,
	L2TP_PARSE_HIDDEN_NO_SECRET,
	L2TP_PARSE_HIDDEN_NO_VECTOR,
	L2TP_PARSE_HIDDEN_BAD_LENGTH,
	L2TP_PARSE_HIDDEN_TOO_MUCH,
	L2TP_PARSE_UNKNOWN_MANDATORY_AVP,
	L2TP_PARSE_UNKNOWN_MESSAGE_TYPE,
	L2TP_PARSE_MISSING_AVP,
};

/* A decoded header. For data messages only the fields up to session_id apply. */
struct l2tp_header {
	bool control;
	bool has_length, has_seq, has_offset, priority;
	uint16_t length;     /* message length (from L, else datagram length) */
	uint16_t tunnel_id;  /* recipient's tunnel ID */
	uint16_t session_id; /* recipient's session ID */
	uint16_t ns, nr;
	uint16_t header_len; /* bytes before the payload or first AVP */
};

/* One AVP as found in a message; value points to plain (un-hidden) bytes. */
struct l2tp_avp_ref {
	const uint8_t *value;
	uint16_t len;
	bool present, mandatory, was_hidden;
};

#define L2TP_HIDDEN_SCRATCH 4096

struct l2tp_msg {
	struct l2tp_header hdr;
	uint16_t type; /* enum l2tp_msg_type, 0 for a ZLB */
	bool zlb;
	struct l2tp_avp_ref avp[L2TP_AVP_TYPE_COUNT];
	/* The first unrecognised AVP with M=1 (status UNKNOWN_MANDATORY_AVP). */
	uint16_t bad_vendor, bad_type;
	/* The AVP a MISSING_AVP or *_BAD_LENGTH status refers to. */
	uint16_t status_avp;
	uint16_t scratch_used;
	uint8_t scratch[L2TP_HIDDEN_SCRATCH];
};

/* Shared secret used to un-hide AVPs; NULL/0 when none is configured. */
struct l2tp_secret {
	const uint8_t *data;
	size_t len;
};

/* Header. */
enum l2tp_parse_status l2tp_header_decode(const uint8_t *buf, size_t len, struct l2tp_header *hdr);
void l2tp_header_set_seq(uint8_t *msg, uint16_t ns, uint16_t nr);
size_t l2tp_zlb_encode(uint8_t out[L2TP_CTRL_HDR_LEN], uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		       uint16_t nr);

/*
 * Parse a whole control message. Returns L2TP_PARSE_OK, or a status naming the
 * problem; msg->hdr is valid whenever the header itself decoded, so the caller
 * can still acknowledge a message whose AVPs are bad. Checks the mandatory
 * AVPs of the message types a LAC receives (l2tp_msg_check_required()).
 */
enum l2tp_parse_status l2tp_msg_parse(const uint8_t *buf, size_t len, const struct l2tp_secret *secret,
				      struct l2tp_msg *msg);
enum l2tp_parse_status l2tp_msg_check_required(struct l2tp_msg *msg);

/* May we hide an AVP of this (IETF) type? False for unknown types and those §4.4 says MUST NOT be hidden. */
bool l2tp_avp_may_be_hidden(uint16_t type);

/* Typed accessors: false when the AVP is absent. Lengths were checked by the parser. */
bool l2tp_msg_has(const struct l2tp_msg *msg, enum l2tp_avp_type type);
bool l2tp_msg_u16(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint16_t *out);
bool l2tp_msg_u32(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint32_t *out);
bool l2tp_msg_u64(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint64_t *out);
bool l2tp_msg_bytes(const struct l2tp_msg *msg, enum l2tp_avp_type type, const uint8_t **value,
		    uint16_t *len);

struct l2tp_result {
	uint16_t result;
	bool has_error;
	uint16_t error;
	const uint8_t *message; /* optional, not NUL-terminated */
	uint16_t message_len;
};
bool l2tp_msg_result(const struct l2tp_msg *msg, struct l2tp_result *out);

struct l2tp_protocol_version {
	uint8_t version, revision;
};
bool l2tp_msg_protocol_version(const struct l2tp_msg *msg, struct l2tp_protocol_version *out);

struct l2tp_q931_cause {
	uint16_t cause;
	uint8_t msg;
	const uint8_t *advisory;
	uint16_t advisory_len;
};
bool l2tp_msg_q931_cause(const struct l2tp_msg *msg, struct l2tp_q931_cause *out);

struct l2tp_call_errors {
	uint32_t crc, framing, hw_overruns, buffer_overruns, timeouts, alignment;
};
bool l2tp_msg_call_errors(const struct l2tp_msg *msg, struct l2tp_call_errors *out);

struct l2tp_accm {
	uint32_t send, recv;
};
bool l2tp_msg_accm(const struct l2tp_msg *msg, struct l2tp_accm *out);

struct l2tp_proxy_auth_id {
	uint8_t id;
};
bool l2tp_msg_proxy_auth_id(const struct l2tp_msg *msg, struct l2tp_proxy_auth_id *out);

/* Builder. */
struct l2tp_builder {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
	bool bad_hide; /* a hidden AVP was requested without secret or Random Vector */
	struct l2tp_secret secret;
	const uint8_t *vector; /* the latest Random Vector written, points into buf */
	uint16_t vector_len;
	bool hide_all; /* l2tp_builder_hide_from_here() was called */
};

/* Starts a control message: header (Ns/Nr zero) and the Message Type AVP. */
void l2tp_builder_init(struct l2tp_builder *b, uint8_t *buf, size_t cap, enum l2tp_msg_type type,
		       uint16_t tunnel_id, uint16_t session_id, const struct l2tp_secret *secret);
void l2tp_builder_avp(struct l2tp_builder *b, bool mandatory, uint16_t vendor, uint16_t type,
		      const void *value, size_t len);
void l2tp_builder_u16(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, uint16_t value);
void l2tp_builder_u32(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, uint32_t value);
void l2tp_builder_result(struct l2tp_builder *b, uint16_t result, uint16_t error, const char *message);
/* Random Vector AVP: later hidden AVPs use it. */
void l2tp_builder_random_vector(struct l2tp_builder *b, const uint8_t *vector, size_t len);
/*
 * Random Vector AVP, and from here on every IETF AVP that RFC 2661 §4.4 lets
 * be hidden is hidden (l2tp_avp_may_be_hidden()); Result Code, Host Name and
 * the other "MUST NOT be hidden" AVPs stay plain. Needs the builder's secret.
 */
void l2tp_builder_hide_from_here(struct l2tp_builder *b, const uint8_t *vector, size_t len);
/* Hidden AVP (H=1): needs a secret and a preceding Random Vector. */
void l2tp_builder_hidden(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, const void *value,
			 size_t len);
/* Writes the Length field; returns the message length, or 0 if it did not fit or hiding was impossible. */
size_t l2tp_builder_finish(struct l2tp_builder *b);

/*
 * Hiding (§4.3) of one AVP value: out = hidden subformat (2-byte length ‖
 * value) XORed with the MD5 key stream. out must hold len + 2 bytes.
 * Fails (false / -1) for a secret longer than L2TP_MAX_SECRET_LEN or an empty one.
 * Unhiding returns the inner value length or -1 if it is inconsistent.
 */
bool l2tp_avp_hide(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
		   size_t vector_len, const uint8_t *value, size_t len, uint8_t *out);
int l2tp_avp_unhide(uint16_t avp_type, const struct l2tp_secret *secret, const uint8_t *vector,
		    size_t vector_len, const uint8_t *hidden, size_t hidden_len, uint8_t *out);

/* Tunnel authentication: MD5(msg_type ‖ secret ‖ challenge) (§4.4.3); false if secret or challenge is too
 * long. */
bool l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *secret, const uint8_t *challenge,
			     size_t challenge_len, uint8_t out[L2TP_CHALLENGE_RESP_LEN]);
bool l2tp_challenge_verify(uint8_t msg_type, const struct l2tp_secret *secret, const uint8_t *challenge,
			   size_t challenge_len, const uint8_t *response, size_t response_len);

/* Texts. Never NULL. */
const char *l2tp_msg_type_name(uint16_t type);
const char *l2tp_avp_name(uint16_t type);
const char *l2tp_parse_strerror(enum l2tp_parse_status status);
const char *l2tp_stopccn_result_text(uint16_t result);
const char *l2tp_cdn_result_text(uint16_t result);
const char *l2tp_error_code_text(uint16_t error);

/*
 * Words a Result Code AVP: "<result text> (<MSG> result N[, error E: text])[:
 * "peer message"]". Non-printable bytes of the peer's message are replaced.
 * Returns the length written (truncated to fit, always NUL-terminated).
 */
size_t l2tp_result_format(char *out, size_t size, uint16_t msg_type, const struct l2tp_result *res);

#endif
