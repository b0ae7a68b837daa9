// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stuckgen.c - N sockets stuck in CLOSE_WAIT: a server that accepts N connections over loopback
 * and never closes them, while each client closes at once. Run in a private network namespace
 * (the bench sets tcp_fin_timeout 1 there, so the clients' orphans are gone a second later).
 * The sockets are held by workers of PER_WORKER each (a hard RLIMIT_NOFILE cannot be raised
 * without CAP_SYS_RESOURCE), each with its own listener on PORT + w. With -t T each worker also
 * runs T threads asleep, as a JVM holding its sockets would (--stuck reads a holder's threads).
 * Prints "ready N" when all N are accepted, then holds them until SIGTERM or SIGINT (the workers
 * die with it). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

#define PER_WORKER 15000
#define DESTS 1
#define SRC_PORT0 20000	/* clients bind 20000 + i (PER_WORKER ports) */		/* 127.0.0.1-4: each has its own ephemeral port range */

static void usage(void)
{
	fprintf(stderr, "usage: stuckgen -n N [-p PORT] [-t THREADS]\n");
	exit(2);
}

/* take every connection waiting in the accept queue; returns how many */
static long drain(int ls)
{
	long n = 0;
	int fd;

	while ((fd = accept(ls, NULL, NULL)) >= 0)
		n++;
	return n;
}

/* a worker's idle thread: asleep (clock_nanosleep) until the worker dies */
static void *sleeper(void *arg)
{
	for (;;)
		sleep(3600);
	return arg;
}

/* n idle threads with small stacks (a thousand at 8 MiB each is 8 GiB of address space) */
static int start_threads(long n)
{
	pthread_attr_t at;
	pthread_t t;
	int err = 0;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, PTHREAD_STACK_MIN + 16384);
	for (long i = 0; !err && i < n; i++)
		err = pthread_create(&t, &at, sleeper, NULL);
	pthread_attr_destroy(&at);
	if (err)
		fprintf(stderr, "stuckgen: thread: %s\n", strerror(err));
	return err ? -1 : 0;
}

/* one worker: n connections to its own listener on port; their count written to fd out */
static int worker(long n, long port, long w, long threads, int out)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	long accepted = 0;
	int ls, one = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (start_threads(threads))
		return 1;
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(port);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096)) {
		perror("stuckgen: listen");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		struct sockaddr_in src = { .sin_family = AF_INET };

		/* each (address, port) once, per worker: an ephemeral port could meet a CLOSE_WAIT of ours whose
		 * client side is gone, and reset it */
		a.sin_addr.s_addr = htonl(0x7f000001 + i % DESTS);
		src.sin_addr.s_addr = htonl(0x7f000100 + 1 + w);	/* 127.0.1.w+1: a worker's own */
		src.sin_port = htons(SRC_PORT0 + i / DESTS);
		if (c < 0 || bind(c, (struct sockaddr *)&src, sizeof(src)) ||
		    connect(c, (struct sockaddr *)&a, sizeof(a))) {
			perror("stuckgen: connect");
			return 1;
		}
		close(c);	/* the FIN: the server's side goes to CLOSE_WAIT, and stays */
		if (i % 256 == 255)
			accepted += drain(ls);
	}
	while (accepted < n) {
		accepted += drain(ls);
		usleep(1000);
	}
	if (write(out, &accepted, sizeof(accepted)) != sizeof(accepted))
		return 1;
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long n = 0, port = 10100, threads = 0, total = 0, got;
	int opt, p[2];

	while ((opt = getopt(argc, argv, "n:p:t:")) != -1) {
		if (opt == 'n')
			n = bench_parse_num("stuckgen", optarg, 1, 1000000, "count", usage);
		else if (opt == 'p')
			port = bench_parse_num("stuckgen", optarg, 1, 65000, "port", usage);
		else if (opt == 't')
			threads = bench_parse_num("stuckgen", optarg, 0, 10000, "threads", usage);
		else
			usage();
	}
	if (!n || pipe(p))
		usage();
	for (long w = 0, left = n; left > 0; w++, left -= PER_WORKER) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("stuckgen: fork");
			return 1;
		}
		if (!pid)
			_exit(worker(left < PER_WORKER ? left : PER_WORKER, port + w, w, threads,
				     p[1]));
	}
	while (total < n && read(p[0], &got, sizeof(got)) == sizeof(got))
		total += got;
	printf("ready %ld\n", total);
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	for (;;)
		pause();
}
