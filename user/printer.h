/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* printer.h - one value written as an aligned text cell or as a JSON member, by the same call. */
#ifndef PRINTER_H
#define PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cli.h"
#include "json_writer.h"

/* where a value goes, fixed for the run: made once (printer_col_init), used for every line */
struct printer_col {
	char member[JSON_MEMBER_MAX + 1]; /* JSON: `,"key":`, escaped once */
	uint8_t member_len;		/* 0: no JSON member (a text-only column) */
	bool right;			/* right-align the value in its text column */
	int width;			/* text column width; a longer value still prints whole */
};

struct printer {
	struct line_sink *out;		/* where the line goes */
	bool json;			/* values become JSON members, not text cells */
	bool show_date;			/* text times carry the date (-T) */
	struct json_writer jw;		/* the line's object (JSON) */
	const struct printer_col *col;	/* where the next value goes */
	int cells;			/* text cells on this line: a separator precedes the next */
	int owed;			/* the last cell's padding, written only if a cell follows:
					 * lines carry no trailing blanks */
};

/* A column: JSON member `key` (NULL: none), text width and alignment. */
void printer_col_init(struct printer_col *c, const char *key, int width, bool right);

/* Start a line (text) or an object (JSON). */
void printer_begin(struct printer *p, struct line_sink *out, const struct config *cfg);

/* End the line. */
void printer_end(struct printer *p);

/* Where the next value goes. */
static inline void printer_column(struct printer *p, const struct printer_col *col)
{
	p->col = col;
}

/*
 * The values. Text and JSON differ only where the reader does: text is for a terminal (bytes
 * outside printable ASCII shown as '?', local time, hex without 0x, milliseconds), JSON for
 * programs (escaped UTF-8, RFC 3339 UTC, "0x" strings, nanoseconds). The short ones are inline:
 * a line is some 28 of them, and a call apiece cost more than what most of them write.
 */
void print_str(struct printer *p, const char *s, size_t len);	/* s need not end in NUL */
void print_text(struct printer *p, const char *s);		/* NUL-terminated */
void print_hex(struct printer *p, uint64_t v);			/* 16 digits / "0x" + 16 digits */
void print_time(struct printer *p, int64_t real_ns);		/* wall clock, microseconds */
/* ms with 3 decimals, "~" first when approx / ns */
void print_dur(struct printer *p, uint64_t ns, bool approx);

/*
 * A text cell's separator and leading padding; false for an empty cell, which writes nothing
 * yet: if nothing follows, the line has no trailing blanks.
 */
static inline bool printer_cell_start(struct printer *p, size_t len)
{
	int width = p->col->width;
	int pad = len < (size_t)width ? width - (int)len : 0;
	int lead = p->owed + (p->cells++ ? 1 : 0) + (p->col->right ? pad : 0);

	if (!len) {
		p->owed = lead + width;
		return false;
	}
	lb_spaces(&p->jw.lb, lead);
	p->owed = p->col->right ? 0 : pad;
	return true;
}

/* JSON: the member's name; false if the column has none (a text-only column) */
static inline bool printer_member(struct printer *p)
{
	if (!p->col->member_len)
		return false;
	json_member(&p->jw, p->col->member, p->col->member_len);
	return true;
}

/* text of our own: printable ASCII without '"' or '\\' (names, addresses): nothing to escape */
static inline void print_plain(struct printer *p, const char *s, size_t len)
{
	if (p->json) {
		if (printer_member(p))
			json_value_plain(&p->jw, s, len);
	} else if (printer_cell_start(p, len)) {
		lb_put(&p->jw.lb, s, len);
	}
}

/* as print_plain, s with LB_BLOCK bytes readable and len <= LB_BLOCK: one fixed-size copy */
static inline void print_plain_block(struct printer *p, const char *s, size_t len)
{
	if (p->json) {
		if (printer_member(p)) {
			lb_putc(&p->jw.lb, '"');
			lb_put_block(&p->jw.lb, s, len);
			lb_putc(&p->jw.lb, '"');
		}
	} else if (printer_cell_start(p, len)) {
		lb_put_block(&p->jw.lb, s, len);
	}
}

/*
 * A word of our own (a state, a reason) made once per run for the format: quoted for JSON, as is
 * for text; written as one block.
 */
struct printer_word {
	char text[LB_BLOCK];
	uint8_t len;
};

/* the word for s (at most LB_BLOCK - 2 bytes of printable ASCII, no '"' or '\') */
void printer_word_init(struct printer_word *w, const char *s, bool json);

static inline void print_word(struct printer *p, const struct printer_word *w)
{
	if (p->json) {
		if (printer_member(p))
			lb_put_block(&p->jw.lb, w->text, w->len);
	} else if (printer_cell_start(p, w->len)) {
		lb_put_block(&p->jw.lb, w->text, w->len);
	}
}

static inline void print_uint(struct printer *p, uint64_t v)
{
	size_t n;

	if (p->json) {
		if (printer_member(p))
			json_value_uint(&p->jw, v);
		return;
	}
	n = lb_u64_len(v);
	if (printer_cell_start(p, n))
		lb_put_digits(&p->jw.lb, v, n);
}

static inline void print_bool(struct printer *p, bool v)
{
	if (p->json) {
		if (printer_member(p))
			json_value_bool(&p->jw, v);
		return;
	}
	print_plain(p, v ? "yes" : "no", v ? 3 : 2);
}

/* unknown: "-" / null */
static inline void print_null(struct printer *p)
{
	if (!p->json)
		print_plain(p, "-", 1);
	else if (printer_member(p))
		json_value_null(&p->jw);
}

#endif
