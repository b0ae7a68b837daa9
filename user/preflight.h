/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* preflight.h - what must hold before we try to load anything: privileges and kernel BTF. */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

/* 0 when we may load BPF programs; otherwise prints one sentence saying what is needed, returns 1 */
int preflight_privileges(void);

/* 0 when the kernel exposes BTF (CO-RE needs it); otherwise prints one sentence, returns 1 */
int preflight_btf(const char *path);

/* the oldest kernel the binary runs on: what its core needs (docs/kernels.md) */
#define TCPSTATES_MIN_KERNEL "5.8"

/* 0 when the kernel has what the core needs; otherwise prints one sentence, returns 1 */
int preflight_kernel(void);

#endif
