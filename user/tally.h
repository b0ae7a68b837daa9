/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* tally.h - --records none: the kernel's per-CPU tallies (bpf/tracer/tally.bpf.c) as stats. */
#ifndef TALLY_H
#define TALLY_H

#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "stats.h"

#define TALLY_PAIRS (TS_TALLY_STATES * TS_TALLY_STATES)

/* the tallies summed over the CPUs, since start */
struct tally_sums {
	struct tcpstates_tally c;			/* sums */
	struct tcpstates_tally_hist *h[TALLY_PAIRS];	/* by TS_TALLY_PAIR (NULL: none yet);
							 * max_ns: the CPUs' largest */
};

struct tally {
	int counts_fd;			/* the tallies map */
	int hists_fd;			/* the tally_hists map */
	int ncpu;			/* possible CPUs: values per lookup */
	void *buf;			/* one lookup's values */
};

/* Ready to read the maps (fds of tracer_tally_fds). 0, or -errno (out of memory, no CPUs). */
int tally_open(struct tally *t, int counts_fd, int hists_fd);

/*
 * The sums since start into *out (its histograms kept, allocated as pairs appear). 0, or -errno
 * of a failed lookup or allocation (out is then partial).
 */
int tally_read(struct tally *t, struct tally_sums *out);

/* *to = *from, histograms copied (allocated as needed). 0, or -ENOMEM. */
int tally_sums_copy(struct tally_sums *to, const struct tally_sums *from);

/* free the histograms of s */
void tally_sums_free(struct tally_sums *s);

/*
 * Add to st what the kernel counted between base and now (base NULL: since start), as
 * stats_add() would have of each record: pairs, counters, durations. A histogram bucket's count
 * goes to the stats_hist sub-bucket of its middle; a pair's max is exact when it rose since base,
 * else the top of its highest bucket since base (never above the max since start).
 */
void tally_stats(struct stats *st, const struct tally_sums *now, const struct tally_sums *base);

void tally_free(struct tally *t);

#endif
