# Helpers for the ipsec-* scenarios: run our l2tp-vpn-ipsec tool on the client
# side against that side's charon (default vici socket in its private /run).
# Not a scenario itself (no "summary:" line).
IPSEC_TOOL=${LAB_BUILD:?ipsec scenarios need --build}/client/ipsec/l2tp-vpn-ipsec
[[ -x $IPSEC_TOOL ]] || setup_error "no $IPSEC_TOOL: build client/ipsec first"
IPSEC_OUT=$LAB_LOGS/l2tp-vpn-ipsec.log

ipsec_wait_output() { # ipsec_wait_output SECONDS REGEX
	wait_until "$1" "l2tp-vpn-ipsec: $2" grep -qE "$2" "$IPSEC_OUT"
}

# ipsec_tool_up ARGS... — starts the tool (held up until SIGTERM), waits for RESULT.
ipsec_tool_up() {
	printf '%s' "$(client_psk)" >/tmp/ipsec-psk
	# Not through `on` (a shell function: in the background it is a subshell that a
	# SIGTERM would kill instead of the tool): nsenter execs the tool itself.
	nsenter -t "$(cat "$LAB_STATE/cl/holder.pid")" --mount --net -- "$IPSEC_TOOL" up --gateway "$LAB_GW_IP" \
		--bind-l2tp --psk-file /tmp/ipsec-psk --profile lab --watch-interval 500 --hold-until-signal "$@" \
		>"$IPSEC_OUT" 2>&1 &
	IPSEC_PID=$!
	ipsec_wait_output 60 '^RESULT ' || fail "l2tp-vpn-ipsec gave no result (see l2tp-vpn-ipsec.log)"
	grep -q '^RESULT up ' "$IPSEC_OUT" || fail "IPsec did not come up: $(grep '^RESULT' "$IPSEC_OUT")"
	IPSEC_CONN=$(sed -n 's/^CONN \([^ ]*\) .*/\1/p' "$IPSEC_OUT")
	IPSEC_PORT=$(sed -n 's/^CONN .*dynamic\[17\/\([0-9]*\)\]$/\1/p' "$IPSEC_OUT")
	log "l2tp-vpn-ipsec: $(grep '^RESULT' "$IPSEC_OUT")"
}

ipsec_assert_up_transport() {
	grep -q "child_mode=TRANSPORT child_protocol=ESP" "$IPSEC_OUT" ||
		fail "the tool did not verify a TRANSPORT-mode ESP SA: $(grep '^SA' "$IPSEC_OUT")"
	IPSEC_ALGS=$(sed -n 's/^SA ike_encr=\([^ ]*\) .*/IKE \1/p' "$IPSEC_OUT"),$(sed -n 's/.*child_encr=\([^ ]*\) child_integ=\([^ ]*\)/ ESP \1\/\2/p' "$IPSEC_OUT")
	log "negotiated: $IPSEC_ALGS"
}

# ipsec_assert_probe_encrypted CLIENT_ADDR GW_SEEN_ADDR — the probe datagram from
# the L2TP socket went out through our outbound SA (cl) and arrived through the
# gateway's inbound SA: per-SA packet counters, no packet capture needed.
sa_packets() { # sa_packets SIDE SRC (state captured first: an early-exiting reader trips pipefail)
	local state
	state=$(on "$1" ip -s xfrm state)
	awk -v src="$2" '
		$1 == "src" { mine = ($2 == src) }
		mine && /[0-9]+\(packets\)/ { match($0, /[0-9]+\(packets\)/); print substr($0, RSTART, RLENGTH - 9); exit }' <<<"$state"
}

ipsec_assert_probe_encrypted() {
	local out in
	out=$(sa_packets cl "$1")
	in=$(sa_packets gw "$2")
	((${out:-0} >= 1)) || fail "the probe did not leave through our outbound SA (packets: ${out:-none})"
	((${in:-0} >= 1)) || fail "the gateway's inbound SA saw no packet (packets: ${in:-none})"
	log "probe from the L2TP socket: $out packet(s) out through our SA, $in in at the gateway"
}

ipsec_tool_down() {
	local rc=0
	kill -TERM "$IPSEC_PID"
	wait "$IPSEC_PID" || rc=$?
	grep -q '^DOWN ok' "$IPSEC_OUT" || fail "teardown reported: $(grep '^DOWN' "$IPSEC_OUT") (exit $rc)"
	((rc == 0)) || fail "l2tp-vpn-ipsec exited with $rc after a clean teardown"
}

# After terminate: no conn, SA, shared secret or key of ours in charon, no SAs in the kernel.
ipsec_assert_nothing_left() {
	on cl "$IPSEC_TOOL" check-clean --no-keys >"$LAB_LOGS/check-clean.log" 2>&1 ||
		fail "charon still holds our state: $(cat "$LAB_LOGS/check-clean.log")"
	local sas
	sas=$(on cl swanctl --list-sas 2>&1)
	[[ $sas != *l2tp-vpn-* ]] || fail "swanctl still lists our SA: $sas"
	[[ -z $(on cl ip xfrm state) ]] || fail "kernel SAs left: $(on cl ip xfrm state)"
	log "after terminate: charon and kernel hold nothing of ours"
}
