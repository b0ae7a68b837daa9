// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* outfile.c - -o FILE: the output appended to a file, reopened by its path on SIGHUP. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"
#include "quote.h"

static volatile sig_atomic_t hup;	/* SIGHUPs not yet answered by a reopen */

static void on_hup(int sig)
{
	hup = 1;
}

void outfile_catch_hup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;	/* no SA_RESTART: the loop's wait returns and the reopen is prompt */
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * The mode of a new file is the operator's decision in the documentation, not the umask's: the
 * umask is cleared for the one call (the process has one thread). -errno on failure.
 */
static int open_path(const char *path)
{
	mode_t old = umask(0);
	int fd = open(path, OUTFILE_FLAGS, OUTFILE_MODE);
	int err = errno;

	umask(old);
	return fd < 0 ? -err : fd;
}

static const char *why(int err)
{
	/* O_NOFOLLOW's answer, said plainly ("Too many levels of symbolic links" misleads) */
	return err == -ELOOP ? "a symbolic link (not followed)" : strerror(-err);
}

int outfile_open(struct outfile *of, const char *path)
{
	struct stat st;
	int fd = open_path(path);

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -ENOTSUP;
	}
	if (fd < 0) {
		fprintf(stderr, "tcpstates-c: cannot open %s: %s\n", quote_str(path),
			fd == -ENOTSUP ? "not a regular file" : why(fd));
		return -1;
	}
	of->path = path;
	of->fd = fd;
	return fd;
}

void outfile_tick(struct outfile *of, struct outq *q)
{
	int fd;

	if (!hup || !of->path || !outq_at_line_start(q))
		return;
	hup = 0;
	fd = open_path(of->path);
	if (fd < 0) {
		fprintf(stderr, "tcpstates-c: cannot reopen %s on SIGHUP: %s; writing on to the file "
				"open before\n", quote_str(of->path), why(fd));
		of->failing = true;
		return;
	}
	outq_set_fd(q, fd);
	close(of->fd);
	of->fd = fd;
	if (of->failing)
		fprintf(stderr, "tcpstates-c: reopened %s\n", quote_str(of->path));
	of->failing = false;
}

void outfile_close(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
}
