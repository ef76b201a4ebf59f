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
timeout=${OURS_IPSEC_TIMEOUT:-30}
$extra
[ppp]
user=$LAB_USER
password=$(client_password)
CONF
	umask 022
	OURS_PROFILE=/tmp/$name.conf
	OURS_NAME=$name
}

# ours_snapshot — what "nothing left behind" is compared with.
ours_snapshot() {
	printf '# the user own\nnameserver 172.31.0.254\nsearch home.example\n' >"$OURS_RESOLV"
	OURS_ROUTES_BEFORE=$(on cl ip -4 route show table all)
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
	[[ -z $(on cl ip xfrm policy) ]] || fail "$what: xfrm policies left: $(on cl ip xfrm policy)"
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
