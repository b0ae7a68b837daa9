#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_reasons.py - tests/integration/t_reasons.sh's verdict: why each socket went to CLOSE, what
# was queued and how many bytes went through, in the JSON output (the table below, rows as
# tests/lib/tslib.py reads them) and in the text output (REASON and --queues columns).
#
#   check_reasons.py --json OUT.jsonl --text OUT.txt --netns INO,INO NAME=VALUE...
#
# NAME=VALUE: the values the table's $NAME stand for (ports of each scenario, addresses).

import argparse
import re

import tslib

# the sockets of t_reasons' scenarios: $X_s is scenario X's server port, $X_c its client's port,
# $X_spid and $X_cpid their pids
TABLE = """
# refused (closed port 9) and timeout (SYNs dropped; one retransmission: 1 s + 2 s)
refused-client     -      9      raddr=$saddr  @refused
timeout-client     -      80     raddr=$drop   CLOSE->SYN_SENT SYN_SENT->CLOSE=timeout~2.5-4.5

# SO_LINGER 0: the client aborts; the server, in recv(), gets the reset
linger-client    $lg_c $lg_s pid=$lg_cpid @connect ESTABLISHED->CLOSE=reset_sent
linger-accepted  $lg_s $lg_c pid=$lg_spid @accept ESTABLISHED->CLOSE=reset_received
linger-listener  $lg_s 0     pid=$lg_spid @listener

# close with 10000 bytes unread: a reset instead of a FIN
unread-accepted  $ur_s $ur_c pid=$ur_spid @accept ESTABLISHED->CLOSE=reset_sent{rx_queue=10000}
unread-client    $ur_c $ur_s pid=$ur_cpid @connect ESTABLISHED->CLOSE=reset_received
unread-listener  $ur_s 0     pid=$ur_spid @listener

# orderly on both sides, 5000 bytes from the client (the byte totals come with the last record)
orderly-client   $or_c $or_s pid=$or_cpid @client FIN_WAIT2->TIME_WAIT{tx_bytes>=5000}
orderly-accepted $or_s $or_c pid=$or_spid @accepted LAST_ACK->CLOSE{rx_bytes>=5000}
orderly-listener $or_s 0     pid=$or_spid @listener

# CLOSE_WAIT with 10000 bytes never read: queued at the peer's FIN, a reset at the close
close-wait-accepted $cw_s $cw_c pid=$cw_spid @accept ESTABLISHED->CLOSE_WAIT{rx_queue>=10000}
                                             CLOSE_WAIT->CLOSE=reset_sent
close-wait-listener $cw_s 0     pid=$cw_spid @listener
"""

# the text output (--queues): the lines of the two clients that never connected
TEXT_TABLE = [
    # what, remote address, remote port, REASON
    ("refused client", "saddr", 9, "refused"),
    ("timeout client", "drop", 80, "timeout"),
]


def check_rules(R, trs):
    """what holds on every transition of the test's namespaces"""
    def bad(pred):
        return [(r.get("sock"), r["oldstate"], r["newstate"], r.get("reason"), r.get("rx_bytes"),
                 r.get("tx_bytes")) for r in trs if pred(r)][:10]

    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    R.check(trs, "transitions of the test's namespaces in the output (%d)" % len(trs))
    b = bad(lambda r: r.get("newstate") != "CLOSE" and r.get("reason") is not None)
    R.check(not b, "reason is null on every transition not into CLOSE", "wrong: %r" % b)
    b = bad(lambda r: r.get("newstate") == "CLOSE" and r.get("reason") is None)
    R.check(not b, "reason is set on every transition into CLOSE", "wrong: %r" % b)
    b = bad(lambda r: r.get("newstate") not in ("CLOSE", "TIME_WAIT")
            and (r.get("rx_bytes") is not None or r.get("tx_bytes") is not None))
    R.check(not b, "rx_bytes/tx_bytes null on every transition not into CLOSE or TIME_WAIT",
            "wrong: %r" % b)
    b = bad(lambda r: r.get("newstate") == "CLOSE"
            and not (is_int(r.get("rx_bytes")) and is_int(r.get("tx_bytes"))))
    R.check(not b, "rx_bytes/tx_bytes integers on every transition into CLOSE", "wrong: %r" % b)


def check_text(R, path, values):
    with open(path) as f:
        ls = f.read().splitlines()
    h = ls[0] if ls else ""
    R.check(h.rstrip().endswith("MS       REASON"), "text: header ends with 'MS       REASON'",
            "header: %r" % h)
    R.check("RECV-Q SEND-Q" in h, "text --queues: header has RECV-Q SEND-Q", "header: %r" % h)
    for what, addr, port, reason in TEXT_TABLE:
        rx = re.compile(r"\s%s\s+%d\s+SYN_SENT    -> CLOSE\s" % (re.escape(values[addr]), port))
        m = [line for line in ls[1:] if rx.search(line + " ")]
        if R.check(len(m) == 1, "text: one %s line 'SYN_SENT    -> CLOSE'" % what,
                   "got %d; lines:" % len(m), *ls[:30]):
            R.check(m[0].rstrip().endswith(" " + reason), "text: %s line ends with %s" % (what, reason),
                    repr(m[0]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--text", required=True)
    a, values, inos, R = tslib.table_args(p)
    recs = tslib.load_checked(R, a.json)
    trs = tslib.transitions(recs, netns=inos)
    socks = tslib.sockets(trs)
    tslib.check_table(R, socks, TABLE, values)
    check_rules(R, trs)
    check_text(R, a.text, values)
    if R.failed:
        print("# sockets seen:")
        for line in tslib.describe(socks).splitlines():
            print("#   " + line)
    R.done()


if __name__ == "__main__":
    main()
