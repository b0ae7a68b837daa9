#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_stuck_fork: --stuck names a holder of the socket it reports (issue 16, item 3). A
# fork-per-connection server, `socat -U TCP-LISTEN:9000,fork SYSTEM:'sleep 30'`: its listener
# (the parent) accepts, a child takes the connection and forks a grandchild for SYSTEM; the
# parent closes its fd. The client closes, the server's side waits in CLOSE_WAIT (socat -U never
# reads it) held by the two children only. The record's pid/comm must be one of its holders
# (the first, owner "holder"), never the listener's parent, which no longer holds it - neither for
# a tracer started before socat (whose remembered owner is the listener's) nor for one started
# after the connection with --no-snapshot (whose remembered owner is unknown: the socket's only
# transition, ESTABLISHED -> CLOSE_WAIT, is the kernel's). -p of either child keeps the record, -p
# of the listener's parent drops it; so does --cgroup of the child's (moved into a cgroup of its
# own: the record's cgroup is the holder's). The client's own FIN_WAIT2 keeps its remembered
# owner.
source "$(dirname "$0")/../lib/common.sh"
source "$TS_LIB/cgroup.sh"
require_root_and_bin

command -v socat >/dev/null || { not_ok "socat installed (.ci/install-deps.sh)"; finish; }
PORT=9000
NS="tsc-$$-stuckfork"
ip netns add "$NS" && TS_NETNS+=("$NS") && ip -n "$NS" link set lo up ||
	{ not_ok "namespace set up"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS")
# the connection's child is moved into a cgroup of its own: its holder's cgroup, not the listener's
cg_find_root && CGD="$CG_ROOT/tsc-$$-stuckfork" && cg_make "$CGD" || { not_ok "cgroup made"; finish; }
CG=$(stat -c %i "$CGD")

# stuck_tracer NAME ARGS...: a --stuck 1 tracer of the namespace, its output in NAME (.err)
stuck_tracer() {
	local name=$1
	shift
	start_tracer "$TS_TMP/$name" "$TS_TMP/$name.err" --stuck 1 --netns "$NS_INO" "$@"
}

# ready_children: socat's child (the connection's) and grandchild (SYSTEM's) both exist
ready_children() {
	CHILD=$(pgrep -P "$SOCAT" -x socat | head -1)
	[ -n "$CHILD" ] && GRAND=$(pgrep -P "$CHILD" -x socat | head -1) && [ -n "$GRAND" ]
}

stuck_tracer before.jsonl -j || { not_ok "tracer (json) starts"; finish; }
TRACERS=("$TRACER_PID")
stuck_tracer before.txt || { not_ok "tracer (text) starts"; finish; }
TRACERS+=("$TRACER_PID")

ip netns exec "$NS" socat -U "TCP-LISTEN:$PORT,fork,reuseaddr" SYSTEM:'sleep 30' \
	2>"$TS_TMP/socat.err" &
SOCAT=$!
TS_HELPERS+=("$SOCAT")
for i in $(seq 100); do
	ip netns exec "$NS" ss -Hltn "sport = :$PORT" | grep -q . && break
	sleep 0.1
done
app "$NS" "$TS_TMP/cli" client --addr 127.0.0.1 --port "$PORT" --close-file "$TS_TMP/close"
CLI=$APP_PID
wait_for_grep "$TS_TMP/cli" '"connected"' 10 || { not_ok "client connects"; finish; }
for i in $(seq 100); do ready_children && break; sleep 0.1; done
ready_children || { not_ok "socat forked a child and a grandchild"; finish; }
CPORT=$(json_field "$TS_TMP/cli" connected lport)
echo "$CHILD" >"$CGD/cgroup.procs" || { not_ok "socat's child moved into $CGD"; finish; }
diag "socat: listener $SOCAT, child $CHILD, grandchild $GRAND; client $CLI port $CPORT"

# after the connection: the socket unknown to these tracers until the kernel's CLOSE_WAIT
stuck_tracer after.jsonl -j --no-snapshot || { not_ok "tracer (--no-snapshot) starts"; finish; }
TRACERS+=("$TRACER_PID")
for who in child grand parent; do
	case $who in
	child) p=$CHILD ;;
	grand) p=$GRAND ;;
	parent) p=$SOCAT ;;
	esac
	stuck_tracer "p_$who.jsonl" -j --no-snapshot -p "$p" || { not_ok "tracer -p $who starts"; finish; }
	TRACERS+=("$TRACER_PID")
done
stuck_tracer cg.jsonl -j --no-snapshot --cgroup "$CGD" || { not_ok "tracer --cgroup starts"; finish; }
TRACERS+=("$TRACER_PID")

touch "$TS_TMP/close"
wait_for_grep "$TS_TMP/cli" '"closed"' 10 || not_ok "client closes"
sleep 2.6	# reports at >= 1 s and >= 2 s
ip netns exec "$NS" ss -tanp >"$TS_TMP/ss"
diag "$(cat "$TS_TMP/ss")"
for p in "${TRACERS[@]}"; do
	stop_tracer "$p"
	check "tracer $p exits 0 (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
check "no seccomp refusal (the holders' cgroups are read in the loop)" \
	bash -c "! grep -q 'Operation not permitted' '$TS_TMP'/*.err"

run_checks "$TS_PY" - "$TS_TMP" "$PORT" "$SOCAT" "$CHILD" "$GRAND" "$CLI" "$CPORT" "$CG" <<'PY'
import json, sys
d = sys.argv[1]
port, parent, child, grand, cli, cport, cg = map(int, sys.argv[2:])
def say(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
def stuck(name):
    recs = [json.loads(l) for l in open("%s/%s" % (d, name))]
    return [r for r in recs if r["type"] == "stuck"]
def server_side(recs):
    return [r for r in recs if r["lport"] == port and r["state"] == "CLOSE_WAIT"]
def named_holder(r):
    pids = [h["pid"] for h in r["holders"]]
    return (r["pid"] == min(pids) and r["pid"] in (child, grand) and r["comm"] == "socat"
            and r["owner"] == "holder" and sorted(pids) == sorted([child, grand]))

before = stuck("before.jsonl")
for r in before:
    print("# before: %s %d pid %s %s owner %s holders %s" % (r["state"], r["lport"], r["pid"],
          r["comm"], r["owner"], r["holders"]))
cw = server_side(before)
say(len(cw) >= 2, "the server's CLOSE_WAIT reported at 1 s and 2 s (%d records)" % len(cw))
say(cw and all(named_holder(r) for r in cw),
    "it names its first holder, a socat child (pid %s, holders %s), not the listener's parent %d"
    % (cw and cw[0]["pid"], cw and [h["pid"] for h in cw[0]["holders"]], parent))
say(cw and all(r["cgroup"] == cg for r in cw),
    "its cgroup is the child's (%s, want %d), not the listener's" % (cw and cw[0]["cgroup"], cg))
f2 = [r for r in before if r["lport"] == cport and r["state"] == "FIN_WAIT2"]
say(f2 and all(r["pid"] == cli and r["owner"] == "process" and r["holders"] == [] for r in f2),
    "the client's orphaned FIN_WAIT2 keeps its remembered owner, the client (%d)" % cli)

lines = [l.split() for l in open(d + "/before.txt") if " STUCK " in l and "CLOSE_WAIT" in l]
for l in lines:
    print("# text: " + " ".join(l))
say(lines and all(int(l[1]) in (child, grand) and l[2] == "socat" and
             ("%s/socat" % l[1]) in " ".join(l).split("held by ")[1] for l in lines),
    "text: the STUCK line's PID and COMM are a socat child, among those it is held by")

cw = server_side(stuck("after.jsonl"))
say(len(cw) >= 2 and all(named_holder(r) for r in cw),
    "a tracer that met the socket at the kernel's ESTABLISHED -> CLOSE_WAIT (owner unknown): names"
    " its first holder too (pid %s)" % (cw and cw[0]["pid"]))

for who, pid in (("child", child), ("grand", grand)):
    cw = server_side(stuck("p_%s.jsonl" % who))
    for r in cw:
        print("# -p %s (%d): pid %s owner %s holders %s" % (who, pid, r["pid"], r["owner"],
              r["holders"]))
    say(len(cw) >= 2 and all(named_holder(r) for r in cw),
        "-p %s %d (a holder, unknown to the tracer before the kernel's CLOSE_WAIT): the record kept,"
        " naming the first holder" % (who, pid))
cw = server_side(stuck("cg.jsonl"))
say(len(cw) >= 2 and all(named_holder(r) and r["cgroup"] == cg for r in cw),
    "--cgroup of the child's: the record kept (%d records)" % len(cw))
p = stuck("p_parent.jsonl")
say(not p, "-p %d (the listener's parent, not a holder): no stuck record (%d)" % (parent, len(p)))
PY
validate_json "$TS_TMP/before.jsonl"
validate_json "$TS_TMP/after.jsonl"
finish
