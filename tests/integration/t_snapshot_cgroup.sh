#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_snapshot_cgroup: a socket older than the tracer carries its owner's cgroup v2 id (the inode of
# the owner's cgroup directory), wherever cgroup v2 is mounted: as on this host, and in a private
# mount namespace laid out as a hybrid host (tmpfs on /sys/fs/cgroup, cgroup2 on
# /sys/fs/cgroup/unified), where /sys/fs/cgroup + the path of /proc/PID/cgroup names nothing.
source "$(dirname "$0")/../lib/common.sh"
source "$TS_LIB/cgroup.sh"
require_root_and_bin

if ! cg_find_root; then
	not_ok "a cgroup v2 hierarchy is mounted"
	finish
fi
T="$CG_ROOT/tsc-$$-snapcg"
cg_make "$T" || { not_ok "make cgroup $T"; finish; }
INO=$(stat -c %i "$T")
P=$((40000 + $$ % 10000))
cg_exec "$T" "$TS_PY" -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(60)' "$P"
for _ in $(seq 100); do
	ss -Hltn "sport = :$P" | grep -q . && break
	sleep 0.05
done
diag "listener pid $CG_PID port $P in $T (inode $INO)"

# the snapshot line of the listener: its cgroup key
snap_cgroup() {
	"$TS_PY" - "$1" "$P" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("type") == "snapshot" and d.get("lport") == int(sys.argv[2]):
        print(d.get("cgroup"))
        break
PY
}

"$TS_BIN" -j -d 1 --port "$P" >"$TS_TMP/host.jsonl" 2>"$TS_TMP/host.err"
got=$(snap_cgroup "$TS_TMP/host.jsonl")
check "cgroup v2 at $CG_ROOT: the snapshot's cgroup is $INO (got '$got')" [ "$got" = "$INO" ]

unshare -m --propagation private sh -c 'mount -t tmpfs tsc-cg /sys/fs/cgroup &&
	mkdir /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified &&
	exec "$@"' sh "$TS_BIN" -j -d 1 --port "$P" >"$TS_TMP/hybrid.jsonl" 2>"$TS_TMP/hybrid.err"
got=$(snap_cgroup "$TS_TMP/hybrid.jsonl")
check "cgroup v2 at /sys/fs/cgroup/unified: the snapshot's cgroup is $INO (got '$got')" \
	[ "$got" = "$INO" ]
diag "$(cat "$TS_TMP/hybrid.err")"
finish
