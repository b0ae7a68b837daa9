#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_text.py - tests/integration/t_text.sh's verdict on the column output: the header exactly;
# the sockets of one IPv4 connection read back from the -x output (SKADDR tells them apart) against
# a table of tslib rows; the format of known lines (time, owner, addresses, ports, OLD -> NEW, MS
# with three decimals or "-"), lined up under the header; -T's date, -x's hex column, -w's width.
#
#   check_text.py DIR NAME=VALUE...    (DIR/{plain,date,skaddr,wide}.txt)

import datetime
import re
import sys

import tslib

# the -x output's sockets (--no-timewait: the client ends FIN_WAIT2 -> CLOSE)
TABLE = """
listener  $P   0    pid=$S4 comm=python3 @listener
client    $CP4 $P   pid=$C4 comm=python3 @client-no-tw
accepted  $P   $CP4 pid=$S4 comm=python3 @accepted
"""

# lines that must be there, once each: output, what, time prefix, pid, laddr, lport, raddr, rport,
# OLD, NEW (the client's first line may still have local port 0)
LINES = [
    ("plain", "client CLOSE -> SYN_SENT", "TIME", "C4", "A4C", "(0|$CP4)", "A4S", "$P", "CLOSE", "SYN_SENT"),
    ("plain", "client SYN_SENT -> ESTABLISHED", "TIME", "C4", "A4C", "$CP4", "A4S", "$P", "SYN_SENT", "ESTABLISHED"),
    ("plain", "client ESTABLISHED -> FIN_WAIT1", "TIME", "C4", "A4C", "$CP4", "A4S", "$P", "ESTABLISHED", "FIN_WAIT1"),
    # the server's accepted socket, owned by the server even in softirq
    ("plain", "accepted ESTABLISHED -> CLOSE_WAIT, owner is the server", "TIME", "S4", "A4S", "$P", "A4C", "$CP4", "ESTABLISHED", "CLOSE_WAIT"),
    # the listener: remote address the wildcard (whatever the tool prints), port 0
    ("plain", "listener CLOSE -> LISTEN", "TIME", "S4", "A4S", "$P", None, "0", "CLOSE", "LISTEN"),
    ("date", "line starts with the date and time", "DATE", "C4", "A4C", "$CP4", "A4S", "$P", "SYN_SENT", "ESTABLISHED"),
    ("wide", "IPv6 client SYN_SENT -> ESTABLISHED", "TIME", "C6", "A6C", "$CP6", "A6S", "$P6", "SYN_SENT", "ESTABLISHED"),
]

HEADER = "TIME PID COMM LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE MS REASON".split()
PREFIX = {"TIME": r"\d{2}:\d{2}:\d{2}\.\d{6}", "DATE": r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d{6}"}
MS = r"(\d+\.\d{3}|-)"


def sub(text, v):
    return re.sub(r"\$(\w+)", lambda m: v[m[1]], text)


def line_re(v, prefix, pid, laddr, lport, raddr, rport, old, new):
    # REASON follows MS on transitions into CLOSE only
    return re.compile(r"^%s\s+%s\s+python3\s+%s\s+%s\s+%s\s+%s\s+%s\s+->\s+%s\s+%s(\s+[a-z_]+)?$" % (
        PREFIX[prefix], v[pid], re.escape(v[laddr]), sub(lport, v),
        re.escape(v[raddr]) if raddr else r"\S+", sub(rport, v), old, new, MS))


def records(ls):
    """the -x output's lines as records (the columns of the header, REASON when there)"""
    hx = ls[0].split() if ls else []
    out = []
    for line in ls[1:]:
        c = line.split()
        if len(c) not in (len(hx) - 1, len(hx)):
            continue
        d = dict(zip(hx, c))
        out.append({"type": "transition", "pid": int(d["PID"]), "comm": d["COMM"],
                    "laddr": d["LADDR"], "lport": int(d["LPORT"]), "raddr": d["RADDR"],
                    "rport": int(d["RPORT"]), "oldstate": d["OLDSTATE"], "newstate": d["NEWSTATE"],
                    "reason": d.get("REASON"), "skaddr": d["SKADDR"]})
    return out


class Outputs:
    def __init__(self, R, tmp):
        self.R, self.tmp, self.cache = R, tmp, {}

    def __getitem__(self, label):
        if label not in self.cache:
            with open("%s/%s.txt" % (self.tmp, label)) as f:
                text = f.read()
            self.R.check(text.endswith("\n"), "%s: output ends with a complete line" % label)
            self.cache[label] = text.splitlines()
        return self.cache[label]


def find_one(R, ls, rx, what):
    m = [line for line in ls if rx.search(line)]
    R.check(len(m) == 1, what, "want exactly one line matching %s; got %d" % (rx.pattern, len(m)),
            *ls[:30])
    return m[0] if m else None


def arrow_aligned(R, ls, what, addrs):
    header = ls[0] if ls else ""
    col = header.index("->") if "->" in header else -1
    bad = [line for line in ls[1:] if set(addrs) & set(line.split()) and line.find(" -> ") + 1 != col]
    R.check(col > 0 and not bad, what, "header: %r" % header, *bad[:5])


def check_lines(R, out, v):
    found = {}
    for label, what, *spec in LINES:
        found[(label, what)] = find_one(R, out[label], line_re(v, *spec), "%s: %s line" % (label, what))
    l2 = found[("plain", "client ESTABLISHED -> FIN_WAIT1")]
    if l2:
        ms = l2.split()[-1]
        R.check(ms != "-" and 180 <= float(ms) <= 400, "plain: MS of ESTABLISHED is ~200", l2)
    line = found[("plain", "client SYN_SENT -> ESTABLISHED")]
    if line:
        now = datetime.datetime.now()
        t = datetime.datetime.strptime(line.split()[0], "%H:%M:%S.%f")
        secs = t.hour * 3600 + t.minute * 60 + t.second
        nows = now.hour * 3600 + now.minute * 60 + now.second
        R.check(abs((nows - secs + 43200) % 86400 - 43200) < 60,
                "plain: TIME is the wall clock (within a minute of now)", line, now.isoformat())


def check_columns(R, out, v):
    pl, dl, xl, wl = out["plain"], out["date"], out["skaddr"], out["wide"]
    R.eq(pl[0].split() if pl else None, HEADER, "plain: header columns exactly")
    mine4 = [x for x in pl[1:] if {v["A4C"], v["A4S"]} & set(x.split())]
    R.eq(len(mine4), 12, "plain: 12 lines for the IPv4 connection", *mine4)
    arrow_aligned(R, pl, "plain: IPv4 lines line up under the header", (v["A4C"], v["A4S"]))
    today = {datetime.date.today().isoformat(),
             datetime.date.fromtimestamp(int(v["T0"])).isoformat()}
    ds = [x for x in dl[1:] if v["A4C"] in x.split()]
    R.check(ds and all(x[:10] in today for x in ds), "-T: the date is today", *ds[:3])
    hx = xl[0].split() if xl else []
    if R.check("SKADDR" in hx, "-x: header has a SKADDR column", xl[:1]):
        i = hx.index("SKADDR")
        R.eq([h for h in hx if h != "SKADDR"], HEADER, "-x: the other columns unchanged")
        rows = [x.split() for x in xl[1:] if v["A4C"] in x.split()]
        # REASON is empty (no cell) except on the transitions into CLOSE
        bad = [r for r in rows if len(r) not in (len(hx) - 1, len(hx))
               or not re.fullmatch(r"(0x)?[0-9a-f]{8,16}", r[i])]
        R.check(rows and not bad, "-x: a hex kernel address in the SKADDR column", *map(str, bad[:5]))
        socks = tslib.sockets(tslib.transitions(records(xl), addrs=(v["A4C"], v["A4S"])), by="skaddr")
        tslib.check_table(R, socks, TABLE, v, label="-x: ", check_dur=False)
    R.eq(wl[0].split() if wl else None, HEADER, "-w: header columns exactly")
    R.check(wl and pl and len(wl[0].rstrip()) > len(pl[0].rstrip()), "-w: header is wider",
            "plain: %r" % (pl[0] if pl else None), "wide:  %r" % (wl[0] if wl else None))
    mine6 = [x for x in wl[1:] if {v["A6C"], v["A6S"]} & set(x.split())]
    R.eq(len(mine6), 12, "-w: 12 lines for the IPv6 connection", *mine6)
    arrow_aligned(R, wl, "-w: IPv4 and IPv6 lines line up under the header",
                  (v["A4C"], v["A4S"], v["A6C"], v["A6S"]))


def main():
    tmp, values = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
    R = tslib.Results()
    out = Outputs(R, tmp)
    check_columns(R, out, values)
    check_lines(R, out, values)
    R.done()


if __name__ == "__main__":
    main()
