// SPDX-License-Identifier: GPL-2.0
/*
 * Every field of the device-bound messages mutated (Documentation/
 * protocol.md §3.3, §5.2, §5.3). A genuine NOTICE or CONFIRM is built by
 * the OpenSSL network side (network.c); then every octet of it with each
 * of its 8 bits flipped, every field one octet shorter and one octet longer,
 * the id one character shorter and longer with consistent lengths, and
 * body fields flipped and re-tagged, go in through SUBCRED_CMD_MSG in each
 * state of the credential: IDLE, PENDING, COMMITTING, and after the commit.
 *
 * For each mutant the outcome is derived from the protocol (a §3.3 parser
 * written here from the tables, and the step order of §5.2 and §5.3) and
 * asserted exactly: the errno and extended ack of a drop, or the REJECT
 * cause with its TAG_J, the SYNC with its AUTS, the cached ACK. The per-
 * credential counter of that outcome must move by one and nothing else of
 * the credential (state, key version, SQN_MS, generation, policy, the other
 * counters); then the genuine message must still complete the update.
 *
 * A message that does not parse, or names no credential, cannot be counted
 * per credential (protocol.md §5.1 dispatch, §10 #11): the kernel has no
 * global counter, the agent gets -EBADMSG / -ENOENT with an extended ack
 * and logs it. For those the errno and the extended ack are asserted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include <linux/subcred.h>
#include "genl.h"
#include "network.h"
#include "kselftest_harness.h"

/* K and OPc of the protocol-v1 vector (selftests/vectors/protocol-v1.txt) */
static const uint8_t v_k[16] = {
	0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
	0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
static const uint8_t v_opc[16] = {
	0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
	0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };

#define MAX_FAILS_LOGGED 10

/* ---- netlink helpers ---- */

struct answer {
	int err;
	size_t blob_len;
	uint64_t generation;
	uint8_t msg[SUBCRED_WIRE_MAX_LEN];
	size_t msg_len;
};

static void answer_of(struct genl_msg *r, struct answer *a)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	genl_parse(&r->nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_BLOB])
		a->blob_len = tb[SUBCRED_A_BLOB]->nla_len - NLA_HDRLEN;
	if (tb[SUBCRED_A_GENERATION])
		a->generation = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_MSG]) {
		a->msg_len = tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN;
		if (a->msg_len > sizeof(a->msg))
			a->msg_len = sizeof(a->msg);
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

static int provision(struct genl_sock *s, const char *id)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_K, v_k, 16);
	genl_put(&m, SUBCRED_A_OPC, v_opc, 16);
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, 1);
	return genl_do(s, &m, NULL);
}

static void del(struct genl_sock *s, const char *id)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_DEL, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_do(s, &m, NULL);
}

static int32_t master_key(void)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	return syscall(__NR_add_key, "logon", "subcred:master", key,
		       sizeof(key), KEY_SPEC_SESSION_KEYRING);
}

/* The credential as SUBCRED_CMD_CRED_GET shows it, less its age. */
struct snap {
	uint32_t version, state, max_age, pending_timeout;
	uint64_t sqn, generation;
	uint64_t stats[SUBCRED_STAT_MAX + 1];
};

static int snap_of(struct genl_sock *s, const char *id, struct snap *sn)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m, r;
	const char *p;
	int err, rem;

	memset(sn, 0, sizeof(*sn));
	genl_msg_init(s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	err = genl_do(s, &m, &r);
	if (err)
		return err;
	genl_parse(&r.nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_KEY_VERSION] || !tb[SUBCRED_A_STATE] ||
	    !tb[SUBCRED_A_SQN] || !tb[SUBCRED_A_GENERATION] ||
	    !tb[SUBCRED_A_MAX_AGE] || !tb[SUBCRED_A_PENDING_TIMEOUT] ||
	    !tb[SUBCRED_A_STATS])
		return -EPROTO;
	sn->version = genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]);
	sn->state = genl_attr_u32(tb[SUBCRED_A_STATE]);
	sn->max_age = genl_attr_u32(tb[SUBCRED_A_MAX_AGE]);
	sn->pending_timeout = genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]);
	sn->sqn = genl_attr_u64(tb[SUBCRED_A_SQN]);
	sn->generation = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	p = (const char *)tb[SUBCRED_A_STATS] + NLA_HDRLEN;
	rem = tb[SUBCRED_A_STATS]->nla_len - NLA_HDRLEN;
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return -EPROTO;
		if (a->nla_type <= SUBCRED_STAT_MAX &&
		    a->nla_type != SUBCRED_STAT_PAD &&
		    a->nla_len == NLA_HDRLEN + 8)
			sn->stats[a->nla_type] = genl_attr_u64(a);
		p += NLA_ALIGN(a->nla_len);
		rem -= NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* ---- the messages, field by field (§3.1, §3.2) ---- */

enum fclass {
	C_HEADER,		/* magic, version, type, length, id_len, flags */
	C_ID,
	C_TXID,
	C_REASON,
	C_KEY_VERSION,
	C_RAND,
	C_AUTN,
	C_PK,
	C_NEW_VERSION,
	C_TAG,
};

struct field {
	const char *name;
	enum fclass cls;
	size_t off, len;
};

#define MAX_FIELDS 16

static int fields_of(uint8_t type, size_t l, struct field *f)
{
	int n = 0;

#define FIELD(nm, c, o, len) (f[n++] = (struct field){ nm, c, o, len })
	FIELD("magic", C_HEADER, 0, 2);
	FIELD("version", C_HEADER, 2, 1);
	FIELD("type", C_HEADER, 3, 1);
	FIELD("length", C_HEADER, 4, 2);
	FIELD("id_len", C_HEADER, 6, 1);
	FIELD("flags", C_HEADER, 7, 1);
	FIELD("id", C_ID, 8, l);
	FIELD("txid", C_TXID, 8 + l, 8);
	if (type == SUBCRED_MSG_NOTICE) {
		FIELD("reason", C_REASON, 16 + l, 1);
		FIELD("key_version", C_KEY_VERSION, 17 + l, 4);
		FIELD("RAND", C_RAND, 21 + l, 16);
		FIELD("AUTN.SQN^AK", C_AUTN, 37 + l, 6);
		FIELD("AUTN.AMF", C_AUTN, 43 + l, 2);
		FIELD("AUTN.MAC-A", C_AUTN, 45 + l, 8);
		FIELD("PK_N", C_PK, 53 + l, 32);
		FIELD("TAG_N", C_TAG, 85 + l, 32);
	} else {
		FIELD("new_version", C_NEW_VERSION, 16 + l, 4);
		FIELD("TAG_C", C_TAG, 20 + l, 32);
	}
#undef FIELD
	return n;
}

static int id_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * §3.3 from the tables of §3.1, independent of kmod/wire.c: the type of
 * the message if @b parses, else 0.
 */
static int spec_type(const uint8_t *b, size_t len)
{
	static const size_t body[8] = { 0, 69, 40, 4, 4, 14, 1, 21 };
	size_t l, want, i;
	uint8_t t, v;

	if (len < 8 || b[0] != 0x53 || b[1] != 0x43 || b[2] != 1)
		return 0;
	t = b[3];
	if (t < 1 || t > 7 || b[7])
		return 0;
	l = b[6];
	if (l < 1 || l > 64)
		return 0;
	want = 16 + l + body[t] + (t == 5 ? 0 : 32);
	if ((size_t)(b[4] << 8 | b[5]) != want || len != want)
		return 0;
	for (i = 0; i < l; i++)
		if (!id_char(b[8 + i]))
			return 0;
	v = b[16 + l];
	if ((t == 1 || t == 7) && (v < 1 || v > 3))
		return 0;
	if (t == 6 && (v < 1 || v > 5))
		return 0;
	return t;
}

struct mutant {
	uint8_t buf[SUBCRED_WIRE_MAX_LEN + 2];
	size_t len;
	const struct field *f;
	int retagged;
	char what[96];
};

/* ---- expected outcomes ---- */

enum outcome {
	O_MALFORMED,		/* -EBADMSG, "malformed message" */
	O_WRONG_TYPE,		/* -EOPNOTSUPP */
	O_UNKNOWN_ID,		/* -ENOENT, "no credential with this id" */
	O_REJECT,		/* REJECT cause, TAG_J under the ACTIVE key */
	O_SYNC,			/* SYNC, AUTS with SQN_MS */
	O_DROPPED,		/* CONFIRM §5.3 step 3: -EBADMSG, silent */
	O_BUSY,			/* NOTICE while COMMITTING: -EBUSY */
	O_CACHED_ACK,		/* CONFIRM §5.3 step 1: LAST's ACK */
	O_UNPREDICTED,
};

static const char *const outcome_name[] = {
	"malformed", "wrong type", "unknown id", "REJECT", "SYNC",
	"dropped", "busy", "cached ACK", "unpredicted",
};

struct expect {
	enum outcome o;
	uint8_t cause;
};

static struct expect ex(enum outcome o, uint8_t cause)
{
	return (struct expect){ o, cause };
}

enum scene_kind { S_IDLE, S_PENDING, S_COMMITTING, S_COMMITTED };

struct scene {
	enum scene_kind kind;
	const char *id;
	uint8_t type;			/* of the genuine message */
	const uint8_t *k, *opc;		/* ACTIVE key: TAG_J, AUTS */
	uint64_t sqn_ms;		/* what a SYNC reports */
	const uint8_t *ack;		/* LAST's ACK */
	size_t ack_len;
	const struct txn *t;		/* for re-tagging */
};

static struct expect expect_of(const struct scene *sc,
			       const struct mutant *mu)
{
	size_t l = strlen(sc->id);
	enum fclass c = mu->f->cls;
	int t = spec_type(mu->buf, mu->len);

	if (!t)
		return ex(O_MALFORMED, 0);
	if (t != SUBCRED_MSG_NOTICE && t != SUBCRED_MSG_CONFIRM)
		return ex(O_WRONG_TYPE, 0);
	if (mu->buf[6] != l || memcmp(mu->buf + 8, sc->id, l))
		return ex(O_UNKNOWN_ID, 0);
	if (t != sc->type)
		return ex(O_UNPREDICTED, 0);

	if (t == SUBCRED_MSG_NOTICE) {
		switch (sc->kind) {
		case S_IDLE:
			/* §5.2 steps 4, 5: rekey bit, MAC-A over RAND, AUTN */
			if (c == C_RAND || c == C_AUTN)
				return ex(O_REJECT, 1);
			/* step 8, reached only with a valid TAG_N */
			if (mu->retagged && c == C_KEY_VERSION)
				return ex(O_REJECT, 3);
			/* step 7: TAG_N covers all; K_auth binds the txid */
			return ex(O_REJECT, 2);
		case S_PENDING:
			if (c == C_RAND || c == C_AUTN)
				return ex(O_REJECT, 1);
			/* step 6 before 7: the SQN is used already */
			return ex(O_SYNC, 0);
		case S_COMMITTING:
			/* step 2 does not match (another hash): step 3 */
			return ex(O_BUSY, 0);
		default:
			return ex(O_UNPREDICTED, 0);
		}
	}
	/* CONFIRM: §5.3 step 1 LAST.txid, step 2 PENDING.txid, step 3 */
	if (c == C_TXID)
		return ex(O_REJECT, 5);
	if (sc->kind == S_COMMITTED)
		return ex(O_CACHED_ACK, 0);
	if (sc->kind == S_PENDING || sc->kind == S_COMMITTING)
		return ex(O_DROPPED, 0);
	return ex(O_UNPREDICTED, 0);
}

static int stat_of(struct expect e)
{
	switch (e.o) {
	case O_REJECT:
		return SUBCRED_STAT_REJECT_MAC + e.cause - 1;
	case O_SYNC:
		return SUBCRED_STAT_SYNC;
	case O_DROPPED:
	case O_BUSY:
		return SUBCRED_STAT_DROPPED;
	case O_CACHED_ACK:
		return SUBCRED_STAT_DUPLICATE;
	default:
		return 0;
	}
}

static void be48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		p[i] = v;
}

/* The answer of a message the device answers: REJECT, SYNC, cached ACK. */
static const char *check_reply(const struct scene *sc,
			       const struct mutant *mu, struct expect e,
			       const struct answer *a)
{
	size_t l = strlen(sc->id);
	const uint8_t *txid = mu->buf + 8 + l;
	struct subcred_msg m;

	if (a->err)
		return "an error instead of an answer";
	if (a->blob_len)
		return "a blob: the state changed";
	if (e.o == O_CACHED_ACK)
		return a->msg_len == sc->ack_len &&
		       !memcmp(a->msg, sc->ack, sc->ack_len) ? NULL :
		       "not the cached ACK";
	if (!a->msg_len || subcred_wire_parse(a->msg, a->msg_len, &m, NULL))
		return "no well-formed answer";
	if (strcmp(m.id, sc->id) || memcmp(m.txid, txid, 8))
		return "answer not for the id and txid received";
	if (e.o == O_REJECT) {
		if (m.type != SUBCRED_MSG_REJECT)
			return "not a REJECT";
		if (m.reject.cause != e.cause)
			return "wrong REJECT cause";
		if (net_tag_active(sc->k, sc->opc, sc->id, "reject", txid, 8,
				   a->msg, a->msg_len))
			return "TAG_J not under the active key";
		return NULL;
	}
	if (e.o == O_SYNC) {
		const uint8_t *rand = mu->buf + 21 + l;
		uint8_t sqn[6], want[6], zero[6] = { 0 };
		struct milenage mil;
		int i;

		if (m.type != SUBCRED_MSG_SYNC)
			return "not a SYNC";
		net_milenage(sc->k, sc->opc, rand, zero, zero, &mil);
		for (i = 0; i < 6; i++)
			sqn[i] = m.sync.auts[i] ^ mil.ak_s[i];
		be48(want, sc->sqn_ms);
		if (memcmp(sqn, want, 6))
			return "AUTS does not carry SQN_MS";
		net_milenage(sc->k, sc->opc, rand, sqn, zero, &mil);
		if (memcmp(m.sync.auts + 6, mil.mac_s, 8))
			return "MAC-S invalid";
		return NULL;
	}
	return "unexpected answer";
}

static char why_buf[512];

/*
 * Send @mu, check its outcome and that nothing but the counter of that
 * outcome changed (@sn: the snapshot before, updated). NULL if all holds.
 */
static const char *try_mutant(struct genl_sock *s, const struct scene *sc,
			      const struct mutant *mu, struct snap *sn)
{
	struct expect e = expect_of(sc, mu);
	const char *why = NULL;
	struct snap after;
	struct answer a;
	int stat;

	if (e.o == O_UNPREDICTED)
		return "no outcome derived for this mutant";
	a = deliver(s, mu->buf, mu->len);
	switch (e.o) {
	case O_MALFORMED:
		if (a.err != -EBADMSG || strcmp(s->extack, "malformed message"))
			why = "not dropped as malformed";
		break;
	case O_WRONG_TYPE:
		if (a.err != -EOPNOTSUPP)
			why = "not dropped as a wrong type";
		break;
	case O_UNKNOWN_ID:
		if (a.err != -ENOENT ||
		    strcmp(s->extack, "no credential with this id"))
			why = "not dropped as an unknown id";
		break;
	case O_DROPPED:
		if (a.err != -EBADMSG ||
		    strcmp(s->extack,
			   "CONFIRM tag or version does not verify: dropped"))
			why = "CONFIRM not dropped silently";
		break;
	case O_BUSY:
		if (a.err != -EBUSY ||
		    strcmp(s->extack,
			   "an update is being committed: NOTICE dropped"))
			why = "NOTICE not dropped while committing";
		break;
	default:
		why = check_reply(sc, mu, e, &a);
		break;
	}
	if (a.err && (a.msg_len || a.blob_len))
		why = "an answer with an error";
	if (why) {
		snprintf(why_buf, sizeof(why_buf),
			 "%s: want %s %u, got errno %d '%s', %zu-octet message",
			 why, outcome_name[e.o], e.cause, a.err, s->extack,
			 a.msg_len);
		snap_of(s, sc->id, sn);	/* one failure, not a cascade */
		return why_buf;
	}
	if (snap_of(s, sc->id, &after))
		return "CRED_GET failed";
	stat = stat_of(e);
	if (stat)
		sn->stats[stat]++;
	if (memcmp(sn, &after, sizeof(after))) {
		snprintf(why_buf, sizeof(why_buf),
			 "state, version, SQN, generation or a counter changed "
			 "(want only %s counted)", outcome_name[e.o]);
		*sn = after;
		return why_buf;
	}
	return NULL;
}

struct tally {
	int mutants, fails;
	int by_outcome[O_UNPREDICTED + 1];
};

static void run_one(struct __test_metadata *_metadata, struct genl_sock *s,
		    const struct scene *sc, const struct mutant *mu,
		    struct snap *sn, struct tally *ty)
{
	const char *why = try_mutant(s, sc, mu, sn);

	ty->mutants++;
	ty->by_outcome[expect_of(sc, mu).o]++;
	if (!why)
		return;
	if (++ty->fails <= MAX_FAILS_LOGGED)
		TH_LOG("%s: %s", mu->what, why);
}

/* TAG_N again over the mutated NOTICE, with the transaction's K_auth. */
static void retag_notice(const struct txn *t, struct mutant *mu)
{
	struct buf in = { mu->buf, mu->len - 32 };
	uint8_t tag[32];

	net_hmac(t->k_auth, 32, &in, 1, tag);
	memcpy(mu->buf + mu->len - 32, tag, 32);
}

/*
 * Every mutant of the genuine @msg in scene @sc: bit flips, fields one
 * octet shorter and longer, the id shorter and longer with consistent
 * lengths, re-tagged body flips.
 */
static void mutate_all(struct __test_metadata *_metadata,
		       struct genl_sock *s, const struct scene *sc,
		       const uint8_t *msg, size_t len, struct tally *ty)
{
	struct field f[MAX_FIELDS];
	size_t l = strlen(sc->id), sum = 0, o;
	struct snap sn;
	struct mutant mu;
	int n, i, bit;

	n = fields_of(sc->type, l, f);
	for (i = 0; i < n; i++)
		sum += f[i].len;
	ASSERT_EQ(len, sum) TH_LOG("the field table covers the message");
	ASSERT_EQ(0, snap_of(s, sc->id, &sn));

	for (i = 0; i < n; i++) {
		memset(&mu, 0, sizeof(mu));
		mu.f = &f[i];

		/* each octet, each bit */
		for (o = f[i].off; o < f[i].off + f[i].len; o++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(mu.buf, msg, len);
				mu.len = len;
				mu.buf[o] ^= 1 << bit;
				snprintf(mu.what, sizeof(mu.what),
					 "%s octet %zu bit %d flipped",
					 f[i].name, o, bit);
				run_one(_metadata, s, sc, &mu, &sn, ty);
			}
		}

		/* one octet shorter: its last octet removed */
		o = f[i].off + f[i].len - 1;
		memcpy(mu.buf, msg, o);
		memcpy(mu.buf + o, msg + o + 1, len - o - 1);
		mu.len = len - 1;
		snprintf(mu.what, sizeof(mu.what), "%s one octet shorter",
			 f[i].name);
		run_one(_metadata, s, sc, &mu, &sn, ty);

		/* one octet longer: its last octet twice */
		memcpy(mu.buf, msg, o + 1);
		memcpy(mu.buf + o + 1, msg + o, len - o);
		mu.len = len + 1;
		snprintf(mu.what, sizeof(mu.what), "%s one octet longer",
			 f[i].name);
		run_one(_metadata, s, sc, &mu, &sn, ty);

		if (f[i].cls == C_ID) {
			/* consistent: id_len and length follow */
			o = f[i].off + f[i].len - 1;
			memcpy(mu.buf, msg, o);
			memcpy(mu.buf + o, msg + o + 1, len - o - 1);
			mu.len = len - 1;
			mu.buf[5] = mu.len;
			mu.buf[6] = l - 1;
			snprintf(mu.what, sizeof(mu.what),
				 "id one character shorter, lengths adjusted");
			run_one(_metadata, s, sc, &mu, &sn, ty);

			memcpy(mu.buf, msg, o + 1);
			mu.buf[o + 1] = 'x';
			memcpy(mu.buf + o + 2, msg + o + 1, len - o - 1);
			mu.len = len + 1;
			mu.buf[5] = mu.len;
			mu.buf[6] = l + 1;
			snprintf(mu.what, sizeof(mu.what),
				 "id one character longer, lengths adjusted");
			run_one(_metadata, s, sc, &mu, &sn, ty);
		}

		/* a valid tag over a wrong field: the procedure's own check */
		if (sc->type == SUBCRED_MSG_NOTICE && sc->kind == S_IDLE &&
		    (f[i].cls == C_KEY_VERSION || f[i].cls == C_RAND ||
		     f[i].cls == C_AUTN)) {
			mu.retagged = 1;
			for (o = f[i].off; o < f[i].off + f[i].len; o++) {
				for (bit = 0; bit < 8; bit++) {
					memcpy(mu.buf, msg, len);
					mu.len = len;
					mu.buf[o] ^= 1 << bit;
					retag_notice(sc->t, &mu);
					snprintf(mu.what, sizeof(mu.what),
						 "%s octet %zu bit %d flipped, "
						 "TAG_N valid", f[i].name, o,
						 bit);
					run_one(_metadata, s, sc, &mu, &sn,
						ty);
				}
			}
			mu.retagged = 0;
		}
		if (sc->type == SUBCRED_MSG_CONFIRM &&
		    f[i].cls == C_NEW_VERSION) {
			mu.retagged = 1;
			for (bit = 0; bit < 32; bit++) {
				mu.len = net_confirm(sc->t,
						     (sc->t->version + 1) ^
						     (1U << bit), mu.buf);
				snprintf(mu.what, sizeof(mu.what),
					 "new_version bit %d flipped, TAG_C "
					 "valid", bit);
				run_one(_metadata, s, sc, &mu, &sn, ty);
			}
			mu.retagged = 0;
		}
	}
}

static void report(struct __test_metadata *_metadata, const char *what,
		   const struct tally *ty)
{
	char line[256];
	int i, n;

	n = snprintf(line, sizeof(line), "%s: %d mutants:", what,
		     ty->mutants);
	for (i = 0; i <= O_UNPREDICTED && n < (int)sizeof(line); i++)
		if (ty->by_outcome[i])
			n += snprintf(line + n, sizeof(line) - n, " %s %d",
				      outcome_name[i], ty->by_outcome[i]);
	TH_LOG("%s", line);
}

/* ---- the network's side of one update ---- */

/* Fixed "random" octets, so that a failure reproduces. */
static void pattern(uint8_t *p, int n, uint8_t seed)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = seed + 37 * i;
}

static void txn_init(struct txn *t, const char *id, const uint8_t *k,
		     const uint8_t *opc, uint32_t version, uint64_t sqn)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	memcpy(t->k, k, 16);
	memcpy(t->opc, opc, 16);
	t->version = version;
	pattern(t->txid, 8, 0x11 * version);
	pattern(t->rand, 16, 0x23 + version);
	pattern(t->sk_n, 32, 0x77 - version);
	t->sqn = sqn;
	t->amf = 0x0080;
	net_notice(t);
}

FIXTURE(mutate) {
	struct genl_sock s;
	char id[65];
	struct txn t;
	struct timespec t0;
};

FIXTURE_SETUP(mutate)
{
	ASSERT_EQ(0, genl_open(&self->s, SUBCRED_GENL_NAME));
	ASSERT_GT(master_key(), 0);
	clock_gettime(CLOCK_MONOTONIC, &self->t0);
}

FIXTURE_TEARDOWN(mutate)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("%.1f s", (t1.tv_sec - self->t0.tv_sec) +
	       (t1.tv_nsec - self->t0.tv_nsec) / 1e9);
	if (self->id[0])
		del(&self->s, self->id);
	genl_close(&self->s);
}

/* NOTICE -> blob, PERSISTED -> RESPONSE, checked; keeps the RESPONSE. */
static void to_pending(struct __test_metadata *_metadata,
		       struct genl_sock *s, struct txn *t, uint8_t *resp,
		       size_t *resp_len)
{
	struct answer a;

	a = deliver(s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err) TH_LOG("%s", s->extack);
	ASSERT_GT(a.blob_len, 0);
	ASSERT_EQ(0, a.msg_len);
	a = persisted(s, t->id, a.generation);
	ASSERT_EQ(0, a.err) TH_LOG("%s", s->extack);
	ASSERT_GT(a.msg_len, 0);
	ASSERT_EQ(0, net_response(t, a.msg, a.msg_len));
	if (resp) {
		memcpy(resp, a.msg, a.msg_len);
		*resp_len = a.msg_len;
	}
}

/* CONFIRM -> blob (COMMITTING); its generation. */
static uint64_t to_committing(struct __test_metadata *_metadata,
			      struct genl_sock *s, const struct txn *t,
			      uint8_t *confirm, size_t *clen)
{
	struct answer a;
	struct snap sn;

	*clen = net_confirm(t, t->version + 1, confirm);
	a = deliver(s, confirm, *clen);
	EXPECT_EQ(0, a.err) TH_LOG("%s", s->extack);
	EXPECT_GT(a.blob_len, 0);
	EXPECT_EQ(0, a.msg_len);
	EXPECT_EQ(0, snap_of(s, t->id, &sn));
	EXPECT_EQ(SUBCRED_STATE_COMMITTING, sn.state);
	return a.generation;
}

/* PERSISTED of the committing state: the ACK, the new key active. */
static void to_committed(struct __test_metadata *_metadata,
			 struct genl_sock *s, const struct txn *t, uint64_t gen,
			 uint8_t *ack, size_t *ack_len)
{
	struct answer a;
	struct snap sn;

	a = persisted(s, t->id, gen);
	ASSERT_EQ(0, a.err) TH_LOG("%s", s->extack);
	ASSERT_EQ(0, net_ack(t, a.msg, a.msg_len));
	memcpy(ack, a.msg, a.msg_len);
	*ack_len = a.msg_len;
	ASSERT_EQ(0, snap_of(s, t->id, &sn));
	EXPECT_EQ(t->version + 1, sn.version);
	EXPECT_EQ(SUBCRED_STATE_IDLE, sn.state);
}

/* An ordinary AKA with @k, @opc at @sqn: 1 if the device's RES matches. */
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

/*
 * A thousand mutants and more per test: seconds on Debian's kernels, minutes
 * on the debug kernel (KASAN, lockdep) under TCG and load; the harness's
 * default of 30 s would end them there.
 */
#define MUTATE_TIMEOUT	1200

#define SQN(seq, ind)	((uint64_t)(seq) << 5 | (ind))

/* IDLE: every NOTICE mutant refused; then the genuine NOTICE updates. */
TEST_F_TIMEOUT(mutate, notice_in_idle, MUTATE_TIMEOUT)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	size_t clen, ack_len;
	struct tally ty = { 0 };
	struct scene sc;
	uint64_t gen;

	snprintf(self->id, sizeof(self->id), "imsi-mut-idle");
	ASSERT_EQ(0, provision(&self->s, self->id));
	txn_init(t, self->id, v_k, v_opc, 1, SQN(5, 3));
	sc = (struct scene){ .kind = S_IDLE, .id = self->id,
			     .type = SUBCRED_MSG_NOTICE, .k = v_k,
			     .opc = v_opc, .t = t };
	mutate_all(_metadata, &self->s, &sc, t->notice, t->notice_len, &ty);
	report(_metadata, "NOTICE in IDLE", &ty);
	EXPECT_EQ(0, ty.fails);
	EXPECT_EQ(0, ty.by_outcome[O_UNPREDICTED]);
	/* every kind of refusal occurred */
	EXPECT_GT(ty.by_outcome[O_MALFORMED], 0);
	EXPECT_GT(ty.by_outcome[O_UNKNOWN_ID], 0);
	EXPECT_GT(ty.by_outcome[O_REJECT], 0);

	/* the genuine NOTICE: no SQN was used up, the update completes */
	to_pending(_metadata, &self->s, t, NULL, NULL);
	gen = to_committing(_metadata, &self->s, t, confirm, &clen);
	to_committed(_metadata, &self->s, t, gen, ack, &ack_len);
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, SQN(7, 0)));
}

/*
 * PENDING (RESPONSE released): NOTICE mutants get REJECT 1 or SYNC, CONFIRM
 * mutants REJECT 5 or a silent drop; PENDING survives all of them.
 */
TEST_F_TIMEOUT(mutate, notice_and_confirm_in_pending, MUTATE_TIMEOUT)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	uint8_t resp[SUBCRED_WIRE_MAX_LEN];
	size_t clen, ack_len, resp_len;
	struct tally ty = { 0 }, tc = { 0 };
	struct scene sc;
	struct answer a;
	uint64_t gen;

	snprintf(self->id, sizeof(self->id), "imsi-mut-pending");
	ASSERT_EQ(0, provision(&self->s, self->id));
	txn_init(t, self->id, v_k, v_opc, 1, SQN(5, 3));
	to_pending(_metadata, &self->s, t, resp, &resp_len);

	sc = (struct scene){ .kind = S_PENDING, .id = self->id,
			     .type = SUBCRED_MSG_NOTICE, .k = v_k,
			     .opc = v_opc, .sqn_ms = SQN(5, 3), .t = t };
	mutate_all(_metadata, &self->s, &sc, t->notice, t->notice_len, &ty);
	report(_metadata, "NOTICE in PENDING", &ty);
	EXPECT_EQ(0, ty.fails);
	EXPECT_GT(ty.by_outcome[O_SYNC], 0);
	EXPECT_GT(ty.by_outcome[O_REJECT], 0);

	clen = net_confirm(t, 2, confirm);
	sc.type = SUBCRED_MSG_CONFIRM;
	mutate_all(_metadata, &self->s, &sc, confirm, clen, &tc);
	report(_metadata, "CONFIRM in PENDING", &tc);
	EXPECT_EQ(0, tc.fails);
	EXPECT_GT(tc.by_outcome[O_DROPPED], 0);
	EXPECT_GT(tc.by_outcome[O_REJECT], 0);

	/* PENDING is the same one: the NOTICE again gets the same RESPONSE */
	a = deliver(&self->s, t->notice, t->notice_len);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(resp_len, a.msg_len);
	EXPECT_EQ(0, memcmp(resp, a.msg, resp_len));
	/* and the genuine CONFIRM commits */
	gen = to_committing(_metadata, &self->s, t, confirm, &clen);
	to_committed(_metadata, &self->s, t, gen, ack, &ack_len);
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, SQN(7, 0)));
}

/*
 * COMMITTING: NOTICE mutants are dropped (busy), CONFIRM mutants REJECT 5
 * (old key) or dropped; the commit completes with PERSISTED.
 */
TEST_F_TIMEOUT(mutate, notice_and_confirm_while_committing, MUTATE_TIMEOUT)
{
	struct txn *t = &self->t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	size_t clen, ack_len;
	struct tally ty = { 0 }, tc = { 0 };
	struct scene sc;
	struct answer a;
	uint64_t gen;

	snprintf(self->id, sizeof(self->id), "imsi-mut-commit");
	ASSERT_EQ(0, provision(&self->s, self->id));
	txn_init(t, self->id, v_k, v_opc, 1, SQN(5, 3));
	to_pending(_metadata, &self->s, t, NULL, NULL);
	gen = to_committing(_metadata, &self->s, t, confirm, &clen);

	sc = (struct scene){ .kind = S_COMMITTING, .id = self->id,
			     .type = SUBCRED_MSG_NOTICE, .k = v_k,
			     .opc = v_opc, .t = t };
	mutate_all(_metadata, &self->s, &sc, t->notice, t->notice_len, &ty);
	report(_metadata, "NOTICE while COMMITTING", &ty);
	EXPECT_EQ(0, ty.fails);
	EXPECT_GT(ty.by_outcome[O_BUSY], 0);

	sc.type = SUBCRED_MSG_CONFIRM;
	mutate_all(_metadata, &self->s, &sc, confirm, clen, &tc);
	report(_metadata, "CONFIRM while COMMITTING", &tc);
	EXPECT_EQ(0, tc.fails);
	EXPECT_GT(tc.by_outcome[O_DROPPED], 0);
	EXPECT_GT(tc.by_outcome[O_REJECT], 0);

	/* the genuine CONFIRM again: the committing state again */
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_GT(a.blob_len, 0);
	EXPECT_EQ(gen, a.generation);
	to_committed(_metadata, &self->s, t, gen, ack, &ack_len);
	EXPECT_EQ(1, aka(&self->s, t->id, t->k_new, t->opc_new, SQN(7, 0)));
}

/*
 * After the commit (LAST holds the txid): a CONFIRM mutant with the txid
 * intact gets the cached ACK (§5.3 step 1, no other check), one with
 * another txid REJECT 5 under the new key; a next update works.
 */
TEST_F_TIMEOUT(mutate, confirm_after_commit, MUTATE_TIMEOUT)
{
	struct txn *t = &self->t, next;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	uint8_t ack2[SUBCRED_WIRE_MAX_LEN];
	size_t clen, ack_len, ack2_len;
	struct tally tc = { 0 };
	struct scene sc;
	struct answer a;
	uint64_t gen;

	snprintf(self->id, sizeof(self->id), "imsi-mut-done");
	ASSERT_EQ(0, provision(&self->s, self->id));
	txn_init(t, self->id, v_k, v_opc, 1, SQN(5, 3));
	to_pending(_metadata, &self->s, t, NULL, NULL);
	gen = to_committing(_metadata, &self->s, t, confirm, &clen);
	to_committed(_metadata, &self->s, t, gen, ack, &ack_len);

	sc = (struct scene){ .kind = S_COMMITTED, .id = self->id,
			     .type = SUBCRED_MSG_CONFIRM, .k = t->k_new,
			     .opc = t->opc_new, .ack = ack, .ack_len = ack_len,
			     .t = t };
	mutate_all(_metadata, &self->s, &sc, confirm, clen, &tc);
	report(_metadata, "CONFIRM after the commit", &tc);
	EXPECT_EQ(0, tc.fails);
	EXPECT_GT(tc.by_outcome[O_CACHED_ACK], 0);
	EXPECT_GT(tc.by_outcome[O_REJECT], 0);

	/* the genuine CONFIRM: the same ACK */
	a = deliver(&self->s, confirm, clen);
	ASSERT_EQ(0, a.err);
	EXPECT_EQ(ack_len, a.msg_len);
	EXPECT_EQ(0, memcmp(ack, a.msg, ack_len));
	/* and the next update, from the new key */
	txn_init(&next, self->id, t->k_new, t->opc_new, 2, SQN(6, 4));
	to_pending(_metadata, &self->s, &next, NULL, NULL);
	gen = to_committing(_metadata, &self->s, &next, confirm, &clen);
	to_committed(_metadata, &self->s, &next, gen, ack2, &ack2_len);
	EXPECT_EQ(1, aka(&self->s, next.id, next.k_new, next.opc_new,
			 SQN(8, 0)));
}

TEST_HARNESS_MAIN
