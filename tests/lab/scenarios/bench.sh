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
