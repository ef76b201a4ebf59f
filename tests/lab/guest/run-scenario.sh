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
