/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats_json.h - the stats as JSON: members of the summary record, and the interval record. */
#ifndef STATS_JSON_H
#define STATS_JSON_H

#include <stdint.h>
#include "json_writer.h"
#include "stats.h"
#include "strbuf.h"

/* "counters":{...},"transitions":{...},"durations":{...} appended to sb (no leading comma) */
void stats_json_members(struct strbuf *sb, const struct stats *st);

/* End w's object with the stats members instead of json_end(): the line goes to w's sink. */
void stats_json_end(struct json_writer *w, const struct stats *st);

/*
 * {"type":"interval","time":T,"interval_ns":N,"printed":N,"counters":...,"transitions":...,
 * "durations":...}: one interval's stats (--interval with -j).
 */
void stats_json_interval(struct line_sink *out, uint64_t ts_real_ns, uint64_t interval_ns,
			 const struct stats *st);

#endif
