# summary: two connections at once from one client to two independent gateways (one full tunnel, one split): both reach their LAN hosts, nothing collides (ports, tunnel IDs, interfaces, IPsec names, routes, DNS); down one and the other stays intact; down both and nothing is left
# Two `l2tp-vpn up --foreground` processes started together (the daemon-hosted
# mode runs the same orchestrator). Each gateway has credentials of its own
# (gw_psk, gw_password), so mixed-up secrets would be refused.
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"

declare -A TWO_SIDE=([office]=gw [lab2]=gw2) TWO_PID=() TWO_LOG=()

# two_profile NAME EXTRA — /tmp/NAME.conf for the gateway side TWO_SIDE[NAME].
two_profile() {
	local side=${TWO_SIDE[$1]}
	umask 077
	cat >"/tmp/$1.conf" <<CONF
[connection]
gateway=$(plan "$side" ip)
[ipsec]
psk=$(gw_psk "$side")
[ppp]
user=$LAB_USER
password=$(gw_password "$side")
$2
CONF
	umask 022
}

two_up_start() {
	TWO_LOG[$1]=$LAB_LOGS/ours-up-$1.log
	on cl "${OURS_CLI[@]}" up "/tmp/$1.conf" --foreground -v >"${TWO_LOG[$1]}" 2>&1 &
	TWO_PID[$1]=$!
}

two_wait_connected() {
	wait_until 90 "$1 connected" bash -c "grep -q '^connected ' '${TWO_LOG[$1]}' || ! kill -0 ${TWO_PID[$1]}"
	grep -q '^connected ' "${TWO_LOG[$1]}" ||
		fail "$1 did not connect: $(grep -E '^error ' "${TWO_LOG[$1]}" || tail -n 3 "${TWO_LOG[$1]}")"
	log "$1: $(grep '^connected ' "${TWO_LOG[$1]}")"
}

# two_socket NAME — "local-address:port" of its L2TP socket, from its progress.
two_socket() { awk '$3 == "socket" { print $5; exit }' "${TWO_LOG[$1]}"; }
two_tunnel_id() { awk '$3 == "l2tp-tunnel" { print $5; exit }' "${TWO_LOG[$1]}"; }
two_conn() { grep -o 'loaded connection l2tp-vpn-[^ ]*' "${TWO_LOG[$1]}" | awk '{ print $3; exit }'; }

two_route_dev() { on cl ip -4 route get "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'; }

assert_route_dev() { # DEST DEV
	local dev
	dev=$(two_route_dev "$1")
	[[ $dev == "$2" ]] || fail "$1 is routed via ${dev:-nothing}, expected $2: $(on cl ip -4 route)"
}

# two_assert_up NAME — its interface, LAN host, SAs, routes and DNS are there.
two_assert_up() {
	local name=$1 side=${TWO_SIDE[$1]} ifname=l2tp-$1 conn
	[[ $(ifaddr cl "$ifname") == "$(plan "$side" pool | cut -d. -f1-3)".* ]] ||
		fail "$ifname has no address from $side's pool: $(on cl ip -o -4 addr)"
	assert_ping cl "$(plan "$side" ppp_ip)"
	assert_ping cl "$(plan "$side" lan_net).2"
	assert_route_dev "$(plan "$side" lan_net).2" "$ifname"
	assert_route_dev "$(plan "$side" ip)" "$([[ $side == gw ]] && echo eth0 || echo eth1)"
	conn=$(two_conn "$name")
	on cl swanctl --list-sas --ike "$conn" 2>&1 | grep -q 'INSTALLED, TRANSPORT' ||
		fail "$name: no installed CHILD_SA for $conn: $(on cl swanctl --list-sas 2>&1)"
	[[ $(on cl ip xfrm state | grep -c "^src $(plan "$side" ip) dst") == 1 ]] ||
		fail "$name: not exactly one inbound SA from $(plan "$side" ip): $(on cl ip xfrm state)"
	# resolv.conf has no per-domain routing: a full tunnel written on top takes all DNS (a split one
	# keeps what it found as fallbacks), so only office on top may hide lab2's server.
	[[ $name == lab2 && $(two_dns_top) == office ]] ||
		grep -q "^nameserver $(plan "$side" dns)\$" "$OURS_RESOLV" || fail "$name's DNS is not in resolv.conf: $(cat "$OURS_RESOLV")"
	log "$name: $ifname $(ifaddr cl "$ifname"), IPsec $conn, LAN host via $ifname, DNS $(plan "$side" dns)"
}

# two_dns_top — the connection that wrote resolv.conf last (its first line names it).
two_dns_top() { sed -n '1s/.* for l2tp-\([^;]*\);.*/\1/p' "$OURS_RESOLV"; }

two_down() {
	local rc=0
	on cl "${OURS_CLI[@]}" down "$1" >>"$LAB_LOGS/ours-down.log" 2>&1 || fail "l2tp-vpn down $1 failed: $(tail -n 2 "$LAB_LOGS/ours-down.log")"
	wait "${TWO_PID[$1]}" || rc=$?
	((rc == 0)) || fail "l2tp-vpn up $1 exited with $rc after down: $(tail -n 3 "${TWO_LOG[$1]}")"
	log "down $1: $(tail -n 1 "$LAB_LOGS/ours-down.log")"
}

# two_assert_gone NAME — nothing of that connection is left (the other one may still run).
two_assert_gone() {
	local name=$1 side=${TWO_SIDE[$1]} conn left
	conn=$(two_conn "$name")
	! on cl ip link show dev "l2tp-$name" >/dev/null 2>&1 || fail "l2tp-$name still exists after its down"
	[[ -z $(on cl ip xfrm state | grep "$(plan "$side" ip)") ]] || fail "$name's SAs are left: $(on cl ip xfrm state)"
	[[ -z $(on cl ip xfrm policy | grep "$(plan "$side" ip)") ]] || fail "$name's policies are left: $(on cl ip xfrm policy)"
	left=$(on cl swanctl --list-conns 2>&1)
	[[ $left != *"$conn"* ]] || fail "$name's IPsec connection $conn is still loaded"
	[[ $(on cl ip -4 route show table all | grep -c "$(plan "$side" ip)\|$(plan "$side" lan_net)\.") == 0 ]] ||
		fail "$name's routes are left: $(on cl ip -4 route show table all)"
	left=$(on cl sh -c "ls -A /run/l2tp-vpn/$name 2>/dev/null" || true)
	[[ -z $left ]] || fail "/run/l2tp-vpn/$name is left: $left"
	log "$name: nothing of it left (interface, SAs, policies, charon conn, routes, run state)"
}

topo_two_gateways
gw_start gw
gw_start gw2
charon_start cl
ours_snapshot
two_profile office ""
two_profile lab2 "[routes]
mode=split
routes=$(plan gw2 lan_net).0/24"

# Started together: both race for charon, port 1701 and the kernel's L2TP IDs.
two_up_start office
two_up_start lab2
two_wait_connected office
two_wait_connected lab2

# No collisions: sockets, tunnel IDs, interfaces, IPsec names differ; both up.
[[ $(two_socket office) != "$(two_socket lab2)" ]] || fail "both connections use socket $(two_socket office)"
[[ $(two_tunnel_id office) != "$(two_tunnel_id lab2)" ]] || fail "both connections use tunnel ID $(two_tunnel_id office)"
[[ $(two_conn office) != "$(two_conn lab2)" && -n $(two_conn office) ]] || fail "IPsec names collide: '$(two_conn office)' '$(two_conn lab2)'"
[[ $(on cl ip l2tp show tunnel | grep -c '^Tunnel') == 2 ]] || fail "expected two kernel L2TP tunnels: $(on cl ip l2tp show tunnel)"
log "sockets $(two_socket office) / $(two_socket lab2), tunnel IDs $(two_tunnel_id office) / $(two_tunnel_id lab2)"
two_assert_up office
two_assert_up lab2
assert_route_dev 192.0.2.1 l2tp-office # full tunnel: everything else goes to the office
on cl "${OURS_CLI[@]}" status office --json >"$LAB_LOGS/status-office.json" 2>&1 &&
	grep -q '"state":"connected"' "$LAB_LOGS/status-office.json" || fail "status office: $(cat "$LAB_LOGS/status-office.json")"
on cl "${OURS_CLI[@]}" status lab2 --json >"$LAB_LOGS/status-lab2.json" 2>&1 &&
	grep -q '"state":"connected"' "$LAB_LOGS/status-lab2.json" || fail "status lab2: $(cat "$LAB_LOGS/status-lab2.json")"
log "resolv.conf with both up: $(grep -c nameserver "$OURS_RESOLV") nameservers, written by $(sed -n '1s/.* for \([^;]*\);.*/\1/p' "$OURS_RESOLV")"

# Down first the connection whose DNS lies underneath (resolv.conf names the last
# writer): the harder order for DNS restoration.
top=$(two_dns_top)
[[ $top == office || $top == lab2 ]] || fail "resolv.conf not written by one of ours: $(head -n 1 "$OURS_RESOLV")"
first=$([[ $top == office ]] && echo lab2 || echo office)
two_down "$first"
two_assert_gone "$first"
two_assert_up "$top"
[[ $top == lab2 ]] || assert_route_dev 192.0.2.1 l2tp-office

two_down "$top"
two_assert_gone "$top"
OURS_PID=${TWO_PID[$top]}
ours_assert_clean "after both downs"
pass "two gateways at once without collisions; $first down left $top intact; nothing left after both"
