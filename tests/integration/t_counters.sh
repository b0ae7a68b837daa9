#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_counters: one private namespace traced alone, with orderly closes from both sides, refused
# connects and abortive closes (SO_LINGER 0) from both sides. The summary's MIB counters equal
# the deltas of the namespace's /proc/net/snmp exactly; its transitions and durations agree with
# the records printed; -j --interval records add up to it; --dot's file is accepted by Graphviz
# and its edges are the transitions; a text tracer's --summary block says the same numbers.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

if ! command -v dot >/dev/null; then
	not_ok "Graphviz's dot is installed (.ci/install-deps.sh: graphviz)"
	finish
fi
netns_setup cnt || { not_ok "namespaces set up"; finish; }
NS=$NS_S
A=127.0.0.1
ip -n "$NS" link set lo up
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --netns "/run/netns/$NS" --interval 1 \
	--dot "$TS_TMP/states.dot" || { not_ok "tracer starts"; finish; }
T1=$TRACER_PID
start_tracer "$TS_TMP/out.txt" "$TS_TMP/err.txt" --netns "/run/netns/$NS" --summary \
	--interval 1 || { not_ok "text tracer starts"; finish; }
T2=$TRACER_PID
ip netns exec "$NS" cat /proc/net/snmp >"$TS_TMP/snmp.before"

# one connection in NS (serve_one): server args, then -- and client args
N=0
conn() { N=$((N + 1)); serve_one "$NS" "$A" "$TS_TMP/$N" "$@"; }
# the close reasons these make: a reset sent and one received by each abortive close, three
# refused connects, no timeout
REASONS=resets_sent=2,resets_received=2,timeouts=0,refused=3
conn -- --sleep 0.1			# orderly, the client closes first
conn -- --sleep 0.1			# (twice)
conn --no-read --hold 0.1 -- --wait-eof	# orderly, the server closes first
conn -- --sleep 0.1 --linger0		# abortive, the client
conn --no-read --hold 0.1 --linger0 -- --wait-eof	# abortive, the server
# refused: nobody listens on the port the last server used
for i in 1 2 3; do
	app "$NS" "$TS_TMP/r$i" client --addr "$A" --port "$SRV_PORT"
	wait_pid "$APP_PID" 15
done
e=$(json_field "$TS_TMP/r1" connect_error errno)
check "a connect was refused ($e)" [ "$e" = ECONNREFUSED ]
e=$(json_field "$TS_TMP/5.s" closed lport)
check "the server's abortive close ran" [ -n "$e" ]
sleep 1.2	# an interval passes with these in it; the last softirq transitions are in
ip netns exec "$NS" cat /proc/net/snmp >"$TS_TMP/snmp.after"
stop_tracer "$T1"
check "JSON tracer exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "$T2"
check "text tracer exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

run_checks "$TS_PY" "$TS_LIB/check_counters.py" --json "$TS_TMP/out.jsonl" \
	--snmp-before "$TS_TMP/snmp.before" --snmp-after "$TS_TMP/snmp.after" \
	--reasons "$REASONS" --dot "$TS_TMP/states.dot" --text "$TS_TMP/out.txt"
if out=$(dot -Tsvg "$TS_TMP/states.dot" -o "$TS_TMP/states.svg" 2>&1) &&
	grep -q '<svg' "$TS_TMP/states.svg"; then
	ok "dot -Tsvg accepts the --dot file"
else
	not_ok "dot -Tsvg accepts the --dot file"
	diag "$out"
fi
validate_json "$TS_TMP/out.jsonl"
finish
