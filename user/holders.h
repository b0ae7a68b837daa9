/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* holders.h - which processes hold an fd on a set of sockets, found the way ss -p finds them. */
#ifndef HOLDERS_H
#define HOLDERS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A process holding socket inos[i] through descriptor fd: its pid as /proc names it (text and
 * number). Called once per (process, i, fd), a process's calls one after the other, in the
 * order of its /proc/PID/fd listing.
 */
typedef void (*holders_fn)(void *ctx, const char *pid_text, uint32_t pid, size_t i, int fd);

/*
 * One pass over /proc/PID/fd of every process for the socket inodes inos[0..n) (sorted, equal
 * inodes next to each other: each is matched). Returns the processes looked at.
 */
unsigned int holders_scan(const uint64_t *inos, size_t n, holders_fn fn, void *ctx);

/* The command name of process pid_text (/proc/PID/comm, without its newline), "" if gone. */
void holders_comm(const char *pid_text, char *comm, size_t len);

/*
 * Where cgroup v2 is mounted: the first cgroup2 line of /proc/self/mountinfo (/sys/fs/cgroup on
 * a unified host, /sys/fs/cgroup/unified on a hybrid one). "" when it is not mounted.
 */
void holders_cgroup_root(char *root, size_t len);

/*
 * The cgroup v2 id of process pid_text, as bpf_get_current_cgroup_id() gives it: the inode of its
 * directory under cg_root (holders_cgroup_root). 0 when unknown (gone, no v2 line, no root).
 */
uint64_t holders_cgroup(const char *pid_text, const char *cg_root);

#endif
