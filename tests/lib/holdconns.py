#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# holdconns.py - many sockets at once, for the loss tests (tests/integration/t_loss.sh).
#
#   holdconns.py pairs --addr A --n N --hold S    listen on A, open N connections to it, accept
#                                                 them all, hold S seconds, close all
#   holdconns.py synsent --addr A --n N --hold S  N connect()s to A:9 where nobody answers (an
#                                                 unused address: ARP fails), held S seconds
# Prints one JSON line {"pid":..,"port":..} at the start. Standard library only.
import argparse
import json
import os
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("mode", choices=["pairs", "synsent"])
p.add_argument("--addr", required=True)
p.add_argument("--n", type=int, required=True)
p.add_argument("--hold", type=float, default=1.0)
a = p.parse_args()
signal_alarm = __import__("signal").alarm(30)

socks = []
if a.mode == "pairs":
    srv = socket.socket()
    srv.bind((a.addr, 0))
    srv.listen(a.n)
    port = srv.getsockname()[1]
    os.write(1, (json.dumps({"pid": os.getpid(), "port": port}) + "\n").encode())
    for _ in range(a.n):
        c = socket.create_connection((a.addr, port), timeout=10)
        socks.append(c)
        socks.append(srv.accept()[0])
    time.sleep(a.hold)
    for s in socks:
        s.close()
    srv.close()
else:
    os.write(1, (json.dumps({"pid": os.getpid(), "port": 9}) + "\n").encode())
    for _ in range(a.n):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((a.addr, 9))
        except BlockingIOError:
            pass
        socks.append(s)
    time.sleep(a.hold)
    for s in socks:
        s.close()
sys.exit(0)
