// SPDX-License-Identifier: GPL-2.0
/*
 * The AKA challenge as the USIM checks it (TS 33.102 §6.3.3, Annex C.3):
 * MAC-A first, then SQN freshness against the SEQ/IND array; a stale SQN
 * gives AUTS for resynchronisation. Used by NOTICE (with the rekey bit in
 * AMF) and by the ordinary authentication of SUBCRED_CMD_AKA (without it).
 */

#include <linux/string.h>

#include "crypto.h"
#include "netlink.h"
#include "update.h"

static u64 get_be48(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < SUBCRED_SQN_LEN; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be48(u8 *p, u64 v)
{
	int i;

	for (i = SUBCRED_SQN_LEN - 1; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static bool subcred_sqn_fresh(const struct subcred_cred *cred, u64 sqn)
{
	u64 seq = sqn >> SUBCRED_IND_BITS;
	u64 seq_ms = cred->sqn >> SUBCRED_IND_BITS;
	unsigned int ind = sqn & (SUBCRED_IND_COUNT - 1);

	if (seq <= subcred_seq(cred, ind))
		return false;
	return seq <= seq_ms || seq - seq_ms <= SUBCRED_SEQ_DELTA;
}

void subcred_accept_sqn(struct subcred_cred *cred, u64 sqn)
{
	subcred_seq_set(cred, sqn & (SUBCRED_IND_COUNT - 1),
			sqn >> SUBCRED_IND_BITS);
	if (sqn > cred->sqn)
		cred->sqn = sqn;
}

/* AUTS = SQN_MS ^ AK* || MAC-S, MAC-S = f1*(SQN_MS, AMF 0000) */
int subcred_auts(const u8 *k, const u8 *opc, const u8 *rand, u64 sqn_ms,
		 u8 *auts)
{
	static const u8 amf_resync[SUBCRED_AMF_LEN];
	u8 ak[SUBCRED_AK_LEN], sqn[SUBCRED_SQN_LEN];
	int i, err;

	put_be48(sqn, sqn_ms);
	err = subcred_milenage_f5star(k, opc, rand, ak);
	if (!err)
		err = subcred_milenage_f1(k, opc, rand, sqn, amf_resync, NULL,
					  auts + SUBCRED_SQN_LEN);
	for (i = 0; i < SUBCRED_SQN_LEN; i++)
		auts[i] = sqn[i] ^ ak[i];
	memzero_explicit(ak, sizeof(ak));
	return err;
}

/*
 * Check AUTN = SQN ^ AK || AMF || MAC-A under the active key. Returns 0
 * (RES, CK, IK and SQN in @out), -EBADMSG on a MAC failure or a wrong rekey
 * bit, -ERANGE on a stale SQN (AUTS in @out). Does not accept the SQN.
 */
int subcred_challenge(struct key *key, const u8 *rand, const u8 *autn,
		      bool rekey, struct subcred_aka_out *out)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_secret *secret = subcred_secret(key);
	u8 ak[SUBCRED_AK_LEN], sqn[SUBCRED_SQN_LEN], xmac[SUBCRED_MAC_LEN];
	const u8 *amf = autn + SUBCRED_SQN_LEN;
	int i, err;

	if (!!(amf[1] & SUBCRED_AMF_REKEY) != rekey)
		return -EBADMSG;
	err = subcred_milenage_f2345(secret->k, secret->opc, rand, out->res,
				     out->ck, out->ik, ak);
	if (err)
		goto out;
	for (i = 0; i < SUBCRED_SQN_LEN; i++)
		sqn[i] = autn[i] ^ ak[i];
	err = subcred_milenage_f1(secret->k, secret->opc, rand, sqn, amf,
				  xmac, NULL);
	if (err)
		goto out;
	if (crypto_memneq(xmac, autn + SUBCRED_SQN_LEN + SUBCRED_AMF_LEN,
			  SUBCRED_MAC_LEN)) {
		err = -EBADMSG;
		goto out;
	}
	out->sqn = get_be48(sqn);
	if (subcred_sqn_fresh(cred, out->sqn))
		goto out;

	err = subcred_auts(secret->k, secret->opc, rand, cred->sqn, out->auts);
	if (!err)
		err = -ERANGE;
out:
	memzero_explicit(ak, sizeof(ak));
	memzero_explicit(sqn, sizeof(sqn));
	memzero_explicit(xmac, sizeof(xmac));
	if (err && err != -ERANGE)
		memzero_explicit(out, sizeof(*out));
	return err;
}

int subcred_update_aka(struct key *key, const u8 *rand, const u8 *autn,
		       u8 *res, u8 *auts, struct netlink_ext_ack *extack)
{
	struct subcred_cred *cred = subcred_cred(key);
	struct subcred_aka_out *out;
	int err;

	out = kzalloc(sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	mutex_lock(&cred->lock);
	if (cred->dead) {
		err = -ENOENT;
		goto unlock;
	}
	if (cred->pending && cred->pending->committing) {
		NL_SET_ERR_MSG(extack, "an update is being committed");
		err = -EBUSY;
		goto unlock;
	}
	err = subcred_challenge(key, rand, autn, false, out);
	if (!err) {
		subcred_accept_sqn(cred, out->sqn);
		cred->generation++;
		cred->stats[SUBCRED_STAT_AKA]++;
		subcred_nl_event(SUBCRED_EVENT_CHANGED, key, cred->version,
				 NULL, 0);
		memcpy(res, out->res, SUBCRED_WIRE_RES_LEN);
	} else if (err == -ERANGE) {
		cred->stats[SUBCRED_STAT_SYNC]++;
		memcpy(auts, out->auts, SUBCRED_WIRE_AUTS_LEN);
	} else if (err == -EBADMSG) {
		NL_SET_ERR_MSG(extack, "AUTN does not verify (MAC-A or AMF)");
	}
unlock:
	mutex_unlock(&cred->lock);
	kfree_sensitive(out);
	return err;
}
