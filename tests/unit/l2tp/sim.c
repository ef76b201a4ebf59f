// SPDX-License-Identifier: GPL-2.0-or-later
/* Deterministic LAC <-> mini LNS simulation; see sim.h. */
#include "sim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t sim_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static bool chance(struct sim *s, unsigned permille)
{
	return sim_rand(&s->rng) % 1000 < permille;
}

static void enqueue(struct sim *s, bool to_lns, const uint8_t *data, size_t len)
{
	if (s->npackets == SIM_MAX_PACKETS || len > sizeof(s->packets[0]->data))
		return;
	struct sim_packet *p = malloc(sizeof(*p));
	unsigned span = s->channel.delay_max_ms - s->channel.delay_min_ms + 1;
	p->at = s->now + s->channel.delay_min_ms + sim_rand(&s->rng) % span;
	p->to_lns = to_lns;
	p->len = len;
	memcpy(p->data, data, len);
	s->packets[s->npackets++] = p;
}

static void transmit(struct sim *s, bool to_lns, const uint8_t *data, size_t len)
{
	if (s->lns_blackholed || chance(s, s->channel.loss_permille))
		return;
	enqueue(s, to_lns, data, len);
	if (chance(s, s->channel.dup_permille))
		enqueue(s, to_lns, data, len);
}

static void digest(struct sim *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++)
		s->lac_digest = (s->lac_digest ^ p[i]) * 0x100000001b3ull;
}

static void lac_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	struct sim *s = ctx;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)to;
	digest(s, &s->now, sizeof(s->now));
	digest(s, &sin->sin_port, sizeof(sin->sin_port));
	digest(s, &sin->sin_addr, sizeof(sin->sin_addr));
	digest(s, &tolen, sizeof(tolen));
	digest(s, data, len);
	s->lac_sent++;
	/* Once the LNS has answered from its new port, nothing may go to the old one. */
	if (sim_event(s, L2TP_EVENT_TUNNEL_UP) && sin->sin_port != s->lns_reply_addr.sin_port)
		s->lac_sent_wrong_port++;
	transmit(s, true, data, len);
}

static void lns_send(void *ctx, const uint8_t *data, size_t len)
{
	struct sim *s = ctx;
	s->lns_sent++;
	transmit(s, false, data, len);
}

static void lac_event(void *ctx, const struct l2tp_event *ev)
{
	struct sim *s = ctx;
	if (s->nevents < SIM_MAX_EVENTS) {
		struct sim_event *e = &s->events[s->nevents++];
		e->type = ev->type;
		e->cause = ev->cause;
		e->result_code = ev->result_code;
		e->error_code = ev->error_code;
		e->our_tunnel_id = ev->our_tunnel_id;
		e->peer_tunnel_id = ev->peer_tunnel_id;
		e->our_session_id = ev->our_session_id;
		e->peer_session_id = ev->peer_session_id;
		e->peer_port = ev->peer ? ntohs(((const struct sockaddr_in *)ev->peer)->sin_port) : 0;
		e->stopccn_acked = ev->stopccn_acked;
		snprintf(e->reason, sizeof(e->reason), "%s", ev->reason);
		e->at = s->now;
	}
	if (ev->type == L2TP_EVENT_SESSION_READY && !s->manual_confirm)
		l2tp_lac_session_confirm(s->lac, s->now);
	if (ev->type == L2TP_EVENT_SESSION_UP && s->close_on_session_up)
		l2tp_lac_close(s->lac, s->now, "test done");
}

static void lac_random(void *ctx, void *buf, size_t len)
{
	struct sim *s = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)sim_rand(&s->rng);
}

static void lac_log(void *ctx, enum l2tp_log_level level, const char *message)
{
	digest(ctx, &level, sizeof(level));
	digest(ctx, message, strlen(message) + 1);
	if (getenv("L2TP_SIM_VERBOSE"))
		fprintf(stderr, "  [%llu] lac: %s\n", (unsigned long long)((struct sim *)ctx)->now, message);
}

void sim_init(struct sim *s, uint64_t seed, const struct l2tp_lac_config *cfg,
	      const struct mini_lns_script *script, const struct sim_channel *channel, uint16_t reply_port)
{
	sim_init_reusing(s, NULL, 0, seed, cfg, script, channel, reply_port);
}

void sim_init_reusing(struct sim *s, struct l2tp_lac *lac, uint32_t sccrq_restart_ms, uint64_t seed,
		      const struct l2tp_lac_config *cfg, const struct mini_lns_script *script,
		      const struct sim_channel *channel, uint16_t reply_port)
{
	char err[256];
	memset(s, 0, sizeof(*s));
	s->lac_digest = 0xcbf29ce484222325ull;
	s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	s->channel = *channel;
	s->lns_addr.sin_family = AF_INET;
	s->lns_addr.sin_port = htons(L2TP_PORT);
	s->lns_addr.sin_addr.s_addr = htonl(0x7f000001);
	s->lns_reply_addr = s->lns_addr;
	s->lns_reply_addr.sin_port = htons(reply_port);
	struct l2tp_lac_ops ops = {
	    .send = lac_send, .event = lac_event, .random = lac_random, .log = lac_log};
	if (!lac)
		s->lac = l2tp_lac_new(cfg, &ops, s, err, sizeof(err));
	else if (l2tp_lac_reset(lac, cfg, &ops, s, err, sizeof(err)))
		s->lac = lac;
	if (!s->lac) {
		fprintf(stderr, "sim: %s\n", err);
		abort();
	}
	mini_lns_init(&s->lns, script, lns_send, s);
	if (sccrq_restart_ms && !l2tp_lac_set_sccrq_restart(s->lac, sccrq_restart_ms))
		abort();
	l2tp_lac_start(s->lac, 0, (struct sockaddr *)&s->lns_addr, sizeof(s->lns_addr));
}

const struct sim_event *sim_event(const struct sim *s, enum l2tp_event_type type)
{
	for (unsigned i = 0; i < s->nevents; i++)
		if (s->events[i].type == type)
			return &s->events[i];
	return NULL;
}

static uint64_t next_packet_time(const struct sim *s, unsigned *index)
{
	uint64_t best = UINT64_MAX;
	for (unsigned i = 0; i < s->npackets; i++) {
		if (s->packets[i]->at < best) {
			best = s->packets[i]->at;
			*index = i;
		}
	}
	return best;
}

static void deliver(struct sim *s, unsigned i)
{
	struct sim_packet *p = s->packets[i];
	s->packets[i] = s->packets[--s->npackets];
	if (p->to_lns)
		mini_lns_input(&s->lns, s->now, p->data, p->len);
	else
		l2tp_lac_input(s->lac, s->now, p->data, p->len, (struct sockaddr *)&s->lns_reply_addr,
			       sizeof(s->lns_reply_addr));
	free(p);
}

void sim_run(struct sim *s, uint64_t until, int stop_on)
{
	while (!l2tp_lac_finished(s->lac)) {
		if (stop_on >= 0 && sim_event(s, (enum l2tp_event_type)stop_on))
			return;
		unsigned idx = 0;
		uint64_t tp = next_packet_time(s, &idx);
		uint64_t tl = l2tp_lac_deadline(s->lac), tn = mini_lns_deadline(&s->lns);
		uint64_t next = tp < tl ? tp : tl;
		next = tn < next ? tn : next;
		if (next > until) {
			s->now = until;
			return;
		}
		if (next > s->now)
			s->now = next;
		if (tp == next)
			deliver(s, idx);
		else if (tl == next)
			l2tp_lac_timeout(s->lac, s->now);
		else
			mini_lns_timeout(&s->lns, s->now);
	}
}

struct l2tp_lac *sim_detach(struct sim *s)
{
	struct l2tp_lac *lac = s->lac;
	for (unsigned i = 0; i < s->npackets; i++)
		free(s->packets[i]);
	mini_lns_free(&s->lns);
	s->lac = NULL;
	return lac;
}

void sim_free(struct sim *s)
{
	l2tp_lac_free(sim_detach(s));
}
