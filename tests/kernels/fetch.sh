#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# fetch.sh - one Debian cloud kernel for the kernel matrix: the newest package of a series,
# downloaded with apt-get download, its vmlinuz and config extracted into a cache.
#
#   fetch.sh 5.10|6.1|6.12     prints the directory that holds vmlinuz, config and version
#
# Series: 5.10 linux-image-5.10.0-N-cloud-amd64-unsigned (Debian 11, suite bullseye, through a
# temporary apt list so the machine's apt setup stays as it is); 6.1 linux-image-6.1.0-N-cloud-
# amd64-unsigned and 6.12 linux-image-6.12.N+deb12-cloud-amd64-unsigned (the machine's bookworm
# lists; apt-get update only when they know no such package).
# Cache: $TCPSTATES_KERNEL_CACHE (default /var/cache/tcpstates-c/kernels)/SERIES/. A cached kernel
# is used as it is for $TCPSTATES_KERNEL_MAX_AGE days (default 7); after that the newest package
# is looked up again, and the cached one kept if the lookup fails (no network). Exit 1, with one
# line on stderr saying why, when there is no kernel to give.
set -eu

SERIES=${1:?usage: fetch.sh 5.10|6.1|6.12}
CACHE=${TCPSTATES_KERNEL_CACHE:-/var/cache/tcpstates-c/kernels}
MAX_AGE=${TCPSTATES_KERNEL_MAX_AGE:-7}
DIR="$CACHE/$SERIES"
SOURCES=/etc/apt/sources.list.d/debian.sources

say() { echo "fetch.sh: $*" >&2; }

case "$SERIES" in
5.10) RE='^linux-image-5\.10\.0-[0-9]+-cloud-amd64-unsigned$' ;;
6.1) RE='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
6.12) RE='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' ;;
*) say "unknown series '$SERIES' (expected 5.10, 6.1 or 6.12)"; exit 2 ;;
esac

# a complete cache entry that is fresh enough: nothing to do
fresh() {
	[ -s "$DIR/vmlinuz" ] && [ -s "$DIR/config" ] && [ -s "$DIR/version" ] &&
		[ -z "$(find "$DIR/version" -mtime +"$MAX_AGE" 2>/dev/null)" ]
}
if fresh; then
	echo "$DIR"
	exit 0
fi

mkdir -p "$DIR"
WORK=$(mktemp -d "$CACHE/.fetch-$SERIES.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# APT: the apt-get/apt-cache options of this series (empty: the machine's own setup)
APT=""
if [ "$SERIES" = 5.10 ]; then
	# the mirrors debian.sources names, suite bullseye (and its security suite)
	mkdir -p "$CACHE/apt-bullseye/lists/partial" "$CACHE/apt-bullseye/cache/archives/partial"
	: >"$CACHE/apt-bullseye/sources.list"
	for uri in $(sed -n 's/^URIs:[[:space:]]*//p' "$SOURCES" 2>/dev/null); do
		# suite bullseye of the main mirror (its security archive is not on every mirror)
		case "$uri" in *security*) continue ;; esac
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bullseye main" \
			>>"$CACHE/apt-bullseye/sources.list"
	done
	[ -s "$CACHE/apt-bullseye/sources.list" ] ||
		echo "deb http://deb.debian.org/debian bullseye main" >"$CACHE/apt-bullseye/sources.list"
	APT="-o Dir::Etc::sourcelist=$CACHE/apt-bullseye/sources.list -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists=$CACHE/apt-bullseye/lists -o Dir::Cache=$CACHE/apt-bullseye/cache"
fi

# newest: the packages matching RE, "name version" by candidate version, the newest first
newest() {
	# shellcheck disable=SC2086
	apt-cache $APT search --names-only "$RE" 2>/dev/null | cut -d' ' -f1 | while read -r p; do
		v=$(apt-cache $APT show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p')
		[ -n "$v" ] && echo "$p $v"
	done | sort -k2,2Vr
}

pick=$(newest | head -n 1)
# the 5.10 lists are ours to refresh; the machine's only when they know nothing of the series
if [ "$SERIES" = 5.10 ] || [ -z "$pick" ]; then
	# shellcheck disable=SC2086
	if timeout 300 apt-get $APT -qq update >"$WORK/update.log" 2>&1; then
		pick=$(newest | head -n 1)
	else
		say "apt-get update failed: $(tail -n 1 "$WORK/update.log")"
	fi
fi
if [ -z "$pick" ]; then
	if [ -s "$DIR/vmlinuz" ] && [ -s "$DIR/config" ] && [ -s "$DIR/version" ]; then
		say "no package found for $SERIES; using the cached $(cat "$DIR/version")"
		echo "$DIR"
		exit 0
	fi
	say "no package matching $RE found (no network, or not in the apt lists)"
	exit 1
fi
set -- $pick
PKG=$1 VER=$2
if [ "$(cat "$DIR/version" 2>/dev/null)" = "$PKG $VER" ] && [ -s "$DIR/vmlinuz" ] &&
	[ -s "$DIR/config" ]; then
	touch "$DIR/version"	# still the newest: fresh for MAX_AGE days more
	echo "$DIR"
	exit 0
fi

say "downloading $PKG $VER"
# shellcheck disable=SC2086
if ! (cd "$WORK" && timeout 600 apt-get $APT -qq download "$PKG=$VER") >"$WORK/dl.log" 2>&1; then
	say "apt-get download $PKG failed: $(tail -n 1 "$WORK/dl.log")"
	[ -s "$DIR/vmlinuz" ] && { say "using the cached $(cat "$DIR/version")"; echo "$DIR"; exit 0; }
	exit 1
fi
dpkg-deb -x "$WORK"/*.deb "$WORK/x"
vmlinuz=$(ls "$WORK"/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
config=$(ls "$WORK"/x/boot/config-* 2>/dev/null | head -n 1)
if [ -z "$vmlinuz" ] || [ -z "$config" ]; then
	say "$PKG has no /boot/vmlinuz-* or /boot/config-*"
	exit 1
fi
# what the guest needs must be built in: this harness loads no modules
for opt in BLK_DEV_INITRD RD_GZIP DEVTMPFS SERIAL_8250 SERIAL_8250_CONSOLE BPF_SYSCALL \
	DEBUG_INFO_BTF INET IPV6 UNIX PROC_FS SYSFS; do
	grep -q "^CONFIG_$opt=y" "$config" || { say "$PKG: CONFIG_$opt is not built in"; exit 1; }
done
cp "$vmlinuz" "$DIR/vmlinuz.new" && mv "$DIR/vmlinuz.new" "$DIR/vmlinuz"
cp "$config" "$DIR/config.new" && mv "$DIR/config.new" "$DIR/config"
basename "$config" | sed 's/^config-//' >"$DIR/release"
echo "$PKG $VER" >"$DIR/version"
say "cached $PKG $VER ($(cat "$DIR/release")) in $DIR"
echo "$DIR"
