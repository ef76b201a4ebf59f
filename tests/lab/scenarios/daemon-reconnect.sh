# summary: l2tp-vpnd keeps a connection up while a ping runs: restart of the gateway's xl2tpd (traffic back within 15 s), restart of the gateway's charon, SIGKILL of our pppd: each detected and reconnected (times printed); status shows the reconnect count and last error; down leaves nothing
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
source "$LAB_LIB/daemon.sh"
vpnd_lab_setup lab
vpnd_monitor_start
vpnd_up_ok lab
traffic_start "$LAB_LAN_HOST"

# outage WHAT LIMIT_S ACTION... — break something while the ping runs; the daemon must notice,
# reconnect and the ping must get replies again within LIMIT_S of the break.
EXPECT_RECONNECTS=0
outage() {
	local what=$1 limit=$2 t0 t_lost t_up t_back st n
	shift 2
	t0=$EPOCHREALTIME
	"$@"
	EXPECT_RECONNECTS=$((EXPECT_RECONNECTS + 1))
	wait_until "$limit" "$what: reconnected" reconnected_since "$t0" ||
		fail "$what: no reconnect within $limit s: $(grep StateChanged "$VPND_EVENTS" | tail -n 3)"
	t_lost=$(vpnd_state_at "$t0" reconnecting)
	t_up=$(vpnd_state_at "$t0" connected)
	[[ -n $t_lost ]] || fail "$what: the daemon never said reconnecting (did it notice anything?)"
	wait_until "$limit" "$what: ping replies again" traffic_back_since "$t0" || true
	t_back=$(traffic_back_at "$t0")
	[[ -n $t_back ]] || fail "$what: no ping reply after the reconnect: $(tail -n 3 "$TRAFFIC_LOG")"
	n=$(ms_between "$t0" "$t_back")
	log "$what: noticed after $(ms_between "$t0" "$t_lost") ms, connected again after $(ms_between "$t0" "$t_up") ms," \
		"traffic back after $n ms"
	((n <= limit * 1000)) || fail "$what: traffic back only after $n ms (limit $limit s)"
	st=$(vpnd_status lab) || fail "status failed: $st"
	[[ $(status_get "$st" state) == connected ]] || fail "$what: status is not connected: $st"
	[[ $(status_get "$st" reconnects) == "$EXPECT_RECONNECTS" ]] ||
		fail "$what: status shows $(status_get "$st" reconnects) reconnects, expected $EXPECT_RECONNECTS: $st"
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

outage "restart of the gateway's xl2tpd" 15 gw_l2tp_restart
outage "restart of the gateway's charon" 60 charon_restart_gw
outage "SIGKILL of our pppd" 30 kill_our_pppd
traffic_stop

vpnd_down lab
vpnd_no_cli_pid
ours_assert_clean "after down"
pass "xl2tpd restart, charon restart and a killed pppd: each reconnected, traffic back; nothing left after down"
