/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The over-the-air messages of protocol version 1 (Documentation/protocol.md
 * §3): strict parse and build. This file and wire.c compile unchanged in the
 * kernel and in userspace (subcred-hn, unit tests, fuzzers); they hold no
 * cryptography, only the layout.
 */
#ifndef _SUBCRED_WIRE_H
#define _SUBCRED_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "subcred-types.h"	/* userspace/include/ */
#endif

#define SUBCRED_WIRE_VERSION	1
#define SUBCRED_WIRE_HDR_LEN	8	/* 'S' 'C' ver type len(2) id_len flags */
#define SUBCRED_WIRE_ID_MAX	64
#define SUBCRED_WIRE_TXID_LEN	8
#define SUBCRED_WIRE_TAG_LEN	32
#define SUBCRED_WIRE_RAND_LEN	16
#define SUBCRED_WIRE_AUTN_LEN	16
#define SUBCRED_WIRE_PK_LEN	32
#define SUBCRED_WIRE_RES_LEN	8
#define SUBCRED_WIRE_AUTS_LEN	14
#define SUBCRED_WIRE_NONCE_LEN	16
#define SUBCRED_WIRE_MAX_LEN	(SUBCRED_WIRE_HDR_LEN + SUBCRED_WIRE_ID_MAX + \
				 SUBCRED_WIRE_TXID_LEN + 69 + \
				 SUBCRED_WIRE_TAG_LEN)

enum subcred_msg_type {
	SUBCRED_MSG_NOTICE = 1,		/* network -> device */
	SUBCRED_MSG_RESPONSE,		/* device -> network */
	SUBCRED_MSG_CONFIRM,		/* network -> device */
	SUBCRED_MSG_ACK,		/* device -> network */
	SUBCRED_MSG_SYNC,		/* device -> network, untagged */
	SUBCRED_MSG_REJECT,		/* device -> network */
	SUBCRED_MSG_REQUEST,		/* device -> network */
};

#define SUBCRED_MSG_TYPE_MAX	SUBCRED_MSG_REQUEST

enum subcred_reason {
	SUBCRED_REASON_PERIODIC = 1,
	SUBCRED_REASON_COMPROMISE,
	SUBCRED_REASON_OPERATOR,
};

enum subcred_reject_cause {
	SUBCRED_REJECT_MAC = 1,		/* MAC-A failure or rekey bit missing */
	SUBCRED_REJECT_TAG_N,		/* TAG_N failure */
	SUBCRED_REJECT_VERSION,		/* key_version mismatch */
	SUBCRED_REJECT_PK,		/* invalid ephemeral key */
	SUBCRED_REJECT_NO_TXN,		/* no PENDING for this txid */
};

/* A message, parsed or to be built. Integers in host order. */
struct subcred_msg {
	u8 type;
	u8 id_len;
	char id[SUBCRED_WIRE_ID_MAX + 1];	/* NUL-terminated */
	u8 txid[SUBCRED_WIRE_TXID_LEN];
	union {
		struct {
			u8 reason;
			u32 key_version;
			u8 rand[SUBCRED_WIRE_RAND_LEN];
			u8 autn[SUBCRED_WIRE_AUTN_LEN];
			u8 pk[SUBCRED_WIRE_PK_LEN];
		} notice;
		struct {
			u8 res[SUBCRED_WIRE_RES_LEN];
			u8 pk[SUBCRED_WIRE_PK_LEN];
		} response;
		struct {
			u32 new_version;
		} confirm, ack;
		struct {
			u8 auts[SUBCRED_WIRE_AUTS_LEN];
		} sync;
		struct {
			u8 cause;
		} reject;
		struct {
			u8 reason;
			u32 key_version;
			u8 nonce[SUBCRED_WIRE_NONCE_LEN];
		} request;
	};
	u8 tag[SUBCRED_WIRE_TAG_LEN];	/* all types but SYNC */
};

/* Why a parse failed; each is an -EBADMSG to the caller. */
enum subcred_wire_error {
	SUBCRED_WIRE_OK,
	SUBCRED_WIRE_SHORT,		/* shorter than its header says */
	SUBCRED_WIRE_MAGIC,		/* not 'S' 'C' */
	SUBCRED_WIRE_VERSION_BAD,	/* not version 1 */
	SUBCRED_WIRE_TYPE,		/* unknown type */
	SUBCRED_WIRE_LENGTH,		/* total length wrong for the type */
	SUBCRED_WIRE_FLAGS,		/* flags not zero */
	SUBCRED_WIRE_ID,		/* id length or characters */
	SUBCRED_WIRE_FIELD,		/* reason or cause out of range */
};

/* Whether the type carries a 32-octet tag at its end. */
static inline int subcred_wire_tagged(u8 type)
{
	return type != SUBCRED_MSG_SYNC;
}

/* Total length of a message of @type with an id of @id_len octets, or 0. */
size_t subcred_wire_len(u8 type, u8 id_len);

/*
 * Parse @len octets. Returns 0 and fills @msg, or -EBADMSG and, if @why is
 * not NULL, the reason. Trailing octets are an error.
 */
int subcred_wire_parse(const u8 *buf, size_t len, struct subcred_msg *msg,
		       enum subcred_wire_error *why);

/*
 * Write @msg to @buf (@size octets). The tag is copied from msg->tag; a
 * caller computes it over the first subcred_wire_len() - 32 octets and
 * stores it with subcred_wire_set_tag(). Returns the length, or -EINVAL
 * (bad field) / -ENOSPC (@size too small).
 */
int subcred_wire_build(const struct subcred_msg *msg, u8 *buf, size_t size);

/* Store @tag at the end of the built message @buf of @len octets. */
void subcred_wire_set_tag(u8 *buf, size_t len, const u8 *tag);

#endif /* _SUBCRED_WIRE_H */
