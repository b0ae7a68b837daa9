// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stuck.c - --stuck: sockets in a state they can get stuck in, read when due (iterator, /proc). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "filter.h"
#include "grow.h"
#include "holders.h"
#include "jiffies.h"
#include "netns.h"
#include "privdrop.h"
#include "snapshot.h"
#include "stuck.h"
#include "timefmt.h"

#define TABLE_MAX (1u << 19)	/* sockets followed at most: ~92 MB of entries when full */
#define MAX_NS 64		/* namespaces read in one round; sockets of others wait a tick */

/*
 * Load the iterator (before privileges are dropped); filter: what reports are shown; by_cookie:
 * the tracer keys sockets by cookie. Returns 0 or a negative errno.
 */
static int detector_init(struct stuck *k, const struct config *cfg, const struct filter *filter,
			 bool by_cookie)
{
	struct stat st;

	memset(k, 0, sizeof(*k));
	k->filter = filter;
	k->detail = cfg->stuck_detail;
	k->first_ns = (uint64_t)(cfg->stuck_s * 1e9);
	if (!k->first_ns)
		k->first_ns = 1;
	stuck_table_init(&k->tab, TABLE_MAX);
	holders_cgroup_root(k->cg_root, sizeof(k->cg_root));
	if (!stat("/proc/self/ns/net", &st))
		k->home_netns = st.st_ino;
	return iter_tcp_open(&k->scan, by_cookie);
}

void stuck_feed(struct stuck *k, const struct tcpstates_event *e)
{
	stuck_table_update(&k->tab, e, k->first_ns);
}

/*
 * How long ago a socket found in state entered it, by the kernel's timestamps; -1: no estimate.
 * CLOSE_WAIT and CLOSING came with the peer's FIN, FIN_WAIT2 with the ACK of ours: the last
 * packet received, unless the socket received since (an ACK of data sent in CLOSE_WAIT, a
 * keepalive's answer): then the estimate is short, never long.
 */
static int64_t entered_ago_ns(const struct tcpstates_sock_rec *r)
{
	unsigned int hz;

	if (r->kind != TS_SK_FULL || !(r->flags & TS_SR_TIMES) ||
	    (r->state != TS_CLOSE_WAIT && r->state != TS_CLOSING && r->state != TS_FIN_WAIT2))
		return -1;
	hz = jiffies_hz(r->jiffies, r->ts_ns);
	return hz ? jiffies_to_ns(r->last_recv_j, hz) : -1;
}

void stuck_feed_found(struct stuck *k, const struct tcpstates_event *e,
		      const struct tcpstates_sock_rec *r)
{
	int64_t ago = entered_ago_ns(r);
	struct tcpstates_event c = *e;
	struct sock_entry *s;

	if (ago > 0 && (uint64_t)ago < c.ts_ns)
		c.ts_ns -= ago;
	s = stuck_table_update(&k->tab, &c, k->first_ns);
	/* a transition seen already is exact: the snapshot's record then changed nothing */
	if (s && s->lower_bound)
		s->estimated = ago >= 0;
}

/* ---- a round: the due sockets, read now ------------------------------------------------------ */

/* the network namespaces of the due sockets, and an fd for each (-1: our own, or not found) */
struct ns_set {
	uint32_t ino[MAX_NS];
	int fd[MAX_NS];
	int n;
	uint32_t home;			/* our own: read without an fd */
	int missing;			/* not our own and no fd yet */
};

/* netns_walk's: open path if it is one of the namespaces still missing; stop when none is */
static int ns_try(void *ctx, const char *path, uint64_t ino)
{
	struct ns_set *ns = ctx;

	for (int i = 0; i < ns->n; i++) {
		if (ns->ino[i] != ino || ns->ino[i] == ns->home || ns->fd[i] >= 0)
			continue;
		ns->fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (ns->fd[i] >= 0)
			ns->missing--;
		break;
	}
	return !ns->missing;
}

static void ns_open(struct ns_set *ns, uint32_t home)
{
	ns->home = home;
	ns->missing = 0;
	for (int i = 0; i < ns->n; i++) {
		ns->fd[i] = -1;
		ns->missing += ns->ino[i] != home;
	}
	if (ns->missing)
		netns_walk(ns_try, ns);
}

/* take the due sockets out of the heap into reports; their namespaces into ns */
static void take_due(struct stuck *k, uint64_t now, struct ns_set *ns)
{
	struct sock_entry *s;

	k->n_r = k->next_r = 0;
	k->n_h = k->n_t = k->n_g = k->next_g = 0;
	ns->n = 0;
	while ((s = stuck_table_due(&k->tab, now))) {
		struct stuck_report *r;
		int i;

		for (i = 0; i < ns->n && ns->ino[i] != s->e.netns; i++)
			;
		if (i == ns->n && ns->n == MAX_NS)
			break;	/* the rest next tick */
		if (grow((void **)&k->r, &k->cap_r, k->n_r, sizeof(*k->r)))
			break;
		if (i == ns->n)
			ns->ino[ns->n++] = s->e.netns;
		s->slot = k->n_r;
		r = &k->r[k->n_r++];
		memset(r, 0, sizeof(*r));
		r->e = s->e;
		r->now_ns = now;
		r->due_ns = s->due_ns;
		r->since_exact = !s->lower_bound;
		r->estimated = s->estimated;
		r->last_recv_ago_ns = r->last_send_ago_ns = -1;
		r->eof_read = -1;
		stuck_table_schedule(&k->tab, s, 0);
	}
}

/* has the socket received the peer's FIN (in the receive sequence, where copied_seq passes it) */
static bool fin_received(unsigned int state)
{
	return state == TS_CLOSE_WAIT || state == TS_LAST_ACK || state == TS_CLOSING;
}

/*
 * What the kernel knows of why: the data not read (rcv_nxt - copied_seq, netstat's Recv-Q, counts
 * the FIN too until recv() returns 0: then copied_seq passes it), the times of the last receive
 * and send.
 */
static void read_evidence(struct stuck_report *r, const struct tcpstates_sock_rec *rec)
{
	unsigned int hz = jiffies_hz(rec->jiffies, rec->ts_ns);

	if (rec->kind == TS_SK_FULL && fin_received(rec->state)) {
		r->eof_read = rec->rx_queue == 0;
		r->unread_bytes = rec->rx_queue ? rec->rx_queue - 1 : 0;
	} else if (rec->kind == TS_SK_FULL && rec->state != TS_LISTEN) {
		r->unread_bytes = rec->rx_queue;
	}
	if ((rec->flags & TS_SR_TIMES) && hz) {
		r->last_recv_ago_ns = jiffies_to_ns(rec->last_recv_j, hz);
		r->last_send_ago_ns = jiffies_to_ns(rec->last_send_j, hz);
	}
}

/* the iterator's record of a due socket: where it is now, its queues, its file */
static void on_sock(void *ctx, const struct tcpstates_sock_rec *rec)
{
	struct stuck *k = ctx;
	struct sock_entry *s = rec->cookie ? stuck_table_find(&k->tab, rec->cookie) : NULL;
	struct stuck_report *r;

	/* a socket first seen without a cookie (a snapshot's minisocket) may have one by now */
	if (!s)
		s = stuck_table_find(&k->tab, rec->skaddr);
	if (!s || s->slot == STUCK_TABLE_NONE)
		return;
	r = &k->r[s->slot];
	r->read_now = true;
	r->e.oldstate = rec->state;	/* kept here until checked against the table's state */
	r->e.skaddr = rec->skaddr;
	memcpy(r->e.saddr, rec->saddr, sizeof(r->e.saddr));
	memcpy(r->e.daddr, rec->daddr, sizeof(r->e.daddr));
	r->e.sport = rec->sport;
	r->e.dport = rec->dport;
	r->e.family = rec->family;
	r->e.rx_queue = rec->rx_queue;
	r->e.tx_queue = rec->tx_queue;
	snapshot_timer(rec, &r->e);	/* the timer netstat -o shows, read now */
	/* a request socket's inode is its listener's: nobody holds the request itself */
	r->ino = rec->kind == TS_SK_FULL ? rec->ino : 0;
	r->full = rec->kind == TS_SK_FULL;
	read_evidence(r, rec);
}

static void read_namespaces(struct stuck *k, struct ns_set *ns)
{
	ns_open(ns, k->home_netns);
	for (int i = 0; i < ns->n; i++) {
		bool home = ns->ino[i] == k->home_netns;

		if ((!home && ns->fd[i] < 0) || iter_tcp_run(&k->scan, home ? -1 : ns->fd[i],
							     on_sock, k) < 0) {
			k->st.ns_failed++;
			ns->ino[i] = 0;	/* its sockets are reported without a read */
		}
		if (ns->fd[i] >= 0)
			close(ns->fd[i]);
	}
}

/* a socket's holder so far: a process's fds come one after the other, so one is enough */
struct holder_last {
	uint32_t pid;			/* the process counted last (0: none yet) */
	uint32_t h;			/* its entry in k->h; UINT32_MAX when not listed */
};

/* holders_scan hands back positions in the sorted inode list: slot_of maps them to reports */
struct holder_scan {
	struct stuck *k;
	const uint32_t *slot_of;	/* position in the sorted inodes -> report */
	struct holder_last *last;	/* position -> the holder named last for it */
	uint32_t last_pid;		/* a process's holdings come together: read once ... */
	char last_comm[TCPSTATES_COMM_LEN];	/* ... its comm */
	uint64_t last_cgroup;		/* ... and its cgroup */
};

/* another descriptor of the holder named last: listed in its entry, or only counted */
static void add_fd(struct stuck_holder *h, int fd)
{
	h->fds_total++;
	if (h->n_fds < STUCK_FDS_MAX)
		h->fds[h->n_fds++] = fd;
}

/* holders_scan's callback: one call per (process, socket, fd), merged here per process */
static void add_holder(void *ctx, const char *pid_text, uint32_t pid, size_t i, int fd)
{
	struct holder_scan *hs = ctx;
	struct holder_last *last = &hs->last[i];
	struct stuck *k = hs->k;
	struct stuck_report *r = &k->r[hs->slot_of[i]];
	struct stuck_holder *h;

	if (last->pid == pid) {
		if (last->h != UINT32_MAX)
			add_fd(&k->h[last->h], fd);
		return;
	}
	*last = (struct holder_last){ pid, UINT32_MAX };
	r->holders_total++;
	if (r->holders_total > STUCK_HOLDERS_MAX ||
	    grow((void **)&k->h, &k->cap_h, k->n_h, sizeof(*k->h)))
		return;
	last->h = k->n_h;
	h = &k->h[k->n_h++];
	*h = (struct stuck_holder){ .slot = hs->slot_of[i], .pid = pid };
	add_fd(h, fd);
	if (hs->last_pid != pid) {
		holders_comm(pid_text, hs->last_comm, sizeof(hs->last_comm));
		hs->last_cgroup = holders_cgroup(pid_text, k->cg_root);
	}
	hs->last_pid = pid;
	memcpy(h->comm, hs->last_comm, sizeof(h->comm));
	h->cgroup_id = hs->last_cgroup;
}

struct ino_slot {
	uint64_t ino;
	uint32_t slot;
};

static int cmp_ino(const void *a, const void *b)
{
	uint64_t x = ((const struct ino_slot *)a)->ino, y = ((const struct ino_slot *)b)->ino;

	return x < y ? -1 : x > y;
}

static int cmp_holder(const void *a, const void *b)
{
	const struct stuck_holder *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* one pass over /proc for the inodes of all the round's sockets */
static void find_holders(struct stuck *k)
{
	struct ino_slot *is = malloc((k->n_r ? k->n_r : 1) * sizeof(*is));
	uint64_t *inos = malloc((k->n_r ? k->n_r : 1) * sizeof(*inos));
	uint32_t *slot_of = malloc((k->n_r ? k->n_r : 1) * sizeof(*slot_of));
	struct holder_last *last = calloc(k->n_r ? k->n_r : 1, sizeof(*last));
	struct holder_scan hs = { .k = k, .slot_of = slot_of, .last = last };
	size_t n = 0;

	for (size_t i = 0; is && inos && slot_of && last && i < k->n_r; i++)
		if (k->r[i].read_now && k->r[i].ino)
			is[n++] = (struct ino_slot){ k->r[i].ino, (uint32_t)i };
	if (n) {
		qsort(is, n, sizeof(*is), cmp_ino);
		for (size_t i = 0; i < n; i++) {
			inos[i] = is[i].ino;
			slot_of[i] = is[i].slot;
		}
		holders_scan(inos, n, add_holder, &hs);
		qsort(k->h, k->n_h, sizeof(*k->h), cmp_holder);
		for (size_t i = k->n_h; i-- > 0;) {
			k->r[k->h[i].slot].first_holder = i;
			k->r[k->h[i].slot].n_holders++;
		}
	}
	free(is);
	free(inos);
	free(slot_of);
	free(last);
}

/* ---- who owns a report, and is it shown ------------------------------------------------------ */

static void holder_as_owner(struct tcpstates_event *e, const struct stuck_holder *h)
{
	e->pid = h->pid;
	memcpy(e->comm, h->comm, sizeof(e->comm));
	e->cgroup_id = h->cgroup_id;
	e->flags = (e->flags | TS_F_OWNER_KNOWN) & ~TS_F_OWNER_INHERITED;
	/* its cgroup's verdict is the filter's to make (the kernel's was about the other owner) */
	e->flags2 = (e->flags2 & ~(TS_F2_OWNER_SNAPSHOT | TS_F2_CGROUP_IN)) | TS_F2_OWNER_HOLDER;
}

/*
 * A fork-per-connection server's listener accepts, hands the socket to a child and closes its
 * fd: the socket's transitions remember the listener's owner (or none, for a socket the tracer
 * met only at the kernel's ESTABLISHED -> CLOSE_WAIT), which holds it no more. ss -p names the
 * holders: so does the report.
 */
void stuck_name_owner(struct tcpstates_event *e, const struct stuck_holder *h, uint32_t n)
{
	for (uint32_t i = 0; (e->flags & TS_F_OWNER_KNOWN) && i < n; i++)
		if (h[i].pid == e->pid)
			return;
	if (n)
		holder_as_owner(e, &h[0]);
}

bool stuck_shown(const struct filter *f, const struct tcpstates_event *e,
		 const struct stuck_holder *h, uint32_t n)
{
	struct tcpstates_event alt = *e;

	if (filter_snapshot(f, e))
		return true;
	for (uint32_t i = 0; i < n; i++) {
		holder_as_owner(&alt, &h[i]);
		if (filter_snapshot(f, &alt))
			return true;
	}
	return false;
}

static const struct {
	const char *word, *words;
} diagnoses[STUCK_DX_MAX] = {
#define STUCK_DX_ROW(name, word, words) [STUCK_DX_##name] = { #word, words },
	STUCK_DIAGNOSIS_LIST(STUCK_DX_ROW)
#undef STUCK_DX_ROW
};

const char *const stuck_dx_words[STUCK_DX_MAX - 1] = {
#define STUCK_DX_WORD(name, word, words) #word,
	STUCK_DIAGNOSIS_LIST(STUCK_DX_WORD)
#undef STUCK_DX_WORD
};

const char *stuck_diagnosis_word(enum stuck_diagnosis d)
{
	return d < STUCK_DX_MAX ? diagnoses[d].word : NULL;
}

const char *stuck_diagnosis_words(enum stuck_diagnosis d)
{
	return d < STUCK_DX_MAX ? diagnoses[d].words : NULL;
}

/*
 * CLOSE_WAIT waits for the application's close(): no holder (orphan); held, but not by the
 * process that used it (a child that inherited it); else how far it read. The other states wait
 * for the peer (FIN_WAIT2 for its FIN, LAST_ACK and CLOSING for the ACK of ours, the SYN_*
 * states for the handshake, FIN_WAIT1 for its ACK or window).
 */
enum stuck_diagnosis stuck_diagnose(const struct stuck_report *r, const struct stuck_holder *h)
{
	bool owner_holds = false;

	if (!r->read_now)
		return STUCK_DX_NONE;
	if (r->e.newstate != TS_CLOSE_WAIT)
		return STUCK_DX_PEER_SILENT;
	if (!r->holders_total)
		return STUCK_DX_ORPHAN;
	for (uint32_t i = 0; i < r->n_holders; i++)
		owner_holds |= h[i].pid == r->owner_pid;
	if (r->owner_pid && !owner_holds && r->holders_total == r->n_holders)
		return STUCK_DX_INHERITED;
	if (r->unread_bytes)
		return STUCK_DX_DATA_UNREAD;
	return r->eof_read == 1 ? STUCK_DX_EOF_READ_NOT_CLOSED : STUCK_DX_EOF_UNREAD;
}

/*
 * Each report: still there in the same state? Then when next: when its age has doubled (past
 * now, however late this round is). A socket gone or moved unseen is dropped; one the filters do
 * not show is followed no more (its exit still clears it). The owner it names and the filters'
 * verdict take its holders into account (stuck_name_owner, stuck_shown).
 */
static void judge_round(struct stuck *k, const struct ns_set *ns)
{
	size_t out = 0;

	for (size_t i = 0; i < k->n_r; i++) {
		struct stuck_report *r = &k->r[i];
		struct sock_entry *s = stuck_table_find(&k->tab, stuck_table_key(&r->e));
		const struct stuck_holder *h;
		bool listed = false;
		uint64_t step;

		for (int j = 0; j < ns->n; j++)
			listed |= ns->ino[j] == r->e.netns;
		if (s)
			s->slot = STUCK_TABLE_NONE;
		if (listed && (!r->read_now || r->e.oldstate != r->e.newstate)) {
			k->st.gone++;
			if (s)
				stuck_table_remove(&k->tab, s);
			continue;
		}
		r->e.oldstate = 0;
		r->age_ns = r->now_ns - r->e.ts_ns;
		h = r->n_holders ? &k->h[r->first_holder] : NULL;
		/* an owner that used the socket, not one copied from its listener */
		if ((r->e.flags & TS_F_OWNER_KNOWN) && !(r->e.flags & TS_F_OWNER_INHERITED))
			r->owner_pid = r->e.pid;
		stuck_name_owner(&r->e, h, r->n_holders);
		r->diagnosis = stuck_diagnose(r, h);
		if (!s)
			continue;
		s->diagnosis = r->diagnosis;
		s->judged = true;
		s->shown = stuck_shown(k->filter, &r->e, h, r->n_holders);
		if (!s->shown)
			continue;
		step = r->due_ns > r->e.ts_ns ? r->due_ns - r->e.ts_ns : k->first_ns;
		while (r->e.ts_ns + step <= r->now_ns)
			step *= 2;
		stuck_table_schedule(&k->tab, s, r->e.ts_ns + step);
		if (out != i) {
			k->r[out] = *r;
			for (uint32_t h = 0; h < r->n_holders; h++)
				k->h[r->first_holder + h].slot = out;
		}
		out++;
	}
	k->n_r = out;
}

/* ---- the round's groups: one process, one state, one peer ------------------------------------ */

static int cmp_addr(const struct tcpstates_event *x, const struct tcpstates_event *y)
{
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->daddr, y->daddr, sizeof(x->daddr));
}

static int cmp_group(const struct tcpstates_event *x, const struct tcpstates_event *y)
{
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->newstate != y->newstate)
		return x->newstate < y->newstate ? -1 : 1;
	return cmp_addr(x, y);
}

/* by group, then oldest first (ties: by port, for a stable order) */
static int cmp_report(const void *a, const void *b)
{
	const struct stuck_report *x = a, *y = b;
	int c = cmp_group(&x->e, &y->e);

	if (c)
		return c;
	if (x->age_ns != y->age_ns)
		return x->age_ns > y->age_ns ? -1 : 1;
	if (x->e.sport != y->e.sport)
		return x->e.sport < y->e.sport ? -1 : 1;
	return x->e.dport < y->e.dport ? -1 : x->e.dport > y->e.dport;
}

/* sort the reports into groups and sum each up; the first --stuck-detail of each are detailed */
static void group_round(struct stuck *k)
{
	struct stuck_summary *g = NULL;

	qsort(k->r, k->n_r, sizeof(*k->r), cmp_report);
	k->n_g = 0;
	for (size_t i = 0; i < k->n_r; i++) {
		struct stuck_report *r = &k->r[i];

		if (!g || cmp_group(&g->first->e, &r->e)) {
			if (grow((void **)&k->g, &k->cap_g, k->n_g, sizeof(*k->g))) {
				/* no memory for a summary: the rest are written as reports */
				for (; i < k->n_r; i++)
					k->r[i].detailed = true;
				break;
			}
			g = &k->g[k->n_g++];
			memset(g, 0, sizeof(*g));
			g->first = r;
			g->now_ns = r->now_ns;
			g->oldest_age_ns = r->age_ns;
			g->lport = r->e.sport;
			g->rport = r->e.dport;
		}
		r->detailed = g->count < k->detail;
		g->detailed += r->detailed;
		g->count++;
		g->diagnoses[r->diagnosis]++;
		if (g->lport != r->e.sport)
			g->lport = 0;
		if (g->rport != r->e.dport)
			g->rport = 0;
	}
}

/* ---- what the holders of detailed reports are doing ------------------------------------------- */

/* a holder's threads, read once per process and round (a leak names one process many times) */
struct pid_threads {
	uint32_t pid, first, n, total;
};

static void read_threads(struct stuck *k)
{
	struct pid_threads *seen = NULL, *hit = NULL;
	size_t n_seen = 0, cap_seen = 0;

	for (size_t i = 0; i < k->n_r; i++) {
		const struct stuck_report *r = &k->r[i];

		for (uint32_t j = 0; r->detailed && j < r->n_holders; j++) {
			struct stuck_holder *h = &k->h[r->first_holder + j];
			char pid_text[16];
			unsigned int listed = 0;

			if (hit && hit->pid != h->pid)
				hit = NULL;
			for (size_t x = 0; x < n_seen && !hit; x++)
				if (seen[x].pid == h->pid)
					hit = &seen[x];
			if (!hit) {
				if (grow((void **)&seen, &cap_seen, n_seen, sizeof(*seen)))
					return free(seen);
				while (k->cap_t < k->n_t + THREADS_MAX)
					if (grow((void **)&k->t, &k->cap_t, k->cap_t, sizeof(*k->t)))
						return free(seen);
				hit = &seen[n_seen++];
				snprintf(pid_text, sizeof(pid_text), "%u", h->pid);
				hit->pid = h->pid;
				hit->first = k->n_t;
				hit->total = threads_read(pid_text, &k->t[k->n_t], THREADS_MAX, &listed);
				hit->n = listed;
				k->n_t += listed;
			}
			h->first_thread = hit->first;
			h->n_threads = hit->n;
			h->threads_total = hit->total;
		}
	}
	free(seen);
}

static void round_now(struct stuck *k)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), took;
	struct ns_set ns;

	take_due(k, start, &ns);
	if (!k->n_r)
		return;
	read_namespaces(k, &ns);
	find_holders(k);
	judge_round(k, &ns);
	group_round(k);
	read_threads(k);
	took = clock_ns(CLOCK_MONOTONIC) - start;
	k->st.rounds++;
	k->st.last_round_ns = took;
	if (took > k->st.max_round_ns) {
		k->st.max_round_ns = took;
		k->st.max_round_due = k->n_r;
	}
}

/*
 * The round's records in order: each group's summary, then its detailed reports. A group of one
 * socket written in detail has no summary: its report says it all.
 */
void stuck_tick(struct stuck *k, stuck_room_fn room, stuck_emit_fn emit, void *ctx)
{
	if (k->next_r == k->n_r && room(ctx))
		round_now(k);
	while (k->next_r < k->n_r && room(ctx)) {
		const struct stuck_report *r = &k->r[k->next_r];

		if (k->next_g < k->n_g && k->g[k->next_g].first == r) {
			const struct stuck_summary *g = &k->g[k->next_g++];

			if (g->count > 1 || !g->detailed) {
				emit(ctx, g, NULL, NULL, NULL);
				k->st.summaries++;
				if (!room(ctx))
					break;
			}
		}
		k->next_r++;
		if (!r->detailed) {
			k->st.folded++;
			continue;
		}
		emit(ctx, NULL, r, r->n_holders ? &k->h[r->first_holder] : NULL, k->t);
		k->st.reports++;
	}
}

/* free what detector_init took; safe after it failed */
static void detector_free(struct stuck *k)
{
	iter_tcp_close(&k->scan);
	stuck_table_free(&k->tab);
	free(k->r);
	free(k->h);
	free(k->t);
	free(k->g);
	k->r = NULL;
	k->h = NULL;
	k->t = NULL;
	k->g = NULL;
}

/*
 * --metrics-file's gauge: the sockets followed that passed the filters and have been in their
 * state for --stuck or longer by now_ns (reported or about to be), per state. A socket reported
 * already counts as its report was judged, holders included.
 */
void stuck_count(const struct stuck *k, uint64_t now_ns, uint64_t *per_state, bool *followed,
		 unsigned int n)
{
	memset(per_state, 0, n * sizeof(per_state[0]));
	for (unsigned int state = 0; state < n; state++)
		followed[state] = stuck_table_watched(state);
	for (uint32_t i = 0; i < k->tab.cap; i++) {
		const struct sock_entry *s = &k->tab.v[i];

		if (s->used && s->e.newstate < n && now_ns >= s->e.ts_ns + k->first_ns &&
		    (s->judged ? s->shown : filter_snapshot(k->filter, &s->e)))
			per_state[s->e.newstate]++;
	}
}

void stuck_count_diagnosed(const struct stuck *k, uint64_t now_ns, uint64_t *per_dx, unsigned int n)
{
	memset(per_dx, 0, n * sizeof(per_dx[0]));
	for (uint32_t i = 0; i < k->tab.cap; i++) {
		const struct sock_entry *s = &k->tab.v[i];

		if (s->used && s->judged && s->shown && s->diagnosis && s->diagnosis <= n &&
		    now_ns >= s->e.ts_ns + k->first_ns)
			per_dx[s->diagnosis - 1]++;
	}
}

/* ---- for the session ------------------------------------------------------------------------- */

struct stuck *stuck_start(const struct config *cfg, const struct filter *filter, bool by_cookie)
{
	struct stuck *k;
	int err;

	if (cfg->stuck_s <= 0)
		return NULL;
	k = malloc(sizeof(*k));
	if (!k) {
		fprintf(stderr, "tcpstates-c: --stuck: out of memory; no stuck sockets reported\n");
		return NULL;
	}
	err = detector_init(k, cfg, filter, by_cookie);
	if (err) {
		fprintf(stderr, "tcpstates-c: --stuck: cannot load the socket iterator (iter/tcp): %s; "
				"no stuck sockets reported\n", strerror(-err));
		detector_free(k);
		free(k);
		return NULL;
	}
	/* its rounds enter namespaces and read other processes' /proc: keep what that needs */
	privdrop_keep_stuck();
	return k;
}

void stuck_stop(struct stuck *k, bool verbose)
{
	if (!k)
		return;
	if (k->tab.not_tracked)
		fprintf(stderr, "tcpstates-c: --stuck: %llu sockets not followed (table full at %u)\n",
			(unsigned long long)k->tab.not_tracked, k->tab.max);
	if (verbose)
		fprintf(stderr, "tcpstates-c: --stuck: %llu reports and %llu summaries (%llu reports "
				"folded into them) in %llu rounds; longest round "
				"%.1f ms (%llu sockets reported); %llu gone unseen; %llu namespace reads "
				"failed; %u sockets followed at the end\n",
			(unsigned long long)k->st.reports, (unsigned long long)k->st.summaries,
			(unsigned long long)k->st.folded, (unsigned long long)k->st.rounds,
			k->st.max_round_ns / 1e6, (unsigned long long)k->st.max_round_due,
			(unsigned long long)k->st.gone, (unsigned long long)k->st.ns_failed, k->tab.n);
	detector_free(k);
	free(k);
}
