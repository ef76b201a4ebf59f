# Helpers for the ours-* scenarios: our own client (build/cli/l2tp-vpn) on side
# cl against the lab gateway, with the client side's own charon. Not a
# scenario itself (no "summary:" line).
: "${LAB_BUILD:?our client needs --build BUILD}"
OURS=$LAB_BUILD/cli/l2tp-vpn
[[ -x $OURS ]] || setup_error "no $OURS: build the CLI first"
# DNS goes to this file (no resolved, no resolvconf in the lab; /etc is read-only).
OURS_RESOLV=/tmp/resolv.conf.cl
OURS_CLI=("$OURS" --resolv-conf "$OURS_RESOLV")

# ours_profile NAME [EXTRA-LINES] — /tmp/NAME.conf (root, 0600) with the exact
# keys the issue names, the lab's credentials (wrong on purpose with LAB_WRONG).
ours_profile() {
	local name=$1 extra=${2:-}
	umask 077
	cat >"/tmp/$1.conf" <<CONF
[connection]
gateway=${OURS_GATEWAY:-$LAB_GW_IP}
[ipsec]
psk=$(client_psk)
${OURS_IPSEC_TIMEOUT:+timeout=$OURS_IPSEC_TIMEOUT}
$extra
[ppp]
user=$LAB_USER
password=$(client_password)
CONF
	umask 022
	OURS_PROFILE=/tmp/$name.conf
	OURS_NAME=$name
}

# ours_lab_setup NAME — the usual stage: basic topology, the lab gateway, our side's charon,
# the "nothing left behind" snapshot and profile NAME.
ours_lab_setup() {
	topo_basic
	gw_start
	charon_start cl
	ours_snapshot
	ours_profile "$1"
}

# ours_snapshot — what "nothing left behind" is compared with.
ours_snapshot() {
	printf '# the user own\nnameserver 172.31.0.254\nsearch home.example\n' >"$OURS_RESOLV"
	OURS_ROUTES_BEFORE=$(on cl ip -4 route show table all)
	# charon's own per-socket bypass policies are there before us and stay after us.
	OURS_POLICY_BEFORE=$(on cl ip xfrm policy)
	OURS_RESOLV_BEFORE=$(cat "$OURS_RESOLV")
}

# ours_up_start [ARGS] — `up --foreground` in the background; output in ours-up-N.log.
OURS_RUN=0
ours_up_start() {
	OURS_RUN=$((OURS_RUN + 1))
	OURS_LOG=$LAB_LOGS/ours-up-$OURS_RUN.log
	OURS_T0=$(now_ms)
	on cl "${OURS_CLI[@]}" up "$OURS_PROFILE" --foreground -v "$@" >"$OURS_LOG" 2>&1 &
	OURS_PID=$!
}

# ours_wait_line SECONDS REGEX — the up printed such a line (or exited).
ours_wait_line() {
	wait_until "$1" "l2tp-vpn: $2" bash -c "grep -qE '$2' '$OURS_LOG' || ! kill -0 $OURS_PID"
	grep -qE "$2" "$OURS_LOG"
}

ours_show_phases() { grep -E '^ +[0-9]+ ms  [a-z]' "$OURS_LOG" | grep -v ' ms  \. ' | while read -r l; do log "  $l"; done; }

# ours_connect — up and wait for "connected"; fails with the client's own error line.
ours_connect() {
	ours_up_start "$@"
	ours_wait_line 60 '^connected ' || fail "our client did not connect: $(grep -E '^error ' "$OURS_LOG" || tail -n 3 "$OURS_LOG")"
	ours_show_phases
	log "$(grep '^connected ' "$OURS_LOG")"
	OURS_IF=$(awk '/^connected / { print $2; exit }' "$OURS_LOG")
}

# ours_assert_still_connected WHAT — after WHAT, `up` still runs, never took it for an outage, and
# status says connected.
ours_assert_still_connected() {
	local what=$1 status=$LAB_LOGS/ours-status.json
	kill -0 "$OURS_PID" || fail "our client exited after $what: $(tail -n 3 "$OURS_LOG")"
	! grep -qE 'disconnect|reconnect|error ' "$OURS_LOG" ||
		fail "our client took $what for an outage: $(grep -E 'disconnect|reconnect|error ' "$OURS_LOG" | head -n 3)"
	on cl "${OURS_CLI[@]}" status "$OURS_NAME" --json >"$status" 2>&1 || fail "status failed: $(cat "$status")"
	grep -q '"state":"connected"' "$status" || fail "status does not say connected after $what: $(cat "$status")"
	log "still connected after $what"
}

# ours_down — `down NAME` waits for the teardown; the up then exits 0.
ours_down() {
	local rc=0
	on cl "${OURS_CLI[@]}" down "$OURS_NAME" >>"$LAB_LOGS/ours-down.log" 2>&1 || fail "l2tp-vpn down failed: $(tail -n 2 "$LAB_LOGS/ours-down.log")"
	wait "$OURS_PID" || rc=$?
	((rc == 0)) || fail "l2tp-vpn up exited with $rc after down: $(tail -n 3 "$OURS_LOG")"
	log "down: $(tail -n 1 "$LAB_LOGS/ours-down.log")"
}

# ours_assert_clean — zero leftovers: SAs/policies, routes, DNS, processes, run state, charon.
ours_assert_clean() {
	local what=$1 left
	[[ -z $(on cl ip xfrm state) ]] || fail "$what: xfrm states left: $(on cl ip xfrm state)"
	[[ $(on cl ip xfrm policy) == "$OURS_POLICY_BEFORE" ]] ||
		fail "$what: xfrm policies differ from before: $(diff <(echo "$OURS_POLICY_BEFORE") <(on cl ip xfrm policy))"
	[[ $(on cl ip -4 route show table all) == "$OURS_ROUTES_BEFORE" ]] ||
		fail "$what: routes differ from before: $(diff <(echo "$OURS_ROUTES_BEFORE") <(on cl ip -4 route show table all))"
	[[ $(cat "$OURS_RESOLV") == "$OURS_RESOLV_BEFORE" ]] || fail "$what: resolv.conf not restored: $(cat "$OURS_RESOLV")"
	left=$(grep -la 'l2tp-vpn-fd' /proc/[0-9]*/cmdline 2>/dev/null || true)
	[[ -z $left ]] || fail "$what: pppd with our plugin still running: $left"
	! kill -0 "$OURS_PID" 2>/dev/null || fail "$what: l2tp-vpn up still running"
	left=$(on cl sh -c 'ls -A /run/l2tp-vpn 2>/dev/null')
	[[ -z $left ]] || fail "$what: /run/l2tp-vpn not empty: $left"
	on cl "$LAB_BUILD/client/ipsec/l2tp-vpn-ipsec" check-clean --no-keys >"$LAB_LOGS/check-clean.log" 2>&1 ||
		fail "$what: charon still holds our state: $(cat "$LAB_LOGS/check-clean.log")"
	left=$(on cl swanctl --list-sas 2>&1; on cl swanctl --list-conns 2>&1)
	[[ $left != *l2tp-vpn-* ]] || fail "$what: swanctl lists our conn/SA: $left"
	[[ -z $(on cl ip -o link show type ppp 2>/dev/null) ]] || fail "$what: a PPP interface is left: $(on cl ip -o link show type ppp)"
	log "$what: nothing left (xfrm, routes, resolv.conf, processes, /run/l2tp-vpn, charon)"
}

# ours_capture_stop — tcpdump ends on SIGTERM (flushing its file); capture_stop's SIGINT did not
# end it in these scenarios (a background job of the scenario shell).
ours_capture_stop() {
	kill -TERM "$LAB_TCPDUMP" 2>/dev/null || true
	wait_until 10 "tcpdump exits" bash -c "! kill -0 $LAB_TCPDUMP" || kill -KILL "$LAB_TCPDUMP" 2>/dev/null || true
	wait "$LAB_TCPDUMP" 2>/dev/null || true
}

# ours_assert_wire — ESP on the wire, and our client never sent a plain L2TP datagram. The
# gateway may answer our first (encrypted) SCCRQ in the clear while its charon is still
# installing the quick-mode SAs (IKEv1 responders install them only after QM3 arrives; under
# TCG that takes a few hundred ms): our kernel drops that reply (inbound policy) and the LNS
# resends it encrypted. Such a reply is reported, and tolerated only before the gateway's
# first ESP packet; after it, any plain L2TP fails the scenario.
ours_assert_wire() {
	local esp client_plain gw_first_esp late
	esp=$(pcap_count 'esp')
	client_plain=$(pcap_count "udp port 1701 and src host 172.31.0.2")
	((esp > 0)) || fail "no ESP on the wire"
	((client_plain == 0)) || fail "our client sent $client_plain plain L2TP (udp/1701) packets"
	gw_first_esp=$(tcpdump -tt -n -r "$LAB_PCAP" "esp and src host $LAB_GW_IP" 2>/dev/null | awk 'NR == 1 { print $1 }')
	late=$(tcpdump -tt -n -r "$LAB_PCAP" "udp port 1701 and src host $LAB_GW_IP" 2>/dev/null |
		awk -v t="${gw_first_esp:-0}" '$1 >= t' | wc -l)
	((late == 0)) || fail "the gateway sent $late plain L2TP packets after its SAs were up"
	log "wire: $esp ESP packets; 0 plain udp/1701 from our client;" \
		"$(pcap_count "udp port 1701 and src host $LAB_GW_IP") plain from the gateway before its SA was installed"
}

# ours_expect_failure WHAT CLASS EXIT — up with the current profile must end by
# itself with "error CLASS: ..." and exit status EXIT within 30 s, then leave nothing.
ours_expect_failure() {
	local what=$1 class=$2 want=$3 rc=0 ms line
	ours_up_start
	wait_until 45 "l2tp-vpn up ($what) exits" bash -c "! kill -0 $OURS_PID" ||
		fail "$what: our client still runs after 45 s: $(tail -n 3 "$OURS_LOG")"
	wait "$OURS_PID" || rc=$?
	ms=$(($(now_ms) - OURS_T0))
	line=$(grep -E '^error ' "$OURS_LOG" || true)
	[[ $line == "error $class: "* ]] || fail "$what: expected error $class, got: ${line:-$(tail -n 3 "$OURS_LOG")}"
	((rc == want)) || fail "$what: exit status $rc, expected $want"
	((ms <= 30000)) || fail "$what: the error took $ms ms (more than 30 s)"
	log "$what: exit $rc after $ms ms: ${line:0:200}"
	ours_assert_clean "$what"
}
