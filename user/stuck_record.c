// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stuck_record.c - a --stuck report as a line or a JSON record: the transition's cells, its own. */
#include <stdio.h>
#include <string.h>
#include "json_writer.h"
#include "output.h"
#include "printer.h"
#include "states.h"
#include "stuck.h"
#include "timefmt.h"

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
 * found, STUCK in OLDSTATE, the state, the age in MS, the holders in REASON; the queues and
 * the timer only if read now); else the transition's.
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
	case OF_TIMER:	/* not the snapshot's, which the table's event may still carry */
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

void stuck_write(struct output *o, const struct stuck_report *r, const struct stuck_holder *h)
{
	const struct output_plan *pl = output_plan(o);
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
