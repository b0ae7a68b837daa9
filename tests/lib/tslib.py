# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tslib.py - reading tcpstates-c JSON output in the integration tests: load the records, keep the
# ones of a test's namespaces (or ports), group them per socket, compare exact transition
# sequences. Results are printed as "ok - ..." / "not ok - ..." lines (diagnostics "# ...") that
# tests/lib/common.sh counts. Standard library only.

import ipaddress
import json
import sys


class Results:
    """ok / not ok lines; exit status 1 if anything failed"""

    def __init__(self):
        self.failed = 0

    def ok(self, name):
        print("ok - " + name, flush=True)

    def not_ok(self, name, *diag):
        self.failed += 1
        print("not ok - " + name, flush=True)
        for d in diag:
            for line in str(d).splitlines():
                print("#   " + line, flush=True)

    def check(self, cond, name, *diag):
        if cond:
            self.ok(name)
        else:
            self.not_ok(name, *diag)
        return bool(cond)

    def eq(self, got, want, name, *diag):
        return self.check(got == want, name, "want: %r" % (want,), "got:  %r" % (got,), *diag)

    def done(self):
        sys.exit(1 if self.failed else 0)


def load(path):
    """(records, bad): every JSON line of path; bad lists (lineno, text) of lines that did not parse"""
    recs, bad = [], []
    with open(path, errors="replace") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if not isinstance(d, dict):
                    raise ValueError("not an object")
                recs.append(d)
            except ValueError:
                bad.append((i, line.rstrip("\n")))
    return recs, bad


def transitions(recs, netns=None, ports=None, addrs=None):
    """transition records, optionally only those whose netns is in `netns`, or one of whose ports
    is in `ports`, or one of whose addresses is in `addrs` (all given filters must hold)"""
    out = []
    addrs = {ipaddress.ip_address(a) for a in addrs} if addrs else None
    for r in recs:
        if r.get("type") != "transition":
            continue
        if netns is not None and r.get("netns") not in netns:
            continue
        if ports is not None and r.get("lport") not in ports and r.get("rport") not in ports:
            continue
        if addrs is not None:
            try:
                mine = {ipaddress.ip_address(r.get("laddr")), ipaddress.ip_address(r.get("raddr"))}
            except ValueError:
                continue
            if not mine & addrs:
                continue
        out.append(r)
    return out


def sockets(trs, by="sock"):
    """{key: [records]} in order of first appearance. key is the socket cookie ("sock"); without
    one (or with by="skaddr"), the kernel address, and a new lifetime starts after a transition
    into CLOSE (addresses are reused). Without cookies a timewait minisocket has an address of
    its own: its records (FIN_WAIT2/TIME_WAIT -> ...) join the connection with the same
    namespace, addresses and ports."""
    socks, live, by_tuple = {}, {}, {}
    for r in trs:
        tup = (r.get("netns"), r.get("laddr"), r.get("lport"), r.get("raddr"), r.get("rport"))
        if by == "sock" and r.get("sock") is not None:
            key = ("sock", r["sock"])
        elif (r.get("skaddr") not in live and r.get("oldstate") in ("FIN_WAIT2", "TIME_WAIT")
              and tup in by_tuple):
            key = by_tuple[tup]
        else:
            addr = r.get("skaddr")
            gen = live.get(addr, 0)
            key = ("skaddr", addr, gen)
            if r.get("newstate") == "CLOSE":
                live[addr] = gen + 1
            else:
                live.setdefault(addr, gen)
        by_tuple[tup] = key
        socks.setdefault(key, []).append(r)
    return socks


def seq(lst):
    return ["%s->%s" % (r.get("oldstate"), r.get("newstate")) for r in lst]


def find(socks, lport, rport):
    """keys of the sockets with some record whose (lport, rport) is exactly this (None: any)"""
    return [k for k, lst in socks.items()
            if any((lport is None or r.get("lport") == lport)
                   and (rport is None or r.get("rport") == rport) for r in lst)]


def describe(socks):
    lines = []
    for k, lst in socks.items():
        last = lst[-1]
        lines.append("%s fam=%s %s:%s -> %s:%s pid=%s comm=%s: %s" % (
            k[1], last.get("family"), last.get("laddr"), last.get("lport"), last.get("raddr"),
            last.get("rport"), last.get("pid"), last.get("comm"), " ".join(seq(lst))))
    return "\n".join(lines) or "(no sockets)"


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


# the transitions of one plain connection (tests/lib/tcpapp.py defaults: client closes first).
# The client, the active closer, goes on to TIME_WAIT (it ends 60 s later, after the test); with
# --no-timewait or on the fallback hook (--hook tracepoint) the kernel's tracepoint says
# FIN_WAIT2 -> CLOSE instead (CLIENT_ORDERLY_NO_TW).
LISTENER = ["CLOSE->LISTEN", "LISTEN->CLOSE"]
CLIENT_ORDERLY = ["CLOSE->SYN_SENT", "SYN_SENT->ESTABLISHED", "ESTABLISHED->FIN_WAIT1",
                  "FIN_WAIT1->FIN_WAIT2", "FIN_WAIT2->TIME_WAIT"]
CLIENT_ORDERLY_NO_TW = CLIENT_ORDERLY[:-1] + ["FIN_WAIT2->CLOSE"]
ACCEPTED_PASSIVE_CLOSE = ["LISTEN->SYN_RECV", "SYN_RECV->ESTABLISHED", "ESTABLISHED->CLOSE_WAIT",
                          "CLOSE_WAIT->LAST_ACK", "LAST_ACK->CLOSE"]


def expect_socket(R, socks, what, lport, rport, want_seq, pid=None, comm=None, family=None,
                  laddr=None, raddr=None, check_dur=True):
    """exactly one socket with records (lport, rport); its sequence is want_seq; every record's
    owner is pid/comm; family/addresses as given; dur_ns null only on the first transition.
    Returns the socket's records (or None)."""
    keys = find(socks, lport, rport)
    if not R.check(len(keys) == 1, "%s: exactly one socket %s->%s" % (what, lport, rport),
                   "found %d; sockets seen:" % len(keys), describe(socks)):
        return None
    lst = socks[keys[0]]
    if isinstance(want_seq, tuple):	# alternatives: the first that matches, else the first
        want_seq = next((w for w in want_seq if seq(lst) == w), want_seq[0])
    R.eq(seq(lst), want_seq, "%s: transitions" % what)
    if pid is not None:
        bad = [(r["oldstate"], r["newstate"], r.get("pid"), r.get("comm")) for r in lst
               if r.get("pid") != pid]
        R.check(not bad, "%s: owner pid is %d on every transition" % (what, pid),
                "wrong on: %r" % bad)
    if comm is not None:
        bad = [(r["oldstate"], r["newstate"], r.get("comm")) for r in lst if r.get("comm") != comm]
        R.check(not bad, "%s: owner comm is %s on every transition" % (what, comm),
                "wrong on: %r" % bad)
    if family is not None:
        R.check(all(r.get("family") == family for r in lst), "%s: family %d" % (what, family),
                "got %r" % [r.get("family") for r in lst])
    if laddr is not None or raddr is not None:
        # the ports/addresses are final once the socket is connected (the first record of a
        # client may still have port 0 and a wildcard address)
        full = [r for r in lst if (lport is None or r.get("lport") == lport)
                and (rport is None or r.get("rport") == rport) and r.get("lport")]
        bad = [(r.get("laddr"), r.get("raddr")) for r in full
               if (laddr is not None and not same_addr(r.get("laddr"), laddr))
               or (raddr is not None and not same_addr(r.get("raddr"), raddr))]
        R.check(not bad, "%s: addresses %s -> %s" % (what, laddr, raddr), "wrong: %r" % bad)
    if check_dur and lst:
        first_ok = lst[0].get("dur_ns") is None or isinstance(lst[0].get("dur_ns"), int)
        later_bad = [(r["oldstate"], r["newstate"], r.get("dur_ns")) for r in lst[1:]
                     if not isinstance(r.get("dur_ns"), int) or isinstance(r.get("dur_ns"), bool)
                     or r["dur_ns"] < 0]
        R.check(first_ok and not later_bad,
                "%s: dur_ns known (integer >= 0) after the first transition" % what,
                "first: %r" % lst[0].get("dur_ns"), "later: %r" % later_bad)
    return lst


def dur_of(lst, old, new):
    for r in lst or []:
        if r.get("oldstate") == old and r.get("newstate") == new:
            return r.get("dur_ns")
    return None
