#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# timewait_cost.sh - what following timewait minisockets costs with N of them present.
#
#   tests/bench/timewait_cost.sh     (make bench-timewait runs it from the repo root after building)
#
# Scenarios (TWB_SCENARIOS, default "empty timewait finwait2"), each in a fresh private network
# namespace, sockets made by tests/bench/twgen over loopback:
#   empty      no socket at all: the baseline (the timer programs run on every timer of the
#              machine, whether or not a minisocket exists)
#   timewait   N connections, client closes first, server closes after EOF: N TIME_WAIT
#   finwait2   N connections, client closes first, server holds its end open: N orphaned
#              FIN_WAIT2 minisockets waiting for a FIN (net.ipv4.tcp_fin_timeout=60)
# Tracer configurations (TWB_CONFIGS, default "notw default period-0.1"):
#   notw = --no-timewait, default = no option, period-X = --timewait-period X (skipped, and said
#   so, when this build has no such option).
#
# For each scenario x configuration: start `tcpstates-c -j --no-snapshot --netns /run/netns/NS`
# into a file, wait until it is attached ("Tracing" on stderr, a BPF link held), make the N
# sockets while it traces (creation phase, until the tracer is idle again), check with ss that the
# N are present, then measure an idle window of TWB_WINDOW seconds while all of them still are
# (creation + window stays far below the 60 s after which the first would expire; checked), check
# the count again, stop the tracer with SIGINT and require exit status 0.
# Figures, all measured:
#   tracer CPU   on-CPU time of all its threads, user + system (/proc/PID/task/*/schedstat, ns:
#                /proc/PID/stat's utime/stime tick at 10 ms, too coarse for an idle tracer)
#   BPF          sum over the tracer's programs (the ids its descriptors and links name) of the
#                run_time_ns and run_cnt deltas (bpftool prog show -j, kernel.bpf_stats_enabled=1
#                for the run; the statistic itself adds two clock reads per program run)
#   lines        lines the tracer wrote during the window
# and once (TWB_SNAPSHOT=1), with N TIME_WAIT made before the tracer starts and the snapshot on
# (default configuration): time from start to "Tracing", to the end of the snapshot (its output
# stops growing), the tracer's CPU for both, and the snapshot lines it wrote. (No BPF figure: the
# snapshot's iterator program is unloaded right after use, its run time with it.)
#
# Output: a markdown table on stdout and in .output/bench-timewait.md (details per program after it).
# Environment: TWB_SOCKETS (100000), TWB_WINDOW (10, seconds), TWB_CONFIGS, TWB_SCENARIOS,
# TWB_SNAPSHOT (1), TWB_KEEP=1 (keep the tracers' output in .output/bench/tw-*.out),
# TWB_BIN (./tcpstates-c), TWB_TWGEN (.output/bench/twgen, built if missing).
# Exit status: 0 when every measurement was made, 1 when the bench itself broke (a tracer that did
# not attach or did not exit 0, sockets that did not all appear or expired too early, ...).
#
# Host state touched, and restored on every exit path (EXIT/INT/TERM traps):
# kernel.bpf_stats_enabled (old value put back), one network namespace at a time (deleted), the
# processes started here (the tracer, twgen and its holders). The namespace's own sysctls die with
# it. tracefs is not needed: tcpstates-c attaches with tp_btf (and mounts tracefs itself, and
# unmounts it again, only if it has to fall back to the classic tracepoint).
set -uo pipefail
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh || exit 1
ROOT=$PWD
OUTDIR=$ROOT/.output
WORK=$OUTDIR/bench
REPORT=$OUTDIR/bench-timewait.md
BIN=${TWB_BIN:-$ROOT/tcpstates-c}
TWGEN=${TWB_TWGEN:-}

N=${TWB_SOCKETS:-100000}
W=${TWB_WINDOW:-10}
CONFIGS=${TWB_CONFIGS:-notw default period-0.1}
SCENARIOS=${TWB_SCENARIOS:-empty timewait finwait2}
SNAPSHOT=${TWB_SNAPSHOT:-1}
# a minisocket made at t lives until t + 60 s (TIME_WAIT, and FIN_WAIT2 with tcp_fin_timeout 60):
# everything measured must end before the first one made can go
TW_LIFE_S=60
MARGIN_S=5

NS_BASE=tcptwb-$$
NS=			# the namespace that exists now, if any
NS_SEQ=0
STATS_OLD=
TPID=			# the tracer running now, if any
READY=			# start_tracer's results
T_START=
T_TRACING=
C_TRACING=
GEN_S=			# make_sockets' results
GEN_HOLDERS=
GPID=			# twgen running now, if any (its holders die with it: PDEATHSIG)
OUR_PROG_IDS=()		# every BPF program id a tracer of ours held
BROKEN=0		# the bench itself failed somewhere
ROWS=$WORK/tw-results.tsv
DETAILS=$WORK/tw-details.md

say() { printf '%s\n' "$*" >&2; }
die() { say "bench-timewait: $*"; exit 1; }
# a failed measurement: said once, remembered for the exit status, the run goes on
broke() { say "bench-timewait: $*"; BROKEN=1; }

# ---------------------------------------------------------------- cleanup, on every exit path



# signal SIG, then SIGKILL if it is still there after TENTHS; reaps it
end_process() {
	local pid=$1 sig=$2 tenths=$3

	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null
	wait_gone "$pid" "$tenths" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# the namespace, with the minisockets in it: deleting it makes the kernel purge them
drop_ns() {
	[ -n "$NS" ] || return 0
	ip netns del "$NS" 2>/dev/null || say "bench-timewait: cannot delete netns $NS"
	NS=
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	end_process "$TPID" INT 50
	end_process "$GPID" TERM 50
	drop_ns
	[ -n "$STATS_OLD" ] && sysctl -q -w kernel.bpf_stats_enabled="$STATS_OLD" >/dev/null
	exit "$rc"
}
trap cleanup EXIT
trap 'say "bench-timewait: interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites

[ "$(id -u)" = 0 ] || die "needs root (BPF, network namespaces, sysctl)"
[ -x "$BIN" ] || die "$BIN not built (make all)"
for t in bpftool jq ip ss sysctl awk; do
	command -v "$t" >/dev/null || die "$t missing (make deps)"
done
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "TWB_SOCKETS must be a positive integer"
[[ "$W" =~ ^[1-9][0-9]*$ ]] || die "TWB_WINDOW must be a positive integer (seconds)"
[ "$W" -le 40 ] || die "TWB_WINDOW must be at most 40 s: the minisockets live $TW_LIFE_S s"
mkdir -p "$WORK" || die "cannot create $WORK"
if [ -z "$TWGEN" ]; then
	TWGEN=$WORK/twgen
	make --no-print-directory -s OUTPUT=.output .output/bench/twgen || die "cannot build twgen"
fi
[ -x "$TWGEN" ] || die "$TWGEN not built (make bench-timewait)"

HAVE_PERIOD=0
"$BIN" --help 2>/dev/null | grep -q -- --timewait-period && HAVE_PERIOD=1

# "OPTION..." for a configuration name; returns 1 for an unknown name, 2 when not supported
config_args() {
	case "$1" in
	notw) echo "--no-timewait" ;;
	default) echo "" ;;
	period-*)
		local p=${1#period-}
		[[ "$p" =~ ^[0-9]+(\.[0-9]+)?$ ]] || return 1
		[ "$HAVE_PERIOD" = 1 ] || return 2
		echo "--timewait-period $p"
		;;
	*) return 1 ;;
	esac
}
read -ra CFGS <<<"$CONFIGS"
read -ra SCNS <<<"$SCENARIOS"
for c in "${CFGS[@]}"; do
	config_args "$c" >/dev/null
	[ $? = 1 ] && die "unknown configuration '$c' (notw, default, period-SECONDS)"
done
for s in "${SCNS[@]}"; do
	case "$s" in empty | timewait | finwait2) ;; *) die "unknown scenario '$s' (empty, timewait, finwait2)" ;; esac
done

STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled) || die "no kernel.bpf_stats_enabled"
sysctl -q -w kernel.bpf_stats_enabled=1 >/dev/null || die "cannot enable BPF stats"

# ---------------------------------------------------------------- helpers

now_ns() { date +%s%N; }



# "id name run_time_ns run_cnt" of every program PID holds now, into FILE
bpf_sample() {
	local ids
	local -a list

	mapfile -t list < <(prog_ids "$1" all)
	OUR_PROG_IDS+=("${list[@]}")
	ids=$(printf '%s\n' "${list[@]}" | jq -s -c 'map(select(. != null))')
	bpftool prog show -j | jq -r --argjson ids "$ids" '.[] | select(.id as $i | $ids | index($i))
		| "\(.id) \(.name // "?") \(.run_time_ns // 0) \(.run_cnt // 0)"' | sort -n >"$2"
}

# per-program deltas between two samples: "name ns runs" (a program loaded in between counts
# from zero: all its runs happened in between)
bpf_delta() {
	awk 'NR == FNR { t[$1] = $3; c[$1] = $4; next }
		{ printf "%s %d %d\n", $2, $3 - t[$1], $4 - c[$1] }' "$1" "$2"
}

# "ns runs" summed over the programs
bpf_sum() { awk '{ t += $2; c += $3 } END { printf "%d %d\n", t, c }'; }

# wait until the tracer has caught up: its CPU time grows by less than 1 % of a core over 200 ms
# (at most TENTHS / 2 checks); returns 1 if it never settled
wait_idle() {
	local pid=$1 tenths=$2 c1 c2

	for _ in $(seq $((tenths / 2))); do
		is_gone "$pid" && return 1
		c1=$(cpu_ns "$pid"); sleep 0.2; c2=$(cpu_ns "$pid")
		[ $((c2 - c1)) -lt 2000000 ] && return 0
	done
	return 1
}

# a fresh namespace for one run: loopback up; ports and limits for N minisockets
new_ns() {
	NS_SEQ=$((NS_SEQ + 1))
	NS=$NS_BASE-$NS_SEQ
	ip netns add "$NS" || { NS=; return 1; }
	ip netns exec "$NS" ip link set lo up || return 1
	# tcp_tw_reuse=0: loopback reuse (the default, 2) lets a later connect() recycle one of our
	# TIME_WAIT sockets; max_tw_buckets above N, or the kernel silently skips minisockets
	ip netns exec "$NS" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_tw_reuse=0 net.ipv4.tcp_max_tw_buckets=$((2 * N + 1024)) \
		net.ipv4.tcp_fin_timeout=$TW_LIFE_S >/dev/null || return 1
}

# global count of live TCP minisockets (slab objects): the purge of a deleted namespace is done
tw_objects() { awk '$1 == "tw_sock_TCP" { print $2 }' /proc/slabinfo; }

# delete the namespace and wait (at most 30 s) for the kernel to purge its minisockets: the next
# run's tracer would otherwise see the purge's timer cancels
teardown() {
	local base=$1

	end_process "$GPID" TERM 100
	GPID=
	drop_ns
	for _ in $(seq 300); do
		[ "$(tw_objects)" -le $((base + 2000)) ] && return 0
		sleep 0.1
	done
	say "bench-timewait: the deleted namespace's minisockets are not gone after 30 s" \
		"($(tw_objects) left, $base before)"
	return 0
}

# "TIME_WAIT FIN_WAIT2 minisockets" in the namespace (ss -s counts minisockets of both kinds)
present() {
	local tw fw mini

	tw=$(ip netns exec "$NS" ss -tanH state time-wait | wc -l)
	fw=$(ip netns exec "$NS" ss -tanH state fin-wait-2 | wc -l)
	mini=$(ip netns exec "$NS" ss -s | awk '/^TCP:/ { for (i = 1; i < NF; i++)
		if ($i == "timewait") { v = $(i + 1); sub(/[^0-9].*/, "", v); print v } }')
	echo "$tw $fw ${mini:-?}"
}

# start twgen MODE in the namespace (GPID) and wait for "created"; sets GEN_S (seconds it took)
# and GEN_HOLDERS. Not in a $(...): the process must be our child, to be signalled and reaped.
make_sockets() {
	local mode=$1 out=$WORK/tw-gen.out err=$WORK/tw-gen.err line

	ip netns exec "$NS" "$TWGEN" -m "$mode" -n "$N" -t $((TW_LIFE_S - W - 2 * MARGIN_S)) \
		>"$out" 2>"$err" </dev/null &
	GPID=$!
	for _ in $(seq 600); do
		line=$(grep '^created ' "$out" 2>/dev/null)
		[ -n "$line" ] && break
		is_gone "$GPID" && break
		sleep 0.1
	done
	if [ -z "$line" ]; then
		say "bench-timewait: twgen -m $mode failed: $(tr '\n' ' ' <"$err")"
		return 1
	fi
	# created N seconds S per_s R [holders H]
	read -r GEN_S GEN_HOLDERS < <(awk '{ print $4, ($7 == "holders" ? $8 : "-") }' <<<"$line")
}

# start the tracer (TPID) with OUT, ERR, ARGS... and wait until it is attached; sets T_START and
# T_TRACING (ns, when it said "Tracing"), C_TRACING (its CPU ns then) and READY ("ms cpu_ms")
start_tracer() {
	local out=$1 err=$2
	shift 2

	T_START=$(now_ns)
	"$BIN" "$@" >"$out" 2>"$err" </dev/null &
	TPID=$!
	for _ in $(seq 3000); do
		is_gone "$TPID" && break
		if grep -q '^Tracing' "$err" 2>/dev/null; then
			T_TRACING=$(now_ns)
			C_TRACING=$(cpu_ns "$TPID")
			# the attach is done when it says so; a link must be held too
			for _ in $(seq 100); do
				[ -n "$(prog_ids "$TPID" all)" ] && break
				sleep 0.01
			done
			[ -n "$(prog_ids "$TPID" all)" ] || break
			READY="$(((T_TRACING - T_START) / 1000000)) $((C_TRACING / 1000000))"
			return 0
		fi
		sleep 0.01
	done
	say "bench-timewait: tracer did not attach within 30 s: $(tr '\n' ' ' <"$err")"
	return 1
}

# SIGINT, at most 30 s for a clean exit; prints nothing, returns its exit status (or 1)
stop_tracer() {
	local st ids left

	[ -n "$TPID" ] || return 0
	ids=$(prog_ids "$TPID" all)
	kill -INT "$TPID" 2>/dev/null
	if ! wait_gone "$TPID" 300; then
		say "bench-timewait: the tracer ignored SIGINT for 30 s: killed"
		kill -KILL "$TPID" 2>/dev/null
		wait "$TPID" 2>/dev/null
		TPID=
		return 1
	fi
	wait "$TPID"
	st=$?
	TPID=
	# shellcheck disable=SC2086  # one id a word
	left=$(still_loaded 30 $ids)
	if [ -n "$left" ]; then
		say "bench-timewait: BPF programs still loaded after the tracer exited: ${left//$'\n'/ }"
		st=1
	fi
	return "$st"
}

# the tracer's stderr, minus the banner: errors, loss reports, its closing line
tracer_said() { grep -v '^Tracing' "$1" | tr '\n' ' ' | sed 's/ *$//'; }

# transitions lost, from the tracer's closing line: rb_full + recursion_misses ("?" if none)
tracer_lost() {
	sed -nE 's/^tcpstates-c: .*; lost: rb_full ([0-9]+), recursion_misses ([0-9]+),.*/\1 \2/p' "$1" |
		tail -n1 | awk '{ print $1 + $2 }' | grep . || echo "?"
}

# the lines FROM..TO of a tracer's JSON output counted by kind: "type:OLD>NEW=count ..." (awk, not
# jq: a million lines after each creation phase)
line_kinds() {
	awk -v from="$2" -v to="$3" '
		function val(k,   v) { if (!match($0, "\"" k "\":(\"[A-Za-z_0-9]*\"|null)")) return "?"
			v = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
			gsub(/"/, "", v); return v == "null" ? "" : v }
		NR >= from && NR <= to { n[val("type") ":" val("oldstate") ">" val("newstate")]++ }
		NR > to { exit }
		END { for (k in n) printf "%s=%d\n", k, n[k] }' "$1" | sort | tr '\n' ' ' | sed 's/ $//'
}

# one row of $ROWS (tab-separated; see the table below for the columns)
row() {
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$ROWS"
}

# ---------------------------------------------------------------- one scenario x configuration

run_one() {
	local scn=$1 cfg=$2 tag="$1.$2" args out err base
	local -a opts

	args=$(config_args "$cfg")
	if [ $? = 2 ]; then
		say "  $tag: skipped: this build has no --timewait-period (not merged yet)"
		row "$scn" "$cfg" skipped
		return
	fi
	read -ra opts <<<"$args"
	out=$WORK/tw-$tag.out
	err=$WORK/tw-$tag.err
	base=$(tw_objects)
	new_ns || { broke "$tag: cannot set up netns $NS"; drop_ns; return; }

	local ready
	start_tracer "$out" "$err" -j --no-snapshot --netns "/run/netns/$NS" "${opts[@]}" ||
		{ broke "$tag: no tracer"; end_process "$TPID" KILL 10; TPID=; teardown "$base"; return; }
	ready=$READY
	wait_idle "$TPID" 100 || say "bench-timewait: $tag: tracer busy before the sockets were made"

	# creation phase: from just before twgen starts until the tracer has written all about it
	local t0 t1 c0 c1 gen_s holders="-" cr_ns="-" cr_runs="-" cr_cpu="-" cr_wall="-"
	local tgen0 pres0 pres1
	bpf_sample "$TPID" "$WORK/tw-s0"
	c0=$(cpu_ns "$TPID")
	t0=$(now_ns)
	tgen0=$SECONDS
	if [ "$scn" != empty ]; then
		make_sockets "$scn" ||
			{ broke "$tag: sockets not made"; stop_tracer; teardown "$base"; return; }
		gen_s=$GEN_S
		holders=$GEN_HOLDERS
		wait_idle "$TPID" 200 || say "bench-timewait: $tag: tracer still busy 20 s after creation"
		t1=$(now_ns)
		c1=$(cpu_ns "$TPID")
		bpf_sample "$TPID" "$WORK/tw-s1"
		read -r cr_ns cr_runs < <(bpf_delta "$WORK/tw-s0" "$WORK/tw-s1" | bpf_sum)
		cr_cpu=$((c1 - c0))
		cr_wall=$((t1 - t0))
	else
		gen_s="-"
	fi

	# all N present? (a shortfall is a broken bench: the figures would not be about N)
	local want=0 got
	pres0=$(present)
	case "$scn" in
	timewait) want=$N; got=${pres0%% *} ;;
	finwait2) want=$N; got=$(cut -d' ' -f2 <<<"$pres0") ;;
	*) got=0 ;;
	esac
	[ "$got" -ge "$want" ] || broke "$tag: only $got of $N $scn sockets present (ss: $pres0)"

	# the idle window: nothing happens to the sockets, we pay for keeping them
	local l0 l1 w0 w1 wc0 wc1 w_ns w_runs stats_on
	l0=$(wc -l <"$out")
	bpf_sample "$TPID" "$WORK/tw-s2"
	wc0=$(cpu_ns "$TPID")
	w0=$(now_ns)
	sleep "$W"
	w1=$(now_ns)
	wc1=$(cpu_ns "$TPID")
	bpf_sample "$TPID" "$WORK/tw-s3"
	stats_on=$(sysctl -n kernel.bpf_stats_enabled)
	l1=$(wc -l <"$out")
	read -r w_ns w_runs < <(bpf_delta "$WORK/tw-s2" "$WORK/tw-s3" | bpf_sum)
	pres1=$(present)
	if [ "$scn" != empty ] && [ $((SECONDS - tgen0)) -ge $((TW_LIFE_S - MARGIN_S)) ]; then
		broke "$tag: creation + window took $((SECONDS - tgen0)) s: minisockets may have expired"
	fi
	case "$scn" in
	timewait) got=${pres1%% *} ;;
	finwait2) got=$(cut -d' ' -f2 <<<"$pres1") ;;
	esac
	[ "$got" -ge "$want" ] || broke "$tag: only $got of $N $scn sockets left after the window"
	[ "$stats_on" = 1 ] || broke "$tag: kernel.bpf_stats_enabled was turned off during the window"

	# what the tracer wrote in the window, by kind of line
	local kinds
	kinds=$(line_kinds "$out" $((l0 + 1)) "$l1")

	local rc said lost
	stop_tracer
	rc=$?
	[ "$rc" = 0 ] || broke "$tag: tracer exited with status $rc"
	said=$(tracer_said "$err")
	lost=$(tracer_lost "$err")
	local lines_total
	lines_total=$(wc -l <"$out")
	teardown "$base"

	row "$scn" "$cfg" ok "$gen_s" "$holders" "$cr_wall" "$cr_cpu" "$cr_ns" "$cr_runs" \
		"$((w1 - w0))" "$((wc1 - wc0))" "$w_ns" "$w_runs" "$((l1 - l0))" "$pres0" "$pres1" \
		"$rc" "$lost" "$lines_total" "${kinds:-none}" "$said" "${ready}"
	{
		echo "#### $scn, $cfg"
		echo
		echo "- tracer: \`tcpstates-c -j --no-snapshot --netns /run/netns/NS${args:+ $args}\`," \
			"attached after ${ready% *} ms; exit status $rc; stderr: \`$said\`"
		echo "- present (TIME_WAIT, FIN_WAIT2, minisockets per ss -s): before the window $pres0," \
			"after it $pres1"
		echo "- lines in the window: ${kinds:-none}; in all: $lines_total"
		[ "$scn" = empty ] || echo "- lines before the window (creation): $(line_kinds "$out" 1 "$l0")"
		echo "- per program, window (ns runs): $(bpf_delta "$WORK/tw-s2" "$WORK/tw-s3" |
			awk '$3 > 0 { printf "%s%s %d/%d", (n++ ? ", " : ""), $1, $2, $3 }')"
		[ "$scn" = empty ] || echo "- per program, creation (ns runs): $(bpf_delta "$WORK/tw-s0" "$WORK/tw-s1" |
			awk '$3 > 0 { printf "%s%s %d/%d", (n++ ? ", " : ""), $1, $2, $3 }')"
		echo
	} >>"$DETAILS"
	say "  $tag: made in ${gen_s} s, window: tracer $(((wc1 - wc0) / 1000000)) ms CPU," \
		"BPF $((w_ns / 1000000)) ms in $w_runs runs, $((l1 - l0)) lines; lost $lost; exit $rc"
	[ "${TWB_KEEP:-0}" = 1 ] || rm -f "$out"
}

# ---------------------------------------------------------------- the start-up snapshot

# N TIME_WAIT first, then the tracer with its snapshot on; prints one row of the snapshot table
run_snapshot() {
	local tag=snapshot out=$WORK/tw-snapshot.out err=$WORK/tw-snapshot.err base gen_s pres
	local t_done c_done size last_size idle_since now c

	base=$(tw_objects)
	new_ns || { broke "$tag: cannot set up netns $NS"; drop_ns; return; }
	make_sockets timewait || { broke "$tag: sockets not made"; teardown "$base"; return; }
	gen_s=$GEN_S
	pres=$(present)
	[ "${pres%% *}" -ge "$N" ] || broke "$tag: only ${pres%% *} of $N TIME_WAIT present"

	start_tracer "$out" "$err" -j --netns "/run/netns/$NS" ||
		{ broke "$tag: no tracer"; end_process "$TPID" KILL 10; TPID=; teardown "$base"; return; }
	# the snapshot is done when the output stops growing and the tracer is idle (0.5 s of both);
	# its end is the last growth seen (polled every 20 ms)
	last_size=-1
	t_done=
	idle_since=
	for _ in $(seq 3000); do
		is_gone "$TPID" && break
		size=$(stat -c %s "$out")
		now=$(now_ns)
		c=$(cpu_ns "$TPID")
		if [ "$size" != "$last_size" ]; then
			last_size=$size
			t_done=$now
			c_done=$c
			idle_since=$now
		elif [ $((now - idle_since)) -ge 500000000 ]; then
			[ $((c - c_done)) -lt 5000000 ] && break
			# still working without writing (the /proc scan): wait on
			idle_since=$now
			c_done=$c
		fi
		sleep 0.02
	done
	local rc snap_lines snap_tw said
	stop_tracer
	rc=$?
	[ "$rc" = 0 ] || broke "$tag: tracer exited with status $rc"
	said=$(tracer_said "$err")
	snap_lines=$(grep -c '"type":"snapshot"' "$out")
	snap_tw=$(grep '"type":"snapshot"' "$out" | grep -c '"newstate":"TIME_WAIT"')
	[ "$snap_tw" -ge "$N" ] || broke "$tag: the snapshot listed $snap_tw of the $N TIME_WAIT sockets"
	teardown "$base"
	printf '| %s | %d | %d | %d | %d | %s | %s | %s |\n' "$(fmt_int "${pres%% *}")" \
		$(((T_TRACING - T_START) / 1000000)) $((C_TRACING / 1000000)) $(((t_done - T_START) / 1000000)) \
		$((c_done / 1000000)) "$(fmt_int "$snap_lines")" "$(fmt_int "$snap_tw")" "$rc" \
		>"$WORK/tw-snapshot.row"
	say "  snapshot: $snap_lines snapshot lines ($snap_tw TIME_WAIT), Tracing after" \
		"$(((T_TRACING - T_START) / 1000000)) ms, done after $(((t_done - T_START) / 1000000)) ms," \
		"CPU $((c_done / 1000000)) ms; stderr: $said"
	[ "${TWB_KEEP:-0}" = 1 ] || rm -f "$out"
}


# ---------------------------------------------------------------- the runs

rm -f "$WORK"/tw-*.out "$WORK"/tw-*.err "$WORK/tw-snapshot.row"
: >"$ROWS"
: >"$DETAILS"
FOREIGN0=$(bpftool prog show -j | jq '[.[] | select((.name // "") | test("set_state|timer_"))] | length')
say "bench-timewait: $N sockets, window $W s, scenarios: ${SCNS[*]}, configurations: ${CFGS[*]}" \
	"(--timewait-period $([ "$HAVE_PERIOD" = 1 ] && echo supported || echo "not in this build"))"
T0=$SECONDS
for s in "${SCNS[@]}"; do
	for c in "${CFGS[@]}"; do
		run_one "$s" "$c"
	done
done
[ "$SNAPSHOT" = 1 ] && run_snapshot
ELAPSED=$((SECONDS - T0))

# ---------------------------------------------------------------- the table

scn_name() {
	case "$1" in
	empty) echo "no sockets" ;;
	timewait) echo "$(fmt_int "$N") TIME_WAIT" ;;
	finwait2) echo "$(fmt_int "$N") FIN_WAIT2" ;;
	esac
}
cfg_name() {
	case "$1" in
	notw) echo "--no-timewait" ;;
	default) echo "default" ;;
	period-*) echo "--timewait-period ${1#period-}" ;;
	esac
}

{
	echo "## tcpstates-c: cost of following timewait minisockets, $(fmt_int "$N") present"
	echo
	echo "Machine: $(nproc) CPUs, Linux $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ); idle window $W s;" \
		"bench took $ELAPSED s."
	echo
	echo "| sockets | tracer | present (ss, start/end of window) | made in s | creation: tracer CPU µs/socket | creation: BPF ns/socket (runs/socket) | window: tracer CPU ms/s (% of a CPU) | window: BPF ms/s | window: BPF runs/s | window: lines | tracer exit, lost |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	while IFS=$'\t' read -r scn cfg st gen_s holders cr_wall cr_cpu cr_ns cr_runs w_ns_wall w_cpu w_ns w_runs w_lines pres0 pres1 rc lost _; do
		if [ "$st" = skipped ]; then
			echo "| $(scn_name "$scn") | $(cfg_name "$cfg") | skipped: this build has no --timewait-period | | | | | | | | |"
			continue
		fi
		case "$scn" in
		timewait) p0=${pres0%% *}; p1=${pres1%% *} ;;
		finwait2) p0=$(cut -d' ' -f2 <<<"$pres0"); p1=$(cut -d' ' -f2 <<<"$pres1") ;;
		*) p0=0; p1=0 ;;
		esac
		awk -v scn="$(scn_name "$scn")" -v cfg="$(cfg_name "$cfg")" -v p0="$(fmt_int "$p0")" \
			-v p1="$(fmt_int "$p1")" -v gen="$gen_s" -v n="$N" -v crc="$cr_cpu" -v crn="$cr_ns" \
			-v crr="$cr_runs" -v ww="$w_ns_wall" -v wc="$w_cpu" -v wn="$w_ns" -v wr="$w_runs" \
			-v wl="$w_lines" -v rc="$rc" -v lost="$lost" 'BEGIN {
			s = ww / 1e9
			if (crc == "-") { cc = "–"; cb = "–" } else {
				cc = sprintf("%.2f", crc / 1e3 / n)
				cb = sprintf("%.0f (%.1f)", crn / n, crr / n) }
			printf "| %s | %s | %s / %s | %s | %s | %s | %.2f (%.2f %%) | %.3f | %.0f | %d | %d, %s |\n",
				scn, cfg, p0, p1, gen == "-" ? "–" : gen, cc, cb,
				wc / 1e6 / s, wc / 1e7 / s, wn / 1e6 / s, wr / s, wl, rc, lost }'
	done <"$ROWS"
	echo
	if [ -s "$WORK/tw-snapshot.row" ]; then
		echo "Start-up snapshot (default configuration, -j, snapshot on), $(fmt_int "$N") TIME_WAIT made before the tracer started:"
		echo
		echo "| TIME_WAIT present | ms to \"Tracing\" | tracer CPU ms to \"Tracing\" | ms to snapshot written | tracer CPU ms to snapshot written | snapshot lines | of them TIME_WAIT | exit |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
		cat "$WORK/tw-snapshot.row"
		echo
	fi
	echo "Columns: creation = from just before the sockets are made until the tracer is idle" \
		"again (it wrote all about them), per socket made; window = the $W s that follow, all" \
		"sockets present and idle; tracer CPU = user + system of all its threads; BPF = run_time_ns" \
		"and run_cnt of all its programs (kernel.bpf_stats_enabled=1); lost = the tracer's closing line."
	FOREIGN1=$(bpftool prog show -j | jq '[.[] | select((.name // "") | test("set_state|timer_"))] | length')
	if [ "$FOREIGN0" -gt 0 ] || [ "$FOREIGN1" -gt 0 ]; then
		echo
		echo "Note: other TCP state / timer BPF programs were attached at the start ($FOREIGN0) or end ($FOREIGN1) of the bench."
	fi
} >"$WORK/tw-table.md"

{
	cat "$WORK/tw-table.md"
	echo
	echo "### Details"
	echo
	cat "$DETAILS"
} >"$REPORT"
cat "$WORK/tw-table.md"
say "bench-timewait: full report in $REPORT"

# ---------------------------------------------------------------- nothing may stay behind

mapfile -t left < <(still_loaded 0 "${OUR_PROG_IDS[@]}")
[ ${#left[@]} -eq 0 ] || broke "FAIL: BPF programs of our tracers still loaded: ${left[*]}"
ip netns list | grep -q "^$NS_BASE-" && broke "FAIL: a namespace of ours is still there"

[ "$BROKEN" = 0 ] || exit 1
exit 0
