// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tally.bpf.c - --records none: transitions counted in the kernel, per CPU; nothing is sent. */
#include "tracer.bpf.h"

/* one CPU's counts of transitions by (old, new) state: the loader sums the CPUs */
struct tally_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_tally);
};
struct tally_map tallies SEC(".maps");

__hidden void tally_add(const struct tcpstates_event *e)
{
	struct tcpstates_tally *t;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&tallies, &zero);
	if (!t)
		return;
	__sync_fetch_and_add(&t->pairs[e->oldstate & (TS_TALLY_STATES - 1)]
				      [e->newstate & (TS_TALLY_STATES - 1)], 1);
}
