#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_kernel_host: the kernel matrix's scenarios on the host kernel, in a private network namespace:
# kscen traced by tcpstates-c on each hook, checked against tests/kernels/expect.py.
source "$(dirname "$0")/../lib/common.sh"
source "$TS_ROOT/tests/kernels/lib.sh"
kt_host
