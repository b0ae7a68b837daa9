#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_asan: t_ipv4_basic's scenario traced by the ASan+UBSan build of the tracer (.output/asan/,
# dynamically linked: ASan cannot link -static; `make san-bins`): the same exact transitions, exit
# 0 on SIGTERM, and not one sanitizer report - a finding aborts it, a leak fails the exit status.
TCPSTATES_BIN=$(cd "$(dirname "$0")/../.." && pwd)/.output/asan/tcpstates-c
export TCPSTATES_BIN
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin
# a plain build in its place would pass everything below and prove nothing
check "the tracer is the sanitizer build" grep -q __asan_init "$TS_BIN"

basic_family_test 4
if grep -qE 'Sanitizer|runtime error' "$TS_TMP/err"; then
	not_ok "no sanitizer report on stderr"
	diag "$(grep -A12 -E 'Sanitizer|runtime error' "$TS_TMP/err" | head -n 30)"
else
	ok "no sanitizer report on stderr"
fi
finish
