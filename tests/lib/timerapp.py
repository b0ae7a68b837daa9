# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# timerapp.py - sockets whose timers t_timers.sh reads in the start-up snapshot, all on 127.0.0.1:
# a listener; a connection whose client has SO_KEEPALIVE with TCP_KEEPIDLE 600 s (keepalive);
# a plain one (off); one closed by its client first and then by its server (the client's TIME_WAIT,
# timewait); one closed by its client only (the client an orphan in FIN_WAIT2, a minisocket when
# tcp_fin_timeout <= 60: timewait; the server in CLOSE_WAIT, off). Prints one line
# {"event":"ready","port":P,"ka":CPORT,"plain":CPORT,"tw":CPORT,"fw2":CPORT} once the closes are
# done; when the file argv[1] exists, closes the plain connection's client (transitions to trace),
# waits 1 s and exits (or after argv[2] seconds in any case).
import json
import os
import socket
import sys
import time

go, limit = sys.argv[1], float(sys.argv[2])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
port = srv.getsockname()[1]


def connect():
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    return c, a


def port_of(s):
    return s.getsockname()[1]


ka_c, ka_a = connect()
ka_c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
ka_c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 600)
plain_c, plain_a = connect()
tw_c, tw_a = connect()
tw_port = port_of(tw_c)
tw_c.close()
fw_c, fw_a = connect()
fw_port = port_of(fw_c)
fw_c.close()
time.sleep(0.3)	# the peers' FINs and ACKs, on loopback at once
tw_a.close()
time.sleep(0.3)
print(json.dumps({"event": "ready", "port": port, "ka": port_of(ka_c), "plain": port_of(plain_c),
                  "tw": tw_port, "fw2": fw_port}), flush=True)
end = time.monotonic() + limit
while not os.path.exists(go) and time.monotonic() < end:
    time.sleep(0.05)
plain_c.close()
time.sleep(1)
