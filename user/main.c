// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* main.c - tcpstates-c: trace TCP state transitions. Wiring only: parse, resolve, check, run. */
#include <stdio.h>
#include "cli.h"
#include "filter.h"
#include "preflight.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct filter_targets targets;
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
	/* what --cgroup and --netns name, beside the config (which stays as typed) */
	if (filter_targets_resolve(&targets, &cfg, stderr))
		return 2;
	if (preflight_privileges() || preflight_btf("/sys/kernel/btf/vmlinux") || preflight_kernel())
		status = 1;
	else
		status = session_run(&cfg, &targets);
	filter_targets_free(&targets);
	return status;
}
