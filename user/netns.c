// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* netns.c - network namespace files: --netns resolved, and a walk over every namespace. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include "netns.h"
#include "procfs.h"

/*
 * Is path a network namespace file? The kernel says (NS_GET_NSTYPE, 4.11+); a kernel without the
 * ioctl answers ENOTTY for every file, and then a file of nsfs is taken on trust. Only a regular
 * file is opened: opening a FIFO or a device could block or act. NULL, or what is wrong with it.
 */
static const char *netns_file(const char *path, struct stat *st)
{
	const char *why = NULL;
	struct statfs fs;
	int fd, type;

	if (stat(path, st))
		return strerror(errno);
	if (!S_ISREG(st->st_mode) || st->st_ino > UINT32_MAX)
		return "not a network namespace";
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return strerror(errno);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 ? type != CLONE_NEWNET
		      : errno != ENOTTY || fstatfs(fd, &fs) || fs.f_type != NSFS_MAGIC)
		why = "not a network namespace";
	close(fd);
	return why;
}

/* a decimal inode, 1 to UINT32_MAX, digits only (no sign, no space, nothing after) */
static int parse_inode(const char *text, uint32_t *ino)
{
	unsigned long long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v < 1 || v > UINT32_MAX)
		return -1;
	*ino = v;
	return 0;
}

int netns_resolve(const char *text, uint32_t *ino, const char **why)
{
	struct stat st;

	if (!parse_inode(text, ino))
		return 0;
	*why = netns_file(text, &st);
	if (*why)
		return -1;
	*ino = st.st_ino;
	return 0;
}

/* each entry of dir that `want` accepts, as the path fmt makes of its name; 1: fn stopped */
static int walk_dir(const char *dir_path, const char *fmt, bool (*want)(const char *name),
		    netns_fn fn, void *ctx)
{
	DIR *dir = opendir(dir_path);
	struct dirent *d;
	int stop = 0;

	while (dir && !stop && (d = readdir(dir))) {
		char path[300];
		struct stat st;

		if (!want(d->d_name))
			continue;
		snprintf(path, sizeof(path), fmt, d->d_name);
		if (!stat(path, &st))
			stop = fn(ctx, path, st.st_ino);
	}
	if (dir)
		closedir(dir);
	return stop;
}

static bool is_visible(const char *name)
{
	return name[0] != '.';
}

void netns_walk(netns_fn fn, void *ctx)
{
	if (!walk_dir("/proc", "/proc/%s/ns/net", procfs_is_pid, fn, ctx))
		walk_dir("/run/netns", "/run/netns/%s", is_visible, fn, ctx);
}
