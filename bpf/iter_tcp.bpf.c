// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* iter_tcp.bpf.c - list every TCP socket of a network namespace, one fixed record per socket. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcpstates.h"

#define AF_INET6 10

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* as the tracer object: may tracing programs ask for cookies (5.12+)? Keys follow from it */
const volatile bool use_cookie = true;

/* what all three kinds share: addresses, ports, family, namespace */
static __always_inline void fill_common(struct tcpstates_sock_rec *r, struct sock_common *skc)
{
	r->family = skc->skc_family;
	r->sport = skc->skc_num;
	r->dport = bpf_ntohs(skc->skc_dport);
	r->netns = skc->skc_net.net->ns.inum;
	if (r->family == AF_INET6) {
		__builtin_memcpy(r->saddr, &skc->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r->daddr, &skc->skc_v6_daddr, 16);
	} else {
		__builtin_memcpy(r->saddr, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(r->daddr, &skc->skc_daddr, 4);
	}
}

/* the inode `ss -p` matches against /proc/PID/fd; 0 for a socket no file holds (not accepted) */
static __always_inline __u64 sock_ino(struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

/* netstat's Recv-Q and Send-Q; a listener's accept queue and backlog, as ss shows them */
static __always_inline void fill_full(struct tcpstates_sock_rec *r, struct tcp_sock *tp)
{
	struct sock *sk = (struct sock *)tp;

	r->kind = TS_SK_FULL;
	r->state = sk->__sk_common.skc_state;
	r->ino = sock_ino(sk);
	if (r->state == TS_LISTEN) {
		r->rx_queue = sk->sk_ack_backlog;
		r->tx_queue = sk->sk_max_ack_backlog;
	} else {
		__s32 rq = tp->rcv_nxt - tp->copied_seq;

		r->rx_queue = rq > 0 ? rq : 0;	/* ss: racy reads can cross */
		r->tx_queue = tp->write_seq - tp->snd_una;
	}
}

SEC("iter/tcp")
int dump_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_timewait_sock *tw;
	struct tcp_request_sock *req;
	struct tcpstates_sock_rec r = {};
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	r.ts_ns = bpf_ktime_get_ns();
	r.skaddr = (__u64)skc;
	fill_common(&r, skc);
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp) {
		r.cookie = use_cookie ? bpf_get_socket_cookie(tp) : 0;
		r.key = use_cookie ? r.cookie : r.skaddr;
		fill_full(&r, tp);
	} else if ((tw = bpf_skc_to_tcp_timewait_sock(skc))) {
		/* inherited from the full socket it replaced, if anything asked for one then */
		r.cookie = use_cookie ? tw->tw_sk.__tw_common.skc_cookie.counter : 0;
		/* tw_key() of bpf/tracer/timewait.bpf.c */
		r.key = r.cookie ? r.cookie : (1ULL << 63) | (((__u64)skc->skc_hash << 31) ^
							     skc->skc_portpair);
		r.kind = TS_SK_TIMEWAIT;
		/* an orphan waiting for the peer's FIN is a timewait socket in FIN_WAIT2 */
		r.state = tw->tw_sk.tw_substate;
	} else if ((req = bpf_skc_to_tcp_request_sock(skc))) {
		r.cookie = use_cookie ? req->req.req.__req_common.skc_cookie.counter : 0;
		r.kind = TS_SK_REQUEST;
		r.state = TS_SYN_RECV;
		/* no file of its own: whoever holds the listener will accept it */
		r.ino = sock_ino(req->req.req.__req_common.skc_listener);
	} else {
		return 0;
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
