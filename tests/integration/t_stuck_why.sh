#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_stuck_why: the evidence of a stuck report, and its rollup. In a namespace (tcp_fin_timeout
# 60), tests/lib/stuckwhy.py first leaves a CLOSE_WAIT and a leak (300 connections from 127.0.0.2
# a server never reads or closes); 20 s later `tcpstates-c -j --stuck 5` starts: the old sockets
# are older than --stuck by the kernel's own timestamps, so the first round reports them at once,
# the old CLOSE_WAIT with its age estimated (20 s +- 1 s), the leak as one stuck_summary with
# count 300 and 3 reports (--stuck-detail's default). Then, traced, a server's accepted sockets
# go to CLOSE_WAIT each for one reason: 100 bytes never read (data_unread), read to the end of
# file and kept (eof_read_not_closed), held only by a forked child asleep (inherited: the server
# used it, then forked and closed it), SO_KEEPALIVE (keepalive timer); the peers of the first
# three are orphans in FIN_WAIT2 (timewait timer). Their reports at 5 s must carry the exact
# unread_bytes / eof_read / holders (the child with its real fd and its thread asleep) / timer /
# diagnosis and both ages. A text tracer says the same in words.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

NS="tsc-$$-why"
ip netns add "$NS" && TS_NETNS+=("$NS") && ip -n "$NS" link set lo up &&
	ip -n "$NS" addr add 127.0.0.2/8 dev lo 2>/dev/null;
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=60 || { not_ok "namespace set up"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS")
N_LEAK=300
PORT=10060
OLD_PORT=10062
LEAK_PORT=10061
FACTS=$TS_TMP/facts

# app ROLE ARGS...: one side of stuckwhy.py in the namespace
app_start() {
	ip netns exec "$NS" "$TS_PY" "$TS_LIB/stuckwhy.py" "$@" 2>"$TS_TMP/$1.err" &
	TS_HELPERS+=("$!")
}
# until something listens on PORT in the namespace and FILES... exist (<= 20 s)
wait_for() {
	local port=$1 i f all
	shift
	for i in $(seq 200); do
		all=1
		for f in "$@"; do [ -s "$f" ] || all=; done
		[ -n "$all" ] && ip netns exec "$NS" ss -Hltn "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
app_start old-server $OLD_PORT $LEAK_PORT $N_LEAK "$FACTS"
wait_for $LEAK_PORT || { not_ok "old server listens"; finish; }
app_start old-client $OLD_PORT $LEAK_PORT $N_LEAK "$FACTS"
if ! wait_for $LEAK_PORT "$FACTS.old-server" "$FACTS.old-client"; then
	not_ok "the old CLOSE_WAIT and the leak are set up"
	diag "$(cat "$TS_TMP"/*.err)"
	finish
fi
diag "$(ip netns exec "$NS" ss -tan | awk 'NR > 1 {print $1}' | sort | uniq -c)"

# 20 s after the old client closed: the old CLOSE_WAIT is that old when the tracer starts
CLOSED=$("$TS_PY" -c "import json, sys; print(json.load(open(sys.argv[1]))['closed'])" "$FACTS.old-client")
sleep "$("$TS_PY" -c "import sys, time; print(max(0, float(sys.argv[1]) + 20 - time.time()))" "$CLOSED")"
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j -v --stuck 5 -d 10 --netns "$NS_INO" ||
	{ not_ok "tracer starts"; finish; }
TJ=$TRACER_PID
start_tracer "$TS_TMP/out.txt" "$TS_TMP/txt.err" --stuck 5 -d 10 --netns "$NS_INO" ||
	{ not_ok "text tracer starts"; finish; }
TT=$TRACER_PID
start_tracer "$TS_TMP/d0.jsonl" "$TS_TMP/d0.err" -j --stuck 5 --stuck-detail 0 -d 10 --netns "$NS_INO" ||
	{ not_ok "tracer with --stuck-detail 0 starts"; finish; }
T0=$TRACER_PID
start_tracer "$TS_TMP/dall.jsonl" "$TS_TMP/dall.err" -j --stuck 5 --stuck-detail all -d 10 \
	--netns "$NS_INO" || { not_ok "tracer with --stuck-detail all starts"; finish; }
TA=$TRACER_PID

# the four reasons, traced
app_start server $PORT "$FACTS"
wait_for $PORT || { not_ok "server listens"; finish; }
app_start client $PORT "$FACTS"
if ! wait_for $PORT "$FACTS.server" "$FACTS.client"; then
	not_ok "the four CLOSE_WAITs are set up"
	diag "$(cat "$TS_TMP"/*.err)"
	finish
fi
for t in "$TJ" "$TT" "$T0" "$TA"; do
	wait_pid "$t" 20
	check "tracer $t ends by itself (-d 10) with status 0 (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
done
diag "$(grep -- '--stuck' "$TS_TMP/err")"
check "no seccomp refusal" bash -c "! grep -q 'Operation not permitted\|Bad system call' '$TS_TMP/err' '$TS_TMP/txt.err'"

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$TS_TMP/out.txt" "$FACTS" $PORT $OLD_PORT $LEAK_PORT \
	$N_LEAK "$TS_TMP/d0.jsonl" "$TS_TMP/dall.jsonl" <<'PY'
import json, sys
from datetime import datetime
out, txt, facts = sys.argv[1:4]
port, old_port, leak_port, n_leak = map(int, sys.argv[4:8])
d0, dall = ([json.loads(l) for l in open(f)] for f in sys.argv[8:10])
srv, cli, osrv, ocli = (json.load(open(facts + x)) for x in (".server", ".client", ".old-server",
                                                               ".old-client"))
def at(r):
    return datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp()
recs = [json.loads(l) for l in open(out)]
stuck = [r for r in recs if r["type"] == "stuck"]
sums = [r for r in recs if r["type"] == "stuck_summary"]
def say(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
for r in sums:
    print("# summary pid %s %s %s:%s count %d detailed %d oldest %.1f s %s" % (r["pid"], r["state"],
          r["raddr"], r["rport"], r["count"], r["detailed"], r["oldest_age_ns"] / 1e9, r["diagnoses"]))
def first(kind):
    rs = [r for r in stuck if r["state"] == "CLOSE_WAIT" and r["lport"] == port
          and r["rport"] == srv["ports"][kind]]
    return rs[0] if rs else None
def both_ages(r, what, recv_want):
    say(r["last_recv_ago_ns"] is not None and abs(r["last_recv_ago_ns"] / 1e9 - recv_want) <= 1 and
        r["last_send_ago_ns"] is not None and r["last_send_ago_ns"] >= 0,
        "%s: both ages: last_recv_ago %s s (want %.2f +- 1), last_send_ago %s s" %
        (what, r["last_recv_ago_ns"] is not None and r["last_recv_ago_ns"] / 1e9, recv_want,
         r["last_send_ago_ns"] is not None and r["last_send_ago_ns"] / 1e9))
# the old CLOSE_WAIT: in the first round, its age estimated from when the peer's FIN came
old = [r for r in stuck if r["state"] == "CLOSE_WAIT" and r["lport"] == old_port]
t0 = min(at(r) for r in stuck) if stuck else 0
say(len(old) == 1, "the old CLOSE_WAIT reported once (got %d)" % len(old))
if old:
    r, want = old[0], at(old[0]) - ocli["closed"]
    print("# old: %s" % json.dumps({k: r[k] for k in r if k not in ("type", "sock")}))
    say(at(r) - t0 < 0.5, "old: reported in the first round")
    say(r["since_exact"] is False and r["age_estimated"] is True and abs(r["age_ns"] / 1e9 - want) <= 1,
        "old: age estimated %.2f s, want %.2f s +- 1 (since_exact false, age_estimated true)"
        % (r["age_ns"] / 1e9, want))
    both_ages(r, "old", want)
    say(r["diagnosis"] == "eof_read_not_closed" and r["holders"][0]["pid"] == osrv["pid"] and
        r["holders"][0]["fds"] == [osrv["fd"]],
        "old: eof_read_not_closed, held by the old server's fd %d" % osrv["fd"])
# the rollup: the leak is one group of 300 with 3 reports, in the first round
leak = [s for s in sums if s["state"] == "CLOSE_WAIT" and s["raddr"] == "127.0.0.2"]
say(len(leak) == 1 and leak[0]["count"] == n_leak and leak[0]["detailed"] == 3 and
    leak[0]["pid"] == osrv["pid"] and leak[0]["lport"] == leak_port and leak[0]["rport"] is None and
    leak[0]["diagnoses"] == {"eof_unread": n_leak},
    "the leak: one stuck_summary, count %d, 3 detailed, the server's, lport %d, diagnoses "
    "eof_unread %d" % (n_leak, leak_port, n_leak))
lr = [r for r in stuck if r["state"] == "CLOSE_WAIT" and r["lport"] == leak_port]
say(len(lr) == 3, "the leak: exactly 3 stuck records (got %d)" % len(lr))
say(leak and lr and max(r["age_ns"] for r in lr) == leak[0]["oldest_age_ns"] and
    all(r["time"] == leak[0]["time"] for r in lr), "the leak: its records are its oldest, of its round")
say(len(sums) == len({(s["pid"], s["state"], s["raddr"], s["time"]) for s in sums}),
    "one summary per round, process, state and peer")
# the four reasons, seen from their transitions: exact ages
for kind in ["unread", "eof", "forked", "keepalive"]:
    r = first(kind)
    say(r is not None, "%s: its CLOSE_WAIT reported" % kind)
    if not r:
        continue
    print("# %s: %s" % (kind, json.dumps({k: r[k] for k in r if k not in ("type", "sock")})))
    say(r["since_exact"] is True and r["age_estimated"] is False and 5e9 <= r["age_ns"] < 6.5e9,
        "%s: age %.2f s, exact" % (kind, r["age_ns"] / 1e9))
    both_ages(r, kind, r["age_ns"] / 1e9)
    timer = r["timer"]
    if kind == "keepalive":
        say(timer["kind"] == "keepalive" and 590e9 <= timer["expires_in_ns"] <= 600e9,
            "keepalive: timer keepalive, %.1f s left of 600 (%s)" % (timer["expires_in_ns"] / 1e9, timer))
    else:
        say(timer["kind"] == "off", "%s: timer off (%s)" % (kind, timer))
want = {
    "unread": (100, False, "data_unread", [srv["pid"]]),
    "eof": (0, True, "eof_read_not_closed", [srv["pid"]]),
    "forked": (0, False, "inherited", [srv["child"]]),
    "keepalive": (0, False, "eof_unread", [srv["pid"]]),
}
for kind, (unread, eof, dx, holders) in want.items():
    r = first(kind)
    if not r:
        continue
    say(r["unread_bytes"] == unread and r["eof_read"] is eof,
        "%s: unread_bytes %s (want %d), eof_read %s (want %s)" % (kind, r["unread_bytes"], unread,
                                                                  r["eof_read"], eof))
    say(r["diagnosis"] == dx, "%s: diagnosis %s (want %s)" % (kind, r["diagnosis"], dx))
    say([h["pid"] for h in r["holders"]] == holders and r["holders_total"] == 1,
        "%s: held by %s (want %s)" % (kind, [h["pid"] for h in r["holders"]], holders))
    h = r["holders"][0] if r["holders"] else {}
    fds = sorted([srv["fds"][kind], srv["dup"]]) if kind == "unread" else [srv["fds"][kind]]
    say(h.get("fd") == fds[0] and h.get("fds") == fds and h.get("fds_total") == len(fds),
        "%s: through fds %s (want %s)" % (kind, h.get("fds"), fds))
    th = h.get("threads") or []
    say(h.get("threads_total") == 1 and len(th) == 1 and th[0]["tid"] == holders[0] and
        th[0]["state"] == "S" and th[0]["syscall"] == "clock_nanosleep",
        "%s: the holder's one thread, asleep in clock_nanosleep (%s)" % (kind, th))
r = first("forked")
say(r and r["pid"] == srv["child"] and r["owner"] == "holder",
    "forked: the report names the child, the holder (pid %s, owner %s)" % (r and r["pid"], r and r["owner"]))
# the keepalive one closed 0.2 s after the others: its first report comes in a round of its own,
# a group of one, without a summary; unread and eof are one group of two
own = [s for s in sums if s["state"] == "CLOSE_WAIT" and s["lport"] == port and s["pid"] == srv["pid"]]
say(len(own) == 1 and own[0]["count"] == 2 and own[0]["detailed"] == 2 and own[0]["raddr"] == "127.0.0.1"
    and own[0]["diagnoses"] == {"data_unread": 1, "eof_read_not_closed": 1},
    "the server's unread and eof CLOSE_WAITs: one summary of 2, both detailed, their diagnoses")
say(not [s for s in sums if s["count"] == 1], "no summary for a group of one")
# --stuck-detail 0: summaries only, the lone sockets' too; all: every leaked socket reported
say(d0 and not [r for r in d0 if r["type"] == "stuck"] and
    sorted(s["count"] for s in d0 if s["type"] == "stuck_summary" and s["lport"] == old_port) == [1] and
    [s["count"] for s in d0 if s["type"] == "stuck_summary" and s["raddr"] == "127.0.0.2"] == [n_leak] and
    all(s["detailed"] == 0 for s in d0 if s["type"] == "stuck_summary"),
    "--stuck-detail 0: no stuck record, a summary for every group (one for the old socket alone)")
say(len([r for r in dall if r["type"] == "stuck" and r["lport"] == leak_port]) == n_leak and
    [s["detailed"] for s in dall if s["type"] == "stuck_summary" and s["raddr"] == "127.0.0.2"] == [n_leak],
    "--stuck-detail all: all %d leaked sockets reported, the summary says so" % n_leak)
# the client's orphans: minisockets, their timer the time fin_timeout (60 s) leaves them
orph = [r for r in stuck if r["state"] == "FIN_WAIT2" and r["rport"] == port and r["holders"] == []]
say(len(orph) == 3, "the three orphaned FIN_WAIT2 reported (got %d)" % len(orph))
for r in orph:
    left = 60 - (at(r) - cli["closed"])
    say(r["timer"]["kind"] == "timewait" and abs(r["timer"]["expires_in_ns"] / 1e9 - left) <= 1.5 and
        r["diagnosis"] == "peer_silent" and r["unread_bytes"] is None and r["eof_read"] is None,
        "orphan :%d: timer timewait, %.1f s left (want %.1f +- 1.5), peer_silent (%s)" %
        (r["lport"], r["timer"]["expires_in_ns"] / 1e9, left, r["timer"]))
# text says it in words
lines = open(txt).read().splitlines()
print("# " + "\n# ".join(l for l in lines if " STUCK " in l or " SUMMARY " in l))
def line(kind):
    return [l for l in lines if " STUCK " in l and " %d " % srv["ports"][kind] in l]
say(any("data unread (100 bytes)" in l and "held by %d/python3 fd %s (" % (srv["pid"],
        ",".join(map(str, sorted([srv["fds"]["unread"], srv["dup"]])))) in l
        for l in line("unread")), "text: unread: data unread (100 bytes), held by the server and its fd")
say(any("end of file read, not closed" in l for l in line("eof")), "text: eof: end of file read, not closed")
say(any("no timer, ends only at close()" in l for l in line("eof")) and
    not any("no timer" in l for l in line("keepalive")),
    "text: a CLOSE_WAIT without a timer says it ends only at close(); the keepalive one does not")
say(any("other than its owner %d" % srv["pid"] in l and "(threads: 1 clock_nanosleep)" in l
        for l in line("forked")), "text: forked: held by another than its owner, its thread in clock_nanosleep")
say(any(" SUMMARY " in l and "300 sockets (3 shown): 300 eof_unread" in l for l in lines),
    "text: the leak's summary line")
PY
validate_json "$TS_TMP/out.jsonl"
finish
