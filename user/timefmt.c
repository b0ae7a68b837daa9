// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timefmt.c - wall-clock nanoseconds as local or RFC 3339 UTC text, to the microsecond. */
#include <stdio.h>
#include <time.h>
#include "timefmt.h"

#define NS_PER_SEC 1000000000LL

/* broken-down time and microseconds; digits are truncated, not rounded, so a second never rolls */
static int split(int64_t real_ns, bool utc, struct tm *tm, long *usec)
{
	int64_t sec = real_ns / NS_PER_SEC, ns = real_ns % NS_PER_SEC;
	time_t t;

	if (ns < 0) {	/* floor, so times before 1970 still count upwards within a second */
		sec--;
		ns += NS_PER_SEC;
	}
	t = (time_t)sec;
	*usec = (long)(ns / 1000);
	return (utc ? gmtime_r(&t, tm) : localtime_r(&t, tm)) ? 0 : -1;
}

/* strftime's part then ".ffffff" and a suffix; NULL if anything did not fit */
static const char *format(int64_t real_ns, bool utc, const char *fmt, const char *suffix,
			  char *buf, size_t len)
{
	struct tm tm;
	long usec;
	size_t n;

	if (split(real_ns, utc, &tm, &usec))
		return NULL;
	n = strftime(buf, len, fmt, &tm);
	if (!n || (size_t)snprintf(buf + n, len - n, ".%06ld%s", usec, suffix) >= len - n)
		return NULL;
	return buf;
}

const char *timefmt_local(int64_t real_ns, bool date, char *buf, size_t len)
{
	return format(real_ns, false, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", "", buf, len);
}

const char *timefmt_rfc3339(int64_t real_ns, char *buf, size_t len)
{
	return format(real_ns, true, "%Y-%m-%dT%H:%M:%S", "Z", buf, len);
}
