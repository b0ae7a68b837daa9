# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# common.sh - shared helpers of the integration tests: results, namespaces, tracer start/stop,
# cleanup. Sourced by tests/integration/t_*.sh (bash). Every name made here carries $$, so a
# parallel or leftover run never clashes with this one; nothing outside loopback and the
# namespaces made here is ever configured or targeted.

set -u

# ---- paths ---------------------------------------------------------------------------------------

TS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TS_BIN=${TCPSTATES_BIN:-$TS_ROOT/tcpstates-c}	# TCPSTATES_BIN: test another build
TS_LIB="$TS_ROOT/tests/lib"
TS_APP="$TS_LIB/tcpapp.py"
TS_PY=/usr/bin/python3
TS_SCHEMA="$TS_ROOT/include/tcpstates.schema.json"
TS_VALIDATOR="$TS_ROOT/tests/unit/validate_json.py"
TS_NAME=$(basename "$0" .sh)
TS_TMP=$(mktemp -d "/tmp/tcpstates-${TS_NAME}.$$.XXXXXX")
chmod 755 "$TS_TMP"
export PYTHONPATH="$TS_LIB${PYTHONPATH:+:$PYTHONPATH}"

# ---- results -------------------------------------------------------------------------------------

TS_PASSED=0
TS_FAILED=0

ok() { TS_PASSED=$((TS_PASSED + 1)); echo "ok - $TS_NAME: $*"; }
not_ok() { TS_FAILED=$((TS_FAILED + 1)); echo "not ok - $TS_NAME: $*"; }
diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }

# check NAME CMD...: ok if CMD succeeds, else not ok. CMD is one command: a condition of several
# tests is a function or `eval '...'`; in `check NAME [ a ] && [ b ]` the shell gives check only
# `[ a ]` (tests/lib/lint_checks.py, run by t_lint, finds that). No CMD at all is a failure: an
# empty "$@" would succeed.
check() {
	local name=$1
	shift
	if [ $# = 0 ]; then
		not_ok "$name (check given no condition)"
	elif "$@"; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# run_checks CMD...: run a checker (python) that prints ok/not ok lines itself; count them. A
# checker that exits nonzero without a "not ok" line (a crash) counts as one failure.
run_checks() {
	local line bad=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) TS_PASSED=$((TS_PASSED + 1)); echo "ok - $TS_NAME: ${line#ok - }" ;;
		"not ok - "*) bad=1; TS_FAILED=$((TS_FAILED + 1)); echo "not ok - $TS_NAME: ${line#not ok - }" ;;
		__rc=0) ;;
		__rc=*) [ "$bad" = 0 ] && not_ok "checker '$*' failed (${line#__rc=})" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1; echo "__rc=$?")
}

# finish: the script's exit status (0 when nothing failed)
finish() {
	[ "$TS_PASSED" -eq 0 ] && [ "$TS_FAILED" -eq 0 ] && not_ok "no checks ran"
	[ "$TS_FAILED" -eq 0 ]
	exit $?
}

# set_sysctl NAME VALUE: a global sysctl for the test's duration, put back by cleanup
set_sysctl() {
	local old
	old=$(sysctl -n "$1" 2>/dev/null) || return 1
	TS_SYSCTL_RESTORE+=("$1=$old")
	sysctl -q -w "$1=$2" >/dev/null
}

# ---- cleanup -------------------------------------------------------------------------------------

TS_TRACERS=()	# pids of tracers started here
TS_HELPERS=()	# pids of helper processes (tcpapp.py, traffic loops)
TS_NETNS=()	# namespaces made here
TS_SYSCTL_RESTORE=()	# "name=value" pairs of global sysctls to put back

_kill_pid() {	# _kill_pid PID: TERM, wait up to 3 s, then KILL
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

# a recorded pid is still ours if it runs our binary (tracers) or is our child (helpers); a pid
# that ended may have been reused by someone else's process
_is_our_tracer() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$TS_BIN")" ]; }
_is_our_child() { [ "$(awk '{print $4}' "/proc/$1/stat" 2>/dev/null)" = "$$" ]; }

cleanup() {
	local p ns
	trap - EXIT INT TERM
	for p in "${TS_TRACERS[@]}"; do _is_our_tracer "$p" && _kill_pid "$p"; done
	for p in "${TS_HELPERS[@]}"; do _is_our_child "$p" && _kill_pid "$p"; done
	for ns in "${TS_NETNS[@]}"; do
		# processes still inside our own namespaces are ours (helpers): end them by pid
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	for p in "${TS_SYSCTL_RESTORE[@]}"; do sysctl -q -w "$p" >/dev/null 2>&1; done
	wait 2>/dev/null
	if [ -n "${TS_KEEP_TMP:-}" ]; then
		echo "# kept $TS_TMP" >&2
	else
		rm -rf "$TS_TMP"
	fi
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# ---- preconditions -------------------------------------------------------------------------------

# require_root_and_bin: skip-with-failure when the basics are missing
require_root_and_bin() {
	if [ "$(id -u)" != 0 ]; then
		not_ok "needs root"
		exit 1
	fi
	if [ ! -x "$TS_BIN" ]; then
		not_ok "binary $TS_BIN not built"
		exit 1
	fi
}

ensure_tracefs() {
	mountpoint -q /sys/kernel/tracing 2>/dev/null ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
}

# ---- waiting -------------------------------------------------------------------------------------

# wait_for_grep FILE ERE SECONDS: until FILE has a line matching ERE
wait_for_grep() {
	local file=$1 re=$2 t=$3 end
	end=$(($(date +%s%N) + t * 1000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_for_count FILE ERE N SECONDS: until FILE has N lines matching ERE; sets COUNT to how many
wait_for_count() {
	local file=$1 re=$2 n=$3 t=$4 end
	end=$(($(date +%s%N) + t * 1000000000))
	while :; do
		COUNT=$(grep -cE -- "$re" "$file" 2>/dev/null)
		[ "${COUNT:-0}" -ge "$n" ] && return 0
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# wait_pid PID SECONDS: until PID (a child of this shell) exits; sets WAIT_RC (124 on timeout)
wait_pid() {
	local pid=$1 t=$2 end
	end=$(($(date +%s%N) + t * 1000000000))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s%N)" -ge "$end" ]; then
			WAIT_RC=124
			return 1
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	WAIT_RC=$?
	return 0
}

# ---- namespaces ----------------------------------------------------------------------------------

# netns_setup NAME: two private namespaces joined by a veth pair, made entirely inside them:
#   NS_S (server side) 10.200.X.1/24 fd00:200:X::1/64 on veth0
#   NS_C (client side) 10.200.X.2/24 fd00:200:X::2/64 on veth1
# lo up in both. Sets NS_S NS_C ADDR4_S ADDR4_C ADDR6_S ADDR6_C NETNS_S_INO NETNS_C_INO.
netns_setup() {
	local name=$1 x
	x=$(($$ % 250 + 1))
	NS_S="tsc-$$-$name-s"
	NS_C="tsc-$$-$name-c"
	ADDR4_S="10.200.$x.1"
	ADDR4_C="10.200.$x.2"
	ADDR6_S="fd00:200:$x::1"
	ADDR6_C="fd00:200:$x::2"
	ip netns add "$NS_S" || return 1
	TS_NETNS+=("$NS_S")
	ip netns add "$NS_C" || return 1
	TS_NETNS+=("$NS_C")
	ip -n "$NS_S" link add veth0 type veth peer name veth1 netns "$NS_C" || return 1
	ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up || return 1
	ip -n "$NS_S" addr add "$ADDR4_S/24" dev veth0 || return 1
	ip -n "$NS_C" addr add "$ADDR4_C/24" dev veth1 || return 1
	ip -n "$NS_S" addr add "$ADDR6_S/64" dev veth0 nodad || return 1
	ip -n "$NS_C" addr add "$ADDR6_C/64" dev veth1 nodad || return 1
	ip -n "$NS_S" link set veth0 up && ip -n "$NS_C" link set veth1 up || return 1
	NETNS_S_INO=$(stat -L -c %i "/run/netns/$NS_S") || return 1
	NETNS_C_INO=$(stat -L -c %i "/run/netns/$NS_C") || return 1
	# carrier comes up asynchronously; wait until both ends say UP (bounded)
	local i
	for i in $(seq 100); do
		ip -n "$NS_S" -o link show veth0 | grep -q 'state UP' &&
			ip -n "$NS_C" -o link show veth1 | grep -q 'state UP' && return 0
		sleep 0.05
	done
	echo "# netns_setup: veth pair $NS_S/$NS_C not up" >&2
	return 1
}

# ---- helper processes (tests/lib/tcpapp.py) ------------------------------------------------------

# app NS OUT ARGS...: start tcpapp.py in namespace NS in the background, stdout to OUT
# (stderr to OUT.err); sets APP_PID
app() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" "$TS_PY" "$TS_APP" "$@" >"$out" 2>"$out.err" &
	APP_PID=$!
	TS_HELPERS+=("$APP_PID")
}

# json_field FILE EVENT KEY: KEY of the first JSON line of FILE whose "event" is EVENT
json_field() {
	"$TS_PY" - "$1" "$2" "$3" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("event") == sys.argv[2]:
        v = d.get(sys.argv[3])
        print("" if v is None else v)
        break
EOF
}

# ---- the tracer ----------------------------------------------------------------------------------

# launch_tracer OUT ERR ARGS...: start tcpstates-c ARGS in the background; sets TRACER_PID
launch_tracer() {
	local out=$1 err=$2
	shift 2
	"$TS_BIN" "$@" >"$out" 2>"$err" &
	TRACER_PID=$!
	TS_TRACERS+=("$TRACER_PID")
}

# wait_tracer_ready PID ERR [SECONDS]: until ERR has a line starting with "Tracing" (default 15 s).
# Returns 1 (and shows ERR) if the tracer died or never got ready.
wait_tracer_ready() {
	local pid=$1 err=$2 t=${3:-15} end
	end=$(($(date +%s%N) + t * 1000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		grep -q '^Tracing' "$err" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "# tracer $pid exited before it was ready; stderr:"
			sed 's/^/#   /' "$err"
			return 1
		fi
		sleep 0.05
	done
	echo "# tracer $pid not ready after $t s; stderr:"
	sed 's/^/#   /' "$err"
	return 1
}

# start_tracer OUT ERR ARGS...: launch_tracer, then wait_tracer_ready (<= 15 s)
start_tracer() {
	launch_tracer "$@"
	wait_tracer_ready "$TRACER_PID" "$2"
}

# stop_tracer [PID]: SIGTERM, wait up to 10 s (then SIGKILL); sets TRACER_RC (137 if killed)
stop_tracer() {
	local pid=${1:-$TRACER_PID}
	kill -TERM "$pid" 2>/dev/null
	if ! wait_pid "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		TRACER_RC=137
		return 1
	fi
	TRACER_RC=$WAIT_RC
	return 0
}

# closing_counts ERR: the numbers of the tracer's closing line in ERR, "tcpstates-c: in: K
# transitions from the kernel + S from the timewait sweep, C connections from the kernel (...);
# out: L lines = T transitions + X connections + P snapshot + O other = W written + N not written;
# lost: ...". Sets CL_KERNEL CL_SWEPT CL_KCONN CL_LINES CL_TRANS CL_CONN CL_SNAP CL_OTHER
# CL_WRITTEN CL_NOTW; returns 1 (all empty) without such a line.
closing_counts() {
	local line re='^tcpstates-c: in: ([0-9]+) transitions from the kernel \+ ([0-9]+) from the timewait sweep, ([0-9]+) connections from the kernel \([^)]*\); out: ([0-9]+) lines = ([0-9]+) transitions \+ ([0-9]+) connections \+ ([0-9]+) snapshot \+ ([0-9]+) other = ([0-9]+) written \+ ([0-9]+) not written; lost: '
	line=$(grep '^tcpstates-c: in: ' "$1" | tail -n 1)
	CL_KERNEL= CL_SWEPT= CL_KCONN= CL_LINES= CL_TRANS= CL_CONN= CL_SNAP= CL_OTHER= CL_WRITTEN=
	CL_NOTW=
	[[ $line =~ $re ]] || return 1
	CL_KERNEL=${BASH_REMATCH[1]} CL_SWEPT=${BASH_REMATCH[2]} CL_KCONN=${BASH_REMATCH[3]}
	CL_LINES=${BASH_REMATCH[4]} CL_TRANS=${BASH_REMATCH[5]} CL_CONN=${BASH_REMATCH[6]}
	CL_SNAP=${BASH_REMATCH[7]} CL_OTHER=${BASH_REMATCH[8]} CL_WRITTEN=${BASH_REMATCH[9]}
	CL_NOTW=${BASH_REMATCH[10]}
}

# bpf_prog_ids PID: ids of the BPF programs PID holds open (from /proc/PID/fdinfo)
bpf_prog_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null
	done | sort -u
}

# bpf_live KIND [JQ]: what bpftool lists of every BPF object of KIND (prog, link, map), one a line:
# its id, or the jq expression JQ of it. Fails, with bpftool's or jq's error on stderr, when
# either does: an empty list is then never taken for "no object left".
bpf_live() {
	local out
	out=$(bpftool -j "$1" show) || return 1
	jq -r ".[] | ${2:-.id}" <<<"$out"
}

# ---- JSON validation -----------------------------------------------------------------------------

# validate_json FILE: ok/not ok through the project's schema validator. A missing validator or
# schema, or an empty FILE (nothing traced: nothing was checked), is a failure, never a skip
# (python3-jsonschema comes from .ci/install-deps.sh).
validate_json() {
	local file=$1 out
	if [ ! -f "$TS_VALIDATOR" ] || [ ! -f "$TS_SCHEMA" ]; then
		not_ok "JSON output validates against the schema: $TS_VALIDATOR or $TS_SCHEMA missing"
		return 1
	fi
	if [ ! -s "$file" ]; then
		not_ok "JSON output validates against the schema: $(basename "$file") is empty"
		return 1
	fi
	if out=$("$TS_PY" "$TS_VALIDATOR" "$TS_SCHEMA" "$file" 2>&1); then
		ok "JSON output validates against the schema ($out)"
	else
		not_ok "JSON output validates against the schema"
		diag "$(echo "$out" | head -20)"
	fi
}

# ---- scenarios -----------------------------------------------------------------------------------

# start_server NS OUT ARGS...: a tcpapp.py server in NS on an ephemeral port (--port 0), its output
# in OUT; waits until it listens. Sets SRV_PID and SRV_PORT; returns 1, with its output as
# diagnostics, if it does not listen within 10 s.
start_server() {
	local ns=$1 out=$2
	shift 2
	app "$ns" "$out" server --port 0 "$@"
	SRV_PID=$APP_PID
	if ! wait_for_grep "$out" '"listening"' 10; then
		echo "# server did not listen:" && sed 's/^/#   /' "$out" "$out.err"
		return 1
	fi
	SRV_PORT=$(json_field "$out" listening port)
}

# serve_one NS ADDR PREFIX SERVER-ARGS -- CLIENT-ARGS: one connection in NS to a server of its own
# on ADDR (a fresh port), tcpapp.py's options for each side; waits until both have ended.
# Outputs PREFIX.s and PREFIX.c; sets SRV_PID and SRV_PORT (free again: a connect there is refused).
serve_one() {
	local ns=$1 addr=$2 prefix=$3 sargs=()
	shift 3
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	start_server "$ns" "$prefix.s" --addr "$addr" "${sargs[@]}" || return 1
	app "$ns" "$prefix.c" client --addr "$addr" --port "$SRV_PORT" "$@"
	wait_pid "$APP_PID" 15
	wait_pid "$SRV_PID" 15
}

# basic_connection FAMILY PREFIX [SERVER-ARGS -- CLIENT-ARGS]: one connection from NS_C to a
# listener in NS_S (4: ADDR4_S, 6: ADDR6_S); by default the client sleeps 200 ms after connect and
# closes first, the server reads to EOF and closes, then closes its listener. Outputs PREFIX.srv
# and PREFIX.cli (tcpapp.py JSON lines). Sets SRV_PID CLI_PID SRV_PORT CLI_PORT. Waits until both
# processes are gone plus 0.5 s for the last softirq transitions.
basic_connection() {
	local fam=$1 prefix=$2 addr sargs=() cargs=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cargs=("$@")
	[ "$fam" = 6 ] && addr=$ADDR6_S || addr=$ADDR4_S
	[ ${#cargs[@]} -eq 0 ] && cargs=(--sleep 0.2)
	start_server "$NS_S" "$prefix.srv" --addr "$addr" "${sargs[@]}" || return 1
	app "$NS_C" "$prefix.cli" client --addr "$addr" --port "$SRV_PORT" "${cargs[@]}"
	CLI_PID=$APP_PID
	wait_pid "$CLI_PID" 15
	wait_pid "$SRV_PID" 15
	CLI_PORT=$(json_field "$prefix.cli" connected lport)
	sleep 0.5
	return 0
}

# basic_family_test 4|6: the whole of t_ipv4_basic / t_ipv6_basic - one orderly connection between
# the two namespaces, traced as JSON, checked by check_basic.py and the schema
basic_family_test() {
	local fam=$1 saddr caddr
	netns_setup "v$fam" || { not_ok "namespaces set up"; finish; }
	start_tracer "$TS_TMP/out.jsonl" "$TS_TMP/err" -j || { not_ok "tracer starts"; finish; }
	basic_connection "$fam" "$TS_TMP/c" || not_ok "scenario ran"
	stop_tracer
	check "tracer exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
	[ "$fam" = 6 ] && saddr=$ADDR6_S caddr=$ADDR6_C || saddr=$ADDR4_S caddr=$ADDR4_C
	run_checks "$TS_PY" "$TS_LIB/check_basic.py" --json "$TS_TMP/out.jsonl" \
		--srv "$TS_TMP/c.srv" --cli "$TS_TMP/c.cli" --netns-s "$NETNS_S_INO" \
		--netns-c "$NETNS_C_INO" --family "$fam" --saddr "$saddr" --caddr "$caddr"
	validate_json "$TS_TMP/out.jsonl"
}

# build_churngen: the churn generator (tests/bench/churn.c, the benchmark's too), built by the
# Makefile (make test does; a run of one script makes it if missing); sets GEN, or says why and
# finishes
build_churngen() {
	local out
	GEN="$TS_ROOT/.output/bench/churn"
	if ! out=$(make --no-print-directory -s -C "$TS_ROOT" .output/bench/churn 2>&1) || [ ! -x "$GEN" ]; then
		not_ok "build tests/bench/churn.c (make .output/bench/churn)"
		diag "$out"
		finish
	fi
}

# as_nobody: sets AS_NOBODY, the command prefix that runs a python helper as nobody - or, where
# nobody cannot run python here (a fresh machine's root may keep its libraries from nobody),
# empty: the helper then runs as root, and the test says so
as_nobody() {
	AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	if ! "${AS_NOBODY[@]}" "$TS_PY" -c 'import sys; sys.exit(0)' 2>"$TS_TMP/nobody.err"; then
		diag "nobody cannot run python here ($(head -c 200 "$TS_TMP/nobody.err")): root instead"
		AS_NOBODY=()
	fi
}
