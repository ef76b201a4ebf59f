# summary: our client against a legacy-only gateway (no common proposal) and an address nobody answers on: named errors (ipsec-proposal, unreachable) within 30 s, nothing left behind
source "$LAB_SRC/tests/lab/scenarios/ours-common.sh"
LAB_GW_PROPOSALS=legacy # 3des-sha1-modp1024 only; our default proposals are modern
topo_basic
gw_start
charon_start cl
ours_snapshot

ours_profile lab
ours_expect_failure "no common proposal" ipsec-proposal 11
OURS_GATEWAY=172.31.0.99 ours_profile lab
ours_expect_failure "unreachable gateway" unreachable 9
pass "no common proposal and unreachable gateway: two distinct named errors, nothing left behind"
