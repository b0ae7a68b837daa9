// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_filter.c - filters: per-event tests, and port filters decided per socket. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	struct filter f;

	n_emitted = 0;
	filter_init(&f, cfg);
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

int main(void)
{
	test_rport_keeps_first_event();
	test_lport_holds_until_port_known();
	test_either_port();
	test_owner_and_states();
	return UNIT_DONE();
}
