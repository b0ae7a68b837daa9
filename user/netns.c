// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* netns.c - network namespace files: a walk over every namespace. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include "netns.h"
#include "procfs.h"

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
