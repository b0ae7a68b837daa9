/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* privdrop.h - once attached, give up what the tracing loop does not need. */
#ifndef PRIVDROP_H
#define PRIVDROP_H

#include <stdbool.h>

/*
 * Called after attach and the start-up snapshot, before the loop. Drops every capability but
 * CAP_BPF where this kernel's bpf() still asks for it (unprivileged BPF disabled, before 6.5),
 * clears the bounding, inheritable and ambient sets, sets no_new_privs and installs a seccomp
 * allow-list of the syscalls the loop makes. bpf_fd is a BPF map fd the loop uses (the probe).
 * A step that fails is said in one line on stderr and the run goes on without it; -v says what
 * was kept. Returns 0, or the first failure's negative errno.
 */
int privdrop_apply(int bpf_fd, bool verbose);

/*
 * --stuck: keep what its rounds need (CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH; the
 * syscalls that enter a namespace and read /proc). Called before privdrop_apply(), and only then.
 */
void privdrop_keep_stuck(void);

/*
 * Container names: keep the calls that read a new cgroup's path and the node's container files
 * (openat read-only, getdents64, stat, read). No capability. Called before privdrop_apply().
 */
void privdrop_keep_containers(void);

/*
 * -o: keep what a reopen on SIGHUP needs (openat with exactly OUTFILE_FLAGS, umask). Called
 * before privdrop_apply(), and only then.
 */
void privdrop_keep_reopen(void);

/*
 * --metrics-file: allow openat(dir_fd, ..., open_flags) and renameat(dir_fd, ..., dir_fd, ...)
 * in the loop. Called before privdrop_apply().
 */
void privdrop_keep_metrics(int dir_fd, int open_flags);

/*
 * Run fn(arg) without the capabilities that bypass file permissions (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER), which the loop does not keep: a file written in the loop is
 * tried at start with the rights it will have then. Returns what fn returns.
 */
int privdrop_as_loop(int (*fn)(void *arg), void *arg);

/* Does privdrop_apply() install the seccomp filter? Not in a sanitizer build (LeakSanitizer). */
bool privdrop_filters(void);

#endif
