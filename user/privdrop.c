// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* privdrop.c - once attached, give up what the tracing loop does not need. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <seccomp.h>
#include "privdrop.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define CAP_WORDS _LINUX_CAPABILITY_U32S_3	/* 64 capabilities in two 32-bit words */

/* ---------------------------------------------------------------- the syscalls of the loop */

/*
 * What the loop and the way out make, found with strace over real runs (text and JSON, -d, -n,
 * SIGTERM/SIGINT/SIGHUP, a reader gone (EPIPE), timewait following with orphans, loss reported,
 * --hook tracepoint) and counted from the first call after the filter is in place.
 */
static const int loop_syscalls[] = {
	/* the ring buffer: libbpf's ring_buffer__poll(); the maps, counters, timewait checks */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(bpf),
	/* output and the messages on stderr; poll/ppoll: the writer that waits for its reader */
	SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(read),
	SCMP_SYS(sendto),	/* output to a stream socket (journald): send(MSG_DONTWAIT) */
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek),
	/* time: the vDSO answers, unless the clock source makes it fall back to the syscall */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	/* memory: malloc, libbpf's buffers, the ring's unmapping at the end */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(futex),
	/* signals: the stop handler's return; abort() (raise) on a failed assertion */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill),
	/* the way out: detach (links closed; a perf-event link is disabled first), free, exit */
	SCMP_SYS(close), SCMP_SYS(ioctl), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/*
	 * Not openat: nothing in the loop opens a file (tzset() and libbpf's CPU count are done
	 * before the filter). Reopening the output on SIGHUP (issue 11) will need it, for
	 * O_WRONLY|O_APPEND|O_CREAT only.
	 */
};

/*
 * The default for any other syscall: fail it with EPERM, not kill the process. A tracer killed
 * by SIGSYS ends mid-line and without its summary, and the log pipeline behind it loses the
 * record of what was lost; an error lets the usual path say which call failed on stderr, write
 * the summary and exit 1. The filter logs such a refusal (SCMP_FLTATR_CTL_LOG: an audit line
 * "type=SECCOMP ... syscall=N" in the kernel log), so the call that was missing can be named.
 */
static int install_seccomp(void)
{
	#ifdef PRIVDROP_MEASURE
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
#endif
	int err = ctx ? 0 : -ENOMEM;

	if (!err && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1))
		err = 0;	/* kernels before 4.14: no log flag; the filter works without it */
#ifdef PRIVDROP_MEASURE
	if (0)
#endif
	for (size_t i = 0; !err && i < sizeof(loop_syscalls) / sizeof(loop_syscalls[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, loop_syscalls[i], 0);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* ---------------------------------------------------------------- capabilities */

static int caps_get(struct __user_cap_data_struct d[CAP_WORDS])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

static int caps_set(const struct __user_cap_data_struct d[CAP_WORDS])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static bool cap_in(uint64_t set, int cap)
{
	return set & (1ULL << cap);
}

static uint64_t permitted(const struct __user_cap_data_struct d[CAP_WORDS])
{
	return d[0].permitted | (uint64_t)d[1].permitted << 32;
}

/* the same sets, effective = permitted = inheritable-free `keep` */
static void caps_fill(struct __user_cap_data_struct d[CAP_WORDS], uint64_t eff, uint64_t prm)
{
	for (int w = 0; w < CAP_WORDS; w++) {
		d[w].effective = eff >> (32 * w);
		d[w].permitted = prm >> (32 * w);
		d[w].inheritable = 0;
	}
}

/*
 * Does bpf() ask for CAP_BPF on this kernel, for a map fd we already hold? Before 6.5 it does
 * for every command while unprivileged BPF is disabled (kernel.unprivileged_bpf_disabled, 2 on
 * Debian); since, only map creation and program load check it. Tried, not assumed: with an
 * empty effective set (the permitted one kept, so it comes back), ask for the map's info.
 */
static bool bpf_needs_cap(int bpf_fd, uint64_t prm)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int err;

	if (!cap_in(prm, CAP_BPF))
		return false;	/* cannot be kept anyway */
	caps_fill(d, 0, prm);
	if (caps_set(d))
		return true;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(bpf_fd, &info, &len) ? errno : 0;
	caps_fill(d, prm, prm);
	caps_set(d);
	return err == EPERM;
}

/* the bounding set: nothing a later execve could take back (needs CAP_SETPCAP, dropped last) */
static int drop_bounding(uint64_t keep)
{
	int err = 0;

	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(cap < 64 && cap_in(keep, cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && !err)
			err = -errno;
	return err;
}

/* keep only `keep` of the permitted set, in effective and permitted; the rest gone for good */
static int drop_caps(uint64_t keep, uint64_t prm)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	int err = drop_bounding(keep), e;

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL && !err)
		err = -errno;
	caps_fill(d, keep & prm, keep & prm);
	e = caps_set(d);
	return err ? err : e;
}

/* ---------------------------------------------------------------- all together */

static void say_failed(const char *what, int err)
{
	fprintf(stderr, "tcpstates-c: cannot drop privileges (%s): %s; tracing goes on with them\n",
		what, strerror(-err));
}

int privdrop_apply(int bpf_fd, bool verbose)
{
	struct __user_cap_data_struct d[CAP_WORDS];
	uint64_t prm = 0, keep = 0;
	int err, first = 0;

	/* what would otherwise open files inside the loop: the time zone, libbpf's CPU count */
	tzset();
	libbpf_num_possible_cpus();

	err = caps_get(d);
	if (!err) {
		prm = permitted(d);
		if (bpf_needs_cap(bpf_fd, prm))
			keep = 1ULL << CAP_BPF;
		err = drop_caps(keep, prm);
	}
	if (err)
		say_failed("capabilities", first = err);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err = -errno;
		say_failed("no_new_privs", err);
		first = first ? first : err;
	}
	err = install_seccomp();
	if (err) {
		say_failed("seccomp", err);
		first = first ? first : err;
	}
	if (verbose)
		fprintf(stderr, "tcpstates-c: while tracing: capabilities %s, no_new_privs%s, seccomp: "
				"%zu syscalls allowed, others fail with EPERM%s\n",
			keep ? "CAP_BPF only (this kernel's bpf() asks for it)" :
			       "none (this kernel's bpf() asks none for the maps held)",
			first ? " (failed, see above)" : "",
			sizeof(loop_syscalls) / sizeof(loop_syscalls[0]), first ? " (see above)" : "");
	return first;
}
