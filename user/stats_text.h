/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats_text.h - the stats as text: a netstat -s style block, the transition matrix, histograms. */
#ifndef STATS_TEXT_H
#define STATS_TEXT_H

#include <stdint.h>
#include "linebuf.h"
#include "stats.h"
#include "strbuf.h"

/* the decimal digits of v (1 for 0): the matrix's column widths, --dot's pen widths */
int stats_text_digits(uint64_t v);

/* a duration for people: "812ns", "70.1us", "1.96ms", "60.0s" into buf */
const char *stats_text_dur(uint64_t ns, char *buf, size_t len);

/*
 * The block into sb: a title line ("--- TITLE ---"), the counters (netstat -s wording, the MIB
 * names in brackets), the close reasons, the OLD x NEW matrix of transition counts, and for
 * each state left with a known duration its percentiles and a log2 histogram in bcc's style.
 */
void stats_text_render(struct strbuf *sb, const char *title, const struct stats *st);

/* the block to a line sink, one line at a time (each line whole, as every other record) */
void stats_text_put(struct line_sink *out, const char *title, const struct stats *st);

#endif
