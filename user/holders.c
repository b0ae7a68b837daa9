// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* holders.c - match socket inodes against the socket:[INODE] links of /proc/PID/fd, as ss -p. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "holders.h"
#include "procfs.h"

/* first position in inos holding ino, or n */
static size_t find(const uint64_t *inos, size_t n, uint64_t ino)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (inos[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The sockets of inos that process `pid` holds, one call per descriptor: a socket held through
 * two fds (dup, or kept across an exec) is named twice, and the consumer merges them.
 */
static void scan_fds(const char *pid, const uint64_t *inos, size_t n, holders_fn fn, void *ctx)
{
	uint32_t pid_nr = (uint32_t)strtoul(pid, NULL, 10);
	char path[300], link[64], *end;
	uint64_t ino;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		ssize_t len = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);

		if (len <= 0)
			continue;
		link[len] = '\0';
		if (procfs_socket_inode(link, &ino))
			continue;
		size_t i = find(inos, n, ino);
		long fd = strtol(d->d_name, &end, 10);

		if (i == n || inos[i] != ino || *end || fd < 0 || fd > INT32_MAX)
			continue;
		for (; i < n && inos[i] == ino; i++)
			fn(ctx, pid, pid_nr, i, (int)fd);
	}
	if (dir)
		closedir(dir);
}

unsigned int holders_scan(const uint64_t *inos, size_t n, holders_fn fn, void *ctx)
{
	unsigned int procs = 0;
	struct dirent *d;
	DIR *dir;

	if (!n)
		return 0;
	dir = opendir("/proc");
	while (dir && (d = readdir(dir))) {
		if (!procfs_is_pid(d->d_name))
			continue;
		scan_fds(d->d_name, inos, n, fn, ctx);
		procs++;
	}
	if (dir)
		closedir(dir);
	return procs;
}

void holders_comm(const char *pid_text, char *comm, size_t len)
{
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid_text);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, comm, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	if (n > 0 && comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
}

void holders_cgroup_root(char *root, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	root[0] = '\0';
	while (f && getline(&line, &cap, f) > 0)
		if (!procfs_cgroup2_mount(line, root, len))
			break;
	free(line);
	if (f)
		fclose(f);
}

uint64_t holders_cgroup(const char *pid_text, const char *cg_root)
{
	char path[300], text[4096], cg[3800], full[4096];
	struct stat st;
	ssize_t n;
	int fd;

	if (!cg_root[0])
		return 0;
	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid_text);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* a cgroup v2 id is the inode of the cgroup's directory */
	if (procfs_cgroup_v2_path(text, cg, sizeof(cg)) ||
	    snprintf(full, sizeof(full), "%s%s", cg_root, cg) >= (int)sizeof(full) || stat(full, &st))
		return 0;
	return st.st_ino;
}
