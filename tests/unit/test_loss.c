// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_loss.c - the list of loss causes: names, units, arrays, deltas and texts from one list. */
#include <stdint.h>
#include <string.h>
#include "loss.h"
#include "unit.h"

/* the list as the records, the closing line and the metrics name it, in their order */
static const struct {
	const char *name, *unit;
} want[] = {
	{ "rb_full", "transitions" },	{ "recursion_misses", "transitions" },
	{ "unseen", "sockets" },	{ "not_written", "lines" },
	{ "filter_dropped", "lines" },	{ "map_full", "sockets" },
	{ "conn_lost", "connections" },
};

static void test_list(void)
{
	const struct loss_counts l = { 1, 2, 3, 4, 5, 6, 7 };
	uint64_t v[LOSS_CAUSES];

	CHECK(LOSS_CAUSES == sizeof(want) / sizeof(want[0]), "%d causes", LOSS_CAUSES);
	loss_values(&l, v);
	for (int i = 0; i < LOSS_CAUSES && i < (int)(sizeof(want) / sizeof(want[0])); i++) {
		CHECK_STR(loss_names[i], want[i].name, "name");
		CHECK_STR(loss_units[i], want[i].unit, want[i].name);
		CHECK(v[i] == (uint64_t)i + 1, "%s: value %llu, want %d", want[i].name,
		      (unsigned long long)v[i], i + 1);
	}
	CHECK(v[LOSS_map_full] == l.map_full, "an index per cause");
}

static void test_since(void)
{
	const struct loss_counts before = { 10, 20, 30, 40, 50, 60 };
	struct loss_counts now = before, d;

	memset(&d, 0xff, sizeof(d));
	CHECK(!loss_since(&d, &now, &before), "nothing moved");
	CHECK(!d.rb_full && !d.map_full, "a zero delta");
	now.unseen += 7;
	now.map_full += 1;
	CHECK(loss_since(&d, &now, &before), "two causes moved");
	CHECK(d.unseen == 7 && d.map_full == 1 && !d.rb_full && !d.not_written, "their deltas");
}

static void test_texts(void)
{
	const struct loss_counts l = { 1, 0, 3, 0, 5, 60, 2 };
	char buf[256];

	loss_text(&l, buf, sizeof(buf));
	CHECK_STR(buf, "rb_full 1, recursion_misses 0, unseen 3, not_written 0, "
		       "filter_dropped 5, map_full 60, conn_lost 2", "loss_text");
	loss_units_text(buf, sizeof(buf));
	CHECK_STR(buf, "rb_full and recursion_misses transitions, unseen and map_full sockets, "
		       "not_written and filter_dropped lines, conn_lost connections",
		  "loss_units_text");
	/* cut short, still a string */
	loss_units_text(buf, 12);
	CHECK(strlen(buf) == 11, "cut: '%s'", buf);
}

int main(void)
{
	test_list();
	test_since();
	test_texts();
	return UNIT_DONE();
}
