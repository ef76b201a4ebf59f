/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deterministic simulation: our LAC and the mini LNS joined by a channel that
 * drops, duplicates and delays (hence reorders) datagrams with a seeded RNG,
 * in virtual time. Everything is reproducible from the seed.
 */
#ifndef L2TP_SIM_H
#define L2TP_SIM_H

#include "l2tp.h"
#include "mini-lns.h"

#include <netinet/in.h>

#define SIM_MAX_EVENTS  16
#define SIM_MAX_PACKETS 256

struct sim_event {
	enum l2tp_event_type type;
	enum l2tp_cause cause;
	uint16_t result_code, error_code;
	uint16_t our_tunnel_id, peer_tunnel_id, our_session_id, peer_session_id;
	uint16_t peer_port;
	bool stopccn_acked;
	char reason[512];
	uint64_t at;
};

struct sim_packet {
	uint64_t at;
	bool to_lns;
	size_t len;
	uint8_t data[1500];
};

struct sim_channel {
	unsigned loss_permille, dup_permille;
	unsigned delay_min_ms, delay_max_ms;
};

struct sim {
	uint64_t now, rng;
	struct sim_channel channel;
	struct l2tp_lac *lac;
	struct mini_lns lns;
	struct sockaddr_in lns_addr;       /* where SCCRQ goes */
	struct sockaddr_in lns_reply_addr; /* where the LNS answers from */
	struct sim_packet *packets[SIM_MAX_PACKETS];
	unsigned npackets;
	struct sim_event events[SIM_MAX_EVENTS];
	unsigned nevents;
	bool manual_confirm;      /* do not confirm SESSION_READY from the event */
	bool close_on_session_up; /* l2tp_lac_close() as soon as the session is up */
	unsigned lac_sent, lns_sent, lac_sent_wrong_port;
	bool lns_blackholed; /* drop everything from now on */
	/* FNV-1a over everything the LAC did: each datagram with its time and address, each log line. */
	uint64_t lac_digest;
};

void sim_init(struct sim *s, uint64_t seed, const struct l2tp_lac_config *cfg,
	      const struct mini_lns_script *script, const struct sim_channel *channel, uint16_t reply_port);
/* As sim_init(), but with lac (from sim_detach()) made new by l2tp_lac_reset() instead of l2tp_lac_new()
 * when not NULL, and l2tp_lac_set_sccrq_restart(sccrq_restart_ms) before the start when not 0. */
void sim_init_reusing(struct sim *s, struct l2tp_lac *lac, uint32_t sccrq_restart_ms, uint64_t seed,
		      const struct l2tp_lac_config *cfg, const struct mini_lns_script *script,
		      const struct sim_channel *channel, uint16_t reply_port);
/* sim_free(), except the LAC: returned as it is, in whatever state. */
struct l2tp_lac *sim_detach(struct sim *s);
/* Runs until the LAC is finished, stop_on happened, or until (virtual ms). */
void sim_run(struct sim *s, uint64_t until, int stop_on);
const struct sim_event *sim_event(const struct sim *s, enum l2tp_event_type type);
void sim_free(struct sim *s);
/* A small seeded generator (xorshift64*). */
uint64_t sim_rand(uint64_t *state);

#endif
