/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* timewait.h - the loader's part in following timewait minisockets (see bpf/tracer/timewait.bpf.c). */
#ifndef TIMEWAIT_H
#define TIMEWAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"

/* a record of the sweep, and the key of its minisocket in the timewait maps */
typedef int (*timewait_emit_fn)(void *ctx, const struct tcpstates_event *e, uint64_t key);

/* what the BPF side needs to know of the kernel's text; zeros for what cannot be known */
struct timewait_syms {
	uint64_t timer_fn;	/* tw_timer_handler: without it, no timewait tracking */
	uint64_t write_timer_fn; /* tcp_write_timer: owner takeover at a send (owner.bpf.c) */
	uint64_t wakers[TS_WAKE_MAX]; /* a task's wake functions: owner from the wait queue */
	struct tcpstates_fn_range killers[TS_TWK_MAX];
};

/* Find them in /proc/kallsyms (one pass). */
void timewait_kallsyms(struct timewait_syms *ts);

/*
 * Emit the minisockets killed early (records left in tw_pending); forget them in tw_info and
 * tw_waiting. Returns how many.
 */
int timewait_sweep(int pending_fd, int info_fd, int waiting_fd, timewait_emit_fn emit, void *ctx);

/*
 * Set once a batch lookup failed (kernels before 5.6): sweeps read tw_pending key by key. Tests
 * set it to run that path.
 */
extern bool timewait_no_batch;

#endif
