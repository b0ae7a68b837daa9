// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* output.c - transitions as text or JSON lines from one field table; the loss record. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "container.h"
#include "json_writer.h"
#include "output.h"
#include "output_fields.h"
#include "printer.h"
#include "reasons.h"
#include "states.h"

/* is f written in this pass? Text makes two passes so FIELD_FIRST columns can lead the line */
static bool shown(const struct output_field *f, const struct config *cfg, int pass)
{
	if (cfg->format == OUT_JSON)
		return pass == 0 && f->key;
	if (!f->header || ((f->flags & FIELD_IF_SKADDR) && !cfg->show_skaddr))
		return false;
	if ((f->flags & FIELD_IF_QUEUES) && !cfg->show_queues)
		return false;
	if ((f->flags & FIELD_IF_TIMERS) && !cfg->show_timers)
		return false;
	if ((f->flags & FIELD_IF_CONTAINERS) && !cfg->show_containers)
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

const struct output_plan *output_plan(struct output *o)
{
	if (!o->plan.made)
		plan_make(o);
	return &o->plan;
}

void output_header(struct output *o)
{
	const struct output_plan *pl = output_plan(o);
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
	const struct output_plan *pl = output_plan(o);
	struct printer p;

	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		const struct output_field *f = &output_fields[pl->order[i]];

		/*
		 * Only a snapshot record's timer is read (a stuck report has its own writer): a
		 * transition has no member rather than a null, and '-' in text, whatever its
		 * bytes say
		 */
		bool no_timer = (f->flags & FIELD_IF_TIMERS) &&
				(!(e->flags2 & TS_F2_SNAPSHOT) || e->timer == TS_TIMER_UNREAD);

		if (p.json && no_timer)
			continue;
		printer_column(&p, &pl->col[pl->order[i]]);
		if (no_timer)
			print_text(&p, "-");
		else
			f->write(&p, o, e);
	}
	if (p.json && (e->flags & TS_F_OWNER_KNOWN))
		output_container_json(&p, o->containers, e->cgroup_id, e->pid);
	printer_end(&p);
}

static void str_or_null(struct json_writer *w, const char *key, const char *s, size_t max)
{
	size_t len = strnlen(s, max);

	if (len)
		json_str(w, key, s, len);
	else
		json_null(w, key);
}

void output_container_json(struct printer *p, struct containers *c, uint64_t cgid, uint32_t pid)
{
	const struct container_info *ci = c && cgid ? containers_lookup(c, cgid, pid) : NULL;
	const char *rt = ci ? container_runtime_word(ci->runtime) : NULL;
	struct json_writer *w = &p->jw;

	if (!rt)
		return;
	json_str(w, "runtime", rt, strlen(rt));
	str_or_null(w, "container_id", ci->id, sizeof(ci->id));
	str_or_null(w, "container", ci->container, sizeof(ci->container));
	str_or_null(w, "pod", ci->pod, sizeof(ci->pod));
	str_or_null(w, "pod_namespace", ci->pod_namespace, sizeof(ci->pod_namespace));
	str_or_null(w, "pod_uid", ci->pod_uid, sizeof(ci->pod_uid));
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
	json_record_begin(&w, o->out, "lost", ts_real_ns);
	for (int i = 0; i < LOSS_CAUSES; i++)
		json_uint(&w, loss_names[i], d[i]);
	for (int i = 0; i < LOSS_CAUSES; i++) {
		snprintf(key, sizeof(key), "total_%s", loss_names[i]);
		json_uint(&w, key, t[i]);
	}
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
