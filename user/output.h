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

struct containers;

struct output {
	struct line_sink *out;		/* where records go (the output queue) */
	struct containers *containers;	/* who a cgroup is, for -K and JSON (NULL: not asked) */
	const struct config *cfg;	/* format and column choices: read once, into plan */
	int64_t mono_to_real_ns;	/* add to a kernel monotonic ts to get wall-clock ns */
	struct output_plan plan;	/* zeroed by the caller; made at the first line */
};

/* The line's plan, made at the first call: for a record that writes transition cells (stuck). */
const struct output_plan *output_plan(struct output *o);

/* Text: the column header line. JSON: nothing. */
void output_header(struct output *o);

/* One transition. */
void output_event(struct output *o, const struct tcpstates_event *e);

/*
 * The JSON members naming the container of an owner (cgroup id cgid, process pid): runtime,
 * container_id, container, pod, pod_namespace, pod_uid (null where the node's files do not say).
 * None on the host, for an owner not known, or with c NULL. For every record that names an owner.
 */
void output_container_json(struct printer *p, struct containers *c, uint64_t cgid, uint32_t pid);

/*
 * Loss that just happened (`delta`, with `total` since start). Text mode: nothing here (the caller
 * reports on stderr); JSON mode: a {"type":"lost",...} record in the stream.
 */
void output_lost(struct output *o, uint64_t ts_real_ns, const struct loss_counts *delta,
		 const struct loss_counts *total);

/* CLOCK_REALTIME - CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns), for mono_to_real_ns. */
int64_t output_mono_to_real_offset(void);

#endif
