// SPDX-License-Identifier: GPL-2.0
/* Simulated device for the subcred-hn unit tests (see tdev.h). */
#include <string.h>

#include "tdev.h"

#define TAG	SUBCRED_WIRE_TAG_LEN
#define TXID	SUBCRED_WIRE_TXID_LEN

void tdev_init(struct tdev *d, const char *id, const struct hn_key *key,
	       uint32_t version)
{
	memset(d, 0, sizeof(*d));
	strncpy(d->id, id, SUBCRED_WIRE_ID_MAX);
	d->key = *key;
	d->version = version;
}

static void header(struct subcred_msg *m, const struct tdev *d, int type,
		   const uint8_t *txid)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id_len = strlen(d->id);
	memcpy(m->id, d->id, m->id_len);
	memcpy(m->txid, txid, TXID);
}

int tdev_reject(const struct tdev *d, const struct hn_key *key,
		const uint8_t *txid, int cause, uint8_t *out)
{
	struct subcred_msg m;
	uint8_t tag[TAG];
	int len;

	header(&m, d, SUBCRED_MSG_REJECT, txid);
	m.reject.cause = cause;
	len = subcred_wire_build(&m, out, HN_MSG_MAX);
	if (len < 0 || hn_msg_device_tag(key, "reject", d->id, txid, TXID,
					 out, len, tag))
		return -1;
	subcred_wire_set_tag(out, len, tag);
	return len;
}

int tdev_request(const struct tdev *d, const struct hn_key *key,
		 uint32_t version, int reason, const uint8_t *nonce,
		 uint8_t *out)
{
	struct subcred_msg m;
	uint8_t tag[TAG], txid[TXID];
	int len;

	hn_random(txid, TXID);
	header(&m, d, SUBCRED_MSG_REQUEST, txid);
	m.request.reason = reason;
	m.request.key_version = version;
	memcpy(m.request.nonce, nonce, SUBCRED_WIRE_NONCE_LEN);
	len = subcred_wire_build(&m, out, HN_MSG_MAX);
	if (len < 0 || hn_msg_device_tag(key, "request", d->id, nonce,
					 SUBCRED_WIRE_NONCE_LEN, out, len,
					 tag))
		return -1;
	subcred_wire_set_tag(out, len, tag);
	return len;
}

static int reject(struct tdev *d, const uint8_t *txid, int cause,
		  uint8_t *out)
{
	d->last_cause = cause;
	return tdev_reject(d, &d->key, txid, cause, out);
}

static int sync_msg(struct tdev *d, const struct subcred_msg *n, uint8_t *out)
{
	static const uint8_t amf0[2];
	struct hn_milenage o;
	struct subcred_msg m;
	uint8_t sqn_ms[HN_SQN_LEN];
	int i;

	hn_sqn_make(d->seq_ms, d->ind_ms, sqn_ms);
	hn_milenage_f2345(d->key.k, d->key.opc, n->notice.rand, &o);
	header(&m, d, SUBCRED_MSG_SYNC, n->txid);
	for (i = 0; i < HN_SQN_LEN; i++)
		m.sync.auts[i] = sqn_ms[i] ^ o.ak_s[i];
	hn_milenage_f1(d->key.k, d->key.opc, n->notice.rand, sqn_ms, amf0, &o);
	memcpy(m.sync.auts + HN_SQN_LEN, o.mac_s, HN_MAC_LEN);
	return subcred_wire_build(&m, out, HN_MSG_MAX);
}

static int on_notice(struct tdev *d, const struct subcred_msg *n,
		     const uint8_t *buf, size_t len, uint8_t *out)
{
	struct hn_milenage o;
	struct subcred_msg m;
	uint8_t sqn[HN_SQN_LEN], kauth[32], tag[TAG], hn[32], sk[32], z[32];
	uint8_t h_t[32];
	struct hn_buf p[2];
	int i, rlen;

	if (d->pending && !memcmp(n->txid, d->p_txid, TXID) &&
	    len == d->p_notice_len && !memcmp(buf, d->p_notice, len)) {
		memcpy(out, d->p_resp, d->p_resp_len);
		return d->p_resp_len;
	}
	hn_milenage_f2345(d->key.k, d->key.opc, n->notice.rand, &o);
	for (i = 0; i < HN_SQN_LEN; i++)
		sqn[i] = n->notice.autn[i] ^ o.ak[i];
	hn_milenage_f1(d->key.k, d->key.opc, n->notice.rand, sqn,
		       n->notice.autn + 6, &o);
	if (memcmp(o.mac_a, n->notice.autn + 8, 8) ||
	    !(n->notice.autn[7] & (HN_AMF_REKEY & 0xff)))
		return reject(d, n->txid, SUBCRED_REJECT_MAC, out);
	if (hn_sqn_seq(sqn) <= d->seq_ms)
		return sync_msg(d, n, out);
	hn_msg_kauth(&d->key, n->notice.rand, d->id, n->txid, kauth);
	p[0] = (struct hn_buf){ buf, len - TAG };
	hn_hmac(kauth, 32, p, 1, tag);
	if (memcmp(tag, n->tag, TAG))
		return reject(d, n->txid, SUBCRED_REJECT_TAG_N, out);
	if (n->notice.key_version != d->version)
		return reject(d, n->txid, SUBCRED_REJECT_VERSION, out);
	d->seq_ms = hn_sqn_seq(sqn);
	d->ind_ms = hn_sqn_ind(sqn);

	hn_random(sk, sizeof(sk));
	header(&m, d, SUBCRED_MSG_RESPONSE, n->txid);
	memcpy(m.response.res, o.res, HN_RES_LEN);
	if (hn_x25519_public(sk, m.response.pk) ||
	    hn_x25519(sk, n->notice.pk, z))
		return reject(d, n->txid, SUBCRED_REJECT_PK, out);
	rlen = subcred_wire_build(&m, out, HN_MSG_MAX);
	p[0] = (struct hn_buf){ buf, len };
	hn_sha256(p, 1, hn);
	p[0] = (struct hn_buf){ hn, 32 };
	p[1] = (struct hn_buf){ out, rlen - TAG };
	hn_hmac(kauth, 32, p, 2, tag);
	subcred_wire_set_tag(out, rlen, tag);

	hn_msg_transcript(buf, len, out, rlen, h_t);
	hn_msg_session(&d->key, n->notice.rand, d->id, n->txid, z, h_t,
		       d->version + 1, &d->p);
	d->pending = 1;
	memcpy(d->p_txid, n->txid, TXID);
	memcpy(d->p_notice, buf, len);
	d->p_notice_len = len;
	memcpy(d->p_resp, out, rlen);
	d->p_resp_len = rlen;
	return rlen;
}

static int on_confirm(struct tdev *d, const struct subcred_msg *c,
		      const uint8_t *buf, size_t len, uint8_t *out)
{
	struct subcred_msg m;
	uint8_t tag[TAG];
	int alen;

	if (d->has_last && !memcmp(c->txid, d->l_txid, TXID)) {
		memcpy(out, d->l_ack, d->l_ack_len);
		return d->l_ack_len;
	}
	if (!d->pending || memcmp(c->txid, d->p_txid, TXID))
		return reject(d, c->txid, SUBCRED_REJECT_NO_TXN, out);
	if (hn_msg_conf_tag(d->p.k_conf, "confirm", d->p.h_t, buf, len, tag) ||
	    memcmp(tag, c->tag, TAG) ||
	    c->confirm.new_version != d->version + 1)
		return 0;
	header(&m, d, SUBCRED_MSG_ACK, c->txid);
	m.ack.new_version = d->version + 1;
	alen = subcred_wire_build(&m, out, HN_MSG_MAX);
	hn_msg_conf_tag(d->p.k_conf, "ack", d->p.h_t, out, alen, tag);
	subcred_wire_set_tag(out, alen, tag);

	d->old_key = d->key;
	memcpy(d->key.k, d->p.k_new, HN_K_LEN);
	memcpy(d->key.opc, d->p.opc_new, HN_K_LEN);
	d->version++;
	d->pending = 0;
	d->has_last = 1;
	memcpy(d->l_txid, c->txid, TXID);
	memcpy(d->l_ack, out, alen);
	d->l_ack_len = alen;
	return alen;
}

int tdev_input(struct tdev *d, const uint8_t *buf, size_t len, uint8_t *out)
{
	struct subcred_msg m;

	if (subcred_wire_parse(buf, len, &m, NULL))
		return -1;
	if (m.type == SUBCRED_MSG_NOTICE)
		return on_notice(d, &m, buf, len, out);
	if (m.type == SUBCRED_MSG_CONFIRM)
		return on_confirm(d, &m, buf, len, out);
	return 0;
}
