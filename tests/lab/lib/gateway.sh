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
# Every function takes the gateway's side name as an optional first argument
# (default gw; topo_two_gateways adds gw2): addresses come from its `plan`,
# configs go to its own /etc, logs are NAME-SIDE.log. Switches apply to all.
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
# gw_psk SIDE, gw_password SIDE — each further gateway has credentials of its own,
# so a client that mixed two connections' secrets up would be refused.
gw_psk() { [[ ${1:-gw} == gw ]] && echo "$LAB_PSK" || echo "$LAB_PSK-$1"; }
gw_password() { [[ ${1:-gw} == gw ]] && echo "$LAB_PASSWORD" || echo "$LAB_PASSWORD-$1"; }

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
	local side=${1:-gw} etc
	etc=$(side_etc "$side")
	charon_start "$side"
	cat >"$etc/swanctl/swanctl.conf" <<CONF
connections {
	l2tp {
		version = 1
		local_addrs = $(plan "$side" ip)
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
		secret = "$(gw_psk "$side")"
	}
}
CONF
	on "$side" swanctl --load-all >>"$LAB_LOGS/swanctl-$side.log" 2>&1 || setup_error "swanctl --load-all on $side failed"
}

# gw_ppp_options_write — the gateway pppd's options for the current LAB_GW_AUTH.
# pppd reads them at every call, so a scenario may switch methods between
# connects without restarting anything.
gw_ppp_options_write() {
	local side=${1:-gw} etc
	etc=$(side_etc "$side")
	cat >"$etc/ppp/options.xl2tpd" <<CONF
auth
$(gw_ppp_auth_options)
name l2tpgw
ms-dns $(plan "$side" dns)
mtu 1400
mru 1400
noccp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
debug
logfile $LAB_LOGS/pppd-$side.log
CONF
}

gw_l2tp_start() {
	local side=${1:-gw} etc
	etc=$(side_etc "$side")
	printf '"%s" * "%s" *\n' "$LAB_USER" "$(gw_password "$side")" >"$etc/ppp/chap-secrets"
	printf '"%s" * "%s" *\n' "$LAB_USER" "$(gw_password "$side")" >"$etc/ppp/pap-secrets"
	chmod 600 "$etc/ppp/chap-secrets" "$etc/ppp/pap-secrets"
	gw_ppp_options_write "$side"
	local secret_lines=""
	[[ -n $LAB_GW_L2TP_SECRET ]] && printf '* * %s\n' "$LAB_GW_L2TP_SECRET" >"$etc/xl2tpd/l2tp-secrets"
	[[ -n $LAB_GW_L2TP_SECRET ]] && secret_lines="challenge = yes"
	cat >"$etc/xl2tpd/xl2tpd.conf" <<CONF
[global]
listen-addr = $(plan "$side" ip)
port = 1701
auth file = /etc/xl2tpd/l2tp-secrets
force userspace = $LAB_GW_L2TP_USERSPACE

[lns default]
ip range = $(plan "$side" pool)
local ip = $(plan "$side" ppp_ip)
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
	gw_xl2tpd_run "$side" || setup_error "xl2tpd on $side did not start (see xl2tpd-$side.log)"
}

gw_xl2tpd_run() {
	on "$1" rm -f /run/xl2tpd/l2tp-control
	on "$1" xl2tpd -D >>"$LAB_LOGS/xl2tpd-$1.log" 2>&1 &
	wait_until 30 "xl2tpd on $1" on "$1" test -p /run/xl2tpd/l2tp-control
}

# gw_l2tp_restart — a fresh LNS. xl2tpd keeps a closed tunnel's connected
# socket for a while (RFC 2661's linger), and a new SCCRQ from the same client
# address and port lands in that stale socket and is never answered; the
# benchmark restarts the LNS between connects so every run starts equal.
gw_l2tp_restart() {
	local side=${1:-gw}
	side_stop "$side" xl2tpd
	gw_xl2tpd_run "$side" || setup_error "xl2tpd on $side did not restart"
}

# gw_start [SIDE] — the whole gateway; switches as above.
gw_start() {
	gw_ipsec_start "${1:-gw}"
	gw_l2tp_start "${1:-gw}"
	log "gateway ${1:-gw} up ($(plan "${1:-gw}" ip)): proposals=$LAB_GW_PROPOSALS pfs=$LAB_GW_PFS ppp-auth=$LAB_GW_AUTH" \
		"l2tp-secret=$([[ -n $LAB_GW_L2TP_SECRET ]] && echo yes || echo no) hidden=$LAB_GW_HIDDEN length=$LAB_GW_LENGTH"
}
