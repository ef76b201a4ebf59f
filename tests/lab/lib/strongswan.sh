# strongSwan charon per side, configured through the side's own /etc.

# Proposal sets (switch LAB_GW_PROPOSALS=modern|legacy, LAB_GW_PFS=yes|no).
ike_proposals() {
	case $1 in
	modern) echo "aes256-sha256-modp2048,aes128-sha256-modp2048,aes256-sha1-modp2048" ;;
	legacy) echo "3des-sha1-modp1024" ;;
	*) setup_error "unknown proposal set '$1' (modern|legacy)" ;;
	esac
}
pfs_group() { [[ $1 == legacy ]] && echo modp1024 || echo modp2048; }
esp_proposals() { # esp_proposals SET PFS
	local list g
	case $1 in
	modern) list="aes256-sha256 aes128-sha256 aes256-sha1" ;;
	legacy) list="3des-sha1" ;;
	*) setup_error "unknown proposal set '$1'" ;;
	esac
	g=$(pfs_group "$1")
	[[ $2 == yes ]] && list=$(for p in $list; do printf '%s-%s ' "$p" "$g"; done)
	echo $list | tr ' ' ','
}

# charon_levels SIDE — filelog levels. The gateway logs IKE, config and kernel work at level 2
# (what a failing scenario needs to be read). A client side logs at level 1, as Debian's charon
# does out of the box: at level 2 each flushed line costs ~1 ms under TCG, ~60 ms for the dump of
# a loaded conn alone, which only a client that loads its conn per connect (ours) would pay.
# LAB_CLIENT_CHARON_DEBUG=1 gives a client the gateway's levels.
charon_levels() {
	if [[ $1 == gw* || ${LAB_CLIENT_CHARON_DEBUG:-0} == 1 ]]; then
		printf 'default = 1\n\t\t\tike = 2\n\t\t\tcfg = 2\n\t\t\tknl = 2\n'
	else
		printf 'default = 1\n'
	fi
}

# charon_start SIDE — write strongswan.conf and start charon on SIDE, logging
# to $LAB_LOGS/charon-SIDE.log; returns once its vici socket answers.
charon_start() {
	local side=$1 etc
	etc=$(side_etc "$side")
	cat >"$etc/strongswan.conf" <<CONF
charon {
	load = random nonce openssl aes sha1 sha2 md5 hmac kdf gmp gcm pem pkcs1 pkcs8 pkcs12 x509 pubkey constraints revocation kernel-netlink socket-default vici
	install_routes = no
	install_virtual_ip = no
	filelog {
		lab {
			path = $LAB_LOGS/charon-$side.log
			time_format = %H:%M:%S
			time_add_ms = yes
			ike_name = yes
			append = no
			flush_line = yes
			$(charon_levels "$side")
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	load = random nonce openssl aes sha1 sha2 md5 hmac gmp pem pkcs1 pkcs8 pkcs12 x509 pubkey
}
CONF
	on "$side" /usr/lib/ipsec/charon >>"$LAB_LOGS/charon-$side.stdout" 2>&1 &
	wait_until 60 "charon on $side" on "$side" swanctl --stats ||
		setup_error "charon on $side did not start (see charon-$side.log)"
}
