#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_docs: the documents hold together (tests/lib/check_docs.py): every link in README.md and
# docs/*.md resolves to a file and heading of the repository, none leaves it; every long option
# of --help is in README.md and docs/usage.md; README.md is at most 200 lines; the source map of
# docs/how-it-works.md names files that exist, and every user/*.c and bpf/**/*.bpf.c. First the
# checker is shown fixtures with known faults, so that it is seen to fail where it must.
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

# the source map's fixture: a tree and a map that names a file renamed since (report.c, now
# stats_text.c); code blocks before and after the map's, and its indented text, are not read
mkdir -p "$TS_TMP/sm/docs" "$TS_TMP/sm/user" "$TS_TMP/sm/bpf/tracer" "$TS_TMP/sm/tests/lib"
touch "$TS_TMP"/sm/user/{main,stats_text,stuck}.c "$TS_TMP"/sm/bpf/{iter_tcp,tracer/core}.bpf.c
cat >"$TS_TMP/sm/docs/how-it-works.md" <<'MD'
# How it works

```
user/before.c            not the source map
```

## For developers

```
bpf/tracer/core.bpf.c    the state hook
bpf/iter_tcp.bpf.c       the iterator
user/main.c, report.c    wiring; the stats as text
user/stuck.c             --stuck, read by
                         user/indented.c: text
tests/lib/               what the tests share
```

```
user/after.c             not the source map
```
MD
got=$("$TS_PY" "$CHECK" --source-map "$TS_TMP/sm" 2>&1)
want="user/report.c: named in the source map, no such file
user/stats_text.c: not named in the source map"
check "the checker finds exactly the source map fixture's two faults" [ "$got" = "$want" ]
[ "$got" = "$want" ] || diag "got:
$got"

"$TS_BIN" --help >"$TS_TMP/help.txt" 2>&1
check "--help exits 0" [ $? = 0 ]
run_checks "$TS_PY" "$CHECK" "$TS_ROOT" "$TS_TMP/help.txt"
finish
