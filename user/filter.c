// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* filter.c - decide which transitions reach the output. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "conn.h"
#include "container.h"
#include "filter.h"
#include "netns.h"
#include "quote.h"

#define PENDING_MAX 65536 /* beyond this a stuck connect() is not worth holding */

#define PENDING_PER_SOCK 4 /* CLOSE -> SYN_SENT, and at most a few more before the port is known */

struct pending {
	struct pending *next;
	uint64_t key;				/* socket cookie (or address) */
	int n;					/* events held, oldest first */
	struct tcpstates_event e[PENDING_PER_SOCK];
};

enum port_verdict { PORT_NO, PORT_YES, PORT_UNKNOWN };

static bool in_list(const struct port_list *l, uint16_t port)
{
	for (int i = 0; i < l->n; i++)
		if (l->port[i] == port)
			return true;
	return false;
}

/* Port filters; PORT_UNKNOWN while the local port that decides it is still 0. */
static enum port_verdict match_ports(const struct config *cfg, const struct tcpstates_event *e)
{
	bool lport_unknown = e->sport == 0;

	if (cfg->rports.n && !in_list(&cfg->rports, e->dport))
		return PORT_NO;
	if (cfg->ports.n && !in_list(&cfg->ports, e->dport) && !in_list(&cfg->ports, e->sport))
		return lport_unknown ? PORT_UNKNOWN : PORT_NO;
	if (cfg->lports.n && !in_list(&cfg->lports, e->sport))
		return lport_unknown ? PORT_UNKNOWN : PORT_NO;
	return PORT_YES;
}

/*
 * --pod [NAMESPACE/]NAME and --container NAME|ID-PREFIX: the owner's container, as the kubelet's
 * and Docker's files name it (user/container.c). An owner not known, on the host, or whose
 * container cannot be named is no match.
 */
static bool match_container(const struct filter *f, const struct tcpstates_event *e)
{
	const struct config *cfg = f->cfg;
	const struct container_info *ci = f->containers && (e->flags & TS_F_OWNER_KNOWN) ?
		containers_lookup(f->containers, e->cgroup_id, e->pid) : NULL;

	if (!ci || ci->runtime == CONTAINER_RT_NONE)
		return false;
	if (cfg->pod) {
		const char *slash = strchr(cfg->pod, '/');
		const char *name = slash ? slash + 1 : cfg->pod;

		if (strcmp(ci->pod, name))
			return false;
		if (slash && (strlen(ci->pod_namespace) != (size_t)(slash - cfg->pod) ||
			      strncmp(ci->pod_namespace, cfg->pod, slash - cfg->pod)))
			return false;
	}
	/* a name, or an id's first digits (4 or more: fewer would match most of a node) */
	if (cfg->container && strcmp(ci->container, cfg->container) &&
	    (strlen(cfg->container) < 4 ||
	     strncmp(ci->id, cfg->container, strlen(cfg->container))))
		return false;
	return true;
}

/* the tests of the socket and its owner: family, owner, namespace, cgroup, container */
static bool match_socket(const struct filter *f, const struct tcpstates_event *e)
{
	const struct config *cfg = f->cfg;
	const struct filter_targets *t = f->targets;
	bool owner = e->flags & TS_F_OWNER_KNOWN;

	if (cfg->family == 4 && e->family != AF_INET)
		return false;
	if (cfg->family == 6 && e->family != AF_INET6)
		return false;
	if (cfg->has_pid && (!owner || e->pid != cfg->pid))
		return false;
	if (cfg->has_comm && (!owner || strncmp(e->comm, cfg->comm, sizeof(e->comm))))
		return false;
	if (t->has_netns && e->netns != t->netns)
		return false;
	if (t->cgroup.id && (!owner || !cgroup_owner_in(&t->cgroup, e)))
		return false;
	if ((cfg->pod || cfg->container) && !match_container(f, e))
		return false;
	return true;
}

bool filter_match_event(const struct filter *f, const struct tcpstates_event *e)
{
	uint32_t mask = f->cfg->state_mask;

	if (mask && !(mask & ((1u << (e->oldstate & 31)) | (1u << (e->newstate & 31)))))
		return false;
	return match_socket(f, e);
}

bool filter_conn(const struct filter *f, const struct tcpstates_conn *c)
{
	struct tcpstates_event last;

	if (f->cfg->state_mask && !conn_has_state(c, f->cfg->state_mask))
		return false;
	/* its end: the owner then, and the ports (a connect that never got one has none) */
	conn_last_event(c, &last);
	return match_ports(f->cfg, &last) == PORT_YES && match_socket(f, &last);
}

static uint64_t sock_key(const struct tcpstates_event *e)
{
	return (e->flags & TS_F_COOKIE_KNOWN) ? e->cookie : e->skaddr;
}

static struct pending *take_pending(struct filter *f, uint64_t key)
{
	struct pending **pp = &f->bucket[key % FILTER_PENDING_BUCKETS];

	for (; *pp; pp = &(*pp)->next) {
		struct pending *p = *pp;

		if (p->key == key) {
			*pp = p->next;
			f->n_pending--;
			return p;
		}
	}
	return NULL;
}

/* (Re)insert a socket's entry into the table. */
static void put_back(struct filter *f, struct pending *p)
{
	p->next = f->bucket[p->key % FILTER_PENDING_BUCKETS];
	f->bucket[p->key % FILTER_PENDING_BUCKETS] = p;
	f->n_pending++;
}

/* Append e to the socket's held events (p: its entry, already taken out of the table, or NULL). */
static void hold(struct filter *f, struct pending *p, const struct tcpstates_event *e)
{
	if (!p) {
		if (f->n_pending >= f->max_pending || !(p = calloc(1, sizeof(*p)))) {
			f->dropped++;
			return;
		}
		p->key = sock_key(e);
	}
	if (p->n < PENDING_PER_SOCK)
		p->e[p->n++] = *e;
	else
		f->dropped++;
	put_back(f, p);
}

int filter_targets_resolve(struct filter_targets *t, const struct config *cfg, FILE *err)
{
	const char *why, *text;
	int ret;

	memset(t, 0, sizeof(*t));
	text = cfg->cgroup_path;
	ret = text ? cgroup_resolve(&t->cgroup, text) : 0;
	if (ret == CGROUP_NOT_V2) {
		fprintf(err, "tcpstates-c: invalid cgroup '%s' for --cgroup: not a cgroup v2 "
			     "directory (expected e.g. /sys/fs/cgroup/system.slice)\n" CLI_HINT,
			quote(text, strlen(text)));
		return -1;
	}
	if (ret) {
		fprintf(err, "tcpstates-c: cannot read cgroup '%s' for --cgroup: %s\n" CLI_HINT,
			quote(text, strlen(text)), strerror(-ret));
		return -1;
	}
	text = cfg->netns_arg;
	if (text && netns_resolve(text, &t->netns, &why)) {
		fprintf(err, "tcpstates-c: invalid network namespace '%s' for --netns: %s (expected "
			     "an inode number or a path like /run/netns/NAME)\n" CLI_HINT,
			quote(text, strlen(text)), why);
		filter_targets_free(t);
		return -1;
	}
	t->has_netns = text != NULL;
	return 0;
}

void filter_targets_free(struct filter_targets *t)
{
	cgroup_free(&t->cgroup);
}

void filter_init(struct filter *f, const struct config *cfg, const struct filter_targets *t,
		 struct containers *containers)
{
	const char *limit = getenv("TCPSTATES_TEST_LIMIT");	/* tests only: see t_loss */

	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->targets = t;
	f->containers = containers;
	f->max_pending = limit ? (unsigned int)strtoul(limit, NULL, 10) : PENDING_MAX;
	f->needs_lport = cfg->lports.n || cfg->ports.n;
}

void filter_event(struct filter *f, const struct tcpstates_event *e, filter_emit_fn emit, void *arg)
{
	enum port_verdict v = match_ports(f->cfg, e);
	struct pending *p = NULL;

	if (f->needs_lport && f->n_pending)
		p = take_pending(f, sock_key(e));
	if (v == PORT_UNKNOWN && e->newstate != TS_CLOSE) {
		/* what no port can make match is not held: the room is for what may be printed */
		if (filter_match_event(f, e))
			hold(f, p, e);
		else if (p)
			put_back(f, p);
		return;
	}
	if (p) {
		/* the socket's port is known now (or never will be): held events share this verdict */
		for (int i = 0; i < p->n; i++)
			if (v == PORT_YES && filter_match_event(f, &p->e[i]))
				emit(arg, &p->e[i]);
		free(p);
	}
	if (v == PORT_YES && filter_match_event(f, e))
		emit(arg, e);
}

bool filter_snapshot(const struct filter *f, const struct tcpstates_event *e)
{
	/* a socket that already exists has its ports: nothing to wait for */
	return match_ports(f->cfg, e) == PORT_YES && filter_match_event(f, e);
}

void filter_free(struct filter *f)
{
	for (int i = 0; i < FILTER_PENDING_BUCKETS; i++) {
		while (f->bucket[i]) {
			struct pending *p = f->bucket[i];

			f->bucket[i] = p->next;
			free(p);
		}
	}
	f->n_pending = 0;
}
