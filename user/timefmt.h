/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* timefmt.h - wall-clock nanoseconds as text, to the microsecond. */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIMEFMT_LEN 32 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its NUL, with room for a 5-digit year */

/* Local "HH:MM:SS.ffffff", or "YYYY-MM-DD HH:MM:SS.ffffff" with date. NULL if unrepresentable. */
const char *timefmt_local(int64_t real_ns, bool date, char *buf, size_t len);

/* RFC 3339 UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ". NULL if unrepresentable. */
const char *timefmt_rfc3339(int64_t real_ns, char *buf, size_t len);

/* The same, returning the text's length (0: unrepresentable): for the line's hot path. */
size_t timefmt_local_n(int64_t real_ns, bool date, char *buf, size_t len);
size_t timefmt_rfc3339_n(int64_t real_ns, char *buf, size_t len);

/* clock_gettime(clk) in ns; CLOCK_MONOTONIC is the clock of bpf_ktime_get_ns() */
uint64_t clock_ns(clockid_t clk);

/* Drop the cached seconds text: for a program (a test) that changes TZ while it runs. */
void timefmt_forget(void);

#endif
