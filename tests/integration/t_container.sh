#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_container: the image (deploy/container/Containerfile, `make image`) and the DaemonSet
# (deploy/kubernetes/daemonset.yaml). Containers cannot run on these machines (the runtime's
# rlimit setup is refused), so the image is built and taken apart instead:
# (a) make image builds tcpstates-c:VERSION with podman, in a private storage under $TS_TMP (vfs:
#     no mounts, nothing left behind; removed by the trap);
# (b) podman image inspect: the ENTRYPOINT, CMD, stop signal and version label set;
# (c) podman create + export: the image holds exactly usr/, usr/sbin/ and the binary, which is
#     the built one, static (no ELF interpreter), and runs --version on the host;
# (d) the DaemonSet, parsed offline (tests/lib/check_daemonset.py): the fields issue 11 asks for,
#     consistent with the image's ENTRYPOINT and tag and with the unit's capabilities;
# (e) the DaemonSet's command line (ENTRYPOINT + args, the metrics path moved into $TS_TMP,
#     -d 0.5) runs and exits 0 - it needs --metrics-file, from branch metrics.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

command -v podman >/dev/null || { not_ok "podman installed (.ci/install-deps.sh)"; finish; }
VERSION=$(sed -n 's/^VERSION := //p' "$TS_ROOT/Makefile")
IMAGE="tcpstates-c:$VERSION"
P=(podman --root "$TS_TMP/storage" --runroot "$TS_TMP/runroot" --storage-driver vfs
	--events-backend file)
CTR="tcpstates-c-t$$"

podman_cleanup() {
	"${P[@]}" rm -f "$CTR" >/dev/null 2>&1
	"${P[@]}" rmi -a -f >/dev/null 2>&1
	cleanup	# common.sh's: removes $TS_TMP, the storage with it
}
trap 'podman_cleanup' EXIT
trap 'podman_cleanup; exit 130' INT
trap 'podman_cleanup; exit 143' TERM

# ---- (a) build ---------------------------------------------------------------------------------

if out=$(make -s -C "$TS_ROOT" image PODMAN="${P[*]}" 2>&1); then
	ok "(a) make image builds $IMAGE"
else
	not_ok "(a) make image builds $IMAGE"
	diag "$out"
	finish
fi

# ---- (b) inspect -------------------------------------------------------------------------------

"${P[@]}" image inspect "$IMAGE" >"$TS_TMP/inspect.json" || { not_ok "(b) image inspect"; finish; }
cfg() { "${P[@]}" image inspect --format "$1" "$IMAGE"; }
check "(b) ENTRYPOINT [\"/usr/sbin/tcpstates-c\",\"-j\"]" \
	[ "$(cfg '{{json .Config.Entrypoint}}')" = '["/usr/sbin/tcpstates-c","-j"]' ]
check "(b) CMD: metrics to the /metrics volume, --stuck 300" \
	[ "$(cfg '{{json .Config.Cmd}}')" = '["--metrics-file","/metrics/tcpstates.prom","--stuck","300"]' ]
check "(b) STOPSIGNAL SIGTERM" [ "$(cfg '{{.Config.StopSignal}}')" = SIGTERM ]
check "(b) version label $VERSION" \
	[ "$(cfg '{{index .Config.Labels "org.opencontainers.image.version"}}')" = "$VERSION" ]

# ---- (c) the files -----------------------------------------------------------------------------

"${P[@]}" create --name "$CTR" "$IMAGE" >/dev/null || { not_ok "(c) podman create"; finish; }
"${P[@]}" export -o "$TS_TMP/rootfs.tar" "$CTR" || { not_ok "(c) podman export"; finish; }
files=$(tar -tf "$TS_TMP/rootfs.tar" | sort | tr '\n' ' ')
check "(c) the image holds exactly usr/ usr/sbin/ usr/sbin/tcpstates-c (got: $files)" \
	[ "$files" = "usr/ usr/sbin/ usr/sbin/tcpstates-c " ]
mkdir -p "$TS_TMP/rootfs"
tar -xf "$TS_TMP/rootfs.tar" -C "$TS_TMP/rootfs"
IBIN="$TS_TMP/rootfs/usr/sbin/tcpstates-c"
check "(c) the image's binary is the built one, mode 755" \
	eval 'cmp -s "$IBIN" "$TS_BIN" && [ "$(stat -c %a "$IBIN")" = 755 ]'
check "(c) it is static: no ELF interpreter" bash -c "! readelf -lW '$IBIN' | grep -q INTERP"
ver=$("$IBIN" --version 2>&1)
check "(c) it runs on the host: --version says '$ver'" [ "$ver" = "tcpstates-c $VERSION" ]

# ---- (d) the DaemonSet, offline ------------------------------------------------------------------

UNIT_CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$TS_ROOT/deploy/systemd/tcpstates-c.service")
run_checks "$TS_PY" "$TS_LIB/check_daemonset.py" "$TS_ROOT/deploy/kubernetes/daemonset.yaml" \
	"$TS_TMP/inspect.json" "$VERSION" "$UNIT_CAPS"

# ---- (e) its command line runs -------------------------------------------------------------------

mapfile -t ARGV < <("$TS_PY" -c '
import json, sys, yaml
img = json.load(open(sys.argv[1]))[0]["Config"]
ds = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d and d["kind"] == "DaemonSet"][0]
print("\n".join(img["Entrypoint"][1:] + ds["spec"]["template"]["spec"]["containers"][0]["args"]))
' "$TS_TMP/inspect.json" "$TS_ROOT/deploy/kubernetes/daemonset.yaml")
mkdir -p "$TS_TMP/metrics"
ARGV=("${ARGV[@]//\/metrics\//$TS_TMP/metrics/}")
"$TS_BIN" "${ARGV[@]}" -d 0.5 >"$TS_TMP/e.out" 2>"$TS_TMP/e.err"
RC=$?
if [ "$RC" = 2 ] && grep -qE 'unknown option|unrecognized option' "$TS_TMP/e.err"; then
	not_ok "(e) the DaemonSet's arguments parse: this build lacks one ($(head -n 1 "$TS_TMP/e.err")); --metrics-file comes with branch metrics"
else
	check "(e) the DaemonSet's arguments (${ARGV[*]}) run and exit 0 (got $RC)" [ "$RC" = 0 ]
	check "(e) JSON lines on stdout" grep -q '^{"type":' "$TS_TMP/e.out"
	check "(e) the metrics file is written" grep -q '^tcpstates_' "$TS_TMP/metrics/tcpstates.prom"
fi
finish
