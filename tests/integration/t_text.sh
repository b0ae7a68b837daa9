#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_text: the column output. Header columns exactly; the lines of a known connection match the
# format (time HH:MM:SS.ffffff, owner pid and comm, addresses, ports, OLD -> NEW, MS with three
# decimals or "-") and line up under the header; -T adds the date, -x a hex SKADDR column, -w
# widens the address columns so IPv6 lines line up too.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

netns_setup txt || { not_ok "namespaces set up"; finish; }
P=$((30000 + $$ % 10000))
P6=$((P + 1))
declare -A TPID
for c in "plain|" "date|-T" "skaddr|-x" "wide|-w"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	# --no-timewait --no-snapshot: one connection is then exactly 12 lines at once (a listener made
	# while the snapshot runs is listed too; t_timewait and t_snapshot test those)
	launch_tracer "$TS_TMP/$label.txt" "$TS_TMP/$label.err" --no-timewait --no-snapshot --port "$P,$P6" ${c#*|}
	TPID[$label]=$TRACER_PID
done
for label in "${!TPID[@]}"; do
	wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20 || { not_ok "tracer $label ready"; finish; }
done
T0=$(date +%s)
basic_connection 4 "$TS_TMP/v4" --port "$P" || not_ok "IPv4 scenario ran"
V4_SRV=$SRV_PID V4_CLI=$CLI_PID V4_CPORT=$CLI_PORT
basic_connection 6 "$TS_TMP/v6" --port "$P6" || not_ok "IPv6 scenario ran"
V6_SRV=$SRV_PID V6_CLI=$CLI_PID V6_CPORT=$CLI_PORT
for label in "${!TPID[@]}"; do
	stop_tracer "${TPID[$label]}"
	check "tracer $label exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done

# the lines each output must have, and their format: the table in tests/lib/check_text.py
run_checks "$TS_PY" "$TS_LIB/check_text.py" "$TS_TMP" P="$P" P6="$P6" A4S="$ADDR4_S" A4C="$ADDR4_C" \
	A6S="$ADDR6_S" A6C="$ADDR6_C" S4="$V4_SRV" C4="$V4_CLI" CP4="$V4_CPORT" S6="$V6_SRV" \
	C6="$V6_CLI" CP6="$V6_CPORT" T0="$T0"
finish
