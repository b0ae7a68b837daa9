// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* procfs.c - parse /proc/PID/fd links and /proc/PID/cgroup, as ss -p and systemd read them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "procfs.h"

bool procfs_is_pid(const char *name)
{
	if (!isdigit((unsigned char)name[0]) || name[0] == '0')
		return false;
	for (; *name; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

int procfs_socket_inode(const char *link, uint64_t *ino)
{
	static const char prefix[] = "socket:[";
	unsigned long long v;
	char *end;

	if (strncmp(link, prefix, sizeof(prefix) - 1))
		return -1;
	link += sizeof(prefix) - 1;
	/* strtoull alone would take a sign or blanks */
	if (!isdigit((unsigned char)*link))
		return -1;
	errno = 0;
	v = strtoull(link, &end, 10);
	if (errno || end[0] != ']' || end[1] != '\0' || v == 0)
		return -1;
	*ino = v;
	return 0;
}

int procfs_cgroup_v2_path(const char *text, char *out, size_t len)
{
	const char *line = text;

	/* v2 is hierarchy 0 with no controllers: "0::/path"; v1 lines ("4:memory:/x") are skipped */
	while (line && *line) {
		size_t n = strcspn(line, "\n");

		if (n > 3 && !strncmp(line, "0::", 3) && line[3] == '/') {
			if (n - 3 >= len)
				return -1;
			memcpy(out, line + 3, n - 3);
			out[n - 3] = '\0';
			return 0;
		}
		line = line[n] ? line + n + 1 : NULL;
	}
	return -1;
}
