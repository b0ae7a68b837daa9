// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* stats_dot.c - the observed state machine for Graphviz: states as nodes, transitions as edges. */
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include "stats_dot.h"
#include "stats_text.h"
#include "states.h"

void stats_dot_render(struct strbuf *sb, const struct stats *st)
{
	bool seen[STATS_STATES] = { 0 };
	char a[STATE_NAME_MAX], b[STATE_NAME_MAX], d[16];

	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++)
			if (st->pairs[o][n])
				seen[o] = seen[n] = true;
	sb_printf(sb, "// tcpstates-c: the TCP state transitions observed, %" PRIu64 " in all.\n"
		      "// Edge label: how many, and the median time spent in the state left.\n"
		      "// Render: dot -Tpng FILE -o states.png\n"
		      "digraph tcp_states {\n"
		      "\trankdir=TB;\n"
		      "\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
		      "\tedge [fontname=\"Helvetica\", fontsize=10];\n",
		  st->transitions);
	for (unsigned int s = 0; s < STATS_STATES; s++)
		if (seen[s])
			sb_printf(sb, "\t\"%s\";\n", state_name(s, a, sizeof(a)));
	for (unsigned int o = 0; o < STATS_STATES; o++)
		for (unsigned int n = 0; n < STATS_STATES; n++) {
			const struct stats_hist *h = stats_pair_hist(st, o, n);
			uint64_t c = st->pairs[o][n];

			if (!c)
				continue;
			sb_printf(sb, "\t\"%s\" -> \"%s\" [label=\"%" PRIu64,
				  state_name(o, a, sizeof(a)), state_name(n, b, sizeof(b)), c);
			if (h) {
				uint64_t median = stats_hist_percentile(h, 50);

				sb_printf(sb, "\\nmedian %s", stats_text_dur(median, d, sizeof(d)));
			}
			/* thicker for the paths most sockets take: one more per power of ten */
			sb_printf(sb, "\", penwidth=%d];\n", stats_text_digits(c));
		}
	sb_puts(sb, "}\n");
}

int stats_dot_write(int fd, const struct stats *st)
{
	struct strbuf sb = { 0 };
	size_t off = 0;
	int err = 0;

	stats_dot_render(&sb, st);
	if (sb.oom)
		err = -ENOMEM;
	while (!err && off < sb.len) {
		ssize_t w = write(fd, sb.buf + off, sb.len - off);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	sb_free(&sb);
	return err;
}
