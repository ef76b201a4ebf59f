# summary: lab self-test: classic stack behind a masquerading router (NAT-T, ESP in UDP 4500)
topo_nat
gw_start
capture_start gw eth0
classic_connect kernel
on cl ip route add 10.20.0.0/24 dev ppp0
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
capture_stop gw
assert_wire_encrypted nat
assert_transport_sas cl nat
pass "classic client behind NAT"
