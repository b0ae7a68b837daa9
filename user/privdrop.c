// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* privdrop.c - once attached, give up what the tracing loop does not need. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <seccomp.h>
#include "outfile.h"
#include "privdrop.h"
#include "reasons.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define CAP_WORDS _LINUX_CAPABILITY_U32S_3	/* 64 capabilities in two 32-bit words */

/* ---- the syscalls of the loop --------------------------------------------------------------- */

struct allowed {
	int nr;			/* SCMP_SYS(name) */
	int arg;		/* -1, or the argument that must ... */
	uint64_t mask, val;	/* ... have (arg & mask) == val */
};

#define ANY(name) { SCMP_SYS(name), -1, 0, 0 }

/*
 * What the loop and the way out make, counted with bpftrace (raw_syscalls, tcpstates-c under a
 * seccomp filter) over every integration test and runs in text and JSON, -d, -n, SIGTERM,
 * SIGINT, SIGHUP, a reader gone (EPIPE), /dev/full, loss, --hook tracepoint and -v. Seen there:
 * bpf, epoll_wait, write, close, munmap, brk, ioctl, rt_sigreturn, exit_group. The rest are paths
 * those runs did not take; each says which.
 */
static const struct allowed loop_syscalls[] = {
	/* the ring buffer (libbpf's ring_buffer__poll); maps, counters, timewait checks */
	ANY(bpf), ANY(epoll_wait), ANY(epoll_pwait),
	/* output and stderr; writev, poll, ppoll: a writer that waits for a slow reader */
	ANY(write), ANY(writev), ANY(poll), ANY(ppoll),
	/* output to a stream socket (journald's stdout): send(MSG_DONTWAIT) */
	ANY(sendto),
	/* the vDSO answers, unless the clock source makes glibc fall back to the syscall */
	ANY(clock_gettime),
	/* malloc (brk; mmap/mremap beyond 128 KiB), the ring's unmapping at the end: never executable */
	ANY(brk), ANY(munmap), ANY(mremap),
	{ SCMP_SYS(mmap), 2, PROT_EXEC, 0 },
	/* the stop handler's return; abort() (a failed assertion) signals itself */
	ANY(rt_sigreturn), ANY(rt_sigprocmask), ANY(rt_sigaction), ANY(getpid), ANY(gettid),
	/* and tgkill, to this process only: install_seccomp() */
	/* the way out: links closed, a classic tracepoint's perf event disabled first (libbpf) */
	ANY(close), { SCMP_SYS(ioctl), 1, ~0ULL, PERF_EVENT_IOC_DISABLE },
	ANY(exit), ANY(exit_group),
	/*
	 * Not openat: nothing in the loop opens a file (the time zone, libbpf's CPU count and the
	 * kernel's reset-reason names are read before the filter), but -o's reopen and
	 * --metrics-file's writes, each with its own narrow rule below.
	 */
};

#define N_LOOP_SYSCALLS (sizeof(loop_syscalls) / sizeof(loop_syscalls[0]))

/*
 * --stuck only: a round of reports lists the due sockets with the iterator in each of their
 * network namespaces (found in /run/netns and /proc/PID/ns/net, entered with setns) and looks
 * for their holders in /proc/PID/fd, /proc/PID/comm and /proc/PID/cgroup (its directory under the
 * cgroup v2 mount stat'ed for the id). Counted as above over t_stuck.
 */
static const struct allowed stuck_syscalls[] = {
	{ SCMP_SYS(openat), 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	ANY(getdents64), ANY(readlinkat), ANY(newfstatat), ANY(fstat), ANY(statx), ANY(read), ANY(lseek), { SCMP_SYS(setns), 1, ~0ULL, CLONE_NEWNET },
};

#define N_STUCK_SYSCALLS (sizeof(stuck_syscalls) / sizeof(stuck_syscalls[0]))

/*
 * Container names (user/container.c): a new cgroup's path from /proc/PID/cgroup, its directory
 * stat'ed, the kubelet's /var/log/containers listed, Docker's config.v2.json read. Reading only;
 * no capability: those files are world-readable or root's own.
 */
static const struct allowed container_syscalls[] = {
	{ SCMP_SYS(openat), 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	ANY(getdents64), ANY(newfstatat), ANY(fstat), ANY(statx), ANY(read), ANY(lseek),
};

#define N_CONTAINER_SYSCALLS (sizeof(container_syscalls) / sizeof(container_syscalls[0]))

/*
 * ... and the capabilities for it: CAP_SYS_ADMIN (setns), CAP_SYS_PTRACE (other users'
 * /proc/PID/fd links and ns/net), CAP_DAC_READ_SEARCH (their /proc/PID/fd directories).
 */
#define STUCK_CAPS                                                                             \
	((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_SYS_PTRACE) | (1ULL << CAP_DAC_READ_SEARCH))

/*
 * -o only: SIGHUP reopens the file by its path (user/outfile.c): openat (glibc's open) with
 * exactly its flags - write-only, append, no truncation, no symlink followed - and umask, cleared
 * around it for the new file's exact mode. t_output_file's reopens run under this filter.
 */
static const struct allowed reopen_syscalls[] = {
	{ SCMP_SYS(openat), 2, 0xffffffffULL, OUTFILE_FLAGS },
	ANY(umask),
};

#define N_REOPEN_SYSCALLS (sizeof(reopen_syscalls) / sizeof(reopen_syscalls[0]))

static bool keep_stuck;		/* privdrop_keep_stuck() was called */
static bool keep_containers;	/* privdrop_keep_containers() was called */
static bool keep_reopen;	/* privdrop_keep_reopen() was called */

void privdrop_keep_reopen(void)
{
	keep_reopen = true;
}

void privdrop_keep_stuck(void)
{
	keep_stuck = true;
}

void privdrop_keep_containers(void)
{
	keep_containers = true;
}

/*
 * --metrics-file: each write creates ".NAME.tmp" in the file's directory and renames it over
 * NAME. Only relative to that directory's fd (held since start), only with the writer's flags;
 * renameat2 in case the C library makes renameat one, without flags.
 */
static int metrics_dir_fd = -1;	/* privdrop_keep_metrics(): the directory, and ... */
static int metrics_open_flags;	/* ... the flags of its openat */

#define N_METRICS_SYSCALLS 3

void privdrop_keep_metrics(int dir_fd, int open_flags)
{
	metrics_dir_fd = dir_fd;
	metrics_open_flags = open_flags;
}

static int add_metrics_rules(scmp_filter_ctx ctx)
{
	uint64_t fd = (uint64_t)metrics_dir_fd;
	int err;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2,
			       SCMP_CMP64(0, SCMP_CMP_MASKED_EQ, 0xffffffffULL, fd),
			       SCMP_CMP64(2, SCMP_CMP_MASKED_EQ, 0xffffffffULL,
					  (uint64_t)metrics_open_flags));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat), 2,
				       SCMP_CMP64(0, SCMP_CMP_MASKED_EQ, 0xffffffffULL, fd),
				       SCMP_CMP64(2, SCMP_CMP_MASKED_EQ, 0xffffffffULL, fd));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(renameat2), 3,
				       SCMP_CMP64(0, SCMP_CMP_MASKED_EQ, 0xffffffffULL, fd),
				       SCMP_CMP64(2, SCMP_CMP_MASKED_EQ, 0xffffffffULL, fd),
				       SCMP_CMP64(4, SCMP_CMP_EQ, 0, 0));
	return err;
}

static int add_rules(scmp_filter_ctx ctx, const struct allowed *list, size_t n)
{
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		const struct allowed *a = &list[i];

		if (a->arg < 0)
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, a->nr, 0);
		else
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, a->nr, 1,
					       SCMP_CMP64(a->arg, SCMP_CMP_MASKED_EQ, a->mask, a->val));
	}
	return err;
}

/*
 * Any other syscall fails with EPERM; the process is not killed. A tracer killed by SIGSYS ends
 * mid-line, without its summary and closing line, and the log pipeline behind it loses the
 * record of what was lost; an error takes the path any failed call takes instead (one line on
 * stderr saying what failed; a runtime error's exit status). The filter logs such a refusal (SCMP_FLTATR_CTL_LOG:
 * "type=1326 ... syscall=N" in the kernel log), so the call missing here can be named.
 */
/*
 * A sanitizer build (make san-bins: ASan, LeakSanitizer) stops the world at exit to look for
 * leaks - clone, ptrace, mprotect - which the allow-list rightly refuses: there, no filter.
 */
static bool sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
	return true;
#endif
#endif
	return false;
}

bool privdrop_filters(void)
{
	return !sanitized();
}

static int install_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int err = ctx ? 0 : -ENOMEM;

	if (ctx)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);	/* 4.14+; fine without */
	if (!err)
		err = add_rules(ctx, loop_syscalls, N_LOOP_SYSCALLS);
	if (!err && keep_stuck)
		err = add_rules(ctx, stuck_syscalls, N_STUCK_SYSCALLS);
	/* the same calls, already allowed with --stuck (a rule twice is refused) */
	if (!err && keep_containers && !keep_stuck)
		err = add_rules(ctx, container_syscalls, N_CONTAINER_SYSCALLS);
	if (!err && keep_reopen)
		err = add_rules(ctx, reopen_syscalls, N_REOPEN_SYSCALLS);
	if (!err && metrics_dir_fd >= 0)
		err = add_metrics_rules(ctx);
	/* tgkill: this process only */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				       SCMP_CMP64(0, SCMP_CMP_EQ, (uint64_t)getpid(), 0));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* ---- capabilities --------------------------------------------------------------------------- */

static int caps_get(struct __user_cap_data_struct d[CAP_WORDS])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

/* effective `eff`, permitted `prm`, nothing inheritable */
static int caps_set(uint64_t eff, uint64_t prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[CAP_WORDS];

	for (int w = 0; w < CAP_WORDS; w++) {
		d[w].effective = eff >> (32 * w);
		d[w].permitted = prm >> (32 * w);
		d[w].inheritable = 0;
	}
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static bool cap_in(uint64_t set, int cap)
{
	return cap < 64 && (set & (1ULL << cap));
}

/*
 * Does bpf() ask for CAP_BPF on this kernel, for a map fd we already hold? Before 6.5 it does for
 * every command while unprivileged BPF is disabled (kernel.unprivileged_bpf_disabled, 2 on Debian);
 * since, only creating maps and loading programs check it, and the loop does neither. Tried, not
 * assumed: with an empty effective set (the permitted one kept, so it comes back), ask for the
 * map's info - the loop's lookups, deletes, test runs and program infos pass the same check.
 */
static bool bpf_needs_cap(int bpf_fd, uint64_t prm)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int err;

	if (!cap_in(prm, CAP_BPF))
		return false;	/* cannot be kept anyway */
	if (caps_set(0, prm))
		return true;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(bpf_fd, &info, &len) ? errno : 0;
	caps_set(prm, prm);
	return err == EPERM;
}

/*
 * Keep `keep` of the permitted set, effective and permitted; clear the ambient set and the
 * bounding set's others (with CAP_SETPCAP, so before capset drops it). Every step is taken; the
 * first that failed is named in *what.
 */
static int drop_caps(uint64_t keep, uint64_t prm, bool *bounded, const char **what)
{
	int err = 0, e;

	*bounded = cap_in(prm, CAP_SETPCAP);
	for (int cap = 0; *bounded && !err && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!cap_in(keep, cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			err = -errno;
			*what = "bounding set";
		}
	/* EINVAL: a kernel before 4.3, without ambient capabilities */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL && !err) {
		err = -errno;
		*what = "ambient set";
	}
	e = caps_set(keep & prm, keep & prm);
	if (e && !err) {
		err = e;
		*what = "capabilities";
	}
	return err;
}

/* ---- all together --------------------------------------------------------------------------- */

static void say_failed(const char *what, int err)
{
	fprintf(stderr, "tcpstates-c: cannot drop privileges (%s): %s; tracing goes on without it\n",
		what, strerror(-err));
}

/* what would otherwise open files inside the loop: read now, while it still can */
static void read_ahead(void)
{
	tzset();
	libbpf_num_possible_cpus();
	reasons_load();
}

int privdrop_apply(int bpf_fd, bool verbose)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	const char *what = "capabilities";
	uint64_t prm, keep = 0;
	bool bounded = false;
	int err, first;

	read_ahead();
	err = caps_get(d);
	if (!err) {
		prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
		if (bpf_needs_cap(bpf_fd, prm))
			keep = 1ULL << CAP_BPF;
		if (keep_stuck)
			keep |= STUCK_CAPS;
		err = drop_caps(keep, prm, &bounded, &what);
	}
	if (err)
		say_failed(what, err);
	first = err;
	err = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
	if (err)
		say_failed("no_new_privs", err);
	first = first ? first : err;
	err = sanitized() ? 0 : install_seccomp();
	if (err)
		say_failed("seccomp filter", err);
	first = first ? first : err;
	if (verbose)
		fprintf(stderr, "tcpstates-c: while tracing: capabilities %s%s%s; no_new_privs; seccomp: "
				"%zu syscalls allowed, others fail with EPERM%s\n",
			(keep & ~STUCK_CAPS) ? (keep_stuck ? "CAP_BPF (this kernel's bpf() asks for it)" :
						     "CAP_BPF only (this kernel's bpf() asks for it)") :
			keep_stuck ? "none for bpf() (this kernel asks none for fds held)" :
				     "none (this kernel's bpf() asks none for fds held)",
			keep_stuck ? ", CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH for "
				     "--stuck (setns, /proc/PID/fd)" : "",
			bounded ? "" : " (bounding set kept: no CAP_SETPCAP)",
			N_LOOP_SYSCALLS + 1 + (keep_stuck ? N_STUCK_SYSCALLS : 0) +
				(keep_containers && !keep_stuck ? N_CONTAINER_SYSCALLS : 0) +
				(keep_reopen ? N_REOPEN_SYSCALLS : 0) +
				(metrics_dir_fd >= 0 ? N_METRICS_SYSCALLS : 0),
			first ? " (but see above)" : "");
	return first;
}

/*
 * The loop never keeps these: with them root writes where its uid could not (a directory owned
 * by another user), so a check made with them at start would pass and every later write fail.
 */
#define FILE_CAPS                                                                              \
	((1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER))

int privdrop_as_loop(int (*fn)(void *arg), void *arg)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	uint64_t eff, prm;
	int ret;

	if (caps_get(d))
		return fn(arg);
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	if (!(eff & FILE_CAPS) || caps_set(eff & ~FILE_CAPS, prm))
		return fn(arg);
	ret = fn(arg);
	caps_set(eff, prm);
	return ret;
}
