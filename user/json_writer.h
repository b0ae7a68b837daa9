/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* json_writer.h - one JSON object per line into a line sink, valid UTF-8 whatever the input. */
#ifndef JSON_WRITER_H
#define JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "linebuf.h"

struct json_writer {
	struct line_sink *out;	/* where the line goes */
	bool first;		/* no member written yet: no comma before the next */
	struct linebuf lb;	/* the object, written to f at json_end() */
};

/* Start an object ('{') for out. */
void json_begin(struct json_writer *w, struct line_sink *out);

/*
 * Start the object every record but a transition starts with: {"type":TYPE,"time":T (T RFC 3339
 * UTC of ts_real_ns, or null where it cannot be written).
 */
void json_record_begin(struct json_writer *w, struct line_sink *out, const char *type,
		       uint64_t ts_real_ns);

/* End the object and its line ("}\n") and hand it to the sink, whole. */
void json_end(struct json_writer *w);

/*
 * "key":"s" with s given by length (it may hold NULs or lack a terminator). Quotes, backslashes and
 * control characters are escaped; bytes that are not valid UTF-8 become \ufffd; valid UTF-8 passes.
 */
void json_str(struct json_writer *w, const char *key, const char *s, size_t len);

void json_uint(struct json_writer *w, const char *key, uint64_t v);
void json_null(struct json_writer *w, const char *key);
void json_bool(struct json_writer *w, const char *key, bool v);

/* "key":["v0","v1",...] from n NUL-terminated strings */
void json_str_array(struct json_writer *w, const char *key, const char *const *v, size_t n);

/*
 * A nested array ('[') or object ('{') as member `key`, or as an element of an array (key NULL);
 * its members follow, then json_close() with the closing bracket.
 */
void json_open(struct json_writer *w, const char *key, char bracket);
void json_close(struct json_writer *w, char bracket);

/*
 * Members named once per run (the transition fields): json_member_text() writes `,"key":` into
 * buf once, json_member() puts it (without the comma for an object's first member), and a
 * json_value_*() call its value - no key escaped again for every line.
 */
#define JSON_MEMBER_MAX LB_BLOCK	/* longest `,"key":` text (a block: lb_put_block) */

/* `,"key":` escaped into buf (len >= JSON_MEMBER_MAX + 1); its length, or 0 if it is too long */
size_t json_member_text(const char *key, char *buf, size_t len);

/* text: JSON_MEMBER_MAX + 1 bytes, as json_member_text() left them */
static inline void json_member(struct json_writer *w, const char text[JSON_MEMBER_MAX + 1],
			       size_t len)
{
	size_t skip = w->first;		/* no comma before the first member */

	w->first = false;
	lb_put_block(&w->lb, text + skip, len - skip);
}

static inline void json_value_uint(struct json_writer *w, uint64_t v)
{
	lb_put_u64(&w->lb, v);
}

/* the literals as blocks (lb_put_block) */
static const char json_null_block[LB_BLOCK] = "null";
static const char json_true_block[LB_BLOCK] = "true";
static const char json_false_block[LB_BLOCK] = "false";

static inline void json_value_null(struct json_writer *w)
{
	lb_put_block(&w->lb, json_null_block, 4);
}

static inline void json_value_bool(struct json_writer *w, bool v)
{
	if (v)
		lb_put_block(&w->lb, json_true_block, 4);
	else
		lb_put_block(&w->lb, json_false_block, 5);
}

/* "s" for text of our own that needs no escape: printable ASCII without '"' or '\' */
static inline void json_value_plain(struct json_writer *w, const char *s, size_t len)
{
	lb_putc(&w->lb, '"');
	lb_put(&w->lb, s, len);
	lb_putc(&w->lb, '"');
}

/* "s" escaped and repaired like json_str()'s */
void json_value_str(struct json_writer *w, const char *s, size_t len);

#endif
