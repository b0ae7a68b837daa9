// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* output.c - transitions as text or JSON lines from one field table; loss and summary records. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "json_writer.h"
#include "output.h"
#include "output_fields.h"
#include "printer.h"
#include "stats_json.h"
#include "timefmt.h"

/* is f written in this pass? Text makes two passes so FIELD_FIRST columns can lead the line */
static bool shown(const struct output_field *f, const struct config *cfg, int pass)
{
	if (cfg->format == OUT_JSON)
		return pass == 0 && f->key;
	if (!f->header || ((f->flags & FIELD_IF_SKADDR) && !cfg->show_skaddr))
		return false;
	if ((f->flags & FIELD_IF_QUEUES) && !cfg->show_queues)
		return false;
	return !!(f->flags & FIELD_FIRST) == (pass == 0);
}

/* one line: the column headers (e == NULL) or the fields of e */
static void write_line(struct output *o, const struct tcpstates_event *e)
{
	struct printer p;

	printer_begin(&p, o->out, o->cfg);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < output_nfields; i++) {
			const struct output_field *f = &output_fields[i];

			if (!shown(f, o->cfg, pass))
				continue;
			printer_column(&p, f->key, f->width_for ? f->width_for(o->cfg) : f->width,
				       f->flags & FIELD_RIGHT);
			if (e)
				f->write(&p, o, e);
			else
				print_text(&p, f->header);
		}
	}
	printer_end(&p);
}

void output_header(struct output *o)
{
	if (o->cfg->format != OUT_JSON)
		write_line(o, NULL);
}

void output_event(struct output *o, const struct tcpstates_event *e)
{
	write_line(o, e);
}

/* {"type":TYPE,"time":... : the start every non-transition record shares */
static void record_begin(struct json_writer *w, struct line_sink *out, const char *type,
			 uint64_t ts_real_ns)
{
	char buf[TIMEFMT_LEN];

	json_begin(w, out);
	json_str(w, "type", type, strlen(type));
	if (timefmt_rfc3339((int64_t)ts_real_ns, buf, sizeof(buf)))
		json_str(w, "time", buf, strlen(buf));
	else
		json_null(w, "time");
}

const char *const loss_names[LOSS_CAUSES] = {
	"rb_full", "recursion_misses", "unseen", "not_written", "filter_dropped", "map_full",
};

void loss_values(const struct loss_counts *c, uint64_t v[LOSS_CAUSES])
{
	v[0] = c->rb_full;
	v[1] = c->recursion_misses;
	v[2] = c->unseen;
	v[3] = c->not_written;
	v[4] = c->filter_dropped;
	v[5] = c->map_full;
}

void output_lost(struct output *o, uint64_t ts_real_ns, const struct loss_counts *delta,
		 const struct loss_counts *total)
{
	uint64_t d[LOSS_CAUSES], t[LOSS_CAUSES];
	char key[40];
	struct json_writer w;

	if (o->cfg->format != OUT_JSON)
		return;
	loss_values(delta, d);
	loss_values(total, t);
	record_begin(&w, o->out, "lost", ts_real_ns);
	for (int i = 0; i < LOSS_CAUSES; i++)
		json_uint(&w, loss_names[i], d[i]);
	for (int i = 0; i < LOSS_CAUSES; i++) {
		snprintf(key, sizeof(key), "total_%s", loss_names[i]);
		json_uint(&w, key, t[i]);
	}
	json_end(&w);
}

void output_summary(struct output *o, uint64_t ts_real_ns, uint64_t events_seen, uint64_t printed,
		    const struct loss_counts *total, const struct run_info *run)
{
	uint64_t t[LOSS_CAUSES];
	struct json_writer w;

	if (o->cfg->format != OUT_JSON)
		return;
	loss_values(total, t);
	record_begin(&w, o->out, "summary", ts_real_ns);
	json_uint(&w, "events", events_seen);
	json_uint(&w, "printed", printed);
	for (int i = 0; i < LOSS_CAUSES; i++)
		json_uint(&w, loss_names[i], t[i]);
	if (run) {
		json_uint(&w, "gaps", run->gaps);
		json_str(&w, "kernel", run->kernel, strlen(run->kernel));
		json_str(&w, "hook", run->hook, strlen(run->hook));
		json_str_array(&w, "features", run->features, run->n_features);
	}
	if (run && run->stats)
		stats_json_end(&w, run->stats);	/* a line longer than the writer's buffer */
	else
		json_end(&w);
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/*
 * Read the realtime clock between two monotonic reads and keep the try with the tightest bracket:
 * a preemption between the reads would otherwise skew every printed time by its length.
 */
int64_t output_mono_to_real_offset(void)
{
	int64_t best_gap = INT64_MAX, offset = 0;

	for (int i = 0; i < 5; i++) {
		struct timespec m1, r, m2;
		int64_t gap;

		clock_gettime(CLOCK_MONOTONIC, &m1);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &m2);
		gap = ts_ns(&m2) - ts_ns(&m1);
		if (gap < best_gap) {
			best_gap = gap;
			offset = ts_ns(&r) - (ts_ns(&m1) + gap / 2);
		}
	}
	return offset;
}
