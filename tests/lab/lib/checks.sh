# Assertions and event waits shared by scenarios.

ifaddr() { ip -n "$1" -o -4 addr show dev "$2" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'; }

# wait_ifaddr SIDE DEV SECONDS — returns once DEV has an IPv4 address. Driven by
# rtnetlink events (ip monitor): the state is re-read on every event, and at
# most a second after a missed one (the monitor subscribes asynchronously).
wait_ifaddr() {
	local side=$1 dev=$2 limit=$3 fifo line
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	on "$side" timeout "$limit" ip -o monitor address link >"$fifo" 2>/dev/null &
	local mon=$!
	exec {mfd}<"$fifo"
	rm -f "$fifo"
	local deadline=$((SECONDS + limit)) ok=1
	while ((SECONDS <= deadline)); do
		if [[ -n $(ifaddr "$side" "$dev") ]]; then
			ok=0
			break
		fi
		read -r -t 1 line <&"$mfd"
		(($? > 128)) || [[ -n ${line:-} ]] || break  # EOF: the monitor's timeout ran out
	done
	[[ -n $(ifaddr "$side" "$dev") ]] && ok=0
	kill "$mon" 2>/dev/null
	exec {mfd}<&-
	wait "$mon" 2>/dev/null
	return $ok
}

ping_ok() { # ping_ok SIDE DEST [COUNT]
	on "$1" ping -n -q -c "${3:-3}" -i 0.2 -W 3 "$2" >>"$LAB_LOGS/ping.log" 2>&1
}

assert_ping() {
	ping_ok "$1" "$2" || fail "no ping reply from $2 on $1"
	log "ping $1 -> $2: ok"
}

# capture_start SIDE DEV — record the link for assert_wire_encrypted.
capture_start() {
	LAB_PCAP=$LAB_LOGS/link-$1-$2.pcap
	(on_bg "$1" tcpdump -U -n -i "$2" -w "$LAB_PCAP") >"$LAB_LOGS/tcpdump.log" 2>&1 &
	LAB_TCPDUMP=$!
	wait_until 30 tcpdump grep -q listening "$LAB_LOGS/tcpdump.log" || setup_error "tcpdump did not start"
}

capture_stop() {
	kill -INT "$LAB_TCPDUMP" 2>/dev/null || true
	wait_until 10 "tcpdump exits" bash -c "! kill -0 $LAB_TCPDUMP" || kill -9 "$LAB_TCPDUMP" 2>/dev/null
	wait "$LAB_TCPDUMP" 2>/dev/null || true
}

pcap_count() { tcpdump -n -r "$LAB_PCAP" "$1" 2>/dev/null | wc -l; }

# assert_wire_encrypted nat|plain — ESP (or ESP-in-UDP behind NAT) seen, and not
# a single plain L2TP datagram.
assert_wire_encrypted() {
	local esp clear
	if [[ $1 == nat ]]; then
		esp=$(pcap_count 'udp port 4500 and greater 100')
	else
		esp=$(pcap_count 'esp')
	fi
	clear=$(pcap_count 'udp port 1701')
	((clear == 0)) || fail "$clear plain L2TP (udp/1701) packets on the wire: L2TP left unencrypted"
	((esp > 0)) || fail "no ESP on the wire"
	log "wire: $esp ESP packets, 0 plain udp/1701"
}

# assert_transport_sas SIDE [nat] — two SAs, all transport mode (UDP-encapsulated behind NAT).
assert_transport_sas() {
	local state n_transport n_tunnel
	state=$(on "$1" ip xfrm state)
	n_transport=$(grep -c 'mode transport' <<<"$state" || true)
	n_tunnel=$(grep -c 'mode tunnel' <<<"$state" || true)
	((n_transport >= 2 && n_tunnel == 0)) || fail "expected transport-mode SAs only, got: $state"
	if [[ ${2:-} == nat ]]; then
		grep -q 'encap type espinudp' <<<"$state" || fail "SAs are not UDP-encapsulated behind NAT: $state"
	fi
	log "ip xfrm state on $1: $n_transport transport-mode SAs$([[ ${2:-} == nat ]] && echo ', ESP-in-UDP')"
}

# assert_ppp_auth mschapv2|chap|pap — the gateway's pppd negotiated this method
# and accepted the client (from pppd's debug log).
assert_ppp_auth() {
	local glog=$LAB_LOGS/pppd-gw.log lcp ok
	case $1 in
	mschapv2) lcp='<auth chap MS-v2>' ok='sent [CHAP Success' ;;
	chap) lcp='<auth chap MD5>' ok='sent [CHAP Success' ;;
	pap) lcp='<auth pap>' ok='sent [PAP AuthAck' ;;
	*) setup_error "assert_ppp_auth: unknown method $1" ;;
	esac
	grep -q "rcvd \[LCP ConfAck.*$lcp" "$glog" || fail "PPP did not negotiate $1 (no LCP ConfAck with $lcp in pppd-gw.log)"
	grep -qF "$ok" "$glog" || fail "the gateway did not accept the client's $1 authentication"
	log "PPP authentication: $1 negotiated and accepted"
}

# assert_esp_algorithm PATTERN — the client's SAs use this kernel algorithm.
assert_esp_algorithm() {
	on cl ip xfrm state | grep -q "$1" || fail "ESP SAs do not use $1: $(on cl ip xfrm state | grep -E 'enc|auth')"
	log "ESP algorithm: $1"
}

# assert_no_secrets_in_proc — neither the PPP password nor the PSK appears in
# any process's command line or environment (one grep: under TCG every exec
# counts; the patterns come through a pipe, so grep's own argv holds neither).
assert_no_secrets_in_proc() {
	local hits
	hits=$(grep -laF -f <(printf '%s\n%s\n' "$LAB_PASSWORD" "$LAB_PSK") \
		/proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null || true)
	[[ -z $hits ]] || fail "a secret is visible in: $hits"
	log "no password or PSK in any /proc/*/cmdline or /proc/*/environ"
}
