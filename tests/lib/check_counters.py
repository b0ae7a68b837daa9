#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_counters.py - the stats of one run against the kernel and against the lines printed:
# the summary's MIB counters equal the namespace's /proc/net/snmp deltas; its transitions and
# durations agree with the transition records; the intervals add up to the summary; the dot
# file's edges are the transitions; the text block (--summary) says the same numbers.
#
#   check_counters.py --json OUT.jsonl --snmp-before F --snmp-after F --reasons K=N,...
#                     [--dot F] [--text F]
#
# --reasons: the close reasons the scenario makes (resets_sent=2,...), known beforehand: a
# counter that agrees with records of the same tracer would agree with a wrong reason too.

import argparse
import json
import re
import sys

from tslib import nearest_rank, snmp_tcp

MIB = {"active_opens": "ActiveOpens", "passive_opens": "PassiveOpens",
       "attempt_fails": "AttemptFails", "estab_resets": "EstabResets"}
TEXT = {"active_opens": "active connection openings", "passive_opens":
        "passive connection openings", "attempt_fails": "failed connection attempts",
        "estab_resets": "connection resets received", "resets_sent": "resets sent",
        "resets_received": "resets received", "timeouts": "timeouts",
        "refused": "connects refused"}
REASONS = {"resets_sent": "reset_sent", "resets_received": "reset_received",
           "timeouts": "timeout", "refused": "refused"}


def result(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--snmp-before", required=True)
    ap.add_argument("--snmp-after", required=True)
    ap.add_argument("--dot")
    ap.add_argument("--text")
    ap.add_argument("--min", type=int, default=1, help="each MIB counter at least this")
    ap.add_argument("--reasons", required=True, help="KEY=N,... for each of " + ",".join(REASONS))
    a = ap.parse_args()

    recs = [json.loads(l) for l in open(a.json)]
    trans = [r for r in recs if r["type"] == "transition"]
    summ = [r for r in recs if r["type"] == "summary"]
    if not result(len(summ) == 1, "one summary record"):
        return
    s = summ[0]

    # the kernel's counters
    before, after = snmp_tcp(a.snmp_before), snmp_tcp(a.snmp_after)
    for key, mib in MIB.items():
        delta = after[mib] - before[mib]
        result(s["counters"][key] == delta and delta >= a.min,
               f"{key} {s['counters'][key]} == /proc/net/snmp {mib} delta {delta} (>= {a.min})")

    # the close reasons: the scenario's, and the records'
    want = {k: int(v) for k, v in (x.split("=") for x in a.reasons.split(","))}
    for key, reason in REASONS.items():
        n = sum(1 for r in trans if r["reason"] == reason)
        result(s["counters"][key] == n == want.get(key), f"{key} {s['counters'][key]} == records "
               f"with reason {reason} ({n}) == the scenario's {want.get(key)}")

    # transitions per pair
    pairs = {}
    for r in trans:
        k = r["oldstate"] + "->" + r["newstate"]
        pairs[k] = pairs.get(k, 0) + 1
    result(s["transitions"] == pairs, f"transitions per pair == the records ({len(pairs)} pairs, "
           f"{len(trans)} records)")
    result(s["transition_lines"] == len(trans),
           f"transition_lines {s['transition_lines']} == {len(trans)} records")

    # durations: count and max exact, percentiles within 1/32
    durs = {}
    for r in trans:
        if r["dur_ns"] is not None and not r["inferred"]:
            durs.setdefault(r["oldstate"], []).append(r["dur_ns"])
    result(sorted(s["durations"]) == sorted(durs), f"durations for the states left: "
           f"{','.join(sorted(durs))}")
    bad = []
    for st, vals in durs.items():
        d = s["durations"].get(st)
        if not d:
            continue
        if d["count"] != len(vals) or d["max_ns"] != max(vals) or sum(d["log2"]) != len(vals):
            bad.append(f"{st}: count/max/log2 {d['count']}/{d['max_ns']}/{sum(d['log2'])}")
        for p in (50, 90, 99):
            exact = nearest_rank(vals, p)
            if abs(d[f"p{p}_ns"] - exact) > exact / 32:
                bad.append(f"{st} p{p} {d[f'p{p}_ns']} vs exact {exact}")
        for v in vals:
            i = v.bit_length() - 1 if v else 0
            if i >= len(d["log2"]) or not d["log2"][i]:
                bad.append(f"{st}: {v} ns not in log2 bucket {i}")
    result(not bad, "durations: count, max exact, p50/p90/p99 within 1/32, log2 buckets "
           + "; ".join(bad[:5]))

    # intervals add up to the summary; the run has --interval: none is a failure
    ivs = [r for r in recs if r["type"] == "interval"]
    result(len(ivs) > 0, f"interval records come ({len(ivs)})")
    if ivs:
        tot = {}
        for r in ivs:
            for k, v in r["transitions"].items():
                tot[k] = tot.get(k, 0) + v
        cnt = {k: sum(r["counters"][k] for r in ivs) for k in s["counters"]}
        result(tot == s["transitions"] and cnt == s["counters"] and
               sum(r["printed"] for r in ivs) == s["transition_lines"],
               f"{len(ivs)} interval records add up to the summary")

    if a.dot:
        edges = {}
        for l in open(a.dot):
            m = re.match(r'\s*"([A-Z_0-9()]+)" -> "([A-Z_0-9()]+)" \[label="(\d+)', l)
            if m:
                edges[m[1] + "->" + m[2]] = int(m[3])
        result(edges == s["transitions"], f"dot: {len(edges)} edges == the transitions counted")
        med = []
        for l in open(a.dot):
            m = re.match(r'\s*"([A-Z_0-9()]+)" -> "([A-Z_0-9()]+)" \[label="\d+\\nmedian ', l)
            if m:
                med.append(m[1])
        result(all(x in durs for x in med) and med, f"dot: {len(med)} edges with a median")

    if a.text:
        text = open(a.text).read()
        block = text[text.rfind("--- summary ---"):]
        result(text.count("--- summary ---") == 1, "text: one summary block")
        for key, words in TEXT.items():
            m = re.search(r"^\s+(\d+) " + re.escape(words) + r"\b", block, re.M)
            result(m is not None and int(m[1]) == s["counters"][key],
                   f"text: '{words}' {m[1] if m else None} == {s['counters'][key]}")
        m = re.search(r"^Transitions: (\d+)$", block, re.M)
        result(m is not None and int(m[1]) == len(trans), f"text: Transitions: {len(trans)}")
        for st, vals in durs.items():
            m = re.search(r"^Time in " + re.escape(st) + r": (\d+) left it", block, re.M)
            result(m is not None and int(m[1]) == len(vals),
                   f"text: Time in {st}: {len(vals)} left it")
        result(re.search(r"^\s+nsecs\s+: count\s+distribution$", block, re.M) is not None and
               re.search(r"^\s+\d+ -> \d+\s+: \d+\s+\|\*+\s*\|$", block, re.M) is not None,
               "text: bcc-style log2 histograms")
        first = text.find("--- interval ending ")
        result(first != -1 and re.search(r"-> ", text[first:]) is not None,
               "text: an interval block between the transition lines")


if __name__ == "__main__":
    main()
    sys.exit(0)
