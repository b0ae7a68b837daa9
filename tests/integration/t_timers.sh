#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_timers: the snapshot's "timer" is the one netstat -o and ss -o show. Sockets made before the
# tracer starts (tests/lib/timerapp.py, one namespace, tcp_fin_timeout 30): a client with
# SO_KEEPALIVE and TCP_KEEPIDLE 600 s -> keepalive, 0 < expires_in_ns <= 600 s, retries 0; a plain
# connection and a listener -> off; a TIME_WAIT -> timewait, 0 < left <= 60 s; an orphan's
# FIN_WAIT2 minisocket -> timewait, 0 < left <= 30 s. The transitions that follow have no "timer"
# member. With --timers the text lines carry the same in a TIMER column; a transition "-".
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup timers || { not_ok "namespaces set up"; finish; }
ip netns exec "$NS_S" sysctl -q -w net.ipv4.tcp_fin_timeout=30 >/dev/null ||
	{ not_ok "tcp_fin_timeout 30 in the namespace"; finish; }
GO="$TS_TMP/go"
ip netns exec "$NS_S" "$TS_PY" "$TS_LIB/timerapp.py" "$GO" 60 >"$TS_TMP/app" 2>"$TS_TMP/app.err" &
APP=$!
TS_HELPERS+=("$APP")
wait_for_grep "$TS_TMP/app" '"ready"' 10 || { not_ok "timerapp ready"; finish; }
ss_line=$(ip netns exec "$NS_S" ss -tano 2>&1)

launch_tracer "$TS_TMP/json.out" "$TS_TMP/json.err" -j --netns "$NETNS_S_INO"
TJ=$TRACER_PID
launch_tracer "$TS_TMP/text.out" "$TS_TMP/text.err" --timers --netns "$NETNS_S_INO"
TT=$TRACER_PID
wait_tracer_ready "$TJ" "$TS_TMP/json.err" 20 || { not_ok "JSON tracer ready"; finish; }
wait_tracer_ready "$TT" "$TS_TMP/text.err" 20 || { not_ok "text tracer ready"; finish; }
wait_for_grep "$TS_TMP/json.out" '"type":"snapshot"' 10
wait_for_grep "$TS_TMP/text.out" '-> LISTEN' 10
sleep 0.3
touch "$GO"
wait_pid "$APP" 15
sleep 0.5
for t in "$TJ" "$TT"; do
	stop_tracer "$t"
	check "tracer $t exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done

run_checks "$TS_PY" - "$TS_TMP/app" "$TS_TMP/json.out" "$TS_TMP/text.out" <<'PY'
import json, re, sys

app = json.loads(open(sys.argv[1]).readline())
recs = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
text = open(sys.argv[3]).read().splitlines()
P, S = app["port"], 10**9


def report(name, probs):
    print(("not ok - " if probs else "ok - ") + name)
    for p in probs:
        print("#   " + p)


def snap(lport, rport):
    m = [r for r in recs if r["type"] == "snapshot" and r["lport"] == lport and r["rport"] == rport]
    return m[0] if len(m) == 1 else {"timer": "%d records" % len(m)}


def want(name, lport, rport, kind, most_s):
    t = snap(lport, rport)["timer"]
    probs = []
    if most_s is None:
        if t != {"kind": "off", "expires_in_ns": None, "retries": None}:
            probs.append("got %r" % (t,))
    elif not isinstance(t, dict) or t.get("kind") != kind or t.get("retries") != 0 or \
            not isinstance(t.get("expires_in_ns"), int) or not 0 < t["expires_in_ns"] <= most_s * S:
        probs.append("want kind %s, 0 < expires_in_ns <= %d s, retries 0; got %r" % (kind, most_s, t))
    report("snapshot: %s: timer %s%s" % (name, kind, "" if most_s is None else
                                          " in (0, %d s]" % most_s), probs)


want("listener", P, 0, "off", None)
want("keepalive client (TCP_KEEPIDLE 600)", app["ka"], P, "keepalive", 600)
want("its accepted socket", P, app["ka"], "off", None)
want("plain client", app["plain"], P, "off", None)
want("TIME_WAIT client", app["tw"], P, "timewait", 60)
want("orphan's FIN_WAIT2 (tcp_fin_timeout 30)", app["fw2"], P, "timewait", 30)
want("its peer in CLOSE_WAIT", P, app["fw2"], "off", None)
st = snap(app["fw2"], P).get("newstate"), snap(app["tw"], P).get("newstate")
report("the minisockets are FIN_WAIT2 and TIME_WAIT (got %s, %s)" % st,
       [] if st == ("FIN_WAIT2", "TIME_WAIT") else ["states"])

tr = [r for r in recs if r["type"] == "transition" and app["plain"] in (r["lport"], r["rport"])]
report("the plain connection's close is traced (%d transitions), none has a timer" % len(tr),
       ([] if tr else ["no transition"]) + ["%r" % r for r in tr if "timer" in r])

# text: TIMER after MS, netstat -o's form in one token; "-" on a transition
head = [l for l in text if l.startswith("TIME ")]
report("--timers: header has TIMER between MS and REASON",
       [] if head and re.search(r" MS +TIMER +REASON$", head[0]) else ["header %r" % head])


def cell(lport, rport, state):
    for l in text:
        f = l.split()
        if len(f) >= 10 and f[4] == str(lport) and f[6] == str(rport) and f[7] == "->" and \
                f[8] == state:
            return f[10]	# TIME PID COMM LADDR LPORT RADDR RPORT -> STATE MS TIMER
    return None


def secs(c, kind):
    m = re.fullmatch(kind + r"\((-?\d+\.\d\d)/(\d+)\)", c or "")
    return (float(m.group(1)), int(m.group(2))) if m else None


rows = [("keepalive client", app["ka"], P, "ESTABLISHED", "keepalive", 600),
        ("TIME_WAIT client", app["tw"], P, "TIME_WAIT", "timewait", 60),
        ("orphan's FIN_WAIT2", app["fw2"], P, "FIN_WAIT2", "timewait", 30),
        ("listener", P, 0, "LISTEN", "off", None),
        ("plain client", app["plain"], P, "ESTABLISHED", "off", None)]
for name, lp, rp, state, kind, most in rows:
    c = cell(lp, rp, state)
    if most is None:
        ok = c == "off"
    else:
        v = secs(c, kind)
        ok = v is not None and 0 < v[0] <= most and v[1] == 0
    report("--timers: %s -> %s" % (name, c), [] if ok else ["want %s%s" % (
        kind, "" if most is None else "(S/0) with 0 < S <= %d" % most)])
# a transition: TIME PID COMM LADDR LPORT RADDR RPORT OLD -> NEW MS TIMER [REASON]
trl = [l.split() for l in text if str(app["plain"]) in l.split()[4:7:2] and "->" in l.split()]
trl = [f for f in trl if f[7] != "->"]
report("--timers: a transition's TIMER is '-' (%d lines)" % len(trl),
       [" ".join(f) for f in trl if len(f) < 12 or f[11] != "-"] if trl else ["no transition"])
PY
validate_json "$TS_TMP/json.out"
[ "$TS_FAILED" = 0 ] || diag "ss -tano before the tracer: $ss_line"
finish
