// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* floor.bpf.c - empty programs on the tracer's busiest hooks: what a program run costs at all. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The benchmark's floor (tests/bench/floor.c loads these): a tp_btf program that does nothing
 * still costs a run on every event of its hook - the trampoline, and with
 * kernel.bpf_stats_enabled the clock reads of the statistic itself. A tracer cannot go below
 * one such run per transition (the state hook) and one per receive (a receive-side hook).
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(floor_state)
{
	return 0;
}

SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(floor_recv)
{
	return 0;
}
