#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# run.sh - every test: the unit binaries (.output/tests/test_*, and the same built with ASan+UBSan,
# .output/asan/tests/test_*), the schema check of the JSON the unit tests dump, the integration
# scripts (tests/integration/t_*.sh, root). `make test` calls it after building.
# Prints each result as it comes, ends with "N passed, M failed"; exit 1 if M > 0.
# TS_ONLY='GLOB ...': only the integration scripts tests/integration/GLOB.sh, no unit tests (make
# test-kernels: TS_ONLY='t_kernel_*').
set -u
ONLY=${TS_ONLY:-}
cd "$(dirname "$0")/.." || exit 1

PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/tcpstates-run.XXXXXX)
MOUNTED_TRACEFS=0
# what the run mounted it unmounts again
trap 'rm -rf "$TMP"; [ "$MOUNTED_TRACEFS" = 1 ] && umount /sys/kernel/tracing' EXIT
PY=/usr/bin/python3

# tracefs: the classic-tracepoint fallback needs it, and a fresh machine has it unmounted
if [ "$(id -u)" = 0 ] && ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
	if mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
		MOUNTED_TRACEFS=1
	else
		echo "# could not mount tracefs at /sys/kernel/tracing"
	fi
fi

# ---- unit tests ----------------------------------------------------------------------------------

# .output/asan/tests/: the same tests built with ASan+UBSan (make san-bins); a finding aborts
UNIT_RAN=0
for bin in .output/tests/test_* .output/asan/tests/test_*; do
	[ -x "$bin" ] && [ -z "$ONLY" ] || continue
	UNIT_RAN=$((UNIT_RAN + 1))
	name=$(basename "$bin")
	env=()
	[ "$bin" = .output/tests/test_output ] && env=(TCPSTATES_JSON_DUMP="$TMP/unit.jsonl")
	[[ "$bin" == .output/asan/* ]] && name="$name (ASan+UBSan)"
	env "${env[@]}" timeout 120 "$bin" >"$TMP/unit.out" 2>"$TMP/unit.err"
	rc=$?
	sed 's/^/# /' "$TMP/unit.err"
	grep -v '^unit ' "$TMP/unit.out" | sed 's/^/# /'
	last=$(grep '^unit ' "$TMP/unit.out" | tail -n 1)
	if [[ "$last" =~ ^unit\ .*:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		[[ "$bin" == .output/asan/* ]] && last=${last/#unit /unit (ASan+UBSan) }
		echo "$last"
		PASSED=$((PASSED + BASH_REMATCH[1]))
		FAILED=$((FAILED + BASH_REMATCH[2]))
		if [ "$rc" != 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then
			echo "not ok - $name: exit status $rc with no failed check"
			FAILED=$((FAILED + 1))
		fi
	else
		echo "not ok - $name: exit status $rc, no summary line"
		FAILED=$((FAILED + 1))
	fi
done

# the records test_output dumped, against the schema: no dump (test_output not built, or it wrote
# nothing) is a failure too, never a skipped check
if [ -z "$ONLY" ] && [ "$UNIT_RAN" = 0 ]; then
	echo "not ok - unit tests: none built in .output/tests (make unit-bins)"
	FAILED=$((FAILED + 1))
fi
if [ -z "$ONLY" ]; then
	name="JSON records of test_output validate against the schema"
	if [ ! -s "$TMP/unit.jsonl" ]; then
		echo "not ok - $name: test_output dumped no records (TCPSTATES_JSON_DUMP)"
		FAILED=$((FAILED + 1))
	elif out=$("$PY" tests/unit/validate_json.py include/tcpstates.schema.json "$TMP/unit.jsonl" 2>&1); then
		echo "ok - $name ($out)"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $name"
		echo "$out" | head -20 | sed 's/^/# /'
		FAILED=$((FAILED + 1))
	fi
fi

# ---- integration tests ---------------------------------------------------------------------------

# TS_ONLY may hold several globs; one that matches nothing is a failure, not "0 passed"
scripts=()
set -f	# the words split here, their globs expand below under tests/integration/ only
# shellcheck disable=SC2206
globs=(${ONLY:-t_*})
set +f
for g in "${globs[@]}"; do
	n=${#scripts[@]}
	for f in tests/integration/$g.sh; do [ -e "$f" ] && scripts+=("$f"); done
	if [ -n "$ONLY" ] && [ "${#scripts[@]}" = "$n" ]; then
		echo "not ok - TS_ONLY: '$g' matches no tests/integration/*.sh"
		FAILED=$((FAILED + 1))
	fi
done
if [ "${#scripts[@]}" -gt 0 ] && [ "$(id -u)" != 0 ]; then
	echo "# skipping integration tests: need root"
	for t in "${scripts[@]}"; do echo "not ok - $(basename "$t" .sh): needs root"; done
	FAILED=$((FAILED + ${#scripts[@]}))
	scripts=()
fi
for t in "${scripts[@]}"; do
	name=$(basename "$t" .sh)
	echo "# $name"
	bad=0
	seen=0	# ok/not ok lines: a script that printed none checked nothing
	start=$(date +%s)
	while IFS= read -r line; do
		case "$line" in
		"ok - "* | "ok "*)
			PASSED=$((PASSED + 1))
			seen=1
			echo "$line"
			;;
		"not ok - "* | "not ok "*)
			FAILED=$((FAILED + 1))
			bad=1
			seen=1
			echo "$line"
			;;
		"__rc="*)
			rc=${line#__rc=}
			if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
				note=""
				[ "$rc" = 124 ] && note=" (timed out)"
				echo "not ok - $name: exit status $rc$note"
				FAILED=$((FAILED + 1))
			elif [ "$seen" = 0 ]; then
				echo "not ok - $name: printed no ok/not ok line (exit status $rc)"
				FAILED=$((FAILED + 1))
			fi
			;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <(timeout -k 10 170 bash "$t" 2>&1 </dev/null; echo "__rc=$?")
	echo "# $name: $(($(date +%s) - start)) s"
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
