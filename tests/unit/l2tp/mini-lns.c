// SPDX-License-Identifier: GPL-2.0-or-later
/* A minimal scriptable LNS for the LAC tests; see mini-lns.h. */
#include "mini-lns.h"

#include <stdlib.h>
#include <string.h>

static void rel_send(void *ctx, const uint8_t *data, size_t len)
{
	struct mini_lns *lns = ctx;
	if (!lns->silent)
		lns->send(lns->ctx, data, len);
}

static void rel_acked(void *ctx, uint32_t tag)
{
}

void mini_lns_init(struct mini_lns *lns, const struct mini_lns_script *script,
		   void (*send)(void *ctx, const uint8_t *data, size_t len), void *ctx)
{
	memset(lns, 0, sizeof(*lns));
	lns->script = *script;
	if (!lns->script.framing_caps)
		lns->script.framing_caps = 3;
	if (script->secret)
		lns->secret = (struct l2tp_secret){(const uint8_t *)script->secret, strlen(script->secret)};
	lns->send = send;
	lns->ctx = ctx;
	lns->tunnel_id = 0x4e53;
	lns->session_id = 0x5353;
	for (unsigned i = 0; i < sizeof(lns->challenge); i++)
		lns->challenge[i] = (uint8_t)(0xa0 + i);
	struct l2tp_rel_config cfg = {.rx_window = script->window ? script->window : 4,
				      .rto_initial_ms = 1000,
				      .rto_max_ms = 8000,
				      .max_retries = 50,
				      .ack_delay_ms = 100};
	struct l2tp_rel_ops ops = {rel_send, rel_acked};
	l2tp_rel_init(&lns->rel, &cfg, &ops, lns);
}

void mini_lns_free(struct mini_lns *lns)
{
	l2tp_rel_clear(&lns->rel);
}

static void queue(struct mini_lns *lns, uint64_t now, struct l2tp_builder *b)
{
	size_t len = l2tp_builder_finish(b);
	if (len)
		l2tp_rel_send(&lns->rel, now, b->buf, len, 0);
}

static void stopccn(struct mini_lns *lns, uint64_t now, uint16_t result)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	uint16_t to = lns->script.refuse_with_tunnel_zero ? 0 : lns->lac_tunnel_id;
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_STOPCCN, to, 0, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lns->tunnel_id);
	l2tp_builder_result(&b, result, 0, NULL);
	queue(lns, now, &b);
}

static void on_sccrq(struct mini_lns *lns, uint64_t now, const struct l2tp_msg *msg)
{
	uint8_t buf[512];
	struct l2tp_builder b;
	const uint8_t *chal;
	uint16_t chal_len;

	uint16_t window = 0;
	l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &lns->lac_tunnel_id);
	lns->rel.peer_tunnel_id = lns->lac_tunnel_id;
	if (l2tp_msg_u16(msg, L2TP_AVP_RECEIVE_WINDOW, &window))
		l2tp_rel_set_peer_window(&lns->rel, window);
	if (lns->script.refuse_result) {
		stopccn(lns, now, lns->script.refuse_result);
		return;
	}
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCRP, lns->lac_tunnel_id, 0, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_builder_avp(&b, true, 0, L2TP_AVP_HOST_NAME, "mini-lns", 8);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_CAPS, lns->script.framing_caps);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lns->tunnel_id);
	if (lns->script.window)
		l2tp_builder_u16(&b, true, L2TP_AVP_RECEIVE_WINDOW, lns->script.window);
	if (l2tp_msg_bytes(msg, L2TP_AVP_CHALLENGE, &chal, &chal_len) && lns->secret.len) {
		const char *s = lns->script.answer_secret ? lns->script.answer_secret : lns->script.secret;
		struct l2tp_secret answer = {(const uint8_t *)s, strlen(s)};
		uint8_t resp[16];
		l2tp_challenge_response(L2TP_MSG_SCCRP, &answer, chal, chal_len, resp);
		l2tp_builder_avp(&b, true, 0, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
	}
	if (lns->script.challenge_lac)
		l2tp_builder_avp(&b, true, 0, L2TP_AVP_CHALLENGE, lns->challenge, sizeof(lns->challenge));
	queue(lns, now, &b);
}

static void on_scccn(struct mini_lns *lns, uint64_t now, const struct l2tp_msg *msg)
{
	const uint8_t *resp;
	uint16_t resp_len;
	if (lns->script.challenge_lac &&
	    (!l2tp_msg_bytes(msg, L2TP_AVP_CHALLENGE_RESPONSE, &resp, &resp_len) ||
	     !l2tp_challenge_verify(L2TP_MSG_SCCCN, &lns->secret, lns->challenge, sizeof(lns->challenge),
				    resp, resp_len))) {
		stopccn(lns, now, L2TP_STOPCCN_NOT_AUTHORIZED);
		return;
	}
	if (lns->script.silent_after_scccn)
		lns->silent = true;
}

static void on_icrq(struct mini_lns *lns, uint64_t now, const struct l2tp_msg *msg)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_SESSION_ID, &lns->lac_session_id);
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_ICRP, lns->lac_tunnel_id, lns->lac_session_id, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lns->session_id);
	if (lns->script.unknown_m_avp_in_icrp)
		l2tp_builder_avp(&b, true, 311, 99, "x", 1);
	queue(lns, now, &b);
}

static void session_msg(struct mini_lns *lns, uint64_t now, enum l2tp_msg_type type)
{
	uint8_t buf[256];
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, sizeof(buf), type, lns->lac_tunnel_id, lns->lac_session_id, NULL);
	if (type == L2TP_MSG_SLI) {
		const uint8_t accm[10] = {0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		l2tp_builder_avp(&b, true, 0, L2TP_AVP_ACCM, accm, sizeof(accm));
	} else if (type == L2TP_MSG_WEN) {
		const uint8_t errors[26] = {0};
		l2tp_builder_avp(&b, true, 0, L2TP_AVP_CALL_ERRORS, errors, sizeof(errors));
	} else if (type == L2TP_MSG_CDN) {
		l2tp_builder_result(&b, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_VENDOR, "pppd failed");
		l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lns->session_id);
	}
	queue(lns, now, &b);
}

static void on_iccn(struct mini_lns *lns, uint64_t now, const struct l2tp_msg *msg)
{
	l2tp_msg_u32(msg, L2TP_AVP_FRAMING_TYPE, &lns->iccn_framing_type);
	lns->iccn_has_rx_speed = l2tp_msg_has(msg, L2TP_AVP_RX_CONNECT_SPEED);
	if (lns->script.sli_wen_after_iccn) {
		session_msg(lns, now, L2TP_MSG_SLI);
		session_msg(lns, now, L2TP_MSG_WEN);
	}
	if (lns->script.hello_after_iccn) {
		uint8_t buf[64];
		struct l2tp_builder b;
		l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_HELLO, lns->lac_tunnel_id, 0, NULL);
		queue(lns, now, &b);
	}
	if (lns->script.cdn_after_iccn)
		session_msg(lns, now, L2TP_MSG_CDN);
	if (lns->script.stopccn_after_iccn)
		stopccn(lns, now, L2TP_STOPCCN_SHUTTING_DOWN);
}

static void record_hiding(struct mini_lns *lns, const struct l2tp_msg *msg)
{
	for (unsigned t = 0; t < L2TP_AVP_TYPE_COUNT; t++)
		if (l2tp_msg_has(msg, (enum l2tp_avp_type)t) && msg->avp[t].was_hidden)
			lns->hidden[msg->type] |= UINT64_C(1) << t;
	if (l2tp_msg_has(msg, L2TP_AVP_RANDOM_VECTOR))
		lns->had_vector[msg->type] = true;
}

static void handle(struct mini_lns *lns, uint64_t now, const uint8_t *data, size_t len)
{
	struct l2tp_msg msg;
	struct l2tp_result res;
	if (l2tp_msg_parse(data, len, &lns->secret, &msg) != L2TP_PARSE_OK) {
		lns->parse_errors++;
		return;
	}
	if (msg.type <= L2TP_MSG_TYPE_MAX) {
		lns->received[msg.type]++;
		record_hiding(lns, &msg);
	}
	switch (msg.type) {
	case L2TP_MSG_SCCRQ:
		on_sccrq(lns, now, &msg);
		break;
	case L2TP_MSG_SCCCN:
		on_scccn(lns, now, &msg);
		break;
	case L2TP_MSG_ICRQ:
		on_icrq(lns, now, &msg);
		break;
	case L2TP_MSG_ICCN:
		on_iccn(lns, now, &msg);
		break;
	case L2TP_MSG_CDN:
		if (l2tp_msg_result(&msg, &res))
			lns->cdn_result = res.result;
		break;
	case L2TP_MSG_STOPCCN:
		if (l2tp_msg_result(&msg, &res))
			lns->stopccn_result = res.result;
		break;
	default:
		break;
	}
}

void mini_lns_input(struct mini_lns *lns, uint64_t now, const uint8_t *data, size_t len)
{
	struct l2tp_header hdr;
	if (lns->silent || l2tp_header_decode(data, len, &hdr) != L2TP_PARSE_OK)
		return;
	if (hdr.tunnel_id != lns->tunnel_id && hdr.tunnel_id != 0)
		return;
	bool zlb = hdr.length == L2TP_CTRL_HDR_LEN;
	if (l2tp_rel_input(&lns->rel, now, hdr.ns, hdr.nr, zlb, data, hdr.length) != L2TP_REL_DELIVER)
		return;
	handle(lns, now, data, hdr.length);
	size_t qlen;
	uint8_t *q;
	while ((q = l2tp_rel_pop(&lns->rel, &qlen))) {
		handle(lns, now, q, qlen);
		free(q);
	}
}

uint64_t mini_lns_deadline(struct mini_lns *lns)
{
	return lns->silent ? L2TP_REL_NO_DEADLINE : l2tp_rel_deadline(&lns->rel);
}

void mini_lns_timeout(struct mini_lns *lns, uint64_t now)
{
	l2tp_rel_timeout(&lns->rel, now);
}
