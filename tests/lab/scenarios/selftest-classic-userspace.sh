# summary: lab self-test: classic stack with xl2tpd's userspace (pty) data path
topo_basic
gw_start
classic_selftest userspace plain
grep -q 'Using l2tp kernel support' "$LAB_LOGS/xl2tpd-cl.log" && fail "xl2tpd on the client used the kernel path, expected userspace"
pass "classic client, userspace data path"
