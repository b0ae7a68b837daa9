#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# seedapp.py - the seeds' netstat scenario, one side each: `server PORT` listens on 127.0.0.1,
# accepts one connection and waits (SIGINT kills it, as Ctrl-C kills the seeds' server);
# `client PORT` connects and waits without ever reading or closing (SIGTERM ends it). Each
# writes one JSON line {"pid":..,"lport":..} once it is connected.
import json, os, signal, socket, sys, time

signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
role, port = sys.argv[1], int(sys.argv[2])
if role == "server":
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    c, _ = ls.accept()
    sock = c
else:
    for _ in range(100):
        try:
            sock = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.05)
print(json.dumps({"pid": os.getpid(), "lport": sock.getsockname()[1]}), flush=True)
while True:
    time.sleep(3600)
