// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* printer.c - values as padded text cells or JSON members: where the two formats differ. */
#include <string.h>
#include "printer.h"
#include "timefmt.h"

void printer_col_init(struct printer_col *c, const char *key, int width, bool right)
{
	memset(c, 0, sizeof(*c));
	/* the table's keys are short: one that did not fit would be a build's mistake, seen at once */
	if (key)
		c->member_len = json_member_text(key, c->member, sizeof(c->member));
	c->width = width;
	c->right = right;
}

void printer_word_init(struct printer_word *w, const char *s, bool json)
{
	size_t n = strlen(s);

	memset(w, 0, sizeof(*w));
	if (n > LB_BLOCK - 2)
		n = LB_BLOCK - 2;
	memcpy(w->text + json, s, n);
	if (json)
		w->text[0] = w->text[n + 1] = '"';
	w->len = n + 2 * json;
}

void printer_begin(struct printer *p, struct line_sink *out, const struct config *cfg)
{
	/* field by field: the line buffer inside need not be cleared */
	p->out = out;
	p->json = cfg->format == OUT_JSON;
	p->show_date = cfg->show_date;
	p->col = NULL;
	p->cells = 0;
	p->owed = 0;
	/* text cells go into the JSON writer's line buffer too: one whole line either way */
	json_begin(&p->jw, out);
	if (!p->json)
		lb_reset(&p->jw.lb);
}

void printer_end(struct printer *p)
{
	if (p->json) {
		json_end(&p->jw);
	} else {
		lb_putc(&p->jw.lb, '\n');	/* the last cell's padding is dropped */
		lb_flush_to(&p->jw.lb, p->out);
	}
}

/* a cell of any bytes: a command name is what a process chose, no escape reaches the terminal */
static void text_cell(struct printer *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!printer_cell_start(p, len))
		return;
	for (size_t i = 0; i < len; i++)
		lb_putc(&p->jw.lb, u[i] >= 0x20 && u[i] < 0x7f ? u[i] : '?');
}

void print_str(struct printer *p, const char *s, size_t len)
{
	if (!p->json)
		text_cell(p, s, len);
	else if (printer_member(p))
		json_value_str(&p->jw, s, len);
}

void print_text(struct printer *p, const char *s)
{
	print_str(p, s, strlen(s));
}

void print_hex(struct printer *p, uint64_t v)
{
	static char pairs[256][2];	/* "00" ... "ff", made at the first call */
	char buf[3 + LB_BLOCK] = "\"0x";	/* JSON's "0x...", text's digits: blocks either way */

	if (!pairs[0][0]) {
		for (int b = 0; b < 256; b++) {
			pairs[b][0] = "0123456789abcdef"[b >> 4];
			pairs[b][1] = "0123456789abcdef"[b & 0xf];
		}
	}
	/* many JSON readers round integers past 2^53: a kernel address goes as a hex string */
	for (int i = 0; i < 8; i++)
		memcpy(buf + 3 + 2 * i, pairs[(v >> (56 - 8 * i)) & 0xff], 2);
	if (!p->json) {
		if (printer_cell_start(p, 16))
			lb_put_block(&p->jw.lb, buf + 3, 16);
	} else if (printer_member(p)) {
		buf[19] = '"';
		lb_put_block(&p->jw.lb, buf, 20);
	}
}

void print_time(struct printer *p, int64_t real_ns)
{
	char buf[LB_BLOCK];
	size_t n;

	if (p->json)
		n = timefmt_rfc3339_n(real_ns, buf, TIMEFMT_LEN);
	else
		n = timefmt_local_n(real_ns, p->show_date, buf, TIMEFMT_LEN);
	_Static_assert(TIMEFMT_LEN <= LB_BLOCK, "a time (shorter than TIMEFMT_LEN) is one block");
	if (!n)
		print_null(p);
	else
		print_plain_block(p, buf, n);
}

void print_dur(struct printer *p, uint64_t ns, bool approx)
{
	char buf[LB_BLOCK], *b = buf;
	uint64_t ms = ns / 1000000, us = ns / 1000 % 1000;
	size_t n;

	if (p->json) {
		print_uint(p, ns);
		return;
	}
	/* integer arithmetic: exact at any size, truncated to the microsecond like the times */
	if (approx)
		*b++ = '~';
	n = lb_u64_len(ms);
	lb_u64_write(ms, b + n);
	b += n;
	*b++ = '.';
	*b++ = '0' + us / 100;
	*b++ = '0' + us / 10 % 10;
	*b++ = '0' + us % 10;
	print_plain_block(p, buf, b - buf);
}
