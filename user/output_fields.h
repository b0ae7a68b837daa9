/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* output_fields.h - the table of transition fields: text columns and JSON members alike. */
#ifndef OUTPUT_FIELDS_H
#define OUTPUT_FIELDS_H

#include <stddef.h>
#include "output.h"
#include "printer.h"

#define FIELD_RIGHT 0x1		/* right-aligned text column (numbers) */
#define FIELD_FIRST 0x2		/* text column leads the line, ahead of its place in the table */
#define FIELD_IF_SKADDR 0x4	/* text column only with -x */
#define FIELD_IF_QUEUES 0x8	/* text column only with --queues */

/* one row: a value of the transition, under its JSON key and its text header */
struct output_field {
	const char *key;	/* JSON member name; NULL: text only */
	const char *header;	/* text column header; NULL: JSON only */
	int width;		/* text column width; a longer value still prints whole */
	int (*width_for)(const struct config *cfg); /* the width, where options change it */
	unsigned int flags;	/* FIELD_* */
	void (*write)(struct printer *p, const struct output *o, const struct tcpstates_event *e);
};

/* in JSON member order; text columns follow the same order (but FIELD_FIRST ones lead) */
extern const struct output_field output_fields[];	/* OUTPUT_NFIELDS rows */

#endif
