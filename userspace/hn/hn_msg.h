/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cryptography of the protocol v1 messages, network side (design §4):
 * build NOTICE and CONFIRM, verify RESPONSE, ACK, SYNC, REJECT and
 * REQUEST, derive the session keys. Pure functions of their inputs (no
 * randomness, no state), so the vector tests drive them with the inputs of
 * vectors/protocol-v1.txt. Layout is kmod/wire.c's.
 */
#ifndef HN_MSG_H
#define HN_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "hn_crypto.h"

#define HN_MSG_MAX	SUBCRED_WIRE_MAX_LEN
#define HN_AMF_REKEY	0x0080		/* NOTICE: the rekey bit */
#define HN_AMF_AKA	0x8000		/* ordinary vectors (challenge) */

/* Results of verifications; < 0 always means "not accepted". */
enum hn_msg_result {
	HN_MSG_OK = 0,
	HN_MSG_ERR = -1,	/* internal (crypto library) failure */
	HN_MSG_BAD_RES = -2,	/* RES != XRES */
	HN_MSG_BAD_TAG = -3,	/* tag or MAC-S wrong */
	HN_MSG_BAD_PK = -4,	/* invalid X25519 public key (Z = 0) */
};

/* A long-term key pair. */
struct hn_key {
	uint8_t k[HN_K_LEN];
	uint8_t opc[HN_K_LEN];
};

/* Everything a NOTICE is made of; the random ones are chosen by the caller. */
struct hn_notice_in {
	const char *id;
	uint8_t txid[SUBCRED_WIRE_TXID_LEN];
	uint8_t reason;
	uint32_t key_version;
	uint8_t rand[HN_RAND_LEN];
	uint8_t sqn[HN_SQN_LEN];
	uint8_t amf[HN_AMF_LEN];
	uint8_t sk_n[HN_X25519_LEN];
};

/* What a verified RESPONSE yields (design §4 derivations). */
struct hn_session {
	uint8_t s[HN_HASH_LEN];		/* S: only for the vector tests */
	uint8_t h_t[HN_HASH_LEN];
	uint8_t k_new[HN_K_LEN];
	uint8_t opc_new[HN_K_LEN];
	uint8_t k_conf[HN_HASH_LEN];
};

/* AUTN = SQN ^ AK || AMF || MAC-A, and XRES, for @key on @rand. */
int hn_msg_autn(const struct hn_key *key, const uint8_t *rand,
		const uint8_t *sqn, const uint8_t *amf, uint8_t *autn,
		uint8_t *xres);

/* K_auth = KDF(CK || IK, "auth", id, txid). */
int hn_msg_kauth(const struct hn_key *key, const uint8_t *rand,
		 const char *id, const uint8_t *txid, uint8_t *kauth);

/* Build the NOTICE; returns its length or -1. Sets XRES. */
int hn_msg_notice(const struct hn_key *key, const struct hn_notice_in *in,
		  uint8_t *out, size_t size, uint8_t *xres);

/*
 * Verify the RESPONSE @resp (@resp_len octets, parsed as @m) to @notice:
 * RES == XRES, TAG_D; then Z, H_T, S and the keys of @new_version.
 * Returns HN_MSG_OK or a negative hn_msg_result.
 */
int hn_msg_response(const struct hn_key *key, const uint8_t *rand,
		    const uint8_t *xres, const uint8_t *notice,
		    size_t notice_len, const uint8_t *sk_n,
		    uint32_t new_version, const uint8_t *resp, size_t resp_len,
		    const struct subcred_msg *m, struct hn_session *s);

/* H_T = H(NOTICE || RESPONSE-before-tag). 0 or -1. */
int hn_msg_transcript(const uint8_t *notice, size_t notice_len,
		      const uint8_t *resp, size_t resp_len, uint8_t *h_t);

/*
 * S = KDF(CK || IK || Z, "session", id, txid, H_T); K_new, OPc_new and
 * K_conf of @new_version from S (either side: Z is the same). 0 or < 0.
 */
int hn_msg_session(const struct hn_key *key, const uint8_t *rand,
		   const char *id, const uint8_t *txid, const uint8_t *z,
		   const uint8_t *h_t, uint32_t new_version,
		   struct hn_session *s);

/*
 * A RESPONSE again after the session was derived (sk_N is gone): its TAG_D
 * verifies and H(NOTICE || RESPONSE-before-tag) is @h_t, i.e. it is the
 * one the session came from. Returns HN_MSG_OK or < 0.
 */
int hn_msg_response_again(const struct hn_key *key, const uint8_t *rand,
			  const uint8_t *notice, size_t notice_len,
			  const uint8_t *h_t, const uint8_t *resp,
			  size_t resp_len, const struct subcred_msg *m);

/* HMAC(K_conf, @prefix || H_T || msg-before-tag): TAG_C, TAG_A. */
int hn_msg_conf_tag(const uint8_t *k_conf, const char *prefix,
		    const uint8_t *h_t, const uint8_t *msg, size_t len,
		    uint8_t *tag);

/* Build the CONFIRM; returns its length or -1. */
int hn_msg_confirm(const char *id, const uint8_t *txid, uint32_t new_version,
		   const uint8_t *k_conf, const uint8_t *h_t, uint8_t *out,
		   size_t size);

/* 1 if the ACK @buf (@len octets) carries a valid TAG_A, else 0. */
int hn_msg_ack_ok(const uint8_t *k_conf, const uint8_t *h_t,
		  const uint8_t *buf, size_t len);

/*
 * SYNC: AUTS = SQN_MS ^ AK* || MAC-S, AK* = f5*(RAND), MAC-S = f1*(SQN_MS,
 * AMF 0000) on the RAND of the NOTICE. Returns HN_MSG_OK and SQN_MS, or
 * HN_MSG_BAD_TAG.
 */
int hn_msg_sync(const struct hn_key *key, const uint8_t *rand,
		const uint8_t *auts, uint8_t *sqn_ms);

/*
 * Device tags: HMAC(KDF(K || OPc, @label, id, @p), msg-before-tag) with
 * label "reject" and p = txid (TAG_J) or "request" and p = nonce (TAG_R).
 */
int hn_msg_device_tag(const struct hn_key *key, const char *label,
		      const char *id, const uint8_t *p, size_t plen,
		      const uint8_t *msg, size_t len, uint8_t *tag);

/* 1 if the REJECT or REQUEST @buf (parsed @m) is tagged with @key. */
int hn_msg_device_tag_ok(const struct hn_key *key,
			 const struct subcred_msg *m, const uint8_t *buf,
			 size_t len);

/* SQN (6 octets) from SEQ and IND (5 bits), and back. */
void hn_sqn_make(uint64_t seq, unsigned int ind, uint8_t *sqn);
uint64_t hn_sqn_seq(const uint8_t *sqn);
unsigned int hn_sqn_ind(const uint8_t *sqn);

#endif /* HN_MSG_H */
