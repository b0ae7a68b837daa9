// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_stuck.c - --stuck: the owner a report names among its holders, and the filters on it. */
#include <string.h>
#include <sys/socket.h>
#include "stuck.h"
#include "unit.h"

#define MAX_H 3

/*
 * A socket's remembered owner (pid 0: unknown; inherited: the listener's) and its holders now
 * (pids, ascending as a round sorts them; 0 ends the list), with the owner a report must name.
 */
struct naming {
	const char *what;
	uint32_t owner;
	bool inherited;
	uint32_t holders[MAX_H];
	uint32_t want_pid;		/* 0: none */
	bool want_holder;		/* owner "holder" (TS_F2_OWNER_HOLDER) */
};

static const struct naming namings[] = {
	{ "the owner holds it: kept", 100, false, { 100 }, 100, false },
	{ "the owner is one of several holders: kept", 300, false, { 100, 200, 300 }, 300, false },
	{ "a fork-per-connection server: the listener's owner holds it no more",
	  10, true, { 11, 12 }, 11, true },
	{ "the listener's owner still holds it (one process accepts): kept", 10, true, { 10 }, 10,
	  false },
	{ "unknown owner (met at the kernel's CLOSE_WAIT): the first holder", 0, false, { 11, 12 },
	  11, true },
	{ "an orphan: nobody holds it, the owner stays (maybe gone)", 100, false, { 0 }, 100, false },
	{ "unknown owner, no holder: stays unknown", 0, false, { 0 }, 0, false },
};

/* the event of a socket its row describes, and its holders; returns how many */
static uint32_t setup(uint32_t owner, bool inherited, const uint32_t *pids,
		      struct tcpstates_event *e, struct stuck_holder *h)
{
	uint32_t n = 0;

	memset(e, 0, sizeof(*e));
	e->family = AF_INET;
	e->newstate = TS_CLOSE_WAIT;
	e->sport = 9000;
	e->dport = 40000;
	if (owner) {
		e->pid = owner;
		e->cgroup_id = owner;	/* each process in a cgroup of its own pid's id */
		snprintf(e->comm, sizeof(e->comm), "p%u", owner);
		e->flags = TS_F_OWNER_KNOWN | (inherited ? TS_F_OWNER_INHERITED : 0);
		e->flags2 = TS_F2_CGROUP_IN;	/* the kernel's verdict about this owner */
	}
	for (; n < MAX_H && pids[n]; n++) {
		memset(&h[n], 0, sizeof(h[n]));
		h[n].pid = pids[n];
		h[n].cgroup_id = pids[n];
		snprintf(h[n].comm, sizeof(h[n].comm), "p%u", pids[n]);
	}
	return n;
}

static void test_naming(void)
{
	for (size_t i = 0; i < sizeof(namings) / sizeof(namings[0]); i++) {
		const struct naming *t = &namings[i];
		struct stuck_holder h[MAX_H];
		struct tcpstates_event e;
		uint32_t n = setup(t->owner, t->inherited, t->holders, &e, h);
		char comm[TCPSTATES_COMM_LEN];
		bool known, holder;

		stuck_name_owner(&e, n ? h : NULL, n);
		known = e.flags & TS_F_OWNER_KNOWN;
		holder = e.flags2 & TS_F2_OWNER_HOLDER;
		CHECK(known == !!t->want_pid && (!known || e.pid == t->want_pid),
		      "%s: pid %u (known %d), want %u", t->what, e.pid, known, t->want_pid);
		CHECK(holder == t->want_holder, "%s: owner holder %d, want %d", t->what, holder,
		      t->want_holder);
		snprintf(comm, sizeof(comm), "p%u", t->want_pid);
		if (t->want_pid)
			CHECK_STR(e.comm, comm, t->what);
		/* a holder named: its cgroup, and no verdict or kind left from the other owner */
		if (t->want_holder)
			CHECK(e.cgroup_id == t->want_pid && !(e.flags & TS_F_OWNER_INHERITED) &&
				      !(e.flags2 & TS_F2_CGROUP_IN),
			      "%s: cgroup %llu, flags %#x/%#x", t->what,
			      (unsigned long long)e.cgroup_id, e.flags, e.flags2);
	}
}

/* a report (remembered owner 10, inherited; holders 11, 12) under one filter */
struct shown_row {
	const char *what;
	uint32_t pid;			/* -p (0: none) */
	const char *comm;		/* -c (NULL: none) */
	uint64_t cgroup;		/* --cgroup: the only id in the tree (0: none) */
	bool want;
};

static const struct shown_row shown_rows[] = {
	{ "no filter", 0, NULL, 0, true },
	{ "-p the named owner (first holder)", 11, NULL, 0, true },
	{ "-p another holder", 12, NULL, 0, true },
	{ "-p the listener's owner, which holds it no more", 10, NULL, 0, false },
	{ "-p a stranger", 99, NULL, 0, false },
	{ "-c another holder's comm", 0, "p12", 0, true },
	{ "-c a stranger's comm", 0, "p99", 0, false },
	{ "--cgroup another holder's (the tree as /proc says, not the kernel's verdict)", 0, NULL,
	  12, true },
	{ "--cgroup the listener owner's", 0, NULL, 10, false },
};

static void test_shown(void)
{
	static const uint32_t pids[MAX_H] = { 11, 12 };

	for (size_t i = 0; i < sizeof(shown_rows) / sizeof(shown_rows[0]); i++) {
		const struct shown_row *t = &shown_rows[i];
		struct config cfg = { 0 };
		struct filter_targets tg = { 0 };
		struct filter f;
		struct stuck_holder h[MAX_H];
		struct tcpstates_event e;
		uint64_t tree = t->cgroup;
		uint32_t n = setup(10, true, pids, &e, h);
		bool got;

		cfg.has_pid = t->pid != 0;
		cfg.pid = t->pid;
		cfg.has_comm = t->comm != NULL;
		if (t->comm)
			snprintf(cfg.comm, sizeof(cfg.comm), "%s", t->comm);
		if (t->cgroup) {
			tg.cgroup.id = t->cgroup;
			tg.cgroup.ids = &tree;
			tg.cgroup.n = 1;
			tg.cgroup.in_kernel = true;
		}
		filter_init(&f, &cfg, &tg, NULL);
		stuck_name_owner(&e, h, n);
		got = stuck_shown(&f, &e, h, n);
		CHECK(got == t->want, "%s: shown %d, want %d", t->what, got, t->want);
	}
}

/* the record as a transition would be filtered: an unknown owner and no holder matches no -p */
static void test_shown_no_holders(void)
{
	struct config cfg = { .has_pid = true, .pid = 11 };
	const struct filter_targets tg = { 0 };
	struct filter f;
	struct stuck_holder h[MAX_H];
	struct tcpstates_event e;
	static const uint32_t none[MAX_H] = { 0 };

	setup(0, false, none, &e, h);
	stuck_name_owner(&e, NULL, 0);
	filter_init(&f, &cfg, &tg, NULL);
	CHECK(!stuck_shown(&f, &e, NULL, 0), "-p 11, owner unknown, no holder: not shown");
	cfg.has_pid = false;
	CHECK(stuck_shown(&f, &e, NULL, 0), "no filter, owner unknown, no holder: shown");
}

/* the diagnosis: the first that applies, each row a case an operator meets */
static void test_diagnose(void)
{
	static const struct {
		const char *what;
		uint8_t state;
		bool read_now;
		uint32_t owner_pid, holders_total, unread;
		int8_t eof_read;
		uint32_t holders[2];
		enum stuck_diagnosis want;
	} rows[] = {
		{ "not read now", TS_CLOSE_WAIT, false, 11, 1, 5, 0, { 11 }, STUCK_DX_NONE },
		{ "no holder", TS_CLOSE_WAIT, true, 11, 0, 5, 0, { 0 }, STUCK_DX_ORPHAN },
		{ "held by a child only", TS_CLOSE_WAIT, true, 11, 1, 0, 0, { 12 }, STUCK_DX_INHERITED },
		{ "held by the owner and a child", TS_CLOSE_WAIT, true, 11, 2, 0, 1, { 11, 12 },
		  STUCK_DX_EOF_READ_NOT_CLOSED },
		{ "a listener's socket, a worker holds it", TS_CLOSE_WAIT, true, 0, 1, 0, 0, { 12 },
		  STUCK_DX_EOF_UNREAD },
		{ "more holders than listed: the owner may be among them", TS_CLOSE_WAIT, true, 11, 17,
		  0, 0, { 12, 13 }, STUCK_DX_EOF_UNREAD },
		{ "100 bytes unread", TS_CLOSE_WAIT, true, 11, 1, 100, 0, { 11 }, STUCK_DX_DATA_UNREAD },
		{ "read all, not the FIN", TS_CLOSE_WAIT, true, 11, 1, 0, 0, { 11 }, STUCK_DX_EOF_UNREAD },
		{ "read the FIN", TS_CLOSE_WAIT, true, 11, 1, 0, 1, { 11 },
		  STUCK_DX_EOF_READ_NOT_CLOSED },
		{ "an orphan in FIN_WAIT2", TS_FIN_WAIT2, true, 11, 0, 0, -1, { 0 },
		  STUCK_DX_PEER_SILENT },
		{ "LAST_ACK", TS_LAST_ACK, true, 11, 0, 0, 1, { 0 }, STUCK_DX_PEER_SILENT },
		{ "SYN_SENT, held", TS_SYN_SENT, true, 11, 1, 0, -1, { 11 }, STUCK_DX_PEER_SILENT },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stuck_holder h[2] = { { .pid = rows[i].holders[0] }, { .pid = rows[i].holders[1] } };
		struct stuck_report r = {
			.read_now = rows[i].read_now,
			.owner_pid = rows[i].owner_pid,
			.holders_total = rows[i].holders_total,
			.n_holders = rows[i].holders_total > 2 ? 2 : rows[i].holders_total,
			.unread_bytes = rows[i].unread,
			.eof_read = rows[i].eof_read,
		};
		enum stuck_diagnosis got;

		r.e.newstate = rows[i].state;
		got = stuck_diagnose(&r, h);
		CHECK(got == rows[i].want, "%s: %s (want %s)", rows[i].what,
		      stuck_diagnosis_word(got) ? stuck_diagnosis_word(got) : "null",
		      stuck_diagnosis_word(rows[i].want) ? stuck_diagnosis_word(rows[i].want) : "null");
	}
}

int main(void)
{
	test_naming();
	test_diagnose();
	test_shown();
	test_shown_no_holders();
	return UNIT_DONE();
}
