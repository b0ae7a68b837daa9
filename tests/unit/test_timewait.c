// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_timewait.c - the kill sweep over tw_pending: which records are old enough to be kills. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "timefmt.h"
#include "timewait.h"
#include "unit.h"

static uint64_t emitted[8];
static int n_emitted;

static int on_emit(void *ctx, const struct tcpstates_event *e)
{
	if (n_emitted < 8)
		emitted[n_emitted] = e->cookie;
	n_emitted++;
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
			CHECK(emitted[0] == key, "%s: emitted %llu", ages[i].name,
			      (unsigned long long)emitted[0]);
		bpf_map_delete_elem(pending, &key);
	}
}

int main(void)
{
	int pending = map("tw_pending", sizeof(struct tcpstates_event));
	int info = map("tw_info", sizeof(struct tcpstates_tw_info));
	int waiting = map("tw_waiting", sizeof(struct tcpstates_tw_wait));

	CHECK(pending >= 0 && info >= 0 && waiting >= 0, "BPF hash maps (root needed)");
	if (pending >= 0 && info >= 0 && waiting >= 0)
		test_ages(pending, info, waiting);
	return UNIT_DONE();
}
