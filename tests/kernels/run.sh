#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# run.sh - the kernel matrix alone (make test-kernels): tests/integration/t_kernel_*.sh, each
# ended after 170 s as tests/run.sh does; counts the ok / not ok lines, ends with
# "N passed, M failed"; exit 1 if M > 0.
set -u
cd "$(dirname "$0")/../.." || exit 1
PASSED=0
FAILED=0
for t in tests/integration/t_kernel_*.sh; do
	name=$(basename "$t" .sh)
	echo "# $name"
	start=$(date +%s)
	bad=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*) PASSED=$((PASSED + 1)); echo "$line" ;;
		"not ok "*) FAILED=$((FAILED + 1)); bad=1; echo "$line" ;;
		"__rc="*)
			rc=${line#__rc=}
			if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
				echo "not ok - $name: exit status $rc"
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
