#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_records_none: --records none, counted in the kernel. One private namespace traced alone gets
# orderly closes from both sides, abortive closes (SO_LINGER 0) from both sides, refused connects
# and one connection left in CLOSE_WAIT for 2.5 s. Four tracers watch it side by side: -j
# --records none --summary --dot; text --records none --interval 1 --metrics-file; -j --records
# none --stuck 1; and the reference, -j --records transitions. The none summary's MIB counters
# equal the namespace's /proc/net/snmp deltas; its counters and transitions per pair equal the
# reference's, its durations' counts too (max and percentiles within 1/8 and 1 ms: each tracer
# reads its own clock); the text intervals add up to the reference's transitions; the metrics
# file has every pair's count; no none tracer prints a transition, snapshot or connection
# record, and --stuck still reports.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup rnone || { not_ok "namespaces set up"; finish; }
NS=$NS_S
A=127.0.0.1
ip -n "$NS" link set lo up
# a socket that exists before the tracers start: the snapshot sees it, and prints nothing
ip netns exec "$NS" "$TS_PY" "$TS_LIB/manylisten.py" "$A" 1 "$TS_TMP/go" >"$TS_TMP/pre" &
TS_HELPERS+=($!)
check "a listener exists before the tracers start" wait_for_grep "$TS_TMP/pre" '^ready 1' 10
NSARG=(--netns "/run/netns/$NS")
start_tracer "$TS_TMP/none.jsonl" "$TS_TMP/none.err" -j --records none --summary "${NSARG[@]}" \
	--dot "$TS_TMP/none.dot" || { not_ok "none -j tracer starts"; finish; }
T_NONE=$TRACER_PID
start_tracer "$TS_TMP/int.txt" "$TS_TMP/int.err" --records none --interval 1 "${NSARG[@]}" \
	--metrics-file "$TS_TMP/m.prom" --metrics-period 1 || { not_ok "none text tracer starts"; finish; }
T_INT=$TRACER_PID
start_tracer "$TS_TMP/stuck.jsonl" "$TS_TMP/stuck.err" -j --records none --stuck 1 "${NSARG[@]}" ||
	{ not_ok "none --stuck tracer starts"; finish; }
T_STUCK=$TRACER_PID
start_tracer "$TS_TMP/ref.jsonl" "$TS_TMP/ref.err" -j --records transitions "${NSARG[@]}" ||
	{ not_ok "reference tracer starts"; finish; }
T_REF=$TRACER_PID
ip netns exec "$NS" cat /proc/net/snmp >"$TS_TMP/snmp.before"

# one connection in NS (serve_one): server args, then -- and client args
N=0
conn() { N=$((N + 1)); serve_one "$NS" "$A" "$TS_TMP/$N" "$@"; }
conn -- --sleep 0.1			# orderly, the client closes first
conn -- --sleep 0.1
conn --no-read --hold 0.1 -- --wait-eof	# orderly, the server closes first
conn --no-read --hold 0.1 -- --wait-eof
conn -- --sleep 0.1 --linger0		# abortive, the client
conn --no-read --hold 0.1 --linger0 -- --wait-eof	# abortive, the server
conn --no-read --hold 2.5 -- --sleep 0.1	# the server sits in CLOSE_WAIT past --stuck 1
for i in 1 2 3; do	# refused: nobody listens on the last server's port
	app "$NS" "$TS_TMP/r$i" client --addr "$A" --port "$SRV_PORT"
	wait_pid "$APP_PID" 15
done
e=$(json_field "$TS_TMP/r1" connect_error errno)
check "a connect was refused ($e)" [ "$e" = ECONNREFUSED ]
sleep 2.2	# the last FIN_WAIT2 -> TIME_WAIT (timewait check), an interval, a metrics write
ip netns exec "$NS" cat /proc/net/snmp >"$TS_TMP/snmp.after"
for t in "$T_NONE" "$T_INT" "$T_STUCK" "$T_REF"; do
	stop_tracer "$t"
	check "tracer $t exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
touch "$TS_TMP/go"	# the early listener goes, after the tracers

closing_counts "$TS_TMP/none.err"
check "none: the closing line counts no transition or snapshot lines ($CL_TRANS, $CL_SNAP)" \
	[ "$CL_TRANS:$CL_SNAP" = 0:0 ]
check "none: the closing line says rb_full 0" grep -q 'lost: rb_full 0,' "$TS_TMP/none.err"
check "none, text: no column heads, no record line (a time first)" \
	eval '! grep -qE "^(TIME |[0-9]{2}:[0-9]{2}:[0-9]{2})" "$TS_TMP/int.txt"'

run_checks "$TS_PY" "$TS_LIB/check_records_none.py" --none "$TS_TMP/none.jsonl" \
	--ref "$TS_TMP/ref.jsonl" --stuck "$TS_TMP/stuck.jsonl" --text "$TS_TMP/int.txt" \
	--metrics "$TS_TMP/m.prom" --dot "$TS_TMP/none.dot" \
	--snmp-before "$TS_TMP/snmp.before" --snmp-after "$TS_TMP/snmp.after"
validate_json "$TS_TMP/none.jsonl"
validate_json "$TS_TMP/stuck.jsonl"
finish
