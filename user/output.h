/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* output.h - writing transitions and loss reports, as text or JSON lines. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "cli.h"

struct output {
	FILE *f;			/* where records go (stdout) */
	const struct config *cfg;	/* format and column choices */
	int64_t mono_to_real_ns;	/* add to a kernel monotonic ts to get wall-clock ns */
};

/* loss as the loader counts it (totals since start, or a delta) */
struct loss_counts {
	uint64_t rb_full;		/* ring buffer was full: records never written */
	uint64_t recursion_misses;	/* kernel skipped the program (nested run on one CPU) */
	uint64_t unseen;		/* sockets closed without their transitions reaching us */
};

/* Text: the column header line. JSON: nothing. */
void output_header(struct output *o);

/* One transition. */
void output_event(struct output *o, const struct tcpstates_event *e);

/*
 * Loss that just happened (`delta`, with `total` since start). Text mode: nothing here (the caller
 * reports on stderr); JSON mode: a {"type":"lost",...} record in the stream.
 */
void output_lost(struct output *o, uint64_t ts_real_ns, const struct loss_counts *delta,
		 const struct loss_counts *total);

/* what the run was, for the summary: the kernel, the hook, the features that were on */
struct run_info {
	const char *kernel;		/* uname -r */
	const char *hook;		/* tracer_hook_name() */
	const char *const *features;	/* names of the features on (feature_name()) */
	size_t n_features;
};

/*
 * End of run. Text mode: nothing (the caller writes the closing line on stderr); JSON mode: a
 * {"type":"summary",...} record with the transitions seen and printed, the loss since start, and
 * the kernel, hook and features of the run.
 */
void output_summary(struct output *o, uint64_t ts_real_ns, uint64_t events_seen, uint64_t printed,
		    const struct loss_counts *total, const struct run_info *run);

/* CLOCK_REALTIME - CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns), for mono_to_real_ns. */
int64_t output_mono_to_real_offset(void);

#endif
