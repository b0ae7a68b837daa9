#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_basic.py - the exact transitions of one orderly connection (tests/lib/common.sh
# basic_connection: client connects, sleeps 200 ms, closes first; the server reads to EOF, closes,
# then closes its listener), as tcpstates-c -j recorded them.
#
#   check_basic.py --json OUT --srv SRV.out --cli CLI.out --netns-s INO --netns-c INO
#                  --family 4|6 --saddr A --caddr A [--by-addr] [--no-owner] [--label L]

import argparse
import json

import tslib


def app_events(path):
    ev = {}
    for line in open(path):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        ev.setdefault(d.get("event"), d)
    return ev


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--srv", required=True)
    p.add_argument("--cli", required=True)
    p.add_argument("--netns-s", type=int, required=True)
    p.add_argument("--netns-c", type=int, required=True)
    p.add_argument("--family", type=int, required=True)
    p.add_argument("--saddr", required=True)
    p.add_argument("--caddr", required=True)
    p.add_argument("--by-addr", action="store_true",
                   help="select records by the test's addresses, group them by kernel address; "
                   "check netns and sock ids separately")
    p.add_argument("--no-owner", action="store_true", help="do not check pid/comm")
    p.add_argument("--no-timewait", action="store_true",
                   help="the client ends FIN_WAIT2->CLOSE (fallback hook, --no-timewait)")
    p.add_argument("--label", default="")
    a = p.parse_args()
    R = tslib.Results()
    L = (a.label + ": ") if a.label else ""

    srv, cli = app_events(a.srv), app_events(a.cli)
    if not R.check("listening" in srv and "connected" in cli and "eof" in srv,
                   L + "scenario ran (server listened and saw EOF, client connected)",
                   "server: %r" % srv, "client: %r" % cli):
        R.done()
    spid, sport = srv["start"]["pid"], srv["listening"]["port"]
    cpid, cport = cli["start"]["pid"], cli["connected"]["lport"]

    recs = tslib.load_checked(R, a.json, L)
    R.check(recs and recs[-1].get("type") == "summary", L + "a summary record comes last",
            "last: %r" % (recs[-1] if recs else None))

    if a.by_addr:
        trs = tslib.transitions(recs, ports={sport, cport}, addrs={a.saddr, a.caddr})
        trs = [r for r in trs if r.get("lport") in (sport, cport, 0)]
        wrong = [(r.get("lport"), r.get("rport"), r.get("netns")) for r in trs
                 if r.get("netns") != (a.netns_s if r.get("lport") == sport else a.netns_c)]
        R.check(not wrong, L + "netns is the inode of the socket's namespace",
                "want server %d client %d; wrong: %r" % (a.netns_s, a.netns_c, wrong[:5]))
    else:
        trs = tslib.transitions(recs, netns={a.netns_s, a.netns_c})
    if a.by_addr:
        # group by kernel address and check the socket id separately: it must be one value
        # (or always null) over a socket's life
        socks = tslib.sockets(trs, by="skaddr")
        bad = {k[1]: [r.get("sock") for r in lst] for k, lst in socks.items()
               if len({r.get("sock") for r in lst}) != 1}
        R.check(not bad, L + "the sock id is the same on every transition of a socket",
                *["%s: %r" % kv for kv in bad.items()])
    else:
        socks = tslib.sockets(trs)
    R.check(len(socks) == 3, L + "exactly 3 sockets in the test's namespaces",
            tslib.describe(socks))

    owner = not a.no_owner
    fam = a.family
    tslib.expect_socket(R, socks, L + "listener", sport, 0, tslib.LISTENER,
                        pid=spid if owner else None, comm="python3" if owner else None,
                        family=fam, laddr=a.saddr)
    want = tslib.CLIENT_ORDERLY_NO_TW if a.no_timewait else tslib.CLIENT_ORDERLY
    c = tslib.expect_socket(R, socks, L + "client", cport, sport, want,
                            pid=cpid if owner else None, comm="python3" if owner else None,
                            family=fam, laddr=a.caddr, raddr=a.saddr)
    tslib.expect_socket(R, socks, L + "accepted", sport, cport, tslib.ACCEPTED_PASSIVE_CLOSE,
                        pid=spid if owner else None, comm="python3" if owner else None,
                        family=fam, laddr=a.saddr, raddr=a.caddr)
    if c is not None:
        d = tslib.dur_of(c, "ESTABLISHED", "FIN_WAIT1")
        R.check(isinstance(d, int) and 180e6 <= d <= 400e6,
                L + "client ESTABLISHED lasted ~200 ms (dur_ns in 180-400 ms)", "dur_ns: %r" % d)
    for k, lst in socks.items():
        ts = [r.get("ts_ns") for r in lst]
        if not all(isinstance(t, int) for t in ts) or ts != sorted(ts):
            R.not_ok(L + "ts_ns increases along socket %s" % (k[1],), "ts_ns: %r" % ts)
            break
    else:
        R.ok(L + "ts_ns increases along every socket")
    tslib.triage(R, recs, L)
    R.done()


if __name__ == "__main__":
    main()
