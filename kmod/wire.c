// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Strict codec of the protocol v1 messages (see wire.h). Every octet is
 * accounted for: magic, version, type, flags, total length, id length and
 * characters, and the ranges of reason and cause are checked; nothing may
 * follow the message.
 */

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "wire.h"

#define SUBCRED_WIRE_FIXED	(SUBCRED_WIRE_HDR_LEN + SUBCRED_WIRE_TXID_LEN)

/* Length of the body between txid and tag, by type. */
static const u8 subcred_wire_body[SUBCRED_MSG_TYPE_MAX + 1] = {
	[SUBCRED_MSG_NOTICE]	= 1 + 4 + SUBCRED_WIRE_RAND_LEN +
				  SUBCRED_WIRE_AUTN_LEN + SUBCRED_WIRE_PK_LEN,
	[SUBCRED_MSG_RESPONSE]	= SUBCRED_WIRE_RES_LEN + SUBCRED_WIRE_PK_LEN,
	[SUBCRED_MSG_CONFIRM]	= 4,
	[SUBCRED_MSG_ACK]	= 4,
	[SUBCRED_MSG_SYNC]	= SUBCRED_WIRE_AUTS_LEN,
	[SUBCRED_MSG_REJECT]	= 1,
	[SUBCRED_MSG_REQUEST]	= 1 + 4 + SUBCRED_WIRE_NONCE_LEN,
};

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The same rule as credential ids: 1..64 of A-Z a-z 0-9 . _ - */
static int subcred_wire_id_ok(const u8 *id, size_t len)
{
	size_t i;

	if (!len || len > SUBCRED_WIRE_ID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		u8 c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

size_t subcred_wire_len(u8 type, u8 id_len)
{
	if (!type || type > SUBCRED_MSG_TYPE_MAX ||
	    !id_len || id_len > SUBCRED_WIRE_ID_MAX)
		return 0;
	return SUBCRED_WIRE_FIXED + id_len + subcred_wire_body[type] +
	       (subcred_wire_tagged(type) ? SUBCRED_WIRE_TAG_LEN : 0);
}

/* Reason and cause octets in range; the other fields take any value. */
static int subcred_wire_fields_ok(const struct subcred_msg *msg)
{
	switch (msg->type) {
	case SUBCRED_MSG_NOTICE:
		return msg->notice.reason >= SUBCRED_REASON_PERIODIC &&
		       msg->notice.reason <= SUBCRED_REASON_OPERATOR;
	case SUBCRED_MSG_REJECT:
		return msg->reject.cause >= SUBCRED_REJECT_MAC &&
		       msg->reject.cause <= SUBCRED_REJECT_NO_TXN;
	case SUBCRED_MSG_REQUEST:
		return msg->request.reason >= SUBCRED_REASON_PERIODIC &&
		       msg->request.reason <= SUBCRED_REASON_OPERATOR;
	}
	return 1;
}

static int subcred_wire_fail(enum subcred_wire_error *why,
			     enum subcred_wire_error e)
{
	if (why)
		*why = e;
	return -EBADMSG;
}

int subcred_wire_parse(const u8 *buf, size_t len, struct subcred_msg *msg,
		       enum subcred_wire_error *why)
{
	const u8 *p;
	size_t want;
	u8 type, id_len;

	if (len < SUBCRED_WIRE_HDR_LEN)
		return subcred_wire_fail(why, SUBCRED_WIRE_SHORT);
	if (buf[0] != 'S' || buf[1] != 'C')
		return subcred_wire_fail(why, SUBCRED_WIRE_MAGIC);
	if (buf[2] != SUBCRED_WIRE_VERSION)
		return subcred_wire_fail(why, SUBCRED_WIRE_VERSION_BAD);
	type = buf[3];
	if (!type || type > SUBCRED_MSG_TYPE_MAX)
		return subcred_wire_fail(why, SUBCRED_WIRE_TYPE);
	id_len = buf[6];
	if (buf[7])
		return subcred_wire_fail(why, SUBCRED_WIRE_FLAGS);
	want = subcred_wire_len(type, id_len);
	if (!want)
		return subcred_wire_fail(why, SUBCRED_WIRE_ID);
	if (((size_t)buf[4] << 8 | buf[5]) != want)
		return subcred_wire_fail(why, SUBCRED_WIRE_LENGTH);
	if (len != want)
		return subcred_wire_fail(why, len < want ? SUBCRED_WIRE_SHORT :
						       SUBCRED_WIRE_LENGTH);
	if (!subcred_wire_id_ok(buf + SUBCRED_WIRE_HDR_LEN, id_len))
		return subcred_wire_fail(why, SUBCRED_WIRE_ID);

	memset(msg, 0, sizeof(*msg));
	msg->type = type;
	msg->id_len = id_len;
	p = buf + SUBCRED_WIRE_HDR_LEN;
	memcpy(msg->id, p, id_len);
	p += id_len;
	memcpy(msg->txid, p, SUBCRED_WIRE_TXID_LEN);
	p += SUBCRED_WIRE_TXID_LEN;

	switch (type) {
	case SUBCRED_MSG_NOTICE:
		msg->notice.reason = *p++;
		msg->notice.key_version = get_be32(p);
		p += 4;
		memcpy(msg->notice.rand, p, SUBCRED_WIRE_RAND_LEN);
		p += SUBCRED_WIRE_RAND_LEN;
		memcpy(msg->notice.autn, p, SUBCRED_WIRE_AUTN_LEN);
		p += SUBCRED_WIRE_AUTN_LEN;
		memcpy(msg->notice.pk, p, SUBCRED_WIRE_PK_LEN);
		p += SUBCRED_WIRE_PK_LEN;
		break;
	case SUBCRED_MSG_RESPONSE:
		memcpy(msg->response.res, p, SUBCRED_WIRE_RES_LEN);
		p += SUBCRED_WIRE_RES_LEN;
		memcpy(msg->response.pk, p, SUBCRED_WIRE_PK_LEN);
		p += SUBCRED_WIRE_PK_LEN;
		break;
	case SUBCRED_MSG_CONFIRM:
	case SUBCRED_MSG_ACK:
		msg->confirm.new_version = get_be32(p);
		p += 4;
		break;
	case SUBCRED_MSG_SYNC:
		memcpy(msg->sync.auts, p, SUBCRED_WIRE_AUTS_LEN);
		p += SUBCRED_WIRE_AUTS_LEN;
		break;
	case SUBCRED_MSG_REJECT:
		msg->reject.cause = *p++;
		break;
	case SUBCRED_MSG_REQUEST:
		msg->request.reason = *p++;
		msg->request.key_version = get_be32(p);
		p += 4;
		memcpy(msg->request.nonce, p, SUBCRED_WIRE_NONCE_LEN);
		p += SUBCRED_WIRE_NONCE_LEN;
		break;
	}
	if (!subcred_wire_fields_ok(msg))
		return subcred_wire_fail(why, SUBCRED_WIRE_FIELD);
	if (subcred_wire_tagged(type))
		memcpy(msg->tag, p, SUBCRED_WIRE_TAG_LEN);
	if (why)
		*why = SUBCRED_WIRE_OK;
	return 0;
}

int subcred_wire_build(const struct subcred_msg *msg, u8 *buf, size_t size)
{
	size_t len = subcred_wire_len(msg->type, msg->id_len);
	u8 *p = buf;

	if (!len || !subcred_wire_id_ok((const u8 *)msg->id, msg->id_len) ||
	    !subcred_wire_fields_ok(msg))
		return -EINVAL;
	if (len > size)
		return -ENOSPC;

	*p++ = 'S';
	*p++ = 'C';
	*p++ = SUBCRED_WIRE_VERSION;
	*p++ = msg->type;
	*p++ = len >> 8;
	*p++ = len;
	*p++ = msg->id_len;
	*p++ = 0;
	memcpy(p, msg->id, msg->id_len);
	p += msg->id_len;
	memcpy(p, msg->txid, SUBCRED_WIRE_TXID_LEN);
	p += SUBCRED_WIRE_TXID_LEN;

	switch (msg->type) {
	case SUBCRED_MSG_NOTICE:
		*p++ = msg->notice.reason;
		put_be32(p, msg->notice.key_version);
		p += 4;
		memcpy(p, msg->notice.rand, SUBCRED_WIRE_RAND_LEN);
		p += SUBCRED_WIRE_RAND_LEN;
		memcpy(p, msg->notice.autn, SUBCRED_WIRE_AUTN_LEN);
		p += SUBCRED_WIRE_AUTN_LEN;
		memcpy(p, msg->notice.pk, SUBCRED_WIRE_PK_LEN);
		p += SUBCRED_WIRE_PK_LEN;
		break;
	case SUBCRED_MSG_RESPONSE:
		memcpy(p, msg->response.res, SUBCRED_WIRE_RES_LEN);
		p += SUBCRED_WIRE_RES_LEN;
		memcpy(p, msg->response.pk, SUBCRED_WIRE_PK_LEN);
		p += SUBCRED_WIRE_PK_LEN;
		break;
	case SUBCRED_MSG_CONFIRM:
	case SUBCRED_MSG_ACK:
		put_be32(p, msg->confirm.new_version);
		p += 4;
		break;
	case SUBCRED_MSG_SYNC:
		memcpy(p, msg->sync.auts, SUBCRED_WIRE_AUTS_LEN);
		p += SUBCRED_WIRE_AUTS_LEN;
		break;
	case SUBCRED_MSG_REJECT:
		*p++ = msg->reject.cause;
		break;
	case SUBCRED_MSG_REQUEST:
		*p++ = msg->request.reason;
		put_be32(p, msg->request.key_version);
		p += 4;
		memcpy(p, msg->request.nonce, SUBCRED_WIRE_NONCE_LEN);
		p += SUBCRED_WIRE_NONCE_LEN;
		break;
	}
	if (subcred_wire_tagged(msg->type))
		memcpy(p, msg->tag, SUBCRED_WIRE_TAG_LEN);
	return len;
}

void subcred_wire_set_tag(u8 *buf, size_t len, const u8 *tag)
{
	memcpy(buf + len - SUBCRED_WIRE_TAG_LEN, tag, SUBCRED_WIRE_TAG_LEN);
}
