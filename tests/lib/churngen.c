// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * churngen.c - loopback TCP connection churn for tests/integration/t_zero_loss.sh: N connections
 * as fast as the machine allows, each ending the same way.
 *
 *   churngen -n N [-P PARALLEL] [-6] [-t SECONDS] [-p PORT]
 *
 * One listener on 127.0.0.1 (::1 with -6), on PORT (default 0: chosen by the kernel). PARALLEL client threads
 * connect() and close() at once; PARALLEL server threads accept(), read until EOF, close(). The
 * client closes first and the server only after it has seen the client's FIN, so the sockets of
 * every connection make exactly these transitions:
 *
 *   client:   CLOSE->SYN_SENT, SYN_SENT->ESTABLISHED, ESTABLISHED->FIN_WAIT1,
 *             FIN_WAIT1->FIN_WAIT2, FIN_WAIT2->CLOSE
 *   accepted: LISTEN->SYN_RECV, SYN_RECV->ESTABLISHED, ESTABLISHED->CLOSE_WAIT,
 *             CLOSE_WAIT->LAST_ACK, LAST_ACK->CLOSE
 *
 * plus the listener's CLOSE->LISTEN and LISTEN->CLOSE. A connect() that fails is retried on a
 * new socket (the failed one: CLOSE->SYN_SENT, SYN_SENT->CLOSE) and counted. Unserved connections
 * are kept below the backlog, so the accept queue never overflows.
 *
 * stdout: "port P" once listening, then at the end
 *         "connections N failed F seconds S conn_per_s R".
 * Exit status 0 when all N connections completed within the time limit (-t, default 90 s).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG 4096
#define MAX_INFLIGHT 1024
#define MAX_PARALLEL 16

static struct sockaddr_storage addr;
static socklen_t addrlen;
static int family = AF_INET, lfd;
static long want;
static double limit_s = 90;
static int lport;
static atomic_long connected, served, failed;
static atomic_int stop;
static struct timespec t0;

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void *client(void *arg)
{
	long todo = (long)arg;

	while (todo > 0 && !atomic_load(&stop)) {
		while (atomic_load(&connected) - atomic_load(&served) >= MAX_INFLIGHT &&
		       !atomic_load(&stop))
			sched_yield();
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			perror("churngen: socket");
			atomic_store(&stop, 1);
			break;
		}
		if (connect(fd, (struct sockaddr *)&addr, addrlen)) {
			int err = errno;

			close(fd);
			atomic_fetch_add(&failed, 1);
			if (elapsed() > limit_s) {
				fprintf(stderr, "churngen: connect: %s, time limit reached\n", strerror(err));
				atomic_store(&stop, 1);
				break;
			}
			usleep(1000);
			continue;
		}
		atomic_fetch_add(&connected, 1);
		close(fd);
		todo--;
	}
	return NULL;
}

static void *server(void *arg)
{
	char buf[256];

	(void)arg;
	while (atomic_load(&served) < want && !atomic_load(&stop)) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			struct pollfd p = { .fd = lfd, .events = POLLIN };

			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
				perror("churngen: accept");
				atomic_store(&stop, 1);
				break;
			}
			poll(&p, 1, 20);
			if (elapsed() > limit_s) {
				fprintf(stderr, "churngen: time limit reached\n");
				atomic_store(&stop, 1);
			}
			continue;
		}
		for (;;) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r == 0 || (r < 0 && errno != EINTR))
				break;
		}
		close(fd);
		atomic_fetch_add(&served, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[2 * MAX_PARALLEL];
	long par = 2;
	int opt, one = 1;

	while ((opt = getopt(argc, argv, "n:P:6t:p:")) != -1) {
		switch (opt) {
		case 'n': want = atol(optarg); break;
		case 'P': par = atol(optarg); break;
		case '6': family = AF_INET6; break;
		case 't': limit_s = atof(optarg); break;
		case 'p': lport = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (want < 1 || par < 1 || par > MAX_PARALLEL || optind != argc || limit_s <= 0 ||
	    lport < 0 || lport > 65535)
		goto usage;

	memset(&addr, 0, sizeof(addr));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&addr;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons(lport);
		addrlen = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(lport);
		addrlen = sizeof(*a);
	}
	lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, addrlen) || listen(lfd, BACKLOG) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &addrlen)) {
		perror("churngen: listener");
		return 1;
	}
	printf("port %d\n", ntohs(family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
						  : ((struct sockaddr_in6 *)&addr)->sin6_port));
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < par; i++)
		if ((errno = pthread_create(&th[i], NULL, server, NULL)))
			return perror("churngen: pthread_create"), 1;
	for (long i = 0; i < par; i++)
		if ((errno = pthread_create(&th[par + i], NULL, client,
					    (void *)(want / par + (i < want % par)))))
			return perror("churngen: pthread_create"), 1;
	for (long i = 0; i < 2 * par; i++)
		pthread_join(th[i], NULL);
	double s = elapsed();

	close(lfd);
	printf("connections %ld failed %ld seconds %.3f conn_per_s %.0f\n", atomic_load(&served),
	       atomic_load(&failed), s, s > 0 ? atomic_load(&served) / s : 0.0);
	return atomic_load(&served) == want ? 0 : 1;
usage:
	fprintf(stderr, "usage: churngen -n N [-P PARALLEL (1-%d)] [-6] [-t SECONDS] [-p PORT]\n",
		MAX_PARALLEL);
	return 2;
}
