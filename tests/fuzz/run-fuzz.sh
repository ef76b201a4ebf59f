#!/bin/bash
# run-fuzz.sh MODE SECONDS TARGET SEED_DIR...
#   MODE=libfuzzer: fuzz for SECONDS with new inputs kept in a scratch dir (the
#                   seed corpus in the source tree is never written), then print
#                   the execution rate; any crash fails the test and is kept in
#                   $FUZZ_ARTIFACTS (default: the build dir) for replay.
#   MODE=replay:    feed every seed file once (non-libFuzzer builds).
set -euo pipefail
mode=$1 seconds=$2 target=$3
shift 3
if [[ $mode == replay ]]; then
	exec "$target" "$@"
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$(dirname "$target")/fuzz-artifacts}
mkdir -p "$artifacts"
seconds=${FUZZ_SECONDS:-$seconds}
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$(basename "$target")-" "$scratch" "$@" 2>"$scratch.log" || {
	rc=$?
	tail -n 60 "$scratch.log"
	rm -f "$scratch.log"
	exit $rc
}
# libFuzzer's final stats: number of runs and the execution rate.
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$scratch.log" || true
tail -n 3 "$scratch.log"
rm -f "$scratch.log"
