#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_snapshot_big: a start-up snapshot larger than the output queue (16 000 listeners, ~8 MB of
# JSON) is written whole - the reader sets its pace - and the transitions made meanwhile follow
# it, none dropped: every listener listed exactly once (as ss lists them), a listener made after
# start traced, nothing counted not_written.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

N=16000
netns_setup sb || { not_ok "namespaces set up"; finish; }
ip netns exec "$NS_S" "$TS_PY" "$TS_LIB/manylisten.py" 127.0.0.1 "$N" "$TS_TMP/go" >"$TS_TMP/many" 2>&1 &
TS_HELPERS+=("$!")
wait_for_grep "$TS_TMP/many" "^ready $N" 60 || { not_ok "$N listeners"; diag "$(cat "$TS_TMP/many")"; finish; }
# the listeners as ss sees them: "laddr lport", one a line
ip netns exec "$NS_S" ss -Htln | awk '{ n = split($4, a, ":"); print a[1], a[n] }' | sort >"$TS_TMP/ss"
check "ss lists the $N listeners (got $(grep -c . "$TS_TMP/ss"))" [ "$(grep -c . "$TS_TMP/ss")" = "$N" ]
start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j --netns "$NETNS_S_INO" || { not_ok "tracer ready"; finish; }
start_server "$NS_S" "$TS_TMP/late.srv" --addr "$ADDR4_S" || true
sleep 1
stop_tracer
touch "$TS_TMP/go"
# the snapshot's records of 127.0.0.1 (the late listener, on ADDR4_S, may be listed too: the
# snapshot runs after "Tracing")
jq -r 'select(.type == "snapshot" and .laddr == "127.0.0.1") | "\(.laddr) \(.lport) \(.newstate)"' \
	"$TS_TMP/out.jsonl" | sort >"$TS_TMP/snap"
# each listener of ss exactly once, and nothing else: the lines not in both, duplicates included
diff=$(sed 's/$/ LISTEN/' "$TS_TMP/ss" | diff - "$TS_TMP/snap" | grep '^[<>]')
check "every listener listed once, nothing else ($(grep -c . "$TS_TMP/snap") records for $N listeners)" \
	[ -z "$diff" ]
[ -n "$diff" ] && diag "missing (<) or not once (>), first lines:
$(head -5 <<<"$diff")"
late=$(jq -c "select(.type == \"transition\" and .lport == ${SRV_PORT:-0} and .oldstate == \"CLOSE\" and .newstate == \"LISTEN\")" \
	"$TS_TMP/out.jsonl" | wc -l)
check "the listener made after start is traced (port ${SRV_PORT:-?}: $late CLOSE -> LISTEN)" [ "$late" = 1 ]
notw=$(jq -r 'select(.type == "summary") | .not_written' "$TS_TMP/out.jsonl")
check "nothing left unwritten (not_written $notw)" [ "$notw" = 0 ]
check "the summary comes last" [ "$(tail -n 1 "$TS_TMP/out.jsonl" | jq -r .type)" = summary ]
finish
