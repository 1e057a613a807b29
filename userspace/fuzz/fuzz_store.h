/* SPDX-License-Identifier: GPL-2.0 */
/* The userspace credential store of fuzz_update (fuzz_store.c). */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include "subcred-types.h"
#include "../../kmod/wire.h"

#define FUZZ_STORE_MAX		4
#define FUZZ_EVENTS_MAX		64

struct fuzz_event {
	int event;
	int slot;
	u32 version;
	size_t len;
	u8 msg[SUBCRED_WIRE_MAX_LEN];
};

extern struct fuzz_event fuzz_events[FUZZ_EVENTS_MAX];
extern int fuzz_nevents;

struct key;
struct key *fuzz_store_slot(int slot);
void fuzz_store_reset(void);

#endif
