/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* output_fields.h - the table of transition fields: text columns and JSON members alike. */
#ifndef OUTPUT_FIELDS_H
#define OUTPUT_FIELDS_H

#include <stddef.h>
#include "cli.h"
#include "printer.h"
#include "tcpstates.h"

struct output;

/* the fields, one row each in output_fields, in JSON member order */
enum output_field_id {
	OF_TYPE, OF_TIME, OF_TS_NS, OF_SOCK, OF_SKADDR, OF_PID, OF_COMM, OF_CONTAINER, OF_RX_QUEUE,
	OF_TX_QUEUE,
	OF_OWNER, OF_CGROUP, OF_FAMILY, OF_LADDR, OF_LPORT, OF_RADDR, OF_RPORT, OF_OLDSTATE,
	OF_ARROW, OF_NEWSTATE, OF_DUR, OF_PRECISION, OF_TIMER, OF_REASON, OF_RST_REASON, OF_RX_BYTES,
	OF_TX_BYTES, OF_NETNS, OF_GAP, OF_INFERRED,
	OUTPUT_NFIELDS
};

#define FIELD_RIGHT 0x1		/* right-aligned text column (numbers) */
#define FIELD_FIRST 0x2		/* text column leads the line, ahead of its place in the table */
#define FIELD_IF_SKADDR 0x4	/* text column only with -x */
#define FIELD_IF_QUEUES 0x8	/* text column only with --queues */
#define FIELD_STUCK 0x10	/* a member of a --stuck JSON record too (a stuck text line has
				 * every column) */
#define FIELD_CONN 0x20		/* a member of a connection's JSON record too (its last
				 * transition's value; a connection's text line has every column) */
#define FIELD_IF_CONTAINERS 0x80	/* text column only with -K (JSON: output_container_json) */
#define FIELD_IF_TIMERS 0x40	/* text column only with --timers; a JSON member only of records
				 * whose timer was read (snapshot, stuck): never a transition's */

/* one row: a value of the transition, under its JSON key and its text header */
struct output_field {
	const char *key;	/* JSON member name; NULL: text only */
	const char *header;	/* text column header; NULL: JSON only */
	int width;		/* text column width; a longer value still prints whole */
	int (*width_for)(const struct config *cfg); /* the width, where options change it */
	unsigned int flags;	/* FIELD_* */
	void (*write)(struct printer *p, const struct output *o, const struct tcpstates_event *e);
};

/* indexed by id; text columns follow the same order (but FIELD_FIRST ones lead) */
extern const struct output_field output_fields[OUTPUT_NFIELDS];

#endif
