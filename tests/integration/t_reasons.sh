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
LG_SRV=$SRV_PORT LG_CLI=$CLI_PORT LG_SPID=$SRV_PID LG_CPID=$CLI_PID
# unread data: the server waits until 10000 bytes are queued and closes without reading; the
# client waits for the server's end
basic_connection 4 "$TS_TMP/ur" --no-read --wait-queued 10000 -- --send 10000 --wait-eof ||
	not_ok "unread scenario ran"
UR_SRV=$SRV_PORT UR_CLI=$CLI_PORT UR_SPID=$SRV_PID UR_CPID=$CLI_PID
# orderly: the client sends 5000 bytes and closes first; the server reads to EOF and closes
basic_connection 4 "$TS_TMP/or" -- --sleep 0.2 --send 5000 || not_ok "orderly scenario ran"
OR_SRV=$SRV_PORT OR_CLI=$CLI_PORT OR_SPID=$SRV_PID OR_CPID=$CLI_PID
# CLOSE_WAIT with queued data: the server never reads 10000 bytes; the client closes
basic_connection 4 "$TS_TMP/cw" --no-read --wait-queued 10000 --wait-peer-close -- --send 10000 ||
	not_ok "close-wait scenario ran"
CW_SRV=$SRV_PORT CW_CLI=$CLI_PORT CW_SPID=$SRV_PID CW_CPID=$CLI_PID

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

# the expected transitions and reasons: the table in tests/lib/check_reasons.py
run_checks "$TS_PY" "$TS_LIB/check_reasons.py" --json "$TS_TMP/out.jsonl" --text "$TS_TMP/out.txt" \
	--netns "$NETNS_S_INO,$NETNS_C_INO" drop="$ADDR_DROP" saddr="$ADDR4_S" \
	lg_s="$LG_SRV" lg_c="$LG_CLI" ur_s="$UR_SRV" ur_c="$UR_CLI" or_s="$OR_SRV" or_c="$OR_CLI" \
	cw_s="$CW_SRV" cw_c="$CW_CLI" lg_spid="$LG_SPID" lg_cpid="$LG_CPID" ur_spid="$UR_SPID" \
	ur_cpid="$UR_CPID" or_spid="$OR_SPID" or_cpid="$OR_CPID" cw_spid="$CW_SPID"
validate_json "$TS_TMP/out.jsonl"
finish
