/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* linebuf.h - one output line assembled in memory, then handed whole to a line sink. */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stdint.h>
#include <string.h>
#include "digits.h"

/*
 * Every record is bounded (the longest: a comm of 16 bytes each escaped to 6, addresses of 39,
 * fixed keys) and far below this; stdio's per-call locking and format parsing cost more than the
 * record itself at 200 000 records per second, so lines are built here.
 */

/* where finished lines go: the output queue (user/outq.c), or a memory buffer in unit tests */
struct line_sink {
	void (*put)(struct line_sink *s, const char *line, size_t len);
};
#define LINEBUF_CAP 2048
#define LB_BLOCK 32		/* lb_put_block() copies this many bytes whatever the length */

struct linebuf {
	size_t len;			/* bytes in buf, at most LINEBUF_CAP */
	char buf[LINEBUF_CAP + LB_BLOCK]; /* the line so far; past LINEBUF_CAP only block spill */
};

static inline void lb_reset(struct linebuf *lb)
{
	lb->len = 0;
}

/* append n bytes; what does not fit is dropped (cannot happen for our records) */
static inline void lb_put(struct linebuf *lb, const void *s, size_t n)
{
	/* n unclamped on the usual path: a length known at build time makes an inline copy */
	if (n > LINEBUF_CAP - lb->len) {
		memcpy(lb->buf + lb->len, s, LINEBUF_CAP - lb->len);
		lb->len = LINEBUF_CAP;
		return;
	}
	memcpy(lb->buf + lb->len, s, n);
	lb->len += n;
}

/*
 * Append the first n (<= LB_BLOCK) bytes of a block of LB_BLOCK readable bytes: one fixed-size
 * copy the compiler inlines, where a call to memcpy would cost more than the few bytes it moves.
 */
static inline void lb_put_block(struct linebuf *lb, const char block[LB_BLOCK], size_t n)
{
	memcpy(lb->buf + lb->len, block, LB_BLOCK);	/* the spill past n lands in the slack */
	lb->len += n <= LINEBUF_CAP - lb->len ? n : LINEBUF_CAP - lb->len;
}

static inline void lb_puts(struct linebuf *lb, const char *s)
{
	lb_put(lb, s, strlen(s));
}

static inline void lb_putc(struct linebuf *lb, char c)
{
	if (lb->len < LINEBUF_CAP)
		lb->buf[lb->len++] = c;
}

static inline void lb_spaces(struct linebuf *lb, int n)
{
	static const char blanks[LB_BLOCK] = "                                ";

	if (n <= 0)
		return;
	if (n <= LB_BLOCK) {
		lb_put_block(lb, blanks, n);
		return;
	}
	if ((size_t)n > LINEBUF_CAP - lb->len)
		n = LINEBUF_CAP - lb->len;
	memset(lb->buf + lb->len, ' ', n);
	lb->len += n;
}

/* 10^i, i = 0..19: the digit count of a number from its bit length */
static const uint64_t lb_pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* decimal digits in v: log10 from the bit length (1233 / 4096 ~ log10(2)), one compare */
static inline size_t lb_u64_len(uint64_t v)
{
	unsigned int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + (v >= lb_pow10[t]) + (v == 0);
}

/* the n (lb_u64_len(v)) digits of v written backwards from end */
static inline void lb_u64_write(uint64_t v, char *end)
{
	while (v >= 100) {
		uint64_t q = v / 100;

		end -= 2;
		memcpy(end, digit_pairs + (v - q * 100) * 2, 2);
		v = q;
	}
	if (v >= 10)
		memcpy(end - 2, digit_pairs + v * 2, 2);
	else
		end[-1] = '0' + (char)v;
}

/* v's n (lb_u64_len(v)) digits straight into the line: none made elsewhere and copied */
static inline void lb_put_digits(struct linebuf *lb, uint64_t v, size_t n)
{
	if (n > LINEBUF_CAP - lb->len)
		return;
	lb->len += n;
	lb_u64_write(v, lb->buf + lb->len);
}

static inline void lb_put_u64(struct linebuf *lb, uint64_t v)
{
	if (v < 10)
		lb_putc(lb, '0' + (char)v);
	else
		lb_put_digits(lb, v, lb_u64_len(v));
}

/* hand the line over whole */
static inline void lb_flush_to(struct linebuf *lb, struct line_sink *out)
{
	size_t n = lb->len;

	lb->len = 0;
	out->put(out, lb->buf, n);
}

#endif
