// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SCCRQ restart right after a new IPsec SA (l2tp_lac_set_sccrq_restart()):
 * the LAC is driven by hand, message by message, the way the race happens in
 * the lab: the LNS's first SCCRP never reaches us (sent in clear before the
 * gateway's outbound policy existed), the LNS ignores a duplicate SCCRQ and
 * re-sends SCCRP only on its own 1 s timer. We must restart under a new tunnel
 * ID, come up on the answer to that, and answer the first attempt's late
 * SCCRP (every copy of it) with StopCCN so the LNS clears it.
 */
#include "check.h"
#include "l2tp-lac-internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAX_SENT 16

struct capture {
	uint8_t data[MAX_SENT][L2TP_MSG_MAX_LEN];
	size_t len[MAX_SENT];
	unsigned n;
	unsigned tunnel_up, tunnel_down;
};

static struct l2tp_msg msg; /* 4 KiB of scratch: not on the stack */

static void cap_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	struct capture *c = ctx;
	(void)to;
	(void)tolen;
	if (c->n < MAX_SENT && len <= L2TP_MSG_MAX_LEN) {
		memcpy(c->data[c->n], data, len);
		c->len[c->n] = len;
	}
	c->n++;
}

static void cap_event(void *ctx, const struct l2tp_event *ev)
{
	struct capture *c = ctx;
	c->tunnel_up += ev->type == L2TP_EVENT_TUNNEL_UP;
	c->tunnel_down += ev->type == L2TP_EVENT_TUNNEL_DOWN;
}

static void cap_random(void *ctx, void *buf, size_t len)
{
	static uint8_t next = 1;
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = next++;
}

static const struct l2tp_lac_ops ops = {.send = cap_send, .event = cap_event, .random = cap_random};

static struct sockaddr_in lns_addr(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1701)};
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	return a;
}

static struct l2tp_lac *start_with_ops(struct capture *c, uint32_t restart_ms,
				       const struct l2tp_lac_ops *lac_ops)
{
	struct l2tp_lac_config cfg;
	struct sockaddr_in lns = lns_addr();
	l2tp_lac_config_defaults(&cfg);
	cfg.host_name = "test-lac";
	memset(c, 0, sizeof(*c));
	struct l2tp_lac *lac = l2tp_lac_new(&cfg, lac_ops, c, NULL, 0);
	CHECK(lac != NULL);
	CHECK(l2tp_lac_set_sccrq_restart(lac, restart_ms));
	CHECK(l2tp_lac_start(lac, 0, (struct sockaddr *)&lns, sizeof(lns)));
	return lac;
}

static struct l2tp_lac *start(struct capture *c, uint32_t restart_ms)
{
	return start_with_ops(c, restart_ms, &ops);
}

/* Parses what the LAC sent as message i. */
static bool sent(struct capture *c, unsigned i, uint16_t type)
{
	static const struct l2tp_secret none = {0};
	return i < c->n && l2tp_msg_parse(c->data[i], c->len[i], &none, &msg) == L2TP_PARSE_OK &&
	       msg.type == type;
}

static uint16_t sent_u16(enum l2tp_avp_type type)
{
	uint16_t v = 0;
	l2tp_msg_u16(&msg, type, &v);
	return v;
}

/* An SCCRP from the LNS to our tunnel to_tunnel, assigning it lns_tunnel. */
static void feed_sccrp(struct l2tp_lac *lac, uint64_t now, uint16_t to_tunnel, uint16_t lns_tunnel)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;
	struct sockaddr_in from = lns_addr();
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_SCCRP, to_tunnel, 0, NULL);
	l2tp_builder_u16(&b, true, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_CAPS, L2TP_FRAMING_SYNC);
	l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME, "lns", 3);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lns_tunnel);
	size_t len = l2tp_builder_finish(&b);
	CHECK(len > 0);
	l2tp_header_set_seq(buf, 0, 1);
	l2tp_lac_input(lac, now, buf, len, (struct sockaddr *)&from, sizeof(from));
}

static void test_restart_then_stopccn_for_the_late_answer(void)
{
	struct capture c;
	struct l2tp_lac *lac = start(&c, 200);

	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	uint16_t first = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	CHECK(first != 0);
	CHECK_INT(l2tp_lac_deadline(lac), 200);       /* not the 1 s retransmission */
	CHECK(!l2tp_lac_set_sccrq_restart(lac, 100)); /* only before start */

	l2tp_lac_timeout(lac, 200);
	CHECK_INT(c.n, 2);
	CHECK(sent(&c, 1, L2TP_MSG_SCCRQ));
	uint16_t second = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	CHECK(second != 0 && second != first);
	CHECK_INT(msg.hdr.ns, 0); /* a new control connection starts at Ns 0 */
	CHECK_INT(msg.hdr.tunnel_id, 0);
	CHECK_INT(l2tp_lac_deadline(lac), 1200); /* once only: now the RFC's 1 s */

	feed_sccrp(lac, 210, second, 77);
	CHECK_INT(c.tunnel_up, 1);
	CHECK(sent(&c, 2, L2TP_MSG_SCCCN));
	CHECK_INT(msg.hdr.tunnel_id, 77);

	/* The first attempt's SCCRP, re-sent by the LNS once its SA is ready: StopCCN, every time. */
	for (unsigned round = 0; round < 2; round++) {
		unsigned before = c.n;
		feed_sccrp(lac, 1000 + 1000 * round, first, 55);
		CHECK(sent(&c, before, L2TP_MSG_STOPCCN));
		CHECK_INT(msg.hdr.tunnel_id, 55);
		CHECK_INT(msg.hdr.ns, 1);
		CHECK_INT(msg.hdr.nr, 1);
		CHECK_INT(sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID), first);
		struct l2tp_result res;
		CHECK(l2tp_msg_result(&msg, &res) && res.result == L2TP_STOPCCN_CLEAR);
	}
	/* ... and the live tunnel did not notice. */
	CHECK_INT(c.tunnel_up, 1);
	CHECK_INT(c.tunnel_down, 0);
	CHECK(lac->tunnel == TUNNEL_ESTABLISHED && lac->our_tunnel_id == second);
	l2tp_lac_free(lac);
}

/* A slow LNS answers the first SCCRQ after the restart: that one is cleared, the second one used. */
static void test_first_answer_after_restart_is_cleared(void)
{
	struct capture c;
	struct l2tp_lac *lac = start(&c, 200);
	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	uint16_t first = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	l2tp_lac_timeout(lac, 200);
	CHECK(sent(&c, 1, L2TP_MSG_SCCRQ));
	uint16_t second = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);

	feed_sccrp(lac, 250, first, 55);
	CHECK(sent(&c, 2, L2TP_MSG_STOPCCN));
	CHECK_INT(c.tunnel_up, 0);
	feed_sccrp(lac, 260, second, 77);
	CHECK_INT(c.tunnel_up, 1);
	CHECK(lac->peer_tunnel_id == 77);
	l2tp_lac_free(lac);
}

/* Off by default, and off when it would not beat the retransmission anyway. */
static void test_off_by_default_and_when_not_faster(void)
{
	struct capture c;
	struct l2tp_lac *lac = start(&c, 0);
	CHECK_INT(l2tp_lac_deadline(lac), 1000);
	l2tp_lac_timeout(lac, 1000);
	CHECK(sent(&c, 1, L2TP_MSG_SCCRQ));
	CHECK_INT(msg.hdr.ns, 0);
	CHECK(lac->abandoned_tunnel_id == 0); /* a retransmission, same tunnel */
	l2tp_lac_free(lac);

	lac = start(&c, 1000);
	CHECK_INT(l2tp_lac_deadline(lac), 1000);
	l2tp_lac_timeout(lac, 1000);
	CHECK(lac->abandoned_tunnel_id == 0);
	l2tp_lac_free(lac);
}

/* Nothing but SCCRP on the abandoned tunnel gets an answer (no state is kept for it). */
static void test_other_messages_for_abandoned_tunnel_ignored(void)
{
	struct capture c;
	struct l2tp_lac *lac = start(&c, 200);
	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	uint16_t first = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	l2tp_lac_timeout(lac, 200);
	unsigned before = c.n;
	uint8_t zlb[L2TP_CTRL_HDR_LEN];
	struct sockaddr_in from = lns_addr();
	l2tp_zlb_encode(zlb, first, 0, 1, 2);
	l2tp_lac_input(lac, 300, zlb, sizeof(zlb), (struct sockaddr *)&from, sizeof(from));
	CHECK_INT(c.n, before);
	CHECK(lac->tunnel == TUNNEL_WAIT_CTL_REPLY);
	l2tp_lac_free(lac);
}

/*
 * l2tp_lac_restart_tunnel() after the IPsec SA was renewed: a new SCCRQ at once under a new ID,
 * the previous one's late SCCRP cleared, refused once the tunnel is up.
 */
static void test_restart_on_renewed_sa(void)
{
	struct capture c;
	struct l2tp_lac *lac = start(&c, 0);
	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	uint16_t first = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	l2tp_lac_timeout(lac, 1000); /* one ordinary retransmission of it */
	CHECK(sent(&c, 1, L2TP_MSG_SCCRQ));
	CHECK_INT(sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID), first);

	CHECK(l2tp_lac_restart_tunnel(lac, 3000));
	CHECK_INT(c.n, 3);
	CHECK(sent(&c, 2, L2TP_MSG_SCCRQ));
	uint16_t second = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	CHECK(second != 0 && second != first);
	CHECK_INT(msg.hdr.ns, 0);
	CHECK_INT(l2tp_lac_deadline(lac), 4000); /* the RFC's schedule, from the new SCCRQ */

	/* Another renewal before any answer: yet another tunnel. */
	CHECK(l2tp_lac_restart_tunnel(lac, 3500));
	CHECK(sent(&c, 3, L2TP_MSG_SCCRQ));
	uint16_t third = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	CHECK(third != second && third != 0);

	feed_sccrp(lac, 3600, second, 55); /* the abandoned tunnel's answer: cleared */
	CHECK(sent(&c, 4, L2TP_MSG_STOPCCN));
	CHECK_INT(c.tunnel_up, 0);
	feed_sccrp(lac, 3610, third, 77);
	CHECK_INT(c.tunnel_up, 1);
	CHECK(lac->peer_tunnel_id == 77 && lac->our_tunnel_id == third);
	unsigned before = c.n;
	CHECK(!l2tp_lac_restart_tunnel(lac, 4000)); /* up: nothing to restart */
	CHECK_INT(c.n, before);
	l2tp_lac_free(lac);
}

/* IDs the host already uses (another connection's kernel tunnel) are never assigned. */
static uint16_t asked[64];
static unsigned n_asked, n_taken;

static bool cap_id_taken(void *ctx, uint16_t id)
{
	(void)ctx;
	if (n_asked < 64)
		asked[n_asked] = id;
	return ++n_asked <= n_taken;
}

static struct l2tp_lac *start_with_taken(struct capture *c, unsigned taken)
{
	struct l2tp_lac_ops taken_ops = ops;

	taken_ops.tunnel_id_taken = cap_id_taken;
	n_asked = 0;
	n_taken = taken;
	return start_with_ops(c, 0, &taken_ops);
}

static void test_taken_tunnel_ids_skipped(void)
{
	struct capture c;
	struct l2tp_lac *lac = start_with_taken(&c, 2);

	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	uint16_t got = sent_u16(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	CHECK_INT(n_asked, 3);
	CHECK(got == asked[2] && got != asked[0] && got != asked[1] && got != 0);
	l2tp_lac_free(lac);

	/* A callback that says "taken" to everything cannot hang the LAC: it still sends SCCRQ. */
	lac = start_with_taken(&c, 1000);
	CHECK(sent(&c, 0, L2TP_MSG_SCCRQ));
	CHECK_INT(n_asked, 32);
	l2tp_lac_free(lac);
}

int main(void)
{
	RUN(test_restart_then_stopccn_for_the_late_answer);
	RUN(test_first_answer_after_restart_is_cleared);
	RUN(test_off_by_default_and_when_not_faster);
	RUN(test_other_messages_for_abandoned_tunnel_ignored);
	RUN(test_restart_on_renewed_sa);
	RUN(test_taken_tunnel_ids_skipped);
	return check_summary();
}
