// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_stuck_table.c - the --stuck table: what enters, replaces, removes a socket; due order. */
#include <stdlib.h>
#include <string.h>
#include "stuck_table.h"
#include "unit.h"

static struct tcpstates_event ev(uint64_t cookie, int oldstate, int newstate, uint64_t ts, int snap)
{
	struct tcpstates_event e;

	memset(&e, 0, sizeof(e));
	e.cookie = cookie;
	e.skaddr = 0xffff000000000000ULL + cookie * 64;
	e.flags = cookie ? TS_F_COOKIE_KNOWN : 0;
	e.flags2 = snap ? TS_F2_SNAPSHOT : 0;
	e.oldstate = oldstate;
	e.newstate = newstate;
	e.ts_ns = ts;
	return e;
}

/* a table of records, in order, and what the table holds after each */
static void scenarios(void)
{
	static const struct {
		const char *what;
		int oldstate, newstate, snap;
		uint64_t ts;
		int want_n;		/* entries after the record */
		uint64_t want_since;	/* the entry's ts_ns (0: none) */
		int want_lower;
	} rows[] = {
		{ "ESTABLISHED is not followed", TS_SYN_SENT, TS_ESTABLISHED, 0, 10, 0, 0, 0 },
		{ "into CLOSE_WAIT: followed", TS_ESTABLISHED, TS_CLOSE_WAIT, 0, 20, 1, 20, 0 },
		{ "a snapshot of it adds nothing", 0, TS_CLOSE_WAIT, 1, 25, 1, 20, 0 },
		{ "into LAST_ACK: a new state, a new since", TS_CLOSE_WAIT, TS_LAST_ACK, 0, 30, 1, 30, 0 },
		{ "into CLOSE: removed", TS_LAST_ACK, TS_CLOSE, 0, 40, 0, 0, 0 },
		{ "a snapshot of a FIN_WAIT2: lower bound", 0, TS_FIN_WAIT2, 1, 50, 1, 50, 1 },
		{ "its TIME_WAIT: removed", TS_FIN_WAIT2, TS_TIME_WAIT, 0, 60, 0, 0, 0 },
		{ "SYN_SENT followed", TS_CLOSE, TS_SYN_SENT, 0, 70, 1, 70, 0 },
		{ "a snapshot never removes", 0, TS_ESTABLISHED, 1, 75, 1, 70, 0 },
	};
	struct stuck_table t;

	stuck_table_init(&t, 16);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tcpstates_event e = ev(7, rows[i].oldstate, rows[i].newstate, rows[i].ts,
					      rows[i].snap);
		struct sock_entry *s;

		stuck_table_update(&t, &e, 100);
		s = stuck_table_find(&t, 7);
		CHECK((int)t.n == rows[i].want_n, "%s: %u entries, want %d", rows[i].what, t.n,
		      rows[i].want_n);
		CHECK(!s == !rows[i].want_n, "%s: found %s", rows[i].what, s ? "yes" : "no");
		if (rows[i].want_n && s) {
			CHECK(s->e.ts_ns == rows[i].want_since, "%s: since %llu", rows[i].what,
			      (unsigned long long)s->e.ts_ns);
			CHECK(s->lower_bound == rows[i].want_lower, "%s: lower bound", rows[i].what);
			CHECK(s->due_ns == rows[i].want_since + 100, "%s: due", rows[i].what);
		}
	}
	stuck_table_free(&t);
}

/* many sockets, due in time order whatever the order they came in; removal keeps the heap */
static void due_order(void)
{
	enum { N = 5000 };
	struct stuck_table t;
	uint64_t last = 0;
	int n = 0, ok = 1;

	stuck_table_init(&t, N);
	for (int i = 0; i < N; i++) {
		struct tcpstates_event e = ev(i + 1, TS_ESTABLISHED, TS_CLOSE_WAIT,
					      (uint64_t)(i * 7919 % N) * 10, 0);

		stuck_table_update(&t, &e, 1000);
	}
	CHECK(t.n == N, "all %d followed (%u)", N, t.n);
	for (int i = 0; i < N; i += 3) {
		struct tcpstates_event e = ev(i + 1, TS_CLOSE_WAIT, TS_LAST_ACK, 1, 0);
		struct tcpstates_event c = ev(i + 1, TS_LAST_ACK, TS_CLOSE, 2, 0);

		stuck_table_update(&t, &e, 1000000000);	/* re-entered, due much later */
		stuck_table_update(&t, &c, 1000);		/* and gone */
	}
	struct sock_entry *s;

	while ((s = stuck_table_due(&t, UINT64_MAX - 1))) {
		ok &= s->due_ns >= last;
		last = s->due_ns;
		stuck_table_schedule(&t, s, 0);
		n++;
	}
	CHECK(ok, "due in order");
	CHECK(n == N - (N + 2) / 3, "every remaining one due once (%d)", n);
	/* the entries removed above freed room: refill it to max, then one more is refused */
	ok = 1;
	for (int i = 0; i < N; i += 3) {
		struct tcpstates_event e = ev(N + 1 + i, TS_ESTABLISHED, TS_CLOSE_WAIT, 1, 0);

		ok &= stuck_table_update(&t, &e, 1) != NULL;
	}
	CHECK(ok, "refilled: each new one followed");
	CHECK(t.n == N && t.not_tracked == 0, "full: %u of %d, %llu not followed", t.n, N,
	      (unsigned long long)t.not_tracked);
	{
		struct tcpstates_event e = ev(2 * N + 1, TS_ESTABLISHED, TS_CLOSE_WAIT, 1, 0);

		CHECK(!stuck_table_update(&t, &e, 1) && t.n == N && t.not_tracked == 1,
		      "bounded: one past max not followed (%u, %llu not followed)", t.n,
		      (unsigned long long)t.not_tracked);
	}
	stuck_table_free(&t);
}

static void bounded(void)
{
	struct stuck_table t;

	stuck_table_init(&t, 4);
	for (int i = 0; i < 6; i++) {
		struct tcpstates_event e = ev(i + 1, TS_ESTABLISHED, TS_FIN_WAIT1, 1, 0);

		stuck_table_update(&t, &e, 1);
	}
	CHECK(t.n == 4 && t.not_tracked == 2, "at most max followed, the rest counted (%u, %llu)",
	      t.n, (unsigned long long)t.not_tracked);
	stuck_table_free(&t);
}

int main(void)
{
	scenarios();
	due_order();
	bounded();
	return UNIT_DONE();
}
