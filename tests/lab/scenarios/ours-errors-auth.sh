# summary: our client with a wrong PSK, then a wrong PPP password: named errors (ipsec-auth, ppp-auth) within 30 s, nothing left behind
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
topo_basic
gw_start
charon_start cl
ours_snapshot
# charon's verdict on a wrong PSK comes at its initiate timeout (IKEv1 main mode has no refusal).

LAB_WRONG=psk ours_profile lab
ours_expect_failure "wrong PSK" ipsec-auth 10
LAB_WRONG=password ours_profile lab
ours_expect_failure "wrong password" ppp-auth 14
grep -qF 'sent [CHAP Failure' "$LAB_LOGS/pppd-gw.log" || fail "the gateway never refused the password"
pass "wrong PSK and wrong password: two distinct named errors, nothing left behind"
