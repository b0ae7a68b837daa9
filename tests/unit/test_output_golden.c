// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * test_output_golden.c - many varied records through every text option and JSON, compared byte
 * for byte with tests/unit/output_golden.txt, which the formatter wrote before its per-line plan
 * was made once per run (issue 12): a faster formatter must not change one byte. The lines of
 * --stuck are checked against lines written by hand instead (test_stuck_lines): the file froze
 * one that was wrong (an empty holder name printed as nothing).
 *
 *   test_output_golden            compare (make unit)
 *   test_output_golden --write F  write what this build formats to F (a new golden file)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/types.h>
#include "linebuf.h"
#include "output.h"
#include "stuck.h"
#include "timefmt.h"
#include "unit.h"

#define GOLDEN "tests/unit/output_golden.txt"
#define TEXT_RECORDS 16		/* per text option set (16 sets) */
#define JSON_RECORDS 80
#define STUCK_RECORDS 4	/* per option set, text and JSON: drawn, not compared */

/* xorshift64: the same records on every machine */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* names a process might have, hostile ones included (controls, bad UTF-8, no NUL, blanks) */
static const char *const comms[] = {
	"curl", "nginx", "churn", "systemd-resolve", "python3", "Web Content", "", "a\"b\\c",
	"\x1b[31mred", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "tab\there", "abcdefghijklmnop",
	"\xe2\x80\xae" "evil", "\xc2\x9b" "x", "sp ace ",
};

static void fill_addr(__u8 a[16], unsigned int kind)
{
	memset(a, 0, 16);
	switch (kind) {
	case 0:		/* IPv4 (also the low bytes of AF_INET) */
		for (int i = 0; i < 4; i++)
			a[i] = pick(4) ? (uint8_t)rnd() : (uint8_t)pick(10);
		break;
	case 1:		/* IPv4-mapped IPv6 */
		a[10] = a[11] = 0xff;
		for (int i = 12; i < 16; i++)
			a[i] = (uint8_t)rnd();
		break;
	default:	/* IPv6 with runs of zeros of random length */
		for (int i = 0; i < 16; i++)
			a[i] = pick(3) ? (uint8_t)rnd() : 0;
		if (pick(2)) {
			/* one call a statement: the order of a call's arguments is the compiler's */
			unsigned int len = pick(8), at = pick(8);

			memset(a + 2 + at, 0, len);
		}
		break;
	}
}

static void make_event(struct tcpstates_event *e)
{
	static const __u16 families[] = { AF_INET, AF_INET, AF_INET6, AF_INET6, AF_INET6, AF_UNIX };
	const char *c = comms[pick(sizeof(comms) / sizeof(comms[0]))];

	memset(e, 0, sizeof(*e));
	/* within a few seconds, so the cached seconds text is both reused and renewed */
	e->ts_ns = 1234567890123ULL + rnd() % 4000000000ULL;
	e->cookie = pick(4) ? rnd() % 100000 : rnd();
	e->skaddr = 0xffff888100000000ULL | (rnd() & 0xffffffc0);
	e->dur_ns = pick(8) ? rnd() % 100000000000ULL : rnd();
	e->cgroup_id = pick(8) ? pick(10000) : 0;
	e->rx_bytes = rnd();
	e->rx_bytes %= 1ULL << (pick(63) + 1);
	e->tx_bytes = rnd();
	e->tx_bytes %= 1ULL << (pick(63) + 1);
	e->precision_ns = pick(4) ? 0 : 4000000;
	e->family = families[pick(sizeof(families) / sizeof(families[0]))];
	fill_addr(e->saddr, e->family == AF_INET ? 0 : pick(3));
	fill_addr(e->daddr, e->family == AF_INET ? 0 : pick(3));
	e->pid = pick(4) ? pick(100000) : (uint32_t)rnd();
	e->netns = 4026531840u + pick(1000);
	e->rx_queue = pick(2) ? 0 : (uint32_t)rnd() % 70000;
	e->tx_queue = pick(2) ? 0 : (uint32_t)rnd();
	e->sport = pick(5) ? (uint16_t)rnd() : 0;
	e->dport = (uint16_t)rnd();
	e->oldstate = pick(14);		/* 12 and 13: past the table */
	e->newstate = pick(14);
	/* every flag but the reset reason, whose names come from the running kernel's BTF */
	e->flags = (uint8_t)rnd() & ~TS_F_RST_REASON;
	e->flags2 = (uint8_t)rnd() & 0x1f;
	e->reason = pick(4) ? 0 : pick(13);
	e->hook = 1 + pick(2);
	memcpy(e->comm, c, strnlen(c, sizeof(e->comm)));
}

/* a socket --stuck reports, with up to 3 holders listed of holders_total, and their threads */
static void stuck_record(struct output *o)
{
	static const char *const calls[] = { "futex", "epoll_wait", "running", "-", "" };
	struct thread_info t[3 * 2];
	struct stuck_holder h[3];
	struct stuck_report r;

	memset(&r, 0, sizeof(r));
	make_event(&r.e);
	r.e.flags2 &= ~TS_F2_SNAPSHOT;
	r.age_ns = rnd() % 1000000000000ULL;
	r.now_ns = r.e.ts_ns + r.age_ns;
	r.since_exact = pick(2);
	r.read_now = pick(4);
	/* holders are known only where the socket's namespace was read now */
	r.n_holders = r.read_now ? pick(4) : 0;
	r.holders_total = r.read_now ? r.n_holders + (pick(3) ? 0 : pick(5)) : 0;
	r.estimated = !r.since_exact && pick(2);
	r.diagnosis = r.read_now ? pick(STUCK_DX_MAX) : STUCK_DX_NONE;
	r.full = pick(4);
	r.unread_bytes = pick(2) ? 0 : (uint32_t)rnd() % 70000;
	r.eof_read = (int8_t)pick(3) - 1;
	r.owner_pid = pick(100000);
	r.last_recv_ago_ns = pick(3) ? (int64_t)(rnd() % 10000000000000ULL) : -1;
	r.last_send_ago_ns = pick(3) ? (int64_t)(rnd() % 10000000000000ULL) : -1;
	for (uint32_t i = 0; i < r.n_holders; i++) {
		const char *c = comms[pick(sizeof(comms) / sizeof(comms[0]))];

		memset(&h[i], 0, sizeof(h[i]));
		h[i].pid = pick(100000);
		memcpy(h[i].comm, c, strnlen(c, sizeof(h[i].comm)));
		h[i].n_fds = pick(3);
		for (uint32_t f = 0; f < h[i].n_fds; f++)
			h[i].fds[f] = pick(1000);
		h[i].fds_total = h[i].n_fds + (pick(4) ? 0 : pick(3));
		h[i].first_thread = 2 * i;
		h[i].n_threads = pick(3);
		h[i].threads_total = h[i].n_threads + (pick(2) ? 0 : pick(3000));
		for (uint32_t j = 0; j < h[i].n_threads; j++) {
			struct thread_info *x = &t[2 * i + j];
			const char *call = calls[pick(sizeof(calls) / sizeof(calls[0]))];

			memset(x, 0, sizeof(*x));
			x->tid = h[i].pid + j;
			x->state = "RSDZ"[pick(4)];
			memcpy(x->comm, c, strnlen(c, sizeof(x->comm)));
			memcpy(x->syscall, call, strlen(call));
			if (pick(2))
				memcpy(x->wchan, "do_epoll_wait", 13);
		}
	}
	stuck_write(o, &r, h, t);
}

/* ---- formatting into memory ----------------------------------------------------------------- */

struct mem_sink {
	struct line_sink ls;	/* first */
	FILE *f;
};

static void mem_put(struct line_sink *ls, const char *line, size_t len)
{
	fwrite(line, 1, len, ((struct mem_sink *)ls)->f);
}

static void drop_put(struct line_sink *ls, const char *line, size_t len)
{
}

/*
 * STUCK_RECORDS reports formatted and dropped, drawn from a sequence of their own: the golden
 * file's records do not move when a stuck report gains a field, and their lines are not in it
 */
static void stuck_records_dropped(const struct output *o)
{
	static uint64_t stuck_rng = 0x2545f4914f6cdd1dULL;
	struct line_sink drop = { .put = drop_put };
	struct output od = *o;
	uint64_t main_rng = rng;

	od.out = &drop;
	rng = stuck_rng;
	for (int i = 0; i < STUCK_RECORDS; i++)
		stuck_record(&od);
	stuck_rng = rng;
	rng = main_rng;
}

/* every record of the golden set, formatted by this build; *len bytes, malloc'd */
static char *format_all(size_t *len)
{
	struct mem_sink s = { .ls.put = mem_put };
	struct tcpstates_event e;
	struct config cfg;
	/* a new output for each option set: its plan is made from the options at the first line */
	const struct output o0 = { .out = &s.ls, .cfg = &cfg, .mono_to_real_ns = 1795317632555566666LL };
	struct output o;
	char *buf;

	s.f = open_memstream(&buf, len);
	for (unsigned int opts = 0; opts < 16; opts++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.wide = opts & 1;
		cfg.show_date = opts & 2;
		cfg.show_skaddr = opts & 4;
		cfg.show_queues = opts & 8;
		o = o0;
		fprintf(s.f, "# text -w %d -T %d -x %d --queues %d\n", !!(opts & 1), !!(opts & 2),
			!!(opts & 4), !!(opts & 8));
		fflush(s.f);
		output_header(&o);
		for (int i = 0; i < TEXT_RECORDS; i++) {
			make_event(&e);
			output_event(&o, &e);
		}
		stuck_records_dropped(&o);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = OUT_JSON;
	o = o0;
	fprintf(s.f, "# json\n");
	fflush(s.f);
	for (int i = 0; i < JSON_RECORDS; i++) {
		make_event(&e);
		output_event(&o, &e);
	}
	stuck_records_dropped(&o);
	fclose(s.f);
	return buf;
}

/* ---- --stuck lines, written by hand ----------------------------------------------------------- */

/*
 * curl's socket 10.0.0.1:45678 -> 93.184.216.34:443 in CLOSE_WAIT since kernel monotonic
 * 1234567890123 ns, read 61.5 s later: with the offset below, the read is at 03:42:08.623456 UTC
 */
#define STUCK_SINCE 1234567890123ULL
#define STUCK_AGE 61500000000ULL
#define STUCK_OFFSET 1795317632555566666LL
#define STUCK_HEAD "03:42:08.623456    4242 curl            10.0.0.1        45678 93.184.216.34     443 "

static void test_stuck_lines(void)
{
	static const struct {
		const char *what;
		bool since_exact, estimated, read_now;
		uint8_t diagnosis;
		int64_t last_recv_ago_ns;
		uint32_t n_holders, holders_total;
		struct stuck_holder h[2];
		const char *want;	/* the text line, without its newline */
	} rows[] = {
		{ "two holders, one with an empty name, threads of the first", true, false, true,
		  STUCK_DX_DATA_UNREAD, 2500000000,
		  2, 2, { { .pid = 2771, .comm = "client", .fds = { 5 }, .n_fds = 1,
			     .n_threads = 3, .threads_total = 3 },
			   { .pid = 2772, .comm = "", .fds = { 3, 7 }, .n_fds = 2 } },
		  STUCK_HEAD "STUCK          CLOSE_WAIT  61500.000 data unread (100 bytes); last "
		  "received 2.5 s ago; held by 2771/client fd 5 (threads: 2 futex, 1 epoll_wait), "
		  "2772/? fd 3,7" },
		{ "one listed of three, a name with a space, older than the tracer, 2000 threads",
		  false, false, true, STUCK_DX_EOF_READ_NOT_CLOSED, 330000000000,
		  1, 3, { { .pid = 10, .comm = "Web Content", .fds = { 57 }, .n_fds = 1,
			     .n_threads = 3, .threads_total = 2000 } },
		  STUCK_HEAD "STUCK          CLOSE_WAIT  >=61500.000 end of file read, not closed; "
		  "last received 5.5 min ago; held by 10/Web_Content fd 57 (threads: 2 futex, 1 "
		  "epoll_wait; 1997 more), 2 more" },
		{ "an orphan: no holder, its age estimated", false, true, true, STUCK_DX_ORPHAN, -1,
		  0, 0, { { 0 } },
		  STUCK_HEAD "STUCK          CLOSE_WAIT  ~61500.000 held by no process; held by none" },
		{ "its namespace not read now", true, false, false, STUCK_DX_NONE, -1, 0, 0, { { 0 } },
		  STUCK_HEAD "STUCK          CLOSE_WAIT  61500.000 holders unknown" },
	};
	static const struct thread_info threads[3] = {
		{ .tid = 2771, .state = 'S', .syscall = "futex" },
		{ .tid = 2772, .state = 'S', .syscall = "epoll_wait" },
		{ .tid = 2773, .state = 'S', .syscall = "futex" },
	};
	struct mem_sink s = { .ls.put = mem_put };
	struct config cfg;
	struct output o = { .out = &s.ls, .cfg = &cfg, .mono_to_real_ns = STUCK_OFFSET };

	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stuck_report r;
		char *got = NULL;
		size_t len = 0;

		memset(&r, 0, sizeof(r));
		r.e.ts_ns = STUCK_SINCE;
		r.e.cookie = 12345;
		r.e.pid = 4242;
		memcpy(r.e.comm, "curl", 4);
		r.e.family = AF_INET;
		memcpy(r.e.saddr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
		memcpy(r.e.daddr, (uint8_t[]){ 93, 184, 216, 34 }, 4);
		r.e.sport = 45678;
		r.e.dport = 443;
		r.e.oldstate = TS_ESTABLISHED;
		r.e.newstate = TS_CLOSE_WAIT;
		r.e.flags = TS_F_OWNER_KNOWN | TS_F_COOKIE_KNOWN;
		r.now_ns = STUCK_SINCE + STUCK_AGE;
		r.age_ns = STUCK_AGE;
		r.since_exact = rows[i].since_exact;
		r.estimated = rows[i].estimated;
		r.read_now = rows[i].read_now;
		r.diagnosis = rows[i].diagnosis;
		r.unread_bytes = 100;
		r.last_recv_ago_ns = rows[i].last_recv_ago_ns;
		r.last_send_ago_ns = -1;
		r.n_holders = rows[i].n_holders;
		r.holders_total = rows[i].holders_total;
		s.f = open_memstream(&got, &len);
		stuck_write(&o, &r, rows[i].h, threads);
		fclose(s.f);
		CHECK(len && got[len - 1] == '\n', "stuck, %s: one line", rows[i].what);
		if (len && got[len - 1] == '\n')
			got[len - 1] = '\0';
		CHECK_STR(got, rows[i].want, rows[i].what);
		free(got);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	if (buf && fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* the first line where got and want differ, both shown */
static void show_first_difference(const char *got, size_t glen, const char *want, size_t wlen)
{
	size_t i = 0, line = 1, start = 0;

	while (i < glen && i < wlen && got[i] == want[i]) {
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	fprintf(stderr, "line %zu differs:\n got:  %.*s\n want: %.*s\n", line,
		(int)(strcspn(got + start, "\n")), got + start,
		(int)(strcspn(want + start, "\n")), want + start);
}

int main(int argc, char **argv)
{
	size_t glen, wlen;
	char *got, *want;

	setenv("TZ", "UTC", 1);
	tzset();
	timefmt_forget();
	got = format_all(&glen);
	if (argc == 1)
		test_stuck_lines();
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		FILE *f = fopen(argv[2], "w");

		if (!f || fwrite(got, 1, glen, f) != glen || fclose(f)) {
			perror(argv[2]);
			return 1;
		}
		return 0;
	}
	want = read_file(GOLDEN, &wlen);
	CHECK(want != NULL, "%s readable (run from the repository's top directory)", GOLDEN);
	if (want) {
		bool same = glen == wlen && !memcmp(got, want, glen);

		CHECK(same, "%zu records in 16 text option sets and JSON: output as in %s",
		      (size_t)(16 * (TEXT_RECORDS + 1) + JSON_RECORDS), GOLDEN);
		if (!same)
			show_first_difference(got, glen, want, wlen);
	}
	free(got);
	free(want);
	return UNIT_DONE();
}
