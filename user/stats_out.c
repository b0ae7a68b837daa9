// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stats_out.c - a run's stats per interval, at exit, as dot; the summary record, closing line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "conn.h"
#include "stats_dot.h"
#include "stats_text.h"
#include "stats_json.h"
#include "stats_out.h"
#include "quote.h"
#include "timefmt.h"

int stats_out_init(struct stats_out *so, struct line_sink *out, const struct config *cfg,
		   int64_t mono_to_real_ns, uint64_t now_ns)
{
	memset(so, 0, sizeof(*so));
	so->out = out;
	so->cfg = cfg;
	so->mono_to_real_ns = mono_to_real_ns;
	so->period_start_ns = now_ns;
	so->interval_ns = (uint64_t)(cfg->interval_s * 1e9);
	so->dot_fd = -1;
	if (!cfg->dot_path)
		return 0;
	so->dot_fd = open(cfg->dot_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (so->dot_fd < 0) {
		fprintf(stderr, "tcpstates-c: cannot create '%s' for --dot: %s\n",
			quote_str(cfg->dot_path), strerror(errno));
		return -1;
	}
	return 0;
}

int stats_out_use_tally(struct stats_out *so, struct tally *t)
{
	so->now = calloc(1, sizeof(*so->now));
	so->base = calloc(1, sizeof(*so->base));
	if (!so->now || !so->base)
		return -ENOMEM;
	so->tally = t;	/* base: zeros, the first interval starts with the tallies */
	return 0;
}

void stats_out_add(struct stats_out *so, const struct tcpstates_event *e)
{
	stats_add(so->tally ? &so->rec_total : &so->total, e);
	if (so->interval_ns)
		stats_add(so->tally ? &so->rec_period : &so->period, e);
}

/*
 * --records none: total and period again, from one read of the tallies (so the intervals add
 * up to the total) and the loader's records. A failed read keeps the last one.
 */
static void refresh(struct stats_out *so)
{
	if (!so->tally)
		return;
	tally_read(so->tally, so->now);
	stats_reset(&so->total);
	stats_merge(&so->total, &so->rec_total);
	tally_stats(&so->total, so->now, NULL);
	stats_reset(&so->period);
	stats_merge(&so->period, &so->rec_period);
	tally_stats(&so->period, so->now, so->base);
}

const struct stats *stats_out_total(struct stats_out *so)
{
	refresh(so);
	return &so->total;
}

static void add_transition(void *arg, const struct tcpstates_event *e)
{
	stats_out_add(arg, e);
}

void stats_out_add_conn(struct stats_out *so, const struct tcpstates_conn *c)
{
	conn_transitions(c, add_transition, so);
}

/* the interval that ends now: a block between the lines (text) or an "interval" record */
static void show_period(struct stats_out *so, uint64_t now_ns)
{
	uint64_t real_ns = now_ns + (uint64_t)so->mono_to_real_ns;
	uint64_t len_ns = now_ns - so->period_start_ns;
	char when[TIMEFMT_LEN], title[96];

	if (so->cfg->format == OUT_JSON) {
		stats_json_interval(so->out, real_ns, len_ns, &so->period);
	} else {
		timefmt_local((int64_t)real_ns, so->cfg->show_date, when, sizeof(when));
		snprintf(title, sizeof(title), "interval ending %s, %.3f s", when, len_ns / 1e9);
		stats_text_put(so->out, title, &so->period);
	}
	stats_reset(&so->period);
	so->period_start_ns = now_ns;
	if (so->tally) {
		stats_reset(&so->rec_period);
		/* out of memory: a pair not copied counts this interval again in the next */
		tally_sums_copy(so->base, so->now);
	}
}

void stats_out_tick(struct stats_out *so, uint64_t now_ns)
{
	if (!so->interval_ns || now_ns - so->period_start_ns < so->interval_ns)
		return;
	refresh(so);
	show_period(so, now_ns);
}

void stats_out_end(struct stats_out *so, uint64_t now_ns, bool print)
{
	refresh(so);
	if (print && so->interval_ns && so->period.transitions)
		show_period(so, now_ns);
	if (print && so->cfg->summary && so->cfg->format != OUT_JSON)
		stats_text_put(so->out, "summary", &so->total);
	if (so->dot_fd >= 0)
		so->dot_err = stats_dot_write(so->dot_fd, &so->total);
}

void stats_out_summary(struct stats_out *so, uint64_t ts_real_ns, const struct run_counts *n,
		       const struct loss_counts *total, const struct run_info *run)
{
	uint64_t t[LOSS_CAUSES];
	struct json_writer w;

	if (so->cfg->format != OUT_JSON)
		return;
	loss_values(total, t);
	json_record_begin(&w, so->out, "summary", ts_real_ns);
	json_uint(&w, "kernel_transitions", n->kernel);
	json_uint(&w, "swept_transitions", n->swept);
	json_uint(&w, "lines", n->lines + 1);	/* this record is one more */
	json_uint(&w, "transition_lines", n->transitions);
	json_uint(&w, "kernel_connections", n->kernel_connections);
	json_uint(&w, "connection_lines", n->connections);
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

void stats_out_closing(char *buf, size_t len, const struct run_counts *n,
		       const struct loss_counts *total)
{
	uint64_t shown = n->transitions + n->connections + n->snapshot;
	char lost[256];

	loss_text(total, lost, sizeof(lost));
	snprintf(buf, len, "tcpstates-c: in: %llu transitions from the kernel + %llu from the "
			   "timewait sweep, %llu connections from the kernel (machine-wide, "
			   "unfiltered); out: %llu lines = %llu transitions + %llu connections + %llu "
			   "snapshot + %llu other = %llu written + %llu not written; lost: %s",
		 (unsigned long long)n->kernel, (unsigned long long)n->swept,
		 (unsigned long long)n->kernel_connections,
		 (unsigned long long)n->lines, (unsigned long long)n->transitions,
		 (unsigned long long)n->connections, (unsigned long long)n->snapshot,
		 (unsigned long long)(n->lines > shown ? n->lines - shown : 0),
		 (unsigned long long)n->written, (unsigned long long)total->not_written, lost);
}

int stats_out_close_dot(struct stats_out *so)
{
	int status = 0;

	if (so->dot_fd < 0)
		return 0;
	if (!so->dot_err && close(so->dot_fd))
		so->dot_err = -errno;
	else if (so->dot_err)
		close(so->dot_fd);
	if (so->dot_err) {
		fprintf(stderr, "tcpstates-c: cannot write '%s' for --dot: %s\n",
			quote_str(so->cfg->dot_path), strerror(-so->dot_err));
		status = 1;
	}
	so->dot_fd = -1;
	return status;
}

void stats_out_free(struct stats_out *so)
{
	stats_out_close_dot(so);
	stats_free(&so->total);
	stats_free(&so->period);
	stats_free(&so->rec_total);
	stats_free(&so->rec_period);
	if (so->now)
		tally_sums_free(so->now);
	if (so->base)
		tally_sums_free(so->base);
	free(so->now);
	free(so->base);
	so->now = so->base = NULL;
}
