/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* session.h - one tracing run: attach, read and print until told to stop, then report. */
#ifndef SESSION_H
#define SESSION_H

#include "cli.h"

/* Trace as cfg says. Returns the process exit status (0 on a normal stop, EPIPE included). */
int session_run(const struct config *cfg);

#endif
