#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_filters: two connections, one tracer per filter running side by side; each filter keeps
# exactly the sockets (and transitions) it should, with complete sequences - in particular a
# client's CLOSE -> SYN_SENT, whose local port is still 0, under -D and under -L.
#   conn1: IPv4, server "tsc-srv1" on P1, client "tsc-cli1" from an ephemeral port C1 (the
#          client namespace's ip_local_port_range is E..E+1, so -L can name it in advance)
#   conn2: IPv6, server "tsc-srv2" on P2, client "tsc-cli2" bound to the fixed local port B
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup flt || { not_ok "namespaces set up"; finish; }
P1=$((20000 + $$ % 10000))
P2=$((P1 + 1))
B=$((P1 + 2))
E=$((P1 + 10))
ip netns exec "$NS_C" sysctl -q -w net.ipv4.ip_local_port_range="$E $((E + 1))" ||
	{ not_ok "set ip_local_port_range in the client namespace"; finish; }
GO_S="$TS_TMP/go-servers"
GO_C="$TS_TMP/go-clients"

# the endpoints first, waiting for a go file: their pids must be known to the -p filters
app "$NS_S" "$TS_TMP/s1" server --addr "$ADDR4_S" --port "$P1" --name tsc-srv1 --wait-file "$GO_S"
S1=$APP_PID
app "$NS_S" "$TS_TMP/s2" server --addr "$ADDR6_S" --port "$P2" --name tsc-srv2 --wait-file "$GO_S"
S2=$APP_PID
app "$NS_C" "$TS_TMP/c1" client --addr "$ADDR4_S" --port "$P1" --sleep 0.1 --name tsc-cli1 \
	--wait-file "$GO_C"
C1P=$APP_PID
app "$NS_C" "$TS_TMP/c2" client --addr "$ADDR6_S" --port "$P2" --sleep 0.1 --name tsc-cli2 \
	--bind-addr "$ADDR6_C" --bind-port "$B" --wait-file "$GO_C"
C2P=$APP_PID
for f in s1 s2 c1 c2; do
	wait_for_grep "$TS_TMP/$f" '"start"' 10 || { not_ok "helper $f started"; finish; }
done
# tcpapp prints its own pid; under "ip netns exec" it is the pid we started
for v in S1 S2 C1P C2P; do
	f=$(case $v in S1) echo s1 ;; S2) echo s2 ;; C1P) echo c1 ;; C2P) echo c2 ;; esac)
	check "helper $f pid is ${!v}" [ "$(json_field "$TS_TMP/$f" start pid)" = "${!v}" ]
done

# label | tracer arguments
CASES=(
	"all|"
	"lport|-L $P1"
	"lport-list|-L $P1,$P2"
	"rport|-D $P1"
	"port|--port $P1"
	"lport-bound-client|-L $B"
	"lport-ephemeral-client|-L $E,$((E + 1))"
	"pid-client|-p $C1P"
	"pid-server|-p $S2"
	"comm|-c tsc-cli1"
	"state|--state close-wait"
	"state-and-port|--state CLOSE_WAIT --port $P1"
	"ipv4|-4"
	"ipv6|-6"
)
declare -A TPID
for c in "${CASES[@]}"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	launch_tracer "$TS_TMP/$label.jsonl" "$TS_TMP/$label.err" -j ${c#*|}
	TPID[$label]=$TRACER_PID
done
ready=1
for c in "${CASES[@]}"; do
	label=${c%%|*}
	wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20 || { not_ok "tracer $label ready"; ready=0; }
done
[ "$ready" = 1 ] || finish

touch "$GO_S"
wait_for_grep "$TS_TMP/s1" '"listening"' 10 && wait_for_grep "$TS_TMP/s2" '"listening"' 10 ||
	{ not_ok "servers listen"; finish; }
touch "$GO_C"
for p in "$C1P" "$C2P" "$S1" "$S2"; do wait_pid "$p" 15; done
sleep 0.5
for c in "${CASES[@]}"; do
	label=${c%%|*}
	stop_tracer "${TPID[$label]}"
	[ "$TRACER_RC" = 0 ] || not_ok "tracer $label exits 0 on SIGTERM (got $TRACER_RC)"
done
C1=$(json_field "$TS_TMP/c1" connected lport)
check "client 2 bound to port $B" [ "$(json_field "$TS_TMP/c2" connected lport)" = "$B" ]
check "client 1 got ephemeral port $C1 in $E..$((E + 1))" [ "$C1" = "$E" -o "$C1" = "$((E + 1))" ]
check "server 1 saw EOF" grep -q '"eof"' "$TS_TMP/s1"
check "server 2 saw EOF" grep -q '"eof"' "$TS_TMP/s2"

# each socket's transitions: the sequences of tests/lib/tslib.py (SEQUENCES), the same under every
# filter that keeps the socket; --state CLOSE_WAIT keeps those from or to CLOSE_WAIT
CW=@accepted:CLOSE_WAIT
L1=(--sock listener1 "$P1" 0 "$S1/tsc-srv1" @listener)
A1=(--sock accepted1 "$P1" "$C1" "$S1/tsc-srv1" @accepted)
K1=(--sock client1 "$C1" "$P1" "$C1P/tsc-cli1" @client)
L2=(--sock listener2 "$P2" 0 "$S2/tsc-srv2" @listener)
A2=(--sock accepted2 "$P2" "$B" "$S2/tsc-srv2" @accepted)
K2=(--sock client2 "$B" "$P2" "$C2P/tsc-cli2" @client)

expect() {	# expect LABEL TOTAL SOCK-SPECS...
	local label=$1 total=$2
	shift 2
	run_checks "$TS_PY" "$TS_LIB/expect.py" --json "$TS_TMP/$label.jsonl" --label "$label" \
		--netns "$NETNS_S_INO,$NETNS_C_INO" --total "$total" "$@"
}
expect all 6 "${L1[@]}" "${A1[@]}" "${K1[@]}" "${L2[@]}" "${A2[@]}" "${K2[@]}"
expect lport 2 "${L1[@]}" "${A1[@]}"
expect lport-list 4 "${L1[@]}" "${A1[@]}" "${L2[@]}" "${A2[@]}"
expect rport 1 "${K1[@]}"
expect port 3 "${L1[@]}" "${A1[@]}" "${K1[@]}"
expect lport-bound-client 1 "${K2[@]}"
# the hard case: at CLOSE -> SYN_SENT the local port is still 0; it must be kept all the same
expect lport-ephemeral-client 1 "${K1[@]}"
expect pid-client 1 "${K1[@]}"
expect pid-server 2 "${L2[@]}" "${A2[@]}"
expect comm 1 "${K1[@]}"
expect state 2 --sock accepted1 "$P1" "$C1" "$S1" "$CW" --sock accepted2 "$P2" "$B" "$S2" "$CW"
expect state-and-port 1 --sock accepted1 "$P1" "$C1" "$S1" "$CW"
expect ipv4 3 --family 4 "${L1[@]}" "${A1[@]}" "${K1[@]}"
expect ipv6 3 --family 6 "${L2[@]}" "${A2[@]}" "${K2[@]}"
finish
