// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* exits.bpf.c - a listener's owner that exits hands its listener to a child that holds it. */
#include "tracer.bpf.h"

#define PF_EXITING 0x00000004

#define CHILDREN_LOOKED_AT 8	/* a daemon forks one; a prefork master a few workers */
#define FDS_LOOKED_AT 64	/* a listener is opened early: its descriptor number is small */

/*
 * A daemon opens its listener, forks and exits (nginx without `daemon off`, any double fork):
 * the accepted sockets inherit the listener's owner, which is gone from `ps` a few
 * milliseconds later. When a process that owns a listener exits (its last thread), look at its
 * children - still its children here: sched_process_exit comes before they are reparented - for
 * one that holds the listener's file at some descriptor (a fork copies the table); that child
 * owns what the dead one owned. None found: the owner becomes unknown, never a dead PID.
 */
static __always_inline bool holds_file(struct task_struct *t, __u64 file)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fd = BPF_CORE_READ(fdt, fd);
	__u32 max = BPF_CORE_READ(fdt, max_fds);
	__u64 f;

	for (__u32 i = 0; i < FDS_LOOKED_AT && i < max; i++) {
		if (bpf_probe_read_kernel(&f, sizeof(f), &fd[i]))
			return false;
		if (f == file)
			return true;
	}
	return false;
}

/* the first live child of p holding `file` (0: the file is not known, any live child) */
static __always_inline struct task_struct *heir(struct task_struct *p, __u64 file)
{
	struct list_head *head = (void *)p + bpf_core_field_offset(struct task_struct, children);
	struct list_head *pos = BPF_CORE_READ(p, children.next);

	for (int i = 0; i < CHILDREN_LOOKED_AT && pos && pos != head; i++) {
		struct task_struct *c = container_of(pos, struct task_struct, sibling);

		if (!(BPF_CORE_READ(c, flags) & PF_EXITING) && (!file || holds_file(c, file)))
			return c;
		pos = BPF_CORE_READ(pos, next);
	}
	return NULL;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct tcpstates_owner o = {};
	struct task_struct *c;
	__u32 pid = BPF_CORE_READ(p, tgid), cpid;
	__u64 *file, f;

	/* the process ends with its last thread (do_exit() counted it off just before) */
	if (BPF_CORE_READ(p, signal, live.counter))
		return 0;
	file = bpf_map_lookup_elem(&owner_watch, &pid);
	if (!file)
		return 0;
	f = *file;
	c = heir(p, f);
	if (c) {
		cpid = BPF_CORE_READ(c, tgid);
		o.pid = cpid;
		o.cgroup_id = BPF_CORE_READ(c, cgroups, dfl_cgrp, kn, id);
		bpf_core_read_str(o.comm, sizeof(o.comm), &c->comm);
		if (bpf_map_update_elem(&owner_watch, &cpid, &f, BPF_ANY))
			count(TS_CNT_NO_STORAGE);	/* the heir's own exit is not followed */
	}
	/* an owner counted once: the state hook looks into owner_moved only when some are */
	if (!bpf_map_update_elem(&owner_moved, &pid, &o, BPF_NOEXIST))
		__sync_fetch_and_add(&owners_moved, 1);
	else
		bpf_map_update_elem(&owner_moved, &pid, &o, BPF_ANY);
	bpf_map_delete_elem(&owner_watch, &pid);
	return 0;
}
