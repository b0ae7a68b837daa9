/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* procfs.h - the few /proc texts the snapshot and --stuck read, parsed without /proc (testable). */
#ifndef PROCFS_H
#define PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1234" (a /proc entry that is a process): digits only, no sign, no leading zero */
bool procfs_is_pid(const char *name);

/* the inode of an fd link "socket:[12345]"; -1 for anything else ("pipe:[1]", "/dev/null") */
int procfs_socket_inode(const char *link, uint64_t *ino);

/*
 * The cgroup v2 path ("/system.slice/x.service") from the text of /proc/PID/cgroup: its "0::" line.
 * Returns 0, or -1 when there is none (a cgroup v1 only system) or it does not fit in out.
 */
int procfs_cgroup_v2_path(const char *text, char *out, size_t len);

/*
 * The mount point of a /proc/PID/mountinfo line if it mounts cgroup2 ("36 25 0:31 / /sys/fs/cgroup
 * rw,nosuid - cgroup2 cgroup2 rw"), its octal escapes (\040 for a space) decoded. Returns 0, or -1
 * for another file system, a line that is not mountinfo, or a point that does not fit in out.
 */
int procfs_cgroup2_mount(const char *line, char *out, size_t len);

/*
 * The state letter and the name of a thread from the text of /proc/PID/task/TID/stat
 * ("42 (a) b) S 1 ..."): the name may hold spaces and ')', so it ends at the last ')'. Returns 0,
 * or -1 for a text that is not a stat line (*state and comm untouched).
 */
int procfs_stat_state(const char *text, char *state, char *comm, size_t len);

/* what /proc/PID/task/TID/syscall says a thread is doing */
enum procfs_syscall {
	PROCFS_SC_NR,		/* in the system call *nr ("202 0x7f... ...") */
	PROCFS_SC_NONE,		/* blocked, but not in a system call ("-1 SP PC") */
	PROCFS_SC_RUNNING,	/* on a CPU: the kernel did not look ("running") */
	PROCFS_SC_UNKNOWN,	/* anything else: empty (unreadable), garbled */
};

enum procfs_syscall procfs_syscall_nr(const char *text, long *nr);

#endif
