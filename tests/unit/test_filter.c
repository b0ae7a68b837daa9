// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_filter.c - filters: per-event tests, and port filters decided per socket. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "filter.h"
#include "unit.h"

/* one socket's transition: cookie, states, ports, owner pid (0: unknown) */
struct step {
	uint64_t cookie;
	int oldstate, newstate;
	uint16_t sport, dport;
	uint32_t pid;
};

static char emitted[64][32]; /* "cookie:old>new" of each emitted event, in order */
static int n_emitted;

static void record(void *arg, const struct tcpstates_event *e)
{
	snprintf(emitted[n_emitted++ % 64], sizeof(emitted[0]), "%llu:%d>%d",
		 (unsigned long long)e->cookie, e->oldstate, e->newstate);
}

static void run(struct config *cfg, const struct step *steps, int n)
{
	const struct filter_targets none = { 0 };
	struct filter f;

	n_emitted = 0;
	filter_init(&f, cfg, &none, NULL);
	for (int i = 0; i < n; i++) {
		struct tcpstates_event e = {
			.cookie = steps[i].cookie,
			.oldstate = steps[i].oldstate,
			.newstate = steps[i].newstate,
			.sport = steps[i].sport,
			.dport = steps[i].dport,
			.pid = steps[i].pid,
			.family = AF_INET,
			.flags = TS_F_COOKIE_KNOWN | (steps[i].pid ? TS_F_OWNER_KNOWN : 0),
		};

		filter_event(&f, &e, record, NULL);
	}
	filter_free(&f);
}

/* a client connection: its first event has local port 0, as at connect() */
static const struct step client[] = {
	{ 1, TS_CLOSE, TS_SYN_SENT, 0, 80, 100 },
	{ 1, TS_SYN_SENT, TS_ESTABLISHED, 40000, 80, 100 },
	{ 1, TS_ESTABLISHED, TS_FIN_WAIT1, 40000, 80, 100 },
};

/* a connect() that fails before a port is chosen, and one to another port */
static const struct step mixed[] = {
	{ 2, TS_CLOSE, TS_SYN_SENT, 0, 81, 200 },
	{ 3, TS_CLOSE, TS_SYN_SENT, 0, 80, 300 },
	{ 2, TS_SYN_SENT, TS_CLOSE, 0, 81, 200 },
	{ 3, TS_SYN_SENT, TS_ESTABLISHED, 40001, 80, 300 },
};

static void test_rport_keeps_first_event(void)
{
	struct config cfg = { 0 };

	cfg.rports.n = 1;
	cfg.rports.port[0] = 80;
	run(&cfg, client, 3);
	CHECK(n_emitted == 3, "-D 80: emitted %d of 3", n_emitted);
	CHECK_STR(emitted[0], "1:7>2", "-D 80 first event is CLOSE->SYN_SENT");
}

static void test_lport_holds_until_port_known(void)
{
	struct config cfg = { 0 };

	cfg.lports.n = 1;
	cfg.lports.port[0] = 40000;
	run(&cfg, client, 3);
	CHECK(n_emitted == 3, "-L 40000: emitted %d of 3", n_emitted);
	CHECK_STR(emitted[0], "1:7>2", "-L 40000 keeps CLOSE->SYN_SENT first");
	CHECK_STR(emitted[1], "1:2>1", "-L 40000 then SYN_SENT->ESTABLISHED");

	cfg.lports.port[0] = 40001;
	run(&cfg, client, 3);
	CHECK(n_emitted == 0, "-L 40001 on another socket: emitted %d", n_emitted);

	run(&cfg, mixed, 4);
	CHECK(n_emitted == 2, "-L 40001 mixed: emitted %d of 2", n_emitted);
	CHECK_STR(emitted[0], "3:7>2", "-L 40001 held event of socket 3");
	CHECK_STR(emitted[1], "3:2>1", "-L 40001 then its ESTABLISHED");
}

static void test_either_port(void)
{
	struct config cfg = { 0 };

	cfg.ports.n = 1;
	cfg.ports.port[0] = 80;
	run(&cfg, mixed, 4);
	CHECK(n_emitted == 2, "--port 80: emitted %d of 2", n_emitted);
	cfg.ports.port[0] = 40001;
	run(&cfg, mixed, 4);
	CHECK(n_emitted == 2, "--port 40001: emitted %d of 2", n_emitted);
}

static void test_owner_and_states(void)
{
	struct config cfg = { 0 };

	cfg.has_pid = true;
	cfg.pid = 300;
	run(&cfg, mixed, 4);
	CHECK(n_emitted == 2, "-p 300: emitted %d of 2", n_emitted);

	memset(&cfg, 0, sizeof(cfg));
	cfg.state_mask = 1u << TS_ESTABLISHED;
	run(&cfg, client, 3);
	CHECK(n_emitted == 2, "--state ESTABLISHED: emitted %d of 2", n_emitted);

	memset(&cfg, 0, sizeof(cfg));
	cfg.family = 6;
	run(&cfg, client, 3);
	CHECK(n_emitted == 0, "-6 on IPv4: emitted %d", n_emitted);
}

/* --netns: only the transitions of that namespace */
static void test_netns(void)
{
	const struct filter_targets tg = { .has_netns = true, .netns = 4026531840u };
	const struct config cfg = { 0 };
	struct tcpstates_event e = { .family = AF_INET, .netns = 4026531840u };
	struct filter f;

	filter_init(&f, &cfg, &tg, NULL);
	CHECK(filter_match_event(&f, &e), "--netns: its own namespace passes");
	e.netns = 4026531841u;
	CHECK(!filter_match_event(&f, &e), "--netns: another namespace does not");
}

/* ---- resolving --cgroup and --netns: as a bad argument, one line and the hint ---- */

#define HINT "Try 'tcpstates-c --help' for more information.\n"

struct target_row {
	const char *cgroup;	/* --cgroup as typed (NULL: none) */
	const char *netns;	/* --netns as typed (NULL: none) */
	const char *says;	/* NULL: resolves; else the first line of err must contain this */
};

static const struct target_row target_rows[] = {
	{ NULL, NULL, NULL },
	{ NULL, "4026531840", NULL },
	{ NULL, "/proc/self/ns/net", NULL },
	{ NULL, "abc", "invalid network namespace 'abc' for --netns" },
	{ NULL, "/nonexistent/ns", "'/nonexistent/ns'" },
	{ NULL, "0", "'0'" },
	{ NULL, "4294967296", "'4294967296'" },
	{ NULL, "x\ny", "'x\\ny' for --netns" },
	{ NULL, "/etc/passwd", "'/etc/passwd' for --netns: not a network namespace" },
	{ NULL, "/proc/self/ns/mnt", "not a network namespace" },
	{ NULL, "/dev/null", "not a network namespace" },
	{ "/tmp", NULL, "invalid cgroup '/tmp' for --cgroup: not a cgroup v2 directory" },
	{ "/nonexistent", NULL, "'/nonexistent'" },
	{ "/tmp/\n", NULL, "'/tmp/\\n' for --cgroup" },
	{ "", NULL, "invalid cgroup '' for --cgroup" },
	{ "/tmp", "1", "for --cgroup" },	/* the cgroup is looked at first */
};

static void run_target(const struct target_row *row)
{
	const struct config cfg = { .cgroup_path = row->cgroup, .netns_arg = row->netns };
	const char *ctx = row->netns ? row->netns : row->cgroup ? row->cgroup : "(none)";
	struct filter_targets t;
	char *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&err, &len);
	const char *nl;
	int ret = filter_targets_resolve(&t, &cfg, f);

	fclose(f);
	if (!row->says) {
		CHECK(ret == 0 && len == 0, "%s: resolves (%d), err '%s'", ctx, ret, err);
		CHECK(t.has_netns == (row->netns != NULL) && !t.cgroup.id, "%s: targets", ctx);
		filter_targets_free(&t);
		free(err);
		return;
	}
	nl = strchr(err, '\n');
	CHECK(ret == -1, "%s: returns %d, want -1", ctx, ret);
	CHECK(!strncmp(err, "tcpstates-c: ", 13), "%s: err '%s'", ctx, err);
	CHECK(nl && !strcmp(nl + 1, HINT), "%s: want exactly two lines, got '%s'", ctx, err);
	CHECK(nl && memmem(err, nl - err, row->says, strlen(row->says)),
	      "%s: first line '%.*s' lacks '%s'", ctx, nl ? (int)(nl - err) : 0, err, row->says);
	free(err);
}

/* what a path names is its inode; a number is taken as it is */
static void test_netns_values(void)
{
	struct config cfg = { .netns_arg = "/proc/self/ns/net" };
	struct filter_targets t;
	struct stat st;

	CHECK(!filter_targets_resolve(&t, &cfg, stderr) && !stat("/proc/self/ns/net", &st) &&
	      t.netns == st.st_ino, "--netns /proc/self/ns/net: inode %u", t.netns);
	cfg.netns_arg = "4026531840";
	CHECK(!filter_targets_resolve(&t, &cfg, stderr) && t.has_netns && t.netns == 4026531840u,
	      "--netns 4026531840: %u", t.netns);
}

int main(void)
{
	test_rport_keeps_first_event();
	test_lport_holds_until_port_known();
	test_either_port();
	test_owner_and_states();
	test_netns();
	for (size_t i = 0; i < sizeof(target_rows) / sizeof(target_rows[0]); i++)
		run_target(&target_rows[i]);
	test_netns_values();
	return UNIT_DONE();
}
