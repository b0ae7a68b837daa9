#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_metrics: --metrics-file. A namespace traced alone (-j --stuck 1 --metrics-file DIR/X.prom
# --metrics-period 1) gets one connection left in CLOSE_WAIT for 4 s, three orderly ones and two
# refused connects. The file's stuck gauge says 1 in CLOSE_WAIT while it lasts, then 0; its
# counters are exactly what the scenario makes; promtool accepts it; a reader reading it in a
# tight loop never sees a partial file. In a second namespace Debian's node_exporter serves the
# directory (promtool accepts what it serves, the same tcpstates_ values) and a prometheus server
# scraping it answers a PromQL query with the tracer's count. At exit the file's transition
# pairs are the records printed. The file says tcpstates_up 1 and a last-update time that moves
# while the tracer runs; its last write, made at exit with a socket still stuck, says
# tcpstates_up 0 and has no stuck gauge left. A directory that is missing, or that root cannot write without
# CAP_DAC_OVERRIDE, stops the start (exit 1, one line); a write failing later is said once and
# tracing goes on.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

NE=/usr/bin/prometheus-node-exporter
for b in promtool prometheus "$NE" curl; do
	command -v "$b" >/dev/null ||
		{ not_ok "$b is installed (.ci/install-deps.sh: prometheus, prometheus-node-exporter)"; finish; }
done
MC() { "$TS_PY" "$TS_LIB/metrics_check.py" "$@"; }
NST="tsc-$$-mt"		# the traced traffic
NSP="tsc-$$-mp"		# node_exporter and prometheus: their scrapes are not traced
for ns in "$NST" "$NSP"; do
	ip netns add "$ns" || { not_ok "namespace $ns"; finish; }
	TS_NETNS+=("$ns")
	ip -n "$ns" link set lo up
done
DIR="$TS_TMP/textfile"
mkdir -m 755 "$DIR"
PROM="$DIR/tcpstates.prom"
A=127.0.0.1

# value SERIES: its value in the file now
value() { MC value "$PROM" "$1"; }
# wait_value SERIES WANT SECONDS: until the file says WANT
wait_value() {
	local end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(value "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# fresh TIME SECONDS: TIME (Unix seconds) is at most SECONDS ago, and not in the future
fresh() {
	awk -v t="$1" -v n="$(date +%s.%N)" -v m="$2" 'BEGIN { exit !(t != "" && n - t <= m && t - n <= 0.01) }'
}
# later A B: B is a later time than A
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && b > a) }'; }
# no_series NAME: the file has no sample of NAME
no_series() { ! grep -q "^$1[{ ]" "$PROM"; }

# promcheck WHAT FILE: promtool check metrics accepts FILE
promcheck() {
	local out
	if out=$(promtool check metrics <"$2" 2>&1); then
		ok "promtool check metrics accepts $1"
	else
		not_ok "promtool check metrics accepts $1"
		diag "$out"
	fi
}

# ---- start: bad directories ------------------------------------------------------------------

# start_fails ERR WHAT PATTERN: the tracer ended with status 1 and said one line matching PATTERN
start_fails() {
	if [ "$rc" = 1 ] && [ "$(wc -l <"$1")" = 1 ] && grep -q "$3" "$1"; then
		ok "$2: exit 1, one line"
	else
		not_ok "$2: exit 1 (got $rc), one line"
		diag "$(cat "$1")"
	fi
}
"$TS_BIN" --metrics-file "$TS_TMP/missing/x.prom" -d 1 >/dev/null 2>"$TS_TMP/bad1.err"
rc=$?
start_fails "$TS_TMP/bad1.err" "a missing directory" \
	"^tcpstates-c: cannot write '$TS_TMP/missing/x.prom' for --metrics-file: No such file"
# nobody's directory: root writes there only with CAP_DAC_OVERRIDE, which the loop has not
mkdir -m 755 "$TS_TMP/nobody" && chown nobody "$TS_TMP/nobody"
"$TS_BIN" --metrics-file "$TS_TMP/nobody/x.prom" -d 1 >/dev/null 2>"$TS_TMP/bad2.err"
rc=$?
start_fails "$TS_TMP/bad2.err" "a directory root writes only with CAP_DAC_OVERRIDE" \
	"^tcpstates-c: cannot write '.*' for --metrics-file: Permission denied"
"$TS_BIN" --metrics-file "$PROM" --metrics-period 0.01 >/dev/null 2>"$TS_TMP/bad3.err"
rc=$?
check "--metrics-period 0.01: exit 2 (got $rc)" [ "$rc" = 2 ]

# ---- the servers: node_exporter and prometheus, in their own namespace -----------------------

ip netns exec "$NSP" "$NE" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$DIR" --web.listen-address=127.0.0.1:9100 \
	>"$TS_TMP/ne.log" 2>&1 &
TS_HELPERS+=($!)
cat >"$TS_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9100']
EOF
ip netns exec "$NSP" prometheus --config.file="$TS_TMP/prometheus.yml" \
	--storage.tsdb.path="$TS_TMP/tsdb" --web.listen-address=127.0.0.1:9090 \
	>"$TS_TMP/prom.log" 2>&1 &
TS_HELPERS+=($!)

# ---- the tracer and the traffic ----------------------------------------------------------------

start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --netns "/run/netns/$NST" --stuck 1 \
	--metrics-file "$PROM" --metrics-period 1 || { not_ok "tracer starts"; finish; }
TP=$TRACER_PID
check "the first write comes at start" wait_for_grep "$PROM" '^tcpstates_info{' 3
FIRST_TS=$(value tcpstates_last_update_timestamp_seconds)
check "the first write says when it was written (${FIRST_TS:-none}, now $(date +%s))" \
	fresh "$FIRST_TS" 2
check "the first write says tcpstates_up 1" [ "$(value tcpstates_up)" = 1 ]
check "its directory is root's, the tracer has no CAP_DAC_OVERRIDE (CapEff $(awk '/CapEff/{print $2}' /proc/$TP/status))" \
	[ "$(stat -c %u "$DIR")" = 0 -a $((0x$(awk '/CapEff/{print $2}' /proc/$TP/status) & 2)) = 0 ]
"$TS_PY" "$TS_LIB/metrics_check.py" reader "$PROM" "$TS_TMP/stop-reader" >"$TS_TMP/reader" &
READER=$!
TS_HELPERS+=("$READER")

# conn SERVER-ARGS -- CLIENT-ARGS: one connection to a server of its own, in NST
N=0
conn() {
	local sargs=()
	N=$((N + 1))
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	start_server "$NST" "$TS_TMP/s$N" --addr "$A" "${sargs[@]}" || return 1
	app "$NST" "$TS_TMP/c$N" client --addr "$A" --port "$SRV_PORT" "$@"
	wait_pid "$APP_PID" 15
}
# the server holds the connection 4 s after the client closed: CLOSE_WAIT (and the client's
# orphan in FIN_WAIT2) for longer than --stuck 1
conn --no-read --hold 4 -- --sleep 0.1
STUCK_SRV=$SRV_PID
check "stuck gauge: 1 socket in CLOSE_WAIT" \
	wait_value 'tcpstates_stuck_sockets{state="CLOSE_WAIT"}' 1 5
check "stuck gauge: 1 socket in FIN_WAIT2 (the client's orphan)" \
	[ "$(value 'tcpstates_stuck_sockets{state="FIN_WAIT2"}')" = 1 ]
check "stuck gauge: 0 in SYN_SENT" [ "$(value 'tcpstates_stuck_sockets{state="SYN_SENT"}')" = 0 ]
wait_pid "$STUCK_SRV" 15
for i in 1 2 3; do
	conn -- --sleep 0.1
	wait_pid "$SRV_PID" 15
done
for i in 1 2; do	# refused: nobody listens on the last server's port any more
	app "$NST" "$TS_TMP/r$i" client --addr "$A" --port "$SRV_PORT"
	wait_pid "$APP_PID" 15
done
check "a connect was refused" [ "$(json_field "$TS_TMP/r1" connect_error errno)" = ECONNREFUSED ]
check "stuck gauge back to 0 in CLOSE_WAIT once the server closed" \
	wait_value 'tcpstates_stuck_sockets{state="CLOSE_WAIT"}' 0 3
check "the refused connects are in the file" wait_value 'tcpstates_refused_total' 2 3
# the last client's orphan leaves FIN_WAIT2 at the next timewait check (--timewait-period 1)
check "the last FIN_WAIT2 -> TIME_WAIT is in the file" \
	wait_value 'tcpstates_transitions_total{from="FIN_WAIT2",to="TIME_WAIT"}' 4 4
sleep 1.1	# one more write with everything in
touch "$TS_TMP/stop-reader"
wait_pid "$READER" 10

# what the scenario makes, exactly: 4 connections (each its own listener), 2 refused
expect() {	# expect SERIES WANT
	local got
	got=$(value "$1")
	check "$1 = $2 (got ${got:-none})" [ "$got" = "$2" ]
}
for p in CLOSE:LISTEN:4 CLOSE:SYN_SENT:6 SYN_SENT:ESTABLISHED:4 \
	SYN_SENT:CLOSE:2 LISTEN:SYN_RECV:4 SYN_RECV:ESTABLISHED:4 \
	ESTABLISHED:FIN_WAIT1:4 FIN_WAIT1:FIN_WAIT2:4 FIN_WAIT2:TIME_WAIT:4 \
	ESTABLISHED:CLOSE_WAIT:4 CLOSE_WAIT:LAST_ACK:4 LAST_ACK:CLOSE:4 \
	LISTEN:CLOSE:4; do
	IFS=: read -r f t n <<<"$p"
	expect "tcpstates_transitions_total{from=\"$f\",to=\"$t\"}" "$n"
done
while read -r series want; do expect "$series" "$want"; done <<'EOF'
tcpstates_active_opens_total 6
tcpstates_passive_opens_total 4
tcpstates_attempt_fails_total 2
tcpstates_refused_total 2
tcpstates_estab_resets_total 0
tcpstates_state_duration_seconds_count{state="SYN_SENT"} 6
tcpstates_state_duration_seconds_bucket{state="SYN_SENT",le="+Inf"} 6
tcpstates_state_duration_seconds_bucket{state="CLOSE_WAIT",le="1.073741823"} 3
tcpstates_state_duration_seconds_bucket{state="CLOSE_WAIT",le="17.179869183"} 4
tcpstates_lost_records_total{cause="rb_full"} 0
tcpstates_lost_records_total{cause="recursion_misses"} 0
tcpstates_feature_active{feature="snapshot"} 1
EOF
promcheck "the file" "$PROM"
r=$(cat "$TS_TMP/reader")
diag "tight-loop reader: $r"
check "the reader saw several writes and never a partial file" "$TS_PY" -c \
	'import json,sys; r=json.loads(sys.argv[1]); sys.exit(not (r["bad"] == 0 and r["files"] >= 3 and r["reads"] > 100))' "$r"
check "no temporary file left beside it" [ "$(ls -A "$DIR")" = tcpstates.prom ]

# ---- node_exporter serves it; prometheus scrapes it ------------------------------------------

NEOUT="$TS_TMP/ne.metrics"
# the file is rewritten every second (transitions_seen_total counts other namespaces too): a
# served copy is compared with the file as it was both before and after the request
for i in $(seq 100); do
	cp "$PROM" "$TS_TMP/before.prom"
	ip netns exec "$NSP" curl -sf http://127.0.0.1:9100/metrics >"$NEOUT" &&
		cmp -s "$PROM" "$TS_TMP/before.prom" && break
	sleep 0.1
done
promcheck "what node_exporter serves" "$NEOUT"
check "node_exporter read the file without error" \
	grep -q '^node_textfile_scrape_error 0$' "$NEOUT"
run_checks MC same "$TS_TMP/before.prom" "$NEOUT"

Q='tcpstates_transitions_total{from="SYN_SENT",to="ESTABLISHED"}'
WANT=$(value "$Q")
ans=""
for i in $(seq 300); do	# prometheus starts, scrapes every second: up to 30 s
	ans=$(ip netns exec "$NSP" curl -sf -G http://127.0.0.1:9090/api/v1/query \
		--data-urlencode "query=$Q" 2>/dev/null)
	got=$(printf '%s' "$ans" | jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ "$got" = "$WANT" ] && break
	sleep 0.1
done
diag "prometheus after $((i / 10)).$((i % 10)) s: $ans"
check "prometheus answers $Q with $WANT, the tracer's count (got ${got:-none})" \
	[ -n "$WANT" -a "$got" = "$WANT" ]

# ---- the end: final values ---------------------------------------------------------------------

# a socket stuck when the tracer stops: the last write must not say so forever
conn --no-read --hold 30 -- --sleep 0.1
HELD_SRV=$SRV_PID
check "stuck gauge: 1 in CLOSE_WAIT just before the stop" \
	wait_value 'tcpstates_stuck_sockets{state="CLOSE_WAIT"}' 1 5
LIVE_TS=$(value tcpstates_last_update_timestamp_seconds)
check "while running: last_update moves ($FIRST_TS, then $LIVE_TS), within 2 s of now" \
	eval 'later "$FIRST_TS" "$LIVE_TS" && fresh "$LIVE_TS" 2'
check "while running: tcpstates_up 1" [ "$(value tcpstates_up)" = 1 ]
STOP_AT=$(date +%s.%N)
stop_tracer "$TP"
check "tracer exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
kill "$HELD_SRV" 2>/dev/null
check "at exit: tcpstates_up 0" [ "$(value tcpstates_up)" = 0 ]
check "at exit: no stuck gauge left (the socket is still in CLOSE_WAIT)" \
	no_series tcpstates_stuck_sockets
END_TS=$(value tcpstates_last_update_timestamp_seconds)
check "at exit: last_update is the stop's time (${END_TS:-none}, SIGTERM at $STOP_AT)" \
	eval 'later "$STOP_AT" "$END_TS" && fresh "$END_TS" 2'
check "at exit: the counters are still there" [ -n "$(value tcpstates_refused_total)" ]
promcheck "the last file, at exit" "$PROM"
n=$(grep -c 'for --metrics-file' "$TS_TMP/err")
check "no write failed: the seccomp filter allowed them (failures said: $n)" [ "$n" = 0 ]
run_checks MC pairs "$PROM" "$TS_TMP/out.jsonl"

# ---- a write failing later: said once, tracing goes on -------------------------------------------

mkdir "$TS_TMP/gone"
start_tracer "$TS_TMP/g.out" "$TS_TMP/g.err" --netns "/run/netns/$NST" \
	--metrics-file "$TS_TMP/gone/x.prom" --metrics-period 0.1 || { not_ok "tracer 2 starts"; finish; }
T2=$TRACER_PID
wait_for_grep "$TS_TMP/gone/x.prom" '^tcpstates_info' 3
rm -rf "$TS_TMP/gone"	# the directory it holds is deleted: openat fails with ENOENT
sleep 1			# ten periods
conn -- --sleep 0.1
wait_pid "$SRV_PID" 15
sleep 0.3
check "tracer still running after the writes failed" kill -0 "$T2"
stop_tracer "$T2"
n=$(grep -c 'for --metrics-file' "$TS_TMP/g.err")
check "the failure said once, in one line (got $n)" [ "$n" = 1 ]
diag "$(grep 'for --metrics-file' "$TS_TMP/g.err")"
check "tracing went on: the connection's SYN_SENT -> ESTABLISHED printed" \
	grep -Eq 'SYN_SENT +-> ESTABLISHED' "$TS_TMP/g.out"
finish
