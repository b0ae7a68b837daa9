// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* snapshot.c - the sockets that existed at start: namespaces, iterator, owners from /proc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "grow.h"
#include "holders.h"
#include "netns.h"
#include "snapshot.h"
#include "iter_tcp.h"
#include "jiffies.h"
#include "timefmt.h"

/* one socket found, with its owner once /proc names one */
struct snap_sock {
	struct tcpstates_sock_rec r;
	struct tcpstates_owner owner;
	bool owner_known;
};

struct snap {
	struct snap_sock *v;	/* the sockets, in the iterators' order */
	size_t n, cap;
	uint64_t *ns;		/* network namespace inodes already listed */
	size_t n_ns, cap_ns;
	size_t *by_ino;		/* indexes into v with an inode, sorted by inode */
	size_t n_ino;
	const struct filter_targets *targets;
	char cg_root[256];	/* where cgroup v2 is mounted ("": nowhere; ids unknown) */
	struct iter_tcp scan;
	struct snapshot_stats *st;
	struct tcpstates_owner last_owner;	/* the owner read last (holders_scan's order) */
};

static void on_sock(void *ctx, const struct tcpstates_sock_rec *r)
{
	struct snap *s = ctx;

	if (grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v)))
		return;
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n++].r = *r;
}

/* ---- namespaces ------------------------------------------------------------------------------ */

/* netns_walk's: list the namespace at path (a /proc/PID/ns/net link or a /run/netns bind
 * mount), once; with --netns only that one */
static int scan_ns(void *ctx, const char *path, uint64_t ino)
{
	struct snap *s = ctx;
	int fd;

	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i] == ino)
			return 0;
	if (s->targets->has_netns && ino != s->targets->netns)
		return 0;
	if (grow((void **)&s->ns, &s->cap_ns, s->n_ns, sizeof(*s->ns)))
		return 0;
	s->ns[s->n_ns++] = ino;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || iter_tcp_run(&s->scan, fd, on_sock, s) < 0)
		s->st->ns_failed++;
	else
		s->st->namespaces++;
	if (fd >= 0)
		close(fd);
	return 0;
}

/* ---- owners ---------------------------------------------------------------------------------- */

static const struct snap *sort_ctx;

static int cmp_ino(const void *a, const void *b)
{
	uint64_t x = sort_ctx->v[*(const size_t *)a].r.ino, y = sort_ctx->v[*(const size_t *)b].r.ino;

	return x < y ? -1 : x > y;
}

static int index_inodes(struct snap *s)
{
	s->by_ino = malloc((s->n ? s->n : 1) * sizeof(*s->by_ino));
	if (!s->by_ino)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].r.ino)
			s->by_ino[s->n_ino++] = i;
	sort_ctx = s;
	qsort(s->by_ino, s->n_ino, sizeof(*s->by_ino), cmp_ino);
	return 0;
}

/* pid, comm and cgroup id of process `pid`, as bpf_get_current_*() would have given them */
static void read_owner(const char *pid, const char *cg_root, struct tcpstates_owner *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = strtoul(pid, NULL, 10);
	holders_comm(pid, o->comm, sizeof(o->comm));
	o->cgroup_id = holders_cgroup(pid, cg_root);
}

/* a process holding socket by_ino[i]; like ss -p, the first process found names a shared socket */
static void on_holder(void *ctx, const char *pid, uint32_t pid_nr, size_t i, int fd)
{
	struct snap *s = ctx;
	struct snap_sock *k = &s->v[s->by_ino[i]];

	if (k->owner_known)
		return;
	/* the holders of one process come together: its owner record is read once */
	if (s->last_owner.pid != pid_nr)
		read_owner(pid, s->cg_root, &s->last_owner);
	k->owner = s->last_owner;
	k->owner_known = true;
	s->st->owners++;
}

static void resolve_owners(struct snap *s)
{
	uint64_t *inos;

	if (index_inodes(s) || !s->n_ino)
		return;
	inos = malloc(s->n_ino * sizeof(*inos));
	if (!inos)
		return;
	for (size_t i = 0; i < s->n_ino; i++)
		inos[i] = s->v[s->by_ino[i]].r.ino;
	holders_scan(inos, s->n_ino, on_holder, s);
	free(inos);
}

/* ---- results --------------------------------------------------------------------------------- */

/*
 * The socket's timer as the iterator read it, its time left in ns; with HZ unknown the kind
 * and retries stay and the time left is TS_TIMER_LEFT_UNKNOWN (null in JSON, "?" in text).
 */
void snapshot_timer(const struct tcpstates_sock_rec *r, struct tcpstates_event *e)
{
	unsigned int hz = jiffies_hz(r->jiffies, r->ts_ns);

	e->timer = r->timer;
	e->timer_retries = r->timer_retries;
	if (r->timer <= TS_TIMER_OFF)
		e->timer_left_ns = 0;
	else
		e->timer_left_ns = hz ? jiffies_to_ns(r->timer_left_j, hz) : TS_TIMER_LEFT_UNKNOWN;
}

void snapshot_event(const struct tcpstates_sock_rec *r, const struct tcpstates_owner *o,
		    struct tcpstates_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = r->ts_ns;
	e->cookie = r->cookie;
	e->skaddr = r->skaddr;
	memcpy(e->saddr, r->saddr, sizeof(e->saddr));
	memcpy(e->daddr, r->daddr, sizeof(e->daddr));
	e->netns = r->netns;
	e->rx_queue = r->rx_queue;
	e->tx_queue = r->tx_queue;
	e->sport = r->sport;
	e->dport = r->dport;
	e->family = r->family;
	e->oldstate = 0;	/* none: this is not a transition */
	e->newstate = r->state;
	e->flags = r->cookie ? TS_F_COOKIE_KNOWN : 0;
	e->flags2 = TS_F2_SNAPSHOT;
	snapshot_timer(r, e);
	if (!o)
		return;
	e->pid = o->pid;
	e->cgroup_id = o->cgroup_id;
	memcpy(e->comm, o->comm, sizeof(e->comm));
	e->flags |= TS_F_OWNER_KNOWN;
	e->flags2 |= TS_F2_OWNER_SNAPSHOT;
	/* a request socket is shown with its listener's owner, who will accept it */
	if (r->kind == TS_SK_REQUEST)
		e->flags |= TS_F_OWNER_INHERITED;
}

/*
 * A listener older than the tracer, for the children it spawns: its owner by (netns, port), and
 * in address mode the entry bpf/tracer/core.bpf.c keeps in `listeners`; the owner is watched for
 * its exit (bpf/tracer/exits.bpf.c; the listener's file is not known here: 0).
 */
static void seed_listener(const struct snapshot_seeds *seeds, const struct snap_sock *k)
{
	struct tcpstates_sock_info si = {
		.cgroup_id = k->owner.cgroup_id,
		.pid = k->owner.pid,
		.state = TS_LISTEN,
		.owner_known = 1,
		.from_snapshot = 1,
		.cgroup_in = !!(k->owner.flags & TS_OWNER_CGROUP_IN),
	};
	struct tcpstates_listen_key key = { .netns = k->r.netns, .port = k->r.sport };

	uint64_t no_file = 0;

	memcpy(si.comm, k->owner.comm, sizeof(si.comm));
	if (seeds->listeners_fd >= 0)
		bpf_map_update_elem(seeds->listeners_fd, &key, &si, BPF_NOEXIST);
	if (seeds->listener_seed_fd >= 0)
		bpf_map_update_elem(seeds->listener_seed_fd, &key, &k->owner, BPF_NOEXIST);
	/* not over the listener's file, if the state hook saw it opened meanwhile */
	if (seeds->owner_watch_fd >= 0)
		bpf_map_update_elem(seeds->owner_watch_fd, &k->owner.pid, &no_file, BPF_NOEXIST);
}

/*
 * Owners for full sockets, the only ones the state hook sees again; and the orphans waiting in
 * FIN_WAIT2 for the peer's FIN, whose move to TIME_WAIT the kernel may make without a trace.
 */
static void seed(struct snap *s, const struct snapshot_seeds *seeds)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	for (size_t i = 0; i < s->n; i++) {
		struct snap_sock *k = &s->v[i];

		if (!k->r.key)
			continue;
		if (k->r.kind == TS_SK_TIMEWAIT && k->r.state == TS_FIN_WAIT2 &&
		    seeds->waiting_fd >= 0) {
			struct tcpstates_tw_wait w = { .tw = k->r.skaddr, .since_ns = now };
			struct tcpstates_tw_info ti = { .substate = TS_FIN_WAIT2 };

			/*
			 * Not over what the BPF side already knows. A failure only delays its
			 * FIN_WAIT2 -> TIME_WAIT line to the expiry.
			 */
			bpf_map_update_elem(seeds->tw_info_fd, &k->r.key, &ti, BPF_NOEXIST);
			bpf_map_update_elem(seeds->waiting_fd, &k->r.key, &w, BPF_ANY);
			continue;
		}
		if (!k->owner_known || k->r.kind != TS_SK_FULL || seeds->owner_fd < 0)
			continue;
		/* --cgroup: the tree as it is now says whether the owner is in it */
		if (cgroup_tree_has(&s->targets->cgroup, k->owner.cgroup_id))
			k->owner.flags |= TS_OWNER_CGROUP_IN;
		if (k->r.state == TS_LISTEN)
			seed_listener(seeds, k);
		if (bpf_map_update_elem(seeds->owner_fd, &k->r.key, &k->owner, BPF_ANY))
			s->st->seed_failed++;
		else
			s->st->seeded++;
	}
}

int snapshot_run(const struct filter_targets *targets, const struct snapshot_seeds *seeds,
		 snapshot_emit_fn emit, void *ctx, struct snapshot_stats *st)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC);
	struct snap s = { .targets = targets, .st = st };
	struct tcpstates_event e;
	int err;

	memset(st, 0, sizeof(*st));
	err = iter_tcp_open(&s.scan, seeds->by_cookie);
	if (!err) {
		holders_cgroup_root(s.cg_root, sizeof(s.cg_root));
		netns_walk(scan_ns, &s);
		st->iter_ns = clock_ns(CLOCK_MONOTONIC) - start;
		resolve_owners(&s);
		st->owner_ns = clock_ns(CLOCK_MONOTONIC) - start - st->iter_ns;
		seed(&s, seeds);
		st->sockets = s.n;
		for (size_t i = 0; i < s.n; i++) {
			snapshot_event(&s.v[i].r, s.v[i].owner_known ? &s.v[i].owner : NULL, &e);
			emit(ctx, &e, &s.v[i].r);
		}
	}
	iter_tcp_close(&s.scan);
	free(s.v);
	free(s.ns);
	free(s.by_ino);
	st->elapsed_ns = clock_ns(CLOCK_MONOTONIC) - start;
	return err;
}
