// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* output_fields.c - the fields of a transition record: one row each, for text and JSON alike. */
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "container.h"
#include "output.h"
#include "output_fields.h"
#include "reasons.h"
#include "states.h"

#define OWNER(e) ((e)->flags & TS_F_OWNER_KNOWN)
/* a string literal of our own: nothing in it to escape, its length known at build time */
#define PLAIN(p, lit) print_plain((p), (lit), sizeof(lit) - 1)
#define SNAPSHOT(e) ((e)->flags2 & TS_F2_SNAPSHOT)

static int time_width(const struct config *cfg)
{
	return cfg->show_date ? 26 : 15;	/* [YYYY-MM-DD ]HH:MM:SS.ffffff */
}

static int addr_width(const struct config *cfg)
{
	return cfg->wide ? 39 : 15;		/* longest IPv6 / IPv4 text */
}

/* a writer of a number the record always has */
#define UINT_WRITER(fn, member)                                                                    \
	static void fn(struct printer *p, const struct output *o, const struct tcpstates_event *e) \
	{                                                                                          \
		print_uint(p, e->member);                                                          \
	}

/* ... of one it has only with `flag` in its flags: null without */
#define UINT_IF_WRITER(fn, member, flag)                                                           \
	static void fn(struct printer *p, const struct output *o, const struct tcpstates_event *e) \
	{                                                                                          \
		if (e->flags & (flag))                                                             \
			print_uint(p, e->member);                                                  \
		else                                                                               \
			print_null(p);                                                             \
	}

UINT_WRITER(w_ts_ns, ts_ns)
UINT_WRITER(w_lport, sport)
UINT_WRITER(w_rport, dport)
UINT_WRITER(w_rx_queue, rx_queue)
UINT_WRITER(w_tx_queue, tx_queue)
UINT_WRITER(w_netns, netns)
UINT_IF_WRITER(w_sock, cookie, TS_F_COOKIE_KNOWN)
UINT_IF_WRITER(w_rx_bytes, rx_bytes, TS_F_BYTES)
UINT_IF_WRITER(w_tx_bytes, tx_bytes, TS_F_BYTES)

static void w_type(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	if (SNAPSHOT(e))
		PLAIN(p, "snapshot");
	else
		PLAIN(p, "transition");
}

static void w_time(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_time(p, (int64_t)e->ts_ns + o->mono_to_real_ns);
}

static void w_skaddr(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_hex(p, e->skaddr);
}

static void w_pid(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	if (OWNER(e))
		print_uint(p, e->pid);
	else
		print_null(p);
}

static void w_comm(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	/* the kernel NUL-terminates comm, but the record is only bytes: never read past it */
	size_t len = strnlen(e->comm, sizeof(e->comm));
	char text[LB_BLOCK];

	if (!OWNER(e)) {
		print_null(p);
		return;
	}
	if (p->json) {
		print_str(p, e->comm, len);
		return;
	}
	/*
	 * Text: one token, so the columns after it stay where a reader splitting on blanks looks:
	 * a space as '_', an empty name as '?', and as in every text cell a byte that is not
	 * printable ASCII as '?' (no escape reaches the terminal).
	 */
	_Static_assert(sizeof(e->comm) <= LB_BLOCK, "a command name is one block");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = e->comm[i];

		text[i] = c == ' ' ? '_' : c >= 0x20 && c < 0x7f ? c : '?';
	}
	if (!len)
		text[len++] = '?';
	print_plain_block(p, text, len);
}

/*
 * How sure we are of pid/comm: "process" - taken from a process acting on this very socket
 * (connect, listen, send, receive, close); "listener" - a passively opened socket that no process
 * has used yet, shown with its listener's owner (in a prefork server the worker is not known
 * until it sends or receives); "snapshot" - a socket older than the tracer, owned by the process
 * that held an fd on it at start (found in /proc, as ss -p finds it; a socket shared by several
 * processes names the first); "holder" - a --stuck report's socket that its remembered owner no
 * longer holds: the first process that does, found in /proc now; "unknown" - none of these.
 */
static void w_owner(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	if (!OWNER(e))
		PLAIN(p, "unknown");
	else if (e->flags & TS_F_OWNER_INHERITED)
		PLAIN(p, "listener");
	else if (e->flags2 & TS_F2_OWNER_HOLDER)
		PLAIN(p, "holder");
	else if (e->flags2 & TS_F2_OWNER_SNAPSHOT)
		PLAIN(p, "snapshot");
	else
		PLAIN(p, "process");
}

/*
 * -K: who the owner is, as an operator names it: NAMESPACE/POD/CONTAINER for a Kubernetes pod,
 * else the container's name, else its short id (12 digits); '-' on the host or not known
 */
static void w_container(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	const struct container_info *ci = OWNER(e) && o->containers ?
		containers_lookup(o->containers, e->cgroup_id, e->pid) : NULL;
	char buf[600];

	if (!ci || ci->runtime == CONTAINER_RT_NONE)
		print_text(p, "-");
	else if (ci->pod[0])
		snprintf(buf, sizeof(buf), "%s/%s/%s", ci->pod_namespace, ci->pod,
			 ci->container[0] ? ci->container : "?");
	else if (ci->container[0])
		snprintf(buf, sizeof(buf), "%s", ci->container);
	else
		snprintf(buf, sizeof(buf), "%.12s", ci->id);
	if (ci && ci->runtime != CONTAINER_RT_NONE)
		print_text(p, buf);
}

/* true: this transition does not follow the socket's last one - some were missed */
static void w_gap(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_bool(p, e->flags & TS_F_GAP);
}

static void w_cgroup(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	/* 0 is no cgroup's id (the root's is 1): the snapshot could not find the owner's */
	if (OWNER(e) && e->cgroup_id)
		print_uint(p, e->cgroup_id);
	else
		print_null(p);
}

static void w_family(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	/* the socket's family: an AF_INET6 socket talking to a mapped IPv4 peer is still 6 */
	if (e->family == AF_INET || e->family == AF_INET6)
		print_uint(p, e->family == AF_INET ? 4 : 6);
	else
		print_null(p);
}

static void print_addr(struct printer *p, const struct tcpstates_event *e, const __u8 *addr)
{
	char buf[ADDR_STR_LEN];
	size_t n = addr_text(e->family, addr, buf);

	_Static_assert(ADDR_STR_LEN >= LB_BLOCK, "an address buffer is read as a block");
	if (n <= LB_BLOCK)
		print_plain_block(p, buf, n);
	else
		print_plain(p, buf, n);
}

static void w_laddr(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_addr(p, e, e->saddr);
}

static void w_raddr(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_addr(p, e, e->daddr);
}

static void print_state(struct printer *p, const struct output *o, unsigned int state)
{
	char buf[STATE_NAME_MAX];
	const char *s;

	if (state < TS_MAX_STATE) {
		print_word(p, &o->plan.state[state]);
		return;
	}
	s = state_name(state, buf, sizeof(buf));
	print_plain(p, s, strlen(s));
}

/* a snapshot record has no old state: empty in text ("  -> LISTEN"), null in JSON */
static void w_oldstate(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	if (!SNAPSHOT(e))
		print_state(p, o, e->oldstate);
	else if (p->json)
		print_null(p);
	else
		PLAIN(p, "");
}

static void w_arrow(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	PLAIN(p, "->");
}

static void w_newstate(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_state(p, o, e->newstate);
}

static void w_dur(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	/* "~": a change the kernel made without a trace, dated to precision_ns (a jiffy) */
	if (e->flags & TS_F_DUR_KNOWN)
		print_dur(p, e->dur_ns, e->precision_ns != 0);
	else
		print_null(p);
}

/*
 * How far ts_ns may be from the real change: 0 when it was seen as it happened (every transition
 * but an orphan's FIN_WAIT2 -> TIME_WAIT made without a trace, found later and dated from the
 * timer: a jiffy); null on a snapshot, which is not a change.
 */
static void w_precision(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	if (SNAPSHOT(e))
		print_null(p);
	else
		print_uint(p, e->precision_ns);
}

/* the timer kinds' names, as TS_TIMER_LIST spells them */
static const char *const timer_names[TS_TIMER_MAX] = {
#define TIMER_NAME(name, word) [TS_TIMER_##name] = #word,
	TS_TIMER_LIST(TIMER_NAME)
#undef TIMER_NAME
};

/*
 * The socket's timer as netstat -o shows it, read at the snapshot or the stuck report: JSON
 * {"kind":"keepalive","expires_in_ns":N,"retries":R}, N < 0 when overdue, null when off or HZ is
 * not known, R null when off; text "keepalive(7171.07/0)" (seconds left, 10 ms steps, "?" where
 * HZ is not known; then retries), "off". Not read (a transition): null, "-".
 */
static void w_timer(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	bool known = e->timer_left_ns != TS_TIMER_LEFT_UNKNOWN;
	int64_t cs = e->timer_left_ns / 10000000;	/* centiseconds, toward 0 */
	char buf[96], left[32];
	const char *kind;
	int n;

	if (e->timer <= TS_TIMER_UNREAD || e->timer >= TS_TIMER_MAX) {
		print_null(p);
		return;
	}
	kind = timer_names[e->timer];
	if (p->json) {
		if (!printer_member(p))
			return;
		if (e->timer == TS_TIMER_OFF)
			n = snprintf(buf, sizeof(buf),
				     "{\"kind\":\"off\",\"expires_in_ns\":null,\"retries\":null}");
		else if (known)
			n = snprintf(buf, sizeof(buf), "{\"kind\":\"%s\",\"expires_in_ns\":%lld,"
				     "\"retries\":%u}", kind, (long long)e->timer_left_ns,
				     e->timer_retries);
		else
			n = snprintf(buf, sizeof(buf), "{\"kind\":\"%s\",\"expires_in_ns\":null,"
				     "\"retries\":%u}", kind, e->timer_retries);
		lb_put(&p->jw.lb, buf, n);
		return;
	}
	if (e->timer == TS_TIMER_OFF) {
		PLAIN(p, "off");
		return;
	}
	if (known)
		snprintf(left, sizeof(left), "%s%lld.%02lld", cs < 0 ? "-" : "",
			 (long long)(cs < 0 ? -cs : cs) / 100, (long long)(cs < 0 ? -cs : cs) % 100);
	else
		snprintf(left, sizeof(left), "?");
	n = snprintf(buf, sizeof(buf), "%s(%s/%u)", kind, left, e->timer_retries);
	print_plain(p, buf, n);
}

/* why the socket went to CLOSE; empty/null on other transitions */
static void w_reason(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	const char *r;

	if (e->reason > TS_R_NONE && e->reason < TS_R_MAX) {
		print_word(p, &o->plan.reason[e->reason]);
		return;
	}
	r = reason_name(e->reason);
	if (r)
		print_plain(p, r, strlen(r));
	else if (p->json)
		print_null(p);
	else
		PLAIN(p, "");
}

static void w_rst_reason(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	char buf[REASON_NAME_MAX];

	if (e->flags & TS_F_RST_REASON)
		print_text(p, rst_reason_name(e->rst_reason, buf, sizeof(buf)));
	else
		print_null(p);
}

/* true: the hook never delivered this close; the socket was destroyed in oldstate */
static void w_inferred(struct printer *p, const struct output *o, const struct tcpstates_event *e)
{
	print_bool(p, e->flags2 & TS_F2_INFERRED);
}

/*
 * One row per id, in JSON member order; the text columns are the rows with a header, in the same
 * order. FIELD_STUCK: the members a --stuck record keeps (stuck_write writes its own values in
 * some of them); FIELD_CONN: those a connection record keeps (conn_write, the same way).
 */
const struct output_field output_fields[OUTPUT_NFIELDS] = {
	[OF_TYPE] = { "type", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_type },
	[OF_TIME] = { "time", "TIME", 0, time_width, FIELD_STUCK | FIELD_CONN, w_time },
	[OF_TS_NS] = { "ts_ns", NULL, 0, NULL, 0, w_ts_ns },
	[OF_SOCK] = { "sock", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_sock },
	[OF_SKADDR] = { "skaddr", "SKADDR", 16, NULL, FIELD_FIRST | FIELD_IF_SKADDR | FIELD_CONN,
			w_skaddr },
	[OF_PID] = { "pid", "PID", 7, NULL, FIELD_RIGHT | FIELD_STUCK | FIELD_CONN, w_pid },
	[OF_COMM] = { "comm", "COMM", 15, NULL, FIELD_STUCK | FIELD_CONN, w_comm },
	[OF_CONTAINER] = { NULL, "CONTAINER", 24, NULL, FIELD_IF_CONTAINERS, w_container },
	[OF_RX_QUEUE] = { "rx_queue", "RECV-Q", 6, NULL, FIELD_RIGHT | FIELD_IF_QUEUES | FIELD_STUCK,
			  w_rx_queue },
	[OF_TX_QUEUE] = { "tx_queue", "SEND-Q", 6, NULL, FIELD_RIGHT | FIELD_IF_QUEUES | FIELD_STUCK,
			  w_tx_queue },
	[OF_OWNER] = { "owner", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_owner },
	[OF_CGROUP] = { "cgroup", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_cgroup },
	[OF_FAMILY] = { "family", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_family },
	[OF_LADDR] = { "laddr", "LADDR", 0, addr_width, FIELD_STUCK | FIELD_CONN, w_laddr },
	[OF_LPORT] = { "lport", "LPORT", 5, NULL, FIELD_RIGHT | FIELD_STUCK | FIELD_CONN, w_lport },
	[OF_RADDR] = { "raddr", "RADDR", 0, addr_width, FIELD_STUCK | FIELD_CONN, w_raddr },
	[OF_RPORT] = { "rport", "RPORT", 5, NULL, FIELD_RIGHT | FIELD_STUCK | FIELD_CONN, w_rport },
	[OF_OLDSTATE] = { "oldstate", "OLDSTATE", 11, NULL, 0, w_oldstate },
	[OF_ARROW] = { NULL, "->", 2, NULL, 0, w_arrow },
	[OF_NEWSTATE] = { "newstate", "NEWSTATE", 11, NULL, 0, w_newstate },
	[OF_DUR] = { "dur_ns", "MS", 8, NULL, 0, w_dur },
	[OF_PRECISION] = { "precision_ns", NULL, 0, NULL, 0, w_precision },
	[OF_TIMER] = { "timer", "TIMER", 20, NULL, FIELD_IF_TIMERS | FIELD_STUCK, w_timer },
	[OF_REASON] = { "reason", "REASON", 0, NULL, FIELD_CONN, w_reason },
	[OF_RST_REASON] = { "reset_reason", NULL, 0, NULL, FIELD_CONN, w_rst_reason },
	[OF_RX_BYTES] = { "rx_bytes", NULL, 0, NULL, FIELD_CONN, w_rx_bytes },
	[OF_TX_BYTES] = { "tx_bytes", NULL, 0, NULL, FIELD_CONN, w_tx_bytes },
	[OF_NETNS] = { "netns", NULL, 0, NULL, FIELD_STUCK | FIELD_CONN, w_netns },
	[OF_GAP] = { "gap", NULL, 0, NULL, 0, w_gap },
	[OF_INFERRED] = { "inferred", NULL, 0, NULL, FIELD_CONN, w_inferred },
};
