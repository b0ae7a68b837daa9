/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* tracer.bpf.h - what every feature of the tracer object shares: maps, settings, small helpers. */
#ifndef TRACER_BPF_H
#define TRACER_BPF_H
/*
 * The tracer is one BPF object linked from one file per feature (bpf/tracer/, *.bpf.c):
 *   core.bpf.c      the state hook (tp_btf) and what every transition record needs
 *   fallback.bpf.c  the same on the classic tracepoint, for kernels that refuse tp_btf
 *   backup.bpf.c    the second tp_btf program that emits what recursion made the first miss
 *   owner.bpf.c     owner takeover: the process that first uses an accepted socket
 *   exits.bpf.c     a listener's owner that exits: the child that holds the listener is its heir
 *   timers.bpf.c    timer_start, one program for the features that follow a timer
 *   resets.bpf.c    resets sent and received, for the close reason
 *   witness.bpf.c   sockets destroyed while we believed them open (loss, never silent)
 *   timewait.bpf.c  TIME_WAIT and orphaned FIN_WAIT2 minisockets, through their timer
 *   conn.bpf.c      --records connections: a connection's path, kept until it ends
 *   tally.bpf.c     --records none: transitions counted in the kernel, nothing sent
 * The loader (user/feature.c) decides before load which programs this kernel can take; the
 * settings below are fixed then, so the verifier prunes the branches a kernel cannot run.
 * What several features use is defined here, __weak: every file that includes this header has a
 * copy, and the linker (bpftool gen object) keeps one. (Plain extern maps trip libbpf 1.1's
 * linker in a file that also defines maps of its own.) What one feature uses stays in its file.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcpstates.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define PF_KTHREAD 0x00200000

#define RST_RECEIVED 1
#define RST_SENT 2

#define MAX_CPUS 1024
/*
 * Per-CPU slots in global arrays start a cache line apart: neighbours written by two CPUs at
 * once would otherwise bounce one line between them on every transition (false sharing).
 */
#define CPU_SLOT __attribute__((aligned(64)))

/* ---- settings, fixed by the loader before load (const volatile: the verifier sees them) ---- */

/* --records: enum tcpstates_records (what goes into the ring buffer) */
const volatile __u8 records_mode __weak = TS_REC_TRANSITIONS;
/* wake the reader once this many bytes wait in the ring buffer */
const volatile __u64 wakeup_bytes __weak = 256 * 1024;
/* per-socket data in socket-local storage (else: a hash keyed by the socket's address) */
const volatile bool use_sk_storage __weak = true;
/* bpf_get_socket_cookie() is allowed in tracing programs (5.12+) */
const volatile bool use_cookie __weak = true;
/* bpf_get_current_task_btf() exists (5.11+) */
const volatile bool use_task_btf __weak = true;
/* --cgroup, decided in the kernel: the directory's id and level (0: no such filter here) */
const volatile __u64 cgroup_filter_id __weak;
const volatile __u32 cgroup_filter_level __weak;
/* address of tw_timer_handler; 0: timewait minisockets are not followed */
const volatile __u64 tw_timer_fn __weak;
/* address of tcp_write_timer; 0: no owner takeover at send through it (owner.bpf.c) */
const volatile __u64 write_timer_fn __weak;

/* ---- maps shared by the features (defined in core.bpf.c) ------------------------------------ */

struct events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader */
};
struct events_map events SEC(".maps") __weak;

struct counters_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
};
struct counters_map counters SEC(".maps") __weak;

/*
 * Socket-local storage: lives and dies with the socket, so a reused struct sock address can never
 * inherit a stale timestamp, and it cannot fill up. BPF_F_CLONE copies the listener's entry into
 * each child the kernel clones from it: a passively opened socket starts with the listener's owner.
 */
struct sk_info_map {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct tcpstates_sock_info);
};
struct sk_info_map sk_info SEC(".maps") __weak;

/*
 * Address mode (the classic tracepoint; kernels before 5.11, whose tracing programs have no
 * socket storage): the same, keyed by the socket's address, deleted when the socket ends. Not
 * an LRU: a full map is counted (TS_CNT_NO_STORAGE), an eviction would be silent.
 */
struct sk_info_by_addr_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstates_sock_info);
};
struct sk_info_by_addr_map sk_info_by_addr SEC(".maps") __weak;

/* address mode: listeners' entries by (netns, port), what BPF_F_CLONE gives the other mode */
struct listeners_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcpstates_listen_key);
	__type(value, struct tcpstates_sock_info);
};
struct listeners_map listeners SEC(".maps") __weak;

/*
 * Listeners older than the tracer: (netns, port) -> the owner the start-up snapshot found
 * (written by the loader). Such a listener has no entry for BPF_F_CLONE to copy: its children
 * start with this owner instead. One owner per port: reuseport groups share it.
 */
struct listener_seed_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcpstates_listen_key);
	__type(value, struct tcpstates_owner);
};
struct listener_seed_map listener_seed SEC(".maps") __weak;

/*
 * exits.bpf.c: the owners of listeners, watched for their exit: pid -> the listener's struct
 * file (0: not known, for a listener the snapshot found). Written at CLOSE -> LISTEN, by the
 * loader for the snapshot's listeners, and for an heir.
 */
struct owner_watch_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
};
struct owner_watch_map owner_watch SEC(".maps") __weak;

/*
 * exits.bpf.c: listener owners that exited -> their heir (pid 0: none, the owner is unknown).
 * The LRU drops the oldest; a pid that owns a listener again is deleted at its CLOSE -> LISTEN.
 */
struct owner_moved_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tcpstates_owner);
};
struct owner_moved_map owner_moved SEC(".maps") __weak;
/* entries ever put in owner_moved: the state hook looks into it only when not 0 */
__u64 owners_moved __weak;
/* the exit hook runs: the state hook keeps owner_watch (exits.bpf.c) */
const volatile bool use_owner_exit __weak;

/*
 * owner.bpf.c: owner claims left by a hook that sees only a socket's address, by address. The
 * cookie says which socket at that address: a claim never taken (its socket ended first) is
 * simply left for the LRU to drop, and a later socket at the same address does not take it.
 */
struct claim {
	struct tcpstates_owner o;
	__u64 cookie;
};
struct claims_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct claim);
};
struct claims_map claims SEC(".maps") __weak;
/*
 * Claims written and not taken yet (an upper bound: the LRU may drop one uncounted): the state
 * hook looks into `claims` only when it is not 0 - never, where no accepted socket sends.
 */
__u64 claims_live __weak;
/*
 * Live sockets whose owner is unknown or only a presumption (inherited from the listener, or
 * found by the /proc scan): what the owner takeover hooks look for. They run on every receive of every
 * socket, and test this first: nothing to take over, nothing more to do (owner.bpf.c). Kept by
 * claim_sync() from each socket's claim_counted, so that an entry counts once; an entry lost
 * without it (a socket whose end we never saw) only leaves the count too high: slower, not wrong.
 */
__u64 claims_pending __weak;

static __always_inline void claim_sync(struct tcpstates_sock_info *si, bool alive)
{
	__u8 want = alive && (!si->owner_known || si->inherited || si->from_snapshot);

	if (want == si->claim_counted)
		return;
	si->claim_counted = want;
	__sync_fetch_and_add(&claims_pending, want ? 1 : -1);
}

/* the state hook takes claims (the write timer's, in socket-storage mode) */
const volatile bool use_claims __weak;
/* the state hook looks for a process asleep on an inherited socket (owner.bpf.c) */
const volatile bool use_waiters __weak;

/* ---- small helpers --------------------------------------------------------------------------- */

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	/* atomic even per CPU: the backup program may run nested inside the main one */
	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline void init_event(struct tcpstates_event *e)
{
	e->ts_ns = bpf_ktime_get_ns();
	e->dur_ns = 0;
	e->flags = 0;
	e->flags2 = 0;
	e->pid = 0;
	e->cgroup_id = 0;
	e->rx_bytes = 0;
	e->tx_bytes = 0;
	e->precision_ns = 0;
	e->rx_queue = 0;
	e->tx_queue = 0;
	e->rst_reason = 0;
	e->reason = TS_R_NONE;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	e->timer = TS_TIMER_UNREAD;
	e->timer_retries = 0;
	e->timer_left_ns = 0;
}

/*
 * A cleared ring-buffer record, or NULL: counted as a transition lost (rb_full), unless the
 * caller counts the loss in its own unit (an inferred close: the socket is counted unseen).
 */
static __always_inline struct tcpstates_event *reserve_for(bool count_full)
{
	struct tcpstates_event *e;

	count(TS_CNT_EVENTS);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (count_full)
			count(TS_CNT_RB_FULL);
		return NULL;
	}
	init_event(e);
	return e;
}

static __always_inline struct tcpstates_event *reserve(void)
{
	return reserve_for(true);
}

/*
 * Where a record of a transition is built when no transition goes into the ring buffer
 * (--records connections or none): memory the verifier does not follow byte by byte, as it does
 * not follow the ring buffer's (a record on the stack made it follow every field: thirty times
 * the work). One slot per program that builds records, per CPU: a program never runs nested in
 * itself (the kernel's recursion guard), so a slot is never in use twice at once.
 */
enum rec_slot {
	SLOT_STATE,		/* the state hook (tp_btf or the classic tracepoint) */
	SLOT_BACKUP,		/* backup.bpf.c, which runs nested in it */
	SLOT_WITNESS,		/* witness.bpf.c */
	SLOT_TIMEWAIT,		/* the timewait programs, one after the other */
	SLOTS,
};

struct rec_scratch_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct tcpstates_event);
};
struct rec_scratch_map rec_scratch SEC(".maps") __weak;

/* --records none: count the transition record e (tally.bpf.c); may mark it TS_F2_TALLIED */
extern void tally_add(struct tcpstates_event *e) __hidden;

/* a cleared record for a transition: in the ring buffer, or where records_mode says (slot) */
static __always_inline struct tcpstates_event *reserve_any(__u32 slot)
{
	struct tcpstates_event *e;

	if (records_mode == TS_REC_TRANSITIONS)
		return reserve();
	count(TS_CNT_EVENTS);
	e = bpf_map_lookup_elem(&rec_scratch, &slot);
	if (e)
		init_event(e);
	return e;
}

/* drop a record from reserve_any() */
static __always_inline void discard(struct tcpstates_event *e)
{
	if (records_mode == TS_REC_TRANSITIONS)
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
}

/*
 * Submit a record reserved in the ring buffer, waking the reader once: when this record takes
 * the unread data past the threshold (the reader also drains on its own every 100 ms). Waking on
 * every record past it would raise an interrupt per event, and softirq work run on its way out
 * re-enters this hook.
 */
#define RB_SUBMIT(rec)								\
	do {									\
		__u64 avail_ = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);	\
										\
		bpf_ringbuf_submit((rec), avail_ >= wakeup_bytes &&		\
				   avail_ < wakeup_bytes + 2 * sizeof(*(rec)) + 16 ?	\
				   BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);	\
	} while (0)

/*
 * --stuck with --records none or connections: each transition record also goes to the loader,
 * marked TS_F2_TALLIED, for the stuck tracker only (never printed, never counted again).
 */
const volatile bool tally_send __weak;

static __always_inline void send_copy(struct tcpstates_event *e)
{
	if (!tally_send)
		return;
	e->flags2 |= TS_F2_TALLIED;
	/* no wake-up: the loader's own poll takes it within 100 ms */
	if (bpf_ringbuf_output(&events, e, sizeof(*e), BPF_RB_NO_WAKEUP))
		count(TS_CNT_RB_FULL);
}

/* hand a transition record on: to the reader, to the tallies, or (connections) to --stuck */
static __always_inline void submit(struct tcpstates_event *e)
{
	if (records_mode == TS_REC_NONE) {
		tally_add(e);
		return;
	}
	if (records_mode != TS_REC_TRANSITIONS) {
		send_copy(e);
		return;
	}
	RB_SUBMIT(e);
}

/* the socket's entry in address mode; created (zeroed) with create */
static __always_inline struct tcpstates_sock_info *si_by_addr(__u64 addr, bool create)
{
	struct tcpstates_sock_info zero = {}, *si = bpf_map_lookup_elem(&sk_info_by_addr, &addr);

	if (si || !create)
		return si;
	/* full: the caller finds no entry and counts it (TS_CNT_NO_STORAGE) */
	bpf_map_update_elem(&sk_info_by_addr, &addr, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sk_info_by_addr, &addr);
}

/*
 * The socket's entry, in whichever mode this run keeps them. sk must be a tp_btf argument (a
 * trusted pointer) when use_sk_storage is set; the verifier prunes the other branch.
 */
static __always_inline struct tcpstates_sock_info *si_get(struct sock *sk, bool create)
{
	if (use_sk_storage)
		return bpf_sk_storage_get(&sk_info, sk, NULL,
					  create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	return si_by_addr((__u64)sk, create);
}

/* the kernel's socket cookie where tracing programs may ask for it; 0 (unknown) elsewhere */
static __always_inline __u64 sock_cookie(struct sock *sk)
{
	if (use_cookie)
		return bpf_get_socket_cookie(sk);
	return 0;
}

/*
 * True when the kernel runs this transition on behalf of a user process (connect, listen, close,
 * shutdown, or backlog processing in release_sock()). Those paths hold the socket lock as its owner
 * (lock_sock() sets sk_lock.owned); softirq and timer code changes a socket's state only while no
 * process owns it, and there `current` is whoever was interrupted - swapper, ksoftirqd, or the peer
 * on loopback - never to be taken for the owner.
 */
static __always_inline bool in_owner_context(bool lock_owned)
{
	struct task_struct *task;

	if (!lock_owned)
		return false;
	if (use_task_btf) {
		task = bpf_get_current_task_btf();
		return !(task->flags & PF_KTHREAD);
	}
	/* before 5.11: the task is only an address, read through a probe */
	task = (struct task_struct *)bpf_get_current_task();
	return !(BPF_CORE_READ(task, flags) & PF_KTHREAD);
}

/*
 * What the close reason needs to know of a socket at its transition, in one word (the hidden
 * functions take five arguments at most): its error (sk_err, low 16 bits) and FACT_PEER_FIN
 * when the peer's FIN has been received (RCV_SHUTDOWN). Only a transition into CLOSE needs them:
 * the callers read them only then (two probe reads saved on every other transition).
 */
#define FACT_PEER_FIN (1u << 16)
/* not a fact of the socket: its record waits in `held` for the socket's own cookie (core.bpf.c) */
#define FACT_HOLD (1u << 17)
#define RCV_SHUTDOWN 1

static __always_inline __u32 sock_facts(struct sock *sk)
{
	/* a bitfield before 6.x, a byte after: read the way the running kernel lays it out */
	__u32 shut = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown);

	return (BPF_CORE_READ(sk, sk_err) & 0xffff) | (shut & RCV_SHUTDOWN ? FACT_PEER_FIN : 0);
}

/* is the current task in the --cgroup directory or below it? */
static __always_inline bool current_in_cgroup(void)
{
	return cgroup_filter_id &&
	       bpf_get_current_ancestor_cgroup_id(cgroup_filter_level) == cgroup_filter_id;
}

static __always_inline void set_owner(struct tcpstates_sock_info *si)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	/*
	 * The process that owns it already (a close after its connect): nothing to read again.
	 * Its command and cgroup are the ones it had when it first acted on the socket.
	 */
	if (si->owner_known && si->pid == pid && !si->inherited && !si->from_snapshot)
		return;
	si->cgroup_in = current_in_cgroup();
	si->pid = pid;
	si->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(si->comm, sizeof(si->comm));
	si->owner_known = 1;
	si->inherited = 0;
	si->from_snapshot = 0;
}

/* ---- what the timewait feature offers the state hook (timewait.bpf.c) -------------------------- */

/*
 * At a full socket's -> CLOSE (record e: cookie, ports, netns): if a minisocket was just born
 * from it on this CPU, its substate (TS_TIME_WAIT or TS_FIN_WAIT2) and in *key its tw_info key;
 * else 0.
 */
extern __u8 tw_note_take(const struct tcpstates_event *e, __u64 *key) __hidden;
/* At -> SYN_SENT: this connect() (socket address sk) may take over a TIME_WAIT's ports. */
extern void tw_note_connect(__u64 sk) __hidden;
/* Hand the new minisocket `key` what only the full socket knew (record e, entry si). */
extern void tw_adopt(const struct tcpstates_event *e, const struct tcpstates_sock_info *si, __u8 sub,
		     __u64 key) __hidden;

/* At timer_start of a minisocket's timer (timers.bpf.c; timer: its address). */
extern void tw_timer_started(__u64 timer) __hidden;

/* ---- what the connection records offer the state hook (conn.bpf.c) --------------------------- */

/*
 * The socket's path entry, created if missing; NULL unless --records connections (or no room).
 * btf: sk is a tp_btf argument (socket storage may be used); else only its address is.
 */
extern struct tcpstates_conn_path *conn_path_get(struct sock *sk, bool btf) __hidden;
/* At a transition into CLOSE: what the kernel's tcp_sock knows of the connection, into p. */
extern void conn_tcp_info(struct tcpstates_conn_path *p, struct sock *sk) __hidden;
/* the connection's path of a transition, from the state hook to ts_finish() */
struct conn_next {
	struct tcpstates_conn_path *path;	/* conn_path_get(); NULL: no room */
};
/*
 * Record e (complete) is a transition of the socket whose path is p (NULL: no room; its end is
 * counted lost): step the path, send it at its end; tw: the minisocket born from the socket
 * (TS_TIME_WAIT, or TS_FIN_WAIT2: an orphan that waits for the peer's FIN, key twkey). tw and
 * twkey go as values: written by ts_finish() into its caller's stack, 5.10's and 6.1's verifiers
 * lost them (they saw only the initial 0 there and removed the branch for an orphan as dead).
 */
extern void conn_next(struct tcpstates_conn_path *p, const struct tcpstates_event *e, __u8 tw,
		      __u64 twkey) __hidden;
/* timewait.bpf.c: the orphan minisocket `key` leaves FIN_WAIT2 (record e). */
extern void conn_orphan_end(__u64 key, const struct tcpstates_event *e) __hidden;

/* ---- what the owner feature offers the state hook (owner.bpf.c) ------------------------------ */

/* At timer_start of a socket's write timer (timers.bpf.c; timer: its address). */
extern void owner_write_timer(__u64 timer) __hidden;

/* An inherited socket with a process asleep on it: that process owns it (true: si updated). */
extern bool owner_from_waiter(struct tcpstates_sock_info *si, __u64 skaddr) __hidden;

/* ---- what core.bpf.c offers the other features ---------------------------------------------- */

/* A transition seen by a tp_btf program (sk trusted): build, account and submit its record. */
extern int ts_handle(struct sock *sk, int oldstate, int newstate, __u8 slot,
		     __u8 extra_flags2) __hidden;
/*
 * The hook-independent rest of a record e (entry si, or NULL; facts: sock_facts(), and FACT_HOLD
 * to keep it until the socket has its own cookie): reasons, owner, timewait, submit; cn: what
 * the connection's step (conn_next) needs, --records connections only (else NULL).
 */
extern int ts_finish(struct tcpstates_event *e, struct tcpstates_sock_info *si, __u32 facts, bool owner_ctx,
		     struct conn_next *cn) __hidden;
/*
 * Did the main program begin this event on this CPU (its mark is popped, marks.h)? For the backup
 * program, run after it (backup.bpf.c).
 */
extern bool ts_marked(__u64 sk, int oldstate, int newstate) __hidden;

#endif /* TRACER_BPF_H */
