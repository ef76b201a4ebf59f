#!/bin/bash
# run-fuzz.sh MODE SECONDS TARGET SEED_DIR...
#   MODE=libfuzzer: fuzz for SECONDS with new inputs kept in a scratch dir (the
#                   seed corpus in the source tree is never written), then print
#                   libFuzzer's final stats and the execution rate; any crash
#                   fails the test and is kept in $FUZZ_ARTIFACTS (default: the
#                   build dir) for replay. Below FUZZ_MIN_EXECS execs/s (default:
#                   $FUZZ_DEFAULT_MIN_EXECS, which meson sets per target) a
#                   slower run fails too: a speed regression costs coverage per
#                   CI minute. FUZZ_MIN_EXECS=0 turns the floor off (slow hosts).
#   MODE=replay:    feed every seed file once (non-libFuzzer builds).
set -euo pipefail
mode=$1 seconds=$2 target=$3
shift 3
if [[ $mode == replay ]]; then
	exec "$target" "$@"
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" "$scratch.log"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$(dirname "$target")/fuzz-artifacts}
mkdir -p "$artifacts"
seconds=${FUZZ_SECONDS:-$seconds}
# OSS-Fuzz's ASan quarantine (10 MB; ASan's default is 256 MB): libFuzzer copies every input
# into a fresh allocation, and cycling through a large quarantine cost page faults on each
# (lac target: 129 k -> 146 k execs/s on the same host). Use-after-free of recently freed
# memory is still caught; the replay build keeps ASan's defaults.
case ",${ASAN_OPTIONS:-}," in
*quarantine_size_mb=*) ;;
*) export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=10 ;;
esac
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$(basename "$target")-" "$scratch" "$@" 2>"$scratch.log" || {
	rc=$?
	tail -n 60 "$scratch.log"
	exit $rc
}
# libFuzzer's final stats: number of runs, the execution rate, coverage (cov/ft) at the end.
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$scratch.log" || true
tail -n 3 "$scratch.log"
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch.log")
floor=${FUZZ_MIN_EXECS:-${FUZZ_DEFAULT_MIN_EXECS:-0}}
echo "$(basename "$target"): ${rate:-?} execs/s (floor ${floor}, $(cut -d' ' -f1-3 /proc/loadavg) load)"
if ((floor > 0)) && [[ -z $rate || $rate -lt $floor ]]; then
	echo "$(basename "$target"): ${rate:-no} execs/s is below the floor of $floor: a slowdown in the" \
		"target or the code it drives (FUZZ_MIN_EXECS=0 turns the check off on a slow host)" >&2
	exit 1
fi
