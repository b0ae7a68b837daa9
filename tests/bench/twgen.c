// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * twgen.c - fill a network namespace with timewait minisockets, for tests/bench/timewait_cost.sh.
 *
 *   twgen -m timewait|finwait2 -n N [-a 127.0.0.1] [-p BASEPORT] [-k PORTS] [-t SECONDS]
 *
 * Makes N loopback connections, one after the other, to PORTS listeners (BASEPORT, BASEPORT+1,
 * ...; one connection in PORTS goes to each). The client always closes first, so its socket is
 * orphaned in FIN_WAIT1, gets the ACK and is handed to a timewait minisocket in FIN_WAIT2. Then:
 *
 *   timewait  the server reads EOF and closes: its FIN turns the minisocket into TIME_WAIT
 *             (N client-side TIME_WAIT sockets, 60 s each)
 *   finwait2  the server neither reads nor closes; it keeps every accepted socket open, so the
 *             minisocket waits for a FIN that never comes (N FIN_WAIT2 minisockets, for
 *             net.ipv4.tcp_fin_timeout when that is <= 60 s; longer values keep full sockets).
 *             N open descriptors may exceed what one process is allowed (RLIMIT_NOFILE, and
 *             without CAP_SYS_RESOURCE not even root can raise the hard limit), so the accepted
 *             sockets are passed (SCM_RIGHTS) to holder processes, each keeping as many as its
 *             own limit allows.
 *
 * Several listener ports because one (client address, server address, server port) tuple has at
 * most one connection per ephemeral port: the kernel lets connect() share a local port between
 * different destinations, so PORTS listeners give PORTS times the ephemeral range. Run it in a
 * namespace with a wide net.ipv4.ip_local_port_range, net.ipv4.tcp_tw_reuse=0 (otherwise a later
 * connect() may recycle one of our TIME_WAIT sockets and the count falls short) and
 * net.ipv4.tcp_max_tw_buckets above N (otherwise the kernel silently skips the minisocket).
 *
 * Output (stdout, line-buffered):
 *   listening ADDR ports FIRST-LAST
 *   created N seconds S per_s R           (all N made; the sockets are in place)
 * Then it holds everything (in finwait2 mode, N accepted sockets) until SIGINT or SIGTERM, and
 * exits 0. Exit status 1 when the N connections cannot be made within -t seconds (default 50:
 * the first minisockets expire after 60 s), or on any socket error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BACKLOG 4096
#define MAX_PORTS 256
#define MAX_HOLDERS 1024
#define BATCH 200		/* descriptors per SCM_RIGHTS message (the kernel takes up to 253) */
#define FD_SPARE 64		/* descriptors a holder keeps free for itself */

static bool finwait2;

/* finwait2: the holder processes and the batch of accepted sockets on its way to one of them */
static struct {
	pid_t pid;
	int sock;		/* our end of its socketpair */
	long room;		/* how many more it can take */
} holder[MAX_HOLDERS];
static int n_holders;
static int batch[BATCH];
static int n_batch;
static long n_passed;

static void die(const char *what)
{
	fprintf(stderr, "twgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: twgen -m timewait|finwait2 -n N [-a ADDR] [-p BASEPORT] [-k PORTS] "
			"[-t SECONDS]\n"
			"  -m  timewait: the server closes after EOF; finwait2: the server holds its end\n"
			"  -n  connections (and minisockets) to make\n"
			"  -a  IPv4 loopback address (127.0.0.1)\n"
			"  -p  first listener port (500: below any ephemeral range)\n"
			"  -k  listener ports (default N / 16000 + 1)\n"
			"  -t  give up if the N are not made within SECONDS (50)\n");
	exit(2);
}

#define parse_num(s, min, max, what) bench_parse_num("twgen", s, min, max, what, usage)

static void on_alarm(int sig)
{
	static const char msg[] = "twgen: time limit reached before all connections were made\n";

	(void)sig;
	/* async-signal-safe: only write and _exit (the holders die with us: PDEATHSIG) */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* Raise the soft descriptor limit as far as the hard one; returns it. */
static long raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX ? INT_MAX : (long)rl.rlim_cur;
}

/*
 * A holder: receives accepted sockets and keeps them open. When the parent has sent everything
 * it shuts its end down; the holder answers with how many it holds, then waits to be killed.
 */
static void holder_main(int sock)
{
	long held = 0;
	char byte;

	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(BATCH * sizeof(int))];
		} c;
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
		ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("holder: recvmsg");
		if (r == 0)
			break;
		if (m.msg_flags & MSG_CTRUNC) {
			fprintf(stderr, "twgen: holder: descriptors lost (limit reached?)\n");
			exit(1);
		}
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
			if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
				held += (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	}
	if (write(sock, &held, sizeof(held)) != sizeof(held))
		die("holder: write");
	for (;;)
		pause();
}

static void start_holder(void)
{
	int sv[2];
	pid_t pid;

	if (n_holders == MAX_HOLDERS) {
		fprintf(stderr, "twgen: more than %d holder processes needed\n", MAX_HOLDERS);
		exit(1);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* no holder may outlive us: the bench kills only the process it started */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		signal(SIGALRM, SIG_DFL);
		alarm(0);
		/* drop what we inherited (listeners, the batch in flight): the room is for the passed */
		if (sv[1] > 3)
			close_range(3, sv[1] - 1, 0);
		close_range(sv[1] + 1, ~0U, 0);
		holder_main(sv[1]);
	}
	close(sv[1]);
	holder[n_holders].pid = pid;
	holder[n_holders].sock = sv[0];
	holder[n_holders].room = raise_nofile() - FD_SPARE;	/* the child inherits our limit */
	n_holders++;
}

/* Pass the batch to the current holder (a new one when it is full) and close our copies. */
static void flush_batch(void)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(BATCH * sizeof(int))];
	} c;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf };
	struct cmsghdr *h;
	int k = 0;

	while (k < n_batch) {
		int take;

		if (!n_holders || holder[n_holders - 1].room <= 0)
			start_holder();
		take = n_batch - k;
		if (take > holder[n_holders - 1].room)
			take = holder[n_holders - 1].room;
		memset(c.buf, 0, sizeof(c.buf));
		m.msg_controllen = CMSG_SPACE(take * sizeof(int));
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(take * sizeof(int));
		memcpy(CMSG_DATA(h), batch + k, take * sizeof(int));
		while (sendmsg(holder[n_holders - 1].sock, &m, 0) < 0)
			if (errno != EINTR)
				die("sendmsg");
		holder[n_holders - 1].room -= take;
		k += take;
	}
	for (k = 0; k < n_batch; k++)
		close(batch[k]);
	n_passed += n_batch;
	n_batch = 0;
}

/* Ask every holder how many it holds (it answers once we shut our end); the total. */
static long holders_total(void)
{
	long total = 0;

	for (int i = 0; i < n_holders; i++) {
		long held;

		if (shutdown(holder[i].sock, SHUT_WR))
			die("shutdown");
		if (read(holder[i].sock, &held, sizeof(held)) != sizeof(held)) {
			fprintf(stderr, "twgen: holder %d did not answer\n", (int)holder[i].pid);
			exit(1);
		}
		total += held;
	}
	return total;
}

/*
 * Take every connection waiting on a listener. On loopback the handshake completes inside
 * connect(), so this runs after each one and the accept queue never fills (a full queue drops the
 * SYN, and connect() would wait a second for the retransmission).
 */
static void drain(int lfd)
{
	char buf[256];

	for (;;) {
		/* blocking accepted socket: the read below waits for the FIN if it is late */
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		ssize_t r;

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (finwait2) {
			batch[n_batch++] = fd;
			if (n_batch == BATCH)
				flush_batch();
			continue;
		}
		/* the client closed first; read its EOF, then close: our FIN makes it TIME_WAIT */
		do
			r = read(fd, buf, sizeof(buf));
		while (r > 0 || (r < 0 && errno == EINTR));
		if (r < 0)
			die("read");
		close(fd);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *addr_s = "127.0.0.1", *mode = NULL;
	long n = -1, base = 500, nports = 0, limit = 50;
	int lfd[MAX_PORTS], opt, one = 1, sig;
	struct sockaddr_in sa;
	sigset_t stop;
	double t0, secs;

	while ((opt = getopt(argc, argv, "m:n:a:p:k:t:h")) != -1) {
		switch (opt) {
		case 'm':
			mode = optarg;
			break;
		case 'n':
			n = parse_num(optarg, 1, 10000000, "connection count");
			break;
		case 'a':
			addr_s = optarg;
			break;
		case 'p':
			base = parse_num(optarg, 1, 65535, "port");
			break;
		case 'k':
			nports = parse_num(optarg, 1, MAX_PORTS, "port count");
			break;
		case 't':
			limit = parse_num(optarg, 1, 3600, "time limit");
			break;
		default:
			usage();
		}
	}
	if (n < 1 || !mode || optind != argc)
		usage();
	if (!strcmp(mode, "finwait2"))
		finwait2 = true;
	else if (strcmp(mode, "timewait"))
		usage();
	if (!nports)
		nports = n / 16000 + 1;
	if (nports > MAX_PORTS)
		nports = MAX_PORTS;
	if (base + nports - 1 > 65535) {
		fprintf(stderr, "twgen: ports %ld-%ld out of range\n", base, base + nports - 1);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr_s, &sa.sin_addr) != 1) {
		fprintf(stderr, "twgen: not an IPv4 address: %s\n", addr_s);
		return 2;
	}

	/* SIGINT/SIGTERM are taken with sigwait once the sockets are made; before, they kill us */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);

	for (long i = 0; i < nports; i++) {
		lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (lfd[i] < 0)
			die("socket");
		setsockopt(lfd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sa.sin_port = htons(base + i);
		if (bind(lfd[i], (struct sockaddr *)&sa, sizeof(sa)))
			die("bind");
		if (listen(lfd[i], BACKLOG))
			die("listen");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening %s ports %ld-%ld\n", addr_s, base, base + nports - 1);

	alarm(limit);
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		long k = i % nports;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		sa.sin_port = htons(base + k);
		while (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			if (errno == EINTR)
				continue;
			/* EADDRNOTAVAIL: the ephemeral range is used up for this destination */
			fprintf(stderr, "twgen: connect #%ld to port %ld: %s\n", i, base + k,
				strerror(errno));
			return 1;
		}
		close(fd);	/* the client closes first */
		drain(lfd[k]);
	}
	/* a connection whose final ACK came after its drain() is still queued */
	for (long k = 0; k < nports; k++)
		drain(lfd[k]);
	if (finwait2) {
		long held;

		flush_batch();
		held = holders_total();
		if (n_passed != n || held != n) {
			fprintf(stderr, "twgen: accepted %ld of %ld connections, holders hold %ld\n",
				n_passed, n, held);
			return 1;
		}
	}
	alarm(0);
	secs = now_s() - t0;
	printf("created %ld seconds %.3f per_s %.0f", n, secs, secs > 0 ? n / secs : 0.0);
	if (finwait2)
		printf(" holders %d", n_holders);
	printf("\n");

	/* hold the listeners (and in finwait2 mode the accepted sockets) until told to stop */
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (sigwait(&stop, &sig))
		die("sigwait");
	for (int i = 0; i < n_holders; i++)
		kill(holder[i].pid, SIGKILL);
	for (int i = 0; i < n_holders; i++)
		waitpid(holder[i].pid, NULL, 0);
	return 0;
}
