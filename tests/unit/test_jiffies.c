// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_jiffies.c - HZ from a kernel config's text and from (jiffies64, ktime_ns) pairs. */
#include <stdint.h>
#include "jiffies.h"
#include "unit.h"

#define S 1000000000ULL

/*
 * Pairs as the kernel gives them: jiffies64 = 2^32 - 300 * HZ (INITIAL_JIFFIES) + uptime * HZ,
 * a quarter second behind the monotonic clock (as measured on the 6.18 host: 64 jiffies at 250).
 */
static const struct {
	uint64_t jiffies64;
	uint64_t ktime_ns;
	unsigned int hz;	/* what the pair says; 0: nothing */
	const char *what;
} pairs[] = {
	{ 4294937371ULL, 1 * S, 100, "HZ=100 at 1 s" },
	{ 4294943271ULL, 60 * S, 100, "HZ=100 at 60 s" },
	{ 4295027271ULL, 900 * S, 100, "HZ=100 at 15 min" },
	{ 4303577271ULL, 86400 * S, 100, "HZ=100 at a day" },
	{ 7750937271ULL, 34560000 * S, 100, "HZ=100 at 400 days" },
	{ 4294892484ULL, 1 * S, 250, "HZ=250 at 1 s" },
	{ 4294907234ULL, 60 * S, 250, "HZ=250 at 60 s" },
	{ 4295117234ULL, 900 * S, 250, "HZ=250 at 15 min" },
	{ 4316492234ULL, 86400 * S, 250, "HZ=250 at a day" },
	{ 12934892234ULL, 34560000 * S, 250, "HZ=250 at 400 days" },
	{ 4294877521ULL, 1 * S, 300, "HZ=300 at 1 s" },
	{ 4294895221ULL, 60 * S, 300, "HZ=300 at 60 s" },
	{ 4295147221ULL, 900 * S, 300, "HZ=300 at 15 min" },
	{ 4320797221ULL, 86400 * S, 300, "HZ=300 at a day" },
	{ 14662877221ULL, 34560000 * S, 300, "HZ=300 at 400 days" },
	{ 4294668046ULL, 1 * S, 1000, "HZ=1000 at 1 s" },
	{ 4294727046ULL, 60 * S, 1000, "HZ=1000 at 60 s" },
	{ 4295567046ULL, 900 * S, 1000, "HZ=1000 at 15 min" },
	{ 4381067046ULL, 86400 * S, 1000, "HZ=1000 at a day" },
	{ 38854667046ULL, 34560000 * S, 1000, "HZ=1000 at 400 days" },
	/* the host's /proc/timer_list: "now at 32352636534220 nsecs", "jiffies: 4302980391" */
	{ 4302980391ULL, 32352636534220ULL, 250, "the 6.18 host, HZ=250" },
	/* near 300 s of uptime every HZ puts jiffies near 2^32: not to be told apart */
	{ 4294967296ULL, 300 * S, 0, "300 s: all fit" },
	{ 4294968546ULL, 305 * S, 0, "305 s at 250: 300 fits too (250 jiffies apart)" },
	{ 4294966046ULL, 295 * S, 0, "295 s at 250" },
	/* nonsense */
	{ 0, 0, 0, "zeros" },
	{ 0, 3600 * S, 0, "no jiffies" },
	{ 4294967296ULL, 0, 0, "no ktime" },
	{ 12345, 3600 * S, 0, "jiffies far below any HZ's" },
	{ UINT64_MAX, 3600 * S, 0, "jiffies far above" },
	{ 4295117234ULL + 2000, 900 * S, 0, "HZ=250 at 15 min, 8 s off: no fit" },
};

static void test_infer(void)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		unsigned int hz = jiffies_hz_infer(pairs[i].jiffies64, pairs[i].ktime_ns);

		CHECK(hz == pairs[i].hz, "%s: got %u, want %u", pairs[i].what, hz, pairs[i].hz);
	}
}

static const struct {
	const char *text;
	unsigned int hz;
} configs[] = {
	{ "CONFIG_HZ_250=y\nCONFIG_HZ=250\n", 250 },
	{ "# CONFIG_HZ_PERIODIC is not set\nCONFIG_NO_HZ_IDLE=y\nCONFIG_HZ_1000=y\nCONFIG_HZ=1000", 1000 },
	{ "CONFIG_HZ=100\n", 100 },
	{ "CONFIG_SCHED_HZ=300\nCONFIG_HZ=300\n", 300 },	/* not the end of another name */
	{ "CONFIG_HZ_300=y\n", 0 },
	{ "CONFIG_HZ=\n", 0 },
	{ "CONFIG_HZ=25O\n", 0 },
	{ "CONFIG_HZ=0\n", 0 },
	{ "", 0 },
};

static void test_config(void)
{
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		unsigned int hz = jiffies_hz_config(configs[i].text);

		CHECK(hz == configs[i].hz, "config '%s': got %u, want %u", configs[i].text, hz,
		      configs[i].hz);
	}
}

/* whatever the source, the answer is one of the four and is kept: later pairs do not change it */
static void test_remembered(void)
{
	unsigned int hz = jiffies_hz(4302980391ULL, 32352636534220ULL);

	CHECK(hz == 100 || hz == 250 || hz == 300 || hz == 1000 || hz == 0, "hz %u", hz);
	if (hz)
		CHECK(jiffies_hz(4294967296ULL, 300 * S) == hz, "remembered %u", hz);
}

int main(void)
{
	test_infer();
	test_config();
	test_remembered();
	return UNIT_DONE();
}
