/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* states.h - TCP state names as netstat on Linux prints them, and their parser. */
#ifndef STATES_H
#define STATES_H

#include <stddef.h>

#define STATE_NAME_MAX 16 /* "UNKNOWN(255)" and every real name fit */

/* Name of state `s`; an unknown number is written as "UNKNOWN(n)" into buf and buf returned. */
const char *state_name(unsigned int s, char *buf, size_t len);

/* Parse a state name (case-insensitive; '-' accepted for '_', as ss writes FIN-WAIT-1).
 * Returns the state number, or -1 if the name is not a TCP state. */
int state_parse(const char *name);

#endif
