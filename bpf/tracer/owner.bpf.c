// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* owner.bpf.c - owner takeover: an accepted socket belongs to the process that first uses it. */
#include "tracer.bpf.h"

/*
 * From accept() on, a passively opened socket belongs to the process that accepted it - in a
 * prefork server a worker, not the listener's owner. No hook that runs here sees accept() without
 * taxing every syscall of the machine, so the owner is taken over at the socket's first send or
 * receive, both made by its process under the socket lock:
 *   receive  tcp:tcp_rcv_space_adjust (every kernel)
 *   send     the TCP write timer that a send arms (timer_start with tcp_write_timer, through
 *            timers.bpf.c), which sees only the socket's address. A send arms it only when it
 *            is not armed yet: about once per socket and burst, where tcp:tcp_sendmsg_locked
 *            (6.18+, the fallback) runs on every send.
 */
/* the wake functions of a task sleeping on a socket (enum tcpstates_waker); 0: unknown */
const volatile __u64 waker_fns[TS_WAKE_MAX];

#define WAITERS_LOOKED_AT 4	/* an epoll or poll entry may come first */

/* the task behind a wait-queue entry, or NULL when it is no task's (epoll, a callback) */
static __always_inline struct task_struct *waiter_task(struct wait_queue_entry *w)
{
	__u64 fn = (__u64)BPF_CORE_READ(w, func);
	void *priv = BPF_CORE_READ(w, private);

	if (!fn || !priv)
		return NULL;
	if (fn == waker_fns[TS_WAKE_WOKEN] || fn == waker_fns[TS_WAKE_AUTOREMOVE] ||
	    fn == waker_fns[TS_WAKE_DEFAULT])
		return priv;
	if (fn == waker_fns[TS_WAKE_POLL])
		return BPF_CORE_READ((struct poll_wqueues *)priv, polling_task);
	return NULL;
}

/*
 * An accepted socket still named after its listener changes state in softirq (the peer's FIN,
 * a reset): is a process asleep on it right now - a prefork worker blocked in recv(), or in
 * poll() on it - and so its real owner? The socket's wait queue holds that task. Read through probe reads, at most a
 * few entries, and only for inherited sockets; true when it set the owner.
 */
__hidden bool owner_from_waiter(struct tcpstates_sock_info *si, __u64 skaddr)
{
	struct sock *sk = (struct sock *)skaddr;
	struct socket_wq *wq = BPF_CORE_READ(sk, sk_wq);
	struct list_head *head, *pos;
	struct task_struct *task;

	if (!wq || !waker_fns[TS_WAKE_WOKEN])
		return false;
	head = &wq->wait.head;
	pos = BPF_CORE_READ(wq, wait.head.next);
	for (int i = 0; i < WAITERS_LOOKED_AT && pos && pos != head; i++) {
		struct wait_queue_entry *w = container_of(pos, struct wait_queue_entry, entry);

		task = waiter_task(w);
		if (task) {
			if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
				return false;
			si->pid = BPF_CORE_READ(task, tgid);
			si->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
			bpf_core_read_str(si->comm, sizeof(si->comm), &task->comm);
			si->owner_known = 1;
			si->inherited = 0;
			si->from_snapshot = 0;
			/* --cgroup: the kernel helper knows only the current task's ancestors */
			si->cgroup_in = 0;
			return true;
		}
		pos = BPF_CORE_READ(pos, next);
	}
	return false;
}

static __always_inline void claim_owner(struct sock *sk)
{
	struct tcpstates_sock_info *si;

	/* the cheapest test first: in the steady state of a server, nothing is left to claim */
	if (!claims_pending)
		return;
	si = si_get(sk, false);
	/* a listener's or the /proc scan's owner is a presumption: the user of the socket wins */
	if (!si || (si->owner_known && !si->inherited && !si->from_snapshot))
		return;
	if (in_owner_context(sk->sk_lock.owned)) {
		set_owner(si);
		claim_sync(si, true);
	}
}

SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(on_sendmsg, struct sock *sk)
{
	claim_owner(sk);
	return 0;
}

SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(on_recvmsg, struct sock *sk)
{
	claim_owner(sk);
	return 0;
}

/*
 * The send side: a send armed this socket's write timer (timer: &icsk_retransmit_timer; timers.bpf.c
 * checked its function). Socket storage takes no untrusted pointer: the claim waits in `claims`
 * for the state hook, which hands it to the socket at its next transition. Only a connection's
 * data counts: the SYN of connect() and the FIN of close() or shutdown() arm the timer too,
 * after a transition in process context that named the owner already.
 */
__hidden void owner_write_timer(__u64 timer)
{
	struct claim c = {}, *old;
	struct tcpstates_sock_info *si;
	struct sock *sk;
	__u64 addr;
	__u8 state;

	if (!claims_pending)
		return;
	addr = timer - bpf_core_field_offset(struct inet_connection_sock, icsk_retransmit_timer);
	sk = (struct sock *)addr;
	/* cheapest first: one read rules out the connect()'s SYN and the FIN of a close */
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state != TS_ESTABLISHED && state != TS_CLOSE_WAIT)
		return;
	if (!in_owner_context(BPF_CORE_READ(sk, sk_lock.owned)))
		return;
	if (!use_sk_storage) {
		si = si_by_addr(addr, false);
		if (si && (!si->owner_known || si->inherited || si->from_snapshot)) {
			set_owner(si);
			claim_sync(si, true);
		}
		return;
	}
	/* the state hook asked every socket it saw for its cookie: none, none of ours */
	c.cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	if (!c.cookie)
		return;
	c.o.pid = bpf_get_current_pid_tgid() >> 32;
	old = bpf_map_lookup_elem(&claims, &addr);
	if (old && old->o.pid == c.o.pid && old->cookie == c.cookie)
		return;	/* every later send re-arms the timer: one map write per owner */
	c.o.cgroup_id = bpf_get_current_cgroup_id();
	c.o.flags = current_in_cgroup() ? TS_OWNER_CGROUP_IN : 0;
	bpf_get_current_comm(c.o.comm, sizeof(c.o.comm));
	/* the counted entry, replaced in place - unless the LRU dropped it meanwhile */
	if (old && !bpf_map_update_elem(&claims, &addr, &c, BPF_EXIST))
		return;
	/* a new entry, counted before it can be seen: the state hook must never find the count short */
	__sync_fetch_and_add(&claims_live, 1);
	if (bpf_map_update_elem(&claims, &addr, &c, BPF_NOEXIST))
		__sync_fetch_and_add(&claims_live, -1);
}
