// SPDX-License-Identifier: GPL-2.0
/*
 * The cryptographic primitives of protocol version 1 (design §3) on the
 * kernel crypto API: Milenage on "aes", SHA-256, HMAC-SHA-256 and the KDF on
 * "sha256" and "hmac(sha256)", X25519 on the kpp "curve25519", sealing on
 * the aead "gcm(aes)".
 *
 * Concurrency and key hygiene. A keyed transform (aes, hmac(sha256),
 * curve25519, gcm(aes)) keeps its key, or state derived from it, in its
 * context, and a setkey while another thread uses the same transform breaks
 * that thread's operation. Every call therefore allocates its own keyed
 * transform, keys it, uses it and frees it. Calls share no keyed state, so
 * they take no lock and never wait for each other (a shared transform behind
 * a mutex would serialise every handshake of the machine on it), and
 * crypto_free_*() releases the context with kfree_sensitive(), so no AES key
 * schedule, HMAC pad state or X25519 private key outlives the call (a shared
 * transform would keep the last caller's key until the next call). The price
 * is one allocation per call (two for hmac), small next to the computation.
 *
 * At module load one transform of each algorithm is allocated and kept
 * until unload. That resolves each name once, loading the implementation
 * (gcm, curve25519-x86_64, ...) through request_module, reports a missing
 * algorithm at load rather than in the middle of a handshake, and pins the
 * implementation. The per-call transforms are allocated by that transform's
 * driver name, so that every call runs the implementation that passed the
 * self-test, even if a faster one (aesni-intel, say) is loaded later. The
 * unkeyed "sha256" transform is used directly: each call hashes into its own
 * descriptor on the stack.
 *
 * Every buffer here that holds key-derived material is wiped before return.
 * Nothing secret is ever logged.
 */

#include <crypto/aead.h>
#include <crypto/curve25519.h>
#include <crypto/hash.h>
#include <crypto/kpp.h>
#include <linux/err.h>
#include <linux/error-injection.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

/* crypto_memneq() and crypto_xor() come from compat.h. */
#include "crypto.h"
#include "selftest.h"

/* The single-block cipher API is the crypto API's internal namespace. */
MODULE_IMPORT_NS(CRYPTO_INTERNAL);

#define SUBCRED_AES_BLOCK	16

/* Held from load to unload; the names are their driver names. */
static struct crypto_cipher *subcred_aes;
static struct crypto_shash *subcred_sha256_tfm;
static struct crypto_shash *subcred_hmac_tfm;
static struct crypto_kpp *subcred_kpp;
static struct crypto_aead *subcred_gcm;
static const char *subcred_aes_drv, *subcred_hmac_drv, *subcred_kpp_drv;
static const char *subcred_gcm_drv;

static const u8 subcred_fc[2] = { 0xff, 0x53 };		/* KDF FC, private */
static const u8 subcred_zero[SUBCRED_X25519_LEN];

/* The Milenage constants of TS 35.206 §4.1: r_i in octets, last octet of c_i. */
static const struct {
	u8 rot;
	u8 c;
} subcred_milenage_rc[6] = {
	[1] = { 8, 0x00 },	/* r1 = 64, c1 = 0 */
	[2] = { 0, 0x01 },	/* r2 = 0,  c2 = ..01 */
	[3] = { 4, 0x02 },	/* r3 = 32, c3 = ..02 */
	[4] = { 8, 0x04 },	/* r4 = 64, c4 = ..04 */
	[5] = { 12, 0x08 },	/* r5 = 96, c5 = ..08 */
};

/*
 * The per-call keyed transforms: allocated by driver name and keyed. They
 * are the module's crypto-allocation paths, kept out of line and open to
 * fail_function (selftests/failslab.c), so that a failure of either step
 * can be injected into every handshake step that computes.
 */
static noinline struct crypto_cipher *subcred_aes_alloc(const u8 *k)
{
	struct crypto_cipher *tfm;
	int err;

	tfm = crypto_alloc_cipher(subcred_aes_drv, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_cipher_setkey(tfm, k, SUBCRED_MILENAGE_KEY_LEN);
	if (err) {
		crypto_free_cipher(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}
ALLOW_ERROR_INJECTION(subcred_aes_alloc, ERRNO);

static noinline struct crypto_shash *
subcred_hmac_alloc(const u8 *key, unsigned int key_len)
{
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash(subcred_hmac_drv, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_shash_setkey(tfm, key, key_len);
	if (err) {
		crypto_free_shash(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}
ALLOW_ERROR_INJECTION(subcred_hmac_alloc, ERRNO);

static noinline struct crypto_kpp *subcred_kpp_alloc(const u8 *sk)
{
	struct crypto_kpp *tfm;
	int err;

	tfm = crypto_alloc_kpp(subcred_kpp_drv, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_kpp_set_secret(tfm, sk, SUBCRED_X25519_LEN);
	if (err) {
		crypto_free_kpp(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}
ALLOW_ERROR_INJECTION(subcred_kpp_alloc, ERRNO);

static noinline struct crypto_aead *subcred_gcm_alloc(const u8 *key)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(subcred_gcm_drv, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_aead_setkey(tfm, key, SUBCRED_SEAL_KEY_LEN);
	if (!err)
		err = crypto_aead_setauthsize(tfm, SUBCRED_SEAL_TAG_LEN);
	if (err) {
		crypto_free_aead(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}
ALLOW_ERROR_INJECTION(subcred_gcm_alloc, ERRNO);

/*
 * Milenage's first step: key a transform with K and compute
 * TEMP = E_K(RAND ^ OPc).
 */
static struct crypto_cipher *subcred_milenage_temp(const u8 *k, const u8 *opc,
						   const u8 *rand, u8 *temp)
{
	struct crypto_cipher *tfm;
	u8 in[SUBCRED_AES_BLOCK];

	tfm = subcred_aes_alloc(k);
	if (IS_ERR(tfm))
		return tfm;
	memcpy(in, rand, sizeof(in));
	crypto_xor(in, opc, sizeof(in));
	crypto_cipher_encrypt_one(tfm, temp, in);
	memzero_explicit(in, sizeof(in));
	return tfm;
}

/*
 * OUT_i = E_K(rot(X ^ OPc, r_i) ^ c_i ^ T) ^ OPc, where X = IN1 and T = TEMP
 * for i = 1, and X = TEMP and T = 0 for i = 2..5. rot() turns towards the
 * most significant bit: octet j of the result is octet j + r_i of the input.
 */
static void subcred_milenage_out(struct crypto_cipher *tfm, unsigned int i,
				 const u8 *opc, const u8 *x, const u8 *temp,
				 u8 *out)
{
	unsigned int rot = subcred_milenage_rc[i].rot;
	u8 in[SUBCRED_AES_BLOCK];
	unsigned int j;

	for (j = 0; j < SUBCRED_AES_BLOCK; j++)
		in[j] = x[(j + rot) % SUBCRED_AES_BLOCK] ^
			opc[(j + rot) % SUBCRED_AES_BLOCK];
	in[SUBCRED_AES_BLOCK - 1] ^= subcred_milenage_rc[i].c;
	if (i == 1)
		crypto_xor(in, temp, SUBCRED_AES_BLOCK);
	crypto_cipher_encrypt_one(tfm, out, in);
	crypto_xor(out, opc, SUBCRED_AES_BLOCK);
	memzero_explicit(in, sizeof(in));
}

int subcred_milenage_f1(const u8 *k, const u8 *opc, const u8 *rand,
			const u8 *sqn, const u8 *amf, u8 *mac_a, u8 *mac_s)
{
	u8 temp[SUBCRED_AES_BLOCK], in1[SUBCRED_AES_BLOCK];
	u8 out1[SUBCRED_AES_BLOCK];
	struct crypto_cipher *tfm;

	tfm = subcred_milenage_temp(k, opc, rand, temp);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, SUBCRED_SQN_LEN);
	memcpy(in1 + SUBCRED_SQN_LEN, amf, SUBCRED_AMF_LEN);
	memcpy(in1 + 8, in1, 8);
	subcred_milenage_out(tfm, 1, opc, in1, temp, out1);
	crypto_free_cipher(tfm);

	if (mac_a)
		memcpy(mac_a, out1, SUBCRED_MAC_LEN);
	if (mac_s)
		memcpy(mac_s, out1 + 8, SUBCRED_MAC_LEN);
	memzero_explicit(temp, sizeof(temp));
	memzero_explicit(in1, sizeof(in1));
	memzero_explicit(out1, sizeof(out1));
	return 0;
}

int subcred_milenage_f2345(const u8 *k, const u8 *opc, const u8 *rand,
			   u8 *res, u8 *ck, u8 *ik, u8 *ak)
{
	u8 out[5][SUBCRED_AES_BLOCK];	/* out[i] = OUT_i; 0 and 1 unused */
	u8 temp[SUBCRED_AES_BLOCK];
	struct crypto_cipher *tfm;

	tfm = subcred_milenage_temp(k, opc, rand, temp);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	/* All outputs first: an output buffer may overlap an input. */
	if (res || ak)
		subcred_milenage_out(tfm, 2, opc, temp, NULL, out[2]);
	if (ck)
		subcred_milenage_out(tfm, 3, opc, temp, NULL, out[3]);
	if (ik)
		subcred_milenage_out(tfm, 4, opc, temp, NULL, out[4]);
	crypto_free_cipher(tfm);

	if (res)	/* f2 */
		memcpy(res, out[2] + 8, SUBCRED_RES_LEN);
	if (ak)		/* f5 */
		memcpy(ak, out[2], SUBCRED_AK_LEN);
	if (ck)		/* f3 */
		memcpy(ck, out[3], SUBCRED_MILENAGE_KEY_LEN);
	if (ik)		/* f4 */
		memcpy(ik, out[4], SUBCRED_MILENAGE_KEY_LEN);
	memzero_explicit(temp, sizeof(temp));
	memzero_explicit(out, sizeof(out));
	return 0;
}

int subcred_milenage_f5star(const u8 *k, const u8 *opc, const u8 *rand,
			    u8 *ak)
{
	u8 temp[SUBCRED_AES_BLOCK], out5[SUBCRED_AES_BLOCK];
	struct crypto_cipher *tfm;

	tfm = subcred_milenage_temp(k, opc, rand, temp);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	subcred_milenage_out(tfm, 5, opc, temp, NULL, out5);
	crypto_free_cipher(tfm);

	memcpy(ak, out5, SUBCRED_AK_LEN);
	memzero_explicit(temp, sizeof(temp));
	memzero_explicit(out5, sizeof(out5));
	return 0;
}

static int subcred_shash_update(struct shash_desc *desc, const void *data,
				size_t len)
{
	if (!len)
		return 0;
	if (len > UINT_MAX)
		return -EINVAL;
	return crypto_shash_update(desc, data, len);
}

int subcred_sha256(const struct subcred_buf *in, unsigned int n, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, subcred_sha256_tfm);
	unsigned int i;
	int err;

	desc->tfm = subcred_sha256_tfm;
	err = crypto_shash_init(desc);
	for (i = 0; !err && i < n; i++)
		err = subcred_shash_update(desc, in[i].data, in[i].len);
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

/* One KDF parameter: P_i || L_i, L_i its 2-octet big-endian length. */
static int subcred_kdf_param(struct shash_desc *desc, const void *p,
			     size_t len)
{
	u8 l[2] = { len >> 8, len & 0xff };
	int err;

	if (len > 0xffff)
		return -EINVAL;
	err = subcred_shash_update(desc, p, len);
	if (!err)
		err = crypto_shash_update(desc, l, sizeof(l));
	return err;
}

/*
 * HMAC-SHA-256 under @key of the @n buffers: plain concatenation if @label
 * is NULL, else the KDF encoding FC || P0 || L0 || ... with P0 = @label.
 */
static int subcred_mac(const u8 *key, size_t key_len, const char *label,
		       const struct subcred_buf *in, unsigned int n, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, subcred_hmac_tfm);
	struct crypto_shash *tfm;
	unsigned int i;
	int err;

	if (key_len > UINT_MAX)
		return -EINVAL;
	tfm = subcred_hmac_alloc(key, key_len);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err && label) {
		err = crypto_shash_update(desc, subcred_fc, sizeof(subcred_fc));
		if (!err)
			err = subcred_kdf_param(desc, label, strlen(label));
	}
	for (i = 0; !err && i < n; i++) {
		if (label)
			err = subcred_kdf_param(desc, in[i].data, in[i].len);
		else
			err = subcred_shash_update(desc, in[i].data, in[i].len);
	}
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	crypto_free_shash(tfm);
	return err;
}

int subcred_hmac(const u8 *key, size_t key_len,
		 const struct subcred_buf *in, unsigned int n, u8 *out)
{
	return subcred_mac(key, key_len, NULL, in, n, out);
}

int subcred_kdf(const u8 *key, size_t key_len, const char *label,
		const struct subcred_buf *p, unsigned int n, u8 *out)
{
	return subcred_mac(key, key_len, label, p, n, out);
}

/*
 * X25519(@sk, @pk) into @out, or the public key of @sk if @pk is NULL. The
 * private key lives only in the per-call transform, which is freed (and so
 * wiped) before return. The scatterlists point into the heap, never at the
 * caller's buffers, which may be on a (virtually mapped) stack.
 */
static int subcred_kpp_run(const u8 *sk, const u8 *pk, u8 *out)
{
	struct scatterlist src, dst;
	struct kpp_request *req;
	struct crypto_kpp *tfm;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;	/* peer public key, then the result */
	int err;

	tfm = subcred_kpp_alloc(sk);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = -ENOMEM;
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!req)
		goto out_free_tfm;
	buf = kmalloc(2 * SUBCRED_X25519_LEN, GFP_KERNEL);
	if (!buf)
		goto out_free_req;

	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				 CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				 &wait);
	sg_init_one(&dst, buf + SUBCRED_X25519_LEN, SUBCRED_X25519_LEN);
	kpp_request_set_output(req, &dst, SUBCRED_X25519_LEN);
	if (pk) {
		memcpy(buf, pk, SUBCRED_X25519_LEN);
		sg_init_one(&src, buf, SUBCRED_X25519_LEN);
		kpp_request_set_input(req, &src, SUBCRED_X25519_LEN);
		err = crypto_wait_req(crypto_kpp_compute_shared_secret(req),
				      &wait);
	} else {
		kpp_request_set_input(req, NULL, 0);
		err = crypto_wait_req(crypto_kpp_generate_public_key(req),
				      &wait);
	}
	if (!err)
		memcpy(out, buf + SUBCRED_X25519_LEN, SUBCRED_X25519_LEN);

	kfree_sensitive(buf);
out_free_req:
	kpp_request_free(req);
out_free_tfm:
	crypto_free_kpp(tfm);
	return err;
}

int subcred_x25519_public(const u8 *sk, u8 *pk)
{
	return subcred_kpp_run(sk, NULL, pk);
}

int subcred_x25519_keypair(u8 *sk, u8 *pk)
{
	u8 secret[SUBCRED_X25519_LEN];
	int err;

	/*
	 * Not kpp's own generation (crypto_kpp_set_secret() with no key):
	 * that secret stays inside the transform and could not be returned.
	 * This is the same get_random_bytes_wait() and clamping.
	 */
	curve25519_generate_secret(secret);
	err = subcred_x25519_public(secret, pk);
	if (!err)
		memcpy(sk, secret, sizeof(secret));
	memzero_explicit(secret, sizeof(secret));
	return err;
}

int subcred_x25519(const u8 *sk, const u8 *pk, u8 *z)
{
	u8 out[SUBCRED_X25519_LEN];
	int err;

	err = subcred_kpp_run(sk, pk, out);
	/* A low-order @pk gives Z = 0 (RFC 7748 §6.1): constant-time check. */
	if (!err && !crypto_memneq(out, subcred_zero, sizeof(out)))
		err = -EINVAL;
	if (!err)
		memcpy(z, out, sizeof(out));
	memzero_explicit(out, sizeof(out));
	return err;
}

/*
 * AES-256-GCM of @len octets of @in (ciphertext || tag when opening) with
 * @aad. Everything goes through one heap buffer, AAD || data || IV, so that
 * the scatterlist never points at the caller's memory, and @out is written
 * only on success: open never releases unauthenticated plaintext.
 */
static int subcred_gcm_run(bool seal, const u8 *key, const u8 *iv,
			   const void *aad, size_t aad_len, const void *in,
			   size_t len, u8 *out)
{
	size_t limit = UINT_MAX - SUBCRED_SEAL_TAG_LEN - SUBCRED_SEAL_IV_LEN;
	size_t out_len, data_len;
	struct aead_request *req;
	struct crypto_aead *tfm;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf, *ivbuf;
	int err;

	if (!seal && len < SUBCRED_SEAL_TAG_LEN)
		return -EINVAL;
	if (aad_len > limit || len > limit - aad_len)
		return -EINVAL;
	out_len = seal ? len + SUBCRED_SEAL_TAG_LEN : len - SUBCRED_SEAL_TAG_LEN;
	data_len = seal ? out_len : len;	/* its room in the buffer */

	tfm = subcred_gcm_alloc(key);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = -ENOMEM;
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req)
		goto out_free_tfm;
	buf = kmalloc(aad_len + data_len + SUBCRED_SEAL_IV_LEN,
		      GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		goto out_free_req;

	memcpy(buf, aad, aad_len);
	memcpy(buf + aad_len, in, len);
	ivbuf = buf + aad_len + data_len;
	memcpy(ivbuf, iv, SUBCRED_SEAL_IV_LEN);
	sg_init_one(&sg, buf, aad_len + data_len);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				  &wait);
	aead_request_set_crypt(req, &sg, &sg, len, ivbuf);
	aead_request_set_ad(req, aad_len);
	if (seal)
		err = crypto_wait_req(crypto_aead_encrypt(req), &wait);
	else
		err = crypto_wait_req(crypto_aead_decrypt(req), &wait);
	if (!err)
		memcpy(out, buf + aad_len, out_len);

	kfree_sensitive(buf);
out_free_req:
	aead_request_free(req);
out_free_tfm:
	crypto_free_aead(tfm);
	return err;
}

int subcred_seal(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out)
{
	return subcred_gcm_run(true, key, iv, aad, aad_len, in, len, out);
}

int subcred_open(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out)
{
	return subcred_gcm_run(false, key, iv, aad, aad_len, in, len, out);
}

static int subcred_alloc_err(const void *tfm, const char *name)
{
	if (!IS_ERR(tfm))
		return 0;
	pr_err("cannot allocate %s: %ld\n", name, PTR_ERR(tfm));
	return PTR_ERR(tfm);
}

int subcred_crypto_init(void)
{
	int err;

	subcred_aes = crypto_alloc_cipher("aes", 0, 0);
	err = subcred_alloc_err(subcred_aes, "aes");
	if (err)
		return err;
	subcred_sha256_tfm = crypto_alloc_shash("sha256", 0, 0);
	err = subcred_alloc_err(subcred_sha256_tfm, "sha256");
	if (err)
		goto err_aes;
	subcred_hmac_tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	err = subcred_alloc_err(subcred_hmac_tfm, "hmac(sha256)");
	if (err)
		goto err_sha256;
	subcred_kpp = crypto_alloc_kpp("curve25519", 0, 0);
	err = subcred_alloc_err(subcred_kpp, "curve25519");
	if (err)
		goto err_hmac;
	subcred_gcm = crypto_alloc_aead("gcm(aes)", 0, 0);
	err = subcred_alloc_err(subcred_gcm, "gcm(aes)");
	if (err)
		goto err_kpp;

	subcred_aes_drv =
		crypto_tfm_alg_driver_name(crypto_cipher_tfm(subcred_aes));
	subcred_hmac_drv = crypto_shash_driver_name(subcred_hmac_tfm);
	subcred_kpp_drv =
		crypto_tfm_alg_driver_name(crypto_kpp_tfm(subcred_kpp));
	subcred_gcm_drv =
		crypto_tfm_alg_driver_name(crypto_aead_tfm(subcred_gcm));
	pr_debug("crypto: %s, %s, %s, %s, %s\n", subcred_aes_drv,
		 crypto_shash_driver_name(subcred_sha256_tfm), subcred_hmac_drv,
		 subcred_kpp_drv, subcred_gcm_drv);
	return 0;

err_kpp:
	crypto_free_kpp(subcred_kpp);
err_hmac:
	crypto_free_shash(subcred_hmac_tfm);
err_sha256:
	crypto_free_shash(subcred_sha256_tfm);
err_aes:
	crypto_free_cipher(subcred_aes);
	return err;
}

void subcred_crypto_exit(void)
{
	crypto_free_aead(subcred_gcm);
	crypto_free_kpp(subcred_kpp);
	crypto_free_shash(subcred_hmac_tfm);
	crypto_free_shash(subcred_sha256_tfm);
	crypto_free_cipher(subcred_aes);
}
