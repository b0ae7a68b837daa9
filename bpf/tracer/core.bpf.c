// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* core.bpf.c - the state hook: every TCP state change as a ring-buffer record. Kept short. */
#include "tracer.bpf.h"
#include "marks.h"

#define EPIPE 32
#define ECONNRESET 104
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define ENETDOWN 100
#define ENETUNREACH 101
#define EHOSTDOWN 112
#define EHOSTUNREACH 113

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Owners of the sockets that existed at start, found by the loader's scan of /proc (user/snapshot.c),
 * keyed by socket cookie (address mode: by address): socket storage can only be written from
 * userspace through a socket fd, and those sockets belong to other processes. Read once, when
 * such a socket first changes state with its owner still unknown, copied and deleted.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstates_owner);
} owner_seed SEC(".maps");

/* an owner found elsewhere (the /proc scan, a claim) becomes the socket's */
static __always_inline void owner_take(struct tcpstates_sock_info *si, const struct tcpstates_owner *o,
				       bool snapshot)
{
	si->pid = o->pid;
	si->cgroup_id = o->cgroup_id;
	__builtin_memcpy(si->comm, o->comm, sizeof(si->comm));
	si->owner_known = 1;
	si->inherited = 0;
	si->from_snapshot = snapshot;
	si->cgroup_in = o->flags & TS_OWNER_CGROUP_IN;
}

/* the /proc scan's owner of a socket older than the tracer, once */
static __always_inline void owner_from_seed(struct tcpstates_sock_info *si, __u64 key)
{
	struct tcpstates_owner *o = bpf_map_lookup_elem(&owner_seed, &key);

	if (!o)
		return;
	owner_take(si, o, true);
	bpf_map_delete_elem(&owner_seed, &key);
}

/* a child of a listener older than the tracer: the owner the snapshot found for that listener */
static __always_inline void owner_from_listener_seed(struct tcpstates_sock_info *si,
						     const struct tcpstates_event *e)
{
	struct tcpstates_listen_key lk = { .netns = e->netns, .port = e->sport };
	struct tcpstates_owner *o = bpf_map_lookup_elem(&listener_seed, &lk);

	if (o)
		owner_take(si, o, true);
}

#define MOVES_FOLLOWED 4	/* an heir may exit in turn: a double fork */

/*
 * A presumed owner (the listener's, the snapshot's) that has exited: its heir, the child that
 * holds the listener now (exits.bpf.c), or unknown. The flags that say how it was found stay.
 */
static __always_inline void owner_follow_moves(struct tcpstates_sock_info *si)
{
	struct tcpstates_owner *o = NULL, *next;
	__u32 pid = si->pid;

	for (int i = 0; i < MOVES_FOLLOWED; i++) {
		next = bpf_map_lookup_elem(&owner_moved, &pid);
		if (!next)
			break;
		o = next;
		pid = o->pid;
		if (!pid)
			break;
	}
	if (!o)
		return;
	si->pid = o->pid;
	si->cgroup_id = o->cgroup_id;
	__builtin_memcpy(si->comm, o->comm, sizeof(si->comm));
	si->owner_known = o->pid != 0;
	si->cgroup_in = 0;	/* --cgroup: the kernel knows only the current task's ancestors */
}

/* a process that owns a listener now: watched for its exit, with the listener's file */
static __always_inline void owner_watch_listener(const struct tcpstates_sock_info *si, __u64 skaddr)
{
	struct sock *sk = (struct sock *)skaddr;
	__u64 file = (__u64)BPF_CORE_READ(sk, sk_socket, file);
	__u32 pid = si->pid;

	/* full: its exit will not be followed, the listener's children may name it dead */
	if (bpf_map_update_elem(&owner_watch, &pid, &file, BPF_ANY))
		count(TS_CNT_NO_STORAGE);
	/* the pid of an owner that exited, taken by a new process */
	if (owners_moved)
		bpf_map_delete_elem(&owner_moved, &pid);
}

/* the write timer's claim on this socket (owner.bpf.c), once; another socket's is dropped */
static __always_inline void owner_from_claim(struct tcpstates_sock_info *si, const struct tcpstates_event *e)
{
	__u64 key = e->skaddr;
	struct claim *c;

	if (!claims_live)
		return;
	c = bpf_map_lookup_elem(&claims, &key);
	if (!c)
		return;
	if (c->cookie == e->cookie)
		owner_take(si, &c->o, false);
	if (!bpf_map_delete_elem(&claims, &key))
		__sync_fetch_and_add(&claims_live, -1);
}

/*
 * Who owns the socket, where the transition itself cannot say. In this order, each one free to
 * correct the one before: the /proc scan's owner, the listener's, an exited owner's heir, the
 * first user's claim, a process asleep on the socket.
 */
static __always_inline void owner_resolve(struct tcpstates_sock_info *si, const struct tcpstates_event *e,
					  bool owner_ctx)
{
	/*
	 * Owner unknown outside process context: a listener's new child whose listener is older
	 * than the tracer (it had no entry to clone), or, but for a new socket, a socket older than
	 * the tracer itself. A new child is never in the /proc scan's seeds: one lookup, not two.
	 */
	if (!si->owner_known && !owner_ctx) {
		if (e->oldstate == TS_LISTEN && e->newstate == TS_SYN_RECV)
			owner_from_listener_seed(si, e);
		else if (e->oldstate != TS_CLOSE)
			owner_from_seed(si, use_cookie ? e->cookie : e->skaddr);
	}
	/* a presumed owner that has exited: the child that holds the listener now */
	if (owners_moved && si->owner_known &&
	    (si->inherited || si->from_snapshot || e->oldstate == TS_LISTEN))
		owner_follow_moves(si);
	/* an accepted socket's first user, seen by owner.bpf.c's timer hook: it owns it now */
	if (use_claims && (si->inherited || si->from_snapshot))
		owner_from_claim(si, e);
	/* a worker asleep on an accepted socket it has not used yet (e.g. blocked in recv()) */
	if (si->inherited && !owner_ctx && use_waiters)
		owner_from_waiter(si, e->skaddr);
}

/*
 * Address mode: what BPF_F_CLONE does for socket storage. A new socket starts clean (its
 * address may have served another one); a child of a listener starts as the listener's copy.
 */
static __always_inline void addr_mode_birth(struct tcpstates_sock_info *si, const struct tcpstates_event *e)
{
	struct tcpstates_listen_key lk = { .netns = e->netns, .port = e->sport };
	struct tcpstates_sock_info *l;

	if (e->oldstate == TS_CLOSE) {
		__builtin_memset(si, 0, sizeof(*si));
	} else if (e->oldstate == TS_LISTEN && e->newstate == TS_SYN_RECV) {
		l = bpf_map_lookup_elem(&listeners, &lk);
		if (l)
			__builtin_memcpy(si, l, sizeof(*si));
		else
			__builtin_memset(si, 0, sizeof(*si));
	}
}

/*
 * Address mode, after the transition: keep a listener's entry where its children will look for
 * it; forget a socket that ends, whose address may be reused by the next one.
 */
static __always_inline void addr_mode_end(struct tcpstates_sock_info *si, const struct tcpstates_event *e)
{
	struct tcpstates_listen_key lk = { .netns = e->netns, .port = e->sport };
	/* a key on the stack: before 6.x a helper takes no ring-buffer memory for a key */
	__u64 addr = e->skaddr;

	if (e->newstate == TS_LISTEN)
		bpf_map_update_elem(&listeners, &lk, si, BPF_ANY);
	else if (e->oldstate == TS_LISTEN && e->newstate == TS_CLOSE)
		bpf_map_delete_elem(&listeners, &lk);
	if (e->newstate == TS_CLOSE || e->newstate == TS_TIME_WAIT)
		bpf_map_delete_elem(&sk_info_by_addr, &addr);
}

/* A socket's entry before the transition is applied to it. */
static __always_inline void entry_begin(struct tcpstates_sock_info *si, const struct tcpstates_event *e)
{
	if (!use_sk_storage)
		addr_mode_birth(si, e);
	/* a listener's child starts as its copy (BPF_F_CLONE, or the one above): not counted yet */
	if (e->oldstate == TS_LISTEN && e->newstate == TS_SYN_RECV)
		si->claim_counted = 0;
}

/* Update the socket's remembered owner and entry time; fill the record's owner and duration. */
static __always_inline void track(struct tcpstates_sock_info *si, struct tcpstates_event *e, bool owner_ctx)
{
	int oldstate = e->oldstate, newstate = e->newstate;

	/* --records none names no owner: nothing to read */
	if (owner_ctx && records_mode != TS_REC_NONE)
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
		if (si->cgroup_in)
			e->flags2 |= TS_F2_CGROUP_IN;
	}
}

/* A socket's entry after the transition: track() it, recount its claim, watch a listener's owner. */
static __always_inline void entry_update(struct tcpstates_sock_info *si, struct tcpstates_event *e,
					 bool owner_ctx)
{
	track(si, e, owner_ctx);
	claim_sync(si, e->newstate != TS_CLOSE && e->newstate != TS_TIME_WAIT);
	if (use_owner_exit && e->newstate == TS_LISTEN && owner_ctx)
		owner_watch_listener(si, e->skaddr);
}

/*
 * Why the socket goes to CLOSE. Resets are known from the tcp:tcp_{receive,send}_reset hooks (si->rst)
 * and from the error tcp_reset() and tcp_write_err() leave in sk_err just before tcp_done(). The
 * rest follows from who makes the transition: a process closing a synchronized connection
 * abortively (unread data, SO_LINGER 0) sends a reset right after; the stack ending the FIN
 * exchange in softirq is the orderly end - and so is a closer's FIN_WAIT -> CLOSE in its own
 * close() once the peer's FIN is in (processed from the socket's backlog: tcp_time_wait()).
 */
static __always_inline __u8 close_reason(const struct tcpstates_sock_info *si, int oldstate, __u32 facts,
					 bool owner_ctx)
{
	int err = facts & 0xffff;

	if ((si && si->rst == RST_RECEIVED) || err == ECONNRESET || err == EPIPE ||
	    err == ECONNREFUSED)
		return oldstate == TS_SYN_SENT ? TS_R_REFUSED : TS_R_RESET_RECEIVED;
	if (err == ETIMEDOUT)
		return TS_R_TIMEOUT;
	/* tcp_v4_err()/tcp_v6_err(): an ICMP error while connecting ends it (tcp_done()) */
	if (err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN || err == ENETDOWN)
		return TS_R_UNREACHABLE;
	if (si && si->rst == RST_SENT)
		return TS_R_RESET_SENT;
	switch (oldstate) {
	case TS_LISTEN:
		return TS_R_ORDERLY;
	case TS_FIN_WAIT1:
	case TS_FIN_WAIT2:
		return owner_ctx && !(facts & FACT_PEER_FIN) ? TS_R_RESET_SENT : TS_R_ORDERLY;
	case TS_ESTABLISHED:
	case TS_CLOSE_WAIT:
	case TS_SYN_RECV:
		return owner_ctx ? TS_R_RESET_SENT : TS_R_UNKNOWN;
	case TS_LAST_ACK:
	case TS_CLOSING:
		return TS_R_ORDERLY;
	}
	return TS_R_UNKNOWN;
}

/* the record's reason, for a transition into CLOSE */
static __always_inline void fill_reason(struct tcpstates_event *e, const struct tcpstates_sock_info *si,
					__u32 facts, bool owner_ctx)
{
	if (e->newstate != TS_CLOSE)
		return;
	e->reason = close_reason(si, e->oldstate, facts, owner_ctx);
	if (e->reason == TS_R_RESET_SENT && si && si->rst == RST_SENT) {
		e->rst_reason = si->rst_reason;
		e->flags |= TS_F_RST_REASON;
	}
}

/*
 * At a full socket's -> CLOSE, the minisocket born from it on this CPU, if any: its substate,
 * its tw_info key in *twkey, and a TIME_WAIT says so in the record (what the user knows it as).
 * At -> SYN_SENT, a connect() that may reuse a TIME_WAIT's ports.
 */
static __always_inline __u8 tw_handoff(struct tcpstates_event *e, __u64 *twkey)
{
	__u8 tw = 0;

	if (e->newstate == TS_CLOSE)
		tw = tw_note_take(e, twkey);
	else if (e->newstate == TS_SYN_SENT)
		tw_note_connect(e->skaddr);
	if (tw == TS_TIME_WAIT)
		e->newstate = TS_TIME_WAIT;
	return tw;
}

/*
 * Before 6.18 (seen on 6.1 and 6.12) inet_csk_clone_lock() makes a listener's child SYN_RECV
 * while it still carries the listener's cookie, copied with the socket; only then does it take
 * the request's. A LISTEN -> SYN_RECV record written at once would name the child by its
 * listener's id. Such a record waits here, by address, for the child's next transition (within
 * microseconds: the handshake's last ACK made the child), which gives it the child's own cookie.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct tcpstates_event);
} held SEC(".maps");

/* where a record is copied on its way into `held` (a helper takes no ring-buffer memory) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_event);
} held_scratch SEC(".maps");

static __always_inline void hold_record(struct tcpstates_event *e, struct tcpstates_sock_info *si, __u64 addr)
{
	struct tcpstates_event *copy;
	__u32 zero = 0;

	copy = bpf_map_lookup_elem(&held_scratch, &zero);
	if (copy) {
		__builtin_memcpy(copy, e, sizeof(*e));
		if (!bpf_map_update_elem(&held, &addr, copy, BPF_ANY)) {
			si->held = 1;
			discard(e);
			return;
		}
	}
	submit(e);	/* no room to wait: better with the listener's id than not at all */
}

/* the child's first record, with the cookie it has now; before the record of its next transition */
static __always_inline void release_held(struct tcpstates_sock_info *si, struct sock *sk)
{
	__u64 addr = (__u64)sk;
	struct tcpstates_event *h = bpf_map_lookup_elem(&held, &addr), *e;

	si->held = 0;
	if (!h || records_mode != TS_REC_TRANSITIONS)	/* never: held only then (deliver) */
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		__builtin_memcpy(e, h, sizeof(*e));
		e->cookie = sock_cookie(sk);
		e->flags |= e->cookie ? TS_F_COOKIE_KNOWN : 0;
		RB_SUBMIT(e);
	} else {
		count(TS_CNT_RB_FULL);
	}
	bpf_map_delete_elem(&held, &addr);
}

/*
 * Hand the record over: submit it; or keep it in `held` (hold), until the socket has its own
 * cookie; or drop it, for an orphan still waiting for the peer's FIN (tw: TS_FIN_WAIT2), which
 * stays in FIN_WAIT2 as ss shows it.
 */
static __always_inline void deliver(struct tcpstates_event *e, struct tcpstates_sock_info *si, __u8 tw,
				    bool hold)
{
	if (si && hold && records_mode == TS_REC_TRANSITIONS) {
		hold_record(e, si, e->skaddr);
		return;
	}
	if (tw == TS_FIN_WAIT2) {
		count(TS_CNT_TW_HIDDEN);
		discard(e);
		return;
	}
	submit(e);
}

/*
 * The part of a transition record that does not depend on the hook: e holds the socket's
 * addresses, ports, queues, states and flags as the hook saw them; si is its entry (NULL: none);
 * FACT_HOLD in facts: e waits in `held` for the socket's own cookie; cn: the connection's path
 * (--records connections, else NULL). Shared by the tp_btf programs here and the
 * classic tracepoint's (fallback.bpf.c). Submits e, or holds or drops it (deliver).
 */
__hidden int ts_finish(struct tcpstates_event *e, struct tcpstates_sock_info *si, __u32 facts, bool owner_ctx,
		       struct conn_next *cn)
{
	bool hold = facts & FACT_HOLD;
	__u64 twkey = 0;
	__u8 tw;

	/* read: the minisocket this socket may live on as; its entry as it starts */
	tw = tw_handoff(e, &twkey);
	if (si)
		entry_begin(si, e);
	/* decide: why it closed, who owns it; fill: owner and duration, the entry's new state */
	fill_reason(e, si, facts, owner_ctx);
	if (e->flags2 & TS_F2_INFERRED)
		e->reason = TS_R_UNKNOWN;	/* we did not see how it closed */
	if (si) {
		if (records_mode != TS_REC_NONE)
			owner_resolve(si, e, owner_ctx);
		entry_update(si, e, owner_ctx);
	} else {
		count(TS_CNT_NO_STORAGE);
	}
	/* hand on: the minisocket inherits the owner; address mode keeps listeners, forgets ends */
	if (tw)
		tw_adopt(e, si, tw, twkey);
	if (si && !use_sk_storage)
		addr_mode_end(si, e);
	/* the connection's path takes the step (tw, twkey: passed as values, see conn_next) */
	if (records_mode == TS_REC_CONNECTIONS && cn)
		conn_next(cn->path, e, tw, twkey);
	deliver(e, si, tw, hold);
	return 0;
}

/* netstat's Recv-Q and Send-Q; for a listener its accept queue and backlog, as ss shows them */
static __always_inline void fill_queues(struct tcpstates_event *e, struct tcp_sock *tp)
{
	struct sock *sk = (struct sock *)tp;

	if (e->newstate == TS_LISTEN || (e->oldstate == TS_LISTEN && e->newstate == TS_CLOSE)) {
		e->rx_queue = sk->sk_ack_backlog;
		e->tx_queue = sk->sk_max_ack_backlog;
	} else {
		e->rx_queue = tp->rcv_nxt - tp->copied_seq;
		e->tx_queue = tp->write_seq - tp->snd_una;
	}
	if (e->newstate == TS_CLOSE) {
		e->rx_bytes = tp->bytes_received;
		e->tx_bytes = tp->bytes_acked;
		e->flags |= TS_F_BYTES;
	}
}

/* a transition seen by tp_btf; sk is a trusted pointer. Shared with backup.bpf.c, witness.bpf.c */
__hidden int ts_handle(struct sock *sk, int oldstate, int newstate, __u8 slot,
		       __u8 extra_flags2)
{
	struct tcpstates_event *e;
	struct conn_next cn = {};
	struct tcpstates_sock_info *si;
	struct tcp_sock *tp;
	bool hold = false;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	/*
	 * Created even for a socket that goes to CLOSE unseen: it is older than the tracer, and its
	 * last line should still name the closing process, or the owner the snapshot found.
	 */
	si = si_get(sk, true);
	if (si && si->held)
		release_held(si, sk);
	if (records_mode == TS_REC_TRANSITIONS)
		e = reserve_for(!(extra_flags2 & TS_F2_INFERRED));
	else
		e = reserve_any(slot);
	if (!e) {
		/* lost (counted): still the socket's state now, or the witness would count it again */
		if (si) {
			si->state = newstate;
			si->entered_ns = 0;
			if (oldstate == TS_LISTEN && newstate == TS_SYN_RECV)
				si->claim_counted = 0;
			claim_sync(si, newstate != TS_CLOSE);
			if (!use_sk_storage && newstate == TS_CLOSE) {
				__u64 addr = (__u64)sk;

				bpf_map_delete_elem(&sk_info_by_addr, &addr);
			}
		}
		return 0;
	}
	e->skaddr = (__u64)sk;
	/* a child still wearing its listener's cookie (see `held`): its own comes later */
	if (use_cookie && oldstate == TS_LISTEN && newstate == TS_SYN_RECV &&
	    sk->__sk_common.skc_cookie.counter) {
		e->cookie = 0;
		hold = true;
	} else {
		e->cookie = sock_cookie(sk);
	}
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->hook = TS_HOOK_BTF;
	e->flags = e->cookie ? TS_F_COOKIE_KNOWN : 0;
	e->flags2 = extra_flags2;
	e->family = sk->__sk_common.skc_family;
	e->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	e->netns = sk->__sk_common.skc_net.net->ns.inum;
	tp = bpf_skc_to_tcp_sock(sk);
	if (tp) {
		/*
		 * inet_sport, as the classic tracepoint reads it: skc_num is already 0 at the
		 * transition into CLOSE (the port is released first), inet_sport keeps it.
		 */
		e->sport = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
		fill_queues(e, tp);
	}
	if (e->family == AF_INET6) {
		__builtin_memcpy(e->saddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(e->daddr, &sk->__sk_common.skc_v6_daddr, 16);
	} else {
		__builtin_memset(e->saddr, 0, 32);
		__builtin_memcpy(e->saddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(e->daddr, &sk->__sk_common.skc_daddr, 4);
	}
	if (records_mode == TS_REC_CONNECTIONS) {
		cn.path = conn_path_get(sk, true);
		if (newstate == TS_CLOSE)
			conn_tcp_info(cn.path, sk);
	}
	return ts_finish(e, si, (newstate == TS_CLOSE ? sock_facts(sk) : 0) | (hold ? FACT_HOLD : 0),
			 in_owner_context(sk->sk_lock.owned),
			 records_mode == TS_REC_CONNECTIONS ? &cn : NULL);
}

/* one CPU's mark stack (marks.h), a cache line apart from the next CPU's */
struct mark_slot {
	struct tcpstates_mark_stack s;
} CPU_SLOT;
/* the marks of the events the main program has begun on each CPU, for the backup's ts_marked() */
static struct mark_slot marks[MAX_CPUS];

#define THIS_CPU_MARKS (&marks[bpf_get_smp_processor_id() & (MAX_CPUS - 1)].s)

__hidden bool ts_marked(__u64 sk, int oldstate, int newstate)
{
	return marks_pop(THIS_CPU_MARKS, sk, oldstate, newstate, bpf_get_current_task());
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_set_state_btf, struct sock *sk, int oldstate, int newstate)
{
	marks_push(THIS_CPU_MARKS, (__u64)sk, oldstate, newstate, bpf_get_current_task());
	return ts_handle(sk, oldstate, newstate, SLOT_STATE, 0);
}
