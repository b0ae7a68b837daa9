/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* reasons.h - why a connection closed, and the kernel's names for the resets it sends. */
#ifndef REASONS_H
#define REASONS_H

#include <stddef.h>

#define REASON_NAME_MAX 64

/* "orderly", "reset_received", ...; NULL for TS_R_NONE (not a close); "unknown" beyond the table */
const char *reason_name(unsigned int reason);

/*
 * The kernel's name of reset reason `v` (enum sk_rst_reason, read from the running kernel's BTF),
 * lowercased without its SK_RST_REASON_ prefix: "not_specified", "tcp_abort_on_close" ... Where the
 * kernel has no such enum or value, "reason_<v>" in buf.
 */
const char *rst_reason_name(unsigned int v, char *buf, size_t len);

/* Read the kernel's BTF for rst_reason_name() now, not at the first reset (user/privdrop.c). */
void reasons_load(void);

#endif
