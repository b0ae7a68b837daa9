// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fuzz_cli.c - libFuzzer target: cli_parse() on any argv: a valid config, or one error and a hint. */
#include <math.h>
#include <linux/types.h>
#include "cli.h"
#include "fuzz.h"
#include "tcpstates.h"

/* Input: the arguments after argv[0], each ended by a NUL (the last one need not be). */
#define MAX_ARGS 32
#define HINT "Try 'tcpstates-c --help' for more information.\n"

struct run {
	enum cli_status st;
	struct config cfg;
	char *out, *err;	/* what went to each stream */
	size_t nout, nerr;
};

static void parse(int argc, char **argv, struct run *r)
{
	FILE *out = open_memstream(&r->out, &r->nout), *err = open_memstream(&r->err, &r->nerr);

	FUZZ_ASSERT(out && err, "open_memstream");
	r->st = cli_parse(argc, argv, &r->cfg, out, err);
	fclose(out);
	fclose(err);
}

static bool ports_ok(const struct port_list *l)
{
	if (l->n < 0 || l->n > CLI_MAX_PORTS)
		return false;
	for (int i = 0; i < l->n; i++)
		if (l->port[i] == 0)
			return false;
	return true;
}

/* a config cli_parse says is ready holds only values its options allow */
static void check_config(const struct config *c)
{
	FUZZ_ASSERT(c->family == 0 || c->family == 4 || c->family == 6, "family %d", c->family);
	FUZZ_ASSERT(ports_ok(&c->lports) && ports_ok(&c->rports) && ports_ok(&c->ports), "ports");
	FUZZ_ASSERT(!c->has_pid || (c->pid >= 1 && c->pid <= 4194304), "pid %u", c->pid);
	FUZZ_ASSERT(!c->has_comm || (c->comm[0] && memchr(c->comm, 0, sizeof(c->comm))), "comm");
	FUZZ_ASSERT(!(c->state_mask & ~((1u << TS_MAX_STATE) - 1)) && !(c->state_mask & 1),
		    "state mask 0x%x", c->state_mask);
	FUZZ_ASSERT(c->ringbuf_mb >= 1 && c->ringbuf_mb <= 1024 &&
		    !(c->ringbuf_mb & (c->ringbuf_mb - 1)), "ringbuf %u", c->ringbuf_mb);
	FUZZ_ASSERT(isfinite(c->duration_s) && c->duration_s >= 0 && c->duration_s <= 31536000,
		    "duration %g", c->duration_s);
	FUZZ_ASSERT(c->tw_period_s >= 0.01 && c->tw_period_s <= 60, "period %g", c->tw_period_s);
	FUZZ_ASSERT(c->format == OUT_TEXT || c->format == OUT_JSON, "format %d", c->format);
	FUZZ_ASSERT(c->hook >= HOOK_AUTO && c->hook <= HOOK_TRACEPOINT, "hook %d", c->hook);
}

/* an error is "tcpstates-c: ..." and the hint; one line and the hint when the arguments hold no
 * control character (an argument's own newline is echoed as it is, for now: issue 9, item 6) */
static void check_error(const struct run *r, int argc, char **argv)
{
	bool plain = true;
	size_t lines = 0;

	for (int i = 1; i < argc; i++)
		for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++)
			plain &= *p >= 0x20 && *p != 0x7f;
	for (size_t i = 0; i < r->nerr; i++)
		lines += r->err[i] == '\n';
	FUZZ_ASSERT(r->nout == 0, "usage error wrote to stdout");
	FUZZ_ASSERT(r->nerr > strlen(HINT) && !strncmp(r->err, "tcpstates-c: ", 13) &&
		    !strcmp(r->err + r->nerr - strlen(HINT), HINT), "error message: %s", r->err);
	FUZZ_ASSERT(!plain || lines == 2, "%zu lines of error: %s", lines, r->err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2] = { "tcpstates-c" };
	struct run a = { 0 }, b = { 0 };
	int argc = 1;

	FUZZ_ASSERT(copy, "out of memory");
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; p < copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	parse(argc, argv, &a);
	if (a.st == CLI_RUN) {
		FUZZ_ASSERT(a.nout == 0 && a.nerr == 0, "a ready config printed something");
		check_config(&a.cfg);
	} else if (a.st == CLI_EXIT_OK) {
		FUZZ_ASSERT(a.nout > 0 && a.nerr == 0, "help/version: stdout only");
	} else {
		FUZZ_ASSERT(a.st == CLI_EXIT_USAGE, "status %d", a.st);
		check_error(&a, argc, argv);
	}
	/* the same arguments again: nothing is left over from the first parse (getopt's state) */
	parse(argc, argv, &b);
	FUZZ_ASSERT(a.st == b.st && a.nerr == b.nerr && !memcmp(a.err, b.err, a.nerr),
		    "a second parse differs");
	free(a.out), free(a.err), free(b.out), free(b.err);
	free(copy);
	return 0;
}
