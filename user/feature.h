/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* feature.h - what this kernel can give: probed before load, reported on start and in the summary. */
#ifndef FEATURE_H
#define FEATURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tcpstates.h"

/*
 * The core (every transition, owner, duration, queues, close reason) runs on a state hook; each
 * feature below has its own BPF programs (bpf/tracer/<file>.bpf.c), is probed on its own and is
 * switched off on its own. A new feature: a row here, its programs in its own file, its
 * decision in features_probe(), its programs in tracer.c's program table.
 */
enum feature {
	FT_TP_BTF,		/* the state hook is tp_btf (else the classic tracepoint) */
	FT_COOKIES,		/* socket cookies ("sock") */
	FT_SK_STORAGE,		/* per-socket data in socket storage (else keyed by address) */
	FT_RECURSION_BACKUP,	/* backup.bpf.c: transitions the kernel's recursion guard hid */
	FT_OWNER_RECV,		/* owner.bpf.c: takeover at the first receive */
	FT_OWNER_SEND,		/* owner.bpf.c: takeover at the first send */
	FT_OWNER_EXIT,		/* exits.bpf.c: a listener's owner that exits hands it to its heir */
	FT_RESETS,		/* resets.bpf.c: resets sent and received */
	FT_RESET_REASONS,	/* resets.bpf.c: the kernel's reason for a reset sent (6.10+) */
	FT_WITNESS,		/* witness.bpf.c: sockets destroyed unseen */
	FT_TIMEWAIT,		/* timewait.bpf.c: TIME_WAIT and orphaned FIN_WAIT2 minisockets */
	FT_TIMEWAIT_CHECK,	/* timewait.bpf.c: the FIN_WAIT2 -> TIME_WAIT the kernel makes silently */
	FT_TIMEWAIT_KILLS,	/* timewait.bpf.c: why a minisocket ended early (kernel stack) */
	FT_SNAPSHOT,		/* iter_tcp.bpf.c: the sockets that exist at start */
	FT_MAX,
};

struct feature_state {
	bool on;
	bool by_option;		/* off because an option asked (not the kernel's doing) */
	char how[96];		/* on: how, on this kernel */
	char why[320];		/* off, or done another way: why (empty: nothing to say) */
};

/* what the probes found, and what is decided from it */
struct features {
	struct feature_state f[FT_MAX];
	char kernel[65];		/* uname -r */
	/* probes */
	bool tp_btf_ok;			/* tp_btf/inet_sock_set_state is in the kernel's BTF */
	bool helper_cookie;		/* tracing programs may call bpf_get_socket_cookie (5.12+) */
	bool helper_sk_storage;		/* ... bpf_sk_storage_get (5.11+) */
	bool helper_task_btf;		/* ... bpf_get_current_task_btf (5.11+) */
	bool helper_for_each;		/* ... bpf_for_each_map_elem (5.13+) */
	bool helper_ancestor_cgroup;	/* ... bpf_get_current_ancestor_cgroup_id */
	bool tp_sendmsg_locked;		/* tracepoint tcp_sendmsg_locked (6.18+) */
	bool tp_rcv_space_adjust;
	bool tp_receive_reset;
	bool tp_send_reset;
	bool send_reset_reason;		/* tcp_send_reset(sk, skb, reason) (6.10+) */
	bool tp_destroy_sock;
	bool tp_timers;			/* timer_start, timer_cancel, timer_expire_entry */
	bool tp_process_exit;		/* sched_process_exit */
	uint64_t tw_timer_fn;		/* tw_timer_handler (kallsyms) */
	uint64_t write_timer_fn;	/* tcp_write_timer (kallsyms) */
	bool send_by_timer;		/* decided: owner takeover at send through the write timer */
	uint64_t wakers[TS_WAKE_MAX];	/* a task's wake functions (kallsyms) */
	struct tcpstates_fn_range killers[TS_TWK_MAX];
	bool killers_found;		/* every killer's range is known */
};

/* JSON name of a feature ("cookies", "owner_takeover_send", ...) */
const char *feature_name(enum feature ft);

/*
 * Probe the kernel (its BTF, /proc/kallsyms, test loads of one-instruction programs) and decide
 * every feature for the state hook `btf` (true: tp_btf) and the options (no_timewait).
 */
void features_probe(struct features *fs, bool no_timewait);

/* Re-decide for the other state hook (the classic tracepoint): address mode, no backup. */
void features_decide(struct features *fs, bool btf, bool no_timewait);

/* Switch one feature off, saying why (a why starting with "--" names the option that asked). */
void feature_off(struct features *fs, enum feature ft, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One stderr line naming what is off or done differently on this kernel, and why; nothing if all is on. */
void features_print_line(const struct features *fs, FILE *f);

/* -v: every feature, on or off, how or why. */
void features_print_table(const struct features *fs, FILE *f);

/* Is the BPF ring buffer there (5.8+)? The oldest kernel we can run on. */
bool features_kernel_supported(void);

#endif
