# summary: benchmark (not a pass/fail test): connect time, RTT, TCP throughput per client stack vs the bare link
# LAB_BENCH_STACKS  client stacks to measure   [classic-kernel classic-userspace]; also ours, and
#                   classic-nm (the classic stack as NetworkManager-l2tp drives it: no RTT/TCP, its
#                   data path is classic-kernel's)
# LAB_BENCH_RUNS    timed connects per stack   [3] (after one warm-up connect)
topo_basic
gw_start
on gw iperf3 -s -D --logfile "$LAB_LOGS/iperf3-server.log"
classic_ipsec_load
bench_addr_monitor_start
bench_header
stacks=" ${LAB_BENCH_STACKS:-classic-kernel classic-userspace} "
runs=${LAB_BENCH_RUNS:-3}
# The classic stack, the classic stack as NetworkManager-l2tp drives it and ours, when two or
# more of them are asked for, take turns connect by connect.
turns=()
for stack in classic-kernel ours classic-nm; do
	[[ $stacks == *" $stack "* ]] && turns+=("$stack")
done
if ((${#turns[@]} >= 2)); then
	bench_alternate "$runs" "${turns[@]}"
	for stack in "${turns[@]}"; do stacks=${stacks/ $stack / }; done
fi
for stack in $stacks; do
	case $stack in
	classic-kernel) bench_classic kernel "$runs" ;;
	classic-userspace) bench_classic userspace "$runs" ;;
	ours) bench_ours "$runs" ;;
	classic-nm) bench_alternate "$runs" classic-nm ;;
	*) setup_error "unknown stack '$stack'" ;;
	esac
done
bench_addr_monitor_stop
bench_bare_link
log "table saved in $BENCH_TABLE"
# With both in the run: issue 6's goal (ours <= 0.6x the classic stack's connect time) is
# reported on addr_ms, timed alike for both: from the shell starting the client (ours:
# l2tp-vpn up; the classic stack: swanctl --initiate, then xl2tpd's dial) to the PPP
# interface's address event. The classic stack runs at its best here: its connection and
# secrets sit in charon and xl2tpd runs before the clock starts, while ours starts a process,
# loads both and spawns pppd within it. wire_ms (first main-mode packet to the address) leaves
# all of that out: there ours slower than the classic stack by more than 25 % fails the run
# (a regression such as a broken SCCRQ pacing costs far more; CI measured 0.88-0.99x). connect_ms is each stack's own figure (ours: to "connected",
# routes and DNS too).
median_of() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$BENCH_TABLE"; }
classic_addr=$(median_of classic-kernel 6) ours_addr=$(median_of ours 6)
classic_wire=$(median_of classic-kernel 7) ours_wire=$(median_of ours 7)
if [[ $classic_addr =~ ^[0-9]+$ && $ours_addr =~ ^[0-9]+$ && $classic_wire =~ ^[0-9]+$ && $ours_wire =~ ^[0-9]+$ ]]; then
	ratio() { awk -v o="$1" -v c="$2" 'BEGIN { printf "%.2f", o / c }'; }
	{
		echo "connect, command to PPP address: ours $ours_addr ms, classic $classic_addr ms: $(ratio "$ours_addr" "$classic_addr")x (goal <= 0.6x)"
		echo "connect on the wire, first main-mode packet to PPP address: ours $ours_wire ms, classic $classic_wire ms: $(ratio "$ours_wire" "$classic_wire")x"
		echo "ours to \"connected\" (routes and DNS set), its own clock: $(median_of ours 3) ms"
		nm_addr=$(median_of classic-nm 6)
		if [[ $nm_addr =~ ^[0-9]+$ ]]; then
			echo "connect, command to PPP address, against the classic stack as NetworkManager-l2tp drives it (IPsec daemon restarted, xl2tpd started): ours $ours_addr ms, classic $nm_addr ms: $(ratio "$ours_addr" "$nm_addr")x"
		fi
	} | tee -a "$BENCH_TABLE"
	((ours_wire * 4 <= classic_wire * 5)) ||
		fail "on the wire our connect ($ours_wire ms) is more than 25 % slower than the classic stack's ($classic_wire ms)"
fi
