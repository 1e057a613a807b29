/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated device for the subcred-hn unit tests: design §5 reduced to
 * what the network can observe (one SEQ_MS instead of the IND array, one
 * PENDING, LAST with its cached ACK). Built on subcred-hn's own
 * primitives; the vector tests are what pin those to the specification.
 */
#ifndef HN_TDEV_H
#define HN_TDEV_H

#include "hn_msg.h"

struct tdev {
	char id[SUBCRED_WIRE_ID_MAX + 1];
	struct hn_key key;		/* ACTIVE */
	uint32_t version;
	uint64_t seq_ms;
	unsigned int ind_ms;
	struct hn_key old_key;		/* the key before the last commit */
	int pending;
	uint8_t p_txid[SUBCRED_WIRE_TXID_LEN];
	uint8_t p_notice[HN_MSG_MAX];
	size_t p_notice_len;
	struct hn_session p;
	uint8_t p_resp[HN_MSG_MAX];
	size_t p_resp_len;
	int has_last;
	uint8_t l_txid[SUBCRED_WIRE_TXID_LEN];
	uint8_t l_ack[HN_MSG_MAX];
	size_t l_ack_len;
	int last_cause;			/* cause of the last REJECT sent */
};

void tdev_init(struct tdev *d, const char *id, const struct hn_key *key,
	       uint32_t version);

/*
 * A NOTICE or CONFIRM from the network: the answer in @out (length
 * returned), 0 if none, -1 if @buf does not parse.
 */
int tdev_input(struct tdev *d, const uint8_t *buf, size_t len, uint8_t *out);

/* A REJECT with @cause for @txid, tagged with @key. Returns the length. */
int tdev_reject(const struct tdev *d, const struct hn_key *key,
		const uint8_t *txid, int cause, uint8_t *out);

/* A REQUEST tagged with @key. Returns the length. */
int tdev_request(const struct tdev *d, const struct hn_key *key,
		 uint32_t version, int reason, const uint8_t *nonce,
		 uint8_t *out);

#endif /* HN_TDEV_H */
