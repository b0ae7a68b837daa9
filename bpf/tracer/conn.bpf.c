// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* conn.bpf.c - --records connections: a connection's path of states, kept until it ends, sent once. */
#include "tracer.bpf.h"

/*
 * The path so far, per socket: socket storage (without BPF_F_CLONE: a listener's child starts
 * its own), or in address mode a hash by the socket's address, deleted at its end. The loader
 * shrinks the maps of the mode not in use to one entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tcpstates_conn_path);
} conn_path SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstates_conn_path);
} conn_path_by_addr SEC(".maps");

/*
 * Connections whose owner closed them in FIN_WAIT2 before the peer's FIN: the record waits here,
 * by its minisocket's key (timewait.bpf.c), for the end of that FIN_WAIT2 (the FIN, or the
 * timeout). Its last state's dur_ns holds, until then, when it entered it (0: unknown). Not an
 * LRU: a full map is counted (TS_CNT_CONN_LOST).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcpstates_conn);
} conn_waiting SEC(".maps");

/* where a waiting record is built on its way into conn_waiting (a helper takes no ring memory) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpstates_conn);
} conn_scratch SEC(".maps");

__hidden struct tcpstates_conn_path *conn_path_get(struct sock *sk, bool btf)
{
	struct tcpstates_conn_path zero = {}, *p;
	__u64 addr = (__u64)sk;

	if (records_mode != TS_REC_CONNECTIONS)
		return NULL;
	if (btf && use_sk_storage)
		return bpf_sk_storage_get(&conn_path, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	p = bpf_map_lookup_elem(&conn_path_by_addr, &addr);
	if (p)
		return p;
	bpf_map_update_elem(&conn_path_by_addr, &addr, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&conn_path_by_addr, &addr);
}

/* What ss -i shows of the socket at its end; read through probe reads, as both hooks can. */
__hidden void conn_tcp_info(struct tcpstates_conn_path *p, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (!p)
		return;
	p->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	p->retrans = BPF_CORE_READ(tp, total_retrans);
	p->cflags |= TS_C_TCP_INFO;
	if (bpf_core_field_exists(tp->segs_in) && bpf_core_field_exists(tp->segs_out)) {
		p->segs_in = BPF_CORE_READ(tp, segs_in);
		p->segs_out = BPF_CORE_READ(tp, segs_out);
		p->cflags |= TS_C_SEGS;
	}
}

/*
 * A path index the verifier can see is in bounds. The callers have checked it; but the compiler,
 * knowing so, would drop a plain mask, and older verifiers (6.1) lose the check's bounds on the
 * way: the empty asm hides the value from the compiler so that the mask stays.
 */
static __always_inline __u32 PATH_I(__u32 i)
{
	asm volatile("" : "+r"(i));
	return i & (TS_PATH_MAX - 1);
}

static __always_inline void path_push(struct tcpstates_conn_path *p, __u8 state, __u64 dur)
{
	__u32 n = p->path_len;

	if (n >= TS_PATH_MAX) {
		p->cflags |= TS_C_TRUNCATED;
		return;
	}
	p->path[PATH_I(n)] = state;
	p->dur_ns[PATH_I(n)] = dur;
	p->path_len = n + 1;
}

/* the path's last state (0: none) */
static __always_inline __u8 path_last(const struct tcpstates_conn_path *p)
{
	__u32 n = p->path_len;

	if (n == 0 || n > TS_PATH_MAX)
		return 0;
	return p->path[PATH_I(n - 1)];
}

/* the time in the path's last state, now that it is left at `now` */
static __always_inline void path_close_last(struct tcpstates_conn_path *p, __u64 now)
{
	__u32 n = p->path_len;

	if (n == 0 || n > TS_PATH_MAX)
		return;
	p->dur_ns[PATH_I(n - 1)] = p->entered_ns ? now - p->entered_ns : TS_DUR_UNKNOWN;
}

/* the record of a path and of its socket's last transition e */
static __always_inline void conn_fill(struct tcpstates_conn *c, const struct tcpstates_conn_path *p,
				      const struct tcpstates_event *e)
{
	c->start_ns = p->start_ns;
	c->end_ns = e->ts_ns;
	c->cookie = e->cookie;
	c->skaddr = e->skaddr;
	c->cgroup_id = e->cgroup_id;
	c->rx_bytes = e->rx_bytes;
	c->tx_bytes = e->tx_bytes;
	__builtin_memcpy(c->dur_ns, p->dur_ns, sizeof(c->dur_ns));
	__builtin_memcpy(c->saddr, e->saddr, sizeof(c->saddr));
	__builtin_memcpy(c->daddr, e->daddr, sizeof(c->daddr));
	c->pid = e->pid;
	c->opener_pid = p->opener_pid;
	c->netns = e->netns;
	c->srtt_us = p->srtt_us;
	c->retrans = p->retrans;
	c->segs_in = p->segs_in;
	c->segs_out = p->segs_out;
	c->sport = e->sport;
	c->dport = e->dport;
	c->family = e->family;
	c->rst_reason = e->rst_reason;
	__builtin_memcpy(c->path, p->path, sizeof(c->path));
	c->path_len = p->path_len;
	c->reason = e->reason;
	c->flags = e->flags;
	c->flags2 = e->flags2;
	c->cflags = p->cflags;
	c->hook = e->hook;
	__builtin_memset(c->_pad, 0, sizeof(c->_pad));
	__builtin_memcpy(c->comm, e->comm, sizeof(c->comm));
	__builtin_memcpy(c->opener_comm, p->opener_comm, sizeof(c->opener_comm));
}

static __always_inline void conn_submit(struct tcpstates_conn *c)
{
	count(TS_CNT_CONNS);
	RB_SUBMIT(c);
}

/* the connection ends now (e: its last transition): one record */
static __always_inline void conn_end(const struct tcpstates_conn_path *p, const struct tcpstates_event *e)
{
	struct tcpstates_conn *c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);

	if (!c) {
		count(TS_CNT_CONN_LOST);
		return;
	}
	conn_fill(c, p, e);
	/* into TIME_WAIT: the FIN exchange completed, the orderly end (that record has no reason) */
	if (c->reason == TS_R_NONE)
		c->reason = TS_R_ORDERLY;
	conn_submit(c);
}

/* an orphan in FIN_WAIT2: its record waits for that state's end, by the minisocket's key */
static __always_inline void conn_wait(const struct tcpstates_conn_path *p, const struct tcpstates_event *e,
				      __u64 twkey)
{
	struct tcpstates_conn *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&conn_scratch, &zero);
	if (!c)
		return;
	conn_fill(c, p, e);
	/* FIN_WAIT2 goes on: its entry time, until then */
	if (c->path_len > 0 && c->path_len <= TS_PATH_MAX)
		c->dur_ns[PATH_I(c->path_len - 1)] = p->entered_ns;
	if (bpf_map_update_elem(&conn_waiting, &twkey, c, BPF_ANY))
		count(TS_CNT_CONN_LOST);
}

/*
 * A transition of the socket whose path is p (NULL: no room; its end is counted lost), record e
 * as ts_finish() made it (owner, duration, reason; newstate TIME_WAIT where a TIME_WAIT
 * minisocket takes over), tw: the minisocket born from it (TS_FIN_WAIT2: an orphan that waits for
 * the peer's FIN, key twkey).
 */
static __always_inline void conn_step(struct tcpstates_conn_path *p, const struct tcpstates_event *e,
				      __u8 tw, __u64 twkey)
{
	__u8 old = e->oldstate, new = e->newstate;
	bool ends = new == TS_CLOSE || new == TS_TIME_WAIT;

	if (!p) {
		if (ends)
			count(TS_CNT_CONN_LOST);
		return;
	}
	/* a new connection: connect(), listen(), or a listener's new child */
	if (old == TS_CLOSE || (old == TS_LISTEN && new == TS_SYN_RECV)) {
		__builtin_memset(p, 0, sizeof(*p));
		p->start_ns = e->ts_ns;
		p->cflags = TS_C_START_KNOWN;
		if (e->flags & TS_F_OWNER_KNOWN) {
			p->opener_pid = e->pid;
			__builtin_memcpy(p->opener_comm, e->comm, sizeof(p->opener_comm));
			p->cflags |= TS_C_OPENER;
		}
	}
	/* the kernel set the state it was in (shutdown(), then close(), in FIN_WAIT1): one stay */
	if (old == new && path_last(p) == old)
		return;
	/* older than the tracer, or transitions missed: the state it left, for an unknown time */
	if (old != TS_CLOSE && !(old == TS_LISTEN && new == TS_SYN_RECV) && path_last(p) != old) {
		path_push(p, old, TS_DUR_UNKNOWN);
		p->entered_ns = 0;
	}
	/* an orphan's FIN_WAIT2 goes on in its minisocket: the record waits for its end there */
	if (tw == TS_FIN_WAIT2) {
		conn_wait(p, e, twkey);
		p->path_len = 0;
		return;
	}
	path_close_last(p, e->ts_ns);
	if (new != TS_CLOSE)
		path_push(p, new, TS_DUR_UNKNOWN);
	p->entered_ns = e->ts_ns;
	if (!ends)
		return;
	if (new == TS_TIME_WAIT)
		p->cflags |= TS_C_END_OPEN;
	conn_end(p, e);
	/* a socket can connect() again after CLOSE: it starts a new path then */
	p->path_len = 0;
}

__hidden void conn_next(struct tcpstates_conn_path *p, const struct tcpstates_event *e, __u8 tw,
		       __u64 twkey)
{
	__u64 addr = e->skaddr;

	conn_step(p, e, tw, twkey);
	/* address mode: a socket that ends leaves its address to the next one */
	if (!use_sk_storage && (e->newstate == TS_CLOSE || e->newstate == TS_TIME_WAIT))
		bpf_map_delete_elem(&conn_path_by_addr, &addr);
}

/*
 * timewait.bpf.c: the orphan whose minisocket is `key` leaves FIN_WAIT2 (e: that transition,
 * to TIME_WAIT on the peer's FIN, or to CLOSE at the timeout, with its time and reason).
 */
__hidden void conn_orphan_end(__u64 key, const struct tcpstates_event *e)
{
	struct tcpstates_conn *w = bpf_map_lookup_elem(&conn_waiting, &key), *c;
	__u32 n, last;

	if (!w)
		return;
	c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
	if (!c) {
		count(TS_CNT_CONN_LOST);
		bpf_map_delete_elem(&conn_waiting, &key);
		return;
	}
	__builtin_memcpy(c, w, sizeof(*c));
	n = c->path_len;
	if (n > 0 && n <= TS_PATH_MAX) {
		last = PATH_I(n - 1);
		c->dur_ns[last] = c->dur_ns[last] && e->ts_ns >= c->dur_ns[last] ?
					  e->ts_ns - c->dur_ns[last] : TS_DUR_UNKNOWN;
	}
	if (e->newstate == TS_TIME_WAIT) {
		if (n < TS_PATH_MAX) {
			c->path[PATH_I(n)] = TS_TIME_WAIT;
			c->dur_ns[PATH_I(n)] = TS_DUR_UNKNOWN;
			c->path_len = n + 1;
		} else {
			c->cflags |= TS_C_TRUNCATED;
		}
		c->cflags |= TS_C_END_OPEN;
	} else {
		c->reason = e->reason;
	}
	c->end_ns = e->ts_ns;
	conn_submit(c);
	bpf_map_delete_elem(&conn_waiting, &key);
}
