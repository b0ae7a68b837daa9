// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* printer.c - values as padded text cells or JSON members: where the two formats differ. */
#include <inttypes.h>
#include <string.h>
#include "printer.h"
#include "timefmt.h"

void printer_begin(struct printer *p, struct line_sink *out, const struct config *cfg)
{
	/* field by field: the line buffer inside need not be cleared */
	p->out = out;
	p->json = cfg->format == OUT_JSON;
	p->show_date = cfg->show_date;
	p->key = NULL;
	p->width = 0;
	p->right = false;
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

void printer_column(struct printer *p, const char *key, int width, bool right)
{
	p->key = key;
	p->width = width;
	p->right = right;
}

/* a text cell: separator, padding, and the bytes, anything not printable ASCII as '?' */
static void text_cell(struct printer *p, const char *s, size_t len)
{
	int pad = len < (size_t)p->width ? p->width - (int)len : 0;
	int lead = p->owed + (p->cells++ ? 1 : 0) + (p->right ? pad : 0);
	const unsigned char *u = (const unsigned char *)s;

	/* an empty cell writes nothing yet: if nothing follows, the line has no trailing blanks */
	if (!len) {
		p->owed = lead + p->width;
		return;
	}
	lb_spaces(&p->jw.lb, lead);
	/* a command name is any bytes a process chose: no escape sequence reaches the terminal */
	for (size_t i = 0; i < len; i++)
		lb_putc(&p->jw.lb, u[i] >= 0x20 && u[i] < 0x7f ? u[i] : '?');
	p->owed = p->right ? 0 : pad;
}

void print_str(struct printer *p, const char *s, size_t len)
{
	if (!p->json)
		text_cell(p, s, len);
	else if (p->key)
		json_str(&p->jw, p->key, s, len);
}

void print_text(struct printer *p, const char *s)
{
	print_str(p, s, strlen(s));
}

void print_uint(struct printer *p, uint64_t v)
{
	char buf[24];

	if (p->json) {
		if (p->key)
			json_uint(&p->jw, p->key, v);
		return;
	}
	const char *d;
	size_t n;

	d = u64_digits(v, buf, &n);
	text_cell(p, d, n);
}

void print_bool(struct printer *p, bool v)
{
	if (p->json) {
		if (p->key)
			json_bool(&p->jw, p->key, v);
		return;
	}
	text_cell(p, v ? "yes" : "no", v ? 3 : 2);
}

void print_null(struct printer *p)
{
	if (!p->json)
		text_cell(p, "-", 1);
	else if (p->key)
		json_null(&p->jw, p->key);
}

void print_hex(struct printer *p, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char buf[19] = "0x";

	/* many JSON readers round integers past 2^53: a kernel address goes as a hex string */
	for (int i = 0; i < 16; i++)
		buf[2 + i] = hex[(v >> (60 - 4 * i)) & 0xf];
	print_str(p, p->json ? buf : buf + 2, p->json ? 18 : 16);
}

void print_time(struct printer *p, int64_t real_ns)
{
	char buf[TIMEFMT_LEN];
	const char *s;

	if (p->json)
		s = timefmt_rfc3339(real_ns, buf, sizeof(buf));
	else
		s = timefmt_local(real_ns, p->show_date, buf, sizeof(buf));
	if (s)
		print_text(p, s);
	else
		print_null(p);
}

void print_dur(struct printer *p, uint64_t ns, bool approx)
{
	char buf[32];

	if (p->json) {
		print_uint(p, ns);
		return;
	}
	/* integer arithmetic: exact at any size, truncated to the microsecond like the times */
	snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%03" PRIu64, approx ? "~" : "", ns / 1000000,
		 ns / 1000 % 1000);
	text_cell(p, buf, strlen(buf));
}
