# summary: lab self-test: classic stack with xl2tpd's userspace (pty) data path
topo_basic
gw_start
capture_start gw eth0
classic_connect userspace
on cl ip route add 10.20.0.0/24 dev ppp0
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
capture_stop gw
assert_wire_encrypted plain
assert_transport_sas cl
grep -q 'Using l2tp kernel support' "$LAB_LOGS/xl2tpd-cl.log" && fail "xl2tpd on the client used the kernel path, expected userspace"
pass "classic client, userspace data path"
