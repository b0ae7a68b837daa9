// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stats_text.c - the stats as text (--summary, --interval): counters, matrix, log2 histograms. */
#include <inttypes.h>
#include <stdlib.h>
#include "stats_text.h"
#include "states.h"

#define STARS 40	/* the width of a histogram bar, as bcc's tools draw it */

const char *stats_text_dur(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" } };

	for (unsigned int i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double v = (double)ns / (double)units[i].div;

		if (ns < units[i].div)
			continue;
		/* three significant digits */
		snprintf(buf, len, v >= 100 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v,
			 units[i].unit);
		return buf;
	}
	snprintf(buf, len, "%" PRIu64 "ns", ns);
	return buf;
}

/* ---- counters ------------------------------------------------------------------------------ */

/* the counters under "Tcp:" (the MIB's, netstat -s wording) and "Closes:", in list order */
static void counters(struct strbuf *sb, const struct stats_counters *c, uint64_t transitions)
{
	uint64_t v[STATS_COUNTERS];

	stats_counter_values(c, v);
	for (int i = 0; i < STATS_COUNTERS; i++) {
		bool mib = stats_counter_about[i].reason == TS_R_NONE;

		if (!i || mib != (stats_counter_about[i - 1].reason == TS_R_NONE))
			sb_puts(sb, mib ? "Tcp:\n" : "Closes:\n");
		sb_printf(sb, "    %" PRIu64 " %s\n", v[i], stats_counter_about[i].text);
	}
	sb_printf(sb, "Transitions: %" PRIu64 "\n", transitions);
}

/* ---- the matrix ---------------------------------------------------------------------------- */

int stats_text_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* rows: the states left, columns: the states entered; "." where nothing went */
static void matrix(struct strbuf *sb, const struct stats *st)
{
	bool row[STATS_STATES] = { 0 }, col[STATS_STATES] = { 0 };
	int width[STATS_STATES] = { 0 };
	char name[STATE_NAME_MAX];

	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			int w;

			if (!st->pairs[o][n])
				continue;
			row[o] = col[n] = true;
			w = stats_text_digits(st->pairs[o][n]);
			if (w > width[n])
				width[n] = w;
		}
	sb_printf(sb, "%-12s", "FROM \\ TO");
	for (unsigned int n = 0; n < STATS_STATES; n++) {
		const char *label = state_name(n, name, sizeof(name));
		int w = (int)strlen(label);

		if (width[n] < w)
			width[n] = w;
		if (col[n])
			sb_printf(sb, " %*s", width[n], label);
	}
	sb_puts(sb, "\n");
	for (unsigned int o = 0; o < STATS_STATES; o++) {
		if (!row[o])
			continue;
		sb_printf(sb, "%-12s", state_name(o, name, sizeof(name)));
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			if (!col[n])
				continue;
			if (st->pairs[o][n])
				sb_printf(sb, " %*" PRIu64, width[n], st->pairs[o][n]);
			else
				sb_printf(sb, " %*s", width[n], ".");
		}
		sb_puts(sb, "\n");
	}
}

/* ---- histograms ---------------------------------------------------------------------------- */

/* bcc's print_log2_hist, with our buckets: [2^i, 2^(i+1)), leading empty ones left out */
static void log2_hist(struct strbuf *sb, const struct stats_hist *h)
{
	uint64_t l2[STATS_LOG2], vmax = 0;
	unsigned int n = stats_hist_log2(h, l2), first = 0;
	int w;

	for (unsigned int i = 0; i < n; i++)
		if (l2[i] > vmax)
			vmax = l2[i];
	while (first < n && !l2[first])
		first++;
	w = n <= 32 ? 10 : 20;
	sb_printf(sb, "%*s%-*s : count    distribution\n", n <= 32 ? 5 : 15, "", n <= 32 ? 19 : 29,
		  "nsecs");
	for (unsigned int i = first; i < n; i++) {
		uint64_t low = i ? 1ULL << i : 0, high = i == 63 ? UINT64_MAX : (2ULL << i) - 1;
		int stars = (int)((double)l2[i] * STARS / (double)vmax);
		char bar[STARS + 1];

		memset(bar, ' ', STARS);
		memset(bar, '*', (size_t)stars);
		bar[STARS] = '\0';
		sb_printf(sb, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " |%s|\n", w, low, w, high,
			  l2[i], bar);
	}
}

static void state_durations(struct strbuf *sb, const struct stats *st)
{
	struct stats_hist *h = malloc(sizeof(*h));
	char name[STATE_NAME_MAX], a[16], b[16], c[16], d[16];

	for (unsigned int s = 0; h && s < STATS_STATES; s++) {
		stats_state_hist(st, s, h);
		if (!h->count)
			continue;
		sb_printf(sb, "Time in %s: %" PRIu64 " left it, p50 %s, p90 %s, p99 %s, max %s\n",
			  state_name(s, name, sizeof(name)), h->count,
			  stats_text_dur(stats_hist_percentile(h, 50), a, sizeof(a)),
			  stats_text_dur(stats_hist_percentile(h, 90), b, sizeof(b)),
			  stats_text_dur(stats_hist_percentile(h, 99), c, sizeof(c)),
			  stats_text_dur(h->max, d, sizeof(d)));
		log2_hist(sb, h);
	}
	free(h);
}

void stats_text_render(struct strbuf *sb, const char *title, const struct stats *st)
{
	sb_printf(sb, "--- %s ---\n", title);
	counters(sb, &st->c, st->transitions);
	if (st->transitions)
		matrix(sb, st);
	state_durations(sb, st);
}

void stats_text_put(struct line_sink *out, const char *title, const struct stats *st)
{
	struct strbuf sb = { 0 };
	const char *p, *nl;

	stats_text_render(&sb, title, st);
	for (p = sb.buf; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		out->put(out, p, (size_t)(nl - p + 1));
	}
	sb_free(&sb);
}
