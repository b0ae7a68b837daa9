// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_snapshot.c - the /proc texts the snapshot parses, and a socket record turned into an event. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "procfs.h"
#include "snapshot.h"
#include "unit.h"

/* readlink of /proc/PID/fd/N: only "socket:[INODE]" names a socket */
static const struct {
	const char *link;
	int ret;
	uint64_t ino;
} links[] = {
	{ "socket:[12345]", 0, 12345 },
	{ "socket:[1]", 0, 1 },
	{ "socket:[18446744073709551615]", 0, UINT64_MAX },
	{ "socket:[18446744073709551616]", -1, 0 },	/* too large */
	{ "socket:[0]", -1, 0 },			/* no inode 0 */
	{ "socket:[]", -1, 0 },
	{ "socket:[-5]", -1, 0 },
	{ "socket:[ 5]", -1, 0 },
	{ "socket:[5", -1, 0 },
	{ "socket:[5]x", -1, 0 },
	{ "socket:[5x]", -1, 0 },
	{ "pipe:[12345]", -1, 0 },
	{ "anon_inode:[eventpoll]", -1, 0 },
	{ "/dev/null", -1, 0 },
	{ "", -1, 0 },
};

static void test_socket_links(void)
{
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		uint64_t ino = 0;
		int ret = procfs_socket_inode(links[i].link, &ino);

		CHECK(ret == links[i].ret, "'%s': ret %d, want %d", links[i].link, ret, links[i].ret);
		if (!ret && !links[i].ret)
			CHECK(ino == links[i].ino, "'%s': ino %llu", links[i].link,
			      (unsigned long long)ino);
	}
}

static const struct {
	const char *text;
	const char *want;	/* NULL: none */
} cgroups[] = {
	{ "0::/system.slice/nginx.service\n", "/system.slice/nginx.service" },
	{ "0::/\n", "/" },
	{ "0::/user.slice/a b\n", "/user.slice/a b" },
	{ "0::/no-newline", "/no-newline" },
	/* hybrid: v1 hierarchies first, the v2 line last */
	{ "12:memory:/x\n4:cpu,cpuacct:/y\n0::/init.scope\n", "/init.scope" },
	{ "12:memory:/x\n4:cpu,cpuacct:/y\n", NULL },			/* v1 only */
	{ "10::/not-v2\n", NULL },
	{ "0::relative\n", NULL },
	{ "", NULL },
};

static void test_cgroup_lines(void)
{
	char buf[64], tiny[4];

	for (size_t i = 0; i < sizeof(cgroups) / sizeof(cgroups[0]); i++) {
		int ret = procfs_cgroup_v2_path(cgroups[i].text, buf, sizeof(buf));

		if (!cgroups[i].want) {
			CHECK(ret == -1, "'%s': want none", cgroups[i].text);
			continue;
		}
		CHECK(ret == 0, "'%s': want '%s'", cgroups[i].text, cgroups[i].want);
		if (!ret)
			CHECK_STR(buf, cgroups[i].want, cgroups[i].text);
	}
	CHECK(procfs_cgroup_v2_path("0::/long\n", tiny, sizeof(tiny)) == -1, "no room: refused");
}

/* /proc/self/mountinfo lines: the mount point of a cgroup2 mount, or none */
static const struct {
	const char *line;
	const char *want;	/* NULL: none */
} mounts[] = {
	{ "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	  "rw,nsdelegate,memory_recursiveprot\n", "/sys/fs/cgroup" },
	/* hybrid: v1 hierarchies under a tmpfs, v2 at unified */
	{ "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
	  "/sys/fs/cgroup/unified" },
	{ "30 25 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n", NULL },
	{ "42 31 0:39 / /sys/fs/cgroup/cpu rw,relatime shared:5 - cgroup cgroup rw,cpu\n", NULL },
	/* no optional fields, several; an escaped space in the mount point */
	{ "50 1 0:40 / /mnt/my\\040cg rw - cgroup2 none rw\n", "/mnt/my cg" },
	{ "51 1 0:41 / /c rw shared:1 master:2 propagate_from:3 - cgroup2 none rw\n", "/c" },
	/* a mount point named like the separator or the type is still the mount point */
	{ "52 1 0:42 / /- rw - cgroup2 none rw\n", "/-" },
	{ "53 1 0:43 / /cgroup2 rw - ext4 /dev/sda1 rw\n", NULL },
	{ "54 1 0:44 / /x rw - cgroup2fs none rw\n", NULL },
	{ "55 1 0:45 / /x rw cgroup2\n", NULL },			/* no separator */
	{ "", NULL },
};

static void test_mount_lines(void)
{
	char buf[64], tiny[4];

	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		int ret = procfs_cgroup2_mount(mounts[i].line, buf, sizeof(buf));

		if (!mounts[i].want) {
			CHECK(ret == -1, "'%s': want none, got '%s'", mounts[i].line, ret ? "" : buf);
			continue;
		}
		CHECK(ret == 0, "'%s': want '%s'", mounts[i].line, mounts[i].want);
		if (!ret)
			CHECK_STR(buf, mounts[i].want, mounts[i].line);
	}
	CHECK(procfs_cgroup2_mount(mounts[0].line, tiny, sizeof(tiny)) == -1, "no room: refused");
}

static void test_pids(void)
{
	CHECK(procfs_is_pid("1") && procfs_is_pid("4194304"), "pids");
	CHECK(!procfs_is_pid("self") && !procfs_is_pid("0") && !procfs_is_pid("01") &&
	      !procfs_is_pid("12a") && !procfs_is_pid(""), "not pids");
}

/* a listener with its owner, a timewait socket without, a request socket with its listener's */
static void test_event(void)
{
	struct tcpstates_sock_rec r = {
		.ts_ns = 5, .cookie = 42, .skaddr = 0xffff888100000000, .ino = 999,
		.saddr = { 10, 0, 0, 1 }, .netns = 4026531840u, .rx_queue = 1, .tx_queue = 128,
		.sport = 80, .family = AF_INET, .state = TS_LISTEN, .kind = TS_SK_FULL,
	};
	struct tcpstates_owner o = { .cgroup_id = 7, .pid = 321, .comm = "nginx" };
	struct tcpstates_event e;

	snapshot_event(&r, &o, &e);
	CHECK(e.oldstate == 0 && e.newstate == TS_LISTEN && e.sport == 80 && e.dport == 0,
	      "listener: states and ports");
	CHECK(e.flags == (TS_F_OWNER_KNOWN | TS_F_COOKIE_KNOWN), "listener: flags 0x%x", e.flags);
	CHECK(e.flags2 == (TS_F2_SNAPSHOT | TS_F2_OWNER_SNAPSHOT), "listener: flags2 0x%x", e.flags2);
	CHECK(e.pid == 321 && e.cgroup_id == 7 && !strcmp(e.comm, "nginx") && e.cookie == 42 &&
	      e.rx_queue == 1 && e.tx_queue == 128 && e.netns == 4026531840u && e.ts_ns == 5,
	      "listener: owner, cookie, queues, netns, time");
	CHECK(e.saddr[0] == 10 && e.saddr[3] == 1, "listener: address");

	r.kind = TS_SK_TIMEWAIT;
	r.state = TS_TIME_WAIT;
	r.cookie = 0;
	snapshot_event(&r, NULL, &e);
	CHECK(e.flags == 0 && e.flags2 == TS_F2_SNAPSHOT && e.pid == 0 && !e.comm[0],
	      "timewait: no owner, no cookie (flags 0x%x)", e.flags);

	r.kind = TS_SK_REQUEST;
	r.state = TS_SYN_RECV;
	snapshot_event(&r, &o, &e);
	CHECK(e.flags & TS_F_OWNER_INHERITED, "request socket: the listener's owner");
}

int main(void)
{
	test_socket_links();
	test_cgroup_lines();
	test_mount_lines();
	test_pids();
	test_event();
	return UNIT_DONE();
}
