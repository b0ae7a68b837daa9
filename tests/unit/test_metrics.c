// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_metrics.c - transitions in, Prometheus exposition text out; the file replaced whole. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "metrics.h"
#include "stuck.h"
#include "stuck_table.h"
#include "unit.h"

#define T(o, n) .oldstate = TS_##o, .newstate = TS_##n
#define DUR(ns) .dur_ns = (ns), .flags = TS_F_DUR_KNOWN

/* one client's life, a second connect refused, and a snapshot record that is no transition */
static const struct tcpstates_event events[] = {
	{ T(CLOSE, SYN_SENT), .sport = 4000 },
	{ T(SYN_SENT, ESTABLISHED), .sport = 4000, DUR(500) },
	{ T(ESTABLISHED, FIN_WAIT1), .sport = 4000, DUR(5000000000ULL) },
	{ T(FIN_WAIT1, FIN_WAIT2), .sport = 4000, DUR(1023) },
	{ T(FIN_WAIT2, TIME_WAIT), .sport = 4000, DUR(1024), .flags2 = TS_F2_TIMEWAIT },
	{ T(CLOSE, SYN_SENT), .sport = 4001 },
	{ T(SYN_SENT, CLOSE), .sport = 4001, .reason = TS_R_REFUSED, DUR(1048576) },
	{ .newstate = TS_LISTEN, .flags2 = TS_F2_SNAPSHOT },
};

/* lines the text must hold, each exactly */
static const char *const want_lines[] = {
	"# TYPE tcpstates_transitions_total counter",
	"tcpstates_transitions_total{from=\"ESTABLISHED\",to=\"FIN_WAIT1\"} 1",
	"tcpstates_transitions_total{from=\"CLOSE\",to=\"SYN_SENT\"} 2",
	"tcpstates_transitions_total{from=\"SYN_SENT\",to=\"ESTABLISHED\"} 1",
	"tcpstates_transitions_total{from=\"SYN_SENT\",to=\"CLOSE\"} 1",
	"tcpstates_transitions_total{from=\"FIN_WAIT2\",to=\"TIME_WAIT\"} 1",
	"# TYPE tcpstates_state_duration_seconds histogram",
	/* SYN_SENT left twice: 500 ns and 2^20 ns (1.048576 ms) */
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"0.000001023\"} 1",
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"0.000016383\"} 1",
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"0.000262143\"} 1",
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"0.004194303\"} 2",
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"70368.744177663\"} 2",
	"tcpstates_state_duration_seconds_bucket{state=\"SYN_SENT\",le=\"+Inf\"} 2",
	"tcpstates_state_duration_seconds_sum{state=\"SYN_SENT\"} 0.001049076",
	"tcpstates_state_duration_seconds_count{state=\"SYN_SENT\"} 2",
	/* the bound is inclusive: 1023 ns is in the first bucket, 1024 ns is not */
	"tcpstates_state_duration_seconds_bucket{state=\"FIN_WAIT1\",le=\"0.000001023\"} 1",
	"tcpstates_state_duration_seconds_bucket{state=\"FIN_WAIT2\",le=\"0.000001023\"} 0",
	"tcpstates_state_duration_seconds_bucket{state=\"FIN_WAIT2\",le=\"0.000016383\"} 1",
	/* 5 s: above 4.294967295, at or below 68.719476735 */
	"tcpstates_state_duration_seconds_bucket{state=\"ESTABLISHED\",le=\"1.073741823\"} 0",
	"tcpstates_state_duration_seconds_bucket{state=\"ESTABLISHED\",le=\"17.179869183\"} 1",
	"tcpstates_state_duration_seconds_sum{state=\"ESTABLISHED\"} 5.000000000",
	"tcpstates_active_opens_total 2",
	"tcpstates_attempt_fails_total 1",
	"tcpstates_refused_total 1",
	"tcpstates_estab_resets_total 0",
	"tcpstates_transitions_seen_total 42",
	"tcpstates_lost_records_total{cause=\"rb_full\"} 1",
	"tcpstates_lost_records_total{cause=\"recursion_misses\"} 2",
	"tcpstates_lost_records_total{cause=\"map_full\"} 6",
	"tcpstates_stuck_sockets{state=\"CLOSE_WAIT\"} 3",
	"tcpstates_stuck_sockets{state=\"SYN_SENT\"} 0",
	"tcpstates_stuck_diagnosed_sockets{diagnosis=\"orphan\"} 0",
	"tcpstates_stuck_diagnosed_sockets{diagnosis=\"data_unread\"} 2",
	"tcpstates_stuck_diagnosed_sockets{diagnosis=\"peer_silent\"} 1",
	"tcpstates_up 1",
	"tcpstates_last_update_timestamp_seconds 1796042390.123",
	"tcpstates_feature_active{feature=\"cookies\"} 1",
	"tcpstates_feature_active{feature=\"timewait\"} 0",
	/* a label value's backslash, quote and newline escaped */
	"tcpstates_info{version=\"1.2\",kernel=\"6.1-\\\\x\\\"y\\nz\",hook=\"tp_btf\"} 1",
};

/* lines it must not hold */
static const char *const absent_lines[] = {
	"tcpstates_transitions_total{from=\"CLOSE\",to=\"LISTEN\"}",	/* a snapshot record */
	"tcpstates_state_duration_seconds_count{state=\"CLOSE\"}",	/* no duration known */
	"tcpstates_stuck_sockets{state=\"ESTABLISHED\"}",		/* not a stuck state */
	"tcpstates_stuck_sockets{state=\"LISTEN\"}",
};

static bool has_line(const char *text, const char *line, bool prefix)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (prefix || p[n] == '\n'))
			return true;
	return false;
}

static void fill(struct stats *st, struct features *fs, struct metrics_values *v)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		stats_add(st, &events[i]);
	memset(fs, 0, sizeof(*fs));
	fs->f[FT_COOKIES].on = true;
	memset(v, 0, sizeof(*v));
	v->stats = st;
	v->seen = 42;
	for (int i = 0; i < LOSS_CAUSES; i++)
		v->loss[i] = i + 1;
	v->has_stuck = true;
	v->stuck[TS_CLOSE_WAIT] = 3;
	/* the gauge's rows, as stuck_count() gives them: the states --stuck follows */
	for (unsigned int s = 0; s < STATS_STATES; s++)
		v->stuck_followed[s] = stuck_table_watched(s);
	v->stuck_dx_names = stuck_dx_words;
	v->n_stuck_dx = STUCK_DX_MAX - 1;
	v->stuck_dx[STUCK_DX_DATA_UNREAD - 1] = 2;
	v->stuck_dx[STUCK_DX_PEER_SILENT - 1] = 1;
	v->features = fs;
	v->version = "1.2";
	v->kernel = "6.1-\\x\"y\nz";
	v->hook = "tp_btf";
	v->wall_ns = 1796042390123999999ULL;	/* milliseconds, cut: not rounded up */
}

static void test_format(void)
{
	struct stats st = { 0 };
	struct features fs;
	struct metrics_values v;
	struct strbuf sb = { 0 };
	int types = 0, helps = 0;

	fill(&st, &fs, &v);
	metrics_format(&sb, &v);
	for (size_t i = 0; i < sizeof(want_lines) / sizeof(want_lines[0]); i++)
		CHECK(has_line(sb.buf, want_lines[i], false), "missing line: %s", want_lines[i]);
	for (size_t i = 0; i < sizeof(absent_lines) / sizeof(absent_lines[0]); i++)
		CHECK(!has_line(sb.buf, absent_lines[i], true), "unexpected line: %s",
		      absent_lines[i]);
	/* 18 families (8 of them the TCP counters), each with its HELP and TYPE once */
	for (const char *p = sb.buf; (p = strstr(p, "\n# TYPE ")); p++)
		types++;
	for (const char *p = sb.buf; (p = strstr(p, "# HELP ")); p++)
		helps++;
	CHECK(types == 18 && helps == 18, "families: %d TYPE, %d HELP", types, helps);
	CHECK(sb.len && sb.buf[sb.len - 1] == '\n', "ends with a newline");

	/* without --stuck no gauge; and a second format starts from empty */
	v.has_stuck = false;
	metrics_format(&sb, &v);
	CHECK(!strstr(sb.buf, "tcpstates_stuck_sockets"), "no stuck gauge without --stuck");
	CHECK(!strncmp(sb.buf, "# HELP tcpstates_transitions_total ", 35), "starts afresh");

	/* the last write, at exit: down, the stuck gauge gone, the counters and the time still there */
	v.has_stuck = true;
	v.final = true;
	metrics_format(&sb, &v);
	CHECK(has_line(sb.buf, "tcpstates_up 0", false), "final: tcpstates_up 0");
	CHECK(!strstr(sb.buf, "tcpstates_stuck_sockets"), "final: no stuck gauge");
	CHECK(!strstr(sb.buf, "tcpstates_stuck_diagnosed"), "final: no diagnosis gauge");
	CHECK(has_line(sb.buf, "tcpstates_refused_total 1", false), "final: the counters stay");
	CHECK(has_line(sb.buf, "tcpstates_last_update_timestamp_seconds 1796042390.123", false),
	      "final: when it was written");
	sb_free(&sb);
	stats_free(&st);
}

/* the file: written whole beside PATH and renamed; a directory that is not there is refused */
static void test_file(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[128], tmp[160], bad[160];
	struct stats st = { 0 };
	struct features fs;
	struct metrics_values v;
	struct metrics m;
	struct strbuf sb = { 0 };
	struct stat s;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/t.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/.t.prom.tmp", dir);
	snprintf(bad, sizeof(bad), "%s/missing/t.prom", dir);
	fill(&st, &fs, &v);
	CHECK(metrics_open(&m, bad, 15) == -1, "a missing directory is refused");
	CHECK(metrics_open(&m, path, 15) == 0, "open %s", path);
	CHECK(stat(tmp, &s) != 0 && stat(path, &s) != 0, "the check at open leaves no file");
	CHECK(metrics_due(&m, 1), "the first write is due at once");
	metrics_write(&m, &v, 1000);
	CHECK(!metrics_due(&m, 1000 + 15000000000ULL - 1) && metrics_due(&m, 1000 + 15000000000ULL),
	      "the next one a period later");
	metrics_format(&sb, &v);
	CHECK_STR(unit_slurp(path), sb.buf, "file content");
	CHECK(stat(tmp, &s) != 0, "no temporary file left");
	CHECK(stat(path, &s) == 0 && (s.st_mode & 0777) == 0644, "mode 0644");
	CHECK(m.writes == 1 && m.failures == 0 && m.last_err == 0, "one write, no failure");
	metrics_close(&m, false);
	unlink(path);
	rmdir(dir);
	sb_free(&sb);
	stats_free(&st);
}

int main(void)
{
	test_format();
	test_file();
	return UNIT_DONE();
}
