// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* owner.bpf.c - owner takeover: an accepted socket belongs to the process that first uses it. */
#include "tracer.bpf.h"

/*
 * From accept() on, a passively opened socket belongs to the process that accepted it - in a
 * prefork server a worker, not the listener's owner. No hook that runs here sees accept() without
 * taxing every syscall of the machine, so the owner is taken over at the socket's first send or
 * receive, both made by its process under the socket lock:
 *   receive  tcp:tcp_rcv_space_adjust (every kernel)
 *   send     tcp:tcp_sendmsg_locked (6.18+), else the TCP write timer that a send arms
 *            (timer_start with tcp_write_timer), which sees only the socket's address
 */

/* address of tcp_write_timer (the loader reads /proc/kallsyms); 0: on_write_timer is not loaded */
const volatile __u64 write_timer_fn;

static __always_inline void claim_owner(struct sock *sk)
{
	struct tcpstates_sock_info *si = si_get(sk, false);

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

SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(on_recvmsg, struct sock *sk)
{
	claim_owner(sk);
	return 0;
}

/* the send side where tcp_sendmsg_locked is no tracepoint: a send arms the write timer */
SEC("tp_btf/timer_start")
int BPF_PROG(on_write_timer, struct timer_list *timer)
{
	struct tcpstates_owner o = {}, *old;
	struct tcpstates_sock_info *si;
	struct sock *sk;
	__u64 addr;

	if ((__u64)timer->function != write_timer_fn)
		return 0;
	addr = (__u64)timer - bpf_core_field_offset(struct inet_connection_sock,
						    icsk_retransmit_timer);
	sk = (struct sock *)addr;
	if (!use_sk_storage) {
		si = si_by_addr(addr, false);
		if (!si || (si->owner_known && !si->inherited && !si->from_snapshot))
			return 0;
		if (in_owner_context(BPF_CORE_READ(sk, sk_lock.owned)))
			set_owner(si);
		return 0;
	}
	if (!in_owner_context(BPF_CORE_READ(sk, sk_lock.owned)))
		return 0;
	o.pid = bpf_get_current_pid_tgid() >> 32;
	old = bpf_map_lookup_elem(&claims, &addr);
	if (old && old->pid == o.pid)
		return 0;	/* every later send re-arms the timer: one map write per owner */
	o.cgroup_id = bpf_get_current_cgroup_id();
	o.flags = current_in_cgroup() ? TS_OWNER_CGROUP_IN : 0;
	bpf_get_current_comm(o.comm, sizeof(o.comm));
	bpf_map_update_elem(&claims, &addr, &o, BPF_ANY);
	return 0;
}
