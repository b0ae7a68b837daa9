#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_features: no feature shares the core's fate. Features are made to fail to load for real
# (TCPSTATES_TEST_BREAK: the kernel is handed their programs as socket filters, and refuses them),
# and the tracer must still run, say at start which feature is off and why, list in its summary
# exactly the features that were on, and print the transitions the remaining ones give:
#   tw     timewait broken: the active closer ends FIN_WAIT2 -> CLOSE, everything else as usual
#   fb     the tp_btf state hook broken: auto falls back to the classic tracepoint with every
#          feature (TIME_WAIT lines and owners as on tp_btf; no cookies, no recursion backup)
#   core   every feature broken: the core alone on tp_btf
#   btf    the tp_btf state hook broken and --hook btf: one line, exit 1
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

ALL="tp_btf cookies socket_storage recursion_backup owner_takeover_recv owner_takeover_send owner_exit resets"
ALL="$ALL reset_reasons destroy_witness timewait timewait_check timewait_kill_reasons"

# features_of JSONL: the summary's feature list, space-separated
features_of() { jq -r 'select(.type == "summary") | .features | join(" ")' "$1" 2>/dev/null; }

# without WORDS...: $ALL minus WORDS
without() {
	local f out=() skip
	for f in $ALL; do
		skip=0
		for w in "$@"; do [ "$f" = "$w" ] && skip=1; done
		[ $skip = 0 ] && out+=("$f")
	done
	echo "${out[*]}"
}

# expect_line LABEL ERR PHRASE...: the start-up line holds each phrase
expect_line() {
	local label=$1 err=$2 line p
	shift 2
	line=$(grep '^tcpstates-c: on kernel ' "$err")
	for p in "$@"; do
		if [[ "$line" != *"$p"* ]]; then
			not_ok "$label: the start-up line says '$p'"
			diag "line: $line"
			return
		fi
	done
	ok "$label: the start-up line says why: $*"
}

netns_setup ft || { not_ok "namespaces set up"; finish; }
TCPSTATES_TEST_BREAK=timewait launch_tracer "$TS_TMP/tw.jsonl" "$TS_TMP/tw.err" -j --no-snapshot -v
TW=$TRACER_PID
TCPSTATES_TEST_BREAK=tp_btf launch_tracer "$TS_TMP/fb.jsonl" "$TS_TMP/fb.err" -j --no-snapshot -v
FB=$TRACER_PID
TCPSTATES_TEST_BREAK=all launch_tracer "$TS_TMP/core.jsonl" "$TS_TMP/core.err" -j --no-snapshot
CORE=$TRACER_PID
for t in tw fb core; do
	pid_var=${t^^}
	wait_tracer_ready "${!pid_var}" "$TS_TMP/$t.err" 60 || { not_ok "$t: tracer ready"; finish; }
done
basic_connection 4 "$TS_TMP/c" || not_ok "scenario ran"
for t in tw fb core; do
	pid_var=${t^^}
	stop_tracer "${!pid_var}"
	check "$t: tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done

# tw: timewait refused, and what builds on it off with it
expect_line tw "$TS_TMP/tw.err" "TIME_WAIT/FIN_WAIT2 minisockets off: refused by the kernel" \
	"silent FIN_WAIT2 -> TIME_WAIT check off: timewait is off"
check "tw: -v closing line: nested runs skipped and rescued, the backup on" \
	grep -qE '^tcpstates-c: nested state hook runs the kernel skipped: [0-9]+, rescued by the backup program: [0-9]+$' "$TS_TMP/tw.err"
want=$(without timewait timewait_check timewait_kill_reasons)
got=$(features_of "$TS_TMP/tw.jsonl")
check "tw: summary features are '$want' (got '$got')" [ "$got" = "$want" ]
run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/tw.jsonl" --label tw \
	--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" \
	--netns-c "$NETNS_C_INO" --family 4 --saddr "$ADDR4_S" --caddr "$ADDR4_C" --no-timewait

# fb: the classic tracepoint carries every feature but the tp_btf-only ones
expect_line fb "$TS_TMP/fb.err" "state hook tp_btf off: tp_btf refused" \
	"socket cookies (sock) off: the classic tracepoint cannot ask for them"
check "fb: -v table: timewait on, recursion_backup off" \
	grep -qE '^  timewait +on ' "$TS_TMP/fb.err"
check "fb: -v table: recursion_backup off" grep -qE '^  recursion_backup +off ' "$TS_TMP/fb.err"
check "fb: -v closing line: nested runs skipped, none rescued (backup off)" \
	grep -qE '^tcpstates-c: nested state hook runs the kernel skipped: [0-9]+, rescued by the backup program: 0 \(backup off\)$' "$TS_TMP/fb.err"
hook=$(jq -r 'select(.type == "summary") | .hook' "$TS_TMP/fb.jsonl")
check "fb: summary hook is the classic tracepoint (got '$hook')" \
	[ "$hook" = tracepoint/sock/inet_sock_set_state ]
want=$(without tp_btf cookies socket_storage recursion_backup owner_exit)
got=$(features_of "$TS_TMP/fb.jsonl")
check "fb: summary features are '$want' (got '$got')" [ "$got" = "$want" ]
run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/fb.jsonl" --label fb \
	--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" \
	--netns-c "$NETNS_C_INO" --family 4 --saddr "$ADDR4_S" --caddr "$ADDR4_C" --by-addr

# core: every feature refused, the core alone
expect_line core "$TS_TMP/core.err" "recursion backup off: refused by the kernel" \
	"owner takeover at send off: refused by the kernel" "resets sent/received off: refused" \
	"destroy witness off: refused" "TIME_WAIT/FIN_WAIT2 minisockets off: refused"
want="tp_btf cookies socket_storage"
got=$(features_of "$TS_TMP/core.jsonl")
check "core: summary features are '$want' (got '$got')" [ "$got" = "$want" ]
run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/core.jsonl" --label core \
	--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" \
	--netns-c "$NETNS_C_INO" --family 4 --saddr "$ADDR4_S" --caddr "$ADDR4_C" --no-timewait
for t in tw fb core; do validate_json "$TS_TMP/$t.jsonl"; done

# btf: the state hook itself refused, and no other allowed: one line, exit 1
TCPSTATES_TEST_BREAK=tp_btf timeout 60 "$TS_BIN" -j --hook btf -d 1 >"$TS_TMP/btf.out" 2>"$TS_TMP/btf.err"
rc=$?
check "btf: --hook btf with tp_btf refused exits 1 (got $rc)" [ "$rc" = 1 ]
n=$(wc -l <"$TS_TMP/btf.err")
check "btf: one stderr line saying so (got $n: $(head -c 300 "$TS_TMP/btf.err"))" \
	eval '[ "$n" = 1 ] &&
	grep -q "^tcpstates-c: cannot load or attach the BPF program on kernel" "$TS_TMP/btf.err"'
check "btf: nothing on stdout" [ ! -s "$TS_TMP/btf.out" ]
finish
