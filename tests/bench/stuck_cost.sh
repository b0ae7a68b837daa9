#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# stuck_cost.sh - what --stuck costs with N sockets stuck in CLOSE_WAIT (make bench-stuck).
#
# In a private network namespace (tcp_fin_timeout 1, so the clients' orphans are gone within a
# second), tests/bench/stuckgen makes N CLOSE_WAIT sockets before any tracer starts, held by
# workers of 15 000 sockets each running SB_THREADS threads asleep (a JVM-like holder: a round
# reads its threads, 16 in detail, the rest counted from /proc/PID/task). Then, one
# after the other, `tcpstates-c -j -v --netns NS` runs for SB_WINDOW seconds (default 20) after
# its start-up snapshot, output to /dev/null (the output's own cost is the main bench's), in three configurations:
#   off       no --stuck
#   stuck-60  --stuck 60: all N followed, none due within the window (the cost of following)
#   stuck-2   --stuck 2: all N due at once 2 s after the snapshot, again at 4, 8 and 16 s
# Figures: the tracer's CPU over the window (schedstat, all threads), its RSS at the end and its
# peak (VmHWM), the lines it made (snapshot included), and from its -v line the longest report round (the iterator
# in the namespace, one /proc scan for the holders, for all N due at once) and the rounds.
# Output: a markdown table on stdout and in .output/bench-stuck.md.
# Environment: SB_SOCKETS (100000), SB_THREADS (1000), SB_WINDOW (20), SB_BIN (./tcpstates-c),
# SB_STUCKGEN (.output/bench/stuckgen). Exit status 1 when the bench itself broke.
# Host state touched, restored on every exit path: one network namespace, the processes started.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh || exit 1
ROOT=$PWD
N=${SB_SOCKETS:-100000}
T=${SB_THREADS:-1000}
W=${SB_WINDOW:-20}
BIN=${SB_BIN:-$ROOT/tcpstates-c}
GEN=${SB_STUCKGEN:-$ROOT/.output/bench/stuckgen}
WORK=$ROOT/.output/bench
REPORT=$ROOT/.output/bench-stuck.md
NS=tcpsb-$$
GPID= TPID=
mkdir -p "$WORK"

say() { printf '%s\n' "$*" >&2; }
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	trap - EXIT INT TERM
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	[ -n "$GPID" ] && kill -TERM "$GPID" 2>/dev/null
	sleep 0.5
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { say "bench-stuck: needs root"; exit 1; }
[ -x "$BIN" ] && [ -x "$GEN" ] || { say "bench-stuck: build first (make bench-stuck)"; exit 1; }
ip netns add "$NS" && ip -n "$NS" link set lo up &&
	ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=1 || { say "bench-stuck: netns"; exit 1; }
NSI=$(stat -L -c %i "/run/netns/$NS")
ip netns exec "$NS" "$GEN" -n "$N" -t "$T" >"$WORK/stuckgen.out" &
GPID=$!
T0=$(date +%s%N)
for _ in $(seq 1200); do grep -q ready "$WORK/stuckgen.out" && break; sleep 0.1; done
grep -q ready "$WORK/stuckgen.out" || { say "bench-stuck: stuckgen not ready"; exit 1; }
MADE_MS=$((($(date +%s%N) - T0) / 1000000))
sleep 2
CW=$(ip netns exec "$NS" ss -tanH state close-wait | wc -l)
say "bench-stuck: $CW CLOSE_WAIT sockets (made in $MADE_MS ms), $T threads per holder"

ROWS=()
for cfg in off stuck-60 stuck-2; do
	args=(-j -v --netns "$NSI")
	[ "$cfg" != off ] && args+=(--stuck "${cfg#stuck-}")
	"$BIN" "${args[@]}" >/dev/null 2>"$WORK/sb-$cfg.err" &
	TPID=$!
	# the snapshot is over when -v's snapshot line is there and the output stops growing
	for _ in $(seq 600); do grep -q '^tcpstates-c: snapshot:' "$WORK/sb-$cfg.err" && break; sleep 0.1; done
	c0=$(cpu_ns "$TPID")
	sleep "$W"
	c1=$(cpu_ns "$TPID")
	rss=$(awk '/VmRSS/{print $2}' "/proc/$TPID/status")
	hwm=$(awk '/VmHWM/{print $2}' "/proc/$TPID/status")
	kill -INT "$TPID"
	wait "$TPID" || say "bench-stuck: $cfg: tracer exit status $?"
	TPID=
	lines=$(sed -n 's/.*; out: \([0-9]*\) lines = .*/\1/p' "$WORK/sb-$cfg.err")
	round=$(sed -n 's/.*longest round \([0-9.]*\) ms (\([0-9]*\) sockets reported).*/\1 ms (\2 reported)/p' "$WORK/sb-$cfg.err")
	# "--stuck: R reports and S summaries (F reports folded into them) in N rounds"
	rounds=$(sed -n 's/.*--stuck: \([0-9]*\) reports and \([0-9]*\) summaries (\([0-9]*\) reports folded into them) in \([0-9]*\) rounds.*/\1 reports + \2 summaries (\3 folded), \4 rounds/p' "$WORK/sb-$cfg.err")
	ROWS+=("| $cfg | $(awk -v a="$c0" -v b="$c1" -v w="$W" 'BEGIN{printf "%.1f (%.2f %%)", (b-a)/1e6/w, (b-a)/1e7/w}') | $((rss / 1024)) | $((hwm / 1024)) | $lines | ${rounds:--} | ${round:--} |")
	say "bench-stuck: $cfg done"
done
{
	echo "$CW CLOSE_WAIT sockets in one namespace (made in $MADE_MS ms), held by $(((N + 14999) / 15000)) processes each running $T threads asleep besides its main one, window $W s after the start-up snapshot, $(date -u +%Y-%m-%d):"
	echo
	echo "| tracer | CPU ms/s in the window (% of a CPU) | RSS MiB at the end | peak RSS MiB | lines | stuck reports | longest round (all due at once) |"
	echo "|---|---:|---:|---:|---:|---|---|"
	printf '%s\n' "${ROWS[@]}"
} | tee "$REPORT"
