// SPDX-License-Identifier: GPL-2.0
/*
 * NOTICE -> RESPONSE (design §5.1): the network asks for an update; the
 * device checks it as an AKA challenge plus TAG_N and key version, answers
 * with a fresh ephemeral key, and keeps the derived new key PENDING. Also
 * the REJECT and REQUEST tags, made with the active K and OPc.
 */

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "crypto.h"
#include "seal.h"
#include "update.h"

static void subcred_msg_head(struct key *key, struct subcred_msg *m, u8 type,
			     const u8 *txid)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id_len = strscpy(m->id, key->description, sizeof(m->id));
	memcpy(m->txid, txid, SUBCRED_WIRE_TXID_LEN);
}

/* Tag @msg with HMAC(KDF(K || OPc, @label, id, @ctx), msg before tag). */
int subcred_tag_keys(const u8 *k, const u8 *opc, const char *id,
		     const char *label, const u8 *ctx, size_t ctx_len,
		     u8 *msg, size_t len)
{
	struct subcred_buf p[2] = {
		{ id, strlen(id) },
		{ ctx, ctx_len },
	};
	struct subcred_buf in = { msg, len - SUBCRED_WIRE_TAG_LEN };
	u8 kk[SUBCRED_K_LEN + SUBCRED_OPC_LEN], tk[SUBCRED_HASH_LEN];
	u8 tag[SUBCRED_HASH_LEN];
	int err;

	memcpy(kk, k, SUBCRED_K_LEN);
	memcpy(kk + SUBCRED_K_LEN, opc, SUBCRED_OPC_LEN);
	err = subcred_kdf(kk, sizeof(kk), label, p, 2, tk);
	if (!err)
		err = subcred_hmac(tk, sizeof(tk), &in, 1, tag);
	if (!err)
		subcred_wire_set_tag(msg, len, tag);
	memzero_explicit(kk, sizeof(kk));
	memzero_explicit(tk, sizeof(tk));
	return err;
}

/* The same with the active K and OPc of @key. */
int subcred_tag_active(struct key *key, const char *label, const u8 *ctx,
		       size_t ctx_len, u8 *msg, size_t len)
{
	struct subcred_secret *secret = subcred_secret(key);

	return subcred_tag_keys(secret->k, secret->opc, key->description,
				label, ctx, ctx_len, msg, len);
}

/* K_auth = KDF(CK || IK, "auth", id, txid) */
int subcred_k_auth(const u8 *ck, const u8 *ik, const struct subcred_msg *m,
		   u8 *k_auth)
{
	struct subcred_buf ap[2] = {
		{ m->id, m->id_len },
		{ m->txid, SUBCRED_WIRE_TXID_LEN },
	};
	u8 ckik[32];
	int err;

	memcpy(ckik, ck, 16);
	memcpy(ckik + 16, ik, 16);
	err = subcred_kdf(ckik, sizeof(ckik), "auth", ap, 2, k_auth);
	memzero_explicit(ckik, sizeof(ckik));
	return err;
}

int subcred_reject(struct key *key, const u8 *txid, u8 cause,
		   struct subcred_answer *ans)
{
	static const u8 stat[] = {
		[SUBCRED_REJECT_MAC]	 = SUBCRED_STAT_REJECT_MAC,
		[SUBCRED_REJECT_TAG_N]	 = SUBCRED_STAT_REJECT_TAG,
		[SUBCRED_REJECT_VERSION] = SUBCRED_STAT_REJECT_VERSION,
		[SUBCRED_REJECT_PK]	 = SUBCRED_STAT_REJECT_PK,
		[SUBCRED_REJECT_NO_TXN]	 = SUBCRED_STAT_REJECT_NO_TXN,
	};
	struct subcred_msg m;
	int len;

	subcred_msg_head(key, &m, SUBCRED_MSG_REJECT, txid);
	m.reject.cause = cause;
	len = subcred_wire_build(&m, ans->msg, sizeof(ans->msg));
	if (len < 0)
		return len;
	subcred_cred(key)->stats[stat[cause]]++;
	pr_notice_ratelimited("key %d: REJECT cause %u\n", key->serial, cause);
	ans->msg_len = len;
	return subcred_tag_active(key, "reject", txid, SUBCRED_WIRE_TXID_LEN,
				  ans->msg, len);
}

static int subcred_sync(struct key *key, const u8 *txid, const u8 *auts,
			struct subcred_answer *ans)
{
	struct subcred_msg m;
	int len;

	subcred_msg_head(key, &m, SUBCRED_MSG_SYNC, txid);
	memcpy(m.sync.auts, auts, SUBCRED_WIRE_AUTS_LEN);
	len = subcred_wire_build(&m, ans->msg, sizeof(ans->msg));
	if (len < 0)
		return len;
	subcred_cred(key)->stats[SUBCRED_STAT_SYNC]++;
	ans->msg_len = len;
	return 0;
}

/*
 * The device's answer to an authentic NOTICE @m of @len octets, given
 * ws->aka (RES, CK, IK), ws->k_auth, the ephemeral key pair ws->sk/ws->pk
 * and the current key @version: RESPONSE with TAG_D, H_T, K_new, OPc_new
 * and K_conf into @p. Pure: the load-time self-test runs it on the
 * protocol vector. -EINVAL if Z is all zero.
 */
int subcred_respond(const u8 *notice, size_t len,
		    const struct subcred_msg *m, u32 version,
		    struct subcred_notice_ws *ws, struct subcred_pending *p)
{
	u8 *z = ws->ikm + 32, nv[4];
	struct subcred_buf in[2];
	int rlen, err;

	err = subcred_x25519(ws->sk, m->notice.pk, z);
	memzero_explicit(ws->sk, sizeof(ws->sk));
	if (err)
		return err;

	memset(&ws->resp, 0, sizeof(ws->resp));
	ws->resp.type = SUBCRED_MSG_RESPONSE;
	ws->resp.id_len = m->id_len;
	memcpy(ws->resp.id, m->id, m->id_len);
	memcpy(ws->resp.txid, m->txid, SUBCRED_WIRE_TXID_LEN);
	memcpy(ws->resp.response.pk, ws->pk, SUBCRED_WIRE_PK_LEN);
	memcpy(ws->resp.response.res, ws->aka.res, SUBCRED_WIRE_RES_LEN);
	rlen = subcred_wire_build(&ws->resp, p->response, sizeof(p->response));
	if (rlen < 0)
		return rlen;
	p->response_len = rlen;

	/* TAG_D = HMAC(K_auth, H(NOTICE) || RESPONSE before its tag) */
	in[0] = (struct subcred_buf){ p->notice_hash, SUBCRED_HASH_LEN };
	in[1] = (struct subcred_buf){ p->response,
				      rlen - SUBCRED_WIRE_TAG_LEN };
	err = subcred_hmac(ws->k_auth, SUBCRED_HASH_LEN, in, 2, ws->tag);
	if (err)
		return err;
	subcred_wire_set_tag(p->response, rlen, ws->tag);

	/* H_T = H(NOTICE || RESPONSE before its tag) */
	in[0] = (struct subcred_buf){ notice, len };
	err = subcred_sha256(in, 2, p->h_t);
	if (err)
		return err;

	/* S = KDF(CK || IK || Z, "session", id, txid, H_T) */
	memcpy(ws->ikm, ws->aka.ck, 16);
	memcpy(ws->ikm + 16, ws->aka.ik, 16);
	{
		struct subcred_buf sp[3] = {
			{ m->id, m->id_len },
			{ m->txid, SUBCRED_WIRE_TXID_LEN },
			{ p->h_t, SUBCRED_HASH_LEN },
		};

		err = subcred_kdf(ws->ikm, sizeof(ws->ikm), "session", sp, 3,
				  ws->s);
	}
	if (err)
		return err;

	/* K_new, OPc_new, K_conf = KDF(S, label, BE32(v + 1)) */
	p->new_version = version + 1;
	nv[0] = p->new_version >> 24;
	nv[1] = p->new_version >> 16;
	nv[2] = p->new_version >> 8;
	nv[3] = p->new_version;
	in[0] = (struct subcred_buf){ nv, sizeof(nv) };
	err = subcred_kdf(ws->s, SUBCRED_HASH_LEN, "k", in, 1, ws->out);
	memcpy(p->k_new, ws->out, SUBCRED_K_LEN);
	if (!err)
		err = subcred_kdf(ws->s, SUBCRED_HASH_LEN, "opc", in, 1,
				  ws->out);
	memcpy(p->opc_new, ws->out, SUBCRED_OPC_LEN);
	if (!err)
		err = subcred_kdf(ws->s, SUBCRED_HASH_LEN, "confirm", in, 1,
				  p->k_conf);
	return err;
}

int subcred_notice(struct key *key, const u8 *buf, size_t len,
		   const struct subcred_msg *m, struct subcred_answer *ans,
		   struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_pending *old = cred->pending, *p = NULL;
	struct subcred_notice_ws *ws;
	struct subcred_buf in = { buf, len };
	u8 hash[SUBCRED_HASH_LEN];
	int err;

	err = subcred_sha256(&in, 1, hash);
	if (err)
		return err;

	/* The pending NOTICE again: its answer, before any other check. */
	if (old && !memcmp(old->txid, m->txid, SUBCRED_WIRE_TXID_LEN) &&
	    !memcmp(old->notice_hash, hash, SUBCRED_HASH_LEN)) {
		cred->stats[SUBCRED_STAT_DUPLICATE]++;
		if (old->committing)
			return 0;	/* stale: the CONFIRM came already */
		if (!old->released)
			return subcred_answer_seal(key, ans, extack);
		memcpy(ans->msg, old->response, old->response_len);
		ans->msg_len = old->response_len;
		return 0;
	}
	if (old && old->committing) {
		cred->stats[SUBCRED_STAT_DROPPED]++;
		NL_SET_ERR_MSG(extack,
			       "an update is being committed: NOTICE dropped");
		return -EBUSY;
	}

	ws = kzalloc(sizeof(*ws), GFP_KERNEL);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!ws || !p) {
		err = -ENOMEM;
		goto out;
	}

	err = subcred_challenge(key, m->notice.rand, m->notice.autn, true,
				&ws->aka);
	if (err == -EBADMSG) {
		err = subcred_reject(key, m->txid, SUBCRED_REJECT_MAC, ans);
		goto out;
	}
	if (err == -ERANGE) {
		err = subcred_sync(key, m->txid, ws->aka.auts, ans);
		goto out;
	}
	if (err)
		goto out;

	/* TAG_N = HMAC(K_auth, NOTICE before its tag) */
	err = subcred_k_auth(ws->aka.ck, ws->aka.ik, m, ws->k_auth);
	if (err)
		goto out;
	in.len = len - SUBCRED_WIRE_TAG_LEN;
	err = subcred_hmac(ws->k_auth, SUBCRED_HASH_LEN, &in, 1, ws->tag);
	if (err)
		goto out;
	if (crypto_memneq(ws->tag, m->tag, SUBCRED_WIRE_TAG_LEN)) {
		err = subcred_reject(key, m->txid, SUBCRED_REJECT_TAG_N, ans);
		goto out;
	}
	if (m->notice.key_version != cred->version ||
	    cred->version >= SUBCRED_KEY_VERSION_MAX) {
		err = subcred_reject(key, m->txid, SUBCRED_REJECT_VERSION, ans);
		goto out;
	}

	memcpy(p->txid, m->txid, SUBCRED_WIRE_TXID_LEN);
	memcpy(p->notice_hash, hash, SUBCRED_HASH_LEN);
	err = subcred_x25519_keypair(ws->sk, ws->pk);
	if (!err)
		err = subcred_respond(buf, len, m, cred->version, ws, p);
	if (err == -EINVAL) {
		err = subcred_reject(key, m->txid, SUBCRED_REJECT_PK, ans);
		goto out;
	}
	if (err)
		goto out;

	/* Authentic: replace what was pending; persist the SQN first. */
	subcred_accept_sqn(cred, ws->aka.sqn);
	cred->generation++;
	p->release_gen = cred->generation;
	/* + 1: this tick began up to 1/HZ ago; never expire early. */
	p->deadline = jiffies + cred->pending_timeout * HZ + 1;
	subcred_pending_clear(cred);
	cred->pending = p;
	p = NULL;
	subcred_cred_schedule(cred);
	err = subcred_answer_seal(key, ans, extack);
out:
	kfree_sensitive(p);
	kfree_sensitive(ws);
	return err;
}
