#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""metrics_check.py - read Prometheus text exposition for t_metrics.sh.

  value FILE SERIES          print the value of SERIES ('name{a="x",b="y"}', labels in any
                             order) in FILE, or nothing
  reader PATH STOP           read PATH in a tight loop until the file STOP exists; print one
                             JSON line: reads, distinct files seen (inodes), bad reads
  same FILE1 FILE2           ok/not ok: every tcpstates_ sample of FILE1 is in FILE2 with the
                             same value, and no other
  pairs FILE JSONL           ok/not ok: tcpstates_transitions_total equals the transition
                             records the tracer printed, pair by pair
"""
import json
import os
import re
import sys
import time

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def key(name, labels):
    # a bucket bound is a float however it is written ("0.000001023", "1.023e-06")
    labels = [(k, repr(float(v)) if k == "le" else v) for k, v in labels]
    return name + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels)) + "}"


def parse(text):
    """{series key: float} of the sample lines"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("not a sample line: %r" % line)
        labels = LABEL.findall(m.group(3) or "")
        out[key(m.group(1), labels)] = float(m.group(4))
    return out


def series_key(text):
    m = SAMPLE.match(text + " 0")
    return key(m.group(1), LABEL.findall(m.group(3) or ""))


def say(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    return cond


def cmd_value(path, series):
    v = parse(open(path).read()).get(series_key(series))
    if v is not None:
        print("%d" % v if v == int(v) else v)


def complete(data):
    """a whole file: ends in a newline, parses, its last family is there"""
    if not data.endswith(b"\n") or b"\ntcpstates_info{" not in data:
        return False
    try:
        parse(data.decode())
    except ValueError:
        return False
    return True


def cmd_reader(path, stop):
    reads, bad, inodes, first_bad = 0, 0, set(), None
    end = time.time() + 120
    while not os.path.exists(stop) and time.time() < end:
        try:
            with open(path, "rb") as f:
                inodes.add(os.fstat(f.fileno()).st_ino)
                data = f.read()
        except FileNotFoundError:
            continue
        reads += 1
        if not complete(data):
            bad += 1
            first_bad = first_bad or data[-200:].decode(errors="replace")
    print(json.dumps({"reads": reads, "files": len(inodes), "bad": bad, "first_bad": first_bad}))


def tcpstates(path):
    return {k: v for k, v in parse(open(path).read()).items() if k.startswith("tcpstates_")}


def cmd_same(a, b):
    x, y = tcpstates(a), tcpstates(b)
    diff = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
    say(x and not diff, "%d tcpstates_ series, all with the same values in both%s"
        % (len(x), "" if not diff else ": differ " + "; ".join(
            "%s %s/%s" % (k, x.get(k), y.get(k)) for k in diff[:5])))


def cmd_pairs(path, jsonl):
    want = {}
    for line in open(jsonl):
        r = json.loads(line)
        if r.get("type") == "transition":
            k = key("tcpstates_transitions_total",
                    [("from", r["oldstate"]), ("to", r["newstate"])])
            want[k] = want.get(k, 0) + 1
    got = {k: v for k, v in tcpstates(path).items()
           if k.startswith("tcpstates_transitions_total{")}
    diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    say(want and not diff, "the final file's %d transition pairs (%d transitions) are the "
        "records printed%s" % (len(got), sum(got.values()), "" if not diff else ": differ " +
                              "; ".join("%s file %s printed %s" % (k, got.get(k), want.get(k))
                                        for k in diff[:5])))


if __name__ == "__main__":
    cmds = {"value": cmd_value, "reader": cmd_reader, "same": cmd_same, "pairs": cmd_pairs}
    cmds[sys.argv[1]](*sys.argv[2:])
