# summary: client/kernel on a kernel with L2TP: two managed tunnels over loopback UDP, PPP sessions, PPPoL2TP sockets, a frame through, statistics, deletion
#
# Runs tests/interop/kernel/test-kernel-l2tp inside the VM, where Debian's
# kernel has l2tp_netlink and l2tp_ppp loaded, so it takes its data-path branch
# instead of the "module missing" one it takes on the host. Link it into
# tests/lab/scenarios to run it (see dataplane-loopback.sh).
: "${LAB_BUILD:?run with --build BUILD}"
test_bin=$LAB_BUILD/tests/interop/kernel/test-kernel-l2tp
[[ -x $test_bin ]] || setup_error "$LAB_BUILD lacks tests/interop/kernel/test-kernel-l2tp"
out=$LAB_LOGS/test-kernel-l2tp.log
"$test_bin" >"$out" 2>&1 || { cat "$out"; fail "test-kernel-l2tp failed"; }
cat "$out"
grep -q '^ok - test_loopback_data_path' "$out" || fail "the data-path test did not run (kernel without L2TP?)"
pass "kernel L2TP tunnels, sessions, PPPoL2TP data and statistics over loopback"
