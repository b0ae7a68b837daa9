// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * churn.c - TCP connection churn on loopback, as fast as possible: the benchmark's workload and
 * the integration tests' (t_zero_loss, t_loss, t_stalled, t_kill9, t_output_file, t_rsyslog).
 * Built by the Makefile into .output/bench/churn.
 *
 *   churn -n 20000 [-a 127.0.0.1] [-p PORT] [-6] [-P parallel] [-t SECONDS]
 *
 * One listener; P client threads connect() and close() at once; P server threads accept(), read
 * until EOF, close(). The client always closes first and the server only closes after it has seen
 * the client's FIN, so every connection makes exactly 10 state transitions over its sockets:
 *
 *   client:   CLOSE->SYN_SENT->ESTABLISHED->FIN_WAIT1->FIN_WAIT2->CLOSE         (5)
 *   accepted: LISTEN->SYN_RECV->ESTABLISHED->CLOSE_WAIT->LAST_ACK->CLOSE         (5)
 *
 * plus CLOSE->LISTEN and LISTEN->CLOSE of the listener: N connections = 10 N + 2 transitions.
 * A connect() that fails after the socket reached SYN_SENT adds 2 (CLOSE->SYN_SENT->CLOSE); such
 * failures are counted and reported as `failed_connects` (normally 0).
 *
 * The client side ends in TIME_WAIT: run it in a network namespace with a wide
 * net.ipv4.ip_local_port_range and net.ipv4.tcp_tw_reuse=1 (tests/bench/run.sh does).
 *
 * Output (stdout):
 *   listening ADDR port P                                  (as soon as the listener is up)
 *   connections N failed F seconds S conn_per_s R          (at the end; F: failed connects)
 *   transitions_expected T
 * Exit status: 0 when all N connections completed within the time limit (-t, default 300 s),
 * 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BACKLOG 4096
#ifndef MAX_INFLIGHT
#define MAX_INFLIGHT 1024	/* connected but not yet closed by the server: stay below the backlog */
#endif
#define MAX_RETRIES 1000	/* per connection, for transient connect() failures */
#define MAX_PARALLEL 64
#define TIME_LIMIT_S 300	/* bounded: give up after this long (-t) */

static struct {
	int family;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int lfd;
	long n;				/* connections wanted */
	atomic_long connected;		/* connect() succeeded */
	atomic_long served;		/* accepted socket closed after EOF */
	atomic_long failed;		/* connect() failed (each adds 2 transitions) */
	atomic_bool abort;		/* fatal error or time limit: everyone stops */
	long limit_s;			/* -t */
	struct timespec start;
} g;

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double elapsed_s(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - g.start.tv_sec) + (now.tv_nsec - g.start.tv_nsec) / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: churn -n CONNECTIONS [-a ADDR] [-p PORT] [-6] [-P PARALLEL] "
			"[-t SECONDS]\n"
			"  -n  number of connections (required, >= 1)\n"
			"  -a  loopback address to listen on and connect to (127.0.0.1, or ::1 with -6)\n"
			"  -p  listener port (0: the kernel picks one; printed)\n"
			"  -6  IPv6\n"
			"  -P  client threads and as many server threads (default 2)\n"
			"  -t  give up after SECONDS (default 300)\n");
	exit(2);
}

#define parse_num(s, min, max, what) bench_parse_num("churn", s, min, max, what, usage)

/* Client: connect, close at once (the client closes first: FIN_WAIT1/2 here, CLOSE_WAIT there). */
static void *client(void *arg)
{
	long todo = (long)arg;

	while (todo > 0 && !atomic_load_explicit(&g.abort, memory_order_relaxed)) {
		int retries = 0;

		/* keep the accept queue short: never more than MAX_INFLIGHT unserved connections */
		while (atomic_load_explicit(&g.connected, memory_order_relaxed) -
			       atomic_load_explicit(&g.served, memory_order_relaxed) >= MAX_INFLIGHT &&
		       !atomic_load_explicit(&g.abort, memory_order_relaxed))
			sched_yield();
again:;
		int fd = socket(g.family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&g.addr, g.addrlen)) {
			int err = errno;

			close(fd);
			/* the socket reached SYN_SENT and went back to CLOSE: 2 transitions */
			atomic_fetch_add(&g.failed, 1);
			if ((err == EADDRNOTAVAIL || err == ECONNREFUSED || err == ETIMEDOUT ||
			     err == EAGAIN || err == EINTR) && ++retries < MAX_RETRIES) {
				usleep(1000);
				goto again;
			}
			errno = err;
			fprintf(stderr, "churn: connect: %s (giving up after %d tries)\n",
				strerror(err), retries);
			atomic_store(&g.abort, true);
			break;
		}
		atomic_fetch_add_explicit(&g.connected, 1, memory_order_relaxed);
		close(fd);
		todo--;
	}
	return NULL;
}

/* Server: accept, wait for the client's FIN (read() == 0), then close. */
static void *server(void *arg)
{
	char buf[64];

	(void)arg;
	while (atomic_load_explicit(&g.served, memory_order_relaxed) < g.n &&
	       !atomic_load_explicit(&g.abort, memory_order_relaxed)) {
		int fd = accept4(g.lfd, NULL, NULL, SOCK_CLOEXEC);	/* blocking socket */

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED) {
				struct pollfd p = { .fd = g.lfd, .events = POLLIN };

				/* short timeout: notice when the others have served the last one */
				poll(&p, 1, 20);
				if (elapsed_s() > g.limit_s) {
					fprintf(stderr, "churn: time limit (%ld s) reached\n",
						g.limit_s);
					atomic_store(&g.abort, true);
				}
				continue;
			}
			die("accept");
		}
		for (;;) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r == 0)
				break;
			if (r < 0 && errno != EINTR) {
				fprintf(stderr, "churn: read: %s\n", strerror(errno));
				break;
			}
		}
		close(fd);
		atomic_fetch_add_explicit(&g.served, 1, memory_order_relaxed);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *addr_s = NULL;
	long port = 0, parallel = 2;
	pthread_t cl[MAX_PARALLEL], sv[MAX_PARALLEL];
	char shown[INET6_ADDRSTRLEN];
	int opt, one = 1;
	double secs;

	g.family = AF_INET;
	g.n = -1;
	g.limit_s = TIME_LIMIT_S;
	while ((opt = getopt(argc, argv, "n:a:p:6P:t:h")) != -1) {
		switch (opt) {
		case 'n':
			g.n = parse_num(optarg, 1, LONG_MAX / 16, "connection count");
			break;
		case 'a':
			addr_s = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 0, 65535, "port");
			break;
		case '6':
			g.family = AF_INET6;
			break;
		case 'P':
			parallel = parse_num(optarg, 1, MAX_PARALLEL, "parallel count");
			break;
		case 't':
			g.limit_s = parse_num(optarg, 1, 86400, "time limit");
			break;
		default:
			usage();
		}
	}
	if (g.n < 1 || optind != argc)
		usage();
	if (!addr_s)
		addr_s = g.family == AF_INET6 ? "::1" : "127.0.0.1";

	memset(&g.addr, 0, sizeof(g.addr));
	if (g.family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&g.addr;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, addr_s, &a->sin_addr) != 1) {
			fprintf(stderr, "churn: not an IPv4 address: %s\n", addr_s);
			return 2;
		}
		g.addrlen = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&g.addr;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr_s, &a->sin6_addr) != 1) {
			fprintf(stderr, "churn: not an IPv6 address: %s\n", addr_s);
			return 2;
		}
		g.addrlen = sizeof(*a);
	}

	g.lfd = socket(g.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (g.lfd < 0)
		die("socket");
	setsockopt(g.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (g.family == AF_INET6)
		setsockopt(g.lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(g.lfd, (struct sockaddr *)&g.addr, g.addrlen))
		die("bind");
	if (listen(g.lfd, BACKLOG))	/* CLOSE -> LISTEN */
		die("listen");
	if (getsockname(g.lfd, (struct sockaddr *)&g.addr, &g.addrlen))
		die("getsockname");
	port = ntohs(g.family == AF_INET ? ((struct sockaddr_in *)&g.addr)->sin_port
					 : ((struct sockaddr_in6 *)&g.addr)->sin6_port);
	inet_ntop(g.family,
		  g.family == AF_INET ? (void *)&((struct sockaddr_in *)&g.addr)->sin_addr
				      : (void *)&((struct sockaddr_in6 *)&g.addr)->sin6_addr,
		  shown, sizeof(shown));
	printf("listening %s port %ld\n", shown, port);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &g.start);
	for (long i = 0; i < parallel; i++)
		if ((errno = pthread_create(&sv[i], NULL, server, NULL)))
			die("pthread_create");
	for (long i = 0; i < parallel; i++) {
		long share = g.n / parallel + (i < g.n % parallel);

		if ((errno = pthread_create(&cl[i], NULL, client, (void *)share)))
			die("pthread_create");
	}
	for (long i = 0; i < parallel; i++)
		pthread_join(cl[i], NULL);
	for (long i = 0; i < parallel; i++)
		pthread_join(sv[i], NULL);
	secs = elapsed_s();
	close(g.lfd);	/* LISTEN -> CLOSE */

	long served = atomic_load(&g.served), failed = atomic_load(&g.failed);

	printf("connections %ld failed %ld seconds %.3f conn_per_s %.0f\n", served, failed, secs,
	       secs > 0 ? served / secs : 0.0);
	printf("transitions_expected %ld\n", 10 * served + 2 + 2 * failed);
	if (served != g.n) {
		fprintf(stderr, "churn: only %ld of %ld connections completed\n", served, g.n);
		return 1;
	}
	return 0;
}
