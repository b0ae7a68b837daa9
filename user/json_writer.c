// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* json_writer.c - JSON lines: members, string escaping, and repair of invalid UTF-8. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include "json_writer.h"
#include "timefmt.h"

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available), or 0 if s does not start one;
 * its code point in *out. Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not
 * well-formed (RFC 3629): a strict reader would reject the whole line over them.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n, uint32_t *out)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;	/* a continuation byte, 0xc0/0xc1, or 0xf5..0xff */
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*out = cp;
	return len;
}

/*
 * Valid JSON raw, but a trap for whoever reads the line: C1 controls (U+009B is a terminal's CSI),
 * bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: text that displays in
 * another order than it reads), line and paragraph separators (a viewer may break the line).
 */
static bool deceptive(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x2029) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* the escape for an ASCII byte (c < 0x80), or NULL if it goes out as itself */
static const char *ascii_escape(unsigned char c, char buf[8])
{
	static const char *const named[0x80] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
		['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};

	if (named[c])
		return named[c];
	/* DEL is legal raw JSON, but escaped it cannot reach a terminal */
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, 8, "\\u%04x", c);
		return buf;
	}
	return NULL;
}

/* bytes that stand for themselves in a JSON string: printable ASCII but the quote and backslash */
static const unsigned char plain[256] = {
	[' ' ... '!'] = 1,
	['#' ... '['] = 1,
	[']' ... '~'] = 1,
};

static void write_string(struct linebuf *lb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char buf[8];

	lb_putc(lb, '"');
	for (size_t i = 0; i < len;) {
		size_t n, run = 0;
		const char *esc;
		uint32_t cp;

		/* plain printable ASCII, the usual case, goes out in one copy */
		while (i + run < len && plain[p[i + run]])
			run++;
		if (run) {
			lb_put(lb, p + i, run);
			i += run;
			continue;
		}
		n = utf8_seq_len(p + i, len - i, &cp);

		if (!n) {
			lb_put(lb, "\\ufffd", 6);	/* one replacement per bad byte, then resync */
			i++;
		} else if (n == 1 && (esc = ascii_escape(p[i], buf))) {
			lb_puts(lb, esc);
			i++;
		} else if (deceptive(cp)) {
			snprintf(buf, sizeof(buf), "\\u%04x", (unsigned int)cp);
			lb_puts(lb, buf);
			i += n;
		} else {
			lb_put(lb, p + i, n);
			i += n;
		}
	}
	lb_putc(lb, '"');
}

/* comma if needed, then "key": (no key: an element of an array) */
static void member(struct json_writer *w, const char *key)
{
	if (!w->first)
		lb_putc(&w->lb, ',');
	w->first = false;
	if (!key)
		return;
	write_string(&w->lb, key, strlen(key));
	lb_putc(&w->lb, ':');
}

void json_begin(struct json_writer *w, struct line_sink *out)
{
	w->out = out;
	w->first = true;
	lb_reset(&w->lb);
	lb_putc(&w->lb, '{');
}

void json_record_begin(struct json_writer *w, struct line_sink *out, const char *type,
		       uint64_t ts_real_ns)
{
	char buf[TIMEFMT_LEN];

	json_begin(w, out);
	json_str(w, "type", type, strlen(type));
	if (timefmt_rfc3339((int64_t)ts_real_ns, buf, sizeof(buf)))
		json_str(w, "time", buf, strlen(buf));
	else
		json_null(w, "time");
}

void json_end(struct json_writer *w)
{
	lb_put(&w->lb, "}\n", 2);
	lb_flush_to(&w->lb, w->out);
}

void json_str(struct json_writer *w, const char *key, const char *s, size_t len)
{
	member(w, key);
	write_string(&w->lb, s, len);
}

void json_value_str(struct json_writer *w, const char *s, size_t len)
{
	write_string(&w->lb, s, len);
}

void json_uint(struct json_writer *w, const char *key, uint64_t v)
{
	member(w, key);
	json_value_uint(w, v);
}

void json_null(struct json_writer *w, const char *key)
{
	member(w, key);
	json_value_null(w);
}

void json_bool(struct json_writer *w, const char *key, bool v)
{
	member(w, key);
	json_value_bool(w, v);
}

size_t json_member_text(const char *key, char *buf, size_t len)
{
	struct linebuf lb;

	lb_reset(&lb);
	lb_putc(&lb, ',');
	write_string(&lb, key, strlen(key));
	lb_putc(&lb, ':');
	if (lb.len > JSON_MEMBER_MAX || len < JSON_MEMBER_MAX + 1)
		return 0;
	memset(buf, 0, len);
	memcpy(buf, lb.buf, lb.len);
	return lb.len;
}

void json_str_array(struct json_writer *w, const char *key, const char *const *v, size_t n)
{
	member(w, key);
	lb_putc(&w->lb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			lb_putc(&w->lb, ',');
		write_string(&w->lb, v[i], strlen(v[i]));
	}
	lb_putc(&w->lb, ']');
}

void json_open(struct json_writer *w, const char *key, char bracket)
{
	member(w, key);
	lb_putc(&w->lb, bracket);
	w->first = true;
}

void json_close(struct json_writer *w, char bracket)
{
	lb_putc(&w->lb, bracket);
	w->first = false;
}
