#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_timewait_ends: how timewait minisockets move on where no timer tracepoint says so, and what
# ends them early.
# (f) The silent re-arm: with the default tcp_fin_timeout (60 s, as long as TIME_WAIT) an orphan's
#     FIN_WAIT2 minisocket whose peer's FIN comes within about a second is usually re-armed in
#     the same timer wheel bucket, without a trace. Three such clients (the server in the other
#     namespace closes 0.05-0.3 s after them, so nearly always that way): each FIN_WAIT2 ->
#     TIME_WAIT must be in the output within --timewait-period (1 s by default) + 1 s of the
#     server's close, dated within its precision_ns (one jiffy, at most 10 ms) of the server's
#     CLOSE_WAIT -> LAST_ACK, and at least one must have been found that way (precision_ns > 0).
# (g) A reset sent: the server writes to the orphan after its FIN_WAIT2 handoff; the minisocket
#     answers with a reset and dies: FIN_WAIT2 -> CLOSE "reset_sent" (tcp_timewait_socket),
#     the server's CLOSE_WAIT -> CLOSE "reset_received".
# (h) A reset received: an in-window RST (tests/lib/twrst.py) kills a TIME_WAIT 0.3 s after the
#     server's FIN: TIME_WAIT -> CLOSE "reset_received" with its duration.
# (i) An orphan older than the tracer: a second tracer started while it waits in FIN_WAIT2 lists
#     it in its snapshot ("-> FIN_WAIT2") and, when the server closes 3 s later, reports
#     FIN_WAIT2 -> TIME_WAIT within the period + 1 s, dated to a jiffy, its duration unknown.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup twe || { not_ok "namespaces set up"; finish; }
check "tcp_fin_timeout is 60 in the namespace of (f)'s clients" \
	[ "$(ip netns exec "$NS_S" sysctl -n net.ipv4.tcp_fin_timeout)" = 60 ]
check "tcp_rfc1337 is 0 in the namespace of (h)'s client" \
	[ "$(ip netns exec "$NS_C" sysctl -n net.ipv4.tcp_rfc1337)" = 0 ]

launch_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --no-snapshot
TJ=$TRACER_PID
wait_tracer_ready "$TJ" "$TS_TMP/err" 20 || { not_ok "tracer starts"; finish; }

# (f) clients in the server namespace (tcp_fin_timeout 60), the server in the other one
start_server "$NS_C" "$TS_TMP/f.srv" --addr "$ADDR4_C" --count 3 --hold 0.05 ||
	{ not_ok "server (f) listens"; finish; }
F_SRV=$SRV_PID F_SPORT=$SRV_PORT
F_CPORTS=()
for i in 1 2 3; do
	app "$NS_S" "$TS_TMP/f$i.cli" client --addr "$ADDR4_C" --port "$F_SPORT" --sleep 0.1
	wait_pid "$APP_PID" 10
	F_CPORTS+=("$(json_field "$TS_TMP/f$i.cli" connected lport)")
done
wait_pid "$F_SRV" 10
# the last close was just now: every FIN_WAIT2 -> TIME_WAIT must be out within the period + 1 s
wait_for_count "$TS_TMP/out.jsonl" \
	"\"oldstate\":\"FIN_WAIT2\",\"newstate\":\"TIME_WAIT\".*\"netns\":$NETNS_S_INO," 3 2
check "(f) 3 FIN_WAIT2 -> TIME_WAIT lines within 2 s of the server's last close (got $COUNT)" \
	[ "$COUNT" -ge 3 ]

# (g) the server replies to the orphan's FIN with data after 0.5 s
basic_connection 4 "$TS_TMP/g" --hold 0.5 --reply 100 -- --sleep 0.1 || not_ok "scenario (g) ran"
G_SPORT=$SRV_PORT G_CPORT=$CLI_PORT
check "(g) the server's reply was answered with a reset" grep -q '"replied"' "$TS_TMP/g.srv"

# (h) the client closes after 1 s; the server closes 0.5 s after that; twrst kills the TIME_WAIT
start_server "$NS_S" "$TS_TMP/h.srv" --addr "$ADDR4_S" --hold 0.5 ||
	{ not_ok "server (h) listens"; finish; }
H_SRV=$SRV_PID H_SPORT=$SRV_PORT
app "$NS_C" "$TS_TMP/h.cli" client --addr "$ADDR4_S" --port "$H_SPORT" --sleep 1
H_CLI=$APP_PID
wait_for_grep "$TS_TMP/h.cli" '"connected"' 10 || { not_ok "client (h) connects"; finish; }
H_CPORT=$(json_field "$TS_TMP/h.cli" connected lport)
ip netns exec "$NS_C" "$TS_PY" "$TS_LIB/twrst.py" --local "$ADDR4_C" --lport "$H_CPORT" \
	--peer "$ADDR4_S" --pport "$H_SPORT" --ready-file "$TS_TMP/h.ready" >"$TS_TMP/h.rst" 2>&1 &
H_RST=$!
TS_HELPERS+=("$H_RST")
wait_pid "$H_CLI" 10
wait_pid "$H_SRV" 10
wait_pid "$H_RST" 10
check "(h) twrst saw the FIN and sent the reset" grep -q '"rst_sent"' "$TS_TMP/h.rst"
diag "twrst: $(cat "$TS_TMP/h.rst")"
ip netns exec "$NS_C" ss -tanH "sport = :$H_CPORT" >"$TS_TMP/h.ss"
check "(h) ss shows no TIME-WAIT on port $H_CPORT after the reset: $(cat "$TS_TMP/h.ss")" \
	[ ! -s "$TS_TMP/h.ss" ]

# (i) the orphan first, then the second tracer, then the server's close
start_server "$NS_C" "$TS_TMP/i.srv" --addr "$ADDR4_C" --hold 4 ||
	{ not_ok "server (i) listens"; finish; }
I_SRV=$SRV_PID I_SPORT=$SRV_PORT
app "$NS_S" "$TS_TMP/i.cli" client --addr "$ADDR4_C" --port "$I_SPORT" --sleep 0.1
wait_pid "$APP_PID" 10
I_CPORT=$(json_field "$TS_TMP/i.cli" connected lport)
launch_tracer "$TS_TMP/late.jsonl" "$TS_TMP/late.err" -j
TL=$TRACER_PID
wait_tracer_ready "$TL" "$TS_TMP/late.err" 20 || not_ok "second tracer starts"
wait_pid "$I_SRV" 10
wait_for_count "$TS_TMP/late.jsonl" \
	"\"lport\":$I_CPORT,.*\"oldstate\":\"FIN_WAIT2\",\"newstate\":\"TIME_WAIT\"" 1 2
check "(i) FIN_WAIT2 -> TIME_WAIT of the older orphan within 2 s of the server's close (got $COUNT)" \
	[ "$COUNT" = 1 ]

sleep 0.3
stop_tracer "$TJ"
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "$TL"
check "second tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$NETNS_S_INO,$NETNS_C_INO" "$F_SPORT" \
	"${F_CPORTS[*]}" "$G_SPORT" "$G_CPORT" "$H_SPORT" "$H_CPORT" <<'PY'
import sys, tslib
path, inos, f_s, f_cs, g_s, g_c, h_s, h_c = sys.argv[1:]
f_s, g_s, g_c, h_s, h_c = (int(x) if x else -1 for x in (f_s, g_s, g_c, h_s, h_c))
f_cs = [int(x) for x in f_cs.split()]
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, "every output line is a JSON object", "bad lines: %r" % bad[:5])
socks = tslib.sockets(tslib.transitions(recs, netns={int(x) for x in inos.split(",")}))
HEAD = ["CLOSE->SYN_SENT", "SYN_SENT->ESTABLISHED", "ESTABLISHED->FIN_WAIT1", "FIN_WAIT1->FIN_WAIT2"]


def one(what, lport, rport):
    keys = tslib.find(socks, lport, rport)
    if R.check(len(keys) == 1, "%s: one socket %d->%d" % (what, lport, rport), tslib.describe(socks)):
        return socks[keys[0]]
    return []


def rec(lst, old, new):
    r = [x for x in lst if x["oldstate"] == old and x["newstate"] == new]
    return r[0] if r else None


# (f) FIN_WAIT2 -> TIME_WAIT for each, dated to the server's close
late = 0
R.check(len(f_cs) == 3, "(f) three client ports", f_cs)
for i, c in enumerate(f_cs):
    what = "(f) client %d" % (i + 1)
    s, srv = one(what, c, f_s), one(what + "'s server side", f_s, c)
    R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->TIME_WAIT"], what + ": FIN_WAIT2 -> TIME_WAIT, no end yet")
    tw, la = rec(s, "FIN_WAIT2", "TIME_WAIT"), rec(srv, "CLOSE_WAIT", "LAST_ACK")
    if not (tw and la):
        R.not_ok(what + ": FIN_WAIT2 -> TIME_WAIT and the server's CLOSE_WAIT -> LAST_ACK seen")
        continue
    prec = tw.get("precision_ns")
    late += prec != 0
    R.check(isinstance(prec, int) and prec <= 10000000, what + ": precision_ns <= 10 ms (%r)" % prec)
    d = tw["ts_ns"] - la["ts_ns"]
    R.check(abs(d) <= (prec or 0) + 2000000,
            what + ": dated %.3f ms from the server's close (within precision_ns + 2 ms)" % (d / 1e6))
    f2 = rec(s, "FIN_WAIT1", "FIN_WAIT2")
    if f2:
        R.eq(tw.get("dur_ns"), tw["ts_ns"] - f2["ts_ns"], what + ": dur_ns is the time since FIN_WAIT2")
    R.check(tw.get("comm") == "python3", what + ": owner kept (%r)" % tw.get("comm"))
print("# (f) %d of 3 found after the fact (same-bucket re-arm), %d seen at the re-arm"
      % (late, len(f_cs) - late))
R.check(late >= 1, "(f) at least one silent re-arm, found by the periodic look (%d of 3)" % late)

# (g) the orphan answered data with a reset
s = one("(g) client", g_c, g_s)
R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->CLOSE"], "(g) client: FIN_WAIT2 -> CLOSE, no TIME_WAIT")
end = rec(s, "FIN_WAIT2", "CLOSE")
if end:
    R.eq(end.get("reason"), "reset_sent", "(g) client: reason reset_sent")
    R.eq(end.get("reset_reason"), "tcp_timewait_socket", "(g) client: the kernel's reset reason")
    dur = end.get("dur_ns")
    R.check(isinstance(dur, int) and 0.3e9 <= dur <= 3e9, "(g) client: FIN_WAIT2 lasted ~0.5 s (%r)" % dur)
    R.check(end.get("comm") == "python3", "(g) client: owner kept (%r)" % end.get("comm"))
srv = one("(g) server side", g_s, g_c)
R.eq(tslib.seq(srv)[-1:], ["CLOSE_WAIT->CLOSE"], "(g) server side: CLOSE_WAIT -> CLOSE")
end = rec(srv, "CLOSE_WAIT", "CLOSE")
if end:
    R.eq(end.get("reason"), "reset_received", "(g) server side: reason reset_received")

# (h) TIME_WAIT killed by a reset
s = one("(h) client", h_c, h_s)
R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->TIME_WAIT", "TIME_WAIT->CLOSE"],
     "(h) client: TIME_WAIT, then CLOSE at the reset")
end = rec(s, "TIME_WAIT", "CLOSE")
if end:
    R.eq(end.get("reason"), "reset_received", "(h) client: reason reset_received")
    dur = end.get("dur_ns")
    R.check(isinstance(dur, int) and 0.2e9 <= dur <= 2e9, "(h) client: TIME_WAIT lasted ~0.3 s (%r)" % dur)
    R.eq(end.get("precision_ns"), 0, "(h) client: precision_ns 0")
    R.check(end.get("comm") == "python3", "(h) client: owner kept (%r)" % end.get("comm"))
R.done()
PY

run_checks "$TS_PY" - "$TS_TMP/late.jsonl" "$NETNS_S_INO,$NETNS_C_INO" "$I_SPORT" "$I_CPORT" <<'PY'
import sys, tslib
path, inos, i_s, i_c = sys.argv[1:]
i_s, i_c = int(i_s or -1), int(i_c or -1)
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, "(i) every output line is a JSON object", "bad lines: %r" % bad[:5])
inos = {int(x) for x in inos.split(",")}
snap = [r for r in recs if r.get("type") == "snapshot" and r.get("netns") in inos
        and r.get("lport") == i_c and r.get("rport") == i_s]
R.check(len(snap) == 1 and snap[0].get("newstate") == "FIN_WAIT2",
        "(i) the snapshot lists the orphan: -> FIN_WAIT2", snap)
socks = tslib.sockets(tslib.transitions(recs, netns=inos))
keys = tslib.find(socks, i_c, i_s)
s = socks[keys[0]] if len(keys) == 1 else []
R.eq(tslib.seq(s), ["FIN_WAIT2->TIME_WAIT"], "(i) then FIN_WAIT2 -> TIME_WAIT, nothing else")
srv = [r for k in tslib.find(socks, i_s, i_c) for r in socks[k]
       if r["oldstate"] == "CLOSE_WAIT" and r["newstate"] == "LAST_ACK"]
if s and srv:
    tw = s[0]
    prec = tw.get("precision_ns")
    # 0 when the re-arm landed in another wheel bucket and timer_start showed it
    R.check(isinstance(prec, int) and prec <= 10000000, "(i) precision_ns <= one jiffy (%r)" % prec)
    d = tw["ts_ns"] - srv[0]["ts_ns"]
    R.check(abs(d) <= (prec or 0) + 2000000,
            "(i) dated %.3f ms from the server's close (within precision_ns + 2 ms)" % (d / 1e6))
    R.check(tw.get("dur_ns") is None, "(i) duration unknown: older than the tracer (%r)" % tw.get("dur_ns"))
else:
    R.not_ok("(i) the orphan's FIN_WAIT2 -> TIME_WAIT and the server's CLOSE_WAIT -> LAST_ACK seen",
             tslib.describe(socks))
R.done()
PY
validate_json "$TS_TMP/out.jsonl"
validate_json "$TS_TMP/late.jsonl"
finish
