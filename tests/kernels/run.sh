#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# run.sh - the kernel matrix alone (make test-kernels): tests/integration/t_kernel_*.sh, run and
# counted by tests/run.sh (170 s each, "N passed, M failed", exit 1 if M > 0).
cd "$(dirname "$0")/../.." || exit 1
TS_ONLY='t_kernel_*' exec tests/run.sh
