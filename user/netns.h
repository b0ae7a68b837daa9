/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* netns.h - network namespace files: the one --netns names, and every one on the machine. */
#ifndef NETNS_H
#define NETNS_H

#include <stdint.h>

/*
 * --netns: an inode number, or a path whose inode is the namespace's (/run/netns/NAME,
 * /proc/PID/ns/net). Returns 0 with *ino set, or -1 with *why saying what is wrong.
 */
int netns_resolve(const char *text, uint32_t *ino, const char **why);

/* one namespace file found: path and the namespace's inode; non-zero stops the walk */
typedef int (*netns_fn)(void *ctx, const char *path, uint64_t ino);

/*
 * Every network namespace some process is in (/proc/PID/ns/net), then the named ones nobody
 * may be in (ip netns: /run/netns/NAME). A namespace comes once per path: fn sorts them out.
 */
void netns_walk(netns_fn fn, void *ctx);

#endif
