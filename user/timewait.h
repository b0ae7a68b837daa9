/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* timewait.h - the loader's part in following timewait minisockets (see bpf/timewait.bpf.h). */
#ifndef TIMEWAIT_H
#define TIMEWAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"

typedef int (*timewait_emit_fn)(void *ctx, const struct tcpstates_event *e);

/* true if the /proc/kallsyms line defines text symbol `name`; its address into *addr */
bool timewait_parse_kallsyms_line(const char *line, const char *name, uint64_t *addr);

/* address of the kernel's tw_timer_handler, 0 if it cannot be known */
uint64_t timewait_timer_fn(void);

/* Emit the minisockets killed early (records left in tw_pending). Returns how many. */
int timewait_sweep(int pending_fd, int info_fd, timewait_emit_fn emit, void *ctx);

#endif
