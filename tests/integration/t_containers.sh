#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_containers: the container and pod that own a socket. Real cgroup v2 directories laid out as
# the kubelet with containerd (systemd driver) and as Docker make them - below a directory of
# this test's own, tsc-PID.slice, on the cgroup v2 mount (/sys/fs/cgroup/unified here) - the
# node's files for them (the kubelet's /var/log/containers link, Docker's config.v2.json), and in
# a private namespace: a server moved into the pod's container, a client moved into the Docker
# container, a client left on the host. With `-j`, every transition of the server names its
# container_id, pod, pod_namespace, pod_uid, container and runtime containerd; the Docker
# client's its id, name and runtime docker (pod members null); the host client's none.
# `--pod NAMESPACE/NAME` keeps exactly the server's transitions, `--container` the Docker
# client's (by name, and by id prefix); `-K` shows NAMESPACE/POD/CONTAINER, the name, '-'. The
# test removes every directory and file it made, and touches none it did not.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_root_and_bin

NODE_MADE=()	# node files and directories made here, parents first
# node_make_dir DIR: mkdir -p, remembering each directory made (not one that was there)
node_make_dir() {
	local d=$1 missing=()
	while [ ! -e "$d" ]; do
		missing=("$d" "${missing[@]}")
		d=$(dirname "$d")
	done
	for d in "${missing[@]}"; do
		mkdir "$d" && NODE_MADE+=("$d") || return 1
	done
}
node_cleanup() {
	local i p
	for ((i = ${#NODE_MADE[@]} - 1; i >= 0; i--)); do
		p=${NODE_MADE[i]}
		if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p"; else rm -f "$p"; fi
	done
}
trap 'cg_cleanup; node_cleanup' EXIT
trap 'cg_cleanup; node_cleanup; exit 130' INT
trap 'cg_cleanup; node_cleanup; exit 143' TERM

cg_find_root || { not_ok "a cgroup v2 mount"; finish; }
hex64() { "$TS_PY" -c 'import os; print(os.urandom(32).hex())'; }
POD_UID=$("$TS_PY" -c 'import uuid; print(uuid.uuid4())')
POD=web-$$-7d4b9
PODNS=tsc-shop
CTR=nginx
CID=$(hex64)
DID=$(hex64)
DNAME=tsweb-$$
PORT=10070

# the kubelet and containerd, systemd driver: kubepods.slice/kubepods-besteffort.slice/
# kubepods-besteffort-pod<UID with _>.slice/cri-containerd-<ID>.scope; Docker:
# system.slice/docker-<ID>.scope
BASE=$CG_ROOT/tsc-$$.slice
KDIR=$BASE/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_UID//-/_}.slice
CDIR=$KDIR/cri-containerd-$CID.scope
DDIR=$BASE/system.slice/docker-$DID.scope
for d in "$BASE" "$BASE/kubepods.slice" "$BASE/kubepods.slice/kubepods-besteffort.slice" "$KDIR" \
	"$CDIR" "$BASE/system.slice" "$DDIR"; do
	cg_make "$d" || { not_ok "cgroup directory $d made"; finish; }
done
# the node's files: the kubelet's link for the container, Docker's config
LOGS=/var/log/containers
LINK=$LOGS/${POD}_${PODNS}_${CTR}-$CID.log
PODLOG=/var/log/pods/${PODNS}_${POD}_$POD_UID/$CTR
node_make_dir "$LOGS" && node_make_dir "$PODLOG" && : >"$PODLOG/0.log" && NODE_MADE+=("$PODLOG/0.log") &&
	ln -s "$PODLOG/0.log" "$LINK" && NODE_MADE+=("$LINK") || { not_ok "the kubelet's link $LINK made"; finish; }
DCONF=/var/lib/docker/containers/$DID
node_make_dir "$DCONF" &&
	printf '{"ID":"%s","Config":{"Hostname":"x","Labels":{"Name":"not-this"}},"Name":"/%s","State":{}}' \
		"$DID" "$DNAME" >"$DCONF/config.v2.json" && NODE_MADE+=("$DCONF/config.v2.json") ||
	{ not_ok "Docker's $DCONF/config.v2.json made"; finish; }

NS="tsc-$$-ctr"
ip netns add "$NS" && TS_NETNS+=("$NS") && ip -n "$NS" link set lo up || { not_ok "namespace"; finish; }
NS_INO=$(stat -L -c %i "/run/netns/$NS")

start_tracer "$TS_TMP/all.jsonl" "$TS_TMP/all.err" -j -v --netns "$NS_INO" || { not_ok "tracer starts"; finish; }
TA=$TRACER_PID
start_tracer "$TS_TMP/pod.jsonl" "$TS_TMP/pod.err" -j --netns "$NS_INO" --pod "$PODNS/$POD" ||
	{ not_ok "tracer --pod starts"; finish; }
TP=$TRACER_PID
start_tracer "$TS_TMP/ctr.jsonl" "$TS_TMP/ctr.err" -j --netns "$NS_INO" --container "$DNAME" ||
	{ not_ok "tracer --container NAME starts"; finish; }
TC=$TRACER_PID
start_tracer "$TS_TMP/cid.jsonl" "$TS_TMP/cid.err" -j --netns "$NS_INO" --container "${DID:0:12}" ||
	{ not_ok "tracer --container ID starts"; finish; }
TI=$TRACER_PID
start_tracer "$TS_TMP/k.txt" "$TS_TMP/k.err" -K --netns "$NS_INO" || { not_ok "tracer -K starts"; finish; }
TK=$TRACER_PID
start_tracer /dev/null "$TS_TMP/m.err" --netns "$NS_INO" --metrics-file "$TS_TMP/m.prom" \
	--metrics-pod-namespace || { not_ok "tracer --metrics-pod-namespace starts"; finish; }
TM=$TRACER_PID

# the server in the pod's container: two connections, then it ends
cg_exec "$CDIR" ip netns exec "$NS" "$TS_PY" "$TS_LIB/tcpapp.py" server --addr 127.0.0.1 \
	--port $PORT --count 2 >"$TS_TMP/server" 2>&1
SRV=$CG_PID
wait_for_grep "$TS_TMP/server" listening 10 || { not_ok "server listens"; diag "$(cat "$TS_TMP/server")"; finish; }
cg_exec "$DDIR" ip netns exec "$NS" "$TS_PY" "$TS_LIB/tcpapp.py" client --addr 127.0.0.1 \
	--port $PORT --send 10 >"$TS_TMP/dclient" 2>&1
DCLI=$CG_PID
wait_pid "$DCLI" 15
ip netns exec "$NS" "$TS_PY" "$TS_LIB/tcpapp.py" client --addr 127.0.0.1 --port $PORT --send 10 \
	>"$TS_TMP/hclient" 2>&1 &
HCLI=$!
TS_HELPERS+=("$HCLI")
wait_pid "$HCLI" 15
wait_pid "$SRV" 15
sleep 1
for t in "$TA" "$TP" "$TC" "$TI" "$TK" "$TM"; do
	stop_tracer "$t"
	check "tracer $t exits 0 on SIGTERM (got $TRACER_RC)" [ "$TRACER_RC" = 0 ]
done
diag "$(grep 'containers:' "$TS_TMP/all.err")"
check "no seccomp refusal" bash -c "! grep -q 'Operation not permitted' '$TS_TMP'/*.err"

run_checks "$TS_PY" - "$TS_TMP" "$SRV" "$DCLI" "$HCLI" "$CID" "$DID" "$POD" "$PODNS" "$POD_UID" \
	"$CTR" "$DNAME" "$PORT" <<'PY'
import json, sys
d, srv, dcli, hcli, cid, did, pod, podns, uid, ctr, dname, port = sys.argv[1:]
srv, dcli, hcli, port = int(srv), int(dcli), int(hcli), int(port)
def say(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
def recs(name):
    return [json.loads(l) for l in open(d + "/" + name)]
KEYS = ["runtime", "container_id", "container", "pod", "pod_namespace", "pod_uid"]
allr = [r for r in recs("all.jsonl") if r["type"] == "transition"]
by = {p: [r for r in allr if r.get("pid") == p] for p in (srv, dcli, hcli)}
for p, rs in by.items():
    print("# pid %d: %d transitions, %s" % (p, len(rs), sorted({json.dumps({k: r.get(k) for k in KEYS})
                                                            for r in rs})))
want_srv = {"runtime": "containerd", "container_id": cid, "container": ctr, "pod": pod,
            "pod_namespace": podns, "pod_uid": uid}
want_d = {"runtime": "docker", "container_id": did, "container": dname, "pod": None,
          "pod_namespace": None, "pod_uid": None}
say(len(by[srv]) >= 5 and all({k: r.get(k) for k in KEYS} == want_srv for r in by[srv]),
    "the server's %d transitions name its pod: %s" % (len(by[srv]), want_srv))
say(len(by[dcli]) >= 4 and all({k: r.get(k) for k in KEYS} == want_d for r in by[dcli]),
    "the Docker client's %d transitions name its container: %s" % (len(by[dcli]), want_d))
say(len(by[hcli]) >= 4 and all(not set(KEYS) & set(r) for r in by[hcli]),
    "the host client's %d transitions carry no container member" % len(by[hcli]))
# --pod: exactly the server's transitions, those the unfiltered run gave
def key(r):	# each tracer's program stamps its own ts_ns
    return (r["sock"], r["lport"], r["rport"], r["oldstate"], r["newstate"])
podr = [r for r in recs("pod.jsonl") if r["type"] == "transition"]
say(podr and sorted(map(key, podr)) == sorted(map(key, by[srv])),
    "--pod %s/%s keeps exactly the server's %d transitions (got %d)" % (podns, pod, len(by[srv]), len(podr)))
for f, what in (("ctr.jsonl", "--container " + dname), ("cid.jsonl", "--container " + did[:12])):
    cr = [r for r in recs(f) if r["type"] == "transition"]
    say(cr and sorted(map(key, cr)) == sorted(map(key, by[dcli])),
        "%s keeps exactly the Docker client's %d transitions (got %d)" % (what, len(by[dcli]), len(cr)))
lines = open(d + "/k.txt").read().splitlines()
print("# " + "\n# ".join(lines[:12]))
hdr = lines[0].split()
say("CONTAINER" in hdr and hdr.index("CONTAINER") == hdr.index("COMM") + 1, "-K: a CONTAINER column after COMM")
def col(p):
    return {l.split()[3] for l in lines[1:] if len(l.split()) > 3 and l.split()[1] == str(p)}
say(col(srv) == {"%s/%s/%s" % (podns, pod, ctr)}, "-K: the server's lines say %s/%s/%s (%s)" % (podns, pod, ctr, col(srv)))
say(col(dcli) == {dname}, "-K: the Docker client's say %s (%s)" % (dname, col(dcli)))
say(col(hcli) == {"-"}, "-K: the host client's say - (%s)" % col(hcli))
# --metrics-pod-namespace: the server's transitions under its namespace, the clients' under ""
import re
got = {}
for l in open(d + "/m.prom"):
    m = re.match(r'tcpstates_pod_namespace_transitions_total\{pod_namespace="([^"]*)",newstate="(\w+)"\} (\d+)$', l)
    if m:
        got[(m.group(1), m.group(2))] = int(m.group(3))
want = {}
for r in allr:
    ns = podns if r.get("pod") == pod else ""
    want[(ns, r["newstate"])] = want.get((ns, r["newstate"]), 0) + 1
print("# metrics: %s" % sorted(got.items()))
say(got == want, "--metrics-pod-namespace: transitions into each state by pod namespace, as the records say (%s)"
    % sorted(want.items()))
PY
validate_json "$TS_TMP/all.jsonl"
finish
