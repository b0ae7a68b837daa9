#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# guest.sh - the kernel matrix's run on one kernel: for each hook, tcpstates-c -j traces kscen's
# scenarios, then tcpstates-c -v once with its start-up snapshot; everything comes back on stdout
# as marked sections for check_kernel.py.
#
#   guest.sh BIN KSCEN WORKDIR [TRACER-ARG]...
#
# Runs under busybox sh inside a test kernel (tests/kernels/init), and under the host's sh in a
# private network namespace (tests/integration/t_kernel_host.sh). Sets net.ipv4.ip_local_port_range
# to 50000-60999 (above the scenarios' ports) and net.ipv4.tcp_fin_timeout
# to 2 (of the network namespace it runs in). Runs ("hooks"), each with a kscen --base of its own so
# that no socket of one run is in another's:
#   default     tcpstates-c -j --no-snapshot                                  kscen --base 41000
#   tracepoint  tcpstates-c -j --no-snapshot --hook tracepoint                kscen --base 42000
#   core        TCPSTATES_TEST_BREAK=all tcpstates-c -j --no-snapshot --hook tracepoint
#               (every optional feature's programs fail to load: the core alone)  --base 43000
#   connections tcpstates-c -j --no-snapshot --records connections              kscen --base 45000
#   none        tcpstates-c -j --no-snapshot --records none --summary           kscen --base 46000
#   verbose     tcpstates-c -v -j -d 1, with its snapshot, while kscen --listen 44100 (a listener
#               made before the tracer started) waits
#   stuck       tcpstates-c -j --stuck 0.3 -d 2, with its snapshot: the listener's CLOSE_WAIT
#               (10 bytes never read), older than the tracer, reported with its evidence
# Output lines: "@@kt KEY VALUE" facts, and "@@kt begin NAME" ... "@@kt end NAME" around files.
# The tracer must mount tracefs itself where it needs it: nothing here mounts it.

BIN=$1
KSCEN=$2
W=$3
shift 3
. "$(dirname "$0")/tracerctl.sh"

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
# the clients' ephemeral ports above every scenario's port (kscen --base 41000-46000, +10; the
# listener 44100): a client once drew 41010, dm's server port, and its socket was taken for dm's
echo "50000 60999" >/proc/sys/net/ipv4/ip_local_port_range
echo "@@kt port_range $(cat /proc/sys/net/ipv4/ip_local_port_range)"

base=41000
for hook in default tracepoint core connections none; do
	case $hook in
	default) hargs="" ;;
	connections) hargs="--records connections" base=45000 ;;
	none) hargs="--records none --summary" ;;
	*) hargs="--hook tracepoint" ;;
	esac
	if [ "$hook" = core ]; then
		export TCPSTATES_TEST_BREAK=all
	else
		unset TCPSTATES_TEST_BREAK
	fi
	# shellcheck disable=SC2086
	"$BIN" -j --no-snapshot $hargs "$@" >"$W/$hook.out" 2>"$W/$hook.err" &
	tp=$!
	ready=$(tracer_ready $tp "$W/$hook.err")
	echo "@@kt uptime $hook.ready $(up) $ready"
	if [ $ready = 1 ]; then
		"$KSCEN" --base $base >"$W/$hook.scen" 2>&1
		echo "@@kt scen_rc $hook $?"
		echo "@@kt uptime $hook.scenarios $(up)"
		# the last FIN_WAIT2 -> TIME_WAIT line comes within --timewait-period (1 s)
		sleep 3
	fi
	tracer_stop $tp
	echo "@@kt tracer_rc $hook $?"
	echo "@@kt uptime $hook.stopped $(up)"
	section "$hook.stdout" "$W/$hook.out"
	section "$hook.stderr" "$W/$hook.err"
	section "$hook.scen" "$W/$hook.scen"
	base=$((base + 1000))
done
unset TCPSTATES_TEST_BREAK
# what -v says about the hook and the features, and the start-up snapshot of a listener that is
# there before the tracer (its notes and table, libbpf's errors; not libbpf's whole log)
"$KSCEN" --listen 44100 >"$W/listener" 2>&1 &
lp=$!
i=0
while [ ! -s "$W/listener" ] && kill -0 $lp 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "@@kt listener $(head -n 1 "$W/listener")"
"$BIN" -v -j -d 1 "$@" >"$W/verbose.out" 2>"$W/verbose.err"
echo "@@kt verbose_rc $?"
# --stuck on the listener's CLOSE_WAIT, older than the tracer: its report and evidence
"$BIN" -j --stuck 0.3 -d 2 "$@" >"$W/stuck.out" 2>"$W/stuck.err"
echo "@@kt stuck_rc $?"
kill -TERM $lp 2>/dev/null
wait $lp 2>/dev/null
grep -E '^(tcpstates-c|Tracing|  [a-z_]+ +(on|off) )' "$W/verbose.err" >"$W/verbose.notes"
grep -iE 'fail|error|invalid|not found|refused|unknown func|reserved|off=' "$W/verbose.err" |
	grep -vE '^(tcpstates-c|Tracing|  [a-z_]+ +(on|off) )' | tail -n 25 >>"$W/verbose.notes"
section verbose "$W/verbose.notes"
section verbose.stdout "$W/verbose.out"
section stuck.stdout "$W/stuck.out"
section stuck.stderr "$W/stuck.err"
echo "@@kt uptime verbose.stopped $(up)"
echo "@@kt done"
