#!/bin/bash
# run-scenario.sh NAME — runs inside the VM in a fresh PID + mount namespace.
# Gives the scenario private /run, /tmp and /var/lib, sources the lab library
# and the scenario, and on failure saves the network and IPsec state next to
# the daemon logs.
set -uo pipefail
scenario=$1
for d in /run /tmp /var/lib /var/log; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp
# The project tree and build dir are 9p shares (share0, share1, ... in the order
# of lab.shares). If one lives under a path just covered (a CI clone in /tmp),
# mount it again on top.
i=0
for path in $(sed -n 's/.* lab.shares=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' '); do
	case $path in
	/run/* | /tmp/* | /var/lib/* | /var/log/*)
		mkdir -p "$path"
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro "share$i" "$path" || exit 99
		;;
	esac
	i=$((i + 1))
done
export LAB_NAME=$scenario
export LAB_OUT=/mnt/$scenario
export LAB_LOGS=$LAB_OUT/logs
export LAB_LIB=$LAB_SRC/tests/lab/lib
cd /tmp || exit 99
# shellcheck disable=SC1091
source "$LAB_LIB/common.sh"
trap 'lab_on_exit $?' EXIT
set -e
# shellcheck disable=SC1090
source "$LAB_SRC/tests/lab/scenarios/$scenario.sh"
