// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* witness.bpf.c - sockets destroyed while we believed them open: their close, inferred, counted. */
#include "tracer.bpf.h"

/*
 * A socket destroyed while its entry still says it is open went through transitions
 * inet_sock_set_state never delivered to us. Report the close we know must have been (from the
 * last state seen), marked inferred, and count the loss - never silent.
 */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(on_destroy, struct sock *sk)
{
	struct tcpstates_sock_info *si = si_get(sk, false);
	__u8 last;

	/* TIME_WAIT: the connection lives on in a timewait minisocket, this socket is done */
	if (!si || !si->state || si->state == TS_CLOSE || si->state == TS_TIME_WAIT)
		return 0;
	last = si->state;
	count(TS_CNT_UNSEEN);
	return ts_handle(sk, last, TS_CLOSE, SLOT_WITNESS, TS_F2_INFERRED);
}
