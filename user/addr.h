/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* addr.h - socket addresses as text. */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STR_LEN 46 /* INET6_ADDRSTRLEN: the longest IPv6 text plus its NUL */

/*
 * Write the address of `family` (AF_INET: first 4 bytes; AF_INET6: 16 bytes) as text. An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) is written as plain IPv4. Returns buf.
 */
const char *addr_format(int family, const uint8_t addr[16], char *buf, size_t len);

/* The same text into a buffer of full size, without truncation checks; returns its length. */
size_t addr_text(int family, const uint8_t addr[16], char buf[ADDR_STR_LEN]);

#endif
