// SPDX-License-Identifier: GPL-2.0-or-later
/* The LAC fuzz target's host side: see fuzz-l2tp-lac-host.h. */
#include "fuzz-l2tp-lac-host.h"

#include <stdlib.h>
#include <string.h>

/*
 * What an SCCRQ told the harness. The random numbers restart with each input, so the SCCRQs are
 * the same bytes input after input: one for each secret setting and attempt (first or restarted).
 * Each is parsed once (abort() if that fails, as for every SCCRQ before) and afterwards compared
 * with its copy: parsing every input's SCCRQ again was a tenth of the target's time.
 */
struct sccrq_seen {
	uint32_t rng; /* the harness's random state when it was sent: which copy to compare with */
	bool secret, has_tunnel_id, has_challenge;
	uint8_t data[128];
	size_t len;
	uint16_t tunnel_id;
	uint8_t challenge[64];
	uint16_t challenge_len;
};

/* The SCCRQ in data (else NULL: e.g. the StopCCN refusing an SCCRP that arrived for tunnel 0). */
static const struct sccrq_seen *sccrq_parse(const struct harness *h, const uint8_t *data, size_t len)
{
	static struct sccrq_seen seen[4];
	static unsigned next;
	static struct l2tp_msg msg;
	const uint8_t *v;
	uint16_t vlen;
	bool secret = h->secret.len != 0;
	/* Only the copy it should equal is compared: a memcmp() that differs feeds libFuzzer's table of
	 * compared bytes (its memcmp hook), from which it would splice SCCRQ bytes into inputs. */
	for (unsigned i = 0; i < 4; i++)
		if (seen[i].len && seen[i].rng == h->rng && seen[i].secret == secret)
			if (seen[i].len == len && !memcmp(seen[i].data, data, len))
				return &seen[i];
	if (l2tp_msg_parse(data, len, &h->secret, &msg) != L2TP_PARSE_OK)
		abort(); /* we must never send something we cannot parse ourselves */
	if (msg.type != L2TP_MSG_SCCRQ)
		return NULL;
	struct sccrq_seen *s = &seen[next++ % 4];
	*s = (struct sccrq_seen){.rng = h->rng, .secret = secret};
	s->has_tunnel_id = l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &s->tunnel_id);
	if (l2tp_msg_bytes(&msg, L2TP_AVP_CHALLENGE, &v, &vlen) && vlen <= sizeof(s->challenge)) {
		memcpy(s->challenge, v, vlen);
		s->challenge_len = vlen;
		s->has_challenge = true;
	}
	if (len <= sizeof(s->data)) { /* a longer one is parsed each time */
		memcpy(s->data, data, len);
		s->len = len;
	}
	return s;
}

static void h_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	struct harness *h = ctx;
	struct l2tp_header hdr;
	if (h->seen[L2TP_EVENT_FINISHED])
		abort(); /* nothing leaves a finished LAC */
	if (l2tp_header_decode(data, len, &hdr) != L2TP_PARSE_OK)
		abort(); /* we must never send something we cannot parse ourselves */
	h->expect_ns = hdr.nr;
	if (hdr.length > L2TP_CTRL_HDR_LEN)
		h->next_nr = (uint16_t)(hdr.ns + 1);
	/* SCCRQ (to tunnel 0): the first one, or the one an SCCRQ restart sent under a new ID. */
	if (!h->our_tunnel_id || hdr.tunnel_id == 0) {
		const struct sccrq_seen *s = sccrq_parse(h, data, len);
		if (!s) {
			if (!h->our_tunnel_id)
				abort(); /* the first message is SCCRQ */
			return;
		}
		if (s->has_tunnel_id)
			h->our_tunnel_id = s->tunnel_id;
		if (s->has_challenge) {
			memcpy(h->challenge, s->challenge, s->challenge_len);
			h->challenge_len = s->challenge_len;
		}
	}
}

static void h_event(void *ctx, const struct l2tp_event *ev)
{
	struct harness *h = ctx;
	/* Event order invariants: each at most once, nothing after FINISHED, up only after ready. */
	if (!ev->reason || (unsigned)ev->type > L2TP_EVENT_FINISHED || h->seen[ev->type] ||
	    h->seen[L2TP_EVENT_FINISHED])
		abort();
	if (ev->type == L2TP_EVENT_SESSION_READY && !h->seen[L2TP_EVENT_TUNNEL_UP])
		abort();
	if (ev->type == L2TP_EVENT_SESSION_UP && !h->seen[L2TP_EVENT_SESSION_READY])
		abort();
	if (ev->type == L2TP_EVENT_FINISHED && !h->seen[L2TP_EVENT_TUNNEL_DOWN])
		abort();
	if (ev->type >= L2TP_EVENT_SESSION_DOWN && ev->cause == L2TP_CAUSE_NONE)
		abort(); /* every ending has a cause */
	h->seen[ev->type]++;
	if (ev->type == L2TP_EVENT_SESSION_READY && h->auto_confirm)
		l2tp_lac_session_confirm(h->lac, h->now);
}

static void h_random(void *ctx, void *buf, size_t len)
{
	struct harness *h = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		h->rng = h->rng * 1103515245u + 12345u;
		p[i] = (uint8_t)(h->rng >> 16);
	}
}

void harness_advance(struct harness *h, uint64_t delta)
{
	uint64_t target = h->now + delta;
	for (int guard = 0; guard < 1000; guard++) {
		uint64_t d = l2tp_lac_deadline(h->lac);
		if (d > target)
			break;
		if (d > h->now)
			h->now = d;
		l2tp_lac_timeout(h->lac, h->now);
	}
	h->now = target;
}

struct l2tp_lac_ops harness_ops(void)
{
	return (struct l2tp_lac_ops){.send = h_send, .event = h_event, .random = h_random};
}
