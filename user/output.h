/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* output.h - writing transitions and loss reports, as text or JSON lines. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "cli.h"
#include "loss.h"
#include "output_fields.h"
#include "printer.h"
#include "stats.h"

/*
 * How a transition's line is made, decided once from the options at the first line (or the
 * header): which fields, in which order, their JSON member names escaped and their text widths.
 * Nothing of it is decided again per line.
 */
struct output_plan {
	bool made;
	uint8_t n;				/* fields on a line */
	uint8_t order[OUTPUT_NFIELDS];		/* their ids (output_fields' rows), in line order */
	struct printer_col col[OUTPUT_NFIELDS];	/* per id: member name, width, alignment */
	struct printer_word state[TS_MAX_STATE];	/* the states' names, as words */
	struct printer_word reason[TS_R_MAX];	/* the close reasons' names (TS_R_NONE: none) */
};

struct output {
	struct line_sink *out;		/* where records go (the output queue) */
	const struct config *cfg;	/* format and column choices: read once, into plan */
	int64_t mono_to_real_ns;	/* add to a kernel monotonic ts to get wall-clock ns */
	struct output_plan plan;	/* zeroed by the caller; made at the first line */
};

/* Text: the column header line. JSON: nothing. */
void output_header(struct output *o);

/* One transition. */
void output_event(struct output *o, const struct tcpstates_event *e);

struct stuck_report;
struct stuck_holder;

/*
 * A socket stuck in its state (--stuck): JSON {"type":"stuck",...} with the transition keys that
 * apply, read now, and state, since, since_exact, age_ns, holders; text one line with STUCK in
 * the OLDSTATE column, the age in MS and the holders in REASON. h: r->n_holders holders.
 */
void output_stuck(struct output *o, const struct stuck_report *r, const struct stuck_holder *h);

/*
 * Loss that just happened (`delta`, with `total` since start). Text mode: nothing here (the caller
 * reports on stderr); JSON mode: a {"type":"lost",...} record in the stream.
 */
void output_lost(struct output *o, uint64_t ts_real_ns, const struct loss_counts *delta,
		 const struct loss_counts *total);

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
	uint64_t snapshot;		/* ... of them the start-up snapshot's sockets */
	uint64_t written;		/* ... written whole (the closing line's; at exit) */
};

/*
 * The closing line (stderr, no newline), numbers that add up: "in: K transitions from the kernel
 * + S from the timewait sweep (...); out: L lines = T transitions + P snapshot + O other = W
 * written + N not written; lost: ...". N is total's not_written.
 */
void output_closing(char *buf, size_t len, const struct run_counts *n,
		    const struct loss_counts *total);

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
void output_summary(struct output *o, uint64_t ts_real_ns, const struct run_counts *n,
		    const struct loss_counts *total, const struct run_info *run);

/* CLOCK_REALTIME - CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns), for mono_to_real_ns. */
int64_t output_mono_to_real_offset(void);

#endif
