#!/bin/bash
# check-broken.sh LAB RESULTS BUILD — run the wrong-PSK scenario and check the
# harness reports it the way a developer needs: status 1 (a scenario failure,
# not a set-up error), a message naming the IPsec phase, and the daemon logs
# showing why (the responder's charon log with the failed authentication).
set -uo pipefail
lab=$1 results=$2 build=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$lab" run --timeout 110 --build "$build" --results "$results" classic-wrong-psk >"$out" 2>&1
rc=$?
cat "$out"
check() { grep -q -- "$1" "$out" || { echo "check-broken: expected '$1' in the output" >&2; exit 1; }; }
[[ $rc == 1 ]] || { echo "check-broken: expected status 1 (scenario failed), got $rc" >&2; exit 1; }
check 'FAIL: IPsec: CHILD_SA not established'
check 'classic-wrong-psk: FAIL'
check '----- charon-gw.log'
check '----- charon-cl.log'
echo "check-broken: the wrong-PSK scenario failed as it should, with its phase and logs"
