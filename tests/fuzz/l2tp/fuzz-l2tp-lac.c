// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the whole LAC (reliable delivery + tunnel and session FSMs)
 * fed arbitrary datagrams, interleaved with time passing and host calls.
 *
 * Input: one settings byte, then up to 24 records [ctl][len hi][len lo][datagram].
 *   settings bit 0: shared secret; bit 1: hide AVPs; bit 2: Rx Connect Speed;
 *            bit 3: do not confirm SESSION_READY from the event; bit 4: at the
 *            end, let 100 s pass (every timer runs out).
 *   ctl bit 0: rewrite the header's tunnel ID to ours; bit 1: rewrite Ns/Nr
 *       to what the LAC expects/has sent, and any Challenge Response AVP to
 *       the right answer (so the fuzzer reaches the states behind them);
 *       bits 2-4: time to let pass before the datagram (0 ms .. 70 s, timers
 *       run); bit 5: datagram from a different source port; bit 6: call
 *       l2tp_lac_close() first; bit 7: call l2tp_lac_session_confirm() first.
 */
#include "fuzz-l2tp-lac-host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Puts the right answer into any Challenge Response AVP (16-byte value). */
static void fix_challenge_response(struct harness *h, uint8_t *m, size_t len)
{
	size_t off = L2TP_CTRL_HDR_LEN;
	while (off + 6 <= len) {
		size_t alen = (size_t)(m[off] & 0x03) << 8 | m[off + 1];
		if (alen < 6 || off + alen > len)
			return;
		if (m[off + 2] == 0 && m[off + 3] == 0 && m[off + 4] == 0 && m[off + 5] == 13 && alen == 22 &&
		    h->secret.len)
			l2tp_challenge_response(L2TP_MSG_SCCRP, &h->secret, h->challenge, h->challenge_len,
						m + off + 6);
		off += alen;
	}
}

static void feed(struct harness *h, uint8_t ctl, uint8_t *m, size_t len)
{
	static const uint64_t steps[8] = {0, 1, 10, 100, 1000, 5000, 40000, 70000};
	struct sockaddr_in from = {
	    .sin_family = AF_INET, .sin_port = htons(1701), .sin_addr.s_addr = htonl(0x7f000001)};
	harness_advance(h, steps[(ctl >> 2) & 7]);
	if (ctl & 0x40)
		l2tp_lac_close(h->lac, h->now, "fuzz");
	if (ctl & 0x80)
		l2tp_lac_session_confirm(h->lac, h->now);
	if ((ctl & 1) && len >= 6) {
		m[4] = (uint8_t)(h->our_tunnel_id >> 8);
		m[5] = (uint8_t)h->our_tunnel_id;
	}
	if ((ctl & 2) && len >= L2TP_CTRL_HDR_LEN) {
		l2tp_header_set_seq(m, h->expect_ns, h->next_nr);
		fix_challenge_response(h, m, len);
	}
	if (ctl & 0x20)
		from.sin_port = htons(4242);
	l2tp_lac_input(h->lac, h->now, m, len, (struct sockaddr *)&from, sizeof(from));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	struct harness h = {.rng = 1};
	struct l2tp_lac_config cfg;
	char err[128];
	if (size < 1)
		return 0;
	l2tp_lac_config_defaults(&cfg);
	if (data[0] & 1) {
		cfg.secret = (const uint8_t *)"fuzz-secret";
		cfg.secret_len = 11;
		cfg.hide_avps = data[0] & 2;
		h.secret = (struct l2tp_secret){cfg.secret, cfg.secret_len};
	}
	cfg.send_rx_connect_speed = data[0] & 4;
	h.auto_confirm = !(data[0] & 8);
	struct l2tp_lac_ops ops = harness_ops();
	/* One LAC per process, reset for each input (as new as l2tp_lac_new()'s, see test-reset.c): a
	 * fresh allocation of it and its message ring per input cost ASan's allocator a fifth of the time. */
	static struct l2tp_lac *lac;
	if (!lac)
		lac = l2tp_lac_new(&cfg, &ops, &h, err, sizeof(err));
	else if (!l2tp_lac_reset(lac, &cfg, &ops, &h, err, sizeof(err)))
		abort();
	if (!lac)
		abort();
	h.lac = lac;
	/* Half the inputs start as under a fresh IPsec SA: SCCRQ restarted after 200 ms without SCCRP. */
	l2tp_lac_set_sccrq_restart(h.lac, data[0] & 0x20 ? 200 : 0);
	struct sockaddr_in lns = {
	    .sin_family = AF_INET, .sin_port = htons(1701), .sin_addr.s_addr = htonl(0x7f000001)};
	l2tp_lac_start(h.lac, 0, (struct sockaddr *)&lns, sizeof(lns));
	size_t off = 1;
	/* A whole connection's life takes about ten datagrams; longer inputs only cost speed. */
	for (int records = 0; records < 24 && off + 3 <= size && !l2tp_lac_finished(h.lac); records++) {
		uint8_t ctl = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		memcpy(buf, data + off, len);
		off += len;
		feed(&h, ctl, buf, len);
	}
	if (data[0] & 0x10)
		harness_advance(&h, 100000);
	if (l2tp_lac_finished(h.lac) && l2tp_lac_deadline(h.lac) != L2TP_NO_DEADLINE)
		abort();
	/* Messages queued out of order are the LAC's only allocations besides its ring: freed within the
	 * input that made them, or libFuzzer's leak detection would rerun the input to look for a leak. */
	if (l2tp_lac_stats(lac)->queued_out_of_order)
		l2tp_lac_reset(lac, &cfg, &ops, &h, err, sizeof(err));
	return 0;
}
