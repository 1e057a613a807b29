/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subscriber database of subcred-hn (SQLite, WAL, synchronous=FULL,
 * secure_delete). A caller changes state only between hn_db_begin() and
 * hn_db_commit(), writing the audit rows of the change in the same SQL
 * transaction, so a crash at any instant leaves the last committed state.
 */
#ifndef HN_DB_H
#define HN_DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hn_msg.h"

#define HN_ID_MAX	SUBCRED_WIRE_ID_MAX
#define HN_ADDR_MAX	64
#define HN_RESULT_MAX	96
#define HN_DEFAULT_DB	"/var/lib/subcred-hn/hn.db"

enum hn_state {
	HN_IDLE,		/* one key, no transaction */
	HN_NOTICE_SENT,		/* one key, NOTICE out, no RESPONSE yet */
	HN_CONFIRM_SENT,	/* both keys, CONFIRM being retransmitted */
	HN_STALLED,		/* both keys, retransmissions given up */
};

/* The transaction in progress (at most one per subscriber). */
struct hn_txn {
	uint8_t txid[SUBCRED_WIRE_TXID_LEN];
	int reason;
	uint8_t rand[HN_RAND_LEN];
	uint8_t xres[HN_RES_LEN];
	uint8_t sqn[HN_SQN_LEN];
	int has_sk;			/* sk_N: until the RESPONSE */
	uint8_t sk_n[HN_X25519_LEN];
	uint8_t notice[HN_MSG_MAX];
	size_t notice_len;
	int has_new;			/* set from the RESPONSE on */
	struct hn_key new_key;
	uint8_t k_conf[HN_HASH_LEN];
	uint8_t h_t[HN_HASH_LEN];
	uint8_t confirm[HN_MSG_MAX];
	size_t confirm_len;
	int sync_count;			/* consecutive SYNCs */
	int tries;			/* sends of the current message */
	int64_t next_retry;		/* ms since the epoch; 0: none */
	int64_t started;
};

/* A subscriber: the network's copy of one credential. */
struct hn_sub {
	char id[HN_ID_MAX + 1];
	struct hn_key key;		/* the committed (during an update: old) key */
	uint32_t version;
	uint64_t seq_next;		/* SEQ of the next vector */
	unsigned int ind_next;		/* IND of the next vector, 0..31 */
	char device[HN_ADDR_MAX];	/* "" if unknown */
	int state;			/* enum hn_state */
	int rekey;			/* reason of a wanted update, 0: none */
	int wait_contact;		/* start it only at the next contact */
	int has_last;
	uint8_t last_txid[SUBCRED_WIRE_TXID_LEN];
	char last_result[HN_RESULT_MAX];
	uint64_t rejected;		/* unauthenticated messages */
	int64_t created;
	int64_t updated;
	int has_txn;
	struct hn_txn txn;
	/* as loaded: which secrets a write may drop (hn_db_put) */
	int loaded_sk;
	int loaded_new;
	uint8_t loaded_txid[SUBCRED_WIRE_TXID_LEN];
};

/* What `list` shows: no secrets. */
struct hn_sub_info {
	char id[HN_ID_MAX + 1];
	uint32_t version;
	int state;
	int dual;			/* holds the old and the new key */
	uint64_t seq_next;
	char device[HN_ADDR_MAX];
	int rekey;
	int wait_contact;
	int has_last;
	char last_txid[2 * SUBCRED_WIRE_TXID_LEN + 1];
	char last_result[HN_RESULT_MAX];
	int tries;
	int64_t next_retry;
	uint64_t rejected;
};

struct hn_audit_row {
	int64_t seq;
	int64_t ts;
	const char *id;		/* may be NULL */
	const char *txid;	/* hex, may be NULL */
	const char *event;
	const char *decision;
	const char *detail;	/* may be NULL */
};

typedef struct hn_db {
	sqlite3 *db;
	int scrub;	/* the open transaction drops a secret: see commit */
} hn_db;

/* Open (@create: make file and directory, mode 0600/0700). 0 or -1. */
int hn_db_open(hn_db *db, const char *path, int create);
void hn_db_close(hn_db *db);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1. A committed transaction
 * that dropped a secret (sk_N wiped, a key replaced or dropped, a
 * subscriber deleted) is followed by a WAL checkpoint that truncates the
 * log, so that with secure_delete the old octets are in neither file.
 */
int hn_db_begin(hn_db *db);
int hn_db_commit(hn_db *db);
void hn_db_rollback(hn_db *db);

/* Load subscriber @id with its transaction: 1 found, 0 not, -1 error. */
int hn_db_get(hn_db *db, const char *id, struct hn_sub *s);

/* Write back a loaded subscriber (and its transaction, or its absence). */
int hn_db_put(hn_db *db, const struct hn_sub *s);

/* Insert a new subscriber: 0, 1 if it exists, -1 error. */
int hn_db_insert(hn_db *db, const struct hn_sub *s);

/* Delete: 0, 1 if there was none, -1 error. */
int hn_db_delete(hn_db *db, const char *id);

/* Append an audit row (ts in ms). 0 or -1. */
int hn_db_audit(hn_db *db, int64_t ts, const char *id, const uint8_t *txid,
		const char *event, const char *decision, const char *detail);

/* Add @delta to counter @name. 0 or -1. */
int hn_db_stat_add(hn_db *db, const char *name, int64_t delta);
/* Read counter @name (0 if absent), -1 on error. */
int64_t hn_db_stat(hn_db *db, const char *name);

/*
 * Ids with work due at @now: a retransmission timer expired, or an update
 * wanted while idle with a known device address and no wait for contact.
 * Fills up to @max ids; returns the number or -1.
 */
int hn_db_due(hn_db *db, int64_t now, char (*ids)[HN_ID_MAX + 1], int max);

/* Call @fn for every subscriber (or only @id) in id order. 0, -1. */
int hn_db_list(hn_db *db, const char *id,
	       int (*fn)(const struct hn_sub_info *, void *), void *arg);

/* Call @fn for every audit row (of @id if not NULL) in order. 0, -1. */
int hn_db_audit_list(hn_db *db, const char *id,
		     int (*fn)(const struct hn_audit_row *, void *),
		     void *arg);

const char *hn_state_name(int state);

/* Wipe a loaded subscriber. */
void hn_sub_wipe(struct hn_sub *s);

#endif /* HN_DB_H */
