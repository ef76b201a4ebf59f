# summary: the main job, shown: a client connects through the lab gateway, and the tunnel is used
# Today the client is the classic stack (swanctl + xl2tpd + pppd); our own
# `l2tp-vpn up` takes its place once the client exists.
topo_basic
gw_start
capture_start gw eth0
classic_connect kernel
on cl ip route add 10.20.0.0/24 dev ppp0
echo
echo "--- client: ip addr show ppp0"
on cl ip addr show ppp0
echo "--- client: IPsec SAs (swanctl --list-sas)"
on cl swanctl --list-sas
echo "--- client: ping the gateway's PPP address and the host behind the gateway"
on cl ping -n -c 3 -i 0.2 "$LAB_GW_PPP_IP" || fail "no ping reply from $LAB_GW_PPP_IP"
on cl ping -n -c 3 -i 0.2 "$LAB_LAN_HOST" || fail "no ping reply from $LAB_LAN_HOST"
capture_stop gw
echo "--- the link, as the gateway sees it (first packets after the handshake)"
tcpdump -n -r "$LAB_PCAP" 2>/dev/null | awk '/ESP|isakmp/ && n++ < 8'
assert_wire_encrypted plain
pass "connected through the lab gateway"
