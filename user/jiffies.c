// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* jiffies.c - the kernel's HZ: from its config if one is readable, else from the clocks. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "jiffies.h"

/* the HZ a kernel can be built with (kernel/Kconfig.hz) */
static const unsigned int hz_choices[] = { 100, 250, 300, 1000 };

/*
 * How far jiffies may be from the prediction, in seconds' worth: jiffies start ticking before
 * the monotonic clock does and count whole ticks (measured 0.26 s behind it on the 6.18 host).
 */
#define HZ_SLACK_S 2

unsigned int jiffies_hz_config(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "CONFIG_HZ="))) {
		/* a line of its own: not CONFIG_HZ_PERIODIC=... nor the end of another name */
		if (p == text || p[-1] == '\n') {
			char *end;
			unsigned long hz = strtoul(p + 10, &end, 10);

			if (end != p + 10 && (*end == '\n' || !*end) && hz > 0 && hz <= 100000)
				return (unsigned int)hz;
		}
		p += 10;
	}
	return 0;
}

/* the kernel jiffies of ktime_ns nanoseconds after boot at hz: INITIAL_JIFFIES, -300 s worth */
static uint64_t predict(uint64_t ktime_ns, unsigned int hz)
{
	uint64_t initial = (uint32_t)-(int32_t)(300 * hz);

	/* in two parts: ktime_ns * hz overflows after 213 days at HZ=1000 */
	return initial + ktime_ns / 1000000000 * hz + ktime_ns % 1000000000 * hz / 1000000000;
}

unsigned int jiffies_hz_infer(uint64_t jiffies64, uint64_t ktime_ns)
{
	unsigned int found = 0;

	if (!jiffies64 || !ktime_ns)
		return 0;
	for (size_t i = 0; i < sizeof(hz_choices) / sizeof(hz_choices[0]); i++) {
		unsigned int hz = hz_choices[i];
		uint64_t want = predict(ktime_ns, hz);
		uint64_t d = jiffies64 > want ? jiffies64 - want : want - jiffies64;

		if (d > (uint64_t)HZ_SLACK_S * hz)
			continue;
		if (found)
			return 0;	/* two fit: too near 300 s of uptime to tell */
		found = hz;
	}
	return found;
}

/* CONFIG_HZ from a config file, plain or gzip (zlib reads both) */
static unsigned int from_file(const char *path)
{
	gzFile f = gzopen(path, "rb");
	char line[256];
	unsigned int hz = 0;

	if (!f)
		return 0;
	while (!hz && gzgets(f, line, sizeof(line)))
		if (!strncmp(line, "CONFIG_HZ=", 10))
			hz = jiffies_hz_config(line);
	gzclose(f);
	return hz;
}

unsigned int jiffies_hz(uint64_t jiffies64, uint64_t ktime_ns)
{
	static unsigned int hz;
	static bool files_read;
	struct utsname u;
	char path[sizeof(u.release) + 16];

	if (hz)
		return hz;
	if (!files_read) {
		files_read = true;
		if (!uname(&u)) {
			snprintf(path, sizeof(path), "/boot/config-%s", u.release);
			hz = from_file(path);
		}
		if (!hz)
			hz = from_file("/proc/config.gz");
		if (hz)
			return hz;
	}
	/* unknown now (near 300 s of uptime) may be known at a later call */
	hz = jiffies_hz_infer(jiffies64, ktime_ns);
	return hz;
}
