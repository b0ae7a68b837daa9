// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stats.c - counters the kernel agrees with, transitions per pair, and time in each state. */
#include <stdlib.h>
#include <string.h>
#include "stats.h"

#define STATS_NAME(name, reason, text, help) #name,
const char *const stats_counter_names[STATS_COUNTERS] = { STATS_COUNTER_LIST(STATS_NAME) };
#undef STATS_NAME

#define STATS_ABOUT(name, reason, text, help) { reason, text, help },
const struct stats_counter_about stats_counter_about[STATS_COUNTERS] = {
	STATS_COUNTER_LIST(STATS_ABOUT)
};
#undef STATS_ABOUT

void stats_counter_values(const struct stats_counters *c, uint64_t v[STATS_COUNTERS])
{
#define STATS_VALUE(name, reason, text, help) v[STATS_##name] = c->name;
	STATS_COUNTER_LIST(STATS_VALUE)
#undef STATS_VALUE
}

/* ---- histograms ---------------------------------------------------------------------------- */

/* below STATS_SUB: the value itself; above: (power of two, top STATS_SUB_BITS bits below the MSB) */
unsigned int stats_hist_index(uint64_t v)
{
	unsigned int e;

	if (v < STATS_SUB)
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);
	return STATS_SUB + (e - STATS_SUB_BITS) * STATS_SUB +
	       (unsigned int)((v >> (e - STATS_SUB_BITS)) & (STATS_SUB - 1));
}

/* the smallest value of sub-bucket i, and how many values it spans */
static uint64_t bucket_low(unsigned int i, uint64_t *width)
{
	unsigned int k, e;

	if (i < STATS_SUB) {
		*width = 1;
		return i;
	}
	k = i - STATS_SUB;
	e = k / STATS_SUB;	/* the power of two, less STATS_SUB_BITS */
	*width = 1ULL << e;
	return (uint64_t)(STATS_SUB + k % STATS_SUB) << e;
}

/* the log2 bucket (floor(log2 v), 0 for 0) that sub-bucket i lies in */
static unsigned int bucket_log2(unsigned int i)
{
	uint64_t width, low = bucket_low(i, &width);

	return low ? 63 - (unsigned int)__builtin_clzll(low) : 0;
}

void stats_hist_add(struct stats_hist *h, uint64_t v)
{
	h->b[stats_hist_index(v)]++;
	h->count++;
	h->sum_ns += (double)v;
	if (v > h->max)
		h->max = v;
}

void stats_hist_merge(struct stats_hist *into, const struct stats_hist *h)
{
	for (unsigned int i = 0; i < STATS_HBUCKETS; i++)
		into->b[i] += h->b[i];
	into->count += h->count;
	into->sum_ns += h->sum_ns;
	if (h->max > into->max)
		into->max = h->max;
}

uint64_t stats_hist_percentile(const struct stats_hist *h, double p)
{
	uint64_t rank, seen = 0, width, low, v;
	double r = p / 100.0 * (double)h->count;

	if (!h->count)
		return 0;
	rank = (uint64_t)r;
	if ((double)rank < r)
		rank++;		/* ceil, without libm */
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < STATS_HBUCKETS; i++) {
		seen += h->b[i];
		if (seen < rank)
			continue;
		low = bucket_low(i, &width);
		v = low + width / 2;
		return v < h->max ? v : h->max;
	}
	return h->max;
}

unsigned int stats_hist_log2(const struct stats_hist *h, uint64_t out[STATS_LOG2])
{
	unsigned int n = 0;

	memset(out, 0, STATS_LOG2 * sizeof(out[0]));
	for (unsigned int i = 0; i < STATS_HBUCKETS; i++) {
		unsigned int l;

		if (!h->b[i])
			continue;
		l = bucket_log2(i);
		out[l] += h->b[i];
		if (l + 1 > n)
			n = l + 1;
	}
	return n;
}

/* ---- the kernel's counters ----------------------------------------------------------------- */

/*
 * The TCP MIB as Linux counts it (net/ipv4/, 5.10 to 6.18), one transition at a time:
 *
 * - ActiveOpens: tcp_connect() (tcp_output.c), once tcp_v4/v6_connect() has set SYN_SENT and taken
 *   a port. A connect() that fails before (no free port: inet_hash_connect()) goes back to CLOSE
 *   with tcp_set_state() and no SYN sent, its local port still 0: that CLOSE -> SYN_SENT is taken
 *   back (connects_failed).
 * - PassiveOpens: tcp_create_openreq_child() (tcp_minisocks.c), right after inet_csk_clone_lock()
 *   made the child: LISTEN -> SYN_RECV on the tracepoint.
 * - AttemptFails: tcp_done() (tcp.c) of a socket in SYN_SENT or SYN_RECV - the error paths
 *   (tcp_reset(): refused; tcp_write_err(): timeout; ICMP errors). close() or connect(AF_UNSPEC)
 *   on a connecting socket goes SYN_SENT -> CLOSE through tcp_set_state() alone, uncounted: it
 *   is the reason "unknown"; an ICMP error (EHOSTUNREACH ...) is "unreachable", counted. RFC 1213
 *   also counts SYN_RECV -> LISTEN, which Linux never makes.
 *   tcp_check_req() counts a request socket reset or SYN'd before its child exists: no
 *   transition we could see.
 * - EstabResets: tcp_set_state() (tcp.c), every ESTABLISHED or CLOSE_WAIT -> CLOSE.
 *
 * Only transitions the hook delivered count: an inferred close (the socket was destroyed while
 * we believed it open, its real path to CLOSE unseen) and a timewait minisocket's lines are not
 * the kernel's tcp_set_state() (the full socket's FIN_WAIT2 -> CLOSE became our -> TIME_WAIT).
 */
static void count_mib(struct stats_counters *c, const struct tcpstates_event *e,
		      uint64_t *connects_failed)
{
	unsigned int o = e->oldstate, n = e->newstate;

	if (o == TS_CLOSE && n == TS_SYN_SENT) {
		c->active_opens++;
	} else if (o == TS_LISTEN && n == TS_SYN_RECV) {
		c->passive_opens++;
	} else if (o == TS_SYN_SENT && n == TS_CLOSE) {
		if (e->sport == 0) {
			(*connects_failed)++;
			if (c->active_opens)
				c->active_opens--;
		} else if (e->reason == TS_R_REFUSED || e->reason == TS_R_TIMEOUT ||
			   e->reason == TS_R_RESET_RECEIVED || e->reason == TS_R_UNREACHABLE) {
			c->attempt_fails++;
		}
	} else if (o == TS_SYN_RECV && (n == TS_CLOSE || n == TS_LISTEN)) {
		c->attempt_fails++;
	} else if ((o == TS_ESTABLISHED || o == TS_CLOSE_WAIT) && n == TS_CLOSE) {
		c->estab_resets++;
	}
}

/*
 * The counter of this close's reason (STATS_COUNTER_LIST): each close has one reason, so a reset
 * received in SYN_SENT is "refused", not a reset received.
 */
static void count_reason(struct stats_counters *c, unsigned int reason)
{
#define STATS_REASON(name, counted, text, help)		\
	if (reason != TS_R_NONE && reason == (counted))	\
		c->name++;
	STATS_COUNTER_LIST(STATS_REASON)
#undef STATS_REASON
}

/* ---- the record ---------------------------------------------------------------------------- */

void stats_add(struct stats *st, const struct tcpstates_event *e)
{
	unsigned int o = e->oldstate, n = e->newstate;
	bool inferred = e->flags2 & TS_F2_INFERRED;
	struct stats_hist **h;

	/* a socket that existed at start is no transition; a state past our table cannot be one */
	if ((e->flags2 & TS_F2_SNAPSHOT) || o >= STATS_STATES || n >= STATS_STATES)
		return;
	st->transitions++;
	st->pairs[o][n]++;
	count_reason(&st->c, e->reason);
	if (!inferred && !(e->flags2 & TS_F2_TIMEWAIT))
		count_mib(&st->c, e, &st->connects_failed);
	/* an inferred close's time is the socket's destruction, not its change of state */
	if (!(e->flags & TS_F_DUR_KNOWN) || inferred)
		return;
	h = &st->dur[o][n];
	if (!*h)
		*h = calloc(1, sizeof(**h));
	if (*h)
		stats_hist_add(*h, e->dur_ns);
}

void stats_merge(struct stats *into, const struct stats *from)
{
#define STATS_SUM(name, reason, text, help) into->c.name += from->c.name;
	STATS_COUNTER_LIST(STATS_SUM)
#undef STATS_SUM
	into->transitions += from->transitions;
	into->connects_failed += from->connects_failed;
	for (unsigned int o = 0; o < STATS_STATES; o++) {
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			struct stats_hist **h = &into->dur[o][n];

			into->pairs[o][n] += from->pairs[o][n];
			if (!from->dur[o][n] || !from->dur[o][n]->count)
				continue;
			if (!*h)
				*h = calloc(1, sizeof(**h));
			if (*h)
				stats_hist_merge(*h, from->dur[o][n]);
		}
	}
}

void stats_reset(struct stats *st)
{
	memset(&st->c, 0, sizeof(st->c));
	memset(st->pairs, 0, sizeof(st->pairs));
	st->transitions = 0;
	st->connects_failed = 0;
	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++)
			if (st->dur[o][n])
				memset(st->dur[o][n], 0, sizeof(*st->dur[o][n]));
}

void stats_free(struct stats *st)
{
	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++)
			free(st->dur[o][n]);
	memset(st, 0, sizeof(*st));
}

const struct stats_hist *stats_pair_hist(const struct stats *st, unsigned int old, unsigned int new)
{
	const struct stats_hist *h;

	if (old >= STATS_STATES || new >= STATS_STATES)
		return NULL;
	h = st->dur[old][new];
	return h && h->count ? h : NULL;
}

void stats_state_hist(const struct stats *st, unsigned int state, struct stats_hist *out)
{
	memset(out, 0, sizeof(*out));
	if (state >= STATS_STATES)
		return;
	for (unsigned int n = 0; n < STATS_STATES; n++)
		if (st->dur[state][n])
			stats_hist_merge(out, st->dur[state][n]);
}
