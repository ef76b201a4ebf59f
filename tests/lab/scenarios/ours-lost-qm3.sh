# summary: our last quick-mode message (QM3) is lost on the way to the gateway (nft drops it there), so the gateway has no SA for us while ours is up: once, our client starts the tunnel over right after the gateway's repeat (no wait for the next SCCRQ retransmission); twice in a row, it renews the SA with a new quick mode; each connects in a few seconds, not 11-15 s
# IKEv1 never acknowledges QM3 and the gateway installs its SA only when QM3 arrives; it repeats
# QM2 after 4 s, then 7.2 s later (charon's defaults), and our charon answers each repeat with
# QM3 again. Lost QM3s were the tail of the lab's loss campaign (connects of 44 s).
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
ours_lab_setup lab

# drop_qm3s N — the gateway drops the first N QM3s from our client: ISAKMP exchange type 32
# (quick mode) at byte 18 of the UDP payload, and small (QM3 is a HASH payload only; QM1 with
# its SA payload and nonce is several hundred bytes).
drop_qm3s() {
	on gw nft delete table ip lab_qm3_loss 2>/dev/null || true
	local second=""
	(($1 == 2)) && second="ip saddr @one add @two { ip saddr } drop"
	on gw nft -f - <<NFT || setup_error "nft: cannot install the drop-QM3 rule"
table ip lab_qm3_loss {
	set one { type ipv4_addr; flags dynamic; }
	set two { type ipv4_addr; flags dynamic; }
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 500 @th,208,8 32 counter
		udp dport 500 @th,208,8 32 udp length < 120 counter jump qm3
	}
	chain qm3 {
		ip saddr @two accept
		${second:-ip saddr @one accept}
		add @one { ip saddr } counter drop
	}
}
NFT
}

# dropped_qm3s — how many QM3s the rule dropped (0, 1 or 2).
dropped_qm3s() {
	local n=0
	on gw nft list set ip lab_qm3_loss one | grep -q 172.31.0.2 && n=1
	on gw nft list set ip lab_qm3_loss two | grep -q 172.31.0.2 && n=2
	echo $n
}

# qm3_rule_report — what the gateway saw of quick mode, for a failure message: the rules'
# counters (every quick-mode packet, the small ones, the dropped ones) and the gateway charon's quick-mode packets.
qm3_rule_report() {
	on gw nft list table ip lab_qm3_loss | grep -E 'counter|elements' | tr -s '\t ' ' '
	grep -E 'QUICK_MODE|retransmit|received packet' "$LAB_LOGS/charon-gw.log" | tail -n 8
}

# connect_dropping N — connect while the gateway drops our first N QM3s. Should the rule not
# have matched (a connect with nothing dropped does not test the guard), say what the gateway
# saw and try once more before failing.
connect_dropping() {
	local n=$1 try
	for try in 1 2; do
		drop_qm3s "$n"
		ours_connect
		(($(dropped_qm3s) == n)) && return 0
		log "the gateway dropped $(dropped_qm3s) QM3s, not $n (try $try):"
		qm3_rule_report | while read -r l; do log "  $l"; done
		((try == 2)) && fail "the gateway did not drop $n QM3(s) from us in two tries"
		ours_down
		ours_assert_clean "after a connect the rule missed"
	done
}

# tunnel_ms — milliseconds of the l2tp-tunnel phase, from the progress line that completes it.
tunnel_ms() { awk '$2 == "ms" && $3 == "l2tp-tunnel" { gsub(/[(+]/, "", $(NF-1)); print $(NF-1); exit }' "$OURS_LOG"; }

# One lost QM3: the gateway's repeat 4 s later gets through; the tunnel must start over right
# after it (the RFC's retransmissions would next send SCCRQ 7 s after the first).
connect_dropping 1
grep -q 'repeats its quick-mode answer about now' "$OURS_LOG" || fail "no catch-up restart after the gateway's repeat: $(grep 'l2tp:' "$OURS_LOG" | tail -n 5)"
! grep -q 'renewing the SA' "$OURS_LOG" || fail "renewed the SA although the gateway's repeat got through"
one=$(tunnel_ms)
[[ -n $one ]] || fail "no l2tp-tunnel phase time in the log"
((one < 6000)) || fail "one lost QM3: the tunnel took $one ms (limit 6000; the next retransmission alone comes at ~7000)"
assert_ping cl "$LAB_GW_PPP_IP"
ours_down
ours_assert_clean "after one lost QM3"

# Two lost QM3s (the first and the gateway's repeat): a new quick mode, 1.5 s after the repeat.
connect_dropping 2
grep -q 'renewing the SA (1 of 2)' "$OURS_LOG" || fail "the SA was not renewed: $(grep 'l2tp:' "$OURS_LOG" | tail -n 5)"
grep -q 'CHILD_SA rekeyed' "$OURS_LOG" || fail "no CHILD_SA rekey seen"
two=$(tunnel_ms)
((two < 9000)) || fail "two lost QM3s: the tunnel took $two ms (limit 9000; the gateway's second repeat comes at ~11200)"
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
ours_down
ours_assert_clean "after two lost QM3s"
on gw nft delete table ip lab_qm3_loss
pass "lost QM3: tunnel in $one ms after one (catch-up restart), $two ms after two (SA renewed)"
