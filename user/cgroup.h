/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* cgroup.h - --cgroup resolved: the directory's id and level, its tree at start, membership. */
#ifndef CGROUP_H
#define CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstates.h"

#define CGROUP_NOT_V2 1		/* cgroup_resolve: the path is no cgroup v2 directory */

/* the cgroup v2 directory --cgroup names, as it was at start */
struct cgroup_tree {
	uint64_t id;		/* the directory's id, its inode (0: no --cgroup) */
	int level;		/* its depth below the cgroup v2 root (-1: unknown) */
	bool in_kernel;		/* the BPF side decides membership (TS_F2_CGROUP_IN): set by the
				 * session from what the tracer loaded (cgroup_kernel_can) */
	size_t n;		/* ids of the directory and of every directory below it at start ... */
	uint64_t *ids;		/* ... sorted (malloc'd; cgroup_free) */
};

/*
 * Resolve directory `path` into t (reset first): its id, its level, the ids of its tree. Returns
 * 0; CGROUP_NOT_V2 when path is not a cgroup v2 directory; or a negative errno when it cannot be
 * read. What goes wrong below it is skipped.
 */
int cgroup_resolve(struct cgroup_tree *t, const char *path);

void cgroup_free(struct cgroup_tree *t);

/* Was id in the tree at start? (false without --cgroup) */
bool cgroup_tree_has(const struct cgroup_tree *t, uint64_t id);

/*
 * Is e's owner in the tree? The kernel's verdict (TS_F2_CGROUP_IN) where it decides, also for
 * cgroups made after start; else, and for owners found in /proc (the start-up snapshot, a
 * --stuck report's holder), the tree as it was.
 */
bool cgroup_owner_in(const struct cgroup_tree *t, const struct tcpstates_event *e);

/*
 * Can the BPF side decide membership: is the directory's level known, and does the kernel give
 * tracing programs an owner's ancestors (ancestor_helper: bpf_get_current_ancestor_cgroup_id)?
 */
bool cgroup_kernel_can(const struct cgroup_tree *t, bool ancestor_helper);

/*
 * In a container with the host's pids (a DaemonSet's hostPID) but a cgroup namespace of its own
 * (the default on cgroup v2), /proc/PID/cgroup shows other processes' paths relative to our own
 * cgroup ("/../../kubepods.slice/..."): join PID 1's cgroup namespace, the host's, so that they
 * read from the root. Nothing when we are in it already. Returns 0, or a negative errno (then
 * one line on err: container and owner cgroups of other pods may not be named).
 */
int cgroup_join_host_ns(FILE *err);

/* With --cgroup decided in user space: one line on err saying what is not matched, and why. */
void cgroup_warn(const struct cgroup_tree *t, FILE *err);

#endif
