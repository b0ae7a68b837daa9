#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# t_ipv6_basic: one orderly IPv6 connection between two namespaces; exact transitions per socket,
# owners (also on softirq transitions), durations, JSON schema.
source "$(dirname "$0")/../lib/common.sh"
require_root_and_bin

basic_family_test 6
finish
