// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* conn_record.c - a connection record (--records connections) as a line or a JSON record. */
#include <stdio.h>
#include <string.h>
#include "conn.h"
#include "conn_record.h"
#include "json_writer.h"
#include "printer.h"
#include "states.h"
#include "timefmt.h"

/* a duration in ms with one decimal, as the path's text form writes it; '?' if unknown */
static size_t path_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns == TS_DUR_UNKNOWN)
		return snprintf(buf, len, " ?");
	return snprintf(buf, len, " %llu.%llu", (unsigned long long)(ns / 1000000),
			(unsigned long long)(ns / 100000 % 10));
}

/*
 * The REASON cell of a connection's text line: its end's reason, who closed first, and the path,
 * e.g. "orderly first_fin=local SYN_SENT 0.1 > ESTABLISHED 7.3 > FIN_WAIT1 0.2 > FIN_WAIT2 0.0 >
 * TIME_WAIT" (milliseconds; the last state of one that goes on has none).
 */
static void path_text(const struct tcpstates_conn *c, const struct output *o, char *buf, size_t len)
{
	unsigned int n = c->path_len < TS_PATH_MAX ? c->path_len : TS_PATH_MAX;
	const char *fin = conn_fin_name(conn_first_fin(c));
	const char *reason = o->plan.reason[c->reason < TS_R_MAX ? c->reason : 0].text;
	char name[STATE_NAME_MAX];
	size_t at;

	at = snprintf(buf, len, "%s first_fin=%s", c->reason > TS_R_NONE && c->reason < TS_R_MAX ?
							   reason : "unknown", fin ? fin : "none");
	for (unsigned int i = 0; i < n && at < len; i++) {
		at += snprintf(buf + at, len - at, "%s%s", i ? " > " : " ",
			       state_name(c->path[i], name, sizeof(name)));
		if (at < len && !(i == n - 1 && (c->cflags & TS_C_END_OPEN)))
			at += path_dur(buf + at, len - at, c->dur_ns[i]);
	}
	if (at < len && (c->cflags & TS_C_TRUNCATED))
		snprintf(buf + at, len - at, " > ...");
}

/*
 * One cell of a connection's line: where the connection has its own value, that (CONN in
 * OLDSTATE, its role in NEWSTATE, its lifetime in MS, its reason and path in REASON); else its
 * last transition's (owner, addresses, ports, time of its end).
 */
static void conn_cell(struct printer *p, const struct output *o, enum output_field_id id,
		      const struct tcpstates_conn *c, const struct tcpstates_event *last)
{
	const char *role = conn_role_name(conn_role(c));
	char buf[640];
	uint64_t life;

	switch (id) {
	case OF_TYPE:
		print_plain(p, "connection", 10);
		break;
	case OF_RX_QUEUE:
	case OF_TX_QUEUE:
		print_null(p);
		break;
	case OF_OLDSTATE:
		print_text(p, "CONN");
		break;
	case OF_ARROW:
		print_text(p, "");
		break;
	case OF_NEWSTATE:
		print_text(p, role ? role : "-");
		break;
	case OF_DUR:
		if (conn_lifetime(c, &life))
			print_dur(p, life, false);
		else
			print_null(p);
		break;
	case OF_REASON:
		if (p->json) {
			output_fields[id].write(p, o, last);
			break;
		}
		path_text(c, o, buf, sizeof(buf));
		print_text(p, buf);
		break;
	default:
		output_fields[id].write(p, o, last);
	}
}

static void json_time_or_null(struct json_writer *w, const char *key, int64_t real_ns, bool known)
{
	char buf[TIMEFMT_LEN];

	if (known && timefmt_rfc3339(real_ns, buf, sizeof(buf)))
		json_str(w, key, buf, strlen(buf));
	else
		json_null(w, key);
}

/* what only a connection has: role, times, path, first FIN, opener, what tcp_sock knew */
static void conn_json_tail(struct json_writer *w, const struct output *o, const struct tcpstates_conn *c)
{
	unsigned int n = c->path_len < TS_PATH_MAX ? c->path_len : TS_PATH_MAX;
	const char *role = conn_role_name(conn_role(c));
	const char *fin = conn_fin_name(conn_first_fin(c));
	bool tcp = c->cflags & TS_C_TCP_INFO, segs = c->cflags & TS_C_SEGS;
	char name[STATE_NAME_MAX];
	uint64_t life;

	if (role)
		json_str(w, "role", role, strlen(role));
	else
		json_null(w, "role");
	json_time_or_null(w, "start", (int64_t)c->start_ns + o->mono_to_real_ns,
			  c->cflags & TS_C_START_KNOWN);
	json_time_or_null(w, "end", (int64_t)c->end_ns + o->mono_to_real_ns, true);
	if (conn_lifetime(c, &life))
		json_uint(w, "lifetime_ns", life);
	else
		json_null(w, "lifetime_ns");
	json_open(w, "path", '[');
	for (unsigned int i = 0; i < n; i++) {
		const char *s = state_name(c->path[i], name, sizeof(name));
		bool open = i == n - 1 && (c->cflags & TS_C_END_OPEN);

		json_open(w, NULL, '{');
		json_str(w, "state", s, strlen(s));
		if (open || c->dur_ns[i] == TS_DUR_UNKNOWN)
			json_null(w, "dur_ns");
		else
			json_uint(w, "dur_ns", c->dur_ns[i]);
		json_close(w, '}');
	}
	json_close(w, ']');
	json_bool(w, "path_truncated", c->cflags & TS_C_TRUNCATED);
	if (fin)
		json_str(w, "first_fin", fin, strlen(fin));
	else
		json_null(w, "first_fin");
	if ((c->cflags & TS_C_OPENER) && c->opener_pid != c->pid) {
		json_uint(w, "opener_pid", c->opener_pid);
		json_str(w, "opener_comm", c->opener_comm, strnlen(c->opener_comm,
								    sizeof(c->opener_comm)));
	} else {
		json_null(w, "opener_pid");
		json_null(w, "opener_comm");
	}
	if (tcp) {
		json_uint(w, "srtt_us", c->srtt_us);
		json_uint(w, "retrans", c->retrans);
	} else {
		json_null(w, "srtt_us");
		json_null(w, "retrans");
	}
	if (segs) {
		json_uint(w, "segs_in", c->segs_in);
		json_uint(w, "segs_out", c->segs_out);
	} else {
		json_null(w, "segs_in");
		json_null(w, "segs_out");
	}
}

void conn_write(struct output *o, const struct tcpstates_conn *c)
{
	const struct output_plan *pl = output_plan(o);
	struct tcpstates_event last;
	struct printer p;

	conn_last_event(c, &last);
	printer_begin(&p, o->out, o->cfg);
	for (size_t i = 0; i < pl->n; i++) {
		enum output_field_id id = pl->order[i];

		if (p.json && !(output_fields[id].flags & FIELD_CONN))
			continue;
		printer_column(&p, &pl->col[id]);
		conn_cell(&p, o, id, c, &last);
	}
	if (p.json)
		conn_json_tail(&p.jw, o, c);
	if (p.json && (last.flags & TS_F_OWNER_KNOWN))
		output_container_json(&p, o->containers, last.cgroup_id, last.pid);
	printer_end(&p);
}
