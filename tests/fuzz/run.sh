#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# run.sh - run each libFuzzer target .output/fuzz/fuzz_<name> for FUZZ_SECONDS (default 25) from
# its seed corpus tests/fuzz/corpus/<name>/ (and tests/fuzz/<name>.dict if there is one). One line
# per target: "ok - fuzz_<name>: N runs in S s, ..." or "not ok" with the finding and where the
# input that caused it was kept. What the fuzzer adds to the corpus stays in a temporary
# directory: the committed seeds never change. FUZZ_TARGETS="cli addr" runs only those.
set -u
cd "$(dirname "$0")/../.." || exit 1

SECONDS_EACH=${FUZZ_SECONDS:-25}
TARGETS=${FUZZ_TARGETS:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
TMP=$(mktemp -d /tmp/tcpstates-fuzz.XXXXXX)
failed=0

for t in $TARGETS; do
	bin=.output/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz_$t: $bin not built (make san-bins)"
		failed=1
		continue
	fi
	mkdir -p "$TMP/$t"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	# -max_len: the records are small; -timeout: one input taking 10 s is a hang
	"$bin" -max_total_time="$SECONDS_EACH" -max_len=512 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$TMP/$t-" "${dict[@]}" \
		"$TMP/$t" "tests/fuzz/corpus/$t" >"$TMP/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$TMP/$t.log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$TMP/$t.log" | tail -n 1)
	seeds=$(ls "tests/fuzz/corpus/$t" | wc -l)
	if [ "$rc" = 0 ] && [ -n "$runs" ]; then
		echo "ok - fuzz_$t: $runs runs in ${secs:-?} s, $cov (from $seeds seeds), no finding"
	else
		failed=1
		echo "not ok - fuzz_$t: exit status $rc after ${runs:-?} runs"
		grep -E 'property broken|ERROR: |runtime error|SUMMARY|Test unit written' "$TMP/$t.log" |
			head -n 8 | sed 's/^/# /'
		for a in "$TMP/$t"-*; do
			[ -f "$a" ] && echo "# input (base64): $(base64 -w0 "$a" | head -c 1400)"
		done
		echo "# kept $TMP (replay: $bin $TMP/$t-<file>)"
	fi
done
[ "$failed" = 0 ] && rm -rf "$TMP"
exit "$failed"
