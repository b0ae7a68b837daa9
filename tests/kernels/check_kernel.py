#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_kernel.py - the kernel matrix's verdict on one kernel: guest.sh's sections (from a qemu
# guest or the host) against tests/kernels/expect.py, one "ok"/"not ok" line per run ("hook") and
# scenario, with the expected and the real transitions on failure (in tests/lib/tslib.py's
# grammar); per run also the summary's "features" and the start-up line; for the -v run its
# feature table, its summary and the start-up snapshot of a listener older than the tracer.
#
#   check_kernel.py --kernel 5.10|6.1|6.12|host RESULTS [--extract DIR]
#
# --extract DIR writes each hook's JSON output to DIR/HOOK.jsonl (for the schema check).
# Standard library and tests/lib/tslib.py; it runs on the host.

import argparse
import json
import os
import re
import sys

import expect	# and tslib (tests/lib), which it puts on the path
import tslib

LOOPBACK = {4: "127.0.0.1", 6: "::1"}


class Verdict:
    def __init__(self, label):
        self.label, self.failed = label, 0

    def report(self, name, problems, ok_note=""):
        if problems:
            self.failed += 1
            print("not ok - %s %s" % (self.label, name), flush=True)
            for p in problems:
                for line in str(p).splitlines():
                    print("#   " + line)
        else:
            print("ok - %s %s%s" % (self.label, name, ok_note), flush=True)


def read_results(path):
    """(facts {key: [values...]}, sections {name: [lines]}) of guest.sh's output"""
    facts, sections, cur = {}, {}, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n").replace("\r", "")
            if cur is not None and line != "@@kt end " + cur:
                sections[cur].append(line)
                continue
            m = re.match(r"^@@kt (\S+) ?(.*)$", line)
            if not m:
                continue
            key, val = m.groups()
            if key == "begin":
                cur = val
                sections[cur] = []
            elif key == "end":
                cur = None
            else:
                facts.setdefault(key, []).append(val)
    return facts, sections


def fact(facts, key, first):
    """the value of fact KEY whose first word is FIRST (the rest of it), or None"""
    for v in facts.get(key, []):
        w = v.split(None, 1)
        if w and w[0] == first:
            return w[1] if len(w) > 1 else ""
    return None


# ---- grouping the records per socket ----------------------------------------------------------


def tuple_of(r):
    return (r.get("family"), r.get("lport"), r.get("rport"))


def ports_agree(t, r):
    """may record r continue a socket whose ports were t? (A port 0 agrees with any: a client
    before its bind, a listener's child before it has its peer's port.)"""
    u = tuple_of(r)
    return t is None or (t[0] == u[0] and all(a == b or 0 in (a, b) for a, b in zip(t[1:], u[1:])))


def group(trs):
    """lists of records, one per socket, in order of first appearance. A record continues the
    socket whose last state is its old state and that has its cookie, else (no cookie) its
    kernel address with ports that agree (a minisocket's address may be another's by the time
    its end is printed), else (a timewait minisocket has another address) its ports; a transition
    out of CLOSE, or LISTEN -> SYN_RECV, starts a socket."""
    groups = []
    for r in trs:
        old, new = r.get("oldstate"), r.get("newstate")
        g = None
        if old != "CLOSE" and not (old == "LISTEN" and new == "SYN_RECV"):
            open_ = [x for x in reversed(groups) if x["recs"][-1].get("newstate") == old]
            if r.get("sock") is not None:
                tests = [lambda x: x["sock"] == r["sock"],
                         lambda x: x["sock"] is None and x["skaddr"] == r.get("skaddr")]
            else:
                # a minisocket's address may be another's by the time its end is printed (a
                # TIME_WAIT ended by reuse is printed at the loader's next sweep): ports first
                tests = [lambda x: x["skaddr"] == r.get("skaddr") and ports_agree(x["tuple"], r),
                         lambda x: x["tuple"] == tuple_of(r)]
            for t in tests:
                g = next((x for x in open_ if t(x)), None)
                if g:
                    break
        if g is None:
            g = {"recs": [], "sock": None, "skaddr": None, "tuple": None}
            groups.append(g)
        g["recs"].append(r)
        g["sock"] = g["sock"] if g["sock"] is not None else r.get("sock")
        g["skaddr"] = r.get("skaddr")
        if r.get("lport"):
            g["tuple"] = tuple_of(r)
    return [g["recs"] for g in groups]


# ---- one scenario ----------------------------------------------------------------------------


def wrap(label, toks):
    """tokens as lines of at most ~100 columns"""
    lines, cur = [], label
    for t in toks:
        if len(cur) + len(t) > 98 and cur.strip():
            lines.append(cur)
            cur = " " * len(label)
        cur += t + " "
    lines.append(cur)
    return "\n".join(x.rstrip() for x in lines)


def check_socket(name, recs, want, roles, fam, need_cookie):
    """problems of one socket's records against its row (want: [tslib.Want]); the reasons are
    checked on every transition"""
    problems = []
    if len(recs) != len(want) or not all(w.matches(r, roles, exact=True)
                                         for w, r in zip(want, recs)):
        problems.append("%s: transitions (owner, reason) differ\n%s\n%s" % (
            name, wrap("  want ", [w.text(exact=True) for w in want]),
            wrap("  got  ", [tslib.token_of(r, roles) for r in recs])))
        return problems
    for r, w in zip(recs, want):
        d, rng = r.get("dur_ns"), w.dur
        if rng and not (isinstance(d, int) and rng[0] * 1e9 <= d <= rng[1] * 1e9):
            problems.append("%s: %s lasted %r ns, want %g-%g s" % (name, w.text(exact=True), d,
                                                                    rng[0], rng[1]))
    durs = [r.get("dur_ns") for r in recs]
    if durs[0] is not None or any(not isinstance(d, int) or d < 0 for d in durs[1:]):
        problems.append("%s: dur_ns null on the first transition only, got %r" % (name, durs))
    bad = [(r.get("family"), r.get("laddr"), r.get("raddr")) for r in recs
           if r.get("family") != fam or (r.get("lport") and
                                         {r.get("laddr"), r.get("raddr")} != {LOOPBACK[fam]})]
    bad = [b for b in bad if not (b[0] == fam and b[2] in ("0.0.0.0", "::"))]	# a listener
    if bad:
        problems.append("%s: family %d, loopback addresses; got %r" % (name, fam, bad[:3]))
    cookies = [r.get("sock") for r in recs]
    if need_cookie and (None in cookies or len(set(cookies)) != 1):
        problems.append("%s: one non-null \"sock\" on every line, got %r" % (name, cookies))
    return problems


def lost_race(g, socks):
    """Is g a child the kernel made and dropped at once because two CPUs completed the same
    handshake together (tcp_check_req: the ACK and the first data segment, in the backlogs of two
    CPUs when the client moved between them; the loser of the ehash insert is closed in SYN_RECV)?
    Only LISTEN -> SYN_RECV -> CLOSE, and another socket of its ports that got ESTABLISHED."""
    if [(r.get("oldstate"), r.get("newstate")) for r in g] != [("LISTEN", "SYN_RECV"),
                                                                ("SYN_RECV", "CLOSE")]:
        return False
    t = tuple_of(g[-1])
    return any(x is not g and any(r.get("newstate") == "ESTABLISHED" and tuple_of(r) == t
                                  for r in x) for x in socks)


def check_scenario(sc, socks, table, need_cookie, notes=None):
    """problems of one scenario (kscen's line sc) against its rows; notes gets what was
    tolerated"""
    if sc.get("error"):
        return ["the scenario did not run as planned: %s" % sc["error"]]
    name, port, cport, fam = sc["scenario"], sc["port"], sc.get("cport"), sc["family"]
    roles = {"srv": (sc.get("server"), "ks-srv-" + name), "cli": (sc.get("client"), "ks-cli-" + name),
             "wrk": (sc.get("worker"), "ks-wrk-" + name)}
    mine = [g for g in socks if any(port in (r.get("lport"), r.get("rport")) for r in g)]
    for g in [g for g in mine if lost_race(g, mine)]:
        mine.remove(g)
        if notes is not None:
            notes.append("a second child of one handshake, dropped by the kernel (two CPUs "
                         "completed it together), tolerated: %s" % " ".join(
                             "%s[sock %s]" % (tslib.token_of(r, roles), r.get("sock")) for r in g))
    where = {"listener": lambda t: t[1:] == (port, 0),
             "client": lambda t: t[2] == port and (cport is None or t[1] == cport),
             "accepted": lambda t: t[1] == port and t[2] == cport}
    problems, claimed, seen = [], [], {}
    for sock, rows in table[name]:
        base = sock.rstrip("2")
        idx = seen[base] = seen.get(base, -1) + 1
        cand = [g for g in mine if any(r.get("lport") and where[base](tuple_of(r)) for r in g)]
        if idx >= len(cand):
            problems.append("%s: no such socket in the output" % sock)
            continue
        claimed.append(id(cand[idx]))
        problems += check_socket(sock, cand[idx], rows, roles, fam, need_cookie)
    for g in mine:
        if id(g) not in claimed:
            problems.append("a socket the scenario does not have: " + wrap(
                "", ["%s:%s->%s" % (g[-1].get("lport"), g[-1].get("rport"), "")] +
                [tslib.token_of(r, roles) for r in g]))
    return problems


# ---- --records connections and none -----------------------------------------------------------


def conn_lost_race(r, conns):
    """a connection record of a child the kernel dropped at once (lost_race): only SYN_RECV, and
    another record of its ports that got ESTABLISHED"""
    if [p["state"] for p in r["path"]] != ["SYN_RECV"]:
        return False
    return any(x is not r and tuple_of(x) == tuple_of(r) and
               "ESTABLISHED" in [p["state"] for p in x["path"]] for x in conns)


def check_conn_record(name, r, rows, roles, fam):
    """problems of one connection record against its socket's expected transitions"""
    path, reason, last = expect.conn_want(rows)
    got = [p["state"] for p in r["path"]]
    problems = []
    if got != path or r.get("reason") != reason:
        problems.append("%s: path, reason differ\n  want %s =%s\n  got  %s =%s" % (
            name, " ".join(path), reason, " ".join(got), r.get("reason")))
    own = last.owned(roles)
    if own is not None and tslib.owner_of(r) != own:
        problems.append("%s: owner at its end %r, want %r" % (name, tslib.owner_of(r), own))
    durs = [p["dur_ns"] for p in r["path"]]
    known = durs[:-1] if got and got[-1] == "TIME_WAIT" else durs
    if None in known or r.get("lifetime_ns") != sum(known):
        problems.append("%s: durations %r do not add up to lifetime_ns %r" % (
            name, durs, r.get("lifetime_ns")))
    if r.get("family") != fam:
        problems.append("%s: family %r, want %d" % (name, r.get("family"), fam))
    return problems


def check_conn_scenario(sc, conns, table):
    """problems of one scenario's connection records against its rows"""
    if sc.get("error"):
        return ["the scenario did not run as planned: %s" % sc["error"]]
    name, port, cport, fam = sc["scenario"], sc["port"], sc.get("cport"), sc["family"]
    roles = {"srv": (sc.get("server"), "ks-srv-" + name), "cli": (sc.get("client"), "ks-cli-" + name),
             "wrk": (sc.get("worker"), "ks-wrk-" + name)}
    mine = [r for r in conns if port in (r.get("lport"), r.get("rport"))]
    mine = [r for r in mine if not conn_lost_race(r, mine)]
    where = {"listener": lambda t: t[1:] == (port, 0),
             "client": lambda t: t[2] == port and (cport is None or t[1] == cport),
             "accepted": lambda t: t[1] == port and t[2] == cport}
    problems, claimed, seen = [], [], {}
    for sock, rows in table[name]:
        base = sock.rstrip("2")
        idx = seen[base] = seen.get(base, -1) + 1
        cand = [r for r in mine if where[base](tuple_of(r))]
        if idx >= len(cand):
            problems.append("%s: no connection record" % sock)
            continue
        claimed.append(id(cand[idx]))
        problems += check_conn_record(sock, cand[idx], rows, roles, fam)
    for r in mine:
        if id(r) not in claimed:
            problems.append("a connection the scenario does not have: %s:%s %s" % (
                r.get("lport"), r.get("rport"), [p["state"] for p in r["path"]]))
    return problems


def check_records_hook(v, records, recs, netns, table, scens):
    """the scenarios of a run with --records connections or none"""
    mine = [r for r in recs if not netns or r.get("netns") == int(netns)]
    per_event = sorted({r.get("type") for r in mine} & {"transition", "snapshot", "connection"})
    want = ["connection"] if records == "connections" else []
    v.report("only %s records" % (records if want else "summary and lost"),
             [] if per_event == want else ["per-event records: %s" % per_event])
    if records == "none":
        summ = [r for r in recs if r.get("type") == "summary"]
        got = summ[-1].get("transitions") if summ else None
        want_pairs = expect.table_pairs(table)
        # a second child of one handshake that the kernel dropped (lost_race): tolerated
        extra = (got or {}).get("LISTEN->SYN_RECV", 0) - want_pairs.get("LISTEN->SYN_RECV", 0)
        if got and extra > 0 and got.get("SYN_RECV->CLOSE", 0) == extra:
            got = dict(got, **{"LISTEN->SYN_RECV": got["LISTEN->SYN_RECV"] - extra})
            del got["SYN_RECV->CLOSE"]
        v.report("summary: the scenarios' transitions by pair, counted in the kernel",
                 [] if got == want_pairs else ["want %s" % json.dumps(want_pairs, sort_keys=True),
                                               "got  %s" % json.dumps(got, sort_keys=True)],
                 ": %d transitions" % sum(want_pairs.values()))
        return
    conns = [r for r in mine if r.get("type") == "connection"]
    for name in expect.SCENARIOS:
        sc = scens.get(name)
        if sc is None:
            v.report(name, ["kscen printed no line for it"])
            continue
        v.report(name, check_conn_scenario(sc, conns, table),
                 ": %d connection records as expected" % len(table[name]))


# ---- what the tracer says about the features ----------------------------------------------------

STARTUP = "tcpstates-c: on kernel "


def parse_startup_line(rest):
    """[(feature, off, why), ...] of the start-up line's items (after "...: on kernel X: "), or
    None if it does not start with one"""
    whats = sorted(expect.WHAT.items(), key=lambda kv: -len(kv[1]))
    pat = re.compile(r"(?:^|; )(%s)( off)?: " % "|".join(re.escape(w) for _, w in whats))
    ms = list(pat.finditer(rest))
    if not ms or ms[0].start() != 0:
        return None
    name = {w: f for f, w in expect.WHAT.items()}
    return [(name[m.group(1)], bool(m.group(2)),
             rest[m.end():ms[i + 1].start() if i + 1 < len(ms) else len(rest)])
            for i, m in enumerate(ms)]


def fmt_items(items):
    return ["  %s%s: %s%s" % (f, " off" if off else "", why, "..." if why == expect.REFUSED else "")
            for f, off, why in items]


def check_startup_line(err, want, uname):
    """problems of the start-up line in the stderr lines err against want (expect.startup_line)"""
    lines = [e for e in err if e.startswith(STARTUP)]
    if not want:
        return ["want no start-up line, got %r" % lines] if lines else []
    if len(lines) != 1:
        return ["want one start-up line (%s<release>: ...), got %d: %r" % (STARTUP, len(lines), lines)]
    head = STARTUP + uname + ": "
    if not lines[0].startswith(head):
        return ["want it to start %r, got %r" % (head, lines[0][:120])]
    got = parse_startup_line(lines[0][len(head):])
    if got is None:
        return ["its items do not parse: %r" % lines[0]]
    ok = len(got) == len(want) and all(
        g[:2] == w[:2] and (g[2] == w[2] or (w[2] == expect.REFUSED and g[2].startswith(w[2])))
        for g, w in zip(got, want))
    return [] if ok else ["its items differ; want"] + fmt_items(want) + ["got"] + fmt_items(got)


TABLE_ROW = re.compile(r"^  (\S+) +(on|off) +(.*)$")


def check_verbose(kernel, facts, sections):
    """the -v run (default hook, with the start-up snapshot): its table, summary, snapshot"""
    v = Verdict("%s -v" % kernel)
    notes = sections.get("verbose", [])
    rc = (facts.get("verbose_rc") or ["?"])[0]
    v.report("tracer runs and exits 0", [] if rc == "0" else [
        "exit status %s" % rc, "its notes:"] + ["  " + n for n in notes[-30:]])
    uname = (facts.get("uname") or [""])[0]
    heads = [n for n in notes if n.startswith("tcpstates-c: kernel ")]
    rows = [TABLE_ROW.match(n) for n in notes]
    rows = [(m.group(1), m.group(2) == "on", m.group(3)) for m in rows if m]
    want = expect.verbose_rows(kernel)
    probs = []
    if heads != ["tcpstates-c: kernel %s, features:" % uname]:
        probs.append("want one header %r, got %r" % ("tcpstates-c: kernel %s, features:" % uname,
                                                      heads))
    if [r[0] for r in rows] != expect.FEATURES:
        probs.append("want one row per feature (%d), in order %s; got %s" % (
            len(expect.FEATURES), " ".join(expect.FEATURES), " ".join(r[0] for r in rows)))
    for name, on, text in rows:
        if name not in want:
            continue
        won, wtext = want[name]
        if on != won or (wtext and not text.startswith(wtext)):
            probs.append("row %s: want %s%s, got %s %r" % (
                name, "on" if won else "off", " %r..." % wtext if wtext else "",
                "on" if on else "off", text))
    v.report("feature table (-v)", probs, ": %d rows as expected" % len(rows))

    recs = []
    for l in sections.get("verbose.stdout", []):
        try:
            recs.append(json.loads(l))
        except ValueError:
            pass
    summ = [r for r in recs if r.get("type") == "summary"]
    wantf = expect.summary_features(kernel, "default", snapshot=True)
    got = summ[-1].get("features") if summ else None
    v.report("summary lists the features on (with the snapshot)", [] if got == wantf else [
        "want \"features\": %s" % json.dumps(wantf), "got  \"features\": %s" % json.dumps(got)])

    try:
        lsn = json.loads((facts.get("listener") or [""])[0])
    except ValueError:
        lsn = None
    if not lsn:
        v.report("start-up snapshot names a listener older than the tracer",
                 ["kscen --listen printed no line: %r" % facts.get("listener")])
        return v.failed
    snaps = [r for r in recs if r.get("type") == "snapshot"]
    mine = [r for r in snaps if r.get("lport") == lsn["port"] and r.get("rport") == 0]
    want_rec = {"newstate": "LISTEN", "pid": lsn["listener"], "comm": "ks-lsn", "owner": "snapshot",
                "family": 4, "laddr": "127.0.0.1"}
    probs = []
    if len(mine) != 1:
        probs.append("want one snapshot record of port %d, got %d (of %d snapshot records)" % (
            lsn["port"], len(mine), len(snaps)))
    else:
        bad = {k: mine[0].get(k) for k in want_rec if mine[0].get(k) != want_rec[k]}
        if bad:
            probs.append("want %r, got %r" % ({k: want_rec[k] for k in bad}, bad))
    v.report("start-up snapshot names a listener older than the tracer", probs,
             ": pid %d, comm ks-lsn, port %d" % (lsn["listener"], lsn["port"]))
    check_timers(v, snaps, lsn)
    return v.failed


def check_timers(v, snaps, lsn):
    """every snapshot record's timer has a kind; the listener's is off, the keepalive client's
    keepalive with 0 < expires_in_ns <= 600 s (null only where the tracer could not know HZ)"""
    probs = []
    for r in snaps:
        t = r.get("timer")
        if not isinstance(t, dict) or t.get("kind") not in expect.TIMER_KINDS:
            probs.append("port %s -> %s: timer %r" % (r.get("lport"), r.get("rport"), t))
    lrec = [r for r in snaps if r.get("lport") == lsn["port"] and r.get("rport") == 0]
    want_off = {"kind": "off", "expires_in_ns": None, "retries": None}
    if lrec and lrec[0].get("timer") != want_off:
        probs.append("listener: want timer %r, got %r" % (want_off, lrec[0].get("timer")))
    ka = [r for r in snaps if r.get("lport") == lsn.get("ka_cport") and
          r.get("rport") == lsn["port"]]
    if len(ka) != 1:
        probs.append("want one snapshot record of the keepalive client (port %s), got %d" % (
            lsn.get("ka_cport"), len(ka)))
    else:
        t = ka[0].get("timer") or {}
        left = t.get("expires_in_ns")
        if t.get("kind") != "keepalive" or t.get("retries") != 0 or \
                not (isinstance(left, int) and 0 < left <= 600 * 10**9):
            probs.append("keepalive client: want kind keepalive, 0 < expires_in_ns <= 600 s, "
                         "retries 0; got %r" % t)
    v.report("snapshot records carry the timer (listener off, keepalive client keepalive)",
             probs, ": %d records" % len(snaps))


def check_stuck(kernel, facts, sections):
    """--stuck on kscen --listen's CLOSE_WAIT (10 bytes sent, never read), older than the tracer:
    reported with its evidence, which every kernel of the matrix must give (the iterator's
    times and timer, /proc's holders and threads)"""
    v = Verdict("%s --stuck" % kernel)
    rc = (facts.get("stuck_rc") or ["?"])[0]
    err = sections.get("stuck.stderr", [])
    v.report("tracer --stuck runs and exits 0", [] if rc == "0" else [
        "exit status %s" % rc, "its stderr:"] + ["  " + e for e in err[-30:]])
    try:
        lsn = json.loads((facts.get("listener") or [""])[0])
    except ValueError:
        lsn = {}
    recs = []
    for l in sections.get("stuck.stdout", []):
        try:
            recs.append(json.loads(l))
        except ValueError:
            pass
    cw = [r for r in recs if r.get("type") == "stuck" and r.get("state") == "CLOSE_WAIT" and
          r.get("lport") == lsn.get("port") and r.get("rport") == lsn.get("cw_cport")]
    probs = []
    if not cw:
        probs.append("no stuck record of the CLOSE_WAIT %s <- %s (of %d records)" % (
            lsn.get("port"), lsn.get("cw_cport"), len(recs)))
    else:
        r = cw[0]
        want = {"diagnosis": "data_unread", "unread_bytes": 10, "eof_read": False,
                "since_exact": False, "age_estimated": True, "pid": lsn.get("listener"),
                "holders_total": 1,
                "timer": {"kind": "off", "expires_in_ns": None, "retries": None}}
        bad = {k: r.get(k) for k in want if r.get(k) != want[k]}
        if bad:
            probs.append("want %r, got %r" % ({k: want[k] for k in bad}, bad))
        for k in ("last_recv_ago_ns", "last_send_ago_ns"):
            if not isinstance(r.get(k), int) or r.get(k) > r.get("age_ns", 0) + 10**9:
                probs.append("%s: want a time (<= age_ns + 1 s), got %r" % (k, r.get(k)))
        h = (r.get("holders") or [{}])[0]
        th = h.get("threads") or []
        if not (isinstance(h.get("fd"), int) and h.get("fds_total") == 1 and
                h.get("threads_total") == 1 and len(th) == 1 and th[0].get("tid") == h.get("pid")
                and th[0].get("state") == "S" and th[0].get("syscall") == "pause"):
            probs.append("holder: want ks-lsn with one fd, its one thread asleep in pause; got %r"
                         % h)
    v.report("a CLOSE_WAIT older than the tracer reported with its evidence", probs,
             ": %s" % (", ".join("%s %s" % (k, cw[0].get(k)) for k in
                                 ("diagnosis", "unread_bytes", "age_ns")) if cw else ""))
    return v.failed


# ---- one hook ----------------------------------------------------------------------------------


def check_hook(kernel, hook, facts, sections, extract):
    v = Verdict("%s %s" % (kernel, hook))
    spec, kspec = expect.HOOKS[hook], expect.KERNELS[kernel]
    err = sections.get(hook + ".stderr", [])
    errtxt = ["tracer stderr:"] + ["  " + e for e in err[-40:]] if err else ["tracer stderr: (empty)"]
    # the notes of a run with -v (guest.sh): why a hook or feature is off
    vtxt = ["tracer -v (its notes and libbpf's errors):"] + [
        "  " + e for e in sections.get("verbose", [])[-30:]]
    ready = (fact(facts, "uptime", hook + ".ready") or "").split()
    if len(ready) < 2 or ready[1] != "1":
        rc = fact(facts, "tracer_rc", hook)
        v.report("tracer starts", ["it exited (status %s) before it said 'Tracing'" % rc] + errtxt
                 + vtxt)
        for sc in expect.SCENARIOS:
            v.report(sc, ["not run: the tracer did not start"])
        return v.failed
    line = next((e for e in err if e.startswith("Tracing")), "")
    m = re.search(r"\(([^)]*)\)", line)
    used = m.group(1) if m else None
    uses = kspec["default_uses"] if spec["uses"] is None else spec["uses"]
    v.report("tracer starts on %s" % " or ".join(sorted(uses)),
             [] if used in uses else ["it uses %r" % used] + errtxt + vtxt, " (%s)" % used)
    rc = fact(facts, "tracer_rc", hook)
    v.report("tracer exits 0 on SIGTERM", [] if rc == "0" else ["exit status %s" % rc] + errtxt)

    recs, bad = [], []
    for i, l in enumerate(sections.get(hook + ".stdout", []), 1):
        try:
            recs.append(json.loads(l))
        except ValueError:
            bad.append((i, l))
    if extract:
        with open(os.path.join(extract, hook + ".jsonl"), "w") as f:
            f.write("".join(l + "\n" for l in sections.get(hook + ".stdout", [])))
    summ = [r for r in recs if r.get("type") == "summary"]
    lost = [r for r in recs if r.get("type") == "lost"]
    probs = ["lines that are not JSON: %r" % bad[:3]] if bad else []
    if not summ:
        probs.append("no summary record")
    elif any(summ[-1].get(k) for k in ("rb_full", "recursion_misses", "unseen", "conn_lost")) or lost:
        loss = "losses: %r, %d lost record(s)" % (summ[-1], len(lost))
        if kernel == "host":
            # the host is shared: its counts include every network namespace, and others' BPF
            # programs make the classic tracepoint skip (its recursion guard); a loss of our
            # own sockets shows in the scenarios below
            print("# %s: %s" % (v.label, loss))
        else:
            probs.append(loss)
    v.report("JSON output, a summary, nothing lost%s" % (
        " (on the host: in the scenarios' namespace)" if kernel == "host" else ""), probs)
    if summ:
        want = expect.summary_features(kernel, hook)
        got = summ[-1].get("features")
        v.report("summary lists the features on", [] if got == want else [
            "want \"features\": %s" % json.dumps(want), "got  \"features\": %s" % json.dumps(got)],
            ": %s" % (", ".join(want) or "none"))
    uname = (facts.get("uname") or [""])[0]
    v.report("start-up line", check_startup_line(err, expect.startup_line(kernel, hook), uname),
             ": %d item(s) as expected" % len(expect.startup_line(kernel, hook)))

    netns = re.sub(r"\D", "", (facts.get("netns") or [""])[0])
    trs = [r for r in recs if r.get("type") == "transition"
           and (not netns or r.get("netns") == int(netns))]
    socks = group(trs)
    table = expect.parse_table(spec["table"])
    need_cookie = hook == "default" and kspec["cookies"]
    scens = {}
    for l in sections.get(hook + ".scen", []):
        try:
            d = json.loads(l)
            scens[d["scenario"]] = d
        except (ValueError, KeyError, TypeError):
            print("# kscen: " + l)
    if spec.get("records"):
        check_records_hook(v, spec["records"], recs, netns, table, scens)
        return v.failed
    for name in expect.SCENARIOS:
        sc = scens.get(name)
        if sc is None:
            v.report(name, ["kscen printed no line for it"])
            continue
        n = sum(len(r) for _, r in table[name])
        notes = []
        v.report(name, check_scenario(sc, socks, table, need_cookie, notes),
                 ": %d sockets, %d transitions as expected" % (len(table[name]), n))
        for note in notes:
            print("# %s %s: %s" % (v.label, name, note))
    return v.failed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True, choices=sorted(expect.KERNELS))
    p.add_argument("--extract")
    p.add_argument("results")
    a = p.parse_args()
    facts, sections = read_results(a.results)
    uname = (facts.get("uname") or ["?"])[0]
    print("# %s: uname -r %s, tcp_fin_timeout %s" % (
        a.kernel, uname, (facts.get("fin_timeout") or ["?"])[0]))
    for u in facts.get("uptime", []):
        print("# guest uptime at %s" % u)
    if "uname" not in facts:
        print("not ok - %s: guest.sh ran (none of its output came back)" % a.kernel)
        sys.exit(1)
    if "done" not in facts:
        print("not ok - %s: guest.sh ran to its end (no '@@kt done')" % a.kernel)
    failed = "done" not in facts
    for hook in expect.HOOKS:
        failed += check_hook(a.kernel, hook, facts, sections, a.extract)
    failed += check_verbose(a.kernel, facts, sections)
    failed += check_stuck(a.kernel, facts, sections)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
