#!/usr/bin/env python3
"""Records a real vici exchange, frame by frame, for codec vectors and fuzz seeds.

    vici-capture-proxy.py LISTEN_PATH CHARON_PATH OUT_DIR

Listens on a unix socket, relays every connection to charon's vici socket and
writes each complete frame (4-byte length included) to
OUT_DIR/<conn>-<seq>-<c2s|s2c>.bin. Run swanctl --uri unix://LISTEN_PATH through it.
"""
import os
import socket
import sys
import threading


def relay(src, dst, out_dir, tag, counter, lock):
    buf = b""
    while True:
        data = src.recv(65536)
        if not data:
            break
        dst.sendall(data)
        buf += data
        while len(buf) >= 4:
            n = int.from_bytes(buf[:4], "big")
            if len(buf) < 4 + n:
                break
            frame, buf = buf[: 4 + n], buf[4 + n :]
            with lock:
                counter[0] += 1
                seq = counter[0]
            with open(os.path.join(out_dir, f"{tag}-{seq:03d}.bin"), "wb") as f:
                f.write(frame)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen_path, charon_path, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen_path)
    srv.listen(8)
    counter, lock, conn_no = [0], threading.Lock(), 0
    while True:
        client, _ = srv.accept()
        conn_no += 1
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(charon_path)
        for a, b, d in ((client, upstream, "c2s"), (upstream, client, "s2c")):
            threading.Thread(
                target=relay, args=(a, b, out_dir, f"{conn_no:02d}-{d}", counter, lock), daemon=True
            ).start()


if __name__ == "__main__":
    main()
