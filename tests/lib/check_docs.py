#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_docs.py - the documents hold together: every link in README.md and docs/*.md points to a
# file of the repository that exists (and to a heading of it that exists, for "file.md#anchor"),
# none leaves the repository; every long option of --help is in README.md and docs/usage.md; the
# README stays a page (at most 200 lines); the source map of docs/how-it-works.md ("For
# developers") matches the tree: every file it names exists, every source file is named.
#
#   check_docs.py ROOT HELP_TEXT_FILE      check the repository at ROOT
#   check_docs.py --links FILE...          print each broken link of FILE... (one a line); for the
#                                          self-test of t_docs.sh
#   check_docs.py --source-map ROOT        print each mismatch of ROOT's source map and tree (one
#                                          a line); for the self-test of t_docs.sh

import glob
import os
import re
import sys

import tslib

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LONG_OPT = re.compile(r"^\s+(?:-[A-Za-z0-9], )?(--[a-z][a-z0-9-]*)")
README_MAX_LINES = 200
SOURCE_MAP_DOC = "docs/how-it-works.md"
SOURCE_MAP_HEADING = "For developers"
# the files the source map must name, every one
SOURCE_MAP_COVERS = ("user/*.c", "bpf/*.bpf.c", "bpf/tracer/*.bpf.c")


def prose_lines(text):
    """the lines outside fenced code blocks"""
    inside = False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            yield line


def slug(heading):
    """the anchor GitHub makes of a heading: markup dropped, lowercased, punctuation removed,
    blanks to '-'"""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)	# a link's text only
    text = text.replace("`", "").replace("*", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    seen = {}
    out = set()
    for line in prose_lines(open(path, encoding="utf-8").read()):
        m = HEADING.match(line)
        if not m:
            continue
        s = slug(m.group(2))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else "%s-%d" % (s, n))
    return out


def links(path):
    for line in prose_lines(open(path, encoding="utf-8").read()):
        for m in LINK.finditer(line):
            yield m.group(1)


def broken_links(path, root):
    """(target, why) for each link of path that does not resolve inside root"""
    root = os.path.realpath(root)
    bad = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            bad.append((target, "outside the repository (a URL)"))
            continue
        file_part, _, anchor = target.partition("#")
        dest = os.path.realpath(os.path.join(os.path.dirname(path), file_part)) if file_part \
            else os.path.realpath(path)
        if dest != root and not dest.startswith(root + os.sep):
            bad.append((target, "outside the repository"))
        elif not os.path.exists(dest):
            bad.append((target, "no such file"))
        elif anchor and not dest.endswith(".md"):
            bad.append((target, "an anchor in a file that is not Markdown"))
        elif anchor and anchor not in anchors(dest):
            bad.append((target, "no such heading in " + os.path.relpath(dest, root)))
    return bad


def source_map_names(path):
    """the paths named by the source map: the first code block under the heading "For
    developers". An entry starts at column 0 with its paths ("user/stats.c, stats_out.c" - a name
    without a directory is in the directory of the entry's first path; "tests/lib/" a directory),
    then, after two blanks, what they do; indented lines go on with the text."""
    names = []
    under, inside = False, False
    for line in open(path, encoding="utf-8").read().splitlines():
        m = HEADING.match(line)
        if m and not inside:
            under = m.group(2) == SOURCE_MAP_HEADING
            continue
        if under and FENCE.match(line):
            if inside:
                break
            inside = True
            continue
        if not inside or not line or line[0].isspace():
            continue
        base = ""
        for name in re.split(r"\s{2,}", line.strip())[0].split(","):
            name = name.strip()
            if "/" in name.rstrip("/"):
                base = os.path.dirname(name.rstrip("/"))
            else:
                name = os.path.join(base, name)
            names.append(name)
    return names


def source_map_faults(root):
    """each mismatch of the source map and the tree, one line each"""
    names = source_map_names(os.path.join(root, SOURCE_MAP_DOC))
    if not names:
        return ["%s: no source map (a code block under \"## %s\")"
                % (SOURCE_MAP_DOC, SOURCE_MAP_HEADING)]
    faults = ["%s: named in the source map, no such file" % n for n in names
              if not os.path.exists(os.path.join(root, n))]
    named = {os.path.normpath(n) for n in names}
    for pattern in SOURCE_MAP_COVERS:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            rel = os.path.relpath(path, root)
            if rel not in named:
                faults.append("%s: not named in the source map" % rel)
    return faults


def long_options(help_text):
    return sorted({m.group(1) for m in map(LONG_OPT.match, help_text.splitlines()) if m})


def mentions(text, opt):
    return re.search(re.escape(opt) + r"(?![a-z0-9-])", text) is not None


def main():
    if sys.argv[1] == "--links":
        for path in sys.argv[2:]:
            for target, why in broken_links(path, os.path.dirname(os.path.abspath(path))):
                print("%s: %s" % (target, why))
        return 0
    if sys.argv[1] == "--source-map":
        for fault in source_map_faults(sys.argv[2]):
            print(fault)
        return 0
    root, help_file = sys.argv[1], sys.argv[2]
    R = tslib.Results()
    docs = sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(root, "docs"))
                  if f.endswith(".md"))
    for rel in ["README.md"] + docs:
        path = os.path.join(root, rel)
        n = sum(1 for _ in links(path))
        bad = broken_links(path, root)
        R.check(not bad, "%s: its %d links resolve to files and headings of the repository"
                % (rel, n), *["%s: %s" % b for b in bad])
    opts = long_options(open(help_file, encoding="utf-8").read())
    R.check(len(opts) >= 30, "--help lists the long options (%d found)" % len(opts))
    for rel in ("README.md", "docs/usage.md"):
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        missing = [o for o in opts if not mentions(text, o)]
        R.check(not missing, "%s names every long option of --help" % rel,
                "missing: " + " ".join(missing))
    nlines = len(open(os.path.join(root, "README.md"), encoding="utf-8").read().splitlines())
    R.check(nlines <= README_MAX_LINES, "README.md is a page: %d lines (at most %d)"
            % (nlines, README_MAX_LINES))
    names = source_map_names(os.path.join(root, SOURCE_MAP_DOC))
    faults = source_map_faults(root)
    R.check(not faults, "%s: its source map names %d paths, all there, and every %s"
            % (SOURCE_MAP_DOC, len(names), " ".join(SOURCE_MAP_COVERS)), *faults)
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
