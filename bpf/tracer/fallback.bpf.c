// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fallback.bpf.c - the state hook on the classic tracepoint, for kernels that refuse tp_btf. */
#include "tracer.bpf.h"

/* fill_queues() of core.bpf.c through probe reads: here the socket is only an address */
static __always_inline void fill_queues_core(struct tcpstates_event *e, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (e->newstate == TS_LISTEN || (e->oldstate == TS_LISTEN && e->newstate == TS_CLOSE)) {
		e->rx_queue = BPF_CORE_READ(sk, sk_ack_backlog);
		e->tx_queue = BPF_CORE_READ(sk, sk_max_ack_backlog);
	} else {
		e->rx_queue = BPF_CORE_READ(tp, rcv_nxt) - BPF_CORE_READ(tp, copied_seq);
		e->tx_queue = BPF_CORE_READ(tp, write_seq) - BPF_CORE_READ(tp, snd_una);
	}
	if (e->newstate == TS_CLOSE) {
		e->rx_bytes = BPF_CORE_READ(tp, bytes_received);
		e->tx_bytes = BPF_CORE_READ(tp, bytes_acked);
		e->flags |= TS_F_BYTES;
	}
}

/*
 * Its record carries addresses and ports; the socket itself is only an address, so the loader
 * runs every feature in address mode with it (no socket storage, no cookies).
 */
SEC("tracepoint/sock/inet_sock_set_state")
int on_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct tcpstates_event *e;
	struct conn_next cn = {};
	struct sock *sk;
	bool owner_ctx;

	/* `protocol` was widened from u8 to u16 in 2020: read it at the running kernel's width */
	if (bpf_core_field_size(ctx->protocol) == 1) {
		if (*(__u8 *)&ctx->protocol != IPPROTO_TCP)
			return 0;
	} else if (ctx->protocol != IPPROTO_TCP) {
		return 0;
	}
	e = reserve_any(SLOT_STATE);
	if (!e)
		return 0;
	sk = (struct sock *)ctx->skaddr;
	e->skaddr = (__u64)sk;
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
	fill_queues_core(e, sk);
	owner_ctx = in_owner_context(BPF_CORE_READ(sk, sk_lock.owned));
	if (records_mode == TS_REC_CONNECTIONS) {
		cn.path = conn_path_get(sk, false);
		if (e->newstate == TS_CLOSE)
			conn_tcp_info(cn.path, sk);
	}
	return ts_finish(e, si_by_addr(e->skaddr, e->newstate != TS_CLOSE),
			 e->newstate == TS_CLOSE ? sock_facts(sk) : 0, owner_ctx,
			 records_mode == TS_REC_CONNECTIONS ? &cn : NULL);
}
