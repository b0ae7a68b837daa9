#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_docs: the documents hold together (tests/lib/check_docs.py): every link in README.md and
# docs/*.md resolves to a file and heading of the repository, none leaves it; every long option
# of --help is in README.md and docs/usage.md; README.md is at most 200 lines. First the checker
# is shown a fixture with known faults, so that it is seen to fail where it must.
source "$(dirname "$0")/../lib/common.sh"
if [ ! -x "$TS_BIN" ]; then
	not_ok "binary $TS_BIN not built"
	finish
fi
CHECK="$TS_LIB/check_docs.py"

# the fixture: one good link and anchor, four faults of different kinds
mkdir -p "$TS_TMP/fx/docs" && cat >"$TS_TMP/fx/docs/a.md" <<'MD'
# Title

## Exit status: `-h`

[good](a.md#exit-status--h) [no file](b.md) [no heading](a.md#nowhere)
[outside](../../etc/passwd) [url](https://example.org/)

```
[in a code block](not-a-link.md)
```
MD
got=$("$TS_PY" "$CHECK" --links "$TS_TMP/fx/docs/a.md" 2>&1)
want="b.md: no such file
a.md#nowhere: no such heading in a.md
../../etc/passwd: outside the repository
https://example.org/: outside the repository (a URL)"
# the fixture's root is fx/docs (the file's directory): ../../etc/passwd leaves it
check "the checker finds exactly the fixture's four faults" [ "$got" = "$want" ]
[ "$got" = "$want" ] || diag "got:
$got"

"$TS_BIN" --help >"$TS_TMP/help.txt" 2>&1
check "--help exits 0" [ $? = 0 ]
run_checks "$TS_PY" "$CHECK" "$TS_ROOT" "$TS_TMP/help.txt"
finish
