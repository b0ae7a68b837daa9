// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * rr.c - request/response on persistent loopback connections, for the benchmark's data path.
 *
 *   rr -n TRANSACTIONS [-c CONNECTIONS] [-p PORT]
 *
 * One listener; C client threads each connect() once, then, on their connection, write one
 * byte and wait for one byte back, TRANSACTIONS / C times. C server threads each accept() one
 * connection and answer every byte with one byte. No state changes during the transactions:
 * what a state tracer costs here is what it costs a busy server's sends and receives.
 * The connections are made and closed outside the timed part (the clock starts once all are
 * accepted and stops when every client has its last answer).
 *
 * Output (stdout):
 *   listening 127.0.0.1 port P
 *   transactions N seconds S tx_per_s R
 * Exit status: 0 when every transaction completed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CONNS 64

static struct {
	struct sockaddr_in addr;
	int lfd;
	long per_conn;			/* transactions per connection */
	pthread_barrier_t ready;	/* every connection made and accepted: the clock starts */
	atomic_long done;		/* transactions answered */
} g;

static void die(const char *what)
{
	fprintf(stderr, "rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: rr -n TRANSACTIONS [-c CONNECTIONS] [-p PORT]\n"
			"  -n  transactions in all (required, >= 1), shared by the connections\n"
			"  -c  persistent connections, one client and one server thread each (default 4)\n"
			"  -p  listener port on 127.0.0.1 (0: the kernel picks one; printed)\n");
	exit(2);
}

#define parse_num(s, min, max, what) bench_parse_num("rr", s, min, max, what, usage)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* exactly one byte, or die: a short read here means the peer broke the protocol */
static void xfer(int fd, char *c, int out)
{
	ssize_t r;

	do
		r = out ? write(fd, c, 1) : read(fd, c, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1) {
		if (r == 0)
			errno = ECONNRESET;
		die(out ? "write" : "read");
	}
}

static void *client(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	char c = 'q';

	(void)arg;
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&g.addr, sizeof(g.addr)))
		die("connect");
	/* one byte a segment, at once: the request/response pattern, not Nagle's batching */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_barrier_wait(&g.ready);
	for (long i = 0; i < g.per_conn; i++) {
		xfer(fd, &c, 1);
		xfer(fd, &c, 0);
	}
	close(fd);
	return NULL;
}

static void *server(void *arg)
{
	int fd = (int)(long)arg, one = 1;
	char c;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_barrier_wait(&g.ready);
	for (long i = 0; i < g.per_conn; i++) {
		xfer(fd, &c, 0);
		xfer(fd, &c, 1);
		atomic_fetch_add_explicit(&g.done, 1, memory_order_relaxed);
	}
	/* the client closes first; wait for its FIN so that the server side ends orderly too */
	while (read(fd, &c, 1) > 0)
		;
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t cl[MAX_CONNS], sv[MAX_CONNS];
	long n = -1, conns = 4, port = 0;
	socklen_t len = sizeof(g.addr);
	int opt, one = 1;
	double t0, secs;

	while ((opt = getopt(argc, argv, "n:c:p:h")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_num(optarg, 1, LONG_MAX / 2, "transaction count");
			break;
		case 'c':
			conns = parse_num(optarg, 1, MAX_CONNS, "connection count");
			break;
		case 'p':
			port = parse_num(optarg, 0, 65535, "port");
			break;
		default:
			usage();
		}
	}
	if (n < 1 || optind != argc)
		usage();
	g.per_conn = (n + conns - 1) / conns;

	g.addr.sin_family = AF_INET;
	g.addr.sin_port = htons(port);
	g.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g.lfd < 0)
		die("socket");
	setsockopt(g.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(g.lfd, (struct sockaddr *)&g.addr, sizeof(g.addr)) || listen(g.lfd, MAX_CONNS))
		die("bind/listen");
	if (getsockname(g.lfd, (struct sockaddr *)&g.addr, &len))
		die("getsockname");
	printf("listening 127.0.0.1 port %d\n", ntohs(g.addr.sin_port));
	fflush(stdout);

	/* the main thread joins the barrier too: it starts the clock once all are connected */
	if ((errno = pthread_barrier_init(&g.ready, NULL, 2 * conns + 1)))
		die("pthread_barrier_init");
	for (long i = 0; i < conns; i++)
		if ((errno = pthread_create(&cl[i], NULL, client, NULL)))
			die("pthread_create");
	for (long i = 0; i < conns; i++) {
		int fd = accept4(g.lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			die("accept");
		if ((errno = pthread_create(&sv[i], NULL, server, (void *)(long)fd)))
			die("pthread_create");
	}
	pthread_barrier_wait(&g.ready);
	t0 = now_s();
	for (long i = 0; i < conns; i++)
		pthread_join(cl[i], NULL);
	secs = now_s() - t0;
	for (long i = 0; i < conns; i++)
		pthread_join(sv[i], NULL);
	close(g.lfd);

	long done = atomic_load(&g.done);

	printf("transactions %ld seconds %.3f tx_per_s %.0f\n", done, secs,
	       secs > 0 ? done / secs : 0.0);
	return done == g.per_conn * conns ? 0 : 1;
}
