// SPDX-License-Identifier: GPL-2.0
/*
 * The credential store of kmod/cred.c for fuzz_update, in userspace: a few
 * keys in an array instead of the keyring and the xarray, with the same
 * semantics for what the update sees: lookup takes a reference; create
 * initialises the credential exactly as subcred_preparse() does (fresh or
 * restored); delete marks it dead under its lock, wipes the update, frees
 * the secret after a grace period and cancels the work; a key is freed
 * with its last reference. Also the netlink event sink: events are
 * recorded for the harness.
 */
#include "shim/kshim.h"
#include "fuzz_kshim.h"
#include "fuzz_store.h"

#include "../../kmod/cred.h"
#include "../../kmod/netlink.h"

static struct key *store[FUZZ_STORE_MAX];
static key_serial_t next_serial = 100;

struct fuzz_event fuzz_events[FUZZ_EVENTS_MAX];
int fuzz_nevents;

unsigned int subcred_max_credentials = FUZZ_STORE_MAX;
unsigned int subcred_pending_timeout = 600;

bool subcred_id_valid(const char *id, size_t len)
{
	size_t i;

	if (!len || len > SUBCRED_ID_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = id[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

static void secret_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct subcred_secret, rcu));
}

void subcred_secret_replace(struct key *key, const u8 *k, const u8 *opc)
{
	struct subcred_secret *old = subcred_secret(key), *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL | __GFP_NOFAIL);
	memcpy(new->k, k, SUBCRED_K_LEN);
	memcpy(new->opc, opc, SUBCRED_OPC_LEN);
	rcu_assign_keypointer(key, new);
	if (old)
		call_rcu(&old->rcu, secret_free_rcu);
}

void subcred_pending_clear(struct subcred_cred *cred)
{
	kfree_sensitive(cred->pending);
	cred->pending = NULL;
}

void key_put(struct key *key)
{
	struct subcred_cred *cred;

	if (!key)
		return;
	fuzz_check(key->usage > 0);
	if (--key->usage)
		return;
	fuzz_check(!key->linked);
	/* subcred_destroy() */
	cred = key->payload.data[1];
	kfree_sensitive(key->payload.data[0]);
	if (cred) {
		fuzz_check(!fuzz_work_pending(&cred->work));
		kfree_sensitive(cred->pending);
	}
	kfree(cred);
	free(key->description);
	free(key);
}

struct key *subcred_lookup(const char *id)
{
	int i;

	for (i = 0; i < FUZZ_STORE_MAX; i++)
		if (store[i] && !strcmp(store[i]->description, id))
			return key_get(store[i]);
	return ERR_PTR(-ENOENT);
}

struct key *subcred_create(const char *id, const struct subcred_init *init)
{
	struct subcred_secret *secret;
	struct subcred_cred *cred;
	struct key *key;
	int i, slot = -1;

	for (i = 0; i < FUZZ_STORE_MAX; i++) {
		if (store[i] && !strcmp(store[i]->description, id))
			return ERR_PTR(-EEXIST);
		if (!store[i] && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return ERR_PTR(-ENOSPC);

	/* subcred_preparse() */
	secret = kzalloc(sizeof(*secret), GFP_KERNEL);
	cred = kzalloc(sizeof(*cred), GFP_KERNEL);
	key = calloc(1, sizeof(*key));
	if (!secret || !cred || !key) {
		kfree(secret);
		kfree(cred);
		free(key);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(secret->k, init->k, SUBCRED_K_LEN);
	memcpy(secret->opc, init->opc, SUBCRED_OPC_LEN);
	mutex_init(&cred->lock);
	INIT_DELAYED_WORK(&cred->work, subcred_cred_work);
	cred->version = init->version;
	cred->sqn = init->sqn;
	cred->max_age = init->max_age;
	cred->pending_timeout = init->pending_timeout;
	if (init->restored) {
		cred->generation = init->generation;
		for (i = 0; i < SUBCRED_IND_COUNT; i++)
			subcred_seq_set(cred, i, init->seq[i]);
		cred->set_time = init->set_time;
		cred->last = *init->last;
	} else {
		for (i = 0; i < SUBCRED_IND_COUNT; i++)
			subcred_seq_set(cred, i,
					init->sqn >> SUBCRED_IND_BITS);
		cred->generation = 1;
		cred->set_time = ktime_get_real_seconds();
	}

	key->description = strdup(id);
	fuzz_check(key->description);
	key->serial = next_serial++;
	key->usage = 2;			/* the store's and the caller's */
	key->linked = true;
	key->payload.data[0] = secret;
	key->payload.data[1] = cred;
	store[slot] = key;

	mutex_lock(&cred->lock);
	cred->index = slot;
	cred->key = key;
	subcred_cred_schedule(cred);
	mutex_unlock(&cred->lock);
	return key;
}

int subcred_delete(struct key *key)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_secret *secret;

	if (cred->index >= FUZZ_STORE_MAX || store[cred->index] != key)
		return -ENOENT;
	store[cred->index] = NULL;
	key->linked = false;
	/* subcred_kill(), with subcred_revoke() */
	mutex_lock(&cred->lock);
	cred->dead = true;
	subcred_pending_clear(cred);
	secret = key->payload.data[0];
	if (secret) {
		rcu_assign_keypointer(key, NULL);
		call_rcu(&secret->rcu, secret_free_rcu);
	}
	mutex_unlock(&cred->lock);
	cancel_delayed_work_sync(&cred->work);
	key_put(key);
	return 0;
}

u64 subcred_age(const struct subcred_cred *cred)
{
	time64_t now = ktime_get_real_seconds();

	return now > cred->set_time ? now - cred->set_time : 0;
}

void subcred_nl_event(enum subcred_event event, struct key *key,
		      u32 version, const u8 *msg, size_t len)
{
	struct fuzz_event *e;

	fuzz_check(len <= sizeof(e->msg));
	if (fuzz_nevents == FUZZ_EVENTS_MAX)
		return;
	e = &fuzz_events[fuzz_nevents++];
	e->event = event;
	e->slot = subcred_cred(key)->index;
	e->version = version;
	e->len = len;
	if (len)
		memcpy(e->msg, msg, len);
}

struct key *fuzz_store_slot(int slot)
{
	return store[slot];
}

void fuzz_store_reset(void)
{
	int i;

	for (i = 0; i < FUZZ_STORE_MAX; i++)
		if (store[i])
			subcred_delete(store[i]);
	fuzz_rcu_quiesce();
	fuzz_nevents = 0;
}
