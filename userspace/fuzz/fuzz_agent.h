/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent model of fuzz_update (fuzz_agent.c): the blobs the kernel
 * handed out, the one that is durable (Documentation/protocol.md §7), and
 * an opener of blobs written from §8 on OpenSSL, independent of
 * kmod/seal.c, that the harness uses as its oracle of what a blob holds.
 */
#ifndef FUZZ_AGENT_H
#define FUZZ_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "subcred-types.h"

#define AGENT_BLOBS		8
#define AGENT_BLOB_MAX		(482 + 64)
#define AGENT_ACK_MAX		116

/* What a blob holds (§8.1). */
struct agent_image {
	char id[65];
	u8 id_len;
	u32 version;
	u64 generation;
	u8 k[16], opc[16];
	u64 sqn;
	u64 seq[32];
	u32 max_age, pending_timeout;
	int64_t set_time;
	u8 last_txid[8];
	u8 ack_len;
	u8 ack[AGENT_ACK_MAX];
};

struct agent_blob {
	size_t len;		/* 0: none */
	u64 gen;
	u8 data[AGENT_BLOB_MAX];
	struct agent_image img;	/* opened once, when handed out */
};

struct agent_cred {
	struct agent_blob got[AGENT_BLOBS];	/* handed out, newest last */
	int ngot;
	struct agent_blob durable;
	u64 persisted;		/* highest generation sent in PERSISTED */
};


/* Open @blob under the master key; 0, or -1 if it is not a valid blob. */
int agent_open(const u8 *blob, size_t len, struct agent_image *img);

/* A blob the kernel handed out. */
void agent_got(struct agent_cred *a, const u8 *blob, size_t len, u64 gen,
	       const struct agent_image *img);

/* The newest handed-out blob, or NULL. */
const struct agent_blob *agent_latest(const struct agent_cred *a);

/* The handed-out blob of generation @gen, or NULL. */
const struct agent_blob *agent_find(const struct agent_cred *a, u64 gen);

/* Make @b durable (never replacing a newer one, §7 rule 3). */
void agent_write(struct agent_cred *a, const struct agent_blob *b);

#endif
