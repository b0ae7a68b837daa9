// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_sockscan.c - the namespace scan: sockets listed, and no going on in a foreign namespace. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "sockscan.h"
#include "unit.h"

static int seen;

static void on_sock(void *ctx, const struct tcpstates_sock_rec *r)
{
	seen++;
}

/* a listener of our own is among the sockets of our namespace */
static void test_own_namespace(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM, 0), n;
	struct sockscan s;

	CHECK(l >= 0 && !bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1), "listener");
	CHECK(sockscan_open(&s, true) == 0, "sockscan_open (root and BPF needed)");
	n = sockscan_run(&s, -1, on_sock, NULL);
	CHECK(n >= 1 && seen == n, "own namespace: %d sockets, %d seen", n, seen);
	sockscan_close(&s);
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
		struct sockscan s;
		int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		dup2(pipefd[1], 2);
		if (sockscan_open(&s, true))
			_exit(3);
		dup2(open("/dev/null", O_RDONLY), s.home_ns);
		seen = 0;
		n = sockscan_run(&s, ns, on_sock, NULL);
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
