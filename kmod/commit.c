// SPDX-License-Identifier: GPL-2.0
/*
 * CONFIRM -> seal -> PERSISTED -> ACK (design §5.3), and the sealed state
 * in and out: export after a change, import at boot.
 *
 * A state that was handed out sealed may already be on disk. So once the
 * new state of a CONFIRM is sealed (committing), the update no longer
 * expires and no other NOTICE may replace it: it ends only with PERSISTED,
 * or with the import of that very state after a restart of the agent.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "crypto.h"
#include "netlink.h"
#include "seal.h"
#include "update.h"

void subcred_answer_release(struct subcred_answer *ans)
{
	kfree(ans->blob);
	ans->blob = NULL;
	if (ans->key)
		key_put(ans->key);
	ans->key = NULL;
}

/* The state that must be durable now: the committing one if there is. */
static void subcred_current_image(struct key *key, struct subcred_image *img)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *p = cred->pending;

	subcred_image_of(key, img);
	if (!p || !p->committing)
		return;
	memcpy(img->k, p->k_new, SUBCRED_K_LEN);
	memcpy(img->opc, p->opc_new, SUBCRED_OPC_LEN);
	img->version = p->new_version;
	img->set_time = p->set_time;
	subcred_last_set(&img->last, p);
}

int subcred_answer_seal(struct key *key, struct subcred_answer *ans,
			struct netlink_ext_ack *extack)
{
	struct subcred_image *img;
	int err;

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	subcred_current_image(key, img);
	err = subcred_seal_image(img, &ans->blob, &ans->blob_len, extack);
	if (!err)
		ans->generation = img->generation;
	kfree_sensitive(img);
	return err;
}

/* TAG_C / TAG_A = HMAC(K_conf, label || H_T || msg before tag) */
int subcred_confirm_tag(const struct subcred_pending *p, const char *label,
			const u8 *msg, size_t len, u8 *tag)
{
	struct subcred_buf in[3] = {
		{ label, strlen(label) },
		{ p->h_t, SUBCRED_HASH_LEN },
		{ msg, len - SUBCRED_WIRE_TAG_LEN },
	};

	return subcred_hmac(p->k_conf, sizeof(p->k_conf), in, 3, tag);
}

/* LAST := the ACK of the pending update, whose ACK is made. */
void subcred_last_set(struct subcred_last *last,
		      const struct subcred_pending *p)
{
	memcpy(last->txid, p->txid, SUBCRED_WIRE_TXID_LEN);
	memcpy(last->tag, p->ack + p->ack_len - SUBCRED_WIRE_TAG_LEN,
	       SUBCRED_WIRE_TAG_LEN);
	last->present = true;
}

/*
 * The ACK that LAST stands for, into @out (@size octets): that of
 * credential @id, @id_len octets, at key version @version. Returns its
 * length, or a negative errno.
 */
int subcred_last_ack(const char *id, u8 id_len, u32 version,
		     const struct subcred_last *last, u8 *out, size_t size)
{
	struct subcred_msg ack;

	memset(&ack, 0, sizeof(ack));
	ack.type = SUBCRED_MSG_ACK;
	ack.id_len = id_len;
	memcpy(ack.id, id, id_len);
	memcpy(ack.txid, last->txid, SUBCRED_WIRE_TXID_LEN);
	ack.ack.new_version = version;
	memcpy(ack.tag, last->tag, SUBCRED_WIRE_TAG_LEN);
	return subcred_wire_build(&ack, out, size);
}

/* The ACK of CONFIRM @m into p->ack, TAG_A under K_conf. */
int subcred_ack(const struct subcred_msg *m, struct subcred_pending *p)
{
	struct subcred_last unsigned_ack = { };	/* TAG_A still zero */
	u8 tag[SUBCRED_HASH_LEN];
	int alen, err;

	memcpy(unsigned_ack.txid, m->txid, SUBCRED_WIRE_TXID_LEN);
	alen = subcred_last_ack(m->id, m->id_len, p->new_version,
				&unsigned_ack, p->ack, sizeof(p->ack));
	if (alen < 0)
		return alen;
	err = subcred_confirm_tag(p, "ack", p->ack, alen, tag);
	if (err)
		return err;
	subcred_wire_set_tag(p->ack, alen, tag);
	p->ack_len = alen;
	return 0;
}

int subcred_confirm(struct key *key, const u8 *buf, size_t len,
		    const struct subcred_msg *m, struct subcred_answer *ans,
		    struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *p = cred->pending;
	u8 tag[SUBCRED_HASH_LEN];
	int err;

	if (cred->last.present &&
	    !memcmp(cred->last.txid, m->txid, SUBCRED_WIRE_TXID_LEN)) {
		err = subcred_last_ack(m->id, m->id_len, cred->version,
				       &cred->last, ans->msg, sizeof(ans->msg));
		if (err < 0)
			return err;
		cred->stats[SUBCRED_STAT_DUPLICATE]++;
		ans->msg_len = err;
		return 0;
	}
	if (!p || memcmp(p->txid, m->txid, SUBCRED_WIRE_TXID_LEN))
		return subcred_reject(key, m->txid, SUBCRED_REJECT_NO_TXN, ans);

	err = subcred_confirm_tag(p, "confirm", buf, len, tag);
	if (err)
		return err;
	if (crypto_memneq(tag, m->tag, SUBCRED_WIRE_TAG_LEN) ||
	    m->confirm.new_version != p->new_version) {
		cred->stats[SUBCRED_STAT_DROPPED]++;
		NL_SET_ERR_MSG(extack,
			       "CONFIRM tag or version does not verify: dropped");
		return -EBADMSG;
	}

	if (p->committing) {
		cred->stats[SUBCRED_STAT_DUPLICATE]++;
		return subcred_answer_seal(key, ans, extack);
	}

	err = subcred_ack(m, p);
	if (err)
		return err;
	p->set_time = ktime_get_real_seconds();
	p->committing = true;
	cred->generation++;
	p->release_gen = cred->generation;
	return subcred_answer_seal(key, ans, extack);
}

/* The new key becomes the active one; the old one is wiped. */
static void subcred_commit(struct key *key)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *p = cred->pending;

	subcred_secret_replace(key, p->k_new, p->opc_new);
	WRITE_ONCE(cred->version, p->new_version);
	cred->set_time = p->set_time;
	subcred_last_set(&cred->last, p);
	cred->request_tries = 0;
	cred->stats[SUBCRED_STAT_UPDATES]++;
	subcred_pending_clear(cred);
	subcred_cred_schedule(cred);
	subcred_nl_event(SUBCRED_EVENT_UPDATED, key, cred->version, NULL, 0);
}

int subcred_update_persisted(struct key *key, u64 generation,
			     struct subcred_answer *ans,
			     struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *p;
	int err = 0;

	mutex_lock(&cred->lock);
	p = cred->pending;
	if (cred->dead) {
		err = -ENOENT;
	} else if (generation > cred->generation) {
		NL_SET_ERR_MSG(extack, "no state of this generation was sealed");
		err = -EINVAL;
	} else if (p && generation >= p->release_gen) {
		if (p->committing) {
			memcpy(ans->msg, p->ack, p->ack_len);
			ans->msg_len = p->ack_len;
			subcred_commit(key);
		} else {
			p->released = true;
			memcpy(ans->msg, p->response, p->response_len);
			ans->msg_len = p->response_len;
		}
	}
	mutex_unlock(&cred->lock);
	return err;
}

int subcred_update_export(struct key *key, struct subcred_answer *ans,
			  struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	int err;

	mutex_lock(&cred->lock);
	err = cred->dead ? -ENOENT : subcred_answer_seal(key, ans, extack);
	mutex_unlock(&cred->lock);
	return err;
}

static void subcred_restore(struct key *key, const struct subcred_image *img)
{
	struct subcred_cred *cred = subcred_cred(key);
	unsigned int i;

	subcred_secret_replace(key, img->k, img->opc);
	WRITE_ONCE(cred->version, img->version);
	cred->generation = img->generation;
	cred->sqn = img->sqn;
	for (i = 0; i < SUBCRED_IND_COUNT; i++)
		subcred_seq_set(cred, i, img->seq[i]);
	cred->max_age = img->max_age;
	cred->pending_timeout = img->pending_timeout;
	cred->set_time = img->set_time;
	cred->last = img->last;
	cred->request_tries = 0;
	subcred_pending_clear(cred);
	subcred_cred_schedule(cred);
}

/* A blob for a credential that exists: apply it if it is not older. */
static int subcred_import_live(struct key *key,
			       const struct subcred_image *img,
			       struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *p;
	int err = 0;

	mutex_lock(&cred->lock);
	p = cred->pending;
	if (cred->dead) {
		err = -ENOENT;
	} else if (p && p->committing && img->generation >= p->release_gen &&
		   img->version == p->new_version) {
		/* The commit reached the disk before the agent restarted. */
		subcred_commit(key);
	} else if (img->version < cred->version ||
		   img->generation < cred->generation) {
		NL_SET_ERR_MSG(extack, "blob is older than the live state");
		err = -ESTALE;
	} else if (img->generation > cred->generation) {
		subcred_restore(key, img);
	}
	mutex_unlock(&cred->lock);
	return err;
}

int subcred_update_import(const u8 *blob, size_t len, const char *id,
			  struct subcred_answer *ans,
			  struct netlink_ext_ack *extack)
{
	struct subcred_image *img;
	struct subcred_init init;
	struct key *key;
	int err;

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	err = subcred_open_blob(blob, len, img, extack);
	if (err)
		goto out;
	if (id && strcmp(id, img->id)) {
		NL_SET_ERR_MSG(extack, "blob is for another credential id");
		err = -EINVAL;
		goto out;
	}

	key = subcred_lookup(img->id);
	if (IS_ERR(key) && PTR_ERR(key) == -ENOENT) {
		init = (struct subcred_init){
			.k = img->k,
			.opc = img->opc,
			.sqn = img->sqn,
			.version = img->version,
			.max_age = img->max_age,
			.pending_timeout = img->pending_timeout,
			.restored = true,
			.generation = img->generation,
			.seq = img->seq,
			.set_time = img->set_time,
			.last = &img->last,
		};
		key = subcred_create(img->id, &init);
	} else if (!IS_ERR(key)) {
		err = subcred_import_live(key, img, extack);
		if (err) {
			key_put(key);
			goto out;
		}
	}
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto out;
	}
	ans->key = key;
	ans->generation = img->generation;
out:
	kfree_sensitive(img);
	return err;
}

int subcred_update_input(const u8 *buf, size_t len,
			 struct subcred_answer *ans,
			 struct netlink_ext_ack *extack)
{
	enum subcred_wire_error why;
	struct subcred_cred *cred;
	struct subcred_msg *m;
	struct key *key;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	err = subcred_wire_parse(buf, len, m, &why);
	if (err) {
		NL_SET_ERR_MSG(extack, "malformed message");
		goto out;
	}
	if (m->type != SUBCRED_MSG_NOTICE && m->type != SUBCRED_MSG_CONFIRM) {
		NL_SET_ERR_MSG(extack,
			       "a device accepts only NOTICE and CONFIRM");
		err = -EOPNOTSUPP;
		goto out;
	}
	key = subcred_lookup(m->id);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		if (err == -ENOENT)
			NL_SET_ERR_MSG(extack, "no credential with this id");
		goto out;
	}
	ans->key = key;
	cred = subcred_cred(key);

	mutex_lock(&cred->lock);
	if (cred->dead)
		err = -ENOENT;
	else if (m->type == SUBCRED_MSG_NOTICE)
		err = subcred_notice(key, buf, len, m, ans, extack);
	else
		err = subcred_confirm(key, buf, len, m, ans, extack);
	mutex_unlock(&cred->lock);
out:
	kfree_sensitive(m);
	return err;
}
