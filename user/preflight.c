// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* preflight.c - check privileges and BTF up front, so failures read as a sentence, not an errno. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "preflight.h"

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39

/* effective capability set of this process, from /proc/self/status */
static unsigned long long effective_caps(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

int preflight_privileges(void)
{
	unsigned long long caps = effective_caps();
	bool admin = caps & (1ULL << CAP_SYS_ADMIN);
	bool bpf_perfmon = (caps & (1ULL << CAP_BPF)) && (caps & (1ULL << CAP_PERFMON));

	if (admin || bpf_perfmon)
		return 0;
	fprintf(stderr, "tcpstates-c: needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) to load "
			"its BPF program; run it with sudo\n");
	return 1;
}

int preflight_btf(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	fprintf(stderr, "tcpstates-c: this kernel exposes no BTF (%s is missing); it needs a kernel "
			"built with CONFIG_DEBUG_INFO_BTF=y\n", path);
	return 1;
}

int preflight_kernel(void)
{
	struct utsname u;

	/* the ring buffer is the newest thing the core cannot do without (5.8) */
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0)
		return 0;
	fprintf(stderr, "tcpstates-c: kernel %s is too old: tcpstates-c needs Linux %s or later "
			"(its BPF ring buffer)\n",
		uname(&u) ? "?" : u.release, TCPSTATES_MIN_KERNEL);
	return 1;
}
