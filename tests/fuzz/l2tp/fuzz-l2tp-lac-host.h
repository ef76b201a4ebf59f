/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LAC fuzz target's host side: the LAC's callbacks (checking what it sends
 * and reports) and time passing. Built without libFuzzer's compare tracing (see
 * meson.build): nothing here compares input bytes.
 */
#ifndef FUZZ_L2TP_LAC_HOST_H
#define FUZZ_L2TP_LAC_HOST_H

#include "l2tp.h"
#include "l2tp-codec.h"

struct harness {
	struct l2tp_lac *lac;
	uint64_t now;
	uint32_t rng;
	uint16_t our_tunnel_id, expect_ns, next_nr;
	uint8_t challenge[64];
	uint16_t challenge_len;
	bool auto_confirm;
	struct l2tp_secret secret;
	unsigned seen[L2TP_EVENT_FINISHED + 1]; /* events reported, by type */
};

/* The callbacks, with a struct harness as their context. */
struct l2tp_lac_ops harness_ops(void);
/* Lets delta ms pass, running the LAC's timers when they fall due. */
void harness_advance(struct harness *h, uint64_t delta);

#endif
