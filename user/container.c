// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* container.c - which container and pod a cgroup is: its path parsed, the node's files read, cached. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "container.h"
#include "grow.h"
#include "procfs.h"

#define ID_LEN 64			/* a container id: 64 lowercase hex digits */

static const char *const runtime_words[CONTAINER_RT_MAX] = {
#define CONTAINER_RT_WORD(name, word) [CONTAINER_RT_##name] = #word,
	CONTAINER_RUNTIME_LIST(CONTAINER_RT_WORD)
#undef CONTAINER_RT_WORD
};

const char *container_runtime_word(enum container_runtime rt)
{
	return rt > CONTAINER_RT_NONE && rt < CONTAINER_RT_MAX ? runtime_words[rt] : NULL;
}

/* copy s[0..n) into out (len bytes) as a string; false, out untouched, when it does not fit */
static bool copy(char *out, size_t len, const char *s, size_t n)
{
	if (n >= len)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

static bool is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* s[0..n) is n lowercase hex digits (runtimes write ids in lowercase; anything else is not one) */
static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/* ---- cgroup paths ---------------------------------------------------------------------------- */

/*
 * A container's cgroup directory is PREFIX<ID>, with ".scope" after it under the systemd driver:
 * cri-containerd-<ID>.scope, crio-<ID>.scope (crio-<ID> with cgroupfs), docker-<ID>.scope,
 * libpod-<ID>.scope (libpod-<ID> with cgroupfs). The runtimes' monitor processes have scopes of
 * their own, crio-conmon-<ID>.scope and libpod-conmon-<ID>.scope: not containers, and not taken
 * since "conmon-" is no hex.
 */
static const struct {
	const char *prefix;
	uint8_t runtime;
} scope_prefixes[] = {
	{ "cri-containerd-", CONTAINER_RT_CONTAINERD },
	{ "crio-", CONTAINER_RT_CRIO },
	{ "docker-", CONTAINER_RT_DOCKER },
	{ "libpod-", CONTAINER_RT_PODMAN },
};

/* the runtime whose scope directory name s[0..n) is (its id at *id), or NONE */
static uint8_t scope_runtime(const char *s, size_t n, const char **id)
{
	for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
		size_t p = strlen(scope_prefixes[i].prefix);

		if (n < p + ID_LEN || strncmp(s, scope_prefixes[i].prefix, p))
			continue;
		/* the id, then nothing or ".scope" */
		if (!all_hex(s + p, ID_LEN) ||
		    (n != p + ID_LEN && (n != p + ID_LEN + 6 || strncmp(s + p + ID_LEN, ".scope", 6))))
			return CONTAINER_RT_NONE;
		*id = s + p;
		return scope_prefixes[i].runtime;
	}
	return CONTAINER_RT_NONE;
}

/*
 * A pod UID as the kubelet writes it in a cgroup name: a UUID (8-4-4-4-12 hex digits, its dashes
 * escaped as sep), or 32 hex digits (a static pod's: the hash of its manifest). Copied into out
 * with dashes.
 */
static bool pod_uid(const char *s, size_t n, char sep, char out[37])
{
	if (n == 32 && all_hex(s, 32))
		return copy(out, 37, s, n);
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !is_lower_hex(s[i])) {
			out[0] = '\0';
			return false;
		}
		out[i] = dash ? '-' : s[i];
	}
	out[36] = '\0';
	return true;
}

/*
 * The pod UID of a pod's cgroup directory name s[0..n): kubepods-pod<UID>.slice,
 * kubepods-besteffort-pod<UID>.slice, kubepods-burstable-pod<UID>.slice (systemd driver: '_' for
 * the UID's dashes, since '-' means a parent in a slice name; a prefix before "kubepods", as kind's
 * "kubelet-kubepods-", is allowed) or pod<UID> (cgroupfs driver).
 */
static bool pod_dir(const char *s, size_t n, char out[37])
{
	const char *p;

	if (n > 3 && !strncmp(s, "pod", 3))
		return pod_uid(s + 3, n - 3, '-', out);
	if (n < 6 + 4 + 32 || strncmp(s + n - 6, ".slice", 6))
		return false;
	/* the UID is one of two lengths: "-pod" stands 36 or 40 before ".slice" */
	for (size_t len = 32; len <= 36; len += 4) {
		if (n < 6 + 4 + len)
			continue;
		p = s + n - 6 - len - 4;
		if (!strncmp(p, "-pod", 4) && memmem(s, p - s, "kubepods", 8))
			return pod_uid(p + 4, len, '_', out);
	}
	return false;
}

/*
 * Whether directory name s[0..n), below parent[0..pn), is a container's; its runtime and id.
 * The scope names say so themselves; a bare id only below a pod (cgroupfs driver: containerd or
 * dockershim, the ids alike; said to be containerd) or below "docker" (Docker's cgroupfs driver).
 */
static uint8_t container_dir(const char *parent, size_t pn, const char *s, size_t n,
			     const char **id)
{
	char uid[37];
	uint8_t rt = scope_runtime(s, n, id);

	if (rt != CONTAINER_RT_NONE || n != ID_LEN || !all_hex(s, n))
		return rt;
	*id = s;
	if (pn == 6 && !strncmp(parent, "docker", 6))
		return CONTAINER_RT_DOCKER;
	if (pod_dir(parent, pn, uid))
		return CONTAINER_RT_CONTAINERD;
	return CONTAINER_RT_NONE;
}

bool container_parse_cgroup(const char *path, struct container_info *info)
{
	const char *parent = "", *s = path, *id = NULL;
	size_t pn = 0;

	memset(info, 0, sizeof(*info));
	/*
	 * Every directory is looked at; the deepest container wins: a container in a container (a
	 * kind node is a docker-<ID>.scope with the kubelet's pods below it) is the inner one, and
	 * directories below a container (its /init, a nested cgroup) are that container's.
	 */
	while (*s) {
		size_t n;
		const char *cid;
		uint8_t rt;

		s += strspn(s, "/");
		n = strcspn(s, "/");
		if (!n)
			break;
		rt = container_dir(parent, pn, s, n, &cid);
		if (rt != CONTAINER_RT_NONE) {
			memset(info, 0, sizeof(*info));
			info->runtime = rt;
			id = cid;
			/* a pod's container is its pod's directory's child */
			pod_dir(parent, pn, info->pod_uid);
		}
		parent = s;
		pn = n;
		s += n;
	}
	if (!id)
		return false;
	memcpy(info->id, id, ID_LEN);
	info->id[ID_LEN] = '\0';
	return true;
}

/* ---- the kubelet's log links ----------------------------------------------------------------- */

/*
 * s[0..n) is a DNS label (RFC 1123: lowercase letters, digits, '-', at most 63, alphanumeric at
 * both ends), or with dots a DNS subdomain (at most 253): the names Kubernetes allows for a
 * namespace and a container (labels) and a pod (subdomain). None holds '_', the link's separator.
 */
static bool dns_name(const char *s, size_t n, bool dots)
{
	if (!n || n > (dots ? 253u : 63u) || s[0] == '-' || s[0] == '.' || s[n - 1] == '-' ||
	    s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')
			continue;
		/* a dot between two labels: alphanumeric on both sides */
		if (!dots || s[i] != '.' || s[i - 1] == '.' || s[i - 1] == '-' || s[i + 1] == '-')
			return false;
	}
	return true;
}

bool container_parse_kubelet_log(const char *name, char *pod, size_t pod_len, char *ns,
				 size_t ns_len, char *container, size_t container_len,
				 char id[65])
{
	size_t len = strlen(name), rest;
	const char *us1, *us2, *hex;

	/* <POD>_<NAMESPACE>_<CONTAINER>-<ID>.log: the id is fixed in length, so found from the end */
	if (len < 1 + 1 + 1 + 1 + 1 + 1 + ID_LEN + 4 || strcmp(name + len - 4, ".log"))
		return false;
	hex = name + len - 4 - ID_LEN;
	if (hex[-1] != '-' || !all_hex(hex, ID_LEN))
		return false;
	rest = hex - 1 - name;
	us1 = memchr(name, '_', rest);
	us2 = us1 ? memchr(us1 + 1, '_', rest - (us1 + 1 - name)) : NULL;
	if (!us2 || !dns_name(name, us1 - name, true) ||
	    !dns_name(us1 + 1, us2 - us1 - 1, false) ||
	    !dns_name(us2 + 1, hex - 1 - us2 - 1, false))
		return false;
	if (pod_len <= (size_t)(us1 - name) || ns_len <= (size_t)(us2 - us1 - 1) ||
	    container_len <= (size_t)(hex - us2 - 2))
		return false;
	copy(pod, pod_len, name, us1 - name);
	copy(ns, ns_len, us1 + 1, us2 - us1 - 1);
	copy(container, container_len, us2 + 1, hex - us2 - 2);
	copy(id, 65, hex, ID_LEN);
	return true;
}

/* ---- Docker's config.v2.json ----------------------------------------------------------------- */

/* a byte of a decoded string: written while it fits (the last byte kept for the NUL), counted */
static void put(char *out, size_t len, size_t *n, char ch)
{
	if (out && *n + 1 < len)
		out[*n] = ch;
	(*n)++;
}

/* code point cp as UTF-8 */
static void put_utf8(char *out, size_t len, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		put(out, len, n, cp);
	} else if (cp < 0x800) {
		put(out, len, n, 0xc0 | cp >> 6);
		put(out, len, n, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		put(out, len, n, 0xe0 | cp >> 12);
		put(out, len, n, 0x80 | (cp >> 6 & 0x3f));
		put(out, len, n, 0x80 | (cp & 0x3f));
	} else {
		put(out, len, n, 0xf0 | cp >> 18);
		put(out, len, n, 0x80 | (cp >> 12 & 0x3f));
		put(out, len, n, 0x80 | (cp >> 6 & 0x3f));
		put(out, len, n, 0x80 | (cp & 0x3f));
	}
}

/* the 4 hex digits of a \u escape at s; -1 if they are not */
static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char ch = s[i] | 0x20;	/* JSON allows either case here */

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return -1;
		v = v << 4 | (ch <= '9' ? ch - '0' : ch - 'a' + 10);
	}
	return v;
}

/*
 * The JSON string at *p (its opening '"'), decoded into out (len bytes, NULL: only skipped); *p is
 * left past its closing '"'. Returns the decoded length (out holds it all when it is < len), or -1
 * for a string that is not one (no end, a bad escape, a control character).
 */
static long json_string(const char **p, char *out, size_t len)
{
	const char *s = *p + 1;
	size_t n = 0;
	int cp, lo;

	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return -1;	/* the end of the text (NUL) included */
		if (*s != '\\') {
			put(out, len, &n, *s);
			continue;
		}
		switch (*++s) {
		case '"': case '\\': case '/':
			put(out, len, &n, *s);
			break;
		case 'b': put(out, len, &n, '\b'); break;
		case 'f': put(out, len, &n, '\f'); break;
		case 'n': put(out, len, &n, '\n'); break;
		case 'r': put(out, len, &n, '\r'); break;
		case 't': put(out, len, &n, '\t'); break;
		case 'u':
			cp = hex4(s + 1);
			if (cp < 0)
				return -1;
			s += 4;
			/* a character beyond the first 64 Ki is a pair of escapes (UTF-16) */
			if (cp >= 0xd800 && cp < 0xdc00 && s[1] == '\\' && s[2] == 'u' &&
			    (lo = hex4(s + 3)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			put_utf8(out, len, &n, cp);
			break;
		default:
			return -1;
		}
	}
	if (out && len)
		out[n < len ? n : len - 1] = '\0';
	*p = s + 1;
	return n;
}

static void json_space(const char **p)
{
	*p += strspn(*p, " \t\r\n");
}

/* skip the value at *p: a string, an object or array (whatever it holds), or a bare word */
static bool json_skip(const char **p)
{
	int depth = 0;

	do {
		switch (**p) {
		case '\0':
			return false;
		case '"':
			if (json_string(p, NULL, 0) < 0)
				return false;
			continue;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (--depth < 0)
				return false;
			break;
		default:
			if (!depth) {	/* a number, true, false, null */
				*p += strcspn(*p, ",}] \t\r\n");
				return true;
			}
		}
		(*p)++;
	} while (depth);
	return true;
}

bool container_parse_docker_config(const char *json, char *name, size_t len)
{
	const char *p = json;
	char key[8];
	long n;

	json_space(&p);
	if (*p++ != '{')
		return false;
	for (;;) {
		json_space(&p);
		if (*p != '"')
			return false;	/* the object's end ('}') without a "Name", or not JSON */
		n = json_string(&p, key, sizeof(key));
		json_space(&p);
		if (n < 0 || *p++ != ':')
			return false;
		json_space(&p);
		if (n == 4 && !strcmp(key, "Name")) {
			/* Docker writes "/NAME"; a name that does not fit is none */
			if (*p != '"' || (n = json_string(&p, name, len)) < 0 || (size_t)n >= len)
				return false;
			if (name[0] == '/')
				memmove(name, name + 1, n--);
			return n > 0;
		}
		if (!json_skip(&p))
			return false;
		json_space(&p);
		if (*p++ != ',')
			return false;
	}
}

/* ---- the cache ------------------------------------------------------------------------------- */

#define CACHE_MAX 16384			/* entries; beyond, one is evicted per new one */
#define SLOTS_MIN 1024			/* the table's first size; doubled to keep it half empty */
#define TICK_EVERY_NS 100000000ull	/* containers_tick looks at a batch at most every 100 ms */
#define TICK_STATS 16			/* ... of up to 16 directories */
#define TICK_SLOTS 1024			/* ... found among up to 1024 slots */
#define LIST_EVERY_NS 1000000000ull	/* log_dir is listed again at most once a second */
#define NAME_TRIES 5			/* a pod container's link looked for in 5 listings at most */
#define DOCKER_CONFIG_MAX (1 << 20)	/* a config.v2.json beyond 1 MiB is not read */

/*
 * One cached cgroup. Open addressing with linear probing, deletion by shifting back (no
 * tombstones): a hit is a multiplication, a mask and a compare or two.
 */
struct slot {
	uint64_t cgid;			/* 0: an empty slot (no cgroup has id 0) */
	struct container_info *info;	/* &host for a host cgroup, else malloc'd */
	char *path;			/* its path below cg_root: containers_tick sees it gone */
	uint32_t log_gen;		/* logs.gen when its link was last looked for */
	uint8_t ref;			/* hit since the eviction hand last passed: spared once */
	uint8_t tries;			/* a pod container without names yet: listings still to try */
};

/* the kubelet's links, from one listing of log_dir: file names sorted by the id they end with */
struct log_index {
	char **names;
	size_t n, cap;
	uint64_t listed_ns;		/* when last listed (CLOCK_MONOTONIC); 0: never */
	uint32_t gen;			/* listings made */
};

#define UNKNOWN_KEPT 64			/* cgroups remembered as not found ... */
#define UNKNOWN_KEEP_NS 1000000000ULL	/* ... for a second */

struct containers {
	char *cg_root, *log_dir, *docker_dir;
	struct slot *slots;
	size_t mask;			/* slots - 1 (a power of two) */
	size_t n;			/* entries */
	size_t hand;			/* eviction's clock hand */
	size_t cursor;			/* containers_tick's place */
	uint64_t next_tick_ns;
	uint64_t next_walk_ns;		/* walk_cgroups: not before this */
	struct {
		uint64_t cgid, until_ns;
		uint32_t pid;
	} unknown[UNKNOWN_KEPT];	/* (cgroup, pid) not found lately: not looked for again
					 * before until_ns (a dead owner's records would cost a
					 * failed /proc read each); another pid is tried */
	unsigned int next_unknown;
	struct log_index logs;
	struct containers_stats st;
};

/* what a host cgroup is: nothing of a container, shared by all of them */
static struct container_info host;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Fibonacci hashing: cgroup ids are inode numbers, close together; the top bits spread them */
static size_t home(const struct containers *c, uint64_t cgid)
{
	return (cgid * 0x9e3779b97f4a7c15ull) >> 32 & c->mask;
}

static struct slot *find(struct containers *c, uint64_t cgid)
{
	for (size_t i = home(c, cgid);; i = (i + 1) & c->mask) {
		if (c->slots[i].cgid == cgid)
			return &c->slots[i];
		if (!c->slots[i].cgid)
			return NULL;
	}
}

/* an entry put where its probe sequence finds room (there always is: the table is half empty) */
static void place(struct containers *c, const struct slot *e)
{
	size_t i = home(c, e->cgid);

	while (c->slots[i].cgid)
		i = (i + 1) & c->mask;
	c->slots[i] = *e;
}

/* twice the slots, every entry placed again; false (the table as it was) when out of memory */
static bool grow_table(struct containers *c)
{
	struct slot *old = c->slots;
	size_t old_n = c->mask + 1;

	c->slots = calloc(old_n * 2, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return false;
	}
	c->mask = old_n * 2 - 1;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].cgid)
			place(c, &old[i]);
	free(old);
	c->hand = c->cursor = 0;
	return true;
}

static void free_entry(struct slot *s)
{
	if (s->info != &host)
		free(s->info);
	free(s->path);
}

/*
 * Take out the entry at slot i: the entries after it in the same run move back where their probe
 * sequence passes i, so that no lookup meets a hole before its entry.
 */
static void remove_at(struct containers *c, size_t i)
{
	free_entry(&c->slots[i]);
	for (size_t j = (i + 1) & c->mask; c->slots[j].cgid; j = (j + 1) & c->mask) {
		size_t h = home(c, c->slots[j].cgid);

		/* j's entry may fill i unless its home lies cyclically in (i, j] */
		if (i < j ? h <= i || h > j : h <= i && h > j) {
			c->slots[i] = c->slots[j];
			i = j;
		}
	}
	memset(&c->slots[i], 0, sizeof(c->slots[i]));
	c->n--;
}

/* a full cache makes room: the clock algorithm, the first entry not hit since the hand passed */
static void evict(struct containers *c)
{
	for (;; c->hand = (c->hand + 1) & c->mask) {
		struct slot *s = &c->slots[c->hand];

		if (!s->cgid)
			continue;
		if (!s->ref) {
			remove_at(c, c->hand);
			c->st.evicted++;
			return;
		}
		s->ref = 0;
	}
}

static struct slot *insert(struct containers *c, const struct slot *e)
{
	if (c->n >= CACHE_MAX)
		evict(c);
	else if (2 * (c->n + 1) > c->mask + 1 && !grow_table(c))
		return NULL;
	place(c, e);
	c->n++;
	return find(c, e->cgid);
}

struct containers *containers_open(const char *cg_root, const char *log_dir,
				   const char *docker_dir)
{
	struct containers *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cg_root = strdup(cg_root);
	c->log_dir = strdup(log_dir);
	c->docker_dir = strdup(docker_dir);
	c->slots = calloc(SLOTS_MIN, sizeof(*c->slots));
	c->mask = SLOTS_MIN - 1;
	if (!c->cg_root || !c->log_dir || !c->docker_dir || !c->slots) {
		containers_close(c);
		return NULL;
	}
	return c;
}

static void free_index(struct log_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->names[i]);
	free(x->names);
	x->names = NULL;
	x->n = x->cap = 0;
}

void containers_close(struct containers *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->slots && i <= c->mask; i++)
		if (c->slots[i].cgid)
			free_entry(&c->slots[i]);
	free(c->slots);
	free_index(&c->logs);
	free(c->cg_root);
	free(c->log_dir);
	free(c->docker_dir);
	free(c);
}

/* ---- the node's files: names for a container id ---- */

/* the id a log link's name ends with (<...>-<ID>.log; the index holds only names that parse) */
static const char *link_id(const char *name)
{
	return name + strlen(name) - 4 - ID_LEN;
}

static int cmp_links(const void *a, const void *b)
{
	return memcmp(link_id(*(char *const *)a), link_id(*(char *const *)b), ID_LEN);
}

/* log_dir listed into the index, replacing the last listing (kept if out of memory) */
static void list_logs(struct containers *c, uint64_t now)
{
	struct log_index x = { 0 };
	struct container_info scratch;
	DIR *d = opendir(c->log_dir);
	struct dirent *de;

	c->logs.listed_ns = now;
	c->logs.gen++;
	c->st.log_listings++;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *name;

		if (!container_parse_kubelet_log(de->d_name, scratch.pod, sizeof(scratch.pod),
						 scratch.pod_namespace,
						 sizeof(scratch.pod_namespace), scratch.container,
						 sizeof(scratch.container), scratch.id))
			continue;
		if (grow((void **)&x.names, &x.cap, x.n, sizeof(*x.names)) ||
		    !(name = strdup(de->d_name))) {
			closedir(d);
			free_index(&x);
			return;
		}
		x.names[x.n++] = name;
	}
	closedir(d);
	qsort(x.names, x.n, sizeof(*x.names), cmp_links);
	x.listed_ns = c->logs.listed_ns;
	x.gen = c->logs.gen;
	free_index(&c->logs);
	c->logs = x;
}

/* the link of container id in the index, or NULL */
static const char *find_link(const struct log_index *x, const char *id)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = memcmp(link_id(x->names[mid]), id, ID_LEN);

		if (!d)
			return x->names[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * A pod container's names from its kubelet link: from the index, listed again first if the id is
 * not in it and the listing is over a second old (a container started since). False if not found.
 */
static bool kubelet_names(struct containers *c, struct container_info *info)
{
	const char *link = find_link(&c->logs, info->id);
	uint64_t now;

	if (!link) {
		now = mono_ns();
		if (c->logs.listed_ns && now - c->logs.listed_ns < LIST_EVERY_NS)
			return false;
		list_logs(c, now);
		link = find_link(&c->logs, info->id);
	}
	return link && container_parse_kubelet_log(link, info->pod, sizeof(info->pod),
						   info->pod_namespace,
						   sizeof(info->pod_namespace), info->container,
						   sizeof(info->container), info->id);
}

/*
 * A small file's text, NUL-terminated, in a malloc'd buffer; NULL if it cannot be read or is
 * max bytes or more.
 */
static char *read_small(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t cap = 16384, n = 0;
	char *buf = NULL, *p;
	ssize_t r;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (n + 1 >= cap && (cap *= 2) > max)
			break;
		p = realloc(buf, cap);
		if (!p)
			break;
		buf = p;
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			if (r < 0)
				break;
			buf[n] = '\0';
			return buf;
		}
		n += r;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* a Docker container's name, from docker_dir/<ID>/config.v2.json (left empty if not there) */
static void docker_name(struct containers *c, struct container_info *info)
{
	char path[4096], *json;

	if (snprintf(path, sizeof(path), "%s/%s/config.v2.json", c->docker_dir, info->id) >=
	    (int)sizeof(path))
		return;
	json = read_small(path, DOCKER_CONFIG_MAX);
	if (json && !container_parse_docker_config(json, info->container, sizeof(info->container)))
		info->container[0] = '\0';
	free(json);
}

/* a cached pod container without names: its link looked for again, once per new listing */
static void retry_names(struct containers *c, struct slot *s)
{
	if (s->log_gen == c->logs.gen && mono_ns() - c->logs.listed_ns < LIST_EVERY_NS)
		return;
	if (kubelet_names(c, s->info))
		s->tries = 0;
	else if (s->log_gen != c->logs.gen)
		s->tries--;
	s->log_gen = c->logs.gen;
}

/* ---- resolving a cgroup met for the first time ---- */

/*
 * The cgroup v2 path of process pid, if it is still the cgroup cgid: its directory's inode is the
 * id (the process may have moved since its socket was seen, or be gone).
 */
static bool process_cgroup(struct containers *c, uint64_t cgid, uint32_t pid, char *path,
			   size_t len)
{
	char file[64], text[4096], full[4096];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%u/cgroup", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return !procfs_cgroup_v2_path(text, path, len) &&
	       snprintf(full, sizeof(full), "%s%s", c->cg_root, path) < (int)sizeof(full) &&
	       !stat(full, &st) && st.st_ino == cgid;
}

#define WALK_DEPTH 12			/* kubepods.slice/<qos>/<pod>/<container> is 4 deep */
#define WALK_EVERY_NS 100000000ULL	/* a walk at most every 100 ms */

/*
 * Below cg_root + path[0..n): the directory whose inode is cgid, its path from the root into
 * path. readdir's d_ino is the kernfs id, as stat's st_ino, so nothing is stat'ed.
 */
static bool walk(const char *root, char *path, size_t len, size_t n, uint64_t cgid, int depth)
{
	char dir[4096];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s%s", root, path) >= (int)sizeof(dir) ||
	    !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		int m;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		m = snprintf(path + n, len - n, "/%s", de->d_name);
		if (m < 0 || (size_t)m >= len - n)
			continue;
		found = de->d_ino == cgid ||
			(depth < WALK_DEPTH && walk(root, path, len, n + m, cgid, depth + 1));
	}
	closedir(d);
	if (!found)
		path[n] = '\0';
	return found;
}

/*
 * A cgroup whose process is gone before its first socket was looked at (a short-lived client):
 * its directory found by walking the cgroup tree (a node's few hundred directories, ~1 ms), at
 * most every WALK_EVERY_NS; else not known this time.
 */
static bool walk_cgroups(struct containers *c, uint64_t cgid, char *path, size_t len)
{
	uint64_t now = mono_ns();

	if (now < c->next_walk_ns)
		return false;
	c->next_walk_ns = now + WALK_EVERY_NS;
	c->st.walks++;
	path[0] = '\0';
	return walk(c->cg_root, path, len, 0, cgid, 0);
}

/* the container (or host) cgroup cgid is, read from pid's files and cached; NULL if not known */
static const struct container_info *resolve(struct containers *c, uint64_t cgid, uint32_t pid)
{
	struct slot e = { .cgid = cgid, .info = &host }, *s;
	struct container_info info;
	uint64_t t0 = mono_ns();
	char path[4096];

	for (unsigned int i = 0; cgid && i < UNKNOWN_KEPT; i++) {
		if (c->unknown[i].cgid == cgid && c->unknown[i].pid == pid &&
		    t0 < c->unknown[i].until_ns) {
			c->st.unknown++;
			return NULL;
		}
	}
	if (!cgid || ((!pid || !process_cgroup(c, cgid, pid, path, sizeof(path))) &&
		      !walk_cgroups(c, cgid, path, sizeof(path)))) {
		c->unknown[c->next_unknown].cgid = cgid;
		c->unknown[c->next_unknown].pid = pid;
		c->unknown[c->next_unknown].until_ns = t0 + UNKNOWN_KEEP_NS;
		c->next_unknown = (c->next_unknown + 1) % UNKNOWN_KEPT;
		c->st.unknown++;
		c->st.resolve_ns += mono_ns() - t0;
		return NULL;
	}
	if (container_parse_cgroup(path, &info)) {
		if (info.pod_uid[0] && !kubelet_names(c, &info))
			e.tries = NAME_TRIES;	/* its link may come: looked for at later hits */
		else if (!info.pod_uid[0] && info.runtime == CONTAINER_RT_DOCKER)
			docker_name(c, &info);
		e.info = malloc(sizeof(info));
		if (e.info)
			*e.info = info;
	}
	e.log_gen = c->logs.gen;
	e.path = strdup(path);
	s = e.info && e.path ? insert(c, &e) : NULL;
	if (!s) {
		free_entry(&e);
		c->st.unknown++;
	} else if (e.info == &host) {
		c->st.host++;
	} else {
		c->st.resolved++;
	}
	c->st.resolve_ns += mono_ns() - t0;
	return s ? s->info : NULL;
}

const struct container_info *containers_lookup(struct containers *c, uint64_t cgid, uint32_t pid)
{
	struct slot *s;

	c->st.lookups++;
	s = cgid ? find(c, cgid) : NULL;
	if (!s)
		return resolve(c, cgid, pid);
	c->st.hits++;
	s->ref = 1;
	if (s->tries)
		retry_names(c, s);
	return s->info;
}

/* the cgroup of slot s is gone: its directory removed, or another made with the same path */
static bool gone(const struct containers *c, const struct slot *s)
{
	char full[4096];
	struct stat st;

	if (snprintf(full, sizeof(full), "%s%s", c->cg_root, s->path) >= (int)sizeof(full))
		return false;
	if (stat(full, &st))
		return errno == ENOENT || errno == ENOTDIR;
	return st.st_ino != s->cgid;
}

void containers_tick(struct containers *c, uint64_t now_ns)
{
	unsigned int stats = 0;

	if (!c || !c->n || now_ns < c->next_tick_ns)
		return;
	c->next_tick_ns = now_ns + TICK_EVERY_NS;
	for (unsigned int k = 0; k < TICK_SLOTS && stats < TICK_STATS; k++) {
		struct slot *s = &c->slots[c->cursor];

		if (s->cgid) {
			stats++;
			if (gone(c, s)) {
				/* another entry may have moved into this slot: seen next */
				remove_at(c, c->cursor);
				c->st.gone++;
				continue;
			}
		}
		c->cursor = (c->cursor + 1) & c->mask;
	}
}

void containers_get_stats(const struct containers *c, struct containers_stats *st)
{
	*st = c->st;
}
