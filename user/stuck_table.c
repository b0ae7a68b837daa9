// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stuck_table.c - the sockets in a state they can get stuck in: a hash by key, a due-time heap. */
#include <stdlib.h>
#include <string.h>
#include "stuck_table.h"

#define FIRST_CAP 1024

bool stuck_table_watched(unsigned int state)
{
	switch (state) {
	case TS_CLOSE_WAIT:
	case TS_FIN_WAIT1:
	case TS_FIN_WAIT2:
	case TS_CLOSING:
	case TS_LAST_ACK:
	case TS_SYN_SENT:
	case TS_SYN_RECV:
		return true;
	}
	return false;
}

uint64_t stuck_table_key(const struct tcpstates_event *e)
{
	return (e->flags & TS_F_COOKIE_KNOWN) ? e->cookie : e->skaddr;
}

static uint32_t slot(const struct stuck_table *t, uint64_t key)
{
	/* cookies count up and addresses are aligned: mix before taking the low bits */
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (t->n_buckets - 1);
}

void stuck_table_init(struct stuck_table *t, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->free_head = STUCK_TABLE_NONE;
}

void stuck_table_free(struct stuck_table *t)
{
	free(t->v);
	free(t->bucket);
	free(t->heap);
	stuck_table_init(t, t->max);
}

/* ---- the due heap ---------------------------------------------------------------------------- */

static uint64_t due_at(const struct stuck_table *t, uint32_t pos)
{
	return t->v[t->heap[pos]].due_ns;
}

static void heap_set(struct stuck_table *t, uint32_t pos, uint32_t idx)
{
	t->heap[pos] = idx;
	t->v[idx].heap = pos;
}

static void sift_up(struct stuck_table *t, uint32_t pos)
{
	uint32_t idx = t->heap[pos];

	while (pos > 0 && t->v[t->heap[(pos - 1) / 2]].due_ns > t->v[idx].due_ns) {
		heap_set(t, pos, t->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	heap_set(t, pos, idx);
}

static void sift_down(struct stuck_table *t, uint32_t pos)
{
	uint32_t idx = t->heap[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= t->n_heap)
			break;
		if (c + 1 < t->n_heap && due_at(t, c + 1) < due_at(t, c))
			c++;
		if (due_at(t, c) >= t->v[idx].due_ns)
			break;
		heap_set(t, pos, t->heap[c]);
		pos = c;
	}
	heap_set(t, pos, idx);
}

static void heap_remove(struct stuck_table *t, struct sock_entry *s)
{
	uint32_t pos = s->heap, last;

	if (pos == STUCK_TABLE_NONE)
		return;
	s->heap = STUCK_TABLE_NONE;
	last = t->heap[--t->n_heap];
	if (pos == t->n_heap)
		return;
	heap_set(t, pos, last);
	sift_up(t, pos);
	sift_down(t, t->v[last].heap);
}

void stuck_table_schedule(struct stuck_table *t, struct sock_entry *s, uint64_t due_ns)
{
	heap_remove(t, s);
	s->due_ns = due_ns;
	if (!due_ns)
		return;
	/* the heap has room for every entry: it grows with v */
	t->heap[t->n_heap] = (uint32_t)(s - t->v);
	s->heap = t->n_heap++;
	sift_up(t, s->heap);
}

struct sock_entry *stuck_table_due(struct stuck_table *t, uint64_t now_ns)
{
	if (!t->n_heap || due_at(t, 0) > now_ns)
		return NULL;
	return &t->v[t->heap[0]];
}

/* ---- the hash -------------------------------------------------------------------------------- */

struct sock_entry *stuck_table_find(struct stuck_table *t, uint64_t key)
{
	if (!t->n_buckets)
		return NULL;
	for (uint32_t i = t->bucket[slot(t, key)]; i != STUCK_TABLE_NONE; i = t->v[i].next)
		if (t->v[i].key == key)
			return &t->v[i];
	return NULL;
}

static void link_entry(struct stuck_table *t, uint32_t idx)
{
	uint32_t *b = &t->bucket[slot(t, t->v[idx].key)];

	t->v[idx].next = *b;
	*b = idx;
}

/* double v, the heap and the buckets (the chains are rebuilt); -1 when full or out of memory */
static int double_table(struct stuck_table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : FIRST_CAP, *b, *h;
	struct sock_entry *v;

	if (t->cap >= t->max)
		return -1;
	if (cap > t->max)
		cap = t->max;
	v = realloc(t->v, (size_t)cap * sizeof(*v));
	if (!v)
		return -1;
	t->v = v;
	h = realloc(t->heap, (size_t)cap * sizeof(*h));
	if (!h)
		return -1;
	t->heap = h;
	b = malloc((size_t)(cap * 2) * sizeof(*b));	/* two buckets per entry, a power of two */
	if (!b)
		return -1;
	free(t->bucket);
	t->bucket = b;
	t->n_buckets = 1;
	while (t->n_buckets < cap)
		t->n_buckets <<= 1;
	memset(b, 0xff, (size_t)t->n_buckets * sizeof(*b));
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->v[i].used)
			link_entry(t, i);
	/* the new entries go on the free list, lowest first */
	for (uint32_t i = cap; i-- > t->cap;) {
		t->v[i].used = false;
		t->v[i].next = t->free_head;
		t->free_head = i;
	}
	t->cap = cap;
	return 0;
}

static struct sock_entry *insert(struct stuck_table *t, uint64_t key)
{
	struct sock_entry *s;
	uint32_t idx;

	if (t->free_head == STUCK_TABLE_NONE && double_table(t)) {
		t->not_tracked++;
		return NULL;
	}
	idx = t->free_head;
	s = &t->v[idx];
	t->free_head = s->next;
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->used = true;
	s->heap = STUCK_TABLE_NONE;
	s->slot = STUCK_TABLE_NONE;
	link_entry(t, idx);
	t->n++;
	return s;
}

void stuck_table_remove(struct stuck_table *t, struct sock_entry *s)
{
	uint32_t idx = (uint32_t)(s - t->v), *pp = &t->bucket[slot(t, s->key)];

	heap_remove(t, s);
	while (*pp != STUCK_TABLE_NONE && *pp != idx)
		pp = &t->v[*pp].next;
	if (*pp == idx)
		*pp = s->next;
	s->used = false;
	s->next = t->free_head;
	t->free_head = idx;
	t->n--;
}

struct sock_entry *stuck_table_update(struct stuck_table *t, const struct tcpstates_event *e,
				     uint64_t first_ns)
{
	uint64_t key = stuck_table_key(e);
	bool snapshot = e->flags2 & TS_F2_SNAPSHOT;
	struct sock_entry *s = stuck_table_find(t, key);

	if (!stuck_table_watched(e->newstate)) {
		if (s && !snapshot)
			stuck_table_remove(t, s);
		return NULL;
	}
	/* what a transition said first is exact: a snapshot of the same socket adds nothing */
	if (s && snapshot && s->e.newstate == e->newstate)
		return s;
	if (!s && !(s = insert(t, key)))
		return NULL;
	s->e = *e;
	s->lower_bound = snapshot;
	s->estimated = false;
	s->judged = false;	/* a new record, maybe a new owner: the filters decide afresh */
	stuck_table_schedule(t, s, e->ts_ns + first_ns);
	return s;
}
