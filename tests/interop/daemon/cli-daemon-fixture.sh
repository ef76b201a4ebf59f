# Sourced by the tests that drive the real l2tp-vpn CLI against the real l2tp-vpnd
# (test-cli-daemon.sh, test-cli-secret.sh): checks (exit 77 without root or the
# tools), a temporary directory removed on exit, a private system-like bus with the
# system bus's default policy plus our data/dbus/org.l2tpvpn.conf (no polkit on it:
# the daemon's root-only fallback), profiles, l2tp-vpnd in an empty network namespace
# (every gateway unreachable, nothing answers on 127.0.0.1), and check helpers.
# Callers set fixture_tools (extra programs they need) before sourcing.
set -uo pipefail

cli=${L2TPVPN_CLI:?} daemon=${L2TPVPND:?} dbus_dir=${L2TPVPN_DBUS_DIR:?}
if ((EUID != 0)); then
	echo "skipped: needs root (l2tp-vpnd, a private system bus, network namespaces)"
	exit 77
fi
for tool in dbus-daemon unshare gdbus ${fixture_tools:-}; do
	command -v "$tool" >/dev/null || { echo "skipped: no $tool"; exit 77; }
done
unshare --net true 2>/dev/null || { echo "skipped: no network namespace (needs CAP_SYS_ADMIN)"; exit 77; }

tmp=$(mktemp -d /tmp/l2tpvpn-cli-XXXXXX)
chmod 755 "$tmp" # nobody must reach the bus socket inside
bus_pid='' daemon_pid='' fg_pid='' failures=0 # fg_pid: a --foreground run a test started
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
# profile NAME TEXT (printf %b escapes) — a profile in the daemon's directory, root's, 0600.
profile() { (umask 077 && printf '%b' "$2" >"$tmp/profiles/$1.conf"); }
# A PPP password the daemon must ask its caller for (SecretsRequired).
profile work '[connection]\ngateway=10.255.255.1\n[ipsec]\nenabled=no\n[ppp]\nuser=alice\npassword-source=ask\n'

# start_daemon — l2tp-vpnd on the private bus, in a network namespace with only loopback (up).
start_daemon() {
	unshare --net -- sh -c 'ip link set lo up && exec "$0" "$@"' "$daemon" --bus-address="$address" \
		--profile-dir="$tmp/profiles" --run-dir="$tmp/run" --plugin="$tmp/no-plugin.so" \
		>"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	gdbus wait --address "$address" --timeout 20 org.l2tpvpn || { fail "l2tp-vpnd did not appear"; exit 1; }
}

# stop_daemon — SIGTERM; it must exit 0.
stop_daemon() {
	kill -TERM "$daemon_pid"
	wait "$daemon_pid"
	rc=$? daemon_pid=''
	check_rc "l2tp-vpnd after SIGTERM" 0
}
