// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the wire codec (kmod/wire.c, built here unchanged): every
 * message of the protocol-v1 vector parses to the documented fields and
 * builds back byte for byte; every truncation, extension and header
 * corruption is refused. TAP on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../kmod/wire.h"
#include "vectors.h"

static int n, failed;

static void ok(int cond, const char *fmt, const char *what)
{
	n++;
	printf("%sok %d wire: ", cond ? "" : "not ", n);
	printf(fmt, what);
	printf("\n");
	if (!cond)
		failed++;
}

static const char *const names[] = {
	NULL, "NOTICE", "RESPONSE", "CONFIRM", "ACK", "SYNC", "REJECT",
	"REQUEST",
};

/* Fields of each vector message, as the vector file states them. */
static int fields_match(const struct subcred_msg *m)
{
	uint8_t want[64];
	uint8_t txid[8];

	if (strcmp(m->id, vector_text("id")) || m->id_len != strlen(m->id))
		return 0;
	switch (m->type) {
	case SUBCRED_MSG_NOTICE:
		vector_hex("RAND", want, sizeof(want));
		if (memcmp(m->notice.rand, want, 16) || m->notice.reason != 1 ||
		    m->notice.key_version != 1)
			return 0;
		vector_hex("AUTN", want, sizeof(want));
		if (memcmp(m->notice.autn, want, 16))
			return 0;
		vector_hex("PK_N", want, sizeof(want));
		return !memcmp(m->notice.pk, want, 32);
	case SUBCRED_MSG_RESPONSE:
		vector_hex("RES", want, sizeof(want));
		if (memcmp(m->response.res, want, 8))
			return 0;
		vector_hex("PK_D", want, sizeof(want));
		return !memcmp(m->response.pk, want, 32);
	case SUBCRED_MSG_CONFIRM:
	case SUBCRED_MSG_ACK:
		return m->confirm.new_version == 2;
	case SUBCRED_MSG_SYNC:
		vector_hex("txid", txid, sizeof(txid));
		return !memcmp(m->txid, txid, 8);
	case SUBCRED_MSG_REJECT:
		return m->reject.cause == SUBCRED_REJECT_NO_TXN;
	case SUBCRED_MSG_REQUEST:
		vector_hex("REQUEST_nonce", want, sizeof(want));
		return m->request.reason == 1 &&
		       m->request.key_version == 1 &&
		       !memcmp(m->request.nonce, want, 16);
	}
	return 0;
}

static void test_type(int type)
{
	uint8_t buf[SUBCRED_WIRE_MAX_LEN + 2], out[SUBCRED_WIRE_MAX_LEN];
	enum subcred_wire_error why;
	struct subcred_msg m;
	const char *name = names[type];
	int len, i, bad;

	len = vector_hex(name, buf, sizeof(buf));
	ok(len > 0 && (size_t)len == subcred_wire_len(type, 20),
	   "%s: length as the layout says", name);
	ok(!subcred_wire_parse(buf, len, &m, &why) && m.type == type,
	   "%s: parses", name);
	ok(fields_match(&m), "%s: fields as in the vector", name);
	ok(subcred_wire_build(&m, out, sizeof(out)) == len &&
	   !memcmp(out, buf, len), "%s: builds back byte for byte", name);
	ok(subcred_wire_build(&m, out, len - 1) == -ENOSPC,
	   "%s: build into a short buffer is -ENOSPC", name);

	for (bad = 0, i = 0; i < len; i++)
		bad += subcred_wire_parse(buf, i, &m, NULL) != -EBADMSG;
	ok(!bad, "%s: every truncation refused", name);
	buf[len] = 0;
	ok(subcred_wire_parse(buf, len + 1, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_LENGTH, "%s: one extra octet refused", name);

	/* every header bit is refused; an id bit refused or another id */
	for (bad = 0, i = 0; i < (SUBCRED_WIRE_HDR_LEN + 20) * 8; i++) {
		buf[i / 8] ^= 1 << (i % 8);
		if (i < SUBCRED_WIRE_HDR_LEN * 8)
			bad += subcred_wire_parse(buf, len, &m, NULL) !=
			       -EBADMSG;
		else if (!subcred_wire_parse(buf, len, &m, NULL))
			bad += !strcmp(m.id, vector_text("id"));
		buf[i / 8] ^= 1 << (i % 8);
	}
	ok(!bad, "%s: every header bit flip refused, id flips seen", name);
}

static void test_fields(void)
{
	uint8_t buf[SUBCRED_WIRE_MAX_LEN];
	enum subcred_wire_error why;
	struct subcred_msg m;
	int len;

	len = vector_hex("NOTICE", buf, sizeof(buf));
	buf[SUBCRED_WIRE_HDR_LEN + 20 + 8] = 4;		/* reason */
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_FIELD, "%s: reason 4 refused", "NOTICE");
	buf[SUBCRED_WIRE_HDR_LEN + 20 + 8] = 0;
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG,
	   "%s: reason 0 refused", "NOTICE");

	len = vector_hex("REJECT", buf, sizeof(buf));
	buf[SUBCRED_WIRE_HDR_LEN + 20 + 8] = 6;		/* cause */
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_FIELD, "%s: cause 6 refused", "REJECT");

	len = vector_hex("ACK", buf, sizeof(buf));
	buf[7] = 0x80;
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_FLAGS, "%s: a flag bit refused", "ACK");
	buf[7] = 0;
	buf[2] = 2;
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_VERSION_BAD, "%s: version 2 refused", "ACK");
	buf[2] = 1;
	buf[3] = 8;
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_TYPE, "%s: type 8 refused", "ACK");
	buf[3] = 4;
	buf[SUBCRED_WIRE_HDR_LEN + 4] = '/';
	ok(subcred_wire_parse(buf, len, &m, &why) == -EBADMSG &&
	   why == SUBCRED_WIRE_ID, "%s: id with '/' refused", "ACK");

	memset(&m, 0, sizeof(m));
	m.type = SUBCRED_MSG_ACK;
	m.id_len = 0;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build with an empty id is -EINVAL", "ACK");
	m.id_len = 65;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build with a 65-octet id is -EINVAL", "ACK");
	m.id_len = 1;
	m.id[0] = 'a';
	m.type = 9;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build of type 9 is -EINVAL", "ACK");
	m.type = SUBCRED_MSG_NOTICE;
	m.notice.reason = 4;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build with reason 4 is -EINVAL", "NOTICE");
	m.type = SUBCRED_MSG_REQUEST;
	m.request.reason = 0;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build with reason 0 is -EINVAL", "REQUEST");
	m.type = SUBCRED_MSG_REJECT;
	m.reject.cause = 6;
	ok(subcred_wire_build(&m, buf, sizeof(buf)) == -EINVAL,
	   "%s: build with cause 6 is -EINVAL", "REJECT");
	memset(&m, 0, sizeof(m));
	m.type = SUBCRED_MSG_ACK;
	m.id_len = 64;
	memset(m.id, 'z', 64);
	ok(subcred_wire_build(&m, buf, sizeof(buf)) ==
	   (int)subcred_wire_len(SUBCRED_MSG_ACK, 64) &&
	   !subcred_wire_parse(buf, subcred_wire_len(SUBCRED_MSG_ACK, 64),
			       &m, NULL), "%s: a 64-octet id round-trips",
	   "ACK");
}

int main(void)
{
	int type;

	if (vectors_load(vectors_path("protocol-v1.txt")))
		return 1;
	printf("TAP version 13\n1..%d\n", 7 * 8 + 14);
	for (type = SUBCRED_MSG_NOTICE; type <= SUBCRED_MSG_TYPE_MAX; type++)
		test_type(type);
	test_fields();
	return failed ? 1 : 0;
}
