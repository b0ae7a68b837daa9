// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* kscen.c - the kernel matrix's TCP scenarios on loopback, one process per role, one JSON line each.
 *
 *   kscen [--base PORT] [--hold SECONDS]
 *   kscen --listen PORT
 *
 * Runs, one after the other, on 127.0.0.1 (cf6 on ::1), each with its own server port BASE+n:
 *   cf   client-first close: the client sends 16 bytes and closes once the server has read them;
 *        the server reads to EOF and closes                                    (cf6: the same, IPv6)
 *   sf   server-first close: the server reads the request, replies, closes and exits; the client
 *        reads to EOF and closes only after the server process is gone
 *   rf   refused: connect() to a port nobody listens on
 *   ab   abortive close: after the server read the request, the client closes with SO_LINGER 0
 *   tw   TIME_WAIT reused: the server closes first (its side goes to TIME_WAIT), then the client
 *        connects again from the same port: the SYN ends that TIME_WAIT; then as cf
 *   pf   prefork acceptor: the listener in the server, accept() in a forked worker; then as cf
 *   pw   prefork writer: as pf, but the worker only writes a greeting; the client reads it and
 *        closes once the worker's write returned, and only then does the worker read (its EOF)
 *        and close: the accepted socket's ESTABLISHED -> CLOSE_WAIT (made in softirq) can name
 *        the worker only if the tracer saw it send
 *   dm   daemon: the server listens, forks the worker and exits; the worker, its listener's
 *        heir, accepts once the server is gone; then as cf (the worker closes the listener)
 *   of   orphaned FIN_WAIT2: the client closes and exits, the server holds its end open for
 *        --hold seconds (default: tcp_fin_timeout + 1.5), then closes (answered by a reset)
 * The steps of the roles are ordered by pipes (never by sleeps), so that the transitions, and
 * which process owns the socket at each, do not depend on timing (qemu's TCG is slow).
 * Every role sets its comm (ks-srv-XX, ks-cli-XX, ks-wrk-XX) and has an alarm; the line of a
 * scenario names its pids and ports: {"scenario":..,"family":..,"port":..,"server":..,
 * "client":..,"worker":..,"cport":..,"cport2":..,"error":null|".."}. Exit 1 if one failed.
 *
 * --listen PORT: a listener on 127.0.0.1:PORT that exists before a tracer starts (its start-up
 * snapshot must name it), and a connection to it whose client has SO_KEEPALIVE with
 * TCP_KEEPIDLE 600 s (the snapshot's timer: keepalive), and one whose client sent 10 bytes and
 * closed, accepted and never read (a CLOSE_WAIT for --stuck: data_unread); comm ks-lsn, prints
 * {"listener":PID,"port":PORT,"ka_cport":CPORT,"cw_cport":CPORT} once all are there, then waits
 * until a signal ends it (SIGALRM after 120 s at the latest).
 */
#define _GNU_SOURCE	/* POLLRDHUP */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROLE_LIMIT 30	/* seconds any role may take: its alarm */
#define REQ 16		/* bytes of a request or a reply */

/* ---- what the roles tell the orchestrator (a shared mapping) ----------------------------------- */

struct shared {
	int cport;		/* the client's local port */
	int cport2;		/* tw: the port of the second connection (must be cport) */
	int worker;		/* pf: the worker's pid */
	char err[200];		/* the first error, empty if none */
};

static struct shared *sh;
static int family = AF_INET;	/* of the current scenario */
static int port;		/* the current scenario's server port */
static double hold;		/* of: seconds the server keeps its end open */

static void fail(const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!sh->err[0])
		snprintf(sh->err, sizeof(sh->err), "pid %d: %s: %s", getpid(), msg,
			 errno ? strerror(errno) : "");
	_exit(1);
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- gates: one process waits until another passes it (a pipe made before the forks) ---------- */

struct gate {
	int fd[2];
};

static void gate_init(struct gate *g)
{
	if (pipe(g->fd))
		fail("pipe");
}

static void gate_pass(struct gate *g)
{
	if (write(g->fd[1], "x", 1) != 1)
		fail("gate write");
}

static void gate_wait(struct gate *g)
{
	char c;

	if (read(g->fd[0], &c, 1) != 1)
		fail("gate read");
}

/* ---- sockets --------------------------------------------------------------------------------- */

static socklen_t addr_of(struct sockaddr_storage *ss, int p)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(p);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		fail("getsockname");
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

static int tcp_socket(void)
{
	int one = 1, fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		fail("socket");
	return fd;
}

static int listen_on(void)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(&ss, port);
	int fd = tcp_socket();

	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))
		fail("listen on port %d", port);
	return fd;
}

/* connect from local port lport (0: the kernel picks); -1 and errno set if refused */
static int connect_from(int lport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = tcp_socket();

	if (lport) {
		len = addr_of(&ss, lport);
		if (bind(fd, (struct sockaddr *)&ss, len))
			fail("bind to port %d", lport);
	}
	len = addr_of(&ss, port);
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int accept_one(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		fail("accept");
	return fd;
}

static void send_req(int fd)
{
	char buf[REQ];

	memset(buf, 'q', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		fail("write");
}

static void read_req(int fd)
{
	char buf[REQ];
	size_t got = 0;

	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n <= 0)
			fail("read request (%zu bytes so far)", got);
		got += n;
	}
}

/*
 * Read until EOF; returns 0, or the errno of the read that failed. First wait with poll() (which
 * takes no socket lock) until the peer's FIN or reset has been processed: a segment that comes
 * while a read holds the socket lock waits in the socket's backlog and is processed by the reader
 * itself, in its own context, at the lock's release - the state change would name the reader
 * (as an owner it acted) or the listener (softirq) depending on timing.
 */
static int read_eof(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	char buf[4096];
	ssize_t n;

	for (;;) {
		int r = poll(&p, 1, -1);

		if (r < 0 && errno != EINTR)
			fail("poll");
		if (r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			break;
		if (r > 0)
			nap(0.001);	/* data before the FIN: it stays, we wait for the FIN */
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	return n < 0 ? errno : 0;
}

/* wait (<= 5 s) until the socket's state is st (a TCP_* of netinet/tcp.h) */
static void wait_state(int fd, int st)
{
	struct tcp_info ti;
	socklen_t len;

	for (int i = 0; i < 500; i++) {
		len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			fail("TCP_INFO");
		if (ti.tcpi_state == st)
			return;
		nap(0.01);
	}
	errno = 0;
	fail("state %d, not %d, after 5 s", ti.tcpi_state, st);
}

static void linger0(int fd)
{
	struct linger l = { 1, 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		fail("SO_LINGER");
}

/* ---- roles: a forked process with its comm and alarm ------------------------------------------- */

static int in_role;	/* set in every role: a role's own forks stay in its process group */

static pid_t role(const char *comm, void (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		if (!in_role)
			setpgid(0, 0);	/* the orchestrator can end a role with its children */
		in_role = 1;
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		alarm(ROLE_LIMIT);
		fn(arg);
		_exit(0);
	}
	return pid;
}

/* the gates of one scenario, shared by its roles */
struct run {
	struct gate ready;	/* the server listens */
	struct gate got;	/* the server read the request; the worker's write returned (pw) */
	struct gate go;		/* the client may close (sf); the client's close() returned (the rest) */
	struct gate closed;	/* tw: the server's close() of its first connection returned */
	struct gate named;	/* dm: the worker runs under its own name (its parent may exit) */
	int lfd;		/* pf, pw, dm: the parent's listener */
	void (*worker)(void *);	/* pf, pw, dm: what the forked worker does */
};

/* ---- the scenarios: a server and a client function each ---------------------------------------- */

/* cf's server on listener l (dm's worker too): say ready, serve one connection, close both */
static void serve_one(struct run *r, int l)
{
	int c;

	gate_pass(&r->ready);
	c = accept_one(l);
	read_req(c);
	gate_pass(&r->got);
	if (read_eof(c))
		fail("read to EOF");
	gate_wait(&r->go);
	close(c);
	close(l);
}

static void cf_server(void *a)
{
	serve_one(a, listen_on());
}

/*
 * connect, send the request, close once the server (or its worker) has read it, say when close()
 * returned. (The peer closes only then: a FIN that comes while close() still holds the socket
 * lock is processed from its backlog in the closer's own context - a timing the kernel allows,
 * but which makes the lines depend on timing.)
 */
static void cf_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	send_req(s);
	gate_wait(&r->got);
	close(s);
	gate_pass(&r->go);
}

static void sf_server(void *a)
{
	struct run *r = a;
	int l = listen_on(), c;

	gate_pass(&r->ready);
	c = accept_one(l);
	read_req(c);
	send_req(c);
	close(c);
	close(l);
}

static void sf_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	send_req(s);
	if (read_eof(s))
		fail("read to EOF");
	gate_wait(&r->go);	/* the server process is gone */
	close(s);
}

static void rf_client(void *a)
{
	int s = connect_from(0);

	if (s >= 0 || errno != ECONNREFUSED)
		fail("connect to a closed port: want ECONNREFUSED");
}

static void ab_server(void *a)
{
	struct run *r = a;
	int l = listen_on(), c, e;

	gate_pass(&r->ready);
	c = accept_one(l);
	read_req(c);
	gate_pass(&r->got);
	e = read_eof(c);
	if (e != ECONNRESET) {
		errno = e;
		fail("read after the peer's abort: want ECONNRESET");
	}
	close(c);
	close(l);
}

static void ab_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	send_req(s);
	gate_wait(&r->got);
	linger0(s);
	close(s);
}

static void tw_server(void *a)
{
	struct run *r = a;
	int l = listen_on(), c;

	gate_pass(&r->ready);
	c = accept_one(l);
	read_req(c);
	close(c);	/* first: this side goes on to TIME_WAIT */
	gate_pass(&r->closed);
	c = accept_one(l);
	read_req(c);
	gate_pass(&r->got);
	if (read_eof(c))
		fail("read to EOF (second connection)");
	gate_wait(&r->go);
	close(c);
	close(l);
}

static void tw_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	send_req(s);
	if (read_eof(s))
		fail("read to EOF");
	gate_wait(&r->closed);	/* as cf_client's, the other way round */
	/* LAST_ACK until the server's side acknowledges our FIN (a retransmission later, at
	 * times): the port is free, and the server's side in TIME_WAIT, only after that */
	shutdown(s, SHUT_WR);
	wait_state(s, TCP_CLOSE);
	close(s);
	s = connect_from(sh->cport);
	if (s < 0)
		fail("connect again from port %d", sh->cport);
	sh->cport2 = local_port(s);
	send_req(s);
	gate_wait(&r->got);
	close(s);
	gate_pass(&r->go);
}

static void pf_worker(void *a)
{
	struct run *r = a;
	int c = accept_one(r->lfd);

	read_req(c);
	gate_pass(&r->got);
	if (read_eof(c))
		fail("read to EOF");
	gate_wait(&r->go);
	close(c);
}

/* pw: the worker writes and never reads before the peer closed */
static void pw_worker(void *a)
{
	struct run *r = a;
	int c = accept_one(r->lfd);

	send_req(c);		/* the greeting: the worker's first use of the socket */
	gate_pass(&r->got);	/* its write returned: the socket is not locked by us any more */
	gate_wait(&r->go);	/* the client read it and closed */
	if (read_eof(c))
		fail("read to EOF");
	close(c);
}

/*
 * pw: read the greeting, close once the worker's write returned, say so. (A FIN that comes while
 * the worker is still in its write waits in the socket's backlog and is processed by the worker
 * itself, in its own context, when it releases the socket: it would name the worker even without
 * the send-side takeover.)
 */
static void pw_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	read_req(s);
	gate_wait(&r->got);
	close(s);
	gate_pass(&r->go);
}

/* pf, pw: the listener here, accept() and the rest in a forked worker */
static void prefork_server(void *a)
{
	struct run *r = a;
	char comm[16];
	int st;
	pid_t w;

	r->lfd = listen_on();
	gate_pass(&r->ready);
	snprintf(comm, sizeof(comm), "ks-wrk-%s", r->worker == pw_worker ? "pw" : "pf");
	w = role(comm, r->worker, r);
	sh->worker = w;
	if (waitpid(w, &st, 0) != w || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("worker %d ended with status 0x%x", w, st);
	close(r->lfd);
}

static pid_t dm_parent;	/* dm: the server, set before it forks the worker */

/* dm: the worker goes on alone once its parent, which opened the listener, has exited */
static void dm_worker(void *a)
{
	struct run *r = a;

	gate_pass(&r->named);
	while (getppid() == dm_parent)
		nap(0.002);
	serve_one(r, r->lfd);
}

/* dm: listen, hand the listener to a forked worker, exit (a daemon's first process) */
static void dm_server(void *a)
{
	struct run *r = a;

	r->lfd = listen_on();
	dm_parent = getpid();
	sh->worker = role("ks-wrk-dm", r->worker, r);
	gate_wait(&r->named);	/* the heir the tracer finds at our exit has its name */
}

static void of_server(void *a)
{
	struct run *r = a;
	int l = listen_on(), c;

	gate_pass(&r->ready);
	c = accept_one(l);
	read_req(c);
	gate_pass(&r->got);
	nap(hold);	/* the peer's orphan runs out of tcp_fin_timeout meanwhile */
	close(c);
	close(l);
}

static void of_client(void *a)
{
	struct run *r = a;
	int s = connect_from(0);

	if (s < 0)
		fail("connect");
	sh->cport = local_port(s);
	send_req(s);
	gate_wait(&r->got);
	close(s);
}

struct scenario {
	const char *name;
	int family;
	int port_off;				/* server port: base + port_off */
	void (*server)(void *);		/* NULL: nobody listens */
	void (*client)(void *);
	int client_waits_server;		/* sf: the client closes once the server exited */
	void (*worker)(void *);			/* pf, pw, dm: the forked worker */
};

static const struct scenario scenarios[] = {
	{ "cf", AF_INET, 1, cf_server, cf_client, 0, NULL },
	{ "cf6", AF_INET6, 8, cf_server, cf_client, 0, NULL },
	{ "sf", AF_INET, 2, sf_server, sf_client, 1, NULL },
	{ "rf", AF_INET, 3, NULL, rf_client, 0, NULL },
	{ "ab", AF_INET, 4, ab_server, ab_client, 0, NULL },
	{ "tw", AF_INET, 5, tw_server, tw_client, 0, NULL },
	{ "pf", AF_INET, 7, prefork_server, cf_client, 0, pf_worker },
	{ "pw", AF_INET, 9, prefork_server, pw_client, 0, pw_worker },
	{ "of", AF_INET, 6, of_server, of_client, 0, NULL },
	{ "dm", AF_INET, 10, dm_server, cf_client, 0, dm_worker },
};

/* ---- the orchestrator ------------------------------------------------------------------------ */

static void reap(pid_t pid, const char *what)
{
	int st;

	if (pid <= 0)
		return;
	if (waitpid(pid, &st, 0) != pid)
		fail("waitpid %s", what);
	if ((!WIFEXITED(st) || WEXITSTATUS(st)) && !sh->err[0])
		snprintf(sh->err, sizeof(sh->err), "%s %d ended with status 0x%x", what, pid, st);
}

static void json_int(const char *key, int v)
{
	if (v > 0)
		printf(",\"%s\":%d", key, v);
	else
		printf(",\"%s\":null", key);
}

static int run_one(const struct scenario *sc, int base)
{
	char comm[16];
	struct run r;
	pid_t srv = 0, cli;

	alarm(ROLE_LIMIT + 10);	/* a role that never passes a gate cannot hang us */
	memset(sh, 0, sizeof(*sh));
	memset(&r, 0, sizeof(r));
	family = sc->family;
	port = base + sc->port_off;
	r.worker = sc->worker;
	gate_init(&r.ready);
	gate_init(&r.got);
	gate_init(&r.go);
	gate_init(&r.closed);
	gate_init(&r.named);
	if (sc->server) {
		snprintf(comm, sizeof(comm), "ks-srv-%.3s", sc->name);
		srv = role(comm, sc->server, &r);
		/* dm: the server exits at once; its worker says ready */
		if (sc->server == dm_server)
			reap(srv, "server");
		gate_wait(&r.ready);
	}
	snprintf(comm, sizeof(comm), "ks-cli-%.3s", sc->name);
	cli = role(comm, sc->client, &r);
	if (sc->client_waits_server) {
		reap(srv, "server");
		gate_pass(&r.go);
	}
	reap(cli, "client");
	if (sh->err[0] && srv && !sc->client_waits_server)
		kill(-srv, SIGKILL);	/* the client failed: the server would wait for it in vain */
	if (sc->server == dm_server)
		reap(sh->worker, "worker");	/* ours since its parent exited (subreaper) */
	else if (!sc->client_waits_server)
		reap(srv, "server");
	for (int i = 0; i < 2; i++)
		close(r.ready.fd[i]), close(r.got.fd[i]), close(r.go.fd[i]), close(r.closed.fd[i]),
			close(r.named.fd[i]);

	printf("{\"scenario\":\"%s\",\"family\":%d,\"port\":%d", sc->name,
	       sc->family == AF_INET6 ? 6 : 4, port);
	json_int("server", srv);
	json_int("client", cli);
	json_int("worker", sh->worker);
	json_int("cport", sh->cport);
	json_int("cport2", sh->cport2);
	if (sh->err[0])
		printf(",\"error\":\"%s\"}\n", sh->err);	/* our own text: no quotes in it */
	else
		printf(",\"error\":null}\n");
	fflush(stdout);
	return sh->err[0] ? 1 : 0;
}

/* --listen PORT: a listener that is there before the tracer, until a signal (SIGTERM) ends it */
static void __attribute__((noreturn)) listen_only(void)
{
	prctl(PR_SET_NAME, "ks-lsn", 0, 0, 0);
	int l, c, w, one = 1, idle = 600;
	struct sockaddr_storage ss, cw;
	socklen_t len = sizeof(ss);

	alarm(120);
	l = listen_on();
	c = connect_from(0);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) ||
	    setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
	    getsockname(c, (struct sockaddr *)&ss, &len))
		fail("keepalive connection to port %d", port);
	accept_one(l);
	/* a CLOSE_WAIT for --stuck: the client sends 10 bytes and closes; never read here */
	len = sizeof(cw);
	w = connect_from(0);
	if (w < 0 || write(w, "0123456789", 10) != 10 || getsockname(w, (struct sockaddr *)&cw, &len))
		fail("close_wait connection to port %d", port);
	accept_one(l);
	close(w);
	printf("{\"listener\":%d,\"port\":%d,\"ka_cport\":%d,\"cw_cport\":%d}\n", getpid(),
	       port, ntohs(((struct sockaddr_in *)&ss)->sin_port),
	       ntohs(((struct sockaddr_in *)&cw)->sin_port));
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int base = 41000, bad = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--base") && i + 1 < argc)
			base = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: kscen [--base PORT] [--hold SECONDS] | --listen PORT\n");
			return 2;
		}
	}
	if (port) {
		sh = &(struct shared){ 0 };
		listen_only();
	}
	if (base < 1024 || base > 65000) {
		fprintf(stderr, "kscen: --base %d out of 1024-65000\n", base);
		return 2;
	}
	if (hold <= 0) {
		FILE *f = fopen("/proc/sys/net/ipv4/tcp_fin_timeout", "r");
		int t = 60;

		if (f && fscanf(f, "%d", &t) != 1)
			t = 60;
		if (f)
			fclose(f);
		hold = t + 1.5;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("kscen: mmap");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* dm's worker, orphaned by its exiting parent, becomes our child: reaped and timed like the rest */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		bad |= run_one(&scenarios[i], base);
	return bad;
}
