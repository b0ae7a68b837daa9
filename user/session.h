/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* session.h - one tracing run: attach, read and print until told to stop, then report. */
#ifndef SESSION_H
#define SESSION_H

#include "cli.h"
#include "filter.h"

/*
 * Trace as cfg says, filtering with targets (resolved from cfg; the run records in
 * targets->cgroup whether the kernel decides --cgroup). Returns the process exit status (0 on a
 * normal stop, EPIPE included).
 */
int session_run(const struct config *cfg, struct filter_targets *targets);

#endif
