#!/bin/bash
# Helpers to run private charons in network namespaces on the host (FACTS §1, §4).
# Sourced by run-interop.sh; never touches /etc or a charon it did not start.
#
#   lab_init PREFIX          scratch dir, two namespaces PREFIX-i / PREFIX-r, veth pair,
#                            10.231.0.1 (initiator) and 10.231.0.2 (responder)
#   lab_start_charon SIDE    SIDE = i | r; private /run, strongswan.conf, vici socket
#   lab_swanctl SIDE ARGS    swanctl against that side's vici socket
#   lab_cleanup              kill our charons (by pid), delete namespaces, scratch dir

LAB_PLUGINS="random nonce openssl pem pkcs1 pkcs8 pkcs12 x509 pubkey revocation constraints
	aes sha1 sha2 hmac gmp kdf kernel-netlink socket-default vici"
LAB_INIT_ADDR=10.231.0.1
LAB_RESP_ADDR=10.231.0.2

lab_init() {
	LAB_PREFIX=$1
	LAB_DIR=$(mktemp -d /tmp/l2tp-vpn-ipsec-lab.XXXXXX)
	LAB_PIDS=()
	local ns_i=$LAB_PREFIX-i ns_r=$LAB_PREFIX-r
	ip netns add "$ns_i"
	ip netns add "$ns_r"
	ip link add "${LAB_PREFIX}vi" netns "$ns_i" type veth peer name "${LAB_PREFIX}vr" netns "$ns_r"
	ip -n "$ns_i" addr add $LAB_INIT_ADDR/24 dev "${LAB_PREFIX}vi"
	ip -n "$ns_r" addr add $LAB_RESP_ADDR/24 dev "${LAB_PREFIX}vr"
	ip -n "$ns_i" link set lo up
	ip -n "$ns_r" link set lo up
	ip -n "$ns_i" link set "${LAB_PREFIX}vi" up
	ip -n "$ns_r" link set "${LAB_PREFIX}vr" up
}

lab_ns() {
	echo "$LAB_PREFIX-$1"
}

lab_side_dir() {
	echo "$LAB_DIR/$1"
}

lab_vici_uri() {
	echo "unix://$LAB_DIR/$1/charon.vici"
}

lab_write_conf() {
	local dir=$1 extra=${2:-}
	cat >"$dir/strongswan.conf" <<CONF
charon {
	load = $(echo $LAB_PLUGINS)
	$extra
	install_routes = no
	retransmit_tries = 2
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
	}
	filelog {
		lab {
			path = $dir/charon.log
			default = 1
			ike = 2
			cfg = 2
			knl = 2
			flush_line = yes
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	load = pem pkcs1 pkcs8 pkcs12 x509 openssl random
}
CONF
}

# Waits (event-driven, inotify-free: charon creates the socket once ready) for the
# vici socket, polling with swanctl --version which blocks on a real reply.
lab_wait_vici() {
	local side=$1 deadline=$((SECONDS + 20))
	while ((SECONDS < deadline)); do
		if [[ -S $LAB_DIR/$side/charon.vici ]] && lab_swanctl "$side" --version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "charon ($side) did not open its vici socket" >&2
	return 1
}

lab_start_charon() {
	local side=$1 dir=$LAB_DIR/$1 extra=${2:-}
	mkdir -p "$dir/swanctl"
	lab_write_conf "$dir" "$extra"
	# charon hard-codes /var/run/charon.pid: give it a private /run.
	ip netns exec "$(lab_ns "$side")" unshare --mount --propagation private \
		sh -c 'mount -t tmpfs lab-run /run && exec env STRONGSWAN_CONF="$1" /usr/lib/ipsec/charon' \
		lab-charon "$dir/strongswan.conf" >"$dir/charon.stdout" 2>&1 &
	LAB_PIDS+=($!)
	echo $! >"$dir/charon.pid"
	lab_wait_vici "$side"
}

lab_swanctl() {
	local side=$1
	shift
	local cmd=$1
	shift
	STRONGSWAN_CONF=$LAB_DIR/$side/strongswan.conf swanctl "$cmd" --uri "$(lab_vici_uri "$side")" "$@"
}

lab_cleanup() {
	local pid
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_PIDS=()
	ip netns del "$LAB_PREFIX-i" 2>/dev/null || true
	ip netns del "$LAB_PREFIX-r" 2>/dev/null || true
	if [[ -n ${LAB_KEEP:-} ]]; then
		echo "lab dir kept: $LAB_DIR" >&2
	else
		rm -rf "$LAB_DIR"
	fi
}
