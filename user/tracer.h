/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* tracer.h - the BPF side's lifecycle: open, size, load, attach (with fallback), read, detach. */
#ifndef TRACER_H
#define TRACER_H

#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "cgroup.h"
#include "cli.h"
#include "feature.h"
#include "loss.h"

struct tcpstates_bpf;
struct ring_buffer;

/* called for every record read from the ring buffer; non-zero stops the current read */
typedef int (*tracer_event_fn)(void *ctx, const struct tcpstates_event *e);
/* ... for every connection record (--records connections) */
typedef int (*tracer_conn_fn)(void *ctx, const struct tcpstates_conn *c);

struct tracer {
	struct tcpstates_bpf *skel;	/* the loaded object */
	struct ring_buffer *rb;		/* reader of the `events` ring buffer */
	int hook;			/* TS_HOOK_* actually attached */
	struct features features;	/* what this kernel gives, what is on */
	char btf_refused[320];		/* why tp_btf is not the hook (auto fell back) */
	bool timewait;			/* timewait minisockets followed (bpf/tracer/timewait.bpf.c) */
	bool tw_check;			/* ... and the waiting orphans looked at (tw_check_*) */
	const struct cgroup_tree *cgroup;	/* --cgroup resolved (id 0: none) */
	bool cgroup_in_kernel;		/* ... decided by the BPF side (TS_F2_CGROUP_IN) */
	uint64_t tw_period_ns;		/* how often they are looked at */
	uint64_t tw_next_ns;		/* when it runs next (CLOCK_MONOTONIC) */
	uint64_t sweep_next_ns;		/* when tw_pending is swept next (CLOCK_MONOTONIC) */
	uint64_t tw_adds_seen;		/* tw_waiting_adds at its last run */
	uint64_t swept;			/* records the sweep of tw_pending handed to fn */
	tracer_event_fn fn;		/* per-record callback */
	tracer_conn_fn conn_fn;		/* per-connection callback (NULL: connections dropped) */
	enum tcpstates_records records;	/* --records: what the BPF side sends */
	uint64_t swept_conns;		/* connections the sweep ended (killed orphans) */
	void *fn_ctx;			/* its argument */
};

/* counters since start, summed over CPUs */
struct tracer_counts {
	uint64_t events;		/* TCP transitions the BPF programs handled (all namespaces,
					 * before the filters): the ring buffer's records */
	uint64_t connections;		/* connection records the BPF programs wrote, and the sweep
					 * (an orphan killed in FIN_WAIT2) */
	uint64_t swept;			/* timewait ends the loader's sweep found (tw_pending): not
					 * in events, never in the ring buffer */
	uint64_t gaps;			/* transitions that did not follow the socket's last state */
	uint64_t skipped_main;		/* runs of the main program the kernel skipped (nested) */
	uint64_t covered;		/* ... of which the backup program emitted */
	struct loss_counts lost;	/* the causes the BPF side counts: rb_full, map_full (per-
					 * socket or timewait map), unseen (destroyed while believed
					 * open: reported inferred), recursion_misses (skipped by
					 * both programs); the others are the session's, 0 here */
};

/*
 * Open, load and attach. tp_btf first; the classic tracepoint where tp_btf is refused (or as
 * cfg->hook demands). The BPF side decides --cgroup where it can (cgroup_kernel_can). On failure
 * prints one line saying why and returns a negative errno.
 */
int tracer_start(struct tracer *t, const struct config *cfg, const struct cgroup_tree *cgroup,
		 tracer_event_fn fn, void *ctx);

/* Wait up to timeout_ms for records and hand them to fn. Returns records read or -errno. */
int tracer_poll(struct tracer *t, int timeout_ms);

/* Read whatever the ring buffer still holds, without waiting. */
int tracer_drain(struct tracer *t);

/* Current counters. */
void tracer_counts(struct tracer *t, struct tracer_counts *c);

/* Detach from the kernel hook: no new records after this; maps stay readable for a drain. */
void tracer_detach(struct tracer *t);

/* Free everything; safe on a tracer that never started. */
void tracer_destroy(struct tracer *t);

/* fd of the owner_seed map (socket key -> owner found at start) */
int tracer_seed_fd(struct tracer *t);

/* are sockets keyed by cookie (else by address) in owner_seed, and timewait ones by cookie? */
bool tracer_keys_by_cookie(struct tracer *t);

/* fd of the listeners map ((netns, port) -> listener's entry) in address mode; else -1 */
int tracer_listeners_fd(struct tracer *t);

/* fd of listener_seed ((netns, port) -> owner of a listener older than the tracer) */
int tracer_listener_seed_fd(struct tracer *t);

/* fd of owner_watch (pid -> listener's file) when a listener owner's exit is followed; else -1 */
int tracer_owner_watch_fd(struct tracer *t);

/* fds of the tw_info and tw_waiting maps; -1 when timewait minisockets are not followed */
void tracer_tw_fds(struct tracer *t, int *info_fd, int *waiting_fd);

/* fds of the --records none tallies (tally.bpf.c): counts, and histograms by slot */
void tracer_tally_fds(struct tracer *t, int *counts_fd, int *hists_fd);

/* Human name of a TS_HOOK_* value. */
const char *tracer_hook_name(int hook);

#endif
