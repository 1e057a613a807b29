/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryptographic primitives of subcred-hn, all on OpenSSL 3 (EVP): Milenage
 * (TS 35.206, AES-128 via EVP), SHA-256, HMAC-SHA-256, the subcred KDF
 * (TS 33.220 B.2 with FC 0xFF 0x53), X25519 and random octets. Nothing
 * here is shared with the kernel module.
 */
#ifndef HN_CRYPTO_H
#define HN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define HN_K_LEN	16
#define HN_RAND_LEN	16
#define HN_SQN_LEN	6
#define HN_AMF_LEN	2
#define HN_MAC_LEN	8
#define HN_RES_LEN	8
#define HN_AK_LEN	6
#define HN_HASH_LEN	32
#define HN_X25519_LEN	32

/* One input of a multi-part hash, HMAC or KDF. */
struct hn_buf {
	const void *p;
	size_t len;
};

/* Milenage outputs, each valid only if the function that sets it ran. */
struct hn_milenage {
	uint8_t mac_a[HN_MAC_LEN];	/* f1 */
	uint8_t mac_s[HN_MAC_LEN];	/* f1* */
	uint8_t res[HN_RES_LEN];	/* f2 */
	uint8_t ck[HN_K_LEN];		/* f3 */
	uint8_t ik[HN_K_LEN];		/* f4 */
	uint8_t ak[HN_AK_LEN];		/* f5 */
	uint8_t ak_s[HN_AK_LEN];	/* f5* */
};

/* OPc = OP xor E_K(OP). Returns 0 or -1. */
int hn_milenage_opc(const uint8_t *k, const uint8_t *op, uint8_t *opc);

/* f1 and f1* on (SQN, AMF). Returns 0 or -1. */
int hn_milenage_f1(const uint8_t *k, const uint8_t *opc, const uint8_t *rand,
		   const uint8_t *sqn, const uint8_t *amf,
		   struct hn_milenage *out);

/* f2, f3, f4, f5 and f5*. Returns 0 or -1. */
int hn_milenage_f2345(const uint8_t *k, const uint8_t *opc,
		      const uint8_t *rand, struct hn_milenage *out);

/* SHA-256 over the concatenation of @n parts. Returns 0 or -1. */
int hn_sha256(const struct hn_buf *parts, size_t n, uint8_t *out);

/* HMAC-SHA-256 keyed by @key over the concatenation of @n parts. */
int hn_hmac(const uint8_t *key, size_t key_len, const struct hn_buf *parts,
	    size_t n, uint8_t *out);

/*
 * KDF(key, P0..Pn) = HMAC-SHA-256(key, 0xFF 0x53 || P0 || L0 || ...),
 * Li = two-octet big-endian length of Pi. P0 is the label.
 */
int hn_kdf(const uint8_t *key, size_t key_len, const char *label,
	   const struct hn_buf *params, size_t n, uint8_t *out);

/* The public key of X25519 private key @sk. */
int hn_x25519_public(const uint8_t *sk, uint8_t *pk);

/* Z = X25519(@sk, @peer); an all-zero Z is an error. Returns 0 or -1. */
int hn_x25519(const uint8_t *sk, const uint8_t *peer, uint8_t *z);

/* @len random octets from the OpenSSL DRBG. Returns 0 or -1. */
int hn_random(uint8_t *buf, size_t len);

/* Constant-time equality of @len octets: 1 if equal. */
int hn_equal(const void *a, const void *b, size_t len);

/* Wipe @len octets in a way the compiler keeps. */
void hn_wipe(void *p, size_t len);

#endif /* HN_CRYPTO_H */
