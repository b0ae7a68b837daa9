// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* reasons.c - close reasons by name; reset reasons named as the running kernel names them. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "reasons.h"

/* the words of include/tcpstates.h's list */
static const char *const names[TS_R_MAX] = {
#define REASON_NAME(name, word) [TS_R_##name] = #word,
	TS_REASON_LIST(REASON_NAME)
#undef REASON_NAME
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

#define RST_MAX 256	/* names kept; the kernel has about 50 */

/* enum sk_rst_reason grows with every kernel: its names, taken from the kernel itself, once */
static struct rst_name {
	unsigned int val;
	char name[REASON_NAME_MAX];	/* lowercased, without the prefix */
} rst_names[RST_MAX];
static int n_rst;
static bool rst_loaded;

/* once, and before the loop (user/privdrop.c): after it, no file can be opened */
void reasons_load(void)
{
	struct btf *btf;
	const struct btf_type *t;
	const struct btf_enum *e;
	int id;

	if (rst_loaded)
		return;
	rst_loaded = true;
	btf = btf__load_vmlinux_btf();
	if (libbpf_get_error(btf))
		return;
	id = btf__find_by_name_kind(btf, "sk_rst_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	e = t ? btf_enum(t) : NULL;
	for (int i = 0; t && i < btf_vlen(t) && n_rst < RST_MAX; i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);
		struct rst_name *r = &rst_names[n_rst];

		if (!name)
			continue;
		if (!strncmp(name, RST_PREFIX, strlen(RST_PREFIX)))
			name += strlen(RST_PREFIX);
		r->val = e->val;
		snprintf(r->name, sizeof(r->name), "%s", name);
		for (char *c = r->name; *c; c++)
			*c = tolower((unsigned char)*c);
		n_rst++;
	}
	btf__free(btf);
}

const char *rst_reason_name(unsigned int v, char *buf, size_t len)
{
	reasons_load();
	snprintf(buf, len, "reason_%u", v);
	for (int i = 0; i < n_rst; i++)
		if (rst_names[i].val == v) {
			snprintf(buf, len, "%s", rst_names[i].name);
			break;
		}
	return buf;
}
