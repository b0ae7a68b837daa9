/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* tcpstates.h - what the BPF programs and the loader both read: records, map entries, constants. */
#ifndef TCPSTATES_H
#define TCPSTATES_H

/* the BPF programs get the __u* types from vmlinux.h, included first; the loader from here */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TCPSTATES_COMM_LEN 16

/*
 * TCP states, numbered as the kernel numbers them (include/net/tcp_states.h), named as netstat
 * names them (net-tools, /proc/net/tcp states 1-11). One row per state: the enum below and the
 * names of user/states.c come from this list. TCP_NEW_SYN_RECV (12) is a request socket and
 * never passes the tracepoint.
 */
#define TS_STATE_LIST(X)	\
	X(ESTABLISHED, 1)	\
	X(SYN_SENT, 2)		\
	X(SYN_RECV, 3)		\
	X(FIN_WAIT1, 4)		\
	X(FIN_WAIT2, 5)		\
	X(TIME_WAIT, 6)		\
	X(CLOSE, 7)		\
	X(CLOSE_WAIT, 8)	\
	X(LAST_ACK, 9)		\
	X(LISTEN, 10)		\
	X(CLOSING, 11)		\
	X(NEW_SYN_RECV, 12)

enum tcpstates_state {
#define TS_STATE_ENUM(name, num) TS_##name = num,
	TS_STATE_LIST(TS_STATE_ENUM)
#undef TS_STATE_ENUM
	TS_MAX_STATE = 13,
};

/* event flags */
#define TS_F_OWNER_KNOWN 0x01	/* pid/comm/cgroup hold the socket's owner */
#define TS_F_DUR_KNOWN 0x02	/* dur_ns is real: we saw the socket enter oldstate */
#define TS_F_COOKIE_KNOWN 0x04	/* cookie is the kernel's socket cookie */
#define TS_F_OWNER_INHERITED 0x08 /* owner is the listener's: no process has used this socket yet */
#define TS_F_GAP 0x10		/* oldstate is not the last new state we saw: transitions were missed */
#define TS_F_RST_REASON 0x40	/* rst_reason holds the kernel's reason for the reset we sent */
#define TS_F_BYTES 0x80		/* rx_bytes/tx_bytes hold the connection's totals (into CLOSE) */

/* event flags2 (flags is full) */
#define TS_F2_SNAPSHOT 0x01	/* not a transition: a socket that existed at start (oldstate 0) */
#define TS_F2_OWNER_SNAPSHOT 0x02 /* owner found by scanning /proc at start (as ss -p does) */
#define TS_F2_TIMEWAIT 0x04	/* about a timewait minisocket (TIME_WAIT, orphaned FIN_WAIT2) */
#define TS_F2_INFERRED 0x08	/* not delivered by the hook: the socket was destroyed in oldstate,
				 * so its transitions to CLOSE happened unseen (TS_CNT_UNSEEN) */
#define TS_F2_CGROUP_IN 0x10	/* the owner is in the --cgroup directory or below it (decided in
				 * the kernel, where it can read the owner's ancestors) */
#define TS_F2_FIN_UNSEEN 0x20	/* never output: a tw_pending record whose FIN_WAIT2 -> TIME_WAIT
				 * was not reported; its FIN came dur_ns before ts_ns, to within
				 * precision_ns (user/timewait.c reports it before the record) */
#define TS_F2_OWNER_HOLDER 0x40 /* never from the kernel: a --stuck report names a process that
				 * holds an fd on the socket now (its remembered owner did not) */
#define TS_F2_TALLIED 0x80	/* never output: --stuck with --records none or connections, a
				 * copy for the stuck tracker of a transition the kernel counted
				 * or keeps in a connection's path */

/* why a connection went to CLOSE (or was reset); TS_R_NONE on other transitions */
/* one row per reason: the enum below and the names of user/reasons.c (JSON, text) */
#define TS_REASON_LIST(X)							\
	X(UNKNOWN, unknown)							\
	X(ORDERLY, orderly)		/* the normal end of the FIN exchange (or a	\
					 * listener closed) */				\
	X(RESET_RECEIVED, reset_received) /* the peer sent a reset */		\
	X(RESET_SENT, reset_sent)	/* we sent one: close() with unread data,	\
					 * SO_LINGER 0, an error */			\
	X(REFUSED, refused)		/* SYN_SENT -> CLOSE by a reset: nobody listens	\
					 * there */					\
	X(TIMEOUT, timeout)		/* retransmissions or keepalive probes gave up	\
					 * (ETIMEDOUT) */				\
	X(TIMEWAIT_EXPIRED, timewait_expired) /* a TIME_WAIT socket ran out (a	\
					 * FIN_WAIT2 minisocket: TIMEOUT) */		\
	X(NETNS_EXIT, netns_exit)	/* a timewait socket removed with its network	\
					 * namespace */					\
	X(REUSED, reused)		/* a TIME_WAIT ended early: a new connection	\
					 * took its addresses and ports */		\
	X(UNREACHABLE, unreachable)	/* an ICMP error ended a connect: host or	\
					 * network unreachable */

enum tcpstates_reason {
	TS_R_NONE = 0,		/* not a transition into CLOSE: no reason, no name */
#define TS_REASON_ENUM(name, word) TS_R_##name,
	TS_REASON_LIST(TS_REASON_ENUM)
#undef TS_REASON_ENUM
	TS_R_MAX,
};

/* which kernel hook produced the event */
#define TS_HOOK_BTF 1		/* tp_btf/inet_sock_set_state */
#define TS_HOOK_TP 2		/* tracepoint/sock/inet_sock_set_state (fallback) */

/* one TCP state transition; fixed-width, largest first, no implicit padding */
struct tcpstates_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() when the kernel changed state */
	__u64 cookie;		/* socket cookie: the socket's id (TS_F_COOKIE_KNOWN) */
	__u64 skaddr;		/* kernel address of the struct sock (for -x) */
	__u64 dur_ns;		/* time spent in oldstate (TS_F_DUR_KNOWN) */
	__u64 cgroup_id;	/* owner's cgroup v2 id (TS_F_OWNER_KNOWN) */
	__u64 rx_bytes;		/* bytes received in the connection's life (TS_F_BYTES) */
	__u64 tx_bytes;		/* bytes sent and acknowledged by the peer (TS_F_BYTES) */
	__u64 precision_ns;	/* ts_ns is within this of the real change (0: exact) */
	__u8 saddr[16];		/* local address, network order; first 4 bytes for AF_INET */
	__u8 daddr[16];		/* remote address, same layout */
	__u32 pid;		/* owner's thread-group id (TS_F_OWNER_KNOWN) */
	__u32 netns;		/* inode number of the socket's network namespace */
	__u32 rx_queue;		/* netstat Recv-Q: received, not yet read (listener: accept queue) */
	__u32 tx_queue;		/* netstat Send-Q: sent, not yet acknowledged (listener: backlog) */
	__u16 sport;		/* local port, host order (0 before connect() picks it) */
	__u16 dport;		/* remote port, host order */
	__u16 family;		/* AF_INET or AF_INET6 (of the socket) */
	__u16 rst_reason;	/* kernel enum sk_rst_reason of the reset we sent (TS_F_RST_REASON) */
	__u8 oldstate;		/* enum tcpstates_state */
	__u8 newstate;		/* enum tcpstates_state */
	__u8 flags;		/* TS_F_* */
	__u8 hook;		/* TS_HOOK_* */
	__u8 reason;		/* enum tcpstates_reason */
	__u8 flags2;		/* TS_F2_* */
	__u8 timer;		/* enum tcpstates_timer: read by the loader (snapshot, stuck); the
				 * kernel leaves it TS_TIMER_UNREAD */
	__u8 timer_retries;	/* retransmits (RETRANSMIT), probes sent (PROBE, KEEPALIVE) */
	char comm[TCPSTATES_COMM_LEN]; /* owner's command (TS_F_OWNER_KNOWN) */
	__s64 timer_left_ns;	/* time until the timer fires (< 0: overdue), with timer > OFF;
				 * TS_TIMER_LEFT_UNKNOWN where HZ is not known */
};
_Static_assert(sizeof(struct tcpstates_event) == 152, "event record must not change size silently");

/*
 * --records: what the kernel sends the loader, one row per kind (cli.c parses the words).
 * TRANSITIONS: a tcpstates_event per transition; CONNECTIONS: a tcpstates_conn per connection,
 * kept in the kernel until it ends; NONE: nothing per event, only tallies (tally.bpf.c).
 */
#define TS_RECORDS_LIST(X)	\
	X(TRANSITIONS, transitions)	\
	X(CONNECTIONS, connections)	\
	X(NONE, none)

enum tcpstates_records {
#define TS_RECORDS_ENUM(name, word) TS_REC_##name,
	TS_RECORDS_LIST(TS_RECORDS_ENUM)
#undef TS_RECORDS_ENUM
	TS_REC_MAX,
};

/* the states a connection record's path can hold; a longer path keeps its first ones (a power of
 * two: the BPF side masks its indexes with TS_PATH_MAX - 1) */
#define TS_PATH_MAX 16
/* a duration in a path that is not known (the socket is older than the tracer) */
#define TS_DUR_UNKNOWN (~0ULL)

/* connection record flags (tcpstates_conn.cflags) */
#define TS_C_START_KNOWN 0x01	/* start_ns is the socket's first transition (not older) */
#define TS_C_OPENER 0x02	/* opener_pid/opener_comm: the owner at its first transition */
#define TS_C_TCP_INFO 0x04	/* srtt_us and retrans were read from the socket at its end */
#define TS_C_SEGS 0x08		/* segs_in/segs_out too (the kernel has them) */
#define TS_C_TRUNCATED 0x10	/* more than TS_PATH_MAX states: the path keeps the first ones */
#define TS_C_END_OPEN 0x20	/* the last state of the path continues as a minisocket
				 * (TIME_WAIT): its duration is not waited for */

/*
 * One connection, from its first transition to its end for its owner (--records connections),
 * built in the kernel (bpf/tracer/conn.bpf.c) and written once. The ring buffer tells it from a
 * tcpstates_event by its size. path[i] is a state it was in (CLOSE never), for dur_ns[i]
 * (TS_DUR_UNKNOWN: not known); fixed-width, largest first, no implicit padding.
 */
struct tcpstates_conn {
	__u64 start_ns;		/* its first transition (TS_C_START_KNOWN), bpf_ktime_get_ns() */
	__u64 end_ns;		/* its last: into CLOSE, TIME_WAIT or out of an orphan's FIN_WAIT2 */
	__u64 cookie;		/* socket cookie (0: unknown) */
	__u64 skaddr;		/* kernel address of the struct sock */
	__u64 cgroup_id;	/* owner's cgroup v2 id (TS_F_OWNER_KNOWN) */
	__u64 rx_bytes;		/* bytes received in its life */
	__u64 tx_bytes;		/* bytes sent and acknowledged */
	__u64 dur_ns[TS_PATH_MAX]; /* time in path[i] */
	__u8 saddr[16];		/* local address, network order; first 4 bytes for AF_INET */
	__u8 daddr[16];		/* remote address, same layout */
	__u32 pid;		/* owner at the end (TS_F_OWNER_KNOWN) */
	__u32 opener_pid;	/* owner at the first transition (TS_C_OPENER) */
	__u32 netns;		/* inode number of its network namespace */
	__u32 srtt_us;		/* smoothed round-trip time at the end (TS_C_TCP_INFO) */
	__u32 retrans;		/* retransmitted segments in its life (TS_C_TCP_INFO) */
	__u32 segs_in;		/* segments received (TS_C_SEGS) */
	__u32 segs_out;		/* segments sent (TS_C_SEGS) */
	__u16 sport;		/* local port, host order */
	__u16 dport;		/* remote port, host order */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 rst_reason;	/* kernel enum sk_rst_reason of the reset we sent (TS_F_RST_REASON) */
	__u8 path[TS_PATH_MAX];	/* enum tcpstates_state, in order */
	__u8 path_len;		/* states in path */
	__u8 reason;		/* enum tcpstates_reason of its end */
	__u8 flags;		/* TS_F_* of its last transition (owner, reset reason, bytes) */
	__u8 flags2;		/* TS_F2_* of its last transition */
	__u8 cflags;		/* TS_C_* */
	__u8 hook;		/* TS_HOOK_* */
	__u8 _pad[6];
	char comm[TCPSTATES_COMM_LEN];	/* owner's command at the end */
	char opener_comm[TCPSTATES_COMM_LEN]; /* opener's command (TS_C_OPENER) */
};
_Static_assert(sizeof(struct tcpstates_conn) == 312, "connection record must not change size");
_Static_assert(sizeof(struct tcpstates_conn) != sizeof(struct tcpstates_event),
	       "the reader tells the records apart by their size");

/*
 * A connection's path as the kernel keeps it until its end (conn.bpf.c: socket storage, or a
 * hash by address; an orphan waiting in FIN_WAIT2 hands it on, by its minisocket's key).
 */
struct tcpstates_conn_path {
	__u64 start_ns;		/* its first transition (0: older than the tracer) */
	__u64 entered_ns;	/* when it entered its last state (0: unknown) */
	__u64 dur_ns[TS_PATH_MAX];
	__u32 opener_pid;
	__u32 srtt_us;		/* read at its end (TS_C_TCP_INFO) */
	__u32 retrans;
	__u32 segs_in;
	__u32 segs_out;
	__u8 path[TS_PATH_MAX];
	__u8 path_len;
	__u8 cflags;		/* TS_C_* */
	__u8 _pad[2];
	char opener_comm[TCPSTATES_COMM_LEN];
};
_Static_assert(sizeof(struct tcpstates_conn_path) == 200, "path entry must not change size");

/*
 * --records none: what the kernel counts, per CPU (bpf/tracer/tally.bpf.c), for the loader's
 * statistics (user/tally.c sums the CPUs): the same things user/stats.c counts of each record.
 */
#define TS_TALLY_STATES 16
#define TS_TALLY_REASONS 16

/* the TCP MIB counters' inputs, as user/stats.c's count_mib() counts them */
enum tcpstates_tally_mib {
	TS_MIB_OPENS,		/* CLOSE -> SYN_SENT (ActiveOpens, less the connects failed) */
	TS_MIB_PASSIVE,		/* LISTEN -> SYN_RECV (PassiveOpens) */
	TS_MIB_ATTEMPT_FAILS,	/* SYN_SENT -> CLOSE on an error, SYN_RECV -> CLOSE (AttemptFails) */
	TS_MIB_ESTAB_RESETS,	/* ESTABLISHED or CLOSE_WAIT -> CLOSE (EstabResets) */
	TS_MIB_CONNECTS_FAILED,	/* SYN_SENT -> CLOSE before a port was taken: no SYN sent */
	TS_MIB_MAX,
};

struct tcpstates_tally {
	__u64 pairs[TS_TALLY_STATES][TS_TALLY_STATES];	/* transitions by (old, new) state */
	__u64 reasons[TS_TALLY_REASONS];		/* ... by close reason (TS_R_*) */
	__u64 mib[TS_MIB_MAX];		/* delivered transitions only: not inferred, not timewait */
};

/*
 * A pair's key in tally_hists (tally.bpf.c), a per-CPU hash whose entries are made as pairs
 * occur: memory for the twenty-odd pairs TCP makes, not for 16 x 16.
 */
#define TS_TALLY_PAIR(old, new) ((__u32)(old) * TS_TALLY_STATES + (__u32)(new))

/*
 * A pair's durations in ns: below 8 exact, above in 4 sub-buckets per power of two (the two
 * bits below the highest set bit), so a value stands for its bucket's middle within 1/8
 * (12.5 %) of itself; count and sum exact (sum: wraps after 584 years), max exact. 2 KiB a pair
 * per CPU (16 sub-buckets, as the loader's stats_hist, would be 7.8).
 */
#define TS_TALLY_BUCKETS 252	/* ts_tally_bucket(2^64 - 1) + 1 */
struct tcpstates_tally_hist {
	__u64 sum_ns;			/* durations added */
	__u64 max_ns;			/* the largest (per CPU: the loader takes the largest) */
	__u64 b[TS_TALLY_BUCKETS];	/* durations per bucket: their sum is the count */
};

/*
 * The bucket of v: v below 8; else, for 2^e <= v < 2^(e+1), 4e - 4 + the two bits of v below
 * bit e. floor(log2 v) by halving, not a clz: BPF has none, and the kernel side computes it too.
 */
static inline __u32 ts_tally_bucket(__u64 v)
{
	__u64 x = v;
	__u32 e = 0;

	if (v < 8)
		return (__u32)v;
	if (x >> 32) {
		x >>= 32;
		e += 32;
	}
	if (x >> 16) {
		x >>= 16;
		e += 16;
	}
	if (x >> 8) {
		x >>= 8;
		e += 8;
	}
	if (x >> 4) {
		x >>= 4;
		e += 4;
	}
	if (x >> 2) {
		x >>= 2;
		e += 2;
	}
	if (x >> 1)
		e += 1;
	return 4 * e - 4 + (__u32)((v >> (e - 2)) & 3);
}

/* the smallest value of bucket i, and in *width how many values it holds */
static inline __u64 ts_tally_bucket_low(__u32 i, __u64 *width)
{
	__u32 e = i / 4 + 1;

	if (i < 8) {
		*width = 1;
		return i;
	}
	*width = 1ULL << (e - 2);
	return (__u64)(4 + i % 4) << (e - 2);
}

/* what a socket is, in a snapshot record */
enum tcpstates_sock_kind {
	TS_SK_FULL = 1,		/* a full socket: listener or connection */
	TS_SK_TIMEWAIT = 2,	/* a timewait minisocket: TIME_WAIT, or FIN_WAIT2 (tw_substate) */
	TS_SK_REQUEST = 3,	/* a request socket (TCP_NEW_SYN_RECV), reported as SYN_RECV */
};

/*
 * A socket's pending timer, as netstat -o and ss -o show it in their Timer column; one row per
 * kind, X(NAME, word): the word is the JSON value
 */
#define TS_TIMER_LIST(X)		\
	X(OFF, off)			\
	X(RETRANSMIT, retransmit)	\
	X(PROBE, probe)			\
	X(KEEPALIVE, keepalive)		\
	X(TIMEWAIT, timewait)

enum tcpstates_timer {
	TS_TIMER_UNREAD = 0,		/* not read: a transition record */
#define TS_TIMER_ENUM(name, word) TS_TIMER_##name,
	TS_TIMER_LIST(TS_TIMER_ENUM)
#undef TS_TIMER_ENUM
	TS_TIMER_MAX,
};

/* tcpstates_event.timer_left_ns of a timer whose jiffies could not be turned into ns */
#define TS_TIMER_LEFT_UNKNOWN (-0x7fffffffffffffffLL - 1)

#define TS_SR_TIMES 0x1		/* last_recv_j and last_send_j are read (a full connection) */

/* one socket as the iter/tcp program (bpf/iter_tcp.bpf.c) writes it; fixed-width, no holes */
struct tcpstates_sock_rec {
	__u64 ts_ns;		/* bpf_ktime_get_ns() when the iterator saw it */
	__u64 cookie;		/* socket cookie (0: none) */
	__u64 skaddr;		/* kernel address of the socket */
	__u64 ino;		/* inode of the socket's file (request socket: its listener's); 0: none */
	__u64 key;		/* the tracer's key for it: the cookie, or where cookies are not used
				 * the address (a timewait socket: tw_key() of bpf/tracer/timewait.bpf.c) */
	__u8 saddr[16];		/* local address, network order; first 4 bytes for AF_INET */
	__u8 daddr[16];		/* remote address, same layout */
	__u32 netns;		/* network namespace inode */
	__u32 rx_queue;		/* netstat Recv-Q (listener: accept queue) */
	__u32 tx_queue;		/* netstat Send-Q (listener: backlog) */
	__u16 sport;		/* local port, host order */
	__u16 dport;		/* remote port, host order */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u8 state;		/* enum tcpstates_state as netstat would show it */
	__u8 kind;		/* enum tcpstates_sock_kind */
	__u8 timer;		/* enum tcpstates_timer (OFF and above) */
	__u8 timer_retries;	/* as in tcpstates_event */
	__u8 flags;		/* TS_SR_* */
	__u8 _pad;
	__u64 jiffies;		/* bpf_jiffies64(), read with ts_ns: the loader infers HZ from both */
	__s32 timer_left_j;	/* jiffies until the timer fires (< 0: overdue), timer > OFF */
	__u32 last_recv_j;	/* jiffies since it last received (TS_SR_TIMES): data
				 * (icsk_ack.lrcvtime) or an ACK (rcv_tstamp), the later of the two */
	__u32 last_send_j;	/* jiffies since it last sent data (lsndtime; TS_SR_TIMES) */
	__u32 _pad2;
};
_Static_assert(sizeof(struct tcpstates_sock_rec) == 120, "snapshot record must not change size");

/* a socket's owner found by the snapshot, for the main program's owner_seed map (key: cookie) */
struct tcpstates_owner {
	__u64 cgroup_id;	/* cgroup v2 id (inode of the process's cgroup directory) */
	__u32 pid;		/* tgid */
	__u32 flags;		/* TS_OWNER_CGROUP_IN */
	char comm[TCPSTATES_COMM_LEN];
};

#define TS_OWNER_CGROUP_IN 0x1	/* the owner is in the --cgroup directory or below it */

/* a listener, the key of listener_seed and (address mode) of listeners, both written by the loader */
struct tcpstates_listen_key {
	__u32 netns;		/* inode number of its network namespace */
	__u32 port;		/* local port, host order */
};

/*
 * What the BPF side remembers per socket (bpf/tracer/core.bpf.c: socket storage, or a hash by
 * address); the loader writes one for a listener older than the tracer in address mode.
 */
struct tcpstates_sock_info {
	__u64 entered_ns;	/* when the socket entered `state` */
	__u64 cgroup_id;	/* owner's cgroup id */
	__u32 pid;		/* owner's tgid */
	__u16 rst_reason;	/* kernel's reason for the reset we sent (rst == RST_SENT) */
	__u8 state;		/* last new state we saw (0: none yet) */
	__u8 owner_known;	/* pid/comm/cgroup_id are set */
	__u8 inherited;		/* owner copied from the listener; no process used the socket yet */
	__u8 rst;		/* RST_RECEIVED / RST_SENT: a reset on this socket, seen by tcp:* */
	__u8 from_snapshot;	/* owner found by the start-up scan of /proc, not seen acting */
	__u8 held;		/* its first record waits in `held` for its cookie (core.bpf.c) */
	__u8 cgroup_in;		/* the owner is in the --cgroup directory or below it */
	__u8 claim_counted;	/* counted in the BPF side's claims_pending (owner.bpf.c) */
	__u8 _pad[2];
	char comm[TCPSTATES_COMM_LEN];
};
_Static_assert(sizeof(struct tcpstates_sock_info) == 48, "socket entry must not change size");
_Static_assert(sizeof(struct tcpstates_owner) == 32, "owner seed must not change size");

/* per-CPU counters kept by the BPF side; the loader sums the CPUs */
enum tcpstates_counter {
	TS_CNT_EVENTS = 0,	/* TCP transitions the program handled */
	TS_CNT_RB_FULL,		/* ring buffer reservation failed: event lost */
	TS_CNT_NO_STORAGE,	/* no per-socket entry (map full): owner and duration unknown */
	TS_CNT_GAPS,		/* transitions whose oldstate did not follow the socket's last state */
	TS_CNT_COVERED,		/* hook runs the main program missed and the backup program took */
	TS_CNT_UNSEEN,		/* sockets destroyed while we believed them open: transitions lost */
	TS_CNT_TW_HIDDEN,	/* FIN_WAIT2 -> CLOSE not shown: the socket lives on as a minisocket */
	TS_CNT_TW_LOST,		/* timewait socket not tracked (a timewait map full): its lines
				 * are not shown or come late */
	TS_CNT_CONNS,		/* connection records the kernel wrote (--records connections) */
	TS_CNT_CONN_LOST,	/* connections whose record could not be kept or written (a
				 * full ring buffer or map): counted lost, in connections */
	TS_CNT_MAX,
};

/*
 * tw_info (bpf/tracer/timewait.bpf.c): what we know of a live timewait minisocket, keyed by cookie.
 * The start-up snapshot enters the orphans it finds waiting in FIN_WAIT2 (substate only).
 */
struct tcpstates_tw_info {
	__u64 entered_ns;	/* when it entered `substate` (0: unknown) */
	__u64 expires;		/* tw_timer.expires as last armed where we saw it (0: unknown) */
	__u64 cgroup_id;	/* the full socket's owner, if known */
	__u32 pid;
	__u8 substate;		/* TS_FIN_WAIT2 or TS_TIME_WAIT, as we last saw it */
	__u8 owner_known;
	__u8 owner_flags;	/* TS_F_OWNER_INHERITED */
	__u8 owner_flags2;	/* TS_F2_OWNER_SNAPSHOT, TS_F2_CGROUP_IN */
	char comm[TCPSTATES_COMM_LEN];
};

/* tw_waiting (bpf/tracer/timewait.bpf.c): an orphan's FIN_WAIT2 minisocket, keyed by cookie */
struct tcpstates_tw_wait {
	__u64 tw;		/* its address */
	__u64 since_ns;		/* when it was seen waiting first (bpf_ktime_get_ns clock) */
};

/*
 * Who killed a timewait socket early: the kernel function that called inet_twsk_deschedule_put(),
 * found in the kernel stack at the timer's cancel. The loader fills the ranges from
 * /proc/kallsyms; entry TS_TWK_DESCHEDULE is inet_twsk_deschedule_put itself.
 */
#define TS_TW_KILLER_LIST(X)							\
	X(DESCHEDULE, inet_twsk_deschedule_put)	/* the frame above it is the killer */	\
	X(STATE_PROCESS, tcp_timewait_state_process) /* a reset arrived		\
						      * (reset_received) */	\
	X(V4_RCV, tcp_v4_rcv)		/* a SYN reuses it, or it answered with a reset */ \
	X(V6_RCV, tcp_v6_rcv)		/* the same for IPv6 */				\
	X(CHECK_EST, __inet_check_established) /* connect() reuses it (tcp_tw_reuse) */ \
	X(CHECK_EST6, __inet6_check_established) /* the same for IPv6 */		\
	X(PURGE, inet_twsk_purge)	/* its network namespace goes away */

enum tcpstates_tw_killer {
#define TS_TW_KILLER_ENUM(name, fn) TS_TWK_##name,
	TS_TW_KILLER_LIST(TS_TW_KILLER_ENUM)
#undef TS_TW_KILLER_ENUM
	TS_TWK_MAX,
};

/*
 * The wake functions of a task that sleeps on a socket (recv/send/accept/connect: the entry's
 * private is the task; poll/select: the task is the poll_wqueues' polling_task), found in
 * /proc/kallsyms. Not epoll's: its entry leads to an epoll instance, not to one task.
 */
#define TS_WAKER_LIST(X)							\
	X(WOKEN, woken_wake_function)	/* sk_wait_data(), sk_stream_wait_memory() */	\
	X(AUTOREMOVE, autoremove_wake_function)	/* prepare_to_wait() */		\
	X(DEFAULT, default_wake_function)	/* DECLARE_WAITQUEUE() */		\
	X(POLL, pollwake)	/* poll()/select(); private is the poller's poll_wqueues */

enum tcpstates_waker {
#define TS_WAKER_ENUM(name, fn) TS_WAKE_##name,
	TS_WAKER_LIST(TS_WAKER_ENUM)
#undef TS_WAKER_ENUM
	TS_WAKE_MAX,
};

/* [start, end) of a kernel function's text */
struct tcpstates_fn_range {
	__u64 start;
	__u64 end;
};

/*
 * The tw_pending map (bpf/tracer/timewait.bpf.c): key = timewait socket key (cookie, or a hash for one that has none),
 * value = struct tcpstates_event, the -> CLOSE record of a timewait socket whose timer was
 * cancelled. A re-arm or the expiry follows a cancel at once on the same CPU and deletes it;
 * what is still there after TS_TW_KILL_NS was a kill, and the loader emits it.
 */
#define TS_TW_KILL_NS 10000000ULL

#endif /* TCPSTATES_H */
