/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* iter_tcp.h - list the TCP sockets of one network namespace with the iter/tcp BPF iterator. */
#ifndef ITER_TCP_H
#define ITER_TCP_H

#include <stdbool.h>
#include <linux/types.h>
#include "tcpstates.h"

struct iter_tcp_bpf;

struct iter_tcp {
	struct iter_tcp_bpf *skel;	/* the loaded iterator program */
	struct bpf_link *link;		/* its link: an iterator is created from it per namespace */
	int home_ns;			/* fd of our own network namespace, to come back to */
};

/* called once per socket */
typedef void (*iter_tcp_fn)(void *ctx, const struct tcpstates_sock_rec *r);

/*
 * Load and attach the iterator program; use_cookie: may it ask for socket cookies (the tracer's
 * keys follow the same choice). Returns 0 or a negative errno.
 */
int iter_tcp_open(struct iter_tcp *s, bool use_cookie);

/*
 * Every TCP socket of network namespace netns_fd (-1: our own): the calling thread enters it,
 * creates the iterator there (an iterator lists the namespace it was created in), and returns
 * home before it reads. Returns the number of sockets, or a negative errno. If the way home
 * fails, the process ends (one line on stderr, exit 1): it must not go on in a foreign namespace.
 */
int iter_tcp_run(struct iter_tcp *s, int netns_fd, iter_tcp_fn fn, void *ctx);

/* Free everything; safe after a failed open. */
void iter_tcp_close(struct iter_tcp *s);

#endif
