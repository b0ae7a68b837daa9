// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* iter_tcp.c - run the iter/tcp program in a network namespace and hand back its records. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iter_tcp.skel.h"
#include "iter_tcp.h"

#define READ_BUF (64 * 1024)

int iter_tcp_open(struct iter_tcp *s, bool use_cookie)
{
	memset(s, 0, sizeof(*s));
	s->home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (s->home_ns < 0)
		return -errno;
	s->skel = iter_tcp_bpf__open();
	if (!s->skel)
		return -errno;
	s->skel->rodata->use_cookie = use_cookie;
	if (iter_tcp_bpf__load(s->skel))
		return -errno;
	s->link = bpf_program__attach_iter(s->skel->progs.dump_tcp, NULL);
	return s->link ? 0 : -errno;
}

/*
 * Stranded in another network namespace: every socket, address and name from now on would be
 * that namespace's, and nothing could be trusted. The scan stops here and so does the process
 * (its BPF links go with its fds), with one line saying why.
 */
static void __attribute__((noreturn)) stranded(int err)
{
	fprintf(stderr, "tcpstates-c: cannot return to our own network namespace after listing "
		"another one's sockets: %s; stopping\n", strerror(err));
	exit(1);
}

/* the iterator fd, created inside netns_fd; we are back home when this returns */
static int create_in(struct iter_tcp *s, int netns_fd)
{
	int fd, err = 0;

	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET))
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(s->link));
	if (fd < 0)
		err = -errno;
	if (netns_fd >= 0 && setns(s->home_ns, CLONE_NEWNET))
		stranded(errno);
	return fd >= 0 ? fd : err;
}

/*
 * A read returns whole records unless the buffer ends inside one: the rest comes with the next
 * read, so a partial tail is carried over.
 */
int iter_tcp_run(struct iter_tcp *s, int netns_fd, iter_tcp_fn fn, void *ctx)
{
	static char buf[READ_BUF];
	const size_t rec = sizeof(struct tcpstates_sock_rec);
	size_t have = 0;
	int fd, n = 0;
	ssize_t got;

	fd = create_in(s, netns_fd);
	if (fd < 0)
		return fd;
	while ((got = read(fd, buf + have, sizeof(buf) - have)) > 0 || (got < 0 && errno == EINTR)) {
		size_t off = 0;

		if (got < 0)
			continue;
		have += got;
		for (; have - off >= rec; off += rec, n++) {
			struct tcpstates_sock_rec r;

			memcpy(&r, buf + off, rec);	/* buf + off need not be aligned */
			fn(ctx, &r);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (got < 0)
		n = -errno;
	close(fd);
	return n;
}

void iter_tcp_close(struct iter_tcp *s)
{
	bpf_link__destroy(s->link);
	iter_tcp_bpf__destroy(s->skel);
	if (s->home_ns >= 0)
		close(s->home_ns);
	memset(s, 0, sizeof(*s));
	s->home_ns = -1;
}
