# summary: l2tp-vpnd on a system bus with our bus policy and polkit (no logind in the VM: nobody has an active session, so polkit allows root only): up streams progress and returns connected, status shows it, pings across, an unprivileged caller is refused, down and SIGTERM leave nothing
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
source "$LAB_LIB/daemon.sh"
vpnd_lab_setup lab

# The bus policy: only root may own the name.
out=$(vpnd_as_nobody gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.RequestName org.l2tpvpn 4 2>&1) && fail "nobody could own org.l2tpvpn: $out"
[[ $out == *AccessDenied* ]] || fail "owning org.l2tpvpn as nobody failed for another reason: $out"
log "bus policy: nobody may not own org.l2tpvpn ($out)"

# An unprivileged caller: refused by polkit (auth_admin outside an active session), nothing started.
refuse_check() { # refuse_check WHAT CMD... — must fail, naming the authorisation
	local what=$1 rc=0 out
	shift
	out=$(vpnd_as_nobody "$@" 2>&1) || rc=$?
	((rc != 0)) || fail "$what as nobody succeeded: $out"
	[[ $out == *"not authorized"* ]] || fail "$what as nobody failed without naming the authorisation ($rc): $out"
	log "$what as nobody: refused, exit $rc: $out"
}
refuse_check "up" "$VPND_CLI" up lab
[[ -z $(on cl ip -o link show type ppp) && -z $(on cl ip xfrm state) ]] || fail "a refused connect started something"

# Connect as root: progress while connecting, exit 0 once up.
capture_start gw eth0
vpnd_up_ok lab
grep -q '^connected ' "$VPND_UP_LOG" || fail "up returned 0 without saying connected: $(tail -n 3 "$VPND_UP_LOG")"
log "$(grep '^connected ' "$VPND_UP_LOG")"
n=$(vpnd_progress_count)
((n >= 5)) || fail "only $n progress messages reached the caller: $(cat "$VPND_UP_LOG")"
log "$n progress messages reached the caller before its reply"
first_ms=$VPND_UP_MS
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
grep -q "^nameserver $LAB_PPP_DNS" "$VPND_RESOLV" || fail "resolv.conf does not name the tunnel's DNS: $(cat "$VPND_RESOLV")"
ours_capture_stop
ours_assert_wire

# An unprivileged caller may not take root's VPN down either.
refuse_check "down" "$VPND_CLI" down lab

st=$(vpnd_status lab) || fail "status failed: $st"
[[ $(status_get "$st" state) == connected ]] || fail "status does not say connected: $st"
[[ $(status_get "$st" rx_bytes) =~ ^[1-9][0-9]*$ && $(status_get "$st" tx_bytes) =~ ^[1-9][0-9]*$ ]] ||
	fail "status shows no bytes in and out after pings: $st"
[[ $(status_get "$st" uptime_ms) =~ ^[0-9]+$ ]] || fail "status has no uptime: $st"
log "status: $(tr '\n' ' ' <<<"$st")"
json=$(vpnd_cli status lab --json) || fail "status --json failed: $json"
grep -q '"state":"connected"' <<<"$json" || fail "status --json does not say connected: $json"
grep -qE '"uptime_ms":[0-9]' <<<"$json" || fail "status --json has no uptime: $json"
grep -qE '"rx_bytes":[1-9]' <<<"$json" || fail "status --json shows no received bytes: $json"
log "status --json: $json"
assert_no_secrets_in_proc
grep -qF -- "$LAB_PASSWORD" "$VPND_LOG" "$VPND_UP_LOG" && fail "the PPP password is in the daemon's log or the caller's output"
grep -qF -- "$LAB_PSK" "$VPND_LOG" "$VPND_UP_LOG" && fail "the PSK is in the daemon's log or the caller's output"

vpnd_down lab
kill -0 "$VPND_PID" || fail "l2tp-vpnd died on down"
vpnd_no_cli_pid
ours_assert_clean "after down"

# SIGTERM while connected: the daemon takes everything down, then exits 0.
vpnd_up_ok lab
assert_ping cl "$LAB_GW_PPP_IP"
t0=$(now_ms)
vpnd_stop TERM
((VPND_STATUS == 0)) || fail "l2tp-vpnd exited with $VPND_STATUS on SIGTERM: $(tail -n 5 "$VPND_LOG")"
log "SIGTERM while connected: l2tp-vpnd exited 0 after $(($(now_ms) - t0)) ms"
ours_assert_clean "after SIGTERM"
pass "through l2tp-vpnd: up returned connected after $first_ms ms, status, ping, unprivileged caller refused, down and SIGTERM left nothing"
