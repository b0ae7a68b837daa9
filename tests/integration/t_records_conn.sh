#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_records_conn: --records connections between two private namespaces (veth): client-first and
# server-first orderly closes, refused connects, and abortive closes (SO_LINGER 0) from either
# side. Exactly one connection record per socket, none of any transition; each with the path,
# role, first_fin and reason its kind must have, durations adding up to lifetime_ns; each path is
# the sequence a --records transitions tracer printed for the same socket; the text form has a
# line per connection; the closing line and summary count them; the schema accepts the records.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup conn || { not_ok "namespaces set up"; finish; }
start_tracer "$TS_TMP/conn.jsonl" "$TS_TMP/conn.err" -j --records connections ||
	{ not_ok "connections tracer starts"; finish; }
T1=$TRACER_PID
start_tracer "$TS_TMP/ref.jsonl" "$TS_TMP/ref.err" -j --no-snapshot ||
	{ not_ok "reference tracer starts"; finish; }
T2=$TRACER_PID
start_tracer "$TS_TMP/conn.txt" "$TS_TMP/text.err" --records connections --no-snapshot \
	--netns "/run/netns/$NS_S" || { not_ok "text tracer starts"; finish; }
T3=$TRACER_PID

# one connection from NS_C to a server of its own in NS_S: server args -- client args; the
# server's port and the client's go to KINDS as "KIND SPORT CPORT"
N=0
conn() {
	local kind=$1 sargs=() cport
	shift
	N=$((N + 1))
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	start_server "$NS_S" "$TS_TMP/$N.s" --addr "$ADDR4_S" "${sargs[@]}" || return 1
	app "$NS_C" "$TS_TMP/$N.c" client --addr "$ADDR4_S" --port "$SRV_PORT" "$@"
	wait_pid "$APP_PID" 15
	wait_pid "$SRV_PID" 15
	cport=$(json_field "$TS_TMP/$N.c" connected lport)
	[ -z "$cport" ] && cport=$(json_field "$TS_TMP/$N.c" connect_error lport)
	echo "$kind $SRV_PORT ${cport:-0}" >>"$TS_TMP/kinds"
}
for i in 1 2 3; do
	conn client_first -- --sleep 0.05
	conn server_first --no-read --hold 0.05 -- --wait-eof
done
conn client_abort -- --sleep 0.05 --linger0
conn server_abort --no-read --hold 0.05 --linger0 -- --wait-eof
# refused: nobody listens on the port the last server used
for i in 1 2; do
	app "$NS_C" "$TS_TMP/r$i" client --addr "$ADDR4_S" --port "$SRV_PORT"
	wait_pid "$APP_PID" 15
	e=$(json_field "$TS_TMP/r$i" connect_error errno)
	check "connect $i was refused ($e)" [ "$e" = ECONNREFUSED ]
	echo "refused $SRV_PORT $(json_field "$TS_TMP/r$i" connect_error lport)" >>"$TS_TMP/kinds"
done
# the orphans' FIN_WAIT2 ends with the peer's FIN, at once; the timewait check looks each second
sleep 1.5
for t in "$T1" "$T2" "$T3"; do
	stop_tracer "$t"
	check "tracer $t exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
closing_counts "$TS_TMP/conn.err"
check "the closing line counts connections ($CL_CONN of $CL_KCONN from the kernel)" \
	[ "${CL_CONN:-0}" -ge 2 ]
check "the connections tracer printed no transition ($CL_TRANS)" [ "$CL_TRANS" = 0 ]

run_checks "$TS_PY" "$TS_LIB/check_records_conn.py" --conn "$TS_TMP/conn.jsonl" \
	--ref "$TS_TMP/ref.jsonl" --text "$TS_TMP/conn.txt" --kinds "$TS_TMP/kinds" \
	--netns "$NETNS_S_INO,$NETNS_C_INO" --netns-s "$NETNS_S_INO"
validate_json "$TS_TMP/conn.jsonl"
finish
