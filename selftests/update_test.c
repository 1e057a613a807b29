// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the in-kernel update (design §4, §5), against a network side
 * written here on OpenSSL (network.c). Run as root in the guest with
 * subcred.ko loaded; each test provisions its own credential.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <openssl/evp.h>

#include <linux/subcred.h>
#include "genl.h"
#include "network.h"
#include "kselftest_harness.h"

/* The protocol-v1 vector (selftests/vectors/protocol-v1.txt). */
#define V_ID	"imsi-001010000000001"
static const uint8_t v_k[16] = {
	0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
	0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
static const uint8_t v_opc[16] = {
	0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
	0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };
static const uint8_t v_rand[16] = {
	0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
	0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35 };
static const uint8_t v_txid[8] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
static const uint8_t v_sk_n[32] = {
	0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d,
	0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
	0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a,
	0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a };
/* the vector's NOTICE ends with this TAG_N */
static const uint8_t v_tag_n[8] = {
	0x25, 0x6a, 0xca, 0xa0, 0xd3, 0x09, 0x87, 0xa7 };

static void txn_vector(struct txn *t, const char *id)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	memcpy(t->k, v_k, 16);
	memcpy(t->opc, v_opc, 16);
	t->version = 1;
	memcpy(t->txid, v_txid, 8);
	memcpy(t->rand, v_rand, 16);
	t->sqn = 0xa3;			/* SEQ 5, IND 3 */
	t->amf = 0x0080;
	memcpy(t->sk_n, v_sk_n, 32);
	net_notice(t);
}

struct answer {
	int err;
	uint8_t blob[1024];
	size_t blob_len;
	uint64_t generation;
	uint8_t msg[SUBCRED_WIRE_MAX_LEN];
	size_t msg_len;
};

static void answer_of(struct genl_msg *r, struct answer *a)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	genl_parse(&r->nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_BLOB]) {
		a->blob_len = tb[SUBCRED_A_BLOB]->nla_len - NLA_HDRLEN;
		memcpy(a->blob, (char *)tb[SUBCRED_A_BLOB] + NLA_HDRLEN,
		       a->blob_len);
	}
	if (tb[SUBCRED_A_GENERATION])
		a->generation = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_MSG]) {
		a->msg_len = tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN;
		memcpy(a->msg, (char *)tb[SUBCRED_A_MSG] + NLA_HDRLEN,
		       a->msg_len);
	}
}

static struct answer deliver(struct genl_sock *s, const uint8_t *msg,
			     size_t len)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(s, &m, SUBCRED_CMD_MSG, 0);
	genl_put(&m, SUBCRED_A_MSG, msg, len);
	a.err = genl_do(s, &m, &r);
	if (!a.err)
		answer_of(&r, &a);
	return a;
}

static struct answer persisted(struct genl_sock *s, const char *id,
			       uint64_t gen)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(s, &m, SUBCRED_CMD_PERSISTED, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put_u64(&m, SUBCRED_A_GENERATION, gen);
	a.err = genl_do(s, &m, &r);
	if (!a.err)
		answer_of(&r, &a);
	return a;
}

static struct answer blob_cmd(struct genl_sock *s, uint8_t cmd,
			      const char *id, const uint8_t *blob,
			      size_t len)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(s, &m, cmd, 0);
	if (id)
		genl_put_str(&m, SUBCRED_A_ID, id);
	if (blob)
		genl_put(&m, SUBCRED_A_BLOB, blob, len);
	a.err = genl_do(s, &m, &r);
	if (!a.err)
		answer_of(&r, &a);
	return a;
}

/* An ordinary AKA run: 1 if the device's RES matches, 0 if not, -errno. */
static int aka(struct genl_sock *s, const char *id, const uint8_t *k,
	       const uint8_t *opc, uint64_t sqn)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	uint8_t rand[16], autn[16], xres[8];
	struct genl_msg m, r;
	int err;

	net_aka_vector(k, opc, sqn, rand, autn, xres);
	genl_msg_init(s, &m, SUBCRED_CMD_AKA, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_RAND, rand, 16);
	genl_put(&m, SUBCRED_A_AUTN, autn, 16);
	err = genl_do(s, &m, &r);
	if (err)
		return err;
	genl_parse(&r.nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_RES])
		return -ERANGE;
	return !memcmp((char *)tb[SUBCRED_A_RES] + NLA_HDRLEN, xres, 8);
}

static int provision(struct genl_sock *s, const char *id, uint32_t version)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_K, v_k, 16);
	genl_put(&m, SUBCRED_A_OPC, v_opc, 16);
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, version);
	return genl_do(s, &m, NULL);
}

static uint32_t cred_u32(struct genl_sock *s, const char *id, int attr)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m, r;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	if (genl_do(s, &m, &r))
		return ~0U;
	genl_parse(&r.nlh, tb, SUBCRED_A_MAX);
	return tb[attr] ? genl_attr_u32(tb[attr]) : ~0U;
}

/* A per-credential counter (SUBCRED_A_STATS), or ~0 if missing. */
static uint64_t cred_stat(struct genl_sock *s, const char *id, int stat)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m, r;
	const char *p;
	int rem;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	if (genl_do(s, &m, &r))
		return ~0ULL;
	genl_parse(&r.nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_STATS])
		return ~0ULL;
	p = (const char *)tb[SUBCRED_A_STATS] + NLA_HDRLEN;
	rem = tb[SUBCRED_A_STATS]->nla_len - NLA_HDRLEN;
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		if (a->nla_type == stat && a->nla_len == NLA_HDRLEN + 8)
			return genl_attr_u64(a);
		p += NLA_ALIGN(a->nla_len);
		rem -= NLA_ALIGN(a->nla_len);
	}
	return ~0ULL;
}

/*
 * Wait up to @ms for event @event about @id on @ev: its milliseconds since
 * @since, or -1 on timeout.
 */
static long wait_event(struct genl_sock *ev, const char *id, uint32_t event,
		       int ms, const struct timespec *since)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct timespec now;
	struct genl_msg g;
	long spent;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - since->tv_sec) * 1000 +
			(now.tv_nsec - since->tv_nsec) / 1000000;
		if (spent >= ms || genl_recv_event(ev, &g, ms - spent))
			return -1;
		genl_parse(&g.nlh, tb, SUBCRED_A_MAX);
		if (tb[SUBCRED_A_EVENT] && tb[SUBCRED_A_ID] &&
		    genl_attr_u32(tb[SUBCRED_A_EVENT]) == event &&
		    !strcmp(genl_attr_str(tb[SUBCRED_A_ID]), id))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void del(struct genl_sock *s, const char *id)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_DEL, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_do(s, &m, NULL);
}

/* The master key that seals state, as the module parameter names it. */
static int32_t master_key(void)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	return syscall(__NR_add_key, "logon", "subcred:master", key,
		       sizeof(key), KEY_SPEC_SESSION_KEYRING);
}

FIXTURE(update) {
	struct genl_sock s;
	struct txn t;
};

FIXTURE_SETUP(update)
{
	ASSERT_EQ(0, genl_open(&self->s, SUBCRED_GENL_NAME));
	ASSERT_GT(master_key(), 0);
}

FIXTURE_TEARDOWN(update)
{
	del(&self->s, self->t.id);
	genl_close(&self->s);
}

/* NOTICE -> blob, PERSISTED -> RESPONSE, checked and keys derived. */
static void to_pending(struct __test_metadata *_metadata,
		       struct genl_sock *s, struct txn *t)
{
	struct answer a;

	a = deliver(s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", s->extack);
	ASSERT_GT(a.blob_len, 0);
	ASSERT_EQ(0, a.msg_len) TH_LOG("no message before the state is durable");
	a = persisted(s, t->id, a.generation);
	ASSERT_EQ(0, a.err) TH_LOG("%s", s->extack);
	ASSERT_GT(a.msg_len, 0);
	ASSERT_EQ(0, net_response(t, a.msg, a.msg_len));
}

/* Then CONFIRM -> blob, PERSISTED -> ACK, checked: on version 2. */
static void to_committed(struct __test_metadata *_metadata,
			 struct genl_sock *s, struct txn *t, uint8_t *confirm,
			 size_t *clen, struct answer *ack)
{
	*clen = net_confirm(t, 2, confirm);
	*ack = deliver(s, confirm, *clen);
	ASSERT_EQ(0, ack->err) TH_LOG("%s", s->extack);
	*ack = persisted(s, t->id, ack->generation);
	ASSERT_EQ(0, ack->err) TH_LOG("%s", s->extack);
	ASSERT_EQ(0, net_ack(t, ack->msg, ack->msg_len));
}

TEST_F(update, network_side_reproduces_the_vector)
{
	txn_vector(&self->t, V_ID);
	ASSERT_EQ(137, self->t.notice_len);
	EXPECT_EQ(0, memcmp(self->t.notice + 105, v_tag_n, 8));
}

TEST_F(update, full_update_then_only_the_new_key_works)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	size_t clen, ack_len;
	struct answer a, again;

	txn_vector(t, V_ID);
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	EXPECT_EQ(SUBCRED_STATE_PENDING,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));

	/* the same NOTICE again: the same RESPONSE, no second key */
	again = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, again.err);
	ASSERT_GT(again.msg_len, 0);
	EXPECT_EQ(0, net_response(t, again.msg, again.msg_len));

	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	ASSERT_GT(a.blob_len, 0);
	EXPECT_EQ(0, a.msg_len);
	EXPECT_EQ(SUBCRED_STATE_COMMITTING,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));
	EXPECT_EQ(1, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));

	a = persisted(&self->s, t->id, a.generation);
	ASSERT_EQ(0, a.err);
	ASSERT_GT(a.msg_len, 0);
	EXPECT_EQ(0, net_ack(t, a.msg, a.msg_len));
	memcpy(ack, a.msg, a.msg_len);
	ack_len = a.msg_len;
	EXPECT_EQ(2, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));
	EXPECT_EQ(SUBCRED_STATE_IDLE,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));

	/* CONFIRM of the last update again: the same ACK */
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(ack_len, a.msg_len);
	EXPECT_EQ(0, memcmp(ack, a.msg, ack_len));

	/* an ordinary AKA: the old key fails, the new one works */
	EXPECT_EQ(-EBADMSG, aka(&self->s, t->id, v_k, v_opc, 0x100));
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, 0x100));
	/* and its SQN cannot be replayed */
	EXPECT_EQ(-ERANGE, aka(&self->s, t->id, t->k_new, t->opc_new, 0x100));
}

TEST_F(update, notice_mac_failure_is_rejected_cause_1)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;

	txn_vector(t, "imsi-mac");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	t->notice[8 + strlen(t->id) + 8 + 1 + 4 + 16 + 15] ^= 1; /* MAC-A */
	net_notice_retag(t);
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_MSG_REJECT, m.type);
	EXPECT_EQ(SUBCRED_REJECT_MAC, m.reject.cause);
	EXPECT_EQ(0, net_tag_active(v_k, v_opc, t->id, "reject", t->txid, 8,
				    a.msg, a.msg_len));
	EXPECT_EQ(1, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));
}

TEST_F(update, notice_without_rekey_bit_is_rejected_cause_1)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;

	txn_vector(t, "imsi-amf");
	t->amf = 0x8000;		/* an ordinary AKA vector's AMF */
	net_notice(t);
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_REJECT_MAC, m.reject.cause);
}

TEST_F(update, notice_tag_failure_is_rejected_cause_2)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;

	txn_vector(t, "imsi-tagn");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	t->notice[t->notice_len - 1] ^= 0x80;
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_REJECT_TAG_N, m.reject.cause);
	EXPECT_EQ(0, net_tag_active(v_k, v_opc, t->id, "reject", t->txid, 8,
				    a.msg, a.msg_len));
	/* a forged NOTICE did not use up the SQN: the genuine one works */
	t->notice[t->notice_len - 1] ^= 0x80;
	to_pending(_metadata, &self->s, t);
}

TEST_F(update, wrong_key_version_is_rejected_cause_3)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;

	txn_vector(t, "imsi-version");
	t->version = 2;
	net_notice(t);
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_REJECT_VERSION, m.reject.cause);
}

TEST_F(update, low_order_ephemeral_key_is_rejected_cause_4)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;
	size_t pk = 8 + strlen("imsi-pk") + 8 + 1 + 4 + 16 + 16;

	txn_vector(t, "imsi-pk");
	memset(t->notice + pk, 0, 32);
	net_notice_retag(t);
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_REJECT_PK, m.reject.cause);
}

TEST_F(update, confirm_for_no_pending_is_rejected_cause_5)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	struct subcred_msg m;
	struct answer a;
	size_t clen;

	txn_vector(t, "imsi-notxn");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_MSG_REJECT, m.type);
	EXPECT_EQ(SUBCRED_REJECT_NO_TXN, m.reject.cause);
	EXPECT_EQ(0, net_tag_active(v_k, v_opc, t->id, "reject", t->txid, 8,
				    a.msg, a.msg_len));
}

TEST_F(update, forged_confirm_is_dropped)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	struct answer a;
	size_t clen;

	txn_vector(t, "imsi-forged");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	clen = net_confirm(t, 2, confirm);
	confirm[clen - 3] ^= 1;
	a = deliver(&self->s, confirm, clen);
	EXPECT_EQ(-EBADMSG, a.err);
	/* a wrong new_version with a valid tag too */
	clen = net_confirm(t, 3, confirm);
	a = deliver(&self->s, confirm, clen);
	EXPECT_EQ(-EBADMSG, a.err);
	EXPECT_EQ(SUBCRED_STATE_PENDING,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));
	/* the genuine one still works */
	to_committed(_metadata, &self->s, t, confirm, &clen, &a);
}

TEST_F(update, replayed_sqn_gets_sync)
{
	struct txn *t = &self->t;
	struct subcred_msg m;
	struct answer a;
	uint8_t sqn_ms[6];
	int i;

	txn_vector(t, "imsi-sync");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	/* a new transaction that reuses SQN 5||3 */
	t->txid[7] ^= 1;
	net_notice(t);
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	ASSERT_EQ(SUBCRED_MSG_SYNC, m.type);
	for (i = 0; i < 6; i++)
		sqn_ms[i] = m.sync.auts[i] ^ t->mil.ak_s[i];
	EXPECT_EQ(0, memcmp(sqn_ms, "\0\0\0\0\0\xa3", 6));
	/* resynchronised: SEQ 6 at IND 3 is accepted */
	t->sqn = (6 << 5) | 3;
	net_notice(t);
	to_pending(_metadata, &self->s, t);
}

TEST_F(update, malformed_unknown_and_wrong_direction)
{
	struct txn *t = &self->t;
	struct answer a;

	txn_vector(t, "imsi-nobody");
	a = deliver(&self->s, t->notice, t->notice_len);
	EXPECT_EQ(-ENOENT, a.err);
	a = deliver(&self->s, t->notice, t->notice_len - 1);
	EXPECT_EQ(-EBADMSG, a.err);
	EXPECT_STREQ("malformed message", self->s.extack);
	t->notice[3] = SUBCRED_MSG_RESPONSE;
	a = deliver(&self->s, t->notice, t->notice_len);
	EXPECT_EQ(-EBADMSG, a.err);	/* wrong length for a RESPONSE */
}

TEST_F(update, blobs_export_import_tamper_stale)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], old[1024];
	struct answer a, e, n;
	size_t clen, old_len;

	txn_vector(t, "imsi-blob");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	e = blob_cmd(&self->s, SUBCRED_CMD_CRED_EXPORT, t->id, NULL, 0);
	ASSERT_EQ(0, e.err) TH_LOG("%s", self->s.extack);
	memcpy(old, e.blob, e.blob_len);
	old_len = e.blob_len;
	EXPECT_EQ(NULL, memmem(old, old_len, v_k, 16));
	EXPECT_EQ(NULL, memmem(old, old_len, v_opc, 16));

	to_pending(_metadata, &self->s, t);
	to_committed(_metadata, &self->s, t, confirm, &clen, &a);

	n = blob_cmd(&self->s, SUBCRED_CMD_CRED_EXPORT, t->id, NULL, 0);
	ASSERT_EQ(0, n.err);
	/* the same state again: accepted, nothing changes */
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, t->id, n.blob,
		     n.blob_len);
	EXPECT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	/* older than the live state */
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, t->id, old, old_len);
	EXPECT_EQ(-ESTALE, a.err);
	EXPECT_STREQ("blob is older than the live state", self->s.extack);
	/* for another id */
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, "imsi-other", n.blob,
		     n.blob_len);
	EXPECT_EQ(-EINVAL, a.err);
	/* every truncation, and one octet more */
	for (size_t i = 0; i <= n.blob_len; i += (i < 40 ? 1 : 13)) {
		uint8_t big[1100];

		memcpy(big, n.blob, n.blob_len);
		big[n.blob_len] = 0;
		a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, big,
			     i == n.blob_len ? i + 1 : i);
		EXPECT_EQ(-EINVAL, a.err) TH_LOG("length %zu", i);
	}
	/* every byte tampered with */
	for (size_t i = 0; i < n.blob_len; i += 7) {
		n.blob[i] ^= 0x01;
		a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, n.blob,
			     n.blob_len);
		EXPECT_NE(0, a.err) TH_LOG("byte %zu", i);
		n.blob[i] ^= 0x01;
	}
	/* deleted, then restored from its blob: the new key works */
	del(&self->s, t->id);
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, n.blob,
		     n.blob_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	EXPECT_EQ(2, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, 0x200));
}

/*
 * The sealed state of protocol.md §8.1, opened and sealed again here under
 * this test's master key, so that states the module never seals can be
 * put to CRED_IMPORT.
 */
#define SEAL_PLAIN	437
#define SEAL_HDR(b)	(29 + (b)[4])		/* octets up to the ciphertext */
#define P_SQN		32
#define P_SEQ		40
#define P_TIMEOUT	300
#define P_TXID		312
#define P_ACK_LEN	320
#define P_ACK		321

static int seal_gcm(int enc, const uint8_t *blob, const uint8_t *in,
		    uint8_t *out, uint8_t *tag)
{
	uint8_t master[32], key[32];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	memset(master, 0x5a, sizeof(master));	/* master_key() */
	net_kdf(master, sizeof(master), "seal", NULL, 0, key);
	ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL,
				    enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key,
			       blob + SEAL_HDR(blob) - 12, enc) &&
	     EVP_CipherUpdate(c, NULL, &n, blob, SEAL_HDR(blob)) &&
	     EVP_CipherUpdate(c, out, &n, in, SEAL_PLAIN) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag)) &&
	     EVP_CipherFinal_ex(c, out + n, &n) &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* @plain sealed into @blob (header kept, a new IV). */
static void reseal(uint8_t *blob, const uint8_t *plain)
{
	uint8_t *ct = blob + SEAL_HDR(blob);

	blob[SEAL_HDR(blob) - 1] ^= 0x5a;	/* never the same IV twice */
	seal_gcm(1, blob, plain, ct, ct + SEAL_PLAIN);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

TEST_F(update, sealed_state_is_checked_on_open)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	uint8_t plain[SEAL_PLAIN], p[SEAL_PLAIN], blob[1024];
	struct answer a, n;
	size_t clen, ack_len, blob_len, ver;
	static const struct {
		const char *what;
		size_t at;
		int value;		/* -1: flip the low bit */
	} bad[] = {
		{ "LAST.ack_len beyond the largest ACK", P_ACK_LEN, 117 },
		{ "LAST.ack_len shorter than a tag", P_ACK_LEN, 31 },
		{ "LAST.ack_len not that of this id", P_ACK_LEN, 83 },
		{ "LAST.txid not the ACK's", P_TXID + 7, -1 },
		{ "ACK header flags", P_ACK + 7, 1 },
		{ "ACK type", P_ACK + 3, SUBCRED_MSG_CONFIRM },
		{ "ACK version not the key version", 0, -1 },	/* ver */
	};

	txn_vector(t, "imsi-seal");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	to_committed(_metadata, &self->s, t, confirm, &clen, &a);
	memcpy(ack, a.msg, a.msg_len);
	ack_len = a.msg_len;
	ver = P_ACK + 8 + strlen(t->id) + 8 + 3;

	n = blob_cmd(&self->s, SUBCRED_CMD_CRED_EXPORT, t->id, NULL, 0);
	ASSERT_EQ(0, n.err);
	blob_len = n.blob_len;
	ASSERT_EQ(482 + strlen(t->id), blob_len);
	memcpy(blob, n.blob, blob_len);
	ASSERT_EQ(0, seal_gcm(0, blob, blob + SEAL_HDR(blob), plain,
			      blob + blob_len - 16));
	/* LAST is the ACK that left, octet for octet */
	ASSERT_EQ(ack_len, plain[P_ACK_LEN]);
	EXPECT_EQ(0, memcmp(plain + P_ACK, ack, ack_len));
	EXPECT_EQ(0, memcmp(plain + P_TXID, v_txid, 8));

	/* sealed again here, unchanged: restored, and LAST answers */
	reseal(blob, plain);
	del(&self->s, t->id);
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, blob, blob_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(ack_len, a.msg_len);
	EXPECT_EQ(0, memcmp(ack, a.msg, ack_len));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t at = bad[i].at ? bad[i].at : ver;

		memcpy(p, plain, sizeof(p));
		if (bad[i].value < 0)
			p[at] ^= 1;
		else
			p[at] = bad[i].value;
		reseal(blob, p);
		del(&self->s, t->id);
		a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, blob,
			     blob_len);
		EXPECT_EQ(-EINVAL, a.err) TH_LOG("%s", bad[i].what);
		EXPECT_STREQ("blob holds an invalid state", self->s.extack);
	}
	/* integers out of range */
	for (int i = 0; i < 5; i++) {
		memcpy(p, plain, sizeof(p));
		if (i == 0)
			put_be64(p + P_SEQ + 8 * 3, 1ULL << 43);
		else if (i == 1)
			put_be64(p + P_SEQ + 8 * 31, ~0ULL);
		else if (i == 2)
			put_be64(p + P_SQN, 1ULL << 48);
		else if (i == 3)	/* pending_timeout, BE32 */
			memcpy(p + P_TIMEOUT, "\x00\x01\x51\x81", 4);
		else
			memset(p + P_TIMEOUT, 0, 4);
		reseal(blob, p);
		del(&self->s, t->id);
		a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, blob,
			     blob_len);
		EXPECT_EQ(-EINVAL, a.err) TH_LOG("case %d", i);
		EXPECT_STREQ("blob holds an invalid state", self->s.extack);
	}
	/* no LAST, the padding ignored: restored; its CONFIRM is unknown */
	memcpy(p, plain, sizeof(p));
	p[P_ACK_LEN] = 0;
	reseal(blob, p);
	del(&self->s, t->id);
	a = blob_cmd(&self->s, SUBCRED_CMD_CRED_IMPORT, NULL, blob, blob_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", self->s.extack);
	EXPECT_EQ(2, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, 0x200));
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	ASSERT_GT(a.msg_len, 3);
	EXPECT_EQ(SUBCRED_MSG_REJECT, a.msg[3]);
}

TEST_F(update, no_master_key_no_answer)
{
	struct txn *t = &self->t;
	struct answer a;

	txn_vector(t, "imsi-nomaster");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	ASSERT_EQ(0, syscall(__NR_keyctl, KEYCTL_CLEAR,
			     KEY_SPEC_SESSION_KEYRING, 0, 0, 0));
	a = deliver(&self->s, t->notice, t->notice_len);
	EXPECT_EQ(-ENOKEY, a.err);
	EXPECT_EQ(0, a.msg_len);
	ASSERT_GT(master_key(), 0);
	/* the retransmitted NOTICE now goes through */
	to_pending(_metadata, &self->s, t);
}

/*
 * §5.6 and §6.5: PENDING passes its deadline (counted, event EXPIRED); the
 * late CONFIRM gets REJECT 5 for its txid under the old key, a late copy
 * of the NOTICE gets SYNC (its SQN stays used). The network aborts on that
 * REJECT and keeps the old key; the next update from it succeeds, and its
 * COMMITTING state does not expire.
 */
TEST_F(update, pending_expires)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], sqn_ms[6];
	struct timespec t0;
	struct genl_sock ev;
	struct subcred_msg m;
	struct genl_msg g;
	struct answer a;
	size_t clen;
	long ms;
	int i;

	txn_vector(t, "imsi-expire");
	ASSERT_EQ(0, genl_open(&ev, SUBCRED_GENL_NAME));
	ASSERT_EQ(0, genl_join_events(&ev));
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	genl_msg_init(&self->s, &g, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&g, SUBCRED_A_ID, t->id);
	genl_put_u32(&g, SUBCRED_A_PENDING_TIMEOUT, 1);
	ASSERT_EQ(0, genl_do(&self->s, &g, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	to_pending(_metadata, &self->s, t);
	ms = wait_event(&ev, t->id, SUBCRED_EVENT_EXPIRED, 10000, &t0);
	ASSERT_NE(-1, ms) TH_LOG("no EXPIRED event within 10 s");
	EXPECT_GE(ms, 1000) TH_LOG("expired %ld ms after the NOTICE", ms);
	EXPECT_EQ(SUBCRED_STATE_IDLE,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));
	EXPECT_EQ(1, cred_stat(&self->s, t->id, SUBCRED_STAT_EXPIRED));

	/* the late CONFIRM */
	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(0, a.blob_len);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_MSG_REJECT, m.type);
	EXPECT_EQ(SUBCRED_REJECT_NO_TXN, m.reject.cause);
	EXPECT_EQ(0, memcmp(m.txid, t->txid, 8));
	EXPECT_EQ(0, net_tag_active(v_k, v_opc, t->id, "reject", t->txid, 8,
				    a.msg, a.msg_len));
	EXPECT_EQ(1, cred_stat(&self->s, t->id, SUBCRED_STAT_REJECT_NO_TXN));
	EXPECT_EQ(1, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));

	/* a late copy of the NOTICE */
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, subcred_wire_parse(a.msg, a.msg_len, &m, NULL));
	EXPECT_EQ(SUBCRED_MSG_SYNC, m.type);
	for (i = 0; i < 6; i++)
		sqn_ms[i] = m.sync.auts[i] ^ t->mil.ak_s[i];
	EXPECT_EQ(0, memcmp(sqn_ms, "\0\0\0\0\0\xa3", 6));
	EXPECT_EQ(SUBCRED_STATE_IDLE,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));

	/* the network aborted, still on v1: a new update with the old key */
	t->txid[0] ^= 0xff;
	t->sqn = (6 << 5) | 4;
	net_notice(t);
	to_pending(_metadata, &self->s, t);
	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	ASSERT_GT(a.blob_len, 0);
	/* COMMITTING outlives the deadline */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, wait_event(&ev, t->id, SUBCRED_EVENT_EXPIRED, 2500,
				 &t0));
	EXPECT_EQ(SUBCRED_STATE_COMMITTING,
		  cred_u32(&self->s, t->id, SUBCRED_A_STATE));
	EXPECT_EQ(1, cred_stat(&self->s, t->id, SUBCRED_STAT_EXPIRED));
	a = persisted(&self->s, t->id, a.generation);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(0, net_ack(t, a.msg, a.msg_len));
	EXPECT_EQ(2, cred_u32(&self->s, t->id, SUBCRED_A_KEY_VERSION));
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, 0x400));
	genl_close(&ev);
}

TEST_F(update, request_on_key_age)
{
	struct txn *t = &self->t;
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_sock ev;
	struct subcred_msg m;
	struct genl_msg g;
	size_t len;

	txn_vector(t, "imsi-age");
	ASSERT_EQ(0, genl_open(&ev, SUBCRED_GENL_NAME));
	ASSERT_EQ(0, genl_join_events(&ev));
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	genl_msg_init(&self->s, &g, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&g, SUBCRED_A_ID, t->id);
	genl_put_u32(&g, SUBCRED_A_MAX_AGE, 1);
	ASSERT_EQ(0, genl_do(&self->s, &g, NULL));

	for (;;) {
		ASSERT_EQ(0, genl_recv_event(&ev, &g, 5000));
		genl_parse(&g.nlh, tb, SUBCRED_A_MAX);
		if (genl_attr_u32(tb[SUBCRED_A_EVENT]) == SUBCRED_EVENT_REQUEST)
			break;
	}
	ASSERT_NE(NULL, tb[SUBCRED_A_MSG]);
	len = tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN;
	ASSERT_EQ(0, subcred_wire_parse((uint8_t *)tb[SUBCRED_A_MSG] +
					NLA_HDRLEN, len, &m, NULL));
	EXPECT_EQ(SUBCRED_MSG_REQUEST, m.type);
	EXPECT_EQ(1, m.request.key_version);
	EXPECT_EQ(0, net_tag_active(v_k, v_opc, t->id, "request",
				    m.request.nonce, 16,
				    (uint8_t *)tb[SUBCRED_A_MSG] + NLA_HDRLEN,
				    len));
	/* backoff: no second REQUEST within the next second */
	EXPECT_EQ(-ETIMEDOUT, genl_recv_event(&ev, &g, 1000));
	genl_close(&ev);
}

/* Two authentic NOTICEs of different transactions race: one update wins. */
TEST_F(update, two_notices_race_one_update_wins)
{
	struct txn *t = &self->t, other;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	struct txn *txns[2] = { t, &other };
	struct answer a;
	int status, i, won = -1;
	pid_t pid[2];
	size_t clen;

	txn_vector(t, "imsi-race");
	other = *t;
	other.txid[0] ^= 0x80;
	other.sqn = (6 << 5) | 4;		/* another fresh SQN */
	other.sk_n[0] ^= 1;
	net_notice(&other);
	ASSERT_EQ(0, provision(&self->s, t->id, 1));

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i]) {
			struct genl_sock s;

			if (genl_open(&s, SUBCRED_GENL_NAME))
				_exit(2);
			a = deliver(&s, txns[i]->notice, txns[i]->notice_len);
			if (a.err || !a.blob_len)
				_exit(3);
			a = persisted(&s, txns[i]->id, a.generation);
			_exit(a.err ? 4 : 0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	/* exactly one transaction is pending: its CONFIRM commits */
	for (i = 0; i < 2; i++) {
		struct subcred_msg m;
		uint8_t resp[SUBCRED_WIRE_MAX_LEN];
		struct answer d;

		d = deliver(&self->s, txns[i]->notice, txns[i]->notice_len);
		if (d.err || !d.msg_len ||
		    subcred_wire_parse(d.msg, d.msg_len, &m, NULL) ||
		    m.type != SUBCRED_MSG_RESPONSE)
			continue;
		memcpy(resp, d.msg, d.msg_len);
		ASSERT_EQ(0, net_response(txns[i], resp, d.msg_len));
		EXPECT_EQ(-1, won) TH_LOG("both transactions answered");
		won = i;
	}
	ASSERT_NE(-1, won);
	clen = net_confirm(txns[!won], 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(0, a.blob_len) TH_LOG("the loser's CONFIRM must not commit");
	clen = net_confirm(txns[won], 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	a = persisted(&self->s, t->id, a.generation);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(0, net_ack(txns[won], a.msg, a.msg_len));
	EXPECT_EQ(1, aka(&self->s, t->id, txns[won]->k_new,
			 txns[won]->opc_new, 0x300));
}

TEST_F(update, delete_while_pending_and_committing)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	struct answer a;
	size_t clen;

	txn_vector(t, "imsi-gone");
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	del(&self->s, t->id);
	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	EXPECT_EQ(-ENOENT, a.err);

	/* again, deleted after the CONFIRM's state was handed out */
	ASSERT_EQ(0, provision(&self->s, t->id, 1));
	to_pending(_metadata, &self->s, t);
	clen = net_confirm(t, 2, confirm);
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	ASSERT_GT(a.blob_len, 0);
	del(&self->s, t->id);
	a = persisted(&self->s, t->id, a.generation);
	EXPECT_EQ(-ENOENT, a.err);
	EXPECT_EQ(0, a.msg_len) TH_LOG("no ACK for a deleted credential");
	/* and the id can be provisioned anew */
	EXPECT_EQ(0, provision(&self->s, t->id, 1));
}

TEST_HARNESS_MAIN
