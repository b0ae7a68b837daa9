#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_kernel.py - the kernel matrix's verdict on one kernel: guest.sh's sections (from a qemu
# guest or the host) against the rows of tests/kernels/expect.py, one "ok"/"not ok" line per hook
# and scenario, with the expected and the real transitions on failure.
#
#   check_kernel.py --kernel 5.10|6.1|6.12|host RESULTS [--extract DIR]
#
# --extract DIR writes each hook's JSON output to DIR/HOOK.jsonl (for the schema check).
# Standard library only.

import argparse
import json
import os
import re
import sys

import expect

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


def group(trs):
    """lists of records, one per socket, in order of first appearance. A record continues the
    socket whose last state is its old state and that has its cookie, else (no cookie) its
    kernel address, else (a timewait minisocket has another address) its ports; a transition
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
                tests = [lambda x: x["skaddr"] == r.get("skaddr"),
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


def who_of(r, roles):
    """the owner in the rows' notation"""
    pid, comm, owner = r.get("pid"), r.get("comm"), r.get("owner")
    if owner == "unknown" and pid is None and comm is None:
        return "-"
    who = next((n for n, (p, c) in roles.items() if p == pid and c == comm), None)
    who = who or "%s(%s)" % (pid, comm)
    if owner == "listener":
        who += "/listener"
    elif owner != "process":
        who += "/%s" % owner
    return who


def token(r, roles):
    t = "%s->%s@%s" % (r.get("oldstate"), r.get("newstate"), who_of(r, roles))
    if r.get("reason") is not None or r.get("newstate") == "CLOSE":
        t += ":%s" % r.get("reason")
    return t


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


def check_socket(name, recs, rows, roles, fam, need_cookie):
    problems = []
    want = [expect.split_token(t) for t in rows]
    got = [token(r, roles) for r in recs]
    if got != [w[0] for w in want]:
        problems.append("%s: transitions (owner, reason) differ\n%s\n%s" % (
            name, wrap("  want ", [t for t, _ in want]), wrap("  got  ", got)))
        return problems
    for r, (t, rng) in zip(recs, want):
        d = r.get("dur_ns")
        if rng and not (isinstance(d, int) and rng[0] * 1e9 <= d <= rng[1] * 1e9):
            problems.append("%s: %s lasted %r ns, want %g-%g s" % (name, t, d, rng[0], rng[1]))
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


def check_scenario(sc, socks, table, need_cookie):
    """problems of one scenario (kscen's line sc) against its rows"""
    if sc.get("error"):
        return ["the scenario did not run as planned: %s" % sc["error"]]
    name, port, cport, fam = sc["scenario"], sc["port"], sc.get("cport"), sc["family"]
    roles = {"srv": (sc.get("server"), "ks-srv-" + name), "cli": (sc.get("client"), "ks-cli-" + name),
             "wrk": (sc.get("worker"), "ks-wrk-" + name)}
    mine = [g for g in socks if any(port in (r.get("lport"), r.get("rport")) for r in g)]
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
                [token(r, roles) for r in g]))
    return problems


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
    uses = kspec["default_uses"] if hook == "default" else spec["uses"]
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
    elif any(summ[-1].get(k) for k in ("rb_full", "recursion_misses", "unseen")) or lost:
        probs.append("losses: %r, %d lost record(s)" % (summ[-1], len(lost)))
    v.report("JSON output, a summary, nothing lost", probs)

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
    for name in expect.SCENARIOS:
        sc = scens.get(name)
        if sc is None:
            v.report(name, ["kscen printed no line for it"])
            continue
        n = sum(len(r) for _, r in table[name])
        v.report(name, check_scenario(sc, socks, table, need_cookie),
                 ": %d sockets, %d transitions as expected" % (len(table[name]), n))
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
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
