#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""stuckwhy.py - CLOSE_WAIT sockets stuck for each reason t_stuck_why checks, and a leak.

    stuckwhy.py old-server PORT LEAK_PORT N_LEAK FACTS   an old CLOSE_WAIT and a leak (first)
    stuckwhy.py old-client PORT LEAK_PORT N_LEAK FACTS   their clients (then)
    stuckwhy.py server PORT FACTS                        the four reasons (first)
    stuckwhy.py client PORT FACTS                        their client (then)

old-server accepts one connection on 127.0.0.1:PORT, which the client closes (a plain CLOSE_WAIT,
kept), and on LEAK_PORT N_LEAK connections from 127.0.0.2, which the leak client shuts down
(SHUT_WR, held in FIN_WAIT2) and the server never reads or closes (eof_unread).

server listens on 127.0.0.1:PORT and accepts four connections from the client, which it keeps
open and never closes:
  unread     the client sends 100 bytes and closes; never read (data_unread); held through
             a second descriptor too (dup)
  eof        the client sends 10 bytes and closes; read to the end of file (eof_read_not_closed)
  forked     read 5 bytes (the server uses the socket: its owner), then a forked child that
             closes every other descriptor holds it, asleep, and the server closes its own
             (inherited); the client closes
  keepalive  SO_KEEPALIVE with TCP_KEEPIDLE 600; the client shuts down its sending side only
             (its socket stays held, in FIN_WAIT2)
A server's facts (pid, child pid, the sockets' fds and the client ports of each kind) go to
FACTS.server (FACTS.old-server) as one JSON line when all is in place; a client's (pid, the
time its sockets closed) to FACTS.client (FACTS.old-client). All then sleep until killed.
"""
import json
import os
import socket
import sys
import time

KINDS = ["unread", "eof", "forked", "keepalive"]


def write_facts(path, facts):
    with open(path + ".tmp", "w") as f:
        json.dump(facts, f)
        f.write("\n")
    os.rename(path + ".tmp", path)


def listen(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1024)
    return s


def recv_exactly(c, n):
    got = b""
    while len(got) < n:
        part = c.recv(n - len(got))
        if not part:
            break
        got += part
    return got


def old_server(port, leak_port, n_leak, facts):
    ls, leak = listen(port), listen(leak_port)
    c, addr = ls.accept()
    leaked = [leak.accept()[0] for _ in range(n_leak)]
    if c.recv(10) != b"":
        sys.exit("old: not closed")
    write_facts(facts + ".old-server", {"pid": os.getpid(), "port": addr[1], "fd": c.fileno(),
                                        "n_leak": len(leaked)})
    while True:
        time.sleep(3600)


def old_client(port, leak_port, n_leak, facts):
    old = socket.create_connection(("127.0.0.1", port))
    leaks = []
    for _ in range(n_leak):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", leak_port))
        leaks.append(s)
    time.sleep(0.2)
    for s in leaks:
        s.shutdown(socket.SHUT_WR)
    old.shutdown(socket.SHUT_WR)
    write_facts(facts + ".old-client", {"pid": os.getpid(), "closed": time.time()})
    while True:
        time.sleep(3600)


def server(port, facts):
    ls = listen(port)
    kept, ports, fds = {}, {}, {}
    for kind in KINDS:
        c, addr = ls.accept()
        kept[kind] = c
        ports[kind] = addr[1]
        fds[kind] = c.fileno()
    if recv_exactly(kept["forked"], 5) != b"hello":
        sys.exit("forked: no hello")
    kept["keepalive"].setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    kept["keepalive"].setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 600)
    child = os.fork()
    if child == 0:
        keep = kept["forked"].fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 65536)
        while True:
            time.sleep(3600)
    kept["forked"].close()
    # "unread" is held through a second descriptor too (dup)
    dup = os.dup(kept["unread"].fileno())
    # the end of file of "eof": the client's 10 bytes, then recv() returns b""
    if recv_exactly(kept["eof"], 10) != b"x" * 10 or kept["eof"].recv(10) != b"":
        sys.exit("eof: not read to the end")
    write_facts(facts + ".server", {"pid": os.getpid(), "child": child, "ports": ports,
                                    "fds": fds, "dup": dup})
    while True:
        time.sleep(3600)


def client(port, facts):
    conns = {}
    for kind in KINDS:
        conns[kind] = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.05)	# accepted in this order
    conns["forked"].sendall(b"hello")
    time.sleep(0.5)		# the server forks and takes hold
    conns["unread"].sendall(b"u" * 100)
    conns["eof"].sendall(b"x" * 10)
    for kind in ["unread", "eof", "forked"]:
        conns[kind].close()	# orphans in FIN_WAIT2: the server never closes
    # after them: the orphans are the oldest of this client's FIN_WAIT2s, the three reported
    time.sleep(0.2)
    conns["keepalive"].shutdown(socket.SHUT_WR)
    write_facts(facts + ".client", {"pid": os.getpid(), "closed": time.time()})
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    role = sys.argv[1]
    if role.startswith("old-"):
        port, leak_port, n_leak, facts = *map(int, sys.argv[2:5]), sys.argv[5]
        (old_server if role == "old-server" else old_client)(port, leak_port, n_leak, facts)
    else:
        port, facts = int(sys.argv[2]), sys.argv[3]
        (server if role == "server" else client)(port, facts)
