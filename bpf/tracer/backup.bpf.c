// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* backup.bpf.c - a second program on the state hook: emits the transitions recursion hid. */
#include "tracer.bpf.h"

/*
 * The kernel skips a tp_btf program that is already running on this CPU when a softirq that
 * interrupts it fires the same hook (5.11+; counted in the program's recursion_misses). This
 * program, attached after on_set_state_btf and run after it, pops its event's mark (marks.h) and
 * emits the event when the main program left no mark for it.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_set_state_bk, struct sock *sk, int oldstate, int newstate)
{
	if (ts_marked((__u64)sk, oldstate, newstate))
		return 0;
	count(TS_CNT_COVERED);
	return ts_handle(sk, oldstate, newstate, SLOT_BACKUP, 0);	/* counted: TS_CNT_COVERED */
}
