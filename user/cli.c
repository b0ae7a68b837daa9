// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* cli.c - parse the command line into a struct config, with one-line error messages. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/types.h>
#include "cli.h"
#include "quote.h"
#include "states.h"
#include "tcpstates.h"

#ifndef TCPSTATES_VERSION
#define TCPSTATES_VERSION "dev"
#endif

#define PROG "tcpstates-c"
#define MAX_PID 4194304		/* PID_MAX_LIMIT on 64-bit kernels */
#define MAX_DURATION_S 31536000.0	/* a year: longer is surely a typo */
#define MIN_TW_PERIOD_S 0.01		/* --timewait-period: faster would cost CPU for nothing */
#define MAX_TW_PERIOD_S 60.0		/* slower than a TIME_WAIT lasts would miss whole ones */
#define DEFAULT_TW_PERIOD_S 1.0
#define MAX_RINGBUF_MB 1024
#define MIN_INTERVAL_S 0.1	/* --interval: a block per tenth of a second is already a flood */
#define MAX_INTERVAL_S 86400.0
#define MIN_METRICS_PERIOD_S 0.1	/* --metrics-period: scrapes come every few seconds at most */
#define MAX_METRICS_PERIOD_S 3600.0	/* staler than an hour is no monitoring */
#define DEFAULT_METRICS_PERIOD_S 15.0	/* Prometheus' default scrape interval */

/* long-only options get codes outside the range of short option characters */
enum {
	OPT_PORT = 256,
	OPT_STATE,
	OPT_HOOK,
	OPT_RINGBUF_MB,
	OPT_CGROUP,
	OPT_QUEUES,
	OPT_TIMERS,
	OPT_NETNS,
	OPT_NO_SNAPSHOT,
	OPT_NO_TIMEWAIT,
	OPT_TW_PERIOD,
	OPT_SUMMARY,
	OPT_INTERVAL,
	OPT_DOT,
	OPT_STUCK,
	OPT_METRICS_FILE,
	OPT_METRICS_PERIOD,
	OPT_RECORDS,
	OPT_STUCK_DETAIL,
	OPT_POD,
	OPT_CONTAINER,
	OPT_METRICS_POD_NS,
};

/* '+': stop at the first positional argument so it is reported, not silently permuted away;
 * ':': report a missing argument as ':' rather than '?' */
static const char short_opts[] = "+:46L:D:p:c:TwxKjo:vd:n:hV";

static const struct option long_opts[] = {
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "lport", required_argument, NULL, 'L' },
	{ "rport", required_argument, NULL, 'D' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "wide", no_argument, NULL, 'w' },
	{ "skaddr", no_argument, NULL, 'x' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'n' },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "ringbuf-mb", required_argument, NULL, OPT_RINGBUF_MB },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "containers", no_argument, NULL, 'K' },
	{ "queues", no_argument, NULL, OPT_QUEUES },
	{ "timers", no_argument, NULL, OPT_TIMERS },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "no-snapshot", no_argument, NULL, OPT_NO_SNAPSHOT },
	{ "no-timewait", no_argument, NULL, OPT_NO_TIMEWAIT },
	{ "timewait-period", required_argument, NULL, OPT_TW_PERIOD },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "dot", required_argument, NULL, OPT_DOT },
	{ "stuck", required_argument, NULL, OPT_STUCK },
	{ "stuck-detail", required_argument, NULL, OPT_STUCK_DETAIL },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "metrics-period", required_argument, NULL, OPT_METRICS_PERIOD },
	{ "metrics-pod-namespace", no_argument, NULL, OPT_METRICS_POD_NS },
	{ "records", required_argument, NULL, OPT_RECORDS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"Usage: " PROG " [OPTION]...\n"
	"Trace TCP state transitions system-wide, one line per change, with the time spent in\n"
	"the old state.\n"
	"\n"
	"Filters (a transition is shown when it passes all of them):\n"
	"  -4, --ipv4              IPv4 sockets only\n"
	"  -6, --ipv6              IPv6 sockets only\n"
	"  -L, --lport LIST        local port in LIST (comma-separated, 1-65535)\n"
	"  -D, --rport LIST        remote port in LIST\n"
	"      --port LIST         local or remote port in LIST\n"
	"  -p, --pid PID           sockets owned by process PID\n"
	"  -c, --comm NAME         sockets owned by a process named exactly NAME (max 15 bytes)\n"
	"      --state LIST        transitions from or to a state in LIST, e.g.\n"
	"                          ESTABLISHED,CLOSE_WAIT or fin-wait-1 (any case, '-' or '_')\n"
	"      --cgroup PATH       sockets owned by processes in cgroup v2 directory PATH\n"
	"                          (or below it), e.g. /sys/fs/cgroup/system.slice/nginx.service\n"
	"      --pod [NAMESPACE/]NAME\n"
	"                          sockets owned by a process of Kubernetes pod NAME (in\n"
	"                          NAMESPACE), named by the kubelet's /var/log/containers\n"
	"      --container NAME|ID sockets owned by a process of the container named NAME,\n"
	"                          or whose id starts with ID (4 hex digits or more)\n"
	"      --netns NS          sockets in network namespace NS: an inode number, or a\n"
	"                          path such as /run/netns/NAME or /proc/PID/ns/net\n"
	"  Ports and states may be given as lists, or by repeating the option; every other\n"
	"  option that takes a value may be given once.\n"
	"\n"
	"Output:\n"
	"  -T, --timestamp         print the date as well as the time\n"
	"  -w, --wide              columns wide enough for IPv6 addresses\n"
	"  -x, --skaddr            show the kernel address of each socket\n"
	"  -K, --containers        CONTAINER column: the owner's pod and container\n"
	"                          (namespace/pod/container), or the container's name or\n"
	"                          short id; JSON names them always (container_id, pod...)\n"
	"      --queues            RECV-Q and SEND-Q columns (bytes queued, as netstat shows)\n"
	"      --timers            TIMER column of snapshot and stuck lines, as netstat -o:\n"
	"                          keepalive(7171.07/0) is seconds left / retries; off\n"
	"  -j, --json              one JSON object per line instead of columns\n"
	"      --records transitions|connections|none\n"
	"                          a record per transition (default); one per connection\n"
	"                          at its end, with its path of states and their times\n"
	"                          (written once by the kernel); or none: only the\n"
	"                          statistics, metrics and stuck reports (see below),\n"
	"                          counted in the kernel - the cheapest\n"
	"  -o, --output FILE       append the output to FILE (made mode 0640 if missing);\n"
	"                          SIGHUP reopens FILE (for logrotate) instead of stopping\n"
	"      --no-snapshot       do not list the sockets that exist at start (by default\n"
	"                          each is shown once, '-> STATE', with its owner)\n"
	"      --stuck SECONDS     report a socket that stays longer than SECONDS in\n"
	"                          CLOSE_WAIT, FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK,\n"
	"                          SYN_SENT or SYN_RECV (a STUCK line, again each time its\n"
	"                          age doubles): why (unread data, end of file read or\n"
	"                          not, held by another process), the processes holding\n"
	"                          it now, their descriptors and what their threads do\n"
	"      --stuck-detail N    per round, one summary per process, state and peer, and\n"
	"                          the reports of its N oldest sockets (default 3; all)\n"
	"  -v, --verbose           the kernel features found and used, the hook, the\n"
	"                          privileges kept; libbpf debug output\n"
	"\n"
	"Statistics (of the transitions printed):\n"
	"      --summary           at exit: TCP counters as netstat -s counts them, the\n"
	"                          transition matrix, time in each state (histograms)\n"
	"      --interval SECONDS  the same every SECONDS, for that interval (0.1-86400)\n"
	"      --dot FILE          at exit, write the observed state machine to FILE for\n"
	"                          Graphviz (dot -Tpng FILE -o states.png)\n"
	"\n"
	"Metrics (for Prometheus, through node_exporter's textfile collector):\n"
	"      --metrics-file PATH\n"
	"                          keep PATH in Prometheus' text format (node_exporter\n"
	"                          reads *.prom files): transitions by state pair, time in\n"
	"                          each state, loss, stuck sockets (--stuck), kernel\n"
	"                          features; written beside it as .NAME.tmp, then renamed\n"
	"                          over it\n"
	"      --metrics-period SECONDS\n"
	"                          rewrite it every SECONDS, 0.1-3600 (default 15); also\n"
	"                          once at start and once at exit\n"
	"      --metrics-pod-namespace also count transitions into each state per\n"
	"                          Kubernetes namespace of the owner's pod (a label per\n"
	"                          namespace)\n"
	"\n"
	"Stopping (otherwise run until Ctrl-C):\n"
	"  -d, --duration SECONDS  stop after SECONDS (may be fractional, e.g. 0.5)\n"
	"  -n, --count N           stop after printing N records (transitions, connections)\n"
	"\n"
	"Tuning:\n"
	"      --hook auto|btf|tracepoint\n"
	"                          kernel hook: tp_btf, the classic tracepoint, or auto\n"
	"                          (tp_btf, falling back to the tracepoint; default)\n"
	"      --ringbuf-mb N      ring buffer size in MiB, a power of two 1-1024 (default 16)\n"
	"      --no-timewait       do not follow timewait minisockets: the active closer's\n"
	"                          last line is then FIN_WAIT2 -> CLOSE, as the kernel's\n"
	"                          tracepoint says, instead of -> TIME_WAIT ... -> CLOSE\n"
	"      --timewait-period SECONDS\n"
	"                          how often to look at orphans waiting in FIN_WAIT2 for\n"
	"                          the peer's FIN, 0.01-60 (default 1): the latest their\n"
	"                          FIN_WAIT2 -> TIME_WAIT line can come; its time is the\n"
	"                          kernel's, to a jiffy, either way\n"
	"\n"
	"  -h, --help              show this help and exit\n"
	"  -V, --version           show the version and exit\n"
	"\n"
	"EXAMPLES\n"
	"  " PROG "                                   trace every transition\n"
	"  " PROG " -j > transitions.jsonl            JSON lines into a file\n"
	"  " PROG " -j -o /var/log/tcpstates/transitions.jsonl\n"
	"                                                the same, rotated by logrotate\n"
	"  " PROG " -D 443 -T                         connections to port 443, with dates\n"
	"  " PROG " --state CLOSE_WAIT,FIN_WAIT2 -p 1234\n"
	"                                                half-closed sockets of process 1234\n"
	"  " PROG " -6 -w                             IPv6 only, wide columns\n"
	"  " PROG " --netns /run/netns/blue           one network namespace\n"
	"  " PROG " -n 20 -d 10                       stop after 20 transitions or 10 seconds\n"
	"  " PROG " --stuck 60 --state CLOSE_WAIT     who leaves connections in CLOSE_WAIT\n"
	"  " PROG " --stuck 60 -j --stuck-detail all  why, for every stuck socket, in JSON\n"
	"  " PROG " -K --pod shop/cart-0              one pod's connections, its containers named\n"
	"  " PROG " --timers -d 1                     the sockets there are, with their timers\n"
	"  " PROG " --metrics-file /var/lib/prometheus/node-exporter/tcpstates.prom\n"
	"                                                the lines, and counters for node_exporter\n"
	"  " PROG " --records connections -j -o /var/log/tcpstates/conns.jsonl\n"
	"                                                a JSON line per connection, its whole path\n"
	"  " PROG " --records none --metrics-file /var/lib/prometheus/node-exporter/tcpstates.prom\n"
	"                                                only the counters: cheap enough to leave on\n"
	"\n"
	"Needs root: CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN.\n"
	"Exit status: 0 on success, 1 on a runtime error, 2 on bad arguments.\n";

static const char *q(const char *s)
{
	return quote(s, strlen(s));
}

/* every error is one line plus the hint, so scripts and people see the same short story */
static int __attribute__((format(printf, 2, 3))) fail(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\n" CLI_HINT, err);
	return -1;
}

static const char *long_name(int val)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == val)
			return o->name;
	return NULL;
}

/*
 * Parse a decimal unsigned number that fills all of s[0..len). Digits only: strtoull alone would
 * take leading spaces, signs ("-1" wraps to a huge value) and stop quietly at trailing garbage.
 */
static int parse_uint(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (len == 0 || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end != s + len || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "80,443": appended to list, so -L 80 -L 443 means the same as -L 80,443 */
static int parse_ports(const char *text, const char *opt, struct port_list *list, FILE *err)
{
	const char *item = text;

	for (;;) {
		size_t len = strcspn(item, ",");
		uint64_t v;

		if (len == 0)
			return fail(err, "empty item in port list '%s' for --%s (expected ports "
				    "1-65535 separated by commas)", q(text), opt);
		if (parse_uint(item, len, 1, 65535, &v))
			return fail(err, "invalid port '%s' in --%s (expected 1-65535)",
				    quote(item, len), opt);
		if (list->n >= CLI_MAX_PORTS)
			return fail(err, "too many ports in --%s (at most %d)", opt, CLI_MAX_PORTS);
		list->port[list->n++] = v;
		if (item[len] == '\0')
			return 0;
		item += len + 1;
	}
}

static int parse_pid(const char *text, struct config *cfg, FILE *err)
{
	uint64_t v;

	if (parse_uint(text, strlen(text), 1, MAX_PID, &v))
		return fail(err, "invalid PID '%s' for --pid (expected 1-%d)", q(text), MAX_PID);
	cfg->pid = v;
	cfg->has_pid = true;
	return 0;
}

static int parse_count(const char *text, uint64_t *count, FILE *err)
{
	if (parse_uint(text, strlen(text), 1, UINT64_MAX, count))
		return fail(err, "invalid count '%s' for --count (expected a whole number, "
			    "1 or more)", q(text));
	return 0;
}

/* plain decimal only: strtod would also take "inf", "nan", hex floats and exponents */
static int parse_seconds(const char *text, const char *opt, double min, double max, double *out,
			 FILE *err)
{
	size_t len = strlen(text);
	char *end;
	double v;

	if (len && strspn(text, "0123456789.") == len) {
		errno = 0;
		v = strtod(text, &end);
		if (!errno && end == text + len && isfinite(v) && v >= min && v <= max && v > 0) {
			*out = v;
			return 0;
		}
	}
	if (min > 0)
		return fail(err, "invalid period '%s' for --%s (expected seconds, %g to %g, "
			    "e.g. 1 or 0.1)", q(text), opt, min, max);
	return fail(err, "invalid duration '%s' for --%s (expected seconds, more than 0 "
		    "and at most %.0f, e.g. 10 or 0.5)", q(text), opt, max);
}

static void fail_state(const char *text, size_t len, FILE *err)
{
	char buf[STATE_NAME_MAX];

	fprintf(err, PROG ": unknown state '%s' in --state (expected one of", quote(text, len));
	for (unsigned int s = 1; s < TS_MAX_STATE; s++)
		fprintf(err, " %s", state_name(s, buf, sizeof(buf)));
	fputs(")\n" CLI_HINT, err);
}

/* "ESTABLISHED,fin-wait-1": each name sets its bit; repeated --state options add up */
static int parse_states(const char *text, uint32_t *mask, FILE *err)
{
	const char *item = text;

	for (;;) {
		size_t len = strcspn(item, ",");
		char name[32];
		int s = -1;

		/* state_parse wants a string of its own; a name too long for buf is no state */
		if (len < sizeof(name)) {
			memcpy(name, item, len);
			name[len] = '\0';
			s = state_parse(name);
		}
		if (s < 0) {
			fail_state(item, len, err);
			return -1;
		}
		*mask |= 1u << s;
		if (item[len] == '\0')
			return 0;
		item += len + 1;
	}
}

static int parse_hook(const char *text, enum hook_choice *hook, FILE *err)
{
	if (!strcasecmp(text, "auto"))
		*hook = HOOK_AUTO;
	else if (!strcasecmp(text, "btf"))
		*hook = HOOK_BTF;
	else if (!strcasecmp(text, "tracepoint"))
		*hook = HOOK_TRACEPOINT;
	else
		return fail(err, "invalid hook '%s' for --hook (expected auto, btf or tracepoint)",
			    q(text));
	return 0;
}

static int parse_ringbuf(const char *text, uint32_t *mb, FILE *err)
{
	uint64_t v;

	/* the kernel wants a power-of-two number of pages; MiB powers of two always are */
	if (parse_uint(text, strlen(text), 1, MAX_RINGBUF_MB, &v) || (v & (v - 1)))
		return fail(err, "invalid size '%s' for --ringbuf-mb (expected a power of two "
			    "1-%d)", q(text), MAX_RINGBUF_MB);
	*mb = v;
	return 0;
}

static int set_comm(const char *text, struct config *cfg, FILE *err)
{
	size_t len = strlen(text);

	/* the kernel keeps 15 bytes of a command name; a longer one could never match */
	if (len == 0 || len >= sizeof(cfg->comm))
		return fail(err, "invalid command name '%s' for --comm (expected 1-%zu bytes)",
			    q(text), sizeof(cfg->comm) - 1);
	memcpy(cfg->comm, text, len + 1);
	cfg->has_comm = true;
	return 0;
}

/* the file is made when tracing starts; here only what can be said of the name */
static int set_dot(const char *text, struct config *cfg, FILE *err)
{
	if (!text[0])
		return fail(err, "invalid file '' for --dot (expected a file name, e.g. states.dot)");
	cfg->dot_path = text;
	return 0;
}

/* -o: the file is opened when tracing starts; here only what can be said of the name */
static int set_output(const char *text, struct config *cfg, FILE *err)
{
	if (!text[0])
		return fail(err, "invalid file '' for --output (expected a file name, e.g. "
			    "/var/log/tcpstates/transitions.jsonl)");
	cfg->output_path = text;
	return 0;
}

static const char *const records_words[TS_REC_MAX] = {
#define RECORDS_WORD(name, word) [TS_REC_##name] = #word,
	TS_RECORDS_LIST(RECORDS_WORD)
#undef RECORDS_WORD
};

/* a DNS label, as Kubernetes names pods' parts and namespaces: [a-z0-9.-], 1-253 */
static bool k8s_name(const char *s, size_t len)
{
	if (!len || len > 253)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

/* --pod [NAMESPACE/]NAME */
static int set_pod(const char *arg, struct config *cfg, FILE *err)
{
	const char *slash = strchr(arg, '/');
	size_t len = strlen(arg);

	if (slash ? !k8s_name(arg, slash - arg) || !k8s_name(slash + 1, len - (slash - arg) - 1) :
		    !k8s_name(arg, len))
		return fail(err, "invalid pod '%s' for --pod (expected NAME or NAMESPACE/NAME, "
			    "lower-case letters, digits, '-' and '.')", q(arg));
	cfg->pod = arg;
	return 0;
}

/* --container NAME|ID-PREFIX: a name as Kubernetes or Docker gives it, or hex digits */
static int set_container(const char *arg, struct config *cfg, FILE *err)
{
	size_t len = strlen(arg);
	bool ok = len && len <= 253;

	for (size_t i = 0; ok && i < len; i++)
		ok = (arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') ||
		     (arg[i] >= '0' && arg[i] <= '9') || strchr("-._", arg[i]);
	if (!ok)
		return fail(err, "invalid container '%s' for --container (expected a name or the "
			    "first hex digits of its id)", q(arg));
	cfg->container = arg;
	return 0;
}

/* --stuck-detail: a count of reports per group and round, or "all" */
static int parse_stuck_detail(const char *text, uint32_t *out, FILE *err)
{
	uint64_t v;

	if (!strcmp(text, "all")) {
		*out = STUCK_DETAIL_ALL;
		return 0;
	}
	if (parse_uint(text, strlen(text), 0, 1000000, &v))
		return fail(err, "invalid value '%s' for --stuck-detail (expected a whole number "
			    "0-1000000, or all)", q(text));
	*out = (uint32_t)v;
	return 0;
}

static int parse_records(const char *text, enum tcpstates_records *out, FILE *err)
{
	for (int i = 0; i < TS_REC_MAX; i++) {
		if (!strcmp(text, records_words[i])) {
			*out = i;
			return 0;
		}
	}
	return fail(err, "invalid value '%s' for --records (expected transitions, connections or "
		    "none)", q(text));
}

/* the directory is checked when tracing starts; here only what can be said of the name */
static int set_metrics_file(const char *text, struct config *cfg, FILE *err)
{
	const char *base = strrchr(text, '/');

	base = base ? base + 1 : text;
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) > 250)
		return fail(err, "invalid file '%s' for --metrics-file (expected a file name, e.g. "
			    "/var/lib/prometheus/node-exporter/tcpstates.prom)", q(text));
	cfg->metrics_path = text;
	return 0;
}

static int set_family(int family, struct config *cfg, FILE *err)
{
	if (cfg->family && cfg->family != family)
		return fail(err, "options -4 (--ipv4) and -6 (--ipv6) cannot be used together");
	cfg->family = family;
	return 0;
}

/* options that take an argument; 1 if c is not one of them */
static int apply_value(int c, const char *arg, struct config *cfg, FILE *err)
{
	switch (c) {
	case 'L':
		return parse_ports(arg, "lport", &cfg->lports, err);
	case 'D':
		return parse_ports(arg, "rport", &cfg->rports, err);
	case OPT_PORT:
		return parse_ports(arg, "port", &cfg->ports, err);
	case 'p':
		return parse_pid(arg, cfg, err);
	case 'c':
		return set_comm(arg, cfg, err);
	case OPT_STATE:
		return parse_states(arg, &cfg->state_mask, err);
	case 'd':
		return parse_seconds(arg, "duration", 0, MAX_DURATION_S, &cfg->duration_s, err);
	case OPT_TW_PERIOD:
		return parse_seconds(arg, "timewait-period", MIN_TW_PERIOD_S, MAX_TW_PERIOD_S,
				     &cfg->tw_period_s, err);
	case OPT_STUCK:
		return parse_seconds(arg, "stuck", 0, MAX_DURATION_S, &cfg->stuck_s, err);
	case OPT_STUCK_DETAIL:
		return parse_stuck_detail(arg, &cfg->stuck_detail, err);
	case 'n':
		return parse_count(arg, &cfg->count, err);
	case OPT_INTERVAL:
		return parse_seconds(arg, "interval", MIN_INTERVAL_S, MAX_INTERVAL_S,
				     &cfg->interval_s, err);
	case OPT_DOT:
		return set_dot(arg, cfg, err);
	case 'o':
		return set_output(arg, cfg, err);
	case OPT_METRICS_FILE:
		return set_metrics_file(arg, cfg, err);
	case OPT_METRICS_PERIOD:
		return parse_seconds(arg, "metrics-period", MIN_METRICS_PERIOD_S,
				     MAX_METRICS_PERIOD_S, &cfg->metrics_period_s, err);
	case OPT_RECORDS:
		return parse_records(arg, &cfg->records, err);
	case OPT_HOOK:
		return parse_hook(arg, &cfg->hook, err);
	case OPT_RINGBUF_MB:
		return parse_ringbuf(arg, &cfg->ringbuf_mb, err);
	case OPT_POD:
		return set_pod(arg, cfg, err);
	case OPT_CONTAINER:
		return set_container(arg, cfg, err);
	case OPT_CGROUP:
		cfg->cgroup_path = arg;	/* resolved after parsing (cgroup.c) */
		return 0;
	case OPT_NETNS:
		cfg->netns_arg = arg;	/* resolved after parsing (netns.c) */
		return 0;
	}
	return 1;
}

/* the options that switch one setting on: each sets its bool in struct config */
static const struct {
	int opt;
	size_t field;	/* offsetof(struct config, the bool) */
} bool_flags[] = {
	{ 'T', offsetof(struct config, show_date) },
	{ 'w', offsetof(struct config, wide) },
	{ 'x', offsetof(struct config, show_skaddr) },
	{ 'v', offsetof(struct config, verbose) },
	{ OPT_QUEUES, offsetof(struct config, show_queues) },
	{ OPT_TIMERS, offsetof(struct config, show_timers) },
	{ 'K', offsetof(struct config, show_containers) },
	{ OPT_METRICS_POD_NS, offsetof(struct config, metrics_pod_ns) },
	{ OPT_NO_SNAPSHOT, offsetof(struct config, no_snapshot) },
	{ OPT_NO_TIMEWAIT, offsetof(struct config, no_timewait) },
	{ OPT_SUMMARY, offsetof(struct config, summary) },
};

/* options without an argument, other than help and version */
static int apply_flag(int c, struct config *cfg, FILE *err)
{
	switch (c) {
	case '4':
		return set_family(4, cfg, err);
	case '6':
		return set_family(6, cfg, err);
	case 'j':
		cfg->format = OUT_JSON;
		return 0;
	}
	for (size_t i = 0; i < sizeof(bool_flags) / sizeof(bool_flags[0]); i++) {
		if (bool_flags[i].opt == c) {
			*(bool *)((char *)cfg + bool_flags[i].field) = true;
			return 0;
		}
	}
	return 1;
}

/*
 * Options that take one value may be given once: a second -p would otherwise silently replace the
 * first. Lists (ports, states) add up, and flags (-w, -j ...) may repeat: neither loses anything.
 */
static const int single_valued[] = {
	'p', 'c', 'd', 'n', OPT_CGROUP, OPT_POD, OPT_CONTAINER, OPT_NETNS, OPT_HOOK, OPT_RINGBUF_MB, OPT_TW_PERIOD,
	OPT_INTERVAL, OPT_DOT,
	OPT_STUCK, 'o', OPT_METRICS_FILE, OPT_METRICS_PERIOD, OPT_RECORDS, OPT_STUCK_DETAIL,
};

static int check_once(int c, unsigned int *seen, FILE *err)
{
	for (unsigned int i = 0; i < sizeof(single_valued) / sizeof(single_valued[0]); i++) {
		if (single_valued[i] != c)
			continue;
		if (!(*seen & 1u << i)) {
			*seen |= 1u << i;
			return 0;
		}
		if (c < OPT_PORT)
			return fail(err, "option -%c/--%s given twice (it takes one value)", c,
				    long_name(c));
		return fail(err, "option --%s given twice (it takes one value)", long_name(c));
	}
	return 0;
}

/* getopt takes any unique prefix of a long option; say so when the prefix fits several */
static int fail_ambiguous(const char *text, size_t len, FILE *err)
{
	int n = 0;

	for (const struct option *o = long_opts; o->name; o++)
		n += len > 2 && !strncmp(o->name, text + 2, len - 2);
	if (n < 2)
		return 0;
	fprintf(err, PROG ": ambiguous option '%s' (could be", quote(text, len));
	for (const struct option *o = long_opts; o->name; o++)
		if (!strncmp(o->name, text + 2, len - 2))
			fprintf(err, " --%s", o->name);
	fputs(")\n" CLI_HINT, err);
	return -1;
}

/*
 * getopt's '?' covers three cases, told apart by optopt: 0 for an unknown or ambiguous long
 * option (optind already past it), the option's own code for "--wide=x", else the unknown short
 * option character.
 */
static int fail_unknown(char **argv, FILE *err)
{
	const char *name = long_name(optopt);

	if (optopt == 0) {
		const char *text = argv[optind - 1];
		size_t len = strcspn(text, "=");

		if (!strncmp(text, "--", 2) && fail_ambiguous(text, len, err))
			return -1;
		return fail(err, "unknown option '%s'", quote(text, len));
	}
	if (name)
		return fail(err, "option '--%s' doesn't take an argument", name);
	return fail(err, "unknown option '-%s'", quote(&(char){ (char)optopt }, 1));
}

/* a missing argument can only be at the very end, so argv[argc - 1] is how it was spelled */
static int fail_missing(int argc, char **argv, FILE *err)
{
	const char *name = long_name(optopt);

	if (!strncmp(argv[argc - 1], "--", 2) || optopt >= OPT_PORT)
		return fail(err, "option '--%s' needs an argument", name ? name : "?");
	return fail(err, "option '-%c' needs an argument", optopt);
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = OUT_TEXT;
	cfg->hook = HOOK_AUTO;
	cfg->ringbuf_mb = 16;
	cfg->tw_period_s = DEFAULT_TW_PERIOD_S;
	cfg->metrics_period_s = DEFAULT_METRICS_PERIOD_S;
	cfg->stuck_detail = STUCK_DETAIL_DEFAULT;
}

enum cli_status cli_parse(int argc, char **argv, struct config *cfg, FILE *out, FILE *err)
{
	unsigned int seen = 0;	/* single_valued[] options given so far, one bit each */
	bool period_given = false, detail_given = false;
	int c;

	config_defaults(cfg);
	optind = 0;	/* 0, not 1: glibc then also forgets state left by an earlier call */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		int ret;

		if (c == 'h') {
			fputs(usage_text, out);
			return CLI_EXIT_OK;
		}
		if (c == 'V') {
			fputs(PROG " " TCPSTATES_VERSION "\n", out);
			return CLI_EXIT_OK;
		}
		period_given |= c == OPT_METRICS_PERIOD;
		detail_given |= c == OPT_STUCK_DETAIL;
		if (c == '?')
			ret = fail_unknown(argv, err);
		else if (c == ':')
			ret = fail_missing(argc, argv, err);
		else if (!(ret = check_once(c, &seen, err)) && (ret = apply_flag(c, cfg, err)) > 0)
			ret = apply_value(c, optarg, cfg, err);
		if (ret)
			return CLI_EXIT_USAGE;
	}
	if (optind < argc) {
		fail(err, "unexpected argument '%s'", q(argv[optind]));
		return CLI_EXIT_USAGE;
	}
	if (detail_given && !cfg->stuck_s) {
		fail(err, "option --stuck-detail needs --stuck");
		return CLI_EXIT_USAGE;
	}
	if (cfg->metrics_pod_ns && !cfg->metrics_path) {
		fail(err, "option --metrics-pod-namespace needs --metrics-file");
		return CLI_EXIT_USAGE;
	}
	if (period_given && !cfg->metrics_path) {
		fail(err, "option --metrics-period needs --metrics-file");
		return CLI_EXIT_USAGE;
	}
	if (cfg->records == TS_REC_NONE && !cfg->summary && !cfg->interval_s && !cfg->dot_path &&
	    !cfg->metrics_path && !cfg->stuck_s) {
		fail(err, "--records none prints no records: add --summary, --interval, --dot, "
		     "--metrics-file or --stuck");
		return CLI_EXIT_USAGE;
	}
	/* the kernel counts: it tests only what a record says of itself (tally.bpf.c) */
	if (cfg->records == TS_REC_NONE && (cfg->has_pid || cfg->has_comm || cfg->cgroup_path ||
					    cfg->pod || cfg->container ||
					    cfg->ports.n || cfg->lports.n || cfg->rports.n)) {
		fail(err, "--records none counts in the kernel, which filters by --netns, -4, -6 and "
		     "--state only: -p, -c, --cgroup, --pod, --container and the port filters cannot be "
		     "used with it");
		return CLI_EXIT_USAGE;
	}
	if (cfg->records == TS_REC_NONE && cfg->count) {
		fail(err, "option -n (--count) counts records: it cannot be used with --records none");
		return CLI_EXIT_USAGE;
	}
	return CLI_RUN;
}

const struct option *cli_long_options(void)
{
	return long_opts;
}
