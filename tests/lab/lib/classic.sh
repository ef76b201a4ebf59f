# The classic Linux client stack (swanctl + xl2tpd + pppd) on side `cl`: the
# lab's self-test and the benchmark baseline for our own client.

# NetworkManager-l2tp's proposal lists (FACTS §4), so the classic client talks
# to both the modern and the legacy gateway like a real one would.
CLASSIC_IKE="aes256-sha256-modp2048,aes256-sha256-modp1536,aes256-sha256-modp1024,aes256-sha1-modp2048,aes256-sha1-modp1536,aes256-sha1-modp1024,aes256-sha1-ecp384,aes128-sha1-modp1024,aes128-sha1-ecp256,3des-sha1-modp2048,3des-sha1-modp1024"

classic_esp() {
	local list="aes256-sha256 aes256-sha1 aes128-sha1 3des-sha1"
	# IKEv1 quick mode carries one KE payload: with PFS all proposals share the group.
	[[ $LAB_GW_PFS == yes ]] && list=$(for p in $list; do printf '%s-%s ' "$p" "$(pfs_group "$LAB_GW_PROPOSALS")"; done)
	echo $list | tr ' ' ','
}

classic_ipsec_load() {
	local etc
	etc=$(side_etc cl)
	charon_start cl
	cat >"$etc/swanctl/swanctl.conf" <<CONF
connections {
	l2tp {
		version = 1
		remote_addrs = $LAB_GW_IP
		proposals = $CLASSIC_IKE
		local {
			auth = psk
		}
		remote {
			auth = psk
		}
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[17/1701]
				remote_ts = dynamic[17/1701]
				esp_proposals = $(classic_esp)
			}
		}
	}
}
secrets {
	ike-lab {
		secret = "$(client_psk)"
	}
}
CONF
	on cl swanctl --load-all >>"$LAB_LOGS/swanctl-cl.log" 2>&1 || setup_error "swanctl --load-all on cl failed"
}

# classic_ipsec_up — blocks until the CHILD_SA is up (or fails).
classic_ipsec_up() {
	on cl swanctl --initiate --child l2tp --timeout 40 >>"$LAB_LOGS/swanctl-cl.log" 2>&1
}

classic_ipsec_down() {
	on cl swanctl --terminate --ike l2tp --timeout 10 >>"$LAB_LOGS/swanctl-cl.log" 2>&1 || true
}

# classic_l2tp_start kernel|userspace — xl2tpd as LAC (not dialled yet).
classic_l2tp_start() {
	local mode=$1 etc userspace=no
	etc=$(side_etc cl)
	[[ $mode == userspace ]] && userspace=yes
	cat >"$etc/ppp/options.l2tpd.client" <<CONF
noauth
user $LAB_USER
password $(client_password)
mtu 1400
mru 1400
noccp
nodefaultroute
noipdefault
ipcp-accept-local
ipcp-accept-remote
refuse-eap
debug
logfile $LAB_LOGS/pppd-cl.log
CONF
	chmod 600 "$etc/ppp/options.l2tpd.client"
	local secret_lines=""
	if [[ -n $LAB_GW_L2TP_SECRET ]]; then
		printf '* * %s\n' "$LAB_GW_L2TP_SECRET" >"$etc/xl2tpd/l2tp-secrets"
		secret_lines="challenge = yes"
	fi
	touch "$etc/xl2tpd/l2tp-secrets"
	chmod 600 "$etc/xl2tpd/l2tp-secrets"
	cat >"$etc/xl2tpd/xl2tpd.conf" <<CONF
[global]
port = 1701
auth file = /etc/xl2tpd/l2tp-secrets
force userspace = $userspace

[lac gw]
lns = $LAB_GW_IP
pppoptfile = /etc/ppp/options.l2tpd.client
length bit = yes
redial = no
autodial = no
$secret_lines
ppp debug = yes
CONF
	on cl rm -f /run/xl2tpd/l2tp-control
	on cl xl2tpd -D >>"$LAB_LOGS/xl2tpd-cl.log" 2>&1 &
	wait_until 30 "xl2tpd on cl" on cl test -p /run/xl2tpd/l2tp-control ||
		setup_error "xl2tpd on cl did not start (see xl2tpd-cl.log)"
}

classic_l2tp_dial() { on cl sh -c 'echo "c gw" >/run/xl2tpd/l2tp-control'; }
classic_l2tp_hangup() { on cl sh -c 'echo "d gw" >/run/xl2tpd/l2tp-control' || true; }

classic_l2tp_stop() {
	classic_l2tp_hangup
	side_stop cl xl2tpd
}

# classic_connect kernel|userspace — full connect; fails the scenario with the
# phase that did not complete.
classic_connect() {
	local mode=$1
	classic_ipsec_load
	log "classic client: IPsec initiate"
	classic_ipsec_up || fail "IPsec: CHILD_SA not established (swanctl --initiate failed; see swanctl-cl.log and charon-*.log)"
	log "classic client: IPsec CHILD_SA up"
	classic_l2tp_start "$mode"
	classic_l2tp_dial
	wait_ifaddr cl ppp0 30 || fail "L2TP/PPP: ppp0 got no address within 30 s (see xl2tpd-*.log, pppd-*.log)"
	log "classic client ($mode): ppp0 has $(ifaddr cl ppp0)"
}

# classic_selftest kernel|userspace plain|nat — connect the classic stack and
# prove the lab works: ping the gateway's PPP address and the LAN host, only ESP
# on the gateway's link, transport-mode SAs on the client.
classic_selftest() {
	local mode=$1 wire=$2
	capture_start gw eth0
	classic_connect "$mode"
	on cl ip route add 10.20.0.0/24 dev ppp0
	assert_ping cl "$LAB_GW_PPP_IP"
	assert_ping cl "$LAB_LAN_HOST"
	capture_stop gw
	assert_wire_encrypted "$wire"
	if [[ $wire == nat ]]; then
		assert_transport_sas cl nat
	else
		assert_transport_sas cl
	fi
}
