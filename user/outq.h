/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* outq.h - the output stream: whole lines queued, written whole, never blocking past a stop. */
#ifndef OUTQ_H
#define OUTQ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linebuf.h"

/*
 * No stdio for the stream: a stalled reader (a log shipper that stops reading, `| less` left
 * alone) must not hold the tracer in a write past SIGTERM or -d, and must never get a line cut in
 * two. Lines are queued here and written in chunks of whole lines once poll() says the fd takes
 * them: to a pipe at most PIPE_BUF bytes per write (atomic: all or nothing), to a file all that
 * is queued in one write. What cannot be written by the end is counted, never silently dropped.
 */
struct outq {
	struct line_sink sink;		/* first: the printers hand finished lines to it */
	int fd;				/* where the lines go (stdout) */
	size_t chunk;			/* most bytes per write(): PIPE_BUF for a pipe or socket,
					 * all that is queued for a regular file */
	bool regular;			/* a regular file: writes do not wait for a reader */
	bool is_socket;			/* a stream socket (journald): send(MSG_DONTWAIT) */
	char *buf;			/* queued bytes: whole lines, but a socket's line in flight */
	size_t head, len, cap;		/* unwritten bytes are buf[head .. head + len) */
	size_t max;			/* queue limit (default 4 MiB): lines past it are counted unwritten */
	uint64_t lines;			/* lines handed to the queue in all */
	uint64_t queued;		/* lines in buf: their '\n' not yet written */
	uint64_t written;		/* lines written whole */
	uint64_t not_written;		/* lines dropped: queue full, or still queued at the end */
	int err;			/* errno of the first failed write; EPIPE: the reader left */
	bool mid_line;			/* the last write ended inside a line (a short write) */
};

/* Set q up for fd; max is the most bytes queued (0: a default of 4 MiB). */
int outq_init(struct outq *q, int fd, size_t max);

/* Queue one whole line (ending in '\n'); a full queue counts it as not written. */
void outq_line(struct outq *q, const char *line, size_t len);

/* Bytes queued and not yet written. */
static inline size_t outq_pending(const struct outq *q)
{
	return q->len;
}

/*
 * Write what the fd takes, waiting at most timeout_ms for it to take more (0: do not wait).
 * Returns early, with what is left still queued, when *stop becomes non-zero (a signal also
 * interrupts the wait). Returns 0, or -1 once the stream is broken (q->err says why).
 */
int outq_write(struct outq *q, int timeout_ms, const volatile sig_atomic_t *stop);

/*
 * The end of the run: write what is queued until it is all out, deadline_ns (CLOCK_MONOTONIC)
 * passes, or the reader takes nothing for stall_ms; what is left is counted in not_written.
 * Returns like outq_write.
 */
int outq_finish(struct outq *q, uint64_t deadline_ns, int stall_ms);

/* Is the fd's content a run of whole lines (no line half written)? */
static inline bool outq_at_line_start(const struct outq *q)
{
	return !q->mid_line;
}

/*
 * Write to fd from now on (-o reopened on SIGHUP: user/outfile.c), at a line start only. The
 * lines still queued go to fd. The fd is a regular file, as the one before.
 */
void outq_set_fd(struct outq *q, int fd);

void outq_free(struct outq *q);

#endif
