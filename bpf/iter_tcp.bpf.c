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

/* icsk_pending: which of the write timer's jobs is armed (include/net/inet_connection_sock.h) */
#define ICSK_TIME_RETRANS 1
#define ICSK_TIME_PROBE0 3
#define ICSK_TIME_LOSS_PROBE 5
#define ICSK_TIME_REO_TIMEOUT 6

/*
 * Fields some kernels have and the host's vmlinux.h (6.18) lacks, as flavours CO-RE matches by
 * name: the write timer's deadline was icsk_timeout up to 6.12 at least (6.18 reads
 * icsk_retransmit_timer.expires); Debian's 6.1 and 6.12 keep a keepalive timer in the icsk
 * (a union with MPTCP's mptcp_tout_timer) beside struct sock's sk_timer, 5.10 and 6.18 only
 * sk_timer.
 */
struct inet_connection_sock___timeout {
	unsigned long icsk_timeout;
} __attribute__((preserve_access_index));

struct inet_connection_sock___ka {
	struct timer_list icsk_keepalive_timer;
} __attribute__((preserve_access_index));

/* timer_pending(): an armed timer is linked in a timer wheel's bucket */
static __always_inline bool armed(const struct timer_list *t)
{
	return t->entry.pprev != NULL;
}

/* j - now as the signed jiffies netstat prints (< 0: overdue); a deadline is days at most */
static __always_inline __s32 left(unsigned long expires, __u64 now)
{
	return (__s32)(long)(expires - (unsigned long)now);
}

/*
 * The timer netstat -o and ss -o show, read as get_tcp4_sock() (net/ipv4/tcp_ipv4.c) reads it:
 * the write timer's job first (retransmit, reordering or tail loss probe: retransmit; zero
 * window probe: probe), else the keepalive timer if armed (it also times an orphan's FIN_WAIT2
 * before its handoff to a minisocket), else off.
 */
static __always_inline void read_timer(struct tcpstates_sock_rec *r, struct tcp_sock *tp)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	struct inet_connection_sock___timeout *ot = (void *)icsk;
	struct inet_connection_sock___ka *ka = (void *)icsk;
	struct sock *sk = (struct sock *)tp;
	__u8 pending = icsk->icsk_pending;
	unsigned long expires;

	if (pending == ICSK_TIME_RETRANS || pending == ICSK_TIME_REO_TIMEOUT ||
	    pending == ICSK_TIME_LOSS_PROBE || pending == ICSK_TIME_PROBE0) {
		if (bpf_core_field_exists(ot->icsk_timeout))
			expires = ot->icsk_timeout;
		else
			expires = icsk->icsk_retransmit_timer.expires;
		r->timer = pending == ICSK_TIME_PROBE0 ? TS_TIMER_PROBE : TS_TIMER_RETRANSMIT;
		r->timer_retries = pending == ICSK_TIME_PROBE0 ? icsk->icsk_probes_out :
								 icsk->icsk_retransmits;
	} else if (bpf_core_field_exists(ka->icsk_keepalive_timer) &&
		   armed(&ka->icsk_keepalive_timer)) {
		expires = ka->icsk_keepalive_timer.expires;
		r->timer = TS_TIMER_KEEPALIVE;
		r->timer_retries = icsk->icsk_probes_out;
	} else if (armed(&sk->sk_timer)) {
		expires = sk->sk_timer.expires;
		r->timer = TS_TIMER_KEEPALIVE;
		r->timer_retries = icsk->icsk_probes_out;
	} else {
		r->timer = TS_TIMER_OFF;
		return;
	}
	r->timer_left_j = left(expires, r->jiffies);
}

/*
 * Jiffies since the connection last received (data: icsk_ack.lrcvtime; an ACK: rcv_tstamp; the
 * later of the two) and last sent data (lsndtime), in tcp_jiffies32's u32 arithmetic, which
 * wraps: the later of two stamps is the one the other is behind (signed difference).
 */
static __always_inline void read_times(struct tcpstates_sock_rec *r, struct tcp_sock *tp)
{
	__u32 now = (__u32)r->jiffies;
	__u32 rcv = tp->inet_conn.icsk_ack.lrcvtime;
	__u32 ack = tp->rcv_tstamp;

	if ((__s32)(ack - rcv) > 0)
		rcv = ack;
	r->last_recv_j = now - rcv;
	r->last_send_j = now - tp->lsndtime;
	r->flags |= TS_SR_TIMES;
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
		r->timer = TS_TIMER_OFF;	/* its SYN-ACK timers are its request sockets' */
	} else {
		__s32 rq = tp->rcv_nxt - tp->copied_seq;

		r->rx_queue = rq > 0 ? rq : 0;	/* ss: racy reads can cross */
		r->tx_queue = tp->write_seq - tp->snd_una;
		read_timer(r, tp);
		read_times(r, tp);
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
	r.jiffies = bpf_jiffies64();	/* next to ts_ns: the loader infers HZ from the pair */
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
		/* netstat's timewait timer: the end of TIME_WAIT, or of the orphan's FIN_WAIT2 */
		r.timer = TS_TIMER_TIMEWAIT;
		r.timer_left_j = left(tw->tw_sk.tw_timer.expires, r.jiffies);
	} else if ((req = bpf_skc_to_tcp_request_sock(skc))) {
		r.cookie = use_cookie ? req->req.req.__req_common.skc_cookie.counter : 0;
		r.kind = TS_SK_REQUEST;
		r.state = TS_SYN_RECV;
		/* no file of its own: whoever holds the listener will accept it */
		r.ino = sock_ino(req->req.req.__req_common.skc_listener);
		/* the SYN-ACK's retransmit timer, and the SYN-ACKs sent again so far */
		r.timer = TS_TIMER_RETRANSMIT;
		r.timer_retries = req->req.req.num_retrans;
		r.timer_left_j = left(req->req.req.rsk_timer.expires, r.jiffies);
	} else {
		return 0;
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
