/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * marks.h - the per-CPU mark stack the state hook's two programs share (bpf/tracer/core.bpf.c
 * pushes, bpf/tracer/backup.bpf.c pops); here so that tests/unit/test_marks.c runs the very
 * code the BPF programs run, through the interleavings the kernel makes.
 *
 * The main program marks each event it begins; the backup program, run right after it on the
 * same CPU, pops the event's mark, or emits the event when there is none (the kernel skipped the
 * main program: a softirq fired the hook while it ran). Two kinds of marks can sit above the
 * one popped:
 *   - the same task's: a softirq ran while this backup ran (a softirq's current task is the one
 *     it interrupted); its main program marked, its backup was skipped: dropped;
 *   - another task's: tracing programs run with migration, not preemption, disabled, so a task
 *     preempted between its two programs leaves its mark while another task runs both of its
 *     own: kept (moved down), for that task's backup to find (dropped, that backup would
 *     emit its event a second time).
 */
#ifndef TCPSTATES_MARKS_H
#define TCPSTATES_MARKS_H

/* the BPF programs get the __u* types from vmlinux.h, included first; the unit test from here */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* one event the main program has begun */
struct tcpstates_marker {
	__u64 sk;		/* struct sock address */
	__s32 oldstate;
	__s32 newstate;
	__u64 task;		/* current task: a softirq's is the task it interrupted */
};

/* events begun by the main program on a CPU and not yet checked by the backup */
#define TS_MARKS 8
struct tcpstates_mark_stack {
	__u32 depth;		/* marks in use */
	__u32 _pad;
	struct tcpstates_marker m[TS_MARKS];
};

static __always_inline void marks_push(struct tcpstates_mark_stack *ms, __u64 sk, int oldstate,
				       int newstate, __u64 task)
{
	__u32 d = ms->depth;

	if (d >= TS_MARKS)
		d = TS_MARKS - 1;	/* cannot happen (see above); overwrite rather than lose */
	ms->m[d].sk = sk;
	ms->m[d].oldstate = oldstate;
	ms->m[d].newstate = newstate;
	ms->m[d].task = task;
	ms->depth = d + 1;
}

/* 1 when the main program marked this event (the mark is popped), 0 when it did not */
static __always_inline int marks_pop(struct tcpstates_mark_stack *ms, __u64 sk, int oldstate,
				     int newstate, __u64 task)
{
	__u32 d = ms->depth, out;
	int found = -1;

	/*
	 * Nearly always the top mark, the one the main program pushed just before: nothing above
	 * it to keep or drop. The loop below finds the same one first; this skips its 8 rounds.
	 */
	if (d - 1 < TS_MARKS) {
		struct tcpstates_marker *top = &ms->m[d - 1];

		if (top->sk == sk && top->oldstate == oldstate && top->newstate == newstate &&
		    top->task == task) {
			ms->depth = d - 1;
			return 1;
		}
	}
	for (int i = TS_MARKS - 1; i >= 0; i--) {
		struct tcpstates_marker *m = &ms->m[i];

		if ((__u32)i >= d)
			continue;
		if (m->sk == sk && m->oldstate == oldstate && m->newstate == newstate &&
		    m->task == task) {
			found = i;
			break;
		}
	}
	if (found < 0)
		return 0;
	out = found;
	for (int j = 0; j < TS_MARKS; j++) {
		if (j <= found || (__u32)j >= d || ms->m[j].task == task)
			continue;
		if (out < TS_MARKS)
			ms->m[out] = ms->m[j];
		out++;
	}
	ms->depth = out;
	return 1;
}

#endif /* TCPSTATES_MARKS_H */
