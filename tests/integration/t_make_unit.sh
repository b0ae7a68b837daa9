#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_make_unit: `make unit` builds the unit binaries, runs each, and ends with one summary line
# "unit: N passed, M failed"; it fails when a check fails or a binary exits nonzero or dies
# without its summary line.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

mk() { make -C "$TS_ROOT" --no-print-directory -s unit "$@" >"$TS_TMP/out" 2>&1; }

mk
rc=$?
last=$(tail -n 1 "$TS_TMP/out")
check "make unit exits 0 (got $rc)" [ "$rc" = 0 ]
check "make unit ends with 'unit: N passed, 0 failed' (got '$last')" \
	grep -Eq '^unit: [1-9][0-9]* passed, 0 failed$' <<<"$last"
check "make unit runs every unit binary" \
	[ "$(grep -c '^unit tests/unit/test_' "$TS_TMP/out")" = "$(ls "$TS_ROOT"/tests/unit/test_*.c | wc -l)" ]

# stand-ins for unit binaries: one with a failed check, one that dies without a summary
printf '#!/bin/sh\necho "unit fake_fail.c: 3 passed, 1 failed"\nexit 1\n' >"$TS_TMP/fake_fail"
printf '#!/bin/sh\nexit 139\n' >"$TS_TMP/fake_crash"
printf '#!/bin/sh\necho "unit fake_ok.c: 2 passed, 0 failed"\n' >"$TS_TMP/fake_ok"
chmod +x "$TS_TMP"/fake_*
mk UNIT_BINS="$TS_TMP/fake_ok $TS_TMP/fake_fail"
rc=$?
check "a failed check: make unit fails (got $rc)" [ "$rc" != 0 ]
check "a failed check: counted ($(grep '^unit:' "$TS_TMP/out"))" grep -qx 'unit: 5 passed, 1 failed' "$TS_TMP/out"
mk UNIT_BINS="$TS_TMP/fake_ok $TS_TMP/fake_crash"
rc=$?
check "a binary without its summary: make unit fails (got $rc)" [ "$rc" != 0 ]
check "a binary without its summary: counted ($(grep '^unit:' "$TS_TMP/out"))" grep -qx 'unit: 2 passed, 1 failed' "$TS_TMP/out"
finish
