// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/crypto.h implemented in userspace for fuzz_update, on OpenSSL's
 * low-level AES, SHA-256 and GCM (no allocation or provider lookup per
 * call: the EVP versions made the harness ten times slower): Milenage and
 * HMAC written from TS 35.206 and RFC 2104 and checked at start against
 * subcred-hn's EVP primitives (fuzz_crypto_selfcheck), X25519 through
 * subcred-hn. Real primitives, so the network model's oracle is real.
 * X25519 is the expensive part: results are memoised by (private key,
 * peer key), exact inputs, and key pairs come from a small fixed pool,
 * which keeps every value real.
 */
/* the low-level AES and SHA-256: no allocation, no provider lookup */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/aes.h>
#include <openssl/modes.h>
#include <openssl/sha.h>

#include "shim/kshim.h"
#include "../../kmod/crypto.h"
#include "../hn/hn_crypto.h"
#include "fuzz_crypto.h"

/* Milenage (TS 35.206 §4.1) on AES-128; cross-checked against hn_crypto */
struct milenage {
	AES_KEY aes;
	u8 temp[16];
	const u8 *opc;
};

static void mil_init(struct milenage *m, const u8 *k, const u8 *opc,
		     const u8 *rand)
{
	u8 x[16];
	int i;

	AES_set_encrypt_key(k, 128, &m->aes);
	m->opc = opc;
	for (i = 0; i < 16; i++)
		x[i] = rand[i] ^ opc[i];
	AES_encrypt(x, m->temp, &m->aes);
}

/* OUTn = E_K(rot(TEMP ^ OPc, r) ^ c) ^ OPc, r in octets, c in the last */
static void mil_out(struct milenage *m, unsigned int r, u8 c, u8 *out)
{
	u8 x[16], y[16];
	int i;

	for (i = 0; i < 16; i++)
		x[(i + 16 - r) % 16] = m->temp[i] ^ m->opc[i];
	x[15] ^= c;
	AES_encrypt(x, y, &m->aes);
	for (i = 0; i < 16; i++)
		out[i] = y[i] ^ m->opc[i];
}

static void mil_done(struct milenage *m)
{
	memzero_explicit(m, sizeof(*m));
}

int subcred_milenage_f1(const u8 *k, const u8 *opc, const u8 *rand,
			const u8 *sqn, const u8 *amf, u8 *mac_a, u8 *mac_s)
{
	struct milenage m;
	u8 in1[16], x[16], y[16];
	int i;

	mil_init(&m, k, opc, rand);
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	/* OUT1 = E_K(TEMP ^ rot(IN1 ^ OPc, r1 = 64)) ^ OPc, c1 = 0 */
	for (i = 0; i < 16; i++)
		x[(i + 8) % 16] = in1[i] ^ opc[i];
	for (i = 0; i < 16; i++)
		x[i] ^= m.temp[i];
	AES_encrypt(x, y, &m.aes);
	for (i = 0; i < 16; i++)
		y[i] ^= opc[i];
	if (mac_a)
		memcpy(mac_a, y, SUBCRED_MAC_LEN);
	if (mac_s)
		memcpy(mac_s, y + 8, SUBCRED_MAC_LEN);
	mil_done(&m);
	memzero_explicit(y, sizeof(y));
	return 0;
}

int subcred_milenage_f2345(const u8 *k, const u8 *opc, const u8 *rand,
			   u8 *res, u8 *ck, u8 *ik, u8 *ak)
{
	struct milenage m;
	u8 o[16];

	mil_init(&m, k, opc, rand);
	mil_out(&m, 0, 1, o);				/* OUT2 */
	if (ak)
		memcpy(ak, o, SUBCRED_AK_LEN);
	if (res)
		memcpy(res, o + 8, SUBCRED_RES_LEN);
	if (ck)
		mil_out(&m, 4, 2, ck);			/* OUT3, r3 = 32 */
	if (ik)
		mil_out(&m, 8, 4, ik);			/* OUT4, r4 = 64 */
	mil_done(&m);
	memzero_explicit(o, sizeof(o));
	return 0;
}

int subcred_milenage_f5star(const u8 *k, const u8 *opc, const u8 *rand,
			    u8 *ak)
{
	struct milenage m;
	u8 o[16];

	mil_init(&m, k, opc, rand);
	mil_out(&m, 12, 8, o);				/* OUT5, r5 = 96 */
	memcpy(ak, o, SUBCRED_AK_LEN);
	mil_done(&m);
	memzero_explicit(o, sizeof(o));
	return 0;
}

int subcred_sha256(const struct subcred_buf *in, unsigned int n, u8 *out)
{
	SHA256_CTX c;
	unsigned int i;

	SHA256_Init(&c);
	for (i = 0; i < n; i++)
		SHA256_Update(&c, in[i].data, in[i].len);
	SHA256_Final(out, &c);
	return 0;
}

/* HMAC-SHA-256 (RFC 2104) on SHA-256; cross-checked against OpenSSL's */
int subcred_hmac(const u8 *key, size_t key_len,
		 const struct subcred_buf *in, unsigned int n, u8 *out)
{
	u8 k[64] = { 0 }, pad[64], inner[32];
	SHA256_CTX c;
	unsigned int i;

	if (key_len > 64) {
		SHA256_Init(&c);
		SHA256_Update(&c, key, key_len);
		SHA256_Final(k, &c);
	} else {
		memcpy(k, key, key_len);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, 64);
	for (i = 0; i < n; i++)
		SHA256_Update(&c, in[i].data, in[i].len);
	SHA256_Final(inner, &c);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, 64);
	SHA256_Update(&c, inner, 32);
	SHA256_Final(out, &c);
	memzero_explicit(k, sizeof(k));
	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
	memzero_explicit(&c, sizeof(c));
	return 0;
}

#define KDF_MAX_PARAMS	8

int subcred_kdf(const u8 *key, size_t key_len, const char *label,
		const struct subcred_buf *p, unsigned int n, u8 *out)
{
	static const u8 fc[2] = { 0xff, 0x53 };
	struct subcred_buf in[1 + 2 * (KDF_MAX_PARAMS + 1)];
	u8 lens[KDF_MAX_PARAMS + 1][2];
	unsigned int i, k = 0;

	if (n > KDF_MAX_PARAMS)
		return -EINVAL;
	in[k++] = (struct subcred_buf){ fc, 2 };
	for (i = 0; i <= n; i++) {
		const void *d = i ? p[i - 1].data : label;
		size_t len = i ? p[i - 1].len : strlen(label);

		if (len > 0xffff)
			return -EINVAL;
		lens[i][0] = len >> 8;
		lens[i][1] = len;
		in[k++] = (struct subcred_buf){ d, len };
		in[k++] = (struct subcred_buf){ lens[i], 2 };
	}
	return subcred_hmac(key, key_len, in, k, out);
}

/*
 * The fast primitives above against subcred-hn's OpenSSL EVP ones, once at
 * start on pseudo-random inputs: a wrong fast primitive would otherwise
 * agree with itself on both sides of the protocol.
 */
void fuzz_crypto_selfcheck(void)
{
	u8 k[16], opc[16], rand[16], sqn[6], amf[2], a[32], b[32];
	u8 key[80], msg[150];
	struct hn_milenage m;
	struct subcred_buf in = { msg, sizeof(msg) };
	struct hn_buf hin = { msg, sizeof(msg) };
	int t, i;

	for (t = 0; t < 64; t++) {
		for (i = 0; i < 16; i++) {
			k[i] = t * 31 + i * 7;
			opc[i] = t * 17 + i * 3 + 1;
			rand[i] = t * 5 + i * 11 + 2;
		}
		for (i = 0; i < 6; i++)
			sqn[i] = t + i;
		amf[0] = t;
		amf[1] = t * 3;
		for (i = 0; i < (int)sizeof(key); i++)
			key[i] = t + i * 13;
		for (i = 0; i < (int)sizeof(msg); i++)
			msg[i] = t * 7 + i;
		fuzz_check(!hn_milenage_f1(k, opc, rand, sqn, amf, &m));
		subcred_milenage_f1(k, opc, rand, sqn, amf, a, a + 8);
		fuzz_check(!memcmp(a, m.mac_a, 8) && !memcmp(a + 8, m.mac_s, 8));
		fuzz_check(!hn_milenage_f2345(k, opc, rand, &m));
		subcred_milenage_f2345(k, opc, rand, a, a + 8, b, b + 16);
		fuzz_check(!memcmp(a, m.res, 8) && !memcmp(a + 8, m.ck, 16) &&
			   !memcmp(b, m.ik, 16) && !memcmp(b + 16, m.ak, 6));
		subcred_milenage_f5star(k, opc, rand, a);
		fuzz_check(!memcmp(a, m.ak_s, 6));
		subcred_hmac(key, 16 + t, &in, 1, a);
		fuzz_check(!hn_hmac(key, 16 + t, &hin, 1, b));
		fuzz_check(!memcmp(a, b, 32));
		subcred_kdf(key, 32, "seal", NULL, 0, a);
		fuzz_check(!hn_kdf(key, 32, "seal", NULL, 0, b));
		fuzz_check(!memcmp(a, b, 32));
		subcred_sha256(&in, 1, a);
		fuzz_check(!hn_sha256(&hin, 1, b));
		fuzz_check(!memcmp(a, b, 32));
	}
}

/* Memo of X25519 results by exact inputs; a miss computes it for real. */
#define X_MEMO	1024

static struct {
	u8 sk[32], pk[32], z[32];
	int ret;
	bool used;
} memo[X_MEMO];

int fuzz_x25519(const u8 *sk, const u8 *pk, u8 *z)
{
	unsigned int h = 0, i, j;

	for (i = 0; i < 32; i++)
		h = h * 31 + sk[i] + 7 * pk[i];
	for (j = 0; j < 4; j++) {
		i = (h + j) % X_MEMO;
		if (memo[i].used && !memcmp(memo[i].sk, sk, 32) &&
		    !memcmp(memo[i].pk, pk, 32))
			goto hit;
	}
	i = h % X_MEMO;
	memcpy(memo[i].sk, sk, 32);
	memcpy(memo[i].pk, pk, 32);
	memo[i].ret = hn_x25519(sk, pk, memo[i].z) ? -EINVAL : 0;
	memo[i].used = true;
hit:
	if (!memo[i].ret)
		memcpy(z, memo[i].z, 32);
	return memo[i].ret;
}

/* The pool of ephemeral key pairs: sk = i-th seed, clamped (RFC 7748). */
static u8 pool_sk[FUZZ_KEYPAIRS][32], pool_pk[FUZZ_KEYPAIRS][32];
static bool pool_ready;

void fuzz_keypair(unsigned int i, u8 *sk, u8 *pk)
{
	unsigned int j, b;

	if (!pool_ready) {
		for (j = 0; j < FUZZ_KEYPAIRS; j++) {
			for (b = 0; b < 32; b++)
				pool_sk[j][b] = (u8)(j * 37 + b * 11 + 1);
			pool_sk[j][0] &= 248;
			pool_sk[j][31] &= 127;
			pool_sk[j][31] |= 64;
			fuzz_check(!hn_x25519_public(pool_sk[j], pool_pk[j]));
		}
		pool_ready = true;
	}
	memcpy(sk, pool_sk[i % FUZZ_KEYPAIRS], 32);
	memcpy(pk, pool_pk[i % FUZZ_KEYPAIRS], 32);
}

int subcred_x25519_keypair(u8 *sk, u8 *pk)
{
	u8 r;

	get_random_bytes(&r, 1);
	fuzz_keypair(r, sk, pk);
	return 0;
}

int subcred_x25519(const u8 *sk, const u8 *pk, u8 *z)
{
	return fuzz_x25519(sk, pk, z);
}

static int gcm(int enc, const u8 *key, const u8 *iv, const void *aad,
	       size_t aad_len, const u8 *in, size_t len, u8 *out, u8 *tag)
{
	GCM128_CONTEXT *g;
	AES_KEY aes;
	int err = -EIO;

	AES_set_encrypt_key(key, 256, &aes);
	g = CRYPTO_gcm128_new(&aes, (block128_f)AES_encrypt);
	if (!g)
		return -ENOMEM;
	CRYPTO_gcm128_setiv(g, iv, SUBCRED_SEAL_IV_LEN);
	if (CRYPTO_gcm128_aad(g, aad, aad_len))
		goto out;
	if (enc ? CRYPTO_gcm128_encrypt(g, in, out, len) :
		  CRYPTO_gcm128_decrypt(g, in, out, len))
		goto out;
	if (enc) {
		CRYPTO_gcm128_tag(g, tag, SUBCRED_SEAL_TAG_LEN);
		err = 0;
	} else {
		err = CRYPTO_gcm128_finish(g, tag, SUBCRED_SEAL_TAG_LEN) ?
		      -EBADMSG : 0;
	}
out:
	CRYPTO_gcm128_release(g);
	memzero_explicit(&aes, sizeof(aes));
	return err;
}

int subcred_seal(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out)
{
	return gcm(1, key, iv, aad, aad_len, in, len, out, out + len);
}

int subcred_open(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out)
{
	u8 tag[SUBCRED_SEAL_TAG_LEN];

	if (len < SUBCRED_SEAL_TAG_LEN)
		return -EINVAL;
	len -= SUBCRED_SEAL_TAG_LEN;
	memcpy(tag, (const u8 *)in + len, sizeof(tag));
	return gcm(0, key, iv, aad, aad_len, in, len, out, tag);
}
