// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* metrics.c - --metrics-file: Prometheus text exposition for node_exporter's textfile collector. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "metrics.h"
#include "quote.h"
#include "privdrop.h"
#include "states.h"

/* ---- the text -------------------------------------------------------------------------------- */

static void family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a label value as the format wants it: backslash, double quote and newline escaped */
static void label_value(struct strbuf *sb, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sb_printf(sb, "\\%c", *v);
		else if (*v == '\n')
			sb_puts(sb, "\\n");
		else
			sb_put(sb, v, 1);
	}
}

/* name{label="value"} N */
static void sample1(struct strbuf *sb, const char *name, const char *label, const char *value,
		    uint64_t n)
{
	sb_printf(sb, "%s{%s=\"", name, label);
	label_value(sb, value);
	sb_printf(sb, "\"} %" PRIu64 "\n", n);
}

static void transitions(struct strbuf *sb, const struct stats *st)
{
	char a[STATE_NAME_MAX], b[STATE_NAME_MAX];

	family(sb, "tcpstates_transitions_total", "counter",
	       "TCP state transitions shown (those passing the filters), by old and new state.");
	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++)
			if (st->pairs[o][n])
				sb_printf(sb, "tcpstates_transitions_total{from=\"%s\",to=\"%s\"} %" PRIu64
					      "\n", state_name(o, a, sizeof(a)),
					  state_name(n, b, sizeof(b)), st->pairs[o][n]);
}

/* (2^k - 1) ns in seconds, exactly: the log2 buckets below 2^k hold the values up to it */
static void le_bound(char *buf, size_t len, unsigned int k)
{
	uint64_t ns = (1ULL << k) - 1;

	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
}

static void one_hist(struct strbuf *sb, const char *state, const struct stats_hist *h)
{
	const char *name = "tcpstates_state_duration_seconds";
	uint64_t l2[STATS_LOG2], below = 0;
	unsigned int i = 0;
	char le[32];

	stats_hist_log2(h, l2);
	for (unsigned int k = METRICS_LE_FIRST; k <= METRICS_LE_LAST; k += METRICS_LE_STEP) {
		for (; i < k; i++)
			below += l2[i];
		le_bound(le, sizeof(le), k);
		sb_printf(sb, "%s_bucket{state=\"%s\",le=\"%s\"} %" PRIu64 "\n", name, state, le,
			  below);
	}
	sb_printf(sb, "%s_bucket{state=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name, state, h->count);
	sb_printf(sb, "%s_sum{state=\"%s\"} %.9f\n", name, state, h->sum_ns / 1e9);
	sb_printf(sb, "%s_count{state=\"%s\"} %" PRIu64 "\n", name, state, h->count);
}

static void durations(struct strbuf *sb, const struct stats *st)
{
	struct stats_hist *h = malloc(sizeof(*h));
	char name[STATE_NAME_MAX];

	family(sb, "tcpstates_state_duration_seconds", "histogram",
	       "Time a socket spent in a state before leaving it (transitions shown whose "
	       "duration is known), by the state left.");
	for (unsigned int s = 0; h && s < STATS_STATES; s++) {
		stats_state_hist(st, s, h);
		if (h->count)
			one_hist(sb, state_name(s, name, sizeof(name)), h);
	}
	free(h);
}

static void tcp_counters(struct strbuf *sb, const struct stats *st, uint64_t seen)
{
	uint64_t v[STATS_COUNTERS];
	char name[64];

	stats_counter_values(&st->c, v);
	for (int i = 0; i < STATS_COUNTERS; i++) {
		snprintf(name, sizeof(name), "tcpstates_%s_total", stats_counter_names[i]);
		family(sb, name, "counter", stats_counter_about[i].help);
		sb_printf(sb, "%s %" PRIu64 "\n", name, v[i]);
	}
	family(sb, "tcpstates_transitions_seen_total", "counter",
	       "TCP state transitions the kernel delivered, before the filters.");
	sb_printf(sb, "tcpstates_transitions_seen_total %" PRIu64 "\n", seen);
}

static void stuck(struct strbuf *sb, const uint64_t n[STATS_STATES],
		  const bool followed[STATS_STATES])
{
	char name[STATE_NAME_MAX];

	family(sb, "tcpstates_stuck_sockets", "gauge",
	       "Sockets (passing the filters) in the state now for longer than --stuck SECONDS.");
	for (unsigned int s = 0; s < STATS_STATES; s++)
		if (followed[s])
			sample1(sb, "tcpstates_stuck_sockets", "state", state_name(s, name, sizeof(name)),
				n[s]);
}

static void stuck_diagnosed(struct strbuf *sb, const struct metrics_values *v)
{
	family(sb, "tcpstates_stuck_diagnosed_sockets", "gauge",
	       "Sockets stuck now (as tcpstates_stuck_sockets) by the diagnosis of their last "
	       "report: why they are stuck.");
	for (unsigned int d = 0; d < v->n_stuck_dx && d < METRICS_DX_MAX; d++)
		sample1(sb, "tcpstates_stuck_diagnosed_sockets", "diagnosis", v->stuck_dx_names[d],
			v->stuck_dx[d]);
}

/* --metrics-pod-namespace: the label's cardinality is the node's namespaces (POD_COUNTS_MAX) */
static void pod_namespaces(struct strbuf *sb, const struct pod_counts *pc)
{
	char name[STATE_NAME_MAX];

	family(sb, "tcpstates_pod_namespace_transitions_total", "counter",
	       "Transitions into each state by the Kubernetes namespace of the owner's pod "
	       "(\"\": the host, or an owner not known; " POD_COUNTS_OTHER ": past the "
	       "namespaces counted apart).");
	for (size_t i = 0; i < pc->n; i++)
		for (unsigned int s = 0; s < STATS_STATES; s++) {
			if (!pc->v[i].into[s])
				continue;
			sb_puts(sb, "tcpstates_pod_namespace_transitions_total{pod_namespace=\"");
			label_value(sb, pc->v[i].ns);
			sb_puts(sb, "\",newstate=\"");
			label_value(sb, state_name(s, name, sizeof(name)));
			sb_printf(sb, "\"} %" PRIu64 "\n", pc->v[i].into[s]);
		}
}

static void losses(struct strbuf *sb, const uint64_t v[LOSS_CAUSES])
{
	char units[512], help[600];

	loss_units_text(units, sizeof(units));
	snprintf(help, sizeof(help), "Loss by cause, each in its own unit: %s.", units);
	family(sb, "tcpstates_lost_records_total", "counter", help);
	for (int i = 0; i < LOSS_CAUSES; i++)
		sample1(sb, "tcpstates_lost_records_total", "cause", loss_names[i], v[i]);
}

/*
 * Is this a live file? The last write says tcpstates_up 0; a tracer killed or wedged stops
 * moving last_update, which an alert compares with time() (the file itself never says so).
 */
static void liveness(struct strbuf *sb, const struct metrics_values *v)
{
	family(sb, "tcpstates_up", "gauge",
	       "1 while the tracer runs; 0 in the last write, at exit: the counters are final and "
	       "no stuck gauge is left.");
	sb_printf(sb, "tcpstates_up %d\n", !v->final);
	family(sb, "tcpstates_last_update_timestamp_seconds", "gauge",
	       "When the tracer wrote this file (Unix time); rewritten every --metrics-period while "
	       "it runs.");
	sb_printf(sb, "tcpstates_last_update_timestamp_seconds %" PRIu64 ".%03" PRIu64 "\n",
		  v->wall_ns / 1000000000, v->wall_ns % 1000000000 / 1000000);
}

static void run_info(struct strbuf *sb, const struct metrics_values *v)
{
	family(sb, "tcpstates_feature_active", "gauge",
	       "1 when the kernel feature is in use in this run, 0 when this kernel or an option "
	       "left it off.");
	for (int i = 0; i < FT_MAX; i++)
		sample1(sb, "tcpstates_feature_active", "feature", feature_name(i),
			v->features->f[i].on);
	family(sb, "tcpstates_info", "gauge",
	       "Always 1: the tracer's version, the kernel release and the state hook in use.");
	sb_puts(sb, "tcpstates_info{version=\"");
	label_value(sb, v->version);
	sb_puts(sb, "\",kernel=\"");
	label_value(sb, v->kernel);
	sb_puts(sb, "\",hook=\"");
	label_value(sb, v->hook);
	sb_puts(sb, "\"} 1\n");
}

void metrics_format(struct strbuf *sb, const struct metrics_values *v)
{
	sb->len = 0;
	sb->oom = false;
	if (sb->buf)
		sb->buf[0] = '\0';
	transitions(sb, v->stats);
	durations(sb, v->stats);
	tcp_counters(sb, v->stats, v->seen);
	losses(sb, v->loss);
	if (v->pods)
		pod_namespaces(sb, v->pods);
	/* at exit the gauge would say forever what was stuck at the last instant: it goes */
	if (v->has_stuck && !v->final) {
		stuck(sb, v->stuck, v->stuck_followed);
		stuck_diagnosed(sb, v);
	}
	liveness(sb, v);
	run_info(sb, v);
}

/* ---- the file -------------------------------------------------------------------------------- */

#define TMP_FLAGS (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)

/* write all of buf to the temporary file, then rename it over the file: 0 or an errno */
static int replace(const struct metrics *m, const char *buf, size_t len)
{
	int fd = openat(m->dir_fd, m->tmp, TMP_FLAGS, 0644), err = 0;

	if (fd < 0)
		return errno;
	while (len && !err) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno != EINTR)
			err = errno;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
	if (close(fd) && !err)
		err = errno;
	if (!err && renameat(m->dir_fd, m->tmp, m->dir_fd, m->name))
		err = errno;
	return err;
}

/* the check at start: the temporary file can be made (and is removed again) */
static int try_write(void *arg)
{
	const struct metrics *m = arg;
	int fd = openat(m->dir_fd, m->tmp, TMP_FLAGS, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	unlinkat(m->dir_fd, m->tmp, 0);
	return 0;
}

int metrics_open(struct metrics *m, const char *path, double period_s)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char dir[4096];
	int err;

	memset(m, 0, sizeof(*m));
	m->path = path;
	m->period_ns = (uint64_t)(period_s * 1e9);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	snprintf(m->name, sizeof(m->name), "%s", base);
	snprintf(m->tmp, sizeof(m->tmp), ".%s.tmp", base);
	m->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	err = m->dir_fd < 0 ? errno : privdrop_as_loop(try_write, m);
	if (err) {
		fprintf(stderr, "tcpstates-c: cannot write '%s' for --metrics-file: %s\n",
			quote_str(path), strerror(err));
		if (m->dir_fd >= 0)
			close(m->dir_fd);
		m->dir_fd = -1;
		return -1;
	}
	privdrop_keep_metrics(m->dir_fd, TMP_FLAGS);
	return 0;
}

bool metrics_due(const struct metrics *m, uint64_t now_ns)
{
	return now_ns >= m->next_ns;
}

void metrics_write(struct metrics *m, const struct metrics_values *v, uint64_t now_ns)
{
	int err;

	m->next_ns = now_ns + m->period_ns;
	metrics_format(&m->sb, v);
	err = m->sb.oom ? ENOMEM : replace(m, m->sb.buf, m->sb.len);
	m->writes++;
	if (err) {
		m->failures++;
		if (!m->last_err)
			fprintf(stderr, "tcpstates-c: cannot write '%s' for --metrics-file: %s (said once "
					"until a write succeeds; tracing goes on)\n", quote_str(m->path),
				strerror(err));
	}
	m->last_err = err;
}

void metrics_close(struct metrics *m, bool verbose)
{
	if (verbose)
		fprintf(stderr, "tcpstates-c: --metrics-file: %llu writes, %llu failed\n",
			(unsigned long long)m->writes, (unsigned long long)m->failures);
	if (m->dir_fd >= 0)
		close(m->dir_fd);
	m->dir_fd = -1;
	sb_free(&m->sb);
}
