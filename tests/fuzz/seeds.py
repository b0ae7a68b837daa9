#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# seeds.py - (re)write the seed corpus tests/fuzz/corpus/<target>/ in each target's input format.
# The files are committed; run this only to change the seeds. Inputs the fuzzer finds later stay
# in the run's temporary corpus, never here.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def seed(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# fuzz_cli: the arguments after argv[0], NUL-separated
CLI = {
    "empty": [], "json": ["-j"], "help": ["-h"], "version": ["--version"],
    "ports": ["-L", "80,443", "-D", "22", "--port", "8080"], "pid": ["-p", "1234", "-c", "nginx"],
    "states": ["--state", "ESTABLISHED,fin-wait-1", "--state=CLOSE_WAIT"],
    "stop": ["-n", "20", "-d", "0.5"], "hook": ["--hook", "tracepoint", "--ringbuf-mb", "64"],
    "netns": ["--netns", "4026531840"], "netns_path": ["--netns", "/proc/self/ns/net"],
    "cgroup_bad": ["--cgroup", "/nonexistent"], "tw": ["--no-timewait", "--timewait-period", "0.1"],
    "flags": ["-4", "-T", "-w", "-x", "--queues", "--timers", "--no-snapshot", "-v"],
    "bad_both": ["-4", "-6"], "bad_port": ["--port", "70000"], "missing": ["-L"],
    "ambiguous": ["--no"], "unknown": ["--bogus=1"], "positional": ["foo"], "cluster": ["-jwTx"],
    "flag_arg": ["--json=1"], "long_eq": ["--lport=1,2,3"], "ctrl": ["-c", "a\nb"],
}
for n, args in CLI.items():
    seed("cli", n, b"\0".join(a.encode() for a in args))

# fuzz_json: an 8-byte number, a byte choosing how many strings, the strings' bytes
JSON = {
    "ascii": (42, 0, b"curl"), "neg": (-1, 1, b'ab"cd\\ef'),
    "controls": (0, 2, b"\x00\x01\t\n\x1b[31m\x7f"),
    "utf8": ((1 << 63) - 1, 3, "é€😀\u202e\u009b".encode()),
    "bad_utf8": (7, 1, b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xff\xfe"),
    "truncated": (-(1 << 63), 0, b"abc\xe2\x82"), "empty": (0, 3, b""),
}
for n, (v, k, s) in JSON.items():
    seed("json", n, struct.pack("<q", v) + bytes([k]) + s)


# fuzz_text: an option byte, the 8-byte clock offset, the event record (include/tcpstates.h)
def event(ts=1234567890123, cookie=12345, skaddr=0xffff8881023c4000, dur=1234567, cgroup=7777,
          rx=0, tx=0, prec=0, saddr=bytes([10, 0, 0, 1]) + bytes(12),
          daddr=bytes([93, 184, 216, 34]) + bytes(12), pid=4242, netns=4026531840, rq=0, tq=0,
          sport=45678, dport=443, family=2, rst=0, old=2, new=1, flags=7, hook=0, reason=0,
          flags2=0, comm=b"curl"):
    rec = struct.pack("<8Q16s16s4I4H6B2x16s", ts, cookie, skaddr, dur, cgroup, rx, tx, prec,
                      saddr, daddr, pid, netns, rq, tq, sport, dport, family, rst, old, new,
                      flags, hook, reason, flags2, comm)
    assert len(rec) == 144
    return rec


OFFSET = struct.pack("<q", 1795317632555566666)
V6 = bytes([0x20, 1, 0xd, 0xb8]) + bytes(11) + b"\x01"
MAPPED = bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1])
TEXT = {
    "v4_text": (0, event()), "v4_json": (1, event()),
    "v6_wide_date": (2 | 4, event(family=10, saddr=V6, daddr=V6, comm=b"sshd")),
    "mapped_all_columns": (1 | 2 | 4 | 8 | 16, event(family=10, saddr=MAPPED, daddr=MAPPED)),
    "snapshot": (16, event(flags2=1 | 2, old=0, new=10, rq=3, tq=128)),
    "close_reset": (8, event(old=1, new=7, reason=3, flags=7 | 0x40 | 0x80, rst=2, rx=100, tx=200)),
    "unknown_owner": (0, event(flags=0, family=0, old=99, new=200, reason=250)),
    "comm_escape_json": (1, event(comm=b"a b\x1b[2J\xc3\xa9\xff")),
    "comm_escape_text": (0, event(comm=b"a b\x1b[2J\xc3\xa9\xff")),
    "approx": (0, event(old=4, new=6, prec=4000000, flags=7 | 0x10, flags2=4 | 8)),
}
for n, (opt, rec) in TEXT.items():
    seed("text", n, bytes([opt]) + OFFSET + rec)

# fuzz_addr: a family selector byte (0 AF_INET, 1 AF_INET6, 2 AF_UNSPEC, 3 AF_UNIX, >= 0xf0 that
# raw value), the buffer length, the 16 address bytes
ADDR = {
    "v4": (0, 47, bytes([192, 168, 1, 254])), "v4_short": (0, 8, bytes([255, 255, 255, 255])),
    "v6": (1, 47, V6), "v6_longest": (1, 47, bytes(range(0x11, 0x21))), "mapped": (1, 47, MAPPED),
    "v6_zero": (1, 3, bytes(16)), "unspec": (2, 1, bytes(16)), "raw_family": (0xf7, 0, bytes(16)),
}
for n, (f, length, a) in ADDR.items():
    seed("addr", n, bytes([f, length]) + a)
