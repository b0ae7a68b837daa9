// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ctrbench.c - what naming a socket's container costs (user/container.c), on real cgroup v2
 * directories: a cache hit, a host cgroup's first lookup, and a pod container's first lookup with
 * the kubelet's links (60 and 1000 of them) or Docker's config.v2.json. Root: it makes cgroups
 * below the cgroup v2 mount, moves sleeping children into them, and removes it all at the end.
 *
 *   ctrbench [-n HITS] [-r ROUNDS]     (defaults: 10 000 000 hits, 200 rounds)
 *
 * A round opens an empty cache and looks up each cgroup once, timing each lookup: the first pod
 * container of a round pays the listing of log_dir, the others find their id in it.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "container.h"
#include "holders.h"
#include "bench.h"

#define PODS 20			/* pod containers, each with a child process in it */
#define UID_ "1f2e3d4c_5b6a_4798_8877_665544332211"

static char root[256], base[512], pod[700], tmp[64] = "/tmp/ctrbench.XXXXXX";
static char ctr[PODS + 1][800];	/* [PODS]: the Docker container */
static pid_t kids[PODS + 1];
static uint64_t ids[PODS + 1];

static void usage(void)
{
	fprintf(stderr, "usage: ctrbench [-n HITS] [-r ROUNDS]\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2] / 1e3;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		fprintf(stderr, "ctrbench: cannot write %s\n", path);
		exit(1);
	}
}

/* the i-th container id: 64 hex digits */
static void make_id(char id[65], unsigned int i, unsigned int salt)
{
	snprintf(id, 65, "%016x%016x%016x%016x", i * 2654435761u, salt, i, ~i);
}

/* n kubelet links in tmp/logs: one for each pod container, the rest for containers not running */
static void make_links(unsigned int n)
{
	char id[65], path[400];

	snprintf(path, sizeof(path), "rm -f %s/logs/*.log", tmp);
	if (system(path))
		exit(1);
	for (unsigned int i = 0; i < n; i++) {
		make_id(id, i, i < PODS ? 1 : 2);
		snprintf(path, sizeof(path), "%s/logs/app-%u-7d9f8c6b5-x2k4p_shop_app-%s.log", tmp,
			 i, id);
		put_file(path, "");
	}
}

/* Docker's config.v2.json, ~6 KB as a small container's, "Name" after the bulk of it */
static void make_docker_config(const char *id)
{
	char path[400], json[8192];
	int n;

	snprintf(path, sizeof(path), "%s/docker/%s", tmp, id);
	mkdir(path, 0755);
	n = snprintf(json, sizeof(json), "{\"StreamConfig\":{},\"State\":{\"Running\":true,"
		     "\"Pid\":4242,\"Health\":null},\"ID\":\"%s\",\"Path\":\"nginx\",\"Args\":["
		     "\"-g\",\"daemon off;\"],\"Config\":{\"Hostname\":\"web\",\"Env\":[", id);
	for (int i = 0; i < 80; i++)
		n += snprintf(json + n, sizeof(json) - n, "\"VARIABLE_%d=some value \\\"%d\\\"\",", i,
			      i);
	snprintf(json + n - 1, sizeof(json) - n + 1, "],\"Labels\":{\"Name\":\"not this\"}},"
		 "\"Image\":\"sha256:%s\",\"LogPath\":\"/x\",\"Name\":\"/web\",\"Driver\":"
		 "\"overlay2\",\"RestartCount\":0}", id);
	strcat(path, "/config.v2.json");
	put_file(path, json);
}

/* a child that sleeps until killed, in cgroup dir */
static pid_t child_in(const char *dir)
{
	char procs[900], text[16];
	pid_t pid = fork();

	if (pid == 0)
		for (;;)
			pause();
	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= (int)sizeof(procs))
		exit(1);
	snprintf(text, sizeof(text), "%d", (int)pid);
	put_file(procs, text);
	return pid;
}

static void cleanup(void)
{
	char cmd[128];

	for (int i = 0; i <= PODS; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
		if (ctr[i][0])
			rmdir(ctr[i]);
	}
	if (pod[0])
		rmdir(pod);
	if (base[0])
		rmdir(base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		fprintf(stderr, "ctrbench: could not remove %s\n", tmp);
}

static void setup(void)
{
	char id[65], sub[128];
	struct stat st;

	holders_cgroup_root(root, sizeof(root));
	if (!root[0] || geteuid() || !mkdtemp(tmp)) {
		fprintf(stderr, "ctrbench: needs root and a cgroup v2 mount\n");
		exit(1);
	}
	atexit(cleanup);
	snprintf(sub, sizeof(sub), "%s/logs", tmp);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/docker", tmp);
	mkdir(sub, 0755);
	snprintf(base, sizeof(base), "%s/ctrbench-%d.slice", root, (int)getpid());
	snprintf(pod, sizeof(pod), "%s/kubepods-besteffort-pod" UID_ ".slice", base);
	if (mkdir(base, 0755) || mkdir(pod, 0755)) {
		fprintf(stderr, "ctrbench: mkdir %s: %s\n", pod, strerror(errno));
		exit(1);
	}
	for (int i = 0; i <= PODS; i++) {
		make_id(id, i, i < PODS ? 1 : 3);
		if (i < PODS)
			snprintf(ctr[i], sizeof(ctr[i]), "%s/cri-containerd-%s.scope", pod, id);
		else
			snprintf(ctr[i], sizeof(ctr[i]), "%s/docker-%s.scope", base, id);
		if (mkdir(ctr[i], 0755)) {
			ctr[i][0] = '\0';
			exit(1);
		}
		kids[i] = child_in(ctr[i]);
		ids[i] = stat(ctr[i], &st) ? 0 : st.st_ino;
	}
	make_id(id, PODS, 3);
	make_docker_config(id);
}

/*
 * Lookups of a few cached pod containers, over and over: ns per lookup. log_dir: their links'
 * directory, or one without them (then each hit looks at the clock: their links may come).
 */
static double bench_hits(long n, const char *log_dir)
{
	struct containers *c = containers_open(root, log_dir, "/nonexistent");
	uint64_t t0, sum = 0;

	for (int i = 0; i < 4; i++)
		containers_lookup(c, ids[i], kids[i]);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		sum += containers_lookup(c, ids[i & 3], 0)->runtime;
	t0 = now_ns() - t0;
	containers_close(c);
	return sum == (uint64_t)n * CONTAINER_RT_CONTAINERD ? (double)t0 / n : -1;
}

/* a host cgroup's first lookup (this process's), in an empty cache each round: µs (median) */
static double bench_host(int rounds)
{
	uint64_t *t = calloc(rounds, sizeof(*t)), self;
	char pid[16];
	double m;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	self = holders_cgroup(pid, root);
	for (int r = 0; r < rounds; r++) {
		struct containers *c = containers_open(root, "/nonexistent", "/nonexistent");
		uint64_t t0 = now_ns();

		if (!containers_lookup(c, self, getpid()))
			exit(1);
		t[r] = now_ns() - t0;
		containers_close(c);
	}
	m = median_us(t, rounds);
	free(t);
	return m;
}

/*
 * The pod containers' first lookups, in an empty cache each round: the first of a round lists
 * log_dir (*listing, µs, median), the others find their id in that listing (*indexed); then the
 * Docker container's (*docker).
 */
static void bench_pods(int rounds, double *listing, double *indexed, double *docker)
{
	uint64_t *first = calloc(rounds, sizeof(uint64_t)), *rest, *dock;
	char logs[128], dd[128];

	rest = calloc((size_t)rounds * (PODS - 1), sizeof(uint64_t));
	dock = calloc(rounds, sizeof(uint64_t));
	snprintf(logs, sizeof(logs), "%s/logs", tmp);
	snprintf(dd, sizeof(dd), "%s/docker", tmp);
	for (int r = 0; r < rounds; r++) {
		struct containers *c = containers_open(root, logs, dd);
		const struct container_info *a;

		for (int i = 0; i <= PODS; i++) {
			uint64_t t0 = now_ns(), dt;

			a = containers_lookup(c, ids[i], kids[i]);
			dt = now_ns() - t0;
			if (!a || !a->container[0]) {
				fprintf(stderr, "ctrbench: container %d not named\n", i);
				exit(1);
			}
			if (i == 0)
				first[r] = dt;
			else if (i < PODS)
				rest[(size_t)r * (PODS - 1) + i - 1] = dt;
			else
				dock[r] = dt;
		}
		containers_close(c);
	}
	*listing = median_us(first, rounds);
	*indexed = median_us(rest, (size_t)rounds * (PODS - 1));
	*docker = median_us(dock, rounds);
	free(first);
	free(rest);
	free(dock);
}

int main(int argc, char **argv)
{
	long hits = 10000000, rounds = 200;
	static const unsigned int links[] = { 60, 1000 };
	double listing, indexed, docker;
	char logs[128];
	int opt;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			hits = bench_parse_num("ctrbench", optarg, 1, 1000000000, "HITS", usage);
		else if (opt == 'r')
			rounds = bench_parse_num("ctrbench", optarg, 1, 100000, "ROUNDS", usage);
		else
			usage();
	}
	setup();
	make_links(60);
	snprintf(logs, sizeof(logs), "%s/logs", tmp);
	printf("ctrbench: hit (4 ids, %ld lookups): %.1f ns per lookup\n", hits,
	       bench_hits(hits, logs));
	printf("ctrbench: hit, pod containers without a link yet: %.1f ns per lookup\n",
	       bench_hits(hits, "/nonexistent"));
	printf("ctrbench: host cgroup, first lookup: %.1f us\n", bench_host(rounds));
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		make_links(links[i]);
		bench_pods(rounds, &listing, &indexed, &docker);
		printf("ctrbench: pod container, first lookup, %u links: %.1f us listing log_dir, "
		       "%.1f us from the listing\n", links[i], listing, indexed);
	}
	printf("ctrbench: docker container, first lookup (config.v2.json): %.1f us\n", docker);
	return 0;
}
