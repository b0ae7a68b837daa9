// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timewait.c - the loader's part in following timewait minisockets: the timer's address, kills. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "timefmt.h"
#include "timewait.h"

#define ENOTSUPP 524	/* the kernel's, not in libc's errno.h */
#define SWEEP_MAX 4096	/* keys looked at per sweep; the rest wait for the next */
#define SWEEP_BATCH 64	/* records read per bpf() call (9 KiB of stack) */

/* the functions tw_killed_why() (bpf/tracer/timewait.bpf.c) looks for in the stack of a kill */
static const char *const killer_names[TS_TWK_MAX] = {
#define KILLER_NAME(name, fn) [TS_TWK_##name] = #fn,
	TS_TW_KILLER_LIST(KILLER_NAME)
#undef KILLER_NAME
};

/* the wake functions of a task asleep on a socket (owner.bpf.c, owner_from_waiter()) */
static const char *const waker_names[TS_WAKE_MAX] = {
#define WAKER_NAME(name, fn) [TS_WAKE_##name] = #fn,
	TS_WAKER_LIST(WAKER_NAME)
#undef WAKER_NAME
};

/*
 * One pass over /proc/kallsyms. The kernel lists its own symbols sorted by address, so a
 * function ends where the next higher address begins.
 */
void timewait_kallsyms(struct timewait_syms *ts)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], sym[128], type;
	int open = -1;		/* the killer whose end we are looking for */
	uint64_t a;

	memset(ts, 0, sizeof(*ts));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %127s", &a, &type, sym) != 3)
			continue;
		if (open >= 0 && a > ts->killers[open].start) {
			ts->killers[open].end = a;
			open = -1;
		}
		if (type != 't' && type != 'T')
			continue;
		if (!ts->timer_fn && !strcmp(sym, "tw_timer_handler"))
			ts->timer_fn = a;
		if (!ts->write_timer_fn && !strcmp(sym, "tcp_write_timer"))
			ts->write_timer_fn = a;
		for (int i = 0; i < TS_WAKE_MAX; i++)
			if (!ts->wakers[i] && !strcmp(sym, waker_names[i]))
				ts->wakers[i] = a;
		for (int i = 0; i < TS_TWK_MAX && open < 0; i++)
			if (!ts->killers[i].start && !strcmp(sym, killer_names[i])) {
				ts->killers[i].start = a;
				open = i;
			}
	}
	fclose(f);
	/* a function with no end found is left out: an empty range matches nothing */
	for (int i = 0; i < TS_TWK_MAX; i++)
		if (!ts->killers[i].end)
			ts->killers[i].start = 0;
	/* kptr_restrict hides addresses as 0 from those who may not see them */
}

/*
 * Take the record out of tw_pending: with lookup-and-delete we become its only owner, should the
 * BPF side reach for it at the same moment. Hash maps have that only from 5.14: before, the
 * delete that succeeds decides, and the record is the one just looked up (e).
 */
static int take(int fd, const uint64_t *key, struct tcpstates_event *e)
{
	struct tcpstates_event now;

	if (!bpf_map_lookup_and_delete_elem(fd, key, &now)) {
		*e = now;
		return 0;
	}
	if (errno != EINVAL && errno != ENOTSUPP && errno != EOPNOTSUPP)
		return -1;
	return bpf_map_delete_elem(fd, key) ? -1 : 0;
}

/*
 * The kill e of a minisocket whose peer's FIN re-armed its timer for the jiffy it already had,
 * without a trace (TS_F2_FIN_UNSEEN): its FIN_WAIT2 -> TIME_WAIT was never reported. Report it
 * first, dated as the BPF side found it (ts_ns - dur_ns, within precision_ns), its duration from
 * tw_info's entry into FIN_WAIT2; e is left the plain TIME_WAIT -> CLOSE.
 */
static void emit_fin(int info_fd, const uint64_t *key, struct tcpstates_event *e,
		     timewait_emit_fn emit, void *ctx)
{
	struct tcpstates_event fin = *e;
	struct tcpstates_tw_info ti;

	fin.oldstate = TS_FIN_WAIT2;
	fin.newstate = TS_TIME_WAIT;
	fin.reason = TS_R_NONE;
	fin.ts_ns = e->ts_ns - e->dur_ns;
	fin.dur_ns = 0;
	fin.flags &= ~TS_F_DUR_KNOWN;
	fin.flags2 &= ~TS_F2_FIN_UNSEEN;
	if (!bpf_map_lookup_elem(info_fd, key, &ti) && ti.entered_ns && ti.entered_ns <= fin.ts_ns) {
		fin.dur_ns = fin.ts_ns - ti.entered_ns;
		fin.flags |= TS_F_DUR_KNOWN;
	}
	emit(ctx, &fin, *key);
	e->precision_ns = 0;	/* the kill's own time is exact */
	e->flags2 &= ~TS_F2_FIN_UNSEEN;
}

/* one record of tw_pending, read in a sweep: a kill once it is old enough */
static int sweep_one(int pending_fd, int info_fd, int waiting_fd, const uint64_t *key,
		     struct tcpstates_event *e, uint64_t now, timewait_emit_fn emit, void *ctx)
{
	int emitted = 0;

	/* signed: a record the kernel stamped after our clock read is young, not 584 years old */
	if ((int64_t)(now - e->ts_ns) < (int64_t)TS_TW_KILL_NS)
		return 0;
	if (take(pending_fd, key, e))
		return 0;
	if (e->flags2 & TS_F2_FIN_UNSEEN) {
		emit_fin(info_fd, key, e, emit, ctx);
		emitted++;
	}
	bpf_map_delete_elem(info_fd, key);
	bpf_map_delete_elem(waiting_fd, key);
	emit(ctx, e, *key);
	return emitted + 1;
}

bool timewait_no_batch;

/*
 * The records in batches of keys and values, one bpf() call each (5.6 on): young records cost
 * nothing per sweep but their share of a batch. Returns -1 where the kernel cannot (the caller
 * then reads key by key), else the lines emitted.
 */
static int sweep_batches(int pending_fd, int info_fd, int waiting_fd, uint64_t now,
			 timewait_emit_fn emit, void *ctx)
{
	uint64_t keys[SWEEP_BATCH], token, *in = NULL;
	struct tcpstates_event vals[SWEEP_BATCH];
	int emitted = 0, seen = 0;

	while (seen < SWEEP_MAX) {
		uint32_t n = SWEEP_BATCH;
		int err = bpf_map_lookup_batch(pending_fd, in, &token, keys, vals, &n, NULL) ?
				  errno : 0;

		if (err && err != ENOENT) {
			/* ENOSPC: a bucket holds more than a batch; the rest waits for the next sweep */
			if (err == ENOSPC || seen)
				break;
			timewait_no_batch = true;	/* no batch lookup here: key by key from now */
			return -1;
		}
		for (uint32_t i = 0; i < n; i++)
			emitted += sweep_one(pending_fd, info_fd, waiting_fd, &keys[i], &vals[i], now,
					     emit, ctx);
		seen += n;
		if (err == ENOENT)
			break;
		in = &token;
	}
	return emitted;
}

/*
 * A record still in tw_pending TS_TW_KILL_NS after its cancel belongs to a minisocket that was
 * killed: no re-arm or expiry came to take it back.
 */
int timewait_sweep(int pending_fd, int info_fd, int waiting_fd, timewait_emit_fn emit, void *ctx)
{
	uint64_t keys[SWEEP_MAX], key, *prev = NULL, now = clock_ns(CLOCK_MONOTONIC);
	struct tcpstates_event e;
	int n = 0, emitted = 0;

	if (!timewait_no_batch) {
		emitted = sweep_batches(pending_fd, info_fd, waiting_fd, now, emit, ctx);
		if (emitted >= 0)
			return emitted;
		emitted = 0;
	}
	while (n < SWEEP_MAX && !bpf_map_get_next_key(pending_fd, prev, &key)) {
		keys[n] = key;
		prev = &keys[n++];
	}
	for (int i = 0; i < n; i++)
		if (!bpf_map_lookup_elem(pending_fd, &keys[i], &e))
			emitted += sweep_one(pending_fd, info_fd, waiting_fd, &keys[i], &e, now, emit,
					     ctx);
	return emitted;
}
