#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_kill9: SIGKILL, as a supervisor sends it, leaves nothing behind. The tracer is killed while it
# traces connection churn, and again at three points of its start-up (its first map, program and
# link); after each, none of the BPF programs, links and maps it held (its /proc/PID/fdinfo)
# exists any more and no kprobe event of its pid is left; a new tracer then starts and stops
# cleanly. Last, the test's own cleanup leaves none of its namespaces.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin
ensure_tracefs

build_churngen
netns_setup k9 || { not_ok "namespaces set up"; finish; }

# bpf_objs PID: "prog N", "link N", "map N" for every BPF object PID holds an fd on
bpf_objs() {
	sed -n 's/^\(prog\|link\|map\)_id:[[:space:]]*\([0-9]*\)/\1 \2/p' /proc/"$1"/fdinfo/* 2>/dev/null
}

# live: "kind id" of every BPF program, link and map in the system; fails when bpftool does
live() {
	local k
	for k in prog link map; do
		bpf_live "$k" "\"$k \\(.id)\"" || return 1
	done
}

# listed LIST: ok when bpftool lists every object of LIST ("kind id" lines): it sees them while
# their holder is stopped, so that "none left" below is bpftool's answer, not its silence
listed() {
	local now missing
	[ -s "$1" ] || { echo "# no object to look for"; return 1; }
	now=$(live) || return 1
	missing=$(sort -u "$1" | grep -vFx -f <(echo "$now") | tr '\n' ' ')
	[ -z "$missing" ] && return 0
	echo "# not listed by bpftool: $missing"
	return 1
}

# gone LIST: ok when no object of LIST still exists (freeing is deferred: <= 5 s)
gone() {
	local now left i
	for i in $(seq 50); do
		now=$(live) || return 1
		left=$(sort -u "$1" | grep -Fx -f - <(echo "$now") | tr '\n' ' ')
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "# still there: $left"
	return 1
}

# no_probe_events PID: libbpf names the kprobe/uprobe events it creates libbpf_PID_...
no_probe_events() {
	! cat /sys/kernel/tracing/{k,u}probe_events 2>/dev/null | grep -q "libbpf_$1_"
}

# killed LABEL PID LIST: stop PID, add what it holds then to LIST and see bpftool list it all;
# SIGKILL PID, reap it, then the checks above
killed() {
	local label=$1 pid=$2 list=$3 rc
	kill -STOP "$pid"
	bpf_objs "$pid" | sort -u >"$list.held"
	cat "$list.held" >>"$list"
	check "$label: bpftool lists the $(grep -c . "$list.held") BPF objects it holds, stopped" \
		listed "$list.held"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	check "$label: killed (status $rc)" [ "$rc" = 137 ]
	check "$label: it held BPF objects ($(sort -u "$list" | grep -c .) seen)" [ -s "$list" ]
	check "$label: none of its programs, links and maps is left" gone "$list"
	check "$label: no kprobe/uprobe event of its pid is left" no_probe_events "$pid"
}

# ---- killed while tracing churn ------------------------------------------------------------------

start_tracer "$TS_TMP/run.jsonl" "$TS_TMP/run.err" -j --netns "$NETNS_S_INO" ||
	{ not_ok "tracer starts"; finish; }
ip netns exec "$NS_S" "$GEN" -n 1000000 -P 1 -t 30 >"$TS_TMP/gen.out" 2>&1 &
TS_HELPERS+=("$!")
GEN_PID=$!
bpf_objs "$TRACER_PID" >"$TS_TMP/run.objs"
if wait_for_count "$TS_TMP/run.jsonl" '"type":"transition"' 200 15; then
	ok "traced churn before the kill ($COUNT transitions)"
else
	not_ok "traced churn before the kill (${COUNT:-0} transitions)"
fi
check "programs attached while tracing ($(grep -c '^link ' "$TS_TMP/run.objs") links)" \
	grep -q '^link ' "$TS_TMP/run.objs"
killed "tracing" "$TRACER_PID" "$TS_TMP/run.objs"
_kill_pid "$GEN_PID"

# ---- killed during start-up ----------------------------------------------------------------------

# killed as soon as it holds its first map (loading), its first program (verifying), its first
# link (attaching)
for stage in map prog link; do
	launch_tracer "$TS_TMP/$stage.out" "$TS_TMP/$stage.err" -j
	: >"$TS_TMP/$stage.objs"
	end=$(($(date +%s%N) + 30000000000))
	while [ "$(date +%s%N)" -lt "$end" ] && ! grep -q "^$stage " "$TS_TMP/$stage.objs"; do
		bpf_objs "$TRACER_PID" >>"$TS_TMP/$stage.objs"
		kill -0 "$TRACER_PID" 2>/dev/null || break
	done
	grep -q '^Tracing' "$TS_TMP/$stage.err" && when="ready by then" || when="not ready yet"
	killed "start-up, at its first $stage ($when)" "$TRACER_PID" "$TS_TMP/$stage.objs"
done

# ---- a new run after all that --------------------------------------------------------------------

if start_tracer "$TS_TMP/after.out" "$TS_TMP/after.err" -j; then
	stop_tracer
	check "a new tracer starts and stops with exit 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
else
	not_ok "a new tracer starts after the kills"
fi

# ---- the test's own cleanup ----------------------------------------------------------------------

OURS=("${TS_NETNS[@]}")
cleanup
left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -Fx -f <(printf '%s\n' "${OURS[@]}"))
check "cleanup leaves none of the test's ${#OURS[@]} namespaces (${left:-none left})" [ -z "$left" ]
finish
