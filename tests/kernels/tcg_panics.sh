#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tcg_panics.sh - do the guest panics of the kernel matrix come from qemu or from us? Boots a
# Debian cloud kernel under qemu (boot.sh) again and again, each guest switching the tracer's
# tracepoints on and off in cycles under a loopback workload (tcg_guest.sh), and counts the boots
# that died, per arm: tracepoints toggled through tracefs (no BPF) or by tcpstates-c started and
# stopped, under multi-threaded TCG (one host thread per vCPU) or thread=single. The figures and
# what they mean: docs/kernels.md, "Guest panics under multi-threaded TCG". Not part of make test
# (an arm of 40 cycles takes 5-15 minutes).
#
#   tests/kernels/tcg_panics.sh [-k SERIES] [-n CYCLES] [-p PER_BOOT] [-a ARMS] [-s SMP]
#                               [--on S] [--off S] [-t BOOT_LIMIT] [-o DIR]
#
#   -k SERIES    5.10, 6.1 or 6.12 (default 6.12), fetched by fetch.sh as the matrix does
#   -n CYCLES    cycles per arm (default 20); -p PER_BOOT: at most this many per boot (default 10):
#                a panic ends a boot, the next boot goes on with the cycles left
#   -a ARMS      comma-separated WHAT:ACCEL (default tracefs:multi,tracefs:single,tracer:multi,
#                tracer:single); WHAT tracefs|tracer, ACCEL multi|single (-accel tcg,thread=ACCEL)
#   -s SMP       vCPUs (default 2, as the matrix)
#   --on, --off  seconds the tracepoints stay on, then off, in a cycle (default 2 and 1)
#   -t LIMIT     seconds one boot may take (default 600)
#   -o DIR       where each boot's console and results are kept (default a new /tmp/tcg_panics.*)
#
# The arms take turns, one boot each, so that a change in the machine's load falls on all of them.
# Needs ./tcpstates-c and .output/kernels/kscen (make all .output/kernels/kscen), qemu and a
# static busybox, root. A cycle is counted as soon as it began: a guest that died in cycle 3 of a
# boot ran 3. A panic is a console with "Oops", "BUG:" or "Kernel panic"; "int3" says how many of
# them were "Oops: int3". Prints a table, one row per arm, and the first lines of each panic.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERIES=6.12 CYCLES=20 PER_BOOT=10 SMP=2 ON=2 OFF=1 LIMIT=600 OUT=""
ARMS=tracefs:multi,tracefs:single,tracer:multi,tracer:single

usage() { sed -n '11,21s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	-k) SERIES=$2 ;;
	-n) CYCLES=$2 ;;
	-p) PER_BOOT=$2 ;;
	-a) ARMS=$2 ;;
	-s) SMP=$2 ;;
	--on) ON=$2 ;;
	--off) OFF=$2 ;;
	-t) LIMIT=$2 ;;
	-o) OUT=$2 ;;
	*) usage ;;
	esac
	shift 2
done
BIN=$ROOT/tcpstates-c
KSCEN=$ROOT/.output/kernels/kscen
for f in "$BIN" "$KSCEN"; do
	[ -x "$f" ] || { echo "tcg_panics.sh: $f missing (make all .output/kernels/kscen)" >&2; exit 1; }
done
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/tcg_panics.XXXXXX)
mkdir -p "$OUT"

IFS=, read -r -a arms <<<"$ARMS"
declare -A boots cycles panics int3 other unready secs
for a in "${arms[@]}"; do
	case $a in
	tracefs:multi | tracefs:single | tracer:multi | tracer:single) ;;
	*) echo "tcg_panics.sh: arm '$a' is not WHAT:ACCEL (tracefs|tracer : multi|single)" >&2; exit 2 ;;
	esac
	boots[$a]=0 cycles[$a]=0 panics[$a]=0 int3[$a]=0 other[$a]=0 unready[$a]=0 secs[$a]=0
done

# one_boot ARM: boot a guest for the arm's next cycles, add what it did to the arm's counts
one_boot() {
	local a=$1 what=${1%:*} accel=${1#*:} n dir rc=0 t0 ran
	n=$((CYCLES - cycles[$a]))
	[ "$n" -gt "$PER_BOOT" ] && n=$PER_BOOT
	boots[$a]=$((boots[$a] + 1))
	dir="$OUT/${what}-${accel}/boot${boots[$a]}"
	mkdir -p "$dir"
	t0=$(date +%s)
	KT_GUEST="$HERE/tcg_guest.sh" KT_ACCEL="tcg,thread=$accel" KT_SMP=$SMP \
		KT_APPEND="kt.arm=$what kt.cycles=$n kt.on=$ON kt.off=$OFF" \
		"$HERE/boot.sh" "$SERIES" "$dir" "$BIN" "$KSCEN" $(($(date +%s) + LIMIT)) \
		>"$dir/boot.notes" 2>&1 || rc=$?
	secs[$a]=$((secs[$a] + $(date +%s) - t0))
	rm -rf "$dir/root" "$dir/initrd.gz"
	if [ "$rc" = 3 ]; then
		cat "$dir/boot.notes" >&2
		echo "tcg_panics.sh: no $SERIES kernel (fetch.sh)" >&2
		exit 1
	fi
	ran=$(grep -ac '^@@kt cycle ' "$dir/results")
	cycles[$a]=$((cycles[$a] + ran))
	unready[$a]=$((unready[$a] + $(grep -ac '^@@kt on [0-9]* [0-9.]* 0' "$dir/results")))
	if tr -d '\r' <"$dir/console" | grep -aqE 'Oops|BUG:|Kernel panic'; then
		panics[$a]=$((panics[$a] + 1))
		tr -d '\r' <"$dir/console" | grep -aq 'Oops: int3' && int3[$a]=$((int3[$a] + 1))
		{
			echo "# $a boot ${boots[$a]}: panicked in cycle $ran ($dir/console):"
			tr -d '\r' <"$dir/console" | grep -a -m 4 -E 'Oops|BUG:|RIP:|Kernel panic' |
				sed 's/^/#   /'
		} | tee -a "$OUT/panics.txt"
	elif ! grep -aq '^@@kt done' "$dir/results"; then
		other[$a]=$((other[$a] + 1))
		echo "# $a boot ${boots[$a]}: ended without a panic nor its end (boot.sh exit $rc, $dir)"
		grep -a '^@@kt error' "$dir/results" | sed 's/^/#   /'
		# no cycle run and no panic: the guest cannot do this arm; do not boot it forever
		[ "$ran" = 0 ] && cycles[$a]=$CYCLES
	fi
	echo "# $a boot ${boots[$a]}: $ran cycles, $(($(date +%s) - t0)) s"
}

echo "# tcg_panics.sh: kernel $SERIES, arms $ARMS, $CYCLES cycles each (<= $PER_BOOT per boot)," \
	"-smp $SMP, $ON s on / $OFF s off; boots in $OUT"
left=1
while [ "$left" = 1 ]; do
	left=0
	for a in "${arms[@]}"; do
		[ "${cycles[$a]}" -lt "$CYCLES" ] || continue
		one_boot "$a"
		left=1
	done
done

kernel=$(cat "$(ls -d "$OUT"/*/boot1 | head -n 1)/kernel" 2>/dev/null)
{
	echo
	echo "kernel: $kernel; qemu: $(qemu-system-x86_64 --version | head -n 1)"
	echo "-smp $SMP; a cycle: $ON s on, $OFF s off; workload: kscen's scenarios in a loop"
	printf '%-8s %-18s %5s %6s %6s %5s %5s %8s %7s %6s\n' arm accel boots cycles panics int3 \
		other unready per100 s
	for a in "${arms[@]}"; do
		printf '%-8s %-18s %5d %6d %6d %5d %5d %8d %7s %6d\n' "${a%:*}" "tcg,thread=${a#*:}" \
			"${boots[$a]}" "${cycles[$a]}" "${panics[$a]}" "${int3[$a]}" "${other[$a]}" \
			"${unready[$a]}" "$(awk -v p="${panics[$a]}" -v c="${cycles[$a]}" \
			'BEGIN { printf "%.1f", c ? 100 * p / c : 0 }')" "${secs[$a]}"
	done
	echo "(per100: panics per 100 cycles; other: boots that ended without a panic nor their end;"
	echo " unready: tracer cycles whose tracer never said Tracing)"
} | tee "$OUT/summary.txt"
