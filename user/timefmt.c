// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timefmt.c - wall-clock nanoseconds as local or RFC 3339 UTC text, to the microsecond. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "digits.h"
#include "timefmt.h"

#define NS_PER_SEC 1000000000LL

/* broken-down time of a second (UTC or local) */
static int split(int64_t sec, bool utc, struct tm *tm)
{
	time_t t = (time_t)sec;

	return (utc ? gmtime_r(&t, tm) : localtime_r(&t, tm)) ? 0 : -1;
}

/*
 * The seconds part of the last few formats: records arrive in bursts within one second, and
 * localtime_r()/strftime() cost more than all the rest of a record.
 */
struct sec_cache {
	int64_t sec;		/* the second formatted, or INT64_MIN */
	const char *fmt;	/* with this strftime format */
	bool utc;
	size_t n;		/* length of text */
	char text[48];
};

static struct sec_cache cache[2] = { { .sec = INT64_MIN }, { .sec = INT64_MIN } };

/* strftime's part then ".ffffff" and a suffix; the length, or 0 if anything did not fit */
static size_t format(int64_t real_ns, bool utc, const char *fmt, const char *suffix, size_t slen,
		     char *buf, size_t len)
{
	struct sec_cache *c = &cache[utc];
	/* floor, so times before 1970 still count upwards within a second; digits are truncated,
	 * not rounded, so a second never rolls */
	int64_t sec = real_ns / NS_PER_SEC - (real_ns % NS_PER_SEC < 0);
	unsigned int usec = (unsigned int)((real_ns - sec * NS_PER_SEC) / 1000);
	struct tm tm;
	char *p;

	if (c->sec != sec || c->fmt != fmt) {
		if (split(sec, utc, &tm))
			return 0;
		c->n = strftime(c->text, sizeof(c->text), fmt, &tm);
		if (!c->n)
			return 0;
		c->sec = sec;
		c->fmt = fmt;
	}
	if (c->n + 8 + slen > len)
		return 0;
	/* the usual buffer takes a fixed-size copy, which the compiler inlines */
	if (len >= TIMEFMT_LEN && c->n <= TIMEFMT_LEN)
		memcpy(buf, c->text, TIMEFMT_LEN);
	else
		memcpy(buf, c->text, c->n);
	p = buf + c->n;
	*p++ = '.';
	/* six digits, two at a time */
	for (int i = 2; i >= 0; i--, usec /= 100)
		memcpy(p + 2 * i, digit_pairs + usec % 100 * 2, 2);
	for (size_t i = 0; i <= slen; i++)
		p[6 + i] = suffix[i];
	return c->n + 7 + slen;
}

const char *timefmt_local(int64_t real_ns, bool date, char *buf, size_t len)
{
	return timefmt_local_n(real_ns, date, buf, len) ? buf : NULL;
}

size_t timefmt_local_n(int64_t real_ns, bool date, char *buf, size_t len)
{
	return format(real_ns, false, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", "", 0, buf, len);
}

const char *timefmt_rfc3339(int64_t real_ns, char *buf, size_t len)
{
	return timefmt_rfc3339_n(real_ns, buf, len) ? buf : NULL;
}

size_t timefmt_rfc3339_n(int64_t real_ns, char *buf, size_t len)
{
	return format(real_ns, true, "%Y-%m-%dT%H:%M:%S", "Z", 1, buf, len);
}

void timefmt_forget(void)
{
	cache[0].sec = INT64_MIN;
	cache[1].sec = INT64_MIN;
}

uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
