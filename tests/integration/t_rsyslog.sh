#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_rsyslog: Debian's rsyslogd, started here (its own config, work directory and pid file; no
# imuxsock, no imklog, nothing of the system's), follows tcpstates-c -j -o FILE with imfile,
# parses each line with mmjsonparse and writes chosen fields with a template: the shipped
# deploy/rsyslog/tcpstates-c.conf with its paths substituted. Churn in a private namespace; while
# it is written, mv FILE FILE.1 and SIGHUP; more churn; SIGTERM. Asserted: every line the tracer
# wrote (FILE.1 then FILE) arrived parsed, field by field (type, time, sock, states, addresses,
# ports, pid, comm, netns), none twice, none unparsed, and rsyslog said no error.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

command -v rsyslogd >/dev/null || { not_ok "rsyslogd installed (.ci/install-deps.sh)"; finish; }
build_churngen

NS="tsc-$$-rs"
ip netns add "$NS" || { not_ok "make namespace $NS"; finish; }
TS_NETNS+=("$NS")
ip -n "$NS" link set lo up || { not_ok "lo up in $NS"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS") || { not_ok "namespace inode"; finish; }

LOG="$TS_TMP/log"
F="$LOG/transitions.jsonl"
FIELDS="$TS_TMP/fields.log"
UNPARSED="$TS_TMP/unparsed.log"
mkdir -m 0755 "$LOG" "$TS_TMP/work"

# ---- rsyslogd, with the shipped config ------------------------------------------------------------

CONF="$TS_TMP/rsyslog.conf"
{
	echo "global(workDirectory=\"$TS_TMP/work\")"
	# rsyslog's own messages (errors included), for the checks below
	echo "*.* action(type=\"omfile\" file=\"$TS_TMP/internal.log\")"
	sed -e "s|/var/log/tcpstates/transitions.jsonl|$F|" \
		-e "s|/var/log/tcpstates-fields.log|$FIELDS|" \
		-e "s|/var/log/tcpstates-unparsed.log|$UNPARSED|" "$TS_ROOT/deploy/rsyslog/tcpstates-c.conf"
} >"$CONF"
substituted() { grep -q "file=\"$F\"" "$CONF" && grep -q "file=\"$FIELDS\"" "$CONF" &&
	grep -q "file=\"$UNPARSED\"" "$CONF" && ! grep -q /var/log "$CONF"; }
check "the shipped config's three paths substituted" substituted
if ! out=$(rsyslogd -N1 -f "$CONF" 2>&1); then
	not_ok "rsyslogd -N1 accepts the config"
	diag "$out"
	finish
fi
rsyslogd -n -f "$CONF" -i "$TS_TMP/rsyslogd.pid" >"$TS_TMP/rsyslogd.out" 2>&1 &
RS_PID=$!
TS_HELPERS+=("$RS_PID")

# ---- the tracer, churn, a rotation while it is written, more churn --------------------------------

start_tracer "$TS_TMP/stdout" "$TS_TMP/err" -j --netns "$NS_INO" -o "$F" ||
	{ not_ok "tracer starts"; finish; }
churn() {
	ip netns exec "$NS" "$GEN" -n "$1" -P 1 -t 60 >"$TS_TMP/churn$1.out" 2>&1
	check "churn of $1 connections ran ($(grep "^connections " "$TS_TMP/churn$1.out"))" \
		grep -q "^connections $1 " "$TS_TMP/churn$1.out"
}
churn 1500 &
CHURN=$!
if wait_for_count "$F" '"type":"transition"' 5000 30; then
	mv "$F" "$F.1"
	kill -HUP "$TRACER_PID"
	ok "rotated while the churn was written ($COUNT transitions before the mv)"
else
	not_ok "rotated while the churn was written (${COUNT:-0} transitions before the mv)"
fi
wait "$CHURN"
churn 300
sleep 1.5	# the last FIN_WAIT2 -> TIME_WAIT -> CLOSE of the churn's clients need not all be seen
stop_tracer
check "tracer exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]

# ---- what rsyslog wrote -----------------------------------------------------------------------------

# the tracer's records, as the template writes them: null and absent as empty
zcat -f "$F.1" "$F" | jq -r '[.type, .time, .sock, .oldstate, .newstate, .laddr, .lport, .raddr,
	.rport, .pid, .comm, .netns] | map(if . == null then "" else tostring end) | join(" ")' \
	>"$TS_TMP/want" 2>"$TS_TMP/jq.err"
check "every line the tracer wrote is JSON ($(wc -l <"$TS_TMP/want") records)" [ ! -s "$TS_TMP/jq.err" ]
WANT=$(wc -l <"$TS_TMP/want")
both() { [ -s "$F.1" ] && [ -s "$F" ]; }
check "both files have records ($(wc -l <"$F.1") + $(wc -l <"$F"))" both
# imfile follows within a moment; allow 20 s on a loaded machine
for _ in $(seq 200); do
	[ "$(wc -l <"$FIELDS" 2>/dev/null || echo 0)" -ge "$WANT" ] && break
	sleep 0.1
done
kill -TERM "$RS_PID"
wait_pid "$RS_PID" 10
check "rsyslogd stops on SIGTERM (got ${WAIT_RC:-?})" [ "${WAIT_RC:-1}" = 0 ]
GOT=$(wc -l <"$FIELDS" 2>/dev/null || echo 0)
check "rsyslog wrote as many records as the tracer ($GOT of $WANT)" [ "$GOT" = "$WANT" ]
dups=$(sort "$FIELDS" | uniq -d | head -3)
check "no record twice${dups:+: $dups}" [ -z "$dups" ]
diffs=$(diff <(sort "$TS_TMP/want") <(sort "$FIELDS") | head -6)
check "every record arrived, each field as the tracer wrote it" [ -z "$diffs" ]
[ -n "$diffs" ] && diag "$diffs"
check "the summary arrived parsed" grep -q '^summary ' "$FIELDS"
check "transitions of the namespace arrived ($(grep -c "^transition .* $NS_INO\$" "$FIELDS"))" \
	[ "$(grep -c "^transition .* $NS_INO\$" "$FIELDS")" -gt 10000 ]
check "no line unparsed" [ ! -s "$UNPARSED" ]
errs=$(grep -iE 'error|warning' "$TS_TMP/internal.log" "$TS_TMP/rsyslogd.out" 2>/dev/null | head -3)
check "rsyslog said no error or warning${errs:+: $errs}" [ -z "$errs" ]
finish
