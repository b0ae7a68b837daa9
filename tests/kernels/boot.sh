#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# boot.sh - boot one Debian cloud kernel under qemu (TCG) with a busybox initramfs that runs
# guest.sh: the tracer and the scenarios, their results on the guest's second serial port.
#
#   boot.sh SERIES OUTDIR BIN KSCEN [DEADLINE]
#
# SERIES 5.10|6.1|6.12 (tests/kernels/fetch.sh); BIN the static tcpstates-c, KSCEN the static
# scenario program; DEADLINE the time (seconds since the epoch) by which qemu must be done
# (default: 130 s after the download). Writes OUTDIR/results (guest.sh's
# sections, from /dev/ttyS1), OUTDIR/console (the kernel's console, ttyS0), OUTDIR/kernel (the
# package). Prints "# ..." notes (what was booted, how long it took). Exit 0 when the guest powered
# off, 3 when the kernel cannot be had (fetch.sh said why), 4 when qemu failed or timed out.
#
# Environment (tests/kernels/tcg_panics.sh sets them; the matrix keeps the defaults):
#   KT_ACCEL   qemu's -accel (default tcg,thread=single: see below)
#   KT_SMP     vCPUs (default 2)
#   KT_GUEST   the script /init runs as /guest.sh (default tests/kernels/guest.sh)
#   KT_APPEND  more kernel command line words; the guest reads them in /proc/cmdline
set -eu

SERIES=$1 OUT=$2 BIN=$3 KSCEN=$4 DEADLINE=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if ! KDIR=$("$HERE/fetch.sh" "$SERIES" 2>"$OUT/fetch.err"); then
	sed 's/^/# /' "$OUT/fetch.err"
	exit 3
fi
sed 's/^/# /' "$OUT/fetch.err"
cp "$KDIR/version" "$OUT/kernel"

# ---- the initramfs: busybox and its applets, the two programs, the guest script, the config ----
ROOT="$OUT/root"
rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/boot"
cp /bin/busybox "$ROOT/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$ROOT/bin/$a"
done
cp "$BIN" "$ROOT/bin/tcpstates-c"
cp "$KSCEN" "$ROOT/bin/kscen"
cp "${KT_GUEST:-$HERE/guest.sh}" "$ROOT/guest.sh"
cp "$HERE/tracerctl.sh" "$ROOT/tracerctl.sh"
cp "$HERE/init" "$ROOT/init"
chmod 755 "$ROOT/init" "$ROOT/guest.sh"
cp "$KDIR/config" "$ROOT/config"
# the console must exist before devtmpfs is mounted, for the kernel to open it for /init
mknod -m 600 "$ROOT/dev/console" c 5 1 2>/dev/null || true
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 >"$OUT/initrd.gz"

# ---- boot -----------------------------------------------------------------------------------------
[ -n "$DEADLINE" ] || DEADLINE=$(($(date +%s) + 130))
LIMIT=$((DEADLINE - $(date +%s)))
[ "$LIMIT" -ge 20 ] || { echo "# no time left to boot ($LIMIT s)"; exit 4; }
: >"$OUT/results"
# Two vCPUs, so that the scenarios' processes and softirqs interleave as on a real machine, run
# by one host thread (thread=single): with one thread per vCPU (qemu's multi-threaded TCG, its
# default for x86 guests) a vCPU can go on running code translated before the other vCPU rewrote
# a tracepoint's jump or NOP, and the guest dies of "Oops: int3" - with or without BPF, whenever
# tracepoints are switched on and off (docs/kernels.md, "Guest panics under multi-threaded TCG").
ACCEL=${KT_ACCEL:-tcg,thread=single}
SMP=${KT_SMP:-2}
start=$(date +%s.%N)
rc=0
timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel "$ACCEL" -m 1024 -smp "$SMP" -nic none \
	-display none -vga none -monitor none -no-reboot \
	-kernel "$KDIR/vmlinuz" -initrd "$OUT/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 oops=panic${KT_APPEND:+ $KT_APPEND}" \
	-serial "file:$OUT/console" \
	-chardev "file,id=results,path=$OUT/results" -device isa-serial,chardev=results \
	</dev/null >"$OUT/qemu.log" 2>&1 || rc=$?
took=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')
echo "# booted $(cat "$KDIR/version") under qemu -accel $ACCEL -smp $SMP: $took s (qemu exit $rc)"
up=$(sed -n 's/^kt-init: .* up at \([0-9.]*\) s$/\1/p' "$OUT/console" | tr -d '\r')
[ -n "$up" ] && echo "# /init started at $up s of guest uptime"
if [ "$rc" != 0 ]; then
	[ "$rc" = 124 ] && echo "# qemu timed out after $LIMIT s"
	sed 's/^/# qemu: /' "$OUT/qemu.log" | tail -n 5
	echo "# last console lines:"
	tr -d '\r' <"$OUT/console" | tail -n 15 | sed 's/^/#   /'
	exit 4
fi
exit 0
