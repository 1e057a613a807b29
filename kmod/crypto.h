/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cryptographic primitives of protocol version 1 (design §3), on the
 * kernel crypto API. Algorithms are resolved at module load; each keyed
 * call uses a transform of its own. Every function here may be called
 * concurrently and sleeps (GFP_KERNEL).
 * All functions return 0 or a negative errno.
 */
#ifndef _SUBCRED_CRYPTO_H
#define _SUBCRED_CRYPTO_H

#include <linux/types.h>

#define SUBCRED_MILENAGE_KEY_LEN	16	/* K, OPc, RAND, CK, IK */
#define SUBCRED_SQN_LEN			6
#define SUBCRED_AMF_LEN			2
#define SUBCRED_MAC_LEN			8	/* MAC-A, MAC-S */
#define SUBCRED_RES_LEN			8
#define SUBCRED_AK_LEN			6
#define SUBCRED_HASH_LEN		32	/* SHA-256, HMAC-SHA-256, KDF */
#define SUBCRED_X25519_LEN		32
#define SUBCRED_SEAL_KEY_LEN		32	/* AES-256-GCM */
#define SUBCRED_SEAL_IV_LEN		12
#define SUBCRED_SEAL_TAG_LEN		16

/* One input of a hash, HMAC or KDF; several are concatenated. */
struct subcred_buf {
	const void *data;
	size_t len;
};

int subcred_crypto_init(void);
void subcred_crypto_exit(void);

/* Milenage f1 and f1* (TS 35.206): MAC-A and MAC-S; either may be NULL. */
int subcred_milenage_f1(const u8 *k, const u8 *opc, const u8 *rand,
			const u8 *sqn, const u8 *amf, u8 *mac_a, u8 *mac_s);

/* Milenage f2..f5: RES, CK, IK, AK; any output may be NULL. */
int subcred_milenage_f2345(const u8 *k, const u8 *opc, const u8 *rand,
			   u8 *res, u8 *ck, u8 *ik, u8 *ak);

/* Milenage f5*: AK for resynchronisation (AUTS). */
int subcred_milenage_f5star(const u8 *k, const u8 *opc, const u8 *rand,
			    u8 *ak);

/* SHA-256 over the concatenation of @n buffers. */
int subcred_sha256(const struct subcred_buf *in, unsigned int n, u8 *out);

/* HMAC-SHA-256 under @key over the concatenation of @n buffers. */
int subcred_hmac(const u8 *key, size_t key_len,
		 const struct subcred_buf *in, unsigned int n, u8 *out);

/*
 * TS 33.220 Annex B.2 KDF with subcred's private FC 0xFF 0x53:
 * HMAC-SHA-256(key, FC || P0 || L0 || ... || Pn || Ln), P0 = @label
 * (without its NUL), P1.. = @p[0..n-1], Li = 2-octet big-endian length.
 */
int subcred_kdf(const u8 *key, size_t key_len, const char *label,
		const struct subcred_buf *p, unsigned int n, u8 *out);

/* A fresh X25519 key pair from the kernel's RNG. */
int subcred_x25519_keypair(u8 *sk, u8 *pk);

/* Z = X25519(sk, pk); -EINVAL if Z is all zero (RFC 7748 §6.1). */
int subcred_x25519(const u8 *sk, const u8 *pk, u8 *z);

/*
 * AES-256-GCM. seal: @out gets @len octets of ciphertext followed by the
 * 16-octet tag. open: @in is ciphertext || tag (@len includes the tag),
 * @out gets @len - 16 octets; -EBADMSG if the tag is wrong.
 */
int subcred_seal(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out);
int subcred_open(const u8 *key, const u8 *iv, const void *aad,
		 size_t aad_len, const void *in, size_t len, u8 *out);

/*
 * Known-answer tests of every primitive above (TS 35.208 sets 1-6, RFC 4231,
 * RFC 7748, the protocol-v1 KDF case, an AES-GCM case). Run at module load;
 * the module refuses to load if any fails.
 */
int subcred_crypto_selftest(void);

#endif /* _SUBCRED_CRYPTO_H */
