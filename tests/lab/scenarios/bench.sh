# summary: benchmark (not a pass/fail test): connect time, RTT, TCP throughput per client stack vs the bare link
# LAB_BENCH_STACKS  client stacks to measure   [classic-kernel classic-userspace ours]
# LAB_BENCH_RUNS    timed connects per stack   [3] (after one warm-up connect)
topo_basic
gw_start
on gw iperf3 -s -D --logfile "$LAB_LOGS/iperf3-server.log"
classic_ipsec_load
bench_header
for stack in ${LAB_BENCH_STACKS:-classic-kernel classic-userspace}; do
	case $stack in
	classic-kernel) bench_classic kernel "${LAB_BENCH_RUNS:-3}" ;;
	classic-userspace) bench_classic userspace "${LAB_BENCH_RUNS:-3}" ;;
	ours) bench_ours "${LAB_BENCH_RUNS:-3}" ;;
	*) setup_error "unknown stack '$stack'" ;;
	esac
done
bench_bare_link
log "table saved in $BENCH_TABLE"
# With both in the run: issue 6's goal (ours <= 0.6x the classic connect time) reported, and
# ours slower than the classic stack is a failure (a regression, not noise: ours is ~0.55x).
classic_ms=$(awk '$1 == "classic-kernel" { print $3 }' "$BENCH_TABLE")
ours_ms=$(awk '$1 == "ours" { print $3 }' "$BENCH_TABLE")
if [[ $classic_ms =~ ^[0-9]+$ && $ours_ms =~ ^[0-9]+$ ]]; then
	ratio=$(awk -v o="$ours_ms" -v c="$classic_ms" 'BEGIN { printf "%.2f", o / c }')
	echo "connect time: ours $ours_ms ms, classic $classic_ms ms: ${ratio}x (goal <= 0.6x)" | tee -a "$BENCH_TABLE"
	((ours_ms <= classic_ms)) || fail "our connect time ($ours_ms ms) is slower than the classic stack's ($classic_ms ms)"
fi
