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

/* dotted quad without stdio: glibc's inet_ntop formats IPv4 through sprintf, a hot spot here */
static const char *v4_text(const uint8_t a[4], char *text)
{
	char *p = text;

	for (int i = 0; i < 4; i++) {
		if (a[i] >= 100)
			*p++ = '0' + a[i] / 100;
		if (a[i] >= 10)
			*p++ = '0' + a[i] / 10 % 10;
		*p++ = '0' + a[i] % 10;
		*p++ = i < 3 ? '.' : '\0';
	}
	return text;
}

const char *addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	const char *ok = NULL;
	size_t n;

	if (!len)
		return buf;
	if (family == AF_INET)
		ok = v4_text(addr, text);
	else if (family == AF_INET6 && is_v4_mapped(addr))
		ok = v4_text(addr + 12, text);
	else if (family == AF_INET6)
		ok = inet_ntop(AF_INET6, addr, text, sizeof(text));
	if (!ok)
		ok = "?";
	/* the text is in a full-size buffer; a short caller buffer only truncates */
	n = strlen(ok);
	if (n >= len)
		n = len - 1;
	memcpy(buf, ok, n);
	buf[n] = '\0';
	return buf;
}

int addr_version(int family, const uint8_t addr[16])
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return is_v4_mapped(addr) ? 4 : 6;
	return 0;	/* not an IP address: the text is "?" */
}
