# Topologies. Addresses are fixed so scenarios and docs can name them:
#   client  cl  eth0 172.31.0.2/24              (basic)
#               eth0 192.168.77.2/24 via router (nat)
#   router  rt  eth1 192.168.77.1/24, eth0 172.31.0.3/24, masquerades (nat)
#   gateway gw  eth0 172.31.0.1/24 (the "internet" side), lan0 10.20.0.1/24
#   lan     lan eth0 10.20.0.2/24: the host behind the gateway
#   PPP pool 10.99.0.10-50, gateway's PPP address 10.99.0.1, DNS pushed 10.20.0.53
LAB_GW_IP=172.31.0.1
LAB_LAN_HOST=10.20.0.2
LAB_GW_PPP_IP=10.99.0.1
LAB_PPP_DNS=10.20.0.53

veth() { # veth SIDE_A DEV_A SIDE_B DEV_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

topo_lan() {
	side_add lan
	veth gw lan0 lan eth0
	ip -n gw addr add 10.20.0.1/24 dev lan0
	ip -n lan addr add 10.20.0.2/24 dev eth0
	ip -n lan route add default via 10.20.0.1
	on gw sysctl -qw net.ipv4.ip_forward=1
}

# topo_basic — client and gateway on one veth link, a LAN host behind the gateway.
topo_basic() {
	LAB_TOPO=basic
	side_add gw
	side_add cl
	veth cl eth0 gw eth0
	ip -n cl addr add 172.31.0.2/24 dev eth0
	ip -n gw addr add 172.31.0.1/24 dev eth0
	topo_lan
	LAB_LINK_SIDES=(cl gw)
	log "topology basic: cl 172.31.0.2 -- gw 172.31.0.1 -- lan 10.20.0.2"
}

# topo_nat — the client sits behind a masquerading router (NAT-T must kick in).
topo_nat() {
	LAB_TOPO=nat
	side_add gw
	side_add rt
	side_add cl
	veth cl eth0 rt eth1
	veth rt eth0 gw eth0
	ip -n cl addr add 192.168.77.2/24 dev eth0
	ip -n cl route add default via 192.168.77.1
	ip -n rt addr add 192.168.77.1/24 dev eth1
	ip -n rt addr add 172.31.0.3/24 dev eth0
	on rt sysctl -qw net.ipv4.ip_forward=1
	on rt nft -f - <<'NFT' || setup_error "nftables masquerade failed"
table ip lab {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" masquerade
	}
}
NFT
	ip -n gw addr add 172.31.0.1/24 dev eth0
	topo_lan
	LAB_LINK_SIDES=(rt gw)
	log "topology nat: cl 192.168.77.2 -- rt (masquerade as 172.31.0.3) -- gw 172.31.0.1 -- lan 10.20.0.2"
}

# link_netem "loss 15% delay 20ms reorder 25% 50%" — impair the client's path to
# the gateway in both directions (on the gateway's link and the client-side peer).
link_netem() {
	local spec=$1 side
	for side in "${LAB_LINK_SIDES[@]}"; do
		# shellcheck disable=SC2086
		on "$side" tc qdisc replace dev eth0 root netem $spec
	done
	log "netem on the link (both directions): $spec"
}
