#!/bin/bash
# Host integration: our vici client drives a real initiator charon against a
# real responder charon, each in its own network namespace (FACTS §1, §4).
# The host kernel has no ESP, so every successful negotiation ends with the
# CHILD_SA install failing: we assert IKE_SA established + that precise error.
#
#   run-interop.sh TOOL [SCENARIO...]
#
# Needs root (netns), strongswan-charon, strongswan-swanctl,
# libstrongswan-standard-plugins, certtool (gnutls-bin). Prints "N passed, N failed".
set -uo pipefail
TOOL=$(readlink -f "$1")
shift
HERE=$(dirname "$(readlink -f "$0")")
source "$HERE/charon-lab.sh"

PASS=0
FAIL=0
PSK="correct horse battery staple"
CLIENT_ID=client@l2tp-vpn.test
GW_ID=gw.l2tp-vpn.test

skip_all() {
	echo "SKIP: $*"
	echo "0 passed, 0 failed"
	exit 77
}

[[ $(id -u) == 0 ]] || skip_all "needs root for network namespaces"
[[ -x /usr/lib/ipsec/charon ]] || skip_all "strongswan-charon is not installed"
command -v swanctl >/dev/null || skip_all "strongswan-swanctl is not installed"
command -v certtool >/dev/null || skip_all "certtool (gnutls-bin) is not installed"
if pgrep -x charon >/dev/null; then
	echo "note: a system charon is running (pid $(pgrep -x charon | tr '\n' ' ')); we never touch it"
fi

PREFIX=l2v$$
PREFIX=${PREFIX:0:8}
cleanup_all() {
	lab_cleanup
}
trap cleanup_all EXIT
trap 'exit 130' INT TERM

lab_init "$PREFIX"
lab_start_charon r "i_dont_care_about_security_and_use_aggressive_mode_psk = yes" || exit 1
lab_start_charon i || exit 1
printf '%s' "$PSK" >"$LAB_DIR/psk"
printf '%s' "wrong $PSK" >"$LAB_DIR/psk-wrong"
VICI_I=$(lab_vici_uri i)

# ---- throwaway PKI ------------------------------------------------------------
make_pki() {
	local d=$LAB_DIR/pki
	mkdir -p "$d"
	cat >"$d/ca.tmpl" <<T
cn = "l2tp-vpn test CA"
ca
cert_signing_key
expiration_days = 2
T
	cat >"$d/gw.tmpl" <<T
cn = "$GW_ID"
dns_name = "$GW_ID"
ip_address = "$LAB_RESP_ADDR"
signing_key
encryption_key
expiration_days = 2
T
	cat >"$d/client.tmpl" <<T
cn = "client.l2tp-vpn.test"
email = "$CLIENT_ID"
signing_key
encryption_key
expiration_days = 2
T
	cat >"$d/other-ca.tmpl" <<T
cn = "unrelated CA"
ca
cert_signing_key
expiration_days = 2
T
	certtool -p --rsa --bits 2048 --outfile "$d/ca.key" 2>/dev/null
	certtool -s --load-privkey "$d/ca.key" --template "$d/ca.tmpl" --outfile "$d/ca.pem" 2>/dev/null
	certtool -p --rsa --bits 2048 --outfile "$d/other-ca.key" 2>/dev/null
	certtool -s --load-privkey "$d/other-ca.key" --template "$d/other-ca.tmpl" --outfile "$d/other-ca.pem" 2>/dev/null
	certtool -p --rsa --bits 2048 --outfile "$d/gw.key" 2>/dev/null
	certtool -c --load-privkey "$d/gw.key" --load-ca-certificate "$d/ca.pem" --load-ca-privkey "$d/ca.key" \
		--template "$d/gw.tmpl" --outfile "$d/gw.pem" 2>/dev/null
	certtool -p --rsa --bits 2048 --outfile "$d/client.key" 2>/dev/null
	certtool -c --load-privkey "$d/client.key" --load-ca-certificate "$d/ca.pem" --load-ca-privkey "$d/ca.key" \
		--template "$d/client.tmpl" --outfile "$d/client.pem" 2>/dev/null
	# The three client credential formats we accept.
	printf 'key-pass' >"$d/pass"
	certtool --to-p8 --load-privkey "$d/client.key" --password key-pass --outfile "$d/client-enc.key" 2>/dev/null
	certtool --certificate-info --infile "$d/client.pem" --outder --outfile "$d/client.der" 2>/dev/null
	certtool -k --infile "$d/client.key" --outder --outfile "$d/client-key.der" 2>/dev/null
	certtool --to-p12 --load-privkey "$d/client.key" --load-certificate "$d/client.pem" \
		--p12-name client --password key-pass --outder --outfile "$d/client.p12" 2>/dev/null
	[[ -s $d/client.p12 && -s $d/client-enc.key && -s $d/client.der && -s $d/client-key.der ]]
}

# ---- responder configurations -------------------------------------------------
# resp_conf IKE_PROPOSALS ESP_PROPOSALS [aggressive]
resp_conf_psk() {
	local ike=$1 esp=$2 aggr=${3:-no} mode=${4:-transport} remote_id=%any
	[[ $aggr == yes ]] && remote_id=$CLIENT_ID
	cat >"$LAB_DIR/r/swanctl.conf" <<CONF
connections {
	l2tp-psk {
		version = 1
		aggressive = $aggr
		local_addrs = $LAB_RESP_ADDR
		proposals = $ike
		local {
			auth = psk
			id = $LAB_RESP_ADDR
		}
		remote {
			auth = psk
			id = $remote_id
		}
		children {
			l2tp {
				mode = $mode
				local_ts = dynamic[17/1701]
				remote_ts = dynamic[17]
				esp_proposals = $esp
			}
		}
	}
}
secrets {
	ike-l2tp {
		secret = "$PSK"
	}
}
CONF
	lab_swanctl r --load-all --file "$LAB_DIR/r/swanctl.conf" >"$LAB_DIR/r/load.log" 2>&1
}

resp_conf_cert() {
	local d=$LAB_DIR/pki r=$LAB_DIR/r
	# swanctl loads credentials from directories next to the swanctl.conf it is given.
	mkdir -p "$r/x509" "$r/x509ca" "$r/private"
	cp "$d/gw.pem" "$r/x509/gw.pem"
	cp "$d/ca.pem" "$r/x509ca/ca.pem"
	cp "$d/gw.key" "$r/private/gw.key"
	cat >"$LAB_DIR/r/swanctl.conf" <<CONF
connections {
	l2tp-cert {
		version = 1
		local_addrs = $LAB_RESP_ADDR
		proposals = aes256-sha256-modp2048
		local {
			auth = pubkey
			certs = gw.pem
			id = $GW_ID
		}
		remote {
			auth = pubkey
			cacerts = ca.pem
		}
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[17/1701]
				remote_ts = dynamic[17]
				esp_proposals = aes256-sha256
			}
		}
	}
}
CONF
	lab_swanctl r --load-all --file "$LAB_DIR/r/swanctl.conf" >"$LAB_DIR/r/load.log" 2>&1
}

# ---- running our client -------------------------------------------------------
OUT=
run_client() {
	OUT=$LAB_DIR/out-$SCENARIO.log
	ip netns exec "$(lab_ns i)" timeout 90 "$TOOL" up --vici "$VICI_I" --local-address $LAB_INIT_ADDR \
		--bind-l2tp --profile "$SCENARIO" --timeout 20000 "$@" >"$OUT" 2>&1
	echo "rc=$?" >>"$OUT"
}

CHECKS_FAILED=0
expect() {
	if ! grep -qE -- "$1" "$OUT"; then
		echo "  expected /$1/ in output"
		CHECKS_FAILED=1
	fi
}
expect_not() {
	if grep -qE -- "$1" "$OUT"; then
		echo "  did not expect /$1/ in output"
		CHECKS_FAILED=1
	fi
}

# After every scenario: our initiator charon holds nothing of ours.
expect_clean() {
	local out
	# --no-keys: this charon is ours, so any private key at all would be a leftover.
	out=$("$TOOL" check-clean --no-keys --vici "$VICI_I" 2>&1)
	if [[ $out != *"CHECK clean"* ]]; then
		echo "  charon still holds our state: $out"
		CHECKS_FAILED=1
	fi
	# Cross-check with swanctl itself, independent of our codec. Public certificates
	# sent with load-conn stay in charon's vici store (5.9.8 has no unload-cert and
	# clear-creds would wipe other users' credentials), but never with a private key.
	local listed
	listed=$({
		lab_swanctl i --list-conns
		lab_swanctl i --list-sas
		lab_swanctl i --list-certs
	} 2>&1 | grep -E "l2tp-vpn-|has private key")
	if [[ -n $listed ]]; then
		echo "  swanctl still lists our conns/SAs/certs: $listed"
		CHECKS_FAILED=1
	fi
}

scenario() {
	SCENARIO=$1
	CHECKS_FAILED=0
	echo "--- $SCENARIO"
	"scenario_$SCENARIO"
	# Sanitizer builds report leaks and UB in the tool's output.
	expect_not "Sanitizer|runtime error:"
	expect_clean
	if ((CHECKS_FAILED)); then
		FAIL=$((FAIL + 1))
		echo "FAIL $SCENARIO"
		sed 's/^/  | /' "$OUT" | tail -n 40
	else
		PASS=$((PASS + 1))
		echo "PASS $SCENARIO"
	fi
}

IKE_UP='IKE_SA l2tp-vpn-[a-z0-9_-]+\[[0-9]+\] established between'
KERNEL='RESULT error kernel-no-esp: IKE_SA established, but the kernel refused to install the ESP SA \(received netlink error'

scenario_psk_main() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk"
	expect "$IKE_UP"
	expect "EVENT +[0-9.]+ ike-up"
	expect "selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
	expect "selected proposal: ESP:AES_CBC_256/HMAC_SHA2_256_128"
	expect "$KERNEL"
	# The traffic selector carries the bound socket's real (ephemeral) port.
	local port
	port=$(sed -n 's/^CONN .*dynamic\[17\/\([0-9]*\)\]$/\1/p' "$OUT")
	[[ -n $port && $port != 1701 ]] || { echo "  no ephemeral port in CONN line"; CHECKS_FAILED=1; }
	grep -q "10.231.0.1/32\[udp/$port\]" "$LAB_DIR/i/charon.log" ||
		{ echo "  charon's policy does not use our port $port"; CHECKS_FAILED=1; }
	expect "^DOWN ok"
	expect "rc=2"
}

scenario_psk_fixed_port() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --local-port 1701
	expect "CONN .* local_ts=dynamic\[17/1701\]"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_psk_wrong() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk-wrong"
	expect "RESULT error auth-failed-psk: .*(wrong pre-shared key|PSK is wrong)"
	expect_not "$IKE_UP"
	expect "^DOWN ok"
}

scenario_no_proposal_ike() {
	resp_conf_psk "aes128-sha1-modp1024" "aes128-sha1"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk"
	expect "RESULT error no-proposal-chosen: The gateway accepted none of our IKE \(main mode\) proposals"
	expect "we offered default: aes256-sha256-modp2048"
	expect "Try the preset for the server's vendor \(windows"
	expect_not "$IKE_UP"
}

scenario_preset_fits() {
	# Same weak server: the hinted vendor preset gets through to the kernel step.
	resp_conf_psk "aes128-sha1-modp1024" "aes128-sha1"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --preset meraki
	expect "selected proposal: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_no_proposal_esp() {
	resp_conf_psk "aes256-sha256-modp2048" "3des-sha1"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk"
	expect "$IKE_UP"
	expect "RESULT error no-proposal-chosen: The gateway accepted none of our ESP \(quick mode\) proposals"
	expect "PFS"
}

scenario_free_text_pfs() {
	resp_conf_psk "aes256-sha256-ecp256" "aes128gcm16-ecp256"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --ike aes256-sha256-ecp256 \
		--esp aes128gcm16 --pfs
	expect "selected proposal: ESP:AES_GCM_16_128/ECP_256"
	expect "$KERNEL"
}

scenario_aggressive() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256" yes
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --aggressive --local-id "$CLIENT_ID"
	expect "initiating Aggressive Mode IKE_SA"
	expect "IKE_SA l2tp-vpn-[a-z0-9_-]+\[[0-9]+\] established between 10.231.0.1\[$CLIENT_ID\]"
	expect "$KERNEL"
}

scenario_nat_t_forced() {
	# encap=yes: charon fakes a NAT and moves IKE to UDP 4500 before authentication.
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256"
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --nat-t force
	expect "sending packet: from 10.231.0.1\[4500\] to 10.231.0.2\[4500\]"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_tunnel_only_gateway() {
	# A gateway configured for tunnel mode only must not give us an unprotected or tunnel SA.
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256" no tunnel
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk"
	expect "$IKE_UP"
	expect "RESULT error transport-refused: The gateway refused our transport-mode SA for UDP [0-9]+ → 1701 \(received INVALID_ID_INFORMATION"
}

scenario_aggressive_needs_id() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256" yes
	run_client --gateway $LAB_RESP_ADDR --psk-file "$LAB_DIR/psk" --aggressive
	expect "RESULT error invalid-settings: Aggressive mode .* needs an explicit local identity"
}

scenario_cert_pem_encrypted() {
	resp_conf_cert
	local d=$LAB_DIR/pki
	run_client --gateway $LAB_RESP_ADDR --cert "$d/client.pem" --key "$d/client-enc.key" \
		--passphrase-file "$d/pass" --ca "$d/ca.pem" --remote-id "$GW_ID"
	expect "certificate .*client.l2tp-vpn.test.*, key decrypted locally"
	expect "authentication of '$GW_ID' with RSA.* successful"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_cert_pkcs12() {
	resp_conf_cert
	local d=$LAB_DIR/pki
	run_client --gateway $LAB_RESP_ADDR --cert "$d/client.p12" --passphrase-file "$d/pass" --ca "$d/ca.pem"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_cert_der() {
	resp_conf_cert
	local d=$LAB_DIR/pki
	run_client --gateway $LAB_RESP_ADDR --cert "$d/client.der" --key "$d/client-key.der" --ca "$d/ca.pem"
	expect "$IKE_UP"
	expect "$KERNEL"
}

scenario_cert_wrong_passphrase() {
	resp_conf_cert
	local d=$LAB_DIR/pki
	printf 'nope' >"$d/badpass"
	run_client --gateway $LAB_RESP_ADDR --cert "$d/client.p12" --passphrase-file "$d/badpass" --ca "$d/ca.pem"
	expect "RESULT error credentials: .*wrong passphrase"
}

scenario_cert_wrong_ca() {
	resp_conf_cert
	local d=$LAB_DIR/pki
	run_client --gateway $LAB_RESP_ADDR --cert "$d/client.pem" --key "$d/client.key" --ca "$d/other-ca.pem"
	expect "RESULT error auth-failed-cert: Certificate authentication failed"
	expect_not "$IKE_UP"
}

scenario_peer_unreachable() {
	resp_conf_psk "aes256-sha256-modp2048" "aes256-sha256"
	run_client --gateway 10.231.0.77 --psk-file "$LAB_DIR/psk"
	expect "RESULT error peer-unreachable: No answer from the gateway 10.231.0.77"
}

scenario_charon_missing() {
	OUT=$LAB_DIR/out-$SCENARIO.log
	"$TOOL" up --vici "unix://$LAB_DIR/nothing-here.vici" --gateway $LAB_RESP_ADDR --local-port 1701 \
		--psk-file "$LAB_DIR/psk" >"$OUT" 2>&1
	expect "RESULT error charon-not-running: strongSwan's charon is not running \(no vici socket at $LAB_DIR/nothing-here.vici\)"
}

scenario_permission_denied() {
	OUT=$LAB_DIR/out-$SCENARIO.log
	# charon makes its socket root-only; an unprivileged user must get the named error.
	chmod 755 "$LAB_DIR" "$LAB_DIR/i"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TOOL" up --vici "$VICI_I" --gateway $LAB_RESP_ADDR \
		--local-port 1701 --psk-file /dev/null >"$OUT" 2>&1 <<<""
	L2TP_VPN_PSK=x setpriv --reuid=65534 --regid=65534 --clear-groups "$TOOL" up --vici "$VICI_I" \
		--gateway $LAB_RESP_ADDR --local-port 1701 >"$OUT" 2>&1
	chmod 700 "$LAB_DIR"
	expect "RESULT error permission-denied: Permission denied on charon's vici socket"
}

scenario_check_clean_detects() {
	# The leftover check itself must be able to fail: plant a conn, a PSK and a key
	# under our prefix with swanctl, expect check-clean to see them, then remove them.
	OUT=$LAB_DIR/out-$SCENARIO.log
	local d=$LAB_DIR/i/planted
	mkdir -p "$d/private"
	cp "$LAB_DIR/pki/client.key" "$d/private/k.pem"
	cat >"$d/swanctl.conf" <<CONF
connections {
	l2tp-vpn-planted {
		version = 1
		remote_addrs = 192.0.2.1
		local { auth = psk }
		remote { auth = psk }
	}
}
secrets {
	ike-l2tp-vpn-planted {
		secret = x
	}
}
CONF
	lab_swanctl i --load-all --file "$d/swanctl.conf" >/dev/null 2>&1
	"$TOOL" check-clean --no-keys --vici "$VICI_I" >"$OUT" 2>&1
	echo "rc=$?" >>"$OUT"
	# swanctl names a secret after its section, so this one is found under that prefix.
	"$TOOL" check-clean --prefix ike-l2tp-vpn- --vici "$VICI_I" >>"$OUT" 2>&1
	expect "LEFT conn l2tp-vpn-planted"
	expect "LEFT shared ike-l2tp-vpn-planted"
	expect "LEFT key [0-9a-f]{40}"
	expect "rc=1"
	# Unplant: an empty config unloads what swanctl loaded.
	printf 'connections {\n}\n' >"$d/swanctl.conf"
	rm -f "$d/private/k.pem"
	lab_swanctl i --load-all --clear --file "$d/swanctl.conf" >/dev/null 2>&1
}

make_pki || { echo "certificate generation failed"; exit 1; }
ALL=(psk_main psk_fixed_port psk_wrong no_proposal_ike preset_fits no_proposal_esp free_text_pfs nat_t_forced
	tunnel_only_gateway aggressive
	aggressive_needs_id cert_pem_encrypted cert_pkcs12 cert_der cert_wrong_passphrase cert_wrong_ca
	peer_unreachable charon_missing permission_denied check_clean_detects)
for s in "${@:-${ALL[@]}}"; do
	if [[ $s == capture ]]; then
		# Record real vici traffic (our client and swanctl) for codec vectors and fuzz seeds.
		CAPTURE_DIR=${CAPTURE_DIR:-$LAB_DIR/capture}
		python3 "$HERE/vici-capture-proxy.py" "$LAB_DIR/proxy.vici" "$LAB_DIR/i/charon.vici" "$CAPTURE_DIR" &
		LAB_PIDS+=($!)
		while [[ ! -S $LAB_DIR/proxy.vici ]]; do sleep 0.05; done
		VICI_I=unix://$LAB_DIR/proxy.vici
		scenario psk_main
		scenario psk_wrong
		for cmd in --version --stats --list-conns --list-sas --list-certs; do
			STRONGSWAN_CONF=$LAB_DIR/i/strongswan.conf swanctl $cmd --uri "$VICI_I" >/dev/null
		done
		echo "captured $(ls "$CAPTURE_DIR" | wc -l) frames in $CAPTURE_DIR"
		continue
	fi
	if [[ $s == debug-shell ]]; then
		# Interactive debugging: the lab stays up until the shell exits.
		LAB_DIR=$LAB_DIR LAB_PREFIX=$LAB_PREFIX VICI_I=$VICI_I bash -i
		continue
	fi
	scenario "$s"
done
echo "$PASS passed, $FAIL failed"
((FAIL == 0))
