/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* filter.h - which transitions to print: per-event tests, and port tests decided per socket. */
#ifndef FILTER_H
#define FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "cgroup.h"
#include "cli.h"

#define FILTER_PENDING_BUCKETS 1024

struct pending;

/* what --cgroup and --netns name, looked up right after parsing (the config keeps the text) */
struct filter_targets {
	struct cgroup_tree cgroup;	/* --cgroup (cgroup.id 0: not given) */
	bool has_netns;			/* --netns given */
	uint32_t netns;			/* ... the namespace's inode */
};

struct containers;

struct filter {
	const struct config *cfg;			/* the options, as typed */
	struct containers *containers;			/* --pod, --container: who a cgroup is */
	const struct filter_targets *targets;		/* what --cgroup and --netns name */
	bool needs_lport;				/* a filter looks at the local port */
	struct pending *bucket[FILTER_PENDING_BUCKETS];	/* events waiting for their socket's port */
	unsigned int n_pending;				/* how many wait */
	unsigned int max_pending;			/* how many may wait */
	uint64_t dropped;		/* events that could not be held (limits, memory): lost */
};

/* hands a transition that passed the filter to the output */
typedef void (*filter_emit_fn)(void *arg, const struct tcpstates_event *e);

/*
 * Resolve cfg's --cgroup and --netns into t. Returns 0, or -1 after one line and the usage hint
 * on err, as for any bad argument (exit status 2).
 */
int filter_targets_resolve(struct filter_targets *t, const struct config *cfg, FILE *err);

void filter_targets_free(struct filter_targets *t);

/* containers: who a cgroup is, for --pod and --container (NULL without them) */
void filter_init(struct filter *f, const struct config *cfg, const struct filter_targets *t,
		 struct containers *containers);

/*
 * Decide about `e`: emit it, drop it, or - for a client's CLOSE -> SYN_SENT, whose local port is
 * still 0 when a local-port filter is set - hold it until the socket's next transition shows the
 * port, then emit both or neither. Order per socket is kept.
 */
void filter_event(struct filter *f, const struct tcpstates_event *e, filter_emit_fn emit, void *arg);

/* Drop what still waits (sockets that never got a local port cannot match a local-port filter). */
void filter_free(struct filter *f);

/* A socket of the start-up snapshot (oldstate 0): the same tests, ports included, at once. */
bool filter_snapshot(const struct filter *f, const struct tcpstates_event *e);

/*
 * A connection (--records connections): the same tests on its end (owner, addresses, ports);
 * --state keeps one whose path went through a state of the list.
 */
bool filter_conn(const struct filter *f, const struct tcpstates_conn *c);

/* The per-event part alone (family, owner, states), for tests. */
bool filter_match_event(const struct filter *f, const struct tcpstates_event *e);

#endif
