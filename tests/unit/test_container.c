// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * test_container.c - naming a socket's container: cgroup paths of every runtime and driver, the
 * kubelet's log link names, Docker's config.v2.json, and the cache on real cgroup v2 directories
 * with processes moved into them (root).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "container.h"
#include "holders.h"
#include "procfs.h"
#include "unit.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define IDUP "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define UID "1f2e3d4c-5b6a-4798-8877-665544332211"
#define UID_ "1f2e3d4c_5b6a_4798_8877_665544332211"	/* as a systemd slice name has it */
#define SUID "9f86d081884c7d659a2feaa0c55ad015"		/* a static pod's: its manifest's hash */
#define BE "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice"

/* ---- cgroup paths ---- */

struct cgroup_row {
	const char *path;
	uint8_t runtime;	/* CONTAINER_RT_NONE: not a container */
	const char *id, *pod_uid;
};

#define RT(x) CONTAINER_RT_##x
static const struct cgroup_row cgroup_rows[] = {
	/* containerd, systemd driver: the three QoS classes */
	{ BE "/cri-containerd-" ID ".scope", RT(CONTAINERD), ID, UID },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", RT(CONTAINERD), ID, UID },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  RT(CONTAINERD), ID, UID },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" SUID
	  ".slice/cri-containerd-" ID ".scope", RT(CONTAINERD), ID, SUID },
	/* below the container's scope: still that container */
	{ BE "/cri-containerd-" ID ".scope/init", RT(CONTAINERD), ID, UID },
	{ BE "/cri-containerd-" ID ".scope/system.slice/sshd.service", RT(CONTAINERD), ID, UID },
	/* cgroupfs driver */
	{ "/kubepods/besteffort/pod" UID "/" ID, RT(CONTAINERD), ID, UID },
	{ "/kubepods/burstable/pod" UID "/" ID, RT(CONTAINERD), ID, UID },
	{ "/kubepods/pod" UID "/" ID, RT(CONTAINERD), ID, UID },
	{ "/kubepods/pod" SUID "/" ID "/sub", RT(CONTAINERD), ID, SUID },
	/* cri-o, both drivers; its conmon is not the container */
	{ BE "/crio-" ID ".scope", RT(CRIO), ID, UID },
	{ "/kubepods/besteffort/pod" UID "/crio-" ID, RT(CRIO), ID, UID },
	{ BE "/crio-conmon-" ID ".scope", RT(NONE), "", "" },
	/* Docker: systemd and cgroupfs drivers, and as a kubelet's runtime (dockershim) */
	{ "/system.slice/docker-" ID ".scope", RT(DOCKER), ID, "" },
	{ "/docker/" ID, RT(DOCKER), ID, "" },
	{ "/docker/" ID "/docker/" ID2, RT(DOCKER), ID2, "" },
	{ BE "/docker-" ID ".scope", RT(DOCKER), ID, UID },
	/* podman: rootful, rootless, cgroupfs, a container running systemd; conmon is not one */
	{ "/machine.slice/libpod-" ID ".scope", RT(PODMAN), ID, "" },
	{ "/machine.slice/libpod-" ID ".scope/container", RT(PODMAN), ID, "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	  RT(PODMAN), ID, "" },
	{ "/libpod_parent/libpod-" ID, RT(PODMAN), ID, "" },
	{ "/machine.slice/libpod-conmon-" ID ".scope", RT(NONE), "", "" },
	/* kind: a kubelet in a Docker container; the pod's container is the inner one */
	{ "/system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", RT(CONTAINERD), ID, UID },
	/* a pod directory the kubelet would not write: the container, without its pod */
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID
	  ".slice/cri-containerd-" ID ".scope", RT(CONTAINERD), ID, "" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/"
	  "cri-containerd-" ID ".scope", RT(CONTAINERD), ID, "" },
	/* ids that are not: one digit short or over, uppercase, a suffix after the scope */
	{ BE "/cri-containerd-" ID63 ".scope", RT(NONE), "", "" },
	{ BE "/cri-containerd-" ID "0.scope", RT(NONE), "", "" },
	{ BE "/cri-containerd-" IDUP ".scope", RT(NONE), "", "" },
	{ BE "/cri-containerd-" ID ".scopes", RT(NONE), "", "" },
	{ "/docker/" ID63, RT(NONE), "", "" },
	{ "/kubepods/besteffort/pod" UID "/" IDUP, RT(NONE), "", "" },
	/* a bare id needs a pod or "docker" above it */
	{ "/system.slice/" ID, RT(NONE), "", "" },
	{ "/kubepods/besteffort/podnotauid/" ID, RT(NONE), "", "" },
	/* the host */
	{ "/user.slice/user-0.slice/session-3.scope", RT(NONE), "", "" },
	{ "/system.slice/nginx.service", RT(NONE), "", "" },
	{ "/system.slice/containerd.service", RT(NONE), "", "" },
	{ BE, RT(NONE), "", "" },
	{ "/", RT(NONE), "", "" },
	{ "", RT(NONE), "", "" },
};

static void test_parse_cgroup(void)
{
	for (size_t i = 0; i < sizeof(cgroup_rows) / sizeof(cgroup_rows[0]); i++) {
		const struct cgroup_row *r = &cgroup_rows[i];
		struct container_info info;
		bool ok = container_parse_cgroup(r->path, &info);

		CHECK(ok == (r->runtime != RT(NONE)) && info.runtime == r->runtime,
		      "row %zu %s: ok %d runtime %d, want %d", i, r->path, ok, info.runtime,
		      r->runtime);
		CHECK_STR(info.id, r->id, r->path);
		CHECK_STR(info.pod_uid, r->pod_uid, r->path);
		CHECK(!info.pod[0] && !info.pod_namespace[0] && !info.container[0],
		      "%s: no names from a path", r->path);
	}
	CHECK(!container_runtime_word(RT(NONE)), "NONE has no word");
	CHECK_STR(container_runtime_word(RT(CONTAINERD)), "containerd", "word");
	CHECK_STR(container_runtime_word(RT(CRIO)), "cri-o", "word");
	CHECK_STR(container_runtime_word(RT(DOCKER)), "docker", "word");
	CHECK_STR(container_runtime_word(RT(PODMAN)), "podman", "word");
	CHECK(!container_runtime_word(RT(MAX)), "MAX has no word");
}

/* ---- the kubelet's log links ---- */

struct log_row {
	const char *name;
	const char *pod, *ns, *container;	/* NULL: not a link */
};

static const struct log_row log_rows[] = {
	{ "coredns-5d78c9869d-x7k2q_kube-system_coredns-" ID ".log", "coredns-5d78c9869d-x7k2q",
	  "kube-system", "coredns" },
	{ "web-0_default_nginx-" ID ".log", "web-0", "default", "nginx" },
	{ "etcd-node1.example.com_kube-system_etcd-" ID ".log", "etcd-node1.example.com",
	  "kube-system", "etcd" },
	{ "a_b_c-d-e-" ID ".log", "a", "b", "c-d-e" },
	{ "0_1_2-" ID ".log", "0", "1", "2" },
	/* not links: other names, uppercase, '_' where a name cannot have it, empty parts */
	{ "web-0_default_nginx-" ID ".log.1", NULL, NULL, NULL },
	{ "web-0_default_nginx-" ID, NULL, NULL, NULL },
	{ "web-0_default_nginx" ID ".log", NULL, NULL, NULL },
	{ "web-0_default_nginx-" ID63 ".log", NULL, NULL, NULL },
	{ "web-0_default_nginx-" IDUP ".log", NULL, NULL, NULL },
	{ "Web-0_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-0_default_my_app-" ID ".log", NULL, NULL, NULL },
	{ "web-0_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-0__nginx-" ID ".log", NULL, NULL, NULL },
	{ "_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-0_default_-" ID ".log", NULL, NULL, NULL },
	{ "web-0_kube.system_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-0_default_nginx.x-" ID ".log", NULL, NULL, NULL },
	{ "-web_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "a..b_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "a.-b_default_nginx-" ID ".log", NULL, NULL, NULL },
	{ "web-0_default_nginx--" ID ".log", NULL, NULL, NULL },
	{ "web-0_0123456789012345678901234567890123456789012345678901234567890123_c-" ID ".log",
	  NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ ".log", NULL, NULL, NULL },
};

static void test_parse_kubelet_log(void)
{
	for (size_t i = 0; i < sizeof(log_rows) / sizeof(log_rows[0]); i++) {
		const struct log_row *r = &log_rows[i];
		char pod[254] = "", ns[64] = "", ctr[254] = "", id[65] = "";
		bool ok = container_parse_kubelet_log(r->name, pod, sizeof(pod), ns, sizeof(ns), ctr,
						      sizeof(ctr), id);

		CHECK(ok == !!r->pod, "row %zu %s: ok %d", i, r->name, ok);
		if (!ok || !r->pod)
			continue;
		CHECK_STR(pod, r->pod, r->name);
		CHECK_STR(ns, r->ns, r->name);
		CHECK_STR(ctr, r->container, r->name);
		CHECK_STR(id, ID, r->name);
	}
	/* a name that does not fit the caller's buffer is no answer */
	{
		char pod[5], ns[64], ctr[64], id[65];

		CHECK(!container_parse_kubelet_log("web-0_default_nginx-" ID ".log", pod, sizeof(pod),
						   ns, sizeof(ns), ctr, sizeof(ctr), id),
		      "pod name longer than its buffer");
		CHECK(container_parse_kubelet_log("web1_default_nginx-" ID ".log", pod, sizeof(pod),
						  ns, sizeof(ns), ctr, sizeof(ctr), id),
		      "pod name that just fits");
	}
}

/* ---- Docker's config.v2.json ---- */

struct docker_row {
	const char *json;
	const char *name;	/* NULL: none found */
};

static const struct docker_row docker_rows[] = {
	{ "{\"ID\":\"" ID "\",\"Name\":\"/web\",\"Driver\":\"overlay2\"}", "web" },
	{ "{\"Name\":\"web\"}", "web" },
	{ " {\n  \"Name\" : \"/sp\"\n}\n", "sp" },
	/* escapes: Go writes <, >, & as \u003c... ; a pair for a character beyond 64 Ki */
	{ "{\"Name\":\"/we\\u0062\\\"x\\\\\\/\\t\"}", "web\"x\\/\t" },
	{ "{\"Name\":\"/a\\u00e9\\ud83d\\ude00\"}", "a\xc3\xa9\xf0\x9f\x98\x80" },
	/* a "Name" inside another member is not the container's */
	{ "{\"Config\":{\"Name\":\"inner\",\"Labels\":{\"a\":\"}\"}},\"Name\":\"/outer\"}",
	  "outer" },
	{ "{\"Args\":[\"a\",\"]\",{\"Name\":\"x\"}],\"Name\":\"/arr\"}", "arr" },
	{ "{\"Path\":\"\\\"Name\\\":\\\"/no\\\"\",\"Name\":\"/yes\"}", "yes" },
	{ "{\"Managed\":false,\"RestartCount\":0,\"State\":null,\"X\":-1.5e3,\"Name\":\"/n\"}",
	  "n" },
	{ "{\"NetworkSettings\":{\"Networks\":{}},\"Name\":\"/long-key-before\"}",
	  "long-key-before" },
	/* none */
	{ "{\"Config\":{\"Name\":\"inner\"}}", NULL },
	{ "{\"ID\":\"abc\"}", NULL },
	{ "{\"Names\":\"/x\"}", NULL },
	{ "{\"Name\":null}", NULL },
	{ "{\"Name\":\"/\"}", NULL },
	{ "{\"Name\":\"\"}", NULL },
	{ "{\"Name\":\"/ab", NULL },
	{ "{\"Name\":\"/a\\q\"}", NULL },
	{ "{\"Name\":\"/a\\u12\"}", NULL },
	{ "{\"A\":{\"b\":1},\"Name\"", NULL },
	{ "{\"A\":{\"b\":[1,2}}", NULL },
	{ "{\"A\":\"x\" \"Name\":\"/y\"}", NULL },
	{ "[{\"Name\":\"/x\"}]", NULL },
	{ "", NULL },
	{ "{", NULL },
};

static void test_parse_docker_config(void)
{
	for (size_t i = 0; i < sizeof(docker_rows) / sizeof(docker_rows[0]); i++) {
		const struct docker_row *r = &docker_rows[i];
		char name[254] = "";
		bool ok = container_parse_docker_config(r->json, name, sizeof(name));

		CHECK(ok == !!r->name, "row %zu %s: ok %d", i, r->json, ok);
		if (ok && r->name)
			CHECK_STR(name, r->name, r->json);
	}
	{
		char name[4];

		CHECK(!container_parse_docker_config("{\"Name\":\"/abcd\"}", name, sizeof(name)),
		      "a name longer than the buffer");
		CHECK(container_parse_docker_config("{\"Name\":\"abc\"}", name, sizeof(name)) &&
		      !strcmp(name, "abc"), "a name that just fits");
	}
}

/* ---- the cache, without root: this process's own (host) cgroup ---- */

static uint64_t ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void test_cache_host(const char *root)
{
	char pid[16];
	uint64_t self;
	struct containers *c = containers_open(root, "/nonexistent", "/nonexistent");
	const struct container_info *a, *b;
	struct containers_stats st;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	self = holders_cgroup(pid, root);
	CHECK(c && self, "open, and this process's cgroup id");
	if (!c || !self) {
		containers_close(c);
		return;
	}
	a = containers_lookup(c, self, getpid());
	b = containers_lookup(c, self, 0);
	CHECK(a && a->runtime == RT(NONE) && !a->id[0] && b == a, "host: NONE, then a hit");
	CHECK(!containers_lookup(c, self + 1000000007, getpid()), "pid not in that cgroup: NULL");
	CHECK(!containers_lookup(c, self + 1000000009, 0), "no pid: NULL");
	CHECK(!containers_lookup(c, 0, getpid()), "cgroup id 0: NULL");
	containers_get_stats(c, &st);
	CHECK(st.lookups == 5 && st.hits == 1 && st.host == 1 && st.unknown == 3 &&
	      st.resolved == 0 && st.log_listings == 0,
	      "stats: %llu lookups %llu hits %llu host %llu unknown", (unsigned long long)st.lookups,
	      (unsigned long long)st.hits, (unsigned long long)st.host,
	      (unsigned long long)st.unknown);
	containers_tick(c, now_ns());
	containers_get_stats(c, &st);
	CHECK(st.gone == 0 && containers_lookup(c, self, 0) == a, "tick keeps a live cgroup");
	containers_close(c);
	containers_close(NULL);
}

/* ---- the cache on real cgroups (root): directories and files made here, removed after ---- */

struct fixture {
	char root[256];			/* the cgroup v2 mount */
	char home[4096];		/* this process's cgroup at start: it returns there */
	char dirs[700][300];		/* cgroup directories made, in order (removed in reverse) */
	int ndirs;
	pid_t kids[4];
	int nkids;
	char tmp[64];			/* log_dir and docker_dir live below it */
	char files[8][400];		/* files and directories made below tmp, in order */
	int nfiles;
};

static const char *fx_mkdir(struct fixture *fx, const char *parent, const char *name)
{
	char *d = fx->dirs[fx->ndirs];

	snprintf(d, sizeof(fx->dirs[0]), "%s/%s", parent, name);
	if (mkdir(d, 0755)) {
		fprintf(stderr, "mkdir %s: %s\n", d, strerror(errno));
		return NULL;
	}
	fx->ndirs++;
	return d;
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;

	return f ? !fclose(f) && ok : false;
}

/* process pid (0: this one) moved into cgroup dir */
static bool move_to(const char *dir, pid_t pid)
{
	char procs[4400], text[16];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(text, sizeof(text), "%d", (int)pid);
	return write_text(procs, text);
}

/* a child that waits to be killed, moved into dir */
static pid_t fx_child(struct fixture *fx, const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		return 0;
	fx->kids[fx->nkids++] = pid;
	return move_to(dir, pid) ? pid : 0;
}

static const char *fx_file(struct fixture *fx, const char *rel, const char *text)
{
	char *p = fx->files[fx->nfiles];

	snprintf(p, sizeof(fx->files[0]), "%s/%s", fx->tmp, rel);
	if (text ? !write_text(p, text) : mkdir(p, 0755) != 0)
		return NULL;
	fx->nfiles++;
	return p;
}

static void fx_kill(struct fixture *fx)
{
	while (fx->nkids > 0) {
		pid_t pid = fx->kids[--fx->nkids];

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void fx_cleanup(struct fixture *fx)
{
	char home[4400];

	fx_kill(fx);
	snprintf(home, sizeof(home), "%s%s", fx->root, fx->home);
	move_to(home, 0);
	while (fx->ndirs > 0)
		if (rmdir(fx->dirs[--fx->ndirs]) && errno != ENOENT)
			fprintf(stderr, "rmdir %s: %s\n", fx->dirs[fx->ndirs], strerror(errno));
	while (fx->nfiles > 0)
		remove(fx->files[--fx->nfiles]);
	if (fx->tmp[0])
		rmdir(fx->tmp);
}

/* each process's cgroup resolved to its container, names from the node's files */
static void test_cache_containers(struct fixture *fx, struct containers *c, const char *base)
{
	const char *pod, *ctr, *dock, *late;
	const struct container_info *a;
	struct containers_stats st;
	uint64_t ctr_id, late_id;
	pid_t p1, p2, p3;

	pod = fx_mkdir(fx, base, "kubepods-besteffort-pod" UID_ ".slice");
	ctr = pod ? fx_mkdir(fx, pod, "cri-containerd-" ID ".scope") : NULL;
	late = pod ? fx_mkdir(fx, pod, "cri-containerd-" ID2 ".scope") : NULL;
	dock = fx_mkdir(fx, base, "docker-" ID2 ".scope");
	p1 = ctr ? fx_child(fx, ctr) : 0;
	p2 = dock ? fx_child(fx, dock) : 0;
	p3 = late ? fx_child(fx, late) : 0;
	CHECK(p1 && p2 && p3, "three processes in container cgroups");
	if (!p1 || !p2 || !p3)
		return;
	ctr_id = ino(ctr);
	late_id = ino(late);

	a = containers_lookup(c, ctr_id, p1);
	CHECK(a && a->runtime == RT(CONTAINERD), "containerd: runtime %d", a ? a->runtime : -1);
	if (a) {
		CHECK_STR(a->id, ID, "containerd id");
		CHECK_STR(a->pod_uid, UID, "pod uid");
		CHECK_STR(a->pod, "web-0", "pod");
		CHECK_STR(a->pod_namespace, "shop", "namespace");
		CHECK_STR(a->container, "nginx", "container");
	}
	CHECK(containers_lookup(c, ctr_id, p1) == a && containers_lookup(c, ctr_id, 0) == a,
	      "then hits, with a pid or without");
	/* p1 is not in late's cgroup: the cgroup is found by a walk of the tree instead */
	a = containers_lookup(c, late_id, p1);
	CHECK(a && a->runtime == RT(CONTAINERD) && !strcmp(a->id, ID2),
	      "a process of another cgroup: the cgroup found by walking the tree ('%s')",
	      a ? a->id : "(null)");

	a = containers_lookup(c, ino(dock), p2);
	CHECK(a && a->runtime == RT(DOCKER) && !strcmp(a->id, ID2) && !a->pod_uid[0] &&
	      !strcmp(a->container, "web"), "docker: '%s'", a ? a->container : "(null)");

	/* a pod container whose link comes after its first socket: found in a later listing */
	a = containers_lookup(c, late_id, p3);
	CHECK(a && a->runtime == RT(CONTAINERD) && !a->pod[0], "no link yet: no names");
	CHECK(fx_file(fx, "logs/web-0_shop_sidecar-" ID2 ".log", ""), "link made");
	CHECK(containers_lookup(c, late_id, 0) == a && !a->pod[0], "listed under 1 s ago");
	usleep(1100000);
	CHECK(containers_lookup(c, late_id, 0) == a && !strcmp(a->container, "sidecar") &&
	      !strcmp(a->pod, "web-0"), "a second later: '%s'", a ? a->container : "");
	containers_get_stats(c, &st);
	CHECK(st.resolved == 3 && st.log_listings == 2, "%llu resolved, %llu listings",
	      (unsigned long long)st.resolved, (unsigned long long)st.log_listings);

	/* the containers end, their directories go: ticks drop them */
	fx_kill(fx);
	rmdir(ctr);
	rmdir(late);
	rmdir(dock);
	for (int k = 0; k < 10; k++)
		containers_tick(c, now_ns() + (uint64_t)k * 1000000000);
	containers_get_stats(c, &st);
	CHECK(st.gone == 3 && !containers_lookup(c, ctr_id, 0) && !containers_lookup(c, late_id, 0),
	      "gone %llu", (unsigned long long)st.gone);
}

/*
 * Many cgroups, this process moved through them: the table grows, ticks drop the half that is
 * removed, and the other half is still found (removing from an open-addressed table).
 */
static void test_cache_many(struct fixture *fx, struct containers *c, const char *base)
{
	enum { N = 600 };
	uint64_t ids[N], t = now_ns();
	const char *dirs[N];
	struct containers_stats st, st0;
	char name[32], home[4400];
	int made = 0, found = 0, dropped = 0;

	containers_get_stats(c, &st0);
	for (; made < N; made++) {
		snprintf(name, sizeof(name), "svc-%d.service", made);
		dirs[made] = fx_mkdir(fx, base, name);
		if (!dirs[made] || !move_to(dirs[made], 0))
			break;
		ids[made] = ino(dirs[made]);
		if (!containers_lookup(c, ids[made], getpid()))
			break;
	}
	snprintf(home, sizeof(home), "%s%s", fx->root, fx->home);
	move_to(home, 0);
	CHECK(made == N, "%d host cgroups resolved", made);
	for (int i = 0; i < made; i += 2)
		rmdir(dirs[i]);
	for (int k = 0; k < 200; k++)
		containers_tick(c, t + (uint64_t)k * 1000000000);
	containers_get_stats(c, &st);
	for (int i = 0; i < made; i++) {
		const struct container_info *a = containers_lookup(c, ids[i], 0);

		found += i % 2 && a && a->runtime == RT(NONE);
		dropped += !(i % 2) && !a;
	}
	CHECK(st.host - st0.host == (uint64_t)made && st.gone - st0.gone == (uint64_t)(made + 1) / 2,
	      "%llu host, %llu gone", (unsigned long long)(st.host - st0.host),
	      (unsigned long long)(st.gone - st0.gone));
	CHECK(found == made / 2 && dropped == (made + 1) / 2, "%d still found, %d dropped", found,
	      dropped);
	printf("# %d cgroups made and moved through in %.0f ms\n", made, (now_ns() - t) / 1e6);
}

static void test_cache_root(const char *root)
{
	static struct fixture fx;
	char base_name[64], text[4096];
	const char *base, *logs, *docker;
	struct containers *c = NULL;

	snprintf(fx.root, sizeof(fx.root), "%s", root);
	if (procfs_cgroup_v2_path(unit_slurp("/proc/self/cgroup"), fx.home, sizeof(fx.home))) {
		CHECK(0, "this process's cgroup v2 path");
		return;
	}
	snprintf(fx.tmp, sizeof(fx.tmp), "/tmp/tcpstates-unit-ctr.XXXXXX");
	if (!mkdtemp(fx.tmp)) {
		fx.tmp[0] = '\0';
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(base_name, sizeof(base_name), "tcpstates-unit-%d.slice", (int)getpid());
	base = fx_mkdir(&fx, root, base_name);
	logs = fx_file(&fx, "logs", NULL);
	docker = fx_file(&fx, "docker", NULL);
	snprintf(text, sizeof(text), "{\"ID\":\"%s\",\"Config\":{\"Name\":\"no\"},\"Name\":\"/web\"}",
		 ID2);
	if (!base || !logs || !docker || !fx_file(&fx, "docker/" ID2, NULL) ||
	    !fx_file(&fx, "docker/" ID2 "/config.v2.json", text) ||
	    !fx_file(&fx, "logs/web-0_shop_nginx-" ID ".log", "") ||
	    !fx_file(&fx, "logs/other_shop_x-" ID63 "f0.log", "") ||
	    !(c = containers_open(root, logs, docker))) {
		CHECK(0, "the fixture's directories and files");
		goto out;
	}
	test_cache_containers(&fx, c, base);
	test_cache_many(&fx, c, base);
out:
	containers_close(c);
	fx_cleanup(&fx);
	CHECK(ino(fx.dirs[0]) == 0 || !fx.dirs[0][0], "cleaned up");
}

int main(void)
{
	char root[256];

	test_parse_cgroup();
	test_parse_kubelet_log();
	test_parse_docker_config();
	holders_cgroup_root(root, sizeof(root));
	if (root[0]) {
		test_cache_host(root);
		if (geteuid() == 0)
			test_cache_root(root);
		else
			printf("# skipped the cache on made cgroups: not root\n");
	} else {
		printf("# skipped the cache: no cgroup v2 mount\n");
	}
	return UNIT_DONE();
}
