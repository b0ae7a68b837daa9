#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_snapshot: sockets that exist before the tracer starts. A listener, one connection (client and
# accepted socket) and a TIME_WAIT socket made first are listed once as "snapshot" records with
# their owners (found in /proc), states and ports; when the client then closes, the transitions
# of those old sockets carry the same owners - also the accepted socket's softirq ESTABLISHED ->
# CLOSE_WAIT, whose owner comes from the snapshot seeding. Filters apply to the snapshot;
# --no-snapshot lists nothing.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup snap || { not_ok "namespaces set up"; finish; }
GO="$TS_TMP/go-close"

# a connection that ends before the tracer starts: its client socket stays in TIME_WAIT (60 s)
basic_connection 4 "$TS_TMP/tw" -- --connect-only || { not_ok "TIME_WAIT scenario ran"; finish; }
TW_PORT=$CLI_PORT
TW_SRV_PORT=$SRV_PORT
# a listener and a connection that stay open until $GO exists
app "$NS_S" "$TS_TMP/srv" server --addr "$ADDR4_S" --port 0 --name tsc-snap-srv
SRV=$APP_PID
wait_for_grep "$TS_TMP/srv" '"listening"' 10 || { not_ok "server listens"; finish; }
SRV_PORT=$(json_field "$TS_TMP/srv" listening port)
app "$NS_C" "$TS_TMP/cli" client --addr "$ADDR4_S" --port "$SRV_PORT" --name tsc-snap-cli \
	--close-file "$GO"
CLI=$APP_PID
wait_for_grep "$TS_TMP/srv" '"accepted"' 10 || { not_ok "server accepted"; finish; }
CLI_PORT=$(json_field "$TS_TMP/cli" connected lport)

# label | tracer arguments ("srv" and "cli" together are "all": one namespace each, so other
# traffic of a busy machine cannot slow them down)
CASES=(
	"srv|-j --netns $NETNS_S_INO"
	"cli|-j --netns $NETNS_C_INO"
	"off|-j --no-snapshot"
	"filtered|-j --netns $NETNS_C_INO -L $CLI_PORT"
	"text|--netns $NETNS_C_INO -L $CLI_PORT"
)
declare -A TPID
for c in "${CASES[@]}"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	launch_tracer "$TS_TMP/$label.out" "$TS_TMP/$label.err" ${c#*|}
	TPID[$label]=$TRACER_PID
done
for label in "${!TPID[@]}"; do
	wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20 || { not_ok "tracer $label ready"; finish; }
done
# the snapshot is written right after "Tracing": wait for it before the client closes
wait_for_grep "$TS_TMP/cli.out" "\"type\":\"snapshot\".*\"lport\":$CLI_PORT," 10 ||
	not_ok "snapshot of the client written"
wait_for_grep "$TS_TMP/filtered.out" '"type":"snapshot"' 10
wait_for_grep "$TS_TMP/text.out" "-> ESTABLISHED" 10
sleep 0.2
touch "$GO"
wait_pid "$CLI" 15
wait_pid "$SRV" 15
sleep 0.5
for label in "${!TPID[@]}"; do
	stop_tracer "${TPID[$label]}"
	check "tracer $label exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done

run_checks "$TS_PY" "$TS_LIB/check_snapshot.py" --dir "$TS_TMP" --srv "$SRV" --cli "$CLI" \
	--srv-port "$SRV_PORT" --cli-port "$CLI_PORT" --tw-port "$TW_PORT" --tw-srv-port "$TW_SRV_PORT" \
	--netns-s "$NETNS_S_INO" --netns-c "$NETNS_C_INO"
validate_json "$TS_TMP/srv.out"
validate_json "$TS_TMP/cli.out"
validate_json "$TS_TMP/filtered.out"
finish
