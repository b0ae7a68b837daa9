#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# tcg_guest.sh - the guest side of tcg_panics.sh: under a loopback workload (kscen's scenarios in
# a loop), switch the tracer's tracepoints on and off in cycles, and say on stdout (the guest's
# second serial port) where each cycle began, so that the host can tell in which one the guest
# died.
#
#   tcg_guest.sh BIN KSCEN WORKDIR      (as tests/kernels/init runs /guest.sh)
#
# Its settings are words of the kernel command line (boot.sh's KT_APPEND):
#   kt.arm=tracefs   each cycle enables, then disables, the tracepoints the tracer attaches to
#                    (timer:timer_start, timer_cancel, timer_expire_entry,
#                    sock:inet_sock_set_state, tcp:*) through tracefs: no BPF at all
#   kt.arm=tracer    each cycle starts tcpstates-c -j --no-snapshot, waits for its "Tracing",
#                    then stops it with SIGTERM (the same tracepoints, through BPF)
#   kt.cycles=N      cycles (default 10); kt.on=S, kt.off=S: seconds on and off (default 2, 1)
# Output: "@@kt cycle I UPTIME" as cycle I begins, "@@kt on I UPTIME [READY]" once the tracepoints
# are on (READY 1 or 0: the tracer said "Tracing"), "@@kt off I UPTIME [RC]" once they are off
# (RC the tracer's exit status), "@@kt done" at the end.

BIN=$1
KSCEN=$2
W=$3
. "$(dirname "$0")/tracerctl.sh"
ARM=tracer
CYCLES=10
ON=2
OFF=1
for w in $(cat /proc/cmdline); do
	case $w in
	kt.arm=*) ARM=${w#*=} ;;
	kt.cycles=*) CYCLES=${w#*=} ;;
	kt.on=*) ON=${w#*=} ;;
	kt.off=*) OFF=${w#*=} ;;
	esac
done
T=/sys/kernel/tracing
EVENTS="timer/timer_start timer/timer_cancel timer/timer_expire_entry sock/inet_sock_set_state tcp"

up() { cut -d' ' -f1 /proc/uptime; }

echo "@@kt uname $(uname -r)"
echo "@@kt arm $ARM cycles $CYCLES on $ON off $OFF cpus $(grep -c ^processor /proc/cpuinfo)"
if [ "$ARM" = tracefs ]; then
	mount -t tracefs nodev $T || { echo "@@kt error tracefs not mounted"; exit 1; }
	for e in $EVENTS; do
		[ -w "$T/events/$e/enable" ] || { echo "@@kt error no event $e"; exit 1; }
	done
fi

# the workload: connections opened and closed on loopback all along, by kscen's scenarios (their
# orphan held 0.2 s, not tcp_fin_timeout), so that the rewritten tracepoints are being run
echo 2 >/proc/sys/net/ipv4/tcp_fin_timeout
(while :; do "$KSCEN" --base 45000 --hold 0.2 >/dev/null 2>&1; done) &

i=1
while [ "$i" -le "$CYCLES" ]; do
	echo "@@kt cycle $i $(up)"
	if [ "$ARM" = tracefs ]; then
		for e in $EVENTS; do echo 1 >"$T/events/$e/enable"; done
		echo "@@kt on $i $(up)"
		sleep "$ON"
		for e in $EVENTS; do echo 0 >"$T/events/$e/enable"; done
		echo "@@kt off $i $(up)"
	else
		"$BIN" -j --no-snapshot >/dev/null 2>"$W/tracer.err" &
		tp=$!
		ready=$(tracer_ready $tp "$W/tracer.err")
		echo "@@kt on $i $(up) $ready"
		sleep "$ON"
		tracer_stop $tp
		echo "@@kt off $i $(up) $?"
		[ "$ready" = 1 ] || sed 's/^/@@kt tracer_err /' "$W/tracer.err" | tail -n 5
	fi
	sleep "$OFF"
	i=$((i + 1))
done
echo "@@kt done"
