#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_fallback: --hook tracepoint (the classic sock:inet_sock_set_state tracepoint, used where tp_btf
# is refused) sees the same per-socket transitions of a plain IPv4 connection as --hook btf,
# running side by side: the same transitions, owners and TIME_WAIT lines (its features run in
# address mode there); only the socket cookie ("sock") is unknown on the classic tracepoint.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin
ensure_tracefs

netns_setup fb || { not_ok "namespaces set up"; finish; }
launch_tracer "$TS_TMP/tp.jsonl" "$TS_TMP/tp.err" -j -v --hook tracepoint
TP=$TRACER_PID
launch_tracer "$TS_TMP/btf.jsonl" "$TS_TMP/btf.err" -j --hook btf
BTF=$TRACER_PID
wait_tracer_ready "$TP" "$TS_TMP/tp.err" 20 || { not_ok "tracer --hook tracepoint ready"; finish; }
wait_tracer_ready "$BTF" "$TS_TMP/btf.err" 20 || { not_ok "tracer --hook btf ready"; finish; }
if grep -v '^libbpf' "$TS_TMP/tp.err" | grep -qi 'tracepoint'; then
	ok "-v says the tracepoint hook is used"
else
	not_ok "-v says the tracepoint hook is used"
	diag "$(grep -v '^libbpf' "$TS_TMP/tp.err" | head -5)"
fi
basic_connection 4 "$TS_TMP/c" || not_ok "scenario ran"
stop_tracer "$TP"
check "tracepoint tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "$BTF"
check "btf tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
for h in tp btf; do
	extra=()
	# no cookies on the classic tracepoint: sockets are told apart by address
	[ "$h" = tp ] && extra=(--by-addr)
	run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/$h.jsonl" --label "$h" \
		--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" \
		--netns-c "$NETNS_C_INO" --family 4 --saddr "$ADDR4_S" --caddr "$ADDR4_C" "${extra[@]}"
done
validate_json "$TS_TMP/tp.jsonl"
finish
