# summary: l2tp-vpnd keeps a connection up while a ping runs: restart of the gateway's xl2tpd (traffic back within 15 s), restart of the gateway's charon, SIGKILL of our pppd, a silent crash of the gateway's IPsec (dead SA noticed within 60 s): each detected and reconnected (times printed); status shows the reconnect count and last error; down leaves nothing
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
source "$LAB_LIB/daemon.sh"
# The outages below are independent events seconds apart, not one flapping link: the backoff
# restarts after 3 s up (default 60 s; the schedule itself is unit-tested on virtual time).
vpnd_lab_setup lab --reconnect-stable-ms 3000
vpnd_monitor_start
vpnd_up_ok lab
traffic_start "$LAB_LAN_HOST"

# outage WHAT NOTICE_S BACK_S ACTION... — break something while the ping runs; the daemon must
# notice within NOTICE_S and the ping must get replies again within BACK_S of the break.
RECONNECTS=0 # status counts every reconnect attempt started
outage() {
	local what=$1 notice=$2 limit=$3 t0 t_lost t_up t_back st n
	shift 3
	t0=$EPOCHREALTIME
	"$@"
	wait_until "$limit" "$what: reconnected" reconnected_since "$t0" ||
		fail "$what: no reconnect within $limit s: $(grep StateChanged "$VPND_EVENTS" | tail -n 3)"
	t_lost=$(vpnd_state_at "$t0" disconnecting) # noticed: the teardown starts
	t_up=$(vpnd_state_at "$t0" connected)
	[[ -n $t_lost ]] || fail "$what: the daemon never started a teardown (did it notice anything?)"
	[[ -n $(vpnd_state_at "$t0" reconnecting) ]] || fail "$what: the daemon never said reconnecting"
	(($(ms_between "$t0" "$t_lost") <= notice * 1000)) ||
		fail "$what: noticed only after $(ms_between "$t0" "$t_lost") ms (limit $notice s)"
	wait_until "$limit" "$what: ping replies again" traffic_back_since "$t0" || true
	t_back=$(traffic_back_at "$t0")
	[[ -n $t_back ]] || fail "$what: no ping reply after the reconnect: $(tail -n 3 "$TRAFFIC_LOG")"
	n=$(ms_between "$t0" "$t_back")
	log "$what: noticed after $(ms_between "$t0" "$t_lost") ms, connected again after $(ms_between "$t0" "$t_up") ms," \
		"traffic back after $n ms"
	((n <= limit * 1000)) || fail "$what: traffic back only after $n ms (limit $limit s)"
	st=$(vpnd_status lab) || fail "status failed: $st"
	[[ $(status_get "$st" state) == connected ]] || fail "$what: status is not connected: $st"
	n=$(status_get "$st" reconnects)
	((${n:-0} > RECONNECTS)) || fail "$what: status shows ${n:-no} reconnects, as before ($RECONNECTS): $st"
	RECONNECTS=$n
	[[ -n $(status_get "$st" last_error) ]] || fail "$what: status names no last error: $st"
	log "  status: reconnects=$(status_get "$st" reconnects) last_error=$(status_get "$st" last_error):" \
		"$(status_get "$st" last_error_message)"
}
reconnected_since() { [[ -n $(vpnd_state_at "$1" connected) ]]; }
traffic_back_since() { [[ -n $(traffic_back_at "$1") ]]; }

charon_restart_gw() {
	side_stop gw charon
	gw_ipsec_start
}
kill_our_pppd() {
	local pid
	pid=$(on cl sed -n 's/^pppd-pid=//p' /run/l2tp-vpn/lab/state)
	[[ -n $pid ]] || fail "no pppd pid in /run/l2tp-vpn/lab/state"
	kill -KILL "$pid"
}

# The gateway's IPsec dies without a word (SIGKILL, its SAs and policies gone, as after a crash
# or reboot), then comes back: nothing tells us; keep-alives (LCP echo 10 s x 4) must notice the
# dead SA (lab: 52.7 s from the kill, which comes first, to our teardown).
charon_crash_gw() {
	kill -KILL "$(on gw cat /run/charon.pid)"
	on gw ip xfrm state flush
	on gw ip xfrm policy flush
	gw_ipsec_start
}

outage "restart of the gateway's xl2tpd" 15 15 gw_l2tp_restart
outage "restart of the gateway's charon" 15 60 charon_restart_gw
outage "SIGKILL of our pppd" 10 30 kill_our_pppd
outage "crash of the gateway's IPsec (no DELETE)" 60 90 charon_crash_gw
# Our StopCCN could not reach the LNS then: it may still hold that tunnel on port 1701.
grep -q 'using an ephemeral port' "$VPND_LOG" ||
	fail "after the silent crash the reconnect walked into port 1701 again (the LNS may still hold the old tunnel there)"
log "  the reconnect after the silent crash used an ephemeral port (the LNS never confirmed the old tunnel's end)"
traffic_stop

vpnd_down lab
vpnd_no_cli_pid
ours_assert_clean "after down"
pass "xl2tpd restart, charon restart, a killed pppd and a silently dead SA: each noticed and reconnected, traffic back; nothing left after down"
