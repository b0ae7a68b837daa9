#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_systemd: deploy/systemd/tcpstates-c.service as shipped. systemd is not PID 1 on these machines,
# so the unit cannot be started; what can be checked without it is:
# (a) systemd-analyze verify accepts it. verify insists that ExecStart's binary exists, so it reads
#     a copy whose only difference (checked: one line) is that path, pointed at the built binary;
#     --man=no: the man page of Documentation= comes with make install, not with the checkout.
# (b) systemd-analyze security --offline: its exposure figure is printed and may not rise above
#     EXPOSURE_MAX (measured 2.7 when the unit was written): a regression check of the hardening.
# (c) the unit's exact ExecStart arguments (paths moved into a temp dir, -d 1 added) run under
#     what the unit gives: a bounding set of exactly CapabilityBoundingSet=, no_new_privs,
#     LimitMEMLOCK. It exits 0, complains of nothing, lists a listener in a private namespace owned
#     by nobody with its owner (the capabilities suffice for the snapshot), keeps its kernel
#     features (CAP_SYSLOG: TIME_WAIT following), writes the -o file 0640 and the metrics file.
# (d) under strace, that run and a --hook tracepoint run make no syscall outside the unit's
#     SystemCallFilter=, open no socket (RestrictAddressFamilies=none), and enter namespaces
#     only with setns(..., CLONE_NEWNET) (RestrictNamespaces=net).
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

UNIT="$TS_ROOT/deploy/systemd/tcpstates-c.service"
EXPOSURE_MAX=2.7
SBIN=/usr/local/sbin/tcpstates-c	# where the unit expects make install to have put it

# unit_value KEY: the last value given to KEY in the unit (comments and sections ignored)
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }

# ---- (a) verify ----------------------------------------------------------------------------------

mkdir -p "$TS_TMP/unit"
VCOPY="$TS_TMP/unit/tcpstates-c.service"
sed "s#^ExecStart=$SBIN #ExecStart=$(readlink -f "$TS_BIN") #" "$UNIT" >"$VCOPY"
ndiff=$(diff "$UNIT" "$VCOPY" | grep -c '^>')
check "(a) the copy verified differs from the shipped unit in ExecStart's path only ($ndiff lines)" \
	[ "$ndiff" = 1 ]
if out=$(systemd-analyze verify --man=no "$VCOPY" 2>&1) && [ -z "$out" ]; then
	ok "(a) systemd-analyze verify accepts the unit, silently"
else
	not_ok "(a) systemd-analyze verify accepts the unit, silently"
	diag "$out"
fi

# ---- (b) security --------------------------------------------------------------------------------

# "→" and "✗" in a UTF-8 locale, "->" and "-" in others
sec=$(systemd-analyze security --offline=true "$VCOPY" 2>&1)
exposure=$(sed -n 's/^\(→\|->\) Overall exposure level for .*: \([0-9.]*\) .*/\2/p' <<<"$sec")
echo "# systemd-analyze security --offline: exposure ${exposure:-?} (at most $EXPOSURE_MAX)"
if [ -n "$exposure" ] && awk -v e="$exposure" -v m="$EXPOSURE_MAX" 'BEGIN { exit !(e <= m) }'; then
	ok "(b) exposure $exposure is at most $EXPOSURE_MAX"
else
	not_ok "(b) exposure ${exposure:-?} is at most $EXPOSURE_MAX"
	diag "$(grep -E '^(✗|-) ' <<<"$sec")"
fi

# ---- (c) the ExecStart arguments, run as the unit would run them ---------------------------------

exec_start=$(unit_value ExecStart)
check "(c) ExecStart runs $SBIN" [ "${exec_start%% *}" = "$SBIN" ]
LOGDIR="$TS_TMP/log/$(unit_value LogsDirectory)"
TEXTDIR="$TS_TMP/textfile"
mkdir -p "$LOGDIR" "$TEXTDIR"
# the unit's paths moved under $TS_TMP; the binary is the built one
read -r -a ARGS <<<"$(sed -e "s#/var/log/#$TS_TMP/log/#g" \
	-e "s#$(unit_value ReadWritePaths)#$TEXTDIR#g" <<<"${exec_start#* }")"
OUT_FILE=$(sed -n 's/.*-o \([^ ]*\).*/\1/p' <<<"${ARGS[*]}")
PROM_FILE=$(sed -n 's/.*--metrics-file \([^ ]*\).*/\1/p' <<<"${ARGS[*]}")
check "(c) -o and --metrics-file point into the unit's writable directories" \
	eval '[ "${OUT_FILE%/*}" = "$LOGDIR" ] && [ "${PROM_FILE%/*}" = "$TEXTDIR" ]'

# CapabilityBoundingSet=CAP_BPF CAP_PERFMON ... -> setpriv's -all,+bpf,+perfmon,...
BOUND="-all"
for c in $(unit_value CapabilityBoundingSet); do
	BOUND="$BOUND,+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"
done
check "(c) LimitMEMLOCK=infinity, NoNewPrivileges=yes" \
	eval '[ "$(unit_value LimitMEMLOCK)" = infinity ] && [ "$(unit_value NoNewPrivileges)" = yes ]'
# LimitMEMLOCK=infinity, where this shell may raise it (these machines lack CAP_SYS_RESOURCE;
# since 5.11 BPF maps are charged to the memory cgroup, not to RLIMIT_MEMLOCK, so it is moot there)
MEMLOCK=(prlimit --memlock=unlimited)
"${MEMLOCK[@]}" true 2>/dev/null || {
	echo "# memlock limit kept at $(ulimit -l) KiB: this shell may not raise it"
	MEMLOCK=()
}
# traced_as_unit TRACE CMD...: CMD under strace -f (output TRACE) with the unit's bounding set
# (root regains exactly it at exec), nothing inheritable, no_new_privs, memlock unlimited
traced_as_unit() {
	local trace=$1
	shift
	strace -f -qq -o "$trace" -- "${MEMLOCK[@]}" setpriv --bounding-set="$BOUND" \
		--inh-caps=-all --no-new-privs "$@"
}

# a listener older than the tracer, owned by nobody, in a namespace of our own
NS="tsd$$"
ip netns add "$NS" && TS_NETNS+=("$NS") && ip -n "$NS" link set lo up ||
	{ not_ok "(c) namespace $NS made"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS")
LPORT=$((20000 + $$ % 20000))
as_nobody	# (or root where nobody cannot run python: the owner is then root's python)
ip netns exec "$NS" "${AS_NOBODY[@]}" "$TS_PY" -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $LPORT)); s.listen(); print('up', flush=True)
time.sleep(60)" >"$TS_TMP/lsn.out" 2>&1 &
LSN_PID=$!
TS_HELPERS+=("$LSN_PID")
wait_for_grep "$TS_TMP/lsn.out" '^up$' 10 || { not_ok "(c) listener up"; diag "$(cat "$TS_TMP/lsn.out")"; finish; }
# the python process itself (ip netns exec and setpriv exec into it: same pid)
OWNER=$LSN_PID

traced_as_unit "$TS_TMP/run.strace" "$TS_BIN" "${ARGS[@]}" -d 1 >"$TS_TMP/run.out" 2>"$TS_TMP/run.err"
RC=$?
if [ "$RC" = 2 ] && grep -qE 'unrecognized option|invalid option|unknown option' "$TS_TMP/run.err"; then
	not_ok "(c) the ExecStart options parse: this build lacks one ($(head -n 1 "$TS_TMP/run.err")); -o comes with branch ofile, --metrics-file with branch metrics"
	finish
fi
check "(c) the ExecStart arguments run for 1 s and exit 0 (got $RC)" [ "$RC" = 0 ]
bad=$(grep -E 'cannot|not permitted|not in /proc/kallsyms|not listed\)|incomplete' "$TS_TMP/run.err" |
	grep -v '(0 not listed)')
check "(c) nothing refused, no feature off, no namespace unlisted${bad:+ (got: $bad)}" [ -z "$bad" ]
[ "$RC" = 0 ] || diag "$(cat "$TS_TMP/run.err")"
check "(c) the -o file is created 0640 (got $(stat -c %a "$OUT_FILE" 2>/dev/null))" \
	[ "$(stat -c %a "$OUT_FILE" 2>/dev/null)" = 640 ]
check "(c) the snapshot in the -o file lists the listener with its owner, pid $OWNER" \
	grep -qE "\"type\":\"snapshot\".*\"pid\":$OWNER,.*\"lport\":$LPORT,.*\"netns\":$NS_INO" "$OUT_FILE"
check "(c) the metrics file holds tcpstates_ samples" grep -q '^tcpstates_' "$PROM_FILE"
check "(c) nothing but the metrics file is left in the textfile directory ($(ls "$TEXTDIR" | tr '\n' ' '))" \
	[ "$(ls "$TEXTDIR")" = "${PROM_FILE##*/}" ]

# ---- (d) syscalls, sockets, namespaces -----------------------------------------------------------

# expand GROUP...: the syscalls of systemd's filter groups and names, recursively
expand() {
	local s
	for s in "$@"; do
		case "$s" in
		@*) systemd-analyze syscall-filter "$s" | sed -n '2,$p' | sed 's/^ *//' |
			grep -v -e '^#' -e '^$' | while read -r g; do expand "$g"; done ;;
		*) echo "$s" ;;
		esac
	done
}
# shellcheck disable=SC2046
expand $(unit_value SystemCallFilter) | sort -u >"$TS_TMP/allowed"
traced_as_unit "$TS_TMP/tp.strace" "$TS_BIN" --hook tracepoint -j -d 0.5 \
	>/dev/null 2>"$TS_TMP/tp.err" || diag "$(cat "$TS_TMP/tp.err")"
# the tracer's own calls: from its execve on, in each trace
tracer_calls() {
	awk -v bin="$TS_BIN" 'index($0, "execve(\"" bin "\"") { on = 1 } on' "$1" |
		sed -E 's/^[0-9]+ +//' | grep -oE '^[a-z_0-9]+\(' | tr -d '('
}
{ tracer_calls "$TS_TMP/run.strace"; tracer_calls "$TS_TMP/tp.strace"; } | sort -u >"$TS_TMP/used"
outside=$(comm -23 "$TS_TMP/used" "$TS_TMP/allowed" | tr '\n' ' ')
check "(d) $(wc -l <"$TS_TMP/used") syscalls made, each within SystemCallFilter=${outside:+ (outside: $outside)}" \
	eval '[ -s "$TS_TMP/used" ] && [ -z "$outside" ]'
check "(d) it made bpf, perf_event_open and setns (the trace saw the tracer)" \
	eval 'grep -qx bpf "$TS_TMP/used" && grep -qx perf_event_open "$TS_TMP/used" &&
	grep -qx setns "$TS_TMP/used"'
socks=$(cat "$TS_TMP/run.strace" "$TS_TMP/tp.strace" | grep -E '^[0-9]+ +(socket|socketpair)\(' | head -n 3)
check "(d) no socket opened (RestrictAddressFamilies=none)${socks:+ (got: $socks)}" [ -z "$socks" ]
ns=$(cat "$TS_TMP/run.strace" "$TS_TMP/tp.strace" |
	grep -E '^[0-9]+ +(setns|unshare)\(' | grep -v 'setns([0-9]*, CLONE_NEWNET)' | head -n 3)
check "(d) namespaces entered with setns(CLONE_NEWNET) only (RestrictNamespaces=net)${ns:+ (got: $ns)}" \
	[ -z "$ns" ]
finish
