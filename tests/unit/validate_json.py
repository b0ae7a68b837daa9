#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# validate_json.py - check tcpstates-c JSON lines against the schema: every line, strictly.
#
#   validate_json.py SCHEMA [FILE...]     (no FILE, or "-": standard input)
#
# Prints "N records valid" and exits 0, or prints the first failure as FILE:LINE: reason on stderr
# and exits 1 (2 for a bad schema or an unreadable file). Needs python3-jsonschema; run it with
# /usr/bin/python3, where Debian installs that.

import datetime
import json
import re
import sys

try:
    import jsonschema
except ImportError:
    # a missing validator is a failure, never a pass: the tests run it to see the schema kept
    sys.exit("validate_json.py: python3-jsonschema is not installed (.ci/install-deps.sh, make deps)")

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def check_date_time(value):
    """RFC 3339 date-time; jsonschema checks it only with rfc3339-validator, which Debian lacks"""
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    # fromisoformat (3.7+) wants +00:00 for Z and at most 6 fraction digits
    text = re.sub(r"[Zz]$", "+00:00", value)
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    datetime.datetime.fromisoformat(text)  # ValueError: no such day or hour
    return True


def format_checker():
    fc = jsonschema.FormatChecker()
    if "date-time" not in fc.checkers:
        fc.checks("date-time", raises=ValueError)(check_date_time)
    return fc


def strict_object(pairs):
    """a duplicate key is legal JSON that readers resolve differently: reject it"""
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError("duplicate key %s" % ", ".join(sorted(dup)))
    return dict(pairs)


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse(raw):
    """one line as bytes -> object; ValueError says what is wrong"""
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: the writer promises UTF-8
    if not text.endswith("\n"):
        raise ValueError("line does not end in a newline")
    if not text.strip():
        raise ValueError("empty line")
    return json.loads(text, object_pairs_hook=strict_object, parse_constant=reject_constant)


def first_error(validator, obj):
    """the most relevant schema error for obj, or None"""
    err = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    if err is None:
        return None
    where = "/".join(str(p) for p in err.absolute_path)
    return "%s%s" % (where + ": " if where else "", err.message)


def validate_stream(validator, name, stream):
    """count of valid records; raises SystemExit(1) at the first bad line"""
    n = 0
    for lineno, raw in enumerate(stream, 1):
        try:
            obj = parse(raw)
        except ValueError as e:
            fail(name, lineno, "not a JSON object line: %s" % e, raw)
        msg = first_error(validator, obj)
        if msg:
            fail(name, lineno, msg, raw)
        n += 1
    return n


def fail(name, lineno, msg, raw):
    print("%s:%d: %s" % (name, lineno, msg), file=sys.stderr)
    print("  %s" % raw.decode("utf-8", "backslashreplace").rstrip("\n"), file=sys.stderr)
    sys.exit(1)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: validate_json.py SCHEMA [FILE...]", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("%s: bad schema: %s" % (argv[1], e), file=sys.stderr)
        return 2
    validator = cls(schema, format_checker=format_checker())
    total = 0
    for name in argv[2:] or ["-"]:
        try:
            if name == "-":
                total += validate_stream(validator, "<stdin>", sys.stdin.buffer)
            else:
                with open(name, "rb") as f:
                    total += validate_stream(validator, name, f)
        except OSError as e:
            print("%s: %s" % (name, e.strerror), file=sys.stderr)
            return 2
    print("%d records valid" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
