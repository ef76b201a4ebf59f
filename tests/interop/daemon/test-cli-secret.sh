#!/bin/bash
# `l2tp-vpn secret set|clear` against a real Secret Service (gnome-keyring-daemon in a
# session bus of its own, its login keyring created and unlocked with a password on stdin,
# HOME and XDG_RUNTIME_DIR in the temporary directory), and `up` taking what l2tp-vpnd asks
# for from that keyring (the client library's lookup, the path every front end uses):
#
#   store      secret set work --stdin: secret-tool finds it under the schema
#              org.l2tp-vpn.Secret (profile=work kind=ppp-password)
#   up         up work (password-source=ask) with no terminal and no --password-stdin:
#              SecretsRequired, the password from the keyring, Connect again: unreachable (9),
#              not the invalid-config (3) of a secret nobody could give; it is in no output or log
#   kinds      secret set work psk, then secret clear work password: the PSK stays
#   clear      the password gone: up work fails for want of it (3); clear without KIND
#              removes the PSK too; set with an empty stdin is refused (3)
#
# Exit 77 without gnome-keyring-daemon, dbus-run-session or secret-tool (tests/install-deps.sh
# installs them), or when the Secret Service does not come up on the session bus.
if [[ ${1:-} != --in-session ]]; then
	fixture_tools="dbus-run-session gnome-keyring-daemon secret-tool setsid"
	source "$(dirname "$0")/cli-daemon-fixture.sh"
	start_daemon
	mkdir -m 700 "$tmp/home" "$tmp/xdg"
	# The same script inside a session bus; its exit status (77 included) is ours.
	HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/xdg L2TPVPN_TEST_TMP=$tmp L2TPVPN_TEST_BUS=$address \
		dbus-run-session -- "$0" --in-session
	rc=$?
	((rc == 0)) && stop_daemon
	((rc == 1)) && failures=1 # the daemon's log is printed
	exit "$rc"
fi

# ---- inside the session ------------------------------------------------------------------
set -uo pipefail
cli=${L2TPVPN_CLI:?} tmp=${L2TPVPN_TEST_TMP:?} address=${L2TPVPN_TEST_BUS:?} failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check_rc() { [[ $rc == "$2" ]] || fail "$1: exit $rc, expected $2 (stdout: $out; stderr: $err)"; }
check_has() { [[ $2 == *"$3"* ]] || fail "$1: \"$3\" not in: $2"; }
# cli STDIN ARGS...: the CLI without a controlling terminal (setsid), STDIN as its input.
cli() {
	local input=$1
	shift
	out=$(printf '%s' "$input" | DBUS_SYSTEM_BUS_ADDRESS=$address setsid -w "$cli" "$@" 2>"$tmp/stderr")
	rc=$? err=$(<"$tmp/stderr")
}

# The keyring daemon forks into the background and stays while the session bus does.
printf 'keyring-unlock-pw\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
if ! gdbus wait --session --timeout 20 org.freedesktop.secrets; then
	echo "skipped: gnome-keyring-daemon did not put a Secret Service on the session bus"
	exit 77
fi

password=Pw-From-Keyring-5
cli "$password"$'\n' secret set work --stdin
check_rc "secret set work --stdin" 0
check_has "secret set work --stdin" "$out" "work: PPP password stored in your keyring"
[[ $(secret-tool lookup profile work kind ppp-password) == "$password" ]] ||
	fail "secret-tool does not find the password under profile=work kind=ppp-password"

cli '' up work
check_rc "up work, the password in the keyring" 9
check_has "up work, the password in the keyring" "$(tail -n1 <<<"$out")" "error unreachable:"
[[ $out$err != *"$password"* ]] || fail "the password is in the CLI's output"
grep -q "$password" "$tmp/daemon.log" && fail "the password is in the daemon's log"

cli 'Psk-In-Keyring-6'$'\n' secret set work psk --stdin
check_rc "secret set work psk --stdin" 0
cli '' secret clear work password
check_rc "secret clear work password" 0
check_has "secret clear work password" "$out" "work: PPP password removed from your keyring"
secret-tool lookup profile work kind ppp-password >/dev/null && fail "the password is still stored"
[[ $(secret-tool lookup profile work kind psk) == Psk-In-Keyring-6 ]] || fail "clearing the password took the PSK"

cli '' up work
check_rc "up work, nothing in the keyring, no terminal" 3
check_has "up work, nothing in the keyring, no terminal" "$err" "error invalid-config:"
check_has "up work, nothing in the keyring, no terminal" "$err" "no terminal to ask on"

cli '' secret clear work
check_rc "secret clear work" 0
secret-tool lookup profile work kind psk >/dev/null && fail "secret clear without KIND left the PSK"
cli '' secret set work --stdin
check_rc "secret set work --stdin, empty" 3

((failures == 0)) && echo "ok: l2tp-vpn secret set|clear with gnome-keyring, up takes the keyring's password"
exit $((failures ? 1 : 0))
