#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# twrst.py - kill a TIME_WAIT socket with a reset from its peer, as a late segment on the wire would.
#
#   twrst.py --local A --lport P --peer B --pport Q --ready-file F [--delay S] [--max-time S]
#
# Run in the network namespace of the TIME_WAIT socket A:P (IPv4). It watches the namespace's
# packets (AF_PACKET) for the peer's FIN (B:Q -> A:P), waits --delay seconds (the FIN has then
# made A:P a TIME_WAIT), and sends it an RST from B:Q whose sequence number is the one the
# TIME_WAIT expects next (the FIN's + 1): the kernel kills an in-window reset's TIME_WAIT
# (net.ipv4.tcp_rfc1337=0, the default). Addressed to a local address, the raw packet is
# delivered through loopback. Prints JSON lines: "ready" once watching, then "fin_seen", "rst_sent".
# Standard library only; exits 1 if no FIN came within --max-time.

import argparse
import json
import os
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
TH_FIN, TH_RST = 0x01, 0x04


def say(**kv):
    os.write(1, (json.dumps(kv) + "\n").encode())


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def rst_packet(src, sport, dst, dport, seq):
    """IPv4 header + a 20-byte TCP header with only RST set (no ACK, no options: no PAWS)"""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, TH_RST, 0, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, socket.IPPROTO_TCP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def fin_seq(pkt, peer, pport, local, lport):
    """the FIN's sequence number + its payload, if pkt is the peer's FIN to us; else None"""
    if len(pkt) < 40 or pkt[0] >> 4 != 4 or pkt[9] != socket.IPPROTO_TCP:
        return None
    ihl = (pkt[0] & 0xf) * 4
    if pkt[12:16] != socket.inet_aton(peer) or pkt[16:20] != socket.inet_aton(local):
        return None
    sport, dport, seq = struct.unpack("!HHI", pkt[ihl:ihl + 8])
    doff = (pkt[ihl + 12] >> 4) * 4
    flags = pkt[ihl + 13]
    if (sport, dport) != (pport, lport) or not flags & TH_FIN:
        return None
    total = struct.unpack("!H", pkt[2:4])[0]
    return (seq + total - ihl - doff) & 0xffffffff


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--local", required=True)
    p.add_argument("--lport", type=int, required=True)
    p.add_argument("--peer", required=True)
    p.add_argument("--pport", type=int, required=True)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--delay", type=float, default=0.3)
    p.add_argument("--max-time", type=float, default=20)
    a = p.parse_args()

    cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    cap.settimeout(0.2)
    say(event="ready", pid=os.getpid())
    open(a.ready_file, "w").close()
    end = time.monotonic() + a.max_time
    nxt = None
    while nxt is None:
        if time.monotonic() > end:
            say(event="error", what="no FIN seen")
            sys.exit(1)
        try:
            pkt = cap.recv(65535)
        except socket.timeout:
            continue
        nxt = fin_seq(pkt, a.peer, a.pport, a.local, a.lport)
    cap.close()
    # the FIN itself occupies one sequence number
    nxt = (nxt + 1) & 0xffffffff
    say(event="fin_seen", next_seq=nxt)
    time.sleep(a.delay)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.sendto(rst_packet(a.peer, a.pport, a.local, a.lport, nxt), (a.local, 0))
    raw.close()
    say(event="rst_sent", seq=nxt)


if __name__ == "__main__":
    main()
