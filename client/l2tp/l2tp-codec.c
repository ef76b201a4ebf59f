// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv2 control header and AVP parsing/building (RFC 2661 §3.1, §4.1, §4.4).
 * Every length is checked before it is used: the input is hostile.
 */
#include "l2tp-codec.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * Value length limits per AVP type; max 0 marks a type RFC 2661 does not define.
 * never_hidden: a hidden one cannot even be parsed (Message Type comes first,
 * Random Vector is the key). not_to_hide: §4.4 says "MUST NOT be hidden", so we
 * never hide it; we still un-hide one a peer sent.
 */
struct avp_rule {
	uint16_t min, max;
	bool never_hidden, not_to_hide;
};

#define ANY L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN

static const struct avp_rule avp_rules[L2TP_AVP_TYPE_COUNT] = {
    [L2TP_AVP_MESSAGE_TYPE] = {2, 2, true, true},
    [L2TP_AVP_RESULT_CODE] = {2, ANY, false, true},
    [L2TP_AVP_PROTOCOL_VERSION] = {2, 2, false, true},
    [L2TP_AVP_FRAMING_CAPS] = {4, 4},
    [L2TP_AVP_BEARER_CAPS] = {4, 4},
    [L2TP_AVP_TIE_BREAKER] = {8, 8, false, true},
    [L2TP_AVP_FIRMWARE_REVISION] = {2, 2},
    [L2TP_AVP_HOST_NAME] = {1, ANY, false, true},
    [L2TP_AVP_VENDOR_NAME] = {0, ANY},
    [L2TP_AVP_ASSIGNED_TUNNEL_ID] = {2, 2},
    [L2TP_AVP_RECEIVE_WINDOW] = {2, 2, false, true},
    [L2TP_AVP_CHALLENGE] = {1, ANY},
    [L2TP_AVP_Q931_CAUSE] = {3, ANY, false, true},
    [L2TP_AVP_CHALLENGE_RESPONSE] = {16, 16},
    [L2TP_AVP_ASSIGNED_SESSION_ID] = {2, 2},
    [L2TP_AVP_CALL_SERIAL] = {4, 4},
    [L2TP_AVP_MIN_BPS] = {4, 4},
    [L2TP_AVP_MAX_BPS] = {4, 4},
    [L2TP_AVP_BEARER_TYPE] = {4, 4},
    [L2TP_AVP_FRAMING_TYPE] = {4, 4},
    [L2TP_AVP_CALLED_NUMBER] = {0, ANY},
    [L2TP_AVP_CALLING_NUMBER] = {0, ANY},
    [L2TP_AVP_SUB_ADDRESS] = {0, ANY},
    [L2TP_AVP_TX_CONNECT_SPEED] = {4, 4},
    [L2TP_AVP_PHYSICAL_CHANNEL] = {4, 4},
    [L2TP_AVP_INITIAL_RX_LCP] = {0, ANY},
    [L2TP_AVP_LAST_TX_LCP] = {0, ANY},
    [L2TP_AVP_LAST_RX_LCP] = {0, ANY},
    [L2TP_AVP_PROXY_AUTH_TYPE] = {2, 2},
    [L2TP_AVP_PROXY_AUTH_NAME] = {0, ANY},
    [L2TP_AVP_PROXY_AUTH_CHALLENGE] = {0, ANY},
    [L2TP_AVP_PROXY_AUTH_ID] = {2, 2},
    [L2TP_AVP_PROXY_AUTH_RESPONSE] = {0, ANY},
    [L2TP_AVP_CALL_ERRORS] = {26, 26},
    [L2TP_AVP_ACCM] = {10, 10},
    [L2TP_AVP_RANDOM_VECTOR] = {1, ANY, true, true},
    [L2TP_AVP_PRIVATE_GROUP_ID] = {0, ANY},
    [L2TP_AVP_RX_CONNECT_SPEED] = {4, 4},
    [L2TP_AVP_SEQUENCING_REQUIRED] = {0, 0, false, true},
};

static bool avp_type_known(uint16_t type)
{
	return type < L2TP_AVP_TYPE_COUNT && type != 20;
}

bool l2tp_avp_may_be_hidden(uint16_t type)
{
	return avp_type_known(type) && !avp_rules[type].not_to_hide;
}

static bool msg_type_known(uint16_t type)
{
	return type >= L2TP_MSG_SCCRQ && type <= L2TP_MSG_TYPE_MAX && type != 5 && type != 13;
}

enum l2tp_parse_status l2tp_header_decode(const uint8_t *buf, size_t len, struct l2tp_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	if (len < 6)
		return L2TP_PARSE_TOO_SHORT;
	uint16_t flags = get16(buf);
	if ((flags & L2TP_HDR_VERSION) != L2TP_VERSION)
		return L2TP_PARSE_BAD_VERSION;
	hdr->control = flags & L2TP_HDR_T;
	hdr->has_length = flags & L2TP_HDR_L;
	hdr->has_seq = flags & L2TP_HDR_S;
	hdr->has_offset = flags & L2TP_HDR_O;
	hdr->priority = flags & L2TP_HDR_P;
	if (!hdr->control)
		return L2TP_PARSE_NOT_CONTROL; /* data plane: not ours */
	/* §3.1: control messages have L=1, S=1, O=0, P=0. */
	if (!hdr->has_length || !hdr->has_seq || hdr->has_offset || hdr->priority)
		return L2TP_PARSE_BAD_CONTROL_FLAGS;
	if (len < L2TP_CTRL_HDR_LEN)
		return L2TP_PARSE_TOO_SHORT;
	hdr->length = get16(buf + 2);
	hdr->tunnel_id = get16(buf + 4);
	hdr->session_id = get16(buf + 6);
	hdr->ns = get16(buf + 8);
	hdr->nr = get16(buf + 10);
	hdr->header_len = L2TP_CTRL_HDR_LEN;
	if (hdr->length < L2TP_CTRL_HDR_LEN || hdr->length > len)
		return L2TP_PARSE_BAD_LENGTH;
	return L2TP_PARSE_OK;
}

void l2tp_header_set_seq(uint8_t *msg, uint16_t ns, uint16_t nr)
{
	put16(msg + 8, ns);
	put16(msg + 10, nr);
}

static void header_encode(uint8_t *out, uint16_t length, uint16_t tunnel_id, uint16_t session_id)
{
	put16(out, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION);
	put16(out + 2, length);
	put16(out + 4, tunnel_id);
	put16(out + 6, session_id);
	put16(out + 8, 0);
	put16(out + 10, 0);
}

size_t l2tp_zlb_encode(uint8_t out[L2TP_CTRL_HDR_LEN], uint16_t tunnel_id, uint16_t session_id, uint16_t ns,
		       uint16_t nr)
{
	header_encode(out, L2TP_CTRL_HDR_LEN, tunnel_id, session_id);
	l2tp_header_set_seq(out, ns, nr);
	return L2TP_CTRL_HDR_LEN;
}

/* Un-hides one AVP value into the message's scratch area. */
static enum l2tp_parse_status unhide_avp(struct l2tp_msg *msg, uint16_t type,
					 const struct l2tp_secret *secret, const uint8_t *value, uint16_t len,
					 struct l2tp_avp_ref *ref)
{
	const struct l2tp_avp_ref *rv = &msg->avp[L2TP_AVP_RANDOM_VECTOR];
	if (!secret || !secret->len)
		return L2TP_PARSE_HIDDEN_NO_SECRET;
	if (!rv->present)
		return L2TP_PARSE_HIDDEN_NO_VECTOR;
	if (len < 2)
		return L2TP_PARSE_HIDDEN_BAD_LENGTH;
	if (len > sizeof(msg->scratch) - msg->scratch_used)
		return L2TP_PARSE_HIDDEN_TOO_MUCH;
	uint8_t *out = msg->scratch + msg->scratch_used;
	int inner = l2tp_avp_unhide(type, secret, rv->value, rv->len, value, len, out);
	if (inner < 0)
		return L2TP_PARSE_HIDDEN_BAD_LENGTH;
	msg->scratch_used += (uint16_t)(inner + 2);
	ref->value = out + 2;
	ref->len = (uint16_t)inner;
	ref->was_hidden = true;
	return L2TP_PARSE_OK;
}

/* Parses one AVP at p (avail bytes left); *used gets its length. */
static enum l2tp_parse_status parse_avp(struct l2tp_msg *msg, const uint8_t *p, size_t avail, bool first,
					const struct l2tp_secret *secret, size_t *used)
{
	if (avail < L2TP_AVP_HDR_LEN)
		return L2TP_PARSE_AVP_TRUNCATED;
	uint16_t flags = get16(p);
	uint16_t avp_len = flags & L2TP_AVP_LENGTH;
	uint16_t vendor = get16(p + 2), type = get16(p + 4);
	if (avp_len < L2TP_AVP_HDR_LEN || avp_len > avail) {
		msg->status_avp = type;
		return L2TP_PARSE_AVP_BAD_LENGTH;
	}
	*used = avp_len;
	bool mandatory = flags & L2TP_AVP_M, hidden = flags & L2TP_AVP_H;
	if (first &&
	    (vendor != L2TP_VENDOR_IETF || type != L2TP_AVP_MESSAGE_TYPE || (flags & L2TP_AVP_RESERVED)))
		return L2TP_PARSE_NO_MESSAGE_TYPE;
	/* Vendor before type; reserved bits set make any AVP unrecognised (§4.1). */
	if (vendor != L2TP_VENDOR_IETF || !avp_type_known(type) || (flags & L2TP_AVP_RESERVED)) {
		if (!mandatory)
			return L2TP_PARSE_OK;
		msg->bad_vendor = vendor;
		msg->bad_type = type;
		return L2TP_PARSE_UNKNOWN_MANDATORY_AVP;
	}
	const struct avp_rule *rule = &avp_rules[type];
	struct l2tp_avp_ref ref = {.value = p + L2TP_AVP_HDR_LEN,
				   .len = (uint16_t)(avp_len - L2TP_AVP_HDR_LEN),
				   .present = true,
				   .mandatory = mandatory};
	msg->status_avp = type;
	if (hidden) {
		if (rule->never_hidden)
			return L2TP_PARSE_HIDDEN_FORBIDDEN;
		enum l2tp_parse_status st = unhide_avp(msg, type, secret, ref.value, ref.len, &ref);
		if (st != L2TP_PARSE_OK)
			return st;
	}
	if (ref.len < rule->min || ref.len > rule->max)
		return L2TP_PARSE_AVP_BAD_LENGTH;
	if (type == L2TP_AVP_RESULT_CODE && ref.len == 3)
		return L2TP_PARSE_AVP_BAD_LENGTH; /* a truncated Error Code field */
	/* The first occurrence counts, except Random Vector: each applies to the AVPs after it. */
	if (!msg->avp[type].present || type == L2TP_AVP_RANDOM_VECTOR)
		msg->avp[type] = ref;
	return L2TP_PARSE_OK;
}

/* AVPs RFC 2661 requires in each message type (beyond Message Type). */
static const uint8_t required_sccrq[] = {L2TP_AVP_PROTOCOL_VERSION, L2TP_AVP_HOST_NAME, L2TP_AVP_FRAMING_CAPS,
					 L2TP_AVP_ASSIGNED_TUNNEL_ID};
/* SCCRP: tolerate a missing Host Name or Framing Capabilities (we assume both framings). */
static const uint8_t required_sccrp[] = {L2TP_AVP_PROTOCOL_VERSION, L2TP_AVP_ASSIGNED_TUNNEL_ID};
static const uint8_t required_icrq[] = {L2TP_AVP_ASSIGNED_SESSION_ID, L2TP_AVP_CALL_SERIAL};
static const uint8_t required_icrp[] = {L2TP_AVP_ASSIGNED_SESSION_ID};
static const uint8_t required_iccn[] = {L2TP_AVP_TX_CONNECT_SPEED, L2TP_AVP_FRAMING_TYPE};

enum l2tp_parse_status l2tp_msg_check_required(struct l2tp_msg *msg)
{
	const uint8_t *req = NULL;
	size_t n = 0;
	switch (msg->type) {
	case L2TP_MSG_SCCRQ:
		req = required_sccrq, n = sizeof(required_sccrq);
		break;
	case L2TP_MSG_SCCRP:
		req = required_sccrp, n = sizeof(required_sccrp);
		break;
	case L2TP_MSG_ICRQ:
		req = required_icrq, n = sizeof(required_icrq);
		break;
	case L2TP_MSG_ICRP:
		req = required_icrp, n = sizeof(required_icrp);
		break;
	case L2TP_MSG_ICCN:
		req = required_iccn, n = sizeof(required_iccn);
		break;
	default:
		/* StopCCN and CDN are honoured even without their AVPs: a teardown must never be ignored. */
		break;
	}
	for (size_t i = 0; i < n; i++) {
		if (!msg->avp[req[i]].present) {
			msg->status_avp = req[i];
			return L2TP_PARSE_MISSING_AVP;
		}
	}
	return L2TP_PARSE_OK;
}

enum l2tp_parse_status l2tp_msg_parse(const uint8_t *buf, size_t len, const struct l2tp_secret *secret,
				      struct l2tp_msg *msg)
{
	/* Only the fixed part: the scratch area is written before it is read. */
	memset(msg, 0, offsetof(struct l2tp_msg, scratch));
	enum l2tp_parse_status st = l2tp_header_decode(buf, len, &msg->hdr);
	if (st != L2TP_PARSE_OK)
		return st;
	size_t off = msg->hdr.header_len, end = msg->hdr.length;
	if (off == end) {
		msg->zlb = true;
		return L2TP_PARSE_OK;
	}
	for (bool first = true; off < end; first = false) {
		size_t used = 0;
		st = parse_avp(msg, buf + off, end - off, first, secret, &used);
		if (st != L2TP_PARSE_OK)
			return st;
		if (first) {
			if (!msg->avp[L2TP_AVP_MESSAGE_TYPE].present) /* defensive: parse_avp checked it */
				return L2TP_PARSE_NO_MESSAGE_TYPE;
			msg->type = get16(msg->avp[L2TP_AVP_MESSAGE_TYPE].value);
		}
		off += used;
	}
	msg->status_avp = 0;
	if (!msg_type_known(msg->type))
		return L2TP_PARSE_UNKNOWN_MESSAGE_TYPE;
	return l2tp_msg_check_required(msg);
}

bool l2tp_msg_has(const struct l2tp_msg *msg, enum l2tp_avp_type type)
{
	return (unsigned)type < L2TP_AVP_TYPE_COUNT && msg->avp[type].present;
}

bool l2tp_msg_bytes(const struct l2tp_msg *msg, enum l2tp_avp_type type, const uint8_t **value, uint16_t *len)
{
	if (!l2tp_msg_has(msg, type))
		return false;
	*value = msg->avp[type].value;
	*len = msg->avp[type].len;
	return true;
}

bool l2tp_msg_u16(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint16_t *out)
{
	if (!l2tp_msg_has(msg, type) || msg->avp[type].len < 2)
		return false;
	*out = get16(msg->avp[type].value);
	return true;
}

bool l2tp_msg_u32(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint32_t *out)
{
	if (!l2tp_msg_has(msg, type) || msg->avp[type].len < 4)
		return false;
	*out = get32(msg->avp[type].value);
	return true;
}

bool l2tp_msg_u64(const struct l2tp_msg *msg, enum l2tp_avp_type type, uint64_t *out)
{
	if (!l2tp_msg_has(msg, type) || msg->avp[type].len < 8)
		return false;
	*out = (uint64_t)get32(msg->avp[type].value) << 32 | get32(msg->avp[type].value + 4);
	return true;
}

bool l2tp_msg_result(const struct l2tp_msg *msg, struct l2tp_result *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_RESULT_CODE];
	memset(out, 0, sizeof(*out));
	if (!r->present || r->len < 2)
		return false;
	out->result = get16(r->value);
	if (r->len >= 4) {
		out->has_error = true;
		out->error = get16(r->value + 2);
		out->message = r->value + 4;
		out->message_len = (uint16_t)(r->len - 4);
	}
	return true;
}

bool l2tp_msg_protocol_version(const struct l2tp_msg *msg, struct l2tp_protocol_version *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_PROTOCOL_VERSION];
	if (!r->present || r->len != 2)
		return false;
	out->version = r->value[0];
	out->revision = r->value[1];
	return true;
}

bool l2tp_msg_q931_cause(const struct l2tp_msg *msg, struct l2tp_q931_cause *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_Q931_CAUSE];
	if (!r->present || r->len < 3)
		return false;
	out->cause = get16(r->value);
	out->msg = r->value[2];
	out->advisory = r->value + 3;
	out->advisory_len = (uint16_t)(r->len - 3);
	return true;
}

bool l2tp_msg_call_errors(const struct l2tp_msg *msg, struct l2tp_call_errors *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_CALL_ERRORS];
	if (!r->present || r->len != 26)
		return false;
	const uint8_t *v = r->value + 2; /* 2 reserved bytes */
	out->crc = get32(v);
	out->framing = get32(v + 4);
	out->hw_overruns = get32(v + 8);
	out->buffer_overruns = get32(v + 12);
	out->timeouts = get32(v + 16);
	out->alignment = get32(v + 20);
	return true;
}

bool l2tp_msg_accm(const struct l2tp_msg *msg, struct l2tp_accm *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_ACCM];
	if (!r->present || r->len != 10)
		return false;
	out->send = get32(r->value + 2);
	out->recv = get32(r->value + 6);
	return true;
}

bool l2tp_msg_proxy_auth_id(const struct l2tp_msg *msg, struct l2tp_proxy_auth_id *out)
{
	const struct l2tp_avp_ref *r = &msg->avp[L2TP_AVP_PROXY_AUTH_ID];
	if (!r->present || r->len != 2)
		return false;
	out->id = r->value[1];
	return true;
}

/* Builder. */

static uint8_t *builder_reserve(struct l2tp_builder *b, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return NULL;
	}
	uint8_t *p = b->buf + b->len;
	b->len += n;
	return p;
}

static uint8_t *avp_header(struct l2tp_builder *b, bool mandatory, bool hidden, uint16_t vendor,
			   uint16_t type, size_t value_len)
{
	if (value_len > L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN) {
		b->overflow = true;
		return NULL;
	}
	uint8_t *p = builder_reserve(b, L2TP_AVP_HDR_LEN + value_len);
	if (!p)
		return NULL;
	uint16_t flags = (uint16_t)(L2TP_AVP_HDR_LEN + value_len);
	if (mandatory)
		flags |= L2TP_AVP_M;
	if (hidden)
		flags |= L2TP_AVP_H;
	put16(p, flags);
	put16(p + 2, vendor);
	put16(p + 4, type);
	return p + L2TP_AVP_HDR_LEN;
}

void l2tp_builder_init(struct l2tp_builder *b, uint8_t *buf, size_t cap, enum l2tp_msg_type type,
		       uint16_t tunnel_id, uint16_t session_id, const struct l2tp_secret *secret)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	if (secret)
		b->secret = *secret;
	uint8_t *hdr = builder_reserve(b, L2TP_CTRL_HDR_LEN);
	if (!hdr)
		return;
	header_encode(hdr, 0, tunnel_id, session_id);
	if (type != L2TP_MSG_ZLB)
		l2tp_builder_u16(b, true, L2TP_AVP_MESSAGE_TYPE, (uint16_t)type);
}

void l2tp_builder_avp(struct l2tp_builder *b, bool mandatory, uint16_t vendor, uint16_t type,
		      const void *value, size_t len)
{
	if (b->hide_all && vendor == L2TP_VENDOR_IETF && l2tp_avp_may_be_hidden(type)) {
		l2tp_builder_hidden(b, mandatory, (enum l2tp_avp_type)type, value, len);
		return;
	}
	uint8_t *p = avp_header(b, mandatory, false, vendor, type, len);
	if (p && len)
		memcpy(p, value, len);
}

void l2tp_builder_u16(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, uint16_t value)
{
	uint8_t v[2];
	put16(v, value);
	l2tp_builder_avp(b, mandatory, L2TP_VENDOR_IETF, (uint16_t)type, v, sizeof(v));
}

void l2tp_builder_u32(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, uint32_t value)
{
	uint8_t v[4];
	put32(v, value);
	l2tp_builder_avp(b, mandatory, L2TP_VENDOR_IETF, (uint16_t)type, v, sizeof(v));
}

void l2tp_builder_result(struct l2tp_builder *b, uint16_t result, uint16_t error, const char *message)
{
	size_t mlen = message ? strnlen(message, L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN - 4) : 0;
	uint8_t *p = avp_header(b, true, false, L2TP_VENDOR_IETF, L2TP_AVP_RESULT_CODE, 4 + mlen);
	if (!p)
		return;
	put16(p, result);
	put16(p + 2, error);
	if (mlen)
		memcpy(p + 4, message, mlen);
}

void l2tp_builder_random_vector(struct l2tp_builder *b, const uint8_t *vector, size_t len)
{
	uint8_t *p = avp_header(b, true, false, L2TP_VENDOR_IETF, L2TP_AVP_RANDOM_VECTOR, len);
	if (!p)
		return;
	memcpy(p, vector, len);
	b->vector = p;
	b->vector_len = (uint16_t)len;
}

void l2tp_builder_hide_from_here(struct l2tp_builder *b, const uint8_t *vector, size_t len)
{
	l2tp_builder_random_vector(b, vector, len);
	b->hide_all = true;
}

void l2tp_builder_hidden(struct l2tp_builder *b, bool mandatory, enum l2tp_avp_type type, const void *value,
			 size_t len)
{
	if (!b->vector || !b->secret.len) {
		b->bad_hide = true;
		return;
	}
	uint8_t *p = avp_header(b, mandatory, true, L2TP_VENDOR_IETF, (uint16_t)type, len + 2);
	if (!p)
		return;
	if (!l2tp_avp_hide((uint16_t)type, &b->secret, b->vector, b->vector_len, value, len, p))
		b->bad_hide = true;
}

size_t l2tp_builder_finish(struct l2tp_builder *b)
{
	if (b->overflow || b->bad_hide || b->len > UINT16_MAX)
		return 0;
	put16(b->buf + 2, (uint16_t)b->len);
	return b->len;
}
