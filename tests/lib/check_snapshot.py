#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_snapshot.py - the outputs of tests/integration/t_snapshot.sh: snapshot records of the
# sockets made before the tracer (owners, states, ports), the owners of their later transitions,
# --no-snapshot, filters, and the text line of a snapshot record.

import argparse
import re

import tslib


def snaps(recs, netns):
    return [r for r in recs if r.get("type") == "snapshot" and r.get("netns") in netns]


def one(R, lst, what, **want):
    m = [r for r in lst if all(r.get(k) == v for k, v in want.items())]
    R.check(len(m) == 1, "%s: exactly one snapshot record" % what,
            "want %r; snapshot records: %r" % (want, lst))
    return m[0] if m else None


def check_all(R, a):
    """the tracers "srv" (--netns of the server) and "cli" (of the client) together"""
    recs = []
    for label in ("srv", "cli"):
        r, bad = tslib.load("%s/%s.out" % (a.dir, label))
        R.check(not bad, "%s: every line is JSON" % label, bad[:3])
        first_tr = min([i for i, x in enumerate(r) if x.get("type") == "transition"] or [len(r)])
        last_sn = max([i for i, x in enumerate(r) if x.get("type") == "snapshot"] or [-1])
        R.check(last_sn < first_tr, "%s: snapshot records come before the first transition" % label)
        recs += r
    ns = {a.netns_s, a.netns_c}
    ss = snaps(recs, ns)
    srv = dict(pid=a.srv, comm="tsc-snap-srv", owner="snapshot")
    cli = dict(pid=a.cli, comm="tsc-snap-cli", owner="snapshot")
    lis = one(R, ss, "listener", netns=a.netns_s, lport=a.srv_port, rport=0, newstate="LISTEN", **srv)
    acc = one(R, ss, "accepted socket", netns=a.netns_s, lport=a.srv_port, rport=a.cli_port,
              newstate="ESTABLISHED", **srv)
    cs = one(R, ss, "client socket", netns=a.netns_c, lport=a.cli_port, rport=a.srv_port,
             newstate="ESTABLISHED", **cli)
    one(R, ss, "TIME_WAIT socket", netns=a.netns_c, lport=a.tw_port, rport=a.tw_srv_port,
        newstate="TIME_WAIT", pid=None, owner="unknown")
    R.check(all(r.get("oldstate") is None and r.get("dur_ns") is None for r in ss),
            "all: oldstate and dur_ns null in snapshot records")
    if lis:
        R.check(lis.get("tx_queue", 0) > 0, "listener: Send-Q is its backlog", lis)
    socks = tslib.sockets(tslib.transitions(recs, netns=ns))
    for what, s, pid, want in (
            ("client", cs, a.cli, tslib.names("active-close")),
            ("accepted", acc, a.srv, tslib.names("passive-close")),
            ("listener", lis, a.srv, ["LISTEN->CLOSE"])):
        if not s:
            continue
        lst = socks.get(("sock", s.get("sock")), [])
        R.eq(tslib.seq(lst), want, "%s: transitions after the snapshot (same socket id)" % what,
             tslib.describe(socks))
        bad = [(r["oldstate"], r["newstate"], r.get("pid")) for r in lst if r.get("pid") != pid]
        R.check(lst and not bad, "%s: owner pid %d on every transition" % (what, pid),
                "wrong: %r" % bad)
        if what == "accepted" and lst:
            R.eq(lst[0].get("owner"), "snapshot",
                 "accepted: ESTABLISHED -> CLOSE_WAIT (softirq) has the owner the snapshot found")
        if lst:
            R.check(lst[0].get("dur_ns") is None and not lst[0].get("gap"),
                    "%s: first transition: dur_ns unknown, no gap" % what, lst[0])


def check_others(R, a):
    recs, _ = tslib.load("%s/off.out" % a.dir)
    R.eq([r for r in recs if r.get("type") == "snapshot"], [], "--no-snapshot: no snapshot record")
    R.check(any(r.get("type") == "transition" and r.get("netns") == a.netns_c for r in recs),
            "--no-snapshot: transitions still traced")
    recs, _ = tslib.load("%s/filtered.out" % a.dir)
    ss = [r for r in recs if r.get("type") == "snapshot"]
    R.check(len(ss) == 1 and ss[0].get("lport") == a.cli_port and ss[0].get("pid") == a.cli,
            "--netns NS -L PORT: only the client socket in the snapshot", ss)
    with open("%s/text.out" % a.dir) as f:
        lines = f.read().splitlines()
    rx = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{6}\s+%d\s+tsc-snap-cli\s+\S+\s+%d\s+\S+\s+%d\s+"
                    r"-> ESTABLISHED\s+-$" % (a.cli, a.cli_port, a.srv_port))
    m = [l for l in lines if rx.search(l)]
    R.check(len(m) == 1, "text: snapshot line '-> ESTABLISHED' with MS '-'", *lines[:10])
    if m and lines:
        R.eq(m[0].find("->"), lines[0].find("->"), "text: the arrow lines up under the header")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    for k in ("srv", "cli", "srv-port", "cli-port", "tw-port", "tw-srv-port", "netns-s", "netns-c"):
        p.add_argument("--" + k, type=int, required=True)
    a = p.parse_args()
    R = tslib.Results()
    check_all(R, a)
    check_others(R, a)
    R.done()


if __name__ == "__main__":
    main()
