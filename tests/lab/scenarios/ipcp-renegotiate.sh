# summary: PPP renegotiates IPCP while connected (an IPCP Configure-Request sent into the open link, as after a lost Configure-Ack): pppd takes the link's IPv4 side down and the kernel drops our routes; our client sets routes and DNS again when IP is up, stays connected, traffic flows, then down leaves nothing
# A gateway that missed our Configure-Ack repeats its Configure-Request, and RFC 1661 makes both
# ends renegotiate; every route through the PPP interface goes with its address. Seen in CI's
# loss campaign during connect; once connected, nothing put the routes back.
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
INJECT=$LAB_BUILD/tests/lab/lab-ppp-inject
[[ -x $INJECT ]] || setup_error "no $INJECT: build the tests first"
ours_lab_setup lab
ours_connect
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"
local_ip=$(awk '/^connected / { print $4; exit }' "$OURS_LOG")
[[ $local_ip =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no local address in: $(grep '^connected ' "$OURS_LOG")"
routes_via() { on cl ip -4 route show table all dev "$OURS_IF" | { grep -v '^local \|^broadcast ' || true; } | sort; }
routes_before=$(routes_via)
resolv_before=$(cat "$OURS_RESOLV")
[[ -n $routes_before ]] || fail "no routes through $OURS_IF while connected"
log "routes through $OURS_IF: $(echo "$routes_before" | tr '\n' ';')"

# IPCP Configure-Request, id 0x77, option 3 (IP-Address) = our own address, so that the
# gateway acks it and gives us the same address again.
hex=$(printf '8021017700%02x0306%02x%02x%02x%02x' 10 ${local_ip//./ })
on cl "$INJECT" "$hex" >"$LAB_LOGS/inject.log" 2>&1 || fail "lab-ppp-inject: $(cat "$LAB_LOGS/inject.log")"
log "sent into the link: IPCP Configure-Request $hex ($(cat "$LAB_LOGS/inject.log"))"
ours_wait_line 20 'IPCP went down' ||
	fail "our client did not see IPv4 go down: $(tail -n 5 "$OURS_LOG")"
ours_wait_line 20 'PPP renegotiated IPCP, same addresses: set again' ||
	fail "routes were not set again: $(tail -n 5 "$OURS_LOG")"
log "$(grep -E 'IPCP went down|renegotiated IPCP' "$OURS_LOG" | sed 's/^ *//' | tr '\n' ';')"
[[ $(routes_via) == "$routes_before" ]] ||
	fail "routes through $OURS_IF differ after the renegotiation: before: $routes_before; now: $(routes_via)"
[[ $(cat "$OURS_RESOLV") == "$resolv_before" ]] || fail "resolv.conf differs after the renegotiation: $(cat "$OURS_RESOLV")"
assert_ping cl "$LAB_GW_PPP_IP"
assert_ping cl "$LAB_LAN_HOST"

ours_assert_still_connected "the renegotiation"
ours_down
ours_assert_clean "after down"
pass "IPCP renegotiated while connected: routes and DNS set again, pinged across, still connected; nothing left after down"
