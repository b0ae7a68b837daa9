// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stats_json.c - the stats as JSON members: counters, transitions, durations (summary, interval). */
#include <inttypes.h>
#include "stats_json.h"
#include "states.h"
#include "strbuf.h"

static const double pcts[] = { 50, 90, 99 };
static const char *const pct_keys[] = { "p50_ns", "p90_ns", "p99_ns" };

static void counters(struct strbuf *sb, const struct stats_counters *c)
{
	uint64_t v[STATS_COUNTERS];

	stats_counter_values(c, v);
	sb_puts(sb, "\"counters\":{");
	for (int i = 0; i < STATS_COUNTERS; i++)
		sb_printf(sb, "%s\"%s\":%" PRIu64, i ? "," : "", stats_counter_names[i], v[i]);
	sb_puts(sb, "}");
}

static void transitions(struct strbuf *sb, const struct stats *st)
{
	char a[STATE_NAME_MAX], b[STATE_NAME_MAX];
	bool first = true;

	sb_puts(sb, ",\"transitions\":{");
	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			if (!st->pairs[o][n])
				continue;
			sb_printf(sb, "%s\"%s->%s\":%" PRIu64, first ? "" : ",",
				  state_name(o, a, sizeof(a)), state_name(n, b, sizeof(b)),
				  st->pairs[o][n]);
			first = false;
		}
	sb_puts(sb, "}");
}

/* "STATE":{"count":N,"p50_ns":N,"p90_ns":N,"p99_ns":N,"max_ns":N,"log2":[...]} */
static void duration(struct strbuf *sb, const char *name, const struct stats_hist *h)
{
	uint64_t l2[STATS_LOG2];
	unsigned int n = stats_hist_log2(h, l2);

	sb_printf(sb, "\"%s\":{\"count\":%" PRIu64, name, h->count);
	for (unsigned int i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		sb_printf(sb, ",\"%s\":%" PRIu64, pct_keys[i], stats_hist_percentile(h, pcts[i]));
	sb_printf(sb, ",\"max_ns\":%" PRIu64 ",\"log2\":[", h->max);
	for (unsigned int i = 0; i < n; i++)
		sb_printf(sb, "%s%" PRIu64, i ? "," : "", l2[i]);
	sb_puts(sb, "]}");
}

static void durations(struct strbuf *sb, const struct stats *st)
{
	struct stats_hist *h = malloc(sizeof(*h));
	char name[STATE_NAME_MAX];
	bool first = true;

	sb_puts(sb, ",\"durations\":{");
	for (unsigned int s = 0; h && s < STATS_STATES; s++) {
		stats_state_hist(st, s, h);
		if (!h->count)
			continue;
		if (!first)
			sb_puts(sb, ",");
		duration(sb, state_name(s, name, sizeof(name)), h);
		first = false;
	}
	free(h);
	sb_puts(sb, "}");
}

void stats_json_members(struct strbuf *sb, const struct stats *st)
{
	counters(sb, &st->c);
	transitions(sb, st);
	durations(sb, st);
}

/*
 * The object so far (the writer's line buffer, '{' and members), a comma, the stats, '}': one
 * line, longer than a line buffer holds, handed to the writer's sink whole.
 */
void stats_json_end(struct json_writer *w, const struct stats *st)
{
	struct strbuf sb = { 0 };

	sb_put(&sb, w->lb.buf, w->lb.len);
	if (!w->first)
		sb_puts(&sb, ",");
	stats_json_members(&sb, st);
	sb_puts(&sb, "}\n");
	lb_reset(&w->lb);
	if (sb.oom)
		json_end(w);	/* no memory: the record without its stats, still valid */
	else
		w->out->put(w->out, sb.buf, sb.len);
	sb_free(&sb);
}

void stats_json_interval(struct line_sink *out, uint64_t ts_real_ns, uint64_t interval_ns,
			 const struct stats *st)
{
	struct json_writer w;

	json_record_begin(&w, out, "interval", ts_real_ns);
	json_uint(&w, "interval_ns", interval_ns);
	json_uint(&w, "printed", st->transitions);
	stats_json_end(&w, st);
}
