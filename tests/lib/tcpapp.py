#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tcpapp.py - real TCP sockets for the integration tests, one role per process.
#
#   tcpapp.py server --addr A --port P [--accept-delay S] [--hold S] [--no-read] [--linger0]
#                    [--fork-accept] [--count N] [--name COMM] [--wait-file F]
#                    [--wait-queued N] [--wait-peer-close] [--ack-now] [--reply N]
#   tcpapp.py client --addr A --port P [--sleep S] [--send N] [--linger0] [--connect-only]
#                    [--bind-port B] [--bind-addr A] [--name COMM] [--wait-file F] [--wait-eof]
#                    [--close-file F]
#
# Each process prints JSON lines on stdout (flushed at once) so a test knows which pid and ports to
# expect: {"event":"start","pid":..} first, then what happened ("listening", "accepted",
# "connected", "connect_error", "eof", "closed", "done"). Every blocking call has a timeout and an
# alarm ends the process after --max-time seconds (default 30), so nothing outlives a test.
# Standard library only.

import argparse
import ctypes
import errno
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import termios
import time

IO_TIMEOUT = 10.0
TCP_CLOSE_WAIT = 8	# tcpi_state (include/net/tcp_states.h)


def say(**kv):
    # one write(2) per line: a forked child shares stdout, and print() writes the text and the
    # newline separately, so two processes' lines could interleave
    os.write(1, (json.dumps(kv) + "\n").encode())


def set_comm(name):
    """prctl(PR_SET_NAME): the task's comm, which the tracer reports as the owner's command"""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NAME = 15
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def wait_file(path):
    end = time.monotonic() + 15
    while not os.path.exists(path):
        if time.monotonic() > end:
            say(event="error", what="wait-file timeout", path=path)
            sys.exit(3)
        time.sleep(0.01)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def queued(conn):
    """bytes received and not yet read (SIOCINQ / FIONREAD)"""
    buf = fcntl.ioctl(conn.fileno(), termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


def tcp_state(conn):
    """tcpi_state, the first byte of struct tcp_info"""
    return conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def poll_until(cond, what):
    """wait (<= IO_TIMEOUT) until cond() holds, without touching the data"""
    end = time.monotonic() + IO_TIMEOUT
    while not cond():
        if time.monotonic() > end:
            say(event="error", what=what + " timeout", pid=os.getpid())
            return False
        time.sleep(0.005)
    return True


def read_to_eof(conn):
    """read until EOF ("eof") or an error such as a reset ("recv_error"), with the bytes read"""
    n = 0
    try:
        while True:
            b = conn.recv(65536)
            if not b:
                say(event="eof", pid=os.getpid(), bytes=n)
                return
            n += len(b)
    except OSError as e:
        say(event="recv_error", pid=os.getpid(), errno=errno.errorcode.get(e.errno, str(e)),
            bytes=n)


def handle(conn, peer, args):
    """one accepted connection: read to EOF (unless --no-read), hold, close"""
    conn.settimeout(IO_TIMEOUT)
    lport = conn.getsockname()[1]
    say(event="accepted", pid=os.getpid(), lport=lport, raddr=peer[0], rport=peer[1])
    if args.wait_queued and poll_until(lambda: queued(conn) >= args.wait_queued, "wait-queued"):
        say(event="queued", pid=os.getpid(), bytes=queued(conn))
    if args.wait_peer_close and poll_until(lambda: tcp_state(conn) == TCP_CLOSE_WAIT,
                                           "wait-peer-close"):
        say(event="peer_closed", pid=os.getpid(), queued=queued(conn))
    if not args.no_read:
        read_to_eof(conn)
    if args.hold:
        time.sleep(args.hold)
    if args.reply:
        # data after the peer's FIN: a peer that closed (an orphan) answers it with a reset
        try:
            conn.sendall(b"r" * args.reply)
            say(event="replied", pid=os.getpid(), bytes=args.reply)
            time.sleep(0.3)
        except OSError as e:
            say(event="send_error", pid=os.getpid(), errno=errno.errorcode.get(e.errno, str(e)))
    if args.linger0:
        linger0(conn)
    if args.ack_now:
        # TCP_QUICKACK sends the ACK of the peer's FIN, delayed in CLOSE_WAIT, at once: with the
        # close right after, ACK and FIN reach an orphaned peer separately but microseconds apart
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    conn.close()
    say(event="closed", pid=os.getpid(), lport=lport, rport=peer[1])


def server(args):
    fam = family_of(args.addr)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.addr, args.port))
    ls.listen(16)
    say(event="listening", pid=os.getpid(), addr=args.addr, port=ls.getsockname()[1],
        family=6 if fam == socket.AF_INET6 else 4)
    ls.settimeout(IO_TIMEOUT)
    for _ in range(args.count):
        if args.accept_delay:
            time.sleep(args.accept_delay)
        if args.fork_accept:
            # a prefork worker: the child accepts and serves, the parent waits for it
            pid = os.fork()
            if pid == 0:
                try:
                    conn, peer = ls.accept()
                    handle(conn, peer, args)
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
        else:
            conn, peer = ls.accept()
            handle(conn, peer, args)
    ls.close()
    say(event="done", pid=os.getpid())


def client(args):
    fam = family_of(args.addr)
    s = socket.socket(fam, socket.SOCK_STREAM)
    if args.bind_port or args.bind_addr:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args.bind_addr or ("::" if fam == socket.AF_INET6 else "0.0.0.0"),
                args.bind_port or 0))
    s.settimeout(IO_TIMEOUT)
    try:
        s.connect((args.addr, args.port))
    except OSError as e:
        # the port the attempt had (0 if the kernel has let it go)
        try:
            lport = s.getsockname()[1]
        except OSError:
            lport = 0
        say(event="connect_error", pid=os.getpid(), lport=lport,
            errno=errno.errorcode.get(e.errno, str(e)) if e.errno else "timeout")
        s.close()
        return
    ln = s.getsockname()
    say(event="connected", pid=os.getpid(), laddr=ln[0], lport=ln[1], raddr=args.addr,
        rport=args.port)
    if not args.connect_only:
        if args.sleep:
            time.sleep(args.sleep)
        if args.send:
            s.sendall(b"x" * args.send)
        if args.wait_eof:
            # the peer ends the connection
            read_to_eof(s)
        if args.close_file:
            wait_file(args.close_file)
    if args.linger0:
        linger0(s)
    s.close()
    say(event="closed", pid=os.getpid(), lport=ln[1], rport=args.port)


def run(args, server, client):
    """the common start of a role (also tests/lib/ownerapp.py's): time limit, comm, "start"
    line, --wait-file, then the role itself"""
    signal.signal(signal.SIGALRM, lambda *_: os._exit(124))
    signal.setitimer(signal.ITIMER_REAL, args.max_time)
    if args.name:
        set_comm(args.name)
    say(event="start", role=args.role, pid=os.getpid())
    if args.wait_file:
        wait_file(args.wait_file)
    server(args) if args.role == "server" else client(args)


def main():
    p = argparse.ArgumentParser(description="TCP endpoints for tcpstates-c tests")
    sub = p.add_subparsers(dest="role", required=True)
    for role in ("server", "client"):
        r = sub.add_parser(role)
        r.add_argument("--addr", required=True)
        r.add_argument("--port", type=int, required=True)
        r.add_argument("--linger0", action="store_true", help="close with SO_LINGER 0 (RST)")
        r.add_argument("--name", help="set the process comm first")
        r.add_argument("--wait-file", help="wait (<= 15 s) until this file exists, then start")
        r.add_argument("--max-time", type=float, default=30, help="hard limit on the process")
        if role == "server":
            r.add_argument("--accept-delay", type=float, default=0)
            r.add_argument("--hold", type=float, default=0, help="seconds before closing")
            r.add_argument("--no-read", action="store_true", help="close without reading")
            r.add_argument("--fork-accept", action="store_true", help="accept in a child")
            r.add_argument("--count", type=int, default=1, help="connections to serve")
            r.add_argument("--reply", type=int, default=0,
                           help="bytes to send after the hold, before closing")
            r.add_argument("--wait-queued", type=int, default=0,
                           help="after accept, wait until N bytes are queued (not read)")
            r.add_argument("--wait-peer-close", action="store_true",
                           help="after accept, wait until the peer's FIN came (CLOSE_WAIT)")
            r.add_argument("--ack-now", action="store_true",
                           help="ACK the peer's FIN at once (TCP_QUICKACK) just before closing")
        else:
            r.add_argument("--sleep", type=float, default=0, help="seconds between connect and close")
            r.add_argument("--send", type=int, default=0, help="bytes to send before closing")
            r.add_argument("--connect-only", action="store_true", help="close right after connect")
            r.add_argument("--bind-port", type=int, default=0)
            r.add_argument("--bind-addr")
            r.add_argument("--wait-eof", action="store_true",
                           help="after sending, read until the peer closes or resets")
            r.add_argument("--close-file", help="wait (<= 15 s) until this file exists, then close")
    run(p.parse_args(), server, client)


if __name__ == "__main__":
    main()
