// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* test_addr.c - addresses as text: IPv4, IPv6, IPv4-mapped, the longest IPv6, short buffers. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "unit.h"

static const struct {
	const char *name;
	int family;
	uint8_t addr[16];
	const char *want;
} rows[] = {
	{ "v4", AF_INET, { 192, 168, 1, 20 }, "192.168.1.20" },
	{ "v4 longest", AF_INET, { 255, 255, 255, 255 }, "255.255.255.255" },
	{ "v4 any", AF_INET, { 0 }, "0.0.0.0" },
	/* only the first 4 bytes of an AF_INET address count */
	{ "v4 tail ignored", AF_INET, { 10, 0, 0, 1, 9, 9, 9, 9 }, "10.0.0.1" },
	{ "v6", AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
	{ "v6 loopback", AF_INET6, { [15] = 1 }, "::1" },
	{ "v6 any", AF_INET6, { 0 }, "::" },
	{ "v6 link-local", AF_INET6,
	  { 0xfe, 0x80, [8] = 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 },
	  "fe80::211:22ff:fe33:4455" },
	{ "v6 longest", AF_INET6,
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "v4-mapped", AF_INET6, { [10] = 0xff, 0xff, 127, 0, 0, 1 }, "127.0.0.1" },
	{ "v4-mapped any", AF_INET6, { [10] = 0xff, 0xff }, "0.0.0.0" },
	/* not mapped: the prefix must be exactly ::ffff */
	{ "v6 near mapped", AF_INET6, { [9] = 1, 0xff, 0xff, 127, 0, 0, 1 }, "::1:ffff:7f00:1" },
	{ "unknown family", AF_UNIX, { 1, 2, 3, 4 }, "?" },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void test_format(void)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		char buf[ADDR_STR_LEN + 4];
		const char *got;
		char text[ADDR_STR_LEN];
		size_t n;

		/* the guard bytes past ADDR_STR_LEN must survive */
		memset(buf, '#', sizeof(buf));
		got = addr_format(rows[i].family, rows[i].addr, buf, ADDR_STR_LEN);

		CHECK(got == buf, "%s: returns buf", rows[i].name);
		CHECK_STR(got, rows[i].want, rows[i].name);
		CHECK(!memcmp(buf + ADDR_STR_LEN, "####", 4), "%s: wrote past len", rows[i].name);
		/* the output's writer: the same text into a full-size buffer, and its length */
		n = addr_text(rows[i].family, rows[i].addr, text);
		CHECK(n == strlen(rows[i].want) && !strcmp(text, rows[i].want), "%s: addr_text %zu '%s'",
		      rows[i].name, n, text);
	}
}

/* a short buffer is truncated and terminated, never overrun; len 0 writes nothing */
static void test_short_buffer(void)
{
	static const uint8_t full[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char buf[16], longest[40];

	/* the longest text there is, 39 characters, fits 40 bytes whole: no room is lost to a
	 * needless byte, and ADDR_STR_LEN (which callers size their buffers by) holds it */
	CHECK(strlen(addr_format(AF_INET6, full, longest, sizeof(longest))) == 39 &&
	      ADDR_STR_LEN >= sizeof(longest), "longest IPv6 text: '%s' in 40 bytes", longest);
	memset(buf, '#', sizeof(buf));
	CHECK_STR(addr_format(AF_INET6, full, buf, 10), "ffff:ffff", "truncated to 9 + NUL");
	CHECK(buf[10] == '#', "short buffer: wrote past len");
	memset(buf, '#', sizeof(buf));
	addr_format(AF_INET6, full, buf, 0);
	CHECK(buf[0] == '#', "len 0: wrote into buf");
	CHECK_STR(addr_format(AF_INET, full, buf, 1), "", "len 1: empty string");
}

int main(void)
{
	test_format();
	test_short_buffer();
	return UNIT_DONE();
}
