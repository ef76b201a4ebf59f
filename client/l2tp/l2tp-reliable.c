// SPDX-License-Identifier: GPL-2.0-or-later
/* Reliable delivery of control messages; see l2tp-reliable.h for the rules. */
#include "l2tp-reliable.h"
#include "l2tp-codec.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_PEER_WINDOW 4 /* §5.8: when the peer sends no Receive Window Size AVP */

/* Sequence arithmetic mod 2^16: distance from a forward to b. */
static uint16_t seq_dist(uint16_t a, uint16_t b)
{
	return (uint16_t)(b - a);
}

void l2tp_rel_init(struct l2tp_rel *rel, const struct l2tp_rel_config *cfg, const struct l2tp_rel_ops *ops,
		   void *ctx)
{
	memset(rel, 0, sizeof(*rel));
	rel->cfg = *cfg;
	if (rel->cfg.rx_window < 1 || rel->cfg.rx_window > L2TP_REL_MAX_WINDOW)
		rel->cfg.rx_window = L2TP_REL_MAX_WINDOW;
	rel->ops = *ops;
	rel->ctx = ctx;
	rel->peer_window = DEFAULT_PEER_WINDOW;
	rel->ssthresh = DEFAULT_PEER_WINDOW;
	rel->cwnd = 1;
	rel->rto_ms = cfg->rto_initial_ms;
	rel->rto_deadline = L2TP_REL_NO_DEADLINE;
	rel->ack_deadline = L2TP_REL_NO_DEADLINE;
}

void l2tp_rel_flush_tx(struct l2tp_rel *rel)
{
	rel->tx_count = 0;
	rel->in_flight = 0;
	rel->rto_deadline = L2TP_REL_NO_DEADLINE;
}

void l2tp_rel_drop_queues(struct l2tp_rel *rel)
{
	l2tp_rel_flush_tx(rel);
	/* Only the slots in use: free(NULL) is cheap, but not under ASan (it records a stack trace).
	 * Mostly none is (a connection's end, each fuzz input's reset): the scan alone was 1 % of the
	 * lac fuzz target. */
	for (unsigned i = 0; rel->rx_queued && i < L2TP_REL_MAX_WINDOW; i++) {
		if (rel->rxq[i].data) {
			free(rel->rxq[i].data);
			rel->rxq[i].data = NULL;
			rel->rx_queued--;
		}
	}
	rel->ack_deadline = L2TP_REL_NO_DEADLINE;
}

void l2tp_rel_clear(struct l2tp_rel *rel)
{
	l2tp_rel_drop_queues(rel);
	free(rel->tx_bytes);
	rel->tx_bytes = NULL;
}

void l2tp_rel_reset(struct l2tp_rel *rel, const struct l2tp_rel_config *cfg, const struct l2tp_rel_ops *ops,
		    void *ctx)
{
	uint8_t *ring = rel->tx_bytes;
	l2tp_rel_drop_queues(rel);
	l2tp_rel_init(rel, cfg, ops, ctx);
	rel->tx_bytes = ring;
}

void l2tp_rel_set_peer_window(struct l2tp_rel *rel, uint16_t window)
{
	if (!window)
		return;
	rel->peer_window = window;
	rel->ssthresh = window;
	if (rel->cwnd > window)
		rel->cwnd = window;
}

bool l2tp_rel_all_acked(const struct l2tp_rel *rel)
{
	return rel->tx_count == 0;
}

static struct l2tp_rel_tx *tx_at(struct l2tp_rel *rel, unsigned i)
{
	return &rel->txq[(rel->tx_head + i) % L2TP_REL_TXQ];
}

static void transmit(struct l2tp_rel *rel, struct l2tp_rel_tx *tx)
{
	/* Any message we send carries our current Nr: no separate ACK needed. */
	l2tp_header_set_seq(tx->data, tx->ns, rel->nr);
	rel->ack_deadline = L2TP_REL_NO_DEADLINE;
	rel->ops.send(rel->ctx, tx->data, tx->len);
}

static unsigned send_window(const struct l2tp_rel *rel)
{
	return rel->cwnd < rel->peer_window ? rel->cwnd : rel->peer_window;
}

/* Sends queued messages the window now allows. */
static void pump(struct l2tp_rel *rel, uint64_t now)
{
	while (rel->in_flight < rel->tx_count && rel->in_flight < send_window(rel)) {
		transmit(rel, tx_at(rel, rel->in_flight));
		rel->in_flight++;
		rel->stats.sent++;
		if (rel->rto_deadline == L2TP_REL_NO_DEADLINE)
			rel->rto_deadline = now + rel->rto_ms;
	}
}

/*
 * Where the next message's copy goes in tx_bytes: the queue is FIFO, so its
 * messages lie in order in a ring, from the oldest's start to the newest's end;
 * a message never wraps (it goes to the start when the end has no room).
 */
static uint8_t *tx_space(struct l2tp_rel *rel, size_t len)
{
	if (!rel->tx_bytes && !(rel->tx_bytes = malloc(L2TP_REL_TX_BYTES)))
		return NULL;
	if (!rel->tx_count)
		return len <= L2TP_REL_TX_BYTES ? rel->tx_bytes : NULL;
	const struct l2tp_rel_tx *oldest = tx_at(rel, 0), *newest = tx_at(rel, rel->tx_count - 1);
	size_t head = (size_t)(oldest->data - rel->tx_bytes);
	size_t tail = (size_t)(newest->data - rel->tx_bytes) + newest->len;
	if (tail > head) { /* free: [tail, end) and [0, head) */
		if (len <= L2TP_REL_TX_BYTES - tail)
			return rel->tx_bytes + tail;
		return len <= head ? rel->tx_bytes : NULL;
	}
	return len <= head - tail ? rel->tx_bytes + tail : NULL; /* wrapped: free is [tail, head) */
}

bool l2tp_rel_send(struct l2tp_rel *rel, uint64_t now, const uint8_t *msg, size_t len, uint32_t tag)
{
	if (rel->tx_count == L2TP_REL_TXQ || len < L2TP_CTRL_HDR_LEN)
		return false;
	uint8_t *copy = tx_space(rel, len);
	if (!copy)
		return false;
	memcpy(copy, msg, len);
	struct l2tp_rel_tx *tx = tx_at(rel, rel->tx_count);
	*tx = (struct l2tp_rel_tx){.data = copy, .len = len, .ns = rel->ns_next++, .tag = tag};
	rel->tx_count++;
	pump(rel, now);
	return true;
}

/* Appendix A: slow start below ssthresh, then one more per window of ACKs. */
static void open_window(struct l2tp_rel *rel)
{
	if (rel->cwnd < rel->ssthresh) {
		rel->cwnd++;
	} else if (++rel->ca_acks >= rel->cwnd) {
		rel->ca_acks = 0;
		rel->cwnd++;
	}
	if (rel->cwnd > rel->peer_window)
		rel->cwnd = rel->peer_window;
}

/*
 * After a retransmission gets through, what is still in flight left before the
 * loss was noticed (a timeout sets cwnd to 1, so nothing newer went out). A
 * peer that drops control messages out of order, as xl2tpd does, threw all of
 * it away; sending it again now costs a duplicate at a queueing peer, where
 * waiting for the timer costs a second per message. As much as the window
 * allows again (slow start, Appendix A); the timer covers the rest.
 */
static void resend_in_flight(struct l2tp_rel *rel)
{
	unsigned n = rel->in_flight < send_window(rel) ? rel->in_flight : send_window(rel);

	for (unsigned i = 0; i < n; i++) {
		transmit(rel, tx_at(rel, i));
		rel->stats.retransmits++;
	}
}

/*
 * Nr acknowledges every in-flight message with Ns < Nr. The engine's state is
 * final before the owner hears of it: an acked() callback may tear the whole
 * connection down (l2tp_rel_clear()).
 */
static void process_nr(struct l2tp_rel *rel, uint64_t now, uint16_t nr)
{
	uint32_t tags[L2TP_REL_TXQ];
	if (!rel->in_flight)
		return;
	uint16_t una = tx_at(rel, 0)->ns;
	uint16_t acked = seq_dist(una, nr);
	if (acked == 0 || acked > rel->in_flight)
		return; /* nothing new, or acknowledges what we never sent */
	for (uint16_t i = 0; i < acked; i++) {
		tags[i] = tx_at(rel, 0)->tag;
		rel->tx_head = (rel->tx_head + 1) % L2TP_REL_TXQ;
		rel->tx_count--;
		rel->in_flight--;
		open_window(rel);
	}
	bool recovered = rel->retries > 0;
	rel->retries = 0;
	rel->rto_ms = rel->cfg.rto_initial_ms;
	rel->rto_deadline = rel->in_flight ? now + rel->rto_ms : L2TP_REL_NO_DEADLINE;
	if (recovered)
		resend_in_flight(rel);
	pump(rel, now);
	for (uint16_t i = 0; i < acked; i++)
		rel->ops.acked(rel->ctx, tags[i]);
}

static void schedule_ack(struct l2tp_rel *rel, uint64_t now)
{
	if (rel->ack_deadline == L2TP_REL_NO_DEADLINE)
		rel->ack_deadline = now + rel->cfg.ack_delay_ms;
}

static enum l2tp_rel_verdict queue_ahead(struct l2tp_rel *rel, uint16_t ns, const uint8_t *msg, size_t len)
{
	struct l2tp_rel_rx *slot = &rel->rxq[ns % L2TP_REL_MAX_WINDOW];
	if (slot->data)
		return slot->ns == ns ? L2TP_REL_DUPLICATE : L2TP_REL_DROPPED;
	slot->data = malloc(len);
	if (!slot->data) {
		rel->stats.dropped++;
		return L2TP_REL_DROPPED;
	}
	memcpy(slot->data, msg, len);
	slot->len = len;
	slot->ns = ns;
	rel->rx_queued++;
	rel->stats.queued_out_of_order++;
	return L2TP_REL_QUEUED;
}

enum l2tp_rel_verdict l2tp_rel_input(struct l2tp_rel *rel, uint64_t now, uint16_t ns, uint16_t nr, bool zlb,
				     const uint8_t *msg, size_t len)
{
	process_nr(rel, now, nr);
	if (zlb)
		return L2TP_REL_ACK_ONLY;
	uint16_t ahead = seq_dist(rel->nr, ns);
	if (ahead == 0) {
		rel->nr++;
		schedule_ack(rel, now);
		return L2TP_REL_DELIVER;
	}
	if (ahead >= 0x8000) {
		/* Our ACK was lost and the peer retransmits: tell it at once (§5.8). */
		rel->stats.duplicates++;
		l2tp_rel_ack_now(rel);
		return L2TP_REL_DUPLICATE;
	}
	schedule_ack(rel, now);
	if (ahead >= rel->cfg.rx_window) {
		rel->stats.dropped++;
		return L2TP_REL_DROPPED;
	}
	return queue_ahead(rel, ns, msg, len);
}

uint8_t *l2tp_rel_pop(struct l2tp_rel *rel, size_t *len)
{
	struct l2tp_rel_rx *slot = &rel->rxq[rel->nr % L2TP_REL_MAX_WINDOW];
	if (!slot->data || slot->ns != rel->nr)
		return NULL;
	uint8_t *msg = slot->data;
	*len = slot->len;
	slot->data = NULL;
	rel->rx_queued--;
	rel->nr++;
	return msg;
}

uint64_t l2tp_rel_deadline(const struct l2tp_rel *rel)
{
	return rel->rto_deadline < rel->ack_deadline ? rel->rto_deadline : rel->ack_deadline;
}

void l2tp_rel_ack_now(struct l2tp_rel *rel)
{
	uint8_t zlb[L2TP_CTRL_HDR_LEN];
	/* A ZLB's Ns is the Ns of the next message not yet sent; it consumes none. */
	uint16_t ns = rel->in_flight < rel->tx_count ? tx_at(rel, rel->in_flight)->ns : rel->ns_next;
	l2tp_zlb_encode(zlb, rel->peer_tunnel_id, 0, ns, rel->nr);
	rel->ack_deadline = L2TP_REL_NO_DEADLINE;
	rel->stats.zlbs_sent++;
	rel->ops.send(rel->ctx, zlb, sizeof(zlb));
}

static bool retransmit_oldest(struct l2tp_rel *rel, uint64_t now)
{
	if (rel->retries >= rel->cfg.max_retries)
		return false;
	rel->retries++;
	rel->rto_ms = rel->rto_ms * 2 > rel->cfg.rto_max_ms ? rel->cfg.rto_max_ms : rel->rto_ms * 2;
	rel->ssthresh = rel->cwnd / 2 > 1 ? rel->cwnd / 2 : 1;
	rel->cwnd = 1;
	rel->ca_acks = 0;
	transmit(rel, tx_at(rel, 0));
	rel->stats.retransmits++;
	rel->rto_deadline = now + rel->rto_ms;
	return true;
}

bool l2tp_rel_timeout(struct l2tp_rel *rel, uint64_t now)
{
	if (rel->rto_deadline <= now) {
		rel->rto_deadline = L2TP_REL_NO_DEADLINE;
		if (rel->in_flight && !retransmit_oldest(rel, now))
			return false;
	}
	if (rel->ack_deadline <= now)
		l2tp_rel_ack_now(rel);
	return true;
}
