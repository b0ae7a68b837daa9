/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stuck_table.h - the sockets in a state they can get stuck in, as records and the snapshot say. */
#ifndef STUCK_TABLE_H
#define STUCK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"

#define STUCK_TABLE_NONE UINT32_MAX

/*
 * One socket that waits in CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2 (an orphan's minisocket included),
 * CLOSING, LAST_ACK, SYN_SENT or SYN_RECV. The last record about it says who owns it and where
 * it is; e.ts_ns is when it entered e.newstate (or when the start-up snapshot saw it there).
 */
struct sock_entry {
	struct tcpstates_event e;	/* the record that put it in its state */
	uint64_t key;			/* socket cookie, or its kernel address without cookies */
	uint64_t due_ns;		/* CLOCK_MONOTONIC ns of its next report (in the heap) */
	uint32_t next;			/* hash chain, or free list (STUCK_TABLE_NONE ends it) */
	uint32_t heap;			/* its place in the due heap; STUCK_TABLE_NONE: not due */
	bool lower_bound;		/* e.ts_ns is when the snapshot saw it, not when it entered */
	bool estimated;			/* ... or an estimate of when it entered (stuck_feed_found) */
	bool used;			/* a live entry (not on the free list) */
	bool judged;			/* its last report was filtered, since e was set ... */
	bool shown;			/* ... and shown (its holders considered): the gauge's answer */
	uint8_t diagnosis;		/* its last report's (enum stuck_diagnosis) */
	uint32_t slot;			/* its report in the round (STUCK_TABLE_NONE: none) */
};

struct stuck_table {
	struct sock_entry *v;		/* entries; grows by doubling up to max */
	uint32_t cap, n, max;		/* allocated, live, most allowed */
	uint32_t free_head;		/* first free entry in v */
	uint32_t *bucket;		/* hash buckets: first entry of each chain */
	uint32_t n_buckets;		/* a power of two, grows with cap */
	uint32_t *heap;			/* entries with a due time, a min-heap on due_ns */
	uint32_t n_heap;
	uint64_t not_tracked;		/* sockets not followed: the table was full, or no memory */
};

/* Is state one a socket can get stuck in (and so is followed)? */
bool stuck_table_watched(unsigned int state);

/* The key of the socket a record is about: its cookie where known, else its kernel address. */
uint64_t stuck_table_key(const struct tcpstates_event *e);

/* An empty table of at most max entries; memory is taken as sockets come. */
void stuck_table_init(struct stuck_table *t, uint32_t max);
void stuck_table_free(struct stuck_table *t);

/*
 * Take one record in: a transition into a watched state (re)enters the socket, due first at
 * e->ts_ns + first_ns; any other transition removes it. A snapshot record enters a socket not
 * known yet, its time a lower bound. Returns the entry, or NULL when the socket is not followed.
 */
struct sock_entry *stuck_table_update(struct stuck_table *t, const struct tcpstates_event *e,
				     uint64_t first_ns);

struct sock_entry *stuck_table_find(struct stuck_table *t, uint64_t key);
void stuck_table_remove(struct stuck_table *t, struct sock_entry *s);

/* (Re)schedule s at due_ns; or take it out of the heap (due_ns 0: not reported again). */
void stuck_table_schedule(struct stuck_table *t, struct sock_entry *s, uint64_t due_ns);

/* The entry due soonest, or NULL when none is due by now_ns. */
struct sock_entry *stuck_table_due(struct stuck_table *t, uint64_t now_ns);

#endif
