// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LAC's public API: configuration, datagram dispatch, timers, events.
 * The FSMs live in l2tp-tunnel.c and l2tp-session.c.
 */
#include "l2tp-lac-internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

void l2tp_lac_config_defaults(struct l2tp_lac_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->host_name = "l2tp-vpn";
	cfg->connect_speed_bps = 100000000;
	cfg->hello_interval_ms = 60000;
	cfg->retries = 5;
	cfg->rto_initial_ms = 1000;
	cfg->rto_max_ms = 8000;
	cfg->rx_window = 8;
	cfg->ack_delay_ms = 100;
	cfg->linger_ms = 31000;
	cfg->setup_timeout_ms = 60000;
}

void lac_log(struct l2tp_lac *lac, enum l2tp_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!lac->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	lac->ops.log(lac->ctx, level, line);
}

void lac_random(struct l2tp_lac *lac, void *buf, size_t len)
{
	if (lac->ops.random)
		lac->ops.random(lac->ctx, buf, len);
	else if (gnutls_rnd(GNUTLS_RND_NONCE, buf, len) < 0)
		abort(); /* no randomness: IDs and challenges would be predictable */
}

uint16_t lac_random_id(struct l2tp_lac *lac)
{
	uint16_t id = 0;
	while (!id) /* 0 means "not yet assigned" on the wire */
		lac_random(lac, &id, sizeof(id));
	return id;
}

void lac_set_reason(struct l2tp_lac *lac, enum l2tp_cause cause, uint16_t result, uint16_t error,
		    const char *fmt, ...)
{
	va_list ap;
	if (lac->cause != L2TP_CAUSE_NONE)
		return;
	lac->cause = cause;
	lac->result_code = result;
	lac->error_code = error;
	va_start(ap, fmt);
	vsnprintf(lac->reason, sizeof(lac->reason), fmt, ap);
	va_end(ap);
	lac_log(lac, L2TP_LOG_ERROR, "%s", lac->reason);
}

void lac_emit(struct l2tp_lac *lac, enum l2tp_event_type type)
{
	struct l2tp_event ev = {
	    .type = type,
	    .our_tunnel_id = lac->our_tunnel_id,
	    .peer_tunnel_id = lac->peer_tunnel_id,
	    .our_session_id = lac->our_session_id,
	    .peer_session_id = lac->peer_session_id,
	    .peer = (const struct sockaddr *)&lac->peer,
	    .peer_len = lac->peer_len,
	    .stopccn_acked = lac->stopccn_acked,
	};
	if (type == L2TP_EVENT_SESSION_DOWN || type == L2TP_EVENT_TUNNEL_DOWN ||
	    type == L2TP_EVENT_FINISHED) {
		ev.cause = lac->cause;
		ev.result_code = lac->result_code;
		ev.error_code = lac->error_code;
		ev.reason = lac->reason[0] ? lac->reason : "no reason recorded";
	} else {
		ev.reason = "";
	}
	lac_log(lac, L2TP_LOG_DEBUG, "event %s", l2tp_event_name(type));
	if (lac->ops.event)
		lac->ops.event(lac->ctx, &ev);
}

bool lac_send_msg(struct l2tp_lac *lac, uint64_t now, struct l2tp_builder *b, uint16_t msg_type)
{
	size_t len = l2tp_builder_finish(b);
	if (len && l2tp_rel_send(&lac->rel, now, b->buf, len, msg_type))
		return true;
	lac_set_reason(lac, L2TP_CAUSE_RESOURCES, 0, 0, "internal error: could not %s %s",
		       len ? "queue" : "build", l2tp_msg_type_name(msg_type));
	tunnel_abort(lac);
	return false;
}

/*
 * Hiding (§4.3) needs the LNS to know which secret to un-hide with. It cannot
 * before it has read our SCCRQ (it finds the secret by our Host Name; xl2tpd
 * un-hides with an empty one then), and a StopCCN refusing its SCCRP may be
 * about that very secret being wrong. So: from SCCCN on, once the LNS has
 * proven the secret in SCCRP.
 */
static bool lac_hides(const struct l2tp_lac *lac, enum l2tp_msg_type type)
{
	return lac->cfg.hide_avps && (type == L2TP_MSG_SCCCN || lac->tunnel == TUNNEL_ESTABLISHED);
}

void lac_builder_start(struct l2tp_lac *lac, struct l2tp_builder *b, uint8_t *buf, size_t cap,
		       enum l2tp_msg_type type, uint16_t session_id)
{
	l2tp_builder_init(b, buf, cap, type, lac->peer_tunnel_id, session_id, &lac->secret);
	if (lac_hides(lac, type)) {
		uint8_t vector[16];
		lac_random(lac, vector, sizeof(vector));
		l2tp_builder_hide_from_here(b, vector, sizeof(vector));
	}
}

/* Reliable-delivery callbacks. */

static void rel_send(void *ctx, const uint8_t *data, size_t len)
{
	struct l2tp_lac *lac = ctx;
	/* FINISHED promised the host silence, e.g. an ACK for a duplicate in the datagram that finished us. */
	if (lac->tunnel == TUNNEL_FINISHED)
		return;
	lac->ops.send(lac->ctx, data, len, (const struct sockaddr *)&lac->peer, lac->peer_len);
}

static void rel_acked(void *ctx, uint32_t tag)
{
	struct l2tp_lac *lac = ctx;
	/* Messages are queued with their type as tag; the engine reports them in order. */
	tunnel_on_acked(lac, lac->now, (uint16_t)tag);
	session_on_acked(lac, lac->now, (uint16_t)tag);
}

static bool config_valid(const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops, char *err,
			 size_t err_size)
{
	const char *problem = NULL;
	if (!ops || !ops->send)
		problem = "no send callback";
	else if (!cfg->host_name || !cfg->host_name[0] || strlen(cfg->host_name) >= L2TP_AVP_MAX_LEN - 6)
		problem = "host name must be 1 to 1016 bytes";
	else if (cfg->vendor_name && strlen(cfg->vendor_name) >= L2TP_AVP_MAX_LEN - 6)
		problem = "vendor name too long";
	else if (cfg->secret_len > L2TP_MAX_SECRET_LEN || (cfg->secret_len && !cfg->secret))
		problem = "shared secret must be at most 255 bytes";
	else if (cfg->hide_avps && !cfg->secret_len)
		problem = "hiding AVPs needs a shared secret";
	else if (cfg->rx_window < 1 || cfg->rx_window > L2TP_REL_MAX_WINDOW)
		problem = "receive window must be 1 to 16";
	else if (!cfg->rto_initial_ms || cfg->rto_max_ms < cfg->rto_initial_ms || cfg->retries > 100)
		problem = "retransmission settings out of range";
	if (problem && err && err_size)
		snprintf(err, err_size, "L2TP settings: %s", problem);
	return !problem;
}

/* Fills a LAC whose fields are all zero except its engine's (initialised before when reused). */
static void lac_setup(struct l2tp_lac *lac, const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops,
		      void *ctx, bool reuse)
{
	size_t host_len = strlen(cfg->host_name);
	size_t vendor_len = cfg->vendor_name ? strlen(cfg->vendor_name) : 0;
	lac->cfg = *cfg;
	lac->ops = *ops;
	lac->ctx = ctx;
	/* config_valid() checked both lengths against the buffers; they were zeroed, so stay terminated. */
	memcpy(lac->host_name, cfg->host_name, host_len);
	if (vendor_len)
		memcpy(lac->vendor_name, cfg->vendor_name, vendor_len);
	if (cfg->secret_len)
		memcpy(lac->secret_buf, cfg->secret, cfg->secret_len);
	lac->secret = (struct l2tp_secret){.data = lac->secret_buf, .len = cfg->secret_len};
	lac->cfg.host_name = lac->host_name;
	lac->cfg.vendor_name = lac->vendor_name;
	lac->cfg.secret = lac->secret_buf;
	struct l2tp_rel_config rc = {.rx_window = cfg->rx_window,
				     .rto_initial_ms = cfg->rto_initial_ms,
				     .rto_max_ms = cfg->rto_max_ms,
				     .max_retries = cfg->retries,
				     .ack_delay_ms = cfg->ack_delay_ms};
	struct l2tp_rel_ops ro = {.send = rel_send, .acked = rel_acked};
	if (reuse)
		l2tp_rel_reset(&lac->rel, &rc, &ro, lac);
	else
		l2tp_rel_init(&lac->rel, &rc, &ro, lac);
}

struct l2tp_lac *l2tp_lac_new(const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops, void *ctx,
			      char *err, size_t err_size)
{
	if (!config_valid(cfg, ops, err, err_size))
		return NULL;
	struct l2tp_lac *lac = calloc(1, sizeof(*lac));
	if (!lac) {
		if (err && err_size)
			snprintf(err, err_size, "out of memory");
		return NULL;
	}
	lac_setup(lac, cfg, ops, ctx, false);
	return lac;
}

bool l2tp_lac_reset(struct l2tp_lac *lac, const struct l2tp_lac_config *cfg, const struct l2tp_lac_ops *ops,
		    void *ctx, char *err, size_t err_size)
{
	if (!config_valid(cfg, ops, err, err_size))
		return false;
	/* Everything around the engine back to zero, as calloc() left it; the engine keeps its ring. */
	size_t rel_end = offsetof(struct l2tp_lac, rel) + sizeof(lac->rel);
	memset(lac, 0, offsetof(struct l2tp_lac, rel));
	memset((char *)lac + rel_end, 0, sizeof(*lac) - rel_end);
	lac_setup(lac, cfg, ops, ctx, true);
	return true;
}

void l2tp_lac_free(struct l2tp_lac *lac)
{
	if (!lac)
		return;
	l2tp_rel_clear(&lac->rel);
	explicit_bzero(lac->secret_buf, sizeof(lac->secret_buf));
	free(lac);
}

bool l2tp_lac_set_sccrq_restart(struct l2tp_lac *lac, uint32_t ms)
{
	if (lac->tunnel != TUNNEL_IDLE)
		return false;
	lac->sccrq_restart_ms = ms < lac->cfg.rto_initial_ms ? ms : 0;
	return true;
}

bool l2tp_lac_start(struct l2tp_lac *lac, uint64_t now, const struct sockaddr *lns, socklen_t lns_len)
{
	lac->now = now;
	if (lac->tunnel != TUNNEL_IDLE || !lns || lns_len > sizeof(lac->peer) ||
	    (lns->sa_family != AF_INET && lns->sa_family != AF_INET6))
		return false;
	memcpy(&lac->peer, lns, lns_len);
	lac->peer_len = lns_len;
	return tunnel_start(lac, now);
}

/* A message that did not parse: tear down what it concerns, or ignore it. */
static void handle_bad_message(struct l2tp_lac *lac, uint64_t now, struct l2tp_msg *msg,
			       enum l2tp_parse_status st)
{
	const char *what = l2tp_msg_type_name(msg->type);
	if (st == L2TP_PARSE_UNKNOWN_MESSAGE_TYPE && !msg->avp[L2TP_AVP_MESSAGE_TYPE].mandatory) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring unknown message type %u (M=0)", msg->type);
		return;
	}
	/* A teardown is honoured even when its AVPs are bad. */
	if (msg->type == L2TP_MSG_STOPCCN) {
		tunnel_on_stopccn(lac, now, msg);
		return;
	}
	if (msg->type == L2TP_MSG_CDN && st != L2TP_PARSE_UNKNOWN_MANDATORY_AVP) {
		if (lac->tunnel == TUNNEL_ESTABLISHED)
			session_on_message(lac, now, msg);
		return;
	}
	bool awaited = (msg->type == L2TP_MSG_SCCRP && lac->tunnel == TUNNEL_WAIT_CTL_REPLY) ||
		       (msg->type == L2TP_MSG_ICRP && lac->session == SESSION_WAIT_REPLY) ||
		       st == L2TP_PARSE_UNKNOWN_MANDATORY_AVP || st == L2TP_PARSE_UNKNOWN_MESSAGE_TYPE;
	if (!awaited) {
		lac_log(lac, L2TP_LOG_INFO, "ignoring malformed %s: %s (%s)", what, l2tp_parse_strerror(st),
			l2tp_avp_name(msg->status_avp));
		return;
	}
	uint16_t error = L2TP_ERR_BAD_VALUE;
	if (st == L2TP_PARSE_UNKNOWN_MANDATORY_AVP) {
		error = L2TP_ERR_UNKNOWN_MANDATORY_AVP;
		lac_set_reason(lac, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_GENERAL_ERROR, error,
			       "LNS sent %s with an unrecognised mandatory AVP (vendor %u, type %u)", what,
			       msg->bad_vendor, msg->bad_type);
	} else if (st == L2TP_PARSE_UNKNOWN_MESSAGE_TYPE) {
		lac_set_reason(lac, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_GENERAL_ERROR, error,
			       "LNS sent unknown mandatory message type %u", msg->type);
	} else {
		if (st == L2TP_PARSE_AVP_BAD_LENGTH || st == L2TP_PARSE_AVP_TRUNCATED)
			error = L2TP_ERR_BAD_LENGTH;
		lac_set_reason(lac, L2TP_CAUSE_PROTOCOL, L2TP_STOPCCN_GENERAL_ERROR, error,
			       "LNS sent a malformed %s: %s (%s AVP)", what, l2tp_parse_strerror(st),
			       l2tp_avp_name(msg->status_avp));
	}
	if (msg->hdr.session_id && msg->hdr.session_id == lac->our_session_id)
		session_clear(lac, now, L2TP_CDN_GENERAL_ERROR, error, lac->reason);
	tunnel_stop(lac, now, L2TP_STOPCCN_GENERAL_ERROR, error, lac->reason);
}

static void dispatch(struct l2tp_lac *lac, uint64_t now, const struct l2tp_msg *msg,
		     const struct sockaddr *from, socklen_t from_len)
{
	lac_log(lac, L2TP_LOG_DEBUG, "received %s (Ns %u, Nr %u, session %u)", l2tp_msg_type_name(msg->type),
		msg->hdr.ns, msg->hdr.nr, msg->hdr.session_id);
	switch (msg->type) {
	case L2TP_MSG_SCCRP:
		tunnel_on_sccrp(lac, now, msg, from, from_len);
		break;
	case L2TP_MSG_STOPCCN:
		tunnel_on_stopccn(lac, now, msg);
		break;
	case L2TP_MSG_HELLO:
		break; /* the engine acknowledges it; that is all it asks for */
	case L2TP_MSG_ICRP:
	case L2TP_MSG_CDN:
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
	case L2TP_MSG_ICCN:
		if (lac->tunnel == TUNNEL_ESTABLISHED)
			session_on_message(lac, now, msg);
		break;
	default:
		/* SCCRQ, SCCCN, ICRQ, outgoing calls: not for a LAC that placed one incoming call. */
		lac_log(lac, L2TP_LOG_INFO, "ignoring %s: not expected by a LAC",
			l2tp_msg_type_name(msg->type));
		break;
	}
}

static void handle_message(struct l2tp_lac *lac, uint64_t now, const uint8_t *data, size_t len,
			   const struct sockaddr *from, socklen_t from_len)
{
	struct l2tp_msg msg;
	enum l2tp_parse_status st = l2tp_msg_parse(data, len, &lac->secret, &msg);
	if (st == L2TP_PARSE_OK)
		dispatch(lac, now, &msg, from, from_len);
	else
		handle_bad_message(lac, now, &msg, st);
}

void l2tp_lac_input(struct l2tp_lac *lac, uint64_t now, const uint8_t *data, size_t len,
		    const struct sockaddr *from, socklen_t from_len)
{
	struct l2tp_header hdr;
	lac->now = now;
	if (lac->tunnel == TUNNEL_IDLE || lac->tunnel == TUNNEL_FINISHED)
		return;
	if (!lac_peer_matches(lac, from, from_len)) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring datagram from an address that is not the LNS");
		return;
	}
	enum l2tp_parse_status st = l2tp_header_decode(data, len, &hdr);
	if (st == L2TP_PARSE_NOT_CONTROL)
		return; /* data for a session the kernel does not know: nothing for us */
	if (st != L2TP_PARSE_OK) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring datagram: %s", l2tp_parse_strerror(st));
		return;
	}
	/* Tunnel ID 0 means "yours is unknown to me": an LNS refusing our SCCRQ may say so. */
	bool refusal = hdr.tunnel_id == 0 && lac->tunnel == TUNNEL_WAIT_CTL_REPLY;
	if (lac->abandoned_tunnel_id && hdr.tunnel_id == lac->abandoned_tunnel_id) {
		tunnel_on_abandoned(lac, data, hdr.length, &hdr);
		return;
	}
	if (hdr.tunnel_id != lac->our_tunnel_id && !refusal) {
		lac_log(lac, L2TP_LOG_DEBUG, "ignoring message for tunnel %u (ours is %u)", hdr.tunnel_id,
			lac->our_tunnel_id);
		return;
	}
	tunnel_heard(lac, now);
	bool zlb = hdr.length == L2TP_CTRL_HDR_LEN;
	enum l2tp_rel_verdict v = l2tp_rel_input(&lac->rel, now, hdr.ns, hdr.nr, zlb, data, hdr.length);
	if (v != L2TP_REL_DELIVER || lac->tunnel == TUNNEL_FINISHED)
		return;
	handle_message(lac, now, data, hdr.length, from, from_len);
	/* Messages that arrived ahead of a gap the one above just filled. */
	while (lac->tunnel != TUNNEL_FINISHED) {
		size_t qlen;
		uint8_t *queued = l2tp_rel_pop(&lac->rel, &qlen);
		if (!queued)
			break;
		handle_message(lac, now, queued, qlen, from, from_len);
		free(queued);
	}
}

uint64_t l2tp_lac_deadline(const struct l2tp_lac *lac)
{
	if (lac->tunnel == TUNNEL_IDLE || lac->tunnel == TUNNEL_FINISHED)
		return L2TP_NO_DEADLINE;
	uint64_t a = l2tp_rel_deadline(&lac->rel), b = tunnel_deadline(lac);
	return a < b ? a : b;
}

void l2tp_lac_timeout(struct l2tp_lac *lac, uint64_t now)
{
	lac->now = now;
	if (lac->tunnel == TUNNEL_IDLE || lac->tunnel == TUNNEL_FINISHED)
		return;
	if (!l2tp_rel_timeout(&lac->rel, now)) {
		tunnel_on_peer_dead(lac, now);
		return;
	}
	tunnel_timeout(lac, now);
}

bool l2tp_lac_session_confirm(struct l2tp_lac *lac, uint64_t now)
{
	lac->now = now;
	return session_confirm(lac, now);
}

void l2tp_lac_close(struct l2tp_lac *lac, uint64_t now, const char *why)
{
	lac->now = now;
	if (lac->tunnel == TUNNEL_IDLE || lac->tunnel == TUNNEL_FINISHED)
		return;
	lac_set_reason(lac, L2TP_CAUSE_LOCAL, L2TP_STOPCCN_CLEAR, 0, "closed locally: %s",
		       why ? why : "no reason given");
	tunnel_stop(lac, now, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, why);
}

bool l2tp_lac_finished(const struct l2tp_lac *lac)
{
	return lac->tunnel == TUNNEL_FINISHED;
}

const struct l2tp_rel_stats *l2tp_lac_stats(const struct l2tp_lac *lac)
{
	return &lac->rel.stats;
}

const char *l2tp_event_name(enum l2tp_event_type type)
{
	static const char *const names[] = {
	    [L2TP_EVENT_TUNNEL_UP] = "tunnel-up",     [L2TP_EVENT_SESSION_READY] = "session-ready",
	    [L2TP_EVENT_SESSION_UP] = "session-up",   [L2TP_EVENT_SESSION_DOWN] = "session-down",
	    [L2TP_EVENT_TUNNEL_DOWN] = "tunnel-down", [L2TP_EVENT_FINISHED] = "finished",
	};
	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown-event";
}

const char *l2tp_cause_name(enum l2tp_cause cause)
{
	static const char *const names[] = {
	    [L2TP_CAUSE_NONE] = "none",
	    [L2TP_CAUSE_LOCAL] = "local",
	    [L2TP_CAUSE_PEER_STOPCCN] = "peer-stopccn",
	    [L2TP_CAUSE_PEER_CDN] = "peer-cdn",
	    [L2TP_CAUSE_PEER_DEAD] = "peer-dead",
	    [L2TP_CAUSE_AUTH] = "auth",
	    [L2TP_CAUSE_PROTOCOL] = "protocol",
	    [L2TP_CAUSE_TIMEOUT] = "timeout",
	    [L2TP_CAUSE_RESOURCES] = "resources",
	};
	return (unsigned)cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "unknown-cause";
}
