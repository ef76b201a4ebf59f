# summary: gateway switch LAB_WRONG=password: IPsec and L2TP come up, the gateway refuses the PPP password
LAB_WRONG=password
topo_basic
gw_start
classic_ipsec_load
classic_ipsec_up || fail "IPsec failed, but only the password is wrong"
classic_l2tp_start kernel
classic_l2tp_dial
wait_until 30 "MS-CHAP refusal" grep -qF 'sent [CHAP Failure' "$LAB_LOGS/pppd-gw.log" ||
	fail "the gateway did not refuse the wrong password (no CHAP Failure in pppd-gw.log)"
[[ -z $(ifaddr cl ppp0) ]] || fail "ppp0 got an address with a wrong password"
log "gateway refused the wrong password: $(grep -F 'sent [CHAP Failure' "$LAB_LOGS/pppd-gw.log" | head -n 1)"
pass "wrong password refused by the gateway"
