#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_owner.py - the owner named on every transition of each socket, as tcpstates-c -j recorded
# it: exact transitions, and per transition the pid, comm and owner kind.
#
#   check_owner.py --json OUT --netns INO[,INO] [--label L] [--total N]
#                  --sock NAME LPORT RPORT SPEC [--sock ...]
#
# LPORT/RPORT: a number or "-" (any). SPEC: comma-separated "OLD->NEW=PID/COMM/OWNER", each of
# PID, COMM, OWNER may be "-" (not checked); OWNER is process|listener|unknown. Besides, on every
# record whose owner is known, pid, comm and cgroup are not null (and null when it is unknown).

import argparse

import tslib


def num(v):
    return None if v == "-" else int(v)


def parse_spec(spec):
    out = []
    for item in spec.split(","):
        tr, _, who = item.partition("=")
        pid, comm, owner = (who.split("/") + ["-", "-", "-"])[:3]
        out.append((tr, num(pid), None if comm == "-" else comm, None if owner == "-" else owner))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--netns", required=True)
    p.add_argument("--label", default="")
    p.add_argument("--total", type=int)
    p.add_argument("--sock", nargs=4, action="append", default=[],
                   metavar=("NAME", "LPORT", "RPORT", "SPEC"))
    a = p.parse_args()
    R = tslib.Results()
    L = (a.label + ": ") if a.label else ""
    recs, bad = tslib.load(a.json)
    R.check(not bad, L + "every output line is a JSON object", "bad lines: %r" % bad[:5])
    trs = tslib.transitions(recs, netns={int(x) for x in a.netns.split(",")})
    socks = tslib.sockets(trs)
    if a.total is not None:
        R.check(len(socks) == a.total, L + "exactly %d socket(s) of the test in the output" % a.total,
                "got %d:" % len(socks), tslib.describe(socks))
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
    for name, lport, rport, spec in a.sock:
        want = parse_spec(spec)
        keys = tslib.find(socks, num(lport), num(rport))
        if not R.check(len(keys) == 1, L + "%s: exactly one socket %s->%s" % (name, lport, rport),
                       "found %d; sockets seen:" % len(keys), tslib.describe(socks)):
            continue
        lst = socks[keys[0]]
        if not R.eq(tslib.seq(lst), [w[0] for w in want], L + "%s: transitions" % name):
            continue
        wrong = []
        for r, (tr, pid, comm, owner) in zip(lst, want):
            got = (r.get("pid"), r.get("comm"), r.get("owner"))
            exp = (pid if pid is not None else got[0], comm if comm is not None else got[1],
                   owner if owner is not None else got[2])
            if got != exp:
                wrong.append("%s: want %s/%s/%s got %s/%s/%s" % ((tr,) + exp + got))
        R.check(not wrong, L + "%s: pid/comm/owner on every transition" % name, *wrong)
        gaps = [tr for r, tr in zip(lst, tslib.seq(lst)) if r.get("gap") is not False]
        R.check(not gaps, L + "%s: gap false on every transition" % name, "gap on: %r" % gaps)
    if R.failed:
        lost = [r for r in recs if r.get("type") == "lost"]
        summ = [r for r in recs if r.get("type") == "summary"]
        print("# %s%d lost record(s); summary: %s" % (L, len(lost), summ[-1] if summ else None))
        print("# %ssockets of the test:" % L)
        for r in trs:
            print("#   sock=%s %s:%s->%s:%s %s->%s pid=%s comm=%s owner=%s cgroup=%s" % (
                r.get("sock"), r.get("laddr"), r.get("lport"), r.get("raddr"), r.get("rport"),
                r.get("oldstate"), r.get("newstate"), r.get("pid"), r.get("comm"),
                r.get("owner"), r.get("cgroup")))
    R.done()


if __name__ == "__main__":
    main()
