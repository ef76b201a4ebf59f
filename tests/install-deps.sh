#!/bin/bash
# install-deps.sh — the Debian 12 packages to build l2tp-vpn and run every test,
# including the VM lab (QEMU + Debian's kernel) and the gateway/classic stacks
# it runs. Installs only what is missing; needs root.
set -euo pipefail
packages=(
	# build
	meson ninja-build pkg-config gcc clang libclang-rt-14-dev
	libglib2.0-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev ppp-dev libgnutls28-dev libsecret-1-dev
	# the stacks we drive and test against
	ppp xl2tpd strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	# test tools
	iproute2 iputils-ping iperf3 tcpdump nftables gnutls-bin dbus python3 procps psmisc util-linux
	# a Secret Service for `l2tp-vpn secret` (tests/interop/daemon/test-cli-secret.sh)
	gnome-keyring libsecret-tools
	# the VM lab
	qemu-system-x86 linux-image-amd64 busybox-static kmod cpio gzip
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if ((EUID != 0)); then
	echo "install-deps: missing packages (run as root to install): ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts these daemons on install where it can; the tests run their own.
for d in xl2tpd strongswan-starter ipsec; do
	if command -v systemctl >/dev/null && systemctl is-active -q "$d" 2>/dev/null; then systemctl stop "$d"; fi
done
pkill -x xl2tpd 2>/dev/null || true
