/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* cli.h - the command line, parsed into a config. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "tcpstates.h"

#define CLI_MAX_PORTS 64

/* the line that follows every error in the arguments (cli_parse's, and --cgroup's or --netns's
 * when they are resolved) */
#define CLI_HINT "Try 'tcpstates-c --help' for more information.\n"

enum out_format {
	OUT_TEXT = 0,
	OUT_JSON,
};

/* which kernel hook to use; auto tries tp_btf, then the classic tracepoint */
enum hook_choice {
	HOOK_AUTO = 0,
	HOOK_BTF,
	HOOK_TRACEPOINT,
};

struct port_list {
	int n;				/* number of ports; 0: no filter */
	uint16_t port[CLI_MAX_PORTS];	/* host order, 1-65535 */
};

#define STUCK_DETAIL_DEFAULT 3		/* --stuck-detail: reports per group and round */
#define STUCK_DETAIL_ALL UINT32_MAX	/* --stuck-detail all */

struct config {
	int family;			/* 0: both, 4: -4, 6: -6 (family of the socket) */
	struct port_list lports;	/* -L/--lport */
	struct port_list rports;	/* -D/--rport */
	struct port_list ports;		/* --port: either end */
	bool has_pid;			/* -p given */
	uint32_t pid;			/* -p: owner's tgid */
	bool has_comm;			/* -c given */
	char comm[16];			/* -c: owner's command, exact, at most 15 bytes */
	uint32_t state_mask;		/* --state: bit (1 << state); 0 = all */
	bool show_date;			/* -T: date in TIME */
	bool wide;			/* -w: columns wide enough for IPv6 */
	bool show_skaddr;		/* -x: kernel socket address column */
	bool show_queues;		/* --queues: RECV-Q and SEND-Q columns */
	bool show_containers;		/* -K: CONTAINER column */
	bool show_timers;		/* --timers: TIMER column (snapshot and stuck lines) */
	bool no_snapshot;		/* --no-snapshot: do not list the sockets that exist at start */
	bool no_timewait;		/* --no-timewait: do not follow timewait minisockets */
	double tw_period_s;		/* --timewait-period: how often waiting FIN_WAIT2 orphans
					 * are looked at (seconds) */
	double stuck_s;			/* --stuck: report sockets this long in a closing or
					 * opening state (seconds; 0: off) */
	uint32_t stuck_detail;		/* --stuck-detail: reports per group and round
					 * (STUCK_DETAIL_ALL: every one) */
	enum out_format format;		/* -j: JSON lines */
	enum tcpstates_records records;	/* --records: a record per transition, per connection,
					 * or none (counted in the kernel) */
	double duration_s;		/* -d: stop after this many seconds; 0 = never */
	uint64_t count;			/* -n: stop after this many printed transitions; 0 = never */
	bool verbose;			/* -v: hook in use, libbpf debug output */
	enum hook_choice hook;		/* --hook (for tests and odd kernels) */
	uint32_t ringbuf_mb;		/* --ringbuf-mb: ring buffer size in MiB (power of two) */
	const char *netns_arg;		/* --netns as given: an inode number or a namespace file
					 * (argv's; NULL: none) */
	const char *pod;		/* --pod as given: [NAMESPACE/]NAME (argv's; NULL: none) */
	const char *container;		/* --container as given: a name or an id's first digits
					 * (argv's; NULL: none) */
	const char *cgroup_path;	/* --cgroup as given: a cgroup v2 directory (argv's; NULL:
					 * none) */
	bool summary;			/* --summary: the stats block at exit (text) */
	double interval_s;		/* --interval: the stats block every this many seconds; 0 =
					 * never */
	const char *dot_path;		/* --dot: the state graph goes there at exit (argv's) */
	const char *output_path;	/* -o: the output is appended there, not to stdout (argv's) */
	bool metrics_pod_ns;		/* --metrics-pod-namespace: transitions by pod namespace */
	const char *metrics_path;	/* --metrics-file: Prometheus text file (argv's; NULL: none) */
	double metrics_period_s;	/* --metrics-period: how often it is rewritten (seconds) */
};

enum cli_status {
	CLI_RUN = 0,		/* config is ready: trace */
	CLI_EXIT_OK = 1,	/* --help or --version was printed: exit 0 */
	CLI_EXIT_USAGE = 2,	/* bad arguments, message printed: exit 2 */
};

/*
 * Parse argv into cfg (which is reset to defaults first). Help and version go to `out`; errors go
 * to `err` as one line "tcpstates-c: <what was wrong>" followed by a usage hint line.
 */
enum cli_status cli_parse(int argc, char **argv, struct config *cfg, FILE *out, FILE *err);

/* The long options cli_parse knows, ending in an all-zero entry (the tests check each one is
 * described by --help and has rows of its own). */
struct option;
const struct option *cli_long_options(void);

#endif
