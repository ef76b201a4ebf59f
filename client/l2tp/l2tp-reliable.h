/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery of L2TP control messages (RFC 2661 §5.8, Appendix A).
 *
 * I/O-free: the owner feeds received headers and the current time (ms, any
 * monotonic origin) in; the engine hands datagrams to ops->send and reports
 * acknowledged messages through ops->acked. One engine per control connection.
 *
 * Sending: every new message takes the next Ns; it leaves as soon as the send
 * window min(cwnd, peer Receive Window) allows. cwnd starts at 1 and grows by
 * slow start up to ssthresh, then by congestion avoidance (one per window of
 * ACKs). One retransmission timer covers the oldest unacknowledged message:
 * 1 s, doubling up to rto_max, max_retries times; then the peer is dead. A
 * timeout halves ssthresh and resets cwnd to 1. When an ACK then shows the
 * retransmission arrived, the messages still in flight go again at once (a
 * peer that drops out-of-order messages discarded them). Retransmissions
 * carry the current Nr.
 *
 * Receiving: a message with the expected Ns is delivered; one ahead of it but
 * within our Receive Window is copied and queued, and handed out in order
 * once the gap fills (l2tp_rel_pop()); an old Ns is a duplicate, not
 * processed but acknowledged at once. Every message's Nr acknowledges ours.
 * Acknowledgements ride on the next message we send; if none goes out within
 * ack_delay, a ZLB carries them.
 */
#ifndef L2TP_RELIABLE_H
#define L2TP_RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define L2TP_REL_MAX_WINDOW  16 /* our Receive Window and the reorder queue size */
#define L2TP_REL_TXQ         16 /* messages sent but not yet acknowledged, or waiting for the window */
#define L2TP_REL_NO_DEADLINE UINT64_MAX
/* Bytes kept for the queued messages (one allocation per engine, on the first send): four of the
 * largest message we build (L2TP_MSG_MAX_LEN); a LAC's outstanding messages are far smaller. */
#define L2TP_REL_TX_BYTES    (4 * 4096)

struct l2tp_rel_config {
	uint16_t rx_window;      /* advertised Receive Window, 1..L2TP_REL_MAX_WINDOW */
	uint32_t rto_initial_ms; /* first retransmission timeout (RFC: 1 s) */
	uint32_t rto_max_ms;     /* backoff cap (>= 8 s recommended) */
	unsigned max_retries;    /* retransmissions before the peer is declared dead */
	uint32_t ack_delay_ms;   /* how long an ACK may wait for a message to ride on */
};

struct l2tp_rel_ops {
	void (*send)(void *ctx, const uint8_t *data, size_t len);
	void (*acked)(void *ctx, uint32_t tag); /* a message queued with this tag was acknowledged */
};

enum l2tp_rel_verdict {
	L2TP_REL_DELIVER,   /* in order: process it now, then drain l2tp_rel_pop() */
	L2TP_REL_QUEUED,    /* ahead of a gap: kept for later */
	L2TP_REL_DUPLICATE, /* already received: acknowledged, not to be processed */
	L2TP_REL_DROPPED,   /* beyond our window, or no memory to queue it */
	L2TP_REL_ACK_ONLY,  /* a ZLB: its Nr was processed */
};

struct l2tp_rel_stats {
	unsigned sent, retransmits, zlbs_sent, duplicates, queued_out_of_order, dropped;
};

struct l2tp_rel_tx {
	uint8_t *data; /* in tx_bytes */
	size_t len;
	uint16_t ns;
	uint32_t tag;
};

struct l2tp_rel_rx {
	uint8_t *data;
	size_t len;
	uint16_t ns;
};

struct l2tp_rel {
	struct l2tp_rel_config cfg;
	struct l2tp_rel_ops ops;
	void *ctx;
	uint16_t peer_tunnel_id; /* written into ZLBs */
	uint16_t ns_next;        /* Ns of our next new message */
	uint16_t nr;             /* Ns we expect next from the peer */
	struct l2tp_rel_tx txq[L2TP_REL_TXQ];
	uint8_t *tx_bytes; /* L2TP_REL_TX_BYTES: the queued messages' copies, a ring in queue order */
	unsigned tx_head, tx_count, in_flight;
	uint16_t peer_window, cwnd, ssthresh, ca_acks;
	uint64_t rto_deadline, ack_deadline;
	uint32_t rto_ms;
	unsigned retries;
	struct l2tp_rel_rx rxq[L2TP_REL_MAX_WINDOW];
	unsigned rx_queued; /* slots of rxq in use */
	struct l2tp_rel_stats stats;
};

void l2tp_rel_init(struct l2tp_rel *rel, const struct l2tp_rel_config *cfg, const struct l2tp_rel_ops *ops,
		   void *ctx);
/* Frees queued messages. */
void l2tp_rel_clear(struct l2tp_rel *rel);
/* Forgets every queued message both ways (the connection is over) like l2tp_rel_clear(), but keeps the
 * message ring allocated for l2tp_rel_reset(); l2tp_rel_clear() frees it. */
void l2tp_rel_drop_queues(struct l2tp_rel *rel);
/* l2tp_rel_clear(), then l2tp_rel_init(), but the message ring stays allocated for the next message
 * (an engine starting over, or reused for a new connection). */
void l2tp_rel_reset(struct l2tp_rel *rel, const struct l2tp_rel_config *cfg, const struct l2tp_rel_ops *ops,
		    void *ctx);
/* From the peer's Receive Window Size AVP (4 when absent); 0 is invalid and ignored. */
void l2tp_rel_set_peer_window(struct l2tp_rel *rel, uint16_t window);

/* Queues a built control message (copied) for reliable delivery. False if the queue or its bytes are full
 * or no memory. Allocates only on an engine's first message. */
bool l2tp_rel_send(struct l2tp_rel *rel, uint64_t now, const uint8_t *msg, size_t len, uint32_t tag);
/* Drops everything not yet acknowledged (the connection is being torn down by the peer). */
void l2tp_rel_flush_tx(struct l2tp_rel *rel);
/* True when every message we queued has been acknowledged. */
bool l2tp_rel_all_acked(const struct l2tp_rel *rel);

/* Feeds a received control message (header already validated). */
enum l2tp_rel_verdict l2tp_rel_input(struct l2tp_rel *rel, uint64_t now, uint16_t ns, uint16_t nr, bool zlb,
				     const uint8_t *msg, size_t len);
/* Next queued message that is now in order, or NULL. The caller frees *msg with free(). */
uint8_t *l2tp_rel_pop(struct l2tp_rel *rel, size_t *len);

/* Earliest time l2tp_rel_timeout() has work, or L2TP_REL_NO_DEADLINE. */
uint64_t l2tp_rel_deadline(const struct l2tp_rel *rel);
/* Runs due timers. Returns false when the retry budget is spent: the peer is dead. */
bool l2tp_rel_timeout(struct l2tp_rel *rel, uint64_t now);
/* Sends a ZLB acknowledgement now. */
void l2tp_rel_ack_now(struct l2tp_rel *rel);

#endif
