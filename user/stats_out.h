/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats_out.h - a run's stats: fed by the printed transitions, shown per interval and at exit. */
#ifndef STATS_OUT_H
#define STATS_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include "cli.h"
#include "linebuf.h"
#include "stats.h"

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
};

/* Ready for the run that starts at now_ns; makes --dot's file. 0, or -1 after saying why. */
int stats_out_init(struct stats_out *so, struct line_sink *out, const struct config *cfg,
		   int64_t mono_to_real_ns, uint64_t now_ns);

/* one printed record */
void stats_out_add(struct stats_out *so, const struct tcpstates_event *e);

/* --interval: at or past the interval's end, its block (text) or record (JSON); then the next */
void stats_out_tick(struct stats_out *so, uint64_t now_ns);

/*
 * The end of the run: the last, partial interval (so the intervals add up to the summary),
 * --summary's block (text; the JSON summary record carries the stats itself), --dot's file.
 * `print`: the stream still takes lines.
 */
void stats_out_end(struct stats_out *so, uint64_t now_ns, bool print);

/* Close --dot's file. Returns 1 when it could not be written (said on stderr); else 0. */
int stats_out_close_dot(struct stats_out *so);

/* Free; closes --dot's file first if still open. */
void stats_out_free(struct stats_out *so);

#endif
