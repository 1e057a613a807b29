/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network side of protocol v1 as a state machine over the database
 * (design §6). Every entry point is one SQL transaction: load the
 * subscriber, decide, store the new state with its audit rows, commit;
 * only then may the caller send the messages in the result. The UDP loop
 * (hn_serve.c), the CLI and the unit tests all go through these functions.
 */
#ifndef HN_PROTO_H
#define HN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "hn_db.h"

struct hn_cfg {
	int64_t rto_ms;		/* first retransmission timeout */
	int64_t rto_max_ms;	/* cap of the exponential backoff */
	int max_tries;		/* sends of one NOTICE or CONFIRM */
};

#define HN_CFG_DEFAULT	{ 1000, 60000, 8 }

enum hn_decision {
	HN_D_NONE,
	HN_D_DROP,		/* malformed or unauthenticated: no change */
	HN_D_UNKNOWN_ID,	/* no such subscriber: dropped, counted */
	HN_D_IGNORE,		/* not for the current transaction */
	HN_D_NO_CHANGE,		/* authenticated, changes no key */
	HN_D_NOTICE,		/* an update started: NOTICE sent */
	HN_D_CONFIRM,		/* RESPONSE verified: both keys, CONFIRM */
	HN_D_COMMIT,		/* the new key is the only key */
	HN_D_ABORT,		/* the new key is dropped */
	HN_D_RESYNC,		/* SYNC: SQN_HE moved, fresh NOTICE */
	HN_D_ABANDON,		/* update given up before a RESPONSE */
	HN_D_STALL,		/* CONFIRM tries exhausted: both keys kept */
	HN_D_RETRANSMIT,	/* NOTICE or CONFIRM sent again */
	HN_D_REPROBE,		/* stalled: CONFIRM tries start over */
	HN_D_QUEUED,		/* rekey: update wanted */
	HN_D_CHALLENGE,		/* an AKA vector was made */
	HN_D_ADD,
	HN_D_DELETE,
};

#define HN_EV_MAX	6
#define HN_OUT_MAX	3
#define HN_DETAIL_MAX	200

struct hn_event {
	char id[HN_ID_MAX + 1];
	int has_txid;
	uint8_t txid[SUBCRED_WIRE_TXID_LEN];
	const char *event;	/* message type, "timer", "rekey", ... */
	enum hn_decision decision;
	char detail[HN_DETAIL_MAX];
};

struct hn_out {
	char addr[HN_ADDR_MAX];
	uint8_t buf[HN_MSG_MAX];
	size_t len;
};

/* What one call decided; send out[] only if the call returned 0. */
struct hn_result {
	int nev;
	struct hn_event ev[HN_EV_MAX];
	int nout;
	struct hn_out out[HN_OUT_MAX];
};

/* An AKA vector from `challenge`. */
struct hn_vector {
	uint32_t key_version;
	uint8_t sqn[HN_SQN_LEN];
	uint8_t rand[HN_RAND_LEN];
	uint8_t autn[HN_RAND_LEN];
	uint8_t xres[HN_RES_LEN];
};

enum hn_key_choice {
	HN_KEY_CURRENT,		/* the committed key (old during an update) */
	HN_KEY_OLD,		/* the old key of a dual-key window */
	HN_KEY_NEW,		/* the new key of a dual-key window */
};

/* Source of every random octet (txid, RAND, sk_N); tests replace it. */
extern int (*hn_proto_random)(uint8_t *buf, size_t len);

/* A datagram @buf from @from ("host:port") at @now (ms). 0 or -1 (DB). */
int hn_proto_input(hn_db *db, const struct hn_cfg *cfg, const uint8_t *buf,
		   size_t len, const char *from, int64_t now,
		   struct hn_result *res);

/*
 * Due work of subscriber @id (see hn_db_due()): a retransmission,
 * abandonment or stall on timeout, or the start of a wanted update.
 */
int hn_proto_timer(hn_db *db, const struct hn_cfg *cfg, const char *id,
		   int64_t now, struct hn_result *res);

/*
 * Mark @id for an update with @reason. A stalled subscriber (both keys)
 * first probes with its CONFIRM again, so that the update starts from the
 * key the device is proven to hold. 0, 1 no such id, -1 error.
 */
int hn_proto_rekey(hn_db *db, const char *id, int reason, int64_t now,
		   struct hn_result *res);

/* Provision @s (id, key, version, seq_next, device). 0, 1 exists, -1. */
int hn_proto_add(hn_db *db, struct hn_sub *s, int64_t now);

/*
 * Provision @n subscribers in one SQL transaction: all or none. 0, 1 one
 * exists (already, or twice in @s), -1 error; on failure *@bad (if not
 * NULL) is the index of the subscriber that failed.
 */
int hn_proto_add_many(hn_db *db, struct hn_sub *s, size_t n, int64_t now,
		      size_t *bad);

/* Delete @id. 0, 1 no such id, -1 error. */
int hn_proto_delete(hn_db *db, const char *id, int64_t now);

/*
 * An ordinary AKA vector (AMF 8000) with the chosen key; SQN_HE moves on.
 * 0, 1 no such id, 2 no such key (no dual-key window), -1 error.
 */
int hn_proto_challenge(hn_db *db, const char *id, enum hn_key_choice which,
		       int64_t now, struct hn_vector *v);

const char *hn_decision_name(enum hn_decision d);

/* 1 if @res holds an event with decision @d. */
int hn_result_has(const struct hn_result *res, enum hn_decision d);

/* One stderr line per event of @res. */
void hn_result_log(const struct hn_result *res);

#endif /* HN_PROTO_H */
