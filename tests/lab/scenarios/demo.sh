# summary: the main job, shown: `l2tp-vpn up` connects through the lab gateway, the tunnel carries traffic, `down` restores everything
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
topo_basic
gw_start
charon_start cl
ours_snapshot
ours_profile work
echo
echo "--- the profile (/etc/l2tp-vpn/work.conf in real life), as 'l2tp-vpn show' prints it"
on cl "${OURS_CLI[@]}" show "$OURS_PROFILE"
capture_start gw eth0
echo "--- l2tp-vpn up work --foreground"
ours_connect
cat "$OURS_LOG"
echo "--- l2tp-vpn status"
on cl "${OURS_CLI[@]}" status
echo "--- ip addr show $OURS_IF"
on cl ip addr show "$OURS_IF"
echo "--- ping the gateway's PPP address and the host behind the gateway"
on cl ping -n -c 3 -i 0.2 "$LAB_GW_PPP_IP" || fail "no ping reply from $LAB_GW_PPP_IP"
on cl ping -n -c 3 -i 0.2 "$LAB_LAN_HOST" || fail "no ping reply from $LAB_LAN_HOST"
ours_capture_stop
echo "--- the link as the gateway sees it (IKE, then only ESP)"
tcpdump -n -r "$LAB_PCAP" 2>/dev/null | awk '/ESP|isakmp/ && n++ < 8'
ours_assert_wire
echo "--- l2tp-vpn down work"
ours_down
cat "$LAB_LOGS/ours-down.log"
ours_assert_clean "after down"
pass "connected through the lab gateway with our own client, and left nothing behind"
