/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal, scriptable LNS for tests: answers SCCRQ/ICRQ/ICCN over the same
 * reliable-delivery engine, with switches for the misbehaviours and server
 * quirks the LAC must cope with. It also records what the LAC sent, so tests
 * can assert on the LAC's messages.
 */
#ifndef MINI_LNS_H
#define MINI_LNS_H

#include "l2tp-codec.h"
#include "l2tp-reliable.h"

struct mini_lns_script {
	const char *secret;           /* NULL: no tunnel authentication */
	const char *answer_secret;    /* secret used to answer the LAC's challenge (default: secret) */
	bool challenge_lac;           /* send a Challenge in SCCRP */
	uint16_t refuse_result;       /* answer SCCRQ with StopCCN(result) */
	bool refuse_with_tunnel_zero; /* ... addressed to tunnel ID 0, as some servers do */
	uint32_t framing_caps;        /* advertised (default 3) */
	uint16_t window;              /* advertised Receive Window (0: none, peer assumes 4) */
	bool sli_wen_after_iccn;      /* send SLI then WEN right after ICCN */
	bool cdn_after_iccn;          /* clear the call right after ICCN (what xl2tpd does without pppd) */
	bool stopccn_after_iccn;      /* close the tunnel right after ICCN */
	bool unknown_m_avp_in_icrp;   /* vendor AVP with M=1 in ICRP */
	bool silent_after_scccn;      /* stop answering anything once the tunnel is up */
	bool hello_after_iccn;        /* send a HELLO after ICCN */
};

struct mini_lns {
	struct mini_lns_script script;
	struct l2tp_rel rel;
	struct l2tp_secret secret;
	uint16_t tunnel_id, lac_tunnel_id, session_id, lac_session_id;
	uint8_t challenge[16];
	bool silent;
	/* What the LAC sent, by message type (counts of distinct, in-order messages). */
	unsigned received[L2TP_MSG_TYPE_MAX + 1];
	uint32_t iccn_framing_type;
	bool iccn_has_rx_speed;
	/* Which AVP types arrived hidden (bit = AVP type), and whether a Random Vector came, by message type. */
	uint64_t hidden[L2TP_MSG_TYPE_MAX + 1];
	bool had_vector[L2TP_MSG_TYPE_MAX + 1];
	uint16_t stopccn_result, cdn_result;
	unsigned parse_errors;
	void (*send)(void *ctx, const uint8_t *data, size_t len);
	void *ctx;
};

void mini_lns_init(struct mini_lns *lns, const struct mini_lns_script *script,
		   void (*send)(void *ctx, const uint8_t *data, size_t len), void *ctx);
void mini_lns_input(struct mini_lns *lns, uint64_t now, const uint8_t *data, size_t len);
uint64_t mini_lns_deadline(struct mini_lns *lns);
void mini_lns_timeout(struct mini_lns *lns, uint64_t now);
void mini_lns_free(struct mini_lns *lns);

#endif
