// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_cli.c - the command line: table-driven good and bad arguments, help and version. */
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "cli.h"
#include "tcpstates.h"
#include "unit.h"

#define MAX_ARGS 12
#define BIT(s) (1u << (s))
#define HINT "Try 'tcpstates-c --help' for more information.\n"

/* filled in by main before the tables are run: a list of 64 ports, and one of 65 */
static char ports64[400], ports65[420];

/* one parse: argv without argv[0]; the result in out, err and *cfg */
struct result {
	enum cli_status status;
	char *out, *err;
	size_t out_len, err_len;
};

static void parse(const char *const *args, struct config *cfg, struct result *r)
{
	char *argv[MAX_ARGS + 2] = { "tcpstates-c" };
	int argc = 1;
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);

	/* getopt permutes argv, so hand it a writable copy of the row's pointers */
	for (; argc <= MAX_ARGS && args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	r->status = cli_parse(argc, argv, cfg, out, err);
	fclose(out);
	fclose(err);
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* "-L 80,443" for failure messages */
static const char *join(const char *const *args)
{
	static char buf[512];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < MAX_ARGS && args[i]; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%.40s", i ? " " : "", args[i]);
	return buf;
}

/* ---- good input: every field of the resulting config is compared ---- */

struct good_row {
	const char *args[MAX_ARGS];
	struct config want;	/* zero fields are the defaults; ringbuf_mb 0 means 16 */
};

static const struct good_row good[] = {
	{ { NULL }, {} },
	{ { "--" }, {} },
	{ { "-4" }, { .family = 4 } },
	{ { "--ipv4" }, { .family = 4 } },
	{ { "-6" }, { .family = 6 } },
	{ { "--ipv6" }, { .family = 6 } },
	{ { "-4", "--ipv4" }, { .family = 4 } },
	{ { "-L", "80" }, { .lports = { 1, { 80 } } } },
	{ { "-L80" }, { .lports = { 1, { 80 } } } },
	{ { "--lport", "80,443" }, { .lports = { 2, { 80, 443 } } } },
	{ { "--lport=22" }, { .lports = { 1, { 22 } } } },
	{ { "-L", "1,65535" }, { .lports = { 2, { 1, 65535 } } } },
	{ { "-L", "080" }, { .lports = { 1, { 80 } } } },
	{ { "-L", "80", "-L", "443,8080" }, { .lports = { 3, { 80, 443, 8080 } } } },
	{ { "--port", "80", "--port", "80" }, { .ports = { 2, { 80, 80 } } } },
	{ { "-w", "-w", "--wide", "-j", "-j" }, { .wide = true, .format = OUT_JSON } },
	{ { "-D", "443" }, { .rports = { 1, { 443 } } } },
	{ { "--rport", "443,443" }, { .rports = { 2, { 443, 443 } } } },
	{ { "--port", "53" }, { .ports = { 1, { 53 } } } },
	{ { "--port=80,81" }, { .ports = { 2, { 80, 81 } } } },
	{ { "-p", "1" }, { .has_pid = true, .pid = 1 } },
	{ { "--pid", "4194304" }, { .has_pid = true, .pid = 4194304 } },
	{ { "--pid=1234" }, { .has_pid = true, .pid = 1234 } },
	{ { "-p1234" }, { .has_pid = true, .pid = 1234 } },
	{ { "-c", "nginx" }, { .has_comm = true, .comm = "nginx" } },
	{ { "--comm", "abcdefghijklmno" }, { .has_comm = true, .comm = "abcdefghijklmno" } },
	{ { "--comm=a b" }, { .has_comm = true, .comm = "a b" } },
	{ { "--state", "ESTABLISHED" }, { .state_mask = BIT(TS_ESTABLISHED) } },
	{ { "--state", "CLOSE_WAIT,FIN_WAIT2" },
	  { .state_mask = BIT(TS_CLOSE_WAIT) | BIT(TS_FIN_WAIT2) } },
	{ { "--state", "fin_wait1", "--state=FIN-WAIT-2,listen" },
	  { .state_mask = BIT(TS_FIN_WAIT1) | BIT(TS_FIN_WAIT2) | BIT(TS_LISTEN) } },
	{ { "--state", "time-wait,close,closing,last_ack,syn-recv,syn_sent" },
	  { .state_mask = BIT(TS_TIME_WAIT) | BIT(TS_CLOSE) | BIT(TS_CLOSING) | BIT(TS_LAST_ACK) |
			  BIT(TS_SYN_RECV) | BIT(TS_SYN_SENT) } },
	{ { "-T" }, { .show_date = true } },
	{ { "--timestamp" }, { .show_date = true } },
	{ { "-w" }, { .wide = true } },
	{ { "--wide" }, { .wide = true } },
	{ { "-x" }, { .show_skaddr = true } },
	{ { "--skaddr" }, { .show_skaddr = true } },
	{ { "-j" }, { .format = OUT_JSON } },
	{ { "--json" }, { .format = OUT_JSON } },
	{ { "-v" }, { .verbose = true } },
	{ { "--verbose" }, { .verbose = true } },
	{ { "-Twxjv6" },
	  { .show_date = true, .wide = true, .show_skaddr = true, .format = OUT_JSON,
	    .verbose = true, .family = 6 } },
	{ { "-d", "10" }, { .duration_s = 10 } },
	{ { "--duration", "0.5" }, { .duration_s = 0.5 } },
	{ { "--duration=.25" }, { .duration_s = 0.25 } },
	{ { "-d", "31536000" }, { .duration_s = 31536000 } },
	{ { "--timewait-period", "0.1" }, { .tw_period_s = 0.1 } },
	{ { "--timewait-period=60" }, { .tw_period_s = 60 } },
	{ { "--timewait-period", "0.01" }, { .tw_period_s = 0.01 } },
	{ { "--summary" }, { .summary = true } },
	{ { "--interval", "0.1" }, { .interval_s = 0.1 } },
	{ { "--interval=86400", "--summary", "-j" },
	  { .interval_s = 86400, .summary = true, .format = OUT_JSON } },
	{ { "--dot", "states.dot" }, { .dot_path = "states.dot" } },
	{ { "--metrics-file", "/var/lib/prometheus/node-exporter/tcpstates.prom" },
	  { .metrics_path = "/var/lib/prometheus/node-exporter/tcpstates.prom" } },
	{ { "--metrics-file=t.prom", "--metrics-period", "0.1" },
	  { .metrics_path = "t.prom", .metrics_period_s = 0.1 } },
	{ { "--metrics-period=3600", "--metrics-file", "./t.prom" },
	  { .metrics_path = "./t.prom", .metrics_period_s = 3600 } },
	{ { "--records", "transitions" }, { .records = TS_REC_TRANSITIONS } },
	{ { "--records=connections", "-j" }, { .records = TS_REC_CONNECTIONS, .format = OUT_JSON } },
	{ { "--records", "connections", "-n", "5" }, { .records = TS_REC_CONNECTIONS, .count = 5 } },
	{ { "--records", "none", "--summary" }, { .records = TS_REC_NONE, .summary = true } },
	{ { "--records", "none", "--metrics-file", "m.prom" },
	  { .records = TS_REC_NONE, .metrics_path = "m.prom" } },
	{ { "--records", "none", "--stuck", "5" }, { .records = TS_REC_NONE, .stuck_s = 5 } },
	{ { "--records", "none", "--summary", "-4", "--state", "LISTEN" },
	  { .records = TS_REC_NONE, .summary = true, .family = 4, .state_mask = 1u << TS_LISTEN } },
	{ { "-n", "1" }, { .count = 1 } },
	{ { "--count", "18446744073709551615" }, { .count = UINT64_MAX } },
	{ { "-n", "20", "-d", "10" }, { .count = 20, .duration_s = 10 } },
	{ { "--hook", "auto" }, { .hook = HOOK_AUTO } },
	{ { "--hook", "btf" }, { .hook = HOOK_BTF } },
	{ { "--hook=tracepoint" }, { .hook = HOOK_TRACEPOINT } },
	{ { "--ringbuf-mb", "1" }, { .ringbuf_mb = 1 } },
	{ { "--ringbuf-mb", "64" }, { .ringbuf_mb = 64 } },
	{ { "--ringbuf-mb=1024" }, { .ringbuf_mb = 1024 } },
	{ { "--wi", "--times" }, { .wide = true, .show_date = true } }, /* unique prefixes */
	{ { "--queues" }, { .show_queues = true } },
	{ { "--timers" }, { .show_timers = true } },
	{ { "--timers", "--queues", "-j" },
	  { .show_timers = true, .show_queues = true, .format = OUT_JSON } },
	{ { "--no-snapshot", "--no-snapshot" }, { .no_snapshot = true } },
	{ { "--no-timewait" }, { .no_timewait = true } },
	{ { "--no-timewait", "--timewait-period", "5" }, { .no_timewait = true, .tw_period_s = 5 } },
	{ { "--stuck", "60" }, { .stuck_s = 60 } },
	{ { "--stuck", "1", "--stuck-detail", "5" }, { .stuck_s = 1, .stuck_detail = 5 } },
	{ { "--stuck-detail=all", "--stuck", "2" },
	  { .stuck_s = 2, .stuck_detail = STUCK_DETAIL_ALL } },
	{ { "--stuck", "1", "--stuck-detail", "1000000" }, { .stuck_s = 1, .stuck_detail = 1000000 } },
	{ { "--stuck=0.5", "--state", "CLOSE_WAIT" },
	  { .stuck_s = 0.5, .state_mask = BIT(TS_CLOSE_WAIT) } },
	/* --netns and --cgroup as typed: what they name is looked up after parsing (test_filter) */
	{ { "--netns", "4026531840" }, { .netns_arg = "4026531840" } },
	{ { "--netns=1" }, { .netns_arg = "1" } },
	{ { "--netns", "/run/netns/blue" }, { .netns_arg = "/run/netns/blue" } },
	{ { "--cgroup", "/sys/fs/cgroup/system.slice" },
	  { .cgroup_path = "/sys/fs/cgroup/system.slice" } },
	{ { "--cgroup=/tmp", "-p", "7" }, { .cgroup_path = "/tmp", .has_pid = true, .pid = 7 } },
	{ { "-K" }, { .show_containers = true } },
	{ { "--metrics-file", "m.prom", "--metrics-pod-namespace" },
	  { .metrics_path = "m.prom", .metrics_pod_ns = true } },
	{ { "--containers", "-j" }, { .show_containers = true, .format = OUT_JSON } },
	{ { "--pod", "web-7d4b9c-x2x5q" }, { .pod = "web-7d4b9c-x2x5q" } },
	{ { "--pod=shop/cart-0" }, { .pod = "shop/cart-0" } },
	{ { "--container", "nginx" }, { .container = "nginx" } },
	{ { "--container", "3f2a9c", "--pod", "kube-system/coredns-1" },
	  { .container = "3f2a9c", .pod = "kube-system/coredns-1" } },
	{ { "-o", "out.jsonl" }, { .output_path = "out.jsonl" } },
	{ { "-oout.jsonl" }, { .output_path = "out.jsonl" } },
	{ { "--output", "/var/log/tcpstates/transitions.jsonl", "-j" },
	  { .output_path = "/var/log/tcpstates/transitions.jsonl", .format = OUT_JSON } },
	{ { "--output=-" }, { .output_path = "-" } },	/* a file named '-', as given */
	{ { "--out", "x" }, { .output_path = "x" } },
	{ { "-D", "443", "-T" }, { .rports = { 1, { 443 } }, .show_date = true } },
	{ { "--state", "CLOSE_WAIT,FIN_WAIT2", "-p", "1234" },
	  { .state_mask = BIT(TS_CLOSE_WAIT) | BIT(TS_FIN_WAIT2), .has_pid = true, .pid = 1234 } },
};

/*
 * Every field of struct config, in declaration order, and how to compare it. The list is checked
 * against the struct at compile time (config_mirror below), so a field added to cli.h without a
 * line here does not build; check_uncovered() catches one slipped into padding at run time.
 */
#define CONFIG_FIELDS(X)                                                                        \
	X(family, num) X(lports, ports) X(rports, ports) X(ports, ports) X(has_pid, num)        \
	X(pid, num) X(has_comm, num) X(comm, chars) X(state_mask, num) X(show_date, num)        \
	X(wide, num) X(show_skaddr, num) X(show_queues, num) X(show_containers, num) X(show_timers, num)                \
	X(no_snapshot, num) X(no_timewait, num) X(tw_period_s, dbl) X(stuck_s, dbl)             \
	X(stuck_detail, num) X(format, num) X(records, num)                                     \
	X(duration_s, dbl) X(count, num) X(verbose, num) X(hook, num) X(ringbuf_mb, num)        \
	X(netns_arg, str) X(pod, str) X(container, str) X(cgroup_path, str) X(summary, num)     \
	X(interval_s, dbl)                                                                      \
	X(dot_path, str) X(output_path, str) X(metrics_pod_ns, num) X(metrics_path, str) X(metrics_period_s, dbl)

#define MIRROR_FIELD(f, kind) __typeof__(((struct config *)0)->f) f;
struct config_mirror {
	CONFIG_FIELDS(MIRROR_FIELD)
};
#define SAME_PLACE(f, kind)                                                                     \
	_Static_assert(offsetof(struct config_mirror, f) == offsetof(struct config, f),        \
		       "struct config: a field before " #f " is missing from CONFIG_FIELDS");
CONFIG_FIELDS(SAME_PLACE)
_Static_assert(sizeof(struct config_mirror) == sizeof(struct config),
	       "struct config: a field at its end is missing from CONFIG_FIELDS");

static void cmp_num(long long got, long long want, const char *field, const char *ctx)
{
	CHECK(got == want, "%s: %s %lld, want %lld", ctx, field, got, want);
}

static void cmp_dbl(double got, double want, const char *field, const char *ctx)
{
	CHECK(got == want, "%s: %s %g, want %g", ctx, field, got, want);
}

static void cmp_chars(const char *got, const char *want, const char *field, const char *ctx)
{
	CHECK(!strcmp(got, want), "%s: %s '%s', want '%s'", ctx, field, got, want);
}

static void cmp_str(const char *got, const char *want, const char *field, const char *ctx)
{
	CHECK(!got == !want && (!got || !strcmp(got, want)), "%s: %s '%s', want '%s'", ctx, field,
	      got ? got : "(none)", want ? want : "(none)");
}

static void cmp_ports(const struct port_list *got, const struct port_list *want, const char *field,
		      const char *ctx)
{
	CHECK(got->n == want->n, "%s: %s.n %d, want %d", ctx, field, got->n, want->n);
	for (int i = 0; i < got->n && i < want->n; i++)
		CHECK(got->port[i] == want->port[i], "%s: %s[%d] %u, want %u", ctx, field, i,
		      got->port[i], want->port[i]);
}

#define CMP_num(f) cmp_num((long long)got->f, (long long)want->f, #f, ctx);
#define CMP_dbl(f) cmp_dbl(got->f, want->f, #f, ctx);
#define CMP_chars(f) cmp_chars(got->f, want->f, #f, ctx);
#define CMP_str(f) cmp_str(got->f, want->f, #f, ctx);
#define CMP_ports(f) cmp_ports(&got->f, &want->f, #f, ctx);
#define CMP_FIELD(f, kind) CMP_##kind(f)

/*
 * A byte of the parsed config in no listed field (padding: cli_parse zeroes the whole struct
 * first) must be zero: a field added in what was padding, and set by an option, shows here.
 */
static void check_uncovered(const struct config *got, const char *ctx)
{
	unsigned char covered[sizeof(struct config)] = { 0 };
	const unsigned char *p = (const unsigned char *)got;
	size_t i = 0;

#define COVER(f, kind) memset(covered + offsetof(struct config, f), 1, sizeof(got->f));
	CONFIG_FIELDS(COVER)
#undef COVER
	while (i < sizeof(covered) && (covered[i] || !p[i]))
		i++;
	CHECK(i == sizeof(covered), "%s: byte %zu of struct config is set but in no field of "
	      "CONFIG_FIELDS", ctx, i);
}

/* a row's want: its zero defaulted fields (ringbuf_mb, the periods) are the defaults */
static struct config expected(const struct config *row)
{
	struct config want = *row;

	want.ringbuf_mb = row->ringbuf_mb ? row->ringbuf_mb : 16;
	want.tw_period_s = row->tw_period_s ? row->tw_period_s : 1.0;
	want.metrics_period_s = row->metrics_period_s ? row->metrics_period_s : 15.0;
	want.stuck_detail = row->stuck_detail ? row->stuck_detail : 3;
	return want;
}

static void check_config(const struct config *got, const struct config *row, const char *ctx)
{
	const struct config want_cfg = expected(row), *want = &want_cfg;

	CONFIG_FIELDS(CMP_FIELD)
	check_uncovered(got, ctx);
}

static void run_good(const struct good_row *row)
{
	const char *ctx = join(row->args);
	struct config cfg;
	struct result r;

	parse(row->args, &cfg, &r);
	CHECK(r.status == CLI_RUN, "%s: status %d, want CLI_RUN", ctx, r.status);
	CHECK(r.out_len == 0 && r.err_len == 0, "%s: printed '%s' '%s'", ctx, r.out, r.err);
	if (r.status == CLI_RUN)
		check_config(&cfg, &row->want, ctx);
	result_free(&r);
}

/* ---- bad input: status 2, nothing on out, two lines on err ---- */

struct bad_row {
	const char *args[MAX_ARGS];
	const char *says;	/* the first line of err must contain this */
};

static const struct bad_row bad[] = {
	{ { "-L", "0" }, "invalid port '0' in --lport (expected 1-65535)" },
	{ { "-L", "65536" }, "'65536'" },
	{ { "--lport", "70000" },
	  "tcpstates-c: invalid port '70000' in --lport (expected 1-65535)" },
	{ { "-L", "80," }, "'80,'" },
	{ { "-L", ",80" }, "',80'" },
	{ { "-L", "80,,81" }, "'80,,81'" },
	{ { "-L", "" }, "''" },
	{ { "-L", "8o" }, "'8o'" },
	{ { "-L", "-1" }, "'-1'" },
	{ { "-L", "+80" }, "'+80'" },
	{ { "-L", " 80" }, "' 80'" },
	{ { "-L", "80 " }, "'80 '" },
	{ { "-L", "0x50" }, "'0x50'" },
	{ { "-L", "80,99999999999999999999999" }, "'99999999999999999999999'" },
	{ { "-L", ports65 }, "too many ports in --lport (at most 64)" },
	{ { "-L", "1", "-L", ports64 }, "too many ports in --lport" },
	{ { "-D", "65536" }, "in --rport" },
	{ { "--rport", "abc" }, "'abc' in --rport" },
	{ { "--port", "0" }, "'0' in --port" },
	{ { "-p", "0" }, "invalid PID '0' for --pid (expected 1-4194304)" },
	{ { "-p", "abc" }, "'abc' for --pid" },
	{ { "--pid", "-1" }, "'-1'" },
	{ { "--pid", "4194305" }, "'4194305'" },
	{ { "--pid", "12x" }, "'12x'" },
	{ { "--pid=" }, "'' for --pid" },
	{ { "-c", "abcdefghijklmnop" }, "'abcdefghijklmnop' for --comm" },
	{ { "--comm", "" }, "'' for --comm" },
	{ { "--state", "FOO" }, "unknown state 'FOO' in --state" },
	{ { "--state", "ESTABLISHED,FOO" }, "'FOO'" },
	{ { "--state", "ESTABLISHED," }, "unknown state ''" },
	{ { "--state", "FIN_WAIT3" }, "'FIN_WAIT3'" },
	{ { "--state", "ESTABLISHED_AND_SOME_MORE_TEXT_PAST_32_BYTES" },
	  "'ESTABLISHED_AND_SOME_MORE_TEXT_PAST_32_BYTES'" },
	{ { "-d", "0" }, "invalid duration '0' for --duration" },
	{ { "-d", "0.0" }, "'0.0'" },
	{ { "-d", "-1" }, "'-1'" },
	{ { "-d", "abc" }, "'abc'" },
	{ { "-d", "inf" }, "'inf'" },
	{ { "-d", "nan" }, "'nan'" },
	{ { "-d", "1e3" }, "'1e3'" },
	{ { "-d", "0x10" }, "'0x10'" },
	{ { "-d", "." }, "'.'" },
	{ { "-d", "1.2.3" }, "'1.2.3'" },
	{ { "-d", " 1" }, "' 1'" },
	{ { "--duration", "31536001" }, "'31536001'" },
	{ { "--duration", "" }, "''" },
	{ { "--timewait-period", "0" }, "invalid period '0' for --timewait-period" },
	{ { "--timewait-period", "0.001" }, "invalid period '0.001' for --timewait-period" },
	{ { "--timewait-period", "61" }, "invalid period '61' for --timewait-period" },
	{ { "--timewait-period", "-1" }, "invalid period '-1'" },
	{ { "--timewait-period", "1e-1" }, "invalid period '1e-1'" },
	{ { "--timewait-period" }, "option '--timewait-period' needs an argument" },
	{ { "--interval", "0" }, "invalid period '0' for --interval (expected seconds, 0.1 to 86400" },
	{ { "--interval", "0.05" }, "invalid period '0.05' for --interval" },
	{ { "--interval", "86401" }, "invalid period '86401' for --interval" },
	{ { "--interval", "1s" }, "invalid period '1s' for --interval" },
	{ { "--interval" }, "option '--interval' needs an argument" },
	{ { "--interval", "1", "--interval", "2" }, "option --interval given twice" },
	{ { "--dot", "" }, "invalid file '' for --dot" },
	{ { "--dot", "a", "--dot=b" }, "option --dot given twice" },
	{ { "--dot" }, "option '--dot' needs an argument" },
	{ { "--metrics-file", "" }, "invalid file '' for --metrics-file (expected a file name" },
	{ { "--metrics-file", "/var/lib/" }, "invalid file '/var/lib/' for --metrics-file" },
	{ { "--metrics-file", "a/.." }, "invalid file 'a/..' for --metrics-file" },
	{ { "--metrics-file", "a", "--metrics-file=b" }, "option --metrics-file given twice" },
	{ { "--metrics-period", "15" }, "option --metrics-period needs --metrics-file" },
	{ { "--records", "conn" }, "invalid value 'conn' for --records (expected transitions, "
	  "connections or none)" },
	{ { "--records", "" }, "invalid value '' for --records" },
	{ { "--records", "none" }, "--records none prints no records: add --summary" },
	{ { "--records", "none", "-j" }, "--records none prints no records" },
	{ { "--records", "none", "--summary", "-n", "3" }, "option -n (--count) counts records: it "
	  "cannot be used with --records none" },
	{ { "--records", "none", "--records", "none", "--summary" }, "option --records given twice" },
	{ { "--records", "none", "--summary", "-p", "1" }, "--records none counts in the kernel, "
	  "which filters by --netns, -4, -6 and --state only" },
	{ { "--records", "none", "--summary", "--lport", "80" }, "--records none counts in the kernel" },
	{ { "--records", "none", "--summary", "-c", "nginx" }, "--records none counts in the kernel" },
	{ { "--metrics-file=a", "--metrics-period", "0.05" },
	  "invalid period '0.05' for --metrics-period (expected seconds, 0.1 to 3600" },
	{ { "--metrics-file=a", "--metrics-period", "3601" }, "invalid period '3601' for " },
	{ { "--metrics-file=a", "--metrics-period", "inf" }, "invalid period 'inf' for " },
	{ { "--metrics-file=a", "--metrics-period", "1", "--metrics-period", "2" },
	  "option --metrics-period given twice" },
	{ { "--summary=1" }, "option '--summary' doesn't take an argument" },
	{ { "--queues=1" }, "option '--queues' doesn't take an argument" },
	{ { "--no-snapshot=no" }, "option '--no-snapshot' doesn't take an argument" },
	{ { "--stuck", "0" }, "invalid duration '0' for --stuck (expected seconds, more than 0" },
	{ { "--stuck", "31536001" }, "invalid duration '31536001' for --stuck" },
	{ { "--stuck", "x" }, "invalid duration 'x' for --stuck" },
	{ { "--stuck", "1", "--stuck", "2" }, "option --stuck given twice" },
	{ { "--stuck-detail", "3" }, "option --stuck-detail needs --stuck" },
	{ { "--metrics-pod-namespace" }, "option --metrics-pod-namespace needs --metrics-file" },
	{ { "--pod", "" }, "invalid pod '' for --pod" },
	{ { "--pod", "Web" }, "invalid pod 'Web' for --pod" },
	{ { "--pod", "ns/" }, "invalid pod 'ns/' for --pod" },
	{ { "--pod", "/web" }, "invalid pod '/web' for --pod" },
	{ { "--pod", "a/b/c" }, "invalid pod 'a/b/c' for --pod" },
	{ { "--pod", "a", "--pod", "b" }, "option --pod given twice" },
	{ { "--container", "" }, "invalid container '' for --container" },
	{ { "--container", "a b" }, "invalid container 'a b' for --container" },
	{ { "--container", "x/y" }, "invalid container 'x/y' for --container" },
	{ { "--records", "none", "--summary", "--pod", "web" }, "cannot be used with it" },
	{ { "--stuck", "1", "--stuck-detail", "-1" }, "invalid value '-1' for --stuck-detail" },
	{ { "--stuck", "1", "--stuck-detail", "1000001" },
	  "invalid value '1000001' for --stuck-detail" },
	{ { "--stuck", "1", "--stuck-detail", "al" }, "invalid value 'al' for --stuck-detail" },
	{ { "--stuck", "1", "--stuck-detail", "2", "--stuck-detail", "3" },
	  "option --stuck-detail given twice" },
	{ { "-o", "" }, "invalid file '' for --output" },
	{ { "--output=" }, "invalid file '' for --output" },
	{ { "-o", "a", "--output", "b" }, "option -o/--output given twice" },
	{ { "-o" }, "option '-o' needs an argument" },
	{ { "--output" }, "option '--output' needs an argument" },
	{ { "-o", "a", "b" }, "unexpected argument 'b'" },
	{ { "-n", "0" }, "invalid count '0' for --count" },
	{ { "-n", "-1" }, "'-1'" },
	{ { "--count", "abc" }, "'abc'" },
	{ { "--count", "18446744073709551616" }, "'18446744073709551616'" },
	{ { "-4", "-6" }, "-4 (--ipv4) and -6 (--ipv6) cannot be used together" },
	{ { "--ipv6", "--ipv4" }, "cannot be used together" },
	{ { "foo" }, "unexpected argument 'foo'" },
	{ { "-4", "foo", "-w" }, "unexpected argument 'foo'" },
	{ { "--", "-w" }, "unexpected argument '-w'" },
	{ { "-" }, "unexpected argument '-'" },
	{ { "--foo" }, "tcpstates-c: unknown option '--foo'" },
	{ { "--foo=bar" }, "unknown option '--foo'" },
	{ { "-z" }, "unknown option '-z'" },
	{ { "--wide", "-wz" }, "unknown option '-z'" },
	{ { "--p", "80" }, "ambiguous option '--p' (could be --port --pid --pod)" },
	{ { "--ipv=1" }, "ambiguous option '--ipv' (could be --ipv4 --ipv6)" },
	{ { "--wide=yes" }, "option '--wide' doesn't take an argument" },
	{ { "-p" }, "tcpstates-c: option '-p' needs an argument" },
	{ { "--pid" }, "tcpstates-c: option '--pid' needs an argument" },
	{ { "-4L" }, "option '-L' needs an argument" },
	{ { "--state" }, "option '--state' needs an argument" },
	{ { "--ringbuf-mb" }, "option '--ringbuf-mb' needs an argument" },
	{ { "--hook", "kprobe" }, "invalid hook 'kprobe' for --hook" },
	{ { "--hook", "" }, "''" },
	{ { "--ringbuf-mb", "3" }, "invalid size '3' for --ringbuf-mb" },
	{ { "--ringbuf-mb", "0" }, "'0'" },
	{ { "--ringbuf-mb", "2048" }, "'2048'" },
	{ { "--ringbuf-mb", "abc" }, "'abc'" },
	{ { "--foo", "--help" }, "'--foo'" },	/* an error before --help wins */
	/* an argument is echoed escaped: no control byte, no invalid UTF-8, one line always */
	{ { "-p", "1\n2\x1b[31m" }, "invalid PID '1\\n2\\x1b[31m' for --pid" },
	{ { "-p", "a\\b\t\r\x7f" }, "'a\\\\b\\t\\r\\x7f'" },
	{ { "-p", "\xff\xc3(" }, "'\\xff\\xc3('" },
	{ { "-p", "\xc3\xa9" }, "'\\xc3\\xa9'" },	/* non-ASCII: as bytes, never raw */
	{ { "--comm", "a\nbcdefghijklmnopq" }, "'a\\nbcdefghijklmnopq' for --comm" },
	{ { "--hook", "\x1b]0;pwned\x07" }, "'\\x1b]0;pwned\\x07' for --hook" },
	{ { "--state", "ESTABLISHED,X\nY" }, "unknown state 'X\\nY'" },
	{ { "-L", "80,8\n1" }, "invalid port '8\\n1' in --lport" },
	{ { "-L", "80,,\n" }, "port list '80,,\\n'" },
	{ { "-d", "1\n" }, "invalid duration '1\\n'" },
	{ { "--timewait-period", "\n" }, "invalid period '\\n'" },
	{ { "-n", "\x1b" }, "invalid count '\\x1b'" },
	{ { "--ringbuf-mb", "\x01" }, "invalid size '\\x01'" },
	{ { "--fo\no" }, "unknown option '--fo\\no'" },
	{ { "--ipv\x1b=1" }, "unknown option '--ipv\\x1b'" },
	{ { "-\x1b" }, "unknown option '-\\x1b'" },
	{ { "a\nb" }, "unexpected argument 'a\\nb'" },
	/* an option that takes one value may be given once; lists (ports, states) add up */
	{ { "-p", "1", "-p", "2" }, "option -p/--pid given twice" },
	{ { "-p", "1", "--pid=1" }, "option -p/--pid given twice" },
	{ { "-c", "a", "--comm", "b" }, "option -c/--comm given twice" },
	{ { "--netns", "1", "--netns", "2" }, "option --netns given twice" },
	{ { "--cgroup", "/a", "--cgroup", "/a" }, "option --cgroup given twice" },
	{ { "--hook", "btf", "--hook", "tracepoint" }, "option --hook given twice" },
	{ { "-d", "1", "-d", "2" }, "option -d/--duration given twice" },
	{ { "-n", "1", "--count", "2" }, "option -n/--count given twice" },
	{ { "--ringbuf-mb", "1", "--ringbuf-mb", "2" }, "option --ringbuf-mb given twice" },
	{ { "--timewait-period", "1", "--timewait-period", "2" },
	  "option --timewait-period given twice" },
};

static void run_bad(const struct bad_row *row)
{
	const char *ctx = join(row->args);
	const char *nl;
	struct config cfg;
	struct result r;

	parse(row->args, &cfg, &r);
	CHECK(r.status == CLI_EXIT_USAGE, "%s: status %d, want CLI_EXIT_USAGE", ctx, r.status);
	CHECK(r.out_len == 0, "%s: printed to out: '%s'", ctx, r.out);
	CHECK(!strncmp(r.err, "tcpstates-c: ", 13), "%s: err '%s'", ctx, r.err);
	/* whatever the arguments hold, the message is printable ASCII */
	for (size_t i = 0; i < r.err_len; i++)
		CHECK(r.err[i] == '\n' || (r.err[i] >= 0x20 && r.err[i] < 0x7f),
		      "%s: byte %#x at %zu of the message", ctx, (unsigned char)r.err[i], i);
	nl = strchr(r.err, '\n');
	CHECK(nl && !strcmp(nl + 1, HINT), "%s: want exactly two lines, got '%s'", ctx, r.err);
	CHECK(nl && memmem(r.err, nl - r.err, row->says, strlen(row->says)),
	      "%s: first line '%.*s' lacks '%s'", ctx, nl ? (int)(nl - r.err) : 0, r.err,
	      row->says);
	result_free(&r);
}

/* ---- help and version ---- */

/* does arg give the long option o: --name, --name=..., a unique prefix, or its short form alone
 * or in a cluster ("-Twxjv6"; a short option that takes a value ends the cluster: "-oout") */
static bool arg_names(const char *arg, const struct option *o)
{
	size_t len = strcspn(arg, "=");

	if (!strncmp(arg, "--", 2))
		return len > 2 && !strncmp(arg + 2, o->name, len - 2);
	for (const char *c = arg[0] == '-' ? arg + 1 : ""; *c; c++) {
		const struct option *s = cli_long_options();

		if (*c == o->val)
			return true;
		while (s->name && s->val != *c)
			s++;
		if (!s->name || s->has_arg)
			break;
	}
	return false;
}

static bool has_row(const struct option *o)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		for (int j = 0; j < MAX_ARGS && good[i].args[j]; j++)
			if (arg_names(good[i].args[j], o))
				return true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int j = 0; j < MAX_ARGS && bad[i].args[j]; j++)
			if (arg_names(bad[i].args[j], o))
				return true;
	return false;
}

/* every option of the parser's own table: rows that use it, and --help describes it */
static void test_every_option(const char *help)
{
	char want[64];
	int n = 0;

	for (const struct option *o = cli_long_options(); o->name; o++, n++) {
		bool exits = o->val == 'h' || o->val == 'V';	/* test_help, test_version */

		CHECK(exits || has_row(o), "--%s: no row in good[] or bad[] uses it", o->name);
		/* "  -o, --output FILE", "      --queues   ..." at the start of a line */
		if (o->val < 128)
			snprintf(want, sizeof(want), "\n  -%c, --%s ", o->val, o->name);
		else
			snprintf(want, sizeof(want), "\n      --%s ", o->name);
		CHECK(strstr(help, want), "--help does not describe --%s (no line '%s')", o->name, want + 1);
	}
	CHECK(n >= 32, "cli_long_options(): %d options", n);
}

static void test_help(const char *opt)
{
	const char *args[] = { "-p", "1", opt, "--bogus", NULL }; /* help stops the parse */
	struct config cfg;
	struct result r;

	parse(args, &cfg, &r);
	CHECK(r.status == CLI_EXIT_OK, "%s: status %d", opt, r.status);
	CHECK(r.err_len == 0, "%s: err '%s'", opt, r.err);
	CHECK(strstr(r.out, "EXAMPLES"), "%s: no EXAMPLES", opt);
	CHECK(strstr(r.out, "CAP_BPF") && strstr(r.out, "root"), "%s: no privilege note", opt);
	CHECK(strstr(r.out, "tcpstates-c -j > transitions.jsonl"), "%s: no JSON example", opt);
	CHECK(strstr(r.out, "tcpstates-c -j -o /var/log/tcpstates/transitions.jsonl"),
	      "%s: no -o example", opt);
	/* -o is described under Output, between the headings of Output and Statistics */
	CHECK(strstr(r.out, "\nOutput:") && strstr(r.out, "  -o, --output FILE ") &&
	      strstr(r.out, "\nOutput:") < strstr(r.out, "  -o, --output FILE ") &&
	      strstr(r.out, "  -o, --output FILE ") < strstr(r.out, "\nStatistics"),
	      "%s: -o not under Output", opt);
	test_every_option(r.out);
	/* 100 columns at most, so it reads on any terminal */
	for (const char *line = r.out, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		CHECK(nl - line <= 100, "%s: line too long: '%.*s'", opt, (int)(nl - line), line);
	result_free(&r);
}

static void test_version(const char *opt)
{
	const char *args[] = { opt, NULL };
	struct config cfg;
	struct result r;

	parse(args, &cfg, &r);
	CHECK(r.status == CLI_EXIT_OK, "%s: status %d", opt, r.status);
	CHECK(r.err_len == 0, "%s: err '%s'", opt, r.err);
	CHECK_STR(r.out, "tcpstates-c " TCPSTATES_VERSION "\n", opt);
	result_free(&r);
}

static void make_port_lists(void)
{
	size_t off = 0;

	for (int i = 1; i <= CLI_MAX_PORTS; i++)
		off += snprintf(ports64 + off, sizeof(ports64) - off, "%s%d", i > 1 ? "," : "",
				1000 + i);
	snprintf(ports65, sizeof(ports65), "%s,2000", ports64);
}

static void test_max_ports(void)
{
	const char *args[] = { "--port", ports64, NULL };
	struct config cfg;
	struct result r;

	parse(args, &cfg, &r);
	CHECK(r.status == CLI_RUN && cfg.ports.n == CLI_MAX_PORTS, "64 ports: status %d, n %d",
	      r.status, cfg.ports.n);
	CHECK(cfg.ports.port[0] == 1001 && cfg.ports.port[63] == 1064, "64 ports: %u..%u",
	      cfg.ports.port[0], cfg.ports.port[63]);
	result_free(&r);
}

/* a long argument is cut in the message, which stays one line */
static void test_long_arg(void)
{
	static char arg[4000];
	const char *args[] = { "--hook", arg, NULL };
	struct config cfg;
	struct result r;

	memset(arg, '\n', sizeof(arg) - 1);
	parse(args, &cfg, &r);
	CHECK(r.status == CLI_EXIT_USAGE, "long arg: status %d", r.status);
	CHECK(strstr(r.err, "\\n\\n...' for --hook") && r.err_len < 700 &&
	      strchr(r.err, '\n') == r.err + r.err_len - strlen(HINT) - 1,
	      "long arg: err '%s'", r.err);
	result_free(&r);
}

int main(void)
{
	make_port_lists();
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		run_good(&good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		run_bad(&bad[i]);
	/* and once more, to show that an earlier failed parse leaves no state behind */
	run_good(&good[7]);
	test_max_ports();
	test_long_arg();
	test_help("-h");
	test_help("--help");
	test_version("-V");
	test_version("--version");
	return UNIT_DONE();
}
