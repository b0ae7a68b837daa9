#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_timewait: the active closer's TIME_WAIT and orphaned FIN_WAIT2, which the kernel keeps in
# timewait minisockets the state tracepoint never sees. With tcp_fin_timeout=3 in the client's
# namespace: (a) an orphan whose peer never closes stays FIN_WAIT2 (no line at the handoff, ss
# shows FIN-WAIT-2) and ends FIN_WAIT2 -> CLOSE "timeout" ~3 s later; (b) an orderly close gives
# FIN_WAIT2 -> TIME_WAIT, and a new client reusing the port (tcp_tw_reuse=1) ends the TIME_WAIT
# early: TIME_WAIT -> CLOSE "reused" with its duration; (c) the peer's FIN reaching the FIN_WAIT2
# minisocket later gives FIN_WAIT2 -> TIME_WAIT; (e) a namespace deleted with a TIME_WAIT in it:
# FIN_WAIT2 -> TIME_WAIT, TIME_WAIT -> CLOSE "netns_exit" (found by its ports as well as its
# namespace inode, which a later namespace may get; t_timewait_kill forces the kill that comes
# before the periodic look); (d) --no-timewait keeps the tracepoint's FIN_WAIT2 -> CLOSE.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup tw || { not_ok "namespaces set up"; finish; }
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_fin_timeout=3 &&
	ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1 ||
	{ not_ok "client namespace sysctls"; finish; }
# a second client namespace, deleted while it holds a TIME_WAIT: lo only, server and client in it
NS_X="tsc-$$-tw-x"
ip netns add "$NS_X" && TS_NETNS+=("$NS_X") && ip -n "$NS_X" link set lo up ||
	{ not_ok "namespace to delete set up"; finish; }
NETNS_X_INO=$(stat -L -c %i "/run/netns/$NS_X")

launch_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j
TJ=$TRACER_PID
launch_tracer "$TS_TMP/notw.jsonl" "$TS_TMP/notw.err" -j --no-timewait --no-snapshot
TN=$TRACER_PID
wait_tracer_ready "$TJ" "$TS_TMP/err" 20 || { not_ok "tracer starts"; finish; }
wait_tracer_ready "$TN" "$TS_TMP/notw.err" 20 || { not_ok "--no-timewait tracer starts"; finish; }

# (a) orphan: the client closes after 0.2 s, the server holds its socket open for 5 s unread
start_server "$NS_S" "$TS_TMP/a.srv" --addr "$ADDR4_S" --no-read --hold 5 ||
	{ not_ok "server (a) listens"; finish; }
A_SRV=$SRV_PID A_SPORT=$SRV_PORT
app "$NS_C" "$TS_TMP/a.cli" client --addr "$ADDR4_S" --port "$A_SPORT" --sleep 0.2
wait_pid "$APP_PID" 10
A_CPORT=$(json_field "$TS_TMP/a.cli" connected lport)
sleep 1.3
ip netns exec "$NS_C" ss -tanH "sport = :$A_CPORT" >"$TS_TMP/a.ss"
diag "ss while the orphan waits: $(cat "$TS_TMP/a.ss")"
check "(a) ss shows the orphan in FIN-WAIT-2 1.5 s after close" grep -q '^FIN-WAIT-2' "$TS_TMP/a.ss"

# (c) in the meantime: the server reads to EOF, holds 1 s, then closes: the FIN reaches the
# client's FIN_WAIT2 minisocket
basic_connection 4 "$TS_TMP/c" --hold 1 -- --sleep 0.2 || not_ok "scenario (c) ran"
C_SPORT=$SRV_PORT C_CPORT=$CLI_PORT

# (b) orderly close, then a new client on the same port ends the TIME_WAIT (timestamps must be
# 1 s older than the TIME_WAIT's last one for tcp_tw_reuse)
start_server "$NS_S" "$TS_TMP/b.srv" --addr "$ADDR4_S" --count 2 ||
	{ not_ok "server (b) listens"; finish; }
B_SRV=$SRV_PID B_SPORT=$SRV_PORT
app "$NS_C" "$TS_TMP/b.cli" client --addr "$ADDR4_S" --port "$B_SPORT" --bind-addr "$ADDR4_C" \
	--sleep 0.2
wait_pid "$APP_PID" 10
B_CPORT=$(json_field "$TS_TMP/b.cli" connected lport)
sleep 1.5
app "$NS_C" "$TS_TMP/b2.cli" client --addr "$ADDR4_S" --port "$B_SPORT" --bind-addr "$ADDR4_C" \
	--bind-port "$B_CPORT" --sleep 0.2
wait_pid "$APP_PID" 10
wait_pid "$B_SRV" 10
e=$(json_field "$TS_TMP/b2.cli" connected lport)
check "(b) the second client got the TIME_WAIT's port $B_CPORT (got '$e')" [ "$e" = "$B_CPORT" ]

# (e) a TIME_WAIT in a namespace that is then deleted
ip netns exec "$NS_X" "$TS_PY" "$TS_APP" server --addr 127.0.0.1 --port 0 >"$TS_TMP/x.srv" 2>&1 &
TS_HELPERS+=("$!")
X_SRV=$!
wait_for_grep "$TS_TMP/x.srv" '"listening"' 10 || { not_ok "server (e) listens"; finish; }
X_SPORT=$(json_field "$TS_TMP/x.srv" listening port)
ip netns exec "$NS_X" "$TS_PY" "$TS_APP" client --addr 127.0.0.1 --port "$X_SPORT" --sleep 0.2 \
	>"$TS_TMP/x.cli" 2>&1
X_CPORT=$(json_field "$TS_TMP/x.cli" connected lport)
wait_pid "$X_SRV" 10
sleep 0.3
ip netns del "$NS_X"

# the orphan of (a) times out 3 s after its handoff; the server closes after 5 s
wait_pid "$A_SRV" 15
wait_for_grep "$TS_TMP/out.jsonl" "\"netns\":$NETNS_X_INO.*\"reason\":\"netns_exit\"" 5
sleep 0.5
stop_tracer "$TJ"
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "$TN"
check "--no-timewait tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$TS_TMP/notw.jsonl" "$NETNS_S_INO,$NETNS_C_INO" \
	"$NETNS_X_INO" "$A_SPORT" "$A_CPORT" "$B_SPORT" "$B_CPORT" "$C_SPORT" "$C_CPORT" \
	"$X_SPORT" "$X_CPORT" <<'PY'
import sys, tslib
path, notw, inos, xino, a_s, a_c, b_s, b_c, c_s, c_c, x_s, x_c = sys.argv[1:]
a_s, a_c, b_s, b_c, c_s, c_c, x_s, x_c = (int(x) if x else -1
                                          for x in (a_s, a_c, b_s, b_c, c_s, c_c, x_s, x_c))
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, "every output line is a JSON object", "bad lines: %r" % bad[:5])
trs = tslib.transitions(recs, netns={int(x) for x in inos.split(",")})
socks = tslib.sockets(trs)
HEAD = tslib.names("client-fin-wait2")

def client(what, lport, rport, socks=socks):
    keys = tslib.find(socks, lport, rport)
    if not R.check(len(keys) >= 1, "%s: client socket %d->%d seen" % (what, lport, rport),
                   tslib.describe(socks)):
        return []
    return [s for k in keys for s in [socks[k]]]

def rec(lst, old, new):
    return [r for r in lst if r["oldstate"] == old and r["newstate"] == new]

def owner_ok(what, r):
    R.check(r.get("owner") == "process" and r.get("comm") == "python3",
            "%s: owner is the client process" % what, "got %r/%r" % (r.get("owner"), r.get("comm")))

# (a) the orphan
s = client("(a)", a_c, a_s)
s = s[0] if s else []
R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->CLOSE"], "(a) orphan: no line at the handoff, then FIN_WAIT2->CLOSE")
f2, end = rec(s, "FIN_WAIT1", "FIN_WAIT2"), rec(s, "FIN_WAIT2", "CLOSE")
if f2 and end:
    d = (end[0]["ts_ns"] - f2[0]["ts_ns"]) / 1e9
    R.check(2.5 <= d <= 4.5, "(a) orphan: FIN_WAIT2 -> CLOSE %.2f s after FIN_WAIT1 -> FIN_WAIT2 (2.5-4.5)" % d)
    R.eq(end[0].get("reason"), "timeout", "(a) orphan: reason timeout")
    dur = end[0].get("dur_ns")
    R.check(isinstance(dur, int) and 2.5e9 <= dur <= 4.5e9, "(a) orphan: dur_ns ~3 s (%r)" % dur)
    R.eq(end[0].get("precision_ns"), 0, "(a) orphan: precision_ns 0")
    owner_ok("(a) orphan FIN_WAIT2->CLOSE", end[0])

# (b) orderly, then the port reused
socks_b = client("(b)", b_c, b_s)
if R.check(len(socks_b) == 2, "(b) two client sockets on port %d" % b_c, tslib.describe(socks)):
    first = socks_b[0]
    R.eq(tslib.seq(first), HEAD + ["FIN_WAIT2->TIME_WAIT", "TIME_WAIT->CLOSE"],
         "(b) first client: FIN_WAIT2->TIME_WAIT, then TIME_WAIT->CLOSE at the reuse")
    tw, end = rec(first, "FIN_WAIT2", "TIME_WAIT"), rec(first, "TIME_WAIT", "CLOSE")
    if tw:
        R.check(tw[0].get("reason") is None, "(b) reason null on FIN_WAIT2->TIME_WAIT")
        # from the full socket the line carries its byte totals; when the client was first handed
        # to a FIN_WAIT2 minisocket (the peer's FIN came later), the minisocket has none: null
        R.check(isinstance(tw[0].get("tx_bytes"), int) or tw[0].get("tx_bytes") is None,
                "(b) byte totals (or null from a minisocket) on FIN_WAIT2->TIME_WAIT")
        owner_ok("(b) FIN_WAIT2->TIME_WAIT", tw[0])
    if end:
        dur = end[0].get("dur_ns")
        R.check(isinstance(dur, int) and 1.0e9 <= dur <= 5e9,
                "(b) TIME_WAIT->CLOSE has its duration (%r ns, >= 1 s)" % dur)
        R.eq(end[0].get("reason"), "reused", "(b) reason reused")
        owner_ok("(b) TIME_WAIT->CLOSE", end[0])
        R.eq(end[0].get("precision_ns"), 0, "(b) precision_ns 0")
    R.eq(tslib.seq(socks_b[1])[:2], HEAD[:2], "(b) second client connected on the same port")

# (c) FIN to the FIN_WAIT2 minisocket
s = client("(c)", c_c, c_s)
s = s[0] if s else []
R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->TIME_WAIT"], "(c) FIN_WAIT2->TIME_WAIT when the FIN came")
tw = rec(s, "FIN_WAIT2", "TIME_WAIT")
if tw:
    dur = tw[0].get("dur_ns")
    R.check(isinstance(dur, int) and 0.7e9 <= dur <= 2.5e9, "(c) FIN_WAIT2 lasted ~1 s (%r)" % dur)
    owner_ok("(c) FIN_WAIT2->TIME_WAIT", tw[0])

# (e) namespace deleted: by its ports too, as its inode number is soon another namespace's
xs = tslib.sockets(tslib.transitions(recs, netns={int(xino)}, ports={x_s}))
s = client("(e)", x_c, x_s, xs)
s = s[0] if s else []
R.eq(tslib.seq(s), HEAD + ["FIN_WAIT2->TIME_WAIT", "TIME_WAIT->CLOSE"],
     "(e) FIN_WAIT2->TIME_WAIT, then TIME_WAIT->CLOSE when the namespace went", tslib.describe(xs))
end = rec(s, "TIME_WAIT", "CLOSE")
R.check(len(end) == 1 and end[0].get("reason") == "netns_exit",
        "(e) TIME_WAIT -> CLOSE netns_exit", "got %r" % [r.get("reason") for r in end])

# nothing said FIN_WAIT2->CLOSE at a handoff (orderly)
bad = [r for r in trs if r["oldstate"] in ("FIN_WAIT1", "FIN_WAIT2", "CLOSING")
       and r["newstate"] == "CLOSE" and r.get("reason") == "orderly"]
R.check(not bad, "no orderly FIN_WAIT2->CLOSE for an active closer", bad[:3])
bad = [r for r in trs if not isinstance(r.get("precision_ns"), int)]
R.check(trs and not bad, "precision_ns an integer on every transition", bad[:3])

# (d) --no-timewait: the tracepoint's view
recs, _ = tslib.load(notw)
nt = tslib.sockets(tslib.transitions(recs, netns={int(x) for x in inos.split(",")}))
R.check(not [r for l in nt.values() for r in l if "TIME_WAIT" in (r["oldstate"], r["newstate"])],
        "(d) --no-timewait: no TIME_WAIT anywhere")
for what, lp, rp in (("(d) orphan", a_c, a_s), ("(d) orderly", b_c, b_s)):
    keys = tslib.find(nt, lp, rp)
    if R.check(keys, "%s client seen" % what, tslib.describe(nt)):
        R.eq(tslib.seq(nt[keys[0]]), tslib.CLIENT_ORDERLY_NO_TW, "%s: ends FIN_WAIT2->CLOSE" % what)
R.done()
PY
# the schema check on this test's namespaces' records and every record of another type: the
# tracers are not filtered (three namespaces), and another load on the machine can make megabytes
for f in out notw; do
	jq -c --argjson ns "[$NETNS_S_INO,$NETNS_C_INO,$NETNS_X_INO]" \
		'select((.type != "transition" and .type != "snapshot") or (.netns as $n | $ns | index($n)))' \
		"$TS_TMP/$f.jsonl" >"$TS_TMP/$f.ours.jsonl"
	validate_json "$TS_TMP/$f.ours.jsonl"
done
finish
