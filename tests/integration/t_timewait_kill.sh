#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_timewait_kill: a timewait minisocket killed right after a silent FIN_WAIT2 -> TIME_WAIT, before
# the periodic look (--timewait-period 30) can find the change. With the default tcp_fin_timeout
# (60 s, as long as TIME_WAIT) an orphan's FIN_WAIT2 minisocket whose peer's FIN comes within the
# same jiffy is re-armed for the very expiry it had: no timer tracepoint at all, and the kill's
# timer_cancel looks like the cancel before a re-arm. The server ACKs the client's FIN at once
# (TCP_QUICKACK) and closes right after, so ACK and FIN come separately, microseconds apart.
# (k) Three clients in the namespace, deleted 0.3 s later: each gives FIN_WAIT2 -> TIME_WAIT, dated
#     within its precision_ns (+1 ms) of the server's CLOSE_WAIT -> LAST_ACK, then TIME_WAIT ->
#     CLOSE "netns_exit" whose dur_ns is the time since that line; at least one was found at the
#     kill (precision_ns > 0).
# (r) First, one client whose TIME_WAIT an in-window reset kills 0.3 s after the FIN (tests/lib/twrst.py):
#     FIN_WAIT2 -> TIME_WAIT, then TIME_WAIT -> CLOSE. Its reason is "unknown" after an identical-
#     expiry re-arm (no stack walk is made on that cancel, which every re-arm from FIN_WAIT2
#     passes), "reset_received" after a re-arm that moved the expiry (the jiffy ticked between
#     ACK and FIN); either way the FIN_WAIT2 -> TIME_WAIT line is there.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

NS_K="tsc-$$-twk"
ip netns add "$NS_K" && TS_NETNS+=("$NS_K") && ip -n "$NS_K" link set lo up ||
	{ not_ok "namespace set up"; finish; }
check "tcp_fin_timeout is 60 in the namespace" \
	[ "$(ip netns exec "$NS_K" sysctl -n net.ipv4.tcp_fin_timeout)" = 60 ]
NETNS_K_INO=$(stat -L -c %i "/run/netns/$NS_K")

# only this namespace: the checks filter by ports too (an inode number is reused once it is gone)
launch_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --no-snapshot --timewait-period 30 \
	--netns "$NETNS_K_INO"
TJ=$TRACER_PID
wait_tracer_ready "$TJ" "$TS_TMP/err" 20 || { not_ok "tracer starts"; finish; }

# (r) the client closes after 1 s; twrst resets its TIME_WAIT 0.3 s after the server's FIN
start_server "$NS_K" "$TS_TMP/r.srv" --addr 127.0.0.1 --ack-now || { not_ok "server (r) listens"; finish; }
R_SRV=$SRV_PID R_SPORT=$SRV_PORT
app "$NS_K" "$TS_TMP/r.cli" client --addr 127.0.0.1 --port "$R_SPORT" --sleep 1
R_CLI=$APP_PID
wait_for_grep "$TS_TMP/r.cli" '"connected"' 10 || { not_ok "client (r) connects"; finish; }
R_CPORT=$(json_field "$TS_TMP/r.cli" connected lport)
ip netns exec "$NS_K" "$TS_PY" "$TS_LIB/twrst.py" --local 127.0.0.1 --lport "$R_CPORT" \
	--peer 127.0.0.1 --pport "$R_SPORT" --ready-file "$TS_TMP/r.ready" >"$TS_TMP/r.rst" 2>&1 &
R_RST=$!
TS_HELPERS+=("$R_RST")
wait_pid "$R_CLI" 10
wait_pid "$R_SRV" 10
wait_pid "$R_RST" 10
check "(r) twrst saw the FIN and sent the reset" grep -q '"rst_sent"' "$TS_TMP/r.rst"

# (k) three clients one after the other, then the namespace goes 0.3 s after the last close
start_server "$NS_K" "$TS_TMP/k.srv" --addr 127.0.0.1 --ack-now --count 3 ||
	{ not_ok "server (k) listens"; finish; }
K_SRV=$SRV_PID K_SPORT=$SRV_PORT
K_CPORTS=()
for i in 1 2 3; do
	app "$NS_K" "$TS_TMP/k$i.cli" client --addr 127.0.0.1 --port "$K_SPORT" --sleep 0.1
	wait_pid "$APP_PID" 10
	K_CPORTS+=("$(json_field "$TS_TMP/k$i.cli" connected lport)")
done
wait_pid "$K_SRV" 10
sleep 0.3
ip netns del "$NS_K"

# the kills are reported TS_TW_KILL_NS (10 ms) after them, at the loader's next turn
sleep 0.5
stop_tracer "$TJ"
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$NETNS_K_INO" "$K_SPORT" "${K_CPORTS[*]}" \
	"$R_SPORT" "$R_CPORT" <<'PY'
import sys, tslib
path, k_ino, k_s, k_cs, r_s, r_c = sys.argv[1:]
k_s, r_s, r_c = int(k_s), int(r_s), int(r_c or -1)
k_cs = [int(x) for x in k_cs.split() if x]
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, "every output line is a JSON object", "bad lines: %r" % bad[:5])
HEAD = tslib.names("client-fin-wait2")
WANT = HEAD + ["FIN_WAIT2->TIME_WAIT", "TIME_WAIT->CLOSE"]

def one(lst, old, new):
    got = [r for r in lst if r["oldstate"] == old and r["newstate"] == new]
    return got[0] if len(got) == 1 else None

def client(what, ino, sport, cport):
    """the client's lines, checked; (FIN_WAIT2->TIME_WAIT, TIME_WAIT->CLOSE) or (None, None)"""
    # by namespace AND ports: namespace inode numbers are reused once a namespace is gone
    socks = tslib.sockets(tslib.transitions(recs, netns={int(ino)}, ports={sport}))
    keys = tslib.find(socks, cport, sport)
    if not R.check(len(keys) == 1, "%s: one client socket %d->%d" % (what, cport, sport),
                   tslib.describe(socks)):
        return None, None
    s = socks[keys[0]]
    if not R.eq(tslib.seq(s), WANT, "%s: FIN_WAIT2->TIME_WAIT, then TIME_WAIT->CLOSE" % what):
        return None, None
    fin, end = one(s, "FIN_WAIT2", "TIME_WAIT"), one(s, "TIME_WAIT", "CLOSE")
    R.check(fin.get("reason") is None, "%s: reason null on FIN_WAIT2->TIME_WAIT" % what)
    p = fin.get("precision_ns")
    R.check(isinstance(p, int) and 0 <= p <= 10000000,
            "%s: FIN_WAIT2->TIME_WAIT precision_ns one jiffy at most (%r)" % (what, p))
    f2 = one(s, "FIN_WAIT1", "FIN_WAIT2")
    R.check(fin.get("dur_ns") == fin["ts_ns"] - f2["ts_ns"],
            "%s: FIN_WAIT2->TIME_WAIT dur_ns %r is the time since FIN_WAIT1->FIN_WAIT2 (%d)"
            % (what, fin.get("dur_ns"), fin["ts_ns"] - f2["ts_ns"]))
    R.check(end.get("dur_ns") == end["ts_ns"] - fin["ts_ns"],
            "%s: TIME_WAIT->CLOSE dur_ns %r is the time since FIN_WAIT2->TIME_WAIT (%d)"
            % (what, end.get("dur_ns"), end["ts_ns"] - fin["ts_ns"]))
    R.eq(end.get("precision_ns"), 0, "%s: TIME_WAIT->CLOSE precision_ns 0" % what)
    # the server's FIN: its CLOSE_WAIT -> LAST_ACK
    srv = [r for k in tslib.find(socks, sport, cport) for r in socks[k]
           if r["oldstate"] == "CLOSE_WAIT" and r["newstate"] == "LAST_ACK"]
    if R.check(len(srv) == 1, "%s: the server's CLOSE_WAIT->LAST_ACK seen" % what):
        d = abs(fin["ts_ns"] - srv[0]["ts_ns"])
        R.check(d <= (p or 0) + 1000000, "%s: FIN_WAIT2->TIME_WAIT dated %d ns from the server's "
                "FIN (precision_ns %r + 1 ms)" % (what, d, p))
    return fin, end

found = 0
R.eq(len(k_cs), 3, "(k) three client ports")
for i, c in enumerate(k_cs):
    fin, end = client("(k) client %d" % (i + 1), k_ino, k_s, c)
    if end:
        R.eq(end.get("reason"), "netns_exit", "(k) client %d: TIME_WAIT->CLOSE netns_exit" % (i + 1))
        found += fin.get("precision_ns", 0) > 0
print("# (k): %d of 3 FIN_WAIT2 -> TIME_WAIT found at the kill (silent re-arm)" % found)
R.check(found >= 1, "(k) at least one silent re-arm found at the kill (%d of 3)" % found)

fin, end = client("(r)", k_ino, r_s, r_c)
if end:
    print("# (r): FIN_WAIT2->TIME_WAIT precision_ns %r, TIME_WAIT->CLOSE reason %r"
          % (fin.get("precision_ns"), end.get("reason")))
    R.check(end.get("reason") in ("unknown", "reset_received"),
            "(r) TIME_WAIT->CLOSE reason unknown (identical expiry) or reset_received (got %r)"
            % end.get("reason"))
R.done()
PY
validate_json "$TS_TMP/out.jsonl"
finish
