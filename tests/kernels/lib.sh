# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# lib.sh - the kernel matrix's test steps, sourced by tests/integration/t_kernel_*.sh after
# tests/lib/common.sh: run guest.sh on a kernel (booted under qemu, or the host in a network
# namespace), then check_kernel.py and the schema check of what the tracer printed.

KT_DIR="$TS_ROOT/tests/kernels"
KT_KSCEN=${KSCEN_BIN:-$TS_ROOT/.output/kernels/kscen}
KT_START=$(date +%s)
KT_DEADLINE=$((KT_START + 150))	# tests/run.sh ends a script after 170 s

# kt_require: root, the tracer, kscen (make builds it: .output/kernels/kscen)
kt_require() {
	require_root_and_bin
	if [ ! -x "$KT_KSCEN" ]; then
		not_ok "scenario program $KT_KSCEN built (make .output/kernels/kscen)"
		finish
	fi
}

# kt_check LABEL RESULTS: check_kernel.py's lines, then each hook's JSON against the schema
kt_check() {
	local label=$1 results=$2 f out
	run_checks "$TS_PY" "$KT_DIR/check_kernel.py" --kernel "$label" --extract "$TS_TMP" "$results"
	for f in "$TS_TMP"/*.jsonl; do
		[ -s "$f" ] || continue
		if out=$("$TS_PY" "$TS_VALIDATOR" "$TS_SCHEMA" "$f" 2>&1); then
			ok "$label $(basename "$f" .jsonl): JSON output validates against the schema"
		else
			not_ok "$label $(basename "$f" .jsonl): JSON output validates against the schema"
			diag "$(echo "$out" | head -20)"
		fi
	done
}

# kt_qemu SERIES: boot Debian's SERIES cloud kernel with guest.sh, check what it says
kt_qemu() {
	local series=$1 rc=0
	kt_require
	if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ]; then
		not_ok "$series: qemu-system-x86_64 and busybox-static installed (.ci/install-deps.sh)"
		finish
	fi
	if ldd /bin/busybox >/dev/null 2>&1; then
		not_ok "$series: /bin/busybox is static (the initramfs has no libc): install busybox-static"
		finish
	fi
	"$KT_DIR/boot.sh" "$series" "$TS_TMP" "$TS_BIN" "$KT_KSCEN" "$KT_DEADLINE" || rc=$?
	# a panic fails the run and is not booted again: thread=single (boot.sh) removed the int3
	# panics of multi-threaded TCG (docs/kernels.md), so any panic now is one to look into
	if grep -aqE 'Oops|Kernel panic' "$TS_TMP/console" 2>/dev/null; then
		not_ok "$series: the guest kernel ran without a panic (its console:)"
		tr -d '\r' <"$TS_TMP/console" | grep -a -m 4 -E 'Oops|BUG|RIP|panic' | sed 's/^/#   /'
	fi
	case $rc in
	0) ;;
	3) not_ok "$series: kernel package downloaded or cached (see the notes above)"; finish ;;
	*) not_ok "$series: the guest ran to its end and powered off (boot.sh exit $rc)" ;;
	esac
	if ! grep -q '^@@kt done' "$TS_TMP/results"; then
		echo "# the guest's console (last lines):"
		tr -d '\r' <"$TS_TMP/console" | tail -n 25 | sed 's/^/#   /'
	fi
	kt_check "$series" "$TS_TMP/results"
	finish
}

# kt_host: the same guest.sh on the host kernel, in a private network namespace (loopback only;
# its own tcp_fin_timeout), the tracer limited to that namespace
kt_host() {
	local ns="tsc-$$-kh" ino rc=0
	kt_require
	ip netns add "$ns" || { not_ok "host: network namespace made"; finish; }
	TS_NETNS+=("$ns")
	ip -n "$ns" link set lo up || { not_ok "host: lo up in the namespace"; finish; }
	ino=$(stat -L -c %i "/run/netns/$ns")
	mkdir -p "$TS_TMP/guest"
	timeout -k 5 $((KT_DEADLINE - $(date +%s))) ip netns exec "$ns" sh "$KT_DIR/guest.sh" \
		"$TS_BIN" "$KT_KSCEN" "$TS_TMP/guest" --netns "$ino" >"$TS_TMP/results" 2>&1 || rc=$?
	[ "$rc" = 0 ] || not_ok "host: guest.sh ran to its end (exit $rc)"
	echo "# host $(uname -r): guest.sh took $(($(date +%s) - KT_START)) s"
	kt_check host "$TS_TMP/results"
	finish
}
