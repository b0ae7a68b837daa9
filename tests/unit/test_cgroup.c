// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_cgroup.c - --cgroup resolved: real cgroup v2 directories (root), and membership tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "cgroup.h"
#include "unit.h"

/* ---- resolving a directory: made here, below the cgroup v2 root (root only) ---- */

/* the first cgroup2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host */
static const char *cgroup2_root(void)
{
	static char dir[256];
	char line[512], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	dir[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %63s", dir, type) == 2 && !strcmp(type, "cgroup2"))
			break;
		else
			dir[0] = '\0';
	if (f)
		fclose(f);
	return dir[0] ? dir : NULL;
}

static uint64_t ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* T, T/a, T/a/sub, T/b: made, then resolved from T and from T/a */
static void test_resolve_tree(const char *root)
{
	static const char *const sub[] = { "", "/a", "/a/sub", "/b" };
	char dir[4][300];
	struct cgroup_tree t;
	uint64_t want[4];
	int ret, made = 0;

	for (int i = 0; i < 4; i++) {
		snprintf(dir[i], sizeof(dir[i]), "%s/tcpstates-unit-%d%s", root, (int)getpid(), sub[i]);
		if (mkdir(dir[i], 0755) && errno != EEXIST)
			break;
		want[made++] = ino(dir[i]);
	}
	CHECK(made == 4, "mkdir %s: %s", dir[made < 4 ? made : 3], strerror(errno));
	if (made == 4) {
		ret = cgroup_resolve(&t, dir[0]);
		CHECK(ret == 0 && t.id == want[0] && t.n == 4, "T: ret %d, id %llu, %zu ids", ret,
		      (unsigned long long)t.id, t.n);
		for (int i = 0; i < 4; i++)
			CHECK(cgroup_tree_has(&t, want[i]), "T has %s", dir[i]);
		for (size_t i = 1; i < t.n; i++)
			CHECK(t.ids[i - 1] < t.ids[i], "T: ids sorted at %zu", i);
		CHECK(!cgroup_tree_has(&t, ino(root)), "T does not have the root");
		/* a directory made right below the root: level 1, where our cgroup namespace is the
		 * initial one (else unknown) */
		CHECK(t.level == 1 || (t.level == -1 && ino("/proc/self/ns/cgroup") != 0xEFFFFFFBu),
		      "T: level %d", t.level);
		cgroup_free(&t);
		CHECK(!t.ids && !t.n && !t.id, "cgroup_free resets");

		ret = cgroup_resolve(&t, dir[1]);
		CHECK(ret == 0 && t.id == want[1] && t.n == 2 && cgroup_tree_has(&t, want[2]) &&
		      !cgroup_tree_has(&t, want[0]) && !cgroup_tree_has(&t, want[3]),
		      "T/a: ret %d, %zu ids", ret, t.n);
		CHECK(t.level == 2 || t.level == -1, "T/a: level %d", t.level);
		cgroup_free(&t);
	}
	while (made-- > 0)
		rmdir(dir[made]);
}

/* no cgroup v2 directory: a file of the cgroup file system, another file system, nothing */
static void test_resolve_not_v2(const char *root)
{
	char procs[300];
	struct cgroup_tree t;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", root);
	CHECK(cgroup_resolve(&t, procs) == CGROUP_NOT_V2 && !t.ids, "%s: not a cgroup", procs);
	CHECK(cgroup_resolve(&t, "/tmp") == CGROUP_NOT_V2, "/tmp: not a cgroup");
	CHECK(cgroup_resolve(&t, "/nonexistent") == CGROUP_NOT_V2, "/nonexistent: not a cgroup");
	CHECK(cgroup_resolve(&t, "") == CGROUP_NOT_V2, "'': not a cgroup");
}

/* ---- membership: the tree at start, or the kernel's verdict ---- */

struct owner_row {
	const char *what;
	bool in_kernel;		/* the BPF side decides */
	uint32_t flags2;	/* the record's */
	uint64_t cgroup_id;	/* the owner's */
	bool want;
};

/* the tree at start: 3, 5, 9 */
static const struct owner_row owner_rows[] = {
	{ "user space, in the tree", false, 0, 5, true },
	{ "user space, not in it", false, 0, 4, false },
	{ "user space ignores the kernel's bit", false, TS_F2_CGROUP_IN, 4, false },
	{ "kernel says in (a cgroup made after start)", true, TS_F2_CGROUP_IN, 42, true },
	{ "kernel says out (though in the tree)", true, 0, 5, false },
	{ "snapshot owner: the tree", true, TS_F2_SNAPSHOT, 9, true },
	{ "snapshot owner outside it: the tree", true, TS_F2_SNAPSHOT | TS_F2_CGROUP_IN, 4, false },
	{ "--stuck holder: the tree", true, TS_F2_OWNER_HOLDER, 3, true },
	{ "--stuck holder outside it: the tree", true, TS_F2_OWNER_HOLDER, 8, false },
};

static void test_owner_in(void)
{
	uint64_t ids[] = { 3, 5, 9 };

	for (size_t i = 0; i < sizeof(owner_rows) / sizeof(owner_rows[0]); i++) {
		const struct owner_row *r = &owner_rows[i];
		struct cgroup_tree t = { .id = 3, .level = 2, .in_kernel = r->in_kernel, .n = 3,
					 .ids = ids };
		struct tcpstates_event e = { .cgroup_id = r->cgroup_id, .flags2 = r->flags2 };

		CHECK(cgroup_owner_in(&t, &e) == r->want, "%s: want %d", r->what, r->want);
	}
	CHECK(!cgroup_tree_has(&(struct cgroup_tree){ 0 }, 0), "no --cgroup: nothing is in it");
}

/* ---- who decides: the BPF side where it knows the level and reads ancestors ---- */

struct kernel_row {
	uint64_t id;
	int level;
	bool helper;		/* bpf_get_current_ancestor_cgroup_id */
	bool want;
	const char *warns;	/* cgroup_warn's line once decided so (NULL: none) */
};

static const struct kernel_row kernel_rows[] = {
	{ 0, 0, true, false, NULL },
	{ 7, 2, true, true, NULL },
	{ 7, 0, true, true, NULL },
	{ 7, -1, true, false, "its level is unknown (a cgroup namespace of our own)" },
	{ 7, 2, false, false, "this kernel's tracing programs cannot read an owner's ancestors" },
	{ 7, -1, false, false, "its level is unknown" },
};

static void test_kernel_can(void)
{
	for (size_t i = 0; i < sizeof(kernel_rows) / sizeof(kernel_rows[0]); i++) {
		const struct kernel_row *r = &kernel_rows[i];
		struct cgroup_tree t = { .id = r->id, .level = r->level };
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		t.in_kernel = cgroup_kernel_can(&t, r->helper);
		CHECK(t.in_kernel == r->want, "id %llu level %d helper %d: want %d",
		      (unsigned long long)r->id, r->level, r->helper, r->want);
		cgroup_warn(&t, f);
		fclose(f);
		if (r->warns)
			CHECK(!strncmp(out, "tcpstates-c: --cgroup: ", 23) && strstr(out, r->warns) &&
			      strstr(out, "cgroups made below it after start are not matched\n"),
			      "row %zu: warns '%s'", i, out);
		else
			CHECK(len == 0, "row %zu: no warning, got '%s'", i, out);
		free(out);
	}
}

int main(void)
{
	const char *root = cgroup2_root();

	if (root && geteuid() == 0) {
		test_resolve_tree(root);
		test_resolve_not_v2(root);
	} else {
		printf("# skipped resolving real directories: %s\n",
		       root ? "not root" : "no cgroup v2 mount");
	}
	test_owner_in();
	test_kernel_can();
	return UNIT_DONE();
}
