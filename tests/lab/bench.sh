#!/bin/bash
# bench.sh [STACK...] — run the lab benchmark in one VM boot and print the table.
#   STACKs: classic-kernel classic-userspace ours classic-nm (the classic stack as
#   NetworkManager-l2tp drives it) (default: the first three; ours needs
#   the build dir, LAB_BUILD, default ./build).
#   LAB_BENCH_RUNS=N timed connects per stack (default 3), LAB_BENCH_SECONDS=N iperf3 time.
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
stacks=${*:-classic-kernel classic-userspace ours}
top=$(cd "$here/../.." && pwd)
[[ -n ${LAB_BUILD:-} || ! -x $top/build/cli/l2tp-vpn ]] || LAB_BUILD=$top/build
results=${LAB_RESULTS:-$(mktemp -d /var/tmp/l2tp-vpn-bench.XXXXXX)}
mkdir -p "$results" || exit 99
"$here/lab" run --timeout "${LAB_BENCH_TIMEOUT:-900}" --scenario-timeout "${LAB_BENCH_TIMEOUT:-900}" --results "$results" ${LAB_BUILD:+--build "$LAB_BUILD"} \
	-e "LAB_BENCH_STACKS=$stacks" -e "LAB_BENCH_RUNS=${LAB_BENCH_RUNS:-3}" \
	-e "LAB_BENCH_SECONDS=${LAB_BENCH_SECONDS:-5}" bench >"$results/bench-run.log" 2>&1
rc=$?
if [[ -f $results/bench/bench.txt ]] && ((rc == 0)); then
	echo "l2tp-vpn lab benchmark ($(date -u +%F), QEMU TCG, one VM run; compare rows, not machines)"
	cat "$results/bench/bench.txt"
else
	cat "$results/bench-run.log"
	echo "bench: failed (status $rc); logs in $results/bench/logs" >&2
fi
exit $rc
