// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tally.bpf.c - --records none: each transition counted per CPU in the kernel, as user/stats.c
 * counts a record (pairs, close reasons, the MIB counters' inputs, durations); nothing is sent,
 * but with --stuck a copy of the record for the loader's stuck tracker. user/tally.c sums the CPUs.
 */
#include "tracer.bpf.h"

/* one CPU's counts; the loader sums the CPUs */
struct tally_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_tally);
};
struct tally_map tallies SEC(".maps");

/*
 * One CPU's durations, a histogram per pair (TS_TALLY_PAIR) made at its first duration: only
 * the pairs that occur take memory. Not preallocated: 256 entries would be 512 KiB per CPU.
 */
struct tally_hists_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TS_TALLY_STATES * TS_TALLY_STATES);
	__type(key, __u32);
	__type(value, struct tcpstates_tally_hist);
};
struct tally_hists_map tally_hists SEC(".maps");

/* a histogram of zeros, never written: a new pair's first value (too large for the stack) */
struct tally_zero_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_tally_hist);
};
struct tally_zero_map tally_zero SEC(".maps");

/* the filters the kernel applies to what it counts (user/filter.c's tests): 0, any */
const volatile __u32 tally_netns __weak;	/* --netns: the namespace's inode */
const volatile __u16 tally_family __weak;	/* -4, -6: AF_INET, AF_INET6 */
const volatile __u32 tally_state_mask __weak;	/* --state: old or new state in it */

/* count_mib() of user/stats.c, for a delivered transition: the same tests, in the same order */
static __always_inline void tally_mib(struct tcpstates_tally *t, const struct tcpstates_event *e,
				      __u32 o, __u32 n)
{
	__u32 i;

	if (o == TS_CLOSE && n == TS_SYN_SENT)
		i = TS_MIB_OPENS;
	else if (o == TS_LISTEN && n == TS_SYN_RECV)
		i = TS_MIB_PASSIVE;
	else if (o == TS_SYN_SENT && n == TS_CLOSE && e->sport == 0)
		i = TS_MIB_CONNECTS_FAILED;
	else if (o == TS_SYN_SENT && n == TS_CLOSE &&
		 (e->reason == TS_R_REFUSED || e->reason == TS_R_TIMEOUT ||
		  e->reason == TS_R_RESET_RECEIVED || e->reason == TS_R_UNREACHABLE))
		i = TS_MIB_ATTEMPT_FAILS;
	else if (o == TS_SYN_RECV && (n == TS_CLOSE || n == TS_LISTEN))
		i = TS_MIB_ATTEMPT_FAILS;
	else if ((o == TS_ESTABLISHED || o == TS_CLOSE_WAIT) && n == TS_CLOSE)
		i = TS_MIB_ESTAB_RESETS;
	else
		return;
	__sync_fetch_and_add(&t->mib[i], 1);
}

/* the pair's histogram on this CPU, made (zeroed, for every CPU) at its first duration */
static __always_inline struct tcpstates_tally_hist *tally_hist(__u32 pair)
{
	struct tcpstates_tally_hist *h = bpf_map_lookup_elem(&tally_hists, &pair);
	__u32 zero = 0;

	if (h)
		return h;
	h = bpf_map_lookup_elem(&tally_zero, &zero);
	if (!h)
		return NULL;
	/* BPF_NOEXIST: a nested run that made it first keeps its count */
	bpf_map_update_elem(&tally_hists, &pair, h, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tally_hists, &pair);
}

/* one known duration of the pair (o, n) */
static __always_inline void tally_dur(__u32 o, __u32 n, __u64 v)
{
	struct tcpstates_tally_hist *h = tally_hist(TS_TALLY_PAIR(o, n));
	__u32 b = ts_tally_bucket(v);

	if (!h || b >= TS_TALLY_BUCKETS)	/* b: never, for the verifier */
		return;
	/* atomic: a program run nested in this one on this CPU (the backup, a timer) adds too */
	__sync_fetch_and_add(&h->b[b], 1);
	__sync_fetch_and_add(&h->sum_ns, v);
	if (v > h->max_ns)
		h->max_ns = v;	/* a nested run's larger one may be lost: max is per CPU, best effort */
}

/* does e pass the filters? (the stuck tracker's copy goes whatever the answer) */
static __always_inline bool tally_wanted(const struct tcpstates_event *e, __u32 o, __u32 n)
{
	if (tally_netns && e->netns != tally_netns)
		return false;
	if (tally_family && e->family != tally_family)
		return false;
	return !tally_state_mask || (tally_state_mask & ((1u << o) | (1u << n)));
}

/* Count e as user/stats.c's stats_add() would; with tally_send, a copy to the loader too. */
__hidden void tally_add(struct tcpstates_event *e)
{
	__u32 zero = 0, o = e->oldstate & (TS_TALLY_STATES - 1), n = e->newstate & (TS_TALLY_STATES - 1);
	bool inferred = e->flags2 & TS_F2_INFERRED;
	struct tcpstates_tally *t = NULL;

	if (tally_wanted(e, o, n))
		t = bpf_map_lookup_elem(&tallies, &zero);
	if (t) {
		__sync_fetch_and_add(&t->pairs[o][n], 1);
		if (e->reason != TS_R_NONE)
			__sync_fetch_and_add(&t->reasons[e->reason & (TS_TALLY_REASONS - 1)], 1);
		if (!inferred && !(e->flags2 & TS_F2_TIMEWAIT))
			tally_mib(t, e, o, n);
		/* an inferred close's time is the socket's destruction, not its change of state */
		if ((e->flags & TS_F_DUR_KNOWN) && !inferred)
			tally_dur(o, n, e->dur_ns);
	}
	send_copy(e);
}
