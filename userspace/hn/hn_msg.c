// SPDX-License-Identifier: GPL-2.0
/* Protocol v1 message cryptography, network side (see hn_msg.h). */
#include <string.h>

#include "hn_msg.h"

#define TAG	SUBCRED_WIRE_TAG_LEN
#define TXID	SUBCRED_WIRE_TXID_LEN

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void hn_sqn_make(uint64_t seq, unsigned int ind, uint8_t *sqn)
{
	uint64_t v = (seq << 5 | (ind & 31)) & 0xffffffffffffULL;
	int i;

	for (i = HN_SQN_LEN - 1; i >= 0; i--, v >>= 8)
		sqn[i] = v & 0xff;
}

static uint64_t sqn_value(const uint8_t *sqn)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < HN_SQN_LEN; i++)
		v = v << 8 | sqn[i];
	return v;
}

uint64_t hn_sqn_seq(const uint8_t *sqn)
{
	return sqn_value(sqn) >> 5;
}

unsigned int hn_sqn_ind(const uint8_t *sqn)
{
	return sqn_value(sqn) & 31;
}

int hn_msg_autn(const struct hn_key *key, const uint8_t *rand,
		const uint8_t *sqn, const uint8_t *amf, uint8_t *autn,
		uint8_t *xres)
{
	struct hn_milenage m;
	int i;

	if (hn_milenage_f1(key->k, key->opc, rand, sqn, amf, &m) ||
	    hn_milenage_f2345(key->k, key->opc, rand, &m)) {
		hn_wipe(&m, sizeof(m));
		return -1;
	}
	for (i = 0; i < HN_SQN_LEN; i++)
		autn[i] = sqn[i] ^ m.ak[i];
	memcpy(autn + 6, amf, HN_AMF_LEN);
	memcpy(autn + 8, m.mac_a, HN_MAC_LEN);
	if (xres)
		memcpy(xres, m.res, HN_RES_LEN);
	hn_wipe(&m, sizeof(m));
	return 0;
}

/* CK || IK on @rand. */
static int ckik(const struct hn_key *key, const uint8_t *rand, uint8_t *out)
{
	struct hn_milenage m;
	int ret;

	ret = hn_milenage_f2345(key->k, key->opc, rand, &m);
	memcpy(out, m.ck, HN_K_LEN);
	memcpy(out + HN_K_LEN, m.ik, HN_K_LEN);
	hn_wipe(&m, sizeof(m));
	return ret;
}

int hn_msg_kauth(const struct hn_key *key, const uint8_t *rand,
		 const char *id, const uint8_t *txid, uint8_t *kauth)
{
	uint8_t ck_ik[2 * HN_K_LEN];
	int ret;

	ret = ckik(key, rand, ck_ik);
	if (!ret) {
		struct hn_buf p[2] = {
			{ id, strlen(id) },
			{ txid, TXID },
		};

		ret = hn_kdf(ck_ik, sizeof(ck_ik), "auth", p, 2, kauth);
	}
	hn_wipe(ck_ik, sizeof(ck_ik));
	return ret;
}

int hn_msg_notice(const struct hn_key *key, const struct hn_notice_in *in,
		  uint8_t *out, size_t size, uint8_t *xres)
{
	struct subcred_msg m;
	uint8_t kauth[HN_HASH_LEN], tag[TAG];
	struct hn_buf part;
	size_t id_len = strlen(in->id);
	int len;

	if (!id_len || id_len > SUBCRED_WIRE_ID_MAX)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = SUBCRED_MSG_NOTICE;
	m.id_len = id_len;
	memcpy(m.id, in->id, id_len);
	memcpy(m.txid, in->txid, TXID);
	m.notice.reason = in->reason;
	m.notice.key_version = in->key_version;
	memcpy(m.notice.rand, in->rand, HN_RAND_LEN);
	if (hn_msg_autn(key, in->rand, in->sqn, in->amf, m.notice.autn, xres) ||
	    hn_x25519_public(in->sk_n, m.notice.pk))
		return -1;
	len = subcred_wire_build(&m, out, size);
	if (len < 0)
		return -1;
	if (hn_msg_kauth(key, in->rand, in->id, in->txid, kauth))
		return -1;
	part = (struct hn_buf){ out, (size_t)len - TAG };
	if (hn_hmac(kauth, sizeof(kauth), &part, 1, tag)) {
		hn_wipe(kauth, sizeof(kauth));
		return -1;
	}
	hn_wipe(kauth, sizeof(kauth));
	subcred_wire_set_tag(out, len, tag);
	return len;
}

/* TAG_D over H(NOTICE) || RESPONSE-before-tag, checked against m->tag. */
static int check_tag_d(const uint8_t *kauth, const uint8_t *notice,
		       size_t notice_len, const uint8_t *resp, size_t resp_len,
		       const struct subcred_msg *m)
{
	uint8_t hn[HN_HASH_LEN], tag[TAG];
	struct hn_buf p[2] = {
		{ notice, notice_len },
		{ NULL, 0 },
	};

	if (hn_sha256(p, 1, hn))
		return HN_MSG_ERR;
	p[0] = (struct hn_buf){ hn, sizeof(hn) };
	p[1] = (struct hn_buf){ resp, resp_len - TAG };
	if (hn_hmac(kauth, HN_HASH_LEN, p, 2, tag))
		return HN_MSG_ERR;
	return hn_equal(tag, m->tag, TAG) ? HN_MSG_OK : HN_MSG_BAD_TAG;
}

int hn_msg_transcript(const uint8_t *notice, size_t notice_len,
			   const uint8_t *resp, size_t resp_len, uint8_t *h_t)
{
	struct hn_buf p[2] = {
		{ notice, notice_len },
		{ resp, resp_len - TAG },
	};

	return hn_sha256(p, 2, h_t);
}

int hn_msg_session(const struct hn_key *key, const uint8_t *rand,
		   const char *id, const uint8_t *txid, const uint8_t *z,
		   const uint8_t *h_t, uint32_t new_version,
		   struct hn_session *s)
{
	uint8_t sec[2 * HN_K_LEN + HN_X25519_LEN];
	uint8_t sess[HN_HASH_LEN], out[HN_HASH_LEN], ver[4];
	struct hn_buf p[3];
	int ret = HN_MSG_ERR;

	if (ckik(key, rand, sec))
		goto out;
	memcpy(sec + 2 * HN_K_LEN, z, HN_X25519_LEN);
	memmove(s->h_t, h_t, HN_HASH_LEN);
	p[0] = (struct hn_buf){ id, strlen(id) };
	p[1] = (struct hn_buf){ txid, TXID };
	p[2] = (struct hn_buf){ s->h_t, HN_HASH_LEN };
	if (hn_kdf(sec, sizeof(sec), "session", p, 3, sess))
		goto out;
	memcpy(s->s, sess, HN_HASH_LEN);
	be32(ver, new_version);
	p[0] = (struct hn_buf){ ver, sizeof(ver) };
	if (hn_kdf(sess, sizeof(sess), "k", p, 1, out))
		goto out;
	memcpy(s->k_new, out, HN_K_LEN);
	if (hn_kdf(sess, sizeof(sess), "opc", p, 1, out))
		goto out;
	memcpy(s->opc_new, out, HN_K_LEN);
	if (hn_kdf(sess, sizeof(sess), "confirm", p, 1, s->k_conf))
		goto out;
	ret = HN_MSG_OK;
out:
	hn_wipe(sec, sizeof(sec));
	hn_wipe(sess, sizeof(sess));
	hn_wipe(out, sizeof(out));
	if (ret)
		hn_wipe(s, sizeof(*s));
	return ret;
}

int hn_msg_response(const struct hn_key *key, const uint8_t *rand,
		    const uint8_t *xres, const uint8_t *notice,
		    size_t notice_len, const uint8_t *sk_n,
		    uint32_t new_version, const uint8_t *resp, size_t resp_len,
		    const struct subcred_msg *m, struct hn_session *s)
{
	uint8_t kauth[HN_HASH_LEN], z[HN_X25519_LEN], h_t[HN_HASH_LEN];
	int ret;

	if (m->type != SUBCRED_MSG_RESPONSE || resp_len <= TAG)
		return HN_MSG_ERR;
	if (!hn_equal(m->response.res, xres, HN_RES_LEN))
		return HN_MSG_BAD_RES;
	if (hn_msg_kauth(key, rand, m->id, m->txid, kauth))
		return HN_MSG_ERR;
	ret = check_tag_d(kauth, notice, notice_len, resp, resp_len, m);
	hn_wipe(kauth, sizeof(kauth));
	if (ret)
		return ret;
	if (hn_x25519(sk_n, m->response.pk, z))
		return HN_MSG_BAD_PK;
	ret = HN_MSG_ERR;
	if (!hn_msg_transcript(notice, notice_len, resp, resp_len, h_t))
		ret = hn_msg_session(key, rand, m->id, m->txid, z, h_t,
				     new_version, s);
	hn_wipe(z, sizeof(z));
	return ret;
}

int hn_msg_response_again(const struct hn_key *key, const uint8_t *rand,
			  const uint8_t *notice, size_t notice_len,
			  const uint8_t *h_t, const uint8_t *resp,
			  size_t resp_len, const struct subcred_msg *m)
{
	uint8_t kauth[HN_HASH_LEN], ht[HN_HASH_LEN];
	int ret;

	if (m->type != SUBCRED_MSG_RESPONSE || resp_len <= TAG)
		return HN_MSG_ERR;
	if (hn_msg_kauth(key, rand, m->id, m->txid, kauth))
		return HN_MSG_ERR;
	ret = check_tag_d(kauth, notice, notice_len, resp, resp_len, m);
	hn_wipe(kauth, sizeof(kauth));
	if (ret)
		return ret;
	if (hn_msg_transcript(notice, notice_len, resp, resp_len, ht))
		return HN_MSG_ERR;
	return hn_equal(ht, h_t, HN_HASH_LEN) ? HN_MSG_OK : HN_MSG_BAD_TAG;
}

int hn_msg_conf_tag(const uint8_t *k_conf, const char *prefix,
		    const uint8_t *h_t, const uint8_t *msg, size_t len,
		    uint8_t *tag)
{
	struct hn_buf p[3] = {
		{ prefix, strlen(prefix) },
		{ h_t, HN_HASH_LEN },
		{ msg, len - TAG },
	};

	if (len <= TAG)
		return -1;
	return hn_hmac(k_conf, HN_HASH_LEN, p, 3, tag);
}

int hn_msg_confirm(const char *id, const uint8_t *txid, uint32_t new_version,
		   const uint8_t *k_conf, const uint8_t *h_t, uint8_t *out,
		   size_t size)
{
	struct subcred_msg m;
	uint8_t tag[TAG];
	size_t id_len = strlen(id);
	int len;

	if (!id_len || id_len > SUBCRED_WIRE_ID_MAX)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = SUBCRED_MSG_CONFIRM;
	m.id_len = id_len;
	memcpy(m.id, id, id_len);
	memcpy(m.txid, txid, TXID);
	m.confirm.new_version = new_version;
	len = subcred_wire_build(&m, out, size);
	if (len < 0 || hn_msg_conf_tag(k_conf, "confirm", h_t, out, len, tag))
		return -1;
	subcred_wire_set_tag(out, len, tag);
	return len;
}

int hn_msg_ack_ok(const uint8_t *k_conf, const uint8_t *h_t,
		  const uint8_t *buf, size_t len)
{
	uint8_t tag[TAG];

	if (len <= TAG || hn_msg_conf_tag(k_conf, "ack", h_t, buf, len, tag))
		return 0;
	return hn_equal(tag, buf + len - TAG, TAG);
}

int hn_msg_sync(const struct hn_key *key, const uint8_t *rand,
		const uint8_t *auts, uint8_t *sqn_ms)
{
	static const uint8_t amf0[HN_AMF_LEN];
	struct hn_milenage m;
	int i, ret = HN_MSG_ERR;

	if (hn_milenage_f2345(key->k, key->opc, rand, &m))
		goto out;
	for (i = 0; i < HN_SQN_LEN; i++)
		sqn_ms[i] = auts[i] ^ m.ak_s[i];
	if (hn_milenage_f1(key->k, key->opc, rand, sqn_ms, amf0, &m))
		goto out;
	ret = hn_equal(m.mac_s, auts + HN_SQN_LEN, HN_MAC_LEN) ?
	      HN_MSG_OK : HN_MSG_BAD_TAG;
out:
	hn_wipe(&m, sizeof(m));
	if (ret)
		memset(sqn_ms, 0, HN_SQN_LEN);
	return ret;
}

int hn_msg_device_tag(const struct hn_key *key, const char *label,
		      const char *id, const uint8_t *p, size_t plen,
		      const uint8_t *msg, size_t len, uint8_t *tag)
{
	uint8_t kopc[2 * HN_K_LEN], kt[HN_HASH_LEN];
	struct hn_buf par[2] = {
		{ id, strlen(id) },
		{ p, plen },
	};
	struct hn_buf body = { msg, len - TAG };
	int ret;

	if (len <= TAG)
		return -1;
	memcpy(kopc, key->k, HN_K_LEN);
	memcpy(kopc + HN_K_LEN, key->opc, HN_K_LEN);
	ret = hn_kdf(kopc, sizeof(kopc), label, par, 2, kt);
	if (!ret)
		ret = hn_hmac(kt, sizeof(kt), &body, 1, tag);
	hn_wipe(kopc, sizeof(kopc));
	hn_wipe(kt, sizeof(kt));
	return ret;
}

int hn_msg_device_tag_ok(const struct hn_key *key,
			 const struct subcred_msg *m, const uint8_t *buf,
			 size_t len)
{
	uint8_t tag[TAG];
	int ret;

	if (m->type == SUBCRED_MSG_REJECT)
		ret = hn_msg_device_tag(key, "reject", m->id, m->txid, TXID,
					buf, len, tag);
	else if (m->type == SUBCRED_MSG_REQUEST)
		ret = hn_msg_device_tag(key, "request", m->id,
					m->request.nonce,
					SUBCRED_WIRE_NONCE_LEN, buf, len, tag);
	else
		return 0;
	return !ret && hn_equal(tag, m->tag, TAG);
}
