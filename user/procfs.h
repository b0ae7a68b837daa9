/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* procfs.h - the few /proc texts the snapshot reads, parsed without touching /proc (testable). */
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

#endif
