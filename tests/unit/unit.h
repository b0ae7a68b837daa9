/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* unit.h - the smallest test harness: CHECK macros that count, and a summary line per binary. */
#ifndef UNIT_H
#define UNIT_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int unit_passed, unit_failed;

/* CHECK(cond, fmt, ...): one assertion; on failure say where and what */
#define CHECK(cond, ...)                                                                        \
	do {                                                                                    \
		if (cond) {                                                                     \
			unit_passed++;                                                          \
		} else {                                                                        \
			unit_failed++;                                                          \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                    \
			fprintf(stderr, __VA_ARGS__);                                           \
			fputc('\n', stderr);                                                    \
		}                                                                               \
	} while (0)

#define CHECK_STR(got, want, ctx)                                                               \
	CHECK(strcmp((got), (want)) == 0, "%s: got '%s', want '%s'", (ctx), (got), (want))

/* a small file's content (up to 64 KiB), NUL-terminated; "" when it cannot be read */
static inline char *unit_slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* last line of every unit binary; tests/run.sh adds these up */
#define UNIT_DONE()                                                                             \
	({                                                                                      \
		printf("unit %s: %d passed, %d failed\n", __FILE__, unit_passed, unit_failed);  \
		unit_failed ? 1 : 0;                                                            \
	})

#endif
