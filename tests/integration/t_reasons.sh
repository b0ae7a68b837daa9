#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_reasons: why each socket went to CLOSE, and what was queued, with real sockets in two
# namespaces: refused (closed port), timeout (SYNs dropped silently, tcp_syn_retries=1), SO_LINGER 0
# (reset_sent / reset_received), close with unread data (reset_sent with Recv-Q 10000 /
# reset_received), orderly close on both sides and of the listener (with byte totals), Recv-Q at
# CLOSE_WAIT; reason null on every other transition, rx/tx_bytes only into CLOSE; the REASON and
# --queues columns of the text output; the JSON schema.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup rsn || { not_ok "namespaces set up"; finish; }
# timeout: the client sends SYNs for a subnet routed to the server namespace, which does not
# forward (ip_forward 0) and blackholes it: dropped without any ICMP. One SYN retransmission: the
# kernel gives up after 1 s + 2 s.
X=$(($$ % 250 + 1))
ADDR_DROP="10.201.$X.1"
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=1 &&
	ip netns exec "$NS_S" sysctl -qw net.ipv4.ip_forward=0 &&
	ip -n "$NS_S" route add blackhole "10.201.$X.0/24" &&
	ip -n "$NS_C" route add "10.201.$X.0/24" via "$ADDR4_S" dev veth1 ||
	{ not_ok "namespaces set up for the timeout"; finish; }

launch_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j
TJ=$TRACER_PID
launch_tracer "$TS_TMP/out.txt" "$TS_TMP/txt.err" --queues --netns "/run/netns/$NS_C"
TT=$TRACER_PID
wait_tracer_ready "$TJ" "$TS_TMP/err" 20 || { not_ok "JSON tracer starts"; finish; }
wait_tracer_ready "$TT" "$TS_TMP/txt.err" 20 || { not_ok "text tracer starts"; finish; }

# in the background while the rest runs: the timeout (about 3 s) and the refused connect
app "$NS_C" "$TS_TMP/to.cli" client --addr "$ADDR_DROP" --port 80
TO_PID=$APP_PID
app "$NS_C" "$TS_TMP/ref.cli" client --addr "$ADDR4_S" --port 9
REF_PID=$APP_PID

# SO_LINGER 0: the client aborts 100 ms after connect; the server waits in recv()
basic_connection 4 "$TS_TMP/lg" -- --sleep 0.1 --linger0 || not_ok "linger scenario ran"
LG_SRV=$SRV_PORT LG_CLI=$CLI_PORT
# unread data: the server waits until 10000 bytes are queued and closes without reading; the
# client waits for the server's end
basic_connection 4 "$TS_TMP/ur" --no-read --wait-queued 10000 -- --send 10000 --wait-eof ||
	not_ok "unread scenario ran"
UR_SRV=$SRV_PORT UR_CLI=$CLI_PORT
# orderly: the client sends 5000 bytes and closes first; the server reads to EOF and closes
basic_connection 4 "$TS_TMP/or" -- --sleep 0.2 --send 5000 || not_ok "orderly scenario ran"
OR_SRV=$SRV_PORT OR_CLI=$CLI_PORT
# CLOSE_WAIT with queued data: the server never reads 10000 bytes; the client closes
basic_connection 4 "$TS_TMP/cw" --no-read --wait-queued 10000 --wait-peer-close -- --send 10000 ||
	not_ok "close-wait scenario ran"
CW_SRV=$SRV_PORT CW_CLI=$CLI_PORT

wait_pid "$REF_PID" 15
wait_pid "$TO_PID" 15
sleep 0.5
stop_tracer "$TJ"
check "JSON tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "$TT"
check "text tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

e=$(json_field "$TS_TMP/ref.cli" connect_error errno)
check "refused client: connect() refused (got '$e')" [ "$e" = ECONNREFUSED ]
e=$(json_field "$TS_TMP/to.cli" connect_error errno)
check "timeout client: connect() timed out (got '$e')" [ "$e" = ETIMEDOUT ]
e=$(json_field "$TS_TMP/lg.srv" recv_error errno)
check "linger: server saw the reset (recv: '$e')" [ "$e" = ECONNRESET ]
e=$(json_field "$TS_TMP/ur.srv" queued bytes)
check "unread: 10000 bytes queued at the server before close (got '$e')" [ "$e" = 10000 ]
e=$(json_field "$TS_TMP/ur.cli" recv_error errno)
check "unread: client saw the reset (recv: '$e')" [ "$e" = ECONNRESET ]
e=$(json_field "$TS_TMP/cw.srv" peer_closed queued)
check "close-wait: server was in CLOSE_WAIT with 10000 bytes queued (got '$e')" [ "$e" = 10000 ]

run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$NETNS_S_INO,$NETNS_C_INO" "$ADDR_DROP" "$ADDR4_S" \
	"$LG_SRV" "$LG_CLI" "$UR_SRV" "$UR_CLI" "$OR_SRV" "$OR_CLI" "$CW_SRV" "$CW_CLI" <<'PY'
import sys, tslib
(path, inos, drop, saddr, lg_s, lg_c, ur_s, ur_c, or_s, or_c, cw_s, cw_c) = sys.argv[1:]
lg_s, lg_c, ur_s, ur_c, or_s, or_c, cw_s, cw_c = (
    int(x) if x else -1 for x in (lg_s, lg_c, ur_s, ur_c, or_s, or_c, cw_s, cw_c))
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, "every output line is a JSON object", "bad lines: %r" % bad[:5])
trs = tslib.transitions(recs, netns={int(x) for x in inos.split(",")})
socks = tslib.sockets(trs)

def one(what, lport, rport, raddr=None):
    keys = [k for k in tslib.find(socks, lport, rport)
            if raddr is None or any(tslib.same_addr(r.get("raddr"), raddr) for r in socks[k])]
    if R.check(len(keys) == 1, "%s: exactly one socket" % what,
               "found %d; sockets seen:" % len(keys), tslib.describe(socks)):
        return socks[keys[0]]
    return None

def rec(what, lst, old, new):
    m = [r for r in lst or [] if r.get("oldstate") == old and r.get("newstate") == new]
    if R.check(len(m) == 1, "%s: one %s->%s record" % (what, old, new),
               "transitions: %s" % (tslib.seq(lst or []),)):
        return m[0]
    return None

def reason(what, lst, old, new, want):
    r = rec(what, lst, old, new)
    if r is not None:
        R.eq(r.get("reason"), want, "%s: %s->%s reason is %s" % (what, old, new, want),
             "reset_reason=%r rx_queue=%r tx_queue=%r rx_bytes=%r tx_bytes=%r" % (
                 r.get("reset_reason"), r.get("rx_queue"), r.get("tx_queue"),
                 r.get("rx_bytes"), r.get("tx_bytes")))
    return r

def note(what, r):
    if r is not None:
        print("# %s: reset_reason=%r rx_queue=%r tx_queue=%r rx_bytes=%r tx_bytes=%r" % (
            what, r.get("reset_reason"), r.get("rx_queue"), r.get("tx_queue"),
            r.get("rx_bytes"), r.get("tx_bytes")))

# refused, timeout
s = one("refused client", None, 9, saddr)
note("refused client", reason("refused client", s, "SYN_SENT", "CLOSE", "refused"))
s = one("timeout client", None, 80, drop)
r = reason("timeout client", s, "SYN_SENT", "CLOSE", "timeout")
if r is not None and s:
    syn = rec("timeout client", s, "CLOSE", "SYN_SENT")
    if syn is not None:
        d = (r["ts_ns"] - syn["ts_ns"]) / 1e9
        R.check(2.5 <= d <= 4.5, "timeout client: gave up after ~3 s (%.2f s)" % d)

# SO_LINGER 0
s = one("linger client", lg_c, lg_s)
note("linger client", reason("linger client", s, "ESTABLISHED", "CLOSE", "reset_sent"))
s = one("linger accepted socket", lg_s, lg_c)
note("linger accepted", reason("linger accepted socket", s, "ESTABLISHED", "CLOSE",
                               "reset_received"))

# close with unread data
s = one("unread accepted socket", ur_s, ur_c)
r = reason("unread accepted socket", s, "ESTABLISHED", "CLOSE", "reset_sent")
note("unread accepted", r)
if r is not None:
    R.eq(r.get("rx_queue"), 10000, "unread accepted socket: rx_queue 10000 at ESTABLISHED->CLOSE")
s = one("unread client", ur_c, ur_s)
note("unread client", reason("unread client", s, "ESTABLISHED", "CLOSE", "reset_received"))

# orderly on both sides
s = one("orderly client", or_c, or_s)
R.eq(tslib.seq(s or []), tslib.CLIENT_ORDERLY, "orderly client: transitions")
r = None
if s and tslib.seq(s) == tslib.CLIENT_ORDERLY:
    r = reason("orderly client", s, "FIN_WAIT2", "TIME_WAIT", None)
note("orderly client", r)
if r is not None:
    tx = r.get("tx_bytes")
    R.check(isinstance(tx, int) and tx >= 5000,
            "orderly client: tx_bytes >= 5000 sent (got %r)" % (tx,))
s = one("orderly accepted socket", or_s, or_c)
R.eq(tslib.seq(s or []), tslib.ACCEPTED_PASSIVE_CLOSE, "orderly accepted socket: transitions")
reason("orderly accepted socket", s, "CLOSE_WAIT", "LAST_ACK", None)
r = reason("orderly accepted socket", s, "LAST_ACK", "CLOSE", "orderly")
note("orderly accepted", r)
if r is not None:
    rx = r.get("rx_bytes")
    R.check(isinstance(rx, int) and rx >= 5000,
            "orderly accepted socket: rx_bytes >= 5000 received (got %r)" % (rx,))

# CLOSE_WAIT with queued data
s = one("close-wait accepted socket", cw_s, cw_c)
r = rec("close-wait accepted socket", s, "ESTABLISHED", "CLOSE_WAIT")
note("close-wait accepted ESTABLISHED->CLOSE_WAIT", r)
if r is not None:
    q = r.get("rx_queue")
    R.check(isinstance(q, int) and q >= 10000,
            "close-wait accepted socket: rx_queue >= 10000 at ESTABLISHED->CLOSE_WAIT (got %r)" % (q,))

# the listeners
for what, port in (("linger", lg_s), ("unread", ur_s), ("orderly", or_s), ("close-wait", cw_s)):
    s = one("%s listener" % what, port, 0)
    R.eq(tslib.seq(s or []), tslib.LISTENER, "%s listener: transitions" % what)
    reason("%s listener" % what, s, "LISTEN", "CLOSE", "orderly")

# every record of the test's namespaces
bad = [(r.get("sock"), r["oldstate"], r["newstate"], r.get("reason")) for r in trs
       if r.get("newstate") != "CLOSE" and r.get("reason") is not None]
R.check(trs and not bad, "reason is null on every transition not into CLOSE (%d)" % len(trs),
        "wrong: %r" % bad[:10])
bad = [(r.get("sock"), r["oldstate"], r["newstate"], r.get("reason")) for r in trs
       if r.get("newstate") == "CLOSE" and r.get("reason") is None]
R.check(not bad, "reason is set on every transition into CLOSE", "wrong: %r" % bad[:10])
bad = [(r.get("sock"), r["oldstate"], r["newstate"], r.get("rx_bytes"), r.get("tx_bytes"))
       for r in trs if r.get("newstate") not in ("CLOSE", "TIME_WAIT")
       and (r.get("rx_bytes") is not None or r.get("tx_bytes") is not None)]
R.check(trs and not bad, "rx_bytes/tx_bytes null on every transition not into CLOSE or TIME_WAIT",
        "wrong: %r" % bad[:10])
bad = [(r.get("sock"), r["oldstate"], r["newstate"], r.get("rx_bytes"), r.get("tx_bytes"))
       for r in trs if r.get("newstate") == "CLOSE"
       and not (isinstance(r.get("rx_bytes"), int) and isinstance(r.get("tx_bytes"), int))]
R.check(not bad, "rx_bytes/tx_bytes integers on every transition into CLOSE",
        "wrong: %r" % bad[:10])
if R.failed:
    print("# sockets seen:")
    for l in tslib.describe(socks).splitlines():
        print("#   " + l)
R.done()
PY

run_checks "$TS_PY" - "$TS_TMP/out.txt" "$ADDR4_S" "$ADDR_DROP" <<'PY'
import re, sys, tslib
path, saddr, drop = sys.argv[1:]
R = tslib.Results()
with open(path) as f:
    ls = f.read().splitlines()
h = ls[0] if ls else ""
R.check(h.rstrip().endswith("MS       REASON"), "text: header ends with 'MS       REASON'",
        "header: %r" % h)
R.check("RECV-Q SEND-Q" in h, "text --queues: header has RECV-Q SEND-Q", "header: %r" % h)

def line(what, addr, port, want):
    rx = re.compile(r"\s%s\s+%d\s+SYN_SENT    -> CLOSE\s" % (re.escape(addr), port))
    m = [l for l in ls[1:] if rx.search(l + " ")]
    if R.check(len(m) == 1, "text: one %s line 'SYN_SENT    -> CLOSE'" % what,
               "got %d; lines:" % len(m), *ls[:30]):
        R.check(m[0].rstrip().endswith(want), "text: %s line ends with %s" % (what, want),
                repr(m[0]))

line("refused client", saddr, 9, "refused")
line("timeout client", drop, 80, "timeout")
R.done()
PY
validate_json "$TS_TMP/out.jsonl"
finish
