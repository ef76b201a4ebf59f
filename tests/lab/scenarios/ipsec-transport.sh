# summary: our vici client (client/ipsec, l2tp-vpn-ipsec) brings up the ESP transport SA with the lab gateway, survives a swanctl --load-all, leaves nothing behind
# Needs the build dir (tests/lab/lab run --build BUILD ipsec-transport).
# shellcheck disable=SC2154
source "$LAB_SRC/tests/lab/scenarios/ipsec-common.sh"
topo_basic
gw_ipsec_start
charon_start cl
ipsec_tool_up --local-address 172.31.0.2 --probe
ipsec_assert_up_transport
assert_transport_sas cl
# The selector comes from the socket's real port: the kernel policy names it.
# (Captured first: grep -q closing a pipe early would trip pipefail.)
policy=$(on cl ip xfrm policy)
grep -q "sport $IPSEC_PORT dport 1701" <<<"$policy" || fail "no xfrm policy for udp $IPSEC_PORT -> 1701: $policy"
# A reload that unloads vici conns (Debian's ExecReload) must be noticed and repaired.
on cl swanctl --load-all >>"$LAB_LOGS/swanctl-cl.log" 2>&1
ipsec_wait_output 20 "EVENT .* conn-restored" || fail "the vanished conn was not restored"
conns=$(on cl swanctl --list-conns)
grep -q "$IPSEC_CONN" <<<"$conns" || fail "conn $IPSEC_CONN not back in charon"
ipsec_assert_probe_encrypted 172.31.0.2 172.31.0.2
ipsec_tool_down
ipsec_assert_nothing_left
pass "our client: TRANSPORT SA ($IPSEC_ALGS), conn restored after reload, no leftovers"
