#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_keep.py - what a filtered tcpstates-c -j run kept: the WHOLE output (no selection by
# namespace or port: a filter must have dropped everything else, whatever else the machine did).
#
#   check_keep.py --json OUT [--label L] [--total N] [--all KEY=VALUE]...
#                 [--sock NAME LPORT RPORT SEQ KEYS]...
#
# --total N: exactly N sockets (socket cookies) in the output.
# --all KEY=VALUE: every transition record has KEY equal to VALUE (a number compares as a number).
# --sock: exactly one socket with a record (LPORT, RPORT) ("-": any); its transitions are SEQ
#   (in the grammar of tests/lib/tslib.py: "OLD->NEW,...", "@NAME" for tslib.SEQUENCES[NAME];
#   their order only, not their other checks), and KEYS
#   ("pid=1,cgroup=2,owner=process", or "-") hold on every record.
# Always: every line is a JSON object, the last one is the summary, no "lost" record but for
# unseen sockets (counted machine-wide: another program's traffic can make them).

import argparse

import tslib

# the loss causes that may be this test's records (unseen: see main())
LOSS_OURS = ("rb_full", "recursion_misses", "not_written", "filter_dropped", "map_full")


def value(v):
    try:
        return int(v)
    except ValueError:
        return v


def kv_list(text):
    if text in ("", "-"):
        return []
    out = []
    for item in text.split(","):
        k, _, v = item.partition("=")
        out.append((k, value(v)))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--all", action="append", default=[])
    p.add_argument("--sock", nargs=5, action="append", default=[],
                   metavar=("NAME", "LPORT", "RPORT", "SEQ", "KEYS"))
    a, R, L, recs = tslib.output_args(p)
    R.check(recs and recs[-1].get("type") == "summary", L + "a summary record comes last",
            "last: %r" % (recs[-1] if recs else None))
    # "unseen" counts sockets of the whole machine (the destroy witness cannot tell whose):
    # other traffic can make it, and this test's own sockets are checked one by one below
    lost = [r for r in recs if r.get("type") == "lost"]
    ours = [r for r in lost if any(r.get(k) for k in LOSS_OURS)]
    R.check(not ours, L + "no lost record (but unseen sockets of other traffic)",
            "lost: %r" % ours[:3])
    if lost and not ours:
        print("# %sunseen sockets on the machine (other traffic): %r"
              % (L, lost[-1].get("total_unseen")))
    trs = tslib.transitions(recs)
    socks = tslib.sockets(trs)
    if a.total is not None:
        R.check(len(socks) == a.total, L + "exactly %d socket(s) in the output" % a.total,
                "got %d:" % len(socks), tslib.describe(socks))
    for k, v in kv_list(",".join(a.all)):
        wrong = [(r.get("sock"), r.get("oldstate"), r.get("newstate"), r.get(k)) for r in trs
                 if r.get(k) != v]
        R.check(not wrong, L + "%s is %s on every transition" % (k, v),
                "%d wrong, e.g. %r" % (len(wrong), wrong[:5]))
    for name, lport, rport, want, keys in a.sock:
        lp = None if lport == "-" else int(lport)
        rp = None if rport == "-" else int(rport)
        found = tslib.find(socks, lp, rp)
        if not R.check(len(found) == 1, L + "%s: exactly one socket %s->%s" % (name, lport, rport),
                       "found %d; sockets seen:" % len(found), tslib.describe(socks)):
            continue
        lst = socks[found[0]]
        want = [w.name() for w in tslib.expand(tslib.tokens(want))]
        R.eq(tslib.seq(lst), want, L + "%s: transitions" % name)
        kv = kv_list(keys)
        if kv:
            wrong = ["%s->%s: %s is %r, want %r" % (r.get("oldstate"), r.get("newstate"), k,
                                                   r.get(k), v)
                     for r in lst for k, v in kv if r.get(k) != v]
            R.check(not wrong, L + "%s: %s on every transition" % (
                name, " ".join("%s=%s" % kv1 for kv1 in kv)), *wrong)
    tslib.triage(R, recs, L)
    R.done()


if __name__ == "__main__":
    main()
