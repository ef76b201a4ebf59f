# summary: our client against a gateway requiring CHAP, then PAP (MS-CHAPv2: ours-connect): connects, pings, no secret in /proc while up, nothing left after down
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
ours_lab_setup lab
for method in chap pap; do
	LAB_GW_AUTH=$method
	gw_ppp_options_write
	: >"$LAB_LOGS/pppd-gw.log"
	ours_connect
	assert_ppp_auth "$method"
	assert_ping cl "$LAB_GW_PPP_IP"
	assert_no_secrets_in_proc
	ours_down
	ours_assert_clean "after $method"
done
pass "CHAP and PAP gateways accept our client"
