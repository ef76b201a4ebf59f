// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control connection FSM, LAC (initiator) side: RFC 2661 §5.1, §7.2.
 *
 *   IDLE --start/SCCRQ--> WAIT_CTL_REPLY --SCCRP ok/SCCCN--> ESTABLISHED
 *   any --close/StopCCN--> CLOSING --ACK or retries spent--> FINISHED
 *   any --StopCCN from LNS/ACK--> LINGER --linger_ms--> FINISHED
 *   any --retries spent--> FINISHED
 */
#include "l2tp-lac-internal.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool sockaddr_same_host(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr));
	if (b->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return false;
}

static uint16_t sockaddr_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port;
	if (a->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)a)->sin6_port;
	return 0;
}

/*
 * A random ID of our own: not the one a restart abandoned, and not one this host's kernel
 * already has for another connection (it would refuse our tunnel once the LNS answered).
 * Bounded: with 65535 IDs, 32 taken draws in a row mean the callback is broken, not busy.
 */
static uint16_t pick_tunnel_id(struct l2tp_lac *lac)
{
	uint16_t id = 0;

	for (unsigned tries = 0; tries < 32; tries++) {
		id = lac_random_id(lac);
		if (id != lac->abandoned_tunnel_id &&
		    !(lac->ops.tunnel_id_taken && lac->ops.tunnel_id_taken(lac->ctx, id)))
			return id;
		lac_log(lac, L2TP_LOG_DEBUG, "tunnel ID %u is taken, drawing another", id);
	}
	/* Never the abandoned one: its SCCRP would be answered with StopCCN. */
	if (id == lac->abandoned_tunnel_id)
		id = (uint16_t)(id + 1) ? (uint16_t)(id + 1) : 1;
	return id;
}

bool tunnel_start(struct l2tp_lac *lac, uint64_t now)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;

	lac->our_tunnel_id = pick_tunnel_id(lac);
	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_SCCRQ, 0);
	l2tp_builder_u16(&b, true, L2TP_AVP_PROTOCOL_VERSION, 0x0100);
	l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_HOST_NAME, lac->host_name,
			 strlen(lac->host_name));
	l2tp_builder_u32(&b, true, L2TP_AVP_FRAMING_CAPS, L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	if (lac->vendor_name[0])
		l2tp_builder_avp(&b, false, L2TP_VENDOR_IETF, L2TP_AVP_VENDOR_NAME, lac->vendor_name,
				 strlen(lac->vendor_name));
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lac->our_tunnel_id);
	l2tp_builder_u16(&b, true, L2TP_AVP_RECEIVE_WINDOW, lac->rel.cfg.rx_window);
	if (lac->secret.len) {
		lac_random(lac, lac->challenge, sizeof(lac->challenge));
		l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_CHALLENGE, lac->challenge,
				 sizeof(lac->challenge));
	}
	lac->tunnel = TUNNEL_WAIT_CTL_REPLY;
	lac->last_heard = now;
	if (lac->cfg.setup_timeout_ms && !lac->setup_deadline)
		lac->setup_deadline = now + lac->cfg.setup_timeout_ms;
	/* One restart at most: the second attempt keeps the RFC's retransmissions. */
	lac->sccrq_restart_at =
	    lac->sccrq_restart_ms && !lac->abandoned_tunnel_id ? now + lac->sccrq_restart_ms : 0;
	lac_log(lac, L2TP_LOG_INFO, "sending SCCRQ (our tunnel ID %u)", lac->our_tunnel_id);
	return lac_send_msg(lac, now, &b, L2TP_MSG_SCCRQ);
}

/*
 * See l2tp_lac_set_sccrq_restart() and l2tp_lac_restart_tunnel(): a new tunnel ID and a fresh
 * reliable-delivery state. Only the latest abandoned ID is answered with StopCCN; an earlier
 * one's tunnel, if the LNS ever created it, ends on the LNS's own retransmission timeout.
 */
static void restart_sccrq(struct l2tp_lac *lac, uint64_t now)
{
	struct l2tp_rel_config rc = lac->rel.cfg;
	struct l2tp_rel_ops ro = lac->rel.ops;
	struct l2tp_rel_stats stats = lac->rel.stats;

	l2tp_rel_reset(&lac->rel, &rc, &ro, lac);
	lac->rel.stats = stats;
	lac->abandoned_tunnel_id = lac->our_tunnel_id;
	tunnel_start(lac, now);
}

static void restart_after_sa_race(struct l2tp_lac *lac, uint64_t now)
{
	lac_log(lac, L2TP_LOG_INFO,
		"no SCCRP within %u ms of a new IPsec SA (the LNS may have answered before its SA was "
		"ready): starting over, tunnel %u abandoned",
		lac->sccrq_restart_ms, lac->our_tunnel_id);
	restart_sccrq(lac, now);
}

bool l2tp_lac_restart_tunnel(struct l2tp_lac *lac, uint64_t now)
{
	lac->now = now;
	if (lac->tunnel != TUNNEL_WAIT_CTL_REPLY)
		return false;
	lac_log(lac, L2TP_LOG_INFO, "starting over with a new SCCRQ: tunnel %u abandoned",
		lac->our_tunnel_id);
	restart_sccrq(lac, now);
	return true;
}

void tunnel_on_abandoned(struct l2tp_lac *lac, const uint8_t *data, size_t len, const struct l2tp_header *hdr)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;
	struct l2tp_msg msg;
	uint16_t lns_id = 0;

	if (l2tp_msg_parse(data, len, &lac->secret, &msg) != L2TP_PARSE_OK || msg.type != L2TP_MSG_SCCRP ||
	    !l2tp_msg_u16(&msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &lns_id) || !lns_id) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring a message for abandoned tunnel %u", hdr->tunnel_id);
		return;
	}
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_STOPCCN, lns_id, 0, &lac->secret);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lac->abandoned_tunnel_id);
	l2tp_builder_result(&b, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, "superseded by a later SCCRQ");
	size_t out = l2tp_builder_finish(&b);
	if (!out)
		return;
	/* Our SCCRQ was Ns 0; this acknowledges the SCCRP (not kept: a retransmitted SCCRP gets another). */
	l2tp_header_set_seq(buf, 1, (uint16_t)(hdr->ns + 1));
	lac_log(lac, L2TP_LOG_INFO, "SCCRP for abandoned tunnel %u (LNS's %u): sending StopCCN",
		lac->abandoned_tunnel_id, lns_id);
	lac->ops.send(lac->ctx, buf, out, (const struct sockaddr *)&lac->peer, lac->peer_len);
}

static void report_tunnel_down(struct l2tp_lac *lac)
{
	if (lac->tunnel_down_reported)
		return;
	lac->tunnel_down_reported = true;
	lac_emit(lac, L2TP_EVENT_TUNNEL_DOWN);
}

static void finish(struct l2tp_lac *lac)
{
	if (lac->tunnel == TUNNEL_FINISHED)
		return;
	lac->tunnel = TUNNEL_FINISHED;
	l2tp_rel_drop_queues(&lac->rel); /* the ring stays for l2tp_lac_reset(); l2tp_lac_free() frees it */
	report_tunnel_down(lac);
	lac_emit(lac, L2TP_EVENT_FINISHED);
}

void tunnel_abort(struct l2tp_lac *lac)
{
	session_drop(lac);
	finish(lac);
}

void tunnel_stop(struct l2tp_lac *lac, uint64_t now, uint16_t result, uint16_t error, const char *message)
{
	if (lac->tunnel == TUNNEL_CLOSING || lac->tunnel == TUNNEL_LINGER || lac->tunnel == TUNNEL_FINISHED)
		return;
	if (session_active(lac))
		session_clear(lac, now, L2TP_CDN_ADMIN, L2TP_ERR_NONE, message);
	if (lac->tunnel == TUNNEL_IDLE) {
		finish(lac);
		return;
	}
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;
	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_STOPCCN, 0);
	l2tp_builder_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lac->our_tunnel_id);
	l2tp_builder_result(&b, result, error, message);
	lac->tunnel = TUNNEL_CLOSING;
	lac_log(lac, L2TP_LOG_INFO, "sending StopCCN (result %u, error %u): %s", result, error,
		message ? message : "");
	report_tunnel_down(lac);
	if (!lac->peer_tunnel_id) {
		/* The LNS never told us its tunnel ID: it has nothing to clear. */
		finish(lac);
		return;
	}
	lac_send_msg(lac, now, &b, L2TP_MSG_STOPCCN);
}

/* Refuses the tunnel the LNS offered in SCCRP. */
static void refuse(struct l2tp_lac *lac, uint64_t now, enum l2tp_cause cause, uint16_t result, uint16_t error,
		   const char *text)
{
	lac_set_reason(lac, cause, result, error, "%s", text);
	tunnel_stop(lac, now, result, error, text);
}

/* §5.1.1: the LNS proves it knows the secret by answering our Challenge. */
static bool sccrp_authentic(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	const uint8_t *resp;
	uint16_t resp_len;
	bool has_resp = l2tp_msg_bytes(msg, L2TP_AVP_CHALLENGE_RESPONSE, &resp, &resp_len);
	if (!lac->secret.len)
		return true;
	if (!has_resp) {
		refuse(lac, now, L2TP_CAUSE_AUTH, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
		       "LNS failed tunnel authentication: no Challenge Response to our Challenge "
		       "(LNS has no secret for us?)");
		return false;
	}
	if (!l2tp_challenge_verify(L2TP_MSG_SCCRP, &lac->secret, lac->challenge, sizeof(lac->challenge), resp,
				   resp_len)) {
		refuse(lac, now, L2TP_CAUSE_AUTH, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
		       "LNS failed tunnel authentication: wrong Challenge Response (shared secret differs)");
		return false;
	}
	return true;
}

static bool sccrp_acceptable(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	struct l2tp_protocol_version ver = {0};
	uint16_t window = 0;
	l2tp_msg_protocol_version(msg, &ver);
	if (ver.version != 1 || ver.revision != 0) {
		char text[96];
		snprintf(text, sizeof(text), "LNS speaks L2TP protocol version %u.%u, we support 1.0",
			 ver.version, ver.revision);
		refuse(lac, now, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_BAD_VERSION, 0x0100, text);
		return false;
	}
	if (!lac->peer_tunnel_id) {
		refuse(lac, now, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE,
		       "LNS assigned tunnel ID 0 in SCCRP");
		return false;
	}
	if (l2tp_msg_u16(msg, L2TP_AVP_RECEIVE_WINDOW, &window) && window == 0) {
		refuse(lac, now, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE,
		       "LNS advertised a Receive Window Size of 0");
		return false;
	}
	return sccrp_authentic(lac, now, msg);
}

/* SCCCN, answering the LNS's Challenge if it sent one. */
static bool send_scccn(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	uint8_t buf[L2TP_MSG_MAX_LEN];
	struct l2tp_builder b;
	const uint8_t *chal;
	uint16_t chal_len;

	lac_builder_start(lac, &b, buf, sizeof(buf), L2TP_MSG_SCCCN, 0);
	if (l2tp_msg_bytes(msg, L2TP_AVP_CHALLENGE, &chal, &chal_len)) {
		uint8_t resp[L2TP_CHALLENGE_RESP_LEN];
		if (!lac->secret.len) {
			refuse(lac, now, L2TP_CAUSE_AUTH, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
			       "LNS requires tunnel authentication (sent a Challenge) but no secret is "
			       "configured");
			return false;
		}
		l2tp_challenge_response(L2TP_MSG_SCCCN, &lac->secret, chal, chal_len, resp);
		l2tp_builder_avp(&b, true, L2TP_VENDOR_IETF, L2TP_AVP_CHALLENGE_RESPONSE, resp, sizeof(resp));
	}
	return lac_send_msg(lac, now, &b, L2TP_MSG_SCCCN);
}

void tunnel_on_sccrp(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg,
		     const struct sockaddr *from, socklen_t from_len)
{
	uint16_t window = 0;
	if (lac->tunnel != TUNNEL_WAIT_CTL_REPLY) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring SCCRP: tunnel already set up");
		return;
	}
	l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &lac->peer_tunnel_id);
	lac->rel.peer_tunnel_id = lac->peer_tunnel_id;
	if (!sccrp_acceptable(lac, now, msg))
		return;
	if (l2tp_msg_u16(msg, L2TP_AVP_RECEIVE_WINDOW, &window))
		l2tp_rel_set_peer_window(&lac->rel, window);
	if (!l2tp_msg_u32(msg, L2TP_AVP_FRAMING_CAPS, &lac->peer_framing_caps))
		lac->peer_framing_caps = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	/* The LNS may answer from another port than 1701: everything goes there from now on. */
	if (from && from_len <= sizeof(lac->peer)) {
		memcpy(&lac->peer, from, from_len);
		lac->peer_len = from_len;
	}
	lac->peer_port_known = true;
	if (!send_scccn(lac, now, msg))
		return;
	lac->tunnel = TUNNEL_ESTABLISHED;
	lac_log(lac, L2TP_LOG_INFO, "tunnel established: our ID %u, LNS ID %u, LNS window %u",
		lac->our_tunnel_id, lac->peer_tunnel_id, lac->rel.peer_window);
	lac_emit(lac, L2TP_EVENT_TUNNEL_UP);
	if (lac->tunnel == TUNNEL_ESTABLISHED) /* the host may have closed us from the event */
		session_start(lac, now);
}

void tunnel_on_stopccn(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg)
{
	struct l2tp_result res;
	char text[384];
	bool refused = lac->tunnel == TUNNEL_WAIT_CTL_REPLY;

	if (lac->tunnel == TUNNEL_LINGER || lac->tunnel == TUNNEL_FINISHED)
		return;
	if (l2tp_msg_result(msg, &res))
		l2tp_result_format(text, sizeof(text), L2TP_MSG_STOPCCN, &res);
	else
		snprintf(text, sizeof(text), "no Result Code given (StopCCN)");
	lac_set_reason(
	    lac, res.result == L2TP_STOPCCN_NOT_AUTHORIZED ? L2TP_CAUSE_AUTH : L2TP_CAUSE_PEER_STOPCCN,
	    res.result, res.error, "%s: %s", refused ? "LNS refused tunnel" : "LNS closed tunnel", text);
	lac_log(lac, L2TP_LOG_INFO, "received StopCCN: %s", text);
	/* Refused before SCCRP: the ACK needs the LNS's tunnel ID, which only the StopCCN tells. */
	if (!lac->peer_tunnel_id && l2tp_msg_u16(msg, L2TP_AVP_ASSIGNED_TUNNEL_ID, &lac->peer_tunnel_id))
		lac->rel.peer_tunnel_id = lac->peer_tunnel_id;
	/* §5.7: acknowledge at once, forget our own pending messages, keep re-ACKing a while. */
	l2tp_rel_ack_now(&lac->rel);
	l2tp_rel_flush_tx(&lac->rel);
	session_drop(lac);
	bool was_closing = lac->tunnel == TUNNEL_CLOSING;
	lac->tunnel = TUNNEL_LINGER;
	lac->linger_deadline = now + lac->cfg.linger_ms;
	report_tunnel_down(lac);
	if (was_closing) /* both sides closed at once: nothing else to wait for */
		lac->stopccn_acked = true;
}

void tunnel_on_acked(struct l2tp_lac *lac, uint64_t now, uint16_t msg_type)
{
	if (msg_type == L2TP_MSG_STOPCCN && lac->tunnel == TUNNEL_CLOSING) {
		lac->stopccn_acked = true;
		lac_log(lac, L2TP_LOG_INFO, "LNS acknowledged our StopCCN");
		finish(lac);
	}
}

void tunnel_on_peer_dead(struct l2tp_lac *lac, uint64_t now)
{
	unsigned retries = lac->cfg.retries;
	uint64_t budget = 0;
	for (uint64_t rto = lac->cfg.rto_initial_ms, i = 0; i <= retries; i++) {
		budget += rto;
		rto = rto * 2 > lac->cfg.rto_max_ms ? lac->cfg.rto_max_ms : rto * 2;
	}
	switch (lac->tunnel) {
	case TUNNEL_WAIT_CTL_REPLY:
		lac_set_reason(lac, L2TP_CAUSE_PEER_DEAD, 0, 0,
			       "no reply from LNS to SCCRQ after %u retransmissions (%.1f s): "
			       "is L2TP (UDP 1701) reachable through IPsec?",
			       retries, (double)budget / 1000);
		break;
	case TUNNEL_CLOSING:
		lac_log(lac, L2TP_LOG_INFO, "LNS did not acknowledge our StopCCN");
		break;
	default:
		lac_set_reason(lac, L2TP_CAUSE_PEER_DEAD, 0, 0,
			       "LNS not responding: no acknowledgement after %u retransmissions (%.1f s)",
			       retries, (double)budget / 1000);
		break;
	}
	tunnel_abort(lac);
}

uint64_t tunnel_deadline(const struct l2tp_lac *lac)
{
	uint64_t d = L2TP_NO_DEADLINE;
	if (lac->tunnel == TUNNEL_LINGER)
		return lac->linger_deadline;
	if (lac->tunnel == TUNNEL_ESTABLISHED && lac->cfg.hello_interval_ms)
		d = lac->last_heard + lac->cfg.hello_interval_ms;
	if (lac->setup_deadline && lac->setup_deadline < d &&
	    (lac->tunnel == TUNNEL_WAIT_CTL_REPLY || lac->tunnel == TUNNEL_ESTABLISHED))
		d = lac->setup_deadline;
	if (lac->tunnel == TUNNEL_WAIT_CTL_REPLY && lac->sccrq_restart_at && lac->sccrq_restart_at < d)
		d = lac->sccrq_restart_at;
	return d;
}

static void send_hello(struct l2tp_lac *lac, uint64_t now)
{
	uint8_t buf[64];
	struct l2tp_builder b;
	l2tp_builder_init(&b, buf, sizeof(buf), L2TP_MSG_HELLO, lac->peer_tunnel_id, 0, NULL);
	lac->last_heard = now; /* the next HELLO only after another quiet period */
	lac_log(lac, L2TP_LOG_DEBUG, "sending HELLO");
	lac_send_msg(lac, now, &b, L2TP_MSG_HELLO);
}

static const char *setup_stage(const struct l2tp_lac *lac)
{
	if (lac->tunnel == TUNNEL_WAIT_CTL_REPLY)
		return "waiting for SCCRP";
	switch (lac->session) {
	case SESSION_WAIT_REPLY:
		return "waiting for ICRP";
	case SESSION_WAIT_CONFIRM:
		return "waiting for the kernel session (l2tp_lac_session_confirm)";
	case SESSION_WAIT_ICCN_ACK:
		return "waiting for the LNS to acknowledge ICCN";
	default:
		return "setting up";
	}
}

void tunnel_timeout(struct l2tp_lac *lac, uint64_t now)
{
	if (lac->tunnel == TUNNEL_LINGER && now >= lac->linger_deadline) {
		finish(lac);
		return;
	}
	if (lac->setup_deadline && now >= lac->setup_deadline) {
		lac->setup_deadline = 0;
		lac_set_reason(lac, L2TP_CAUSE_TIMEOUT, 0, 0,
			       "L2TP setup did not complete within %.1f s (%s)",
			       (double)lac->cfg.setup_timeout_ms / 1000, setup_stage(lac));
		if (session_active(lac))
			session_clear(lac, now, L2TP_CDN_TIMEOUT, L2TP_ERR_NONE, lac->reason);
		tunnel_stop(lac, now, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, "setup timed out");
		return;
	}
	if (lac->tunnel == TUNNEL_WAIT_CTL_REPLY && lac->sccrq_restart_at && now >= lac->sccrq_restart_at) {
		restart_after_sa_race(lac, now);
		return;
	}
	if (lac->tunnel == TUNNEL_ESTABLISHED && lac->cfg.hello_interval_ms &&
	    now >= lac->last_heard + lac->cfg.hello_interval_ms)
		send_hello(lac, now);
}

void tunnel_heard(struct l2tp_lac *lac, uint64_t now)
{
	lac->last_heard = now;
}

bool lac_peer_matches(const struct l2tp_lac *lac, const struct sockaddr *from, socklen_t from_len)
{
	if (!from)
		return true; /* the host does its own filtering (a connected socket) */
	if (!sockaddr_same_host(&lac->peer, from))
		return false;
	if (!lac->peer_port_known)
		return true; /* SCCRP may come from a new port */
	return sockaddr_port(&lac->peer) == sockaddr_port((const struct sockaddr_storage *)from);
}
