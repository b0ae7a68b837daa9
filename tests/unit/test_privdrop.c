// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_privdrop.c - a child sandboxed by privdrop_apply(): what it may still do, what it may not. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "privdrop.h"
#include "unit.h"

#define ALLOWED_CAPS 0x000000c000000000ULL	/* CAP_BPF | CAP_PERFMON */

static int try_open(void) { return open("/dev/null", O_RDONLY); }
static int try_socket(void) { return socket(AF_INET, SOCK_STREAM, 0); }
static int try_kill_parent(void) { return kill(getppid(), 0); }
static int try_tgkill_parent(void) { return syscall(SYS_tgkill, getppid(), getppid(), 0); }
static int try_prctl(void) { return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0); }
static int try_ioctl_tty(void) { int n; return ioctl(1, FIONREAD, &n); }
static int try_exec_mem(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? -1 : 0;
}
static int try_data_mem(void)
{
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? -1 : munmap(p, 1 << 20);
}
static int try_malloc(void)
{
	void *p = malloc(4 << 20);	/* beyond the mmap threshold */

	free(p);
	return p ? 0 : -1;
}
static int try_clock(void)
{
	struct timespec ts;

	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);	/* the syscall, not the vDSO */
}
static int try_tgkill_self(void) { return syscall(SYS_tgkill, getpid(), gettid(), 0); }

static const struct {
	const char *what;
	int (*fn)(void);
	int want_errno;		/* 0: allowed */
} calls[] = {
	{ "open a file", try_open, EPERM },
	{ "make a socket", try_socket, EPERM },
	{ "signal another process (kill)", try_kill_parent, EPERM },
	{ "signal another process (tgkill)", try_tgkill_parent, EPERM },
	{ "prctl", try_prctl, EPERM },
	{ "ioctl other than PERF_EVENT_IOC_DISABLE", try_ioctl_tty, EPERM },
	{ "map executable memory", try_exec_mem, EPERM },
	{ "map and unmap data memory", try_data_mem, 0 },
	{ "malloc 4 MiB", try_malloc, 0 },
	{ "clock_gettime as a syscall", try_clock, 0 },
	{ "signal itself (tgkill, as abort() does)", try_tgkill_self, 0 },
};

#define N_CALLS (sizeof(calls) / sizeof(calls[0]))

/* the child: sandbox itself, try each call, report the errnos on the pipe, wait to be killed */
static void child(int wfd)
{
	int res[N_CALLS + 1];

	res[0] = -privdrop_apply(-1, false);
	for (size_t i = 0; i < N_CALLS; i++) {
		errno = 0;
		res[i + 1] = calls[i].fn() < 0 ? errno : 0;
	}
	if (write(wfd, res, sizeof(res)) != sizeof(res))
		_exit(3);
	poll(NULL, 0, 10000);
	_exit(0);
}

static unsigned long long status_hex(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

static void check_status(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	CHECK(n > 0, "read %s", path);
	if (n <= 0)
		return;
	buf[n] = '\0';
	CHECK(strstr(buf, "\nNoNewPrivs:\t1\n"), "NoNewPrivs 1");
	if (privdrop_filters())
		CHECK(strstr(buf, "\nSeccomp:\t2\n"), "Seccomp 2 (filter)");
	CHECK(!(status_hex(buf, "\nCapEff:\t") & ~ALLOWED_CAPS), "CapEff within CAP_BPF|CAP_PERFMON");
	CHECK(!(status_hex(buf, "\nCapPrm:\t") & ~ALLOWED_CAPS), "CapPrm within CAP_BPF|CAP_PERFMON");
	CHECK(status_hex(buf, "\nCapInh:\t") == 0, "CapInh empty");
	CHECK(status_hex(buf, "\nCapAmb:\t") == 0, "CapAmb empty");
	if (geteuid() == 0)	/* clearing the bounding set takes CAP_SETPCAP */
		CHECK(!(status_hex(buf, "\nCapBnd:\t") & ~ALLOWED_CAPS),
		      "CapBnd within CAP_BPF|CAP_PERFMON");
}

int main(void)
{
	int p[2], res[N_CALLS + 1], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p) || (pid = fork()) < 0) {
		perror("pipe/fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	n = read(p[0], res, sizeof(res));
	CHECK(n == sizeof(res), "the child reported (%zd bytes)", n);
	if (n == sizeof(res)) {
		CHECK(res[0] == 0, "privdrop_apply() returned 0 (got -%s)", strerror(res[0]));
		/* a sanitizer build has no filter (privdrop.c): nothing to refuse there */
		for (size_t i = 0; i < N_CALLS && privdrop_filters(); i++)
			CHECK(res[i + 1] == calls[i].want_errno, "%s: got errno %d (%s), want %d",
			      calls[i].what, res[i + 1], strerror(res[i + 1]), calls[i].want_errno);
		if (!privdrop_filters())
			printf("# sanitizer build: no seccomp filter, its refusals not checked\n");
		check_status(pid);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return UNIT_DONE();
}
