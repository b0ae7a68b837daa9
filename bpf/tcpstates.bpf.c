// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tcpstates.bpf.c - turn every TCP state change into a ring-buffer record. Kept short on purpose. */
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
#define EPIPE 32
#define ECONNRESET 104
#define ETIMEDOUT 110
#define ECONNREFUSED 111

#define RST_RECEIVED 1
#define RST_SENT 2

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Ring buffer: once more than this many bytes wait, the writer wakes the reader; below it the
 * reader's own poll timeout picks them up. One wakeup per batch instead of one per event.
 */
const volatile __u64 wakeup_bytes = 256 * 1024;

/* what we remember per socket */
struct sock_info {
	__u64 entered_ns;	/* when the socket entered `state` */
	__u64 cgroup_id;	/* owner's cgroup id */
	__u32 pid;		/* owner's tgid */
	__u16 rst_reason;	/* kernel's reason for the reset we sent (rst == RST_SENT) */
	__u8 state;		/* last new state we saw (0: none yet) */
	__u8 owner_known;	/* pid/comm/cgroup_id are set */
	__u8 inherited;		/* owner copied from the listener; no process used the socket yet */
	__u8 rst;		/* RST_RECEIVED / RST_SENT: a reset on this socket, seen by tcp:* */
	__u8 from_snapshot;	/* owner found by the start-up scan of /proc, not seen acting */
	__u8 _pad;
	char comm[TCPSTATES_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader before load */
} events SEC(".maps");

/*
 * Socket-local storage: lives and dies with the socket, so a reused struct sock address can never
 * inherit a stale timestamp, and it cannot fill up. BPF_F_CLONE copies the listener's entry into each
 * child socket the kernel clones from it, so a passively opened socket starts with the listener's owner.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct sock_info);
} sk_info SEC(".maps");

/* fallback hook only: no socket storage there, so key by socket address and delete at CLOSE */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct sock_info);
} sk_info_by_addr SEC(".maps");

/*
 * Owners of the sockets that existed at start, found by the loader's scan of /proc (user/snapshot.c),
 * keyed by socket cookie: socket storage can only be written from userspace through a socket fd,
 * and those sockets belong to other processes. Read once, when such a socket first changes state
 * with its owner still unknown, copied into its storage and deleted.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstates_owner);
} owner_seed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	/* atomic even per CPU: the backup program may run nested inside the main one */
	if (c)
		__sync_fetch_and_add(c, 1);
}

/*
 * The events the main program has begun on each CPU and the backup has not yet checked, pushed as
 * the main program's very first act. The kernel skips a program that is already running on this
 * CPU (a softirq interrupting it fires the same hook): the backup, attached after it, then finds
 * no mark for its event and emits it; when the main program ran, the backup pops the mark.
 */
#define MAX_CPUS 1024
#define MARKS TS_MARKS
struct tcpstates_mark_stack marks[MAX_CPUS];

/*
 * True when the kernel runs this transition on behalf of a user process (connect, listen, close,
 * shutdown, or backlog processing in release_sock()). Those paths hold the socket lock as its owner
 * (lock_sock() sets sk_lock.owned); softirq and timer code changes a socket's state only while no
 * process owns it, and there `current` is whoever was interrupted - swapper, ksoftirqd, or the peer
 * on loopback - never to be taken for the owner. (preempt_count would say "softirq" directly, but
 * this kernel's kallsyms lacks per-CPU symbols, so a __preempt_count ksym cannot be resolved.)
 */
static __always_inline bool in_owner_context(bool lock_owned)
{
	struct task_struct *task;

	if (!lock_owned)
		return false;
	task = bpf_get_current_task_btf();
	return !(task->flags & PF_KTHREAD);
}

static __always_inline void set_owner(struct sock_info *si)
{
	si->pid = bpf_get_current_pid_tgid() >> 32;
	si->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(si->comm, sizeof(si->comm));
	si->owner_known = 1;
	si->inherited = 0;
	si->from_snapshot = 0;
}

/* a socket older than the tracer: take the owner the start-up scan found for it, once */
static __always_inline void seed_owner(struct sock_info *si, __u64 cookie)
{
	struct tcpstates_owner *o = bpf_map_lookup_elem(&owner_seed, &cookie);

	if (!o)
		return;
	si->pid = o->pid;
	si->cgroup_id = o->cgroup_id;
	__builtin_memcpy(si->comm, o->comm, sizeof(si->comm));
	si->owner_known = 1;
	si->from_snapshot = 1;
	bpf_map_delete_elem(&owner_seed, &cookie);
}

/* Update the socket's remembered owner and entry time; fill the record's owner and duration. */
static __always_inline void track(struct sock_info *si, struct tcpstates_event *e, int oldstate,
				  int newstate, bool owner_ctx)
{
	if (owner_ctx)
		set_owner(si);
	/* the first state of a new socket follows nothing; any other mismatch means we missed some */
	if (si->state && si->state != oldstate) {
		e->flags |= TS_F_GAP;
		count(TS_CNT_GAPS);
	}
	if (oldstate == TS_LISTEN && newstate == TS_SYN_RECV)
		si->inherited = si->owner_known;
	/*
	 * A child cloned from a listener arrives with the listener's entry (LISTEN -> SYN_RECV): its
	 * owner is right, its time in LISTEN is not its own.
	 */
	if (si->state == oldstate && si->entered_ns &&
	    !(oldstate == TS_LISTEN && newstate == TS_SYN_RECV)) {
		e->dur_ns = e->ts_ns - si->entered_ns;
		e->flags |= TS_F_DUR_KNOWN;
	}
	si->entered_ns = e->ts_ns;
	si->state = newstate;
	if (si->owner_known) {
		e->pid = si->pid;
		e->cgroup_id = si->cgroup_id;
		__builtin_memcpy(e->comm, si->comm, sizeof(e->comm));
		e->flags |= TS_F_OWNER_KNOWN;
		if (si->inherited)
			e->flags |= TS_F_OWNER_INHERITED;
		if (si->from_snapshot)
			e->flags2 |= TS_F2_OWNER_SNAPSHOT;
	}
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
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
}

static __always_inline struct tcpstates_event *reserve(void)
{
	struct tcpstates_event *e;

	count(TS_CNT_EVENTS);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(TS_CNT_RB_FULL);
		return NULL;
	}
	init_event(e);
	return e;
}

static __always_inline void submit(struct tcpstates_event *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 flags = BPF_RB_NO_WAKEUP;

	/*
	 * Wake the reader once, when this record takes the unread data past the threshold (the
	 * reader also drains on its own every 100 ms). Waking on every record past it would raise
	 * an interrupt per event, and softirq work run on its way out re-enters this hook.
	 */
	if (avail >= wakeup_bytes && avail < wakeup_bytes + 2 * sizeof(*e) + 16)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/*
 * Why the socket goes to CLOSE. Resets are known from the tcp:tcp_{receive,send}_reset hooks (si->rst)
 * and from the error tcp_reset() and tcp_write_err() leave in sk_err just before tcp_done(). The
 * rest follows from who makes the transition: a process closing a synchronized connection
 * abortively (unread data, SO_LINGER 0) sends a reset right after; the stack ending the FIN
 * exchange in softirq is the orderly end.
 */
static __always_inline __u8 close_reason(const struct sock_info *si, int oldstate, int err,
					 bool owner_ctx)
{
	if ((si && si->rst == RST_RECEIVED) || err == ECONNRESET || err == EPIPE ||
	    err == ECONNREFUSED)
		return oldstate == TS_SYN_SENT ? TS_R_REFUSED : TS_R_RESET_RECEIVED;
	if (err == ETIMEDOUT)
		return TS_R_TIMEOUT;
	if (si && si->rst == RST_SENT)
		return TS_R_RESET_SENT;
	switch (oldstate) {
	case TS_LISTEN:
		return TS_R_ORDERLY;
	case TS_ESTABLISHED:
	case TS_CLOSE_WAIT:
	case TS_FIN_WAIT1:
	case TS_FIN_WAIT2:
	case TS_SYN_RECV:
		if (owner_ctx)
			return TS_R_RESET_SENT;
		return oldstate == TS_FIN_WAIT1 || oldstate == TS_FIN_WAIT2 ? TS_R_ORDERLY :
									    TS_R_UNKNOWN;
	case TS_LAST_ACK:
	case TS_CLOSING:
		return TS_R_ORDERLY;
	}
	return TS_R_UNKNOWN;
}

/* netstat's Recv-Q and Send-Q; for a listener its accept queue and backlog, as ss shows them */
static __always_inline void fill_queues(struct tcpstates_event *e, struct tcp_sock *tp,
					int oldstate, int newstate)
{
	struct sock *sk = (struct sock *)tp;

	if (newstate == TS_LISTEN || (oldstate == TS_LISTEN && newstate == TS_CLOSE)) {
		e->rx_queue = sk->sk_ack_backlog;
		e->tx_queue = sk->sk_max_ack_backlog;
	} else {
		e->rx_queue = tp->rcv_nxt - tp->copied_seq;
		e->tx_queue = tp->write_seq - tp->snd_una;
	}
	if (newstate == TS_CLOSE || newstate == TS_TIME_WAIT) {
		e->rx_bytes = tp->bytes_received;
		e->tx_bytes = tp->bytes_acked;
		e->flags |= TS_F_BYTES;
	}
}

static __always_inline void fill_reason(struct tcpstates_event *e, const struct sock_info *si,
					int oldstate, int newstate, int err, bool owner_ctx)
{
	if (newstate != TS_CLOSE)
		return;
	e->reason = close_reason(si, oldstate, err, owner_ctx);
	if (e->reason == TS_R_RESET_SENT && si && si->rst == RST_SENT) {
		e->rst_reason = si->rst_reason;
		e->flags |= TS_F_RST_REASON;
	}
}

#include "timewait.bpf.h"

static __always_inline int handle(struct sock *sk, int oldstate, int newstate, __u8 extra_flags,
				  __u8 extra_flags2)
{
	struct tcpstates_event *e;
	struct sock_info *si;
	struct tcp_sock *tp;
	__u8 tw = 0;
	bool owner_ctx;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	e = reserve();
	if (!e)
		return 0;

	e->skaddr = (__u64)sk;
	e->cookie = bpf_get_socket_cookie(sk);
	/* the connection lives on as a timewait minisocket: say what the user knows it as */
	if (newstate == TS_CLOSE)
		tw = tw_note_take(e->cookie);
	else if (newstate == TS_SYN_SENT)
		tw_note_connect(sk);
	if (tw == TS_TIME_WAIT)
		newstate = TS_TIME_WAIT;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->hook = TS_HOOK_BTF;
	e->flags = TS_F_COOKIE_KNOWN | extra_flags;
	e->family = sk->__sk_common.skc_family;
	tp = bpf_skc_to_tcp_sock(sk);
	if (tp) {
		/*
		 * inet_sport, as the classic tracepoint reads it: skc_num is already 0 at the
		 * transition into CLOSE (the port is released first), inet_sport keeps it.
		 */
		e->sport = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
		fill_queues(e, tp, oldstate, newstate);
	}
	e->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	e->netns = sk->__sk_common.skc_net.net->ns.inum;
	if (e->family == AF_INET6) {
		__builtin_memcpy(e->saddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(e->daddr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		__builtin_memset(e->saddr, 0, 32);
		__builtin_memcpy(e->saddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(e->daddr, &sk->__sk_common.skc_daddr, 4);
	}

	/*
	 * Created even for a socket that goes to CLOSE unseen: it is older than the tracer, and its
	 * last line should still name the closing process, or the owner the snapshot found.
	 */
	si = bpf_sk_storage_get(&sk_info, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	/* decided once: it reads the current task */
	owner_ctx = in_owner_context(sk->sk_lock.owned);
	fill_reason(e, si, oldstate, newstate, sk->sk_err, owner_ctx);
	if (extra_flags2 & TS_F2_INFERRED)
		e->reason = TS_R_UNKNOWN;	/* we did not see how it closed */
	/* owner unknown outside process context, not a new socket: older than the tracer */
	if (si && !si->owner_known && oldstate != TS_CLOSE && !owner_ctx)
		seed_owner(si, e->cookie);
	if (si)
		track(si, e, oldstate, newstate, owner_ctx);
	else
		count(TS_CNT_NO_STORAGE);
	e->flags2 |= extra_flags2;
	if (tw)
		tw_adopt(e, si, tw);
	/* an orphan still waiting for the peer's FIN: it stays in FIN_WAIT2, as ss shows it */
	if (tw == TS_FIN_WAIT2) {
		count(TS_CNT_TW_HIDDEN);
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	submit(e);
	return 0;
}

static __always_inline int handle_inferred(struct sock *sk, int laststate)
{
	return handle(sk, laststate, TS_CLOSE, 0, TS_F2_INFERRED);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_set_state_btf, struct sock *sk, int oldstate, int newstate)
{
	struct tcpstates_mark_stack *ms = &marks[bpf_get_smp_processor_id() & (MAX_CPUS - 1)];
	__u32 d = ms->depth;

	if (d >= MARKS)
		d = MARKS - 1;	/* cannot happen (see below); overwrite rather than lose a mark */
	ms->m[d].sk = (__u64)sk;
	ms->m[d].oldstate = oldstate;
	ms->m[d].newstate = newstate;
	ms->depth = d + 1;
	return handle(sk, oldstate, newstate, 0, 0);
}

/*
 * Attached after on_set_state_btf: emits only the events the kernel made that one skip. The main
 * program pushes a mark for every event it begins; this one pops its event's mark, and everything
 * above it (events of softirqs that ran between the two programs, whose own backup run was skipped),
 * and emits when no mark is found. The stack only grows with nesting, so 8 is plenty.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_set_state_bk, struct sock *sk, int oldstate, int newstate)
{
	struct tcpstates_mark_stack *ms = &marks[bpf_get_smp_processor_id() & (MAX_CPUS - 1)];
	__u32 d = ms->depth;

	for (int i = MARKS - 1; i >= 0; i--) {
		struct tcpstates_marker *m = &ms->m[i];

		if ((__u32)i >= d)
			continue;
		if (m->sk == (__u64)sk && m->oldstate == oldstate && m->newstate == newstate) {
			ms->depth = i;
			return 0;
		}
	}
	count(TS_CNT_COVERED);
	return handle(sk, oldstate, newstate, TS_F_RESCUED, 0);
}

/*
 * Witness on another hook: a socket destroyed while its storage still says it is open went through
 * transitions inet_sock_set_state never delivered to us. Report the close we know must have been
 * (from the last state seen), marked inferred, and count the loss - never silent.
 */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(on_destroy, struct sock *sk)
{
	struct sock_info *si = bpf_sk_storage_get(&sk_info, sk, NULL, 0);

	/* TIME_WAIT: the connection lives on in a timewait minisocket, this socket is done */
	if (!si || !si->state || si->state == TS_CLOSE || si->state == TS_TIME_WAIT)
		return 0;
	count(TS_CNT_UNSEEN);
	return handle_inferred(sk, si->state);
}

/*
 * From accept() on, a passively opened socket belongs to the process that accepted it - in a
 * prefork server a worker, not the listener's owner. No hook that runs here sees accept() without
 * taxing every syscall of the machine, so the owner is taken over at the socket's first send or
 * receive, both made by its process under the socket lock.
 */
static __always_inline void claim_owner(struct sock *sk)
{
	struct sock_info *si = bpf_sk_storage_get(&sk_info, sk, NULL, 0);

	/* a listener's or the /proc scan's owner is a presumption: the user of the socket wins */
	if (!si || (si->owner_known && !si->inherited && !si->from_snapshot))
		return;
	if (in_owner_context(sk->sk_lock.owned))
		set_owner(si);
}

SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(on_sendmsg, struct sock *sk)
{
	claim_owner(sk);
	return 0;
}

/* Resets are noted on the socket; the transition into CLOSE that follows reads them. */
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(on_receive_reset, struct sock *sk)
{
	struct sock_info *si = bpf_sk_storage_get(&sk_info, sk, NULL, 0);

	if (si)
		si->rst = RST_RECEIVED;
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_send_reset, struct sock *sk, struct sk_buff *skb, enum sk_rst_reason reason)
{
	struct sock_info *si;

	/* NULL: a reset for a packet no socket wanted; a listener's resets don't end it */
	if (!sk || sk->__sk_common.skc_state == TS_LISTEN)
		return 0;
	/* a timewait minisocket answering a segment with a reset, which then ends it */
	if (sk->__sk_common.skc_state == TS_TIME_WAIT) {
		tw_note_reset(sk, reason);
		return 0;
	}
	si = bpf_sk_storage_get(&sk_info, sk, NULL, 0);
	if (si && si->rst != RST_RECEIVED) {
		si->rst = RST_SENT;
		si->rst_reason = reason;
	}
	return 0;
}

SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(on_recvmsg, struct sock *sk)
{
	claim_owner(sk);
	return 0;
}

/* fill_queues() through probe reads: the fallback's socket is only an address */
static __always_inline void fill_queues_core(struct tcpstates_event *e, struct sock *sk,
					     int oldstate, int newstate)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (newstate == TS_LISTEN || (oldstate == TS_LISTEN && newstate == TS_CLOSE)) {
		e->rx_queue = BPF_CORE_READ(sk, sk_ack_backlog);
		e->tx_queue = BPF_CORE_READ(sk, sk_max_ack_backlog);
	} else {
		e->rx_queue = BPF_CORE_READ(tp, rcv_nxt) - BPF_CORE_READ(tp, copied_seq);
		e->tx_queue = BPF_CORE_READ(tp, write_seq) - BPF_CORE_READ(tp, snd_una);
	}
	if (newstate == TS_CLOSE) {
		e->rx_bytes = BPF_CORE_READ(tp, bytes_received);
		e->tx_bytes = BPF_CORE_READ(tp, bytes_acked);
		e->flags |= TS_F_BYTES;
	}
}

/*
 * Fallback for kernels that refuse tp_btf: the classic tracepoint. Its record carries addresses and
 * ports; the socket itself is only an address, so per-socket data lives in a hash keyed by it.
 */
SEC("tracepoint/sock/inet_sock_set_state")
int on_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock_info zero = {}, *si;
	bool owner_ctx;
	struct tcpstates_event *e;
	struct sock *sk;
	__u64 key;

	/* `protocol` was widened from u8 to u16 in 2020: read it at the running kernel's width */
	if (bpf_core_field_size(ctx->protocol) == 1) {
		if (*(__u8 *)&ctx->protocol != IPPROTO_TCP)
			return 0;
	} else if (ctx->protocol != IPPROTO_TCP) {
		return 0;
	}
	e = reserve();
	if (!e)
		return 0;

	key = (__u64)ctx->skaddr;
	sk = (struct sock *)ctx->skaddr;
	e->skaddr = key;
	/*
	 * No cookie here: the kernel assigns one only when something first asks for it, so reading
	 * skc_cookie would give a socket 0 on some lines and its id on later ones. Say "unknown".
	 */
	e->cookie = 0;
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	e->hook = TS_HOOK_TP;
	e->family = ctx->family;
	e->sport = ctx->sport;
	e->dport = ctx->dport;
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (e->family == AF_INET6) {
		/* the verifier refuses loads through a moved ctx pointer: copy with a helper */
		bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
	} else {
		__builtin_memset(e->saddr, 0, 32);
		bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
	}

	fill_queues_core(e, sk, ctx->oldstate, ctx->newstate);
	si = bpf_map_lookup_elem(&sk_info_by_addr, &key);
	owner_ctx = in_owner_context(BPF_CORE_READ(sk, sk_lock.owned));
	fill_reason(e, si, ctx->oldstate, ctx->newstate, BPF_CORE_READ(sk, sk_err), owner_ctx);
	if (!si && ctx->newstate != TS_CLOSE) {
		bpf_map_update_elem(&sk_info_by_addr, &key, &zero, BPF_NOEXIST);
		si = bpf_map_lookup_elem(&sk_info_by_addr, &key);
		if (!si)
			count(TS_CNT_NO_STORAGE);
	}
	if (si)
		track(si, e, ctx->oldstate, ctx->newstate, owner_ctx);
	/* the address may be reused by the next socket: forget it */
	if (ctx->newstate == TS_CLOSE)
		bpf_map_delete_elem(&sk_info_by_addr, &key);
	submit(e);
	return 0;
}
