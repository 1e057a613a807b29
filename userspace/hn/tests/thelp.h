/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of the subcred-hn unit tests: temporary databases,
 * scripted randomness, subscribers. */
#ifndef HN_THELP_H
#define HN_THELP_H

#include "hn_proto.h"
#include "tdev.h"

/* A fresh database in a new temporary directory; its path in @path. */
int th_db(hn_db *db, char *path, size_t size);

/* Remove the database files and the directory of th_db(). */
void th_db_remove(const char *path);

/*
 * Queue @len octets for hn_proto_random (used in order, then real
 * randomness again). th_random_reset() drops what is queued.
 */
void th_random_push(const uint8_t *p, size_t len);
void th_random_reset(void);

/* Provision @id with @key (version, next SEQ, IND, device). 0 or -1. */
int th_add(hn_db *db, const char *id, const struct hn_key *key,
	   uint32_t version, uint64_t seq, unsigned int ind,
	   const char *device);

/* Load @id (1 found). */
int th_get(hn_db *db, const char *id, struct hn_sub *s);

/* 1 if the device's ACTIVE key is one the network holds for @id. */
int th_accepts(hn_db *db, const char *id, const struct tdev *d);

/*
 * With no more faults, drive network and device until the network is idle
 * with no update wanted: timers at their due times, every message
 * delivered, a REQUEST from the device when the network is stalled or
 * waits for contact. 1 if both then hold the same key and version.
 */
int th_converge(hn_db *db, const struct hn_cfg *cfg, const char *id,
		struct tdev *d, int64_t *now);

#endif /* HN_THELP_H */
