// SPDX-License-Identifier: GPL-2.0
/*
 * Primitives of subcred-hn on OpenSSL 3 EVP (see hn_crypto.h).
 *
 * Milenage as TS 35.206 section 4.1, written from the specification:
 *   TEMP = E_K(RAND ^ OPc)
 *   OUT1 = E_K(TEMP ^ rot(IN1 ^ OPc, r1) ^ c1) ^ OPc, IN1 = SQN||AMF||SQN||AMF
 *   OUTi = E_K(rot(TEMP ^ OPc, ri) ^ ci) ^ OPc, i = 2..5
 * with r1..r5 = 64, 0, 32, 64, 96 bits and c1..c5 = 0, 1, 2, 4, 8 in the
 * last octet.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hn_crypto.h"

#define BLK	16

/* AES-128 in ECB mode on single blocks, through one EVP context. */
struct hn_aes {
	EVP_CIPHER_CTX *ctx;
};

static int aes_init(struct hn_aes *a, const uint8_t *k)
{
	a->ctx = EVP_CIPHER_CTX_new();
	if (!a->ctx)
		return -1;
	if (EVP_EncryptInit_ex(a->ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(a->ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(a->ctx);
		a->ctx = NULL;
		return -1;
	}
	return 0;
}

static int aes_block(struct hn_aes *a, const uint8_t *in, uint8_t *out)
{
	int len = 0;

	if (EVP_EncryptUpdate(a->ctx, out, &len, in, BLK) != 1 || len != BLK)
		return -1;
	return 0;
}

static void aes_done(struct hn_aes *a)
{
	EVP_CIPHER_CTX_free(a->ctx);	/* cleanses the key schedule */
	a->ctx = NULL;
}

static void xor_into(uint8_t *dst, const uint8_t *a, const uint8_t *b,
		     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

/* Cyclic left rotation of a 128-bit block by @bits (a multiple of 8). */
static void rot128(uint8_t *out, const uint8_t *in, unsigned int bits)
{
	unsigned int i, r = bits / 8;

	for (i = 0; i < BLK; i++)
		out[i] = in[(i + r) % BLK];
}

/* OUTi for i = 2..5: E_K(rot(TEMP ^ OPc, r) ^ c) ^ OPc. */
static int milenage_out(struct hn_aes *a, const uint8_t *temp,
			const uint8_t *opc, unsigned int r, uint8_t c,
			uint8_t *out)
{
	uint8_t x[BLK], y[BLK];
	int ret;

	xor_into(x, temp, opc, BLK);
	rot128(y, x, r);
	y[BLK - 1] ^= c;
	ret = aes_block(a, y, x);
	if (!ret)
		xor_into(out, x, opc, BLK);
	hn_wipe(x, sizeof(x));
	hn_wipe(y, sizeof(y));
	return ret;
}

/* TEMP = E_K(RAND ^ OPc) */
static int milenage_temp(struct hn_aes *a, const uint8_t *opc,
			 const uint8_t *rand, uint8_t *temp)
{
	uint8_t x[BLK];
	int ret;

	xor_into(x, rand, opc, BLK);
	ret = aes_block(a, x, temp);
	hn_wipe(x, sizeof(x));
	return ret;
}

int hn_milenage_opc(const uint8_t *k, const uint8_t *op, uint8_t *opc)
{
	struct hn_aes a;
	uint8_t x[BLK];
	int ret;

	if (aes_init(&a, k))
		return -1;
	ret = aes_block(&a, op, x);
	aes_done(&a);
	if (!ret)
		xor_into(opc, x, op, BLK);
	hn_wipe(x, sizeof(x));
	return ret;
}

int hn_milenage_f1(const uint8_t *k, const uint8_t *opc, const uint8_t *rand,
		   const uint8_t *sqn, const uint8_t *amf,
		   struct hn_milenage *out)
{
	uint8_t temp[BLK], in1[BLK], x[BLK], y[BLK];
	struct hn_aes a;
	int ret = -1;

	if (aes_init(&a, k))
		return -1;
	if (milenage_temp(&a, opc, rand, temp))
		goto out;
	memcpy(in1, sqn, HN_SQN_LEN);
	memcpy(in1 + 6, amf, HN_AMF_LEN);
	memcpy(in1 + 8, sqn, HN_SQN_LEN);
	memcpy(in1 + 14, amf, HN_AMF_LEN);
	xor_into(x, in1, opc, BLK);
	rot128(y, x, 64);		/* r1 = 64, c1 = 0 */
	xor_into(x, y, temp, BLK);
	if (aes_block(&a, x, y))
		goto out;
	xor_into(x, y, opc, BLK);
	memcpy(out->mac_a, x, HN_MAC_LEN);
	memcpy(out->mac_s, x + 8, HN_MAC_LEN);
	ret = 0;
out:
	aes_done(&a);
	hn_wipe(temp, sizeof(temp));
	hn_wipe(x, sizeof(x));
	hn_wipe(y, sizeof(y));
	return ret;
}

int hn_milenage_f2345(const uint8_t *k, const uint8_t *opc,
		      const uint8_t *rand, struct hn_milenage *out)
{
	uint8_t temp[BLK], o[BLK];
	struct hn_aes a;
	int ret = -1;

	if (aes_init(&a, k))
		return -1;
	if (milenage_temp(&a, opc, rand, temp))
		goto out;
	if (milenage_out(&a, temp, opc, 0, 1, o))	/* OUT2 */
		goto out;
	memcpy(out->ak, o, HN_AK_LEN);
	memcpy(out->res, o + 8, HN_RES_LEN);
	if (milenage_out(&a, temp, opc, 32, 2, out->ck) ||	/* OUT3 */
	    milenage_out(&a, temp, opc, 64, 4, out->ik) ||	/* OUT4 */
	    milenage_out(&a, temp, opc, 96, 8, o))		/* OUT5 */
		goto out;
	memcpy(out->ak_s, o, HN_AK_LEN);
	ret = 0;
out:
	aes_done(&a);
	hn_wipe(temp, sizeof(temp));
	hn_wipe(o, sizeof(o));
	return ret;
}

int hn_sha256(const struct hn_buf *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ret = -1;
	size_t i;

	if (!ctx)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == HN_HASH_LEN)
		ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int hn_hmac(const uint8_t *key, size_t key_len, const struct hn_buf *parts,
	    size_t n, uint8_t *out)
{
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t len = 0, i;
	int ret = -1;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -1;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (EVP_MAC_update(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &len, HN_HASH_LEN) == 1 &&
	    len == HN_HASH_LEN)
		ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

#define HN_KDF_MAX_PARAMS	8

int hn_kdf(const uint8_t *key, size_t key_len, const char *label,
	   const struct hn_buf *params, size_t n, uint8_t *out)
{
	static const uint8_t fc[2] = { 0xff, 0x53 };
	struct hn_buf parts[1 + 2 * (HN_KDF_MAX_PARAMS + 1)];
	uint8_t lens[HN_KDF_MAX_PARAMS + 1][2];
	size_t i, np = 0, label_len = strlen(label);

	if (n > HN_KDF_MAX_PARAMS || label_len > 0xffff)
		return -1;
	parts[np++] = (struct hn_buf){ fc, sizeof(fc) };
	for (i = 0; i <= n; i++) {
		const void *p = i ? params[i - 1].p : label;
		size_t len = i ? params[i - 1].len : label_len;

		if (len > 0xffff)
			return -1;
		lens[i][0] = len >> 8;
		lens[i][1] = len & 0xff;
		parts[np++] = (struct hn_buf){ p, len };
		parts[np++] = (struct hn_buf){ lens[i], 2 };
	}
	return hn_hmac(key, key_len, parts, np, out);
}

int hn_x25519_public(const uint8_t *sk, uint8_t *pk)
{
	EVP_PKEY *key;
	size_t len = HN_X25519_LEN;
	int ret = -1;

	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
					   HN_X25519_LEN);
	if (!key)
		return -1;
	if (EVP_PKEY_get_raw_public_key(key, pk, &len) == 1 &&
	    len == HN_X25519_LEN)
		ret = 0;
	EVP_PKEY_free(key);
	return ret;
}

int hn_x25519(const uint8_t *sk, const uint8_t *peer, uint8_t *z)
{
	static const uint8_t zero[HN_X25519_LEN];
	EVP_PKEY *key, *pub = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = HN_X25519_LEN;
	int ret = -1;

	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
					   HN_X25519_LEN);
	if (!key)
		return -1;
	pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
					  HN_X25519_LEN);
	if (!pub)
		goto out;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, pub) != 1 ||
	    EVP_PKEY_derive(ctx, z, &len) != 1 || len != HN_X25519_LEN)
		goto out;
	if (hn_equal(z, zero, HN_X25519_LEN))
		goto out;
	ret = 0;
out:
	if (ret)
		hn_wipe(z, HN_X25519_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
	return ret;
}

int hn_random(uint8_t *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int hn_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void hn_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
