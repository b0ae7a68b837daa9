// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* loss.c - the causes of loss by name and unit, as arrays, deltas and text. */
#include <stdio.h>
#include <string.h>
#include "loss.h"

#define LOSS_NAME(name, unit) #name,
const char *const loss_names[LOSS_CAUSES] = { LOSS_CAUSE_LIST(LOSS_NAME) };
#undef LOSS_NAME

#define LOSS_UNIT(name, unit) unit,
const char *const loss_units[LOSS_CAUSES] = { LOSS_CAUSE_LIST(LOSS_UNIT) };
#undef LOSS_UNIT

void loss_values(const struct loss_counts *c, uint64_t v[LOSS_CAUSES])
{
#define LOSS_VALUE(name, unit) v[LOSS_##name] = c->name;
	LOSS_CAUSE_LIST(LOSS_VALUE)
#undef LOSS_VALUE
}

bool loss_since(struct loss_counts *d, const struct loss_counts *now,
		const struct loss_counts *before)
{
	bool any = false;

#define LOSS_DELTA(name, unit)              \
	d->name = now->name - before->name; \
	any |= now->name != before->name;
	LOSS_CAUSE_LIST(LOSS_DELTA)
#undef LOSS_DELTA
	return any;
}

void loss_text(const struct loss_counts *l, char *buf, size_t len)
{
	uint64_t v[LOSS_CAUSES];
	size_t n = 0;

	loss_values(l, v);
	buf[0] = '\0';
	for (int i = 0; i < LOSS_CAUSES && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s %llu", i ? ", " : "", loss_names[i],
			      (unsigned long long)v[i]);
}

/* is cause i the first in the list counted in its unit? */
static bool first_of_unit(int i)
{
	for (int k = 0; k < i; k++)
		if (!strcmp(loss_units[k], loss_units[i]))
			return false;
	return true;
}

void loss_units_text(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < LOSS_CAUSES && n < len; i++) {
		int in_unit = 0, left = 0;

		if (!first_of_unit(i))
			continue;
		for (int k = i; k < LOSS_CAUSES; k++)
			left += !strcmp(loss_units[k], loss_units[i]);
		/* "a", "a and b", "a, b and c" */
		for (int k = i; k < LOSS_CAUSES && n < len; k++) {
			const char *sep;

			if (strcmp(loss_units[k], loss_units[i]))
				continue;
			left--;
			if (!in_unit++)		/* the unit's first cause: after the last unit */
				sep = n ? ", " : "";
			else
				sep = left ? ", " : " and ";
			n += snprintf(buf + n, len - n, "%s%s", sep, loss_names[k]);
		}
		if (n < len)
			n += snprintf(buf + n, len - n, " %s", loss_units[i]);
	}
}
