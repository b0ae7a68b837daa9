// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fuzz_addr.c - libFuzzer target: user/addr.c writes what inet_ntop writes, into any buffer size. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include "addr.h"
#include "fuzz.h"

/* Input: a family selector byte, a buffer length byte, then the 16 address bytes. */

/* the text libc gives for it: the reference addr_format must match */
static const char *reference(int family, const uint8_t a[16], char *buf)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return inet_ntop(AF_INET, a, buf, INET6_ADDRSTRLEN);
	if (family == AF_INET6 && !memcmp(a, mapped, 12))
		return inet_ntop(AF_INET, a + 12, buf, INET6_ADDRSTRLEN);
	if (family == AF_INET6)
		return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
	return "?";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[4] = { AF_INET, AF_INET6, AF_UNSPEC, AF_UNIX };
	char full[ADDR_STR_LEN], ref[INET6_ADDRSTRLEN], *small;
	const char *want, *got;
	uint8_t addr[16] = { 0 };
	char text[ADDR_STR_LEN];
	int family;
	size_t len;

	if (size < 2)
		return -1;
	/* mostly the two real families; sometimes a raw value, as a corrupt record would carry */
	family = data[0] < 0xf0 ? families[data[0] % 4] : data[0];
	len = data[1] % (ADDR_STR_LEN + 2);
	memcpy(addr, data + 2, size - 2 < 16 ? size - 2 : 16);

	want = reference(family, addr, ref);
	got = addr_format(family, addr, full, sizeof(full));
	FUZZ_ASSERT(got == full, "addr_format returns its buffer");
	FUZZ_ASSERT(!strcmp(full, want), "family %d: got '%s', want '%s'", family, full, want);

	/* the full-size writer the output uses: the same text, its length returned */
	len = addr_text(family, addr, text);
	FUZZ_ASSERT(len == strlen(want) && !strcmp(text, want), "addr_text: %zu '%s', want '%s'",
		    len, text, want);
	len = data[1] % (ADDR_STR_LEN + 2);

	/* a buffer of exactly len bytes (ASan sees a byte past it, even for 0): a truncated prefix */
	small = malloc(len);
	FUZZ_ASSERT(small || !len, "out of memory");
	memset(small, 'X', len);
	got = addr_format(family, addr, small, len);
	FUZZ_ASSERT(got == small, "addr_format returns its buffer (len %zu)", len);
	if (len) {
		size_t n = strnlen(small, len);

		FUZZ_ASSERT(n < len, "no NUL within %zu bytes", len);
		FUZZ_ASSERT(n == (strlen(full) < len ? strlen(full) : len - 1) &&
			    !memcmp(small, full, n), "len %zu: got '%s' for '%s'", len, small, full);
	}
	free(small);
	return 0;
}
