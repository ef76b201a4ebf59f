// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * l2tp_lac_reset(): a reset LAC behaves exactly like a fresh one.
 *
 * For many seeds, one connection is simulated twice over the same lossy,
 * duplicating, reordering channel (sim.h): once with a LAC from
 * l2tp_lac_new(), once with a LAC that first ran another connection (other
 * settings, other LNS behaviour) and was stopped at a seed-dependent moment:
 * mid-setup, with retransmissions pending or messages queued out of order,
 * established, closing, lingering or finished. Both runs must produce the same
 * datagrams at the same times to the same address, the same log lines, the
 * same events (with reasons) and the same counters. Also: an unusable
 * configuration leaves the LAC as it was; a reset LAC sends SCCRQ from the
 * message ring it kept (test-alloc.c counts that).
 */
#include "check.h"
#include "sim.h"

#include <stdio.h>
#include <string.h>

#define SEEDS 120

struct outcome {
	uint64_t digest, now;
	unsigned lac_sent, lns_sent, nevents;
	struct sim_event events[SIM_MAX_EVENTS];
	struct l2tp_rel_stats stats;
	bool finished;
};

/* The connection both LACs run: tunnel authentication both ways, hidden AVPs, SLI/WEN, HELLO. */
static struct l2tp_lac_config config_a(void)
{
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.host_name = "lac-a";
	cfg.secret = (const uint8_t *)"reset-secret";
	cfg.secret_len = strlen("reset-secret");
	cfg.hide_avps = true;
	cfg.hello_interval_ms = 3000;
	cfg.rx_window = 4;
	return cfg;
}

/* What the reused LAC did before: longer names, a Vendor Name, no secret, other timers and window. */
static struct l2tp_lac_config config_b(uint64_t seed)
{
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.host_name = "a-much-longer-host-name-than-lac-a";
	cfg.vendor_name = "vendor-b";
	if (seed % 2) {
		cfg.secret = (const uint8_t *)"another-longer-secret-b";
		cfg.secret_len = strlen("another-longer-secret-b");
	}
	cfg.send_rx_connect_speed = true;
	cfg.hello_interval_ms = 1000;
	cfg.rx_window = 16;
	cfg.rto_initial_ms = 500;
	cfg.retries = 2;
	cfg.linger_ms = 2000;
	cfg.setup_timeout_ms = 1500;
	return cfg;
}

static const struct sim_channel lossy = {
    .loss_permille = 150, .dup_permille = 80, .delay_min_ms = 5, .delay_max_ms = 120};

static void record(struct sim *s, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->digest = s->lac_digest;
	o->now = s->now;
	o->lac_sent = s->lac_sent;
	o->lns_sent = s->lns_sent;
	o->nevents = s->nevents;
	memcpy(o->events, s->events, sizeof(o->events));
	o->stats = *l2tp_lac_stats(s->lac);
	o->finished = l2tp_lac_finished(s->lac);
}

/* Connection A on the given LAC (NULL: a new one); returns the LAC for more use. */
static struct l2tp_lac *run_a(struct l2tp_lac *lac, uint64_t seed, struct outcome *o)
{
	struct l2tp_lac_config cfg = config_a();
	struct mini_lns_script script = {.secret = "reset-secret",
					 .challenge_lac = true,
					 .window = 3,
					 .sli_wen_after_iccn = true,
					 .hello_after_iccn = true};
	struct sim s;
	sim_init_reusing(&s, lac, seed % 3 ? 0 : 150, seed, &cfg, &script, &lossy, 1701 + seed % 2);
	s.close_on_session_up = seed % 4 == 0;
	sim_run(&s, 20000, -1);
	record(&s, o);
	return sim_detach(&s);
}

/* Connection B, interrupted at a seed-dependent moment: the LAC in whatever state that leaves it. */
static struct l2tp_lac *dirty_lac(uint64_t seed)
{
	static const struct mini_lns_script scripts[] = {
	    {.window = 8, .sli_wen_after_iccn = true},
	    {.refuse_result = 2},
	    {.window = 1, .cdn_after_iccn = true},
	    {.window = 2, .silent_after_scccn = true},
	    {.stopccn_after_iccn = true},
	};
	struct l2tp_lac_config cfg = config_b(seed);
	struct mini_lns_script script = scripts[seed % 5];
	if (cfg.secret_len) {
		script.secret = "another-longer-secret-b";
		script.challenge_lac = true;
	}
	struct sim s;
	sim_init_reusing(&s, NULL, seed % 2 ? 100 : 0, seed + 1000, &cfg, &script, &lossy, 4000);
	s.manual_confirm = seed % 7 == 0;
	sim_run(&s, (seed * 397) % 6000, -1);
	return sim_detach(&s);
}

static bool same(const struct outcome *a, const struct outcome *b, uint64_t seed)
{
	bool ok = a->digest == b->digest && a->now == b->now && a->lac_sent == b->lac_sent &&
		  a->lns_sent == b->lns_sent && a->nevents == b->nevents && a->finished == b->finished &&
		  !memcmp(a->events, b->events, sizeof(a->events)) &&
		  !memcmp(&a->stats, &b->stats, sizeof(a->stats));
	if (!ok)
		fprintf(stderr, "seed %llu: reset LAC differs: sent %u/%u, events %u/%u, finished %d/%d\n",
			(unsigned long long)seed, a->lac_sent, b->lac_sent, a->nevents, b->nevents,
			a->finished, b->finished);
	return ok;
}

static void test_reset_behaves_like_new(void)
{
	unsigned differing = 0, up = 0;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		struct outcome fresh, reused;
		l2tp_lac_free(run_a(NULL, seed, &fresh));
		l2tp_lac_free(run_a(dirty_lac(seed), seed, &reused));
		differing += !same(&fresh, &reused, seed);
		for (unsigned i = 0; i < fresh.nevents; i++)
			up += fresh.events[i].type == L2TP_EVENT_SESSION_UP;
	}
	CHECK_INT(differing, 0);
	CHECK(up > SEEDS / 2); /* the comparison covered whole connections, not only failures */
}

/* One LAC through many connections in a row, each like a fresh LAC's. */
static void test_reset_again_and_again(void)
{
	struct l2tp_lac *lac = NULL;
	unsigned differing = 0;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct outcome fresh, reused;
		l2tp_lac_free(run_a(NULL, seed, &fresh));
		lac = run_a(lac, seed, &reused);
		differing += !same(&fresh, &reused, seed);
	}
	CHECK_INT(differing, 0);
	l2tp_lac_free(lac);
}

static void test_reset_refuses_bad_config(void)
{
	struct l2tp_lac *lac = dirty_lac(3);
	struct l2tp_lac_config cfg = config_a();
	struct l2tp_lac_ops ops = {0};
	char err[128] = "";
	CHECK(!l2tp_lac_reset(lac, &cfg, &ops, NULL, err, sizeof(err))); /* no send callback */
	CHECK(strstr(err, "send callback") != NULL);
	cfg.rx_window = 0;
	err[0] = 0;
	CHECK(!l2tp_lac_reset(lac, &cfg, &ops, NULL, err, sizeof(err)));
	CHECK(err[0] != 0);
	/* Still usable: reset properly, it runs connection A like a new LAC. */
	struct outcome fresh, reused;
	l2tp_lac_free(run_a(NULL, 5, &fresh));
	l2tp_lac_free(run_a(lac, 5, &reused));
	CHECK(same(&fresh, &reused, 5));
}

int main(void)
{
	RUN(test_reset_behaves_like_new);
	RUN(test_reset_again_and_again);
	RUN(test_reset_refuses_bad_config);
	return check_summary();
}
