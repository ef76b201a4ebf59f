# summary: gateway switches: PAP, no length bit, gateway's xl2tpd in userspace mode, delay+reordering on the link (netem)
LAB_GW_AUTH=pap
LAB_GW_LENGTH=no
LAB_GW_L2TP_USERSPACE=yes
topo_basic
link_netem "delay 10ms reorder 25% 50%"
gw_start
classic_connect kernel
assert_ping cl "$LAB_GW_PPP_IP"
assert_ppp_auth pap
grep -q 'Not looking for kernel support' "$LAB_LOGS/xl2tpd-gw.log" || fail "the gateway's xl2tpd is not in userspace mode"
pass "PAP through a userspace LNS over a delaying, reordering link"
