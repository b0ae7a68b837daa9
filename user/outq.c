// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* outq.c - the output stream: whole lines queued, written whole, never blocking past a stop. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "outq.h"
#include "timefmt.h"

#define OUTQ_DEFAULT_MAX (4u << 20)

static void put(struct line_sink *s, const char *line, size_t len)
{
	outq_line((struct outq *)s, line, len);
}

int outq_init(struct outq *q, int fd, size_t max)
{
	struct stat st;

	memset(q, 0, sizeof(*q));
	q->sink.put = put;
	q->fd = fd;
	q->max = max ? max : OUTQ_DEFAULT_MAX;
	q->chunk = PIPE_BUF;
	if (!fstat(fd, &st)) {
		q->regular = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
		q->is_socket = S_ISSOCK(st.st_mode);
		if (q->regular)
			q->chunk = SIZE_MAX;	/* a file: all that is queued in one write */
	}
	q->cap = 64u << 10;
	q->buf = malloc(q->cap);
	return q->buf ? 0 : -ENOMEM;
}

void outq_free(struct outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->len = q->head = q->cap = 0;
}

/* room for n more bytes: move the unwritten bytes to the front, grow up to max */
static bool reserve(struct outq *q, size_t n)
{
	size_t want;
	char *p;

	if (q->head + q->len + n <= q->cap)
		return true;
	if (q->head) {
		memmove(q->buf, q->buf + q->head, q->len);
		q->head = 0;
		if (q->len + n <= q->cap)
			return true;
	}
	if (q->len + n > q->max)
		return false;
	want = q->cap;
	while (want < q->len + n)
		want *= 2;
	p = realloc(q->buf, want);
	if (!p)
		return false;
	q->buf = p;
	q->cap = want;
	return true;
}

void outq_line(struct outq *q, const char *line, size_t len)
{
	q->lines++;
	if (!q->buf || q->err || !reserve(q, len)) {
		q->not_written++;
		return;
	}
	memcpy(q->buf + q->head + q->len, line, len);
	q->len += len;
	q->queued++;
}

/* the longest run of whole lines from the head that fits one write */
static size_t whole_lines(const struct outq *q)
{
	const char *p = q->buf + q->head;
	size_t n = q->len < q->chunk ? q->len : q->chunk;

	const char *nl;

	if (n == q->len)
		return n;	/* everything queued ends in '\n' (a socket's tail: the rest of one) */
	nl = memrchr(p, '\n', n);
	/* a line longer than one write (a summary with many stats) goes in pieces, or never */
	return nl ? (size_t)(nl - p) + 1 : q->chunk;
}

static void written(struct outq *q, size_t n)
{
	const char *p = q->buf + q->head, *end = p + n;
	uint64_t lines = 0;

	if (n)
		q->mid_line = end[-1] != '\n';
	if (n == q->len) {
		lines = q->queued;	/* all of it: the lines were counted as they came */
	} else {
		while ((p = memchr(p, '\n', end - p))) {
			lines++;
			p++;
		}
	}
	q->written += lines;
	q->queued -= lines;
	q->head += n;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}

/* one write of whole lines, without waiting: >0 bytes written, 0 would block, -1 broken */
static ssize_t write_some(struct outq *q)
{
	size_t n = whole_lines(q);
	ssize_t w;

	if (!n)
		return 0;
	if (q->is_socket)
		w = send(q->fd, q->buf + q->head, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	else
		w = write(q->fd, q->buf + q->head, n);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (q->is_socket && errno == ENOTSOCK) {
			q->is_socket = false;
			return 0;
		}
		q->err = errno;
		return -1;
	}
	written(q, w);
	return w;
}

/*
 * Does the fd take a write now, or within timeout_ms? A regular file always does. For a pipe,
 * POLLOUT means a free buffer slot, and a write of at most PIPE_BUF bytes then completes at once.
 */
static int wait_writable(struct outq *q, int timeout_ms)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };
	int r;

	if (q->regular)
		return 1;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r > 0 && (pfd.revents & (POLLERR | POLLNVAL))) {
		/* the reader is gone (a pipe's POLLERR) or the fd is bad: the write says which */
		return 1;
	}
	return r > 0;
}

int outq_write(struct outq *q, int timeout_ms, const volatile sig_atomic_t *stop)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000;

	while (q->len && !q->err) {
		int64_t left = (int64_t)(end - clock_ns(CLOCK_MONOTONIC)) / 1000000;
		int r = wait_writable(q, left > 0 ? (int)left : 0);

		if (r < 0) {
			q->err = errno;
			break;
		}
		if (r == 0) {
			if (left <= 0 || (stop && *stop))
				break;
			continue;
		}
		if (write_some(q) < 0)
			break;
		if (stop && *stop)
			break;
	}
	return q->err ? -1 : 0;
}

void outq_set_fd(struct outq *q, int fd)
{
	q->fd = fd;
}

int outq_finish(struct outq *q, uint64_t deadline_ns, int stall_ms)
{
	while (q->len && !q->err) {
		int64_t left = (int64_t)(deadline_ns - clock_ns(CLOCK_MONOTONIC)) / 1000000;
		size_t before = q->len;

		if (left <= 0)
			break;
		outq_write(q, left < stall_ms ? (int)left : stall_ms, NULL);
		if (q->len == before)
			break;	/* the reader took nothing for stall_ms: it is not coming back soon */
	}
	/* whole lines left over; a socket's line in flight counts as one too */
	q->not_written += q->queued;
	if (q->len && q->buf[q->head + q->len - 1] != '\n')
		q->not_written++;
	q->len = 0;
	q->queued = 0;
	return q->err ? -1 : 0;
}
