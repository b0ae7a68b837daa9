#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_refused: connect() to a port nobody listens on (IPv4 and IPv6): the client socket goes
# CLOSE -> SYN_SENT -> CLOSE (reason refused: tests/lib/tslib.py's @refused), owned by the client
# process, and nothing else happens.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup ref || { not_ok "namespaces set up"; finish; }
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j || { not_ok "tracer starts"; finish; }
app "$NS_C" "$TS_TMP/c4" client --addr "$ADDR4_S" --port 9
P4=$APP_PID
app "$NS_C" "$TS_TMP/c6" client --addr "$ADDR6_S" --port 7
P6=$APP_PID
wait_pid "$P4" 15
wait_pid "$P6" 15
sleep 0.5
stop_tracer
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
for f in c4 c6; do
	e=$(json_field "$TS_TMP/$f" connect_error errno)
	check "$f: connect() refused (got '${e}')" [ "$e" = ECONNREFUSED ]
done
run_checks "$TS_PY" "$TS_LIB/expect.py" --json "$TS_TMP/out.jsonl" \
	--netns "$NETNS_S_INO,$NETNS_C_INO" --total 2 --comm python3 \
	--sock "refused IPv4 client" - 9 "$P4" @refused --sock "refused IPv6 client" - 7 "$P6" @refused
run_checks "$TS_PY" - "$TS_TMP/out.jsonl" "$NETNS_C_INO" <<'PY'
import sys, tslib
recs, _ = tslib.load(sys.argv[1])
fams = sorted(r.get("family") for r in tslib.transitions(recs, netns={int(sys.argv[2])})
              if r.get("newstate") == "SYN_SENT")
R = tslib.Results()
R.eq(fams, [4, 6], "families of the two refused clients")
R.done()
PY
validate_json "$TS_TMP/out.jsonl"
finish
