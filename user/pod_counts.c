// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* pod_counts.c - transitions into each state per Kubernetes namespace (--metrics-pod-namespace). */
#include <string.h>
#include "grow.h"
#include "pod_counts.h"

/*
 * A node runs tens of namespaces, so a row is found by a linear search from the last one used
 * (a burst comes from one pod); past POD_COUNTS_MAX rows every new namespace is counted in one.
 */
static struct pod_count *row(struct pod_counts *pc, const char *ns)
{
	struct pod_count *r;

	if (pc->last < pc->n && !strcmp(pc->v[pc->last].ns, ns))
		return &pc->v[pc->last];
	for (size_t i = 0; i < pc->n; i++)
		if (!strcmp(pc->v[i].ns, ns))
			return &pc->v[pc->last = i];
	/* the last row left is the others' */
	if (pc->n >= POD_COUNTS_MAX - 1 && strcmp(ns, POD_COUNTS_OTHER))
		return row(pc, POD_COUNTS_OTHER);
	if (grow((void **)&pc->v, &pc->cap, pc->n, sizeof(*pc->v)))
		return NULL;
	r = &pc->v[pc->last = pc->n++];
	memset(r, 0, sizeof(*r));
	strncpy(r->ns, ns, sizeof(r->ns) - 1);
	return r;
}

void pod_counts_add(struct pod_counts *pc, const char *ns, unsigned int into)
{
	struct pod_count *r = into < STATS_STATES ? row(pc, ns) : NULL;

	if (r)
		r->into[into]++;
}

void pod_counts_free(struct pod_counts *pc)
{
	free(pc->v);
	memset(pc, 0, sizeof(*pc));
}
