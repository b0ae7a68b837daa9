/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* snapshot.h - every TCP socket that exists at start, in every network namespace, with its owner. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "filter.h"

/*
 * hands one socket, as a record with TS_F2_SNAPSHOT, to the caller (which filters and prints),
 * with the iterator's record it was made of
 */
typedef void (*snapshot_emit_fn)(void *ctx, const struct tcpstates_event *e,
				 const struct tcpstates_sock_rec *r);

struct snapshot_stats {
	unsigned int namespaces;	/* network namespaces listed */
	unsigned int ns_failed;		/* ... that could not be entered or listed */
	unsigned int sockets;		/* sockets found */
	unsigned int owners;		/* ... whose owner /proc named */
	unsigned int seeded;		/* owners handed to the BPF side (owner_seed map) */
	unsigned int seed_failed;	/* ... that did not fit */
	uint64_t iter_ns;		/* wall time listing the sockets (all namespaces) */
	uint64_t owner_ns;		/* ... scanning /proc for their owners */
	uint64_t elapsed_ns;		/* wall time of the whole snapshot, printing included */
};

/* where the snapshot hands the BPF side what only it knows; -1: not wanted */
struct snapshot_seeds {
	bool by_cookie;		/* the tracer keys sockets by cookie (else by address) */
	int owner_fd;		/* owner_seed: socket key -> owner, for the main program */
	int listeners_fd;	/* address mode: (netns, port) -> listener's entry, for its children */
	int listener_seed_fd;	/* (netns, port) -> listener's owner, for its children */
	int owner_watch_fd;	/* pid -> 0: a listener's owner, watched for its exit */
	/* tw_info and tw_waiting: an orphan's FIN_WAIT2 minisocket, for tw_check_key */
	int tw_info_fd;
	int waiting_fd;
};

/*
 * List the sockets (only targets->netns with --netns), resolve their owners the way ss -p does (socket
 * inode -> a process holding an fd on it), write each owner into seeds->owner_fd and each
 * waiting FIN_WAIT2 minisocket into seeds->waiting_fd, then emit every socket. Returns 0, or a
 * negative errno when the iterator cannot run at all.
 */
int snapshot_run(const struct filter_targets *targets, const struct snapshot_seeds *seeds,
		 snapshot_emit_fn emit, void *ctx, struct snapshot_stats *st);

/*
 * The timer of iterator record r into e (timer, timer_retries, timer_left_ns): --stuck's reports
 * take it as the snapshot's records do.
 */
void snapshot_timer(const struct tcpstates_sock_rec *r, struct tcpstates_event *e);

/* One iterator record and its owner (NULL: unknown) as an event record. */
void snapshot_event(const struct tcpstates_sock_rec *r, const struct tcpstates_owner *o,
		    struct tcpstates_event *e);

#endif
