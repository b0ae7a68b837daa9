// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_threads.c - threads_read on real processes: each thread's state, system call and wait
 * channel, the cap on those listed, a process gone; and the /proc texts it parses. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>
#include "procfs.h"
#include "threads.h"
#include "unit.h"

/* ---- the parsers ----------------------------------------------------------------------------- */

static const struct {
	const char *text;
	int ret;
	char state;
	const char *comm;
} stats[] = {
	{ "42 (bash) S 1 42 42 0 -1", 0, 'S', "bash" },
	{ "42 (a) b) R 1 2 3", 0, 'R', "a) b" },	/* a name with ") ": the last ')' ends it */
	{ "42 (x (y) z) D 1", 0, 'D', "x (y) z" },
	{ "42 () Z 1", 0, 'Z', "" },
	{ "42 (w) I\n", 0, 'I', "w" },
	{ "42 (no close S 1", -1, 0, NULL },
	{ "42 (a)S 1", -1, 0, NULL },
	{ "42 (a) ", -1, 0, NULL },
	{ "", -1, 0, NULL },
};

static const struct {
	const char *text;
	enum procfs_syscall want;
	long nr;
} syscalls[] = {
	{ "202 0x7f 0x80 0x0 0x0 0x0 0x0 0x7ffd 0x7f12\n", PROCFS_SC_NR, 202 },
	{ "0 0x3 0x7ffd 0x1 0x0 0x0 0x0 0x7ffd 0x7f12", PROCFS_SC_NR, 0 },
	{ "-1 0x7ffd 0x7f12\n", PROCFS_SC_NONE, 0 },
	{ "running\n", PROCFS_SC_RUNNING, 0 },
	{ "runningx", PROCFS_SC_UNKNOWN, 0 },
	{ "-2 0x1 0x2", PROCFS_SC_UNKNOWN, 0 },
	{ "12x 0x1", PROCFS_SC_UNKNOWN, 0 },
	{ "", PROCFS_SC_UNKNOWN, 0 },
};

static void test_parsers(void)
{
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		char state = 0, comm[16] = "";
		int ret = procfs_stat_state(stats[i].text, &state, comm, sizeof(comm));

		CHECK(ret == stats[i].ret, "stat '%s': got %d", stats[i].text, ret);
		if (!ret && stats[i].comm) {
			CHECK(state == stats[i].state, "stat '%s': state %c", stats[i].text, state);
			CHECK_STR(comm, stats[i].comm, stats[i].text);
		}
	}
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		long nr = -5;
		enum procfs_syscall got = procfs_syscall_nr(syscalls[i].text, &nr);

		CHECK(got == syscalls[i].want, "syscall '%s': got %d", syscalls[i].text, got);
		if (got == PROCFS_SC_NR)
			CHECK(nr == syscalls[i].nr, "syscall '%s': nr %ld", syscalls[i].text, nr);
	}
}

/* ---- a child with threads blocked in known places -------------------------------------------- */

static int pipe_rd = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *sleeper(void *arg)
{
	struct timespec ts = { 3600, 0 };

	/* a name with ") " and "(": threads_read must cut at the last ')' */
	pthread_setname_np(pthread_self(), "z) S (y");
	for (;;)
		nanosleep(&ts, NULL);
	return arg;
}

static void *reader(void *arg)
{
	char c;

	pthread_setname_np(pthread_self(), "reader");
	while (read(pipe_rd, &c, 1) != 0)
		;
	return arg;
}

static void *waiter(void *arg)
{
	pthread_setname_np(pthread_self(), "waiter");
	pthread_mutex_lock(&mu);
	for (;;)
		pthread_cond_wait(&cv, &mu);
	return arg;
}

static void *idle(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* the child's life: the three threads above (or n_idle in pause), then ready, then pause() */
static void __attribute__((noreturn)) child_run(int n_idle, int ready, int rd)
{
	pthread_t t;

	pipe_rd = rd;
	if (n_idle) {
		for (int i = 0; i < n_idle; i++)
			pthread_create(&t, NULL, idle, NULL);
	} else {
		pthread_create(&t, NULL, sleeper, NULL);
		pthread_create(&t, NULL, reader, NULL);
		pthread_create(&t, NULL, waiter, NULL);
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* a child running child_run: its pid (and in pid_text) once it has started its threads, or -1 */
static pid_t child(int n_idle, char pid_text[16])
{
	int ready[2], p[2];
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(p))
		return -1;
	pid = fork();
	if (!pid)
		child_run(n_idle, ready[1], p[0]);
	close(ready[1]);
	close(p[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	snprintf(pid_text, 16, "%d", pid);
	CHECK(pid > 0, "child");
	return pid;	/* p[1] stays open: the reader blocks */
}

static void end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const struct thread_info *by_comm(const struct thread_info *t, unsigned int n,
					 const char *comm)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(t[i].comm, comm))
			return &t[i];
	return NULL;
}

/* what each thread must show, by its name */
static const struct {
	const char *comm;
	const char *syscall;	/* glibc 2.36 on x86_64: nanosleep() is clock_nanosleep */
} blocked[] = {
	{ "test_threads", "pause" },
	{ "z) S (y", "clock_nanosleep" },
	{ "reader", "read" },
	{ "waiter", "futex" },
};

#define N_BLOCKED (sizeof(blocked) / sizeof(blocked[0]))

/* the main thread first, then ascending tids */
static void check_order(const struct thread_info *t, unsigned int n, pid_t pid)
{
	CHECK(n && t[0].tid == (uint32_t)pid, "the main thread first");
	for (unsigned int i = 1; i < n; i++)
		CHECK(t[i - 1].tid < t[i].tid, "lowest tids first");
}

/* have all of them got where they block? (threads start asynchronously) */
static bool settled(const struct thread_info *t, unsigned int n)
{
	for (size_t i = 0; i < N_BLOCKED; i++) {
		const struct thread_info *x = by_comm(t, n, blocked[i].comm);

		if (!x || x->state != 'S' || strcmp(x->syscall, blocked[i].syscall))
			return false;
	}
	return true;
}

static void test_blocked(bool verbose)
{
	struct thread_info t[THREADS_MAX];
	unsigned int total = 0, listed = 0;
	char pid_text[16];
	pid_t pid = child(0, pid_text);

	if (pid <= 0)
		return;
	for (int i = 0; i < 200; i++) {
		total = threads_read(pid_text, t, THREADS_MAX, &listed);
		if (settled(t, listed))
			break;
		usleep(10000);
	}
	CHECK(total == 4 && listed == 4, "4 threads: total %u, listed %u", total, listed);
	check_order(t, listed, pid);
	for (size_t i = 0; i < N_BLOCKED; i++) {
		const struct thread_info *x = by_comm(t, listed, blocked[i].comm);

		CHECK(x, "thread '%s' listed", blocked[i].comm);
		if (!x)
			continue;
		CHECK(x->state == 'S', "%s: state %c", x->comm, x->state);
		CHECK_STR(x->syscall, blocked[i].syscall, x->comm);
		/* root here: the kernel names where each sleeps */
		if (!geteuid())
			CHECK(x->wchan[0], "%s: a wait channel", x->comm);
	}
	for (unsigned int i = 0; verbose && i < listed; i++)
		printf("  %u %-16s %c %-16s %s\n", t[i].tid, t[i].comm, t[i].state, t[i].syscall,
		       t[i].wchan);
	end(pid);
}

/* 40 threads: 16 listed, the lowest; all 40 counted */
static void test_cap(void)
{
	struct thread_info t[THREADS_MAX];
	unsigned int total, listed;
	char pid_text[16];
	pid_t pid = child(39, pid_text);

	if (pid <= 0)
		return;
	total = threads_read(pid_text, t, THREADS_MAX, &listed);
	CHECK(total == 40 && listed == THREADS_MAX, "40 threads: total %u, listed %u", total, listed);
	check_order(t, listed, pid);
	total = threads_read(pid_text, t, 3, &listed);
	CHECK(total == 40 && listed == 3, "max 3: total %u, listed %u", total, listed);
	end(pid);
}

/* a process gone: 0, nothing listed */
static void test_gone(void)
{
	struct thread_info t[THREADS_MAX];
	unsigned int total, listed = 99;
	pid_t pid = fork();
	char pid_text[16];

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(pid_text, sizeof(pid_text), "%d", pid);
	total = threads_read(pid_text, t, THREADS_MAX, &listed);
	CHECK(total == 0 && listed == 0, "gone: total %u, listed %u", total, listed);
}

/* the mean cost of threads_read(pid_text, max) in microseconds, and what it found */
static double time_read(const char *pid_text, unsigned int max, unsigned int *total,
			unsigned int *listed)
{
	struct thread_info t[THREADS_MAX];
	struct timespec a, b;
	int rounds = 200;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < rounds; i++)
		*total = threads_read(pid_text, t, max, listed);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / rounds;
}

/* -v: what threads_read costs on a holder of 1 000 threads (printed, not asserted) */
static void time_many(void)
{
	unsigned int total = 0, listed = 0;
	char pid_text[16];
	pid_t pid = child(999, pid_text);
	double all, count_only;

	if (pid <= 0)
		return;
	all = time_read(pid_text, THREADS_MAX, &total, &listed);
	CHECK(total == 1000 && listed == THREADS_MAX, "1000 threads: total %u, listed %u", total,
	      listed);
	count_only = time_read(pid_text, 0, &total, &listed);
	CHECK(total == 1000 && !listed, "max 0: total %u, listed %u", total, listed);
	printf("  threads_read, 1000 threads: %.1f us a call (16 read), %.1f us counting only\n",
	       all, count_only);
	end(pid);
}

int main(int argc, char **argv)
{
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");

	test_parsers();
	test_blocked(verbose);
	test_cap();
	test_gone();
	if (verbose)
		time_many();
	return UNIT_DONE();
}
