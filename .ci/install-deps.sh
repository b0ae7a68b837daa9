#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# install-deps.sh - install whichever Debian packages the build, the tests and the benchmark need
# and are missing. Quiet when nothing is missing; needs root only when something is.
set -eu

PKGS="make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev libseccomp-dev bpftool libc6-dev \
	iproute2 python3 python3-jsonschema procps util-linux jq curl"
# the ASan/UBSan runtimes and libFuzzer for clang 14 (make san-bins, tests/fuzz/): only a
# recommendation of clang's, which --no-install-recommends leaves out
PKGS="$PKGS libclang-rt-14-dev"
# socat: tests/integration/t_stuck_fork.sh's fork-per-connection server
PKGS="$PKGS socat"
# Graphviz: tests/integration/t_counters.sh renders the --dot file (dot -Tsvg)
PKGS="$PKGS graphviz"
# tests/integration/t_metrics.sh: promtool checks the --metrics-file, node_exporter serves it,
# a prometheus server scrapes it and answers a PromQL query
PKGS="$PKGS prometheus prometheus-node-exporter"
# tests/integration/t_install.sh: the man page rendered by groff and man, linted by mandoc; the
# bash completion driven with and without the bash-completion package
PKGS="$PKGS groff-base man-db mandoc bash-completion"
# the kernel matrix (tests/kernels/): Debian kernels booted under qemu with a busybox initramfs
PKGS="$PKGS qemu-system-x86 busybox-static cpio gzip"
# tests/integration/t_output_file.sh, t_rsyslog.sh: -o's file rotated by logrotate, followed by
# rsyslog (imfile, mmjsonparse)
PKGS="$PKGS logrotate rsyslog"
# deploy/: systemd-analyze (verify, security, syscall-filter) and strace for the unit's test
# (t_systemd); podman (with its runtime and containers-common) builds the image, python3-yaml
# reads the DaemonSet (t_container)
PKGS="$PKGS systemd strace podman python3-yaml"
# tests/integration/t_servers.sh: a real daemonizing server (its service is kept from starting)
PKGS="$PKGS nginx"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS libbpf-tools"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The tests start their own prometheus, node_exporter and rsyslogd in private namespaces: the
# packages' own services are not wanted. A policy-rc.d that says "no" (unless the machine has
# one) keeps the install from starting them; those newly installed are then disabled too.
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 0755 "$POLICY" && OWN_POLICY=1
	trap '[ "$OWN_POLICY" = 1 ] && rm -f "$POLICY"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
if [ -d /run/systemd/system ]; then
	for unit in prometheus prometheus-node-exporter rsyslog nginx; do
		case " $missing " in *" $unit "*) systemctl disable --now -q "$unit" 2>/dev/null || true ;; esac
	done
fi
