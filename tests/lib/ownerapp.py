#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# ownerapp.py - TCP endpoints whose sockets change hands between processes, for the owner tests
# (tests/integration/t_owner.sh). Every step is ordered so that the transitions, and which process
# may own the socket at each of them, are deterministic.
#
#   ownerapp.py server --addr A --port P [--prefork] [--blocking] [--hold S] [--name COMM]
#                      [--worker-name COMM] [--wait-file F]
#       listen; accept (in a forked worker with --prefork; the parent keeps the listener), read
#       the request (one recv), then: plain - read to EOF; prefork - sleep --hold; then close the
#       connection. The parent closes the listener last (after the worker exited).
#   ownerapp.py client --addr A --port P [--send N] [--sleep S] [--fork-close]
#                      [--name COMM] [--closer-name COMM] [--wait-file F]
#       connect, send N bytes, sleep S, close (the client closes first). With --fork-close: after
#       connect and send, fork; the parent closes its copy of the descriptor (no shutdown: nothing
#       happens to the socket) and tells the child, which then sleeps S, calls shutdown(SHUT_WR),
#       reads to EOF (the server closes when it sees ours) and closes: the connection is ended
#       by a second process.
#
# JSON lines on stdout (flushed): {"event":"start","pid":..}, "listening", "accepted" (pid of the
# accepting process), "request", "eof", "closed", "connected", "forked" (child pid), "shutdown".
# Every blocking call has a timeout; an alarm ends each process after --max-time seconds.
# Standard library only.

import argparse
import os
import signal
import socket
import time

# the same JSON lines, comm and start as tcpapp.py (this directory is sys.path[0])
from tcpapp import family_of, run, say, set_comm

IO_TIMEOUT = 10.0


def rearm(args):
    """a forked child does not inherit the interval timer: arm its own"""
    signal.setitimer(signal.ITIMER_REAL, args.max_time)


def serve(conn, peer, args, prefork):
    # a timeout makes Python poll() before recv(); --blocking sleeps in recv() itself (the alarm
    # still ends a process stuck there)
    conn.settimeout(None if args.blocking else IO_TIMEOUT)
    lport = conn.getsockname()[1]
    say(event="accepted", pid=os.getpid(), lport=lport, rport=peer[1])
    b = conn.recv(65536)	# the request: the first receive, the socket's take-over point
    say(event="request", pid=os.getpid(), bytes=len(b))
    if prefork:
        time.sleep(args.hold)
    else:
        while b:
            b = conn.recv(65536)
        say(event="eof", pid=os.getpid())
        if args.hold:
            time.sleep(args.hold)
    conn.close()
    say(event="closed", pid=os.getpid(), lport=lport, rport=peer[1])


def server(args):
    ls = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.addr, args.port))
    ls.listen(16)
    say(event="listening", pid=os.getpid(), port=ls.getsockname()[1])
    ls.settimeout(IO_TIMEOUT)
    if args.prefork:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                rearm(args)
                if args.worker_name:
                    set_comm(args.worker_name)
                say(event="worker", pid=os.getpid())
                conn, peer = ls.accept()
                serve(conn, peer, args, True)
                code = 0
            finally:
                os._exit(code)
        _, st = os.waitpid(pid, 0)
        say(event="worker_exit", pid=pid, status=st)
    else:
        conn, peer = ls.accept()
        serve(conn, peer, args, False)
    ls.close()
    say(event="done", pid=os.getpid())


def client(args):
    s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    s.settimeout(IO_TIMEOUT)
    s.connect((args.addr, args.port))
    lport = s.getsockname()[1]
    say(event="connected", pid=os.getpid(), lport=lport)
    if args.send:
        s.sendall(b"q" * args.send)
    if not args.fork_close:
        time.sleep(args.sleep)
        s.close()
        say(event="closed", pid=os.getpid(), lport=lport)
        return
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            rearm(args)
            os.close(w)
            if args.closer_name:
                set_comm(args.closer_name)
            say(event="forked", pid=os.getpid())
            # wait until the parent has closed its copy of the descriptor
            if os.read(r, 1) != b"c":
                raise SystemExit("parent went away")
            time.sleep(args.sleep)
            s.shutdown(socket.SHUT_WR)
            say(event="shutdown", pid=os.getpid())
            # the peer's FIN ends FIN_WAIT2 while the socket is still open (a close() in
            # FIN_WAIT1/2 would add a same-state FIN_WAIT -> FIN_WAIT transition, racily)
            while s.recv(65536):
                pass
            say(event="eof", pid=os.getpid())
            s.close()
            say(event="closed", pid=os.getpid(), lport=lport)
            code = 0
        finally:
            os._exit(code)
    os.close(r)
    s.close()	# the child still holds the socket: this only drops our reference
    say(event="parent_closed", pid=os.getpid())
    os.write(w, b"c")
    os.close(w)
    _, st = os.waitpid(pid, 0)
    say(event="child_exit", pid=pid, status=st)


def main():
    p = argparse.ArgumentParser(description="sockets changing hands, for tcpstates-c tests")
    sub = p.add_subparsers(dest="role", required=True)
    for role in ("server", "client"):
        r = sub.add_parser(role)
        r.add_argument("--addr", required=True)
        r.add_argument("--port", type=int, required=True)
        r.add_argument("--name", help="set the process comm first")
        r.add_argument("--wait-file", help="wait (<= 15 s) until this file exists, then start")
        r.add_argument("--max-time", type=float, default=30, help="hard limit on the process")
        if role == "server":
            r.add_argument("--prefork", action="store_true", help="accept in a forked worker")
            r.add_argument("--blocking", action="store_true",
                           help="the accepted socket without a timeout: recv() blocks in the kernel")
            r.add_argument("--hold", type=float, default=0, help="seconds before closing")
            r.add_argument("--worker-name", help="the worker's comm")
        else:
            r.add_argument("--send", type=int, default=0, help="request bytes sent after connect")
            r.add_argument("--sleep", type=float, default=0, help="seconds before close")
            r.add_argument("--fork-close", action="store_true",
                           help="a forked child shuts down and closes the socket")
            r.add_argument("--closer-name", help="the closing child's comm")
    run(p.parse_args(), server, client)


if __name__ == "__main__":
    main()
