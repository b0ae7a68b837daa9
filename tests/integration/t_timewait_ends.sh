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

# what each scenario's sockets must show, and when: the table in tests/lib/check_timewait_ends.py
run_checks "$TS_PY" "$TS_LIB/check_timewait_ends.py" --json "$TS_TMP/out.jsonl" \
	--late "$TS_TMP/late.jsonl" --netns "$NETNS_S_INO,$NETNS_C_INO" f_s="$F_SPORT" \
	f_c1="${F_CPORTS[0]:-}" f_c2="${F_CPORTS[1]:-}" f_c3="${F_CPORTS[2]:-}" g_s="$G_SPORT" \
	g_c="$G_CPORT" h_s="$H_SPORT" h_c="$H_CPORT" i_s="$I_SPORT" i_c="$I_CPORT"
validate_json "$TS_TMP/out.jsonl"
validate_json "$TS_TMP/late.jsonl"
finish
