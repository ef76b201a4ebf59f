# summary: lab self-test: classic stack (swanctl + xl2tpd kernel mode + pppd) through the gateway
topo_basic
gw_start
classic_selftest kernel plain
grep -q 'Using l2tp kernel support' "$LAB_LOGS/xl2tpd-cl.log" || fail "xl2tpd on the client did not use the kernel data path"
pass "classic client, kernel data path"
