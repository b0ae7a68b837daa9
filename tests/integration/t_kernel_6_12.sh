#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_kernel_6_12: the kernel matrix on Debian's newest 6.12 cloud kernel, booted under qemu (TCG): kscen's
# scenarios traced by tcpstates-c on each hook, checked against tests/kernels/expect.py.
source "$(dirname "$0")/../lib/common.sh"
source "$TS_ROOT/tests/kernels/lib.sh"
kt_qemu 6.12
