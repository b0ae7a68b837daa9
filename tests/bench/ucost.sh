#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# ucost.sh - the user-space cost of a line (issue 12 goal: <= 0.5 us CPU per JSON line and per
# text line), printed after the churn table of tests/bench/run.sh, which calls it:
#
#   tests/bench/ucost.sh RESULTS_TSV     (run.sh's per-run rows; "" or missing: no tracer figures)
#
# Three figures per format:
#   callgrind instr/line  tests/bench/fmtbench (a churn's records through the tracer's filter,
#                         format, stats and output queue, written to /dev/null in batches of
#                         1 000) under valgrind --tool=callgrind, counted in fmtbench_run only:
#                         deterministic, whatever else the machine is doing
#   fmtbench us/line      the same program's user + system CPU per line, natively (load-dependent)
#   tracer us/line        the real tracer's CPU per line in this bench run (run.sh's
#                         "CPU s / 100k events", median), next to libbpf-tools' in the same run
# Environment: UCOST_LINES (20000: records under callgrind; natively 10x as many).
set -uo pipefail
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh || exit 1
RESULTS=${1:-}
LINES=${UCOST_LINES:-20000}
FMTBENCH=.output/bench/fmtbench
GOAL_US=0.5

say() { printf '%s\n' "$*" >&2; }

make --no-print-directory -s "$FMTBENCH" >&2 || { say "ucost: cannot build $FMTBENCH"; exit 1; }
if ! command -v valgrind >/dev/null; then
	say "ucost: installing valgrind"
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind; } \
		>/dev/null 2>&1 || say "ucost: cannot install valgrind: no instruction counts"
fi

WORK=$(mktemp -d /tmp/tcpstates-ucost.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT

# instructions per line of one format ("" text, -j JSON), or "-"
instr_per_line() {
	local out=$WORK/cg$1.out

	command -v valgrind >/dev/null || { echo -; return; }
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=fmtbench_run \
		"$FMTBENCH" $1 -n "$LINES" >/dev/null 2>"$WORK/vg.log" || { echo -; return; }
	awk -v n="$LINES" '/^summary:/ { printf "%.0f\n", $2 / n; f = 1 }
		END { if (!f) print "-" }' "$out"
}

# native CPU per line (us), the median of 3 runs
native_us() {
	for _ in 1 2 3; do
		"$FMTBENCH" $1 -n $((LINES * 10)) 2>&1 >/dev/null |
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

verdict() {
	awk -v v="$1" -v g="$GOAL_US" 'BEGIN { if (v == "-") print "not measured"
		else if (v <= g) print "PASS"; else printf "FAIL (%.0f %% over)\n", 100 * (v - g) / g }'
}

say "ucost: callgrind over $LINES records per format"
ti=$(instr_per_line "")
ji=$(instr_per_line -j)
tn=$(native_us "")
jn=$(native_us -j)
tt=$(tracer_us tc-text)
jt=$(tracer_us tc-json)
lt=$(tracer_us libbpf-tools)

echo
echo "### User-space cost per line (goal: <= $GOAL_US µs CPU per JSON line and per text line)"
echo
echo "| figure | tcpstates-c text | tcpstates-c -j | libbpf-tools tcpstates |"
echo "|---|---:|---:|---:|"
echo "| tracer CPU µs per line, this bench (median) | $tt | $jt | $lt |"
echo "| callgrind instructions per line (fmtbench, deterministic) | $(fmt_int "$ti") | $(fmt_int "$ji") | – |"
echo "| fmtbench CPU µs per line (native, $(cut -d' ' -f1 /proc/loadavg) load) | $tn | $jn | – |"
echo
echo "Goal (tracer CPU per line): text $(verdict "$tt"), JSON $(verdict "$jt")."
