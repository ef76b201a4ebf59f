# Topologies. Addresses are fixed so scenarios and docs can name them:
#   client  cl  eth0 172.31.0.2/24              (basic)
#               eth0 192.168.77.2/24 via router (nat)
#   router  rt  eth1 192.168.77.1/24, eth0 172.31.0.3/24, masquerades (nat)
#   gateway gw  eth0 172.31.0.1/24 (the "internet" side), lan0 10.20.0.1/24
#   lan     lan eth0 10.20.0.2/24: the host behind the gateway
#   PPP pool 10.99.0.10-50, gateway's PPP address 10.99.0.1, DNS pushed 10.20.0.53
# two-gateways adds a second, independent gateway on its own link:
#   client  cl  eth1 172.32.0.2/24
#   gateway gw2 eth0 172.32.0.1/24, lan0 10.30.0.1/24
#   lan     lan2 eth0 10.30.0.2/24
#   PPP pool 10.98.0.10-50, gateway's PPP address 10.98.0.1, DNS pushed 10.30.0.53
LAB_GW_IP=172.31.0.1
LAB_LAN_HOST=10.20.0.2
LAB_GW_PPP_IP=10.99.0.1
LAB_PPP_DNS=10.20.0.53

# The address plan per gateway side, read with `plan SIDE KEY`: ip (its public
# address), lan (the LAN side's name), lan_net (first three octets, .1 the
# gateway, .2 the host), ppp_ip, pool, dns.
declare -A LAB_PLAN=(
	[gw.ip]=$LAB_GW_IP [gw.lan]=lan [gw.lan_net]=10.20.0 [gw.ppp_ip]=$LAB_GW_PPP_IP
	[gw.pool]=10.99.0.10-10.99.0.50 [gw.dns]=$LAB_PPP_DNS
	[gw2.ip]=172.32.0.1 [gw2.lan]=lan2 [gw2.lan_net]=10.30.0 [gw2.ppp_ip]=10.98.0.1
	[gw2.pool]=10.98.0.10-10.98.0.50 [gw2.dns]=10.30.0.53
)
plan() {
	[[ -n ${LAB_PLAN[$1.$2]:-} ]] || setup_error "no address plan '$2' for gateway side '$1'"
	echo "${LAB_PLAN[$1.$2]}"
}

veth() { # veth SIDE_A DEV_A SIDE_B DEV_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# topo_lan [GW_SIDE] — the LAN host behind that gateway side (default gw).
topo_lan() {
	local gw=${1:-gw} lan net
	lan=$(plan "$gw" lan)
	net=$(plan "$gw" lan_net)
	side_add "$lan"
	veth "$gw" lan0 "$lan" eth0
	ip -n "$gw" addr add "$net.1/24" dev lan0
	ip -n "$lan" addr add "$net.2/24" dev eth0
	ip -n "$lan" route add default via "$net.1"
	on "$gw" sysctl -qw net.ipv4.ip_forward=1
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

# topo_two_gateways — topo_basic plus a second gateway gw2 (own link on the
# client's eth1, own LAN host lan2, own PPP pool and DNS): two independent
# connections from one client. link_netem still impairs the cl--gw link only.
topo_two_gateways() {
	topo_basic
	LAB_TOPO=two-gateways
	side_add gw2
	veth cl eth1 gw2 eth0
	ip -n cl addr add 172.32.0.2/24 dev eth1
	ip -n gw2 addr add "$(plan gw2 ip)/24" dev eth0
	topo_lan gw2
	log "topology two-gateways: also cl 172.32.0.2 -- gw2 $(plan gw2 ip) -- lan2 $(plan gw2 lan_net).2"
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
