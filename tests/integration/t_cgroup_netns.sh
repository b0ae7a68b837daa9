#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_cgroup_netns: --cgroup and --netns keep exactly the sockets they should, whatever else the
# machine does (each tracer's whole output is checked, not a selection of it).
# Three connections from namespace NS_C to three servers in namespace NS_S (veth pair); each
# client runs in its own cgroup v2 directory from before its connect():
#   client A in T/a, client A2 in T/a/sub (a descendant of T/a), client B in T/b, and client L
#   in T/a/late, a directory made only after the tracers started
# (T = a directory made here on the cgroup v2 mount; the servers stay in the test's own cgroup).
#   --cgroup T/a        A's, A2's and L's client sockets, owned by their processes; the `cgroup`
#                       key is the inode of the client's directory (T/a, T/a/sub, T/a/late)
#   --cgroup T/a/sub    A2's only        --cgroup T/b    B's only        --cgroup T    all four
#   --netns /run/netns/NS_S, --netns INODE-OF-NS_S    the 4 listeners and 4 accepted sockets
#   --netns /run/netns/NS_C, --netns INODE-OF-NS_C    the 4 client sockets
#   --cgroup T/a --netns NS_S                         nothing (every filter must pass)
source "$(dirname "$0")/../lib/common.sh"
source "$TS_LIB/cgroup.sh"
require_root_and_bin

if ! cg_find_root; then
	not_ok "a cgroup v2 hierarchy is mounted (none in /proc/self/mounts; /sys/fs/cgroup is $(stat -f -c %T /sys/fs/cgroup 2>&1))"
	finish
fi
diag "cgroup v2 mount: $CG_ROOT"
T="$CG_ROOT/tsc-$$-cgn"
CG_A="$T/a"
CG_A2="$T/a/sub"
CG_B="$T/b"
for d in "$T" "$CG_A" "$CG_A2" "$CG_B"; do
	cg_make "$d" || { not_ok "make cgroup $d"; finish; }
done
INO_T=$(stat -c %i "$T")
INO_A=$(stat -c %i "$CG_A")
INO_A2=$(stat -c %i "$CG_A2")
INO_B=$(stat -c %i "$CG_B")
diag "cgroup inodes: T $INO_T a $INO_A a/sub $INO_A2 b $INO_B"

netns_setup cgn || { not_ok "namespaces set up"; finish; }
diag "netns inodes: $NS_S $NETNS_S_INO, $NS_C $NETNS_C_INO"

# label | tracer arguments (the cgroup filter reads the directory tree at start: made above)
CASES=(
	"cg-a|--cgroup $CG_A"
	"cg-a-sub|--cgroup $CG_A2"
	"cg-b|--cgroup $CG_B"
	"cg-top|--cgroup $T"
	"ns-s-path|--netns /run/netns/$NS_S"
	"ns-s-ino|--netns $NETNS_S_INO"
	"ns-c-path|--netns /run/netns/$NS_C"
	"ns-c-ino|--netns $NETNS_C_INO"
	"cg-a-and-ns-s|--cgroup $CG_A --netns $NETNS_S_INO"
)
declare -A TPID
for c in "${CASES[@]}"; do
	label=${c%%|*}
	# shellcheck disable=SC2086
	# --no-timewait: the active closer then ends FIN_WAIT2 -> CLOSE at once (t_timewait tests the rest)
	launch_tracer "$TS_TMP/$label.jsonl" "$TS_TMP/$label.err" -j --no-timewait ${c#*|}
	TPID[$label]=$TRACER_PID
done
ready=1
for c in "${CASES[@]}"; do
	label=${c%%|*}
	wait_tracer_ready "${TPID[$label]}" "$TS_TMP/$label.err" 20 || { not_ok "tracer $label ready"; ready=0; }
done
[ "$ready" = 1 ] || finish
# a cgroup made after start: the kernel decides membership from the owner's ancestors
CG_L="$T/a/late"
cg_make "$CG_L" || { not_ok "make cgroup $CG_L"; finish; }
INO_L=$(stat -c %i "$CG_L")

# four servers (test's cgroup), one connection each; then the clients, each in its cgroup
declare -A SPID SPORT CPID CPORT CGDIR
CGDIR=([A]=$CG_A [A2]=$CG_A2 [B]=$CG_B [L]=$CG_L)
for k in A A2 B L; do
	app "$NS_S" "$TS_TMP/srv-$k" server --addr "$ADDR4_S" --port 0 --name "tsc-srv-$k"
	SPID[$k]=$APP_PID
done
for k in A A2 B L; do
	wait_for_grep "$TS_TMP/srv-$k" '"listening"' 10 || { not_ok "server $k listens"; finish; }
	SPORT[$k]=$(json_field "$TS_TMP/srv-$k" listening port)
done
for k in A A2 B L; do
	cg_exec "${CGDIR[$k]}" ip netns exec "$NS_C" "$TS_PY" "$TS_APP" client --addr "$ADDR4_S" \
		--port "${SPORT[$k]}" --sleep 0.2 --name "tsc-cli-$k" >"$TS_TMP/cli-$k" 2>"$TS_TMP/cli-$k.err"
	CPID[$k]=$CG_PID
done
for k in A A2 B L; do
	wait_pid "${CPID[$k]}" 15
	wait_pid "${SPID[$k]}" 15
done
sleep 0.5
ran=1
for k in A A2 B L; do
	CPORT[$k]=$(json_field "$TS_TMP/cli-$k" connected lport)
	if [ -z "${CPORT[$k]}" ] || [ "$(json_field "$TS_TMP/cli-$k" start pid)" != "${CPID[$k]}" ] ||
		! grep -q '"eof"' "$TS_TMP/srv-$k"; then
		not_ok "connection $k ran (client pid ${CPID[$k]} in ${CGDIR[$k]})"
		diag "$(cat "$TS_TMP/cli-$k" "$TS_TMP/cli-$k.err" "$TS_TMP/srv-$k" "$TS_TMP/srv-$k.err")"
		ran=0
	fi
done
[ "$ran" = 1 ] && ok "4 connections ran, clients in their cgroups (pids ${CPID[A]} ${CPID[A2]} ${CPID[B]} ${CPID[L]})"

for c in "${CASES[@]}"; do
	label=${c%%|*}
	stop_tracer "${TPID[$label]}"
	[ "$TRACER_RC" = 0 ] || not_ok "tracer $label exits 0 on SIGTERM (got $TRACER_RC)"
done
[ "$ran" = 1 ] || finish

# the sequences of tests/lib/tslib.py (SEQUENCES), by name
LISTEN="@listener"
CLIENT="@client-no-tw"
ACCEPTED="@accepted"
declare -A CINO=([A]=$INO_A [A2]=$INO_A2 [B]=$INO_B [L]=$INO_L)
cli() {	# cli K: the --sock spec of client K
	echo --sock "client-$1" "${CPORT[$1]}" "${SPORT[$1]}" "$CLIENT" \
		"pid=${CPID[$1]},comm=tsc-cli-$1,owner=process,cgroup=${CINO[$1]},netns=$NETNS_C_INO"
}
srv() {	# srv K: the --sock specs of server K's listener and accepted socket
	echo --sock "listener-$1" "${SPORT[$1]}" 0 "$LISTEN" "pid=${SPID[$1]},netns=$NETNS_S_INO" \
		--sock "accepted-$1" "${SPORT[$1]}" "${CPORT[$1]}" "$ACCEPTED" "pid=${SPID[$1]},netns=$NETNS_S_INO"
}
keep() {	# keep LABEL TOTAL ARGS...
	local label=$1 total=$2
	shift 2
	run_checks "$TS_PY" "$TS_LIB/check_keep.py" --json "$TS_TMP/$label.jsonl" --label "$label" \
		--total "$total" "$@"
}
# (no spec contains spaces: word splitting of $(cli K) / $(srv K) is intended)
# shellcheck disable=SC2046
{
	keep cg-a 3 --all netns="$NETNS_C_INO" $(cli A) $(cli A2) $(cli L)
	keep cg-a-sub 1 --all cgroup="$INO_A2" $(cli A2)
	keep cg-b 1 --all cgroup="$INO_B" $(cli B)
	keep cg-top 4 $(cli A) $(cli A2) $(cli B) $(cli L)
	for l in ns-s-path ns-s-ino; do
		keep "$l" 8 --all netns="$NETNS_S_INO" $(srv A) $(srv A2) $(srv B) $(srv L)
	done
	for l in ns-c-path ns-c-ino; do
		keep "$l" 4 --all netns="$NETNS_C_INO" $(cli A) $(cli A2) $(cli B) $(cli L)
	done
	keep cg-a-and-ns-s 0
}
finish
