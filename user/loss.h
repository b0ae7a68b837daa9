/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* loss.h - the causes of loss: one list, from which the counts, names and units come. */
#ifndef LOSS_H
#define LOSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every cause of loss, each counted in its own unit and none counted twice: X(name, unit). The
 * name is the struct member, the JSON key of the lost and summary records, the closing line's
 * word and the metric's cause label; the list's order is theirs. A new cause: a row here, and
 * where it is counted (the tracer's counts for the kernel's, session.c's loss_now for ours).
 */
#define LOSS_CAUSE_LIST(X)								\
	/* the ring buffer was full, never delivered */					\
	X(rb_full, "transitions")							\
	/* the kernel skipped both state programs */					\
	X(recursion_misses, "transitions")						\
	/* closed without their transitions reaching us */				\
	X(unseen, "sockets")								\
	/* could not be written (reader stalled, write error) */			\
	X(not_written, "lines")								\
	/* the port filter could not hold them */					\
	X(filter_dropped, "lines")							\
	/* not tracked, a BPF map was full (owner, duration, TIME_WAIT unknown) */	\
	X(map_full, "sockets")								\
	/* --records connections: a record the ring buffer or a map had no room for */ \
	X(conn_lost, "connections")

/* the causes' indexes, in list order (LOSS_rb_full ...): loss_values(), loss_names */
enum loss_cause {
#define LOSS_ENUM(name, unit) LOSS_##name,
	LOSS_CAUSE_LIST(LOSS_ENUM)
#undef LOSS_ENUM
	LOSS_CAUSES
};

/* loss by cause: totals since start, or a delta */
struct loss_counts {
#define LOSS_MEMBER(name, unit) uint64_t name;
	LOSS_CAUSE_LIST(LOSS_MEMBER)
#undef LOSS_MEMBER
};

/* the causes by name, and the unit each is counted in ("transitions", "sockets", "lines") */
extern const char *const loss_names[LOSS_CAUSES];
extern const char *const loss_units[LOSS_CAUSES];

/* the causes as an array, in list order */
void loss_values(const struct loss_counts *c, uint64_t v[LOSS_CAUSES]);

/* *d = now - before, cause by cause; returns whether any cause moved */
bool loss_since(struct loss_counts *d, const struct loss_counts *now,
		const struct loss_counts *before);

/* "name N, name N, ..." of the causes (the closing line's and the loss report's list) */
void loss_text(const struct loss_counts *l, char *buf, size_t len);

/*
 * The causes grouped by unit, units in order of their first cause: "rb_full and
 * recursion_misses transitions, unseen and map_full sockets, ..." (the metric's help)
 */
void loss_units_text(char *buf, size_t len);

#endif
