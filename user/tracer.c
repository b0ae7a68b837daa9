// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* tracer.c - open, load and attach the BPF programs; read the ring buffer and the counters. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "tcpstates.skel.h"
#include "timefmt.h"
#include "timewait.h"
#include "tracer.h"

#define TRACEFS "/sys/kernel/tracing"

static bool verbose;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* quiet unless -v: an expected tp_btf refusal must not look like an error */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

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

/* Open and load the object with exactly one of the two programs. */
static int load(struct tracer *t, const struct config *cfg, int hook)
{
	struct tcpstates_bpf *s;
	struct timewait_syms tws = {};
	uint64_t tw_fn = 0;
	int err;

	/* timewait minisockets are followed through their timer: tp_btf only */
	if (hook == TS_HOOK_BTF && !cfg->no_timewait) {
		timewait_kallsyms(&tws);
		tw_fn = tws.timer_fn;
		if (!tw_fn)
			fprintf(stderr, "tcpstates-c: tw_timer_handler not in /proc/kallsyms: TIME_WAIT "
					"is not followed (the active closer ends in FIN_WAIT2 -> CLOSE)\n");
	}
	s = tcpstates_bpf__open();
	if (!s)
		return -errno;
	bpf_program__set_autoload(s->progs.on_set_state_btf, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_set_state_bk, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_sendmsg, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_recvmsg, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_receive_reset, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_send_reset, hook == TS_HOOK_BTF);
	bpf_program__set_autoload(s->progs.on_destroy, hook == TS_HOOK_BTF);
	/*
	 * No backup program for the classic tracepoint: there the kernel's recursion guard
	 * (bpf_prog_active) is shared by all programs of the CPU, so a second one would be skipped too.
	 */
	bpf_program__set_autoload(s->progs.on_set_state_tp, hook == TS_HOOK_TP);
	bpf_program__set_autoload(s->progs.on_tw_start, tw_fn != 0);
	bpf_program__set_autoload(s->progs.on_tw_cancel, tw_fn != 0);
	bpf_program__set_autoload(s->progs.on_tw_expire, tw_fn != 0);
	bpf_program__set_autoload(s->progs.tw_check, tw_fn != 0);
	s->rodata->tw_timer_fn = tw_fn;
	memcpy((void *)s->rodata->tw_killers, tws.killers, sizeof(tws.killers));
	t->tw_period_ns = (uint64_t)(cfg->tw_period_s * 1e9);
	s->rodata->tw_period_ns = t->tw_period_ns;
	/* each hook keeps per-socket data its own way; create only the map it uses */
	bpf_map__set_autocreate(s->maps.sk_info, hook == TS_HOOK_BTF);
	bpf_map__set_autocreate(s->maps.sk_info_by_addr, hook == TS_HOOK_TP);
	bpf_map__set_autocreate(s->maps.owner_seed, hook == TS_HOOK_BTF);
	/* the main program refers to tw_info; without timewait it stays a token map */
	bpf_map__set_autocreate(s->maps.tw_info, hook == TS_HOOK_BTF);
	bpf_map__set_autocreate(s->maps.tw_pending, tw_fn != 0);
	bpf_map__set_autocreate(s->maps.tw_scratch, tw_fn != 0);
	bpf_map__set_autocreate(s->maps.tw_waiting, tw_fn != 0);
	if (!tw_fn)
		bpf_map__set_max_entries(s->maps.tw_info, 1);
	bpf_map__set_max_entries(s->maps.events, cfg->ringbuf_mb << 20);
	/* wake the reader early only when a quarter of the buffer waits */
	s->rodata->wakeup_bytes = (uint64_t)(cfg->ringbuf_mb << 20) / 4;

	err = tcpstates_bpf__load(s);
	if (err) {
		tcpstates_bpf__destroy(s);
		return err;
	}
	t->skel = s;
	t->hook = hook;
	t->timewait = tw_fn != 0;
	/* the first look always runs: it covers what the start-up snapshot enters */
	t->tw_adds_seen = UINT64_MAX;
	return 0;
}

static int attach(struct tracer *t)
{
	bool mounted = false;
	int err;

	if (t->hook == TS_HOOK_TP)
		mounted = mount_tracefs_if_needed();
	/*
	 * The skeleton attaches in the order the programs are defined: on_set_state_btf before its
	 * backup on_set_state_bk, and the kernel runs a hook's programs in attach order - the backup
	 * relies on that.
	 */
	err = tcpstates_bpf__attach(t->skel);
	if (mounted)
		umount2(TRACEFS, MNT_DETACH);
	return err;
}

static int load_and_attach(struct tracer *t, const struct config *cfg)
{
	int err = -EINVAL;

	if (cfg->hook != HOOK_TRACEPOINT) {
		err = load(t, cfg, TS_HOOK_BTF);
		if (!err) {
			err = attach(t);
			if (!err || cfg->hook == HOOK_BTF)
				return err;
			tcpstates_bpf__destroy(t->skel);
			t->skel = NULL;
		}
		if (cfg->hook == HOOK_BTF)
			return err;
		if (cfg->verbose)
			fprintf(stderr, "tcpstates-c: tp_btf refused (%s), trying the tracepoint\n",
				strerror(-err));
	}
	err = load(t, cfg, TS_HOOK_TP);
	if (err)
		return err;
	return attach(t);
}

int tracer_start(struct tracer *t, const struct config *cfg, tracer_event_fn fn, void *ctx)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->fn_ctx = ctx;
	verbose = cfg->verbose;
	libbpf_set_print(print_libbpf);

	err = load_and_attach(t, cfg);
	if (err) {
		fprintf(stderr, "tcpstates-c: cannot load or attach the BPF program: %s%s\n",
			strerror(-err), cfg->verbose ? "" : " (-v shows libbpf's details)");
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

/*
 * The loader's share of following timewait minisockets: every tw_period_ns (or now, with force)
 * let tw_check look at the orphans waiting in FIN_WAIT2 - if any were added or left waiting -
 * then emit the kills confirmed.
 */
static int timewait_work(struct tracer *t, bool force)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (!t->timewait)
		return 0;
	if (force || now >= t->tw_next_ns) {
		uint64_t adds = __atomic_load_n(&t->skel->bss->tw_waiting_adds, __ATOMIC_RELAXED);
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		/* a failure here only delays lines to the expiry, which still reports them */
		if (force || adds != t->tw_adds_seen || t->skel->bss->tw_waiting_left)
			bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.tw_check), &opts);
		t->tw_adds_seen = adds;
		t->tw_next_ns = now + t->tw_period_ns;
	}
	return timewait_sweep(bpf_map__fd(t->skel->maps.tw_pending),
			      bpf_map__fd(t->skel->maps.tw_info),
			      bpf_map__fd(t->skel->maps.tw_waiting), t->fn, t->fn_ctx);
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

	c->events = sum_counter(fd, TS_CNT_EVENTS);
	c->rb_full = sum_counter(fd, TS_CNT_RB_FULL);
	c->no_storage = sum_counter(fd, TS_CNT_NO_STORAGE);
	c->gaps = sum_counter(fd, TS_CNT_GAPS);
	c->unseen = sum_counter(fd, TS_CNT_UNSEEN);
	if (t->hook == TS_HOOK_TP) {
		c->skipped_main = recursion_misses(t->skel->progs.on_set_state_tp);
		c->covered = 0;
		c->recursion_misses = c->skipped_main;
		return;
	}
	/* read the backup's count first: a miss it covers after this read is not counted as lost */
	covered = sum_counter(fd, TS_CNT_COVERED);
	c->skipped_main = recursion_misses(t->skel->progs.on_set_state_btf);
	c->covered = covered;
	/* lost to recursion: runs the main program missed that the backup did not take */
	c->recursion_misses = c->skipped_main > covered ? c->skipped_main - covered : 0;
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
	/* the fallback hook reads no cookies, so it could not find an entry */
	if (!t->skel || t->hook != TS_HOOK_BTF)
		return -1;
	return bpf_map__fd(t->skel->maps.owner_seed);
}

void tracer_tw_fds(struct tracer *t, int *info_fd, int *waiting_fd)
{
	bool on = t->skel && t->timewait;

	*info_fd = on ? bpf_map__fd(t->skel->maps.tw_info) : -1;
	*waiting_fd = on ? bpf_map__fd(t->skel->maps.tw_waiting) : -1;
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
