#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_lint: every check of the test scripts (tests/integration/*.sh, tests/kernels/*.sh,
# tests/lib/*.sh) gets its whole condition: no `check NAME [ a ] && [ b ]`, where the shell runs
# `[ b ]` outside check and nobody reads its result (tests/lib/lint_checks.py). First the linter
# is shown a fixture with known faults, so that it is seen to fail where it must.
source "$(dirname "$0")/../lib/common.sh"
LINT="$TS_LIB/lint_checks.py"

# the fixture: four cut checks (lines 2, 3, 6, 8), and operators the shell does not give the
# list: quoted, in $(...) and ${...}, a comment, a here-document, a check made conditional
cat >"$TS_TMP/fx.sh" <<'SH'
x=1
check "a" [ "$x" = 1 ] && [ "$x" = 2 ]
check "b $(true && true)" \
	true || false
check "c" eval '[ a ] && [ b ]'
if true; then check "d" true | cat; fi
check "e" bash -c "true || false"
check_show "f" /dev/null [ "${x:-&&}" = 1 ] &&
	true
# check "g" true && false
cat <<X
check "h" true && false
X
[ "$x" = 1 ] && check "i" true
check "j" [ "$x" = '||' ]
SH
got=$("$TS_PY" "$LINT" --list "$TS_TMP/fx.sh" 2>&1 | sed 's/^[^:]*:\([0-9]*\): \([^ ]*\).* \([&|]*\) \.\.\..*/\1 \2 \3/')
want="2 check &&
3 check ||
6 check |
8 check_show &&"
check "the linter finds exactly the fixture's four cut checks" [ "$got" = "$want" ]
[ "$got" = "$want" ] || diag "got:
$got"

run_checks "$TS_PY" "$LINT" "$TS_ROOT"/tests/integration/*.sh "$TS_ROOT"/tests/kernels/*.sh \
	"$TS_ROOT"/tests/lib/*.sh
finish
