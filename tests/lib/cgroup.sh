# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# cgroup.sh - cgroup v2 directories for the integration tests. Source it after common.sh: it
# replaces common.sh's traps with ones that first end the processes still in the directories made
# here, then run common.sh's cleanup, then remove the directories (children first). Every name
# made here carries $$; nothing outside the directories made here is touched (the processes moved
# into them are the test's own).

# shellcheck disable=SC2034  # used by the scripts that source this
CG_ROOT=	# the cgroup v2 mount point (cg_find_root)
CG_DIRS=()	# directories made here, parents first

# cg_find_root: sets CG_ROOT to /sys/fs/cgroup when it is cgroup v2 (unified mode), else to the
# first cgroup2 mount (hybrid mode: /sys/fs/cgroup/unified). Returns 1 if there is none.
cg_find_root() {
	local _dev mnt type _rest
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		CG_ROOT=/sys/fs/cgroup
		return 0
	fi
	while read -r _dev mnt type _rest; do
		if [ "$type" = cgroup2 ]; then
			# shellcheck disable=SC2034
			CG_ROOT=$mnt
			return 0
		fi
	done </proc/self/mounts
	return 1
}

# cg_make DIR: mkdir DIR (a cgroup), remembered for the cleanup
cg_make() {
	mkdir "$1" || return 1
	CG_DIRS+=("$1")
}

# cg_exec DIR CMD...: run CMD in the background as a member of cgroup DIR from its first
# instruction (the shell moves itself, then execs CMD: same pid); sets CG_PID
cg_exec() {
	local dir=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" || exit 97; shift; exec "$@"' cg_exec "$dir" "$@" &
	CG_PID=$!
	TS_HELPERS+=("$CG_PID")
}

cg_cleanup() {
	local i d p end
	trap - EXIT INT TERM
	# processes still in our directories are ours: end them
	for ((i = ${#CG_DIRS[@]} - 1; i >= 0; i--)); do
		d=${CG_DIRS[i]}
		[ -f "$d/cgroup.procs" ] || continue
		while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs"
	done
	cleanup
	# children first; a directory can be removed once its last task is gone (bounded retries)
	for ((i = ${#CG_DIRS[@]} - 1; i >= 0; i--)); do
		d=${CG_DIRS[i]}
		[ -d "$d" ] || continue
		end=$(($(date +%s) + 5))
		until rmdir "$d" 2>/dev/null; do
			if [ "$(date +%s)" -ge "$end" ]; then
				echo "# could not remove cgroup $d: $(tr '\n' ' ' <"$d/cgroup.procs" 2>/dev/null)" >&2
				break
			fi
			[ -f "$d/cgroup.procs" ] &&
				while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs"
			sleep 0.1
		done
	done
}
trap 'cg_cleanup' EXIT
trap 'cg_cleanup; exit 130' INT
trap 'cg_cleanup; exit 143' TERM
