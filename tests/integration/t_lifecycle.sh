#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_lifecycle: how the program starts and stops. Bad arguments exit 2 with one line and a hint;
# a non-root user gets exit 1 and one sentence; -n COUNT and -d SECONDS end the run by
# themselves; SIGTERM/SIGINT drain, flush, say goodbye on stderr and exit 0 with complete output;
# the closing line's and the summary's counts add up to the lines written, also when the timewait
# sweep brings more transitions than the kernel's count (a namespace deleted with 100 TIME_WAIT
# sockets in it); "tcpstates-c | head -n 1" exits 0 quietly; no BPF program outlives a run.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

now_ms() { echo $(($(date +%s%N) / 1000000)); }
closing_line() { sed -n '/^Tracing/,$p' "$1" | tail -n +2 | grep -q .; }
ends_with_newline() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" = 0a ]; }

# ---- arguments -----------------------------------------------------------------------------------

BAD_ARGS=(
	"--port 0" "--port 65536" "--port abc" "-L 80," "-L 1,,2" "-D -1" "-p abc" "-p 0x10"
	"-d 0" "-d -1" "-d abc" "-n abc" "-n -1" "--state FOO" "--state ESTABLISHED,"
	"--hook foo" "-c 0123456789abcdef" "--bogus" "-Z" "foo" "-L" "--ringbuf-mb 3" "-4 -6"
	"-j=1"
)
for a in "${BAD_ARGS[@]}"; do
	# shellcheck disable=SC2086
	timeout 10 "$TS_BIN" $a >"$TS_TMP/bad.out" 2>"$TS_TMP/bad.err"
	rc=$?
	n=$(wc -l <"$TS_TMP/bad.err")
	first=$(head -n 1 "$TS_TMP/bad.err")
	if [ "$rc" = 2 ] && [ "$n" = 2 ] && [ ! -s "$TS_TMP/bad.out" ] &&
		[[ "$first" == "tcpstates-c: "* ]] && sed -n 2p "$TS_TMP/bad.err" | grep -q -- '--help'; then
		ok "bad args '$a': exit 2, one error line and a hint"
	else
		not_ok "bad args '$a': exit 2, one error line and a hint"
		diag "exit $rc, stderr ($n lines):"
		diag "$(sed 's/^/  /' "$TS_TMP/bad.err")"
		[ -s "$TS_TMP/bad.out" ] && diag "stdout: $(head -c 300 "$TS_TMP/bad.out")"
	fi
done
timeout 10 "$TS_BIN" -h >"$TS_TMP/h.out" 2>"$TS_TMP/h.err"
rc=$?
help_ok() { [ "$rc" = 0 ] && grep -q "^Usage" "$TS_TMP/h.out" && [ ! -s "$TS_TMP/h.err" ]; }
check "-h: exit 0 (got $rc), usage on stdout, nothing on stderr" help_ok
timeout 10 "$TS_BIN" -V >"$TS_TMP/v.out" 2>"$TS_TMP/v.err"
rc=$?
version_ok() { [ "$rc" = 0 ] && [ "$(wc -l <"$TS_TMP/v.out")" = 1 ] && [ ! -s "$TS_TMP/v.err" ]; }
check "-V: exit 0 (got $rc), one line on stdout" version_ok

# ---- not root ------------------------------------------------------------------------------------

for a in "" "-j"; do
	# shellcheck disable=SC2086
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$TS_BIN" $a \
		>"$TS_TMP/nr.out" 2>"$TS_TMP/nr.err"
	rc=$?
	if [ "$rc" = 1 ] && [ "$(grep -c . "$TS_TMP/nr.err")" = 1 ] && [ ! -s "$TS_TMP/nr.out" ] &&
		grep -qiE 'root|privilege|permission|CAP_' "$TS_TMP/nr.err"; then
		ok "as nobody ('$a'): exit 1 with one sentence"
	else
		not_ok "as nobody ('$a'): exit 1 with one sentence"
		diag "exit $rc; stderr:"
		diag "$(sed 's/^/  /' "$TS_TMP/nr.err")"
		[ -s "$TS_TMP/nr.out" ] && diag "stdout: $(head -c 300 "$TS_TMP/nr.out")"
	fi
done

# ---- runs that end by themselves, and by signals -------------------------------------------------

netns_setup life || { not_ok "namespaces set up"; finish; }
P=$((40000 + $$ % 10000))
declare -A TPID PROGS LISTED
# held_progs LABEL PID: PROGS[LABEL], the ids of the BPF programs PID holds, and LISTED[LABEL],
# those of them bpftool lists now ("bpftool failed" when it does): all of them while PID runs, so
# that "gone after exit" is bpftool's answer, not its silence
held_progs() {
	local label=$1 pid=$2 live id
	PROGS[$label]=$(bpf_prog_ids "$pid" | tr '\n' ' ')
	if live=$(bpf_live prog); then
		LISTED[$label]=$(for id in ${PROGS[$label]}; do grep -qx "$id" <<<"$live" && echo -n "$id "; done)
	else
		LISTED[$label]="bpftool failed"
	fi
}
# -d 2 first and alone, so its start and readiness are timed precisely
D2_LAUNCH=$(now_ms)
launch_tracer "$TS_TMP/d2.out" "$TS_TMP/d2.err" -d 2 --port "$P"
TPID[d2]=$TRACER_PID
if wait_tracer_ready "${TPID[d2]}" "$TS_TMP/d2.err" 20; then
	D2_READY=$(now_ms)
	held_progs d2 "${TPID[d2]}"
else
	not_ok "tracer d2 ready"
	D2_READY=$(now_ms)
fi
# note the moment it ends (polled), whatever the script is busy with then
(while kill -0 "${TPID[d2]}" 2>/dev/null; do sleep 0.05; done; now_ms >"$TS_TMP/d2.end") &
TS_HELPERS+=($!)
RUNS=(
	"n3json|-j -n 3 --port $P"
	"n3text|-n 3 --port $P"
	"termjson|-j"
	"termtext|--port $P"
	"intjson|-j --port $P"
)
for c in "${RUNS[@]}"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	# --no-timewait --no-snapshot: one connection is then exactly 12 lines at once (a listener made
	# while the snapshot runs is listed too; t_timewait and t_snapshot test those)
	launch_tracer "$TS_TMP/$label.out" "$TS_TMP/$label.err" --no-timewait --no-snapshot ${c#*|}
	TPID[$label]=$TRACER_PID
done
for c in "${RUNS[@]}"; do
	label=${c%%|*}
	if wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20; then
		held_progs "$label" "${TPID[$label]}"
	else
		not_ok "tracer $label ready"
	fi
done
basic_connection 4 "$TS_TMP/conn" --port "$P" || not_ok "scenario ran"
# live output: the connection's 12 transitions must reach the file while the tracer runs (the
# reader polls every 100 ms), not only when it is stopped. Wait up to 2 s.
live=0
for i in $(seq 40); do
	live=$(grep -c "\"netns\":\($NETNS_S_INO\|$NETNS_C_INO\)[,}]" "$TS_TMP/termjson.out")
	[ "$live" -ge 12 ] && break
	sleep 0.05
done
check "termjson: transitions are printed live, within 2 s, before any signal ($live of 12)" \
	test "$live" -ge 12

# -n 3: gone by itself, exactly three transitions
for label in n3json n3text; do
	if wait_pid "${TPID[$label]}" 5; then
		check "$label: -n 3 exits 0 by itself (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
	else
		not_ok "$label: -n 3 exits by itself within 5 s of 3 transitions"
		stop_tracer "${TPID[$label]}"
	fi
done
run_checks "$TS_PY" - "$TS_TMP/n3json.out" <<'PY'
import sys, tslib
R = tslib.Results()
recs, bad = tslib.load(sys.argv[1])
R.check(not bad, "n3json: every line is JSON", *bad[:3])
tr = [r for r in recs if r.get("type") == "transition"]
R.eq(len(tr), 3, "n3json: exactly 3 transition records", *map(str, tr))
R.check(recs and recs[-1].get("type") == "summary" and recs[-1].get("transition_lines") == 3,
        "n3json: summary last, transition_lines 3", recs[-1] if recs else None)
R.done()
PY
n=$(tail -n +2 "$TS_TMP/n3text.out" | grep -c .)
check "n3text: header + exactly 3 lines (got $n after the header)" [ "$n" = 3 ]

# -d 2: gone by itself after 2 s: never early (from launch), never much late (from readiness)
if wait_pid "${TPID[d2]}" 8; then
	sleep 0.2
	now=$(cat "$TS_TMP/d2.end" 2>/dev/null || now_ms)
	check "d2: -d 2 exits 0 by itself (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
	check "d2: ran at least 2 s ($((now - D2_LAUNCH)) ms from launch)" test $((now - D2_LAUNCH)) -ge 2000
	check "d2: stopped within 4 s of being ready ($((now - D2_READY)) ms)" test $((now - D2_READY)) -le 4000
else
	not_ok "d2: -d 2 exits by itself within 8 s"
	stop_tracer "${TPID[d2]}"
fi

# signals: drained, flushed, said goodbye, exit 0
stop_tracer "${TPID[termjson]}"
check "termjson: SIGTERM exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
stop_tracer "${TPID[termtext]}"
check "termtext: SIGTERM exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
kill -INT "${TPID[intjson]}"
if wait_pid "${TPID[intjson]}" 10; then
	check "intjson: SIGINT exits 0 (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
else
	not_ok "intjson: SIGINT ends the tracer within 10 s (SIGTERM sent then)"
	stop_tracer "${TPID[intjson]}"
fi
for label in termjson termtext intjson; do
	check "$label: a closing line on stderr after the Tracing line" closing_line "$TS_TMP/$label.err"
	check "$label: output ends with a complete line" ends_with_newline "$TS_TMP/$label.out"
done
run_checks "$TS_PY" - "$TS_TMP" "$NETNS_S_INO,$NETNS_C_INO" <<'PY'
import sys, tslib
tmp, ns = sys.argv[1], {int(x) for x in sys.argv[2].split(",")}
R = tslib.Results()
for label in ("termjson", "intjson"):
    recs, bad = tslib.load("%s/%s.out" % (tmp, label))
    R.check(not bad, "%s: every line parses as JSON" % label, *map(str, bad[:3]))
    last = recs[-1] if recs else {}
    R.check(last.get("type") == "summary", "%s: a summary record comes last" % label, last)
    tr = [r for r in recs if r.get("type") == "transition"]
    tslib.summary_adds_up(R, label, recs)
    keys = ("rb_full", "recursion_misses")
    R.check(all(isinstance(last.get(k), int) for k in keys),
            "%s: summary has integer %s" % (label, ", ".join(keys)), last)
    mine = tslib.transitions(recs, netns=ns)
    R.eq(len(mine), 12, "%s: all 12 transitions of the connection flushed" % label,
         tslib.describe(tslib.sockets(mine)))
R.done()
PY
# the port filter may also let through other traffic of the machine: count our addresses only
n=$(grep -cE -- " ($ADDR4_S|$ADDR4_C) .* -> " "$TS_TMP/termtext.out")
check "termtext: 12 transition lines flushed (got $n)" [ "$n" = 12 ]
# the closing line: every line counted once, as what it is; the header is the one other line
closing_adds_up() {
	local err=$1 out=$2 other=$3 n
	closing_counts "$err" || return 1
	n=$(tail -n +2 "$out" | grep -c -- ' -> ')
	[ "$CL_LINES" = $((CL_TRANS + CL_SNAP + CL_OTHER)) ] &&
		[ "$CL_LINES" = $((CL_WRITTEN + CL_NOTW)) ] && [ "$CL_WRITTEN" = "$(wc -l <"$out")" ] &&
		[ "$CL_NOTW" = 0 ] && [ "$CL_SNAP" = 0 ] && [ "$CL_TRANS" = "$n" ] && [ "$CL_OTHER" = "$other" ]
}
check "termtext: the closing line adds up: $(grep '^tcpstates-c: in:' "$TS_TMP/termtext.err" ||
	tail -n 1 "$TS_TMP/termtext.err")" closing_adds_up "$TS_TMP/termtext.err" "$TS_TMP/termtext.out" 1

# ---- counts: the timewait sweep brings more than the kernel's count -------------------------------

# 100 TIME_WAIT sockets in a namespace of their own, traced, then the namespace deleted: their
# TIME_WAIT -> CLOSE netns_exit lines come from the tracer's sweep of tw_pending, not from the
# ring buffer, so the kernel's count alone is below the transitions printed. The summary and the
# closing line name both, and add up to the records written.
sweep_counts() {
	local ns="tsc-$$-life-x" ino gen out
	out=$(make --no-print-directory -s -C "$TS_ROOT" .output/bench/twgen 2>&1) ||
		{ not_ok "counts: build tests/bench/twgen.c"; diag "$out"; return; }
	ip netns add "$ns" && TS_NETNS+=("$ns") && ip -n "$ns" link set lo up ||
		{ not_ok "counts: namespace"; return; }
	ino=$(stat -L -c %i "/run/netns/$ns")
	ip netns exec "$ns" "$TS_ROOT/.output/bench/twgen" -m timewait -n 100 >"$TS_TMP/tw.gen" 2>&1 &
	gen=$!
	TS_HELPERS+=("$gen")
	wait_for_grep "$TS_TMP/tw.gen" '^created 100 ' 30 ||
		{ not_ok "counts: 100 TIME_WAIT sockets"; diag "$(cat "$TS_TMP/tw.gen")"; return; }
	start_tracer "$TS_TMP/sweep.out" "$TS_TMP/sweep.err" -j --netns "$ino" ||
		{ not_ok "counts: tracer ready"; return; }
	# "Tracing" comes before the snapshot: the namespace goes only once it is listed
	check "counts: the snapshot lists the 100 TIME_WAIT sockets" \
		wait_for_count "$TS_TMP/sweep.out" '"type":"snapshot".*"newstate":"TIME_WAIT"' 100 15
	kill "$gen"
	wait "$gen" 2>/dev/null
	ip netns del "$ns"
	check "counts: 100 TIME_WAIT -> CLOSE netns_exit lines" \
		wait_for_count "$TS_TMP/sweep.out" '"reason":"netns_exit"' 100 15
	stop_tracer
	check "counts: exit 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
	closing_counts "$TS_TMP/sweep.err"
	diag "$(tail -n 1 "$TS_TMP/sweep.err")"
	run_checks "$TS_PY" - "$TS_TMP/sweep.out" "$CL_KERNEL $CL_SWEPT $CL_LINES $CL_TRANS $CL_SNAP \
$CL_OTHER $CL_WRITTEN $CL_NOTW" <<'PY'
import sys, tslib
R = tslib.Results()
recs, bad = tslib.load(sys.argv[1])
R.check(not bad, "counts: every line is JSON", *bad[:3])
s = tslib.summary_adds_up(R, "counts", recs)
ends = [r for r in recs if r.get("reason") == "netns_exit"]
R.check(s.get("swept_transitions", 0) >= len(ends) >= 100,
        "counts: swept_transitions %r >= the %d netns_exit lines" % (s.get("swept_transitions"),
                                                                     len(ends)))
try:
    k, sw, lines, tr, snap, other, written, notw = map(int, sys.argv[2].split())
except ValueError:
    k = None
R.check(k is not None, "counts: the closing line parsed", sys.argv[2])
if k is not None:
    R.eq((k, sw, tr, snap), (s.get("kernel_transitions"), s.get("swept_transitions"),
                             s.get("transition_lines"), s.get("snapshot_lines")),
         "counts: the closing line's in, transitions and snapshot are the summary's")
    R.check(lines == tr + snap + other == written + notw and written == len(recs) and notw == 0
            and other == 1 and snap >= 100, "counts: closing line: %d lines = %d + %d snapshot + "
            "%d other (the summary) = %d written + %d, the file's %d" % (
                lines, tr, snap, other, written, notw, len(recs)))
R.done()
PY
}
sweep_counts

# ---- EPIPE ---------------------------------------------------------------------------------------

# pipeline NAME ARGS: "tcpstates-c ARGS | head -n 1" in the background; statuses to NAME.st
pipeline() {
	local name=$1
	shift
	bash -c '"$1" "${@:5}" 2>"$2" | head -n 1 >"$3"; echo "${PIPESTATUS[*]}" >"$4"' \
		_ "$TS_BIN" "$TS_TMP/$name.err" "$TS_TMP/$name.out" "$TS_TMP/$name.st" "$@" &
	TS_HELPERS+=($!)
	PIPE_SH=$!
}
# the tracer is the child of the pipeline's shell whose executable is ours
pipeline_tracer() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		[ "$(readlink /proc/"$c"/exe 2>/dev/null)" = "$TS_BIN" ] && { echo "$c"; return; }
	done
}
declare -A PSH PTR
for v in "pipetext|" "pipejson|-j"; do
	label=${v%%|*}
	# shellcheck disable=SC2086
	pipeline "$label" ${v#*|}
	PSH[$label]=$PIPE_SH
done
for label in pipetext pipejson; do
	for i in $(seq 100); do
		PTR[$label]=$(pipeline_tracer "${PSH[$label]}")
		[ -n "${PTR[$label]}" ] && break
		sleep 0.05
	done
	[ -n "${PTR[$label]}" ] && TS_TRACERS+=("${PTR[$label]}")
	if wait_tracer_ready "${PTR[$label]:-2147483647}" "$TS_TMP/$label.err" 20; then
		held_progs "$label" "${PTR[$label]}"
		# with traffic about, it may be gone already (EPIPE right after the header), before
		# its programs were listed (in /proc or by bpftool)
		if { [ -z "${PROGS[$label]// /}" ] || [ "${LISTED[$label]}" != "${PROGS[$label]}" ]; } &&
			! kill -0 "${PTR[$label]}" 2>/dev/null; then
			echo "# $label: tracer ended before its BPF programs could be listed"
			unset "PROGS[$label]"
		fi
	else
		not_ok "$label: tracer ready"
	fi
done
# traffic (refused connects) until both pipelines are done, 15 s at most
end=$(($(date +%s) + 15))
while [ "$(date +%s)" -lt "$end" ] && { [ ! -s "$TS_TMP/pipetext.st" ] || [ ! -s "$TS_TMP/pipejson.st" ]; }; do
	ip netns exec "$NS_C" "$TS_PY" "$TS_APP" client --addr "$ADDR4_S" --port 9 >/dev/null 2>&1
	sleep 0.1
done
for label in pipetext pipejson; do
	st=$(cat "$TS_TMP/$label.st" 2>/dev/null)
	if [ -z "$st" ]; then
		not_ok "$label: tcpstates-c | head -n 1 ends within 15 s of traffic"
		[ -n "${PTR[$label]}" ] && _kill_pid "${PTR[$label]}"
		continue
	fi
	check "$label: PIPESTATUS is '0 0' (got '$st')" [ "$st" = "0 0" ]
	check "$label: head got one line" [ "$(wc -l <"$TS_TMP/$label.out")" = 1 ]
	if grep -qiE 'error|broken pipe|epipe|fail' "$TS_TMP/$label.err"; then
		not_ok "$label: no error on stderr"
		diag "$(cat "$TS_TMP/$label.err")"
	else
		ok "$label: no error on stderr"
	fi
done
grep -q '^TIME' "$TS_TMP/pipetext.out" && ok "pipetext: the line is the header" ||
	not_ok "pipetext: the line is the header ($(cat "$TS_TMP/pipetext.out"))"
# the first record: a socket of the start-up snapshot, or a transition where none exists
jq -e '.type == "transition" or .type == "snapshot"' "$TS_TMP/pipejson.out" >/dev/null 2>&1 &&
	ok "pipejson: the line is a snapshot or transition record" ||
	not_ok "pipejson: the line is a snapshot or transition record ($(cat "$TS_TMP/pipejson.out"))"

# ---- no BPF program outlives a run ---------------------------------------------------------------

sleep 0.2
for label in "${!PROGS[@]}"; do
	ids=${PROGS[$label]}
	if [ -z "${ids// /}" ]; then
		not_ok "$label: tracer held BPF programs while running (none in /proc/PID/fdinfo)"
		continue
	fi
	check "$label: bpftool listed its BPF programs ($ids) while it ran (listed: ${LISTED[$label]})" \
		[ "${LISTED[$label]}" = "$ids" ]
	if ! live=$(bpf_live prog); then
		not_ok "$label: its BPF programs ($ids) are gone after exit (bpftool failed)"
		continue
	fi
	left=""
	for id in $ids; do
		grep -qx "$id" <<<"$live" && left="$left $id"
	done
	check "$label: its BPF programs ($ids) are gone after exit${left:+ (left:$left)}" [ -z "$left" ]
done
# and no program named like ours that no process holds (pinned or leaked)
# unheld: "id:name" of each on_set_state* program bpftool lists and no process holds; fails when
# bpftool does
unheld() {
	local ours held id f
	ours=$(bpf_live prog 'select(.name // "" | test("^on_set_state")) | "\(.id):\(.name)"') || return 1
	held=$(for f in /proc/[0-9]*/fdinfo/*; do sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null; done)
	for id in $ours; do grep -qx "${id%%:*}" <<<"$held" || echo "$id"; done
}
# an orphan stays one: a tracer of another run starting or ending between bpftool and the /proc
# scan is not, on three looks 0.5 s apart
if orphans=$(unheld); then
	for i in 1 2; do
		[ -z "$orphans" ] && break
		sleep 0.5
		now=$(unheld) || { orphans="(bpftool failed)"; break; }
		orphans=$(comm -12 <(sort <<<"$orphans") <(sort <<<"$now"))
	done
	check "no orphaned on_set_state* program in 'bpftool prog show'${orphans:+ (found: $(echo $orphans))}" \
		[ -z "$orphans" ]
else
	not_ok "no orphaned on_set_state* program in 'bpftool prog show' (bpftool failed)"
fi
finish
