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
	printf '%-24s %5s %12s %10s %10s %9s %9s %9s %11s\n' stack runs connect_ms ipsec_ms l2tp_ppp_ms addr_ms wire_ms rtt_ms tcp_mbit | tee "$BENCH_TABLE"
}

bench_row() { # name runs connect ipsec l2tp addr wire rtt tcp
	printf '%-24s %5s %12s %10s %10s %9s %9s %9s %11s\n' "$@" | tee -a "$BENCH_TABLE"
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

# Both stacks' connect times end at the same event: the PPP interface's IPv4 address, as
# `ip -ts monitor` on the client timestamps it (not when a polling loop noticed it: each
# check spawns processes, ~150 ms apiece under TCG, and backs up behind link events).
bench_addr_monitor_start() {
	BENCH_ADDR_LOG=$LAB_LOGS/addr-events.log
	# Line-buffered: into a file, ip's stdio would hold the events back in 4 KiB blocks.
	on_bg cl stdbuf -oL ip -ts -o monitor address >"$BENCH_ADDR_LOG" 2>&1 &
	BENCH_ADDR_MON=$!
	# Listening once it reports an address of our own making (made again until it does).
	wait_until 30 "address monitor" bench_addr_monitor_probe || setup_error "ip monitor on cl did not start"
	on cl ip addr del 127.0.0.9/8 dev lo
}

bench_addr_monitor_probe() {
	on cl ip addr del 127.0.0.9/8 dev lo 2>/dev/null
	on cl ip addr add 127.0.0.9/8 dev lo && grep -q 'inet 127.0.0.9/8' "$BENCH_ADDR_LOG"
}

bench_addr_monitor_stop() { kill "$BENCH_ADDR_MON" 2>/dev/null || true; }

# bench_first_since T0 — of the timestamps on stdin (any form `date -d` reads, oldest first),
# the first at or after T0, in ms on now_ms's clock. A pipe, not a process substitution:
# the lab's guest has no /dev/fd.
bench_first_since() {
	date -f - +%s%6N |
		awk -v lab="${LAB_T0/./}" -v t0="$1" '
			{ ms = int(($1 - lab) / 1000) }
			ms >= t0 { print ms; found = 1; exit }
			END { exit !found }'
}

# bench_addr_ms DEV T0 — when DEV got an IPv4 address at or after T0.
bench_addr_ms() {
	awk -v dev="$1" '$3 == dev && $4 == "inet" { gsub(/[][]/, "", $1); print $1 }' "$BENCH_ADDR_LOG" |
		bench_first_since "$2"
}

# bench_ike_ms T0 — when the client's charon began the first main mode at or after T0 (its
# log: HH:MM:SS.mmm, flushed per line). From there to the address event is the connect on
# the wire, free of process start-up and of what either stack loads first.
bench_ike_ms() {
	awk '/initiating Main Mode IKE_SA/ { print $1 }' "$LAB_LOGS/charon-cl.log" | bench_first_since "$1"
}

# bench_addr_event DEV T0 — bench_addr_ms, once the monitor has written the event down.
bench_addr_event() {
	wait_until 10 "the address event of $1" bench_addr_ms "$1" "$2" && bench_addr_ms "$1" "$2"
}

# Samples per stack, kept across runs: a stack's row is printed after its last run.
declare -A BENCH_TOTAL=() BENCH_IPSEC=() BENCH_L2TP=() BENCH_ADDR=() BENCH_WIRE=() BENCH_RTT=() BENCH_TCP=()
declare -A BENCH_PHASE=()
BENCH_PHASES="resolve socket ipsec l2tp-tunnel kernel-tunnel l2tp-session kernel-session ppp ip-up routes"

# bench_classic_sample STACK I T0 T1 — a classic connect dialled at T1 after IPsec began at T0:
# waits for ppp0's address and keeps the run's figures (run 0, the warm-up, is not counted).
bench_classic_sample() {
	local stack=$1 i=$2 t0=$3 t1=$4 t2 ike
	wait_ifaddr cl ppp0 30 || fail "$stack: ppp0 got no address on run $i"
	t2=$(bench_addr_event ppp0 "$t0") || fail "$stack: no address event for ppp0 on run $i"
	ike=$(bench_ike_ms "$t0") || fail "$stack: no main mode in charon's log on run $i"
	if ((i > 0)); then
		BENCH_IPSEC[$stack]+=" $((t1 - t0))"
		BENCH_L2TP[$stack]+=" $((t2 - t1))"
		BENCH_TOTAL[$stack]+=" $((t2 - t0))"
		BENCH_ADDR[$stack]+=" $((t2 - t0))"
		BENCH_WIRE[$stack]+=" $((t2 - ike))"
	fi
	log "$stack run $i: ipsec $((t1 - t0)) ms, l2tp+ppp $((t2 - t1)) ms"
}

# bench_classic_run MODE I — one classic connect (xl2tpd running), timed from the shell:
# swanctl --initiate, then xl2tpd's dial until ppp0 has its address. Run 0 warms up ESP
# crypto and the page cache and is not counted. The last run measures RTT and throughput.
bench_classic_run() {
	local mode=$1 i=$2 runs=$3 t0 t1 stack=classic-$1
	gw_l2tp_restart
	t0=$(now_ms)
	classic_ipsec_up || fail "$stack: IPsec failed on run $i"
	t1=$(now_ms)
	classic_l2tp_dial
	bench_classic_sample "$stack" "$i" "$t0" "$t1"
	if ((i == runs)); then
		bench_record_algorithms
		BENCH_RTT[$stack]=$(rtt cl "$LAB_GW_PPP_IP")
		BENCH_TCP[$stack]=$(tcp cl "$LAB_GW_PPP_IP")
	fi
}

# bench_classic_nm_run I — one classic connect the way NetworkManager-l2tp 1.52 makes it
# (FACTS §6): the IPsec daemon restarted on every connect, then the connection loaded into it
# and initiated, then xl2tpd started with its configuration and told to dial. Timed from the
# restart to the PPP address (its IPsec figure includes the restart, its L2TP+PPP one xl2tpd's
# start); swanctl stands in for the stroke `ipsec` tool it drives, and the lab's waits for
# charon and xl2tpd to be ready poll every 20 ms.
bench_classic_nm_run() {
	local i=$1 t0 t1 stack=classic-nm
	gw_l2tp_restart
	# charon starts its log afresh: keep what the other stacks' runs wrote.
	cat "$LAB_LOGS/charon-cl.log" >>"$LAB_LOGS/charon-cl-before-restarts.log" 2>/dev/null || true
	t0=$(now_ms)
	side_stop cl charon
	classic_ipsec_load
	classic_ipsec_up || fail "$stack: IPsec failed on run $i"
	t1=$(now_ms)
	classic_l2tp_start kernel
	classic_l2tp_dial
	bench_classic_sample "$stack" "$i" "$t0" "$t1"
	[[ -n ${BENCH_ENC:-} ]] || bench_record_algorithms
}

bench_classic_down() {
	classic_l2tp_hangup
	wait_gone cl ppp0 15 || fail "ppp0 did not go away"
	classic_ipsec_down
}

# bench_ours_run I RUNS — one connect of our client. connect_ms and the phases are its own
# progress times ("connected": routes and DNS set too). addr_ms is timed from the shell like
# the classic stack's: from starting `l2tp-vpn up` until the PPP interface has its address.
bench_ours_run() {
	local i=$1 runs=$2 t2 ike phase ms
	gw_l2tp_restart
	ours_up_start
	ours_wait_line 60 '^connected ' || fail "ours did not connect on run $i: $(grep -E '^error ' "$OURS_LOG" || tail -n 3 "$OURS_LOG")"
	t2=$(bench_addr_event l2tp-bench "$OURS_T0") || fail "ours: no address event for l2tp-bench on run $i"
	ike=$(bench_ike_ms "$OURS_T0") || fail "ours: no main mode in charon's log on run $i"
	ms=$(sed -n 's/^connected .* in \([0-9]*\) ms$/\1/p' "$OURS_LOG")
	if ((i > 0)); then
		BENCH_WIRE[ours]+=" $((t2 - ike))"
		BENCH_IPSEC[ours]+=" $(awk '$2 == "ms" && $3 == "ipsec" { gsub(/[(+]/, "", $(NF-1)); print $(NF-1) }' "$OURS_LOG")"
		BENCH_TOTAL[ours]+=" $ms"
		BENCH_ADDR[ours]+=" $((t2 - OURS_T0))"
		BENCH_L2TP[ours]+=" $(awk '$2 == "ms" && $3 ~ /^(l2tp-tunnel|kernel-tunnel|l2tp-session|kernel-session|ppp|ip-up|routes)$/ { gsub(/[(+]/, "", $(NF-1)); s += $(NF-1) } END { print s }' "$OURS_LOG")"
		for phase in $BENCH_PHASES; do
			BENCH_PHASE[$phase]+=" $(awk -v p="$phase" '$2 == "ms" && $3 == p { gsub(/[(+]/, "", $(NF-1)); print $(NF-1) }' "$OURS_LOG")"
		done
	fi
	log "ours run $i: connected in $ms ms, address $((t2 - OURS_T0)) ms after the shell started it"
	if ((i == runs)); then
		BENCH_RTT[ours]=$(rtt cl "$LAB_GW_PPP_IP")
		BENCH_TCP[ours]=$(tcp cl "$LAB_GW_PPP_IP")
	fi
}

bench_ours_setup() {
	# shellcheck disable=SC1091
	source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
	ours_snapshot
	ours_profile bench
}

# bench_stack_row STACK RUNS — the medians of a stack's timed runs.
bench_stack_row() {
	local stack=$1 runs=$2 phase
	bench_row "$stack" "$runs" "$(echo "${BENCH_TOTAL[$stack]}" | median)" "$(echo "${BENCH_IPSEC[$stack]}" | median)" \
		"$(echo "${BENCH_L2TP[$stack]}" | median)" "$(echo "${BENCH_ADDR[$stack]}" | median)" \
		"$(echo "${BENCH_WIRE[$stack]}" | median)" \
		"${BENCH_RTT[$stack]:--}" "${BENCH_TCP[$stack]:--}"
	[[ $stack == ours ]] || return 0
	{
		printf '  ours, median ms per phase:'
		for phase in $BENCH_PHASES; do
			printf ' %s=%s' "$phase" "$(echo "${BENCH_PHASE[$phase]}" | median)"
		done
		printf '\n'
	} | tee -a "$BENCH_TABLE"
}

# bench_classic MODE RUNS — connect RUNS times (plus one warm-up), then its row.
bench_classic() {
	local mode=$1 runs=$2 i
	classic_l2tp_start "$mode"
	for ((i = 0; i <= runs; i++)); do
		bench_classic_run "$mode" "$i" "$runs"
		bench_classic_down
	done
	classic_l2tp_stop
	bench_stack_row "classic-$mode" "$runs"
}

# bench_ours RUNS — our client alone, same protocol.
bench_ours() {
	local runs=$1 i
	bench_ours_setup
	for ((i = 0; i <= runs; i++)); do
		bench_ours_run "$i" "$runs"
		ours_down
	done
	bench_stack_row ours "$runs"
}

# bench_alternate RUNS STACK... — the stacks take turns, connect by connect: a slow stretch of
# the host (TCG under a busy machine) then hits all alike rather than one stack's whole series.
# xl2tpd (port 1701) runs only for the classic turns.
bench_alternate() {
	local runs=$1 i stack
	shift
	[[ " $* " == *" ours "* ]] && bench_ours_setup
	for ((i = 0; i <= runs; i++)); do
		for stack in "$@"; do
			case $stack in
			classic-kernel)
				classic_l2tp_start kernel
				bench_classic_run kernel "$i" "$runs"
				;;
			classic-nm) bench_classic_nm_run "$i" ;;
			ours)
				bench_ours_run "$i" "$runs"
				ours_down
				continue
				;;
			*) setup_error "bench_alternate: unknown stack '$stack'" ;;
			esac
			bench_classic_down
			classic_l2tp_stop
		done
	done
	for stack in "$@"; do
		bench_stack_row "$stack" "$runs"
	done
}

bench_bare_link() {
	bench_row "bare-link" - - - - - - "$(rtt cl "$LAB_GW_IP")" "$(tcp cl "$LAB_GW_IP")"
	# The static SA copies the algorithms of a classic connect's SA; without one, no row.
	[[ -n ${BENCH_ENC:-} ]] || return 0
	bench_static_esp_up
	bench_row "bare-link+static-esp" - - - - - - "$(rtt cl "$LAB_GW_IP")" "$(tcp cl "$LAB_GW_IP")"
	bench_static_esp_down
}

