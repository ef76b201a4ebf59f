#!/usr/bin/env python3
# Builds the FSM fuzzer's seeds (corpus-lac/) from the raw datagrams xl2tpd
# sent us in the interop runs (corpus-parse/xl2tpd-<scenario>-NN.bin, captured
# with L2TP_CAPTURE_DIR=... test-l2tp-xl2tpd). Each seed replays one scenario:
# settings byte, then every datagram as a record with ctl 0x0b (rewrite tunnel
# ID and Ns/Nr, 10 ms before it). See fuzz-l2tp-lac.c for the format.
import collections, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
runs = collections.defaultdict(list)
for name in sorted(os.listdir(os.path.join(here, 'corpus-parse'))):
    m = re.match(r'xl2tpd-(.+)-(\d+)\.bin$', name)
    if m:
        runs[m.group(1)].append(open(os.path.join(here, 'corpus-parse', name), 'rb').read())
for scenario, datagrams in runs.items():
    settings = 0
    if 'challenge' in scenario or 'hidden' in scenario:
        settings |= 1
    if 'hidden' in scenario:
        settings |= 2
    out = bytearray([settings])
    for d in datagrams:
        out += bytes([0x0b, len(d) >> 8, len(d) & 0xff]) + d
    with open(os.path.join(here, 'corpus-lac', 'xl2tpd-' + scenario + '.seed'), 'wb') as f:
        f.write(out)
print('%d seeds' % len(runs), file=sys.stderr)
