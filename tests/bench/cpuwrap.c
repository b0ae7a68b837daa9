// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * cpuwrap.c - run a command and record its exact CPU time, for the benchmark.
 *
 *   cpuwrap INFO_FILE COMMAND [ARG]...
 *
 * Writes "pid PID" to INFO_FILE as soon as the command runs (signal that PID, not cpuwrap), and
 * after it exits appends "cpu_ns USER_NS SYSTEM_NS status STATUS" from wait4()'s rusage: all of the
 * command's threads, including whatever it does after a signal told it to stop (the drain), which
 * /proc/PID/stat can no longer show once the process is gone. cpuwrap ignores SIGINT and SIGTERM
 * itself so that it outlives the command; it exits with the command's status (128 + signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *info;
	pid_t pid;
	int status, code;

	if (argc < 3) {
		fprintf(stderr, "usage: cpuwrap INFO_FILE COMMAND [ARG]...\n");
		return 2;
	}
	info = fopen(argv[1], "w");
	if (!info) {
		fprintf(stderr, "cpuwrap: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cpuwrap: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		/* an ignored signal stays ignored across exec: give the command the defaults back */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		fclose(info);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "cpuwrap: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	fprintf(info, "pid %d\n", (int)pid);
	fflush(info);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "cpuwrap: wait4: %s\n", strerror(errno));
			return 2;
		}
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(info, "cpu_ns %lld %lld status %d\n",
		(long long)ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL,
		(long long)ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL, code);
	fclose(info);
	return code;
}
