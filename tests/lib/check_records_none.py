#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_records_none.py - --records none against the kernel and against a --records transitions
# tracer that watched the same traffic: MIB counters equal /proc/net/snmp's deltas; counters,
# transitions per pair and durations equal the reference's (percentiles within 1/8: the kernel's
# 4 sub-buckets per power of two); the text intervals add up to the reference's transitions; the
# metrics file has each pair's count; no transition, snapshot or connection record anywhere.
#
#   check_records_none.py --none F.jsonl --ref F.jsonl --stuck F.jsonl --text F --metrics F
#                         --dot F --snmp-before F --snmp-after F

import argparse
import json
import re

import tslib
from tslib import nearest_rank, snmp_tcp

MIB = {"active_opens": "ActiveOpens", "passive_opens": "PassiveOpens",
       "attempt_fails": "AttemptFails", "estab_resets": "EstabResets"}
PER_EVENT = {"transition", "snapshot", "connection"}


R = tslib.Results()
result = R.check


def records(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def one_summary(recs, who):
    s = [r for r in recs if r["type"] == "summary"]
    result(len(s) == 1, f"{who}: one summary record")
    return s[0] if s else None


def near(got, want, slack):
    """each tracer times a transition with clock reads of its own, taken apart by the other
    tracers' programs (on a busy machine, preempted between them) and, for a timewait FIN, to a
    jiffy (slack: the records' precision_ns): the none tracer's value is the reference's within
    its 1/8 precision, 1 ms and that"""
    return abs(got - want) <= want / 8 + 1000000 + slack


def check_durations(s, trans):
    durs, slack = {}, {}
    for r in trans:
        if r["dur_ns"] is not None and not r["inferred"]:
            durs.setdefault(r["oldstate"], []).append(r["dur_ns"])
            slack[r["oldstate"]] = max(slack.get(r["oldstate"], 0), r["precision_ns"])
    result(sorted(s["durations"]) == sorted(durs) and durs,
           f"none: durations for the states the reference's records left: {','.join(sorted(durs))}")
    bad = []
    for st, vals in durs.items():
        d = s["durations"].get(st)
        if not d:
            continue
        if d["count"] != len(vals) or sum(d["log2"]) != len(vals):
            bad.append(f"{st}: count {d['count']}, log2 {sum(d['log2'])} vs {len(vals)}")
        if not near(d["max_ns"], max(vals), slack[st]):
            bad.append(f"{st}: max {d['max_ns']} vs {max(vals)}")
        for p in (50, 90, 99):
            exact = nearest_rank(vals, p)
            if not near(d[f"p{p}_ns"], exact, slack[st]):
                bad.append(f"{st} p{p} {d[f'p{p}_ns']} vs {exact}")
    result(not bad, "none: durations' counts exact, max and p50/p90/p99 within 1/8 + 1 ms of "
           "the reference's records " + "; ".join(bad[:4]))


def check_text(path, ref_total):
    text = open(path).read()
    blocks = re.findall(r"^--- interval ending .*? ---$", text, re.M)
    counts = [int(m) for m in re.findall(r"^Transitions: (\d+)$", text, re.M)]
    result(len(blocks) >= 2 and len(counts) == len(blocks),
           f"text: {len(blocks)} interval blocks, each with its count")
    result(sum(counts) == ref_total, f"text: the intervals add up to the reference's "
           f"transitions ({'+'.join(map(str, counts))} == {ref_total})")


def check_metrics(path, pairs):
    got = {}
    for l in open(path):
        m = re.match(r'tcpstates_transitions_total\{from="(\w+)",to="(\w+)"\} (\d+)$', l)
        if m:
            got[m[1] + "->" + m[2]] = int(m[3])
    result(got == pairs, f"metrics: tcpstates_transitions_total for {len(got)} pairs == the "
           f"reference's {len(pairs)}")
    up = [l for l in open(path) if l.startswith("tcpstates_up ")]
    result(up == ["tcpstates_up 0\n"], "metrics: the file's last write, at exit, says up 0")


def main():
    ap = argparse.ArgumentParser()
    for k in ("none", "ref", "stuck", "text", "metrics", "dot", "snmp-before", "snmp-after"):
        ap.add_argument("--" + k, required=True)
    a = ap.parse_args()

    none, ref, stuck = records(a.none), records(a.ref), records(a.stuck)
    s, r, k = one_summary(none, "none"), one_summary(ref, "reference"), one_summary(stuck, "stuck")
    if not (s and r and k):
        return
    trans = [x for x in ref if x["type"] == "transition"]
    pairs = {}
    for x in trans:
        key = x["oldstate"] + "->" + x["newstate"]
        pairs[key] = pairs.get(key, 0) + 1
    result(len(trans) >= 40 and r["transition_lines"] == len(trans),
           f"reference: {len(trans)} transition records")

    before, after = snmp_tcp(a.snmp_before), snmp_tcp(a.snmp_after)
    for key, mib in MIB.items():
        delta = after[mib] - before[mib]
        result(s["counters"][key] == delta and delta >= 1,
               f"none: {key} {s['counters'][key]} == /proc/net/snmp {mib} delta {delta} (>= 1)")
    result(s["counters"] == r["counters"], f"none: counters == the reference's {r['counters']}")
    diff = {x: (s["transitions"].get(x), pairs.get(x)) for x in set(s["transitions"]) | set(pairs)
            if s["transitions"].get(x) != pairs.get(x)}
    result(s["transitions"] == r["transitions"] == pairs,
           f"none: transitions per pair == the reference's summary and records ({len(pairs)} "
           f"pairs) {diff or ''}")
    result(k["transitions"] == pairs and k["counters"] == r["counters"],
           "none --stuck: the same counts (its copies for the stuck tracker not counted twice)")
    check_durations(s, trans)

    for who, recs in (("none", none), ("none --stuck", stuck)):
        kinds = sorted({x["type"] for x in recs} & PER_EVENT)
        result(not kinds, f"{who}: no per-event record (found: {','.join(kinds) or 'none'})")
        result(recs[-1]["transition_lines"] == 0 and recs[-1]["snapshot_lines"] == 0,
               f"{who}: the summary counts no transition or snapshot line")
    result(s["rb_full"] == 0 and s["kernel_transitions"] > 0,
           f"none: rb_full 0, kernel_transitions {s['kernel_transitions']}")
    st = [x for x in stuck if x["type"] == "stuck"]
    result(any(x.get("state") == "CLOSE_WAIT" for x in st),
           f"none --stuck: the socket in CLOSE_WAIT reported ({len(st)} stuck records)")

    check_text(a.text, len(trans))
    check_metrics(a.metrics, pairs)
    edges = {}
    for l in open(a.dot):
        m = re.match(r'\s*"([A-Z_0-9()]+)" -> "([A-Z_0-9()]+)" \[label="(\d+)', l)
        if m:
            edges[m[1] + "->" + m[2]] = int(m[3])
    result(edges == pairs, f"none: --dot's {len(edges)} edges == the reference's transitions")


if __name__ == "__main__":
    main()
    R.done()
