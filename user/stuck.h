/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stuck.h - --stuck: sockets that stay too long in a closing or opening state, reported. */
#ifndef STUCK_H
#define STUCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "cli.h"
#include "filter.h"
#include "iter_tcp.h"
#include "stuck_table.h"
#include "tcpstates.h"

#define STUCK_HOLDERS_MAX 16	/* holders listed per report (holders_total counts them all) */
#define STUCK_FDS_MAX 4		/* a holder's descriptors listed (fds_total counts them all) */

/* a process holding a reported socket, through one descriptor or several (dup, fork + exec) */
struct stuck_holder {
	uint32_t slot;			/* its report in the round */
	uint32_t pid;			/* tgid */
	char comm[TCPSTATES_COMM_LEN];	/* /proc/PID/comm */
	uint64_t cgroup_id;		/* from /proc/PID/cgroup (0: unknown) */
	int32_t fds[STUCK_FDS_MAX];	/* its descriptors on the socket, lowest first */
	uint32_t n_fds;			/* listed in fds (at most STUCK_FDS_MAX) */
	uint32_t fds_total;		/* found */
};

/* one socket reported: what the table knows of it, and what was read now */
struct stuck_report {
	struct tcpstates_event e;	/* owner from its record, or a holder (stuck_name_owner);
					 * addresses, ports, queues read now
					 * (e.ts_ns: when it entered e.newstate, its state) */
	uint64_t now_ns;		/* CLOCK_MONOTONIC ns of the read */
	uint64_t age_ns;		/* now_ns - e.ts_ns */
	uint64_t ino;			/* its file's inode (0: none, an orphan) */
	uint64_t due_ns;		/* when it was due (the age it crossed: due_ns - e.ts_ns) */
	uint32_t first_holder;		/* its holders in the round's holder array */
	uint32_t n_holders;		/* listed (at most STUCK_HOLDERS_MAX) */
	uint32_t holders_total;		/* found */
	bool since_exact;		/* false: e.ts_ns is when the snapshot saw it (age: a lower bound) */
	bool read_now;			/* its namespace was listed now: queues and holders are current */
	uint8_t _pad[6];
};

/* hands one report to the output; h: its n_holders holders */
typedef void (*stuck_emit_fn)(void *ctx, const struct stuck_report *r, const struct stuck_holder *h);

/* is there room in the output for more lines now? */
typedef bool (*stuck_room_fn)(void *ctx);

struct stuck_stats {
	uint64_t reports;		/* records written */
	uint64_t rounds;		/* rounds of reads (one per tick with reports due) */
	uint64_t gone;			/* due sockets no longer there, or in another state (missed) */
	uint64_t last_round_ns;		/* the last round: due sockets read (iterator, /proc) */
	uint64_t max_round_ns;		/* the longest round */
	uint64_t max_round_due;		/* sockets due in the longest round */
	uint64_t ns_failed;		/* namespace reads that failed (reported without a read) */
};

struct stuck {
	const struct filter *filter;	/* what is shown (filter_snapshot; its cfg and targets) */
	uint64_t first_ns;		/* --stuck in ns */
	uint32_t home_netns;		/* inode of our own network namespace */
	char cg_root[256];		/* where cgroup v2 is mounted, for the holders' cgroups */
	struct stuck_table tab;		/* the sockets followed */
	struct iter_tcp scan;		/* the iterator, loaded at start (it needs privileges) */
	struct stuck_report *r;		/* the round's reports ... */
	size_t n_r, cap_r, next_r;	/* ... of which r[next_r..n_r) are not written yet */
	struct stuck_holder *h;		/* the round's holders, by report */
	size_t n_h, cap_h;
	struct stuck_stats st;
};

/* Take a record in: a transition (before the filters: a socket's exit must never be missed), or a
 * snapshot record. Cheap: a hash lookup, and a heap insert for a socket entering a watched state. */
void stuck_feed(struct stuck *k, const struct tcpstates_event *e);

/*
 * One tick of the loop: write what the last round left while room() says so; with nothing left,
 * read the sockets due by now (one iterator run per namespace, one /proc scan for all) and write
 * those that pass the filters.
 */
void stuck_tick(struct stuck *k, stuck_room_fn room, stuck_emit_fn emit, void *ctx);

/*
 * The owner a report names (e: its record; h: the n holders listed, n 0 when none or unknown):
 * the remembered owner, from the socket's transitions or the snapshot, while that process is
 * among the holders; else the first holder (lowest pid), with TS_F2_OWNER_HOLDER. A socket with
 * no holder (an orphan) or whose holders are unknown keeps the remembered owner, maybe gone.
 */
void stuck_name_owner(struct tcpstates_event *e, const struct stuck_holder *h, uint32_t n);

/*
 * Do the filters show the report? As for a transition, with its named owner; and -p, -c and
 * --cgroup also match any of its n holders listed (a process holding the socket owns it, as in
 * ss -p).
 */
bool stuck_shown(const struct filter *f, const struct tcpstates_event *e,
		 const struct stuck_holder *h, uint32_t n);

/*
 * --metrics-file's gauge, for each state below n: followed[state], whether --stuck follows it;
 * per_state[state], the sockets followed, shown by the filters and older than --stuck at now_ns
 */
void stuck_count(const struct stuck *k, uint64_t now_ns, uint64_t *per_state, bool *followed,
		 unsigned int n);

struct output;

/*
 * One report as a record of the output o (--stuck): JSON {"type":"stuck",...} with the transition
 * keys that apply, read now, and state, since, since_exact, age_ns, holders; text one line with
 * STUCK in the OLDSTATE column, the age in MS and the holders in REASON. h: r->n_holders holders.
 */
void stuck_write(struct output *o, const struct stuck_report *r, const struct stuck_holder *h);

/*
 * For the session: NULL without --stuck; else a detector whose iterator is loaded, and privdrop
 * told to keep what its rounds need (or NULL and one line on stderr saying why not).
 */
struct stuck *stuck_start(const struct config *cfg, const struct filter *filter, bool by_cookie);

/* The end: -v says what it did; a full table is said in any case. NULL is fine. */
void stuck_stop(struct stuck *k, bool verbose);

#endif
