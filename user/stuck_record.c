// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stuck_record.c - a --stuck report as a line or a JSON record: the transition's cells, its own. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "json_writer.h"
#include "output.h"
#include "printer.h"
#include "states.h"
#include "stuck.h"
#include "timefmt.h"

#define REASON_LEN 1024

/* appends to a text cell; what does not fit is cut (the cell stays one line) */
struct cell {
	char buf[REASON_LEN];
	size_t n;
};

static void __attribute__((format(printf, 2, 3))) add(struct cell *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->n >= sizeof(c->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->n, sizeof(c->buf) - c->n, fmt, ap);
	va_end(ap);
	c->n = n < 0 ? c->n : c->n + n < sizeof(c->buf) ? c->n + n : sizeof(c->buf) - 1;
}

/* a time for people: "850 ms", "2.0 s", "5.3 min", "2.1 h" */
static void add_ago(struct cell *c, int64_t ns)
{
	double s = ns / 1e9;

	if (s < 1)
		add(c, "%lld ms", (long long)(ns / 1000000));
	else if (s < 60)
		add(c, "%.1f s", s);
	else if (s < 3600)
		add(c, "%.1f min", s / 60);
	else
		add(c, "%.1f h", s / 3600);
}

/* a name as the COMM cell shows it: spaces as '_' (a cell is one word), empty as '?' */
static void add_comm(struct cell *c, const char *comm, size_t max)
{
	size_t len = strnlen(comm, max), start = c->n;

	add(c, "%.*s", (int)(len ? len : 1), len ? comm : "?");
	for (size_t i = start; i < c->n; i++)
		if (c->buf[i] == ' ')
			c->buf[i] = '_';
}

/* "(threads: 40 futex, 2 epoll_wait; 1958 more)": the listed threads by system call */
static void add_threads(struct cell *c, const struct stuck_holder *h, const struct thread_info *t)
{
	bool done[THREADS_MAX] = { false };

	if (!h->threads_total)
		return;
	add(c, " (threads:");
	for (uint32_t i = 0; i < h->n_threads; i++) {
		const char *name = t[h->first_thread + i].syscall;
		unsigned int same = 0;

		if (done[i])
			continue;
		for (uint32_t j = i; j < h->n_threads; j++)
			if (!done[j] && !strcmp(t[h->first_thread + j].syscall, name)) {
				done[j] = true;
				same++;
			}
		add(c, "%s %u %s", i ? "," : "", same, name[0] ? name : "?");
	}
	if (h->threads_total > h->n_threads)
		add(c, "; %u more", h->threads_total - h->n_threads);
	add(c, ")");
}

/* "held by 1234/java fd 57 (threads: ...), 1240/x fd 3,4", "held by none", "holders unknown" */
static void add_holders(struct cell *c, const struct stuck_report *r, const struct stuck_holder *h,
			const struct thread_info *t)
{
	if (!r->read_now) {
		add(c, "holders unknown");
		return;
	}
	add(c, "held by %s", r->holders_total ? "" : "none");
	for (uint32_t i = 0; i < r->n_holders; i++) {
		add(c, "%s%u/", i ? ", " : "", h[i].pid);
		add_comm(c, h[i].comm, sizeof(h[i].comm));
		for (uint32_t f = 0; f < h[i].n_fds; f++)
			add(c, "%s%d", f ? "," : " fd ", h[i].fds[f]);
		if (h[i].fds_total > h[i].n_fds)
			add(c, ",+%u", h[i].fds_total - h[i].n_fds);
		add_threads(c, &h[i], t);
	}
	if (r->holders_total > r->n_holders)
		add(c, ", %u more", r->holders_total - r->n_holders);
}

/*
 * The REASON cell: why, in words, with its evidence: "data unread (100 bytes); last received
 * 2.0 s ago; no timer, ends only at close(); held by 1234/server fd 5 (threads: 1 read)"
 */
static void reason_text(struct cell *c, const struct stuck_report *r, const struct stuck_holder *h,
			const struct thread_info *t)
{
	if (r->diagnosis != STUCK_DX_NONE) {
		add(c, "%s", stuck_diagnosis_words(r->diagnosis));
		if (r->diagnosis == STUCK_DX_DATA_UNREAD)
			add(c, " (%u bytes)", r->unread_bytes);
		if (r->diagnosis == STUCK_DX_INHERITED)
			add(c, " %u", r->owner_pid);
		add(c, "; ");
	}
	if (r->last_recv_ago_ns >= 0) {
		add(c, "last received ");
		add_ago(c, r->last_recv_ago_ns);
		add(c, " ago; ");
	}
	/* no keepalive, nothing to send: only the holder's close() can end it */
	if (r->read_now && r->e.newstate == TS_CLOSE_WAIT && r->e.timer == TS_TIMER_OFF)
		add(c, "no timer, ends only at close(); ");
	add_holders(c, r, h, t);
}

/*
 * One cell of a stuck line: where the stuck record has its own value, that (the time it was
 * found, STUCK in OLDSTATE, the state, the age in MS, the holders in REASON; the queues and
 * the timer only if read now); else the transition's.
 */
static void stuck_cell(struct printer *p, const struct output *o, enum output_field_id id,
		       const struct stuck_report *r, const struct stuck_holder *h,
		       const struct thread_info *t)
{
	struct cell c = { .n = 0 };
	char buf[64];

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
		/* ">=": older than the tracer, its age at least this; "~": estimated */
		snprintf(buf, sizeof(buf), "%s%llu.%03llu",
			 r->since_exact ? "" : r->estimated ? "~" : ">=",
			 (unsigned long long)(r->age_ns / 1000000),
			 (unsigned long long)(r->age_ns / 1000 % 1000));
		print_text(p, buf);
		break;
	case OF_REASON:
		reason_text(&c, r, h, t);
		print_text(p, c.buf);
		break;
	default:
		output_fields[id].write(p, o, &r->e);
	}
}

static void json_ago(struct json_writer *w, const char *key, int64_t ns)
{
	if (ns >= 0)
		json_uint(w, key, (uint64_t)ns);
	else
		json_null(w, key);
}

static void json_threads(struct json_writer *w, const struct stuck_holder *h,
			 const struct thread_info *t)
{
	if (!h->threads_total) {
		json_null(w, "threads");
		json_null(w, "threads_total");
		return;
	}
	json_open(w, "threads", '[');
	for (uint32_t i = 0; i < h->n_threads; i++) {
		const struct thread_info *x = &t[h->first_thread + i];
		char state[2] = { x->state, '\0' };

		json_open(w, NULL, '{');
		json_uint(w, "tid", x->tid);
		json_str(w, "comm", x->comm, strnlen(x->comm, sizeof(x->comm)));
		json_str(w, "state", state, strlen(state));
		json_str(w, "syscall", x->syscall, strnlen(x->syscall, sizeof(x->syscall)));
		json_str(w, "wchan", x->wchan, strnlen(x->wchan, sizeof(x->wchan)));
		json_close(w, '}');
	}
	json_close(w, ']');
	json_uint(w, "threads_total", h->threads_total);
}

static void json_holders(struct json_writer *w, const struct stuck_report *r,
			 const struct stuck_holder *h, const struct thread_info *t)
{
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
		if (h[i].n_fds && h[i].fds[0] >= 0)
			json_uint(w, "fd", (uint64_t)h[i].fds[0]);
		else
			json_null(w, "fd");
		json_open(w, "fds", '[');
		for (uint32_t f = 0; f < h[i].n_fds; f++)
			if (h[i].fds[f] >= 0)
				json_uint(w, NULL, (uint64_t)h[i].fds[f]);	/* a comma between */
		json_close(w, ']');
		json_uint(w, "fds_total", h[i].fds_total);
		json_threads(w, &h[i], t);
		json_close(w, '}');
	}
	json_close(w, ']');
	json_uint(w, "holders_total", r->holders_total);
}

static void stuck_json_tail(struct printer *p, const struct output *o, const struct stuck_report *r,
			    const struct stuck_holder *h, const struct thread_info *t)
{
	struct json_writer *w = &p->jw;
	const char *dx = stuck_diagnosis_word(r->diagnosis);
	char buf[TIMEFMT_LEN];

	const char *state = state_name(r->e.newstate, buf, sizeof(buf));

	json_str(w, "state", state, strlen(state));
	if (timefmt_rfc3339((int64_t)r->e.ts_ns + o->mono_to_real_ns, buf, sizeof(buf)))
		json_str(w, "since", buf, strlen(buf));
	else
		json_null(w, "since");
	json_bool(w, "since_exact", r->since_exact);
	json_bool(w, "age_estimated", r->estimated);
	json_uint(w, "age_ns", r->age_ns);
	if (dx)
		json_str(w, "diagnosis", dx, strlen(dx));
	else
		json_null(w, "diagnosis");
	if (r->read_now && r->full)
		json_uint(w, "unread_bytes", r->unread_bytes);
	else
		json_null(w, "unread_bytes");
	if (r->read_now && r->eof_read >= 0)
		json_bool(w, "eof_read", r->eof_read);
	else
		json_null(w, "eof_read");
	json_ago(w, "last_recv_ago_ns", r->read_now ? r->last_recv_ago_ns : -1);
	json_ago(w, "last_send_ago_ns", r->read_now ? r->last_send_ago_ns : -1);
	json_holders(w, r, h, t);
}

void stuck_write(struct output *o, const struct stuck_report *r, const struct stuck_holder *h,
		 const struct thread_info *t)
{
	const struct output_plan *pl = output_plan(o);
	struct printer p;

	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		enum output_field_id id = pl->order[i];

		if (p.json && !(output_fields[id].flags & FIELD_STUCK))
			continue;
		printer_column(&p, &pl->col[id]);
		stuck_cell(&p, o, id, r, h, t);
	}
	if (p.json)
		stuck_json_tail(&p, o, r, h, t);
	if (p.json && (r->e.flags & TS_F_OWNER_KNOWN))
		output_container_json(&p, o->containers, r->e.cgroup_id, r->e.pid);
	printer_end(&p);
}

/* "300 sockets (3 shown): 297 data_unread, 3 eof_read_not_closed" */
static void summary_text(struct cell *c, const struct stuck_summary *sum)
{
	bool first = true;

	add(c, "%u socket%s (%u shown)", sum->count, sum->count == 1 ? "" : "s", sum->detailed);
	for (int d = 0; d < STUCK_DX_MAX; d++) {
		if (!sum->diagnoses[d])
			continue;
		add(c, "%s %u %s", first ? ":" : ",", sum->diagnoses[d],
		    d == STUCK_DX_NONE ? "unknown" : stuck_diagnosis_word(d));
		first = false;
	}
}

static void summary_port(struct printer *p, uint32_t port)
{
	if (port)
		print_uint(p, port);
	else if (p->json)
		print_null(p);
	else
		print_text(p, "*");
}

/*
 * One cell of a summary line: the group's process and peer (its oldest report's), SUMMARY in
 * OLDSTATE, the oldest age in MS, the count and diagnoses in REASON; what is one socket's (its
 * cookie, queues, timer) is not there.
 */
static void summary_cell(struct printer *p, const struct output *o, enum output_field_id id,
			 const struct stuck_summary *sum)
{
	const struct stuck_report *r = sum->first;
	struct cell c = { .n = 0 };
	char buf[64];

	switch (id) {
	case OF_TYPE:
		print_plain(p, "stuck_summary", 13);
		break;
	case OF_TIME:
		print_time(p, (int64_t)sum->now_ns + o->mono_to_real_ns);
		break;
	case OF_LPORT:
		summary_port(p, sum->lport);
		break;
	case OF_RPORT:
		summary_port(p, sum->rport);
		break;
	case OF_OLDSTATE:
		print_text(p, "SUMMARY");
		break;
	case OF_ARROW:
		print_text(p, "");
		break;
	case OF_NEWSTATE:
		print_text(p, state_name(r->e.newstate, buf, sizeof(buf)));
		break;
	case OF_DUR:
		snprintf(buf, sizeof(buf), "%llu.%03llu",
			 (unsigned long long)(sum->oldest_age_ns / 1000000),
			 (unsigned long long)(sum->oldest_age_ns / 1000 % 1000));
		print_text(p, buf);
		break;
	case OF_REASON:
		summary_text(&c, sum);
		print_text(p, c.buf);
		break;
	default:
		output_fields[id].write(p, o, &r->e);
	}
}

/* the fields of one socket, not of a group */
static bool per_socket(enum output_field_id id)
{
	return id == OF_SOCK || id == OF_SKADDR || id == OF_RX_QUEUE || id == OF_TX_QUEUE ||
	       id == OF_TIMER;
}

void stuck_write_summary(struct output *o, const struct stuck_summary *sum)
{
	const struct output_plan *pl = output_plan(o);
	struct printer p;
	char buf[TIMEFMT_LEN];

	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		enum output_field_id id = pl->order[i];

		if (p.json && (!(output_fields[id].flags & FIELD_STUCK) || per_socket(id)))
			continue;
		printer_column(&p, &pl->col[id]);
		if (!p.json && per_socket(id))
			print_text(&p, "-");
		else
			summary_cell(&p, o, id, sum);
	}
	if (p.json) {
		struct json_writer *w = &p.jw;
		const char *state = state_name(sum->first->e.newstate, buf, sizeof(buf));

		json_str(w, "state", state, strlen(state));
		json_uint(w, "count", sum->count);
		json_uint(w, "detailed", sum->detailed);
		json_uint(w, "oldest_age_ns", sum->oldest_age_ns);
		json_open(w, "diagnoses", '{');
		for (int d = 0; d < STUCK_DX_MAX; d++)
			if (sum->diagnoses[d])
				json_uint(w, d == STUCK_DX_NONE ? "unknown" : stuck_diagnosis_word(d),
					  sum->diagnoses[d]);
		json_close(w, '}');
		if (sum->first->e.flags & TS_F_OWNER_KNOWN)
			output_container_json(&p, o->containers, sum->first->e.cgroup_id,
					      sum->first->e.pid);
	}
	printer_end(&p);
}
