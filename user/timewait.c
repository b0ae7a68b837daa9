// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timewait.c - the loader's part in following timewait minisockets: the timer's address, kills. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "timewait.h"

#define SWEEP_MAX 4096	/* keys looked at per sweep; the rest wait for the next */

bool timewait_parse_kallsyms_line(const char *line, const char *name, uint64_t *addr)
{
	char sym[128], type;
	uint64_t a;

	if (sscanf(line, "%" SCNx64 " %c %127s", &a, &type, sym) != 3)
		return false;
	/* a module's symbol carries "[module]" after it: built-in only, which is where TCP is */
	if (strcmp(sym, name) || (type != 't' && type != 'T'))
		return false;
	*addr = a;
	return true;
}

uint64_t timewait_timer_fn(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	uint64_t addr = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (timewait_parse_kallsyms_line(line, "tw_timer_handler", &addr))
			break;
	fclose(f);
	/* kptr_restrict hides addresses as 0 from those who may not see them */
	return addr;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A record still in tw_pending TS_TW_KILL_NS after its cancel belongs to a minisocket that was
 * killed: no re-arm or expiry came to take it back. Taking it out with lookup-and-delete makes
 * us its only owner, should the BPF side reach for it at the same moment.
 */
int timewait_sweep(int pending_fd, int info_fd, timewait_emit_fn emit, void *ctx)
{
	uint64_t keys[SWEEP_MAX], key, *prev = NULL, now = mono_ns();
	struct tcpstates_event e;
	int n = 0, emitted = 0;

	while (n < SWEEP_MAX && !bpf_map_get_next_key(pending_fd, prev, &key)) {
		keys[n] = key;
		prev = &keys[n++];
	}
	for (int i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(pending_fd, &keys[i], &e) || now - e.ts_ns < TS_TW_KILL_NS)
			continue;
		if (bpf_map_lookup_and_delete_elem(pending_fd, &keys[i], &e))
			continue;
		bpf_map_delete_elem(info_fd, &keys[i]);
		emit(ctx, &e);
		emitted++;
	}
	return emitted;
}
