// SPDX-License-Identifier: GPL-2.0-or-later
/* Codec of the l2tp-vpn <-> pppd plugin channel; see ppp-channel.h. */
#include "ppp-channel.h"

#include <string.h>

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	int overflow;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (w->overflow || n > w->cap - w->pos) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->pos, p, n);
	w->pos += n;
}

static void put_u8(struct writer *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

/* A string field: u8 length + bytes. Returns 0, or -1 if it may not be sent. */
static int put_string(struct writer *w, const char *s, size_t max, int allow_empty)
{
	size_t n = strnlen(s, max + 1);

	if (n > max || (n == 0 && !allow_empty))
		return -1;
	put_u8(w, (uint8_t)n);
	put_bytes(w, s, n);
	return 0;
}

static int encode_payload(const struct pppchan_msg *msg, struct writer *w)
{
	switch (msg->type) {
	case PPPCHAN_CREDENTIALS:
		if (put_string(w, msg->u.cred.user, PPPCHAN_MAX_USER, 0) ||
		    put_string(w, msg->u.cred.password, PPPCHAN_MAX_PASSWORD, 1))
			return PPPCHAN_E_VALUE;
		return 0;
	case PPPCHAN_HELLO:
		return put_string(w, msg->u.version, PPPCHAN_MAX_VERSION, 0) ? PPPCHAN_E_VALUE : 0;
	case PPPCHAN_CREDENTIALS_OK:
	case PPPCHAN_IP_DOWN:
		return 0;
	case PPPCHAN_PHASE:
		if (msg->u.phase > PPPCHAN_MAX_PHASE)
			return PPPCHAN_E_VALUE;
		put_u8(w, msg->u.phase);
		return 0;
	case PPPCHAN_AUTH:
		if (msg->u.auth > PPPCHAN_AUTH_NOT_REQUIRED)
			return PPPCHAN_E_VALUE;
		put_u8(w, msg->u.auth);
		return 0;
	case PPPCHAN_IP_UP:
		if (put_string(w, msg->u.ip_up.ifname, PPPCHAN_MAX_IFNAME, 0))
			return PPPCHAN_E_VALUE;
		put_bytes(w, msg->u.ip_up.local, 4);
		put_bytes(w, msg->u.ip_up.peer, 4);
		put_bytes(w, msg->u.ip_up.dns1, 4);
		put_bytes(w, msg->u.ip_up.dns2, 4);
		return 0;
	case PPPCHAN_EXIT:
		put_u8(w, msg->u.exit_status);
		return 0;
	}
	return PPPCHAN_E_TYPE;
}

int pppchan_encode(const struct pppchan_msg *msg, uint8_t *buf, size_t cap)
{
	struct writer w = {.buf = buf, .cap = cap, .pos = PPPCHAN_HEADER_LEN};
	size_t payload;
	int r;

	if (cap < PPPCHAN_HEADER_LEN)
		return PPPCHAN_E_NOSPACE;
	r = encode_payload(msg, &w);
	if (r < 0)
		return r;
	if (w.overflow)
		return PPPCHAN_E_NOSPACE;
	payload = w.pos - PPPCHAN_HEADER_LEN;
	if (payload > PPPCHAN_MAX_PAYLOAD)
		return PPPCHAN_E_LENGTH;
	buf[0] = PPPCHAN_VERSION;
	buf[1] = (uint8_t)msg->type;
	buf[2] = (uint8_t)(payload >> 8);
	buf[3] = (uint8_t)payload;
	return (int)w.pos;
}

struct reader {
	const uint8_t *p;
	size_t left;
	int bad;
};

static void get_bytes(struct reader *r, void *out, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = 1;
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
}

static uint8_t get_u8(struct reader *r)
{
	uint8_t v = 0;

	get_bytes(r, &v, 1);
	return v;
}

/* Read a string field into @out (size @max + 1); rejects embedded NULs. */
static int get_string(struct reader *r, char *out, size_t max, int allow_empty)
{
	size_t n = get_u8(r);

	if (!r->bad && n > r->left)
		r->bad = 1; /* runs past the payload: a length error, not a value error */
	if (r->bad || n > max || (n == 0 && !allow_empty))
		return -1;
	get_bytes(r, out, n);
	out[n] = '\0';
	return memchr(out, '\0', n) ? -1 : 0;
}

static enum pppchan_result decode_payload(struct reader *r, struct pppchan_msg *msg)
{
	switch (msg->type) {
	case PPPCHAN_CREDENTIALS:
		if (get_string(r, msg->u.cred.user, PPPCHAN_MAX_USER, 0) ||
		    get_string(r, msg->u.cred.password, PPPCHAN_MAX_PASSWORD, 1))
			return r->bad ? PPPCHAN_E_LENGTH : PPPCHAN_E_VALUE;
		return PPPCHAN_OK;
	case PPPCHAN_HELLO:
		if (get_string(r, msg->u.version, PPPCHAN_MAX_VERSION, 0))
			return r->bad ? PPPCHAN_E_LENGTH : PPPCHAN_E_VALUE;
		return PPPCHAN_OK;
	case PPPCHAN_CREDENTIALS_OK:
	case PPPCHAN_IP_DOWN:
		return PPPCHAN_OK;
	case PPPCHAN_PHASE:
		msg->u.phase = get_u8(r);
		return msg->u.phase > PPPCHAN_MAX_PHASE ? PPPCHAN_E_VALUE : PPPCHAN_OK;
	case PPPCHAN_AUTH:
		msg->u.auth = get_u8(r);
		return msg->u.auth > PPPCHAN_AUTH_NOT_REQUIRED ? PPPCHAN_E_VALUE : PPPCHAN_OK;
	case PPPCHAN_IP_UP:
		if (get_string(r, msg->u.ip_up.ifname, PPPCHAN_MAX_IFNAME, 0))
			return r->bad ? PPPCHAN_E_LENGTH : PPPCHAN_E_VALUE;
		get_bytes(r, msg->u.ip_up.local, 4);
		get_bytes(r, msg->u.ip_up.peer, 4);
		get_bytes(r, msg->u.ip_up.dns1, 4);
		get_bytes(r, msg->u.ip_up.dns2, 4);
		return PPPCHAN_OK;
	case PPPCHAN_EXIT:
		msg->u.exit_status = get_u8(r);
		return PPPCHAN_OK;
	}
	return PPPCHAN_E_TYPE;
}

enum pppchan_result pppchan_decode(const uint8_t *buf, size_t len, struct pppchan_msg *msg, size_t *consumed)
{
	struct reader r;
	size_t payload;
	enum pppchan_result res;

	*consumed = 0;
	memset(msg, 0, sizeof(*msg));
	if (len < 1)
		return PPPCHAN_NEED_MORE;
	/* Judge the version before waiting for more: a wrong peer fails fast. */
	if (buf[0] != PPPCHAN_VERSION)
		return PPPCHAN_E_VERSION;
	if (len < PPPCHAN_HEADER_LEN)
		return PPPCHAN_NEED_MORE;
	payload = ((size_t)buf[2] << 8) | buf[3];
	if (payload > PPPCHAN_MAX_PAYLOAD)
		return PPPCHAN_E_LENGTH;
	if (buf[1] < PPPCHAN_CREDENTIALS || buf[1] > PPPCHAN_EXIT)
		return PPPCHAN_E_TYPE;
	if (len - PPPCHAN_HEADER_LEN < payload)
		return PPPCHAN_NEED_MORE;
	msg->type = (enum pppchan_type)buf[1];
	r = (struct reader){.p = buf + PPPCHAN_HEADER_LEN, .left = payload};
	res = decode_payload(&r, msg);
	if (res == PPPCHAN_OK && (r.bad || r.left != 0))
		res = PPPCHAN_E_LENGTH;
	if (res != PPPCHAN_OK) {
		pppchan_msg_wipe(msg);
		return res;
	}
	*consumed = PPPCHAN_HEADER_LEN + payload;
	return PPPCHAN_OK;
}

void pppchan_msg_wipe(struct pppchan_msg *msg)
{
	explicit_bzero(msg, sizeof(*msg));
}

const char *pppchan_result_str(enum pppchan_result r)
{
	switch (r) {
	case PPPCHAN_OK:
		return "ok";
	case PPPCHAN_NEED_MORE:
		return "incomplete frame";
	case PPPCHAN_E_VERSION:
		return "unknown channel protocol version";
	case PPPCHAN_E_TYPE:
		return "unknown message type";
	case PPPCHAN_E_LENGTH:
		return "bad message length";
	case PPPCHAN_E_VALUE:
		return "field value out of range";
	case PPPCHAN_E_NOSPACE:
		return "output buffer too small";
	}
	return "unknown result";
}

const char *pppchan_type_str(enum pppchan_type t)
{
	switch (t) {
	case PPPCHAN_CREDENTIALS:
		return "credentials";
	case PPPCHAN_HELLO:
		return "hello";
	case PPPCHAN_CREDENTIALS_OK:
		return "credentials-ok";
	case PPPCHAN_PHASE:
		return "phase";
	case PPPCHAN_AUTH:
		return "auth";
	case PPPCHAN_IP_UP:
		return "ip-up";
	case PPPCHAN_IP_DOWN:
		return "ip-down";
	case PPPCHAN_EXIT:
		return "exit";
	}
	return "unknown";
}
