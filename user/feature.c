// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* feature.c - probe what this kernel can give before load; say what is on, off, and why. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "feature.h"
#include "timewait.h"

/* names in the JSON summary and the -v table; what a user reads in the start-up line */
static const struct {
	const char *name;
	const char *what;
} feature_info[FT_MAX] = {
	[FT_TP_BTF] = { "tp_btf", "state hook tp_btf" },
	[FT_COOKIES] = { "cookies", "socket cookies (sock)" },
	[FT_SK_STORAGE] = { "socket_storage", "per-socket data in socket storage" },
	[FT_RECURSION_BACKUP] = { "recursion_backup", "recursion backup" },
	[FT_OWNER_RECV] = { "owner_takeover_recv", "owner takeover at receive" },
	[FT_OWNER_SEND] = { "owner_takeover_send", "owner takeover at send" },
	[FT_OWNER_EXIT] = { "owner_exit", "listener owner's exit" },
	[FT_RESETS] = { "resets", "resets sent/received" },
	[FT_RESET_REASONS] = { "reset_reasons", "kernel reason of resets sent" },
	[FT_WITNESS] = { "destroy_witness", "destroy witness" },
	[FT_TIMEWAIT] = { "timewait", "TIME_WAIT/FIN_WAIT2 minisockets" },
	[FT_TIMEWAIT_CHECK] = { "timewait_check", "silent FIN_WAIT2 -> TIME_WAIT check" },
	[FT_TIMEWAIT_KILLS] = { "timewait_kill_reasons", "timewait early-end reasons" },
	[FT_SNAPSHOT] = { "snapshot", "start-up snapshot" },
};

const char *feature_name(enum feature ft)
{
	return ft < FT_MAX ? feature_info[ft].name : "?";
}

static void set_on(struct features *fs, enum feature ft, const char *how)
{
	fs->f[ft].on = true;
	fs->f[ft].by_option = false;
	snprintf(fs->f[ft].how, sizeof(fs->f[ft].how), "%s", how);
	fs->f[ft].why[0] = '\0';
}

void feature_off(struct features *fs, enum feature ft, const char *fmt, ...)
{
	va_list ap;

	fs->f[ft].on = false;
	fs->f[ft].how[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(fs->f[ft].why, sizeof(fs->f[ft].why), fmt, ap);
	va_end(ap);
	fs->f[ft].by_option = !strncmp(fs->f[ft].why, "--", 2);
}

/* a note on a feature that is on, but done another way than on the newest kernels */
static void set_alt(struct features *fs, enum feature ft, const char *how, const char *why)
{
	set_on(fs, ft, how);
	snprintf(fs->f[ft].why, sizeof(fs->f[ft].why), "%s", why);
}

/* does the kernel's BTF know tracepoint `tp` as a tp_btf target? Its argument count in *nargs */
static bool has_tp(const struct btf *btf, const char *tp, int *nargs)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) : -1;
	if (id < 0)
		return false;
	if (nargs) {
		/* typedef -> pointer -> func proto (void *ctx, the tracepoint's arguments...) */
		t = btf__type_by_id(btf, id);
		t = t ? btf__type_by_id(btf, t->type) : NULL;
		t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
		*nargs = t && btf_is_func_proto(t) ? btf_vlen(t) - 1 : -1;
	}
	return true;
}

/*
 * May a tp_btf program call helper `id`? Load a two-instruction program that calls it with no
 * arguments set: the verifier names an unknown helper ("unknown func") before it looks at the
 * arguments, so any other refusal means the helper is there. (libbpf's own helper probe cannot
 * load tracing programs, which need an attach target.)
 */
static bool probe_helper(const struct btf *btf, int attach_id, int helper)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = helper },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = attach_id, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	int fd;

	if (!btf || attach_id <= 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ts_probe", "Dual BSD/GPL", insns, 3, &opts);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	return log[0] && !strstr(log, "unknown func") && !strstr(log, "invalid func");
}

static void probe_kernel(struct features *fs, const struct btf *btf)
{
	int attach = btf ? btf__find_by_name_kind(btf, "btf_trace_inet_sock_set_state",
						  BTF_KIND_TYPEDEF) : -1;
	struct timewait_syms syms;
	int nargs = 0;

	fs->tp_btf_ok = attach > 0;
	fs->helper_cookie = probe_helper(btf, attach, BPF_FUNC_get_socket_cookie);
	fs->helper_sk_storage = probe_helper(btf, attach, BPF_FUNC_sk_storage_get);
	fs->helper_task_btf = probe_helper(btf, attach, BPF_FUNC_get_current_task_btf);
	fs->helper_for_each = probe_helper(btf, attach, BPF_FUNC_for_each_map_elem);
	fs->helper_ancestor_cgroup = probe_helper(btf, attach, BPF_FUNC_get_current_ancestor_cgroup_id);
	fs->tp_sendmsg_locked = has_tp(btf, "tcp_sendmsg_locked", NULL);
	fs->tp_rcv_space_adjust = has_tp(btf, "tcp_rcv_space_adjust", NULL);
	fs->tp_process_exit = has_tp(btf, "sched_process_exit", NULL);
	fs->tp_receive_reset = has_tp(btf, "tcp_receive_reset", NULL);
	fs->tp_send_reset = has_tp(btf, "tcp_send_reset", &nargs);
	fs->send_reset_reason = fs->tp_send_reset && nargs >= 3;
	fs->tp_destroy_sock = has_tp(btf, "tcp_destroy_sock", NULL);
	fs->tp_timers = has_tp(btf, "timer_start", NULL) && has_tp(btf, "timer_cancel", NULL) &&
			has_tp(btf, "timer_expire_entry", NULL);
	timewait_kallsyms(&syms);
	fs->tw_timer_fn = syms.timer_fn;
	fs->write_timer_fn = syms.write_timer_fn;
	memcpy(fs->wakers, syms.wakers, sizeof(fs->wakers));
	memcpy(fs->killers, syms.killers, sizeof(fs->killers));
	fs->killers_found = true;
	for (int i = 0; i < TS_TWK_MAX; i++)
		if (!syms.killers[i].start)
			fs->killers_found = false;
}

/* one way a feature can be had: the first of a feature's ways that holds decides it */
struct way {
	bool holds;
	const char *how;
	const char *why;	/* done this way rather than the first: why (NULL: it is the first) */
};

/* ways[0..n): on by the first that holds, else off saying why_off */
static void decide_ways(struct features *fs, enum feature ft, const struct way *ways, int n,
			const char *why_off)
{
	for (int i = 0; i < n; i++) {
		if (!ways[i].holds)
			continue;
		if (ways[i].why)
			set_alt(fs, ft, ways[i].how, ways[i].why);
		else
			set_on(fs, ft, ways[i].how);
		return;
	}
	feature_off(fs, ft, "%s", why_off);
}

static void decide_owner(struct features *fs, bool btf)
{
	const struct way recv[] = {
		{ fs->tp_rcv_space_adjust && fs->wakers[TS_WAKE_WOKEN],
		  "tracepoint tcp_rcv_space_adjust, and a task asleep on it", NULL },
		{ fs->tp_rcv_space_adjust, "tracepoint tcp_rcv_space_adjust",
		  "woken_wake_function not in /proc/kallsyms: a worker blocked in recv() is known "
		  "only once it returns" },
	};
	/*
	 * The write timer first: a send arms it only when it is not armed yet, so its timer_start
	 * (a program that runs anyway, for timewait) fires about once per socket and burst, where
	 * tcp_sendmsg_locked would run a program on every send of every socket.
	 */
	const struct way send[] = {
		{ fs->write_timer_fn && fs->tp_timers,
		  "timer_start of tcp_write_timer (a send arms it)", NULL },
		{ fs->tp_sendmsg_locked, "tracepoint tcp_sendmsg_locked",
		  "timer_start of tcp_write_timer unusable, using tracepoint tcp_sendmsg_locked "
		  "(a program run on every send)" },
	};

	decide_ways(fs, FT_OWNER_RECV, recv, 2, "tracepoint tcp_rcv_space_adjust missing");
	if (btf && fs->tp_process_exit)
		set_on(fs, FT_OWNER_EXIT, "tp_btf sched_process_exit, the heir found among its children");
	else
		feature_off(fs, FT_OWNER_EXIT, btf ? "tracepoint sched_process_exit missing" :
			    "needs tp_btf: a listener's owner that exits stays named");
	fs->send_by_timer = send[0].holds;
	decide_ways(fs, FT_OWNER_SEND, send, 2,
		    fs->write_timer_fn ? "no timer tracepoints, and tracepoint tcp_sendmsg_locked missing" :
					 "tcp_write_timer not in /proc/kallsyms, and tracepoint "
					 "tcp_sendmsg_locked missing");
}

static void decide_resets(struct features *fs)
{
	if (fs->tp_receive_reset && fs->tp_send_reset)
		set_on(fs, FT_RESETS, "tracepoints tcp_receive_reset, tcp_send_reset");
	else
		feature_off(fs, FT_RESETS, "tracepoint %s missing (reasons from sk_err only)",
			    fs->tp_receive_reset ? "tcp_send_reset" : "tcp_receive_reset");
	if (fs->f[FT_RESETS].on && fs->send_reset_reason)
		set_on(fs, FT_RESET_REASONS, "tcp_send_reset's reason argument");
	else if (fs->f[FT_RESETS].on)
		feature_off(fs, FT_RESET_REASONS, "tcp_send_reset has no reason argument (6.10+)");
	else
		feature_off(fs, FT_RESET_REASONS, "resets are off");
}

static void decide_timewait(struct features *fs, bool no_timewait)
{
	if (no_timewait)
		feature_off(fs, FT_TIMEWAIT, "--no-timewait");
	else if (!fs->tp_timers)
		feature_off(fs, FT_TIMEWAIT, "timer tracepoints missing");
	else if (!fs->tw_timer_fn)
		feature_off(fs, FT_TIMEWAIT, "tw_timer_handler not in /proc/kallsyms");
	else
		set_on(fs, FT_TIMEWAIT, "timer_start, timer_cancel, timer_expire_entry");
	if (!fs->f[FT_TIMEWAIT].on) {
		feature_off(fs, FT_TIMEWAIT_CHECK, "timewait is off");
		feature_off(fs, FT_TIMEWAIT_KILLS, "timewait is off");
		fs->f[FT_TIMEWAIT_CHECK].by_option = fs->f[FT_TIMEWAIT].by_option;
		fs->f[FT_TIMEWAIT_KILLS].by_option = fs->f[FT_TIMEWAIT].by_option;
		return;
	}
	if (fs->helper_for_each)
		set_on(fs, FT_TIMEWAIT_CHECK, "raw_tp test run over the waiting orphans");
	else
		set_alt(fs, FT_TIMEWAIT_CHECK, "raw_tp test run per waiting orphan",
			"no bpf_for_each_map_elem (5.13+), one test run per waiting orphan");
	if (fs->killers_found)
		set_on(fs, FT_TIMEWAIT_KILLS, "kernel stack at the timer's cancel");
	else
		feature_off(fs, FT_TIMEWAIT_KILLS,
			    "a killer function is not in /proc/kallsyms (early ends: unknown)");
}

void features_decide(struct features *fs, bool btf, bool no_timewait)
{
	if (btf) {
		set_on(fs, FT_TP_BTF, "tp_btf/inet_sock_set_state");
	} else {
		feature_off(fs, FT_TP_BTF, fs->tp_btf_ok ? "classic tracepoint chosen or tp_btf refused" :
							   "tp_btf/inet_sock_set_state not in the kernel's BTF");
	}
	if (btf && fs->helper_cookie)
		set_on(fs, FT_COOKIES, "bpf_get_socket_cookie");
	else
		feature_off(fs, FT_COOKIES, btf ? "tracing programs may not ask for them (5.12+)" :
						  "the classic tracepoint cannot ask for them");
	if (btf && fs->helper_sk_storage)
		set_on(fs, FT_SK_STORAGE, "BPF_MAP_TYPE_SK_STORAGE");
	else
		set_alt(fs, FT_SK_STORAGE, "hash keyed by socket address",
			btf ? "tracing programs have no socket storage (5.11+), keyed by address" :
			      "the classic tracepoint has no socket storage, keyed by address");
	/* not a loss: address mode gives the same lines; only the name says which way */
	fs->f[FT_SK_STORAGE].on = btf && fs->helper_sk_storage;
	if (btf)
		set_on(fs, FT_RECURSION_BACKUP, "second tp_btf program");
	else
		feature_off(fs, FT_RECURSION_BACKUP,
			    "the classic tracepoint's recursion guard is shared by all programs");
	decide_owner(fs, btf);
	decide_resets(fs);
	if (fs->tp_destroy_sock)
		set_on(fs, FT_WITNESS, "tracepoint tcp_destroy_sock");
	else
		feature_off(fs, FT_WITNESS, "tracepoint tcp_destroy_sock missing");
	decide_timewait(fs, no_timewait);
}

void features_probe(struct features *fs, bool no_timewait)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct utsname u;

	memset(fs, 0, sizeof(*fs));
	if (!uname(&u))
		snprintf(fs->kernel, sizeof(fs->kernel), "%s", u.release);
	if (libbpf_get_error(btf))
		btf = NULL;
	probe_kernel(fs, btf);
	btf__free(btf);
	features_decide(fs, fs->tp_btf_ok, no_timewait);
	/* decided when the snapshot runs */
	set_on(fs, FT_SNAPSHOT, "iter/tcp");
}

void features_print_line(const struct features *fs, FILE *f)
{
	bool any = false;

	for (int i = 0; i < FT_MAX; i++) {
		const struct feature_state *s = &fs->f[i];

		/* the storage mode alone changes nothing a user sees; options are the user's own */
		if (!s->why[0] || i == FT_SK_STORAGE || s->by_option)
			continue;
		if (!any)
			fprintf(f, "tcpstates-c: on kernel %s:", fs->kernel);
		fprintf(f, "%s %s%s: %s", any ? ";" : "", feature_info[i].what, s->on ? "" : " off",
			s->why);
		any = true;
	}
	if (any)
		fputs("\n", f);
}

void features_print_table(const struct features *fs, FILE *f)
{
	fprintf(f, "tcpstates-c: kernel %s, features:\n", fs->kernel);
	for (int i = 0; i < FT_MAX; i++) {
		const struct feature_state *s = &fs->f[i];

		fprintf(f, "  %-22s %-3s  %s%s%s\n", feature_info[i].name, s->on ? "on" : "off",
			s->on ? s->how : s->why, s->on && s->why[0] ? " - " : "",
			s->on ? s->why : "");
	}
}

bool features_kernel_supported(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0;
}
