#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# ucost.sh - the user-space cost of a line (issue 12 goal: <= 0.5 us CPU per JSON line and per
# text line), printed after the churn table of tests/bench/run.sh, which calls it:
#
#   tests/bench/ucost.sh RESULTS_TSV     (run.sh's per-run rows; "" or missing: no tracer figures)
#
# Three figures per format:
#   callgrind instr/line  tests/bench/fmtbench (a churn's records through the tracer's filter,
#                         format, stats and output queue, written to a file in batches of
#                         1 000, as the bench's tracers write) under valgrind --tool=callgrind, counted in fmtbench_run only:
#                         deterministic, whatever else the machine is doing
#   fmtbench us/line      the same program's user + system CPU per line, natively (load-dependent)
#   tracer us/line        the real tracer's CPU per line in this bench run (run.sh's
#                         "CPU s / 100k events", median), next to libbpf-tools' in the same run:
#                         from just before the churn to the tracer's exit, the wait for the
#                         namespace to settle and the exit included
#   tracer alone          the real tracer (output to a file) on a churn of its own, UCOST_CONNS
#                         connections in a fresh private namespace (no TIME_WAIT sockets of an
#                         earlier run to reuse and kill), UCOST_RUNS runs per format,
#                         medians: CPU per line from just before the churn until the tracer's CPU
#                         stops growing (schedstat, exact), split into user and system by
#                         /proc/PID/stat's ticks; the part of system time spent in the timewait
#                         check's BPF test runs (its programs' run_time_ns: BPF statistics on,
#                         as run.sh has them); and the idle cost after, per second
# Environment: UCOST_LINES (20000: records under callgrind; natively 10x as many), UCOST_CONNS
# (20000; 0: no tracer-alone runs), UCOST_RUNS (3).
set -uo pipefail
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh || exit 1
RESULTS=${1:-}
LINES=${UCOST_LINES:-20000}
CONNS=${UCOST_CONNS:-20000}
RUNS=${UCOST_RUNS:-3}
FMTBENCH=.output/bench/fmtbench
CHURN=.output/bench/churn
BIN=./tcpstates-c
GOAL_US=0.5
NS=tcpucost-$$
TPID=

say() { printf '%s\n' "$*" >&2; }

make --no-print-directory -s "$FMTBENCH" >&2 || { say "ucost: cannot build $FMTBENCH"; exit 1; }
if ! command -v valgrind >/dev/null; then
	say "ucost: installing valgrind"
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind; } \
		>/dev/null 2>&1 || say "ucost: cannot install valgrind: no instruction counts"
fi

WORK=$(mktemp -d /tmp/tcpstates-ucost.XXXXXX) || exit 1
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null && wait_gone "$TPID" 50
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# instructions per line of one format ("" text, -j JSON), or "-"
instr_per_line() {
	local out=$WORK/cg$1.out

	command -v valgrind >/dev/null || { echo -; return; }
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=fmtbench_run \
		"$FMTBENCH" $1 -n "$LINES" >"$WORK/fmt.out" 2>"$WORK/vg.log" || { echo -; return; }
	awk -v n="$LINES" '/^summary:/ { printf "%.0f\n", $2 / n; f = 1 }
		END { if (!f) print "-" }' "$out"
}

# native CPU per line (us), the median of 3 runs
native_us() {
	for _ in 1 2 3; do
		"$FMTBENCH" $1 -n $((LINES * 10)) 2>&1 >"$WORK/fmt.out" |
			sed -nE 's/.* ([0-9]+) ns CPU per line.*/\1/p'
	done | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f\n", v[int((NR + 1) / 2)] / 1000
		else print "-" }'
}

# the tracer's median CPU per line in run.sh's rows (column 9: s per 100k lines), in us
tracer_us() {
	[ -s "$RESULTS" ] || { echo -; return; }
	awk -F'\t' -v c="$1" '$1 == c && $9 != "-" && $9 != "" { print $9 * 10 }' "$RESULTS" |
		sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
			printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_time_ns of the tracer's timewait check programs (its BPF test runs)
tw_check_ns() {
	local ids

	ids=$(prog_ids "$1" all | jq -s -c 'map(tonumber)') || { echo 0; return; }
	bpftool prog show -j 2>/dev/null | jq --argjson ids "$ids" '[.[] | select(.id as $i |
		$ids | index($i)) | select(.name | test("^tw_check")) | .run_time_ns // 0] | add // 0'
}

# utime + stime ticks of a process: "U S"
ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
}

# one run of the tracer alone ("" text, -j JSON): "us_per_line user_us system_us twcheck_us
# idle_us_per_s" (per line but the last), or nothing if it failed
tracer_alone() {
	local out=$WORK/alone.out err=$WORK/alone.err port=$((61000 + RANDOM % 4000))
	local c0 c1 c2 t0 t1 w0 w1 lines

	# a fresh namespace: the previous run's TIME_WAIT sockets die with its own
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" && ip netns exec "$NS" ip link set lo up &&
		ip netns exec "$NS" sysctl -q -w net.ipv4.tcp_tw_reuse=1 \
			net.ipv4.ip_local_port_range="1024 60999" >/dev/null ||
		{ say "ucost: cannot set up netns $NS"; return; }
	# the previous run's "Tracing" must not be read before the shell truncates the file
	rm -f "$out" "$err"
	"$BIN" $1 >"$out" 2>"$err" </dev/null &
	TPID=$!
	for _ in $(seq 300); do grep -qs '^Tracing' "$err" && break; sleep 0.1; done
	if ! grep -qs '^Tracing' "$err"; then
		kill -INT "$TPID"
		wait "$TPID"
		say "ucost: the tracer did not start (status $?): $(tail -n 3 "$err")"
		TPID=
		return
	fi
	sleep 0.5	# the start-up snapshot is written
	read -r -a t0 < <(ticks "$TPID")
	c0=$(cpu_ns "$TPID")
	w0=$(tw_check_ns "$TPID")
	ip netns exec "$NS" "$CHURN" -n "$CONNS" -p "$port" -P 2 >/dev/null ||
		{ say "ucost: churn failed"; kill -INT "$TPID"; wait "$TPID"; TPID=; return; }
	# drained: the tracer's CPU stops growing (under 1 % of a core over 0.2 s), at most 10 s
	for _ in $(seq 50); do
		c1=$(cpu_ns "$TPID"); sleep 0.2
		[ $(($(cpu_ns "$TPID") - c1)) -lt 2000000 ] && break
	done
	c1=$(cpu_ns "$TPID")
	read -r -a t1 < <(ticks "$TPID")
	w1=$(tw_check_ns "$TPID")
	sleep 1
	c2=$(cpu_ns "$TPID")
	kill -INT "$TPID"
	wait "$TPID"
	TPID=
	lines=$(sed -nE 's/^tcpstates-c: in: .*; out: [0-9]+ lines = ([0-9]+) transitions .*/\1/p' "$err")
	[ -n "$lines" ] && [ "$lines" -gt 0 ] || { say "ucost: no closing line from the tracer"; return; }
	awk -v c=$((c1 - c0)) -v u=$((t1[0] - t0[0])) -v s=$((t1[1] - t0[1])) -v w=$((w1 - w0)) \
		-v i=$((c2 - c1)) -v n="$lines" 'BEGIN { f = (u + s) ? u / (u + s) : 0
		printf "%.3f %.3f %.3f %.3f %.0f\n", c / n / 1000, c * f / n / 1000,
			c * (1 - f) / n / 1000, w / n / 1000, i / 1000 }'
}

# the medians of tracer_alone's columns over RUNS runs of a format
tracer_alone_medians() {
	local runs=$WORK/alone.runs m=()

	for _ in $(seq "$RUNS"); do tracer_alone "$1"; done >"$runs"
	for i in 1 2 3 4 5; do
		m+=("$(cut -d' ' -f"$i" "$runs" | sort -g | awk '{ v[NR] = $1 } END {
			if (!NR) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')")
	done
	echo "${m[*]}"
}

verdict() {
	awk -v v="$1" -v g="$GOAL_US" 'BEGIN { if (v == "-") print "not measured"
		else if (v <= g) print "PASS"; else printf "FAIL (%.0f %% over)\n", 100 * (v - g) / g }'
}

say "ucost: callgrind over $LINES records per format"
ti=$(instr_per_line "")
ji=$(instr_per_line -j)
tn=$(native_us "")
jn=$(native_us -j)
ta=(- - - - -)
ja=(- - - - -)
if [ "$CONNS" != 0 ] && [ -x "$BIN" ] && make --no-print-directory -s "$CHURN" >&2; then
	say "ucost: the tracer alone, $CONNS connections, $RUNS runs per format"
	read -r -a ta < <(tracer_alone_medians "")
	read -r -a ja < <(tracer_alone_medians -j)
else
	say "ucost: no tracer-alone runs (UCOST_CONNS=0, or no $BIN or $CHURN)"
fi
tt=$(tracer_us tc-text)
jt=$(tracer_us tc-json)
lt=$(tracer_us libbpf-tools)

echo
echo "### User-space cost per line (goal: <= $GOAL_US µs CPU per JSON line and per text line)"
echo
echo "| figure | tcpstates-c text | tcpstates-c -j | libbpf-tools tcpstates |"
echo "|---|---:|---:|---:|"
echo "| tracer CPU µs per line, this bench (median) | $tt | $jt | $lt |"
echo "| tracer alone: CPU µs per line, churn until drained (median of $RUNS) | ${ta[0]} | ${ja[0]} | – |"
echo "| … of which user | ${ta[1]} | ${ja[1]} | – |"
echo "| … of which system | ${ta[2]} | ${ja[2]} | – |"
echo "| … of system: the timewait check's BPF test runs | ${ta[3]} | ${ja[3]} | – |"
echo "| tracer alone: the second after the churn (other traffic on the machine too), µs CPU | ${ta[4]} | ${ja[4]} | – |"
echo "| callgrind instructions per line (fmtbench, deterministic) | $(fmt_int "$ti") | $(fmt_int "$ji") | – |"
echo "| fmtbench CPU µs per line (native, $(cut -d' ' -f1 /proc/loadavg) load) | $tn | $jn | – |"
echo
echo "Goal (tracer CPU per line): in the bench text $(verdict "$tt"), JSON $(verdict "$jt");" \
	"alone text $(verdict "${ta[0]}"), JSON $(verdict "${ja[0]}")."
