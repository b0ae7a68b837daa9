#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_timewait_ends.py - tests/integration/t_timewait_ends.sh's verdict: the table of what each
# scenario's sockets show (rows as tests/lib/tslib.py reads them), then the times no row can say:
# a FIN_WAIT2 -> TIME_WAIT found after the fact is dated to the server's close, within its
# precision_ns.
#
#   check_timewait_ends.py --json OUT.jsonl --late LATE.jsonl --netns INO,INO NAME=VALUE...
#
# NAME=VALUE: the ports the table's $NAME stand for (f_c1..f_c3 the clients of (f)).

import argparse

import tslib

TABLE = """
# (f) silent re-arms: the orphan's FIN_WAIT2 -> TIME_WAIT, and no end yet (60 s later)
f-client-1  $f_c1 $f_s  comm=python3 @client
f-client-2  $f_c2 $f_s  comm=python3 @client
f-client-3  $f_c3 $f_s  comm=python3 @client
f-server-1  $f_s  $f_c1 @accepted
f-server-2  $f_s  $f_c2 @accepted
f-server-3  $f_s  $f_c3 @accepted

# (g) the orphan answers the server's data with a reset: no TIME_WAIT
g-client    $g_c  $g_s  comm=python3 @client-fin-wait2
                        FIN_WAIT2->CLOSE=reset_sent~0.3-3{reset_reason=tcp_timewait_socket}
g-server    $g_s  $g_c  @accept ESTABLISHED->CLOSE_WAIT CLOSE_WAIT->CLOSE=reset_received

# (h) an in-window reset kills the TIME_WAIT 0.3 s after the server's FIN
h-client    $h_c  $h_s  comm=python3 @client
                        TIME_WAIT->CLOSE=reset_received~0.2-2{precision_ns=0}
"""

# (i) the second tracer, started while the orphan waits: the snapshot lists it, then its
# FIN_WAIT2 -> TIME_WAIT, its duration unknown (older than the tracer)
LATE_TABLE = """
i-client    $i_c  $i_s  FIN_WAIT2->TIME_WAIT{dur_ns=null}
"""

JIFFY_NS = 10000000	# precision_ns is at most one jiffy (HZ 100)
SLACK_NS = 2000000	# and the date within it, give or take 2 ms


def rec(lst, old, new):
    r = [x for x in lst or [] if x["oldstate"] == old and x["newstate"] == new]
    return r[0] if r else None


def dated(R, what, tw, close):
    """tw (a FIN_WAIT2 -> TIME_WAIT) dated to close (the server's CLOSE_WAIT -> LAST_ACK)"""
    prec = tw.get("precision_ns")
    R.check(isinstance(prec, int) and prec <= JIFFY_NS, what + ": precision_ns <= 10 ms (%r)" % prec)
    d = tw["ts_ns"] - close["ts_ns"]
    R.check(abs(d) <= (prec or 0) + SLACK_NS,
            what + ": dated %.3f ms from the server's close (within precision_ns + 2 ms)" % (d / 1e6))
    return prec


def check_main(R, path, inos, values):
    recs = tslib.load_checked(R, path)
    socks = tslib.sockets(tslib.transitions(recs, netns=inos))
    got = tslib.check_table(R, socks, TABLE, values)
    late = 0
    for i in (1, 2, 3):
        what = "(f) client %d" % i
        cli, srv = got["f-client-%d" % i], got["f-server-%d" % i]
        tw, la = rec(cli, "FIN_WAIT2", "TIME_WAIT"), rec(srv, "CLOSE_WAIT", "LAST_ACK")
        if not R.check(tw and la, what + ": FIN_WAIT2 -> TIME_WAIT and the server's CLOSE_WAIT -> "
                       "LAST_ACK seen"):
            continue
        late += dated(R, what, tw, la) != 0
        f2 = rec(cli, "FIN_WAIT1", "FIN_WAIT2")
        if R.check(f2, what + ": FIN_WAIT1 -> FIN_WAIT2 seen"):
            R.eq(tw.get("dur_ns"), tw["ts_ns"] - f2["ts_ns"], what + ": dur_ns is the time since FIN_WAIT2")
    print("# (f) %d of 3 found after the fact (same-bucket re-arm), %d seen at the re-arm"
          % (late, 3 - late))
    R.check(late >= 1, "(f) at least one silent re-arm, found by the periodic look (%d of 3)" % late)


def check_late(R, path, inos, values):
    recs = tslib.load_checked(R, path, "(i) ")
    i_c, i_s = int(values["i_c"]), int(values["i_s"])
    snap = [r for r in recs if r.get("type") == "snapshot" and r.get("netns") in inos
            and r.get("lport") == i_c and r.get("rport") == i_s]
    R.check(len(snap) == 1 and snap[0].get("newstate") == "FIN_WAIT2",
            "(i) the snapshot lists the orphan: -> FIN_WAIT2", snap)
    socks = tslib.sockets(tslib.transitions(recs, netns=inos))
    cli = tslib.check_table(R, socks, LATE_TABLE, values)["i-client"]
    # the server's side began before the tracer too: only its close is sure to be there
    srv = [r for k in tslib.find(socks, i_s, i_c) for r in socks[k]
           if r["oldstate"] == "CLOSE_WAIT" and r["newstate"] == "LAST_ACK"]
    if R.check(cli and srv, "(i) the orphan's FIN_WAIT2 -> TIME_WAIT and the server's "
               "CLOSE_WAIT -> LAST_ACK seen", tslib.describe(socks)):
        # precision 0 when the re-arm landed in another wheel bucket and timer_start showed it
        dated(R, "(i)", cli[0], srv[0])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--late", required=True)
    a, values, inos, R = tslib.table_args(p)
    check_main(R, a.json, inos, values)
    check_late(R, a.late, inos, values)
    R.done()


if __name__ == "__main__":
    main()
