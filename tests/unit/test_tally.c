// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_tally.c - --records none: the kernel's buckets, and its tallies turned into stats. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "stats.h"
#include "tally.h"
#include "unit.h"

/* the bucket as the definition says, with a clz: v below 8, else 4e - 4 + the 2 bits below e */
static unsigned int ref_bucket(uint64_t v)
{
	unsigned int e;

	if (v < 8)
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);
	return 4 * e - 4 + (unsigned int)((v >> (e - 2)) & 3);
}

/* values around every power of two, and a spread of others (an LCG: the same every run) */
static uint64_t value(unsigned int i)
{
	static uint64_t x = 88172645463325252ULL;

	if (i < 64 * 3) {
		uint64_t p = 1ULL << (i / 3);

		return p + (uint64_t)(i % 3) - 1;	/* 2^k - 1, 2^k, 2^k + 1 */
	}
	x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x >> (x & 63);
}

static void test_buckets(void)
{
	unsigned int bad_ref = 0, bad_range = 0, bad_mid = 0, top = 0;

	for (unsigned int i = 0; i < 20000; i++) {
		uint64_t v = value(i), low, width, mid;
		unsigned int b = ts_tally_bucket(v);

		bad_ref += b != ref_bucket(v);
		low = ts_tally_bucket_low(b, (__u64 *)&width);
		bad_range += b >= TS_TALLY_BUCKETS || v < low || v - low >= width;
		/* the middle stands for v within 1/8 of v */
		mid = low + width / 2;
		bad_mid += (mid > v ? mid - v : v - mid) > v / 8;
		if (b > top)
			top = b;
	}
	CHECK(bad_ref == 0, "%u values in another bucket than the clz definition's", bad_ref);
	CHECK(bad_range == 0, "%u values outside their bucket's [low, low + width)", bad_range);
	CHECK(bad_mid == 0, "%u values further than 1/8 from their bucket's middle", bad_mid);
	CHECK(ts_tally_bucket(UINT64_MAX) == TS_TALLY_BUCKETS - 1, "2^64 - 1: bucket %u",
	      ts_tally_bucket(UINT64_MAX));
	CHECK(top == TS_TALLY_BUCKETS - 1, "highest bucket seen %u", top);
	for (unsigned int v = 0; v < 8; v++)
		CHECK(ts_tally_bucket(v) == v, "%u: exact, got bucket %u", v, ts_tally_bucket(v));
	/* consecutive buckets tile the values: each starts where the one before ends */
	for (unsigned int b = 1; b < TS_TALLY_BUCKETS; b++) {
		__u64 w0, w1, l0 = ts_tally_bucket_low(b - 1, &w0), l1 = ts_tally_bucket_low(b, &w1);

		CHECK(l0 + w0 == l1, "bucket %u ends at %llu, %u starts at %llu", b - 1,
		      (unsigned long long)(l0 + w0), b, (unsigned long long)l1);
	}
}

static void put(struct tcpstates_tally_hist *h, uint64_t v)
{
	h->b[ts_tally_bucket(v)]++;
	h->sum_ns += v;
	if (v > h->max_ns)
		h->max_ns = v;
}

static void test_counters(void)
{
	struct tally_sums *s = calloc(1, sizeof(*s));
	struct stats st = { 0 };

	s->c.mib[TS_MIB_OPENS] = 7;
	s->c.mib[TS_MIB_CONNECTS_FAILED] = 2;
	s->c.mib[TS_MIB_PASSIVE] = 4;
	s->c.mib[TS_MIB_ATTEMPT_FAILS] = 3;
	s->c.mib[TS_MIB_ESTAB_RESETS] = 1;
	s->c.reasons[TS_R_REFUSED] = 3;
	s->c.reasons[TS_R_RESET_SENT] = 2;
	s->c.reasons[TS_R_RESET_RECEIVED] = 5;
	s->c.reasons[TS_R_TIMEOUT] = 6;
	s->c.reasons[TS_R_ORDERLY] = 9;		/* no counter of its own */
	s->c.pairs[TS_CLOSE][TS_SYN_SENT] = 7;
	s->c.pairs[TS_SYN_SENT][TS_CLOSE] = 5;
	tally_stats(&st, s, NULL);
	CHECK(st.c.active_opens == 5, "active_opens 7 opens - 2 failed: %llu",
	      (unsigned long long)st.c.active_opens);
	CHECK(st.connects_failed == 2, "connects_failed %llu", (unsigned long long)st.connects_failed);
	CHECK(st.c.passive_opens == 4 && st.c.attempt_fails == 3 && st.c.estab_resets == 1,
	      "MIB counters %llu %llu %llu", (unsigned long long)st.c.passive_opens,
	      (unsigned long long)st.c.attempt_fails, (unsigned long long)st.c.estab_resets);
	CHECK(st.c.refused == 3 && st.c.resets_sent == 2 && st.c.resets_received == 5 &&
	      st.c.timeouts == 6, "reasons %llu %llu %llu %llu", (unsigned long long)st.c.refused,
	      (unsigned long long)st.c.resets_sent, (unsigned long long)st.c.resets_received,
	      (unsigned long long)st.c.timeouts);
	CHECK(st.transitions == 12 && st.pairs[TS_CLOSE][TS_SYN_SENT] == 7, "pairs: %llu",
	      (unsigned long long)st.transitions);
	/* added, not replaced: st may hold the loader's own records already */
	tally_stats(&st, s, NULL);
	CHECK(st.transitions == 24 && st.c.refused == 6, "a second add doubles: %llu",
	      (unsigned long long)st.transitions);
	stats_free(&st);
	free(s);
}

static void test_hists(void)
{
	struct tally_sums *base = calloc(1, sizeof(*base)), *now = calloc(1, sizeof(*now));
	unsigned int k = TS_TALLY_PAIR(TS_ESTABLISHED, TS_FIN_WAIT1);
	uint64_t l2[STATS_LOG2], want[STATS_LOG2] = { 0 }, vals[500], max = 0;
	struct stats st = { 0 }, iv = { 0 };
	const struct stats_hist *h;
	unsigned int n = 0;

	now->h[k] = calloc(1, sizeof(*now->h[k]));
	if (!now->h[k])
		return;
	for (unsigned int i = 0; i < 500; i++) {
		uint64_t v = value(i + 1000) >> 20;

		vals[n++] = v;
		put(now->h[k], v);
		if (v > max)
			max = v;
		want[v ? 63 - __builtin_clzll(v) : 0]++;
	}
	tally_stats(&st, now, NULL);
	h = stats_pair_hist(&st, TS_ESTABLISHED, TS_FIN_WAIT1);
	CHECK(h && h->count == 500, "500 durations: %llu", h ? (unsigned long long)h->count : 0ULL);
	if (!h)
		return;
	CHECK(h->max == max, "max exact: %llu, want %llu", (unsigned long long)h->max,
	      (unsigned long long)max);
	stats_hist_log2(h, l2);
	CHECK(!memcmp(l2, want, sizeof(want)), "log2 buckets exact");
	/* percentiles: the value of that rank, within 1/8 */
	for (unsigned int p = 10; p <= 100; p += 10) {
		uint64_t sorted[500], got = stats_hist_percentile(h, p), ex;

		memcpy(sorted, vals, sizeof(sorted));
		for (unsigned int i = 1; i < n; i++)
			for (unsigned int j = i; j && sorted[j - 1] > sorted[j]; j--) {
				uint64_t t = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = t;
			}
		ex = sorted[(n * p + 99) / 100 - 1];
		CHECK((got > ex ? got - ex : ex - got) <= ex / 8 + 1, "p%u %llu, exact %llu", p,
		      (unsigned long long)got, (unsigned long long)ex);
	}
	/* an interval: what came after base, whose max did not rise: at most its top bucket's */
	CHECK(tally_sums_copy(base, now) == 0 && base->h[k] && base->h[k] != now->h[k],
	      "a copy has its own histograms");
	put(now->h[k], 100);
	put(now->h[k], 1000);
	tally_stats(&iv, now, base);
	h = stats_pair_hist(&iv, TS_ESTABLISHED, TS_FIN_WAIT1);
	CHECK(h && h->count == 2 && h->sum_ns == 1100.0, "interval: 2 durations, sum 1100");
	CHECK(h && h->max >= 1000 && h->max < 1000 + 1000 / 4, "interval max %llu: 1000's bucket",
	      h ? (unsigned long long)h->max : 0);
	CHECK(!stats_pair_hist(&iv, TS_CLOSE, TS_SYN_SENT), "no durations: no histogram");
	/* a pair that appeared after base: all of it is the interval's, max exact */
	now->h[TS_TALLY_PAIR(TS_TIME_WAIT, TS_CLOSE)] = calloc(1, sizeof(*now->h[0]));
	if (now->h[TS_TALLY_PAIR(TS_TIME_WAIT, TS_CLOSE)])
		put(now->h[TS_TALLY_PAIR(TS_TIME_WAIT, TS_CLOSE)], 60000000123ULL);
	stats_free(&iv);
	tally_stats(&iv, now, base);
	h = stats_pair_hist(&iv, TS_TIME_WAIT, TS_CLOSE);
	CHECK(h && h->count == 1 && h->max == 60000000123ULL, "a new pair: its max exact");
	stats_free(&st);
	stats_free(&iv);
	tally_sums_free(base);
	tally_sums_free(now);
	free(base);
	free(now);
}

int main(void)
{
	test_buckets();
	test_counters();
	test_hists();
	return UNIT_DONE();
}
