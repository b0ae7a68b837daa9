// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tracer.c - open, load and attach the BPF programs; read the ring buffer and the counters. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "tcpstates.skel.h"
#include "timefmt.h"
#include "timewait.h"
#include "tracer.h"
#include "feature.h"
#include "netns.h"

#define TRACEFS "/sys/kernel/tracing"

static bool verbose;
/* libbpf's last warning: says why a load failed, for the feature that is switched off */
static char last_warning[200];

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	va_list copy;

	/* the first warning naming a program says which one the kernel refused */
	if (level == LIBBPF_WARN && !strstr(last_warning, "prog '")) {
		va_copy(copy, args);
		vsnprintf(last_warning, sizeof(last_warning), fmt, copy);
		va_end(copy);
		last_warning[strcspn(last_warning, "\n")] = '\0';
	}
	/* quiet unless -v: an expected refusal must not look like an error */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/*
 * --records connections: an orphan killed in FIN_WAIT2 (or after a FIN nobody saw: its
 * FIN_WAIT2 -> TIME_WAIT first) for a reason only the sweep finds out - nothing came after the
 * cancel. Its record waits in conn_waiting (conn.bpf.c), its last state's dur_ns the time it
 * entered it: finish it as conn_orphan_end() does, and hand it on.
 */
static void conn_orphan_swept(struct tracer *t, const struct tcpstates_event *e, uint64_t key)
{
	int fd = bpf_map__fd(t->skel->maps.conn_waiting);
	struct tcpstates_conn c;
	unsigned int n;

	if (bpf_map_lookup_and_delete_elem(fd, &key, &c))
		return;
	n = c.path_len < TS_PATH_MAX ? c.path_len : TS_PATH_MAX;
	if (n)
		c.dur_ns[n - 1] = c.dur_ns[n - 1] && e->ts_ns >= c.dur_ns[n - 1] ?
					  e->ts_ns - c.dur_ns[n - 1] : TS_DUR_UNKNOWN;
	if (e->newstate == TS_TIME_WAIT) {
		if (n < TS_PATH_MAX) {
			c.path[n] = TS_TIME_WAIT;
			c.dur_ns[n] = TS_DUR_UNKNOWN;
			c.path_len = n + 1;
		} else {
			c.cflags |= TS_C_TRUNCATED;
		}
		c.cflags |= TS_C_END_OPEN;
	} else {
		c.reason = e->reason;
	}
	c.end_ns = e->ts_ns;
	t->swept_conns++;
	if (t->conn_fn)
		t->conn_fn(t->fn_ctx, &c);
}

/* a record of the timewait sweep: to the session; an orphan's end to its waiting connection */
static int swept(void *ctx, const struct tcpstates_event *e, uint64_t key)
{
	struct tracer *t = ctx;

	if (t->records == TS_REC_CONNECTIONS && e->oldstate == TS_FIN_WAIT2)
		conn_orphan_swept(t, e, key);
	return t->fn(t->fn_ctx, e);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	/* the two kinds of record differ in size (tcpstates.h asserts it) */
	if (size == sizeof(struct tcpstates_conn))
		return t->conn_fn ? t->conn_fn(t->fn_ctx, data) : 0;
	if (size < sizeof(struct tcpstates_event))
		return 0;
	return t->fn(t->fn_ctx, data);
}

/*
 * The classic tracepoint is attached through its id in tracefs. A fresh machine may not have
 * tracefs mounted: mount it for the attach and unmount again, so nothing is left behind.
 */
static bool mount_tracefs_if_needed(void)
{
	if (access(TRACEFS "/events", F_OK) == 0 || access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return false;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		fprintf(stderr, "tcpstates-c: cannot mount tracefs at %s: %s\n", TRACEFS,
			strerror(errno));
		return false;
	}
	return true;
}

/* ---- which program belongs to which feature ------------------------------------------------- */

#define FT_CORE FT_MAX		/* the state hook itself: no feature, the run depends on it */

struct prog_row {
	struct bpf_program *prog;
	struct bpf_link **link;	/* the skeleton's slot: destroyed with the skeleton */
	int ft;			/* enum feature, or FT_CORE */
	bool want;		/* load it, decided from the features */
	int ft2;		/* a second feature sharing the program, or -1 */
};

/* In attach order: the state hook before its backup (the kernel runs a hook's programs in
 * attach order, and the backup relies on it). */
static int prog_table(struct tcpstates_bpf *s, const struct features *fs, bool btf,
		      struct prog_row *rows)
{
	bool send_timer = fs->f[FT_OWNER_SEND].on && fs->send_by_timer;
	int n = 0;

#define ROW2(name, feature, cond, feature2) \
	rows[n++] = (struct prog_row){ s->progs.name, &s->links.name, feature, cond, feature2 }
#define ROW(name, feature, cond) ROW2(name, feature, cond, -1)
	ROW(on_set_state_btf, FT_CORE, btf);
	ROW(on_set_state_tp, FT_CORE, !btf);
	ROW(on_set_state_bk, FT_RECURSION_BACKUP, btf && fs->f[FT_RECURSION_BACKUP].on);
	ROW(on_recvmsg, FT_OWNER_RECV, fs->f[FT_OWNER_RECV].on);
	ROW(on_sendmsg, FT_OWNER_SEND, fs->f[FT_OWNER_SEND].on && !fs->send_by_timer);
	ROW(on_exit, FT_OWNER_EXIT, fs->f[FT_OWNER_EXIT].on);
	ROW(on_receive_reset, FT_RESETS, fs->f[FT_RESETS].on);
	ROW(on_send_reset, FT_RESETS, fs->f[FT_RESETS].on && fs->send_reset_reason);
	ROW(on_send_reset_old, FT_RESETS, fs->f[FT_RESETS].on && !fs->send_reset_reason);
	ROW(on_destroy, FT_WITNESS, fs->f[FT_WITNESS].on);
	/* one timer_start program for both features that follow a timer (timers.bpf.c) */
	ROW2(on_timer_start, fs->f[FT_TIMEWAIT].on ? FT_TIMEWAIT : FT_OWNER_SEND,
	     fs->f[FT_TIMEWAIT].on || send_timer,
	     fs->f[FT_TIMEWAIT].on && send_timer ? FT_OWNER_SEND : -1);
	ROW(on_tw_cancel, FT_TIMEWAIT, fs->f[FT_TIMEWAIT].on);
	ROW(on_tw_expire, FT_TIMEWAIT, fs->f[FT_TIMEWAIT].on);
	ROW(tw_check_all, FT_TIMEWAIT_CHECK, fs->f[FT_TIMEWAIT_CHECK].on && fs->helper_for_each);
	ROW(tw_check_key, FT_TIMEWAIT_CHECK, fs->f[FT_TIMEWAIT_CHECK].on && !fs->helper_for_each);
#undef ROW
#undef ROW2
	return n;
}

/*
 * For tests: TCPSTATES_TEST_BREAK=name,name|all makes the programs of those features (names as
 * in the summary; "tp_btf" for the tp_btf state hook) fail to load for real: the kernel is
 * handed them as socket filters, which may call none of their helpers.
 */
static bool broken_by_test(int ft)
{
	const char *list = getenv("TCPSTATES_TEST_BREAK");
	const char *name = ft == FT_CORE ? "tp_btf" : feature_name(ft);
	size_t len = strlen(name);

	if (!list || !*list)
		return false;
	if (!strcmp(list, "all"))
		return ft != FT_CORE;
	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

/* TCPSTATES_TEST_LIMIT=N (tests only): the per-socket and timewait maps hold N entries */
static unsigned int test_limit(void)
{
	const char *v = getenv("TCPSTATES_TEST_LIMIT");

	return v ? (unsigned int)strtoul(v, NULL, 10) : 0;
}

/* Open and load the object with the programs the features ask for; the settings they imply. */
/*
 * --records none: the filters the kernel applies to its tallies (those cli.c allows with it),
 * the histograms (only then), and a ring buffer that holds only --stuck's copies.
 */
static void tally_settings(struct tcpstates_bpf *s, const struct config *cfg)
{
	const char *why;
	uint32_t ino;

	s->rodata->tally_send = cfg->records != TS_REC_TRANSITIONS && cfg->stuck_s > 0;
	s->rodata->tally_family = cfg->family == 4 ? AF_INET : cfg->family == 6 ? AF_INET6 : 0;
	s->rodata->tally_state_mask = cfg->state_mask;
	/* the same answer as the filter's: main resolved it a moment ago */
	if (cfg->netns_arg && !netns_resolve(cfg->netns_arg, &ino, &why))
		s->rodata->tally_netns = ino;
	if (cfg->records != TS_REC_NONE)
		bpf_map__set_max_entries(s->maps.tally_hists, 1);
	else if (!s->rodata->tally_send)
		bpf_map__set_max_entries(s->maps.events, (uint32_t)sysconf(_SC_PAGESIZE));
}

static int try_load(const struct config *cfg, const struct cgroup_tree *cg,
		    const struct features *fs, bool btf, struct tcpstates_bpf **out)
{
	struct prog_row rows[32];
	struct tcpstates_bpf *s;
	int n, err;

	s = tcpstates_bpf__open();
	if (!s)
		return -errno;
	n = prog_table(s, fs, btf, rows);
	for (int i = 0; i < n; i++) {
		bpf_program__set_autoload(rows[i].prog, rows[i].want);
		if (rows[i].want &&
		    (broken_by_test(rows[i].ft) || (rows[i].ft2 >= 0 && broken_by_test(rows[i].ft2))) &&
		    (rows[i].ft != FT_CORE || btf))
			bpf_program__set_type(rows[i].prog, BPF_PROG_TYPE_SOCKET_FILTER);
	}
	s->rodata->records_mode = cfg->records;
	s->rodata->use_sk_storage = fs->f[FT_SK_STORAGE].on;
	s->rodata->use_cookie = fs->f[FT_COOKIES].on;
	s->rodata->use_task_btf = fs->helper_task_btf;
	s->rodata->use_claims = fs->f[FT_OWNER_SEND].on && fs->send_by_timer &&
				fs->f[FT_SK_STORAGE].on;
	s->rodata->write_timer_fn = fs->f[FT_OWNER_SEND].on && fs->send_by_timer ?
					    fs->write_timer_fn : 0;
	/* the wait queue is read by the state hook: on with the receive-side takeover */
	s->rodata->use_waiters = fs->f[FT_OWNER_RECV].on && fs->wakers[TS_WAKE_WOKEN];
	memcpy((void *)s->rodata->waker_fns, fs->wakers, sizeof(fs->wakers));
	s->rodata->tw_timer_fn = fs->f[FT_TIMEWAIT].on ? fs->tw_timer_fn : 0;
	s->rodata->use_owner_exit = fs->f[FT_OWNER_EXIT].on;
	if (fs->f[FT_TIMEWAIT_KILLS].on)
		memcpy((void *)s->rodata->tw_killers, fs->killers, sizeof(fs->killers));
	s->rodata->tw_period_ns = (uint64_t)(cfg->tw_period_s * 1e9);
	if (cgroup_kernel_can(cg, fs->helper_ancestor_cgroup)) {
		s->rodata->cgroup_filter_id = cg->id;
		s->rodata->cgroup_filter_level = cg->level;
	}
	/* each mode keeps per-socket data its own way: the other's maps stay tokens */
	if (fs->f[FT_SK_STORAGE].on) {
		bpf_map__set_max_entries(s->maps.sk_info_by_addr, 1);
		bpf_map__set_max_entries(s->maps.listeners, 1);
	}
	if (!fs->f[FT_OWNER_EXIT].on) {
		bpf_map__set_max_entries(s->maps.owner_watch, 1);
		bpf_map__set_max_entries(s->maps.owner_moved, 1);
	}
	if (!s->rodata->use_claims)
		bpf_map__set_max_entries(s->maps.claims, 1);
	if (!fs->f[FT_TIMEWAIT].on) {
		bpf_map__set_max_entries(s->maps.tw_info, 1);
		bpf_map__set_max_entries(s->maps.tw_pending, 1);
		bpf_map__set_max_entries(s->maps.tw_waiting, 1);
	}
	/* connection paths: by address only without socket storage, waiting orphans with timewait */
	if (cfg->records != TS_REC_CONNECTIONS || fs->f[FT_SK_STORAGE].on)
		bpf_map__set_max_entries(s->maps.conn_path_by_addr, 1);
	if (cfg->records != TS_REC_CONNECTIONS || !fs->f[FT_TIMEWAIT].on)
		bpf_map__set_max_entries(s->maps.conn_waiting, 1);
	/* for tests: small per-socket and timewait maps, to make "map full" happen (t_loss) */
	if (test_limit()) {
		bpf_map__set_max_entries(s->maps.sk_info_by_addr, test_limit());
		bpf_map__set_max_entries(s->maps.tw_info, test_limit());
		bpf_map__set_max_entries(s->maps.tw_waiting, test_limit());
	}
	bpf_map__set_max_entries(s->maps.events, cfg->ringbuf_mb << 20);
	/* wake the reader early only when a quarter of the buffer waits */
	s->rodata->wakeup_bytes = (uint64_t)(cfg->ringbuf_mb << 20) / 4;
	tally_settings(s, cfg);

	last_warning[0] = '\0';
	err = tcpstates_bpf__load(s);
	if (err) {
		tcpstates_bpf__destroy(s);
		return err;
	}
	*out = s;
	return 0;
}

/* the features that have programs of their own, in the order they are tried back one by one */
static const int optional[] = {
	FT_RECURSION_BACKUP, FT_OWNER_RECV, FT_OWNER_SEND, FT_OWNER_EXIT, FT_RESETS,
	FT_WITNESS, FT_TIMEWAIT, FT_TIMEWAIT_CHECK,
};
#define N_OPTIONAL (sizeof(optional) / sizeof(optional[0]))

static void why_refused(char *buf, size_t len, int err)
{
	snprintf(buf, len, "refused by the kernel (%s%s%s)", strerror(-err),
		 last_warning[0] ? ": " : "", last_warning);
}

/* the dependent features follow the one they build on */
static void drop_dependents(struct features *fs)
{
	if (!fs->f[FT_TIMEWAIT].on) {
		if (fs->f[FT_TIMEWAIT_CHECK].on)
			feature_off(fs, FT_TIMEWAIT_CHECK, "timewait is off");
		if (fs->f[FT_TIMEWAIT_KILLS].on)
			feature_off(fs, FT_TIMEWAIT_KILLS, "timewait is off");
	}
	if (!fs->f[FT_RESETS].on && fs->f[FT_RESET_REASONS].on)
		feature_off(fs, FT_RESET_REASONS, "resets are off");
}

/*
 * Load with every feature the probes allow. Should the kernel refuse the whole, no feature may
 * take the core down with it: load the core alone, then add the features back one at a time,
 * each kept only if the kernel takes it. Every feature left out says why.
 */
static int load(struct tracer *t, const struct config *cfg, struct features *fs, bool btf)
{
	struct features wanted = *fs;
	struct tcpstates_bpf *s = NULL, *next;
	char why[320];
	int err;

	err = try_load(cfg, t->cgroup, fs, btf, &s);
	if (!err)
		goto done;
	why_refused(why, sizeof(why), err);
	if (cfg->verbose)
		fprintf(stderr, "tcpstates-c: the full load failed, %s; loading the features one by one\n",
			why);
	for (size_t i = 0; i < N_OPTIONAL; i++)
		if (fs->f[optional[i]].on)
			feature_off(fs, optional[i], "%s", "not tried");
	err = try_load(cfg, t->cgroup, fs, btf, &s);
	if (err)
		return err;	/* the state hook itself: the caller tries the other one */
	for (size_t i = 0; i < N_OPTIONAL; i++) {
		int ft = optional[i];

		if (!wanted.f[ft].on)
			continue;
		/* what builds on a feature the kernel refused is not worth a try */
		if (ft == FT_TIMEWAIT_CHECK && !fs->f[FT_TIMEWAIT].on) {
			feature_off(fs, ft, "timewait is off");
			continue;
		}
		fs->f[ft] = wanted.f[ft];
		err = try_load(cfg, t->cgroup, fs, btf, &next);
		if (err) {
			why_refused(why, sizeof(why), err);
			feature_off(fs, ft, "%s", why);
			continue;
		}
		tcpstates_bpf__destroy(s);
		s = next;
	}
done:
	drop_dependents(fs);
	t->skel = s;
	t->hook = btf ? TS_HOOK_BTF : TS_HOOK_TP;
	t->timewait = fs->f[FT_TIMEWAIT].on;
	t->tw_check = fs->f[FT_TIMEWAIT_CHECK].on;
	t->cgroup_in_kernel = cgroup_kernel_can(t->cgroup, fs->helper_ancestor_cgroup);
	return 0;
}

/*
 * Attach program by program: a feature whose attach fails is switched off (its other programs
 * detached); the state hook's failure is the caller's to handle.
 */
static int attach(struct tracer *t, struct features *fs)
{
	struct prog_row rows[32];
	bool mounted = false;
	int n, err = 0;

	n = prog_table(t->skel, fs, t->hook == TS_HOOK_BTF, rows);
	if (t->hook == TS_HOOK_TP)
		mounted = mount_tracefs_if_needed();
	for (int i = 0; i < n && !err; i++) {
		struct bpf_link *l;

		/* the checker runs by test run, never attached */
		if (!rows[i].want || rows[i].ft == FT_TIMEWAIT_CHECK ||
		    (rows[i].ft != FT_CORE && !fs->f[rows[i].ft].on))
			continue;
		l = bpf_program__attach(rows[i].prog);
		if (l) {
			*rows[i].link = l;
			continue;
		}
		if (rows[i].ft == FT_CORE) {
			err = -errno;
			break;
		}
		feature_off(fs, rows[i].ft, "attach failed: %s", strerror(errno));
		for (int j = 0; j < n; j++)
			if (rows[j].ft == rows[i].ft && *rows[j].link) {
				bpf_link__destroy(*rows[j].link);
				*rows[j].link = NULL;
			}
	}
	if (mounted)
		umount2(TRACEFS, MNT_DETACH);
	drop_dependents(fs);
	t->timewait = fs->f[FT_TIMEWAIT].on;
	t->tw_check = t->timewait && fs->f[FT_TIMEWAIT_CHECK].on;
	return err;
}

/* the features that find a socket's owner */
static const enum feature owner_features[] = { FT_OWNER_RECV, FT_OWNER_SEND, FT_OWNER_EXIT };

/* One state hook, with every feature it can carry. */
static int start_hook(struct tracer *t, const struct config *cfg, bool btf)
{
	int err;

	features_decide(&t->features, btf, cfg->no_timewait);
	/* no record names an owner: none of the programs that find one */
	if (cfg->records == TS_REC_NONE)
		for (int i = 0; i < (int)(sizeof(owner_features) / sizeof(owner_features[0])); i++)
			feature_off(&t->features, owner_features[i], "--records none names no owner");
	err = load(t, cfg, &t->features, btf);
	if (!err) {
		err = attach(t, &t->features);
		if (err) {
			tcpstates_bpf__destroy(t->skel);
			t->skel = NULL;
		}
	}
	return err;
}

static int load_and_attach(struct tracer *t, const struct config *cfg)
{
	bool try_btf = cfg->hook != HOOK_TRACEPOINT;
	int err = -EINVAL;

	if (try_btf) {
		err = start_hook(t, cfg, true);
		if (!err || cfg->hook == HOOK_BTF)
			return err;
		/* the classic tracepoint's turn; say why tp_btf is not the hook */
		snprintf(t->btf_refused, sizeof(t->btf_refused), "tp_btf refused (%s%s%s)",
			 strerror(-err), last_warning[0] ? ": " : "", last_warning);
		if (cfg->verbose)
			fprintf(stderr, "tcpstates-c: %s, trying the tracepoint\n", t->btf_refused);
	}
	err = start_hook(t, cfg, false);
	if (!err && try_btf)
		feature_off(&t->features, FT_TP_BTF, "%s", t->btf_refused);
	else if (!err)
		feature_off(&t->features, FT_TP_BTF, "--hook tracepoint");
	return err;
}

int tracer_start(struct tracer *t, const struct config *cfg, const struct cgroup_tree *cgroup,
		 tracer_event_fn fn, void *ctx)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->cgroup = cgroup;
	t->fn = fn;
	t->fn_ctx = ctx;
	t->records = cfg->records;
	t->tw_period_ns = (uint64_t)(cfg->tw_period_s * 1e9);
	/* the first look always runs: it covers what the start-up snapshot enters */
	t->tw_adds_seen = UINT64_MAX;
	verbose = cfg->verbose;
	libbpf_set_print(print_libbpf);

	features_probe(&t->features, cfg->no_timewait);
	err = load_and_attach(t, cfg);
	if (err) {
		fprintf(stderr, "tcpstates-c: cannot load or attach the BPF program on kernel %s: %s%s%s%s\n",
			t->features.kernel, strerror(-err), last_warning[0] ? " (" : "", last_warning,
			last_warning[0] ? ")" : "");
		return err;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_record, t, NULL);
	if (!t->rb) {
		err = -errno;
		fprintf(stderr, "tcpstates-c: cannot open the ring buffer: %s\n", strerror(-err));
		return err;
	}
	if (cfg->verbose)
		fprintf(stderr, "tcpstates-c: attached to %s, ring buffer %u MiB\n",
			tracer_hook_name(t->hook), cfg->ringbuf_mb);
	return 0;
}

#define CHECK_KEYS_MAX 4096	/* orphans looked at per period, one by one (before 5.13) */

/*
 * The orphans waiting in FIN_WAIT2 (tw_waiting): has the peer's FIN come? In one run of
 * tw_check_all - when some were added or left waiting since its last run - or, where the kernel
 * cannot walk a map from BPF, one run of tw_check_key per orphan.
 */
static void timewait_check(struct tracer *t, bool force)
{
	int fd = bpf_map__fd(t->skel->maps.tw_waiting);
	uint64_t keys[CHECK_KEYS_MAX], key, *prev = NULL, adds;
	int n = 0;

	/* a failure here only delays the line to the minisocket's end, which reports it */
	if (t->features.helper_for_each) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		adds = __atomic_load_n(&t->skel->bss->tw_waiting_adds, __ATOMIC_RELAXED);
		if (force || adds != t->tw_adds_seen || t->skel->bss->tw_waiting_left)
			bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.tw_check_all), &opts);
		t->tw_adds_seen = adds;
		return;
	}
	while (n < CHECK_KEYS_MAX && !bpf_map_get_next_key(fd, prev, &key)) {
		keys[n] = key;
		prev = &keys[n++];
	}
	for (int i = 0; i < n; i++) {
		uint64_t args[1] = { keys[i] };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

		bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.tw_check_key), &opts);
	}
}

/*
 * The loader's share of following timewait minisockets: every tw_period_ns (or now, with force)
 * look at the orphans waiting in FIN_WAIT2, then emit the kills confirmed.
 */
static int timewait_work(struct tracer *t, bool force)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	int n;

	if (!t->timewait)
		return 0;
	if (t->tw_check && (force || now >= t->tw_next_ns)) {
		timewait_check(t, force);
		t->tw_next_ns = now + t->tw_period_ns;
	}
	/*
	 * A record is a kill only TS_TW_KILL_NS after its cancel, and a sweep reads the whole map
	 * (every bucket): under a burst of reads, no more often than twice that.
	 */
	if (!force && now < t->sweep_next_ns)
		return 0;
	t->sweep_next_ns = now + 2 * TS_TW_KILL_NS;
	n = timewait_sweep(bpf_map__fd(t->skel->maps.tw_pending), bpf_map__fd(t->skel->maps.tw_info),
			   bpf_map__fd(t->skel->maps.tw_waiting), swept, t);
	if (n > 0)
		t->swept += n;
	return n;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);

	if (n < 0 && n != -EINTR)
		return n;
	/*
	 * The writer wakes us only once a quarter of the buffer is used (BPF_RB_NO_WAKEUP below
	 * that), and poll() reads only rings that signalled: read what is there either way, so a
	 * quiet machine's events appear within one poll period.
	 */
	int m = ring_buffer__consume(t->rb);

	if (m < 0)
		return m;
	m += timewait_work(t, false);
	return (n > 0 ? n : 0) + m;
}

int tracer_drain(struct tracer *t)
{
	int n = ring_buffer__consume(t->rb);

	if (n >= 0)
		n += timewait_work(t, true);
	/* what tw_check emitted is in the ring buffer now */
	if (n >= 0)
		n += ring_buffer__consume(t->rb);
	return n;
}

static uint64_t sum_counter(int fd, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(fd, &idx, vals))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static uint64_t recursion_misses(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.recursion_misses;
}

void tracer_counts(struct tracer *t, struct tracer_counts *c)
{
	int fd = bpf_map__fd(t->skel->maps.counters);
	uint64_t covered;

	memset(c, 0, sizeof(*c));
	c->events = sum_counter(fd, TS_CNT_EVENTS);
	c->swept = t->swept;
	c->lost.rb_full = sum_counter(fd, TS_CNT_RB_FULL);
	c->connections = sum_counter(fd, TS_CNT_CONNS) + t->swept_conns;
	c->lost.conn_lost = sum_counter(fd, TS_CNT_CONN_LOST);
	c->lost.map_full = sum_counter(fd, TS_CNT_NO_STORAGE) + sum_counter(fd, TS_CNT_TW_LOST);
	c->gaps = sum_counter(fd, TS_CNT_GAPS);
	c->lost.unseen = sum_counter(fd, TS_CNT_UNSEEN);
	if (t->hook == TS_HOOK_TP) {
		c->skipped_main = recursion_misses(t->skel->progs.on_set_state_tp);
		c->lost.recursion_misses = c->skipped_main;
		return;
	}
	/* read the backup's count first: a miss it covers after this read is not counted as lost */
	covered = sum_counter(fd, TS_CNT_COVERED);
	c->skipped_main = recursion_misses(t->skel->progs.on_set_state_btf);
	c->covered = covered;
	/* lost to recursion: runs the main program missed that the backup did not take */
	c->lost.recursion_misses = c->skipped_main > covered ? c->skipped_main - covered : 0;
}

void tracer_detach(struct tracer *t)
{
	if (t->skel)
		tcpstates_bpf__detach(t->skel);
}

void tracer_destroy(struct tracer *t)
{
	ring_buffer__free(t->rb);
	tcpstates_bpf__destroy(t->skel);
	t->rb = NULL;
	t->skel = NULL;
}

int tracer_seed_fd(struct tracer *t)
{
	return t->skel ? bpf_map__fd(t->skel->maps.owner_seed) : -1;
}

bool tracer_keys_by_cookie(struct tracer *t)
{
	return t->features.f[FT_COOKIES].on;
}

int tracer_listeners_fd(struct tracer *t)
{
	/* socket storage clones the listener's entry itself */
	if (!t->skel || t->features.f[FT_SK_STORAGE].on)
		return -1;
	return bpf_map__fd(t->skel->maps.listeners);
}

int tracer_listener_seed_fd(struct tracer *t)
{
	return t->skel ? bpf_map__fd(t->skel->maps.listener_seed) : -1;
}

int tracer_owner_watch_fd(struct tracer *t)
{
	return t->skel && t->features.f[FT_OWNER_EXIT].on ? bpf_map__fd(t->skel->maps.owner_watch) : -1;
}

void tracer_tw_fds(struct tracer *t, int *info_fd, int *waiting_fd)
{
	bool on = t->skel && t->timewait;

	*info_fd = on ? bpf_map__fd(t->skel->maps.tw_info) : -1;
	*waiting_fd = on ? bpf_map__fd(t->skel->maps.tw_waiting) : -1;
}

void tracer_tally_fds(struct tracer *t, int *counts_fd, int *hists_fd)
{
	*counts_fd = t->skel ? bpf_map__fd(t->skel->maps.tallies) : -1;
	*hists_fd = t->skel ? bpf_map__fd(t->skel->maps.tally_hists) : -1;
}

const char *tracer_hook_name(int hook)
{
	switch (hook) {
	case TS_HOOK_BTF:
		return "tp_btf/inet_sock_set_state";
	case TS_HOOK_TP:
		return "tracepoint/sock/inet_sock_set_state";
	default:
		return "none";
	}
}
