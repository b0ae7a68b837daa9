// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * fmtbench.c - the user-space cost of a line, without the kernel: records made as the ring buffer
 * delivers a loopback churn's (10 transitions a connection, client and server side), handed
 * through the tracer's own path - filter, format, stats, output queue - and written to stdout in
 * batches, as the loop writes after each ring-buffer read. Deterministic: under
 * `valgrind --tool=callgrind --toggle-collect=fmtbench_run` the instructions per line do not
 * depend on the machine's load (tests/bench/ucost.sh).
 *
 *   fmtbench [-j] [-n LINES] [-b BATCH]     (stdout: /dev/null, a pipe or a file)
 *
 * Prints on stderr: "fmtbench: FORMAT LINES lines, NS ns CPU per line (user U, system S)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include "container.h"
#include "filter.h"
#include "holders.h"
#include "outq.h"
#include "output.h"
#include "stats_out.h"
#include "timefmt.h"
#include "bench.h"

#define EV_GAP_NS 5500		/* 180 000 transitions a second, the churn's pace here */
#define NETNS 4026532871u

struct bench {
	struct config cfg;
	struct output out;
	struct outq q;
	struct filter filter;
	struct stats_out stats;
};

static const struct filter_targets no_targets;	/* what --cgroup and --netns name: nothing */

static void usage(void)
{
	fprintf(stderr, "usage: fmtbench [-j] [-K] [-n LINES] [-b BATCH]\n");
	exit(2);
}

/* one side's transition of connection `conn` (client: cookie even, server: odd) */
static void transition(struct tcpstates_event *e, uint64_t ts, unsigned int conn, bool server,
		       unsigned int from, unsigned int to, uint64_t dur)
{
	uint16_t cport = 1024 + conn % 59975, sport = 61234;

	memset(e, 0, sizeof(*e));
	e->ts_ns = ts;
	e->cookie = 8192 + 2ULL * conn + server;
	e->skaddr = 0xffff888104000000ULL + ((2ULL * conn + server) % 4096) * 0x900;
	e->dur_ns = dur;
	e->cgroup_id = 6021;
	e->saddr[0] = e->daddr[0] = 127;
	e->saddr[3] = e->daddr[3] = 1;
	e->pid = server ? 41017 : 41018;
	e->netns = NETNS;
	e->sport = server ? sport : cport;
	e->dport = server ? cport : sport;
	e->family = AF_INET;
	e->oldstate = from;
	e->newstate = to;
	e->hook = TS_HOOK_BTF;
	e->flags = TS_F_OWNER_KNOWN | TS_F_COOKIE_KNOWN | (from != TS_CLOSE ? TS_F_DUR_KNOWN : 0);
	/* an accepted socket shows its listener's owner until the worker uses it */
	if (server && from == TS_LISTEN)
		e->flags |= TS_F_OWNER_INHERITED;
	if (to == TS_CLOSE) {
		e->reason = TS_R_ORDERLY;
		e->flags |= TS_F_BYTES;
		e->rx_bytes = 64;
		e->tx_bytes = 64;
	}
	if (to == TS_TIME_WAIT)
		e->flags2 = TS_F2_TIMEWAIT;
	strcpy(e->comm, "churn");
}

/* n records: connections of 10 transitions each, in the order loopback produces them */
static struct tcpstates_event *make_records(size_t n)
{
	static const struct {
		bool server;
		unsigned char from, to;
	} seq[10] = {
		{ false, TS_CLOSE, TS_SYN_SENT },	{ true, TS_LISTEN, TS_SYN_RECV },
		{ false, TS_SYN_SENT, TS_ESTABLISHED },	{ true, TS_SYN_RECV, TS_ESTABLISHED },
		{ false, TS_ESTABLISHED, TS_FIN_WAIT1 },	{ true, TS_ESTABLISHED, TS_CLOSE_WAIT },
		{ false, TS_FIN_WAIT1, TS_FIN_WAIT2 },	{ true, TS_CLOSE_WAIT, TS_LAST_ACK },
		{ false, TS_FIN_WAIT2, TS_TIME_WAIT },	{ true, TS_LAST_ACK, TS_CLOSE },
	};
	struct tcpstates_event *r = calloc(n, sizeof(*r));
	uint64_t ts = 3600ULL * 1000000000ULL + 123456789;	/* an hour after boot */

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++, ts += EV_GAP_NS)
		transition(&r[i], ts, i / 10, seq[i % 10].server, seq[i % 10].from, seq[i % 10].to,
			   (i % 10) ? 20000 + i % 7 * 1000 : 0);
	return r;
}

static void emit(void *arg, const struct tcpstates_event *e)
{
	struct bench *b = arg;

	output_event(&b->out, e);
	stats_out_add(&b->stats, e);
}

/* the measured part: what the tracer does per record, and a write per batch */
__attribute__((noinline)) void fmtbench_run(struct bench *b, const struct tcpstates_event *r,
					     size_t n, size_t batch)
{
	for (size_t i = 0; i < n; i++) {
		filter_event(&b->filter, &r[i], emit, b);
		if ((i + 1) % batch == 0)
			outq_write(&b->q, 0, NULL);
	}
	outq_finish(&b->q, clock_ns(CLOCK_MONOTONIC) + 10000000000ULL, 1000);
}

/* user and system CPU time so far, ns */
static void cpu_ns(uint64_t *user, uint64_t *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec * 1000000000ULL + ru.ru_utime.tv_usec * 1000ULL;
	*sys = ru.ru_stime.tv_sec * 1000000000ULL + ru.ru_stime.tv_usec * 1000ULL;
}

int main(int argc, char **argv)
{
	size_t n = 200000, batch = 1000;
	struct tcpstates_event *r;
	struct bench b;
	uint64_t u0, s0, u1, s1;
	int opt;

	memset(&b, 0, sizeof(b));
	while ((opt = getopt(argc, argv, "jKn:b:")) != -1) {
		if (opt == 'j')
			b.cfg.format = OUT_JSON;
		else if (opt == 'K')
			b.cfg.show_containers = true;
		else if (opt == 'n')
			n = bench_parse_num("fmtbench", optarg, 1, 100000000, "line count", usage);
		else if (opt == 'b')
			batch = bench_parse_num("fmtbench", optarg, 1, 1000000, "batch", usage);
		else
			usage();
	}
	/* the times as the tracer shows them, whatever the machine's zone */
	setenv("TZ", "UTC", 1);
	tzset();
	r = make_records(n);
	if (!r || outq_init(&b.q, STDOUT_FILENO, 64u << 20)) {
		fprintf(stderr, "fmtbench: out of memory\n");
		return 1;
	}
	/*
	 * -K: each record's owner is this process, in its real cgroup, and the container cache is
	 * asked about it, as the tracer asks for every JSON or -K line: after the first, a hit
	 */
	if (b.cfg.show_containers) {
		char root[256];
		uint64_t cg;

		holders_cgroup_root(root, sizeof(root));
		cg = holders_cgroup("self", root);
		b.out.containers = containers_open(root, "/var/log/containers",
						   "/var/lib/docker/containers");
		for (size_t i = 0; i < n; i++) {
			r[i].pid = getpid();
			r[i].cgroup_id = cg;
		}
	}
	b.out.out = &b.q.sink;
	b.out.cfg = &b.cfg;
	b.out.mono_to_real_ns = 1795317632555566666LL;
	filter_init(&b.filter, &b.cfg, &no_targets, NULL);	/* no --cgroup, no --netns */
	stats_out_init(&b.stats, &b.q.sink, &b.cfg, b.out.mono_to_real_ns, 0);
	output_header(&b.out);

	cpu_ns(&u0, &s0);
	fmtbench_run(&b, r, n, batch);
	cpu_ns(&u1, &s1);

	fprintf(stderr, "fmtbench: %s %zu lines, %.0f ns CPU per line (user %.0f, system %.0f)\n",
		b.cfg.format == OUT_JSON ? "json" : "text", n, (double)(u1 - u0 + s1 - s0) / n,
		(double)(u1 - u0) / n, (double)(s1 - s0) / n);
	if (b.q.written != n + (b.cfg.format == OUT_JSON ? 0 : 1) || b.q.not_written) {
		fprintf(stderr, "fmtbench: %llu lines written, %llu not: expected %zu\n",
			(unsigned long long)b.q.written, (unsigned long long)b.q.not_written, n);
		return 1;
	}
	if (b.out.containers) {
		struct containers_stats st;

		containers_get_stats(b.out.containers, &st);
		fprintf(stderr, "fmtbench: containers: %llu lookups, %llu hits, %llu resolved, %llu "
				"host\n", (unsigned long long)st.lookups, (unsigned long long)st.hits,
			(unsigned long long)st.resolved, (unsigned long long)st.host);
		containers_close(b.out.containers);
	}
	filter_free(&b.filter);
	outq_free(&b.q);
	free(r);
	return 0;
}
