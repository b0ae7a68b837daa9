// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * test_timewait.c - the kill sweep over tw_pending: which records are old enough to be kills, and
 * the FIN_WAIT2 -> TIME_WAIT it reports before a kill that came right after an unseen FIN.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "timefmt.h"
#include "timewait.h"
#include "unit.h"

static struct tcpstates_event emitted[8];
static int n_emitted;
static uint64_t sum_emitted;	/* of the cookies emitted: each once, none other */

static int on_emit(void *ctx, const struct tcpstates_event *e, uint64_t key)
{
	if (n_emitted < 8)
		emitted[n_emitted] = *e;
	n_emitted++;
	sum_emitted += e->cookie;
	return 0;
}

static int map(const char *name, uint32_t value_size)
{
	return bpf_map_create(BPF_MAP_TYPE_HASH, name, sizeof(uint64_t), value_size, 64, NULL);
}

/*
 * A record is a kill once TS_TW_KILL_NS passed since its cancel. A record stamped by the kernel
 * after the sweep read its clock is newer than `now`: not old, however the subtraction wraps.
 */
static const struct {
	const char *name;
	int64_t age_ns;		/* now - ts_ns at the sweep's clock read (negative: later) */
	int emitted;
} ages[] = {
	{ "cancelled a second ago", 1000000000, 1 },
	{ "cancelled just now", 0, 0 },
	{ "younger than TS_TW_KILL_NS", (int64_t)TS_TW_KILL_NS / 2, 0 },
	{ "stamped after the clock read (1 ms)", -1000000, 0 },
	{ "stamped after the clock read (1 s)", -1000000000, 0 },
};

static void test_ages(int pending, int info, int waiting)
{
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		uint64_t key = 1000 + i, now = clock_ns(CLOCK_MONOTONIC);
		struct tcpstates_event e = { .cookie = key, .ts_ns = now - ages[i].age_ns };
		int got;

		n_emitted = 0;
		CHECK(!bpf_map_update_elem(pending, &key, &e, BPF_ANY), "%s: map update", ages[i].name);
		got = timewait_sweep(pending, info, waiting, on_emit, NULL);
		CHECK(got == ages[i].emitted && n_emitted == got, "%s: %d emitted, want %d",
		      ages[i].name, n_emitted, ages[i].emitted);
		if (got == 1)
			CHECK(emitted[0].cookie == key, "%s: emitted %llu", ages[i].name,
			      (unsigned long long)emitted[0].cookie);
		bpf_map_delete_elem(pending, &key);
	}
}

/*
 * A kill right after a FIN the BPF side could not see (TS_F2_FIN_UNSEEN): the FIN came dur_ns
 * before the kill, within precision_ns. Two lines, in order: FIN_WAIT2 -> TIME_WAIT (its duration
 * from tw_info's entry into FIN_WAIT2, when there is one), then the kill, exact.
 */
static void test_fin_unseen(int pending, int info, int waiting, bool with_info)
{
	const char *what = with_info ? "FIN unseen" : "FIN unseen, no tw_info";
	uint64_t key = 77, now = clock_ns(CLOCK_MONOTONIC), kill = now - 1000000000;
	struct tcpstates_event e = {
		.cookie = key, .ts_ns = kill, .dur_ns = 300000000, .precision_ns = 4000000,
		.oldstate = TS_TIME_WAIT, .newstate = TS_CLOSE, .reason = TS_R_UNKNOWN,
		.flags = TS_F_DUR_KNOWN | TS_F_OWNER_KNOWN, .flags2 = TS_F2_TIMEWAIT | TS_F2_FIN_UNSEEN,
		.pid = 4242,
	};
	struct tcpstates_tw_info ti = { .entered_ns = kill - 500000000, .substate = TS_FIN_WAIT2 };
	const struct tcpstates_event *f = &emitted[0], *k = &emitted[1];

	n_emitted = 0;
	CHECK(!bpf_map_update_elem(pending, &key, &e, BPF_ANY), "%s: map update", what);
	if (with_info)
		CHECK(!bpf_map_update_elem(info, &key, &ti, BPF_ANY), "%s: tw_info update", what);
	CHECK(timewait_sweep(pending, info, waiting, on_emit, NULL) == 2 && n_emitted == 2,
	      "%s: 2 lines, got %d", what, n_emitted);
	if (n_emitted != 2)
		return;
	CHECK(f->oldstate == TS_FIN_WAIT2 && f->newstate == TS_TIME_WAIT && f->reason == TS_R_NONE,
	      "%s: first FIN_WAIT2 -> TIME_WAIT, no reason (%d -> %d, %d)", what, f->oldstate,
	      f->newstate, f->reason);
	CHECK(f->ts_ns == kill - 300000000 && f->precision_ns == 4000000,
	      "%s: FIN at the kill - dur_ns, within precision_ns", what);
	if (with_info)
		CHECK((f->flags & TS_F_DUR_KNOWN) && f->dur_ns == 200000000,
		      "%s: FIN_WAIT2 lasted from tw_info's entry (%llu)", what,
		      (unsigned long long)f->dur_ns);
	else
		CHECK(!(f->flags & TS_F_DUR_KNOWN) && !f->dur_ns, "%s: FIN_WAIT2 duration unknown", what);
	CHECK(f->pid == 4242 && (f->flags & TS_F_OWNER_KNOWN) && f->cookie == key,
	      "%s: FIN line keeps the socket and owner", what);
	CHECK(k->oldstate == TS_TIME_WAIT && k->newstate == TS_CLOSE && k->reason == TS_R_UNKNOWN &&
	      k->ts_ns == kill && k->dur_ns == 300000000 && k->precision_ns == 0,
	      "%s: then TIME_WAIT -> CLOSE at the kill, exact, TIME_WAIT since the FIN", what);
	CHECK(!(f->flags2 & TS_F2_FIN_UNSEEN) && !(k->flags2 & TS_F2_FIN_UNSEEN) &&
	      (f->flags2 & TS_F2_TIMEWAIT) && (k->flags2 & TS_F2_TIMEWAIT),
	      "%s: the internal flag never goes out", what);
	CHECK(bpf_map_lookup_elem(info, &key, &ti) && bpf_map_lookup_elem(pending, &key, &e),
	      "%s: tw_pending and tw_info forgotten", what);
}

/*
 * Many records at once, more than one batch of the batched read (and read key by key, as before
 * 5.6): exactly the old ones are emitted (each once) and forgotten everywhere; the young stay.
 */
static void test_many(bool key_by_key)
{
	const char *what = key_by_key ? "200 records, key by key" : "200 records, in batches";
	int pending = bpf_map_create(BPF_MAP_TYPE_HASH, "tw_pending", sizeof(uint64_t),
				     sizeof(struct tcpstates_event), 256, NULL);
	int info = map("tw_info", sizeof(struct tcpstates_tw_info));
	int waiting = bpf_map_create(BPF_MAP_TYPE_HASH, "tw_waiting", sizeof(uint64_t),
				     sizeof(struct tcpstates_tw_wait), 256, NULL);
	uint64_t now = clock_ns(CLOCK_MONOTONIC), sum = 0, want = 0, key;
	struct tcpstates_tw_wait tw = { 0 };
	struct tcpstates_event e;
	bool again;
	int got, left = 0, waiting_left = 0;

	CHECK(pending >= 0 && info >= 0 && waiting >= 0, "%s: maps", what);
	timewait_no_batch = key_by_key;
	for (uint64_t k = 1; k <= 200; k++) {
		/* every third one young; every one also waiting (deleted with the kill) */
		e = (struct tcpstates_event){ .cookie = k, .ts_ns = k % 3 ? now - 1000000000 : now };
		bpf_map_update_elem(pending, &k, &e, BPF_ANY);
		bpf_map_update_elem(waiting, &k, &tw, BPF_ANY);
		want += k % 3 ? k : 0;
	}
	n_emitted = 0;
	sum_emitted = 0;
	got = timewait_sweep(pending, info, waiting, on_emit, NULL);
	sum = sum_emitted;
	CHECK(got == 134 && n_emitted == 134 && sum == want,
	      "%s: the 134 old ones emitted (%d, %d; cookie sum %llu, want %llu)", what, got,
	      n_emitted, (unsigned long long)sum, (unsigned long long)want);
	for (uint64_t k = 1; k <= 200; k++) {
		key = k;
		left += !bpf_map_lookup_elem(pending, &key, &e);
		waiting_left += !bpf_map_lookup_elem(waiting, &key, &tw);
	}
	CHECK(left == 66 && waiting_left == 66, "%s: the 66 young stay (%d pending, %d waiting)",
	      what, left, waiting_left);
	n_emitted = 0;
	again = timewait_sweep(pending, info, waiting, on_emit, NULL) != 0 || n_emitted;
	CHECK(!again, "%s: a second sweep emits nothing", what);
	timewait_no_batch = false;
	close(pending);
	close(info);
	close(waiting);
}

int main(void)
{
	int pending = map("tw_pending", sizeof(struct tcpstates_event));
	int info = map("tw_info", sizeof(struct tcpstates_tw_info));
	int waiting = map("tw_waiting", sizeof(struct tcpstates_tw_wait));

	CHECK(pending >= 0 && info >= 0 && waiting >= 0, "BPF hash maps (root needed)");
	if (pending >= 0 && info >= 0 && waiting >= 0)
		test_ages(pending, info, waiting);
	if (pending >= 0 && info >= 0 && waiting >= 0) {
		test_fin_unseen(pending, info, waiting, true);
		test_fin_unseen(pending, info, waiting, false);
		test_many(false);
		CHECK(!timewait_no_batch, "batch lookup works on this kernel");
		test_many(true);
	}
	return UNIT_DONE();
}
