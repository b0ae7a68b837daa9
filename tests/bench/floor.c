// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * floor.c - load and attach the empty programs of floor.bpf.c until SIGINT or SIGTERM.
 *
 *   floor OBJECT
 *
 * Says "Tracing" on stderr once every program is attached; exit status 0 on a signal, 1 when
 * the object cannot be opened, loaded or attached.
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;

	if (argc != 2) {
		fprintf(stderr, "usage: floor OBJECT\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "floor: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "Tracing (empty programs)\n");
	while (!stop)
		pause();
	/* the links and the object go with the process */
	return 0;
}
