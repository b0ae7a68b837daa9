/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* container.h - which container and pod a cgroup is: its cgroup v2 path, and the node's files. */
#ifndef CONTAINER_H
#define CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The container runtimes, one row each, X(NAME, word): the word is the JSON value. A runtime is
 * told by its cgroup directory's name (container.c: one pattern list per runtime).
 */
#define CONTAINER_RUNTIME_LIST(X)	\
	X(CONTAINERD, containerd)	\
	X(CRIO, cri-o)			\
	X(DOCKER, docker)		\
	X(PODMAN, podman)

enum container_runtime {
	CONTAINER_RT_NONE = 0,		/* a process on the host (or not known) */
#define CONTAINER_RT_ENUM(name, word) CONTAINER_RT_##name,
	CONTAINER_RUNTIME_LIST(CONTAINER_RT_ENUM)
#undef CONTAINER_RT_ENUM
	CONTAINER_RT_MAX,
};

/* the JSON word of a runtime; NULL for CONTAINER_RT_NONE */
const char *container_runtime_word(enum container_runtime rt);

/* what a container is; empty strings where not known (a name the node's files do not give) */
struct container_info {
	uint8_t runtime;		/* enum container_runtime; NONE: the host */
	char id[65];			/* the full container id (64 hex digits) */
	char pod_uid[37];		/* the kubelet's pod UID, with dashes (its cgroup path's) */
	char pod[254];			/* pod name (/var/log/containers link) */
	char pod_namespace[64];		/* its Kubernetes namespace (same) */
	char container[254];		/* container name (kubelet's link, or Docker's config.v2.json) */
};

/*
 * Parse one cgroup v2 path (as /proc/PID/cgroup's "0::" line gives it): the runtime, the
 * container id, the pod UID. Knows .../kubepods-besteffort-pod<UID>.slice/cri-containerd-<ID>.scope
 * (systemd driver; also -burstable-, and kubepods-pod<UID>.slice for a guaranteed pod),
 * kubepods/besteffort/pod<UID>/<ID> (cgroupfs driver), crio-<ID>.scope, docker-<ID>.scope and
 * docker/<ID>, libpod-<ID>.scope; directories below a container's (/container, /init) are its;
 * of two containers in one path (kind) the inner one. <ID> is exactly 64 lowercase hex digits;
 * conmon scopes are not containers. pod_uid is empty when the parent is not a kubelet pod.
 * Returns false for a path of no container (info then all empty, runtime NONE). Pure.
 */
bool container_parse_cgroup(const char *path, struct container_info *info);

/*
 * Parse a kubelet log link's file name, <POD>_<NAMESPACE>_<CONTAINER>-<ID>.log: true and the
 * names when it is one, with id the 64 hex digits at its end. Pure.
 */
bool container_parse_kubelet_log(const char *name, char *pod, size_t pod_len, char *ns,
				 size_t ns_len, char *container, size_t container_len,
				 char id[65]);

/* Docker's config.v2.json text: its "Name" without the leading '/' into name. Pure. */
bool container_parse_docker_config(const char *json, char *name, size_t len);

struct containers;

/*
 * A cache of cgroup id -> container_info. cg_root: where cgroup v2 is mounted (holders_cgroup_root);
 * log_dir: the kubelet's links (/var/log/containers); docker_dir: Docker's containers
 * (/var/lib/docker/containers). NULL when out of memory.
 */
struct containers *containers_open(const char *cg_root, const char *log_dir,
				   const char *docker_dir);
void containers_close(struct containers *c);

/*
 * The container of cgroup id cgid, whose process pid (0: none known) shows its path in
 * /proc/PID/cgroup: from the cache, or resolved now and cached (a host cgroup too: an info whose
 * runtime is NONE). The info stays valid until the entry is dropped (containers_tick, eviction
 * by a later lookup, containers_close): copy what must outlive the next call.
 * A cgroup met first without a pid, or whose pid is gone (a short-lived client), is looked for
 * in the cgroup tree (a walk, at most every 100 ms); not found, or no walk allowed yet: NULL, and
 * tried again at a later call. Never blocks for long: the first call for a cgroup reads
 * /proc/PID/cgroup, stats
 * its directory and looks its id up in an index of log_dir (listed again at most once a second
 * when an id is missing from it) or reads its config.v2.json; later calls are a hash lookup.
 */
const struct container_info *containers_lookup(struct containers *c, uint64_t cgid, uint32_t pid);

/*
 * Forget cgroups that are gone (their directory removed), a few per call: called from the loop.
 * now_ns: CLOCK_MONOTONIC.
 */
void containers_tick(struct containers *c, uint64_t now_ns);

/* what the cache did, for -v and the bench */
struct containers_stats {
	uint64_t lookups;		/* containers_lookup calls */
	uint64_t hits;			/* ... answered from the cache */
	uint64_t resolved;		/* misses resolved and cached as a container */
	uint64_t host;			/* ... as a host cgroup */
	uint64_t unknown;		/* misses answered NULL: no pid, process gone or moved */
	uint64_t gone;			/* entries dropped by containers_tick: directory removed */
	uint64_t evicted;		/* entries dropped to make room (the cache is full) */
	uint64_t resolve_ns;		/* time spent resolving (misses), in all */
	uint64_t log_listings;		/* listings of log_dir */
	uint64_t walks;			/* walks of the cgroup tree for a cgroup whose process
					 * was gone */
};
void containers_get_stats(const struct containers *c, struct containers_stats *st);

#endif
