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
#include "threads.h"

#define STUCK_HOLDERS_MAX 16	/* holders listed per report (holders_total counts them all) */
#define STUCK_FDS_MAX 4		/* a holder's descriptors listed (fds_total counts them all) */

/*
 * Why a socket is stuck, one word each, X(NAME, word, words): the JSON value and the text
 * line's words. The first that applies is the diagnosis (stuck_diagnose).
 */
#define STUCK_DIAGNOSIS_LIST(X)							\
	X(ORPHAN, orphan, "held by no process")					\
	X(INHERITED, inherited, "held only by processes other than its owner")	\
	X(DATA_UNREAD, data_unread, "data unread")				\
	X(EOF_UNREAD, eof_unread, "all data read, end of file not read")	\
	X(EOF_READ_NOT_CLOSED, eof_read_not_closed, "end of file read, not closed") \
	X(PEER_SILENT, peer_silent, "waiting for the peer")

enum stuck_diagnosis {
	STUCK_DX_NONE = 0,		/* not known: the socket could not be read now */
#define STUCK_DX_ENUM(name, word, words) STUCK_DX_##name,
	STUCK_DIAGNOSIS_LIST(STUCK_DX_ENUM)
#undef STUCK_DX_ENUM
	STUCK_DX_MAX,
};

/* the JSON words of the diagnoses, STUCK_DX_NONE's excluded: stuck_dx_words[d - 1] */
extern const char *const stuck_dx_words[STUCK_DX_MAX - 1];

/* the JSON word of d (NULL for STUCK_DX_NONE) and its words for a text line */
const char *stuck_diagnosis_word(enum stuck_diagnosis d);
const char *stuck_diagnosis_words(enum stuck_diagnosis d);

/* a process holding a reported socket, through one descriptor or several (dup, fork + exec) */
struct stuck_holder {
	uint32_t slot;			/* its report in the round */
	uint32_t pid;			/* tgid */
	char comm[TCPSTATES_COMM_LEN];	/* /proc/PID/comm */
	uint64_t cgroup_id;		/* from /proc/PID/cgroup (0: unknown) */
	uint32_t first_thread;		/* its threads in the round's thread array ... */
	uint32_t n_threads;		/* ... listed (at most THREADS_MAX) */
	uint32_t threads_total;		/* all it has; 0: not read (not detailed, or gone) */
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
	int64_t last_recv_ago_ns;	/* since it last received (data or ACK); -1: unknown */
	int64_t last_send_ago_ns;	/* since it last sent data; -1: unknown */
	uint32_t owner_pid;		/* the remembered owner, before stuck_name_owner (0: none
					 * known, or inherited from its listener) */
	uint32_t unread_bytes;		/* received, not read by the application (FIN not counted) */
	int8_t eof_read;		/* the application read the peer's FIN: 1, 0; -1: no FIN */
	uint8_t diagnosis;		/* enum stuck_diagnosis */
	bool since_exact;		/* false: e.ts_ns is when the snapshot saw it (age: a lower
					 * bound), or an estimate (estimated) */
	bool estimated;			/* e.ts_ns estimated from the kernel's own timestamps */
	bool read_now;			/* its namespace was listed now: queues and holders are current */
	bool detailed;			/* written as a record (else only counted in its summary) */
	bool full;			/* a full socket (not a minisocket or request): unread_bytes */
	uint8_t _pad[1];
};

/*
 * One group of a round's reports: the sockets of one process (the owner a report names) in one
 * state with one peer address. lport/rport: the group's own port when all share it, else 0.
 */
struct stuck_summary {
	const struct stuck_report *first;	/* its oldest report (pid, comm, addresses) */
	uint64_t now_ns;			/* when the round read them */
	uint64_t oldest_age_ns;
	uint32_t count;				/* sockets in the group this round */
	uint32_t detailed;			/* written as records */
	uint32_t lport, rport;			/* shared by all, or 0 */
	uint32_t diagnoses[STUCK_DX_MAX];	/* sockets by diagnosis */
};

/*
 * hands one record to the output: a group's summary (sum set, r NULL), or one report (r set): h
 * its n_holders holders, t the round's threads (stuck_holder.first_thread indexes it)
 */
typedef void (*stuck_emit_fn)(void *ctx, const struct stuck_summary *sum,
			      const struct stuck_report *r, const struct stuck_holder *h,
			      const struct thread_info *t);

/* is there room in the output for more lines now? */
typedef bool (*stuck_room_fn)(void *ctx);

struct stuck_stats {
	uint64_t reports;		/* report records written */
	uint64_t summaries;		/* summary records written */
	uint64_t folded;		/* reports counted in a summary only (--stuck-detail) */
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
	uint32_t detail;		/* --stuck-detail */
	struct stuck_report *r;		/* the round's reports, grouped, oldest first in a group */
	size_t n_r, cap_r;
	struct stuck_holder *h;		/* the round's holders, by report */
	size_t n_h, cap_h;
	struct thread_info *t;		/* the threads of the detailed reports' holders */
	size_t n_t, cap_t;
	struct stuck_summary *g;	/* the round's groups ... */
	size_t n_g, cap_g;
	size_t next_g, next_r;		/* ... written up to g[next_g] (its summary when next_r is
					 * its first report), r[next_r] */
	struct stuck_stats st;
};

/* Take a record in: a transition (before the filters: a socket's exit must never be missed), or a
 * snapshot record. Cheap: a hash lookup, and a heap insert for a socket entering a watched state. */
void stuck_feed(struct stuck *k, const struct tcpstates_event *e);

/*
 * A socket the start-up snapshot found (e: its record, r: the iterator's): in CLOSE_WAIT, CLOSING
 * or FIN_WAIT2 its time in the state is estimated from the kernel's own timestamps (the last
 * packet it received: the peer's FIN, or the ACK of ours), and it is first reported as soon as
 * that estimate passes --stuck; else its age is counted from now, a lower bound.
 */
void stuck_feed_found(struct stuck *k, const struct tcpstates_event *e,
		      const struct tcpstates_sock_rec *r);

/*
 * Why is it stuck: from the state, what was read now (queues, the peer's FIN read or not) and who
 * holds it (n_holders, and whether its remembered owner owner_pid is among them).
 */
enum stuck_diagnosis stuck_diagnose(const struct stuck_report *r, const struct stuck_holder *h);

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

/*
 * For the same gauge by diagnosis: per_dx[d], the sockets stuck now (as stuck_count counts them)
 * reported last with diagnosis d + 1 (the words of stuck_diagnosis_word); n: STUCK_DX_MAX - 1
 */
void stuck_count_diagnosed(const struct stuck *k, uint64_t now_ns, uint64_t *per_dx, unsigned int n);

struct output;

/*
 * One report as a record of the output o (--stuck): JSON {"type":"stuck",...} with the transition
 * keys that apply, read now, and state, since, since_exact, age_ns, holders; text one line with
 * STUCK in the OLDSTATE column, the age in MS and the holders in REASON. h: r->n_holders holders.
 */
void stuck_write(struct output *o, const struct stuck_report *r, const struct stuck_holder *h,
		 const struct thread_info *t);

/* One group's summary as a record of o: JSON {"type":"stuck_summary",...}, or one text line. */
void stuck_write_summary(struct output *o, const struct stuck_summary *sum);

/*
 * For the session: NULL without --stuck; else a detector whose iterator is loaded, and privdrop
 * told to keep what its rounds need (or NULL and one line on stderr saying why not).
 */
struct stuck *stuck_start(const struct config *cfg, const struct filter *filter, bool by_cookie);

/* The end: -v says what it did; a full table is said in any case. NULL is fine. */
void stuck_stop(struct stuck *k, bool verbose);

#endif
