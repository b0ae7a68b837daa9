#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_layers.py - the parts of the program include each other only downwards: the layer table
# of docs/how-it-works.md ("## Layers", its first code block) puts every file of user/, bpf/ and
# include/ in one part and every part in a layer, numbered from the top; a file may include its
# own part's headers and those of parts in layers below its own, never a part beside it (the same
# layer) or above it. So no two parts include each other, through any number of others.
#
#   check_layers.py ROOT            check the tree at ROOT: "ok"/"not ok" lines (for run_checks)
#   check_layers.py --list ROOT     each finding, one a line, nothing else; for the self-test of
#                                   t_layers.sh
#   check_layers.py --graph ROOT    the arrows between parts, with the includes that make each
#
# The table's lines: "LAYER PART NAME...", or "PART NAME..." for one more part of the layer above.
# A NAME is a file of user/ without its suffix (NAME.c and NAME.h, either may be missing), a
# directory ("bpf/": every .c and .h below it), or a pattern for generated headers ("*.skel.h").
# An include that names no file of those (<...>, vmlinux.h, libbpf's) is outside every part.

import fnmatch
import os
import re
import sys

import tslib

DOC = "docs/how-it-works.md"
SCANNED = ("user", "bpf", "include")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
ROW = re.compile(r"^\s*(?:(\d+)\s+)?([a-z][a-z0-9_/-]*)\s+(\S.*?)\s*$")


def read_table(root):
    """[(layer, part, [names])] from the doc's Layers section, and the problems found reading it"""
    lines, problems = [], []
    try:
        text = open(os.path.join(root, DOC), encoding="utf-8").read().splitlines()
    except OSError as e:
        return [], ["%s: cannot read: %s" % (DOC, e.strerror)]
    section = fence = False
    for line in text:
        if line.startswith("#"):
            if section and not fence:
                break
            section = section or line.strip() == "## Layers"
        elif section and line.lstrip().startswith("```"):
            if fence:
                break
            fence = True
        elif fence and line.strip():
            lines.append(line)
    if not lines:
        return [], ["%s: no layer table (a code block under '## Layers')" % DOC]
    rows, layer = [], 0
    for line in lines[1:]:		# the first line is the column heads
        m = ROW.match(line)
        if not m:
            problems.append("%s: not a row of the layer table: '%s'" % (DOC, line.strip()))
            continue
        if m.group(1):
            if int(m.group(1)) != layer + 1:
                problems.append("%s: layer %s follows layer %d" % (DOC, m.group(1), layer))
            layer = int(m.group(1))
        if not layer:
            problems.append("%s: part %s has no layer" % (DOC, m.group(2)))
        rows.append((layer, m.group(2), m.group(3).split()))
    return rows, problems


def scanned_files(root):
    out = []
    for top in SCANNED:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def place(rows, files):
    """file -> (layer, part); [(pattern, layer, part)] for generated headers; problems"""
    where, patterns, problems = {}, [], []
    seen = set()
    for layer, part, names in rows:
        if part in seen:
            problems.append("%s: part %s is in the table twice" % (DOC, part))
        seen.add(part)
        for name in names:
            if "*" in name:
                patterns.append((name, layer, part))
                continue
            if name.endswith("/"):
                mine = [f for f in files if f.startswith(name)]
            else:
                mine = [f for f in ("user/%s.c" % name, "user/%s.h" % name) if f in files]
            if not mine:
                problems.append("%s: part %s names %s, which is no file" % (DOC, part, name))
            for f in mine:
                if f in where:
                    problems.append("%s is in two parts: %s and %s" % (f, where[f][1], part))
                where[f] = (layer, part)
    for f in files:
        if f not in where:
            problems.append("%s is in no part of the layer table (%s)" % (f, DOC))
    return where, patterns, problems


def resolve(name, src, files, by_base):
    """the scanned file an include names: beside the includer, else by its name, else None"""
    beside = os.path.normpath(os.path.join(os.path.dirname(src), name))
    if beside in files:
        return beside
    return by_base.get(os.path.basename(name))


def arrows(root, files, where, patterns):
    """[(src, line, name, from (layer, part), to (layer, part))] for every include between parts"""
    fileset = set(files)
    by_base = {}
    for f in files:
        by_base.setdefault(os.path.basename(f), f)
    out = []
    for src in files:
        if src not in where:
            continue
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                dst = resolve(m.group(1), src, fileset, by_base)
                if dst in where:
                    to = where[dst]
                else:
                    to = next(((l, p) for pat, l, p in patterns
                               if fnmatch.fnmatch(os.path.basename(m.group(1)), pat)), None)
                if to and to[1] != where[src][1]:
                    out.append((src, n, m.group(1), where[src], to))
    return out


def upward(links):
    return ["%s:%d: includes \"%s\": %s (layer %d) may not include %s (layer %d)"
            % (src, n, name, fr[1], fr[0], to[1], to[0])
            for src, n, name, fr, to in links if to[0] <= fr[0]]


def analyse(root):
    rows, problems = read_table(root)
    files = scanned_files(root)
    where, patterns, more = place(rows, files)
    links = arrows(root, files, where, patterns)
    return rows, problems + more, links


def main(argv):
    mode = argv[1] if len(argv) == 3 and argv[1] in ("--list", "--graph") else None
    if len(argv) != (3 if mode else 2):
        sys.stderr.write("usage: check_layers.py [--list | --graph] ROOT\n")
        return 2
    root = argv[-1]
    rows, problems, links = analyse(root)
    bad = upward(links)
    if mode == "--list":
        for p in problems + bad:
            print(p)
        return 0
    if mode == "--graph":
        pairs = {}
        for src, n, name, fr, to in links:
            pairs.setdefault((fr, to), []).append("%s:%d" % (os.path.basename(src), n))
        for (fr, to), at in sorted(pairs.items()):
            print("%d %s -> %d %s%s: %s" % (fr[0], fr[1], to[0], to[1],
                                            "" if to[0] > fr[0] else "  UPWARD", " ".join(at)))
        return 0
    R = tslib.Results()
    R.check(rows and not problems, "every file of %s is in one part of the layer table in %s"
            % (", ".join(d + "/" for d in SCANNED), DOC), *problems)
    R.check(rows and not bad, "every include between parts goes down (%d parts in %d layers, "
            "%d arrows)" % (len(rows), rows[-1][0] if rows else 0,
                            len({(fr[1], to[1]) for _, _, _, fr, to in links})), *bad)
    R.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
