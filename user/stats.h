/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* stats.h - what the printed transitions add up to: MIB counters, pair counts, time in states. */
#ifndef STATS_H
#define STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"

#define STATS_STATES 16		/* state numbers counted: 0-15 (the kernel's go up to 12) */
#define STATS_SUB_BITS 4	/* each power of two split into 16 linear sub-buckets */
#define STATS_SUB (1u << STATS_SUB_BITS)
#define STATS_HBUCKETS (STATS_SUB + (64 - STATS_SUB_BITS) * STATS_SUB)	/* 976 */
#define STATS_LOG2 64		/* log2 buckets: i holds [2^i, 2^(i+1)) ns, 0 also holds 0 */

/*
 * Durations in ns: below 16 exact, above in 16 sub-buckets per power of two, so a value stands
 * for its sub-bucket's middle within 1/32 (3.2 %) of itself. 7.8 KiB each.
 */
struct stats_hist {
	uint64_t count;			/* values added */
	uint64_t max;			/* the largest, exact */
	double sum_ns;			/* their sum (a float: Prometheus' _sum is one too) */
	uint64_t b[STATS_HBUCKETS];	/* values per sub-bucket (stats_hist_index) */
};

/*
 * The kernel's TCP MIB counters (/proc/net/snmp "Tcp:") and the close reasons, as counted here,
 * in the order every output lists them: X(name, reason, text, help). name: the struct member,
 * the JSON key, the metric tcpstates_NAME_total; reason: the close reason it counts, or
 * TS_R_NONE for a MIB counter (counted in stats.c's count_mib); text: its line in the --summary
 * block, under "Tcp:" (a MIB counter, netstat -s wording) or "Closes:"; help: the metric's HELP.
 * A new counter: a row here (and for a MIB counter, where count_mib counts it).
 */
#define STATS_COUNTER_LIST(X)									\
	X(active_opens, TS_R_NONE, "active connection openings (ActiveOpens)",			\
	  "Connections opened actively (CLOSE -> SYN_SENT that sent a SYN), as the kernel's "	\
	  "ActiveOpens counts.")								\
	X(passive_opens, TS_R_NONE, "passive connection openings (PassiveOpens)",		\
	  "Connections opened passively (LISTEN -> SYN_RECV), as PassiveOpens counts.")		\
	X(attempt_fails, TS_R_NONE, "failed connection attempts (AttemptFails)",		\
	  "Failed connection attempts (SYN_SENT or SYN_RECV -> CLOSE on an error), as "		\
	  "AttemptFails counts.")								\
	X(estab_resets, TS_R_NONE, "connection resets received (EstabResets)",			\
	  "Connections reset (ESTABLISHED or CLOSE_WAIT -> CLOSE), as EstabResets counts.")	\
	X(resets_sent, TS_R_RESET_SENT, "resets sent",						\
	  "Closes whose reason was a reset this host sent.")					\
	X(resets_received, TS_R_RESET_RECEIVED, "resets received",				\
	  "Closes whose reason was a reset received.")						\
	X(timeouts, TS_R_TIMEOUT, "timeouts",							\
	  "Closes whose reason was a timeout.")							\
	X(refused, TS_R_REFUSED, "connects refused",						\
	  "Connection attempts refused (a reset answered the SYN).")

struct stats_counters {
#define STATS_MEMBER(name, reason, text, help) uint64_t name;
	STATS_COUNTER_LIST(STATS_MEMBER)
#undef STATS_MEMBER
};

/* the counters' indexes, in list order (STATS_active_opens ...); STATS_COUNTERS of them */
enum stats_counter {
#define STATS_ENUM(name, reason, text, help) STATS_##name,
	STATS_COUNTER_LIST(STATS_ENUM)
#undef STATS_ENUM
	STATS_COUNTERS
};

/* the counters by name (JSON keys), in list order; and their values as an array */
extern const char *const stats_counter_names[STATS_COUNTERS];
void stats_counter_values(const struct stats_counters *c, uint64_t v[STATS_COUNTERS]);

/* what each counter is, in list order: its --summary line and its metric's help */
struct stats_counter_about {
	unsigned int reason;	/* the close reason counted; TS_R_NONE: a MIB counter */
	const char *text;	/* the --summary line, after the number */
	const char *help;	/* the metric's HELP text */
};

extern const struct stats_counter_about stats_counter_about[STATS_COUNTERS];

struct stats {
	struct stats_counters c;
	uint64_t transitions;				/* records added */
	uint64_t pairs[STATS_STATES][STATS_STATES];	/* per OLD, NEW */
	struct stats_hist *dur[STATS_STATES][STATS_STATES]; /* their known durations (NULL: none) */
	uint64_t connects_failed;			/* SYN_SENT -> CLOSE before a port was
							 * taken: not in ActiveOpens */
};

/* Add one printed record: a transition counts, a snapshot record does not. */
void stats_add(struct stats *st, const struct tcpstates_event *e);

/* Add what `from` counted to `into` (its histograms allocated as needed). */
void stats_merge(struct stats *into, const struct stats *from);

/* Forget everything (the next interval); memory is kept. */
void stats_reset(struct stats *st);

/* Free what stats_add allocated. */
void stats_free(struct stats *st);

/* the time spent in `state` before any transition out of it: the pairs' histograms merged */
void stats_state_hist(const struct stats *st, unsigned int state, struct stats_hist *out);

/* the pair's histogram, or NULL when no duration of it was known */
const struct stats_hist *stats_pair_hist(const struct stats *st, unsigned int old, unsigned int new);

/* ---- histograms ---------------------------------------------------------------------------- */

unsigned int stats_hist_index(uint64_t v);
void stats_hist_add(struct stats_hist *h, uint64_t v);
void stats_hist_merge(struct stats_hist *into, const struct stats_hist *h);

/*
 * The p-th percentile (0 < p <= 100), nearest rank: the middle of the sub-bucket holding the
 * value of rank ceil(p/100 * count), never above max; 0 for an empty histogram.
 */
uint64_t stats_hist_percentile(const struct stats_hist *h, double p);

/* counts per log2 bucket; returns the number of buckets up to the last non-empty one (0: none) */
unsigned int stats_hist_log2(const struct stats_hist *h, uint64_t out[STATS_LOG2]);

#endif
