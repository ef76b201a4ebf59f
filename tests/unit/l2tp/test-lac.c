// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LAC FSM behaviour over a perfect channel (no loss, fixed delay), one
 * scenario per test: the happy path and its IDs and ports, tunnel
 * authentication both ways and its failures, LNS refusals worded as the issue
 * demands, CDN/StopCCN from the LNS, our own close being acknowledged,
 * unknown mandatory AVPs, framing choice, HELLO, SLI/WEN, hidden AVPs, and
 * the kernel hook point (ICCN only after l2tp_lac_session_confirm()).
 */
#include "check.h"
#include "sim.h"

static const struct sim_channel perfect = {.delay_min_ms = 5, .delay_max_ms = 5};

static struct l2tp_lac_config base_config(void)
{
	struct l2tp_lac_config cfg;
	l2tp_lac_config_defaults(&cfg);
	cfg.host_name = "test-lac";
	return cfg;
}

static void test_happy_path_ids_and_new_port(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.window = 4};
	sim_init(&s, 1, &cfg, &script, &perfect, 40000);
	sim_run(&s, 10000, L2TP_EVENT_SESSION_UP);
	const struct sim_event *up = sim_event(&s, L2TP_EVENT_TUNNEL_UP);
	const struct sim_event *ready = sim_event(&s, L2TP_EVENT_SESSION_READY);
	const struct sim_event *sup = sim_event(&s, L2TP_EVENT_SESSION_UP);
	CHECK(up && ready && sup);
	if (up && ready && sup) {
		CHECK_INT(up->peer_tunnel_id, s.lns.tunnel_id);
		CHECK_INT(up->our_tunnel_id, s.lns.lac_tunnel_id);
		CHECK(up->our_tunnel_id != 0);
		CHECK_INT(up->peer_port, 40000); /* followed the LNS's new source port */
		CHECK_INT(ready->peer_session_id, s.lns.session_id);
		CHECK_INT(ready->our_session_id, s.lns.lac_session_id);
		CHECK_INT(sup->peer_session_id, s.lns.session_id);
		CHECK(up->at < ready->at && ready->at <= sup->at);
	}
	CHECK_INT(s.lac_sent_wrong_port, 0);
	CHECK_INT(s.lns.received[L2TP_MSG_SCCCN], 1);
	CHECK_INT(s.lns.received[L2TP_MSG_ICCN], 1);
	CHECK_INT(s.lns.iccn_framing_type, L2TP_FRAMING_SYNC);
	CHECK(!s.lns.iccn_has_rx_speed); /* off by default (WatchGuard) */
	CHECK_INT(s.lns.parse_errors, 0);
	sim_free(&s);
}

/* The host creates the kernel session between SESSION_READY and confirm: ICCN must wait for it. */
static void test_iccn_waits_for_confirm(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {0};
	sim_init(&s, 2, &cfg, &script, &perfect, 1701);
	s.manual_confirm = true;
	sim_run(&s, 5000, -1);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_READY) != NULL);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) == NULL);
	CHECK_INT(s.lns.received[L2TP_MSG_ICCN], 0);
	CHECK(l2tp_lac_session_confirm(s.lac, s.now));
	CHECK(!l2tp_lac_session_confirm(s.lac, s.now)); /* only once */
	sim_run(&s, s.now + 1000, L2TP_EVENT_SESSION_UP);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL);
	CHECK_INT(s.lns.received[L2TP_MSG_ICCN], 1);
	sim_free(&s);
}

static void test_mutual_challenge(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.secret = (const uint8_t *)"tunnel-secret";
	cfg.secret_len = 13;
	struct mini_lns_script script = {.secret = "tunnel-secret", .challenge_lac = true};
	sim_init(&s, 3, &cfg, &script, &perfect, 1701);
	sim_run(&s, 10000, L2TP_EVENT_SESSION_UP);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL);
	CHECK_INT(s.lns.stopccn_result, 0);
	sim_free(&s);
}

static void test_lns_wrong_challenge_response_refused(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.secret = (const uint8_t *)"tunnel-secret";
	cfg.secret_len = 13;
	struct mini_lns_script script = {.secret = "tunnel-secret", .answer_secret = "other-secret"};
	sim_init(&s, 4, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down != NULL);
	CHECK(sim_event(&s, L2TP_EVENT_TUNNEL_UP) == NULL);
	if (down) {
		CHECK_INT(down->cause, L2TP_CAUSE_AUTH);
		CHECK_STR(down->reason,
			  "LNS failed tunnel authentication: wrong Challenge Response (shared secret "
			  "differs)");
	}
	CHECK_INT(s.lns.received[L2TP_MSG_SCCCN], 0);
	CHECK_INT(s.lns.stopccn_result, L2TP_STOPCCN_NOT_AUTHORIZED); /* we told the LNS why */
	const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
	CHECK(fin && fin->stopccn_acked);
	sim_free(&s);
}

static void test_lns_without_secret_refused(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.secret = (const uint8_t *)"tunnel-secret";
	cfg.secret_len = 13;
	struct mini_lns_script script = {0}; /* does not answer our Challenge */
	sim_init(&s, 5, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down && down->cause == L2TP_CAUSE_AUTH);
	CHECK(sim_event(&s, L2TP_EVENT_TUNNEL_UP) == NULL);
	sim_free(&s);
}

static void test_lns_challenges_but_we_have_no_secret(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.secret = "x", .challenge_lac = true};
	sim_init(&s, 6, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down != NULL);
	if (down)
		CHECK_STR(
		    down->reason,
		    "LNS requires tunnel authentication (sent a Challenge) but no secret is configured");
	sim_free(&s);
}

static void test_refusal_worded(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.refuse_result = L2TP_STOPCCN_NOT_AUTHORIZED};
	sim_init(&s, 7, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, L2TP_EVENT_TUNNEL_DOWN);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down != NULL);
	if (down) {
		CHECK_STR(down->reason, "LNS refused tunnel: not authorized (StopCCN result 4)");
		CHECK_INT(down->cause, L2TP_CAUSE_AUTH);
		CHECK_INT(down->result_code, 4);
	}
	/* It lingers to re-ACK the StopCCN (~31 s), then finishes. */
	CHECK(!l2tp_lac_finished(s.lac));
	uint64_t t = s.now;
	sim_run(&s, 100000, -1);
	const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
	CHECK(fin && fin->at >= t + 31000 && fin->at <= t + 31100);
	sim_free(&s);
}

static void test_refusal_to_tunnel_zero(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.refuse_result = L2TP_STOPCCN_BAD_VERSION,
					 .refuse_with_tunnel_zero = true};
	sim_init(&s, 16, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, L2TP_EVENT_TUNNEL_DOWN);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(down && down->cause == L2TP_CAUSE_PEER_STOPCCN);
	if (down)
		CHECK_STR(down->reason,
			  "LNS refused tunnel: protocol version not supported (StopCCN result 5)");
	sim_run(&s, s.now + 500, -1);
	CHECK(l2tp_rel_all_acked(&s.lns.rel)); /* our ACK reached it, addressed by its Assigned Tunnel ID */
	sim_free(&s);
}

static void test_lns_clears_call_after_iccn(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.cdn_after_iccn = true};
	sim_init(&s, 8, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, -1);
	const struct sim_event *sdown = sim_event(&s, L2TP_EVENT_SESSION_DOWN);
	const struct sim_event *tdown = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
	CHECK(sdown && tdown && fin);
	if (sdown) {
		CHECK_INT(sdown->cause, L2TP_CAUSE_PEER_CDN);
		CHECK_STR(sdown->reason,
			  "LNS cleared the call: call disconnected for the reason in the error code "
			  "(CDN result 2, error 6: vendor-specific error): \"pppd failed\"");
	}
	CHECK(fin && fin->stopccn_acked); /* we then closed the tunnel and the LNS acknowledged */
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 1);
	CHECK_INT(s.lns.received[L2TP_MSG_CDN], 0); /* never answer a CDN with a CDN */
	sim_free(&s);
}

static void test_lns_stopccn_after_iccn(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.stopccn_after_iccn = true};
	sim_init(&s, 9, &cfg, &script, &perfect, 1701);
	sim_run(&s, 100000, -1);
	const struct sim_event *sdown = sim_event(&s, L2TP_EVENT_SESSION_DOWN);
	const struct sim_event *tdown = sim_event(&s, L2TP_EVENT_TUNNEL_DOWN);
	CHECK(sdown && tdown);
	if (tdown)
		CHECK_STR(tdown->reason, "LNS closed tunnel: LNS is being shut down (StopCCN result 6)");
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 0);
	CHECK(l2tp_rel_all_acked(&s.lns.rel)); /* the StopCCN was acknowledged */
	sim_free(&s);
}

static void test_our_close_acked(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {0};
	sim_init(&s, 10, &cfg, &script, &perfect, 1701);
	s.close_on_session_up = true;
	sim_run(&s, 60000, -1);
	const struct sim_event *fin = sim_event(&s, L2TP_EVENT_FINISHED);
	CHECK(fin && fin->stopccn_acked && fin->cause == L2TP_CAUSE_LOCAL);
	CHECK(fin && fin->at < 1000);
	CHECK_INT(s.lns.received[L2TP_MSG_CDN], 1);
	CHECK_INT(s.lns.cdn_result, L2TP_CDN_ADMIN);
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 1);
	CHECK_INT(s.lns.stopccn_result, L2TP_STOPCCN_CLEAR);
	sim_free(&s);
}

static void test_unknown_mandatory_avp_clears(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	struct mini_lns_script script = {.unknown_m_avp_in_icrp = true};
	sim_init(&s, 11, &cfg, &script, &perfect, 1701);
	sim_run(&s, 60000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_SESSION_DOWN);
	CHECK(down != NULL);
	if (down)
		CHECK_STR(down->reason,
			  "LNS sent ICRP with an unrecognised mandatory AVP (vendor 311, type 99)");
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_READY) == NULL);
	CHECK_INT(s.lns.received[L2TP_MSG_CDN], 1);
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 1);
	sim_free(&s);
}

static void test_async_only_framing(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.send_rx_connect_speed = true;
	struct mini_lns_script script = {.framing_caps = L2TP_FRAMING_ASYNC};
	sim_init(&s, 12, &cfg, &script, &perfect, 1701);
	sim_run(&s, 10000, L2TP_EVENT_SESSION_UP);
	CHECK_INT(s.lns.iccn_framing_type, L2TP_FRAMING_ASYNC);
	CHECK(s.lns.iccn_has_rx_speed);
	sim_free(&s);
}

#define AVP_BIT(t) (UINT64_C(1) << (t))

/*
 * With hiding on, every AVP RFC 2661 §4.4 lets be hidden is, in tunnel and
 * session messages alike, from SCCCN on (the LNS proved the secret in SCCRP);
 * SCCRQ stays plain (the LNS finds the secret by our Host Name), and the
 * "MUST NOT be hidden" ones (Result Code, ...) never are.
 */
static void test_hidden_avps_to_lns(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.secret = (const uint8_t *)"hide-me";
	cfg.secret_len = 7;
	cfg.hide_avps = true;
	cfg.send_rx_connect_speed = true;
	struct mini_lns_script script = {.secret = "hide-me", .challenge_lac = true};
	sim_init(&s, 13, &cfg, &script, &perfect, 1701);
	s.close_on_session_up = true; /* CDN and StopCCN follow */
	sim_run(&s, 10000, L2TP_EVENT_FINISHED);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL);
	CHECK(sim_event(&s, L2TP_EVENT_FINISHED) != NULL);
	CHECK_INT(s.lns.parse_errors, 0);
	CHECK_INT(s.lns.hidden[L2TP_MSG_SCCRQ], 0);
	CHECK(!s.lns.had_vector[L2TP_MSG_SCCRQ]);
	CHECK_INT(s.lns.hidden[L2TP_MSG_SCCCN], AVP_BIT(L2TP_AVP_CHALLENGE_RESPONSE));
	CHECK_INT(s.lns.hidden[L2TP_MSG_ICRQ], AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID) | AVP_BIT(L2TP_AVP_CALL_SERIAL));
	CHECK_INT(s.lns.hidden[L2TP_MSG_ICCN], AVP_BIT(L2TP_AVP_TX_CONNECT_SPEED) | AVP_BIT(L2TP_AVP_FRAMING_TYPE) |
						 AVP_BIT(L2TP_AVP_RX_CONNECT_SPEED));
	CHECK_INT(s.lns.iccn_framing_type, L2TP_FRAMING_SYNC);
	CHECK_INT(s.lns.received[L2TP_MSG_CDN], 1);
	CHECK_INT(s.lns.hidden[L2TP_MSG_CDN], AVP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID));
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 1);
	CHECK_INT(s.lns.hidden[L2TP_MSG_STOPCCN], AVP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID));
	CHECK_INT(s.lns.stopccn_result, L2TP_STOPCCN_CLEAR);
	sim_free(&s);
}

/* A StopCCN refusing an SCCRP whose Challenge Response was wrong is not hidden: the secrets differ. */
static void test_refusal_not_hidden(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.secret = (const uint8_t *)"hide-me";
	cfg.secret_len = 7;
	cfg.hide_avps = true;
	struct mini_lns_script script = {.secret = "hide-me", .answer_secret = "other-secret"};
	sim_init(&s, 14, &cfg, &script, &perfect, 1701);
	sim_run(&s, 10000, L2TP_EVENT_FINISHED);
	CHECK(sim_event(&s, L2TP_EVENT_TUNNEL_UP) == NULL);
	CHECK_INT(s.lns.received[L2TP_MSG_STOPCCN], 1);
	CHECK_INT(s.lns.hidden[L2TP_MSG_STOPCCN], 0);
	CHECK(!s.lns.had_vector[L2TP_MSG_STOPCCN]);
	CHECK_INT(s.lns.stopccn_result, L2TP_STOPCCN_NOT_AUTHORIZED);
	sim_free(&s);
}

static void test_hello_after_quiet_period_and_sli_wen(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.hello_interval_ms = 60000;
	struct mini_lns_script script = {.sli_wen_after_iccn = true, .hello_after_iccn = true};
	sim_init(&s, 14, &cfg, &script, &perfect, 1701);
	sim_run(&s, 1000, -1);
	CHECK(sim_event(&s, L2TP_EVENT_SESSION_UP) != NULL);
	CHECK(l2tp_rel_all_acked(&s.lns.rel)); /* SLI, WEN and HELLO acknowledged */
	CHECK_INT(s.lns.received[L2TP_MSG_HELLO], 0);
	sim_run(&s, 60000, -1);
	CHECK_INT(s.lns.received[L2TP_MSG_HELLO], 0); /* not before 60 s of quiet */
	sim_run(&s, 61100, -1);
	CHECK_INT(s.lns.received[L2TP_MSG_HELLO], 1);
	sim_run(&s, 200000, -1);
	CHECK_INT(s.lns.received[L2TP_MSG_HELLO], 3);
	CHECK(sim_event(&s, L2TP_EVENT_TUNNEL_DOWN) == NULL);
	sim_free(&s);
}

static void test_setup_timeout(void)
{
	struct sim s;
	struct l2tp_lac_config cfg = base_config();
	cfg.setup_timeout_ms = 20000;
	struct mini_lns_script script = {0};
	sim_init(&s, 15, &cfg, &script, &perfect, 1701);
	s.manual_confirm = true; /* the host never finishes its kernel work */
	sim_run(&s, 60000, -1);
	const struct sim_event *down = sim_event(&s, L2TP_EVENT_SESSION_DOWN);
	CHECK(down && down->cause == L2TP_CAUSE_TIMEOUT);
	if (down)
		CHECK_STR(down->reason,
			  "L2TP setup did not complete within 20.0 s (waiting for the kernel session "
			  "(l2tp_lac_session_confirm))");
	CHECK_INT(s.lns.cdn_result, L2TP_CDN_TIMEOUT);
	sim_free(&s);
}

static void never_send(void *ctx, const uint8_t *data, size_t len, const struct sockaddr *to, socklen_t tolen)
{
	CHECK(!"a LAC that failed validation sent something");
}

static void test_config_validation(void)
{
	char err[128];
	struct l2tp_lac_config cfg = base_config();
	struct l2tp_lac_ops ops = {0};
	CHECK(l2tp_lac_new(&cfg, &ops, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "L2TP settings: no send callback");
	cfg.hide_avps = true;
	ops.send = never_send;
	CHECK(l2tp_lac_new(&cfg, &ops, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "L2TP settings: hiding AVPs needs a shared secret");
	cfg = base_config();
	cfg.host_name = "";
	CHECK(l2tp_lac_new(&cfg, &ops, NULL, err, sizeof(err)) == NULL);
}

int main(void)
{
	RUN(test_happy_path_ids_and_new_port);
	RUN(test_iccn_waits_for_confirm);
	RUN(test_mutual_challenge);
	RUN(test_lns_wrong_challenge_response_refused);
	RUN(test_lns_without_secret_refused);
	RUN(test_lns_challenges_but_we_have_no_secret);
	RUN(test_refusal_worded);
	RUN(test_refusal_to_tunnel_zero);
	RUN(test_lns_clears_call_after_iccn);
	RUN(test_lns_stopccn_after_iccn);
	RUN(test_our_close_acked);
	RUN(test_unknown_mandatory_avp_clears);
	RUN(test_async_only_framing);
	RUN(test_hidden_avps_to_lns);
	RUN(test_refusal_not_hidden);
	RUN(test_hello_after_quiet_period_and_sli_wen);
	RUN(test_setup_timeout);
	RUN(test_config_validation);
	return check_summary();
}
