/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal network side for the in-guest update tests, on OpenSSL: it
 * shares no crypto code with the kernel, only the wire layout (wire.c).
 */
#ifndef SUBCRED_SELFTEST_NETWORK_H
#define SUBCRED_SELFTEST_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "../kmod/wire.h"

struct buf {
	const void *p;
	size_t n;
};

void net_sha256(const struct buf *in, int n, uint8_t *out);
void net_hmac(const uint8_t *key, size_t klen, const struct buf *in, int n,
	      uint8_t *out);
void net_kdf(const uint8_t *key, size_t klen, const char *label,
	     const struct buf *p, int n, uint8_t *out);
int net_x25519(const uint8_t *sk, const uint8_t *pk, uint8_t *z);
void net_x25519_public(const uint8_t *sk, uint8_t *pk);

/* Milenage with OPc. */
struct milenage {
	uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_s[6];
};
void net_milenage(const uint8_t *k, const uint8_t *opc, const uint8_t *rand,
		  const uint8_t *sqn, const uint8_t *amf, struct milenage *out);

/* One update transaction as the network sees it. */
struct txn {
	char id[65];
	uint8_t k[16], opc[16];
	uint32_t version;
	uint8_t txid[8];
	uint8_t rand[16];
	uint64_t sqn;
	uint16_t amf;
	uint8_t sk_n[32];
	uint8_t reason;
	/* derived */
	struct milenage mil;
	uint8_t k_auth[32];
	uint8_t notice[SUBCRED_WIRE_MAX_LEN];
	size_t notice_len;
	uint8_t h_t[32], k_new[16], opc_new[16], k_conf[32];
};

/* Build txn->notice from the inputs (TAG_N with K_auth). */
void net_notice(struct txn *t);
/* Re-tag a modified NOTICE. */
void net_notice_retag(struct txn *t);
/* Check a RESPONSE and derive H_T and the new keys; 0 or -1. */
int net_response(struct txn *t, const uint8_t *resp, size_t len);
/* Build a CONFIRM for new_version; returns its length. */
size_t net_confirm(const struct txn *t, uint32_t new_version, uint8_t *out);
/* Check an ACK's tag; 0 or -1. */
int net_ack(const struct txn *t, const uint8_t *ack, size_t len);
/* Check a REJECT/REQUEST tag under K, OPc: label "reject" or "request". */
int net_tag_active(const uint8_t *k, const uint8_t *opc, const char *id,
		   const char *label, const uint8_t *ctx, size_t ctx_len,
		   const uint8_t *msg, size_t len);
/* An ordinary AKA vector: RAND, AUTN, XRES (AMF 8000). */
void net_aka_vector(const uint8_t *k, const uint8_t *opc, uint64_t sqn,
		    uint8_t *rand, uint8_t *autn, uint8_t *xres);

#endif
