# summary: deliberately broken: the classic client uses a wrong PSK, so this scenario must FAIL with the IPsec phase named
LAB_WRONG=psk
topo_basic
gw_start
classic_connect kernel
pass "connected with a wrong PSK?!"
