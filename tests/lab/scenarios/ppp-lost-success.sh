# summary: the gateway's first MS-CHAPv2 Success never reaches our client (nft drops it on the gateway, before ESP); our pppd plugin sends the Response again, passes on the IPCP request pppd discarded meanwhile, and the connection comes up within 15 s (Debian's pppd alone would wait forever)
# Loss of exactly this one packet is the most common failure of lossy connects (lab loss-connect):
# pppd 2.4.9's CHAP client never repeats its Response, and the authenticator repeats Success only
# when a Response arrives.
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
ours_lab_setup lab
# The L2TP data header from the gateway's kernel is 6 bytes (no L or S bit); 8 and 10 cover a
# length field or sequence numbers. PPP then starts FF 03 C2 23 (CHAP), code 3 (Success).
on gw nft -f - <<'NFT' || setup_error "nft: cannot install the drop-one-Success rule"
table ip lab_ppp_loss {
	set dropped { type ipv4_addr; flags dynamic; }
	chain out {
		type filter hook output priority 0; policy accept;
		udp sport 1701 @th,112,40 0xff03c22303 jump success
		udp sport 1701 @th,128,40 0xff03c22303 jump success
		udp sport 1701 @th,144,40 0xff03c22303 jump success
	}
	chain success {
		ip daddr @dropped accept
		add @dropped { ip daddr } drop
	}
}
NFT
ours_connect
dropped=$(on gw nft list set ip lab_ppp_loss dropped)
grep -q "172.31.0.2" <<<"$dropped" || fail "the gateway dropped no CHAP Success (the rule never matched): $dropped"
grep -q 'sending the Response again' "$OURS_LOG" || fail "our plugin did not send the CHAP Response again: $(grep -i chap "$OURS_LOG" | tail -n 5)"
# The gateway's IPCP Configure-Request came during authentication (it is what prompted the repeat);
# passed on, IPCP needs no 3 s retransmission from the gateway.
grep -q 'passing on the IPCP Configure-Request' "$OURS_LOG" || fail "the early IPCP request was not passed on"
ipup=$(awk '$2 == "ms" && $3 == "ip-up" { gsub(/[(+]/, "", $(NF-1)); print $(NF-1) }' "$OURS_LOG")
((ipup < 2000)) || fail "IPCP took $ipup ms after authentication (the gateway's retransmission, not ours)"
ms=$(sed -n 's/^connected .* in \([0-9]*\) ms$/\1/p' "$OURS_LOG")
((ms <= 15000)) || fail "connected only after $ms ms (limit 15000)"
assert_ppp_auth mschapv2
assert_ping cl "$LAB_GW_PPP_IP"
ours_down
ours_assert_clean "after down"
pass "first CHAP Success lost: Response sent again, connected in $ms ms (IP up $ipup ms after authentication)"
