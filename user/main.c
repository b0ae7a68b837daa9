// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* main.c - tcpstates-c: trace TCP state transitions. Wiring only: parse, check, run. */
#include <stdio.h>
#include "cli.h"
#include "preflight.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct config cfg;
	int status;

	switch (cli_parse(argc, argv, &cfg, stdout, stderr)) {
	case CLI_RUN:
		break;
	case CLI_EXIT_OK:
		return 0;
	default:
		return 2;
	}
	if (preflight_privileges() || preflight_btf("/sys/kernel/btf/vmlinux") || preflight_kernel()) {
		cli_free(&cfg);
		return 1;
	}
	status = session_run(&cfg);
	cli_free(&cfg);
	return status;
}
