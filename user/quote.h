/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* quote.h - arguments and paths as a one-line message shows them. */
#ifndef TCPSTATES_QUOTE_H
#define TCPSTATES_QUOTE_H

#include <stddef.h>

/*
 * s[0..len) escaped so that a message quoting it stays one line of plain text (see quote.c);
 * the result lives until the fourth call after this one.
 */
const char *quote(const char *s, size_t len);
const char *quote_str(const char *s);

#endif
