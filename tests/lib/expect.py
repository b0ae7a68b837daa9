#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# expect.py - table-driven check of tcpstates-c -j output: which sockets of the test's namespaces
# appear, and the exact transitions of each (and, with roles, who owned each transition).
#
#   expect.py --json OUT --netns INO[,INO] [--label L] [--total N] [--no-dur] [--comm C]
#             [--family F] [--role NAME=PID/COMM]... [--owners]
#             --sock NAME LPORT RPORT PID SEQ [--sock ...]
#
# LPORT/RPORT/PID: a number, or "-" for any; PID may be PID/COMM to check the owner's comm too.
# SEQ: the socket's transitions in the grammar of tests/lib/tslib.py, separated by commas or
# spaces: "OLD->NEW[@WHO[/OWNER]][=REASON]...", "@listener", "@accepted:CLOSE_WAIT",
# "@client-no-tw@cli" (tslib.SEQUENCES); --role binds a WHO to a pid and a comm.
# --total: exactly N sockets of those namespaces are in the output (so a filter kept nothing else).
# --owners: besides, on every record whose owner is known, pid, comm and cgroup are not null (and
# null when it is unknown); "gap" false on every transition of each --sock.

import argparse

import tslib


def num(v):
    return None if v == "-" else int(v)


def role(text):
    name, _, who = text.partition("=")
    pid, _, comm = who.partition("/")
    return name, (int(pid), comm)


def owners_agree(R, L, trs):
    """owner, pid, comm and cgroup agree on every record"""
    incons = [(r.get("oldstate"), r.get("newstate"), r.get("owner"), r.get("pid"), r.get("comm"),
               r.get("cgroup")) for r in trs
              if (r.get("owner") in ("process", "listener")
                  and not (isinstance(r.get("pid"), int) and r.get("comm") is not None
                           and isinstance(r.get("cgroup"), int)))
              or (r.get("owner") == "unknown"
                  and not (r.get("pid") is None and r.get("comm") is None))
              or r.get("owner") not in ("process", "listener", "unknown")]
    R.check(not incons, L + "owner, pid, comm and cgroup agree on every record",
            "inconsistent: %r" % incons[:10])


def dump(L, trs):
    print("# %ssockets of the test:" % L)
    for r in trs:
        print("#   sock=%s %s:%s->%s:%s %s->%s pid=%s comm=%s owner=%s cgroup=%s" % (
            r.get("sock"), r.get("laddr"), r.get("lport"), r.get("raddr"), r.get("rport"),
            r.get("oldstate"), r.get("newstate"), r.get("pid"), r.get("comm"),
            r.get("owner"), r.get("cgroup")))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--netns", required=True)
    p.add_argument("--no-dur", action="store_true")
    p.add_argument("--comm")
    p.add_argument("--family", type=int)
    p.add_argument("--role", type=role, action="append", default=[])
    p.add_argument("--owners", action="store_true")
    p.add_argument("--sock", nargs=5, action="append", default=[],
                   metavar=("NAME", "LPORT", "RPORT", "PID", "SEQ"))
    a, R, L, recs = tslib.output_args(p)
    trs = tslib.transitions(recs, netns={int(x) for x in a.netns.split(",")})
    socks = tslib.sockets(trs)
    if a.total is not None:
        R.check(len(socks) == a.total, L + "exactly %d socket(s) of the test in the output" % a.total,
                "got %d:" % len(socks), tslib.describe(socks))
    if a.owners:
        owners_agree(R, L, trs)
    for name, lport, rport, pid, want in a.sock:
        pid, _, comm = pid.partition("/")
        want = tslib.tokens(want)
        lst = tslib.expect_socket(R, socks, L + name, num(lport), num(rport), want,
                                  pid=num(pid), comm=comm or a.comm, family=a.family,
                                  check_dur=not a.no_dur, roles=dict(a.role))
        if a.owners and lst and tslib.seq(lst) == [w.name() for w in tslib.expand(want)]:
            gaps = [tr for r, tr in zip(lst, tslib.seq(lst)) if r.get("gap") is not False]
            R.check(not gaps, L + "%s: gap false on every transition" % name, "gap on: %r" % gaps)
    tslib.triage(R, recs, L)
    if R.failed and a.owners:
        dump(L, trs)
    R.done()


if __name__ == "__main__":
    main()
