/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* pod_counts.h - transitions into each state per Kubernetes namespace, for --metrics-pod-namespace. */
#ifndef POD_COUNTS_H
#define POD_COUNTS_H

#include <stddef.h>
#include <stdint.h>
#include "stats.h"

/* namespaces counted apart at most; the rest go to one row, POD_COUNTS_OTHER (cardinality) */
#define POD_COUNTS_MAX 512
#define POD_COUNTS_OTHER "_other"

struct pod_count {
	char ns[64];			/* the pod's namespace; "" for the host and unknown owners */
	uint64_t into[STATS_STATES];	/* transitions into each state */
};

struct pod_counts {
	struct pod_count *v;		/* rows, in the order first seen (grows) */
	size_t n, cap;
	size_t last;			/* the row used last */
};

/* Count one transition into state `into` of an owner in namespace ns ("" on the host). */
void pod_counts_add(struct pod_counts *pc, const char *ns, unsigned int into);

void pod_counts_free(struct pod_counts *pc);

#endif
