#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# guest.sh - the kernel matrix's run on one kernel: for each hook, tcpstates-c -j traces kscen's
# scenarios; everything comes back on stdout as marked sections for check_kernel.py.
#
#   guest.sh BIN KSCEN WORKDIR [TRACER-ARG]...
#
# Runs under busybox sh inside a test kernel (tests/kernels/init), and under the host's sh in a
# private network namespace (tests/integration/t_kernel_host.sh). Sets net.ipv4.tcp_fin_timeout
# to 2 (of the network namespace it runs in). Hooks: "default" (no --hook) with kscen --base 41000,
# "tracepoint" (--hook tracepoint) with --base 42000, so no socket of one run is in the other's.
# Output lines: "@@kt KEY VALUE" facts, and "@@kt begin NAME" ... "@@kt end NAME" around files.
# The tracer must mount tracefs itself where it needs it: nothing here mounts it.

BIN=$1
KSCEN=$2
W=$3
shift 3

up() { cut -d' ' -f1 /proc/uptime; }
section() {
	echo "@@kt begin $1"
	cat "$2" 2>/dev/null
	echo "@@kt end $1"
}

echo "@@kt uname $(uname -r)"
echo "@@kt netns $(readlink /proc/self/ns/net)"
echo "@@kt uptime start $(up)"
echo 2 >/proc/sys/net/ipv4/tcp_fin_timeout
echo "@@kt fin_timeout $(cat /proc/sys/net/ipv4/tcp_fin_timeout)"

base=41000
for hook in default tracepoint; do
	hargs=""
	[ "$hook" = tracepoint ] && hargs="--hook tracepoint"
	# shellcheck disable=SC2086
	"$BIN" -j --no-snapshot $hargs "$@" >"$W/$hook.out" 2>"$W/$hook.err" &
	tp=$!
	# ready when it says "Tracing ..." on stderr (BPF verification is slow under TCG: 120 s)
	ready=0
	i=0
	while [ $i -lt 1200 ]; do
		grep -q '^Tracing' "$W/$hook.err" 2>/dev/null && { ready=1; break; }
		kill -0 $tp 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "@@kt uptime $hook.ready $(up) $ready"
	if [ $ready = 1 ]; then
		"$KSCEN" --base $base >"$W/$hook.scen" 2>&1
		echo "@@kt scen_rc $hook $?"
		echo "@@kt uptime $hook.scenarios $(up)"
		# the last FIN_WAIT2 -> TIME_WAIT line comes within --timewait-period (1 s)
		sleep 3
	fi
	# SIGTERM; after 15 s SIGKILL
	kill -TERM $tp 2>/dev/null
	i=0
	while kill -0 $tp 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 $tp 2>/dev/null && kill -KILL $tp 2>/dev/null
	wait $tp
	echo "@@kt tracer_rc $hook $?"
	echo "@@kt uptime $hook.stopped $(up)"
	section "$hook.stdout" "$W/$hook.out"
	section "$hook.stderr" "$W/$hook.err"
	section "$hook.scen" "$W/$hook.scen"
	base=$((base + 1000))
done
# what -v says about the hook and the features (only its notes reach the checker's diagnostics)
"$BIN" -v -j --no-snapshot -d 1 "$@" >/dev/null 2>"$W/verbose.err"
echo "@@kt verbose_rc $?"
grep -E '^(tcpstates-c|Tracing)' "$W/verbose.err" >"$W/verbose.notes"
grep -iE 'fail|error|invalid|not found|refused|unknown func|reserved|off=' "$W/verbose.err" |
	grep -vE '^(tcpstates-c|Tracing)' | tail -n 25 >>"$W/verbose.notes"
section verbose "$W/verbose.notes"
echo "@@kt uptime verbose.stopped $(up)"
echo "@@kt done"
