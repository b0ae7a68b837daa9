/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* strbuf.h - a growing text buffer, for the records and files longer than one line buffer. */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
	char *buf;			/* the text so far, NUL-terminated (NULL until the first put) */
	size_t len;			/* bytes in buf, without the NUL */
	size_t cap;			/* bytes allocated */
	bool oom;			/* an allocation failed: the text is cut short */
};

static inline bool sb_reserve(struct strbuf *sb, size_t n)
{
	size_t want = sb->cap ? sb->cap : 1024;
	char *p;

	if (sb->len + n + 1 <= sb->cap)
		return true;
	while (want < sb->len + n + 1)
		want *= 2;
	p = realloc(sb->buf, want);
	if (!p) {
		sb->oom = true;
		return false;
	}
	sb->buf = p;
	sb->cap = want;
	return true;
}

static inline void sb_put(struct strbuf *sb, const char *s, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void sb_puts(struct strbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

static inline void __attribute__((format(printf, 2, 3))) sb_printf(struct strbuf *sb,
								    const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

static inline void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}

#endif
