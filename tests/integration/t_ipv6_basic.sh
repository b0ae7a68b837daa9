#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_ipv6_basic: one orderly IPv6 connection between two namespaces; exact transitions per socket,
# owners (also on softirq transitions), durations, JSON schema.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup v6 || { not_ok "namespaces set up"; finish; }
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j || { not_ok "tracer starts"; finish; }
basic_connection 6 "$TS_TMP/c" || not_ok "scenario ran"
stop_tracer
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/out.jsonl" \
	--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" --netns-c "$NETNS_C_INO" \
	--family 6 --saddr "$ADDR6_S" --caddr "$ADDR6_C"
validate_json "$TS_TMP/out.jsonl"
finish
