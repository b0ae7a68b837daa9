#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# lint_checks.py - no check of a test script is one whose condition is cut short by the shell:
# in `check NAME [ a ] && [ b ]` the shell runs `check NAME [ a ]` and then `[ b ]`, whose result
# nobody reads (and `check ... || x` runs x never, as check itself returns 0). A command named
# check or check_* must be the whole of its list: followed by no &&, || or |. A condition made
# of several tests goes to check as one command, a function or `eval '...'`, where the operators
# are quoted and so not seen here.
#
#   lint_checks.py FILE...          a "not ok" line per finding, or one "ok" (for run_checks)
#   lint_checks.py --list FILE...   each finding as FILE:LINE: TEXT, nothing else; for the
#                                   self-test of t_lint.sh
#
# The scripts are read as the shell reads them: quotes, $(...), ${...}, backquotes, comments,
# backslash-newline and here-document bodies are skipped, so an operator inside any of them is
# not one of the command's.

import os
import re
import sys

CHECK = re.compile(r"^check(_[a-z0-9_]+)?$")
RESERVED = {"!", "{", "if", "then", "else", "elif", "do", "while", "until", "time"}
CUT = {"&&", "||", "|"}
OPS = ("&&", "||", ";;", "|&", "|", ";", "&", "(", ")")


def skip_quoted(s, i, end):
    """index just past the construct that starts at s[i] (one of ' " ` $( ${), which ends with
    END; nested constructs inside it are skipped whole"""
    if s[i] == "'":
        j = s.find("'", i + 1)
        return len(s) if j < 0 else j + 1
    i += 2 if s[i] == "$" else 1
    depth = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if end == ")" and c == "(":
            depth += 1
        elif c == end and depth == 0:
            return i + 1
        elif end == ")" and c == ")":
            depth -= 1
        elif c == "'" and end in ")}":
            i = skip_quoted(s, i, "'")
            continue
        elif c == '"' and end != '"':
            i = skip_quoted(s, i, '"')
            continue
        elif c == "`" and end != "`":
            i = skip_quoted(s, i, "`")
            continue
        elif c == "$" and s[i + 1:i + 2] in ("(", "{"):
            i = skip_quoted(s, i, ")" if s[i + 1] == "(" else "}")
            continue
        i += 1
    return i


def tokens(s):
    """(kind, text, line) of the script's top level: kind "w" a word, "op" an operator (a
    newline is ";")"""
    i, line, heredocs = 0, 1, []
    word, wline = None, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and s[i + 1:i + 2] == "\n":
            i, line = i + 2, line + 1
            continue
        if word is None and c not in " \t\n;&|()<>":
            word, wline = "", line
        if c == "\\":
            word += s[i:i + 2]
            i += 2
            continue
        if c in "'\"`" or (c == "$" and s[i + 1:i + 2] in ("(", "{")):
            end = {"'": "'", '"': '"', "`": "`"}.get(c) or (")" if s[i + 1] == "(" else "}")
            j = skip_quoted(s, i, end)
            word += s[i:j]
            line += s.count("\n", i, j)
            i = j
            continue
        if c == "#" and word == "":
            j = s.find("\n", i)
            i = len(s) if j < 0 else j
            word = None
            continue
        if c not in " \t\n;&|()<>":
            word += c
            i += 1
            continue
        if word is not None:
            yield "w", word, wline
            word = None
        if c in " \t":
            i += 1
            continue
        if c == "\n":
            yield "op", ";", line
            i, line = i + 1, line + 1
            for delim, strip in heredocs:	# the bodies follow this line: skip them
                while i < len(s):
                    j = s.find("\n", i)
                    j = len(s) if j < 0 else j
                    body = s[i:j].lstrip("\t") if strip else s[i:j]
                    i, line = j + 1, line + 1
                    if body == delim:
                        break
            heredocs = []
            continue
        if c in "<>":
            m = re.match(r"<<(-?)[ \t]*(['\"]?)([A-Za-z0-9_]+)\2", s[i:])
            if m and not s.startswith("<<<", i):
                heredocs.append((m.group(3), m.group(1) == "-"))
                i += m.end()
                continue
            j = i + 1
            while j < len(s) and s[j] in "<>&":
                j += 1
            i = j	# a redirection operator: its target is the next word
            continue
        op = next(o for o in OPS if s.startswith(o, i))
        yield "op", op, line
        i += len(op)
    if word is not None:
        yield "w", word, wline


def findings(path):
    """(line, text) of each check whose list goes on with && || or |"""
    with open(path, encoding="utf-8") as f:
        toks = list(tokens(f.read()))
    out = []
    cmd = []
    for kind, text, line in toks:
        if kind == "w":
            cmd.append((text, line))
            continue
        words = list(cmd)
        while words and words[0][0] in RESERVED:
            words.pop(0)
        if text in CUT and words and CHECK.match(words[0][0]):
            shown = " ".join(w for w, _ in words)
            out.append((words[0][1], f"{shown[:100]} {text} ... (the part after {text} is "
                    "not check's condition)"))
        cmd = []
    return out


def main(argv):
    if argv[1:2] == ["--list"]:
        for path in argv[2:]:
            for line, text in findings(path):
                print(f"{path}:{line}: {text}")
        return 0
    bad = 0
    for path in argv[1:]:
        for line, text in findings(path):
            bad = 1
            print(f"not ok - {os.path.relpath(path)}:{line}: {text}")
    if not bad:
        print(f"ok - {len(argv) - 1} scripts: every check is the whole of its command list")
    return bad

if __name__ == "__main__":
    sys.exit(main(sys.argv))
