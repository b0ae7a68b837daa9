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

/* End the object and its line ("}\n") and hand it to the sink, whole. */
void json_end(struct json_writer *w);

/*
 * "key":"s" with s given by length (it may hold NULs or lack a terminator). Quotes, backslashes and
 * control characters are escaped; bytes that are not valid UTF-8 become \ufffd; valid UTF-8 passes.
 */
void json_str(struct json_writer *w, const char *key, const char *s, size_t len);

void json_uint(struct json_writer *w, const char *key, uint64_t v);
void json_int(struct json_writer *w, const char *key, int64_t v);
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

#endif
