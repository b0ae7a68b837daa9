// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* session.c - the tracing loop: read batches, filter, print, report loss, stop cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "filter.h"
#include "output.h"
#include "privdrop.h"
#include "session.h"
#include "snapshot.h"
#include "timefmt.h"
#include "tracer.h"

#define POLL_MS 100		/* longest a record waits in the ring buffer when the rate is low */
#define LOSS_CHECK_NS 500000000ULL	/* how often the loss counters are read */

static volatile sig_atomic_t stop_signal;

struct session {
	const struct config *cfg;
	struct output out;
	struct filter filter;
	struct tracer tracer;
	uint64_t printed;		/* transitions written */
	bool count_reached;		/* -n satisfied */
	bool out_broken;		/* stdout's reader went away (EPIPE) */
	struct loss_counts reported;	/* loss already reported */
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void emit(void *arg, const struct tcpstates_event *e)
{
	struct session *s = arg;

	if (s->count_reached)
		return;
	output_event(&s->out, e);
	s->printed++;
	if (s->cfg->count && s->printed >= s->cfg->count)
		s->count_reached = true;
}

static int on_event(void *ctx, const struct tcpstates_event *e)
{
	struct session *s = ctx;

	filter_event(&s->filter, e, emit, s);
	/* negative stops the ring buffer read: nothing more is wanted */
	return s->count_reached ? -ECANCELED : 0;
}

/* a socket that existed at start: filtered like a transition, not counted as one (-n) */
static void emit_snapshot(void *arg, const struct tcpstates_event *e)
{
	struct session *s = arg;

	if (filter_snapshot(s->cfg, e))
		output_event(&s->out, e);
}

/*
 * The sockets that exist now, after the hook is attached (a socket changing state meanwhile is
 * both listed and traced) and before the first transition is printed (they wait in the ring
 * buffer). Their owners are handed to the BPF side, so later transitions carry them too.
 */
static void run_snapshot(struct session *s)
{
	struct snapshot_seeds seeds = {
		.by_cookie = tracer_keys_by_cookie(&s->tracer),
		.owner_fd = tracer_seed_fd(&s->tracer),
		.listeners_fd = tracer_listeners_fd(&s->tracer),
	};
	struct snapshot_stats st;
	int err;

	tracer_tw_fds(&s->tracer, &seeds.tw_info_fd, &seeds.waiting_fd);
	err = snapshot_run(s->cfg, &seeds, emit_snapshot, s, &st);
	if (err) {
		fprintf(stderr, "tcpstates-c: cannot list existing sockets (iter/tcp): %s\n",
			strerror(-err));
		feature_off(&s->tracer.features, FT_SNAPSHOT, "iter/tcp refused: %s", strerror(-err));
	}
	else if (s->cfg->verbose)
		fprintf(stderr, "tcpstates-c: snapshot: %u sockets in %u network namespaces (%u not "
				"listed), %u owners found, %u seeded (%u did not fit); %.1f ms (iterator "
				"%.1f, /proc %.1f)\n",
			st.sockets, st.namespaces, st.ns_failed, st.owners, st.seeded,
			st.seed_failed, st.elapsed_ns / 1e6, st.iter_ns / 1e6, st.owner_ns / 1e6);
}

/* Flush a batch; a reader that went away (EPIPE) ends the run quietly. */
static void flush(struct session *s)
{
	if (fflush(s->out.f) == EOF || ferror(s->out.f)) {
		if (errno != EPIPE)
			fprintf(stderr, "tcpstates-c: cannot write output: %s\n", strerror(errno));
		s->out_broken = true;
	}
}

/* Report loss since the last report: stderr for people, a record for pipelines. */
static void check_loss(struct session *s, struct tracer_counts *c)
{
	struct loss_counts total, delta;

	tracer_counts(&s->tracer, c);
	total.rb_full = c->rb_full;
	total.recursion_misses = c->recursion_misses;
	total.unseen = c->unseen;
	delta.rb_full = total.rb_full - s->reported.rb_full;
	delta.recursion_misses = total.recursion_misses - s->reported.recursion_misses;
	delta.unseen = total.unseen - s->reported.unseen;
	if (!delta.rb_full && !delta.recursion_misses && !delta.unseen)
		return;
	fprintf(stderr,
		"tcpstates-c: lost %llu transitions (ring buffer full: %llu, recursion misses: %llu, "
		"sockets closed unseen: %llu)\n",
		(unsigned long long)(delta.rb_full + delta.recursion_misses + delta.unseen),
		(unsigned long long)delta.rb_full, (unsigned long long)delta.recursion_misses,
		(unsigned long long)delta.unseen);
	output_lost(&s->out, clock_ns(CLOCK_REALTIME), &delta, &total);
	s->reported = total;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the poll must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed pipe shows up as EPIPE from write, handled as a quiet stop */
	signal(SIGPIPE, SIG_IGN);
}

static void loop(struct session *s)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), next_check = start + LOSS_CHECK_NS;
	uint64_t deadline = s->cfg->duration_s > 0 ? start + (uint64_t)(s->cfg->duration_s * 1e9) : 0;
	struct tracer_counts c;
	int err;

	while (!stop_signal && !s->count_reached && !s->out_broken) {
		err = tracer_poll(&s->tracer, POLL_MS);
		if (err < 0 && err != -EINTR && err != -ECANCELED) {
			fprintf(stderr, "tcpstates-c: reading the ring buffer: %s\n", strerror(-err));
			break;
		}
		flush(s);
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		if (now >= next_check) {
			check_loss(s, &c);
			next_check = now + LOSS_CHECK_NS;
		}
		if (deadline && now >= deadline)
			break;
	}
}

/* Detach first so nothing new arrives, then drain what the kernel already wrote. */
static void finish(struct session *s)
{
	const char *names[FT_MAX];
	struct run_info run = { s->tracer.features.kernel, tracer_hook_name(s->tracer.hook), names, 0 };
	struct tracer_counts c;
	struct loss_counts total;

	for (int i = 0; i < FT_MAX; i++)
		if (s->tracer.features.f[i].on)
			names[run.n_features++] = feature_name(i);
	tracer_detach(&s->tracer);
	if (!s->count_reached && !s->out_broken)
		tracer_drain(&s->tracer);
	filter_free(&s->filter);
	if (s->out_broken)
		return;
	check_loss(s, &c);
	total = s->reported;
	output_summary(&s->out, clock_ns(CLOCK_REALTIME), c.events, s->printed, &total, &run);
	flush(s);
	fprintf(stderr, "tcpstates-c: %llu transitions seen, %llu printed, %llu lost "
			"(ring buffer full: %llu, recursion misses: %llu, sockets closed unseen: %llu)\n",
		(unsigned long long)c.events, (unsigned long long)s->printed,
		(unsigned long long)(total.rb_full + total.recursion_misses + total.unseen),
		(unsigned long long)total.rb_full, (unsigned long long)total.recursion_misses,
		(unsigned long long)total.unseen);
}

int session_run(const struct config *cfg)
{
	static char outbuf[1 << 16];
	struct session s;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.out.f = stdout;
	s.out.cfg = cfg;
	s.out.mono_to_real_ns = output_mono_to_real_offset();
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));	/* flushed once per batch */
	filter_init(&s.filter, cfg);
	install_signals();

	if (tracer_start(&s.tracer, cfg, on_event, &s)) {
		tracer_destroy(&s.tracer);
		return 1;
	}
	if (cfg->no_snapshot)
		feature_off(&s.tracer.features, FT_SNAPSHOT, "--no-snapshot");
	/* a degraded run is never silent: what this kernel does not give, and why */
	features_print_line(&s.tracer.features, stderr);
	if (cfg->verbose)
		features_print_table(&s.tracer.features, stderr);
	fprintf(stderr, "Tracing TCP state transitions (%s). Ctrl-C to stop.\n",
		tracer_hook_name(s.tracer.hook));
	output_header(&s.out);
	if (!cfg->no_snapshot)
		run_snapshot(&s);
	flush(&s);
	privdrop_apply(tracer_seed_fd(&s.tracer), cfg->verbose);
	loop(&s);
	finish(&s);
	tracer_destroy(&s.tracer);
	return 0;
}
