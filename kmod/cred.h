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
#include <linux/subcred.h>

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
 * The public state, key->payload.data[1]. @lock serialises every change
 * of the credential (policy now, the update handshake later).
 */
struct subcred_cred {
	struct mutex lock;	/* serialises changes of this credential */
	u32 index;		/* slot in the dump index */
	u32 version;		/* key version, shown in /proc/keys */
	u64 sqn;		/* highest SQN accepted, SQN_MS */
	u32 max_age;		/* seconds, 0 = never */
	u32 pending_timeout;	/* seconds */
	time64_t set_time;	/* wall clock when the key was installed */
};

/* What CRED_NEW hands to the key type. */
struct subcred_init {
	const u8 *k;
	const u8 *opc;
	u64 sqn;
	u32 version;
	u32 max_age;
	u32 pending_timeout;
};

static inline struct subcred_cred *subcred_cred(const struct key *key)
{
	return key->payload.data[1];
}

int subcred_store_init(void);
void subcred_store_exit(void);

bool subcred_id_valid(const char *id, size_t len);
struct key *subcred_lookup(const char *id);
struct key *subcred_create(const char *id, const struct subcred_init *init);
int subcred_delete(struct key *key);
struct key *subcred_next(unsigned long *index);
u64 subcred_age(const struct subcred_cred *cred);

extern unsigned int subcred_max_credentials;
extern unsigned int subcred_pending_timeout;

#endif /* _SUBCRED_CRED_H */
