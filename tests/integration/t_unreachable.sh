#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_unreachable: a connect() to an address nobody answers for on the link (neighbour resolution
# fails after ~3 s, the kernel reports EHOSTUNREACH from its ICMP path) ends SYN_SENT -> CLOSE
# with reason "unreachable", and the summary counts it as an AttemptFail, as the kernel does.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup ur || { not_ok "namespaces set up"; finish; }
snmp() { ip netns exec "$NS_S" awk '/^Tcp:/ { if (h) { print $'"$1"'; exit } h = 1 }' /proc/net/snmp; }
# Tcp: fields: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails ...
fails0=$(snmp 8)
start_tracer "$TS_TMP/u.jsonl" "$TS_TMP/u.err" -j --no-snapshot --netns "$NETNS_S_INO" ||
	{ not_ok "tracer ready"; finish; }
ip netns exec "$NS_S" "$TS_PY" "$TS_LIB/holdconns.py" synsent --addr "${ADDR4_S%.*}.77" --n 2 \
	--hold 5 >"$TS_TMP/u.app" 2>&1
sleep 0.3
stop_tracer
fails1=$(snmp 8)
got=$(jq -r 'select(.type == "transition" and .oldstate == "SYN_SENT") | .newstate + ":" + (.reason // "-")' \
	"$TS_TMP/u.jsonl" | sort | uniq -c | tr -s ' ' | sed 's/^ //')
check "2 connects to an unanswered address end SYN_SENT -> CLOSE unreachable (got '$got')" \
	[ "$got" = "2 CLOSE:unreachable" ]
af=$(jq -r 'select(.type == "summary") | .counters.attempt_fails' "$TS_TMP/u.jsonl")
check "attempt_fails $af equals the kernel's AttemptFails delta $((fails1 - fails0))" \
	[ "$af" = $((fails1 - fails0)) ]
validate_json "$TS_TMP/u.jsonl"
finish
