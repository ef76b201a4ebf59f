# summary: rekeys while connected: the CHILD_SA (quick mode, new SPIs) and then the IKE_SA (a new ISAKMP SA, the old one deleted 10 s later) are rekeyed by our side's charon; our client stays connected through both and traffic flows, then down leaves nothing
# Real connections see this every hour (CHILD_SA rekey_time) and every few hours (IKE_SA): a
# connection that took the old SA's removal for an outage would drop each time.
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
ours_lab_setup lab
ours_connect
assert_ping cl "$LAB_GW_PPP_IP"
conn=$(on cl swanctl --list-conns | awk -F: '/^l2tp-vpn-/ { print $1; exit }')
[[ -n $conn ]] || fail "our conn is not in charon"
# The inbound SPIs of our transport SAs, space-separated.
spi_in() { on cl ip xfrm state | awk '/^src 172.31.0.1 dst 172.31.0.2/ { getline; printf "%s ", $4 }'; }
before=$(spi_in)

# new_spis SPIS — inbound SPIs not in SPIS (charon keeps a rekeyed IKEv1 CHILD_SA until it
# expires: delete_rekeyed is off by default). No <(...): the scenario has no /dev/fd.
new_spis() { spi_in | awk -v old="$1" 'BEGIN { n = split(old, o, " "); for (i = 1; i <= n; i++) seen[o[i]] = 1 }
	{ for (i = 1; i <= NF; i++) if (!($i in seen)) printf "%s ", $i }'; }
rekeyed() { [[ -n $(new_spis "$1") ]]; }

on cl swanctl --rekey --child "$conn" >>"$LAB_LOGS/swanctl-cl.log" 2>&1 || fail "swanctl --rekey --child failed: $(tail -n 2 "$LAB_LOGS/swanctl-cl.log")"
wait_until 20 "the CHILD_SA rekeyed" rekeyed "$before" || fail "no new CHILD_SA replaced $before: $(on cl ip xfrm state)"
log "CHILD_SA rekeyed: new inbound SPI $(new_spis "$before")"
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"

# swanctl --list-sas: "NAME: #UNIQUEID, ESTABLISHED, IKEv1, ..."
ike_before=$(on cl swanctl --list-sas --ike "$conn" | sed -n 's/^l2tp-vpn-[^:]*: #\([0-9]*\),.*/\1/p' | head -n 1)
[[ -n $ike_before ]] || fail "swanctl lists no IKE_SA for $conn"
on cl swanctl --rekey --ike "$conn" >>"$LAB_LOGS/swanctl-cl.log" 2>&1 || fail "swanctl --rekey --ike failed: $(tail -n 2 "$LAB_LOGS/swanctl-cl.log")"
# IKEv1 renews the ISAKMP SA: a new one comes up and adopts the CHILD_SA, and the old one is
# deleted ~10 s later. That deletion is what a connection must not take for an outage.
ours_wait_line 40 "IKE_SA #$ike_before closed, replaced by #" || fail "the old IKE_SA #$ike_before was not seen closing: $(tail -n 3 "$OURS_LOG")"
log "IKE_SA renewed: $(grep -oE "IKE_SA #$ike_before closed, replaced by #[0-9]+" "$OURS_LOG")"
assert_ping cl "$LAB_GW_PPP_IP"

ours_assert_still_connected "the rekeys"
ours_down
ours_assert_clean "after down"
pass "CHILD_SA and IKE_SA rekeyed while connected: still connected, pinged across after each, nothing left after down"
