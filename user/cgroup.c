// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* cgroup.c - --cgroup: the directory resolved at start, and whether an owner is in its tree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "cgroup.h"
#include "grow.h"

#define CGROUP2_SUPER_MAGIC 0x63677270
#define PROC_CGROUP_INIT_INO 0xEFFFFFFBu	/* the initial cgroup namespace's fixed inode */
#define MAX_DEPTH 64				/* deeper trees are not walked further */

/*
 * Add the id of directory `path` and of every directory below it (a cgroup v2 id is its inode).
 * 0, or a negative errno for `path` itself; what goes wrong below it is skipped.
 */
static int collect(struct cgroup_tree *t, size_t *cap, const char *path, int depth)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (stat(path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (grow((void **)&t->ids, cap, t->n, sizeof(*t->ids)))
		return -ENOMEM;
	t->ids[t->n++] = st.st_ino;
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		char sub[4096];

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name) < (int)sizeof(sub))
			collect(t, cap, sub, depth + 1);
	}
	closedir(dir);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * How deep the cgroup directory is below the cgroup v2 root: its parents up to the mount's root
 * (whose parent is on another file system). The kernel's ancestor levels count from the global
 * root, so inside a cgroup namespace of our own this is not known (-1).
 */
static int level_of(const char *path)
{
	char up[4096];
	struct stat st, self;
	int level = 0;

	if (stat("/proc/self/ns/cgroup", &self) || self.st_ino != PROC_CGROUP_INIT_INO ||
	    stat(path, &st))
		return -1;
	snprintf(up, sizeof(up), "%s", path);
	for (;;) {
		struct stat parent;
		size_t n = strlen(up);

		if (n + 4 >= sizeof(up) || level > 256)
			return -1;
		memcpy(up + n, "/..", 4);
		if (stat(up, &parent))
			return -1;
		if (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino)
			return level;
		st = parent;
		level++;
	}
}

int cgroup_resolve(struct cgroup_tree *t, const char *path)
{
	struct statfs fs;
	struct stat st;
	size_t cap = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	/* a file of the cgroup file system (cgroup.procs) is on cgroup2fs too, but no cgroup */
	if (statfs(path, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC || stat(path, &st) ||
	    !S_ISDIR(st.st_mode))
		return CGROUP_NOT_V2;
	ret = collect(t, &cap, path, 0);
	if (ret) {
		cgroup_free(t);
		return ret;
	}
	qsort(t->ids, t->n, sizeof(*t->ids), cmp_u64);
	t->id = st.st_ino;
	t->level = level_of(path);
	return 0;
}

void cgroup_free(struct cgroup_tree *t)
{
	free(t->ids);
	memset(t, 0, sizeof(*t));
}

bool cgroup_tree_has(const struct cgroup_tree *t, uint64_t id)
{
	return t->n && bsearch(&id, t->ids, t->n, sizeof(*t->ids), cmp_u64);
}

bool cgroup_owner_in(const struct cgroup_tree *t, const struct tcpstates_event *e)
{
	if (t->in_kernel && !(e->flags2 & (TS_F2_SNAPSHOT | TS_F2_OWNER_HOLDER)))
		return e->flags2 & TS_F2_CGROUP_IN;
	return cgroup_tree_has(t, e->cgroup_id);
}

bool cgroup_kernel_can(const struct cgroup_tree *t, bool ancestor_helper)
{
	return t->id && t->level >= 0 && ancestor_helper;
}

void cgroup_warn(const struct cgroup_tree *t, FILE *err)
{
	if (!t->id || t->in_kernel)
		return;
	fprintf(err, "tcpstates-c: --cgroup: %s: cgroups made below it after start are not "
		     "matched\n", t->level < 0 ?
		     "its level is unknown (a cgroup namespace of our own)" :
		     "this kernel's tracing programs cannot read an owner's ancestors");
}

int cgroup_join_host_ns(FILE *err)
{
	struct stat self, init;
	int fd, ret = 0;

	if (stat("/proc/self/ns/cgroup", &self) || stat("/proc/1/ns/cgroup", &init) ||
	    (self.st_ino == init.st_ino && self.st_dev == init.st_dev))
		return 0;	/* no cgroup namespaces, PID 1 not readable, or the same one */
	fd = open("/proc/1/ns/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWCGROUP))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		fprintf(err, "tcpstates-c: cannot join the host's cgroup namespace (PID 1's): %s; "
			     "other processes' cgroups read from /proc are relative to ours: containers "
			     "may not be named\n", strerror(-ret));
	return ret;
}
