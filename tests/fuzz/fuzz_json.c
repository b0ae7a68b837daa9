// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fuzz_json.c - libFuzzer target: user/json_writer.c turns any bytes into one valid JSON line. */
#include <inttypes.h>
#include "fuzz.h"
#include "json_writer.h"

/*
 * Input: 8 bytes of a number, 1 byte choosing how many strings, then the strings' bytes (split
 * evenly). At most STR_MAX bytes of strings: each appears twice in the object and may grow 6-fold
 * when escaped, and a line holds LINEBUF_CAP bytes (real records carry far less: a comm of 16).
 */
#define NSTR_MAX 4
#define STR_MAX 150

/* what the writer promises for s: itself if well-formed UTF-8, else each bad byte as U+FFFD */
static size_t repaired(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0, len;

	while (i < n) {
		if (utf8_decode((const unsigned char *)s + i, n - i, &len) < 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3, i++;
		} else {
			memcpy(out + o, s + i, len);
			o += len, i += len;
		}
	}
	return o;
}

/* decoded string k of the line is the repair of s[0..n) */
static void check_str(const struct json_line *j, int k, const char *s, size_t n)
{
	char want[3 * STR_MAX];
	size_t wn = repaired(s, n, want);

	FUZZ_ASSERT(k < j->n, "string %d missing", k);
	FUZZ_ASSERT(j->len[k] == wn && !memcmp(j->str[k], want, wn),
		    "string %d does not read back as written", k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_sink m;
	char parts[NSTR_MAX][STR_MAX + 1] = { { 0 } }, key[8], num[64];
	const char *arr[NSTR_MAX];
	size_t plen[NSTR_MAX], nstr, each, slen, pos = 0;
	struct json_writer w;
	struct json_line j;
	int64_t v = 0;
	int k = 0;

	if (size < 9)
		return -1;
	memcpy(&v, data, 8);
	nstr = 1 + data[8] % NSTR_MAX;
	data += 9, size -= 9;
	slen = size < STR_MAX ? size : STR_MAX;
	each = slen / nstr;
	for (size_t i = 0; i < nstr; i++) {
		plen[i] = i + 1 < nstr ? each : slen - pos;
		memcpy(parts[i], data + pos, plen[i]);
		pos += plen[i];
		arr[i] = parts[i];	/* as a C string: up to its first NUL */
	}

	mem_sink_init(&m);
	json_begin(&w, &m.sink);
	for (size_t i = 0; i < nstr; i++) {
		snprintf(key, sizeof(key), "s%zu", i);
		json_str(&w, key, parts[i], plen[i]);
	}
	json_uint(&w, "u", (uint64_t)v);
	json_bool(&w, "b", v & 1);
	json_null(&w, "z");
	json_str_array(&w, "a", arr, nstr);
	json_end(&w);

	assert_one_line(&m);
	FUZZ_ASSERT(!memchr(m.buf, 0x7f, m.len), "raw DEL in the line");
	FUZZ_ASSERT(json_line_parse(&j, m.buf, m.len), "not a valid JSON line: %.*s", (int)m.len,
		    m.buf);
	for (size_t i = 0; i < nstr; i++, k += 2) {
		snprintf(key, sizeof(key), "s%zu", i);
		check_str(&j, k, key, strlen(key));
		check_str(&j, k + 1, parts[i], plen[i]);
	}
	/* numbers as printf writes them; the keys u, b, z and a follow the strings */
	snprintf(num, sizeof(num), ",\"u\":%" PRIu64 ",\"b\":%s,\"z\":null,", (uint64_t)v,
		 v & 1 ? "true" : "false");
	FUZZ_ASSERT(memmem(m.buf, m.len, num, strlen(num)), "numbers: want %s in %.*s", num,
		    (int)m.len, m.buf);
	k += 3;	/* the keys u, b, z */
	FUZZ_ASSERT(k + 1 + (int)nstr == j.n, "%d strings read back, want %d", j.n,
		    k + 1 + (int)nstr);
	check_str(&j, k++, "a", 1);
	for (size_t i = 0; i < nstr; i++)
		check_str(&j, k + (int)i, arr[i], strlen(arr[i]));
	json_line_free(&j);
	return 0;
}
