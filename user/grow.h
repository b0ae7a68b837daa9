/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* grow.h - room for one more element in a malloc'd array: capacity 256, then doubled. */
#ifndef GROW_H
#define GROW_H

#include <stdlib.h>

/*
 * Make *v (n elements used of *cap, each `size` bytes) hold at least n + 1. Returns 0, or -1
 * when out of memory (then *v and *cap are as they were).
 */
static inline int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 256;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, c * size);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

#endif
