/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats_dot.h - the observed state machine as a Graphviz graph (--dot FILE). */
#ifndef STATS_DOT_H
#define STATS_DOT_H

#include "stats.h"
#include "strbuf.h"

/*
 * digraph: one node per state seen, one edge per OLD -> NEW pair seen, labelled with its count
 * and, where durations were known, the median time spent in OLD before it ("12\nmedian 70.1us").
 */
void stats_dot_render(struct strbuf *sb, const struct stats *st);

/* stats_dot_render() to fd (opened before the run: the loop may not open files). 0 or -errno */
int stats_dot_write(int fd, const struct stats *st);

#endif
