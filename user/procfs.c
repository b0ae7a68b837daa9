// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* procfs.c - parse /proc texts: fd links, cgroup, mountinfo (as ss -p does), task stat, syscall. */
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

/* the next field of a mountinfo line (fields are separated by one space); its length, 0 at the end */
static size_t field(const char **p)
{
	*p += strspn(*p, " ");
	return strcspn(*p, " \n");
}

/* a mountinfo path with \ooo escapes decoded; -1 if it does not fit */
static int unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++, o++) {
		if (o + 1 >= len)
			return -1;
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o] = (s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0');
			i += 3;
		} else {
			out[o] = s[i];
		}
	}
	out[o] = '\0';
	return 0;
}

int procfs_cgroup2_mount(const char *line, char *out, size_t len)
{
	const char *p = line, *point = NULL;
	size_t n, point_len = 0;

	/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS */
	for (int i = 0; (n = field(&p)); i++, p += n) {
		if (i == 4) {
			point = p;
			point_len = n;
		}
		if (i >= 6 && n == 1 && *p == '-') {
			p += n;
			n = field(&p);
			if (!point || n != 7 || strncmp(p, "cgroup2", 7))
				return -1;
			return unescape(point, point_len, out, len);
		}
	}
	return -1;
}

int procfs_stat_state(const char *text, char *state, char *comm, size_t len)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	size_t n;

	/* "TID (COMM) S ...": the state is the one letter after ") " */
	if (!open || !close || close < open || close[1] != ' ' || !close[2] ||
	    (close[3] != ' ' && close[3] != '\0' && close[3] != '\n') || !len)
		return -1;
	n = close - open - 1;
	if (n >= len)
		n = len - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	*state = close[2];
	return 0;
}

enum procfs_syscall procfs_syscall_nr(const char *text, long *nr)
{
	char *end;
	long v;

	if (!strncmp(text, "running", 7) && (text[7] == '\n' || !text[7]))
		return PROCFS_SC_RUNNING;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || (*end != ' ' && *end != '\n' && *end) || v < -1 ||
	    *text == ' ' || *text == '+')
		return PROCFS_SC_UNKNOWN;
	if (v == -1)
		return PROCFS_SC_NONE;
	*nr = v;
	return PROCFS_SC_NR;
}
