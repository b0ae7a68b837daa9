// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tally.c - --records none: the kernel's per-CPU tallies summed, and turned into stats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tally.h"

int tally_open(struct tally *t, int counts_fd, int hists_fd)
{
	size_t one = sizeof(struct tcpstates_tally) > sizeof(struct tcpstates_tally_hist) ?
			     sizeof(struct tcpstates_tally) : sizeof(struct tcpstates_tally_hist);

	_Static_assert(STATS_STATES == TS_TALLY_STATES, "the tallies' states are the stats' states");

	memset(t, 0, sizeof(*t));
	t->counts_fd = counts_fd;
	t->hists_fd = hists_fd;
	t->ncpu = libbpf_num_possible_cpus();
	if (t->ncpu <= 0)
		return t->ncpu ? t->ncpu : -EINVAL;
	/* a per-CPU lookup gives one value per possible CPU, each 8-aligned (both sizes are) */
	t->buf = calloc((size_t)t->ncpu, one);
	return t->buf ? 0 : -ENOMEM;
}

/* the words of n values of `words` u64 each, summed into sum (u64 arrays, no max) */
static void sum_words(__u64 *sum, const __u64 *vals, int n, size_t words)
{
	for (int cpu = 0; cpu < n; cpu++)
		for (size_t w = 0; w < words; w++)
			sum[w] += vals[(size_t)cpu * words + w];
}

/* slot `key` of the histograms, summed into *out (made if missing); 1: none for this pair */
static int read_hist(struct tally *t, __u32 key, struct tcpstates_tally_hist **out)
{
	const size_t hw = sizeof(**out) / 8;
	const struct tcpstates_tally_hist *v = t->buf;
	struct tcpstates_tally_hist *h;

	if (bpf_map_lookup_elem(t->hists_fd, &key, t->buf))
		return errno == ENOENT ? 1 : -errno;
	if (!*out && !(*out = malloc(sizeof(**out))))
		return -ENOMEM;
	h = *out;
	memset(h, 0, sizeof(*h));
	sum_words((__u64 *)h, t->buf, t->ncpu, hw);
	/* summed too above: the largest of the CPUs instead */
	h->max_ns = 0;
	for (int cpu = 0; cpu < t->ncpu; cpu++)
		if (v[cpu].max_ns > h->max_ns)
			h->max_ns = v[cpu].max_ns;
	return 0;
}

int tally_read(struct tally *t, struct tally_sums *out)
{
	__u32 key = 0, next, *prev = NULL;
	int err;

	memset(&out->c, 0, sizeof(out->c));
	for (unsigned int i = 0; i < TALLY_PAIRS; i++)
		if (out->h[i])
			memset(out->h[i], 0, sizeof(*out->h[i]));
	if (bpf_map_lookup_elem(t->counts_fd, &key, t->buf))
		return -errno;
	sum_words((__u64 *)&out->c, t->buf, t->ncpu, sizeof(out->c) / 8);
	/* the pairs that have a histogram: entries are only ever added (at most TALLY_PAIRS) */
	while (!bpf_map_get_next_key(t->hists_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key >= TALLY_PAIRS)
			continue;
		err = read_hist(t, key, &out->h[key]);
		if (err < 0)
			return err;
	}
	return 0;
}

int tally_sums_copy(struct tally_sums *to, const struct tally_sums *from)
{
	to->c = from->c;
	for (unsigned int i = 0; i < TALLY_PAIRS; i++) {
		if (!from->h[i]) {
			if (to->h[i])
				memset(to->h[i], 0, sizeof(*to->h[i]));
			continue;
		}
		if (!to->h[i] && !(to->h[i] = malloc(sizeof(*to->h[i]))))
			return -ENOMEM;
		*to->h[i] = *from->h[i];
	}
	return 0;
}

void tally_sums_free(struct tally_sums *s)
{
	for (unsigned int i = 0; i < TALLY_PAIRS; i++) {
		free(s->h[i]);
		s->h[i] = NULL;
	}
}

/* the counters of st, as stats.c's count_mib and count_reason would have made them */
static void add_counters(struct stats *st, const struct tcpstates_tally *now,
			 const struct tcpstates_tally *base)
{
#define D(field) (now->field - (base ? base->field : 0))
	uint64_t failed = D(mib[TS_MIB_CONNECTS_FAILED]);

	st->c.active_opens += D(mib[TS_MIB_OPENS]);
	/* a connect that took no port sent no SYN: not an ActiveOpen (count_mib) */
	st->c.active_opens -= failed < st->c.active_opens ? failed : st->c.active_opens;
	st->connects_failed += failed;
	st->c.passive_opens += D(mib[TS_MIB_PASSIVE]);
	st->c.attempt_fails += D(mib[TS_MIB_ATTEMPT_FAILS]);
	st->c.estab_resets += D(mib[TS_MIB_ESTAB_RESETS]);
#define TALLY_REASON(name, reason, text, help)	\
	if ((reason) != TS_R_NONE)		\
		st->c.name += D(reasons[(reason) & (TS_TALLY_REASONS - 1)]);
	STATS_COUNTER_LIST(TALLY_REASON)
#undef TALLY_REASON
	for (unsigned int o = 0; o < STATS_STATES; o++) {
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			st->pairs[o][n] += D(pairs[o][n]);
			st->transitions += D(pairs[o][n]);
		}
	}
#undef D
}

/* pair i's durations between base and now, into its stats_hist */
static void add_hist(struct stats *st, unsigned int i, const struct tcpstates_tally_hist *now,
		     const struct tcpstates_tally_hist *base)
{
	struct stats_hist **h = &st->dur[i / TS_TALLY_STATES][i % TS_TALLY_STATES];
	uint64_t count = 0, top = 0, low, d;
	__u64 width;

	for (unsigned int b = 0; b < TS_TALLY_BUCKETS; b++) {
		d = now->b[b] - (base ? base->b[b] : 0);
		if (!d)
			continue;
		if (!*h && !(*h = calloc(1, sizeof(**h))))
			return;
		low = ts_tally_bucket_low(b, &width);
		(*h)->b[stats_hist_index(low + width / 2)] += d;
		count += d;
		top = low + (width - 1);
	}
	if (!count)
		return;
	(*h)->count += count;
	(*h)->sum_ns += (double)(now->sum_ns - (base ? base->sum_ns : 0));
	/* the max since base: exact if it rose, else at most its highest bucket's top */
	if (!base || now->max_ns > base->max_ns || top > now->max_ns)
		top = now->max_ns;
	if (top > (*h)->max)
		(*h)->max = top;
}

void tally_stats(struct stats *st, const struct tally_sums *now, const struct tally_sums *base)
{
	add_counters(st, &now->c, base ? &base->c : NULL);
	for (unsigned int i = 0; i < TALLY_PAIRS; i++)
		if (now->h[i])
			add_hist(st, i, now->h[i], base ? base->h[i] : NULL);
}

void tally_free(struct tally *t)
{
	free(t->buf);
	t->buf = NULL;
}
