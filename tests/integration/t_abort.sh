#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_abort: the client closes with SO_LINGER {1, 0}: it goes ESTABLISHED -> CLOSE at once (RST
# sent), and the server's accepted socket goes ESTABLISHED -> CLOSE on receiving the reset.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup abt || { not_ok "namespaces set up"; finish; }
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j || { not_ok "tracer starts"; finish; }
# the server waits in recv() (10 s at most) and sees the reset; the client aborts after 100 ms
basic_connection 4 "$TS_TMP/a" -- --sleep 0.1 --linger0 || not_ok "scenario ran"
stop_tracer
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
e=$(json_field "$TS_TMP/a.srv" recv_error errno)
check "server saw the reset (recv: '$e')" [ "$e" = ECONNRESET ]
run_checks "$TS_PY" "$TS_LIB/expect.py" --json "$TS_TMP/out.jsonl" \
	--netns "$NETNS_S_INO,$NETNS_C_INO" --total 3 --comm python3 --family 4 \
	--sock "listener" "$SRV_PORT" 0 "$SRV_PID" @listener \
	--sock "aborting client" "$CLI_PORT" "$SRV_PORT" "$CLI_PID" \
	"CLOSE->SYN_SENT,SYN_SENT->ESTABLISHED,ESTABLISHED->CLOSE" \
	--sock "reset accepted socket" "$SRV_PORT" "$CLI_PORT" "$SRV_PID" \
	"LISTEN->SYN_RECV,SYN_RECV->ESTABLISHED,ESTABLISHED->CLOSE"
validate_json "$TS_TMP/out.jsonl"
finish
