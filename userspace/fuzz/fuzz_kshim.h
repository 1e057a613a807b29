/* SPDX-License-Identifier: GPL-2.0 */
/* What the harness controls in the kernel shim (fuzz_kshim.c). */
#ifndef FUZZ_KSHIM_CTL_H
#define FUZZ_KSHIM_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include "subcred-types.h"

#define FUZZ_MASTER_LEN	32

struct delayed_work;

void fuzz_kshim_reset(u64 seed);
void fuzz_rcu_quiesce(void);
void fuzz_clock_tick(unsigned long ticks);
bool fuzz_work_due(const struct delayed_work *w, unsigned long at);
void fuzz_work_run(struct delayed_work *w);
unsigned long fuzz_work_expires(const struct delayed_work *w);
bool fuzz_work_pending(const struct delayed_work *w);
void fuzz_fail_alloc(int nth);
void fuzz_master_missing(bool missing);
const u8 *fuzz_master_key(void);
void get_random_bytes(void *buf, size_t n);

#endif
