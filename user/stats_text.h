/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* report.h - the stats as text: a netstat -s style block, the transition matrix, histograms. */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include "linebuf.h"
#include "stats.h"
#include "strbuf.h"

/* the decimal digits of v (1 for 0): the matrix's column widths, --dot's pen widths */
int report_digits(uint64_t v);

/* a duration for people: "812ns", "70.1us", "1.96ms", "60.0s" into buf */
const char *report_dur(uint64_t ns, char *buf, size_t len);

/*
 * The block into sb: a title line ("--- TITLE ---"), the counters (netstat -s wording, the MIB
 * names in brackets), the close reasons, the OLD x NEW matrix of transition counts, and for
 * each state left with a known duration its percentiles and a log2 histogram in bcc's style.
 */
void report_text(struct strbuf *sb, const char *title, const struct stats *st);

/* the block to a line sink, one line at a time (each line whole, as every other record) */
void report_put(struct line_sink *out, const char *title, const struct stats *st);

#endif
