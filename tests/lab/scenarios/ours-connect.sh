# summary: our client (l2tp-vpn up/down) through the lab gateway, PSK + MS-CHAPv2: ping across, ESP on the wire and never plain L2TP from us, status, then zero leftovers
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
topo_basic
gw_start
charon_start cl
ours_snapshot
on cl "${OURS_CLI[@]}" doctor >"$LAB_LOGS/ours-doctor.log" 2>&1 || fail "doctor found problems: $(grep -A1 '^problem' "$LAB_LOGS/ours-doctor.log")"
log "doctor: $(tail -n 1 "$LAB_LOGS/ours-doctor.log")"
ours_profile lab
capture_start gw eth0
ours_connect
[[ $OURS_IF == l2tp-lab ]] || fail "unexpected interface $OURS_IF"
grep -q ' dns 10.20.0.53' "$OURS_LOG" || fail "the gateway's DNS server is not in the connected line"
grep -q "^nameserver $LAB_PPP_DNS" "$OURS_RESOLV" || fail "resolv.conf does not name the tunnel's DNS: $(cat "$OURS_RESOLV")"
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
assert_no_secrets_in_proc
ours_capture_stop
ours_assert_wire
assert_transport_sas cl
assert_ppp_auth mschapv2
on cl "${OURS_CLI[@]}" status lab --json >"$LAB_LOGS/ours-status.json" 2>&1 || fail "status failed: $(cat "$LAB_LOGS/ours-status.json")"
grep -q '"state":"connected"' "$LAB_LOGS/ours-status.json" || fail "status does not say connected: $(cat "$LAB_LOGS/ours-status.json")"
grep -qE '"rx_bytes":[1-9]' "$LAB_LOGS/ours-status.json" || fail "status shows no received bytes: $(cat "$LAB_LOGS/ours-status.json")"
log "status: $(cat "$LAB_LOGS/ours-status.json")"
grep -qF -- "$LAB_PASSWORD" "$OURS_LOG" && fail "the PPP password is in our client's output"
grep -qF -- "$LAB_PSK" "$OURS_LOG" && fail "the PSK is in our client's output"
ours_down
ours_assert_clean "after down"
pass "our client connected in $(sed -n 's/^connected .* in \([0-9]*\) ms$/\1/p' "$OURS_LOG") ms, pinged across, left nothing behind"
