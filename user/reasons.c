// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* reasons.c - close reasons by name; reset reasons named as the running kernel names them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "reasons.h"

static const char *const names[TS_R_MAX] = {
	[TS_R_UNKNOWN] = "unknown",
	[TS_R_ORDERLY] = "orderly",
	[TS_R_RESET_RECEIVED] = "reset_received",
	[TS_R_RESET_SENT] = "reset_sent",
	[TS_R_REFUSED] = "refused",
	[TS_R_TIMEOUT] = "timeout",
	[TS_R_TIMEWAIT_EXPIRED] = "timewait_expired",
	[TS_R_NETNS_EXIT] = "netns_exit",
	[TS_R_REUSED] = "reused",
};

const char *reason_name(unsigned int reason)
{
	if (reason == TS_R_NONE)
		return NULL;
	if (reason < TS_R_MAX && names[reason])
		return names[reason];
	return "unknown";
}

#define RST_PREFIX "SK_RST_REASON_"

/* enum sk_rst_reason grows with every kernel: take its names from the kernel itself, once */
static const struct btf_type *rst_enum(const struct btf **out)
{
	static const struct btf *btf;
	static const struct btf_type *t;
	static bool tried;
	int id;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf)) {
			btf = NULL;
		} else {
			id = btf__find_by_name_kind(btf, "sk_rst_reason", BTF_KIND_ENUM);
			t = id > 0 ? btf__type_by_id(btf, id) : NULL;
		}
	}
	*out = btf;
	return t;
}

const char *rst_reason_name(unsigned int v, char *buf, size_t len)
{
	const struct btf *btf;
	const struct btf_type *t = rst_enum(&btf);
	const struct btf_enum *e;

	snprintf(buf, len, "reason_%u", v);
	if (!t)
		return buf;
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);

		if ((unsigned int)e->val != v || !name)
			continue;
		if (!strncmp(name, RST_PREFIX, strlen(RST_PREFIX)))
			name += strlen(RST_PREFIX);
		snprintf(buf, len, "%s", name);
		for (char *c = buf; *c; c++)
			*c = tolower((unsigned char)*c);
		break;
	}
	return buf;
}
