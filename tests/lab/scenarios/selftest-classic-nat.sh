# summary: lab self-test: classic stack behind a masquerading router (NAT-T, ESP in UDP 4500)
topo_nat
gw_start
classic_selftest kernel nat
pass "classic client behind NAT"
