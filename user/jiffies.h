/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* jiffies.h - the kernel's tick (HZ), to turn the jiffies the kernel's sockets keep into ns. */
#ifndef JIFFIES_H
#define JIFFIES_H

#include <stdint.h>

/*
 * The kernel's HZ, found once and remembered: CONFIG_HZ from /boot/config-RELEASE or
 * /proc/config.gz, else inferred from jiffies64 and ktime_ns read together in the kernel
 * (bpf_jiffies64(), bpf_ktime_get_ns(): jiffies start at INITIAL_JIFFIES, -300 s worth).
 * 0: unknown (say so: the values that need it are null).
 */
unsigned int jiffies_hz(uint64_t jiffies64, uint64_t ktime_ns);

/* j jiffies in ns at hz (hz > 0) */
static inline int64_t jiffies_to_ns(int64_t j, unsigned int hz)
{
	return j * 1000000000 / (int64_t)hz;
}

#endif
