# summary: idle cost while connected and nothing flows: wake-ups per second and RSS of l2tp-vpnd (and our pppd), then of the classic stack's resident daemons (xl2tpd, its pppd) on the same link; charon is common to both. l2tp-vpnd must not wake up on its own more than 0.5 times a second
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
source "$LAB_LIB/daemon.sh"
IDLE_WINDOW=${IDLE_WINDOW:-12}
vpnd_lab_setup lab
vpnd_up_ok lab
assert_ping cl "$LAB_GW_PPP_IP"
ours_pppd=$(on cl sed -n 's/^pppd-pid=//p' /run/l2tp-vpn/lab/state)
[[ -n $ours_pppd ]] || fail "no pppd pid in /run/l2tp-vpn/lab/state"
log "connected through l2tp-vpnd; measuring ${IDLE_WINDOW} s with no traffic"
idle_cost "$IDLE_WINDOW" l2tp-vpnd="$VPND_PID" pppd-ours="$ours_pppd"
vpnd_down lab
vpnd_no_cli_pid
ours_assert_clean "after down"

# The classic stack on the same link and gateway: xl2tpd is its resident daemon. A fresh LNS
# first: ours just closed a tunnel from the same address and port 1701 (see gw_l2tp_restart).
# Its own charon too: classic_connect starts one with the classic configuration (a second
# charon beside the running one would take its vici socket away).
gw_l2tp_restart
side_stop cl charon
classic_connect kernel
classic_xl2tpd=$(on cl cat /run/xl2tpd.pid)
classic_pppd=$(on cl cat /run/ppp0.pid 2>/dev/null || pgrep -n -f options.l2tpd.client)
[[ -n $classic_xl2tpd && -n $classic_pppd ]] || fail "classic stack: no xl2tpd or pppd pid"
log "classic stack connected; measuring ${IDLE_WINDOW} s with no traffic"
idle_cost "$IDLE_WINDOW" xl2tpd="$classic_xl2tpd" pppd-classic="$classic_pppd"
classic_l2tp_stop
classic_ipsec_down

log "idle cost while connected (wake-ups/s, RSS kB):" \
	"l2tp-vpnd ${IDLE_WAKEUPS[l2tp-vpnd]} / ${IDLE_RSS_KB[l2tp-vpnd]};" \
	"pppd (ours) ${IDLE_WAKEUPS[pppd-ours]} / ${IDLE_RSS_KB[pppd-ours]};" \
	"xl2tpd ${IDLE_WAKEUPS[xl2tpd]} / ${IDLE_RSS_KB[xl2tpd]};" \
	"pppd (classic) ${IDLE_WAKEUPS[pppd-classic]} / ${IDLE_RSS_KB[pppd-classic]}"
awk -v w="${IDLE_WAKEUPS[l2tp-vpnd]}" 'BEGIN { exit !(w <= 0.5) }' ||
	fail "l2tp-vpnd woke up ${IDLE_WAKEUPS[l2tp-vpnd]} times a second while idle (more than 0.5/s: something polls)"
pass "l2tp-vpnd idle: ${IDLE_WAKEUPS[l2tp-vpnd]} wake-ups/s, RSS ${IDLE_RSS_KB[l2tp-vpnd]} kB; xl2tpd: ${IDLE_WAKEUPS[xl2tpd]} wake-ups/s, RSS ${IDLE_RSS_KB[xl2tpd]} kB"
