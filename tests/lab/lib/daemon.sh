# Lab library: l2tp-vpnd on side cl, as a system service would run it.
#
# The side gets a system dbus-daemon of its own (its private /run holds
# /run/dbus/system_bus_socket, so every client finds it at the default
# address) whose configuration is the stock /usr/share/dbus-1/system.conf plus
# our data/dbus/org.l2tpvpn.conf: the bus policy under test is the one we ship.
# polkitd runs there too, as its own user, with our data/polkit actions: the
# VM has no logind, so no caller is ever in an active local session, and
# polkit decides by <allow_any> (auth_admin): root is authorised (polkit's
# uid-0 rule), anyone else is refused ("authentication is needed"). Without
# vpnd_polkit_start the daemon's root-only fallback is what answers.
#
# Profiles live in the side's /etc overlay, $(side_etc cl)/l2tp-vpn (root,
# 0700; /etc itself is the read-only host's); the daemon writes DNS into
# $VPND_RESOLV (no resolvconf in the lab) and logs to $LAB_LOGS/l2tp-vpnd.log.

: "${LAB_BUILD:?l2tp-vpnd needs --build BUILD}"
VPND=$LAB_BUILD/client/daemon/l2tp-vpnd
VPND_CLI=$LAB_BUILD/cli/l2tp-vpn
VPND_RESOLV=/tmp/resolv.conf.cl
VPND_LOG=$LAB_LOGS/l2tp-vpnd.log
VPND_NOBODY=65534 # the unprivileged caller: nobody/nogroup
[[ -x $VPND ]] || setup_error "no $VPND: build the daemon first"

vpnd_profile_dir() { echo "$(side_etc cl)/l2tp-vpn"; }

# vpnd_bus_start — the side's system bus; returns once it accepts connections.
vpnd_bus_start() {
	local conf=$LAB_STATE/cl-system-bus.conf
	cat >"$conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/system.conf</include>
  <include>$LAB_SRC/data/dbus/org.l2tpvpn.conf</include>
</busconfig>
CONF
	on cl mkdir -p /run/dbus
	(on_bg cl dbus-daemon --nofork --nosyslog --config-file="$conf") >>"$LAB_LOGS/dbus-cl.log" 2>&1 &
	VPND_BUS_PID=$!
	wait_until 30 "system bus on cl" on cl test -S /run/dbus/system_bus_socket ||
		setup_error "the system dbus-daemon on cl did not start (see dbus-cl.log)"
}

# vpnd_name_owned NAME — someone owns NAME on the side's system bus.
vpnd_name_owned() {
	on cl gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true
}

# vpnd_polkit_start — polkitd on the side's bus (started as root, it switches to user
# polkitd itself), with the host's actions plus ours (a bind mount over
# /usr/share/polkit-1/actions in side cl). It logs "Error getting login monitor":
# there is no logind in the VM.
vpnd_polkit_start() {
	local actions=$LAB_STATE/cl-polkit-actions
	mkdir -p "$actions"
	cp /usr/share/polkit-1/actions/*.policy "$actions/" 2>/dev/null || true
	cp "$LAB_SRC/data/polkit/org.l2tpvpn.policy" "$actions/"
	on cl mount --bind "$actions" /usr/share/polkit-1/actions
	(on_bg cl /usr/lib/polkit-1/polkitd) \
		>>"$LAB_LOGS/polkitd-cl.log" 2>&1 &
	VPND_POLKIT_PID=$!
	wait_until 60 "polkitd on the bus" vpnd_name_owned org.freedesktop.PolicyKit1 ||
		setup_error "polkitd did not take org.freedesktop.PolicyKit1 (see polkitd-cl.log)"
	log "polkitd on the side's system bus (no logind: nobody has an active session)"
}

# vpnd_start [ARGS] — l2tp-vpnd from $LAB_BUILD on the side's system bus;
# returns once it owns org.l2tpvpn. VPND_PID is the daemon's own pid.
vpnd_start() {
	mkdir -p "$(vpnd_profile_dir)"
	chmod 0700 "$(vpnd_profile_dir)"
	[[ -f $VPND_RESOLV ]] || printf '# the user own\nnameserver 172.31.0.254\n' >"$VPND_RESOLV"
	local mark=0
	[[ -f $VPND_LOG ]] && mark=$(wc -l <"$VPND_LOG")
	(on_bg cl "$VPND" --profile-dir "$(vpnd_profile_dir)" --resolv-conf "$VPND_RESOLV" "$@") >>"$VPND_LOG" 2>&1 &
	VPND_PID=$!
	wait_until 60 "l2tp-vpnd ready" bash -c "tail -n +$((mark + 1)) '$VPND_LOG' | grep -q 'ready on the bus' || ! kill -0 $VPND_PID" ||
		setup_error "l2tp-vpnd did not come up within 60 s (see l2tp-vpnd.log)"
	kill -0 "$VPND_PID" 2>/dev/null || setup_error "l2tp-vpnd exited at start: $(tail -n 3 "$VPND_LOG")"
	log "l2tp-vpnd $VPND_PID owns org.l2tpvpn on the side's system bus"
}

# vpnd_stop [SIGNAL] — signal the daemon and wait for it; sets VPND_STATUS.
vpnd_stop() {
	VPND_STATUS=0
	kill "-${1:-TERM}" "$VPND_PID" 2>/dev/null || return 0
	wait_until 60 "l2tp-vpnd exits" bash -c "! kill -0 $VPND_PID 2>/dev/null" ||
		fail "l2tp-vpnd did not exit within 60 s of SIG${1:-TERM}: $(tail -n 5 "$VPND_LOG")"
	wait "$VPND_PID" || VPND_STATUS=$?
}

# vpnd_profile NAME [EXTRA-IPSEC-LINES] — the lab profile (ours_profile's keys)
# in the daemon's profile directory, root 0600.
vpnd_profile() {
	ours_profile "$@"
	mv "$OURS_PROFILE" "$(vpnd_profile_dir)/$1.conf"
	OURS_PROFILE=$(vpnd_profile_dir)/$1.conf
}

# vpnd_as_nobody CMD... — CMD in side cl as an unprivileged user (no groups, no capabilities).
vpnd_as_nobody() {
	on cl setpriv --reuid="$VPND_NOBODY" --regid="$VPND_NOBODY" --clear-groups --inh-caps=-all \
		--bounding-set=-all -- "$@"
}

# vpnd_cli ARGS — our CLI on side cl (as root); talks to the daemon over the side's system bus.
vpnd_cli() { on cl "$VPND_CLI" "$@"; }

# vpnd_idle_sample PID — "CSW RSS_KB": context switches (voluntary and not) of all PID's
# threads so far, and its resident set.
vpnd_idle_sample() {
	local status
	status=$(cat /proc/"$1"/task/*/status 2>/dev/null) || return 1
	awk '/_ctxt_switches:/ { csw += $2 } /^VmRSS:/ { rss = $2 } END { print csw, rss }' <<<"$status"
}

# idle_cost SECONDS NAME=PID... — wake-ups per second (context switches of all of a
# process's threads over the window) and RSS of each process, measured together; one
# line each, and IDLE_WAKEUPS[NAME] (per s, 2 decimals), IDLE_RSS_KB[NAME].
declare -A IDLE_WAKEUPS IDLE_RSS_KB
idle_cost() {
	local secs=$1 spec name pid t0 ms csw rss threads
	shift
	declare -A before
	for spec in "$@"; do
		read -r csw _ <<<"$(vpnd_idle_sample "${spec#*=}")"
		before[${spec%%=*}]=$csw
	done
	t0=$(now_ms)
	# A fixed window is the measurement itself here, not a wait for something.
	sleep "$secs"
	ms=$(($(now_ms) - t0))
	for spec in "$@"; do
		name=${spec%%=*} pid=${spec#*=}
		read -r csw rss <<<"$(vpnd_idle_sample "$pid")"
		[[ -n $rss ]] || fail "idle cost: $name ($pid) is gone"
		threads=$(ls /proc/"$pid"/task | wc -l)
		IDLE_WAKEUPS[$name]=$(awk -v n=$((csw - before[$name])) -v ms="$ms" 'BEGIN { printf "%.2f", n * 1000 / ms }')
		IDLE_RSS_KB[$name]=$rss
		log "idle cost of $name (pid $pid, $threads threads): $((csw - before[$name])) context switches in" \
			"$ms ms = ${IDLE_WAKEUPS[$name]} wake-ups/s, RSS $rss kB"
	done
}

# ---- driving the daemon: `l2tp-vpn up/down/status` (the CLI talks to l2tp-vpnd by default).

# vpnd_up NAME — `l2tp-vpn up NAME -v` as root; sets VPND_UP_RC, VPND_UP_MS (wall time until it
# returned) and VPND_UP_LOG (what it printed: the daemon's progress, then the outcome).
VPND_RUN=0
vpnd_up() {
	local t0
	VPND_RUN=$((VPND_RUN + 1))
	VPND_UP_LOG=$LAB_LOGS/vpnd-up-$VPND_RUN.log
	VPND_UP_RC=0
	t0=$(now_ms)
	on cl "$VPND_CLI" up "$1" -v >"$VPND_UP_LOG" 2>&1 || VPND_UP_RC=$?
	VPND_UP_MS=$(($(now_ms) - t0))
}

# vpnd_progress_count — phase lines ("  1234 ms  ipsec ...") the last vpnd_up printed.
vpnd_progress_count() { grep -cE '^ +[0-9]+ ms  [a-z]' "$VPND_UP_LOG" || true; }

# vpnd_down NAME — `l2tp-vpn down NAME` (returns once down); output appended to vpnd-down.log.
vpnd_down() {
	vpnd_cli down "$1" >>"$LAB_LOGS/vpnd-down.log" 2>&1 ||
		fail "l2tp-vpn down $1 failed: $(tail -n 2 "$LAB_LOGS/vpnd-down.log")"
}

# vpnd_status NAME — `l2tp-vpn status NAME`: "  key  value" lines (state, uptime_ms, rx_bytes, ...).
vpnd_status() { vpnd_cli status "$1" 2>&1; }

# status_get STATUS KEY — the value of KEY in vpnd_status' output.
status_get() { sed -n "s/^ *$2 \+//p" <<<"$1" | head -n 1; }

# vpnd_no_cli_pid — ours_assert_clean checks that no `up --foreground` process is left
# (OURS_PID); through the daemon there is none: give it a pid that has ended.
vpnd_no_cli_pid() { OURS_PID=$(sh -c 'echo $$'); }

# ---- timing what the daemon does: its D-Bus signals, stamped as they arrive.

# vpnd_monitor_start — every signal of org.l2tpvpn into $VPND_EVENTS, each line prefixed
# with its arrival time ($EPOCHREALTIME: a bash builtin, no process per line).
vpnd_monitor_start() {
	VPND_EVENTS=$LAB_LOGS/vpnd-signals.log
	: >"$VPND_EVENTS"
	(on_bg cl gdbus monitor --system --dest org.l2tpvpn) 2>&1 |
		while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >>"$VPND_EVENTS" &
	wait_until 20 "gdbus monitor subscribed" grep -q 'is owned by' "$VPND_EVENTS" ||
		setup_error "gdbus monitor did not start: $(cat "$VPND_EVENTS")"
}

# vpnd_event_at SINCE REGEX — arrival time (epoch s.us) of the first signal after SINCE matching REGEX.
vpnd_event_at() {
	awk -v t="$1" -v re="$2" '$1 > t && $0 ~ re { print $1; exit }' "$VPND_EVENTS"
}

# vpnd_state_at SINCE STATE — when StateChanged first said STATE after SINCE.
vpnd_state_at() { vpnd_event_at "$1" "StateChanged \\('$2'"; }

# ms_between T0 T1 — milliseconds between two epoch times "s.us".
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# ---- traffic across the tunnel while things break.

# traffic_start DEST — a ping every 200 ms from cl, each reply stamped (ping -D) in $TRAFFIC_LOG.
traffic_start() {
	TRAFFIC_LOG=$LAB_LOGS/traffic-$1.log
	(on_bg cl ping -D -n -i 0.2 -W 1 "$1") >"$TRAFFIC_LOG" 2>&1 &
	TRAFFIC_PID=$!
	wait_until 20 "first ping reply" grep -q 'bytes from' "$TRAFFIC_LOG" || fail "no ping reply from $1 before the test"
}

traffic_stop() {
	kill -INT "$TRAFFIC_PID" 2>/dev/null || true
	wait "$TRAFFIC_PID" 2>/dev/null || true
}

# traffic_back_at SINCE — time of the first reply after SINCE that follows lost requests
# (an icmp_seq gap): the end of the outage. Empty while traffic has not come back.
traffic_back_at() {
	awk -v t="$1" '
		/bytes from/ {
			ts = substr($1, 2, length($1) - 2)
			seq = $0; sub(/.*icmp_seq=/, "", seq); sub(/ .*/, "", seq)
			if (ts > t && prev != "" && seq + 0 > prev + 1) { print ts; exit }
			prev = seq
		}' "$TRAFFIC_LOG"
}

# vpnd_lab_setup NAME [DAEMON-ARGS...] — the daemon scenarios' common start: basic topology,
# gateway, the client side's charon, system bus, polkit, leftover snapshot, l2tp-vpnd, profile NAME.
vpnd_lab_setup() {
	local name=$1
	shift
	topo_basic
	gw_start
	charon_start cl
	vpnd_bus_start
	vpnd_polkit_start
	ours_snapshot
	vpnd_start "$@"
	vpnd_profile "$name"
}

# vpnd_up_ok NAME — vpnd_up that must succeed.
vpnd_up_ok() {
	vpnd_up "$1"
	((VPND_UP_RC == 0)) || fail "up $1 through l2tp-vpnd failed ($VPND_UP_RC): $(tail -n 5 "$VPND_UP_LOG")"
	log "up $1 through l2tp-vpnd: exit 0 after $VPND_UP_MS ms"
}
