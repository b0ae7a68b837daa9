#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# manylisten.py - N listening sockets on ADDR (ports chosen by the kernel), held until GOFILE
# exists, for tests/integration/t_snapshot_big.sh. Prints "ready N" once they all listen. The
# sockets are spread over processes of at most PER sockets each (the fd limit).
#
#   manylisten.py ADDR N GOFILE
import os
import resource
import signal
import socket
import sys
import time

PER = 8000

addr, n, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
signal.alarm(120)
resource.setrlimit(resource.RLIMIT_NOFILE, (PER + 64, PER + 64))
r, w = os.pipe()
kids = []
for k in range(0, n, PER):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        socks = []
        for _ in range(min(PER, n - k)):
            s = socket.socket()
            s.bind((addr, 0))
            s.listen(1)
            socks.append(s)
        os.write(w, b"x")
        while not os.path.exists(go):
            time.sleep(0.05)
        os._exit(0)
    kids.append(pid)
os.close(w)
for _ in kids:
    os.read(r, 1)
os.write(1, ("ready %d\n" % n).encode())
for pid in kids:
    os.waitpid(pid, 0)
