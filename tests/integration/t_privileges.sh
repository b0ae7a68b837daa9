#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_privileges: once attached and past its snapshot, the tracer keeps at most CAP_BPF and
# CAP_PERFMON (effective, permitted, bounding; nothing inheritable or ambient), has no_new_privs
# set and runs under a seccomp filter - and still does all of its work there:
# (a) SIGTERM run: one connection made after the drop, its exact transitions (TIME_WAIT too), the
#     summary last (the counters read after the drop), exit 0;
# (b) SIGINT run: three orphans whose FIN_WAIT2 -> TIME_WAIT the periodic check (BPF_PROG_TEST_RUN
#     after the drop) finds, as in t_timewait_ends (f); summary last, exit 0;
# (c) SIGHUP run with -v, alongside (b): exit 0, summary last, -v says what was kept.
# No run says "cannot drop privileges" or that a call was not permitted.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

ALLOWED=0x000000c000000000	# CAP_BPF | CAP_PERFMON

# wait_dropped PID SECONDS: until /proc/PID/status says NoNewPrivs 1 (the drop is done)
wait_dropped() {
	local i
	for i in $(seq $(($2 * 20))); do
		grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# check_dropped LABEL PID: what /proc/PID/status shows while it traces
check_dropped() {
	local label=$1 pid=$2 f v
	wait_dropped "$pid" 20 || { not_ok "$label: no_new_privs set within 20 s of start"; return; }
	for f in CapEff CapPrm CapBnd; do
		v=$(status_field "$pid" $f)
		check "$label: $f $v is within CAP_BPF|CAP_PERFMON" [ $((0x$v & ~ALLOWED)) = 0 ]
	done
	for f in CapInh CapAmb; do
		v=$(status_field "$pid" $f)
		check "$label: $f $v is empty" [ $((0x$v)) = 0 ]
	done
	v=$(status_field "$pid" NoNewPrivs)
	check "$label: NoNewPrivs $v is 1" [ "$v" = 1 ]
	v=$(status_field "$pid" Seccomp)
	check "$label: Seccomp $v is 2 (filter)" [ "$v" = 2 ]
}

# check_quiet LABEL ERR: stderr says nothing about privileges or calls refused
check_quiet() {
	local bad
	bad=$(grep -E 'cannot drop privileges|not permitted' "$2")
	check "$1: nothing refused on stderr${bad:+ (got: $bad)}" [ -z "$bad" ]
}

last_is_summary() { tail -n 1 "$1" | grep -q '"type":"summary"'; }
summary_counts() { tail -n 1 "$1" | grep -qE '"kernel_transitions":[1-9][0-9]*,'; }

netns_setup priv || { not_ok "namespaces set up"; finish; }

# ---- (a) SIGTERM: a connection traced exactly after the drop -------------------------------------

start_tracer "$TS_TMP/a.jsonl" "$TS_TMP/a.err" -j || { not_ok "(a) tracer starts"; finish; }
TA=$TRACER_PID
check_dropped "(a)" "$TA"
basic_connection 4 "$TS_TMP/a" || not_ok "(a) scenario ran"
stop_tracer "$TA"
check "(a) exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
check_quiet "(a)" "$TS_TMP/a.err"
run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/a.jsonl" --label "(a)" \
	--srv "$TS_TMP/a.srv" --cli "$TS_TMP/a.cli" --netns-s "$NETNS_S_INO" \
	--netns-c "$NETNS_C_INO" --family 4 --saddr "$ADDR4_S" --caddr "$ADDR4_C"
check "(a) the summary counts the transitions (counters read after the drop)" \
	summary_counts "$TS_TMP/a.jsonl"

# ---- (b) SIGINT, (c) SIGHUP: the periodic timewait check after the drop --------------------------

launch_tracer "$TS_TMP/b.jsonl" "$TS_TMP/b.err" -j --no-snapshot
TB=$TRACER_PID
launch_tracer "$TS_TMP/c.jsonl" "$TS_TMP/c.err" -j -v
TC=$TRACER_PID
wait_tracer_ready "$TB" "$TS_TMP/b.err" 20 || { not_ok "(b) tracer starts"; finish; }
wait_tracer_ready "$TC" "$TS_TMP/c.err" 20 || { not_ok "(c) tracer starts"; finish; }
check_dropped "(b)" "$TB"
check_dropped "(c)" "$TC"

# clients in the server namespace (tcp_fin_timeout 60), the server in the other one: their
# FIN_WAIT2 -> TIME_WAIT is mostly a silent re-arm only the periodic check finds
start_server "$NS_C" "$TS_TMP/f.srv" --addr "$ADDR4_C" --count 3 --hold 0.05 ||
	{ not_ok "server (b) listens"; finish; }
F_SRV=$SRV_PID F_SPORT=$SRV_PORT
for i in 1 2 3; do
	app "$NS_S" "$TS_TMP/f$i.cli" client --addr "$ADDR4_C" --port "$F_SPORT" --sleep 0.1
	wait_pid "$APP_PID" 10
done
wait_pid "$F_SRV" 10
TW_RE="\"oldstate\":\"FIN_WAIT2\",\"newstate\":\"TIME_WAIT\".*\"netns\":$NETNS_S_INO,"
for t in b c; do
	wait_for_count "$TS_TMP/$t.jsonl" "$TW_RE" 3 3
	check "($t) 3 FIN_WAIT2 -> TIME_WAIT lines within 3 s of the server's last close (got $COUNT)" \
		[ "$COUNT" -ge 3 ]
done
sleep 0.3

kill -INT "$TB"
wait_pid "$TB" 10
check "(b) exits 0 on SIGINT (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
kill -HUP "$TC"
wait_pid "$TC" 10
check "(c) exits 0 on SIGHUP (got $WAIT_RC)" [ "$WAIT_RC" = 0 ]
for t in b c; do
	check_quiet "($t)" "$TS_TMP/$t.err"
	check "($t) a summary record comes last" last_is_summary "$TS_TMP/$t.jsonl"
	check "($t) the summary counts the transitions" summary_counts "$TS_TMP/$t.jsonl"
done
check "(c) -v says what is kept while tracing" \
	grep -qE '^tcpstates-c: while tracing: capabilities .*no_new_privs.*seccomp' "$TS_TMP/c.err"

# at least one of the three found by the periodic check (dated to a jiffy: precision_ns > 0)
for t in b c; do
	run_checks "$TS_PY" - "$TS_TMP/$t.jsonl" "$NETNS_S_INO" "$F_SPORT" "($t)" <<'PY'
import sys, tslib
path, ino, sport, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
R = tslib.Results()
recs, bad = tslib.load(path)
R.check(not bad, label + " every output line is a JSON object", "bad lines: %r" % bad[:5])
tw = [r for r in tslib.transitions(recs, netns={ino}) if r.get("rport") == sport
      and r["oldstate"] == "FIN_WAIT2" and r["newstate"] == "TIME_WAIT"]
R.eq(len(tw), 3, label + " one FIN_WAIT2 -> TIME_WAIT per orphan")
found = [r for r in tw if r.get("precision_ns")]
R.check(found, label + " at least one found by the periodic check after the drop (%d of %d)"
        % (len(found), len(tw)), tw)
R.done()
PY
done
validate_json "$TS_TMP/a.jsonl"
validate_json "$TS_TMP/c.jsonl"
finish
