#!/bin/bash
# demo.sh — the main job: install what is missing, build, boot the lab VM and
# connect a client through the lab gateway, showing addresses, SAs and pings.
set -uo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$top" || exit 2
((EUID == 0)) || { echo "demo: run as root (network namespaces and the VM lab)" >&2; exit 2; }
tests/install-deps.sh || exit 1
if [[ ! -f build/build.ninja ]]; then
	meson setup build >/dev/null || exit 1
fi
meson compile -C build >/dev/null || { meson compile -C build; exit 1; }
exec tests/lab/lab run --build build --results "${LAB_RESULTS:-build/lab-demo}" demo
