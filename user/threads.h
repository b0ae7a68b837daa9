/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* threads.h - what each thread of a process is doing now: /proc/PID/task/TID/{stat,syscall,wchan}. */
#ifndef THREADS_H
#define THREADS_H

#include <stdint.h>

#define THREADS_MAX 16		/* threads listed per process; the rest are only counted */

/* one thread, as /proc shows it at the moment it was read */
struct thread_info {
	uint32_t tid;
	char state;		/* stat's state letter: R, S, D, T, t, Z, X, I; '?' unknown */
	char comm[16];		/* the thread's name, from its stat (what .../TID/comm says) */
	char syscall[24];	/* the system call it is in, by name ("futex"); "running"
				 * (on a CPU), "-" (not in a system call), "" unknown */
	char wchan[40];		/* where it sleeps in the kernel (a symbol, cut to fit);
				 * "" none or unknown */
};

/*
 * The threads of process pid_text (/proc/PID/task): at most max of them in t (lowest tids
 * first; max itself at most THREADS_MAX), the number listed in *listed. Returns how many it has
 * in all, counted from the listing (only those listed are read: a JVM's 2 000 cost one
 * directory read); 0 if the process is gone. A thread that exits meanwhile is left out.
 * Reads only: no thread is stopped or attached to; syscall needs PTRACE_MODE_ATTACH rights
 * (CAP_SYS_PTRACE for another user's process), else it is "".
 */
unsigned int threads_read(const char *pid_text, struct thread_info *t, unsigned int max,
			  unsigned int *listed);

#endif
