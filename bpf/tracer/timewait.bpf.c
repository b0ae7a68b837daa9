// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* timewait.bpf.c - follow timewait minisockets (TIME_WAIT, orphaned FIN_WAIT2) through their timer. */
#include "tracer.bpf.h"
/*
 * tcp_time_wait() replaces a closing socket by a minisocket the state tracepoint never sees, then
 * ends the full socket (X -> CLOSE). The minisocket's life is its timer, tw->tw_timer, whose
 * function is tw_timer_handler; the timer tracepoints show all of it:
 *   timer_start, no entry yet     the handoff: armed just before the full socket's -> CLOSE, on
 *                                 the same CPU; the state hook takes the note left here
 *   timer_cancel + timer_start    re-armed: the peer's FIN turned FIN_WAIT2 into TIME_WAIT
 *   timer_cancel + expire_entry   ran out
 *   timer_cancel alone            killed early (port reuse, a reset, namespace exit); who
 *                                 killed it is read from the kernel stack (tw_killed_why)
 *   nothing at all                the peer's FIN re-armed a young FIN_WAIT2 in its old wheel
 *                                 bucket: tw_check_all (or _key), run by the loader, finds it,
 *                                 or the minisocket's end does (a kill's cancel may then look
 *                                 like a re-arm's: on_tw_cancel)
 * The kernel detaches a timer (timer_cancel) before re-arming or running it, so a cancel alone
 * proves nothing yet: it leaves its -> CLOSE record in tw_pending, a re-arm or the expiry takes
 * it back at once, and the loader emits what is still there TS_TW_KILL_NS later.
 *
 * The timer is the only trusted pointer here; the minisocket around it is read through probe
 * reads (BPF_CORE_READ), which every kernel since 5.5 allows.
 */

/* who may kill a minisocket early (enum tcpstates_tw_killer); an empty range never matches */
const volatile struct tcpstates_fn_range tw_killers[TS_TWK_MAX];
/* how often the loader runs tw_check_* (ns): the precision when the jiffy cannot be known */
const volatile __u64 tw_period_ns;

/* the kernel's tick: timer expiries are in jiffies (0 if the kernel config cannot be read) */
extern unsigned int CONFIG_HZ __kconfig __weak;

#define TW_LEN_S 60ULL	/* TCP_TIMEWAIT_LEN, in seconds */
#define TS_TW_STACK_DEPTH 16	/* frames looked at: the BPF and tracepoint frames come first */

/*
 * How long after its birth a FIN_WAIT2 minisocket's re-arm for TIME_WAIT may land in its old
 * timer-wheel bucket, without a trace: the new expiry must be within one bucket (the wheel's
 * granularity at ~60 s: 1.7-5.1 s for HZ 100-1000) of the old. Later, timer_start shows it.
 */
#define TS_TW_SILENT_NS (10ULL * 1000000000ULL)

/* live timewait sockets by key (tw_key()); not an LRU: full is counted (TS_CNT_TW_LOST) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, __u64);
	__type(value, struct tcpstates_tw_info);
} tw_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tcpstates_event);
} tw_pending SEC(".maps");

/*
 * Orphans waiting in FIN_WAIT2 for the peer's FIN, by key. When the FIN comes the kernel re-arms
 * the timer for TIME_WAIT, but if the new expiry falls in the wheel bucket the timer already sits
 * in, it only rewrites timer->expires: no tracepoint. That can only happen in the first
 * TS_TW_SILENT_NS of a minisocket; the loader runs tw_check_all (or _key) over them every
 * tw_period_ns and forgets the older ones. Full: the change is found at the minisocket's end.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* usually nearly empty */
	__type(key, __u64);
	__type(value, struct tcpstates_tw_wait);
} tw_waiting SEC(".maps");

/* for the loader: is tw_check_all worth running? (entries added; kept by its last run) */
__u64 tw_waiting_adds;
__u64 tw_waiting_left;

/* where a cancel builds its record: too big for the stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_event);
} tw_scratch SEC(".maps");

/* the last new minisocket armed on a CPU, for the full socket's -> CLOSE that follows there */
struct tw_note {
	__u64 cookie;		/* the full socket's cookie, which the minisocket inherits (0: none) */
	__u64 key;		/* the minisocket's tw_info key */
	__u32 netns;		/* without cookies: matched by namespace and ports */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u8 substate;		/* TS_TIME_WAIT or TS_FIN_WAIT2; 0: taken */
	__u8 _pad[7];
};

/* a reset a timewait minisocket sent, on a CPU, for the kill that follows it */
struct tw_reset_note {
	__u64 tw;		/* the minisocket's address */
	__u32 reason;		/* enum sk_rst_reason */
	__u32 _pad;
};

/*
 * Per CPU, a cache line each (CPU_SLOT): the handoff note, the last new minisocket armed on the
 * CPU; the last reset it sent in a minisocket's name (tcp_send_reset), for tw_killed_why(); the
 * socket it last saw enter SYN_SENT, a connect() that may reuse a TIME_WAIT's ports.
 */
struct tw_cpu_notes {
	struct tw_note note;
	struct tw_reset_note reset;
	__u64 connect;
} CPU_SLOT;
static struct tw_cpu_notes tw_cpu[MAX_CPUS];

#define THIS_CPU_TW (&tw_cpu[bpf_get_smp_processor_id() & (MAX_CPUS - 1)])

/* the minisocket whose timer this is, or NULL for any other timer */
static __always_inline struct inet_timewait_sock *tw_of(struct timer_list *timer)
{
	if (!tw_timer_fn || (__u64)timer->function != tw_timer_fn)
		return NULL;
	return (struct inet_timewait_sock *)((void *)timer - bpf_core_field_offset(struct inet_timewait_sock, tw_timer));
}

/*
 * The key: the cookie where cookies are used; otherwise (or for a minisocket of a socket nobody
 * asked a cookie of: older than the tracer) its lookup hash and ports, with the top bit set
 * (cookies are counters, far below it).
 */
static __always_inline __u64 tw_key(struct inet_timewait_sock *tw)
{
	__u64 cookie = use_cookie ? BPF_CORE_READ(tw, __tw_common.skc_cookie.counter) : 0;

	if (cookie)
		return cookie;
	return (1ULL << 63) | (((__u64)BPF_CORE_READ(tw, __tw_common.skc_hash) << 31) ^
			       BPF_CORE_READ(tw, __tw_common.skc_portpair));
}

static __always_inline __u8 tw_substate(struct inet_timewait_sock *tw)
{
	return BPF_CORE_READ(tw, tw_substate);
}

static __always_inline __u64 tw_expires(struct inet_timewait_sock *tw)
{
	return BPF_CORE_READ(tw, tw_timer.expires);
}

/* Fill a fresh record about tw: addresses, ports, namespace, owner and duration from ti. */
static __always_inline void tw_fill(struct tcpstates_event *e, struct inet_timewait_sock *tw,
				    struct tcpstates_tw_info *ti, __u8 old, __u8 new)
{
	struct sock_common *skc = &tw->__tw_common;

	e->skaddr = (__u64)tw;
	e->cookie = use_cookie ? BPF_CORE_READ(skc, skc_cookie.counter) : 0;
	e->flags = e->cookie ? TS_F_COOKIE_KNOWN : 0;
	e->flags2 = TS_F2_TIMEWAIT;
	e->hook = TS_HOOK_BTF;	/* the timer programs are tp_btf, whichever the state hook */
	e->oldstate = old;
	e->newstate = new;
	e->family = BPF_CORE_READ(skc, skc_family);
	e->sport = BPF_CORE_READ(skc, skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
	e->netns = BPF_CORE_READ(skc, skc_net.net, ns.inum);
	if (e->family == AF_INET6) {
		bpf_core_read(e->saddr, 16, &skc->skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &skc->skc_v6_daddr);
	} else {
		__builtin_memset(e->saddr, 0, 32);
		bpf_core_read(e->saddr, 4, &skc->skc_rcv_saddr);
		bpf_core_read(e->daddr, 4, &skc->skc_daddr);
	}
	if (!ti)
		return;
	if (ti->entered_ns && ti->entered_ns <= e->ts_ns) {
		e->dur_ns = e->ts_ns - ti->entered_ns;
		e->flags |= TS_F_DUR_KNOWN;
	}
	if (ti->owner_known) {
		e->pid = ti->pid;
		e->cgroup_id = ti->cgroup_id;
		__builtin_memcpy(e->comm, ti->comm, sizeof(e->comm));
		e->flags |= TS_F_OWNER_KNOWN | ti->owner_flags;
		e->flags2 |= ti->owner_flags2;
	}
}

/* a ring-buffer record about tw, or NULL (counted) */
static __always_inline struct tcpstates_event *tw_event(struct inet_timewait_sock *tw, struct tcpstates_tw_info *ti,
							__u8 old, __u8 new)
{
	struct tcpstates_event *e = reserve_any(SLOT_TIMEWAIT);

	if (e)
		tw_fill(e, tw, ti, old, new);
	return e;
}

/* called by resets.bpf.c for a socket that is not a full one: leave a note for the kill after */
__hidden void tw_note_reset(__u64 tw, __u32 reason)
{
	struct tw_cpu_notes *c = THIS_CPU_TW;

	if (!tw_timer_fn)
		return;
	c->reset.tw = tw;
	c->reset.reason = reason;
}

/* called by the state hook at -> SYN_SENT (cheap: one store) */
__hidden void tw_note_connect(__u64 sk)
{
	if (tw_timer_fn)
		THIS_CPU_TW->connect = sk;
}

/*
 * Is connect() on this CPU taking over tw's addresses and ports right now (tcp_tw_reuse)? It
 * gives the new socket the same ports and lookup hash before it kills the TIME_WAIT.
 */
static __always_inline bool tw_taken_by_connect(struct inet_timewait_sock *tw)
{
	struct sock *sk = (struct sock *)THIS_CPU_TW->connect;

	if (!sk)
		return false;
	return BPF_CORE_READ(sk, __sk_common.skc_portpair) ==
		       BPF_CORE_READ(tw, __tw_common.skc_portpair) &&
	       BPF_CORE_READ(sk, __sk_common.skc_hash) == BPF_CORE_READ(tw, __tw_common.skc_hash) &&
	       BPF_CORE_READ(sk, __sk_common.skc_net.net) == BPF_CORE_READ(tw, __tw_common.skc_net.net);
}

static __always_inline bool in_fn(__u64 addr, int fn)
{
	return addr >= tw_killers[fn].start && addr < tw_killers[fn].end;
}

/*
 * Is this cancel a kill, and why? The kernel ends a minisocket early only through
 * inet_twsk_deschedule_put(); the frame above it in the kernel stack says who called it.
 * Returns the reason (TS_R_*), with *rst the kernel's reason for a reset we sent; 0 when there
 * is no such frame: the detach before a re-arm or the expiry (or no stack to tell).
 */
static __always_inline __u8 tw_killed_why(void *ctx, struct inet_timewait_sock *tw, __u32 *rst)
{
	__u64 stack[TS_TW_STACK_DEPTH], caller = 0;
	struct tw_cpu_notes *c = THIS_CPU_TW;
	long n = bpf_get_stack(ctx, stack, sizeof(stack), 0);

	for (int i = 0; i < TS_TW_STACK_DEPTH - 1; i++) {
		if ((i + 2) * 8 > n)
			return 0;
		if (in_fn(stack[i], TS_TWK_DESCHEDULE)) {
			caller = stack[i + 1];
			break;
		}
	}
	if (!caller)
		return 0;
	if (in_fn(caller, TS_TWK_STATE_PROCESS))
		return TS_R_RESET_RECEIVED;
	if (in_fn(caller, TS_TWK_V4_RCV) || in_fn(caller, TS_TWK_V6_RCV)) {
		/* it answered a segment with a reset (tcp_send_reset came just before), or a SYN reuses it */
		if (c->reset.tw != (__u64)tw)
			return TS_R_REUSED;
		c->reset.tw = 0;
		*rst = c->reset.reason;
		return TS_R_RESET_SENT;
	}
	if (in_fn(caller, TS_TWK_CHECK_EST) || in_fn(caller, TS_TWK_CHECK_EST6))
		return TS_R_REUSED;
	if (in_fn(caller, TS_TWK_PURGE))
		return TS_R_NETNS_EXIT;
	return TS_R_UNKNOWN;
}

/* the namespace's reference count, under its names: net->count (5.10), ns.count, ns.__ns_ref */
struct ns_common___count {
	refcount_t count;
} __attribute__((preserve_access_index));
struct net___old {
	refcount_t count;
} __attribute__((preserve_access_index));

static __always_inline int net_refs(struct net *net)
{
	struct ns_common___count *nsc = (void *)&net->ns;
	struct net___old *old = (void *)net;

	if (bpf_core_field_exists(net->ns.__ns_ref))
		return BPF_CORE_READ(net, ns.__ns_ref.refs.counter);
	if (bpf_core_field_exists(nsc->count))
		return BPF_CORE_READ(nsc, count.refs.counter);
	if (bpf_core_field_exists(old->count))
		return BPF_CORE_READ(old, count.refs.counter);
	return 1;
}

/* a cancel the stack could not explain: a namespace being dismantled has no references left */
static __always_inline __u8 tw_unexplained_why(struct inet_timewait_sock *tw)
{
	if (!net_refs(BPF_CORE_READ(tw, __tw_common.skc_net.net)))
		return TS_R_NETNS_EXIT;
	return TS_R_UNKNOWN;
}

/* -> CLOSE at the expiry: a TIME_WAIT ran out, or an orphan's FIN_WAIT2 wait did */
static __always_inline __u8 tw_expired_why(struct inet_timewait_sock *tw)
{
	return tw_substate(tw) == TS_FIN_WAIT2 ? TS_R_TIMEOUT : TS_R_TIMEWAIT_EXPIRED;
}

/* a new minisocket: leave the handoff note for the full socket's -> CLOSE that follows */
static __always_inline void tw_born(struct inet_timewait_sock *tw, __u64 key)
{
	struct tw_note *n = &THIS_CPU_TW->note;
	struct tcpstates_tw_info ti = {};

	ti.substate = tw_substate(tw);
	ti.entered_ns = bpf_ktime_get_ns();
	ti.expires = tw_expires(tw);
	/*
	 * --records connections: a connection ends where its TIME_WAIT begins; only an orphan's
	 * FIN_WAIT2 is followed (the note below still tells the full socket's close which it is)
	 */
	if (records_mode == TS_REC_CONNECTIONS && ti.substate == TS_TIME_WAIT)
		;
	else if (bpf_map_update_elem(&tw_info, &key, &ti, BPF_NOEXIST))
		count(TS_CNT_TW_LOST);
	n->cookie = use_cookie ? BPF_CORE_READ(tw, __tw_common.skc_cookie.counter) : 0;
	n->key = key;
	n->netns = BPF_CORE_READ(tw, __tw_common.skc_net.net, ns.inum);
	n->sport = BPF_CORE_READ(tw, __tw_common.skc_num);
	n->dport = bpf_ntohs(BPF_CORE_READ(tw, __tw_common.skc_dport));
	n->substate = ti.substate;
	/* an orphan that waits for the peer's FIN: tw_check_* look at it until it comes */
	if (ti.substate == TS_FIN_WAIT2) {
		struct tcpstates_tw_wait w = { .tw = (__u64)tw, .since_ns = ti.entered_ns };

		if (bpf_map_update_elem(&tw_waiting, &key, &w, BPF_ANY))
			count(TS_CNT_TW_LOST);
		else
			__sync_fetch_and_add(&tw_waiting_adds, 1);
	}
}

/*
 * First sight of a minisocket older than the tracer (and than its snapshot, which enters the
 * waiting FIN_WAIT2 orphans itself): entry time and owner unknown.
 */
static __always_inline struct tcpstates_tw_info *tw_info_older(struct inet_timewait_sock *tw, __u64 key)
{
	struct tcpstates_tw_info fresh = { .substate = tw_substate(tw) };

	if (bpf_map_update_elem(&tw_info, &key, &fresh, BPF_NOEXIST) == -7 /* E2BIG: full */)
		count(TS_CNT_TW_LOST);
	return bpf_map_lookup_elem(&tw_info, &key);
}

/* how the FIN_WAIT2 -> TIME_WAIT change was found, which says when it happened */
enum tw_seen {
	TW_SEEN_REARM,		/* the re-arm's timer_start: now, exactly */
	TW_SEEN_CHECK,		/* tw_check_*, at most a period after: from the timer's expiry */
	TW_SEEN_END,		/* at the minisocket's end (expiry, kill): from the timer's expiry */
};

/*
 * When the FIN came, for a change seen later: the FIN re-armed the timer to TCP_TIMEWAIT_LEN
 * from then, and timer->expires keeps that even when the wheel moved nothing. Jiffies are
 * counted from the same tick as now (now_j), so the answer is good to one jiffy. *prec gets the
 * precision. Without the kernel's HZ: now, as far off as the change can be (a period, or a
 * TIME_WAIT).
 */
static __always_inline __u64 tw_fin_at(__u64 expires, __u64 now_j, __u64 now, enum tw_seen seen, __u64 *prec)
{
	__u64 hz = CONFIG_HZ, jiffy_ns, fin_j;

	if (!hz) {
		*prec = seen == TW_SEEN_CHECK ? tw_period_ns : TW_LEN_S * 1000000000ULL;
		return now;
	}
	jiffy_ns = 1000000000ULL / hz;
	fin_j = expires - TW_LEN_S * hz;
	*prec = jiffy_ns;
	if ((__s64)(now_j - fin_j) <= 0)
		return now;
	return now - (now_j - fin_j) * jiffy_ns;
}

static __always_inline __u64 tw_fin_time(struct inet_timewait_sock *tw, __u64 now, enum tw_seen seen, __u64 *prec)
{
	return tw_fin_at(tw_expires(tw), bpf_jiffies64(), now, seen, prec);
}

/* The peer's FIN came while we waited in FIN_WAIT2: FIN_WAIT2 -> TIME_WAIT. */
static __always_inline void tw_fin_arrived(struct inet_timewait_sock *tw, struct tcpstates_tw_info *ti, __u64 key,
					   enum tw_seen seen)
{
	struct tcpstates_event *e = tw_event(tw, ti, TS_FIN_WAIT2, TS_TIME_WAIT);

	bpf_map_delete_elem(&tw_waiting, &key);
	if (!e)
		return;
	if (seen != TW_SEEN_REARM) {
		e->ts_ns = tw_fin_time(tw, e->ts_ns, seen, &e->precision_ns);
		if (ti->entered_ns && e->ts_ns < ti->entered_ns)
			e->ts_ns = ti->entered_ns;
		if (e->flags & TS_F_DUR_KNOWN)
			e->dur_ns = e->ts_ns - ti->entered_ns;
	}
	ti->substate = TS_TIME_WAIT;
	ti->entered_ns = e->ts_ns;
	ti->expires = tw_expires(tw);
	if (records_mode == TS_REC_CONNECTIONS)
		conn_orphan_end(key, e);
	submit(e);
}

/* timer_start of a minisocket's timer (timers.bpf.c checked the function; timer: its address) */
__hidden void tw_timer_started(__u64 timer)
{
	struct inet_timewait_sock *tw;
	struct tcpstates_tw_info *ti;
	__u64 key;

	if (!tw_timer_fn)
		return;
	tw = (struct inet_timewait_sock *)(timer - bpf_core_field_offset(struct inet_timewait_sock, tw_timer));
	key = tw_key(tw);
	ti = bpf_map_lookup_elem(&tw_info, &key);
	if (!ti) {
		tw_born(tw, key);
		return;
	}
	/* re-armed: not killed after all */
	bpf_map_delete_elem(&tw_pending, &key);
	ti->expires = tw_expires(tw);
	if (ti->substate == TS_FIN_WAIT2 && tw_substate(tw) == TS_TIME_WAIT)
		tw_fin_arrived(tw, ti, key, TW_SEEN_REARM);
}

SEC("tp_btf/timer_cancel")
int BPF_PROG(on_tw_cancel, struct timer_list *timer)
{
	struct inet_timewait_sock *tw = tw_of(timer);
	struct tcpstates_event *e;
	struct tcpstates_tw_info *ti;
	__u32 zero = 0, rst = 0;
	__u64 key, expires, now_j;
	bool fin_unseen = false;
	__u8 why, sub;

	if (!tw)
		return 0;
	key = tw_key(tw);
	expires = tw_expires(tw);
	sub = tw_substate(tw);
	ti = bpf_map_lookup_elem(&tw_info, &key);
	/* --records connections: a minisocket not followed (a TIME_WAIT) ends nothing of ours */
	if (!ti && records_mode == TS_REC_CONNECTIONS)
		return 0;
	if (!ti)
		ti = tw_info_older(tw, key);
	/*
	 * Walking the kernel stack costs microseconds: first the cheap answers for the frequent
	 * cancels. The timer's time has come: the expiry (the wheel never runs a timer early).
	 * A connect() reusing the ports. The peer's FIN in FIN_WAIT2: the re-arm for TIME_WAIT,
	 * and timer_start follows - or a kill after a FIN that re-armed the timer for the very
	 * jiffy it already had, silently (a FIN within the jiffy of a FIN_WAIT2 as long as
	 * TIME_WAIT): the same expiry either way. A dying namespace re-arms nothing; any other kill
	 * shows as nothing following (fin_unseen: the loader then reports the FIN first).
	 */
	now_j = bpf_jiffies64();
	if ((__s64)(now_j - expires) >= 0) {
		why = 0;
	} else if (tw_taken_by_connect(tw)) {
		why = TS_R_REUSED;
	} else if (ti && ti->substate == TS_FIN_WAIT2 && sub == TS_TIME_WAIT && ti->expires == expires) {
		why = tw_unexplained_why(tw) == TS_R_NETNS_EXIT ? TS_R_NETNS_EXIT : 0;
		fin_unseen = !why;
	} else {
		why = tw_killed_why(ctx, tw, &rst);
	}
	/* killed after a FIN_WAIT2 -> TIME_WAIT nobody saw yet (a re-arm in the same wheel bucket) */
	if (why && ti && ti->substate == TS_FIN_WAIT2 && sub == TS_TIME_WAIT)
		tw_fin_arrived(tw, ti, key, TW_SEEN_END);
	/* built now, while the minisocket is still there; emitted only if nothing follows */
	e = bpf_map_lookup_elem(&tw_scratch, &zero);
	if (!e)
		return 0;
	init_event(e);
	tw_fill(e, tw, ti, sub, TS_CLOSE);
	/* not a kill after all when a re-arm or the expiry follows: this record is then dropped */
	e->reason = why ? why : fin_unseen ? TS_R_UNKNOWN : tw_unexplained_why(tw);
	if (why == TS_R_RESET_SENT) {
		e->rst_reason = rst;
		e->flags |= TS_F_RST_REASON;
	}
	/* a kill of this kind has no stack walk to tell why; the FIN's time goes with it */
	if (fin_unseen && ti) {
		__u64 fin = tw_fin_at(expires, now_j, e->ts_ns, TW_SEEN_END, &e->precision_ns);

		if (ti->entered_ns && fin < ti->entered_ns)
			fin = ti->entered_ns;
		e->dur_ns = e->ts_ns - fin;
		e->flags |= TS_F_DUR_KNOWN;
		e->flags2 |= TS_F2_FIN_UNSEEN;
	}
	/* an orphan's FIN_WAIT2 killed, and why is known: its connection ends here */
	if (records_mode == TS_REC_CONNECTIONS && why && sub == TS_FIN_WAIT2)
		conn_orphan_end(key, e);
	if (bpf_map_update_elem(&tw_pending, &key, e, BPF_ANY))
		count(TS_CNT_TW_LOST);
	return 0;
}

SEC("tp_btf/timer_expire_entry")
int BPF_PROG(on_tw_expire, struct timer_list *timer)
{
	struct inet_timewait_sock *tw = tw_of(timer);
	struct tcpstates_event *e;
	struct tcpstates_tw_info *ti;
	__u64 key;

	if (!tw)
		return 0;
	key = tw_key(tw);
	ti = bpf_map_lookup_elem(&tw_info, &key);
	/* --records connections: a minisocket not followed (a TIME_WAIT) ends nothing of ours */
	if (!ti && records_mode == TS_REC_CONNECTIONS)
		return 0;
	bpf_map_delete_elem(&tw_pending, &key);
	bpf_map_delete_elem(&tw_waiting, &key);
	if (ti && ti->substate == TS_FIN_WAIT2 && tw_substate(tw) == TS_TIME_WAIT)
		tw_fin_arrived(tw, ti, key, TW_SEEN_END);
	e = tw_event(tw, ti, tw_substate(tw), TS_CLOSE);
	if (e) {
		e->reason = tw_expired_why(tw);
		if (records_mode == TS_REC_CONNECTIONS && e->oldstate == TS_FIN_WAIT2)
			conn_orphan_end(key, e);
		submit(e);
	}
	bpf_map_delete_elem(&tw_info, &key);
	return 0;
}

/* for the state hook at a full socket's -> CLOSE (tracer.bpf.h) */
__hidden __u8 tw_note_take(const struct tcpstates_event *e, __u64 *key)
{
	struct tw_note *n = &THIS_CPU_TW->note;
	__u8 sub = n->substate;
	bool match;

	if (!tw_timer_fn || !sub)
		return 0;
	if (e->cookie)
		match = n->cookie == e->cookie;
	else
		match = n->netns == e->netns && n->sport == e->sport && n->dport == e->dport;
	if (!match)
		return 0;
	n->substate = 0;
	*key = n->key;
	return sub;
}

/*
 * Hand the new minisocket what only the full socket knew: its owner and, for FIN_WAIT2, since
 * when it waits there (the record e is the full socket's last, its duration already set).
 */
__hidden void tw_adopt(const struct tcpstates_event *e, const struct tcpstates_sock_info *si, __u8 sub,
		       __u64 key)
{
	struct tcpstates_tw_info *ti = bpf_map_lookup_elem(&tw_info, &key);

	if (!ti)
		return;
	if (sub == TS_FIN_WAIT2)
		ti->entered_ns = (e->flags & TS_F_DUR_KNOWN) ? e->ts_ns - e->dur_ns : 0;
	else
		ti->entered_ns = e->ts_ns;
	if (!si || !si->owner_known)
		return;
	ti->pid = si->pid;
	ti->cgroup_id = si->cgroup_id;
	__builtin_memcpy(ti->comm, si->comm, sizeof(ti->comm));
	ti->owner_known = 1;
	ti->owner_flags = si->inherited ? TS_F_OWNER_INHERITED : 0;
	ti->owner_flags2 = (si->from_snapshot ? TS_F2_OWNER_SNAPSHOT : 0) |
			   (si->cgroup_in ? TS_F2_CGROUP_IN : 0);
}

/*
 * Has the peer's FIN come to this orphan waiting in FIN_WAIT2? A minisocket is only an address
 * here, read through probe reads: one whose key no longer matches is gone (its end was reported
 * by the timer programs). One older than TS_TW_SILENT_NS is let go unread: timer_start will show
 * its change. Returns true while it still waits.
 */
static __always_inline bool tw_check(__u64 key, struct tcpstates_tw_wait *w)
{
	struct inet_timewait_sock *tw = (struct inet_timewait_sock *)w->tw;
	struct tcpstates_tw_info *ti;

	if (bpf_ktime_get_ns() - w->since_ns > TS_TW_SILENT_NS || tw_key(tw) != key)
		goto forget;
	if (tw_substate(tw) != TS_TIME_WAIT)
		return true;
	ti = bpf_map_lookup_elem(&tw_info, &key);
	if (!ti)
		ti = tw_info_older(tw, key);
	if (ti && ti->substate == TS_FIN_WAIT2) {
		tw_fin_arrived(tw, ti, key, TW_SEEN_CHECK);
		return false;
	}
forget:
	bpf_map_delete_elem(&tw_waiting, &key);
	return false;
}

static long tw_check_one(struct bpf_map *map, __u64 *key, struct tcpstates_tw_wait *w,
			 __u64 *left)
{
	if (tw_check(*key, w))
		(*left)++;
	return 0;
}

/*
 * Run by the loader every tw_period_ns (BPF_PROG_TEST_RUN of a raw_tp program, which kernels
 * from 5.10 can run so): every waiting orphan in one run (bpf_for_each_map_elem, 5.13+).
 */
SEC("raw_tp")
int tw_check_all(void *ctx)
{
	__u64 left = 0;

	bpf_for_each_map_elem(&tw_waiting, tw_check_one, &left, 0);
	tw_waiting_left = left;
	return 0;
}

/*
 * The same for one orphan, where the kernel has no bpf_for_each_map_elem (before 5.13): the
 * loader walks the map and runs this for each key (args[0]: key). Returns 1 while it waits.
 */
SEC("raw_tp")
int tw_check_key(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 key = ctx->args[0];
	struct tcpstates_tw_wait *w = bpf_map_lookup_elem(&tw_waiting, &key);

	return w && tw_check(key, w);
}
