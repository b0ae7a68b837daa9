// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* states.c - TCP state names, indexed by the kernel's state numbers. */
#include <stdio.h>
#include <strings.h>
#include <linux/types.h>
#include "tcpstates.h"
#include "states.h"

/* netstat's spelling: the names of include/tcpstates.h's list */
static const char *const names[TS_MAX_STATE] = {
#define STATE_NAME(name, num) [TS_##name] = #name,
	TS_STATE_LIST(STATE_NAME)
#undef STATE_NAME
};

const char *state_name(unsigned int s, char *buf, size_t len)
{
	if (s < TS_MAX_STATE && names[s])
		return names[s];
	snprintf(buf, len, "UNKNOWN(%u)", s);
	return buf;
}

/* compare ignoring case and treating '-' as '_', and "FIN_WAIT_1" as "FIN_WAIT1" */
static int same_name(const char *canon, const char *in)
{
	for (; *canon; canon++, in++) {
		char c = *in == '-' ? '_' : *in;

		/* ss writes FIN-WAIT-1: skip a separator before the digit */
		if ((c == '_') && *canon >= '1' && *canon <= '2')
			c = *++in;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != *canon)
			return 0;
	}
	return *in == '\0';
}

int state_parse(const char *name)
{
	for (int s = 0; s < TS_MAX_STATE; s++)
		if (names[s] && same_name(names[s], name))
			return s;
	return -1;
}
