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
#include "reasons.h"
#include "stats_json.h"
#include "states.h"
#include "stuck.h"
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

/* the line's fields, their order, names and widths: from the options, once */
static void plan_make(struct output *o)
{
	struct output_plan *pl = &o->plan;
	bool json = o->cfg->format == OUT_JSON;

	memset(pl, 0, sizeof(*pl));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < OUTPUT_NFIELDS; i++) {
			const struct output_field *f = &output_fields[i];

			if (shown(f, o->cfg, pass))
				pl->order[pl->n++] = i;
		}
	}
	for (size_t i = 0; i < OUTPUT_NFIELDS; i++) {
		const struct output_field *f = &output_fields[i];

		printer_col_init(&pl->col[i], f->key, f->width_for ? f->width_for(o->cfg) : f->width,
				 f->flags & FIELD_RIGHT);
	}
	for (unsigned int i = 0; i < TS_MAX_STATE; i++) {
		char buf[STATE_NAME_MAX];

		printer_word_init(&pl->state[i], state_name(i, buf, sizeof(buf)), json);
	}
	for (unsigned int i = TS_R_NONE + 1; i < TS_R_MAX; i++)
		printer_word_init(&pl->reason[i], reason_name(i), json);
	pl->made = true;
}

static const struct output_plan *plan(struct output *o)
{
	if (!o->plan.made)
		plan_make(o);
	return &o->plan;
}

void output_header(struct output *o)
{
	const struct output_plan *pl = plan(o);
	struct printer p;

	if (o->cfg->format == OUT_JSON)
		return;
	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		const char *h = output_fields[pl->order[i]].header;

		printer_column(&p, &pl->col[pl->order[i]]);
		print_plain(&p, h, strlen(h));
	}
	printer_end(&p);
}

void output_event(struct output *o, const struct tcpstates_event *e)
{
	const struct output_plan *pl = plan(o);
	struct printer p;

	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		printer_column(&p, &pl->col[pl->order[i]]);
		output_fields[pl->order[i]].write(&p, o, e);
	}
	printer_end(&p);
}

/* ---- stuck sockets (--stuck) ------------------------------------------------------------------ */

/*
 * text: "holders=2771/client,2772/worker", "holders=none" (an orphan), "holders=unknown"; an empty
 * name as '?', as the COMM cell shows it
 */
static void holders_text(const struct stuck_report *r, const struct stuck_holder *h, char *buf,
			 size_t len)
{
	size_t n = snprintf(buf, len, "holders=%s", !r->read_now ? "unknown" :
						   r->holders_total ? "" : "none");

	for (uint32_t i = 0; i < r->n_holders && n < len; i++) {
		int clen = (int)strnlen(h[i].comm, sizeof(h[i].comm));

		n += snprintf(buf + n, len - n, "%s%u/%.*s", i ? "," : "", h[i].pid,
			      clen ? clen : 1, clen ? h[i].comm : "?");
	}
	if (r->holders_total > r->n_holders && n < len)
		snprintf(buf + n, len - n, ",+%u", r->holders_total - r->n_holders);
	for (char *c = buf; *c; c++)
		if (*c == ' ')
			*c = '_';
}

/*
 * One cell of a stuck line: where the stuck record has its own value, that (the time it was
 * found, STUCK in OLDSTATE, the state, the age in MS, the holders in REASON; the queues only if
 * read now); else the transition's.
 */
static void stuck_cell(struct printer *p, const struct output *o, enum output_field_id id,
		       const struct stuck_report *r, const struct stuck_holder *h)
{
	char buf[512];

	switch (id) {
	case OF_TYPE:
		print_plain(p, "stuck", 5);
		break;
	case OF_TIME:
		print_time(p, (int64_t)r->now_ns + o->mono_to_real_ns);
		break;
	case OF_RX_QUEUE:
	case OF_TX_QUEUE:
		if (r->read_now)
			output_fields[id].write(p, o, &r->e);
		else
			print_null(p);
		break;
	case OF_OLDSTATE:
		print_text(p, "STUCK");
		break;
	case OF_ARROW:
		print_text(p, "");
		break;
	case OF_NEWSTATE:
		print_text(p, state_name(r->e.newstate, buf, sizeof(buf)));
		break;
	case OF_DUR:
		/* ">=": the socket is older than the tracer, its age at least this */
		snprintf(buf, sizeof(buf), "%s%llu.%03llu", r->since_exact ? "" : ">=",
			 (unsigned long long)(r->age_ns / 1000000),
			 (unsigned long long)(r->age_ns / 1000 % 1000));
		print_text(p, buf);
		break;
	case OF_REASON:
		holders_text(r, h, buf, sizeof(buf));
		print_text(p, buf);
		break;
	default:
		output_fields[id].write(p, o, &r->e);
	}
}

static void stuck_json_tail(struct printer *p, const struct output *o, const struct stuck_report *r,
			    const struct stuck_holder *h)
{
	struct json_writer *w = &p->jw;
	char buf[TIMEFMT_LEN];

	const char *state = state_name(r->e.newstate, buf, sizeof(buf));

	json_str(w, "state", state, strlen(state));
	if (timefmt_rfc3339((int64_t)r->e.ts_ns + o->mono_to_real_ns, buf, sizeof(buf)))
		json_str(w, "since", buf, strlen(buf));
	else
		json_null(w, "since");
	json_bool(w, "since_exact", r->since_exact);
	json_uint(w, "age_ns", r->age_ns);
	if (!r->read_now) {
		json_null(w, "holders");
		json_null(w, "holders_total");
		return;
	}
	json_open(w, "holders", '[');
	for (uint32_t i = 0; i < r->n_holders; i++) {
		json_open(w, NULL, '{');
		json_uint(w, "pid", h[i].pid);
		json_str(w, "comm", h[i].comm, strnlen(h[i].comm, sizeof(h[i].comm)));
		json_close(w, '}');
	}
	json_close(w, ']');
	json_uint(w, "holders_total", r->holders_total);
}

void output_stuck(struct output *o, const struct stuck_report *r, const struct stuck_holder *h)
{
	const struct output_plan *pl = plan(o);
	struct printer p;

	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		enum output_field_id id = pl->order[i];

		if (p.json && !(output_fields[id].flags & FIELD_STUCK))
			continue;
		printer_column(&p, &pl->col[id]);
		stuck_cell(&p, o, id, r, h);
	}
	if (p.json)
		stuck_json_tail(&p, o, r, h);
	printer_end(&p);
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

void output_closing(char *buf, size_t len, const struct run_counts *n,
		    const struct loss_counts *total)
{
	uint64_t shown = n->transitions + n->snapshot;
	char lost[256];

	loss_text(total, lost, sizeof(lost));
	snprintf(buf, len, "tcpstates-c: in: %llu transitions from the kernel + %llu from the "
			   "timewait sweep (machine-wide, unfiltered); out: %llu lines = %llu "
			   "transitions + %llu snapshot + %llu other = %llu written + %llu not "
			   "written; lost: %s",
		 (unsigned long long)n->kernel, (unsigned long long)n->swept,
		 (unsigned long long)n->lines, (unsigned long long)n->transitions,
		 (unsigned long long)n->snapshot,
		 (unsigned long long)(n->lines > shown ? n->lines - shown : 0),
		 (unsigned long long)n->written, (unsigned long long)total->not_written, lost);
}

void output_summary(struct output *o, uint64_t ts_real_ns, const struct run_counts *n,
		    const struct loss_counts *total, const struct run_info *run)
{
	uint64_t t[LOSS_CAUSES];
	struct json_writer w;

	if (o->cfg->format != OUT_JSON)
		return;
	loss_values(total, t);
	record_begin(&w, o->out, "summary", ts_real_ns);
	json_uint(&w, "kernel_transitions", n->kernel);
	json_uint(&w, "swept_transitions", n->swept);
	json_uint(&w, "lines", n->lines + 1);	/* this record is one more */
	json_uint(&w, "transition_lines", n->transitions);
	json_uint(&w, "snapshot_lines", n->snapshot);
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
