# summary: SIGKILL of our client while connected leaves state behind; the next up removes it first and connects again; down leaves nothing
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
ours_lab_setup lab
ours_connect
# The l2tp-vpn process itself (OURS_PID may be nsenter's): its pid is in its own run record.
victim=$(on cl sed -n 's/^pid=//p' /run/l2tp-vpn/lab/state)
[[ -n $victim ]] || fail "no pid in /run/l2tp-vpn/lab/state"
kill -KILL "$victim"
wait_until 20 "l2tp-vpn $victim dies" bash -c "! kill -0 $victim 2>/dev/null || grep -q '^State:.*Z' /proc/$victim/status" ||
	fail "l2tp-vpn $victim survived SIGKILL"
wait "$OURS_PID" 2>/dev/null || true
on cl test -f /run/l2tp-vpn/lab/state || fail "the killed run left no record"
[[ -n $(on cl ip xfrm state) ]] || fail "nothing to recover: the SAs vanished with the process"
log "killed l2tp-vpn up (SIGKILL) while connected: its SAs, routes, DNS and pppd are left over"
ours_connect
grep -q '^recovered: ' "$OURS_LOG" || fail "the second up did not report recovering the first one's leftovers"
assert_ping cl "$LAB_GW_PPP_IP"
n=$(on cl swanctl --list-conns | grep -c '^l2tp-vpn-' || true)
((n == 1)) || fail "charon holds $n conns of ours after recovery (expected 1): $(on cl swanctl --list-conns)"
ours_down
ours_assert_clean "after crash, recovery and down"
pass "SIGKILL while connected: the next up recovered and connected, down left nothing"
