// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_output.c - recorded transitions in, exact text and JSON lines out; the JSON writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/types.h>
#include "json_writer.h"
#include "output.h"
#include "stats_out.h"
#include "timefmt.h"
#include "unit.h"

/*
 * Every event happened at kernel monotonic TS; with OFFSET that is 2026-11-22T03:41:07.123456789Z
 * (the nanoseconds past the microsecond show that digits are truncated, not rounded).
 */
#define TS 1234567890123ULL
#define OFFSET 1795317632555566666LL
#define REAL_NS 1795318867123456789ULL

#define ALL_KNOWN (TS_F_OWNER_KNOWN | TS_F_DUR_KNOWN | TS_F_COOKIE_KNOWN)
#define V4(a, b, c, d) { a, b, c, d }
#define MAPPED(a, b, c, d) { [10] = 0xff, 0xff, a, b, c, d }
#define NETNS_INIT 4026531840u

/* how every transition record here starts */
#define JSON_HEAD \
	"{\"type\":\"transition\",\"time\":\"2026-11-22T03:41:07.123456Z\",\"ts_ns\":1234567890123,"

/* ---- recorded events ------------------------------------------------------------------------ */

static const struct tcpstates_event ev_v4 = {
	.ts_ns = TS, .cookie = 12345, .skaddr = 0xffff8881023c4000, .dur_ns = 1234567,
	.cgroup_id = 7777, .saddr = V4(10, 0, 0, 1), .daddr = V4(93, 184, 216, 34), .pid = 4242,
	.netns = NETNS_INIT, .sport = 45678, .dport = 443, .family = AF_INET,
	.oldstate = TS_SYN_SENT, .newstate = TS_ESTABLISHED, .flags = ALL_KNOWN, .comm = "curl",
};

static const struct tcpstates_event ev_v6 = {
	.ts_ns = TS, .cookie = 99, .skaddr = 0xffff888100a1b2c0, .dur_ns = 61000000000,
	.cgroup_id = 1, .saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .pid = 812, .netns = NETNS_INIT,
	.sport = 22, .dport = 51234, .family = AF_INET6, .oldstate = TS_ESTABLISHED,
	.newstate = TS_FIN_WAIT1, .flags = ALL_KNOWN, .comm = "sshd",
};

/* addresses longer than the narrow column: they print whole and push the line right */
static const struct tcpstates_event ev_v6_long = {
	.ts_ns = TS, .cookie = 105, .skaddr = 0xffff888100a22000, .dur_ns = 61000000000,
	.cgroup_id = 1,
	.saddr = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
		   0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78 },
	.daddr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	.pid = 812, .netns = NETNS_INIT, .sport = 22, .dport = 51234, .family = AF_INET6,
	.oldstate = TS_ESTABLISHED, .newstate = TS_FIN_WAIT1, .flags = ALL_KNOWN, .comm = "sshd",
};

/* a dual-stack socket with an IPv4 peer: addresses read as IPv4, the family stays 6 */
static const struct tcpstates_event ev_mapped = {
	.ts_ns = TS, .cookie = 100, .skaddr = 0xffff888100a1c000, .dur_ns = 999999,
	.cgroup_id = 2, .saddr = MAPPED(127, 0, 0, 1), .daddr = MAPPED(127, 0, 0, 1), .pid = 3001,
	.netns = 4026532000u, .sport = 8080, .dport = 40000, .family = AF_INET6,
	.oldstate = TS_SYN_RECV, .newstate = TS_ESTABLISHED, .flags = ALL_KNOWN, .comm = "python3",
};

/* an accepted socket no process has used yet, seen after a gap: owner is the listener's */
static const struct tcpstates_event ev_inherited_gap = {
	.ts_ns = TS, .cookie = 101, .skaddr = 0xffff888100a1d000, .dur_ns = 5000,
	.cgroup_id = 2, .saddr = V4(127, 0, 0, 1), .daddr = V4(127, 0, 0, 1), .pid = 3000,
	.netns = 4026532000u, .sport = 8080, .dport = 40001, .family = AF_INET,
	.oldstate = TS_SYN_RECV, .newstate = TS_CLOSE_WAIT,
	.flags = ALL_KNOWN | TS_F_OWNER_INHERITED | TS_F_GAP, .comm = "python3",
};

/* a listener that existed at start (snapshot): no old state, no duration, owner from /proc */
static const struct tcpstates_event ev_snapshot = {
	.ts_ns = TS, .cookie = 77, .skaddr = 0xffff888100a1e000, .cgroup_id = 9,
	.saddr = V4(10, 0, 0, 1), .pid = 500, .netns = NETNS_INIT, .rx_queue = 3, .tx_queue = 128,
	.sport = 80, .family = AF_INET, .newstate = TS_LISTEN,
	.flags = TS_F_OWNER_KNOWN | TS_F_COOKIE_KNOWN,
	.flags2 = TS_F2_SNAPSHOT | TS_F2_OWNER_SNAPSHOT, .comm = "nginx",
	.timer = TS_TIMER_OFF,
};

/* snapshot connections with a timer: keepalive, one overdue, one whose HZ was not known */
#define SNAP_CONN(tmr, retries, left)                                                       \
	{ .ts_ns = TS, .cookie = 78, .skaddr = 0xffff888100a1e800, .saddr = V4(10, 0, 0, 1),    \
	  .daddr = V4(10, 0, 0, 2), .netns = NETNS_INIT, .sport = 40000, .dport = 80,           \
	  .family = AF_INET, .newstate = TS_ESTABLISHED, .flags = TS_F_COOKIE_KNOWN,            \
	  .flags2 = TS_F2_SNAPSHOT, .timer = (tmr), .timer_retries = (retries),                  \
	  .timer_left_ns = (left) }
static const struct tcpstates_event ev_snap_keepalive = SNAP_CONN(TS_TIMER_KEEPALIVE, 0,
								  7171072000000LL);
static const struct tcpstates_event ev_snap_overdue = SNAP_CONN(TS_TIMER_RETRANSMIT, 3,
								-204000000LL);
static const struct tcpstates_event ev_snap_no_hz = SNAP_CONN(TS_TIMER_PROBE, 2,
							      TS_TIMER_LEFT_UNKNOWN);

/* owner unknown: whatever pid/comm/cgroup hold must not show */
static const struct tcpstates_event ev_no_owner = {
	.ts_ns = TS, .cookie = 101, .skaddr = 0xffff888100a1d000, .dur_ns = 40000000,
	.cgroup_id = 55, .saddr = V4(10, 1, 2, 3), .daddr = V4(10, 9, 8, 7), .pid = 1234,
	.netns = NETNS_INIT, .sport = 80, .dport = 55555, .family = AF_INET,
	.oldstate = TS_FIN_WAIT1, .newstate = TS_FIN_WAIT2,
	.flags = TS_F_DUR_KNOWN | TS_F_COOKIE_KNOWN, .comm = "ghost",
};

/* a FIN_WAIT2 -> TIME_WAIT the kernel made without a trace, dated from its timer to a jiffy */
static const struct tcpstates_event ev_approx = {
	.ts_ns = TS, .cookie = 106, .skaddr = 0xffff888100a23000, .dur_ns = 512345678,
	.cgroup_id = 1, .saddr = V4(10, 0, 0, 2), .daddr = V4(10, 0, 0, 1), .pid = 900,
	.netns = NETNS_INIT, .sport = 40000, .dport = 80, .family = AF_INET,
	.oldstate = TS_FIN_WAIT2, .newstate = TS_TIME_WAIT, .flags = ALL_KNOWN,
	.flags2 = TS_F2_TIMEWAIT, .precision_ns = 4000000, .comm = "wget",
};

/* duration and cookie unknown; the comm fills its column exactly */
static const struct tcpstates_event ev_no_dur = {
	.ts_ns = TS, .cookie = 77, .skaddr = 0xffff888100a1e000, .dur_ns = 777, .cgroup_id = 3,
	.saddr = V4(192, 168, 100, 200), .daddr = V4(1, 1, 1, 1), .pid = 1, .netns = NETNS_INIT,
	.sport = 0, .dport = 53, .family = AF_INET, .oldstate = TS_CLOSE,
	.newstate = TS_SYN_SENT, .flags = TS_F_OWNER_KNOWN, .comm = "systemd-resolve",
};

static const struct tcpstates_event ev_unknown_state = {
	.ts_ns = TS, .cookie = 102, .skaddr = 0xffff888100a1f000, .dur_ns = 1000, .cgroup_id = 4,
	.saddr = V4(10, 0, 0, 1), .daddr = V4(10, 0, 0, 2), .pid = 4194304, .netns = 1,
	.sport = 1, .dport = 65535, .family = AF_INET, .oldstate = 0, .newstate = 200,
	.flags = ALL_KNOWN, .comm = "x",
};

/* a process may name itself anything: quotes, escapes, controls, broken and valid UTF-8 */
static const struct tcpstates_event ev_hostile = {
	.ts_ns = TS, .cookie = 103, .skaddr = 0xffff888100a20000, .dur_ns = 2000000, .cgroup_id = 5,
	.saddr = V4(10, 0, 0, 1), .daddr = V4(10, 0, 0, 2), .pid = 666, .netns = 1, .sport = 1000,
	.dport = 2000, .family = AF_INET, .oldstate = TS_ESTABLISHED, .newstate = TS_CLOSE_WAIT,
	.flags = ALL_KNOWN,
	.comm = { '"', '\\', '\n', 0x01, (char)0xff, (char)0xc3, 0x28, (char)0xc3, (char)0xa9, '\t',
		  0x7f, 'x' },
};

/* all 16 bytes used, no NUL: the record ends the name */
static const struct tcpstates_event ev_long_comm = {
	.ts_ns = TS, .cookie = 104, .skaddr = 0xffff888100a21000, .dur_ns = 3000000, .cgroup_id = 6,
	.saddr = V4(10, 0, 0, 1), .daddr = V4(10, 0, 0, 2), .pid = 667, .netns = 1, .sport = 1001,
	.dport = 2001, .family = AF_INET, .oldstate = TS_ESTABLISHED, .newstate = TS_LAST_ACK,
	.flags = ALL_KNOWN,
	.comm = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p' },
};

/* a name with spaces and a tab: one token in text (spaces as '_', controls as '?') */
static const struct tcpstates_event ev_spaced_comm = {
	.ts_ns = TS, .cookie = 107, .skaddr = 0xffff888100a24000, .dur_ns = 1000000, .cgroup_id = 6,
	.saddr = V4(10, 0, 0, 1), .daddr = V4(10, 0, 0, 2), .pid = 668, .netns = 1, .sport = 1002,
	.dport = 2002, .family = AF_INET, .oldstate = TS_ESTABLISHED, .newstate = TS_FIN_WAIT1,
	.flags = ALL_KNOWN, .comm = "Web Content\t1 ",
};

/* an empty name (prctl PR_SET_NAME "") still fills its column */
static const struct tcpstates_event ev_empty_comm = {
	.ts_ns = TS, .cookie = 108, .skaddr = 0xffff888100a25000, .dur_ns = 1000000, .cgroup_id = 6,
	.saddr = V4(10, 0, 0, 1), .daddr = V4(10, 0, 0, 2), .pid = 669, .netns = 1, .sport = 1003,
	.dport = 2003, .family = AF_INET, .oldstate = TS_ESTABLISHED, .newstate = TS_FIN_WAIT1,
	.flags = ALL_KNOWN, .comm = "",
};

/* ---- capturing output ----------------------------------------------------------------------- */

enum { O_JSON = 1, O_WIDE = 2, O_DATE = 4, O_SKADDR = 8, O_TIMERS = 16 };

static FILE *json_dump;		/* TCPSTATES_JSON_DUMP: every record line, for the schema check */

struct sink {
	struct line_sink ls;	/* first: lines land in f */
	FILE *f;
	struct config cfg;
	struct output o;
	struct stats_out so;	/* the summary's writer, on the same sink */
	char *buf;
	size_t len;
};

static void sink_put(struct line_sink *ls, const char *line, size_t len)
{
	fwrite(line, 1, len, ((struct sink *)ls)->f);
}

/* a line sink onto f, for the JSON writer alone (valid until the next call) */
static struct line_sink *file_sink(FILE *f)
{
	static struct sink s;

	s.f = f;
	s.ls.put = sink_put;
	return &s.ls;
}

static struct output *sink_open(struct sink *s, unsigned int opts)
{
	memset(s, 0, sizeof(*s));
	s->cfg.format = opts & O_JSON ? OUT_JSON : OUT_TEXT;
	s->cfg.wide = opts & O_WIDE;
	s->cfg.show_date = opts & O_DATE;
	s->cfg.show_skaddr = opts & O_SKADDR;
	s->cfg.show_timers = opts & O_TIMERS;
	s->f = open_memstream(&s->buf, &s->len);
	s->ls.put = sink_put;
	s->o.out = &s->ls;
	s->o.cfg = &s->cfg;
	s->o.mono_to_real_ns = OFFSET;
	return &s->o;
}

/* the sink for stats_out's records (the summary) */
static struct stats_out *stats_sink(struct sink *s, unsigned int opts)
{
	struct output *o = sink_open(s, opts);

	s->so.out = o->out;
	s->so.cfg = o->cfg;
	return &s->so;
}

/* what was written; records also go to the dump */
static char *sink_close(struct sink *s)
{
	fclose(s->f);
	if (json_dump && s->cfg.format == OUT_JSON)
		fputs(s->buf, json_dump);
	return s->buf;
}

/* got must be exactly want and one newline */
static void check_line(char *got, const char *want, const char *ctx)
{
	size_t n = strlen(got);

	CHECK(n && got[n - 1] == '\n', "%s: line ends in a newline: '%s'", ctx, got);
	if (n && got[n - 1] == '\n')
		got[n - 1] = '\0';
	CHECK_STR(got, want, ctx);
}

/* ---- transitions ---------------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned int opts;
	const struct tcpstates_event *e;
	const char *want;
} rows[] = {
	/* text, default columns */
	{ "v4", 0, &ev_v4,
	  "03:41:07.123456    4242 curl            10.0.0.1        45678 93.184.216.34     443 "
	  "SYN_SENT    -> ESTABLISHED 1.234" },
	{ "v6", 0, &ev_v6,
	  "03:41:07.123456     812 sshd            2001:db8::1        22 2001:db8::2     51234 "
	  "ESTABLISHED -> FIN_WAIT1   61000.000" },
	{ "v6 long, narrow", 0, &ev_v6_long,
	  "03:41:07.123456     812 sshd            2001:db8:1234:5678:9abc:def0:1234:5678    22 "
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 51234 ESTABLISHED -> FIN_WAIT1   61000.000" },
	{ "mapped", 0, &ev_mapped,
	  "03:41:07.123456    3001 python3         127.0.0.1        8080 127.0.0.1       40000 "
	  "SYN_RECV    -> ESTABLISHED 0.999" },
	{ "snapshot", 0, &ev_snapshot,
	  "03:41:07.123456     500 nginx           10.0.0.1           80 0.0.0.0             0 "
	  "            -> LISTEN      -" },
	{ "no owner", 0, &ev_no_owner,
	  "03:41:07.123456       - -               10.1.2.3           80 10.9.8.7        55555 "
	  "FIN_WAIT1   -> FIN_WAIT2   40.000" },
	{ "no duration", 0, &ev_no_dur,
	  "03:41:07.123456       1 systemd-resolve 192.168.100.200     0 1.1.1.1            53 "
	  "CLOSE       -> SYN_SENT    -" },
	{ "approximate", 0, &ev_approx,
	  "03:41:07.123456     900 wget            10.0.0.2        40000 10.0.0.1           80 "
	  "FIN_WAIT2   -> TIME_WAIT   ~512.345" },
	{ "json approximate", O_JSON, &ev_approx,
	  JSON_HEAD
	  "\"sock\":106,\"skaddr\":\"0xffff888100a23000\",\"pid\":900,\"comm\":\"wget\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":1,\"family\":4,"
	  "\"laddr\":\"10.0.0.2\",\"lport\":40000,\"raddr\":\"10.0.0.1\",\"rport\":80,"
	  "\"oldstate\":\"FIN_WAIT2\",\"newstate\":\"TIME_WAIT\",\"dur_ns\":512345678,"
	  "\"precision_ns\":4000000,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,"
	  "\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "unknown state", 0, &ev_unknown_state,
	  "03:41:07.123456 4194304 x               10.0.0.1            1 10.0.0.2        65535 "
	  "UNKNOWN(0)  -> UNKNOWN(200) 0.001" },
	/* the literal is split inside "????(": "??(" would be a trigraph */
	{ "hostile comm", 0, &ev_hostile,
	  "03:41:07.123456     666 \"\\???" "?(????x    10.0.0.1         1000 10.0.0.2   "
	  "      2000 ESTABLISHED -> CLOSE_WAIT  2.000" },
	{ "comm without NUL", 0, &ev_long_comm,
	  "03:41:07.123456     667 abcdefghijklmnop 10.0.0.1         1001 10.0.0.2         2001 "
	  "ESTABLISHED -> LAST_ACK    3.000" },

	{ "comm with spaces", 0, &ev_spaced_comm,
	  "03:41:07.123456     668 Web_Content?1_  10.0.0.1         1002 10.0.0.2         2002 "
	  "ESTABLISHED -> FIN_WAIT1   1.000" },
	{ "empty comm", 0, &ev_empty_comm,
	  "03:41:07.123456     669 ?               10.0.0.1         1003 10.0.0.2         2003 "
	  "ESTABLISHED -> FIN_WAIT1   1.000" },
	{ "json comm with spaces", O_JSON, &ev_spaced_comm,
	  JSON_HEAD
	  "\"sock\":107,\"skaddr\":\"0xffff888100a24000\",\"pid\":668,"
	  "\"comm\":\"Web Content\\t1 \",\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\","
	  "\"cgroup\":6,\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":1002,\"raddr\":\"10.0.0.2\","
	  "\"rport\":2002,\"oldstate\":\"ESTABLISHED\",\"newstate\":\"FIN_WAIT1\",\"dur_ns\":1000000,"
	  "\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,"
	  "\"tx_bytes\":null,\"netns\":1,\"gap\":false,\"inferred\":false}" },

	/* text, options */
	{ "v4 -w", O_WIDE, &ev_v4,
	  "03:41:07.123456    4242 curl            10.0.0.1                                45678 "
	  "93.184.216.34                             443 SYN_SENT    -> ESTABLISHED 1.234" },
	{ "v6 long -w", O_WIDE, &ev_v6_long,
	  "03:41:07.123456     812 sshd            2001:db8:1234:5678:9abc:def0:1234:5678     22 "
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 51234 ESTABLISHED -> FIN_WAIT1   61000.000" },
	{ "mapped -w", O_WIDE, &ev_mapped,
	  "03:41:07.123456    3001 python3         127.0.0.1                                8080 "
	  "127.0.0.1                               40000 SYN_RECV    -> ESTABLISHED 0.999" },
	{ "v4 -T", O_DATE, &ev_v4,
	  "2026-11-22 03:41:07.123456    4242 curl            10.0.0.1        45678 93.184.216.34  "
	  "   443 SYN_SENT    -> ESTABLISHED 1.234" },
	{ "v4 -x", O_SKADDR, &ev_v4,
	  "ffff8881023c4000 03:41:07.123456    4242 curl            10.0.0.1        45678 "
	  "93.184.216.34     443 SYN_SENT    -> ESTABLISHED 1.234" },
	{ "v6 -w -T -x", O_WIDE | O_DATE | O_SKADDR, &ev_v6,
	  "ffff888100a1b2c0 2026-11-22 03:41:07.123456     812 sshd            2001:db8::1       "
	  "                         22 2001:db8::2                             51234 "
	  "ESTABLISHED -> FIN_WAIT1   61000.000" },

	/* JSON */
	{ "json v4", O_JSON, &ev_v4,
	  JSON_HEAD
	  "\"sock\":12345,\"skaddr\":\"0xffff8881023c4000\",\"pid\":4242,\"comm\":\"curl\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":7777,\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":45678,"
	  "\"raddr\":\"93.184.216.34\",\"rport\":443,\"oldstate\":\"SYN_SENT\","
	  "\"newstate\":\"ESTABLISHED\",\"dur_ns\":1234567,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	/* text-only options change nothing in JSON */
	{ "json v4 -w -T -x", O_JSON | O_WIDE | O_DATE | O_SKADDR, &ev_v4,
	  JSON_HEAD
	  "\"sock\":12345,\"skaddr\":\"0xffff8881023c4000\",\"pid\":4242,\"comm\":\"curl\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":7777,\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":45678,"
	  "\"raddr\":\"93.184.216.34\",\"rport\":443,\"oldstate\":\"SYN_SENT\","
	  "\"newstate\":\"ESTABLISHED\",\"dur_ns\":1234567,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "json v6", O_JSON, &ev_v6,
	  JSON_HEAD
	  "\"sock\":99,\"skaddr\":\"0xffff888100a1b2c0\",\"pid\":812,\"comm\":\"sshd\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":1,\"family\":6,\"laddr\":\"2001:db8::1\",\"lport\":22,"
	  "\"raddr\":\"2001:db8::2\",\"rport\":51234,\"oldstate\":\"ESTABLISHED\","
	  "\"newstate\":\"FIN_WAIT1\",\"dur_ns\":61000000000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "json v6 long", O_JSON, &ev_v6_long,
	  JSON_HEAD
	  "\"sock\":105,\"skaddr\":\"0xffff888100a22000\",\"pid\":812,\"comm\":\"sshd\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":1,\"family\":6,\"laddr\":\"2001:db8:1234:5678:9abc:def0:1234:5678\","
	  "\"lport\":22,"
	  "\"raddr\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\",\"rport\":51234,"
	  "\"oldstate\":\"ESTABLISHED\",\"newstate\":\"FIN_WAIT1\",\"dur_ns\":61000000000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,"
	  "\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "json mapped", O_JSON, &ev_mapped,
	  JSON_HEAD
	  "\"sock\":100,\"skaddr\":\"0xffff888100a1c000\",\"pid\":3001,\"comm\":\"python3\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":2,\"family\":6,\"laddr\":\"127.0.0.1\",\"lport\":8080,"
	  "\"raddr\":\"127.0.0.1\",\"rport\":40000,\"oldstate\":\"SYN_RECV\","
	  "\"newstate\":\"ESTABLISHED\",\"dur_ns\":999999,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026532000,\"gap\":false,\"inferred\":false}" },
	{ "json inherited owner, gap", O_JSON, &ev_inherited_gap,
	  JSON_HEAD
	  "\"sock\":101,\"skaddr\":\"0xffff888100a1d000\",\"pid\":3000,\"comm\":\"python3\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"listener\",\"cgroup\":2,\"family\":4,\"laddr\":\"127.0.0.1\",\"lport\":8080,"
	  "\"raddr\":\"127.0.0.1\",\"rport\":40001,\"oldstate\":\"SYN_RECV\","
	  "\"newstate\":\"CLOSE_WAIT\",\"dur_ns\":5000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026532000,\"gap\":true,\"inferred\":false}" },
	{ "json snapshot", O_JSON, &ev_snapshot,
	  "{\"type\":\"snapshot\",\"time\":\"2026-11-22T03:41:07.123456Z\",\"ts_ns\":1234567890123,"
	  "\"sock\":77,\"skaddr\":\"0xffff888100a1e000\",\"pid\":500,\"comm\":\"nginx\","
	  "\"rx_queue\":3,\"tx_queue\":128,\"owner\":\"snapshot\",\"cgroup\":9,\"family\":4,"
	  "\"laddr\":\"10.0.0.1\",\"lport\":80,\"raddr\":\"0.0.0.0\",\"rport\":0,\"oldstate\":null,"
	  "\"newstate\":\"LISTEN\",\"dur_ns\":null,\"precision_ns\":null,"
	  "\"timer\":{\"kind\":\"off\",\"expires_in_ns\":null,\"retries\":null},"
	  "\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,"
	  "\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	/* the timer: its member on snapshot records only; --timers' column, "-" on a transition */
#define SNAP_JSON(timer)                                                                          \
	"{\"type\":\"snapshot\",\"time\":\"2026-11-22T03:41:07.123456Z\",\"ts_ns\":1234567890123,"     \
	"\"sock\":78,\"skaddr\":\"0xffff888100a1e800\",\"pid\":null,\"comm\":null,\"rx_queue\":0,"     \
	"\"tx_queue\":0,\"owner\":\"unknown\",\"cgroup\":null,\"family\":4,\"laddr\":\"10.0.0.1\","   \
	"\"lport\":40000,\"raddr\":\"10.0.0.2\",\"rport\":80,\"oldstate\":null,"                       \
	"\"newstate\":\"ESTABLISHED\",\"dur_ns\":null,\"precision_ns\":null,\"timer\":" timer ","       \
	"\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,"                    \
	"\"netns\":4026531840,\"gap\":false,\"inferred\":false}"
	{ "json keepalive", O_JSON | O_TIMERS, &ev_snap_keepalive,
	  SNAP_JSON("{\"kind\":\"keepalive\",\"expires_in_ns\":7171072000000,\"retries\":0}") },
	{ "json overdue retransmit", O_JSON, &ev_snap_overdue,
	  SNAP_JSON("{\"kind\":\"retransmit\",\"expires_in_ns\":-204000000,\"retries\":3}") },
	{ "json probe, HZ unknown", O_JSON, &ev_snap_no_hz,
	  SNAP_JSON("{\"kind\":\"probe\",\"expires_in_ns\":null,\"retries\":2}") },
	{ "--timers keepalive", O_TIMERS, &ev_snap_keepalive,
	  "03:41:07.123456       - -               10.0.0.1        40000 10.0.0.2           80 "
	  "            -> ESTABLISHED -        keepalive(7171.07/0)" },
	{ "--timers overdue", O_TIMERS, &ev_snap_overdue,
	  "03:41:07.123456       - -               10.0.0.1        40000 10.0.0.2           80 "
	  "            -> ESTABLISHED -        retransmit(-0.20/3)" },
	{ "--timers HZ unknown", O_TIMERS, &ev_snap_no_hz,
	  "03:41:07.123456       - -               10.0.0.1        40000 10.0.0.2           80 "
	  "            -> ESTABLISHED -        probe(?/2)" },
	{ "--timers off", O_TIMERS, &ev_snapshot,
	  "03:41:07.123456     500 nginx           10.0.0.1           80 0.0.0.0             0 "
	  "            -> LISTEN      -        off" },
	{ "--timers transition", O_TIMERS, &ev_no_owner,
	  "03:41:07.123456       - -               10.1.2.3           80 10.9.8.7        55555 "
	  "FIN_WAIT1   -> FIN_WAIT2   40.000   -" },
	{ "json no owner", O_JSON, &ev_no_owner,
	  JSON_HEAD
	  "\"sock\":101,\"skaddr\":\"0xffff888100a1d000\",\"pid\":null,\"comm\":null,"
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"unknown\",\"cgroup\":null,\"family\":4,\"laddr\":\"10.1.2.3\",\"lport\":80,"
	  "\"raddr\":\"10.9.8.7\",\"rport\":55555,\"oldstate\":\"FIN_WAIT1\","
	  "\"newstate\":\"FIN_WAIT2\",\"dur_ns\":40000000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "json no duration", O_JSON, &ev_no_dur,
	  JSON_HEAD
	  "\"sock\":null,\"skaddr\":\"0xffff888100a1e000\",\"pid\":1,\"comm\":\"systemd-resolve\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":3,\"family\":4,\"laddr\":\"192.168.100.200\",\"lport\":0,"
	  "\"raddr\":\"1.1.1.1\",\"rport\":53,\"oldstate\":\"CLOSE\",\"newstate\":\"SYN_SENT\","
	  "\"dur_ns\":null,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":4026531840,\"gap\":false,\"inferred\":false}" },
	{ "json unknown state", O_JSON, &ev_unknown_state,
	  JSON_HEAD
	  "\"sock\":102,\"skaddr\":\"0xffff888100a1f000\",\"pid\":4194304,\"comm\":\"x\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":4,\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":1,\"raddr\":\"10.0.0.2\","
	  "\"rport\":65535,\"oldstate\":\"UNKNOWN(0)\",\"newstate\":\"UNKNOWN(200)\","
	  "\"dur_ns\":1000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":1,\"gap\":false,\"inferred\":false}" },
	{ "json hostile comm", O_JSON, &ev_hostile,
	  JSON_HEAD
	  "\"sock\":103,\"skaddr\":\"0xffff888100a20000\",\"pid\":666,"
	  "\"comm\":\"\\\"\\\\\\n\\u0001\\ufffd\\ufffd(é\\t\\u007fx\","
	  "\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":5,\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":1000,\"raddr\":\"10.0.0.2\","
	  "\"rport\":2000,\"oldstate\":\"ESTABLISHED\",\"newstate\":\"CLOSE_WAIT\","
	  "\"dur_ns\":2000000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":1,\"gap\":false,\"inferred\":false}" },
	{ "json comm without NUL", O_JSON, &ev_long_comm,
	  JSON_HEAD
	  "\"sock\":104,\"skaddr\":\"0xffff888100a21000\",\"pid\":667,"
	  "\"comm\":\"abcdefghijklmnop\",\"rx_queue\":0,\"tx_queue\":0,\"owner\":\"process\",\"cgroup\":6,\"family\":4,\"laddr\":\"10.0.0.1\","
	  "\"lport\":1001,\"raddr\":\"10.0.0.2\",\"rport\":2001,\"oldstate\":\"ESTABLISHED\","
	  "\"newstate\":\"LAST_ACK\",\"dur_ns\":3000000,\"precision_ns\":0,\"reason\":null,\"reset_reason\":null,\"rx_bytes\":null,\"tx_bytes\":null,\"netns\":1,\"gap\":false,\"inferred\":false}" },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void test_events(void)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		struct sink s;

		output_event(sink_open(&s, rows[i].opts), rows[i].e);
		check_line(sink_close(&s), rows[i].want, rows[i].name);
		free(s.buf);
	}
}

/* ---- headers -------------------------------------------------------------------------------- */

static void test_headers(void)
{
	static const struct {
		unsigned int opts;
		const char *want;
	} hdr[] = {
		{ 0,
		  "TIME                PID COMM            LADDR           LPORT RADDR           "
		  "RPORT OLDSTATE    -> NEWSTATE    MS       REASON" },
		{ O_WIDE,
		  "TIME                PID COMM            LADDR                                   "
		  "LPORT RADDR                                   RPORT "
		  "OLDSTATE    -> NEWSTATE    MS       REASON" },
		{ O_DATE,
		  "TIME                           PID COMM            LADDR           LPORT "
		  "RADDR           RPORT OLDSTATE    -> NEWSTATE    MS       REASON" },
		{ O_SKADDR,
		  "SKADDR           TIME                PID COMM            LADDR           "
		  "LPORT RADDR           RPORT OLDSTATE    -> NEWSTATE    MS       REASON" },
	};
	struct sink s;

	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		output_header(sink_open(&s, hdr[i].opts));
		check_line(sink_close(&s), hdr[i].want, "header");
		free(s.buf);
	}
	output_header(sink_open(&s, O_JSON));
	CHECK_STR(sink_close(&s), "", "JSON has no header");
	free(s.buf);
}

/* ---- loss and summary ----------------------------------------------------------------------- */

static void test_lost_and_summary(void)
{
	const struct loss_counts delta = { 1, 2, 3, 4, 5, 6, 7 },
				 total = { 10, 20, 30, 40, 50, 60, 70 };
	/* 611 lines before the summary: 490 transitions, 8 connections, 100 snapshot, 13 others */
	struct run_counts counts = { .kernel = 500, .swept = 30, .lines = 611, .transitions = 490,
				     .kernel_connections = 9, .connections = 8, .snapshot = 100 };
	struct sink s;

	output_lost(sink_open(&s, O_JSON), REAL_NS, &delta, &total);
	check_line(sink_close(&s),
		   "{\"type\":\"lost\",\"time\":\"2026-11-22T03:41:07.123456Z\",\"rb_full\":1,"
		   "\"recursion_misses\":2,\"unseen\":3,\"not_written\":4,\"filter_dropped\":5,"
		   "\"map_full\":6,\"conn_lost\":7,\"total_rb_full\":10,"
		   "\"total_recursion_misses\":20,\"total_unseen\":30,\"total_not_written\":40,"
		   "\"total_filter_dropped\":50,\"total_map_full\":60,\"total_conn_lost\":70}",
		   "json lost: every cause, then every total");
	free(s.buf);

	stats_out_summary(stats_sink(&s, O_JSON), REAL_NS, &counts, &total, NULL);
	check_line(sink_close(&s),
		   "{\"type\":\"summary\",\"time\":\"2026-11-22T03:41:07.123456Z\","
		   "\"kernel_transitions\":500,\"swept_transitions\":30,\"lines\":612,"
		   "\"transition_lines\":490,\"kernel_connections\":9,\"connection_lines\":8,"
		   "\"snapshot_lines\":100,\"rb_full\":10,\"recursion_misses\":20,\"unseen\":30,"
		   "\"not_written\":40,\"filter_dropped\":50,\"map_full\":60,\"conn_lost\":70}",
		   "json summary");
	free(s.buf);

	/* the run's kernel, hook and features (the names the schema allows) */
	static const char *const feats[] = { "tp_btf", "cookies", "timewait" };
	const struct run_info run = {
		.kernel = "6.1.0-47-cloud-amd64",
		.hook = "tp_btf/inet_sock_set_state",
		.features = feats,
		.n_features = 3,
		.gaps = 7,
	};

	stats_out_summary(stats_sink(&s, O_JSON), REAL_NS, &counts, &total, &run);
	check_line(sink_close(&s),
		   "{\"type\":\"summary\",\"time\":\"2026-11-22T03:41:07.123456Z\","
		   "\"kernel_transitions\":500,\"swept_transitions\":30,\"lines\":612,"
		   "\"transition_lines\":490,\"kernel_connections\":9,\"connection_lines\":8,"
		   "\"snapshot_lines\":100,\"rb_full\":10,\"recursion_misses\":20,\"unseen\":30,"
		   "\"not_written\":40,\"filter_dropped\":50,\"map_full\":60,\"conn_lost\":70,\"gaps\":7,"
		   "\"kernel\":\"6.1.0-47-cloud-amd64\",\"hook\":\"tp_btf/inet_sock_set_state\","
		   "\"features\":[\"tp_btf\",\"cookies\",\"timewait\"]}",
		   "json summary with the run's features");
	free(s.buf);

	/* text mode: the caller speaks on stderr, stdout keeps only transitions */
	output_lost(sink_open(&s, 0), REAL_NS, &delta, &total);
	CHECK_STR(sink_close(&s), "", "text lost");
	free(s.buf);
	stats_out_summary(stats_sink(&s, 0), REAL_NS, &counts, &total, &run);
	CHECK_STR(sink_close(&s), "", "text summary");
	free(s.buf);

	/* the closing line: lines = transitions + snapshot + other = written + not written */
	char line[512];

	counts.written = 571;
	stats_out_closing(line, sizeof(line), &counts, &total);
	CHECK_STR(line,
		  "tcpstates-c: in: 500 transitions from the kernel + 30 from the timewait sweep, "
		  "9 connections from the kernel (machine-wide, unfiltered); out: 611 lines = 490 "
		  "transitions + 8 connections + 100 snapshot + 13 other = 571 written + 40 not "
		  "written; lost: rb_full 10, recursion_misses 20, unseen 30, not_written 40, "
		  "filter_dropped 50, map_full 60, conn_lost 70",
		  "closing line");
}

/* ---- time zones ----------------------------------------------------------------------------- */

/* text shows local time, JSON stays UTC */
static void test_local_time(void)
{
	struct sink s;

	setenv("TZ", "IST-5:30", 1);	/* a POSIX rule: needs no zoneinfo files */
	tzset();
	timefmt_forget();
	output_event(sink_open(&s, O_DATE), &ev_no_dur);
	check_line(sink_close(&s),
		   "2026-11-22 09:11:07.123456       1 systemd-resolve 192.168.100.200     0 "
		   "1.1.1.1            53 CLOSE       -> SYN_SENT    -",
		   "text in local time");
	free(s.buf);
	stats_out_summary(stats_sink(&s, O_JSON), REAL_NS, &(struct run_counts){ 0 },
		       &(struct loss_counts){ 0 }, NULL);
	check_line(sink_close(&s),
		   "{\"type\":\"summary\",\"time\":\"2026-11-22T03:41:07.123456Z\","
		   "\"kernel_transitions\":0,\"swept_transitions\":0,\"lines\":1,"
		   "\"transition_lines\":0,\"kernel_connections\":0,\"connection_lines\":0,"
		   "\"snapshot_lines\":0,\"rb_full\":0,\"recursion_misses\":0,\"unseen\":0,"
		   "\"not_written\":0,\"filter_dropped\":0,\"map_full\":0,\"conn_lost\":0}",
		   "JSON in UTC");
	free(s.buf);
	setenv("TZ", "UTC", 1);
	tzset();
	timefmt_forget();
}

/* ---- the JSON writer ------------------------------------------------------------------------ */

static void test_json_strings(void)
{
	static const struct {
		const char *name;
		const char *in;
		size_t len;
		const char *want;	/* the string's JSON text, quotes included */
	} str[] = {
		{ "plain", "plain", 5, "\"plain\"" },
		{ "empty", "", 0, "\"\"" },
		{ "NUL inside", "a\0b", 3, "\"a\\u0000b\"" },
		{ "length bounds", "abcdef", 3, "\"abc\"" },
		{ "named escapes", "\b\f\n\r\t\"\\/", 8, "\"\\b\\f\\n\\r\\t\\\"\\\\/\"" },
		{ "controls", "\x1f\x7f", 2, "\"\\u001f\\u007f\"" },
		{ "2-byte", "\xc3\xa9", 2, "\"\xc3\xa9\"" },
		{ "3-byte", "\xe2\x82\xac", 3, "\"\xe2\x82\xac\"" },
		{ "4-byte", "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },
		{ "overlong", "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
		{ "overlong 3-byte", "\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "surrogate", "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "past U+10FFFF", "\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "0xf5", "\xf5z", 2, "\"\\ufffdz\"" },
		{ "lone continuation", "\x80" "a", 2, "\"\\ufffda\"" },
		{ "cut at the end", "ab\xe2\x82", 4, "\"ab\\ufffd\\ufffd\"" },
		{ "cut by the length", "\xe2\x82\xac", 2, "\"\\ufffd\\ufffd\"" },
		{ "bad then good", "\xc3(\xc3\xa9", 4, "\"\\ufffd(\xc3\xa9\"" },
		/* C1 controls (U+009B is CSI) and bidi overrides reach no terminal or viewer raw */
		{ "C1 CSI", "\xc2\x9b" "31m", 5, "\"\\u009b31m\"" },
		{ "C1 first, last", "\xc2\x80\xc2\x9f", 4, "\"\\u0080\\u009f\"" },
		{ "after C1", "\xc2\xa0", 2, "\"\xc2\xa0\"" },	/* NBSP: printable */
		{ "bidi RLO", "a\xe2\x80\xae" "b", 5, "\"a\\u202eb\"" },
		{ "bidi LRE..RLO", "\xe2\x80\xaa\xe2\x80\xae", 6, "\"\\u202a\\u202e\"" },
		{ "bidi isolates", "\xe2\x81\xa6\xe2\x81\xa9", 6, "\"\\u2066\\u2069\"" },
		{ "line separators", "\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"" },
		{ "near bidi", "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 12,
		  "\"\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\"" },
	};
	char want[128];

	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++) {
		struct json_writer w;
		char *buf;
		size_t len;
		FILE *f = open_memstream(&buf, &len);

		json_begin(&w, file_sink(f));
		json_str(&w, "s", str[i].in, str[i].len);
		json_end(&w);
		fclose(f);
		snprintf(want, sizeof(want), "{\"s\":%s}", str[i].want);
		check_line(buf, want, str[i].name);
		free(buf);
	}
}

static void test_json_scalars(void)
{
	struct json_writer w;
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_begin(&w, file_sink(f));
	json_uint(&w, "max", UINT64_MAX);
	json_bool(&w, "t", true);
	json_bool(&w, "f", false);
	json_null(&w, "n");
	json_str(&w, "k\"ey", "v", 1);
	json_end(&w);
	json_begin(&w, file_sink(f));
	json_end(&w);
	fclose(f);
	CHECK_STR(buf,
		  "{\"max\":18446744073709551615,"
		  "\"t\":true,\"f\":false,\"n\":null,\"k\\\"ey\":\"v\"}\n{}\n",
		  "scalars, escaped key, empty object");
	free(buf);
}

/* every digit count's edges (10^k - 1, 10^k, 10^k + 1, 0, UINT64_MAX) as the line writes them */
static void test_numbers(void)
{
	uint64_t v[64];
	size_t n = 0;

	v[n++] = 0;
	v[n++] = UINT64_MAX;
	for (uint64_t p = 10; n + 3 <= 64; p *= 10) {
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
		if (p > UINT64_MAX / 10)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		struct linebuf lb;
		char want[24];

		lb_reset(&lb);
		lb_putc(&lb, '<');
		lb_put_u64(&lb, v[i]);
		lb_putc(&lb, '>');
		snprintf(want, sizeof(want), "<%llu>", (unsigned long long)v[i]);
		CHECK(lb.len == strlen(want) && !memcmp(lb.buf, want, lb.len),
		      "lb_put_u64(%s): got '%.*s'", want, (int)lb.len, lb.buf);
		CHECK(lb_u64_len(v[i]) == strlen(want) - 2, "lb_u64_len(%s) = %zu", want,
		      lb_u64_len(v[i]));
	}
}

/* ---- the clock offset ----------------------------------------------------------------------- */

static int64_t now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void test_mono_to_real(void)
{
	int64_t off = output_mono_to_real_offset();
	int64_t m = now(CLOCK_MONOTONIC), r = now(CLOCK_REALTIME);
	int64_t err = r - (m + off);

	/* generous: only a clock step while the test runs could move it this far */
	CHECK(err > -50000000 && err < 50000000, "offset off by %lld ns", (long long)err);
}

/* an owner whose cgroup could not be found (cgroup_id 0: no cgroup has it) reads null, not 0 */
static void test_cgroup_unknown(void)
{
	struct tcpstates_event e = ev_no_dur;
	struct sink s;
	char *line;

	e.cgroup_id = 0;
	output_event(sink_open(&s, O_JSON), &e);
	line = sink_close(&s);
	CHECK(strstr(line, "\"pid\":1,") && strstr(line, "\"cgroup\":null,"),
	      "owner known, cgroup unknown: %s", line);
	free(s.buf);
}

int main(void)
{
	const char *dump = getenv("TCPSTATES_JSON_DUMP");

	if (dump && !(json_dump = fopen(dump, "w"))) {
		perror(dump);
		return 1;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	timefmt_forget();
	test_events();
	test_headers();
	test_lost_and_summary();
	test_local_time();
	test_json_strings();
	test_json_scalars();
	test_numbers();
	test_mono_to_real();
	test_cgroup_unknown();
	if (json_dump)
		fclose(json_dump);
	return UNIT_DONE();
}
