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

/*
 * What jiffies_hz() is made of, for its tests: the HZ of a kernel config's text (its
 * CONFIG_HZ=N line; 0: none), and the HZ a (jiffies64, ktime_ns) pair says (0: none of 100,
 * 250, 300, 1000 fits alone - near 300 s of uptime they all do - or the pair is nonsense).
 */
unsigned int jiffies_hz_config(const char *text);
unsigned int jiffies_hz_infer(uint64_t jiffies64, uint64_t ktime_ns);

/* j jiffies in ns at hz (hz > 0; |j| < 2^33: a socket's deadlines and ages are u32/s32) */
static inline int64_t jiffies_to_ns(int64_t j, unsigned int hz)
{
	return j * 1000000000 / (int64_t)hz;
}

#endif
