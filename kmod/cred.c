// SPDX-License-Identifier: GPL-2.0
/*
 * The credential store.
 *
 * Each credential is a key of type "subcred" whose description is the
 * credential id. The keys live in a keyring that the module owns and that is
 * linked to no user keyring, so userspace can never possess them; it may see
 * id and version in /proc/keys and nothing else. The type has no .read and
 * no .update, and its .preparse accepts data only from this module: keys are
 * instantiated under the module's private kernel credentials, which no task
 * calling add_key() or keyctl() can hold.
 *
 * The keyring is the index by id. A dense xarray of the same keys is the
 * cursor for resumable netlink dumps, which a keyring cannot offer.
 */

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key-type.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "cred.h"

#define SUBCRED_KEY_PERM	(KEY_POS_VIEW | KEY_POS_SEARCH | KEY_USR_VIEW)
#define SUBCRED_KEYRING_PERM	(KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE | \
				 KEY_POS_SEARCH | KEY_USR_VIEW)
#define SUBCRED_ALLOC_FLAGS	(KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP | \
				 KEY_ALLOC_BYPASS_RESTRICTION)

static const struct cred *subcred_kcred;
static struct key *subcred_keyring;
static DEFINE_XARRAY_ALLOC(subcred_index);
static DEFINE_MUTEX(subcred_store_lock);	/* serialises create and delete */
/* Exact-size objects: kmalloc would round struct subcred_cred up to 1 KiB. */
static struct kmem_cache *subcred_cred_cache;
static unsigned int subcred_count;

bool subcred_id_valid(const char *id, size_t len)
{
	size_t i;

	if (!len || len > SUBCRED_ID_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = id[i];

		/* ASCII only, as wire.c: isalnum() takes Latin-1 letters */
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

static int subcred_preparse(struct key_preparsed_payload *prep)
{
	const struct subcred_init *init = prep->data;
	struct subcred_secret *secret;
	struct subcred_cred *cred;
	int i;

	/* add_key(2) and keyctl(2) never run with the module's credentials. */
	if (current_cred() != subcred_kcred ||
	    prep->datalen != sizeof(*init))
		return -EPERM;

	secret = kzalloc(sizeof(*secret), GFP_KERNEL);
	cred = kmem_cache_zalloc(subcred_cred_cache, GFP_KERNEL);
	if (!secret || !cred) {
		kfree(secret);
		if (cred)
			kmem_cache_free(subcred_cred_cache, cred);
		return -ENOMEM;
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
		/* Every SQN up to the provisioned one counts as used. */
		for (i = 0; i < SUBCRED_IND_COUNT; i++)
			subcred_seq_set(cred, i,
					init->sqn >> SUBCRED_IND_BITS);
		cred->generation = 1;
		cred->set_time = ktime_get_real_seconds();
	}

	prep->payload.data[0] = secret;
	prep->payload.data[1] = cred;
	prep->quotalen = sizeof(*secret) + sizeof(*cred);
	return 0;
}

static void subcred_free_preparse(struct key_preparsed_payload *prep)
{
	kfree_sensitive(prep->payload.data[0]);
	if (prep->payload.data[1])
		kmem_cache_free(subcred_cred_cache, prep->payload.data[1]);
}

static void subcred_secret_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct subcred_secret, rcu));
}

/* Deletion and module unload: wipe the key material now, not at GC time. */
static void subcred_revoke(struct key *key)
{
	struct subcred_secret *secret = key->payload.data[0];

	if (secret) {
		rcu_assign_keypointer(key, NULL);
		call_rcu(&secret->rcu, subcred_secret_free_rcu);
	}
}

static void subcred_destroy(struct key *key)
{
	struct subcred_cred *cred = key->payload.data[1];

	kfree_sensitive(key->payload.data[0]);
	if (cred) {
		kfree_sensitive(cred->pending);
		kmem_cache_free(subcred_cred_cache, cred);
	}
}

/* Install a new K and OPc; the old ones are wiped after a grace period. */
void subcred_secret_replace(struct key *key, const u8 *k, const u8 *opc)
{
	struct subcred_secret *old = subcred_secret(key), *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL | __GFP_NOFAIL);
	memcpy(new->k, k, SUBCRED_K_LEN);
	memcpy(new->opc, opc, SUBCRED_OPC_LEN);
	rcu_assign_keypointer(key, new);
	if (old)
		call_rcu(&old->rcu, subcred_secret_free_rcu);
}

/* Drop the update under way, if any; its keys are wiped. */
void subcred_pending_clear(struct subcred_cred *cred)
{
	kfree_sensitive(cred->pending);
	cred->pending = NULL;
}

/*
 * Mark a credential dead under its lock, so that no handshake step can run
 * on it any more, wipe what it holds, and stop its work.
 */
static void subcred_kill(struct key *key)
{
	struct subcred_cred *cred = subcred_cred(key);

	mutex_lock(&cred->lock);
	cred->dead = true;
	subcred_pending_clear(cred);
	key_revoke(key);
	mutex_unlock(&cred->lock);
	cancel_delayed_work_sync(&cred->work);
}

static void subcred_describe(const struct key *key, struct seq_file *m)
{
	seq_puts(m, key->description);
	if (key_is_positive(key))
		seq_printf(m, ": v%u", READ_ONCE(subcred_cred(key)->version));
}

static struct key_type subcred_key_type = {
	.name		= "subcred",
	.preparse	= subcred_preparse,
	.free_preparse	= subcred_free_preparse,
	.instantiate	= generic_key_instantiate,
	.revoke		= subcred_revoke,
	.destroy	= subcred_destroy,
	.describe	= subcred_describe,
};

/* Nothing but the module itself may link a key into its keyring. */
static int subcred_restrict_link(struct key *keyring,
				 const struct key_type *type,
				 const union key_payload *payload,
				 struct key *restriction_key)
{
	return -EPERM;
}

struct key *subcred_lookup(const char *id)
{
	const struct cred *old;
	key_ref_t ref;

	old = override_creds(subcred_kcred);
	ref = keyring_search(make_key_ref(subcred_keyring, true),
			     &subcred_key_type, id, false);
	revert_creds(old);
	if (IS_ERR(ref))
		return ERR_PTR(PTR_ERR(ref) == -EAGAIN ? -ENOENT : PTR_ERR(ref));
	return key_ref_to_ptr(ref);
}

struct key *subcred_create(const char *id, const struct subcred_init *init)
{
	struct subcred_cred *cred;
	const struct cred *old;
	struct key *key;
	key_ref_t ref;
	u32 index;
	int err;

	mutex_lock(&subcred_store_lock);
	key = subcred_lookup(id);
	if (!IS_ERR(key)) {
		key_put(key);
		key = ERR_PTR(-EEXIST);
		goto out;
	}
	if (PTR_ERR(key) != -ENOENT)
		goto out;
	if (subcred_count >= subcred_max_credentials) {
		key = ERR_PTR(-ENOSPC);
		goto out;
	}

	old = override_creds(subcred_kcred);
	ref = key_create_or_update(make_key_ref(subcred_keyring, true),
				   subcred_key_type.name, id, init,
				   sizeof(*init), SUBCRED_KEY_PERM,
				   SUBCRED_ALLOC_FLAGS);
	revert_creds(old);
	if (IS_ERR(ref)) {
		key = ERR_CAST(ref);
		goto out;
	}
	key = key_ref_to_ptr(ref);

	/* The index holds a reference of its own, dropped on delete. */
	err = xa_alloc(&subcred_index, &index, key_get(key), xa_limit_31b,
		       GFP_KERNEL);
	if (err) {
		key_put(key);
		key_unlink(subcred_keyring, key);
		subcred_kill(key);
		key_put(key);
		key = ERR_PTR(err);
		goto out;
	}
	cred = subcred_cred(key);
	mutex_lock(&cred->lock);
	cred->index = index;
	cred->key = key;
	subcred_cred_schedule(cred);
	mutex_unlock(&cred->lock);
	subcred_count++;
out:
	mutex_unlock(&subcred_store_lock);
	return key;
}

/* Unlink, wipe and drop the index's reference; the caller keeps its own. */
int subcred_delete(struct key *key)
{
	struct subcred_cred *cred = subcred_cred(key);
	int err = 0;

	mutex_lock(&subcred_store_lock);
	if (xa_load(&subcred_index, cred->index) != key) {
		err = -ENOENT;	/* lost a race with another delete */
		goto out;
	}
	/*
	 * Unlinking can fail (-ENOMEM): then nothing changed. A revoked key
	 * left in the keyring would hide its id (-EKEYREVOKED) until GC.
	 */
	err = key_unlink(subcred_keyring, key);
	if (err)
		goto out;
	xa_erase(&subcred_index, cred->index);
	subcred_count--;
	subcred_kill(key);
	key_put(key);
out:
	mutex_unlock(&subcred_store_lock);
	return err;
}

/*
 * The first credential at or after *index, with a reference, or NULL at the
 * end. *index is set to the slot found; resume from *index + 1.
 */
struct key *subcred_next(unsigned long *index)
{
	struct key *key;

	xa_lock(&subcred_index);
	key = xa_find(&subcred_index, index, ULONG_MAX, XA_PRESENT);
	if (key)
		key_get(key);
	xa_unlock(&subcred_index);
	return key;
}

u64 subcred_age(const struct subcred_cred *cred)
{
	time64_t now = ktime_get_real_seconds();

	return now > cred->set_time ? now - cred->set_time : 0;
}

int subcred_store_init(void)
{
	struct key_restriction *restriction;
	struct cred *kcred;
	int err;

	subcred_cred_cache = KMEM_CACHE(subcred_cred, 0);
	if (!subcred_cred_cache)
		return -ENOMEM;

	/* Owned by the keyring from here on, which kfree()s it. */
	restriction = kzalloc(sizeof(*restriction), GFP_KERNEL);
	if (!restriction) {
		err = -ENOMEM;
		goto err_cache;
	}
	restriction->check = subcred_restrict_link;

	kcred = prepare_kernel_cred(&init_task);
	if (!kcred) {
		kfree(restriction);
		err = -ENOMEM;
		goto err_cache;
	}
	subcred_kcred = kcred;

	subcred_keyring = keyring_alloc(".subcred", GLOBAL_ROOT_UID,
					GLOBAL_ROOT_GID, subcred_kcred,
					SUBCRED_KEYRING_PERM,
					KEY_ALLOC_NOT_IN_QUOTA |
					KEY_ALLOC_SET_KEEP,
					restriction, NULL);
	if (IS_ERR(subcred_keyring)) {
		kfree(restriction);
		err = PTR_ERR(subcred_keyring);
		goto err_cred;
	}

	err = register_key_type(&subcred_key_type);
	if (err)
		goto err_keyring;
	return 0;

err_keyring:
	key_put(subcred_keyring);
err_cred:
	put_cred(subcred_kcred);
err_cache:
	kmem_cache_destroy(subcred_cred_cache);
	return err;
}

void subcred_store_exit(void)
{
	unsigned long index;
	struct key *key;

	xa_for_each(&subcred_index, index, key) {
		xa_erase(&subcred_index, index);
		key_unlink(subcred_keyring, key);
		subcred_kill(key);
		key_put(key);
	}
	subcred_count = 0;
	/* Destroys every key of the type that is left, synchronously. */
	unregister_key_type(&subcred_key_type);
	key_invalidate(subcred_keyring);
	key_put(subcred_keyring);
	put_cred(subcred_kcred);
	/* Wait for the kfree_sensitive() callbacks queued by revoke. */
	rcu_barrier();
	kmem_cache_destroy(subcred_cred_cache);
}
