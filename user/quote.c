// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* quote.c - arguments and paths as a one-line message shows them. */
#include <stdio.h>
#include <string.h>
#include "quote.h"

/*
 * An argument as an error message shows it: printable ASCII as itself, a backslash doubled, \n \r
 * \t, any other byte (controls, ESC, and every byte of a non-ASCII or invalid UTF-8 sequence) as
 * \xHH. So a message is one line of plain text whatever the argument holds, and no escape
 * sequence reaches the terminal. Long arguments end in "..." (the message stays readable). Four
 * buffers in turn: one message may quote up to four arguments.
 */
const char *quote(const char *s, size_t len)
{
	static char bufs[4][512];
	static unsigned int next;
	char *buf = bufs[next++ % 4], *o = buf;
	char *const last = buf + sizeof(bufs[0]) - 8;	/* room for one escape (4), "...", NUL */

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (o > last) {
			o = stpcpy(o, "...");
			break;
		}
		if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = c;
		}
	}
	*o = '\0';
	return buf;
}

const char *quote_str(const char *s)
{
	return quote(s, strlen(s));
}
