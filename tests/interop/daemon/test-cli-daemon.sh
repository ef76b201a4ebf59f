#!/bin/bash
# The real l2tp-vpn CLI against the real l2tp-vpnd on a private system-like bus
# (our data/dbus policy, no polkit: the daemon's root-only fallback), the daemon
# in an empty network namespace (every gateway unreachable, nothing answers on
# 127.0.0.1), profiles and run state in a temporary directory:
#
#   absent     no bus / nobody owns org.l2tpvpn: up names it (not-running, 6) with the hint;
#              status shows nothing and exits 0; down says not-running
#   secrets    up of a password-source=ask profile: SecretsRequired, the password from
#              --password-stdin, Connect again: unreachable (9), the error as the last line of
#              the progress; the password is in no output and not in the daemon's log;
#              empty stdin is an invalid-config error (3); a profile path outside the
#              daemon's directory is refused (3) with the --foreground hint
#   status     after the failure: status NAME shows via=l2tp-vpnd, state=disconnected,
#              last_error=unreachable and exits 6; --json is valid JSON with the same
#   live       up of a profile whose LNS never answers, in the background: while it waits,
#              status (text, --json, list) shows it connecting through l2tp-vpnd beside a
#              --foreground run of another profile (merged, sorted); down of each finds the
#              right one; the waiting up ends with the named error; SIGTERM to a waiting up
#              disconnects it in the daemon
#   nobody     uid 65534: up, status (the daemon's ListConnections) and down are refused:
#              permission (4)
#
# Needs root, dbus-daemon, unshare, setpriv, gdbus and python3 (JSON checks); exit 77 without.
set -uo pipefail

cli=${L2TPVPN_CLI:?} daemon=${L2TPVPND:?} dbus_dir=${L2TPVPN_DBUS_DIR:?}
if ((EUID != 0)); then
	echo "skipped: needs root (l2tp-vpnd, a private system bus, a caller switched to nobody)"
	exit 77
fi
for tool in dbus-daemon unshare setpriv gdbus python3; do
	command -v "$tool" >/dev/null || { echo "skipped: no $tool"; exit 77; }
done
unshare --net true 2>/dev/null || { echo "skipped: no network namespace (needs CAP_SYS_ADMIN)"; exit 77; }

tmp=$(mktemp -d /tmp/l2tpvpn-cli-daemon-XXXXXX)
chmod 755 "$tmp" # nobody must reach the bus socket inside
bus_pid='' daemon_pid='' fg_pid='' failures=0
cleanup() {
	for pid in $fg_pid $daemon_pid $bus_pid; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	((failures)) && [[ -f $tmp/daemon.log ]] && { echo "--- l2tp-vpnd log ---"; cat "$tmp/daemon.log"; }
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# check WHAT EXPECTED_RC: the last run's exit code.
check_rc() { [[ $rc == "$2" ]] || fail "$1: exit $rc, expected $2 (stdout: $out; stderr: $err)"; }
check_has() { [[ $2 == *"$3"* ]] || fail "$1: \"$3\" not in: $2"; }
# run ARGS...: the CLI as root on the private bus; sets out, err, rc.
run() {
	out=$(DBUS_SYSTEM_BUS_ADDRESS=$address "$cli" --run-dir "$tmp/run" --profile-dir "$tmp/profiles" "$@" \
		2>"$tmp/stderr" </dev/null)
	rc=$? err=$(<"$tmp/stderr")
}
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# ---- the bus: the system bus's default policy plus ours --------------------------------
cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>$dbus_dir/org.l2tpvpn.conf</include>
</busconfig>
EOF
{ read -r address && read -r bus_pid; } < <(dbus-daemon --fork --print-address=1 --print-pid=1 \
	--config-file "$tmp/bus.conf")
[[ $address == unix:* ]] || { echo "FAIL: no private bus"; exit 1; }

mkdir -m 700 "$tmp/profiles" "$tmp/run"
profile() { (umask 077 && printf '%b' "$2" >"$tmp/profiles/$1.conf"); }
profile work '[connection]\ngateway=10.255.255.1\n[ipsec]\nenabled=no\n[ppp]\nuser=alice\npassword-source=ask\n'
# Nothing listens on 127.0.0.1:1702: the tunnel request goes unanswered until the L2TP timeout.
profile silent '[connection]\ngateway=127.0.0.1\n[ipsec]\nenabled=no\n[l2tp]\nport=1702\n[ppp]\nuser=carol\npassword=pw\n'
profile quiet '[connection]\ngateway=127.0.0.1\n[ipsec]\nenabled=no\n[l2tp]\nport=1703\n[ppp]\nuser=dave\npassword=pw\n'

# ---- absent: a bus without the daemon, and no bus at all -----------------------------------
run up work
check_rc "up, daemon not running" 6
check_has "up, daemon not running" "$err" "error not-running: l2tp-vpnd cannot be reached on the system bus"
check_has "up, daemon not running" "$err" "l2tp-vpn up --foreground"
run status
check_rc "status, daemon not running" 0
check_has "status, daemon not running" "$out" "no connection is running"
run down work
check_rc "down, daemon not running" 6
out=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus "$cli" up work 2>&1 </dev/null)
rc=$? err=$out
check_rc "up, no bus" 6
check_has "up, no bus" "$out" "l2tp-vpnd cannot be reached on the system bus (no message bus"

# ---- the daemon, in a network namespace with only loopback ---------------------------------
unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$daemon" --bus-address="$address" \
	--profile-dir="$tmp/profiles" --run-dir="$tmp/run" --plugin="$tmp/no-plugin.so" \
	>"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
gdbus wait --address "$address" --timeout 20 org.l2tpvpn || { fail "l2tp-vpnd did not appear"; exit 1; }

# ---- secrets: SecretsRequired → --password-stdin → Connect again ---------------------------
out=$(printf 'Pw-Never-Shown-7\n' | DBUS_SYSTEM_BUS_ADDRESS=$address \
	DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-session-bus "$cli" up work --password-stdin 2>"$tmp/stderr")
rc=$? err=$(<"$tmp/stderr")
check_rc "up work --password-stdin" 9
check_has "up work --password-stdin" "$(tail -n1 <<<"$out")" \
	"error unreachable: resolve: no route to the gateway 10.255.255.1"
[[ $out$err != *Pw-Never-Shown-7* ]] || fail "the password is in the CLI's output"
grep -q Pw-Never-Shown-7 "$tmp/daemon.log" && fail "the password is in the daemon's log"
run up work --password-stdin
check_rc "up work --password-stdin, empty stdin" 3
check_has "up work --password-stdin, empty stdin" "$err" "error invalid-config:"
run up /tmp/elsewhere/work.conf
check_rc "up PATH outside the profile directory" 3
check_has "up PATH outside the profile directory" "$err" "up --foreground /tmp/elsewhere/work.conf"

# ---- status of the failed daemon connection ------------------------------------------------
run status work
check_rc "status work (disconnected)" 6
check_has "status work" "$out" "connection work"
check_has "status work" "$out" "via            l2tp-vpnd"
check_has "status work" "$out" "state          disconnected"
check_has "status work" "$out" "last_error     unreachable"
check_has "status work" "$err" "error not-running: work is not connected"
run status --json
check_rc "status --json" 0
[[ $(json_get '[(c["name"], c["via"], c["state"], c["last_error"]) for c in d]' <<<"$out") == \
	"[('work', 'l2tp-vpnd', 'disconnected', 'unreachable')]" ]] || fail "status --json: $out"

# ---- live: a daemon connection waiting for its LNS beside a --foreground run ---------------
# wait_line FD PATTERN: reads a background command's lines until one matches (20 s at most).
wait_line() {
	local line
	while IFS= read -r -t 20 -u "$1" line; do
		[[ $line == *"$2"* ]] && return 0
	done
	return 1
}
# start_up NAME ARGS...: `l2tp-vpn ARGS` in the background, its output readable on fd ${lines[NAME]}.
declare -A lines pids
start_up() {
	local name=$1 fifo=$tmp/$1.out
	shift
	mkfifo "$fifo"
	DBUS_SYSTEM_BUS_ADDRESS=$address "$@" >"$fifo" 2>&1 &
	pids[$name]=$!
	exec {fd}<"$fifo"
	lines[$name]=$fd
}
# The --foreground run in a network namespace of its own too (nothing answers there); its control
# socket is a path under the same run directory as the daemon's connections, as in production.
start_up quiet unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$cli" --run-dir "$tmp/run" \
	--profile-dir "$tmp/profiles" up --foreground quiet
fg_pid=${pids[quiet]}
start_up silent "$cli" up silent
# The first phase lines: both wait for their LNS now (the control socket exists before the first phase).
wait_line "${lines[silent]}" " ipsec " || fail "up silent: no ipsec phase line"
wait_line "${lines[quiet]}" " ipsec " || fail "up --foreground quiet: no ipsec phase line"
run status
check_rc "status (live)" 0
check_has "status (live)" "$out" "connection quiet
  via            foreground
  state          connecting"
check_has "status (live)" "$out" "connection silent
  via            l2tp-vpnd
  state          connecting"
check_has "status (live)" "$out" "connection work
  via            l2tp-vpnd
  state          disconnected"
run status --json
[[ $(json_get '[(c["name"], c["via"], c["state"]) for c in d]' <<<"$out") == \
	"[('quiet', 'foreground', 'connecting'), ('silent', 'l2tp-vpnd', 'connecting'), ('work', 'l2tp-vpnd', 'disconnected')]" ]] ||
	fail "status --json (live): $out"
run status silent --json
check_rc "status silent --json" 0
[[ $(json_get '(d["name"], d["via"], d["state"], d["phase"])' <<<"$out") == \
	"('silent', 'l2tp-vpnd', 'connecting', 'l2tp-tunnel')" ]] ||
	fail "status silent --json: $out"
run list
check_has "list (live)" "$out" "silent                   connecting (l2tp-vpnd)"
check_has "list (live)" "$out" "quiet                    connecting"

run down silent
check_rc "down silent (daemon)" 0
check_has "down silent" "$out" "silent: disconnected"
rest=$(cat <&"${lines[silent]}")
wait "${pids[silent]}"
rc=$?
check_rc "the waiting up silent, after down" 6
check_has "the waiting up silent, after down" "$(tail -n1 <<<"$rest")" \
	"error not-running: disconnected before the connection was up"
run down quiet
check_rc "down quiet (--foreground run)" 0
check_has "down quiet" "$out" "quiet: disconnected"
cat <&"${lines[quiet]}" >/dev/null
wait "$fg_pid"
rc=$? fg_pid=''
check_rc "the --foreground up quiet, after down" 0
[[ ! -e $tmp/run/quiet ]] || fail "the --foreground run left its state directory"

# SIGTERM while waiting: the CLI asks the daemon to disconnect before it goes.
rm "$tmp/silent.out"
start_up silent "$cli" up silent
wait_line "${lines[silent]}" " ipsec " || fail "up silent (2): no ipsec phase line"
kill -TERM "${pids[silent]}"
cat <&"${lines[silent]}" >/dev/null
wait "${pids[silent]}"
rc=$?
check_rc "up silent, SIGTERM" 6
run status silent
check_has "status silent after SIGTERM" "$out" "state          disconnected"

# ---- nobody: refused by the daemon -----------------------------------------------------------
cp "$cli" "$tmp/l2tp-vpn" && chmod 755 "$tmp/l2tp-vpn"
as_nobody() {
	out=$(DBUS_SYSTEM_BUS_ADDRESS=$address setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$tmp/l2tp-vpn" --run-dir "$tmp/run" "$@" 2>"$tmp/stderr" </dev/null)
	rc=$? err=$(<"$tmp/stderr")
}
for args in "up work --password-stdin" "status" "down work"; do
	# shellcheck disable=SC2086 # the words are the arguments
	as_nobody $args
	check_rc "$args as nobody" 4
	check_has "$args as nobody" "$err" "error permission:"
done

kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$? daemon_pid=''
check_rc "l2tp-vpnd after SIGTERM" 0
((failures == 0)) && echo "ok: l2tp-vpn over l2tp-vpnd"
exit $((failures ? 1 : 0))
