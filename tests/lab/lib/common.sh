# Lab library: logging, verdicts, waiting, and "sides".
#
# A side is one machine of the topology: a network namespace plus a private mount
# namespace in which /run, /etc/ppp, /etc/xl2tpd, /etc/strongswan.* and
# /etc/swanctl are the side's own. That lets two charons, two xl2tpds and two
# pppds coexist with their default paths (pid files, vici socket, secrets).
# Run anything on a side with `on SIDE cmd...`.

# Timestamps come from bash's $EPOCHREALTIME: under TCG every exec costs
# 0.1-0.3 s, so the library avoids spawning processes for bookkeeping.
LAB_T0=$EPOCHREALTIME
LAB_STATE=/var/lib/lab
mkdir -p "$LAB_STATE" "$LAB_LOGS"

# now_ms — milliseconds since the scenario started.
now_ms() {
	local t=${EPOCHREALTIME/./} t0=${LAB_T0/./}
	echo $(((t - t0) / 1000))
}
lab_elapsed() {
	local ms
	ms=$(now_ms)
	printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10))
}
log() { printf '[%6s] %s\n' "$(lab_elapsed)" "$*"; }
fail() { log "FAIL: $*" >&2; exit 1; }
setup_error() { log "SET-UP ERROR: $*" >&2; exit 99; }
pass() { log "PASS: $*"; }

# wait_until SECONDS WHAT CMD... — re-check CMD every 20 ms until it succeeds.
# Only for lab plumbing (daemon sockets appearing); timings that matter use
# event timestamps (ip monitor, daemon logs), not this.
wait_until() {
	local limit=$1 what=$2
	shift 2
	local deadline=$(($(now_ms) + limit * 1000))
	until "$@" >/dev/null 2>&1; do
		(($(now_ms) < deadline)) || return 1
		sleep 0.02
	done
}

# side_add NAME — network namespace + holder process owning its mount namespace.
side_add() {
	local side=$1 dir=$LAB_STATE/$1
	mkdir -p "$dir"/{etc/ppp,etc/xl2tpd,etc/swanctl,etc/strongswan.d}
	touch "$dir/etc/strongswan.conf" "$dir/etc/ppp/options"
	ip netns add "$side"
	ip -n "$side" link set lo up
	# The holder keeps the side's mount namespace alive; `on` enters it.
	ip netns exec "$side" unshare --mount --propagation private bash -c '
		set -e
		mount -t tmpfs -o mode=0755 tmpfs /run
		mkdir -p /run/xl2tpd /run/pppd /run/lock
		mount --bind "$1/etc/ppp" /etc/ppp
		mount --bind "$1/etc/xl2tpd" /etc/xl2tpd
		mount --bind "$1/etc/swanctl" /etc/swanctl
		mount --bind "$1/etc/strongswan.d" /etc/strongswan.d
		mount --bind "$1/etc/strongswan.conf" /etc/strongswan.conf
		echo ready >"$1/holder.ready"
		exec sleep infinity' holder "$dir" &
	echo $! >"$dir/holder.pid"
	wait_until 60 "side $side" test -f "$dir/holder.ready" || setup_error "side $side did not come up"
}

# on SIDE CMD... — run CMD inside the side's network and mount namespaces.
on() {
	local side=$1
	shift
	nsenter -t "$(cat "$LAB_STATE/$side/holder.pid")" --mount --net -- "$@"
}

# side_stop SIDE DAEMON — stop a daemon of this side only (all sides share the
# scenario's PID namespace, so pkill would hit the other side's twin): by the pid
# file in the side's private /run, then wait for it to exit.
side_stop() {
	local side=$1 daemon=$2 pid
	pid=$(on "$side" cat "/run/$daemon.pid" 2>/dev/null) || return 0
	[[ -n $pid ]] || return 0
	kill "$pid" 2>/dev/null || return 0
	wait_until 20 "$daemon on $side exits" bash -c "! kill -0 $pid" || {
		kill -9 "$pid" 2>/dev/null
		log "$daemon on $side did not exit on SIGTERM; killed"
	}
}

# on_bg SIDE CMD... & — like `on`, for background jobs: the subshell execs, so
# $! is the command's own pid (a backgrounded function would leave $! pointing
# at a bash subshell that never passes signals on).
on_bg() {
	local side=$1
	shift
	exec nsenter -t "$(cat "$LAB_STATE/$side/holder.pid")" --mount --net -- "$@"
}

side_etc() { echo "$LAB_STATE/$1/etc"; }

# Saved on every exit, so a failure always comes with the state that explains it.
lab_on_exit() {
	local rc=$1 side
	set +e
	((rc == 0)) || for side in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		{
			echo "### $side: ip addr"; on "$side" ip addr
			echo "### $side: ip route"; on "$side" ip route
			echo "### $side: ip xfrm state"; on "$side" ip xfrm state
			echo "### $side: ip xfrm policy"; on "$side" ip xfrm policy
			echo "### $side: processes"; on "$side" ps -eo pid,args 2>/dev/null | grep -v 'sleep infinity'
		} >"$LAB_LOGS/state-$side.txt" 2>&1
	done
	if ((rc == 0)); then
		log "scenario $LAB_NAME passed"
	else
		log "scenario $LAB_NAME failed (status $rc); logs in $LAB_LOGS"
	fi
	exit "$rc"
}

# shellcheck disable=SC1091
source "$LAB_LIB/topology.sh"
source "$LAB_LIB/strongswan.sh"
source "$LAB_LIB/gateway.sh"
source "$LAB_LIB/classic.sh"
source "$LAB_LIB/checks.sh"
source "$LAB_LIB/bench.sh"
