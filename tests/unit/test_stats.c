// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_stats.c - transitions in, MIB counters, pair counts, percentiles, text and dot out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "stats_dot.h"
#include "stats_text.h"
#include "stats.h"
#include "stats_json.h"
#include "unit.h"

#define T(o, n) .oldstate = TS_##o, .newstate = TS_##n
#define DUR(ns) .dur_ns = (ns), .flags = TS_F_DUR_KNOWN

/* ---- the counters: each row one record, and what it adds --------------------------------------- */

static const struct {
	const char *what;
	struct tcpstates_event e;
	struct stats_counters want;
	uint64_t pairs;		/* added to transitions */
} rows[] = {
	{ "connect", { T(CLOSE, SYN_SENT) }, { .active_opens = 1 }, 1 },
	{ "listen", { T(CLOSE, LISTEN) }, { 0 }, 1 },
	{ "child", { T(LISTEN, SYN_RECV) }, { .passive_opens = 1 }, 1 },
	{ "refused", { T(SYN_SENT, CLOSE), .sport = 4000, .reason = TS_R_REFUSED },
	  { .attempt_fails = 1, .refused = 1 }, 1 },
	{ "syn timeout", { T(SYN_SENT, CLOSE), .sport = 4000, .reason = TS_R_TIMEOUT },
	  { .attempt_fails = 1, .timeouts = 1 }, 1 },
	{ "connect abandoned by close()", { T(SYN_SENT, CLOSE), .sport = 4000,
	  .reason = TS_R_UNKNOWN }, { 0 }, 1 },
	{ "SYN_RECV reset", { T(SYN_RECV, CLOSE), .reason = TS_R_RESET_RECEIVED },
	  { .attempt_fails = 1, .resets_received = 1 }, 1 },
	{ "SYN_RECV -> LISTEN (RFC 1213)", { T(SYN_RECV, LISTEN) }, { .attempt_fails = 1 }, 1 },
	{ "linger 0", { T(ESTABLISHED, CLOSE), .reason = TS_R_RESET_SENT },
	  { .estab_resets = 1, .resets_sent = 1 }, 1 },
	{ "reset received", { T(ESTABLISHED, CLOSE), .reason = TS_R_RESET_RECEIVED },
	  { .estab_resets = 1, .resets_received = 1 }, 1 },
	{ "CLOSE_WAIT abort", { T(CLOSE_WAIT, CLOSE), .reason = TS_R_RESET_SENT },
	  { .estab_resets = 1, .resets_sent = 1 }, 1 },
	{ "orderly", { T(LAST_ACK, CLOSE), .reason = TS_R_ORDERLY }, { 0 }, 1 },
	{ "orphan's FIN_WAIT2 timeout (timewait)", { T(FIN_WAIT2, CLOSE), .reason = TS_R_TIMEOUT,
	  .flags2 = TS_F2_TIMEWAIT }, { .timeouts = 1 }, 1 },
	{ "inferred close: no MIB event", { T(ESTABLISHED, CLOSE), .reason = TS_R_UNKNOWN,
	  .flags2 = TS_F2_INFERRED }, { 0 }, 1 },
	{ "snapshot: not a transition", { .newstate = TS_ESTABLISHED, .flags2 = TS_F2_SNAPSHOT },
	  { 0 }, 0 },
	{ "unknown state number", { .oldstate = 200, .newstate = TS_CLOSE }, { 0 }, 0 },
};

static void test_counters(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stats st = { 0 };
		uint64_t got[STATS_COUNTERS], want[STATS_COUNTERS];

		stats_add(&st, &rows[i].e);
		stats_counter_values(&st.c, got);
		stats_counter_values(&rows[i].want, want);
		for (int k = 0; k < STATS_COUNTERS; k++)
			CHECK(got[k] == want[k], "%s: %s = %llu, want %llu", rows[i].what,
			      stats_counter_names[k], (unsigned long long)got[k],
			      (unsigned long long)want[k]);
		CHECK(st.transitions == rows[i].pairs, "%s: %llu transitions", rows[i].what,
		      (unsigned long long)st.transitions);
		stats_free(&st);
	}
}

/* a connect() with no free port: CLOSE -> SYN_SENT -> CLOSE with port 0, no SYN, no ActiveOpens */
static void test_connect_failed(void)
{
	struct stats st = { 0 };

	stats_add(&st, &(struct tcpstates_event){ T(CLOSE, SYN_SENT) });
	stats_add(&st, &(struct tcpstates_event){ T(SYN_SENT, CLOSE), .reason = TS_R_UNKNOWN });
	CHECK(st.c.active_opens == 0 && st.c.attempt_fails == 0 && st.connects_failed == 1,
	      "failed connect: active %llu, fails %llu", (unsigned long long)st.c.active_opens,
	      (unsigned long long)st.c.attempt_fails);
	CHECK(st.pairs[TS_CLOSE][TS_SYN_SENT] == 1 && st.pairs[TS_SYN_SENT][TS_CLOSE] == 1,
	      "failed connect: both transitions counted as pairs");
	stats_free(&st);
}

/* ---- histograms ------------------------------------------------------------------------------ */

static void test_hist(void)
{
	static const struct {
		uint64_t v;
		unsigned int idx;
	} idx[] = { { 0, 0 }, { 15, 15 }, { 16, 16 }, { 31, 31 }, { 32, 32 }, { 33, 32 },
		    { 34, 33 }, { 1000, 16 + 5 * 16 + 15 } };
	struct stats_hist *h = calloc(1, sizeof(*h));
	uint64_t l2[STATS_LOG2];

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		CHECK(stats_hist_index(idx[i].v) == idx[i].idx, "index(%llu) = %u, want %u",
		      (unsigned long long)idx[i].v, stats_hist_index(idx[i].v), idx[i].idx);
	CHECK(stats_hist_index(UINT64_MAX) == STATS_HBUCKETS - 1, "index(max) = %u",
	      stats_hist_index(UINT64_MAX));
	CHECK(stats_hist_percentile(h, 50) == 0, "empty: p50 0");
	/* 1..100 us: the true p50 is 50 us, p90 90 us, p99 99 us */
	for (uint64_t v = 1; v <= 100; v++)
		stats_hist_add(h, v * 1000);
	static const struct {
		double p;
		uint64_t exact;
	} pc[] = { { 50, 50000 }, { 90, 90000 }, { 99, 99000 }, { 100, 100000 } };
	for (size_t i = 0; i < sizeof(pc) / sizeof(pc[0]); i++) {
		uint64_t got = stats_hist_percentile(h, pc[i].p);
		double err = got > pc[i].exact ? got - pc[i].exact : pc[i].exact - got;

		CHECK(err <= pc[i].exact / 32.0, "p%g = %llu, want %llu within 1/32", pc[i].p,
		      (unsigned long long)got, (unsigned long long)pc[i].exact);
	}
	CHECK(h->max == 100000 && h->count == 100, "max %llu count %llu",
	      (unsigned long long)h->max, (unsigned long long)h->count);
	CHECK(stats_hist_percentile(h, 100) <= h->max, "p100 never above max");
	/* log2: 1000..1023 -> bucket 9, 1024..2047 -> 10 ... 65536..100000 -> 16 */
	CHECK(stats_hist_log2(h, l2) == 17, "log2: 17 buckets");
	CHECK(l2[9] == 1 && l2[10] == 1 && l2[11] == 2 && l2[12] == 4 && l2[13] == 8 &&
	      l2[14] == 16 && l2[15] == 33 && l2[16] == 35, "log2 counts %llu %llu %llu %llu %llu",
	      (unsigned long long)l2[12], (unsigned long long)l2[13], (unsigned long long)l2[14],
	      (unsigned long long)l2[15], (unsigned long long)l2[16]);
	/* small values are exact */
	memset(h, 0, sizeof(*h));
	stats_hist_add(h, 7);
	stats_hist_add(h, 7);
	stats_hist_add(h, 9);
	CHECK(stats_hist_percentile(h, 50) == 7 && stats_hist_percentile(h, 99) == 9,
	      "exact below 16: p50 %llu p99 %llu", (unsigned long long)stats_hist_percentile(h, 50),
	      (unsigned long long)stats_hist_percentile(h, 99));
	free(h);
}

/* ---- rendering ------------------------------------------------------------------------------- */

/* one connection's life, both ends, and a refused connect */
static void add_connection(struct stats *st)
{
	static const struct tcpstates_event life[] = {
		{ T(CLOSE, LISTEN) },
		{ T(CLOSE, SYN_SENT) },
		{ T(SYN_SENT, ESTABLISHED), .sport = 5000, DUR(70000) },
		{ T(LISTEN, SYN_RECV) },
		{ T(SYN_RECV, ESTABLISHED), DUR(9000) },
		{ T(ESTABLISHED, FIN_WAIT1), DUR(2000000) },
		{ T(ESTABLISHED, CLOSE_WAIT), DUR(2000000) },
		{ T(FIN_WAIT1, FIN_WAIT2), DUR(20000) },
		{ T(CLOSE_WAIT, LAST_ACK), DUR(1800000) },
		{ T(FIN_WAIT2, TIME_WAIT), DUR(15000) },
		{ T(LAST_ACK, CLOSE), DUR(60000), .reason = TS_R_ORDERLY },
		{ T(CLOSE, SYN_SENT) },
		{ T(SYN_SENT, CLOSE), .sport = 5001, DUR(50000), .reason = TS_R_REFUSED },
	};

	for (size_t i = 0; i < sizeof(life) / sizeof(life[0]); i++)
		stats_add(st, &life[i]);
}

static void test_text(void)
{
	struct stats st = { 0 };
	struct strbuf sb = { 0 };

	add_connection(&st);
	stats_text_render(&sb, "summary", &st);
	if (getenv("TCPSTATES_SHOW"))
		fputs(sb.buf, stderr);
	static const char *const want[] = {
		"--- summary ---\n",
		"Tcp:\n    2 active connection openings (ActiveOpens)\n"
		"    1 passive connection openings (PassiveOpens)\n"
		"    1 failed connection attempts (AttemptFails)\n"
		"    0 connection resets received (EstabResets)\n",
		"    1 connects refused\nTransitions: 13\n",
		"FROM \\ TO    ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE "
		"CLOSE_WAIT LAST_ACK LISTEN\n",
		"\nSYN_SENT               1        .        .         .         .         .     1 "
		"         .        .      .\n",
		"\nCLOSE                  .        2        .         .         .         .     . "
		"         .        .      1\n",
		"Time in SYN_SENT: 2 left it, p50 50.2us, p90 70.0us, p99 70.0us, max 70.0us\n",
		"     nsecs               : count    distribution\n",
		"     32768 -> 65535      : 1        |****************************************|\n",
		"     65536 -> 131071     : 1        |****************************************|\n",
		"Time in ESTABLISHED: 2 left it, p50 2.00ms",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(sb.buf && strstr(sb.buf, want[i]), "text block lacks '%s'", want[i]);
	CHECK(!strstr(sb.buf, "Time in LISTEN"), "LISTEN left without a known duration: no histogram");
	sb_free(&sb);
	stats_free(&st);
}

static void test_json(void)
{
	struct stats st = { 0 };
	struct strbuf sb = { 0 };

	add_connection(&st);
	stats_json_members(&sb, &st);
	static const char *const want[] = {
		("\"counters\":{\"active_opens\":2,\"passive_opens\":1,\"attempt_fails\":1,"
		 "\"estab_resets\":0,\"resets_sent\":0,\"resets_received\":0,\"timeouts\":0,"
		 "\"refused\":1}"),
		",\"transitions\":{\"ESTABLISHED->FIN_WAIT1\":1,",
		"\"CLOSE->SYN_SENT\":2,\"CLOSE->LISTEN\":1,",
		("\"SYN_SENT\":{\"count\":2,\"p50_ns\":50176,\"p90_ns\":70000,\"p99_ns\":70000,"
		 "\"max_ns\":70000,\"log2\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1]}"),
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(sb.buf && strstr(sb.buf, want[i]), "JSON lacks '%s' in %s", want[i], sb.buf);
	sb_free(&sb);
	stats_free(&st);
}

static void test_dot(void)
{
	struct stats st = { 0 };
	struct strbuf sb = { 0 };

	add_connection(&st);
	stats_dot_render(&sb, &st);
	CHECK(sb.buf && strstr(sb.buf, "digraph tcp_states {\n"), "dot: a digraph");
	CHECK(sb.buf && strstr(sb.buf, "\t\"CLOSE\" -> \"SYN_SENT\" [label=\"2\", penwidth=1];\n"),
	      "dot: an edge with no known duration: its count only");
	CHECK(sb.buf && strstr(sb.buf, "\t\"SYN_SENT\" -> \"ESTABLISHED\" "
					"[label=\"1\\nmedian 70.0us\", penwidth=1];\n"),
	      "dot: count and median");
	CHECK(sb.buf && !strstr(sb.buf, "CLOSING"), "dot: no node for a state not seen");
	sb_free(&sb);
	stats_free(&st);
}

static void test_reset(void)
{
	struct stats st = { 0 };

	add_connection(&st);
	stats_reset(&st);
	CHECK(st.transitions == 0 && st.c.active_opens == 0 && !stats_pair_hist(&st, TS_SYN_SENT,
	      TS_ESTABLISHED), "reset forgets counts and durations");
	stats_free(&st);
}

int main(void)
{
	test_counters();
	test_connect_failed();
	test_hist();
	test_text();
	test_json();
	test_dot();
	test_reset();
	return UNIT_DONE();
}
