# summary: our vici client behind the masquerading router: NAT-T (IKE on UDP 4500, ESP-in-UDP transport SAs), no leftovers
# shellcheck disable=SC2154
source "$LAB_SRC/tests/lab/scenarios/ipsec-common.sh"
topo_nat
gw_ipsec_start
charon_start cl
ipsec_tool_up --local-address 192.168.77.2 --probe
ipsec_assert_up_transport
grep -q "child_encap=yes" "$IPSEC_OUT" || fail "CHILD_SA not UDP-encapsulated behind NAT"
grep -q "remote_ike_port=4500 nat=yes" "$IPSEC_OUT" || fail "IKE did not move to UDP 4500 behind NAT"
assert_transport_sas cl nat
ipsec_assert_probe_encrypted 192.168.77.2 172.31.0.3
ipsec_tool_down
ipsec_assert_nothing_left
pass "our client behind NAT: NAT-T, ESP-in-UDP transport SAs ($IPSEC_ALGS), no leftovers"
