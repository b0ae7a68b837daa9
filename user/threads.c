// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* threads.c - what a process's threads are doing now, from /proc/PID/task: read, never stopped. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include "procfs.h"
#include "threads.h"

/*
 * A small /proc file at "TID/NAME" under the task directory, NUL-terminated, its newline cut.
 * -1 when it cannot be read (the thread is gone, or we may not: "" then).
 */
static int read_at(int task_fd, uint32_t tid, const char *name, char *buf, size_t len)
{
	char path[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%u/%s", tid, name);
	fd = openat(task_fd, path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return n < 0 ? -1 : 0;
}

/*
 * The system call a thread is in, by name. The number is the native one: a 32-bit process on a
 * 64-bit kernel (x86's ia32) would be misnamed, a rare holder of a server socket.
 */
static void syscall_name(const char *text, char *out, size_t len)
{
	char *name;
	long nr;

	switch (procfs_syscall_nr(text, &nr)) {
	case PROCFS_SC_NR:
		/* libseccomp's table: no syscall of its own, allowed under our filter (a strdup) */
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
		if (name)
			snprintf(out, len, "%s", name);
		else
			snprintf(out, len, "%ld", nr);	/* newer than libseccomp: its number */
		free(name);
		break;
	case PROCFS_SC_NONE:
		snprintf(out, len, "-");
		break;
	case PROCFS_SC_RUNNING:
		snprintf(out, len, "running");
		break;
	default:
		out[0] = '\0';
	}
}

/* one thread's stat, syscall and wchan; -1 when it is gone (its stat unreadable) */
static int read_thread(int task_fd, uint32_t tid, struct thread_info *t)
{
	char buf[512];

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	if (read_at(task_fd, tid, "stat", buf, sizeof(buf)) ||
	    procfs_stat_state(buf, &t->state, t->comm, sizeof(t->comm)))
		return -1;
	/* needs PTRACE_MODE_ATTACH (--stuck keeps CAP_SYS_PTRACE); the kernel reads the thread's
	 * registers only once it is off the CPU, and says "running" rather than wait */
	read_at(task_fd, tid, "syscall", buf, sizeof(buf));
	syscall_name(buf, t->syscall, sizeof(t->syscall));
	/* a kernel symbol, or "0": not asleep, or hidden from us (kptr_restrict, no ptrace right) */
	read_at(task_fd, tid, "wchan", t->wchan, sizeof(t->wchan));
	if (!strcmp(t->wchan, "0"))
		t->wchan[0] = '\0';
	return 0;
}

/* keep the max lowest tids in tids[0..*n), sorted: insertion, max is small */
static void keep_lowest(uint32_t *tids, unsigned int *n, unsigned int max, uint32_t tid)
{
	unsigned int i = *n;

	if (*n == max && (!max || tid > tids[max - 1]))
		return;
	if (*n < max)
		(*n)++;
	else
		i = max - 1;
	for (; i > 0 && tids[i - 1] > tid; i--)
		tids[i] = tids[i - 1];
	tids[i] = tid;
}

unsigned int threads_read(const char *pid_text, struct thread_info *t, unsigned int max,
			  unsigned int *listed)
{
	uint32_t tids[THREADS_MAX];
	unsigned int total = 0, n = 0;
	char path[300];
	struct dirent *d;
	DIR *dir;

	*listed = 0;
	if (max > THREADS_MAX)
		max = THREADS_MAX;
	/* opendir, not fdopendir: glibc's fdopendir calls fcntl, which our filter refuses */
	snprintf(path, sizeof(path), "/proc/%s/task", pid_text);
	dir = opendir(path);
	if (!dir)
		return 0;	/* gone */
	/* all counted from the listing; only the lowest max are read */
	while ((d = readdir(dir))) {
		char *end;
		unsigned long tid = strtoul(d->d_name, &end, 10);

		if (d->d_name[0] < '1' || d->d_name[0] > '9' || *end || tid > UINT32_MAX)
			continue;
		total++;
		keep_lowest(tids, &n, max, (uint32_t)tid);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (read_thread(dirfd(dir), tids[i], &t[*listed]))
			total--;	/* exited since the listing */
		else
			(*listed)++;
	}
	closedir(dir);
	/* none of those listed could be read: the process went since the listing */
	return n && !*listed ? 0 : total;
}
