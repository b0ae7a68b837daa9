# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# shellcheck shell=sh
# tracerctl.sh - waiting for a tracer started in the background and stopping it, for the scripts
# a test kernel runs (guest.sh, tcg_guest.sh; boot.sh puts this file beside them). Sourced; plain
# sh (busybox in the guest, the host's sh for t_kernel_host).

# tracer_ready PID ERRFILE: prints 1 once ERRFILE (the tracer's stderr) has its "Tracing ..."
# line, 0 if the tracer exited first or 120 s passed (BPF verification is slow under TCG)
tracer_ready() {
	_n=0
	while [ $_n -lt 1200 ]; do
		grep -q '^Tracing' "$2" 2>/dev/null && { echo 1; return; }
		kill -0 "$1" 2>/dev/null || break
		# exited, not waited for yet (kill -0 still finds a zombie)
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ] && break
		sleep 0.1
		_n=$((_n + 1))
	done
	echo 0
}

# tracer_stop PID: SIGTERM, SIGKILL after 15 s; returns the tracer's exit status (PID must be a
# child of this shell: call it directly, not in a command substitution)
tracer_stop() {
	kill -TERM "$1" 2>/dev/null
	_n=0
	while kill -0 "$1" 2>/dev/null && [ $_n -lt 150 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
	wait "$1"
}
