#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_output_file: -j -o FILE --no-timewait --netns NS under umask 077, in a root-owned 0755
# directory, FILE already holding a line. Five churn runs (tests/bench/churn.c) in NS, one
# tracer run, and between them every way the file is rotated:
#   A  during the churn: mv FILE FILE.a, SIGHUP                     (the reopen while lines flow)
#   B  the directory made 0555, mv FILE FILE.b, SIGHUP: the reopen fails (no CAP_DAC_OVERRIDE
#      once tracing), said once; B's lines go on into FILE.b; no FILE appears
#   C  the directory 0755 again, SIGHUP: reopened, said; C's lines in the new FILE
#   D, E  logrotate -f -s STATE with deploy/logrotate/tcpstates-c (path and postrotate command
#      substituted), twice: FILE.1, then FILE.2.gz (delaycompress) and FILE.1
# Then SIGTERM. Asserted: the earlier line first and kept; each file made by the tracer 0640;
# every file in order, together, has every transition of the five runs exactly (10 per
# connection, 2 per listener: check_zero_loss.py), every line JSON, no line twice (sock, ts_ns,
# oldstate, newstate), no loss, the summary last in the last FILE; each phase's lines in the file
# open at the time; exit 0, nothing refused by the seccomp filter.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

command -v logrotate >/dev/null || { not_ok "logrotate installed (.ci/install-deps.sh)"; finish; }
build_churngen
# the kernel's BPF run-time statistics off, as in t_zero_loss (bursts of softirq transitions
# intermittently reach no BPF program while they are on)
set_sysctl kernel.bpf_stats_enabled 0 || { not_ok "set kernel.bpf_stats_enabled=0"; finish; }

NS="tsc-$$-of"
ip netns add "$NS" || { not_ok "make namespace $NS"; finish; }
TS_NETNS+=("$NS")
ip -n "$NS" link set lo up || { not_ok "lo up in $NS"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS") || { not_ok "namespace inode"; finish; }

LOG="$TS_TMP/log"	# root-owned, 0755, as /var/log/tcpstates
F="$LOG/t.jsonl"
mkdir -m 0755 "$LOG"
EARLIER='{"type":"earlier","note":"written before the tracer started"}'
echo "$EARLIER" >"$F"
chmod 0600 "$F"

PORTS=()
CONNS=0
FAILED=0
# churn NAME N [&]: N connections in NS; its port goes to PORTS, its counts to CONNS/FAILED. Each
# churn listens on a port of its own (61000 + the letter's code, above the ephemeral range): the file a churn's lines went
# to is told by its port, and an ephemeral port may come back for the next churn
churn_start() {
	ip netns exec "$NS" "$GEN" -n "$2" -P 1 -t 60 -p "$((61000 + $(printf '%d' "'$1")))" \
		>"$TS_TMP/$1.out" 2>&1 &
	GEN_PID=$!
	TS_HELPERS+=("$GEN_PID")
}
churn_end() {
	local port n failed
	wait "$GEN_PID"
	read -r _ _ _ port < <(grep '^listening ' "$TS_TMP/$1.out")
	read -r _ n _ failed _ < <(grep '^connections ' "$TS_TMP/$1.out")
	if [ "${n:-}" != "$2" ] || [ -z "${port:-}" ]; then
		not_ok "churn $1: $2 connections made (got ${n:-none}: $(head -3 "$TS_TMP/$1.out"))"
		return 1
	fi
	PORTS+=("$port")
	CONNS=$((CONNS + n))
	FAILED=$((FAILED + failed))
	eval "PORT_$1=$port"
}
churn() { churn_start "$@" && churn_end "$@"; }

# settled NAME: churn NAME's every transition written to some file (10 per connection, 2 more per
# failed connect, 2 for the listener): the queue may lag behind the churn on a loaded machine, and
# a SIGHUP sent before its lines are out would move them to the next file
settled() {
	local port_var="PORT_$1" want got i f n failed
	read -r _ n _ failed _ < <(grep '^connections ' "$TS_TMP/$1.out")
	want=$((10 * ${n:-0} + 2 * ${failed:-0} + 2))
	for i in $(seq 200); do
		got=0
		for f in "$F".* "$F"; do
			[ -f "$f" ] && got=$((got + $(lines_of "$f" "${!port_var:-0}")))
		done
		[ "$got" -ge "$want" ] && return 0
		sleep 0.1
	done
	diag "churn $1: $got of $want transitions written after 20 s"
}

# lines_of FILE PORT: transitions of FILE (plain or .gz) with PORT at either end (a line that is
# not JSON is skipped here and said: check_zero_loss.py fails on it)
lines_of() {
	zcat -f "$1" | jq -R -c --argjson p "$2" 'fromjson? // "not JSON" |
		if type == "string" then (. | stderr | empty) else . end |
		select(.type == "transition" and (.lport == $p or .rport == $p))' \
		2>"$TS_TMP/jq.err" | wc -l
	[ -s "$TS_TMP/jq.err" ] && diag "$1: $(head -c 300 "$TS_TMP/jq.err")" >&2
	return 0
}

umask 077
start_tracer "$TS_TMP/stdout" "$TS_TMP/err" -j --no-timewait --netns "$NS_INO" -o "$F" ||
	{ not_ok "tracer starts"; finish; }
umask 022

# ---- A: rotated while the lines flow -------------------------------------------------------------

# long enough (about half a second here) that lines still flow once the SIGHUP is handled: with
# 3000 connections a quiet machine had written all of them to the old file before the reopen
churn_start A 10000
if wait_for_count "$F" '"type":"transition"' 1500 30; then
	mv "$F" "$F.a"
	kill -HUP "$TRACER_PID"
	ROTATED_DURING=1
fi
churn_end A 10000
check "A: rotated while churn A was being written (${COUNT:-0} transitions before the mv)" \
	[ "${ROTATED_DURING:-0}" = 1 ]
settled A
check "A: the reopen made a new file, mode 0640 under umask 077 ($(stat -c %a "$F" 2>&1))" \
	[ "$(stat -c %a "$F" 2>/dev/null)" = 640 ]
check "A: the file that was there keeps its mode 0600 ($(stat -c %a "$F.a"))" \
	[ "$(stat -c %a "$F.a")" = 600 ]
check "A: the earlier line is still the first" [ "$(head -n 1 "$F.a")" = "$EARLIER" ]

# ---- B: the reopen fails (the directory not writable, and no CAP_DAC_OVERRIDE any more) ----------

chmod 0555 "$LOG"
mv "$F" "$F.b"
kill -HUP "$TRACER_PID"
check "B: a failed reopen is said" \
	wait_for_grep "$TS_TMP/err" "^tcpstates-c: cannot reopen $F on SIGHUP: Permission denied; writing on to the file open before$" 5
churn B 200
settled B
check "B: no new file" [ ! -e "$F" ]
check "B: said once ($(grep -c 'cannot reopen' "$TS_TMP/err"))" \
	[ "$(grep -c 'cannot reopen' "$TS_TMP/err")" = 1 ]

# ---- C: the next SIGHUP reopens ------------------------------------------------------------------

chmod 0755 "$LOG"
kill -HUP "$TRACER_PID"
check "C: the reopen after a failure is said" wait_for_grep "$TS_TMP/err" "^tcpstates-c: reopened $F$" 5
churn C 200
settled C

# ---- D, E: logrotate with the shipped snippet ----------------------------------------------------

sed -e "s|^/var/log/tcpstates/\*\.jsonl {|$LOG/*.jsonl {|" \
	-e "s|^\([[:space:]]*\)systemctl kill .*|\1kill -HUP $TRACER_PID|" \
	"$TS_ROOT/deploy/logrotate/tcpstates-c" >"$TS_TMP/logrotate.conf"
check "the snippet's path and postrotate command substituted" \
	[ "$(grep -c -e "^$LOG/\*.jsonl {" -e "kill -HUP $TRACER_PID$" "$TS_TMP/logrotate.conf")" = 2 ]
for phase in D E; do
	churn "$phase" 200
	settled "$phase"
	if out=$(logrotate -f -s "$TS_TMP/logrotate.state" "$TS_TMP/logrotate.conf" 2>&1); then
		ok "$phase: logrotate -f runs"
	else
		not_ok "$phase: logrotate -f runs"
		diag "$out"
	fi
	sleep 0.3
done
churn F 200
settled F
diag "$(ls -l "$LOG")"
rotated() { [ -f "$F.2.gz" ] && [ -f "$F.1" ] && [ -f "$F" ] && [ ! -e "$F.1.gz" ] && [ ! -e "$F.2" ]; }
check "logrotate: FILE.2.gz (compressed one rotation late), FILE.1 plain, FILE new" rotated
check "logrotate: the tracer made the new FILE 0640 ($(stat -c %a "$F"))" \
	[ "$(stat -c %a "$F")" = 640 ]

stop_tracer
check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
check "nothing on stdout with -o" [ ! -s "$TS_TMP/stdout" ]
bad=$(grep -E 'cannot drop privileges|not permitted' "$TS_TMP/err")
check "nothing refused by the seccomp filter${bad:+ (got: $bad)}" [ -z "$bad" ]

# ---- every file, in the order written ------------------------------------------------------------

FILES=("$F.a" "$F.b" "$F.2.gz" "$F.1" "$F")
for p in A:"$F.a" A:"$F.b" B:"$F.b" C:"$F.2.gz" D:"$F.2.gz" E:"$F.1" F:"$F"; do
	port_var="PORT_${p%%:*}"
	n=$(lines_of "${p#*:}" "${!port_var:-0}")
	check "churn ${p%%:*}'s transitions in $(basename "${p#*:}") (${n})" [ "$n" -gt 0 ]
done
for p in B:"$F.a" C:"$F.b" D:"$F.1" E:"$F" F:"$F.1"; do
	port_var="PORT_${p%%:*}"
	n=$(lines_of "${p#*:}" "${!port_var:-0}")
	check "churn ${p%%:*}'s transitions not in $(basename "${p#*:}") (${n})" [ "$n" = 0 ]
done
{ zcat -f "${FILES[@]}" | tail -n +2; } >"$TS_TMP/all.jsonl"
dups=$(jq -r 'select(.type == "transition") | "\(.sock) \(.ts_ns) \(.oldstate) \(.newstate)"' \
	"$TS_TMP/all.jsonl" | sort | uniq -d | head -3)
check "no transition twice (sock, ts_ns, oldstate, newstate)${dups:+: $dups}" [ -z "$dups" ]
port_args=()
for p in "${PORTS[@]}"; do port_args+=(--port "$p"); done
run_checks "$TS_PY" "$TS_LIB/check_zero_loss.py" --json "$TS_TMP/all.jsonl" \
	--netns "$NS_INO" "${port_args[@]}" --conns "$CONNS" --failed "$FAILED"
finish
