/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the LAC's tunnel FSM, session FSM and dispatcher. Not public API. */
#ifndef L2TP_LAC_INTERNAL_H
#define L2TP_LAC_INTERNAL_H

#include "l2tp.h"
#include "l2tp-codec.h"
#include "l2tp-reliable.h"

#include <sys/socket.h>

enum l2tp_tunnel_state {
	TUNNEL_IDLE,
	TUNNEL_WAIT_CTL_REPLY, /* SCCRQ sent */
	TUNNEL_ESTABLISHED,    /* SCCCN sent */
	TUNNEL_CLOSING,        /* our StopCCN sent, waiting for its ACK */
	TUNNEL_LINGER,         /* the LNS's StopCCN acknowledged; re-ACK retransmissions */
	TUNNEL_FINISHED,
};

enum l2tp_session_state {
	SESSION_IDLE,
	SESSION_WAIT_REPLY,    /* ICRQ sent */
	SESSION_WAIT_CONFIRM,  /* ICRP received, host creating the kernel session */
	SESSION_WAIT_ICCN_ACK, /* ICCN sent */
	SESSION_ESTABLISHED,
	SESSION_CLOSED,
};

struct l2tp_lac {
	struct l2tp_lac_config cfg;
	struct l2tp_lac_ops ops;
	void *ctx;
	uint64_t now; /* time of the call being processed */
	char host_name[L2TP_AVP_MAX_LEN];
	char vendor_name[L2TP_AVP_MAX_LEN];
	uint8_t secret_buf[L2TP_MAX_SECRET_LEN];
	struct l2tp_secret secret;

	struct sockaddr_storage peer;
	socklen_t peer_len;
	bool peer_port_known; /* set by SCCRP: from then on only that address:port is the LNS */

	struct l2tp_rel rel;
	enum l2tp_tunnel_state tunnel;
	uint16_t our_tunnel_id, peer_tunnel_id;
	uint32_t peer_framing_caps;
	uint8_t challenge[16]; /* what we sent in SCCRQ (when we have a secret) */

	enum l2tp_session_state session;
	uint16_t our_session_id, peer_session_id;
	uint32_t call_serial;

	/* A fresh IPsec SA: one SCCRQ restart under a new tunnel ID (l2tp_lac_set_sccrq_restart()). */
	uint32_t sccrq_restart_ms;
	uint64_t sccrq_restart_at;     /* 0: no restart pending */
	uint16_t abandoned_tunnel_id;  /* the first attempt's ID, 0 if none was abandoned */

	uint64_t last_heard;      /* for HELLO */
	uint64_t setup_deadline;  /* until SESSION_UP */
	uint64_t linger_deadline; /* TUNNEL_LINGER end */
	bool tunnel_down_reported, session_down_reported;
	bool stopccn_acked;
	char reason[512]; /* why the tunnel went down, first cause wins */
	enum l2tp_cause cause;
	uint16_t result_code, error_code;
};

/* l2tp-lac.c */
void lac_log(struct l2tp_lac *lac, enum l2tp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lac_random(struct l2tp_lac *lac, void *buf, size_t len);
uint16_t lac_random_id(struct l2tp_lac *lac);
void lac_emit(struct l2tp_lac *lac, enum l2tp_event_type type);
/* Records why things end (first call wins) without emitting anything. */
void lac_set_reason(struct l2tp_lac *lac, enum l2tp_cause cause, uint16_t result, uint16_t error,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Queues a built message for reliable delivery; false (and the tunnel torn down locally) on failure. */
bool lac_send_msg(struct l2tp_lac *lac, uint64_t now, struct l2tp_builder *b, uint16_t msg_type);
/* Starts a builder for a message to the LNS; with hiding configured, every AVP the RFC lets be hidden is
 * (after a Random Vector), from SCCCN on: before that the LNS cannot know the secret. */
void lac_builder_start(struct l2tp_lac *lac, struct l2tp_builder *b, uint8_t *buf, size_t cap,
		       enum l2tp_msg_type type, uint16_t session_id);

/* l2tp-tunnel.c: the control connection FSM (LAC side). */
bool tunnel_start(struct l2tp_lac *lac, uint64_t now);
void tunnel_on_sccrp(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg,
		     const struct sockaddr *from, socklen_t from_len);
void tunnel_on_stopccn(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg);
/* Sends StopCCN with the reason already recorded; reports TUNNEL_DOWN. */
void tunnel_stop(struct l2tp_lac *lac, uint64_t now, uint16_t result, uint16_t error, const char *message);
/* Immediate local teardown without telling the LNS (it is dead or never knew us). */
void tunnel_abort(struct l2tp_lac *lac);
void tunnel_on_acked(struct l2tp_lac *lac, uint64_t now, uint16_t msg_type);
void tunnel_on_peer_dead(struct l2tp_lac *lac, uint64_t now);
uint64_t tunnel_deadline(const struct l2tp_lac *lac);
void tunnel_timeout(struct l2tp_lac *lac, uint64_t now);
void tunnel_heard(struct l2tp_lac *lac, uint64_t now);
/* Is this datagram from the LNS? Before SCCRP any port of its address counts. */
bool lac_peer_matches(const struct l2tp_lac *lac, const struct sockaddr *from, socklen_t from_len);
/* A message for the tunnel ID an SCCRQ restart abandoned: a late SCCRP is answered with StopCCN. */
void tunnel_on_abandoned(struct l2tp_lac *lac, const uint8_t *data, size_t len, const struct l2tp_header *hdr);

/* l2tp-session.c: the incoming-call session FSM (LAC side). */
bool session_start(struct l2tp_lac *lac, uint64_t now);
void session_on_message(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg);
bool session_confirm(struct l2tp_lac *lac, uint64_t now);
/* Sends CDN (if the LNS knows the call) and reports SESSION_DOWN. */
void session_clear(struct l2tp_lac *lac, uint64_t now, uint16_t result, uint16_t error, const char *message);
/* Reports SESSION_DOWN without telling the LNS (the tunnel is gone). */
void session_drop(struct l2tp_lac *lac);
void session_on_acked(struct l2tp_lac *lac, uint64_t now, uint16_t msg_type);
bool session_active(const struct l2tp_lac *lac);

#endif
