/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* bench.h - what the benchmark's small C tools (churn, twgen) share. Header only: each is built
 * from its one .c file, by the Makefile or by the bench script itself. */
#ifndef TCPSTATES_BENCH_H
#define TCPSTATES_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A whole number from an option in [min, max]; anything else is said (as "PROG: bad WHAT ...")
 * and ends in usage(), which exits.
 */
static inline long bench_parse_num(const char *prog, const char *s, long min, long max,
				   const char *what, void (*usage)(void))
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (%ld..%ld)\n", prog, what, s, min, max);
		usage();
		exit(2);	/* usage() does; this keeps the compiler from doubting it */
	}
	return v;
}

#endif
