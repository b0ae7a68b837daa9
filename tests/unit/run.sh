#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# run.sh - `make unit`: run each unit binary given, show its output, add up the "unit FILE: N
# passed, M failed" lines they end with, and end with "unit: N passed, M failed". A binary that
# exits nonzero with no failed check, or without its summary line, counts as one failure.
# Exit 1 if anything failed.
passed=0
failed=0
out=$(mktemp /tmp/tcpstates-unit.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
for bin in "$@"; do
	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"
	last=$(grep '^unit ' "$out" | tail -n 1)
	p=$(printf '%s\n' "$last" | sed -n 's/^unit .*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^unit .*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "not ok - $bin: exit status $rc, no summary line"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $bin: exit status $rc with no failed check"
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]
