// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_iter_tcp.c - the namespace scan: sockets listed, and no going on in a foreign namespace. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "iter_tcp.h"
#include "unit.h"

static int seen;

/* the socket looked for, and how many records matched it */
struct wanted {
	uint64_t ino;		/* its file's inode */
	uint16_t port;		/* its local port */
	int found;
};

static void on_sock(void *ctx, const struct tcpstates_sock_rec *r)
{
	struct wanted *w = ctx;

	seen++;
	if (w && r->ino == w->ino && r->sport == w->port && r->state == TS_LISTEN &&
	    r->family == AF_INET && !memcmp(r->saddr, "\x7f\0\0\x01", 4))
		w->found++;
}

/* a listener of our own is among the sockets of our namespace, once: its inode, port, state */
static void test_own_namespace(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM, 0), n;
	socklen_t len = sizeof(a);
	struct wanted w = { 0 };
	struct iter_tcp s;
	struct stat st;

	CHECK(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1), "listener");
	CHECK(!getsockname(l, (struct sockaddr *)&a, &len) && !fstat(l, &st), "its port and inode");
	w.ino = st.st_ino;
	w.port = ntohs(a.sin_port);
	CHECK(iter_tcp_open(&s, true) == 0, "iter_tcp_open (root and BPF needed)");
	n = iter_tcp_run(&s, -1, on_sock, &w);
	CHECK(n >= 1 && seen == n, "own namespace: %d sockets, %d seen", n, seen);
	CHECK(w.found == 1, "our listener 127.0.0.1:%u (inode %llu) listed once, as LISTEN (got %d)",
	      w.port, (unsigned long long)w.ino, w.found);
	iter_tcp_close(&s);
	close(l);
}

/*
 * The way home fails (here: the fd kept for home is no namespace at all): the process must not go
 * on in the namespace it entered. It ends with one line and status 1, before any socket is read.
 */
static void test_stranded(void)
{
	int pipefd[2], status = 0;
	char msg[512] = "";
	ssize_t n;
	pid_t pid;

	CHECK(!pipe(pipefd), "pipe");
	pid = fork();
	if (pid == 0) {
		struct iter_tcp s;
		int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		dup2(pipefd[1], 2);
		if (iter_tcp_open(&s, true))
			_exit(3);
		dup2(open("/dev/null", O_RDONLY), s.home_ns);
		seen = 0;
		n = iter_tcp_run(&s, ns, on_sock, NULL);
		_exit(seen ? 4 : 0);	/* still here: the bug */
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "stranded: exit status %d (want 1)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
	CHECK(!strncmp(msg, "tcpstates-c: cannot return to", 29) && strchr(msg, '\n') &&
	      strchr(msg, '\n')[1] == '\0', "stranded: one line, got '%s'", msg);
}

int main(void)
{
	test_own_namespace();
	test_stranded();
	return UNIT_DONE();
}
