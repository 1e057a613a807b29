// SPDX-License-Identifier: GPL-2.0
/* The network side of the update tests, on OpenSSL (see network.h). */

#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "network.h"

void net_sha256(const struct buf *in, int n, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int i;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	for (i = 0; i < n; i++)
		EVP_DigestUpdate(c, in[i].p, in[i].n);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

void net_hmac(const uint8_t *key, size_t klen, const struct buf *in, int n,
	      uint8_t *out)
{
	uint8_t all[1024];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(all + len, in[i].p, in[i].n);
		len += in[i].n;
	}
	HMAC(EVP_sha256(), key, klen, all, len, out, NULL);
}

void net_kdf(const uint8_t *key, size_t klen, const char *label,
	     const struct buf *p, int n, uint8_t *out)
{
	uint8_t s[512];
	size_t len = 0;
	int i;

	s[len++] = 0xff;
	s[len++] = 0x53;
	memcpy(s + len, label, strlen(label));
	len += strlen(label);
	s[len++] = strlen(label) >> 8;
	s[len++] = strlen(label);
	for (i = 0; i < n; i++) {
		memcpy(s + len, p[i].p, p[i].n);
		len += p[i].n;
		s[len++] = p[i].n >> 8;
		s[len++] = p[i].n;
	}
	HMAC(EVP_sha256(), key, klen, s, len, out, NULL);
}

int net_x25519(const uint8_t *sk, const uint8_t *pk, uint8_t *z)
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
						   32);
	EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk,
						  32);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
	size_t len = 32;
	int ok;

	ok = EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, b) > 0 &&
	     EVP_PKEY_derive(c, z, &len) > 0;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok ? 0 : -1;
}

void net_x25519_public(const uint8_t *sk, uint8_t *pk)
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
						   32);
	size_t len = 32;

	EVP_PKEY_get_raw_public_key(a, pk, &len);
	EVP_PKEY_free(a);
}

static void aes128(const uint8_t *k, const uint8_t *in, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len;

	EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k, NULL);
	EVP_CIPHER_CTX_set_padding(c, 0);
	EVP_EncryptUpdate(c, out, &len, in, 16);
	EVP_CIPHER_CTX_free(c);
}

static void rot_xor(const uint8_t *x, int bytes, const uint8_t *opc,
		    uint8_t c, uint8_t *out)
{
	int i;

	for (i = 0; i < 16; i++)
		out[i] = x[(i + bytes) % 16];
	out[15] ^= c;
	(void)opc;
}

void net_milenage(const uint8_t *k, const uint8_t *opc, const uint8_t *rand,
		  const uint8_t *sqn, const uint8_t *amf, struct milenage *o)
{
	static const int r[6] = { 0, 8, 0, 4, 8, 12 };	/* bytes */
	static const uint8_t c[6] = { 0, 0, 1, 2, 4, 8 };
	uint8_t temp[16], x[16], in1[16], y[16], out[6][16];
	int i, j;

	for (i = 0; i < 16; i++)
		x[i] = rand[i] ^ opc[i];
	aes128(k, x, temp);
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, sqn, 6);
	memcpy(in1 + 14, amf, 2);
	for (i = 0; i < 16; i++)
		x[i] = in1[i] ^ opc[i];
	rot_xor(x, r[1], opc, c[1], y);
	for (i = 0; i < 16; i++)
		y[i] ^= temp[i];
	aes128(k, y, out[1]);
	for (j = 2; j <= 5; j++) {
		for (i = 0; i < 16; i++)
			x[i] = temp[i] ^ opc[i];
		rot_xor(x, r[j], opc, c[j], y);
		aes128(k, y, out[j]);
	}
	for (j = 1; j <= 5; j++)
		for (i = 0; i < 16; i++)
			out[j][i] ^= opc[i];
	memcpy(o->mac_a, out[1], 8);
	memcpy(o->mac_s, out[1] + 8, 8);
	memcpy(o->ak, out[2], 6);
	memcpy(o->res, out[2] + 8, 8);
	memcpy(o->ck, out[3], 16);
	memcpy(o->ik, out[4], 16);
	memcpy(o->ak_s, out[5], 6);
}

static void be48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static void autn_of(const uint8_t *k, const uint8_t *opc,
		    const uint8_t *rand, uint64_t sqn, uint16_t amf,
		    uint8_t *autn, struct milenage *mil)
{
	uint8_t s[6], a[2] = { amf >> 8, amf };
	int i;

	be48(s, sqn);
	net_milenage(k, opc, rand, s, a, mil);
	for (i = 0; i < 6; i++)
		autn[i] = s[i] ^ mil->ak[i];
	memcpy(autn + 6, a, 2);
	memcpy(autn + 8, mil->mac_a, 8);
}

void net_notice_retag(struct txn *t)
{
	struct buf in = { t->notice, t->notice_len - 32 };
	uint8_t tag[32];

	net_hmac(t->k_auth, 32, &in, 1, tag);
	subcred_wire_set_tag(t->notice, t->notice_len, tag);
}

void net_notice(struct txn *t)
{
	struct subcred_msg m = { .type = SUBCRED_MSG_NOTICE };
	uint8_t ckik[32];
	struct buf p[2];

	m.id_len = strlen(t->id);
	memcpy(m.id, t->id, m.id_len);
	memcpy(m.txid, t->txid, 8);
	m.notice.reason = t->reason ? t->reason : 1;
	m.notice.key_version = t->version;
	memcpy(m.notice.rand, t->rand, 16);
	autn_of(t->k, t->opc, t->rand, t->sqn, t->amf, m.notice.autn, &t->mil);
	net_x25519_public(t->sk_n, m.notice.pk);
	t->notice_len = subcred_wire_build(&m, t->notice, sizeof(t->notice));

	memcpy(ckik, t->mil.ck, 16);
	memcpy(ckik + 16, t->mil.ik, 16);
	p[0] = (struct buf){ t->id, strlen(t->id) };
	p[1] = (struct buf){ t->txid, 8 };
	net_kdf(ckik, 32, "auth", p, 2, t->k_auth);
	net_notice_retag(t);
}

int net_response(struct txn *t, const uint8_t *resp, size_t len)
{
	uint8_t h[32], tag[32], z[32], ikm[64], s[32], out[32], nv[4];
	struct subcred_msg m;
	struct buf in[3];

	if (subcred_wire_parse(resp, len, &m, NULL) ||
	    m.type != SUBCRED_MSG_RESPONSE || memcmp(m.txid, t->txid, 8) ||
	    memcmp(m.response.res, t->mil.res, 8))
		return -1;
	in[0] = (struct buf){ t->notice, t->notice_len };
	net_sha256(in, 1, h);
	in[0] = (struct buf){ h, 32 };
	in[1] = (struct buf){ resp, len - 32 };
	net_hmac(t->k_auth, 32, in, 2, tag);
	if (memcmp(tag, m.tag, 32))
		return -1;
	in[0] = (struct buf){ t->notice, t->notice_len };
	net_sha256(in, 2, t->h_t);
	if (net_x25519(t->sk_n, m.response.pk, z))
		return -1;
	memcpy(ikm, t->mil.ck, 16);
	memcpy(ikm + 16, t->mil.ik, 16);
	memcpy(ikm + 32, z, 32);
	in[0] = (struct buf){ t->id, strlen(t->id) };
	in[1] = (struct buf){ t->txid, 8 };
	in[2] = (struct buf){ t->h_t, 32 };
	net_kdf(ikm, 64, "session", in, 3, s);
	nv[0] = (t->version + 1) >> 24;
	nv[1] = (t->version + 1) >> 16;
	nv[2] = (t->version + 1) >> 8;
	nv[3] = t->version + 1;
	in[0] = (struct buf){ nv, 4 };
	net_kdf(s, 32, "k", in, 1, out);
	memcpy(t->k_new, out, 16);
	net_kdf(s, 32, "opc", in, 1, out);
	memcpy(t->opc_new, out, 16);
	net_kdf(s, 32, "confirm", in, 1, t->k_conf);
	return 0;
}

static void conf_tag(const struct txn *t, const char *label,
		     const uint8_t *msg, size_t len, uint8_t *tag)
{
	struct buf in[3] = {
		{ label, strlen(label) }, { t->h_t, 32 }, { msg, len - 32 },
	};

	net_hmac(t->k_conf, 32, in, 3, tag);
}

size_t net_confirm(const struct txn *t, uint32_t new_version, uint8_t *out)
{
	struct subcred_msg m = { .type = SUBCRED_MSG_CONFIRM };
	uint8_t tag[32];
	int len;

	m.id_len = strlen(t->id);
	memcpy(m.id, t->id, m.id_len);
	memcpy(m.txid, t->txid, 8);
	m.confirm.new_version = new_version;
	len = subcred_wire_build(&m, out, SUBCRED_WIRE_MAX_LEN);
	conf_tag(t, "confirm", out, len, tag);
	subcred_wire_set_tag(out, len, tag);
	return len;
}

int net_ack(const struct txn *t, const uint8_t *ack, size_t len)
{
	struct subcred_msg m;
	uint8_t tag[32];

	if (subcred_wire_parse(ack, len, &m, NULL) ||
	    m.type != SUBCRED_MSG_ACK || memcmp(m.txid, t->txid, 8) ||
	    m.ack.new_version != t->version + 1)
		return -1;
	conf_tag(t, "ack", ack, len, tag);
	return memcmp(tag, m.tag, 32) ? -1 : 0;
}

int net_tag_active(const uint8_t *k, const uint8_t *opc, const char *id,
		   const char *label, const uint8_t *ctx, size_t ctx_len,
		   const uint8_t *msg, size_t len)
{
	uint8_t kk[32], tk[32], tag[32];
	struct buf p[2] = { { id, strlen(id) }, { ctx, ctx_len } };
	struct buf in = { msg, len - 32 };

	memcpy(kk, k, 16);
	memcpy(kk + 16, opc, 16);
	net_kdf(kk, 32, label, p, 2, tk);
	net_hmac(tk, 32, &in, 1, tag);
	return memcmp(tag, msg + len - 32, 32) ? -1 : 0;
}

void net_aka_vector(const uint8_t *k, const uint8_t *opc, uint64_t sqn,
		    uint8_t *rand, uint8_t *autn, uint8_t *xres)
{
	struct milenage mil;

	RAND_bytes(rand, 16);
	autn_of(k, opc, rand, sqn, 0x8000, autn, &mil);
	memcpy(xres, mil.res, 8);
}
