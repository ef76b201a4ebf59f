// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reliable delivery engine (RFC 2661 §5.8, Appendix A) in virtual time:
 * Ns/Nr, delayed and piggybacked ACKs, duplicates, retransmission backoff
 * and the dead-peer verdict, slow start / congestion avoidance against the
 * peer's window, out-of-order queueing, sequence number wrap.
 */
#include "check.h"
#include "l2tp-codec.h"
#include "l2tp-reliable.h"

#include <stdlib.h>

struct sent {
	uint8_t data[64];
	size_t len;
	uint64_t at;
};

struct harness {
	struct l2tp_rel rel;
	struct sent out[64];
	unsigned nout;
	uint32_t acked[64];
	unsigned nacked;
	uint64_t now;
	/* The last message longer than 64 bytes: its length, marker byte, and whether every byte after the
	 * header still is the marker. */
	size_t big_len;
	uint8_t big_marker;
	bool big_intact;
};

static void h_send(void *ctx, const uint8_t *data, size_t len)
{
	struct harness *h = ctx;
	if (len > 64) {
		h->big_len = len;
		h->big_marker = data[L2TP_CTRL_HDR_LEN];
		h->big_intact = true;
		for (size_t i = L2TP_CTRL_HDR_LEN; i < len; i++)
			h->big_intact &= data[i] == h->big_marker;
	}
	if (h->nout < 64 && len <= 64) {
		memcpy(h->out[h->nout].data, data, len);
		h->out[h->nout].len = len;
		h->out[h->nout].at = h->now;
		h->nout++;
	}
}

static void h_acked(void *ctx, uint32_t tag)
{
	struct harness *h = ctx;
	if (h->nacked < 64)
		h->acked[h->nacked++] = tag;
}

static void h_init(struct harness *h, unsigned retries)
{
	memset(h, 0, sizeof(*h));
	struct l2tp_rel_config cfg = {.rx_window = 4,
				      .rto_initial_ms = 1000,
				      .rto_max_ms = 8000,
				      .max_retries = retries,
				      .ack_delay_ms = 100};
	struct l2tp_rel_ops ops = {h_send, h_acked};
	l2tp_rel_init(&h->rel, &cfg, &ops, h);
	h->rel.peer_tunnel_id = 77;
}

static uint16_t ns_of(const struct sent *s)
{
	return (uint16_t)(s->data[8] << 8 | s->data[9]);
}

static uint16_t nr_of(const struct sent *s)
{
	return (uint16_t)(s->data[10] << 8 | s->data[11]);
}

static bool is_zlb(const struct sent *s)
{
	return s->len == L2TP_CTRL_HDR_LEN;
}

/* A HELLO with the given tag value in its (fake) tunnel ID, so tests can tell messages apart. */
static size_t make_msg(uint8_t *buf, uint16_t marker)
{
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, 64, L2TP_MSG_HELLO, marker, 0, NULL);
	return l2tp_builder_finish(&b);
}

static bool send_msg(struct harness *h, uint32_t tag)
{
	uint8_t buf[64];
	size_t len = make_msg(buf, (uint16_t)tag);
	return l2tp_rel_send(&h->rel, h->now, buf, len, tag);
}

/* Runs timers until `until`, one deadline at a time; returns false if the peer was declared dead. */
static bool run_until(struct harness *h, uint64_t until, uint64_t *dead_at)
{
	for (;;) {
		uint64_t d = l2tp_rel_deadline(&h->rel);
		if (d > until) {
			h->now = until;
			return true;
		}
		h->now = d;
		if (!l2tp_rel_timeout(&h->rel, h->now)) {
			if (dead_at)
				*dead_at = h->now;
			return false;
		}
	}
}

static void test_ns_and_delayed_ack(void)
{
	struct harness h;
	h_init(&h, 5);
	CHECK(send_msg(&h, 1));
	CHECK_INT(h.nout, 1);
	CHECK_INT(ns_of(&h.out[0]), 0);
	CHECK_INT(nr_of(&h.out[0]), 0);
	/* The peer's message 0, which also acknowledges ours. */
	CHECK_INT(l2tp_rel_input(&h.rel, h.now, 0, 1, false, NULL, 0), L2TP_REL_DELIVER);
	CHECK_INT(h.nacked, 1);
	CHECK_INT(h.acked[0], 1);
	CHECK_INT(l2tp_rel_deadline(&h.rel), 100);
	run_until(&h, 99, NULL);
	CHECK_INT(h.nout, 1);
	run_until(&h, 100, NULL);
	CHECK_INT(h.nout, 2);
	CHECK(is_zlb(&h.out[1]));
	CHECK_INT(ns_of(&h.out[1]), 1); /* next Ns; a ZLB consumes none */
	CHECK_INT(nr_of(&h.out[1]), 1);
	CHECK_INT(h.out[1].data[4] << 8 | h.out[1].data[5], 77);
	CHECK(send_msg(&h, 2));
	CHECK_INT(ns_of(&h.out[2]), 1);
	CHECK_INT(l2tp_rel_deadline(&h.rel), 1100); /* only the retransmission timer */
	l2tp_rel_clear(&h.rel);
}

static void test_ack_piggybacks(void)
{
	struct harness h;
	h_init(&h, 5);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 0, 0, false, NULL, 0), L2TP_REL_DELIVER);
	h.now = 10;
	CHECK(send_msg(&h, 1));
	CHECK_INT(nr_of(&h.out[0]), 1);
	run_until(&h, 500, NULL);
	CHECK_INT(h.nout, 1); /* no ZLB: the ACK rode on our message */
	l2tp_rel_clear(&h.rel);
}

static void test_duplicate_acked_not_delivered(void)
{
	struct harness h;
	uint8_t m[64];
	size_t len = make_msg(m, 1);
	h_init(&h, 5);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 0, 0, false, m, len), L2TP_REL_DELIVER);
	CHECK_INT(l2tp_rel_input(&h.rel, 5, 0, 0, false, m, len), L2TP_REL_DUPLICATE);
	CHECK_INT(h.nout, 1); /* acknowledged at once */
	CHECK(is_zlb(&h.out[0]));
	CHECK_INT(nr_of(&h.out[0]), 1);
	CHECK_INT(h.rel.stats.duplicates, 1);
	/* Ns 32767 behind counts as old too. */
	CHECK_INT(l2tp_rel_input(&h.rel, 6, (uint16_t)(1 - 32768), 0, false, m, len), L2TP_REL_DUPLICATE);
	l2tp_rel_clear(&h.rel);
}

static void test_backoff_and_dead_peer(void)
{
	struct harness h;
	uint64_t dead_at = 0;
	h_init(&h, 5);
	CHECK(send_msg(&h, 1));
	/* The peer sends us a message that does not acknowledge ours: retransmissions carry the new Nr. */
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 0, 0, false, NULL, 0), L2TP_REL_DELIVER);
	CHECK(!run_until(&h, 100000, &dead_at));
	/* 1 + 2 + 4 + 8 + 8 + 8 s: five retransmissions, then the last timeout. */
	CHECK_INT(dead_at, 31000);
	unsigned retransmits = 0;
	uint64_t expect[] = {1000, 3000, 7000, 15000, 23000};
	for (unsigned i = 0; i < h.nout; i++) {
		if (is_zlb(&h.out[i]))
			continue;
		if (i == 0)
			continue;
		CHECK(retransmits < 5);
		if (retransmits < 5)
			CHECK_INT(h.out[i].at, expect[retransmits]);
		CHECK_INT(ns_of(&h.out[i]), 0);
		CHECK_INT(nr_of(&h.out[i]), 1);
		retransmits++;
	}
	CHECK_INT(retransmits, 5);
	CHECK_INT(h.rel.stats.retransmits, 5);
	l2tp_rel_clear(&h.rel);
}

static void test_ack_resets_backoff(void)
{
	struct harness h;
	h_init(&h, 2);
	CHECK(send_msg(&h, 1));
	run_until(&h, 2500, NULL); /* one retransmission at 1 s, next due at 3 s */
	CHECK_INT(h.rel.stats.retransmits, 1);
	l2tp_rel_input(&h.rel, 2500, 0, 1, true, NULL, 0);
	CHECK_INT(h.nacked, 1);
	CHECK(l2tp_rel_all_acked(&h.rel));
	CHECK(send_msg(&h, 2));
	CHECK_INT(l2tp_rel_deadline(&h.rel), 3500); /* back to 1 s */
	l2tp_rel_clear(&h.rel);
}

static unsigned in_flight_sent(struct harness *h, unsigned from)
{
	unsigned n = 0;
	for (unsigned i = from; i < h->nout; i++)
		n += !is_zlb(&h->out[i]);
	return n;
}

/*
 * SCCCN (Ns 0) is lost, ICRQ (Ns 1) arrives out of order and a peer like
 * xl2tpd drops it. Once the retransmitted Ns 0 is acknowledged, Ns 1 goes
 * again at once, not a retransmission timeout later; an ACK that follows no
 * retransmission resends nothing.
 */
static void test_ack_after_retransmission_resends_the_rest(void)
{
	struct harness h;
	h_init(&h, 5);
	l2tp_rel_set_peer_window(&h.rel, 4);
	h.rel.cwnd = 2;
	CHECK(send_msg(&h, 1));
	CHECK(send_msg(&h, 2));
	CHECK_INT(in_flight_sent(&h, 0), 2);
	run_until(&h, 1500, NULL); /* Ns 0 again at 1 s */
	CHECK_INT(h.rel.stats.retransmits, 1);
	unsigned before = h.nout;
	l2tp_rel_input(&h.rel, 1500, 0, 1, true, NULL, 0);
	CHECK_INT(h.nacked, 1);
	CHECK_INT(in_flight_sent(&h, before), 1);
	if (h.nout > before) {
		CHECK_INT(ns_of(&h.out[before]), 1);
		CHECK_INT(h.out[before].at, 1500);
	}
	CHECK_INT(h.rel.stats.retransmits, 2);
	CHECK_INT(l2tp_rel_deadline(&h.rel), 2500);
	/* Ns 2 leaves with the window; Ns 1's ACK, with no retransmission before it, resends nothing. */
	CHECK(send_msg(&h, 3));
	before = h.nout;
	l2tp_rel_input(&h.rel, 1600, 0, 2, true, NULL, 0);
	CHECK_INT(h.nacked, 2);
	CHECK_INT(h.nout, before);
	CHECK_INT(h.rel.stats.retransmits, 2);
	l2tp_rel_clear(&h.rel);
}

static void test_window_slow_start_and_congestion_avoidance(void)
{
	struct harness h;
	h_init(&h, 5);
	l2tp_rel_set_peer_window(&h.rel, 4);
	for (uint32_t i = 0; i < 12; i++)
		CHECK(send_msg(&h, i));
	CHECK_INT(h.nout, 1); /* cwnd starts at 1 */
	/* ACK Ns 0: slow start, cwnd 2. */
	l2tp_rel_input(&h.rel, 0, 0, 1, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 2);
	CHECK_INT(h.nout, 3);
	/* ACK 1 and 2: cwnd 4 = ssthresh = peer window. */
	l2tp_rel_input(&h.rel, 0, 0, 3, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 4);
	CHECK_INT(h.rel.in_flight, 4);
	CHECK_INT(h.nout, 7);
	/* Never beyond the peer's window. */
	l2tp_rel_input(&h.rel, 0, 0, 7, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 4);
	CHECK_INT(h.rel.in_flight, 4);
	/* A timeout: cwnd 1, ssthresh 2; only the oldest goes again. */
	unsigned before = h.nout;
	run_until(&h, 1000, NULL);
	CHECK_INT(h.rel.cwnd, 1);
	CHECK_INT(h.rel.ssthresh, 2);
	CHECK_INT(in_flight_sent(&h, before), 1);
	CHECK_INT(ns_of(&h.out[before]), 7);
	/* ACK 7: slow start to 2; then congestion avoidance: +1 per window of ACKs. */
	l2tp_rel_input(&h.rel, 1000, 0, 8, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 2);
	l2tp_rel_input(&h.rel, 1000, 0, 9, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 2);
	l2tp_rel_input(&h.rel, 1000, 0, 10, true, NULL, 0);
	CHECK_INT(h.rel.cwnd, 3);
	CHECK_INT(h.nacked, 10);
	for (unsigned i = 0; i < h.nacked; i++)
		CHECK_INT(h.acked[i], i);
	l2tp_rel_clear(&h.rel);
}

static void test_out_of_order_queued_and_delivered_in_order(void)
{
	struct harness h;
	uint8_t m1[64], m2[64], m3[64];
	size_t l1 = make_msg(m1, 101), l2 = make_msg(m2, 102), l3 = make_msg(m3, 103);
	size_t len;
	h_init(&h, 5);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 2, 0, false, m2, l2), L2TP_REL_QUEUED);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 1, 0, false, m1, l1), L2TP_REL_QUEUED);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 1, 0, false, m1, l1), L2TP_REL_DUPLICATE); /* queued already */
	CHECK(l2tp_rel_pop(&h.rel, &len) == NULL);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 4, 0, false, m3, l3), L2TP_REL_DROPPED); /* beyond window 4 */
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 0, 0, false, m3, l3), L2TP_REL_DELIVER);
	uint8_t *q = l2tp_rel_pop(&h.rel, &len);
	CHECK(q && len == l1 && !memcmp(q, m1, len));
	free(q);
	q = l2tp_rel_pop(&h.rel, &len);
	CHECK(q && len == l2 && !memcmp(q, m2, len));
	free(q);
	CHECK(l2tp_rel_pop(&h.rel, &len) == NULL);
	CHECK_INT(h.rel.nr, 3);
	run_until(&h, 100, NULL);
	CHECK(h.nout >= 1 && is_zlb(&h.out[h.nout - 1]) && nr_of(&h.out[h.nout - 1]) == 3);
	l2tp_rel_clear(&h.rel);
}

static void test_sequence_wrap(void)
{
	struct harness h;
	h_init(&h, 5);
	h.rel.ns_next = 65535;
	h.rel.nr = 65535;
	CHECK(send_msg(&h, 1));
	CHECK(send_msg(&h, 2));
	l2tp_rel_set_peer_window(&h.rel, 4);
	l2tp_rel_input(&h.rel, 0, 65535, 0, false, NULL, 0); /* acknowledges 65535, delivers */
	CHECK_INT(h.nacked, 1);
	CHECK_INT(h.rel.nr, 0);
	CHECK_INT(ns_of(&h.out[1]), 0);
	CHECK_INT(l2tp_rel_input(&h.rel, 0, 65535, 1, false, NULL, 0), L2TP_REL_DUPLICATE);
	CHECK_INT(h.nacked, 2);
	CHECK(l2tp_rel_all_acked(&h.rel));
	l2tp_rel_clear(&h.rel);
}

static void test_bogus_nr_ignored(void)
{
	struct harness h;
	h_init(&h, 5);
	CHECK(send_msg(&h, 1));
	l2tp_rel_input(&h.rel, 0, 0, 5, true, NULL, 0); /* acknowledges Ns 0..4: we sent only 0 */
	CHECK_INT(h.nacked, 0);
	l2tp_rel_input(&h.rel, 0, 0, 0x9000, true, NULL, 0);
	CHECK_INT(h.nacked, 0);
	l2tp_rel_input(&h.rel, 0, 0, 1, true, NULL, 0);
	CHECK_INT(h.nacked, 1);
	l2tp_rel_clear(&h.rel);
}

static void test_queue_full(void)
{
	struct harness h;
	h_init(&h, 5);
	for (unsigned i = 0; i < L2TP_REL_TXQ; i++)
		CHECK(send_msg(&h, i));
	CHECK(!send_msg(&h, 99));
	l2tp_rel_clear(&h.rel);
}

static bool send_big(struct harness *h, size_t len, uint8_t marker)
{
	static uint8_t buf[L2TP_REL_TX_BYTES + 1];
	memset(buf, marker, len);
	return l2tp_rel_send(&h->rel, h->now, buf, len, marker);
}

/* The queued messages' bytes: one ring, filled in queue order, wrapping to its start, and full. */
static void test_tx_bytes_ring(void)
{
	struct harness h;
	h_init(&h, 5);
	CHECK(L2TP_REL_TX_BYTES < 4 * 5000); /* the sizes below assume it */
	CHECK(send_big(&h, 5000, 'A') && send_big(&h, 5000, 'B') && send_big(&h, 5000, 'C'));
	CHECK_INT(h.big_len, 5000);
	CHECK(h.big_marker == 'A' && h.big_intact); /* cwnd 1: only A left */
	CHECK(!send_big(&h, 5000, 'D'));            /* 15000 bytes queued: no room at the end or the start */
	CHECK(!send_big(&h, L2TP_REL_TX_BYTES + 1, 'Z'));
	l2tp_rel_input(&h.rel, h.now, 0, 1, true, NULL, 0); /* A acknowledged: its space is free */
	CHECK(h.big_marker == 'C' && h.big_intact); /* cwnd 2 now: B and C left */
	CHECK(send_big(&h, 5000, 'D'));          /* wraps to the start */
	CHECK(!send_big(&h, 100, 'E'));           /* wrapped: D's end meets B's start */
	l2tp_rel_input(&h.rel, h.now, 0, 3, true, NULL, 0); /* B and C */
	CHECK(h.big_marker == 'D' && h.big_intact);
	CHECK(send_big(&h, 100, 'E'));
	/* D's retransmission still carries D, untouched by E after it. */
	CHECK(run_until(&h, h.now + 1000, NULL));
	CHECK(h.big_marker == 'D' && h.big_intact && h.big_len == 5000);
	CHECK_INT(h.nacked, 3);
	l2tp_rel_flush_tx(&h.rel); /* everything forgotten: the whole ring is free again */
	CHECK(send_big(&h, L2TP_REL_TX_BYTES, 'F'));
	l2tp_rel_clear(&h.rel);
}

int main(void)
{
	RUN(test_ns_and_delayed_ack);
	RUN(test_ack_piggybacks);
	RUN(test_duplicate_acked_not_delivered);
	RUN(test_backoff_and_dead_peer);
	RUN(test_ack_resets_backoff);
	RUN(test_ack_after_retransmission_resends_the_rest);
	RUN(test_window_slow_start_and_congestion_avoidance);
	RUN(test_out_of_order_queued_and_delivered_in_order);
	RUN(test_sequence_wrap);
	RUN(test_bogus_nr_ignored);
	RUN(test_queue_full);
	RUN(test_tx_bytes_ring);
	return check_summary();
}
