/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* conn.h - what a connection record says: its role, who closed first, its transitions. */
#ifndef CONN_H
#define CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tcpstates.h"

/* how the connection began, from its path's first state (CONN_ROLE_UNKNOWN: older than us) */
enum conn_role {
	CONN_ROLE_UNKNOWN = 0,
	CONN_ROLE_CLIENT,	/* an active open: connect() (SYN_SENT first) */
	CONN_ROLE_SERVER,	/* an accepted socket (SYN_RECV first) */
	CONN_ROLE_LISTENER,	/* listen() (LISTEN first) */
};

/* who sent the first FIN, from the path: we did (FIN_WAIT1) or the peer (CLOSE_WAIT) */
enum conn_fin {
	CONN_FIN_NONE = 0,	/* neither: reset, refused, timed out, or a listener */
	CONN_FIN_LOCAL,
	CONN_FIN_REMOTE,
};

enum conn_role conn_role(const struct tcpstates_conn *c);
enum conn_fin conn_first_fin(const struct tcpstates_conn *c);

/* "client", "server", "listener"; NULL for CONN_ROLE_UNKNOWN. "local", "remote"; NULL: none */
const char *conn_role_name(enum conn_role r);
const char *conn_fin_name(enum conn_fin f);

/* first transition to last: the sum of the path's durations (false: not known) */
bool conn_lifetime(const struct tcpstates_conn *c, uint64_t *ns);

/*
 * The connection's last transition as a transition record (e: owner, addresses, ports, netns,
 * cookie, reason, bytes; oldstate the path's last state, newstate CLOSE or TIME_WAIT), what the
 * filters and the shared output fields read.
 */
void conn_last_event(const struct tcpstates_conn *c, struct tcpstates_event *e);

/* does the path hold a state of mask (bit 1 << state)? CLOSE counts for every connection */
bool conn_has_state(const struct tcpstates_conn *c, uint32_t mask);

/*
 * The transitions the path stands for, in order, as transition records (for the statistics):
 * into its first state where it began under our eyes, between its states, and into CLOSE at
 * its end (not after a TIME_WAIT, which goes on). Calls fn for each; returns how many.
 */
typedef void (*conn_transition_fn)(void *arg, const struct tcpstates_event *e);
unsigned int conn_transitions(const struct tcpstates_conn *c, conn_transition_fn fn, void *arg);

#endif
