// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_feature.c - what each kernel's probe results turn into: features on/off, the start-up line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "feature.h"
#include "unit.h"

/* probe results as the kernel matrix found them (make test-kernels) */
enum kernel { K5_10, K6_1, K6_12, K6_18 };

static void probed(struct features *fs, enum kernel k)
{
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->kernel, sizeof(fs->kernel), "%s",
		 (const char *[]){ "5.10.0-32-cloud-amd64", "6.1.0-57-cloud-amd64",
				   "6.12.117+deb12-cloud-amd64", "6.18.44" }[k]);
	fs->tp_btf_ok = true;
	fs->helper_cookie = k >= K6_1;
	fs->helper_sk_storage = k >= K6_1;
	fs->helper_task_btf = k >= K6_1;
	fs->helper_for_each = k >= K6_1;
	fs->tp_sendmsg_locked = k == K6_18;
	fs->tp_rcv_space_adjust = fs->tp_receive_reset = fs->tp_send_reset = true;
	fs->send_reset_reason = k >= K6_12;
	fs->tp_destroy_sock = fs->tp_timers = fs->tp_process_exit = true;
	fs->tw_timer_fn = 0xffffffff81000000ULL;
	fs->write_timer_fn = 0xffffffff81001000ULL;
	for (int i = 0; i < TS_WAKE_MAX; i++)
		fs->wakers[i] = 0xffffffff81002000ULL + i;
	fs->killers_found = true;
}

/* the start-up line, captured */
static char *line_of(const struct features *fs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	features_print_line(fs, f);
	fclose(f);
	return buf;
}

static const struct {
	enum kernel k;
	bool btf;
	const char *line;	/* the start-up line, "" when everything is on */
	const char *off;	/* comma-separated features off */
} rows[] = {
	{ K6_18, true, "", "" },
	{ K6_12, true, "", "" },
	{ K6_1, true,
	  "tcpstates-c: on kernel 6.1.0-57-cloud-amd64: kernel reason of resets sent off: "
	  "tcp_send_reset has no reason argument (6.10+)\n",
	  "reset_reasons" },
	{ K5_10, true,
	  "tcpstates-c: on kernel 5.10.0-32-cloud-amd64: socket cookies (sock) off: tracing programs "
	  "may not ask for them (5.12+); kernel reason of resets sent off: "
	  "tcp_send_reset has no reason argument (6.10+); silent FIN_WAIT2 -> TIME_WAIT check: no "
	  "bpf_for_each_map_elem (5.13+), one test run per waiting orphan\n",
	  "cookies,socket_storage,reset_reasons" },
	{ K6_18, false,
	  "tcpstates-c: on kernel 6.18.44: state hook tp_btf off: classic tracepoint chosen or tp_btf "
	  "refused; socket cookies (sock) off: the classic tracepoint cannot ask for them; recursion "
	  "backup off: the classic tracepoint's recursion guard is shared by all programs; listener "
	  "owner's exit off: needs tp_btf: a listener's owner that exits stays named\n",
	  "tp_btf,cookies,socket_storage,recursion_backup,owner_exit" },
};

static void test_kernels(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct features fs;
		char ctx[128], *got, off[256] = "";

		probed(&fs, rows[i].k);
		features_decide(&fs, rows[i].btf, false);
		snprintf(ctx, sizeof(ctx), "row %zu (%s, %s)", i, fs.kernel,
			 rows[i].btf ? "tp_btf" : "tracepoint");
		got = line_of(&fs);
		CHECK_STR(got, rows[i].line, ctx);
		free(got);
		for (int f = 0; f < FT_SNAPSHOT; f++)
			if (!fs.f[f].on)
				snprintf(off + strlen(off), sizeof(off) - strlen(off), "%s%s",
					 off[0] ? "," : "", feature_name(f));
		CHECK_STR(off, rows[i].off, ctx);
	}
}

/* an option's choice is the user's own: not in the line that says what the kernel lacks */
static void test_options_not_in_line(void)
{
	struct features fs;
	char *got;

	probed(&fs, K6_18);
	features_decide(&fs, true, true);
	CHECK(!fs.f[FT_TIMEWAIT].on && !fs.f[FT_TIMEWAIT_CHECK].on && !fs.f[FT_TIMEWAIT_KILLS].on,
	      "--no-timewait switches off timewait and what builds on it");
	got = line_of(&fs);
	CHECK_STR(got, "", "--no-timewait alone");
	free(got);
	/* the kernel's own lack still shows */
	fs.tw_timer_fn = 0;
	features_decide(&fs, true, false);
	got = line_of(&fs);
	CHECK_STR(got, "tcpstates-c: on kernel 6.18.44: TIME_WAIT/FIN_WAIT2 minisockets off: "
		  "tw_timer_handler not in /proc/kallsyms; silent FIN_WAIT2 -> TIME_WAIT check off: "
		  "timewait is off; timewait early-end reasons off: timewait is off\n",
		  "no tw_timer_handler");
	free(got);
}

/*
 * Owner takeover at send: the write timer wherever it can be followed (a program run about once
 * per socket), tcp_sendmsg_locked (a run on every send) only without it, and said so.
 */
static void test_send_takeover(void)
{
	struct features fs;
	char *got;

	probed(&fs, K6_18);
	features_decide(&fs, true, false);
	CHECK(fs.f[FT_OWNER_SEND].on && fs.send_by_timer, "6.18: the write timer, not tcp_sendmsg_locked");
	CHECK_STR(fs.f[FT_OWNER_SEND].how, "timer_start of tcp_write_timer (a send arms it)", "6.18 how");
	fs.write_timer_fn = 0;
	features_decide(&fs, true, false);
	CHECK(fs.f[FT_OWNER_SEND].on && !fs.send_by_timer, "6.18 without tcp_write_timer: tracepoint");
	got = line_of(&fs);
	CHECK_STR(got, "tcpstates-c: on kernel 6.18.44: owner takeover at send: timer_start of "
		  "tcp_write_timer unusable, using tracepoint tcp_sendmsg_locked (a program run on "
		  "every send)\n", "6.18 without tcp_write_timer: the line");
	free(got);
	probed(&fs, K6_12);
	fs.write_timer_fn = 0;
	features_decide(&fs, true, false);
	CHECK(!fs.f[FT_OWNER_SEND].on && !fs.send_by_timer, "6.12 without tcp_write_timer: off");
}

/* -v: one row per feature, every one of them */
static void test_table(void)
{
	struct features fs;
	char *buf = NULL;
	size_t len = 0, rows_seen = 0;
	FILE *f = open_memstream(&buf, &len);

	probed(&fs, K6_1);
	features_decide(&fs, true, false);
	features_print_table(&fs, f);
	fclose(f);
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		rows_seen++;
	CHECK(rows_seen == 1 + FT_MAX, "header + %d rows, got %zu lines", FT_MAX, rows_seen);
	CHECK(strstr(buf, "  owner_takeover_send    on   timer_start of tcp_write_timer") != NULL,
	      "6.1 send takeover row: %s", buf);
	CHECK(strstr(buf, "  reset_reasons          off  tcp_send_reset has no reason argument") !=
		      NULL,
	      "6.1 reset reasons row: %s", buf);
	free(buf);
}

int main(void)
{
	test_kernels();
	test_options_not_in_line();
	test_send_takeover();
	test_table();
	return UNIT_DONE();
}
