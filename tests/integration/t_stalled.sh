#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_stalled: a reader that stops reading (a log shipper that stalls, `| less` left alone) never
# holds the tracer past a stop, never gets a line cut in two, and every line is accounted for:
#   term   SIGTERM while the pipe is full: exit 0 within 1.5 s
#   dur    -d 2 with the pipe full from the start: exit within 3.5 s of the start
#   then   the reader reads everything: every line parses as JSON, and the lines it got plus the
#          lines the tracer counted as not written are exactly the lines it printed
#   drain  the tracer paused while its ring buffer fills, then stopped: the last read writes it all
#   full   -j >/dev/full: exit 1, one line saying why
#   snapterm, snapdur  the start-up snapshot (4000 listeners, ~2 MB of JSON, past the queue's
#          high water) waits for the stalled reader: SIGTERM ends that wait within 1.5 s, -d 2
#          ends the run within 3.5 s of its start, as for the stream; every line accounted for
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

build_churngen
netns_setup st || { not_ok "namespaces set up"; finish; }

# stalled_start LABEL ARGS...: tcpstates-c -j --netns NS_S ARGS writes into a FIFO whose reader
# reads nothing until told; waits until the tracer is ready. Sets T0 (start, ns) and TPID.
stalled_start() {
	local label=$1
	shift
	mkfifo "$TS_TMP/$label.fifo"
	"$TS_PY" "$TS_LIB/stall_reader.py" "$TS_TMP/$label.fifo" "$TS_TMP/$label.got" \
		"$TS_TMP/$label.go" &
	READER=$!
	TS_HELPERS+=("$READER")
	T0=$(date +%s%N)
	"$TS_BIN" -j --netns "$NETNS_S_INO" "$@" >"$TS_TMP/$label.fifo" 2>"$TS_TMP/$label.err" &
	TPID=$!
	TS_TRACERS+=("$TPID")
	wait_tracer_ready "$TPID" "$TS_TMP/$label.err" 30
}

# stalled LABEL ARGS...: no snapshot; 3000 connections of churn fill the pipe many times over
stalled() {
	local label=$1
	shift
	stalled_start "$label" --no-snapshot "$@" || return 1
	ip netns exec "$NS_S" "$GEN" -n 3000 -P 2 -t 60 >"$TS_TMP/$label.gen" 2>&1
}

# snap_unfinished LABEL: the stop came while the snapshot waited (the reader got only part of it)
snap_unfinished() {
	local n
	n=$(grep -c '"type":"snapshot"' "$TS_TMP/$1.got")
	check "$1: stopped while the snapshot waited (the reader got $n snapshot lines, fewer than the $NSNAP listeners)" \
		[ "$n" -lt "$NSNAP" ]
}

# accounted LABEL: read what the reader got once let go; check lines against the tracer's count
accounted() {
	local label=$1 got lines written notw bad
	touch "$TS_TMP/$label.go"
	wait_pid "$READER" 20
	got=$(wc -l <"$TS_TMP/$label.got")
	bad=$(jq -c . <"$TS_TMP/$label.got" 2>&1 >/dev/null | head -3)
	check "$label: every line the reader got parses ($got lines)" [ -z "$bad" ]
	check "$label: the stream ends with a whole line" \
		[ ! -s "$TS_TMP/$label.got" -o "$(tail -c 1 "$TS_TMP/$label.got" | od -An -c | tr -d ' ')" = '\n' ]
	# the closing line: "... out: L lines = ... = W written + N not written; lost: ..."
	closing_counts "$TS_TMP/$label.err"
	lines=$CL_LINES written=$CL_WRITTEN notw=$CL_NOTW
	check "$label: the reader got exactly the lines written ($got, $written)" [ "$got" = "$written" ]
	r=no
	[ -n "$lines" ] && [ -n "$notw" ] && [ $((written + notw)) = "$lines" ] && r=yes
	check "$label: written $written + not written $notw = lines $lines" [ $r = yes ]
	check "$label: some lines could not be written (the reader stalled): $notw" [ "${notw:-0}" -gt 0 ]
	diag "$(grep -v '^Tracing' "$TS_TMP/$label.err")"
}

# term_gone LABEL WHILE: SIGTERM to TPID; it exits 0 within 1.5 s
term_gone() {
	local t1 rc ms
	t1=$(date +%s%N)
	kill -TERM "$TPID"
	wait_pid "$TPID" 10
	rc=$WAIT_RC
	ms=$((($(date +%s%N) - t1) / 1000000))
	check "$1: exit 0 after SIGTERM $2 (got $rc)" [ "$rc" = 0 ]
	check "$1: gone within 1.5 s of SIGTERM (took $ms ms)" [ "$ms" -le 1500 ]
}

# dur_gone LABEL WHILE: TPID, run with -d 2, exits 0 within 3.5 s of its start (T0)
dur_gone() {
	local rc ms
	wait_pid "$TPID" 10
	rc=$WAIT_RC
	ms=$((($(date +%s%N) - T0) / 1000000))
	check "$1: exit 0 at -d 2 $2 (got $rc)" [ "$rc" = 0 ]
	check "$1: gone within 3.5 s of its start (took $ms ms)" [ "$ms" -le 3500 ]
}

# term: SIGTERM with the pipe full
if stalled term; then
	term_gone term "with a stalled reader"
	accounted term
else
	not_ok "term: tracer ready and churn ran"
fi

# dur: -d 2, the pipe full long before; the metrics file's last write comes after the last line
# could not be written: its not_written is the closing line's
mkdir "$TS_TMP/prom"
if stalled dur -d 2 --metrics-file "$TS_TMP/prom/t.prom"; then
	dur_gone dur "with a stalled reader"
	accounted dur
	m=$(sed -n 's/^tcpstates_lost_records_total{cause="not_written"} //p' "$TS_TMP/prom/t.prom")
	notw=$(sed -n 's/.*; lost: .*not_written \([0-9]*\).*/\1/p' "$TS_TMP/dur.err")
	check "dur: the last metrics say not_written $notw as the closing line does (got '$m')" \
		[ "${m:-none}" = "${notw:-unknown}" ]
else
	not_ok "dur: tracer ready and churn ran"
fi

# drain: the tracer paused (SIGSTOP) while churn fills its ring buffer, then stopped as it resumes:
# the last read takes the whole ring buffer into a file - every line written, the summary last
launch_tracer "$TS_TMP/drain.jsonl" "$TS_TMP/drain.err" -j --no-snapshot --no-timewait \
	--netns "$NETNS_S_INO"
DR=$TRACER_PID
if wait_tracer_ready "$DR" "$TS_TMP/drain.err" 30; then
	kill -STOP "$DR"
	ip netns exec "$NS_S" "$GEN" -n 8000 -P 2 -t 60 >"$TS_TMP/drain.gen" 2>&1
	kill -TERM "$DR"
	kill -CONT "$DR"
	wait_pid "$DR" 20
	check "drain: exit 0 (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
	last=$(tail -n 1 "$TS_TMP/drain.jsonl" | jq -r .type 2>/dev/null)
	check "drain: the summary comes last (got '$last')" [ "$last" = summary ]
	notw=$(sed -n 's/.*; lost: .*not_written \([0-9]*\).*/\1/p' "$TS_TMP/drain.err")
	check "drain: nothing left unwritten (not_written $notw)" [ "$notw" = 0 ]
	diag "$(grep -v '^Tracing' "$TS_TMP/drain.err" | tail -n 1)"
else
	not_ok "drain: tracer ready"
fi

# snapterm, snapdur: the snapshot's wait for the reader obeys SIGTERM and -d
NSNAP=4000
ip netns exec "$NS_S" "$TS_PY" "$TS_LIB/manylisten.py" 127.0.0.1 "$NSNAP" "$TS_TMP/many.go" \
	>"$TS_TMP/many" 2>&1 &
TS_HELPERS+=("$!")
if wait_for_grep "$TS_TMP/many" "^ready $NSNAP" 60; then
	if stalled_start snapterm; then
		sleep 1.5
		term_gone snapterm "during the snapshot"
		accounted snapterm
		snap_unfinished snapterm
	else
		not_ok "snapterm: tracer ready"
	fi
	if stalled_start snapdur -d 2; then
		dur_gone snapdur "during the snapshot"
		accounted snapdur
		snap_unfinished snapdur
	else
		not_ok "snapdur: tracer ready"
	fi
	touch "$TS_TMP/many.go"
else
	not_ok "$NSNAP listeners"
	diag "$(cat "$TS_TMP/many")"
fi

# full: a write error is a runtime error
timeout 30 "$TS_BIN" -j --no-snapshot -d 1 >/dev/full 2>"$TS_TMP/full.err"
rc=$?
check "full: -j >/dev/full exits 1 (got $rc)" [ "$rc" = 1 ]
check "full: says why in one line" grep -q '^tcpstates-c: cannot write output: No space left on device$' \
	"$TS_TMP/full.err"
finish
