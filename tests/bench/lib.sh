# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# lib.sh - helpers the benchmark scripts share (run.sh, timewait_cost.sh); sourced, not run.
# shellcheck shell=bash

# gone, or a zombie waiting for us to reap it
is_gone() {
	local st

	[ -r "/proc/$1/stat" ] || return 0
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# wait until PID is gone, at most TENTHS tenths of a second
wait_gone() {
	local pid=$1 tenths=$2

	for _ in $(seq "$tenths"); do is_gone "$pid" && return 0; sleep 0.1; done
	is_gone "$pid"
}

# on-CPU ns of a process, all threads (user + system): schedstat counts ns where /proc/PID/stat's
# utime and stime tick at 10 ms, too coarse for a mostly idle tracer
cpu_ns() {
	local s=0 f v

	for f in /proc/"$1"/task/*/schedstat; do
		read -r v _ <"$f" 2>/dev/null && s=$((s + v))
	done
	echo "$s"
}

# ids of the BPF programs a process holds: "linked" (attached through a link) or "all" (a link or
# a program descriptor)
prog_ids() {
	local pid=$1 what=$2 fd tgt

	for fd in /proc/"$pid"/fd/*; do
		tgt=$(readlink "$fd" 2>/dev/null) || continue
		case "$tgt" in
		anon_inode:bpf_link) ;;
		anon_inode:bpf-prog) [ "$what" = all ] || continue ;;
		*) continue ;;
		esac
		awk '/^prog_id:/ { print $2 }' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null
	done | sort -un
}

# integer with thin groups of three, as the README writes them: 14 358 ("–" for none, "?" kept)
fmt_int() {
	awk -v v="$1" 'BEGIN { if (v == "-" || v == "" || v == "?") { print (v == "?" ? "?" : "–"); exit }
		s = sprintf("%d", v < 0 ? -v : v + 0.5); o = ""
		while (length(s) > 3) { o = " " substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print (v < 0 ? "-" : "") s o }'
}

# which of the BPF program ids given are still loaded after at most TENTHS tenths of a second
# each (a program goes when its last reference does, a moment after its process): one a line
still_loaded() {
	local tenths=$1 id
	shift

	for id in $(printf '%s\n' "$@" | sort -un); do
		for _ in $(seq "$tenths"); do
			bpftool prog show id "$id" >/dev/null 2>&1 || continue 2
			sleep 0.1
		done
		bpftool prog show id "$id" >/dev/null 2>&1 && echo "$id"
	done
}
