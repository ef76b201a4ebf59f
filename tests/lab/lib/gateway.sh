# The lab gateway: strongSwan IKEv1 responder (PSK, ESP transport for udp/1701),
# xl2tpd as LNS, pppd with an address pool and PAP/CHAP/MS-CHAPv2 users.
#
# Switches (environment, all optional):
#   LAB_GW_PROPOSALS  modern | legacy (3des-sha1-modp1024 only)   [modern]
#   LAB_GW_PFS        yes | no                                    [no]
#   LAB_GW_AUTH       mschapv2 | chap | pap | any                 [mschapv2]
#   LAB_GW_L2TP_SECRET  tunnel secret: xl2tpd `challenge = yes`   [none]
#   LAB_GW_HIDDEN     yes | no  (xl2tpd `hidden bit`)             [no]
#   LAB_GW_LENGTH     yes | no  (xl2tpd `length bit`)             [yes]
#   LAB_GW_L2TP_USERSPACE yes | no (xl2tpd's pty path on the gateway) [no]
# Credentials the gateway accepts (clients read them to be right, or wrong on
# purpose with LAB_WRONG=psk|password):
LAB_PSK=${LAB_PSK:-lab-preshared-key-0123}
LAB_USER=${LAB_USER:-labuser}
LAB_PASSWORD=${LAB_PASSWORD:-lab-password-4567}
: "${LAB_GW_PROPOSALS:=modern}" "${LAB_GW_PFS:=no}" "${LAB_GW_AUTH:=mschapv2}"
: "${LAB_GW_L2TP_SECRET:=}" "${LAB_GW_HIDDEN:=no}" "${LAB_GW_LENGTH:=yes}" "${LAB_GW_L2TP_USERSPACE:=no}"

# What the client should present: right unless a scenario asks for wrong.
client_psk() { [[ ${LAB_WRONG:-} == psk ]] && echo "not-the-$LAB_PSK" || echo "$LAB_PSK"; }
client_password() { [[ ${LAB_WRONG:-} == password ]] && echo "not-the-$LAB_PASSWORD" || echo "$LAB_PASSWORD"; }

gw_ppp_auth_options() {
	case $LAB_GW_AUTH in
	mschapv2) echo "require-mschap-v2" ;;
	chap) echo "require-chap" ;;
	pap) echo "require-pap" ;;
	any) echo "" ;;
	*) setup_error "unknown LAB_GW_AUTH '$LAB_GW_AUTH' (mschapv2|chap|pap|any)" ;;
	esac
}

gw_ipsec_start() {
	local etc
	etc=$(side_etc gw)
	charon_start gw
	cat >"$etc/swanctl/swanctl.conf" <<CONF
connections {
	l2tp {
		version = 1
		local_addrs = $LAB_GW_IP
		proposals = $(ike_proposals "$LAB_GW_PROPOSALS")
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
				remote_ts = dynamic[17]
				esp_proposals = $(esp_proposals "$LAB_GW_PROPOSALS" "$LAB_GW_PFS")
			}
		}
	}
}
secrets {
	ike-lab {
		secret = "$LAB_PSK"
	}
}
CONF
	on gw swanctl --load-all >>"$LAB_LOGS/swanctl-gw.log" 2>&1 || setup_error "swanctl --load-all on gw failed"
}

# gw_ppp_options_write — the gateway pppd's options for the current LAB_GW_AUTH.
# pppd reads them at every call, so a scenario may switch methods between
# connects without restarting anything.
gw_ppp_options_write() {
	local etc
	etc=$(side_etc gw)
	cat >"$etc/ppp/options.xl2tpd" <<CONF
auth
$(gw_ppp_auth_options)
name l2tpgw
ms-dns $LAB_PPP_DNS
mtu 1400
mru 1400
noccp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
debug
logfile $LAB_LOGS/pppd-gw.log
CONF
}

gw_l2tp_start() {
	local etc
	etc=$(side_etc gw)
	printf '"%s" * "%s" *\n' "$LAB_USER" "$LAB_PASSWORD" >"$etc/ppp/chap-secrets"
	printf '"%s" * "%s" *\n' "$LAB_USER" "$LAB_PASSWORD" >"$etc/ppp/pap-secrets"
	chmod 600 "$etc/ppp/chap-secrets" "$etc/ppp/pap-secrets"
	gw_ppp_options_write
	local secret_lines=""
	[[ -n $LAB_GW_L2TP_SECRET ]] && printf '* * %s\n' "$LAB_GW_L2TP_SECRET" >"$etc/xl2tpd/l2tp-secrets"
	[[ -n $LAB_GW_L2TP_SECRET ]] && secret_lines="challenge = yes"
	cat >"$etc/xl2tpd/xl2tpd.conf" <<CONF
[global]
listen-addr = $LAB_GW_IP
port = 1701
auth file = /etc/xl2tpd/l2tp-secrets
force userspace = $LAB_GW_L2TP_USERSPACE

[lns default]
ip range = 10.99.0.10-10.99.0.50
local ip = $LAB_GW_PPP_IP
require authentication = yes
name = l2tpgw
pppoptfile = /etc/ppp/options.xl2tpd
length bit = $LAB_GW_LENGTH
hidden bit = $LAB_GW_HIDDEN
$secret_lines
ppp debug = yes
CONF
	touch "$etc/xl2tpd/l2tp-secrets"
	chmod 600 "$etc/xl2tpd/l2tp-secrets"
	on gw rm -f /run/xl2tpd/l2tp-control
	on gw xl2tpd -D >>"$LAB_LOGS/xl2tpd-gw.log" 2>&1 &
	wait_until 30 "xl2tpd on gw" on gw test -p /run/xl2tpd/l2tp-control ||
		setup_error "xl2tpd on gw did not start (see xl2tpd-gw.log)"
}

# gw_l2tp_restart — a fresh LNS. xl2tpd keeps a closed tunnel's connected
# socket for a while (RFC 2661's linger), and a new SCCRQ from the same client
# address and port lands in that stale socket and is never answered; the
# benchmark restarts the LNS between connects so every run starts equal.
gw_l2tp_restart() {
	side_stop gw xl2tpd
	on gw rm -f /run/xl2tpd/l2tp-control
	on gw xl2tpd -D >>"$LAB_LOGS/xl2tpd-gw.log" 2>&1 &
	wait_until 30 "xl2tpd on gw" on gw test -p /run/xl2tpd/l2tp-control ||
		setup_error "xl2tpd on gw did not restart"
}

# gw_start — the whole gateway; switches as above.
gw_start() {
	gw_ipsec_start
	gw_l2tp_start
	log "gateway up: proposals=$LAB_GW_PROPOSALS pfs=$LAB_GW_PFS ppp-auth=$LAB_GW_AUTH" \
		"l2tp-secret=$([[ -n $LAB_GW_L2TP_SECRET ]] && echo yes || echo no) hidden=$LAB_GW_HIDDEN length=$LAB_GW_LENGTH"
}
