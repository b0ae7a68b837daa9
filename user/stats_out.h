/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats_out.h - a run's stats per interval and at exit; the summary record, the closing line. */
#ifndef STATS_OUT_H
#define STATS_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include "cli.h"
#include "linebuf.h"
#include "loss.h"
#include "stats.h"
#include "tally.h"

struct stats_out {
	struct line_sink *out;		/* the stream the blocks and records go to */
	const struct config *cfg;	/* format, --summary, --interval, --dot, -T */
	int64_t mono_to_real_ns;	/* add to a CLOCK_MONOTONIC time to get wall-clock ns */
	struct stats total;		/* since start: the summary, --dot */
	struct stats period;		/* since the last interval (--interval) */
	uint64_t period_start_ns;	/* CLOCK_MONOTONIC start of the current interval */
	uint64_t interval_ns;		/* --interval; 0: none */
	int dot_fd;			/* --dot's file; -1: none */
	int dot_err;			/* writing it failed: -errno */
	/*
	 * --records none: total and period are the kernel's tallies (read when wanted) plus the
	 * records the loader made itself (the timewait sweep's), kept here.
	 */
	struct tally *tally;		/* NULL: total and period come from the records alone */
	struct stats rec_total;		/* the loader's records since start ... */
	struct stats rec_period;	/* ... and since the last interval */
	struct tally_sums *now;		/* the tallies at the last read */
	struct tally_sums *base;	/* ... at the start of the current interval */
};

/* Ready for the run that starts at now_ns; makes --dot's file. 0, or -1 after saying why. */
int stats_out_init(struct stats_out *so, struct line_sink *out, const struct config *cfg,
		   int64_t mono_to_real_ns, uint64_t now_ns);

/*
 * --records none: the stats come from the kernel's tallies t (open; the session keeps it),
 * counted since the BPF side was loaded: the first interval starts there. 0, or -ENOMEM.
 */
int stats_out_use_tally(struct stats_out *so, struct tally *t);

/* one printed record (--records none: one the loader made, counted but not printed) */
void stats_out_add(struct stats_out *so, const struct tcpstates_event *e);

/* one printed connection: the transitions its path stands for (conn_transitions) */
void stats_out_add_conn(struct stats_out *so, const struct tcpstates_conn *c);

/* the totals since start, up to date (--records none: the tallies read now) */
const struct stats *stats_out_total(struct stats_out *so);

/* --interval: at or past the interval's end, its block (text) or record (JSON); then the next */
void stats_out_tick(struct stats_out *so, uint64_t now_ns);

/*
 * The end of the run: the last, partial interval (so the intervals add up to the summary),
 * --summary's block (text; the JSON summary record carries the stats itself), --dot's file.
 * `print`: the stream still takes lines.
 */
void stats_out_end(struct stats_out *so, uint64_t now_ns, bool print);

/*
 * What the run took in and put out, as the summary record and the closing line name them. In:
 * transitions as they reached the tracer, all namespaces, before the filters. Out: every line;
 * those not transitions or snapshot are the header, stuck, lost, interval and summary lines.
 */
struct run_counts {
	uint64_t kernel;		/* transitions the BPF programs handled (the ring buffer's) */
	uint64_t swept;			/* timewait ends the loader's sweep found: not in kernel */
	uint64_t lines;			/* lines handed to the output */
	uint64_t transitions;		/* ... of them transitions (after the filters and -n) */
	uint64_t kernel_connections;	/* connection records the BPF programs wrote */
	uint64_t connections;		/* lines that are connections (after the filters and -n) */
	uint64_t snapshot;		/* ... of them the start-up snapshot's sockets */
	uint64_t written;		/* ... written whole (the closing line's; at exit) */
};

/* what the run was, for the summary: the kernel, the hook, the features that were on */
struct run_info {
	const char *kernel;		/* uname -r */
	const char *hook;		/* tracer_hook_name() */
	const char *const *features;	/* names of the features on (feature_name()) */
	size_t n_features;
	uint64_t gaps;			/* transitions whose old state was not the socket's last
					 * seen: a sign of loss (counted above where it was seen) */
	const struct stats *stats;	/* the printed transitions' counters, pairs, durations
					 * (NULL: none in the record) */
};

/*
 * End of run. Text mode: nothing (the caller writes the closing line on stderr); JSON mode: a
 * {"type":"summary",...} record with n's counts (lines: this record included; written is not
 * known yet), the loss since start by cause, the gaps, and the kernel, hook and features.
 */
void stats_out_summary(struct stats_out *so, uint64_t ts_real_ns, const struct run_counts *n,
		       const struct loss_counts *total, const struct run_info *run);

/*
 * The closing line (stderr, no newline), numbers that add up: "in: K transitions from the kernel
 * + S from the timewait sweep, C connections from the kernel (...); out: L lines = T transitions
 * + X connections + P snapshot + O other = W written + N not written; lost: ...". N is total's
 * not_written.
 */
void stats_out_closing(char *buf, size_t len, const struct run_counts *n,
		       const struct loss_counts *total);

/* Close --dot's file. Returns 1 when it could not be written (said on stderr); else 0. */
int stats_out_close_dot(struct stats_out *so);

/* Free; closes --dot's file first if still open. */
void stats_out_free(struct stats_out *so);

#endif
