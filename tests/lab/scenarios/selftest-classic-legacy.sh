# summary: gateway switches: legacy proposals (3des-sha1-modp1024 only) with PFS, CHAP, L2TP tunnel secret, hidden AVPs
LAB_GW_PROPOSALS=legacy
LAB_GW_PFS=yes
LAB_GW_AUTH=chap
LAB_GW_L2TP_SECRET=lab-tunnel-secret
LAB_GW_HIDDEN=yes
topo_basic
gw_start
classic_connect kernel
assert_ping cl "$LAB_GW_PPP_IP"
assert_esp_algorithm 'cbc(des3_ede)'
grep -q 'PFS' "$LAB_LOGS/charon-gw.log" || grep -q 'MODP_1024' "$LAB_LOGS/charon-gw.log" || fail "no PFS group in the quick mode"
assert_ppp_auth chap
pass "legacy gateway with PFS, CHAP, tunnel authentication and hidden AVPs"
