/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* sockscan.h - list the TCP sockets of one network namespace with the iter/tcp BPF iterator. */
#ifndef SOCKSCAN_H
#define SOCKSCAN_H

#include <stdbool.h>
#include <linux/types.h>
#include "tcpstates.h"

struct iter_tcp_bpf;

struct sockscan {
	struct iter_tcp_bpf *skel;	/* the loaded iterator program */
	struct bpf_link *link;		/* its link: an iterator is created from it per namespace */
	int home_ns;			/* fd of our own network namespace, to come back to */
};

/* called once per socket */
typedef void (*sockscan_fn)(void *ctx, const struct tcpstates_sock_rec *r);

/*
 * Load and attach the iterator program; use_cookie: may it ask for socket cookies (the tracer's
 * keys follow the same choice). Returns 0 or a negative errno.
 */
int sockscan_open(struct sockscan *s, bool use_cookie);

/*
 * Every TCP socket of network namespace netns_fd (-1: our own): the calling thread enters it,
 * creates the iterator there (an iterator lists the namespace it was created in), and returns
 * home before it reads. Returns the number of sockets, or a negative errno. If the way home
 * fails, the process ends (one line on stderr, exit 1): it must not go on in a foreign namespace.
 */
int sockscan_run(struct sockscan *s, int netns_fd, sockscan_fn fn, void *ctx);

/* Free everything; safe after a failed open. */
void sockscan_close(struct sockscan *s);

#endif
