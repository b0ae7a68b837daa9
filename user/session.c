// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* session.c - the tracing loop: read batches, filter, queue lines, report loss, stop on time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "conn_record.h"
#include "container.h"
#include "filter.h"
#include "holders.h"
#include "outfile.h"
#include "metrics.h"
#include "outq.h"
#include "output.h"
#include "pod_counts.h"
#include "privdrop.h"
#include "session.h"
#include "snapshot.h"
#include "stats_out.h"
#include "stuck.h"
#include "timefmt.h"
#include "tracer.h"

#define POLL_MS 100		/* longest a record waits in the ring buffer when the rate is low */
#define LOSS_CHECK_NS 500000000ULL	/* how often the loss counters are read */
#define STOP_GRACE_NS 1000000000ULL	/* after a stop: at most this long to write what is queued */
#define STALL_MS 250		/* ... and no longer than this while the reader takes nothing */
#define HIGH_WATER (1u << 20)	/* queued bytes past which the ring buffer waits for the reader */

static volatile sig_atomic_t stop_signal;

struct session {
	const struct config *cfg;
	struct output out;
	struct outq q;			/* the output stream (stdout, or -o's file) */
	struct outfile file;		/* -o: the file, reopened on SIGHUP */
	struct filter filter;
	struct tracer tracer;
	uint64_t start_ns;		/* when the run started (CLOCK_MONOTONIC): -d counts from it */
	uint64_t deadline_ns;		/* -d: when the run ends (CLOCK_MONOTONIC); 0: never */
	uint64_t printed;		/* transitions queued for output */
	uint64_t conn_lines;		/* connections queued for output */
	uint64_t snapshot_lines;	/* snapshot records queued for output */
	bool count_reached;		/* -n satisfied */
	bool draining;			/* the last read after a stop: take what the kernel wrote */
	struct loss_counts reported;	/* loss already reported */
	struct stats_out stats;		/* --summary, --interval, --dot and the summary's stats */
	struct tally tally;		/* --records none: the kernel's counts, read for stats */
	struct stuck *stuck;		/* --stuck: the sockets followed (NULL: not asked) */
	struct containers *containers;	/* who a cgroup is: JSON, -K, --pod, --container,
					 * --metrics-pod-namespace (NULL: not asked) */
	struct pod_counts pods;		/* --metrics-pod-namespace: transitions by namespace */
	struct metrics *metrics;	/* --metrics-file (NULL: not asked) ... */
	struct metrics metrics_file;	/* ... else this */
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* --metrics-pod-namespace: the owner's pod's namespace ("" on the host, or not known) */
static void count_pod_namespace(struct session *s, const struct tcpstates_event *e)
{
	const struct container_info *ci = (e->flags & TS_F_OWNER_KNOWN) ?
		containers_lookup(s->containers, e->cgroup_id, e->pid) : NULL;

	pod_counts_add(&s->pods, ci ? ci->pod_namespace : "", e->newstate);
}

static void emit(void *arg, const struct tcpstates_event *e)
{
	struct session *s = arg;

	if (s->count_reached)
		return;
	output_event(&s->out, e);
	stats_out_add(&s->stats, e);
	if (s->cfg->metrics_pod_ns)
		count_pod_namespace(s, e);
	s->printed++;
	if (s->cfg->count && s->printed >= s->cfg->count)
		s->count_reached = true;
}

/* a signal, or -d's deadline passed: every wait for the reader ends now */
static bool stopping(const struct session *s)
{
	return stop_signal || (s->deadline_ns && clock_ns(CLOCK_MONOTONIC) >= s->deadline_ns);
}

/* the longest one wait for the reader may last now: POLL_MS, less when -d ends the run sooner */
static int wait_ms(const struct session *s)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (!s->deadline_ns || s->deadline_ns >= now + POLL_MS * 1000000ULL)
		return POLL_MS;
	return s->deadline_ns > now ? (int)((s->deadline_ns - now) / 1000000) : 0;
}

/*
 * A burst larger than the queue's high water (the start-up snapshot of a host with 100 000
 * sockets, the last read of a full ring buffer): write before queueing more. wait: for as long
 * as the reader needs, until a stop (a signal or -d); else, and once stopping, only what the
 * output takes at once - the lines past the queue's limit are counted not written, and the end
 * (finish) gives the rest its grace, as for the stream.
 */
static void make_room(struct session *s, bool wait)
{
	while (outq_pending(&s->q) >= HIGH_WATER && !s->q.err) {
		bool waits = wait && !stopping(s);

		outq_write(&s->q, waits ? wait_ms(s) : 0, &stop_signal);
		if (!waits)
			break;
	}
}

/* after a record: read on (0), or leave the rest in the ring buffer for the next read */
static int read_on(struct session *s)
{
	/*
	 * A stop is obeyed between two records, and a reader far behind makes the ring buffer wait
	 * (where the kernel counts what no longer fits): the rest stays there for the next read.
	 * (The record a negative return answers counts as read: this one was handled.)
	 */
	if (!s->draining && (stop_signal || outq_pending(&s->q) >= HIGH_WATER))
		return -ECANCELED;
	/*
	 * The last read takes all the kernel wrote (up to the whole ring buffer): write as it goes
	 * what the output takes at once (a file: all of it), so the queue never overflows for it.
	 */
	if (s->draining)
		make_room(s, false);
	return 0;
}

static int on_event(void *ctx, const struct tcpstates_event *e)
{
	struct session *s = ctx;

	/* -n is done: nothing more is wanted */
	if (s->count_reached)
		return -ECANCELED;
	if (s->stuck)
		stuck_feed(s->stuck, e);
	switch (s->cfg->records) {
	case TS_REC_TRANSITIONS:
		filter_event(&s->filter, e, emit, s);
		break;
	case TS_REC_NONE:
		/* the kernel counted it (this is a copy for --stuck), or the sweep's: count it */
		if (!(e->flags2 & TS_F2_TALLIED) && filter_match_event(&s->filter, e))
			stats_out_add(&s->stats, e);
		break;
	default:
		/* a record per connection: transitions reach --stuck (and the sweep's) only */
		break;
	}
	return read_on(s);
}

/* a connection (--records connections): filtered, printed and counted as a whole */
static int on_conn(void *ctx, const struct tcpstates_conn *c)
{
	struct session *s = ctx;

	if (s->count_reached)
		return -ECANCELED;
	if (filter_conn(&s->filter, c)) {
		conn_write(&s->out, c);
		stats_out_add_conn(&s->stats, c);
		s->conn_lines++;
		if (s->cfg->count && s->conn_lines >= s->cfg->count)
			s->count_reached = true;
	}
	return read_on(s);
}


/* a socket that existed at start: filtered like a transition, not counted as one (-n) */
static void emit_snapshot(void *arg, const struct tcpstates_event *e,
			  const struct tcpstates_sock_rec *r)
{
	struct session *s = arg;

	if (s->stuck)
		stuck_feed_found(s->stuck, e, r);
	if (s->cfg->records == TS_REC_NONE || !filter_snapshot(&s->filter, e))
		return;
	/* the reader sets the pace: meanwhile the kernel's lines wait in the ring buffer */
	make_room(s, true);
	output_event(&s->out, e);
	s->snapshot_lines++;
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
		.listener_seed_fd = tracer_listener_seed_fd(&s->tracer),
		.owner_watch_fd = tracer_owner_watch_fd(&s->tracer),
	};
	struct snapshot_stats st;
	int err;

	tracer_tw_fds(&s->tracer, &seeds.tw_info_fd, &seeds.waiting_fd);
	err = snapshot_run(s->filter.targets, &seeds, emit_snapshot, s, &st);
	if (err) {
		fprintf(stderr, "tcpstates-c: cannot list existing sockets (iter/tcp): %s\n",
			strerror(-err));
		feature_off(&s->tracer.features, FT_SNAPSHOT, "iter/tcp refused: %s", strerror(-err));
		return;
	}
	/* never silent: a namespace not listed, an owner the BPF side could not take */
	if (st.ns_failed || st.seed_failed)
		fprintf(stderr, "tcpstates-c: snapshot incomplete: %u network namespaces not listed, "
				"%u owners not handed over (map full)\n", st.ns_failed, st.seed_failed);
	if (s->cfg->verbose)
		fprintf(stderr, "tcpstates-c: snapshot: %u sockets in %u network namespaces (%u not "
				"listed), %u owners found, %u seeded (%u did not fit); %.1f ms (iterator "
				"%.1f, /proc %.1f)\n",
			st.sockets, st.namespaces, st.ns_failed, st.owners, st.seeded,
			st.seed_failed, st.elapsed_ns / 1e6, st.iter_ns / 1e6, st.owner_ns / 1e6);
}

/* every cause of loss, totals since start: the tracer's, and the output's and the filter's */
static void loss_now(struct session *s, struct tracer_counts *c, struct loss_counts *l)
{
	tracer_counts(&s->tracer, c);
	*l = c->lost;
	l->not_written = s->q.not_written;
	l->filter_dropped = s->filter.dropped;
}

/* Report loss since the last report: stderr for people, a record for pipelines. */
static void check_loss(struct session *s, struct tracer_counts *c)
{
	struct loss_counts total, delta;
	char text[256];

	loss_now(s, c, &total);
	if (!loss_since(&delta, &total, &s->reported))
		return;
	loss_text(&delta, text, sizeof(text));
	fprintf(stderr, "tcpstates-c: lost since the last report: %s\n", text);
	output_lost(&s->out, clock_ns(CLOCK_REALTIME), &delta, &total);
	s->reported = total;
}

/* --metrics-file: the totals now, into the file; final: the last write, at exit */
static void put_metrics(struct session *s, uint64_t now, bool final)
{
	struct metrics_values v = {
		.stats = stats_out_total(&s->stats),
		.has_stuck = s->stuck != NULL,
		.pods = s->cfg->metrics_pod_ns ? &s->pods : NULL,
		.features = &s->tracer.features,
		.version = TCPSTATES_VERSION,
		.kernel = s->tracer.features.kernel,
		.hook = tracer_hook_name(s->tracer.hook),
		.wall_ns = clock_ns(CLOCK_REALTIME),
		.final = final,
	};
	struct tracer_counts c;
	struct loss_counts l;

	loss_now(s, &c, &l);
	loss_values(&l, v.loss);
	v.seen = c.events;
	if (s->stuck) {
		stuck_count(s->stuck, now, v.stuck, v.stuck_followed, STATS_STATES);
		_Static_assert(STUCK_DX_MAX - 1 <= METRICS_DX_MAX, "a diagnosis without a gauge row");
		v.n_stuck_dx = STUCK_DX_MAX - 1;
		v.stuck_dx_names = stuck_dx_words;
		stuck_count_diagnosed(s->stuck, now, v.stuck_dx, v.n_stuck_dx);
	}
	metrics_write(s->metrics, &v, now);
}

/* --stuck: its lines wait while the output is behind, as the ring buffer does */
static bool stuck_room(void *ctx)
{
	struct session *s = ctx;

	return !stop_signal && outq_pending(&s->q) < HIGH_WATER;
}

static void emit_stuck(void *ctx, const struct stuck_summary *sum, const struct stuck_report *r,
		       const struct stuck_holder *h, const struct thread_info *t)
{
	struct session *s = ctx;

	if (sum)
		stuck_write_summary(&s->out, sum);
	else
		stuck_write(&s->out, r, h, t);
}

/* the records name the owner's container: JSON always, text with -K; and --pod, --container */
static bool wants_containers(const struct config *cfg)
{
	return cfg->format == OUT_JSON || cfg->show_containers || cfg->pod || cfg->container ||
	       cfg->metrics_pod_ns;
}

/* the kubelet's links and Docker's containers: where every node keeps them */
#define KUBELET_LOG_DIR "/var/log/containers"
#define DOCKER_DIR "/var/lib/docker/containers"

static struct containers *open_containers(void)
{
	char cg_root[256];
	struct containers *c;

	holders_cgroup_root(cg_root, sizeof(cg_root));
	c = containers_open(cg_root, KUBELET_LOG_DIR, DOCKER_DIR);
	if (!c)
		fprintf(stderr, "tcpstates-c: out of memory\n");
	else
		privdrop_keep_containers();
	return c;
}

/* -v: what naming containers cost */
static void containers_stop(struct containers *c, bool verbose)
{
	struct containers_stats st;

	if (!c)
		return;
	containers_get_stats(c, &st);
	if (verbose)
		fprintf(stderr, "tcpstates-c: containers: %llu lookups, %llu hits; %llu cgroups "
				"resolved (%llu on the host, %llu not known), %.1f ms in all; %llu gone; "
				"%llu listings of %s; %llu walks of the cgroup tree\n",
			(unsigned long long)st.lookups, (unsigned long long)st.hits,
			(unsigned long long)st.resolved, (unsigned long long)st.host,
			(unsigned long long)st.unknown, st.resolve_ns / 1e6,
			(unsigned long long)st.gone, (unsigned long long)st.log_listings,
			KUBELET_LOG_DIR, (unsigned long long)st.walks);
	containers_close(c);
}

/* --records none: the stats are the kernel's tallies */
static int use_tally(struct session *s)
{
	int counts_fd, hists_fd, err;

	tracer_tally_fds(&s->tracer, &counts_fd, &hists_fd);
	err = tally_open(&s->tally, counts_fd, hists_fd);
	if (!err)
		err = stats_out_use_tally(&s->stats, &s->tally);
	if (err)
		fprintf(stderr, "tcpstates-c: cannot read the kernel's tallies: %s\n", strerror(-err));
	return err;
}

static void install_signals(bool hup_reopens)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: a wait must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (hup_reopens)
		outfile_catch_hup();	/* -o: logrotate's postrotate asks for a new file */
	else
		sigaction(SIGHUP, &sa, NULL);
	/* a closed pipe shows up as EPIPE from write, handled as a quiet stop */
	signal(SIGPIPE, SIG_IGN);
}

/* a write error other than the reader leaving: said once, the run ends with status 1 */
static bool out_failed(struct session *s)
{
	return s->q.err && s->q.err != EPIPE;
}

static void loop(struct session *s)
{
	uint64_t next_check = clock_ns(CLOCK_MONOTONIC) + LOSS_CHECK_NS;
	struct tracer_counts c;
	int err;

	/* the snapshot may have taken the run's whole -d, or waited for a reader until a signal */
	while (!stopping(s) && !s->count_reached && !s->q.err) {
		if (outq_pending(&s->q) >= HIGH_WATER) {
			/* the reader is behind: let the ring buffer wait, and the kernel count */
			outq_write(&s->q, wait_ms(s), &stop_signal);
		} else {
			err = tracer_poll(&s->tracer, wait_ms(s));
			if (err < 0 && err != -EINTR && err != -ECANCELED) {
				fprintf(stderr, "tcpstates-c: reading the ring buffer: %s\n",
					strerror(-err));
				break;
			}
			outq_write(&s->q, 0, &stop_signal);
		}
		if (s->stuck)
			stuck_tick(s->stuck, stuck_room, emit_stuck, s);
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		if (now >= next_check) {
			check_loss(s, &c);
			next_check = now + LOSS_CHECK_NS;
		}
		stats_out_tick(&s->stats, now);
		if (s->containers)
			containers_tick(s->containers, now);
		outfile_tick(&s->file, &s->q);
		if (s->metrics && metrics_due(s->metrics, now))
			put_metrics(s, now, false);
	}
}

/* what came in and went out, for the summary and the closing line (c: read just before) */
static void run_counts(const struct session *s, const struct tracer_counts *c,
		       struct run_counts *n)
{
	n->kernel = c->events;
	n->swept = c->swept;
	n->lines = s->q.lines;
	n->transitions = s->printed;
	n->kernel_connections = c->connections;
	n->connections = s->conn_lines;
	n->snapshot = s->snapshot_lines;
	n->written = s->q.written;
}

/*
 * Detach first so nothing new arrives; read what the kernel already wrote (unless the reader
 * left or -n is done); write what is queued within STOP_GRACE_NS; count what could not be. The
 * run's status: 1 when the output or --dot's file could not be written.
 */
static int finish(struct session *s)
{
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + STOP_GRACE_NS;
	const char *names[FT_MAX];
	struct run_info run = {
		.kernel = s->tracer.features.kernel,
		.hook = tracer_hook_name(s->tracer.hook),
		.features = names,
	};
	struct tracer_counts c;
	struct loss_counts total;
	struct run_counts n;
	char text[512];
	int dot_failed;

	for (int i = 0; i < FT_MAX; i++)
		if (s->tracer.features.f[i].on)
			names[run.n_features++] = feature_name(i);
	tracer_detach(&s->tracer);
	s->draining = true;
	if (!s->count_reached && !s->q.err)
		tracer_drain(&s->tracer);
	filter_free(&s->filter);
	loss_now(s, &c, &total);
	check_loss(s, &c);
	run.gaps = c.gaps;
	run.stats = &s->stats.total;
	stats_out_end(&s->stats, clock_ns(CLOCK_MONOTONIC), !s->q.err);
	outfile_tick(&s->file, &s->q);	/* a SIGHUP just before the stop: the end goes there too */
	run_counts(s, &c, &n);
	if (!s->q.err)
		stats_out_summary(&s->stats, clock_ns(CLOCK_REALTIME), &n, &total, &run);
	outq_finish(&s->q, deadline, STALL_MS);
	/* lines the end left unwritten are loss too (the summary, if written, could not say so) */
	total.not_written = s->q.not_written;
	/* the last metrics after the last line: their not_written is the final one, up 0 */
	if (s->metrics)
		put_metrics(s, clock_ns(CLOCK_MONOTONIC), true);
	if (out_failed(s))
		fprintf(stderr, "tcpstates-c: cannot write output: %s\n", strerror(s->q.err));
	run_counts(s, &c, &n);
	stats_out_closing(text, sizeof(text), &n, &total);
	fprintf(stderr, "%s\n", text);
	/* -v: how often the kernel's recursion guard hid a transition, and what the backup took */
	if (s->cfg->verbose)
		fprintf(stderr, "tcpstates-c: nested state hook runs the kernel skipped: %llu, rescued "
				"by the backup program: %llu%s\n",
			(unsigned long long)c.skipped_main, (unsigned long long)c.covered,
			s->tracer.features.f[FT_RECURSION_BACKUP].on ? "" : " (backup off)");
	/* --dot's file is closed last: a failure to write it is said after the closing line */
	dot_failed = stats_out_close_dot(&s->stats);
	return out_failed(s) || dot_failed ? 1 : 0;
}

int session_run(const struct config *cfg, struct filter_targets *targets)
{
	struct session s;
	int status = 1, fd = STDOUT_FILENO;
	bool ran = false;		/* the loop ran: -v's end-of-run lines are due */

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.start_ns = clock_ns(CLOCK_MONOTONIC);
	if (cfg->duration_s > 0)
		s.deadline_ns = s.start_ns + (uint64_t)(cfg->duration_s * 1e9);
	s.file.fd = -1;
	if (cfg->output_path && (fd = outfile_open(&s.file, cfg->output_path)) < 0)
		return 1;
	if (outq_init(&s.q, fd, 0)) {
		fprintf(stderr, "tcpstates-c: out of memory\n");
		goto close_file;
	}
	s.out.out = &s.q.sink;
	s.out.cfg = cfg;
	s.out.mono_to_real_ns = output_mono_to_real_offset();
	/* before anything reads /proc/PID/cgroup: the snapshot, --stuck, the containers */
	cgroup_join_host_ns(stderr);
	if (wants_containers(cfg) && !(s.containers = open_containers()))
		goto free_queue;
	s.out.containers = s.containers;
	filter_init(&s.filter, cfg, targets, s.containers);
	install_signals(cfg->output_path);
	/* --dot's file is made now: the loop may not open files, and a bad path should stop us here */
	if (stats_out_init(&s.stats, &s.q.sink, cfg, s.out.mono_to_real_ns, s.start_ns))
		goto free_queue;
	if (cfg->metrics_path) {
		s.metrics = &s.metrics_file;
		if (metrics_open(s.metrics, cfg->metrics_path, cfg->metrics_period_s))
			goto free_stats;
	}

	if (tracer_start(&s.tracer, cfg, &targets->cgroup, on_event, &s))
		goto destroy_tracer;
	s.tracer.conn_fn = on_conn;
	if (cfg->records == TS_REC_NONE && use_tally(&s))
		goto destroy_tracer;
	if (cfg->no_snapshot)
		feature_off(&s.tracer.features, FT_SNAPSHOT, "--no-snapshot");
	targets->cgroup.in_kernel = s.tracer.cgroup_in_kernel;
	cgroup_warn(&targets->cgroup, stderr);
	/* a degraded run is never silent: what this kernel does not give, and why */
	features_print_line(&s.tracer.features, stderr);
	if (cfg->verbose)
		features_print_table(&s.tracer.features, stderr);
	fprintf(stderr, "Tracing TCP state transitions (%s). Ctrl-C to stop.\n",
		tracer_hook_name(s.tracer.hook));
	/* the columns' heads: for the records, or (--records none) --stuck's lines */
	if (cfg->records != TS_REC_NONE || cfg->stuck_s)
		output_header(&s.out);
	s.stuck = stuck_start(cfg, &s.filter, tracer_keys_by_cookie(&s.tracer));
	if (!cfg->no_snapshot)
		run_snapshot(&s);
	/* what the loop does not need goes now: capabilities, new privileges, most syscalls */
	if (cfg->output_path)
		privdrop_keep_reopen();
	privdrop_apply(tracer_seed_fd(&s.tracer), cfg->verbose);
	loop(&s);
	status = finish(&s);
	ran = true;

	/* cleanup: the reverse of the start, each step entered where that one failed */
	stuck_stop(s.stuck, cfg->verbose);
	containers_stop(s.containers, ran && cfg->verbose);
	s.containers = NULL;
destroy_tracer:
	tracer_destroy(&s.tracer);
	tally_free(&s.tally);
	if (s.metrics)
		metrics_close(s.metrics, ran && cfg->verbose);
free_stats:
	stats_out_free(&s.stats);
free_queue:
	containers_stop(s.containers, false);
	pod_counts_free(&s.pods);
	outq_free(&s.q);
close_file:
	outfile_close(&s.file);
	return status;
}
