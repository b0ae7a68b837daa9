// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* addr.c - socket addresses as text: IPv4, IPv6, and IPv4-mapped IPv6 shown as IPv4. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"

/* ::ffff:a.b.c.d is how a dual-stack socket holds an IPv4 peer: people know it as a.b.c.d */
static int is_v4_mapped(const uint8_t addr[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(addr, prefix, sizeof(prefix)) == 0;
}

/* "0." ... "255.": each byte's text and its dot, made once */
static struct {
	char text[4];
	uint8_t len;
} octets[256];

static void octets_make(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		char *p = octets[v].text;

		if (v >= 100)
			*p++ = '0' + v / 100;
		if (v >= 10)
			*p++ = '0' + v / 10 % 10;
		*p++ = '0' + v % 10;
		*p++ = '.';
		octets[v].len = p - octets[v].text;
	}
}

/* dotted quad without stdio (glibc's inet_ntop formats IPv4 through sprintf); its length */
static size_t v4_text(const uint8_t a[4], char *text)
{
	char *p = text;

	if (!octets[0].len)
		octets_make();
	for (int i = 0; i < 4; i++) {
		memcpy(p, octets[a[i]].text, 4);
		p += octets[a[i]].len;
	}
	p[-1] = '\0';
	return p - 1 - text;
}

size_t addr_text(int family, const uint8_t addr[16], char buf[ADDR_STR_LEN])
{
	if (family == AF_INET)
		return v4_text(addr, buf);
	if (family == AF_INET6 && is_v4_mapped(addr))
		return v4_text(addr + 12, buf);
	if (family == AF_INET6 && inet_ntop(AF_INET6, addr, buf, ADDR_STR_LEN))
		return strlen(buf);
	memcpy(buf, "?", 2);
	return 1;
}

const char *addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	char text[ADDR_STR_LEN];
	size_t n;

	if (!len)
		return buf;
	/* the text is in a full-size buffer; a short caller buffer only truncates */
	n = addr_text(family, addr, text);
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}
