/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* fuzz.h - what the libFuzzer targets share: a memory line sink, a strict JSON line reader. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linebuf.h"

/* a broken property is a crash: libFuzzer keeps the input and the run says which property */
#define FUZZ_ASSERT(cond, ...)                                                                  \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "fuzz: %s:%d: property broken: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                                           \
			fputc('\n', stderr);                                                    \
			abort();                                                                \
		}                                                                               \
	} while (0)

/* ---- a line sink into memory ---------------------------------------------------------------- */

struct mem_sink {
	struct line_sink sink;		/* first: the writers see only this */
	size_t len;			/* bytes in buf */
	int lines;			/* put() calls */
	char buf[4 * LINEBUF_CAP];	/* every line handed over, one after another */
};

static void mem_sink_put(struct line_sink *s, const char *line, size_t len)
{
	struct mem_sink *m = (struct mem_sink *)s;

	FUZZ_ASSERT(len <= sizeof(m->buf) - m->len, "sink overflow: %zu more bytes", len);
	memcpy(m->buf + m->len, line, len);
	m->len += len;
	m->lines++;
}

static inline void mem_sink_init(struct mem_sink *m)
{
	m->sink.put = mem_sink_put;
	m->len = 0;
	m->lines = 0;
}

/* the sink got exactly one whole line: one put(), one '\n', and that at the end */
static inline void assert_one_line(const struct mem_sink *m)
{
	FUZZ_ASSERT(m->lines == 1, "%d lines handed over, want 1", m->lines);
	FUZZ_ASSERT(m->len > 0 && m->buf[m->len - 1] == '\n', "line does not end in a newline");
	FUZZ_ASSERT(memchr(m->buf, '\n', m->len) == m->buf + m->len - 1, "newline inside the line");
}

/* ---- UTF-8, checked independently of user/json_writer.c ------------------------------------- */

/* the code point at s (n bytes), its length in *len; -1 if not well-formed (RFC 3629) */
static inline int32_t utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t want = s[0] < 0x80 ? 1 : s[0] >> 5 == 6 ? 2 : s[0] >> 4 == 14 ? 3 : s[0] >> 3 == 30 ? 4 : 0;
	uint32_t cp;

	if (!want || want > n)
		return -1;
	cp = want == 1 ? s[0] : s[0] & (0x7f >> want);
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[want] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = want;
	return cp;
}

static inline bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if (utf8_decode((const unsigned char *)s + i, n - i, &len) < 0)
			return false;
		i += len;
	}
	return true;
}

/* ---- a strict reader of one JSON object line (RFC 8259), strings decoded ---------------------- */

#define JSON_MAX_STRINGS 64

struct json_line {
	const char *p, *end;		/* what is left to read */
	int n;				/* strings decoded (keys and values) */
	size_t len[JSON_MAX_STRINGS];	/* their lengths */
	char *str[JSON_MAX_STRINGS];	/* decoded, malloc'd; json_line_free() */
};

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*o)++] = cp;
	} else if (cp < 0x800) {
		out[(*o)++] = 0xc0 | cp >> 6;
		out[(*o)++] = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		out[(*o)++] = 0xe0 | cp >> 12;
		out[(*o)++] = 0x80 | (cp >> 6 & 0x3f);
		out[(*o)++] = 0x80 | (cp & 0x3f);
	} else {
		out[(*o)++] = 0xf0 | cp >> 18;
		out[(*o)++] = 0x80 | (cp >> 12 & 0x3f);
		out[(*o)++] = 0x80 | (cp >> 6 & 0x3f);
		out[(*o)++] = 0x80 | (cp & 0x3f);
	}
}

static bool jl_hex4(struct json_line *j, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, j->p++) {
		char c = j->p < j->end ? *j->p : 0;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* a string: raw bytes must be well-formed UTF-8, no control characters; escapes as RFC 8259 */
static bool jl_string(struct json_line *j)
{
	char *out = malloc(j->end - j->p + 1);
	size_t o = 0, len;

	if (!out || j->p >= j->end || *j->p++ != '"')
		goto bad;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p;
		uint32_t cp, lo;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			if (utf8_decode((const unsigned char *)j->p, j->end - j->p, &len) < 0)
				goto bad;
			memcpy(out + o, j->p, len);
			o += len, j->p += len;
			continue;
		}
		if (++j->p >= j->end)
			goto bad;
		c = *j->p++;
		if (c == 'u') {
			if (!jl_hex4(j, &cp))
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {	/* a surrogate pair */
				if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
					goto bad;
				j->p += 2;
				if (!jl_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			put_utf8(out, &o, cp);
			continue;
		}
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *k = strchr(from, c);

		if (!c || !k)
			goto bad;
		out[o++] = to[k - from];
	}
	if (j->p >= j->end || j->n >= JSON_MAX_STRINGS)
		goto bad;
	j->p++;
	j->len[j->n] = o;
	j->str[j->n++] = out;
	return true;
bad:
	free(out);
	return false;
}

static bool jl_lit(struct json_line *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

/* -?(0|[1-9][0-9]*): the writers make integers only */
static bool jl_number(struct json_line *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	if (*j->p++ == '0')
		return j->p >= j->end || *j->p < '0' || *j->p > '9';
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return true;
}

#define JSON_MAX_DEPTH 4	/* the writers nest an object or array at most 2 deep */

static bool jl_value(struct json_line *j, int depth);

/* '{' members '}' (the record, or a member such as a snapshot's timer) */
static bool jl_object(struct json_line *j, int depth)
{
	if (!jl_lit(j, "{"))
		return false;
	if (jl_lit(j, "}"))
		return true;
	do {
		if (!jl_string(j) || !jl_lit(j, ":") || !jl_value(j, depth + 1))
			return false;
	} while (jl_lit(j, ","));
	return jl_lit(j, "}");
}

/* a value: string, integer, true, false, null, an array or an object of them */
static bool jl_value(struct json_line *j, int depth)
{
	if (j->p >= j->end || depth > JSON_MAX_DEPTH)
		return false;
	if (*j->p == '"')
		return jl_string(j);
	if (*j->p == '{')
		return jl_object(j, depth);
	if (*j->p == '[') {
		j->p++;
		if (jl_lit(j, "]"))
			return true;
		do {
			if (!jl_value(j, depth + 1))
				return false;
		} while (jl_lit(j, ","));
		return jl_lit(j, "]");
	}
	return jl_lit(j, "true") || jl_lit(j, "false") || jl_lit(j, "null") || jl_number(j);
}

/* the whole line: an object and '\n', no whitespace anywhere (the writer makes none) */
static inline bool json_line_parse(struct json_line *j, const char *s, size_t n)
{
	memset(j, 0, sizeof(*j));
	j->p = s;
	j->end = s + n;
	return jl_object(j, 0) && jl_lit(j, "\n") && j->p == j->end;
}

static inline void json_line_free(struct json_line *j)
{
	for (int i = 0; i < j->n; i++)
		free(j->str[i]);
	j->n = 0;
}

#endif
