// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Incoming-call session FSM, LAC side: RFC 2661 §5.4.1, §7.4.1.
 *
 *   IDLE --tunnel up/ICRQ--> WAIT_REPLY --ICRP/SESSION_READY--> WAIT_CONFIRM
 *   WAIT_CONFIRM --host confirms/ICCN--> WAIT_ICCN_ACK --ACK/SESSION_UP--> ESTABLISHED
 *   any --CDN either way, tunnel loss--> CLOSED
 *
 * SLI and WEN are accepted in any open state (Meraki sends SLI right after
 * ICCN); the engine acknowledges them.
 */
#include "l2tp-lac-internal.h"

#include <stdio.h>
#include <string.h>

bool session_active(const struct l2tp_lac *lac)
{
	return lac->session != SESSION_IDLE && lac->session != SESSION_CLOSED;
}

bool session_start(struct l2tp_lac *lac, uint64_t now)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;

	lac->our_session_id = lac_random_id(lac);
	lac_random(lac, &lac->call_serial, sizeof(lac->call_serial));
	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_ICRQ, 0);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lac->our_session_id);
	l2tp_builder_u32(&b, true, L2TP_AVP_CALL_SERIAL, lac->call_serial);
	lac->session = SESSION_WAIT_REPLY;
	lac_log(lac, L2TP_LOG_INFO, "sending ICRQ (our session ID %u)", lac->our_session_id);
	return lac_send_msg(lac, now, &b, L2TP_MSG_ICRQ);
}

static void report_session_down(struct l2tp_lac *lac)
{
	lac->session = SESSION_CLOSED;
	if (lac->session_down_reported)
		return;
	lac->session_down_reported = true;
	lac_emit(lac, L2TP_EVENT_SESSION_DOWN);
}

void session_drop(struct l2tp_lac *lac)
{
	if (session_active(lac))
		report_session_down(lac);
}

void session_clear(struct l2tp_lac *lac, uint64_t now, uint16_t result, uint16_t error, const char *message)
{
	if (!session_active(lac))
		return;
	/* Before ICRP the LNS has no session ID for us to address; CDN with ID 0 names the call by our ID. */
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;
	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_CDN, lac->peer_session_id);
	l2tp_builder_result(&b, result, error, message);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lac->our_session_id);
	lac_log(lac, L2TP_LOG_INFO, "sending CDN (result %u, error %u)", result, error);
	report_session_down(lac); /* before queueing: a failure to queue tears everything down */
	lac_send_msg(lac, now, &b, L2TP_MSG_CDN);
}

/* Sync framing if the LNS does it (MikroTik advertises nothing else), else async. */
static uint32_t choose_framing(const struct l2tp_lac *lac)
{
	if (lac->peer_framing_caps & L2TP_FRAMING_SYNC)
		return L2TP_FRAMING_SYNC;
	if (lac->peer_framing_caps & L2TP_FRAMING_ASYNC)
		return L2TP_FRAMING_ASYNC;
	return L2TP_FRAMING_SYNC;
}

bool session_confirm(struct l2tp_lac *lac, uint64_t now)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;

	if (lac->session != SESSION_WAIT_CONFIRM || lac->tunnel != TUNNEL_ESTABLISHED)
		return false;
	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_ICCN, lac->peer_session_id);
	l2tp_builder_u32(&b, true, L2TP_AVP_TX_CONNECT_SPEED, lac->cfg.connect_speed_bps);
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_TYPE, choose_framing(lac));
	if (lac->cfg.send_rx_connect_speed)
		l2tp_builder_u32(&b, true, L2TP_AVP_RX_CONNECT_SPEED, lac->cfg.connect_speed_bps);
	lac->session = SESSION_WAIT_ICCN_ACK;
	lac_log(lac, L2TP_LOG_INFO, "sending ICCN (framing %s)",
		choose_framing(lac) == L2TP_FRAMING_SYNC ? "sync" : "async");
	return lac_send_msg(lac, now, &b, L2TP_MSG_ICCN);
}

void session_on_acked(struct l2tp_lac *lac, uint64_t now, uint16_t msg_type)
{
	if (msg_type != L2TP_MSG_ICCN || lac->session != SESSION_WAIT_ICCN_ACK)
		return;
	lac->session = SESSION_ESTABLISHED;
	lac->setup_deadline = 0;
	lac_log(lac, L2TP_LOG_INFO, "session established: our ID %u, LNS ID %u", lac->our_session_id,
		lac->peer_session_id);
	lac_emit(lac, L2TP_EVENT_SESSION_UP);
}

static void on_icrp(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	if (lac->session != SESSION_WAIT_REPLY) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring ICRP: session not waiting for one");
		return;
	}
	l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_SESSION_ID, &lac->peer_session_id);
	if (!lac->peer_session_id) {
		lac_set_reason(lac, L2TP_CAUSE_PROTOCOL, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE,
			       "LNS assigned session ID 0 in ICRP");
		tunnel_stop(lac, now, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE, lac->reason);
		return;
	}
	lac->session = SESSION_WAIT_CONFIRM;
	lac_log(lac, L2TP_LOG_INFO, "ICRP received: LNS session ID %u", lac->peer_session_id);
	lac_emit(lac, L2TP_EVENT_SESSION_READY);
}

static void on_cdn(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	struct l2tp_result res;
	char text[384];

	if (!session_active(lac)) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring CDN: no open session");
		return;
	}
	if (l2tp_msg_result(msg, &res))
		l2tp_result_format(text, sizeof(text), L2TP_MSG_CDN, &res);
	else
		snprintf(text, sizeof(text), "no Result Code given (CDN)");
	lac_set_reason(lac, L2TP_CAUSE_PEER_CDN, res.result, res.error, "LNS %s: %s",
		       lac->session == SESSION_ESTABLISHED ? "cleared the call" : "refused the call", text);
	lac_log(lac, L2TP_LOG_INFO, "received CDN: %s", text);
	report_session_down(lac);
	/* One call per tunnel: with the call gone, close the control connection too. */
	tunnel_stop(lac, now, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, "call cleared");
}

/* Is this session message for our call? CDN may name it by our Assigned Session ID with header ID 0. */
static bool for_our_session(const struct l2tp_lac *lac, const struct l2tp_msg *msg)
{
	uint16_t sid = 0;
	if (msg->hdr.session_id)
		return msg->hdr.session_id == lac->our_session_id;
	return msg->type == L2TP_MSG_CDN && l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_SESSION_ID, &sid) &&
	       sid == lac->peer_session_id && sid;
}

void session_on_message(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	if (!lac->our_session_id || !for_our_session(lac, msg)) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring %s for unknown session %u",
			l2tp_msg_type_name(msg->type), msg->hdr.session_id);
		return;
	}
	switch (msg->type) {
	case L2TP_MSG_ICRP:
		on_icrp(lac, now, msg);
		break;
	case L2TP_MSG_CDN:
		on_cdn(lac, now, msg);
		break;
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
		lac_log(lac, L2TP_LOG_DEBUG, "%s accepted", l2tp_msg_type_name(msg->type));
		break;
	default:
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring unexpected %s", l2tp_msg_type_name(msg->type));
		break;
	}
}
