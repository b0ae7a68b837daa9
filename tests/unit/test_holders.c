// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_holders.c - holders_scan on a real process: one call per descriptor on a socket. */
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "holders.h"
#include "unit.h"

#define MAX_CALLS 8

/* the calls holders_scan made for one process */
struct calls {
	uint32_t pid;			/* the process looked for; others are ignored */
	unsigned int n;
	struct {
		size_t i;
		int fd;
	} c[MAX_CALLS];
};

static void on_holder(void *ctx, const char *pid_text, uint32_t pid, size_t i, int fd)
{
	struct calls *k = ctx;

	if (pid != k->pid || k->n == MAX_CALLS)
		return;
	CHECK(strtoul(pid_text, NULL, 10) == pid, "pid text '%s' is pid %u", pid_text, pid);
	k->c[k->n].i = i;
	k->c[k->n++].fd = fd;
}

/* a child holding socket s through fds 3 and 7 only (s itself is above 7) */
static pid_t holder(int s)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (!pid) {
		int w = fcntl(ready[1], F_DUPFD, 16);	/* out of the way of 3 and 7 */

		if (w < 0 || dup2(s, 3) != 3 || dup2(s, 7) != 7)
			_exit(1);
		close(s);
		if (write(w, "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

static void test_two_fds(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct calls k = { 0 };
	struct stat st;
	uint64_t inos[2];
	pid_t pid;

	/* fds 3 and 7 free for the child's dup2: move ours high */
	if (s >= 0 && s < 16) {
		int hi = fcntl(s, F_DUPFD, 16);

		close(s);
		s = hi;
	}
	CHECK(s >= 0 && !fstat(s, &st), "socket");
	if (s < 0)
		return;
	pid = holder(s);
	close(s);		/* the child alone holds it now */
	CHECK(pid > 0, "child");
	if (pid <= 0)
		return;
	k.pid = pid;
	inos[0] = st.st_ino;
	holders_scan(inos, 1, on_holder, &k);
	CHECK(k.n == 2, "two calls, got %u", k.n);
	CHECK(k.n == 2 && k.c[0].fd == 3 && k.c[1].fd == 7, "fds 3 then 7");
	CHECK(k.n == 2 && !k.c[0].i && !k.c[1].i, "both for inos[0]");
	/* the same inode twice in the list (two reports of one socket): each named, per fd */
	inos[1] = st.st_ino;
	k.n = 0;
	holders_scan(inos, 2, on_holder, &k);
	CHECK(k.n == 4, "four calls, got %u", k.n);
	CHECK(k.n == 4 && k.c[0].fd == 3 && k.c[1].fd == 3 && k.c[2].fd == 7 && k.c[3].fd == 7,
	      "fd 3 for both positions, then fd 7");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	test_two_fds();
	return UNIT_DONE();
}
