// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_states.c - state names: every known number, unknown numbers, and the name parser. */
#include <string.h>
#include <linux/types.h>
#include "states.h"
#include "tcpstates.h"
#include "unit.h"

static const struct {
	unsigned int state;
	const char *name;
} known[] = {
	{ TS_ESTABLISHED, "ESTABLISHED" },
	{ TS_SYN_SENT, "SYN_SENT" },
	{ TS_SYN_RECV, "SYN_RECV" },
	{ TS_FIN_WAIT1, "FIN_WAIT1" },
	{ TS_FIN_WAIT2, "FIN_WAIT2" },
	{ TS_TIME_WAIT, "TIME_WAIT" },
	{ TS_CLOSE, "CLOSE" },
	{ TS_CLOSE_WAIT, "CLOSE_WAIT" },
	{ TS_LAST_ACK, "LAST_ACK" },
	{ TS_LISTEN, "LISTEN" },
	{ TS_CLOSING, "CLOSING" },
	{ TS_NEW_SYN_RECV, "NEW_SYN_RECV" },
};

#define N_KNOWN (sizeof(known) / sizeof(known[0]))

static void test_names(void)
{
	char buf[STATE_NAME_MAX];

	CHECK(N_KNOWN == TS_MAX_STATE - 1, "table covers states 1..%d", TS_MAX_STATE - 1);
	for (size_t i = 0; i < N_KNOWN; i++) {
		/* a poisoned buffer shows whether a known name wrongly took the unknown path */
		memset(buf, 'X', sizeof(buf));
		CHECK_STR(state_name(known[i].state, buf, sizeof(buf)), known[i].name,
			  known[i].name);
		CHECK(buf[0] == 'X', "%s: buf written", known[i].name);
	}
}

static void test_unknown(void)
{
	static const unsigned int nums[] = { 0, TS_MAX_STATE, 255, 1000, 4294967295u };
	static const char *const want[] = { "UNKNOWN(0)", "UNKNOWN(13)", "UNKNOWN(255)",
					    "UNKNOWN(1000)", "UNKNOWN(4294967295)" };
	char buf[STATE_NAME_MAX + 8];

	for (int i = 0; i < 5; i++) {
		const char *got;

		/* STATE_NAME_MAX is promised to fit UNKNOWN(255); the guard bytes must survive */
		memset(buf, '#', sizeof(buf));
		got = state_name(nums[i], buf, nums[i] <= 255 ? STATE_NAME_MAX : sizeof(buf));
		CHECK(got == buf, "%u: returned a static name", nums[i]);
		CHECK_STR(got, want[i], want[i]);
		if (nums[i] <= 255)
			CHECK(buf[STATE_NAME_MAX] == '#', "%u: wrote past STATE_NAME_MAX", nums[i]);
	}
	/* a short buffer is truncated, not overrun */
	memset(buf, '#', sizeof(buf));
	CHECK_STR(state_name(255, buf, 5), "UNKN", "truncated");
	CHECK(buf[5] == '#', "truncated: wrote past len");
}

static void test_parse_good(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
		{ "fin_wait1", TS_FIN_WAIT1 },	{ "Established", TS_ESTABLISHED },
		{ "listen", TS_LISTEN },	{ "FIN-WAIT-1", TS_FIN_WAIT1 },
		{ "fin-wait-2", TS_FIN_WAIT2 }, { "FIN_WAIT_2", TS_FIN_WAIT2 },
		{ "FIN-WAIT2", TS_FIN_WAIT2 },	{ "SYN-RECV", TS_SYN_RECV },
		{ "syn-sent", TS_SYN_SENT },	{ "CLOSE-WAIT", TS_CLOSE_WAIT },
		{ "LAST-ACK", TS_LAST_ACK },	{ "TIME-WAIT", TS_TIME_WAIT },
		{ "close", TS_CLOSE },		{ "closing", TS_CLOSING },
		{ "new-syn-recv", TS_NEW_SYN_RECV },
	};

	/* every canonical name round-trips */
	for (size_t i = 0; i < N_KNOWN; i++)
		CHECK(state_parse(known[i].name) == (int)known[i].state, "%s: got %d",
		      known[i].name, state_parse(known[i].name));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(state_parse(rows[i].in) == rows[i].want, "%s: got %d, want %d", rows[i].in,
		      state_parse(rows[i].in), rows[i].want);
}

static void test_parse_bad(void)
{
	static const char *const rows[] = {
		"", "FIN_WAIT3", "ESTABLISHEDX", "LISTE", "FIN_WAIT", "FIN_WAIT_", "FIN__WAIT1",
		"FIN_WAIT__1", "FINWAIT1", "FIN_WAIT-", "CLOSE_", "CLOSE WAIT", " LISTEN",
		"LISTEN ", "UNKNOWN(1)", "1", "ESTABLISHED,LISTEN", "_", "-",
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(state_parse(rows[i]) == -1, "'%s': got %d, want -1", rows[i],
		      state_parse(rows[i]));
}

int main(void)
{
	test_names();
	test_unknown();
	test_parse_good();
	test_parse_bad();
	return UNIT_DONE();
}
