#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_layers: the parts of the program include each other only downwards, as the layer table of
# docs/how-it-works.md ("Layers") draws them, and every file of user/, bpf/ and include/ is in a
# part (tests/lib/check_layers.py). First the checker is shown a copy of the tree with known
# faults planted, so that it is seen to fail where it must.
source "$(dirname "$0")/../lib/common.sh"
CHECK="$TS_LIB/check_layers.py"

# the fixture: this tree's sources and doc, with an include upwards (a value includes the
# session), one sideways (stats and stuck share a layer) and a file in no part
FX="$TS_TMP/fx"
mkdir -p "$FX/docs"
cp -r "$TS_ROOT/user" "$TS_ROOT/bpf" "$TS_ROOT/include" "$FX/"
cp "$TS_ROOT/docs/how-it-works.md" "$FX/docs/"
printf '#include "session.h"\n' >>"$FX/user/addr.c"
printf '#include "stuck.h"\n' >>"$FX/user/stats.c"
printf '/* a new file */\n' >"$FX/user/extra.c"
# what the fixture adds to the tree's own findings (none, unless the tree's check below fails too)
"$TS_PY" "$CHECK" --list "$TS_ROOT" >"$TS_TMP/tree.txt" 2>&1
got=$("$TS_PY" "$CHECK" --list "$FX" 2>&1 | grep -vxF -f "$TS_TMP/tree.txt" |
	sed 's/:[0-9][0-9]*:/:N:/; s/layer [0-9][0-9]*/layer N/g')
want='user/extra.c is in no part of the layer table (docs/how-it-works.md)
user/addr.c:N: includes "session.h": values (layer N) may not include session (layer N)
user/stats.c:N: includes "stuck.h": stats (layer N) may not include stuck (layer N)'
check "the checker finds exactly the fixture's three faults" [ "$got" = "$want" ]
[ "$got" = "$want" ] || diag "got:
$got"

run_checks "$TS_PY" "$CHECK" "$TS_ROOT"
finish
