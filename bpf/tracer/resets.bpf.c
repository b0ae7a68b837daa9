// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* resets.bpf.c - resets received and sent, noted on the socket for the close reason after. */
#include "tracer.bpf.h"

/* the kernel's tcp_send_reset has a reason argument from 6.10 on; the loader picks the program */
extern void tw_note_reset(__u64 tw, __u32 reason) __hidden;

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(on_receive_reset, struct sock *sk)
{
	struct tcpstates_sock_info *si = si_get(sk, false);

	if (si)
		si->rst = RST_RECEIVED;
	return 0;
}

static __always_inline void note_sent(struct sock *sk, __u32 reason)
{
	struct tcpstates_sock_info *si;

	/* NULL: a reset for a packet no socket wanted; a listener's resets don't end it */
	if (!sk || sk->__sk_common.skc_state == TS_LISTEN)
		return;
	/* a timewait minisocket answering a segment with a reset, which then ends it */
	if (sk->__sk_common.skc_state == TS_TIME_WAIT) {
		tw_note_reset((__u64)sk, reason);
		return;
	}
	si = si_get(sk, false);
	if (si && si->rst != RST_RECEIVED) {
		si->rst = RST_SENT;
		si->rst_reason = reason;
	}
}

/* 6.10+: (sk, skb, reason) */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_send_reset, struct sock *sk, struct sk_buff *skb, enum sk_rst_reason reason)
{
	note_sent(sk, reason);
	return 0;
}

/* before 6.10: (sk, skb); the kernel gave no reason (0: NOT_SPECIFIED) */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_send_reset_old, struct sock *sk, struct sk_buff *skb)
{
	note_sent(sk, 0);
	return 0;
}
