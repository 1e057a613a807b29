/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The credential store: key type "subcred" and the module's keyring.
 */
#ifndef _SUBCRED_CRED_H
#define _SUBCRED_CRED_H

#include <linux/key.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/subcred.h>

#include "wire.h"

#define SUBCRED_IND_COUNT	32	/* SEQ/IND array, TS 33.102 C.3 */
#define SUBCRED_IND_BITS	5
#define SUBCRED_ACK_MAX		(SUBCRED_WIRE_HDR_LEN + SUBCRED_WIRE_ID_MAX + \
				 SUBCRED_WIRE_TXID_LEN + 4 + \
				 SUBCRED_WIRE_TAG_LEN)
#define SUBCRED_RESPONSE_MAX	(SUBCRED_WIRE_HDR_LEN + SUBCRED_WIRE_ID_MAX + \
				 SUBCRED_WIRE_TXID_LEN + SUBCRED_WIRE_RES_LEN + \
				 SUBCRED_WIRE_PK_LEN + SUBCRED_WIRE_TAG_LEN)

/*
 * The secret part, key->payload.data[0]. Never copied out of the kernel;
 * replaced under RCU and freed with kfree_sensitive().
 */
struct subcred_secret {
	struct rcu_head rcu;
	u8 k[SUBCRED_K_LEN];
	u8 opc[SUBCRED_OPC_LEN];
};

/*
 * The last committed update, kept to answer a repeated CONFIRM. Its ACK,
 * header(ACK, id, txid) || BE32(version) || TAG_A, is rebuilt byte for
 * byte from the credential's id and version and these (subcred_last_ack()):
 * 41 octets per credential rather than the 125 of the largest ACK.
 */
struct subcred_last {
	u8 txid[SUBCRED_WIRE_TXID_LEN];
	u8 tag[SUBCRED_WIRE_TAG_LEN];	/* TAG_A */
	bool present;			/* false: none since provisioning */
};

/*
 * The update under way (design §5.2): secret, so on its own allocation,
 * wiped with kfree_sensitive().
 */
struct subcred_pending {
	u8 txid[SUBCRED_WIRE_TXID_LEN];
	u8 notice_hash[32];		/* H(NOTICE), to spot a duplicate */
	u8 k_new[SUBCRED_K_LEN];
	u8 opc_new[SUBCRED_OPC_LEN];
	u8 k_conf[32];
	u8 h_t[32];
	u32 new_version;
	bool released;			/* the RESPONSE may leave */
	bool committing;		/* CONFIRM verified, new state sealed */
	u64 release_gen;		/* PERSISTED of this releases the answer */
	time64_t set_time;		/* when the new key was sealed */
	unsigned long deadline;		/* jiffies; not while committing */
	u8 response_len;
	u8 response[SUBCRED_RESPONSE_MAX];
	u8 ack_len;
	u8 ack[SUBCRED_ACK_MAX];
};

/*
 * The public state, key->payload.data[1]. @lock serialises every change
 * of the credential: policy, the update handshake, deletion.
 */
struct subcred_cred {
	struct mutex lock;	/* serialises changes of this credential */
	u32 index;		/* slot in the dump index */
	u32 version;		/* key version, shown in /proc/keys */
	u32 max_age;		/* seconds, 0 = never */
	u32 pending_timeout;	/* seconds */
	u64 generation;		/* of the state, +1 at each change */
	u64 sqn;		/* highest SQN accepted, SQN_MS */
	/* highest SEQ accepted per IND: 43 bits, kept in 48 (subcred_seq()) */
	u32 seq_lo[SUBCRED_IND_COUNT];
	u16 seq_hi[SUBCRED_IND_COUNT];
	time64_t set_time;	/* wall clock when the key was installed */
	time64_t request_time;		/* of the last REQUEST event */
	struct subcred_pending *pending;
	unsigned int request_tries;	/* REQUEST events since the last key */
	bool dead;		/* deleted: nothing may change it */
	struct subcred_last last;
	struct delayed_work work;	/* pending expiry, key age */
	struct key *key;		/* the key this is the payload of */
	u64 stats[SUBCRED_STAT_MAX + 1];
};

/* What CRED_NEW and CRED_IMPORT hand to the key type. */
struct subcred_init {
	const u8 *k;
	const u8 *opc;
	u64 sqn;
	u32 version;
	u32 max_age;
	u32 pending_timeout;
	/* from a sealed state only: */
	bool restored;
	u64 generation;
	const u64 *seq;
	time64_t set_time;
	const struct subcred_last *last;
};

static inline struct subcred_cred *subcred_cred(const struct key *key)
{
	return key->payload.data[1];
}

/* The highest SEQ accepted for @ind (SQN = SEQ || IND, 48 bits). */
static inline u64 subcred_seq(const struct subcred_cred *cred,
			      unsigned int ind)
{
	return (u64)cred->seq_hi[ind] << 32 | cred->seq_lo[ind];
}

static_assert(SUBCRED_SQN_MAX >> SUBCRED_IND_BITS >> 32 <= U16_MAX);

static inline void subcred_seq_set(struct subcred_cred *cred,
				   unsigned int ind, u64 seq)
{
	cred->seq_lo[ind] = lower_32_bits(seq);
	cred->seq_hi[ind] = upper_32_bits(seq);
}

/* The active K and OPc; the caller holds subcred_cred(key)->lock. */
static inline struct subcred_secret *subcred_secret(const struct key *key)
{
	return rcu_dereference_protected(key->payload.rcu_data0,
					 lockdep_is_held(&subcred_cred(key)->lock));
}

void subcred_secret_replace(struct key *key, const u8 *k, const u8 *opc);
void subcred_pending_clear(struct subcred_cred *cred);

int subcred_store_init(void);
void subcred_store_exit(void);

bool subcred_id_valid(const char *id, size_t len);
struct key *subcred_lookup(const char *id);
struct key *subcred_create(const char *id, const struct subcred_init *init);
int subcred_delete(struct key *key);
struct key *subcred_next(unsigned long *index);
u64 subcred_age(const struct subcred_cred *cred);

/* The work of a credential: pending expiry and key age (update.c). */
void subcred_cred_work(struct work_struct *work);
void subcred_cred_schedule(struct subcred_cred *cred);

extern unsigned int subcred_max_credentials;
extern unsigned int subcred_pending_timeout;

#endif /* _SUBCRED_CRED_H */
