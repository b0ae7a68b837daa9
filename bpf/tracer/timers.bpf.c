// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timers.bpf.c - timer_start: one program for the features that follow a timer. */
#include "tracer.bpf.h"

/*
 * timer_start fires for every timer the machine arms, and every program attached to it runs
 * each time: the features that want it (timewait.bpf.c: minisockets; owner.bpf.c: the write
 * timer a send arms) share this one, which compares the timer's function first and returns at
 * once for any other timer. A feature that is off has its address at 0, and a timer function
 * is never 0.
 */
SEC("tp_btf/timer_start")
int BPF_PROG(on_timer_start, struct timer_list *timer)
{
	__u64 fn = (__u64)timer->function;

	if (!fn)
		return 0;
	if (fn == tw_timer_fn)
		tw_timer_started((__u64)timer);
	else if (fn == write_timer_fn)
		owner_write_timer((__u64)timer);
	return 0;
}
