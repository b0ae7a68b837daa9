#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# expect.py - table-driven check of tcpstates-c -j output: which sockets of the test's namespaces
# appear, and the exact transitions of each.
#
#   expect.py --json OUT --netns INO[,INO] [--label L] [--total N] [--no-dur] [--comm C]
#             [--family F] --sock NAME LPORT RPORT PID SEQ [--sock ...]
#
# LPORT/RPORT/PID: a number, or "-" for any; PID may be PID/COMM to check the owner's comm too.
# SEQ: the socket's transitions as a row of tests/lib/tslib.py writes them, separated by commas
# or spaces: "OLD->NEW[=REASON]...", "@listener", "@accepted:CLOSE_WAIT" (tslib.SEQUENCES).
# --total: exactly N sockets of those namespaces are in the output (so a filter kept nothing else).

import argparse

import tslib


def num(v):
    return None if v == "-" else int(v)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--netns", required=True)
    p.add_argument("--label", default="")
    p.add_argument("--total", type=int)
    p.add_argument("--no-dur", action="store_true")
    p.add_argument("--comm")
    p.add_argument("--family", type=int)
    p.add_argument("--sock", nargs=5, action="append", default=[],
                   metavar=("NAME", "LPORT", "RPORT", "PID", "SEQ"))
    a = p.parse_args()
    R = tslib.Results()
    L = (a.label + ": ") if a.label else ""
    recs, bad = tslib.load(a.json)
    R.check(not bad, L + "every output line is a JSON object", "bad lines: %r" % bad[:5])
    socks = tslib.sockets(tslib.transitions(recs, netns={int(x) for x in a.netns.split(",")}))
    if a.total is not None:
        R.check(len(socks) == a.total, L + "exactly %d socket(s) of the test in the output" % a.total,
                "got %d:" % len(socks), tslib.describe(socks))
    for name, lport, rport, pid, want in a.sock:
        pid, _, comm = pid.partition("/")
        tslib.expect_socket(R, socks, L + name, num(lport), num(rport),
                            want.replace(",", " ").split(),
                            pid=num(pid), comm=comm or a.comm, family=a.family,
                            check_dur=not a.no_dur)
    if R.failed:
        # for triage: did the tracer itself report loss?
        lost = [r for r in recs if r.get("type") == "lost"]
        summ = [r for r in recs if r.get("type") == "summary"]
        print("# %s%d lost record(s); summary: %s" % (L, len(lost), summ[-1] if summ else None))
    R.done()


if __name__ == "__main__":
    main()
