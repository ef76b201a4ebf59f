#!/bin/bash
# PID 1 of the lab VM after switch_root: load the modules the scenarios need,
# run each scenario of /mnt/job in its own PID + mount namespace (so every
# process and network namespace it made dies with it), record status and time
# per scenario on the results share, then power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8 TERM=dumb
results=/mnt
echo "<2>lab-boot: guest boot script started" >/dev/kmsg
echo 1 >/proc/sys/kernel/sysrq
hostname lab 2>/dev/null
ip link set lo up

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	exec sleep 60
}
trap poweroff_now EXIT

set -a
# shellcheck disable=SC1091
source "$results/env"
set +a
here=$LAB_SRC/tests/lab
boot_log=$results/boot.log
{
	echo "kernel $(uname -r), $(nproc) CPUs"
	# FACTS §1: what the host's modprobe loads in the VM (deps come along).
	# FACTS §1: what the host's modprobe loads in the VM (deps come along). One
	# modprobe call: under TCG every exec costs ~0.1-0.3 s.
	modprobe -a veth dummy sch_netem xfrm_user esp4 authenc echainiv seqiv aesni_intel sha256_ssse3 \
		l2tp_ppp l2tp_netlink ppp_async ppp_generic virtio_rng nf_conntrack nft_masq nft_nat nft_chain_nat ||
		echo "boot: some modules failed to load"
	echo "<2>lab-boot: modules loaded" >/dev/kmsg
} >"$boot_log" 2>&1

# The kernel self-tests each ESP algorithm combination the first time an SA
# uses it; under TCG that takes seconds (5.7 s measured for
# authenc(hmac(sha256),cbc(aes))), which real hardware does in milliseconds.
# Instantiate the lab's proposals once now, in the background in a throwaway
# namespace, so the first scenario's IPsec timings are not that artefact.
(
	ip netns add lab-warm && ip -n lab-warm link set lo up &&
	for alg in "enc cbc(aes) 0x$(printf '%064d' 0) auth-trunc hmac(sha256) 0x$(printf '%064d' 0) 128" \
		"aead rfc4106(gcm(aes)) 0x$(printf '%072d' 0) 128" \
		"enc cbc(des3_ede) 0x$(printf '%048d' 0) auth-trunc hmac(sha1) 0x$(printf '%040d' 0) 96"; do
		# shellcheck disable=SC2086
		ip -n lab-warm xfrm state add src 127.0.0.1 dst 127.0.0.2 proto esp spi 0x100 mode transport $alg
		ip -n lab-warm xfrm state flush
	done
	ip netns del lab-warm
	echo "<2>lab-boot: ESP algorithms warmed up" >/dev/kmsg
) >>"$boot_log" 2>&1 &

per_scenario=$(cat "$results/scenario-timeout")
mapfile -t scenarios <"$results/job"
for scenario in "${scenarios[@]}"; do
	echo "<2>lab-boot: scenario $scenario" >/dev/kmsg
	dir=$results/$scenario
	mkdir -p "$dir/logs"
	start=$(date +%s.%N)
	timeout -k 5 "$per_scenario" unshare --pid --fork --mount --propagation private --mount-proc \
		"$here/guest/run-scenario.sh" "$scenario" >"$dir/output.log" 2>&1 </dev/null
	rc=$?
	# timeout(1) says 124 when it had to stop the scenario.
	if ((rc == 124 || rc == 137)); then
		echo "lab: scenario $scenario timed out after ${per_scenario} s" >>"$dir/output.log"
		rc=1
	fi
	echo "$rc" >"$dir/rc"
	awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$dir/seconds"
done
touch "$results/done"
echo "<2>lab-boot: all scenarios done" >/dev/kmsg
