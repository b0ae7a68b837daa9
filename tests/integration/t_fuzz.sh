#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_fuzz: the libFuzzer targets (tests/fuzz/: the argument parser, the JSON writer, the text and
# JSON record printer, the address formatter), built with ASan+UBSan, each run for FUZZ_SECONDS
# (25 here: 100 s in all) from its committed seed corpus; ok per target with its executions.
# Needs no root; it sits with the integration tests for its time bound.
exec env FUZZ_SECONDS="${FUZZ_SECONDS:-25}" "$(dirname "$0")/../fuzz/run.sh"
