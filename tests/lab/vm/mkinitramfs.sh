#!/bin/bash
# mkinitramfs.sh KVER OUT.cpio.gz — the lab VM's tiny initramfs: static busybox,
# the virtio/9p modules of the installed Debian kernel (order from modprobe's
# dependency list, never hard-coded), and vm/init.
set -euo pipefail
kver=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,modules,proc,sys,dev,newroot}
cp /bin/busybox "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod 755 "$work/init"
: >"$work/modules.list"
for mod in virtio_pci 9p 9pnet_virtio; do
	modprobe -S "$kver" --show-depends "$mod" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case $ko in
	*.ko) cp "$ko" "$work/modules/$name" ;;
	*.ko.xz) xz -dc "$ko" >"$work/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -qdc "$ko" >"$work/modules/${name%.zst}"; name=${name%.zst} ;;
	*) echo "mkinitramfs: unexpected module file $ko" >&2; exit 1 ;;
	esac
	echo "$name" >>"$work/modules.list"
done
(cd "$work" && find . | cpio --quiet -o -H newc | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
