#!/bin/bash
# run-all.sh — install what is missing, build, and run every test:
#   1. unit + fuzz-corpus replay + host interop, under ASan+UBSan, -Werror (build-asan/)
#   2. libFuzzer targets for a bounded time each (build-fuzz/, clang)
#   3. the VM lab scenarios (build/, optimised, -Werror)
# Ends with one line "N passed, N failed". Exit status 0 only if nothing failed.
#   Options: --no-lab, --no-fuzz, --only-lab; FUZZ_SECONDS=N fuzzes longer.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.." || exit 2
run_unit=1 run_fuzz=1 run_lab=1
for a in "$@"; do
	case $a in
	--no-lab) run_lab=0 ;;
	--no-fuzz) run_fuzz=0 ;;
	--only-lab) run_unit=0 run_fuzz=0 ;;
	*) echo "usage: $0 [--no-lab] [--no-fuzz] [--only-lab]" >&2; exit 2 ;;
	esac
done
((EUID == 0)) || { echo "run-all: run as root (network namespaces, charon, the VM lab)" >&2; exit 2; }
tests/install-deps.sh || exit 1

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
status=0
builds=()

# setup DIR ARGS... — configure (or reconfigure) and build; a build failure counts as a failed test.
setup() {
	local dir=$1
	shift
	if [[ -f $dir/build.ninja ]]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
	else
		meson setup "$dir" "$@" || return 1
	fi
	meson compile -C "$dir"
}

# suite DIR MESON-TEST-ARGS... — run tests, remember where the results are.
suite() {
	local dir=$1
	shift
	meson test -C "$dir" --print-errorlogs "$@" || status=1
	builds+=("$dir")
}

build_failures=0
if ((run_unit)); then
	echo "=== unit, fuzz-corpus replay and interop tests (ASan+UBSan) ==="
	if setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dlab=false; then
		suite build-asan
	else
		build_failures=$((build_failures + 1)); status=1
	fi
fi
if ((run_fuzz)); then
	echo "=== fuzzers (libFuzzer, ${FUZZ_SECONDS:-30} s each) ==="
	if CC=clang setup build-fuzz -Dfuzzing=true -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dlab=false; then
		suite build-fuzz --suite fuzz --num-processes 1
	else
		build_failures=$((build_failures + 1)); status=1
	fi
fi
if ((run_lab)); then
	echo "=== VM lab scenarios ==="
	if setup build -Dwerror=true; then
		suite build --suite lab
	else
		build_failures=$((build_failures + 1)); status=1
	fi
fi

# meson's own summary is per build; add them up from the JSON test logs.
read -r passed failed skipped < <(python3 - "${builds[@]}" <<'PY'
import json, sys
ok = {"OK", "EXPECTEDFAIL"}
skip = {"SKIP"}
p = f = s = 0
for d in sys.argv[1:]:
    try:
        lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
    except OSError:
        f += 1
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ok: p += 1
        elif r in skip: s += 1
        else: f += 1
print(p, f, s)
PY
)
failed=$((failed + build_failures))
((failed == 0)) || status=1
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
