// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* conn.c - what a connection record says: its role, who closed first, its transitions. */
#include <string.h>
#include "conn.h"

static unsigned int path_len(const struct tcpstates_conn *c)
{
	return c->path_len < TS_PATH_MAX ? c->path_len : TS_PATH_MAX;
}

enum conn_role conn_role(const struct tcpstates_conn *c)
{
	if (!(c->cflags & TS_C_START_KNOWN) || !path_len(c))
		return CONN_ROLE_UNKNOWN;
	switch (c->path[0]) {
	case TS_SYN_SENT:
		return CONN_ROLE_CLIENT;
	case TS_SYN_RECV:
		return CONN_ROLE_SERVER;
	case TS_LISTEN:
		return CONN_ROLE_LISTENER;
	}
	return CONN_ROLE_UNKNOWN;
}

enum conn_fin conn_first_fin(const struct tcpstates_conn *c)
{
	for (unsigned int i = 0; i < path_len(c); i++) {
		/* FIN_WAIT1: we sent ours first (CLOSING after it: both crossed, ours was out) */
		if (c->path[i] == TS_FIN_WAIT1 || c->path[i] == TS_FIN_WAIT2)
			return CONN_FIN_LOCAL;
		if (c->path[i] == TS_CLOSE_WAIT || c->path[i] == TS_LAST_ACK)
			return CONN_FIN_REMOTE;
	}
	return CONN_FIN_NONE;
}

const char *conn_role_name(enum conn_role r)
{
	static const char *const names[] = {
		[CONN_ROLE_CLIENT] = "client",
		[CONN_ROLE_SERVER] = "server",
		[CONN_ROLE_LISTENER] = "listener",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : NULL;
}

const char *conn_fin_name(enum conn_fin f)
{
	return f == CONN_FIN_LOCAL ? "local" : f == CONN_FIN_REMOTE ? "remote" : NULL;
}

bool conn_lifetime(const struct tcpstates_conn *c, uint64_t *ns)
{
	unsigned int n = path_len(c);
	uint64_t sum = 0;

	if (!(c->cflags & TS_C_START_KNOWN))
		return false;
	/* a TIME_WAIT the connection ended in goes on: its time is not the connection's */
	if (n && (c->cflags & TS_C_END_OPEN))
		n--;
	for (unsigned int i = 0; i < n; i++) {
		if (c->dur_ns[i] == TS_DUR_UNKNOWN)
			return false;
		sum += c->dur_ns[i];
	}
	*ns = sum;
	return true;
}

void conn_last_event(const struct tcpstates_conn *c, struct tcpstates_event *e)
{
	unsigned int n = path_len(c);

	memset(e, 0, sizeof(*e));
	e->ts_ns = c->end_ns;
	e->cookie = c->cookie;
	e->skaddr = c->skaddr;
	e->cgroup_id = c->cgroup_id;
	e->rx_bytes = c->rx_bytes;
	e->tx_bytes = c->tx_bytes;
	memcpy(e->saddr, c->saddr, sizeof(e->saddr));
	memcpy(e->daddr, c->daddr, sizeof(e->daddr));
	e->pid = c->pid;
	e->netns = c->netns;
	e->sport = c->sport;
	e->dport = c->dport;
	e->family = c->family;
	e->rst_reason = c->rst_reason;
	e->oldstate = n ? c->path[n - 1] : TS_CLOSE;
	e->newstate = TS_CLOSE;
	if (c->cflags & TS_C_END_OPEN) {
		e->oldstate = n > 1 ? c->path[n - 2] : TS_CLOSE;
		e->newstate = TS_TIME_WAIT;
	}
	e->flags = c->flags;
	e->flags2 = c->flags2;
	e->hook = c->hook;
	e->reason = c->reason;
	memcpy(e->comm, c->comm, sizeof(e->comm));
}

bool conn_has_state(const struct tcpstates_conn *c, uint32_t mask)
{
	if (mask & (1u << TS_CLOSE))
		return true;
	for (unsigned int i = 0; i < path_len(c); i++)
		if (mask & (1u << (c->path[i] & 31)))
			return true;
	return false;
}

unsigned int conn_transitions(const struct tcpstates_conn *c, conn_transition_fn fn, void *arg)
{
	unsigned int n = path_len(c), count = 0;
	struct tcpstates_event e;
	uint8_t prev = 0;

	conn_last_event(c, &e);
	e.flags &= TS_F_OWNER_KNOWN | TS_F_OWNER_INHERITED | TS_F_COOKIE_KNOWN;
	e.flags2 &= TS_F2_CGROUP_IN | TS_F2_OWNER_SNAPSHOT;
	if (c->cflags & TS_C_START_KNOWN && n)
		prev = c->path[0] == TS_SYN_RECV ? TS_LISTEN : TS_CLOSE;
	for (unsigned int i = 0; i <= n; i++) {
		uint8_t next = i < n ? c->path[i] : TS_CLOSE;
		bool known = i && c->dur_ns[i - 1] != TS_DUR_UNKNOWN;

		/* past a TIME_WAIT at the end: it goes on */
		if (i == n && (c->cflags & TS_C_END_OPEN))
			break;
		if (prev) {
			e.oldstate = prev;
			e.newstate = next;
			e.dur_ns = known ? c->dur_ns[i - 1] : 0;
			e.flags = (e.flags & ~TS_F_DUR_KNOWN) | (known ? TS_F_DUR_KNOWN : 0);
			e.reason = next == TS_CLOSE ? c->reason : TS_R_NONE;
			fn(arg, &e);
			count++;
		}
		prev = next;
	}
	return count;
}
