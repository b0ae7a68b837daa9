/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* outfile.h - -o FILE: the output appended to a file, reopened by its path on SIGHUP. */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <fcntl.h>
#include <stdbool.h>
#include "outq.h"

/*
 * The one way FILE is ever opened, at start and on SIGHUP alike; the seccomp filter allows
 * openat with exactly these flags (user/privdrop.c). O_NOFOLLOW: the tracer keeps uid 0, which
 * owns most of the system's files even without CAP_DAC_OVERRIDE, so a symlink planted at the log
 * path must not send the records into one of them (logrotate refuses to rotate symlinks for the
 * same reason). O_NONBLOCK: a FIFO put at the path can never hold the tracer in open(); on a
 * regular file it changes nothing.
 */
#define OUTFILE_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
#define OUTFILE_MODE 0640	/* a new file: exactly this, whatever the umask */

struct outfile {
	const char *path;	/* -o as given (argv's); NULL: the output is stdout */
	int fd;			/* the file the output queue writes to now */
	bool failing;		/* the last reopen failed: the next success says so */
};

/*
 * Open path for -o (before privileges are dropped): a regular file, appended to, created
 * OUTFILE_MODE if missing. Returns the fd, or -1 after one line on stderr.
 */
int outfile_open(struct outfile *of, const char *path);

/* With -o: SIGHUP asks for a reopen instead of stopping the run. */
void outfile_catch_hup(void);

/*
 * A SIGHUP came: reopen the path and hand the queue the new file, at a line boundary (while a
 * line is half written to the old file the reopen waits for the next call). A failed reopen is
 * said on stderr; the queue keeps the old file and the next SIGHUP tries again. Called from the
 * loop; does nothing without -o or a SIGHUP.
 */
void outfile_tick(struct outfile *of, struct outq *q);

void outfile_close(struct outfile *of);

#endif
