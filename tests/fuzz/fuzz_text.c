// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fuzz_text.c - libFuzzer target: output_event() makes one clean line of any record, text or JSON. */
#include <sys/socket.h>
#include "fuzz.h"
#include "output.h"

/*
 * Input: a byte of options (bit 0: JSON, 1: -T, 2: -w, 3: -x, 4: --queues), 8 bytes of the
 * monotonic-to-realtime offset, then the record as the ring buffer delivers it (zero-filled if
 * short). Every field is taken as it comes but two: ts_ns, which is bpf_ktime_get_ns() and stays
 * below 2^62 (146 years of uptime), and the offset, |offset| < 2^61, so that their sum - the wall
 * clock of the transition - does not overflow an int64 (it cannot, on a real machine).
 */

/* text: printable ASCII only (no escape sequence reaches a terminal), no trailing blank; e's comm */
static void check_text(const struct mem_sink *m, const struct tcpstates_event *e)
{
	char comm[TCPSTATES_COMM_LEN];
	size_t n = e ? strnlen(e->comm, sizeof(e->comm)) : 0;

	for (size_t i = 0; i + 1 < m->len; i++)
		FUZZ_ASSERT(m->buf[i] >= 0x20 && m->buf[i] < 0x7f, "byte 0x%02x at %zu in text",
			    (unsigned char)m->buf[i], i);
	FUZZ_ASSERT(m->len < 2 || m->buf[m->len - 2] != ' ', "trailing blank: %.*s", (int)m->len,
		    m->buf);
	/* the command name shows as one token: a space as '_', other bytes outside printable ASCII as '?' */
	if (e && (e->flags & TS_F_OWNER_KNOWN) && n) {
		for (size_t i = 0; i < n; i++)
			comm[i] = e->comm[i] == ' ' ? '_' :
				  e->comm[i] > 0x20 && e->comm[i] < 0x7f ? e->comm[i] : '?';
		FUZZ_ASSERT(memmem(m->buf, m->len, comm, n), "comm '%.*s' not in: %.*s", (int)n,
			    comm, (int)m->len, m->buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_sink m;
	struct tcpstates_event e = { 0 };
	struct config cfg = { 0 };
	struct output o = { .out = &m.sink, .cfg = &cfg };
	struct json_line j;
	int64_t off = 0;

	if (size < 9)
		return -1;
	cfg.format = data[0] & 1 ? OUT_JSON : OUT_TEXT;
	cfg.show_date = data[0] & 2;
	cfg.wide = data[0] & 4;
	cfg.show_skaddr = data[0] & 8;
	cfg.show_queues = data[0] & 16;
	memcpy(&off, data + 1, 8);
	o.mono_to_real_ns = off % (1LL << 61);
	memcpy(&e, data + 9, size - 9 < sizeof(e) ? size - 9 : sizeof(e));
	e.ts_ns %= 1ULL << 62;

	mem_sink_init(&m);
	output_header(&o);
	if (cfg.format == OUT_TEXT) {
		assert_one_line(&m);
		check_text(&m, NULL);
	} else {
		FUZZ_ASSERT(m.lines == 0, "a header in JSON mode");
	}

	mem_sink_init(&m);
	output_event(&o, &e);
	assert_one_line(&m);
	if (cfg.format == OUT_TEXT) {
		check_text(&m, &e);
	} else {
		FUZZ_ASSERT(json_line_parse(&j, m.buf, m.len), "not a valid JSON line: %.*s",
			    (int)m.len, m.buf);
		json_line_free(&j);
	}
	return 0;
}
