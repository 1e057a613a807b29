/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed credential state: what the agent stores and restores at boot.
 */
#ifndef _SUBCRED_SEAL_H
#define _SUBCRED_SEAL_H

#include <linux/netlink.h>
#include <linux/types.h>

#include "cred.h"

#define SUBCRED_BLOB_FORMAT	1

/* Everything a blob holds: a credential's whole state. Secret. */
struct subcred_image {
	char id[SUBCRED_ID_MAX_LEN + 1];
	u8 id_len;
	u32 version;
	u64 generation;
	u8 k[SUBCRED_K_LEN];
	u8 opc[SUBCRED_OPC_LEN];
	u64 sqn;
	u64 seq[SUBCRED_IND_COUNT];
	u32 max_age;
	u32 pending_timeout;
	s64 set_time;
	struct subcred_last last;
};

/* The image of @key's current state; the caller holds its cred lock. */
void subcred_image_of(struct key *key, struct subcred_image *img);

/* Seal @img: *blob is kmalloc'ed, *len its length. */
int subcred_seal_image(const struct subcred_image *img, u8 **blob,
		       size_t *len, struct netlink_ext_ack *extack);

/* Check and open a blob into @img (wipe it after use). */
int subcred_open_blob(const u8 *blob, size_t len, struct subcred_image *img,
		      struct netlink_ext_ack *extack);

extern char *subcred_master_key;

#endif /* _SUBCRED_SEAL_H */
