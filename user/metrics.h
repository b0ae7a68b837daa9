/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* metrics.h - --metrics-file: the run's counters in Prometheus' text format, replaced atomically. */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include "feature.h"
#include "loss.h"
#include "pod_counts.h"
#include "stats.h"
#include "strbuf.h"

#define METRICS_DX_MAX 8	/* stuck diagnoses shown at most */

/* what one write shows; every count is since start (Prometheus counters never reset here) */
struct metrics_values {
	const struct stats *stats;		/* the transitions shown (after the filters) */
	uint64_t seen;				/* transitions the kernel delivered, before filters */
	uint64_t loss[LOSS_CAUSES];		/* by cause (enum loss_cause) */
	bool has_stuck;				/* --stuck is on: the gauge below is shown */
	uint64_t stuck[STATS_STATES];		/* sockets stuck now, per state ... */
	bool stuck_followed[STATS_STATES];	/* ... of the states --stuck follows (the rows) */
	const char *const *stuck_dx_names;	/* the diagnoses of reported sockets ... */
	uint64_t stuck_dx[METRICS_DX_MAX];	/* ... and how many stuck now have each */
	unsigned int n_stuck_dx;
	const struct pod_counts *pods;		/* --metrics-pod-namespace (NULL: not asked) */
	const struct features *features;	/* the kernel features, decided at start */
	const char *version, *kernel, *hook;	/* tcpstates_info's labels */
	uint64_t wall_ns;			/* when written (CLOCK_REALTIME): last_update */
	bool final;				/* the last write, at exit: tcpstates_up 0, the
						 * counters final, no gauge of the present (stuck) */
};

/* the histogram's upper bounds: (2^k - 1) ns for k = FIRST, FIRST + STEP, ... LAST */
#define METRICS_LE_FIRST 10	/* 1.023 us */
#define METRICS_LE_STEP 4	/* x16 per bucket */
#define METRICS_LE_LAST 46	/* 19.5 h */

/* The exposition text of v into sb (pure: the unit tests call it). */
void metrics_format(struct strbuf *sb, const struct metrics_values *v);

struct metrics {
	const char *path;		/* --metrics-file as given (argv's) */
	char name[256];			/* its last component ... */
	char tmp[264];			/* ... and the sibling written first: ".NAME.tmp" */
	int dir_fd;			/* its directory, held from start (O_PATH) */
	uint64_t period_ns;		/* --metrics-period */
	uint64_t next_ns;		/* CLOCK_MONOTONIC time of the next write (0: at once) */
	int last_err;			/* the last write failed with this errno (said once) */
	uint64_t writes, failures;	/* for -v */
	struct strbuf sb;		/* the text, its memory kept between writes */
};

/*
 * Open PATH's directory and try a write there with the rights the loop will have (root without
 * CAP_DAC_OVERRIDE). 0, or -1 after one line on stderr. Tells privdrop to allow the writes.
 */
int metrics_open(struct metrics *m, const char *path, double period_s);

/* is a write due at now_ns (CLOCK_MONOTONIC)? */
bool metrics_due(const struct metrics *m, uint64_t now_ns);

/*
 * Write v to ".NAME.tmp" and rename it over PATH; the next one is due a period after now_ns.
 * A failure is said once on stderr (again only after a write succeeded); tracing goes on.
 */
void metrics_write(struct metrics *m, const struct metrics_values *v, uint64_t now_ns);

void metrics_close(struct metrics *m, bool verbose);

#endif
