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
#              the progress; the same with the password typed at the no-echo prompt on a
#              terminal (a pty), and ^C at that prompt leaves the terminal echoing; the password
#              is in no output and not in the daemon's log;
#              empty stdin is an invalid-config error (3); a profile path in the daemon's
#              directory is that profile, one outside it is refused (3) with the --foreground hint
#   status     after the failure: status NAME shows via=l2tp-vpnd, state=disconnected,
#              last_error=unreachable and exits 6; --json is valid JSON with the same
#   live       up of a profile whose LNS never answers, in the background: while it waits,
#              status (text, --json, list) shows it connecting through l2tp-vpnd beside a
#              --foreground run of another profile (merged, sorted); down of each finds the
#              right one; the waiting up ends with the named error; SIGTERM to a waiting up
#              disconnects it in the daemon
#   nobody     uid 65534: up and down are refused: permission (4); status (the daemon's
#              ListConnections and properties, open to every caller) shows the connections
#
# Needs root, dbus-daemon, unshare, setpriv, gdbus and python3 (JSON checks); exit 77 without.
fixture_tools="setpriv python3"
source "$(dirname "$0")/cli-daemon-fixture.sh"
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# Nothing listens on 127.0.0.1:1702 or :1703: the tunnel request goes unanswered until the L2TP timeout.
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

# ---- the daemon ---------------------------------------------------------------------------
start_daemon

# ---- secrets: SecretsRequired → --password-stdin → Connect again ---------------------------
out=$(printf 'Pw-Never-Shown-7\n' | DBUS_SYSTEM_BUS_ADDRESS=$address \
	DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-session-bus "$cli" up work --password-stdin 2>"$tmp/stderr")
rc=$? err=$(<"$tmp/stderr")
check_rc "up work --password-stdin" 9
check_has "up work --password-stdin" "$(tail -n1 <<<"$out")" \
	"error unreachable: resolve: no route to the gateway 10.255.255.1"
[[ $out$err != *Pw-Never-Shown-7* ]] || fail "the password is in the CLI's output"
grep -q Pw-Never-Shown-7 "$tmp/daemon.log" && fail "the password is in the daemon's log"
# on_tty KEYS: `l2tp-vpn up work` on a pseudo-terminal; once it prompts, KEYS are typed. Prints what the
# terminal showed, then "echo=on|off" (the terminal's state once up has ended); exits as up did
# (128+N for signal N).
on_tty() {
	DBUS_SYSTEM_BUS_ADDRESS=$address DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/no-session-bus \
		python3 - "$cli" "$1" <<'EOF'
import os, pty, select, sys, termios
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "up", "work"])
seen = b""
def read_until(pattern):
    global seen
    while pattern not in seen:
        if not select.select([fd], [], [], 20)[0]:
            sys.exit("no " + repr(pattern) + " in: " + seen.decode())
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's other side closed
            chunk = b""
        if not chunk:
            return
        seen += chunk
read_until(b"PPP password (work): ")
os.write(fd, sys.argv[2].encode().decode("unicode_escape").encode())
read_until(b"\0")  # everything, up to the end
status = os.waitpid(pid, 0)[1]
print(seen.decode().replace("\r", ""))
print("echo=" + ("on" if termios.tcgetattr(fd)[3] & termios.ECHO else "off"))
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
EOF
}
# The same on a terminal: the prompt, the password typed without echo, Connect again.
out=$(on_tty 'Pw-Typed-On-Tty-8\n')
rc=$? err=''
check_rc "up work on a terminal" 9
check_has "up work on a terminal" "$out" "PPP password (work): "
check_has "up work on a terminal" "$out" "error unreachable: resolve: no route to the gateway 10.255.255.1"
check_has "up work on a terminal" "$out" "echo=on"
[[ $out != *Pw-Typed-On-Tty-8* ]] || fail "the typed password was echoed: $out"
grep -q Pw-Typed-On-Tty-8 "$tmp/daemon.log" && fail "the typed password is in the daemon's log"
# ^C at the prompt: up dies of SIGINT, and the terminal echoes again.
out=$(on_tty '\x03')
rc=$? err=''
check_rc "^C at the prompt" $((128 + 2))
check_has "^C at the prompt" "$out" "echo=on"
run up work --password-stdin
check_rc "up work --password-stdin, empty stdin" 3
check_has "up work --password-stdin, empty stdin" "$err" "error invalid-config:"
# A path that names one of the daemon's own profiles is that profile.
out=$(printf 'pw\n' | DBUS_SYSTEM_BUS_ADDRESS=$address "$cli" --profile-dir "$tmp/profiles" \
	up "$tmp/profiles/../profiles/work.conf" --password-stdin 2>"$tmp/stderr")
rc=$? err=$(<"$tmp/stderr")
check_rc "up PATH in the profile directory" 9
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
for args in "up work --password-stdin" "down work"; do
	# shellcheck disable=SC2086 # the words are the arguments
	as_nobody $args
	check_rc "$args as nobody" 4
	check_has "$args as nobody" "$err" "error permission:"
done
# Reading state is open, as NetworkManager's is: what root saw above (a connection the daemon
# only remembers: not-running, 6), not a refusal.
as_nobody status silent
check_rc "status silent as nobody" 6
check_has "status silent as nobody" "$out" "state          disconnected"

stop_daemon
((failures == 0)) && echo "ok: l2tp-vpn over l2tp-vpnd"
exit $((failures ? 1 : 0))
