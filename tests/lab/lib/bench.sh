# Benchmark helpers: connect-time phases, RTT and TCP throughput per client stack.
# Figures only compare within one VM run (TCG speed varies between machines).

BENCH_TABLE=$LAB_OUT/bench.txt

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

# rtt SIDE DEST — average ICMP RTT in ms over 50 pings.
rtt() {
	on "$1" ping -n -q -c 50 -i 0.02 -W 2 "$2" 2>/dev/null | awk -F'/' '/^rtt|^round-trip/ { print $5 }'
}

# tcp SIDE DEST — iperf3 TCP throughput in Mbit/s (receiver side, 5 s).
tcp() {
	on "$1" iperf3 -c "$2" -t "${LAB_BENCH_SECONDS:-5}" -f m 2>>"$LAB_LOGS/iperf3.log" |
		awk '/receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }'
}

bench_header() {
	printf '%-24s %5s %12s %10s %10s %9s %11s\n' stack runs connect_ms ipsec_ms l2tp_ppp_ms rtt_ms tcp_mbit | tee "$BENCH_TABLE"
}

bench_row() { # name runs connect ipsec l2tp rtt tcp
	printf '%-24s %5s %12s %10s %10s %9s %11s\n' "$@" | tee -a "$BENCH_TABLE"
}

# bench_static_esp_up — a manually keyed ESP transport SA pair between client
# and gateway with the algorithms the last IKE negotiation chose ($BENCH_ENC,
# $BENCH_AUTH as printed by `ip xfrm state`): the data-plane limit.
bench_static_esp_up() {
	local ek ak side
	ek=$(head -c "$BENCH_ENC_BYTES" /dev/urandom | od -An -tx1 | tr -d ' \n')
	ak=$(head -c "$BENCH_AUTH_BYTES" /dev/urandom | od -An -tx1 | tr -d ' \n')
	for side in cl gw; do
		on "$side" ip xfrm state add src 172.31.0.2 dst 172.31.0.1 proto esp spi 0x1001 mode transport \
			auth-trunc "$BENCH_AUTH" "0x$ak" "$BENCH_AUTH_TRUNC" enc "$BENCH_ENC" "0x$ek"
		on "$side" ip xfrm state add src 172.31.0.1 dst 172.31.0.2 proto esp spi 0x1002 mode transport \
			auth-trunc "$BENCH_AUTH" "0x$ak" "$BENCH_AUTH_TRUNC" enc "$BENCH_ENC" "0x$ek"
	done
	on cl ip xfrm policy add src 172.31.0.2 dst 172.31.0.1 dir out tmpl proto esp mode transport
	on cl ip xfrm policy add src 172.31.0.1 dst 172.31.0.2 dir in tmpl proto esp mode transport
	on gw ip xfrm policy add src 172.31.0.1 dst 172.31.0.2 dir out tmpl proto esp mode transport
	on gw ip xfrm policy add src 172.31.0.2 dst 172.31.0.1 dir in tmpl proto esp mode transport
}

bench_static_esp_down() {
	local side
	for side in cl gw; do
		on "$side" ip xfrm policy flush
		on "$side" ip xfrm state flush
	done
}

# bench_record_algorithms — remember what IKE negotiated (from the kernel's SA).
bench_record_algorithms() {
	local state
	state=$(on cl ip xfrm state)
	BENCH_ENC=$(awk '$1 == "enc" { print $2; exit }' <<<"$state")
	BENCH_ENC_BYTES=$(awk '$1 == "enc" { print (length($3) - 2) / 2; exit }' <<<"$state")
	BENCH_AUTH=$(awk '$1 == "auth-trunc" { print $2; exit }' <<<"$state")
	BENCH_AUTH_BYTES=$(awk '$1 == "auth-trunc" { print (length($3) - 2) / 2; exit }' <<<"$state")
	BENCH_AUTH_TRUNC=$(awk '$1 == "auth-trunc" { print $4; exit }' <<<"$state")
	[[ -n $BENCH_ENC && -n $BENCH_AUTH ]] || fail "cannot read the negotiated ESP algorithms: $state"
	log "negotiated ESP: enc $BENCH_ENC ($((BENCH_ENC_BYTES * 8)) bit), auth $BENCH_AUTH/$BENCH_AUTH_TRUNC"
}

# wait_gone SIDE DEV SECONDS — the interface disappeared.
wait_gone() {
	wait_until "$3" "$2 gone" bash -c "! ip -n $1 link show dev $2"
}

# bench_classic MODE RUNS — connect RUNS times (plus one warm-up), then measure
# RTT and throughput through the tunnel.
bench_classic() {
	local mode=$1 runs=$2 i t0 t1 t2 ipsec=() l2tp=() total=() r t
	classic_l2tp_start "$mode"
	for ((i = 0; i <= runs; i++)); do
		gw_l2tp_restart
		t0=$(now_ms)
		classic_ipsec_up || fail "classic-$mode: IPsec failed on run $i"
		t1=$(now_ms)
		classic_l2tp_dial
		wait_ifaddr cl ppp0 30 || fail "classic-$mode: ppp0 got no address on run $i"
		t2=$(now_ms)
		if ((i > 0)); then # run 0 warms up ESP crypto and the page cache
			ipsec+=($((t1 - t0)))
			l2tp+=($((t2 - t1)))
			total+=($((t2 - t0)))
		fi
		log "classic-$mode run $i: ipsec $((t1 - t0)) ms, l2tp+ppp $((t2 - t1)) ms"
		if ((i < runs)); then
			classic_l2tp_hangup
			wait_gone cl ppp0 15 || fail "ppp0 did not go away"
			classic_ipsec_down
		fi
	done
	bench_record_algorithms
	r=$(rtt cl "$LAB_GW_PPP_IP")
	t=$(tcp cl "$LAB_GW_PPP_IP")
	bench_row "classic-$mode" "$runs" "$(echo "${total[*]}" | median)" "$(echo "${ipsec[*]}" | median)" \
		"$(echo "${l2tp[*]}" | median)" "${r:--}" "${t:--}"
	classic_l2tp_stop
	wait_gone cl ppp0 15 || true
	classic_ipsec_down
}

bench_bare_link() {
	bench_row "bare-link" - - - - "$(rtt cl "$LAB_GW_IP")" "$(tcp cl "$LAB_GW_IP")"
	bench_static_esp_up
	bench_row "bare-link+static-esp" - - - - "$(rtt cl "$LAB_GW_IP")" "$(tcp cl "$LAB_GW_IP")"
	bench_static_esp_down
}

# bench_ours RUNS — our client (l2tp-vpn up), same protocol as bench_classic:
# a fresh LNS per connect, one warm-up, then RUNS timed connects. Times come
# from our own progress events (milliseconds since start, per phase): ipsec_ms
# is the ipsec phase, l2tp_ppp_ms everything from l2tp-tunnel to routes.
bench_ours() {
	local runs=$1 i ipsec=() l2tp=() total=() r t phase
	declare -A phase_ms=()
	# shellcheck disable=SC1091
	source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
	ours_snapshot
	ours_profile bench
	for ((i = 0; i <= runs; i++)); do
		gw_l2tp_restart
		ours_connect
		if ((i > 0)); then
			ipsec+=("$(awk '$2 == "ms" && $3 == "ipsec" { gsub(/[(+]/, "", $(NF-1)); print $(NF-1) }' "$OURS_LOG")")
			total+=("$(sed -n 's/^connected .* in \([0-9]*\) ms$/\1/p' "$OURS_LOG")")
			l2tp+=("$(awk '$2 == "ms" && $3 ~ /^(l2tp-tunnel|kernel-tunnel|l2tp-session|kernel-session|ppp|ip-up|routes)$/ { gsub(/[(+]/, "", $(NF-1)); s += $(NF-1) } END { print s }' "$OURS_LOG")")
			for phase in resolve socket ipsec l2tp-tunnel kernel-tunnel l2tp-session kernel-session ppp ip-up routes; do
				phase_ms[$phase]+=" $(awk -v p="$phase" '$2 == "ms" && $3 == p { gsub(/[(+]/, "", $(NF-1)); print $(NF-1) }' "$OURS_LOG")"
			done
		fi
		log "ours run $i: connected in $(sed -n 's/^connected .* in \([0-9]*\) ms$/\1/p' "$OURS_LOG") ms"
		((i < runs)) && ours_down
	done
	r=$(rtt cl "$LAB_GW_PPP_IP")
	t=$(tcp cl "$LAB_GW_PPP_IP")
	bench_row "ours" "$runs" "$(echo "${total[*]}" | median)" "$(echo "${ipsec[*]}" | median)" \
		"$(echo "${l2tp[*]}" | median)" "${r:--}" "${t:--}"
	{
		printf '  ours, median ms per phase:'
		for phase in resolve socket ipsec l2tp-tunnel kernel-tunnel l2tp-session kernel-session ppp ip-up routes; do
			printf ' %s=%s' "$phase" "$(echo "${phase_ms[$phase]}" | median)"
		done
		printf '\n'
	} | tee -a "$BENCH_TABLE"
	ours_down
}
