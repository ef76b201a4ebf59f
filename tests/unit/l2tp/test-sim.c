// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Deterministic simulation of our LAC against the mini LNS through a lossy,
 * duplicating, reordering channel (seeded RNG, virtual time):
 *   - tunnel + session come up under 30 % loss each way (+5 % duplicates,
 *     5..80 ms jitter) for every one of many seeds (with a retry budget for
 *     such a link; >= 97 % with the default 5 retries), and the close is
 *     acknowledged;
 *   - a dead LNS is declared dead exactly when the retry budget runs out,
 *     during setup and (via HELLO) in an idle established tunnel;
 *   - heavy reordering without loss costs no retransmission at all on either
 *     side (out-of-order messages are queued, not dropped).
 * Set L2TP_SIM_VERBOSE=1 to see the LAC's log for a failing seed.
 */
#include "check.h"
#include "sim.h"

#include <stdio.h>

#define SEEDS 300

static struct l2tp_lac_config base_config(void)
{
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.host_name = "sim-lac";
	return cfg;
}

/*
 * With 30 % loss each way a message and its acknowledgement both get through
 * 49 % of the time, so six transmissions (the default 5 retries) all fail for
 * about 1.8 % of messages: a few setups out of hundreds legitimately end with
 * "LNS not responding". With a retry budget sized for such a link, every
 * seed must come up.
 */
static void lossy_run(unsigned retries, unsigned *up, unsigned *closed_clean, unsigned *retransmits,
		      uint64_t *worst, bool report)
{
	const struct sim_channel lossy = {
	    .loss_permille = 300, .dup_permille = 50, .delay_min_ms = 5, .delay_max_ms = 80};
	struct l2tp_lac_config cfg = base_config();
	cfg.retries = retries;
	cfg.setup_timeout_ms = 0;
	struct mini_lns_script script = {.window = 4, .sli_wen_after_iccn = true};
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct sim s;
		sim_init(&s, seed, &cfg, &script, &lossy, 1701);
		s.close_on_session_up = true;
		sim_run(&s, 600000, -1);
		const struct sim_event *sup = sim_event(&s, L2TP_EVENT_SESSION_UP);
		const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
		if (sup) {
			(*up)++;
			*worst = sup->at > *worst ? sup->at : *worst;
		} else if (report) {
			const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
			fprintf(stderr, "seed %llu: no session: %s\n", (unsigned long long)seed,
				down ? down->reason : "(no event)");
		}
		CHECK(fin != NULL);
		/* The LNS may be gone by the time our StopCCN is retransmitted: then unacked is legitimate.
		 */
		if (fin && fin->stopccn_acked)
			(*closed_clean)++;
		*retransmits += l2tp_lac_stats(s.lac)->retransmits;
		CHECK_INT(s.lns.parse_errors, 0);
		sim_free(&s);
	}
}

static void test_lossy_channel_default_retries(void)
{
	unsigned up = 0, closed = 0, retransmits = 0;
	uint64_t worst = 0;
	lossy_run(5, &up, &closed, &retransmits, &worst, false);
	printf("# 30%% loss, 5 retries: %u/%u sessions up (slowest %.1f s), %u closes acknowledged, "
	       "%u LAC retransmits\n",
	       up, SEEDS, (double)worst / 1000, closed, retransmits);
	CHECK(up >= SEEDS * 97 / 100);
	CHECK(retransmits > 0); /* the channel really lost messages */
}

static void test_lossy_channel_every_seed(void)
{
	unsigned up = 0, closed = 0, retransmits = 0;
	uint64_t worst = 0;
	lossy_run(10, &up, &closed, &retransmits, &worst, true);
	printf("# 30%% loss, 10 retries: %u/%u sessions up (slowest %.1f s), %u closes acknowledged\n", up,
	       SEEDS, (double)worst / 1000, closed);
	CHECK_INT(up, SEEDS);
	CHECK(closed >= SEEDS * 95 / 100);
}

static void test_dead_peer_during_setup(void)
{
	const struct sim_channel clean = {.delay_min_ms = 10, .delay_max_ms = 10};
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.silent_after_scccn = true};
	struct sim s;
	sim_init(&s, 42, &cfg, &script, &clean, 1701);
	sim_run(&s, 600000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
	CHECK(down && fin);
	if (down) {
		CHECK_INT(down->cause, L2TP_CAUSE_PEER_DEAD);
		/* ICRQ went out at 20 ms; 1+2+4+8+8+8 s later the budget is spent. */
		CHECK_INT(down->at, 20 + 31000);
		CHECK_STR(down->reason,
			  "LNS not responding: no acknowledgement after 5 retransmissions (31.0 s)");
	}
	CHECK_INT(l2tp_lac_stats(s.lac)->retransmits, 5);
	sim_free(&s);
}

static void test_dead_peer_no_reply_to_sccrq(void)
{
	const struct sim_channel clean = {.delay_min_ms = 10, .delay_max_ms = 10};
	struct l2tp_lac_config cfg = base_config();
	cfg.retries = 3;
	struct mini_lns_script script = {0};
	struct sim s;
	sim_init(&s, 43, &cfg, &script, &clean, 1701);
	s.lns_blackholed = true;
	sim_run(&s, 600000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down && down->cause == L2TP_CAUSE_PEER_DEAD && down->at == 15000);
	if (down)
		CHECK_STR(down->reason,
			  "no reply from LNS to SCCRQ after 3 retransmissions (15.0 s): is L2TP "
			  "(UDP 1701) reachable through IPsec?");
	CHECK(l2tp_lac_finished(s.lac));
	sim_free(&s);
}

static void test_dead_peer_idle_tunnel_via_hello(void)
{
	const struct sim_channel clean = {.delay_min_ms = 10, .delay_max_ms = 10};
	struct l2tp_lac_config cfg = base_config();
	cfg.hello_interval_ms = 60000;
	struct mini_lns_script script = {0};
	struct sim s;
	sim_init(&s, 44, &cfg, &script, &clean, 1701);
	sim_run(&s, 10000, L2TP_EVENT_SESSION_UP);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL);
	sim_run(&s, 1000, -1);
	uint64_t last = s.now;
	s.lns_blackholed = true;
	sim_run(&s, 600000, -1);
	const struct sim_event *sdown = sim_event(&s, L2TP_EVENT_SESSION_DOWN);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(sdown && down && down->cause == L2TP_CAUSE_PEER_DEAD);
	/* HELLO after 60 s of quiet, then the 31 s retry budget. */
	if (down)
		CHECK(down->at > last + 60000 && down->at <= last + 60000 + 31000);
	sim_free(&s);
}

static void test_reordering_without_retransmits(void)
{
	const struct sim_channel jumbled = {.delay_min_ms = 1, .delay_max_ms = 400};
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.window = 8, .sli_wen_after_iccn = true, .hello_after_iccn = true};
	unsigned up = 0, lac_reordered = 0, lns_reordered = 0, retransmits = 0;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct sim s;
		sim_init(&s, seed, &cfg, &script, &jumbled, 1701);
		s.close_on_session_up = true;
		sim_run(&s, 600000, -1);
		up += sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL;
		const struct l2tp_rel_stats *st = l2tp_lac_stats(s.lac);
		lac_reordered += st->queued_out_of_order > 0;
		lns_reordered += s.lns.rel.stats.queued_out_of_order > 0;
		retransmits += st->retransmits + s.lns.rel.stats.retransmits;
		CHECK_INT(s.lns.received[L2TP_MSG_ICCN], 1);
		sim_free(&s);
	}
	printf("# reordering: %u/%u up, LAC queued out-of-order messages in %u runs, LNS in %u, %u "
	       "retransmits\n",
	       up, SEEDS, lac_reordered, lns_reordered, retransmits);
	CHECK_INT(up, SEEDS);
	CHECK_INT(retransmits, 0);
	CHECK(lac_reordered >= SEEDS / 10); /* the channel really reordered what the LNS sent */
	CHECK(lns_reordered >= SEEDS / 10);
}

/* An LNS with a Receive Window of 1 never sees two of our messages in flight, however jumbled the channel. */
static void test_peer_window_of_one_honoured(void)
{
	const struct sim_channel jumbled = {.delay_min_ms = 1, .delay_max_ms = 400};
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.window = 1};
	unsigned up = 0, out_of_order = 0, dropped = 0;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct sim s;
		sim_init(&s, seed, &cfg, &script, &jumbled, 1701);
		s.close_on_session_up = true;
		sim_run(&s, 600000, -1);
		up += sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL;
		out_of_order += s.lns.rel.stats.queued_out_of_order;
		dropped += s.lns.rel.stats.dropped;
		sim_free(&s);
	}
	CHECK_INT(up, 100);
	CHECK_INT(out_of_order, 0);
	CHECK_INT(dropped, 0);
}

int main(void)
{
	RUN(test_lossy_channel_default_retries);
	RUN(test_lossy_channel_every_seed);
	RUN(test_dead_peer_during_setup);
	RUN(test_dead_peer_no_reply_to_sccrq);
	RUN(test_dead_peer_idle_tunnel_via_hello);
	RUN(test_reordering_without_retransmits);
	RUN(test_peer_window_of_one_honoured);
	return check_summary();
}
