// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_outfile.c - -o FILE: the mode a new file gets, appending, what is refused, the reopen. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"
#include "outq.h"
#include "unit.h"

static char dir[] = "/tmp/tcpstates-outfile.XXXXXX";
static char errpath[300];	/* stderr goes here between hush() and said() */
static int saved_err = -1;	/* the real stderr meanwhile */

static const char *in_dir(const char *name)
{
	static char bufs[4][300];
	static unsigned int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static void spill(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "spill %s", path);
	close(fd);
	chmod(path, mode);
}

/* what the code under test says on stderr goes to errpath, until said() */
static void hush(void)
{
	int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_err = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* stderr since hush(), and the real stderr back (for the checks' own messages) */
static char *said(void)
{
	static char buf[4096];

	fflush(stderr);
	dup2(saved_err, 2);
	close(saved_err);
	snprintf(buf, sizeof(buf), "%s", unit_slurp(errpath));
	return buf;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? (mode_t)-1 : st.st_mode & 07777;
}

/* a new file is 0640 whatever the umask: the widest and the narrowest */
static void test_new_mode(void)
{
	const mode_t masks[] = { 0, 022, 077, 0777 };

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		const char *path = in_dir("new");
		struct outfile of;
		mode_t old = umask(masks[i]);

		unlink(path);
		CHECK(outfile_open(&of, path) >= 0, "umask %03o: open", masks[i]);
		CHECK(mode_of(path) == 0640, "umask %03o: mode %03o, want 640", masks[i],
		      mode_of(path));
		CHECK(umask(old) == masks[i], "umask %03o: the umask put back", masks[i]);
		outfile_close(&of);
	}
}

/* an existing file: appended to, its mode kept */
static void test_append(void)
{
	const char *path = in_dir("old");
	struct outfile of;
	int fd;

	spill(path, "{\"a\":1}\n", 0600);
	fd = outfile_open(&of, path);
	CHECK(fd >= 0 && write(fd, "{\"b\":2}\n", 8) == 8, "append: write");
	outfile_close(&of);
	CHECK_STR(unit_slurp(path), "{\"a\":1}\n{\"b\":2}\n", "append: content");
	CHECK(mode_of(path) == 0600, "append: mode %03o, want 600 (kept)", mode_of(path));
}

/* what is refused, with the one line that says why */
static void test_refused(void)
{
	struct {
		const char *name;	/* in dir */
		const char *says;	/* after "tcpstates-c: cannot open PATH: " */
	} rows[] = {
		{ "link", "a symbolic link (not followed)\n" },
		{ "sub", "Is a directory\n" },
		{ "fifo", "No such device or address\n" },	/* O_NONBLOCK, no reader */
		{ "nodir/x", "No such file or directory\n" },
	};
	struct outfile of;
	char want[600];

	symlink(in_dir("old"), in_dir("link"));
	mkdir(in_dir("sub"), 0755);
	mkfifo(in_dir("fifo"), 0600);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *path = in_dir(rows[i].name);
		int fd;

		hush();
		fd = outfile_open(&of, path);
		CHECK(fd == -1 && of.fd == -1, "%s: refused", rows[i].name);
		snprintf(want, sizeof(want), "tcpstates-c: cannot open %s: %s", path, rows[i].says);
		CHECK_STR(said(), want, rows[i].name);
	}
	CHECK(mode_of(in_dir("old")) == 0600, "the symlink's target untouched");

	/* a path with a newline and an ESC in it: still one line, escaped */
	hush();
	CHECK(outfile_open(&of, "/nonexistent-dir/a\nb\x1b") == -1, "odd path: refused");
	CHECK_STR(said(), "tcpstates-c: cannot open /nonexistent-dir/a\\nb\\x1b: No such file or "
		  "directory\n", "odd path: one line, escaped");
}

static void queue(struct outq *q, const char *line)
{
	outq_line(q, line, strlen(line));
	outq_write(q, 0, NULL);
}

/* SIGHUP: the file moved away, a new one made by its path at a line start; a failure is said */
static void test_reopen(void)
{
	const char *path = in_dir("log"), *moved = in_dir("log.1");
	struct outfile of;
	struct outq q;
	char want[600], *msg;
	int fd;

	fd = outfile_open(&of, path);
	CHECK(fd >= 0 && outq_init(&q, fd, 0) == 0, "reopen: set up");
	outfile_catch_hup();
	queue(&q, "1\n");
	outfile_tick(&of, &q);	/* no SIGHUP: nothing */
	CHECK(q.fd == fd, "reopen: no SIGHUP, same fd");
	rename(path, moved);
	raise(SIGHUP);
	q.mid_line = true;	/* as after a short write: the reopen waits */
	outfile_tick(&of, &q);
	CHECK(q.fd == fd && access(path, F_OK) != 0, "reopen: none in the middle of a line");
	q.mid_line = false;
	outq_line(&q, "2\n", 2);	/* queued before the reopen, written after it */
	outfile_tick(&of, &q);
	CHECK(q.fd == of.fd && q.fd != fd, "reopen: the queue has the new fd");
	queue(&q, "3\n");
	CHECK_STR(unit_slurp(moved), "1\n", "reopen: the moved file");
	CHECK_STR(unit_slurp(path), "2\n3\n", "reopen: the new file");
	CHECK(mode_of(path) == 0640, "reopen: new file mode %03o", mode_of(path));
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "reopen: the old fd closed");

	/* a failed reopen: said once, the old file kept; the next SIGHUP tries again */
	fd = q.fd;
	rename(path, moved);
	symlink(moved, path);
	raise(SIGHUP);
	hush();
	outfile_tick(&of, &q);
	outfile_tick(&of, &q);
	msg = said();
	queue(&q, "4\n");
	CHECK(q.fd == fd, "failed reopen: the old fd kept");
	CHECK_STR(unit_slurp(moved), "2\n3\n4\n", "failed reopen: lines go on to the old file");
	snprintf(want, sizeof(want), "tcpstates-c: cannot reopen %s on SIGHUP: a symbolic link (not "
		 "followed); writing on to the file open before\n", path);
	CHECK_STR(msg, want, "failed reopen: said once");
	unlink(path);
	raise(SIGHUP);
	hush();
	outfile_tick(&of, &q);
	msg = said();
	queue(&q, "5\n");
	CHECK(q.fd != fd && !strcmp(unit_slurp(path), "5\n"), "the next SIGHUP reopens");
	snprintf(want, sizeof(want), "tcpstates-c: reopened %s\n", path);
	CHECK_STR(msg, want, "a reopen after a failure is said");
	outq_free(&q);
	outfile_close(&of);
}

int main(void)
{
	char cmd[400];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	test_new_mode();
	test_append();
	test_refused();
	test_reopen();
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? 1 : rc;
}
