// SPDX-License-Identifier: GPL-2.0
/*
 * Every field of every network-bound message mutated (protocol.md §3.3,
 * §6.3-§6.7), against hn_proto (what `serve` runs) on a temporary
 * database: RESPONSE, ACK, SYNC, REJECT and REQUEST, each made genuine by
 * the simulated device (tdev.c) in the state where it is evidence. Every
 * octet with each of its 8 bits flipped, every field one octet shorter and
 * one octet longer, the id one character shorter and longer with
 * consistent lengths. For each mutant the decision is derived from the
 * protocol (a §3.3 parser written here from the tables, and the checks of
 * §6) and asserted exactly: nothing is sent; the drop is recorded (the
 * "malformed" or "unknown_id" counter, the subscriber's "rejected" counter,
 * one audit row with the decision); the subscriber in the database is
 * unchanged (keys, version, SQN_HE, state, transaction, device address);
 * then the genuine message still does its work and both sides converge.
 *
 * The REJECT scene is also the network half of a device-side PENDING
 * expiry (§5.6, §6.5): the CONFIRM arrives late, the device answers
 * REJECT 5 under the old key, a late NOTICE copy draws a SYNC that is
 * ignored; no mutant of that REJECT aborts, the genuine one does, and a new
 * update from the old key succeeds.
 */
#include <stdio.h>
#include <string.h>

#include "hn_proto.h"
#include "hn_util.h"
#include "tap.h"
#include "tdev.h"
#include "thelp.h"

#define ID	"imsi-001010000000077"
#define DEV	"127.0.0.1:7306"
#define MUT	"192.0.2.9:9"	/* source of mutants: contact() would show */
#define TAG	SUBCRED_WIRE_TAG_LEN
#define MAX_FAILS_LOGGED 10

static const struct hn_cfg cfg = { 1000, 4000, 4 };

struct world {
	hn_db db;
	char path[256];
	struct tdev dev;
	struct hn_key k1;	/* provisioned key, version 1 */
	struct hn_result res;
	int64_t now;
	uint8_t notice[HN_MSG_MAX];	/* the first NOTICE sent */
	size_t notice_len;
	uint8_t confirm[HN_MSG_MAX];	/* the CONFIRM sent */
	size_t confirm_len;
};

static int setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	hn_random(w->k1.k, 16);
	hn_random(w->k1.opc, 16);
	w->now = 10000;
	tdev_init(&w->dev, ID, &w->k1, 1);
	if (th_db(&w->db, w->path, sizeof(w->path)))
		return -1;
	/*
	 * Thousands of one-transaction inputs: no fsync for each. What is
	 * under test here is the decisions; durability is test_fault's.
	 */
	if (sqlite3_exec(w->db.db, "PRAGMA synchronous=OFF", NULL, NULL,
			 NULL) != SQLITE_OK)
		return -1;
	return th_add(&w->db, ID, &w->k1, 1, 1, 0, DEV);
}

static void teardown(struct world *w)
{
	hn_db_close(&w->db);
	th_db_remove(w->path);
}

static int feed(struct world *w, const uint8_t *buf, size_t len,
		const char *from)
{
	w->now += 10;
	return hn_proto_input(&w->db, &cfg, buf, len, from, w->now, &w->res);
}

/* The device's answer to the network's output 0, or <= 0. */
static int device(struct world *w, uint8_t *ans)
{
	if (w->res.nout < 1)
		return -1;
	return tdev_input(&w->dev, w->res.out[0].buf, w->res.out[0].len,
			  ans);
}

/* rekey + timer: the NOTICE out. */
static int start(struct world *w)
{
	if (hn_proto_rekey(&w->db, ID, SUBCRED_REASON_PERIODIC, w->now,
			   &w->res) ||
	    hn_proto_timer(&w->db, &cfg, ID, w->now, &w->res) ||
	    w->res.nout != 1)
		return -1;
	memcpy(w->notice, w->res.out[0].buf, w->res.out[0].len);
	w->notice_len = w->res.out[0].len;
	return 0;
}

/* Up to the dual-key window: CONFIRM sent, not delivered. */
static int to_dual(struct world *w)
{
	uint8_t ans[HN_MSG_MAX];
	int n;

	if (start(w))
		return -1;
	n = device(w, ans);
	if (n <= 0 || feed(w, ans, n, DEV) ||
	    !hn_result_has(&w->res, HN_D_CONFIRM) || w->res.nout != 1)
		return -1;
	memcpy(w->confirm, w->res.out[0].buf, w->res.out[0].len);
	w->confirm_len = w->res.out[0].len;
	return 0;
}

static struct hn_sub sub;

static struct hn_sub *get(struct world *w)
{
	if (th_get(&w->db, ID, &sub) != 1)
		memset(&sub, 0, sizeof(sub));
	return &sub;
}

static int has_only(struct world *w, const struct hn_key *k, uint32_t v)
{
	struct hn_sub *s = get(w);

	return s->state == HN_IDLE && !s->has_txn && s->version == v &&
	       !memcmp(&s->key, k, sizeof(*k));
}

static int is_dual(struct world *w)
{
	struct hn_sub *s = get(w);

	return s->has_txn && s->txn.has_new && s->version == 1 &&
	       !memcmp(&s->key, &w->k1, sizeof(w->k1)) &&
	       s->state == HN_CONFIRM_SENT;
}

/* ---- what the network records ---- */

struct snap {
	struct hn_sub s;		/* less updated and rejected */
	uint64_t rejected;
	int64_t malformed, unknown_id, audit_rows;
};

static int64_t sql_int(struct world *w, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(w->db.db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The last audit row: its id ("" if NULL) and decision. */
static void audit_last(struct world *w, char *id, char *decision,
		       size_t size)
{
	sqlite3_stmt *st;

	id[0] = decision[0] = '\0';
	if (sqlite3_prepare_v2(w->db.db, "SELECT id, decision FROM audit "
			       "ORDER BY seq DESC LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *a = sqlite3_column_text(st, 0);
		const unsigned char *b = sqlite3_column_text(st, 1);

		snprintf(id, size, "%s", a ? (const char *)a : "");
		snprintf(decision, size, "%s", b ? (const char *)b : "");
	}
	sqlite3_finalize(st);
}

static void snap_of(struct world *w, struct snap *sn)
{
	memset(sn, 0, sizeof(*sn));
	if (th_get(&w->db, ID, &sn->s) != 1)
		memset(&sn->s, 0, sizeof(sn->s));
	sn->rejected = sn->s.rejected;
	sn->s.rejected = 0;
	sn->s.updated = 0;
	sn->malformed = hn_db_stat(&w->db, "malformed");
	sn->unknown_id = hn_db_stat(&w->db, "unknown_id");
	sn->audit_rows = sql_int(w, "SELECT count(*) FROM audit");
}

/* ---- the messages, field by field (§3.1, §3.2) ---- */

enum fclass { C_HEADER, C_ID, C_TXID, C_BODY, C_TAG };

struct field {
	const char *name;
	enum fclass cls;
	size_t off, len;
};

#define MAX_FIELDS 16

static int fields_of(int type, size_t l, struct field *f)
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
	switch (type) {
	case SUBCRED_MSG_RESPONSE:
		FIELD("RES", C_BODY, 16 + l, 8);
		FIELD("PK_D", C_BODY, 24 + l, 32);
		FIELD("TAG_D", C_TAG, 56 + l, 32);
		break;
	case SUBCRED_MSG_ACK:
		FIELD("new_version", C_BODY, 16 + l, 4);
		FIELD("TAG_A", C_TAG, 20 + l, 32);
		break;
	case SUBCRED_MSG_SYNC:
		FIELD("AUTS.SQN_MS^AK*", C_BODY, 16 + l, 6);
		FIELD("AUTS.MAC-S", C_BODY, 22 + l, 8);
		break;
	case SUBCRED_MSG_REJECT:
		FIELD("cause", C_BODY, 16 + l, 1);
		FIELD("TAG_J", C_TAG, 17 + l, 32);
		break;
	case SUBCRED_MSG_REQUEST:
		FIELD("reason", C_BODY, 16 + l, 1);
		FIELD("key_version", C_BODY, 17 + l, 4);
		FIELD("nonce", C_BODY, 21 + l, 16);
		FIELD("TAG_R", C_TAG, 37 + l, 32);
		break;
	}
#undef FIELD
	return n;
}

static int id_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* §3.3 from the tables, independent of wire.c: the type, or 0. */
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

/* ---- expected decisions ---- */

enum hout {
	H_MALFORMED,	/* drop; "malformed" counted; no audit row */
	H_NET_MSG,	/* a NOTICE or CONFIRM: drop, audit row */
	H_UNKNOWN_ID,	/* drop-unknown-id; "unknown_id" counted; audit row */
	H_REJECTED,	/* drop; the subscriber's "rejected" counted */
	H_IGNORE,	/* not for the current transaction; audit row */
	H_NO_CHANGE,	/* authenticated, no key change; audit row */
	H_UNPREDICTED,
};

static const char *const hout_name[] = {
	"malformed", "network message", "unknown id", "rejected", "ignored",
	"no change", "unpredicted",
};

static const enum hn_decision hout_decision[] = {
	HN_D_DROP, HN_D_DROP, HN_D_UNKNOWN_ID, HN_D_DROP, HN_D_IGNORE,
	HN_D_NO_CHANGE, HN_D_NONE,
};

struct scene {
	const char *name;
	int type;		/* of the genuine message */
	/*
	 * §6.3 (RESPONSE), §6.5 (ACK), §6.6 (SYNC): a message for another
	 * txid is not for the transaction. REJECT and REQUEST are checked
	 * by tag first (§6.7), and the tag covers the txid.
	 */
	int txid_ignored;
};

struct mutant {
	uint8_t buf[HN_MSG_MAX + 2];
	size_t len;
	const struct field *f;
	int retagged;		/* ACK new_version under a valid TAG_A */
	char what[96];
};

static enum hout expect_of(const struct scene *sc, const struct mutant *mu)
{
	size_t l = strlen(ID);
	int t = spec_type(mu->buf, mu->len);

	if (!t)
		return H_MALFORMED;
	if (mu->buf[6] != l || memcmp(mu->buf + 8, ID, l))
		return H_UNKNOWN_ID;
	if (t == SUBCRED_MSG_NOTICE || t == SUBCRED_MSG_CONFIRM)
		return H_NET_MSG;
	if (t != sc->type)
		return H_UNPREDICTED;
	if (mu->f->cls == C_TXID && sc->txid_ignored)
		return H_IGNORE;
	/* §6.5: an ACK with a valid TAG_A but not v+1 changes nothing */
	if (mu->retagged)
		return H_NO_CHANGE;
	/* RES, TAG_D, TAG_A, MAC-S, TAG_J, TAG_R cover every other octet */
	return H_REJECTED;
}

struct tally {
	int mutants, fails;
	int by[H_UNPREDICTED + 1];
};

static char why_buf[512];

/* Feed @mu; NULL if its outcome and record are exact, nothing else moved. */
static const char *try_mutant(struct world *w, const struct scene *sc,
			      const struct mutant *mu, struct snap *sn)
{
	enum hout e = expect_of(sc, mu);
	const char *from = mu->retagged ? DEV : MUT;
	char aid[HN_ID_MAX + 8], adec[HN_ID_MAX + 8];
	const char *why = NULL;
	struct snap after;
	int r;

	if (e == H_UNPREDICTED)
		return "no outcome derived for this mutant";
	r = feed(w, mu->buf, mu->len, from);
	snap_of(w, &after);
	audit_last(w, aid, adec, sizeof(aid));
	if (r)
		why = "hn_proto_input failed";
	else if (w->res.nout)
		why = "something was sent";
	else if (w->res.nev != 1 || w->res.ev[0].decision != hout_decision[e])
		why = "not the decision expected";
	else if (after.malformed != sn->malformed + (e == H_MALFORMED))
		why = "the malformed counter";
	else if (after.unknown_id != sn->unknown_id + (e == H_UNKNOWN_ID))
		why = "the unknown_id counter";
	else if (after.rejected != sn->rejected + (e == H_REJECTED))
		why = "the subscriber's rejected counter";
	else if (after.audit_rows != sn->audit_rows + (e != H_MALFORMED))
		why = "the number of audit rows";
	else if (e != H_MALFORMED &&
		 strcmp(adec, hn_decision_name(hout_decision[e])))
		why = "the audit row's decision";
	else if (e != H_MALFORMED && e != H_UNKNOWN_ID && strcmp(aid, ID))
		why = "the audit row's id";
	else if (memcmp(&after.s, &sn->s, sizeof(after.s)))
		why = "the subscriber changed in the database";
	if (why)
		snprintf(why_buf, sizeof(why_buf),
			 "%s: want %s, got %d event(s), first '%s', %d out, "
			 "audit '%s'", why, hout_name[e], w->res.nev,
			 w->res.nev ? hn_decision_name(w->res.ev[0].decision) :
			 "-", w->res.nout, adec);
	*sn = after;
	return why ? why_buf : NULL;
}

static void run_one(struct world *w, const struct scene *sc,
		    const struct mutant *mu, struct snap *sn, struct tally *ty)
{
	const char *why = try_mutant(w, sc, mu, sn);

	ty->mutants++;
	ty->by[expect_of(sc, mu)]++;
	if (why && ++ty->fails <= MAX_FAILS_LOGGED)
		printf("# %s: %s: %s\n", sc->name, mu->what, why);
}

/* The genuine ACK @ack with new_version @nv and a valid TAG_A. */
static size_t ack_retagged(const struct tdev *d, const uint8_t *ack,
			   size_t len, uint32_t nv, uint8_t *out)
{
	size_t o = len - TAG - 4;
	uint8_t tag[TAG];

	memcpy(out, ack, len);
	out[o] = nv >> 24;
	out[o + 1] = nv >> 16;
	out[o + 2] = nv >> 8;
	out[o + 3] = nv;
	hn_msg_conf_tag(d->p.k_conf, "ack", d->p.h_t, out, len, tag);
	memcpy(out + len - TAG, tag, TAG);
	return len;
}

static void mutate_all(struct world *w, const struct scene *sc,
		       const uint8_t *msg, size_t len, struct tally *ty)
{
	struct field f[MAX_FIELDS];
	size_t l = strlen(ID), sum = 0, o;
	struct snap sn;
	struct mutant mu;
	int n, i, bit;

	memset(ty, 0, sizeof(*ty));
	n = fields_of(sc->type, l, f);
	for (i = 0; i < n; i++)
		sum += f[i].len;
	if (sum != len) {
		ty->fails++;
		printf("# %s: the field table does not cover the message\n",
		       sc->name);
		return;
	}
	snap_of(w, &sn);
	for (i = 0; i < n; i++) {
		memset(&mu, 0, sizeof(mu));
		mu.f = &f[i];
		for (o = f[i].off; o < f[i].off + f[i].len; o++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(mu.buf, msg, len);
				mu.len = len;
				mu.buf[o] ^= 1 << bit;
				snprintf(mu.what, sizeof(mu.what),
					 "%s octet %zu bit %d flipped",
					 f[i].name, o, bit);
				run_one(w, sc, &mu, &sn, ty);
			}
		}

		o = f[i].off + f[i].len - 1;
		memcpy(mu.buf, msg, o);
		memcpy(mu.buf + o, msg + o + 1, len - o - 1);
		mu.len = len - 1;
		snprintf(mu.what, sizeof(mu.what), "%s one octet shorter",
			 f[i].name);
		run_one(w, sc, &mu, &sn, ty);

		memcpy(mu.buf, msg, o + 1);
		memcpy(mu.buf + o + 1, msg + o, len - o);
		mu.len = len + 1;
		snprintf(mu.what, sizeof(mu.what), "%s one octet longer",
			 f[i].name);
		run_one(w, sc, &mu, &sn, ty);

		if (f[i].cls == C_ID) {
			memcpy(mu.buf, msg, o);
			memcpy(mu.buf + o, msg + o + 1, len - o - 1);
			mu.len = len - 1;
			mu.buf[5] = mu.len;
			mu.buf[6] = l - 1;
			snprintf(mu.what, sizeof(mu.what),
				 "id one character shorter, lengths adjusted");
			run_one(w, sc, &mu, &sn, ty);

			memcpy(mu.buf, msg, o + 1);
			mu.buf[o + 1] = 'x';
			memcpy(mu.buf + o + 2, msg + o + 1, len - o - 1);
			mu.len = len + 1;
			mu.buf[5] = mu.len;
			mu.buf[6] = l + 1;
			snprintf(mu.what, sizeof(mu.what),
				 "id one character longer, lengths adjusted");
			run_one(w, sc, &mu, &sn, ty);
		}

		if (sc->type == SUBCRED_MSG_ACK && f[i].cls == C_BODY) {
			mu.retagged = 1;
			for (bit = 0; bit < 32; bit++) {
				mu.len = ack_retagged(&w->dev, msg, len,
						      2U ^ (1U << bit),
						      mu.buf);
				snprintf(mu.what, sizeof(mu.what),
					 "new_version bit %d flipped, TAG_A "
					 "valid", bit);
				run_one(w, sc, &mu, &sn, ty);
			}
			mu.retagged = 0;
		}
	}
}

/* TAP lines of one scene's mutants. */
static void report(const struct scene *sc, const struct tally *ty)
{
	char line[256];
	int i, n;

	n = snprintf(line, sizeof(line), "%d mutants:", ty->mutants);
	for (i = 0; i <= H_UNPREDICTED && n < (int)sizeof(line); i++)
		if (ty->by[i])
			n += snprintf(line + n, sizeof(line) - n, " %s %d",
				      hout_name[i], ty->by[i]);
	ok(ty->mutants > 0 && !ty->fails && !ty->by[H_UNPREDICTED],
	   "%s: every mutant dropped and recorded exactly, nothing sent, "
	   "subscriber unchanged (%s)", sc->name, line);
	ok(ty->by[H_MALFORMED] > 0 && ty->by[H_UNKNOWN_ID] > 0 &&
	   ty->by[H_REJECTED] > 0 &&
	   (!sc->txid_ignored || ty->by[H_IGNORE] > 0),
	   "%s: malformed, unknown-id, unauthenticated%s mutants all occur",
	   sc->name, sc->txid_ignored ? " and other-txid" : "");
}

/* ---- the scenes ---- */

static void test_response(void)
{
	static const struct scene sc = {
		"RESPONSE in NOTICE_SENT", SUBCRED_MSG_RESPONSE, 1 };
	struct world w;
	struct tally ty;
	uint8_t resp[HN_MSG_MAX];
	int n, r;

	r = setup(&w) || start(&w);
	n = r ? -1 : device(&w, resp);
	ok(n > 0 && get(&w)->state == HN_NOTICE_SENT,
	   "RESPONSE from the device, network in NOTICE_SENT");
	mutate_all(&w, &sc, resp, n, &ty);
	report(&sc, &ty);
	ok(get(&w)->state == HN_NOTICE_SENT && get(&w)->txn.has_sk &&
	   !strcmp(get(&w)->device, DEV), "still NOTICE_SENT with sk_N, "
	   "device address unchanged");
	r = feed(&w, resp, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_CONFIRM) && is_dual(&w),
	   "the genuine RESPONSE is verified: both keys, CONFIRM");
	ok(th_converge(&w.db, &cfg, ID, &w.dev, &w.now) &&
	   get(&w)->version == 2, "network and device converge on v2");
	teardown(&w);
}

static void test_ack(void)
{
	static const struct scene sc = {
		"ACK in CONFIRM_SENT", SUBCRED_MSG_ACK, 1 };
	struct world w;
	struct tally ty;
	uint8_t ack[HN_MSG_MAX];
	int n, r;

	r = setup(&w) || to_dual(&w);
	n = r ? -1 : device(&w, ack);
	ok(n > 0 && w.dev.version == 2 && is_dual(&w),
	   "ACK from the device (new key), network in the dual-key window");
	mutate_all(&w, &sc, ack, n, &ty);
	report(&sc, &ty);
	ok(ty.by[H_NO_CHANGE] == 32, "a valid TAG_A over a wrong new_version "
	   "(32 of them): no change (§6.5 commits on v+1 only)");
	ok(is_dual(&w), "still both keys");
	r = feed(&w, ack, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_COMMIT) &&
	   has_only(&w, &w.dev.key, 2), "the genuine ACK commits");
	teardown(&w);
}

static void test_sync(void)
{
	static const struct scene sc = {
		"SYNC in NOTICE_SENT", SUBCRED_MSG_SYNC, 1 };
	struct world w;
	struct tally ty;
	uint8_t sync[HN_MSG_MAX], txid[8];
	int n, r;

	r = setup(&w);
	w.dev.seq_ms = 1000;	/* the device is ahead: SYNC */
	r = r || start(&w);
	n = r ? -1 : device(&w, sync);
	memcpy(txid, get(&w)->txn.txid, 8);
	ok(n > 0 && sync[3] == SUBCRED_MSG_SYNC,
	   "SYNC from the device, network in NOTICE_SENT");
	mutate_all(&w, &sc, sync, n, &ty);
	report(&sc, &ty);
	ok(get(&w)->state == HN_NOTICE_SENT && get(&w)->seq_next == 2 &&
	   !memcmp(get(&w)->txn.txid, txid, 8),
	   "still the same NOTICE outstanding, SQN_HE not moved");
	r = feed(&w, sync, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_RESYNC) &&
	   hn_result_has(&w.res, HN_D_NOTICE) && get(&w)->seq_next == 1002,
	   "the genuine SYNC resynchronises: fresh NOTICE past SQN_MS");
	ok(th_converge(&w.db, &cfg, ID, &w.dev, &w.now) &&
	   get(&w)->version == 2, "network and device converge on v2");
	teardown(&w);
}

/* The network half of a PENDING expiry on the device (§5.6, §6.5). */
static void test_reject_after_expiry(void)
{
	static const struct scene sc = {
		"old-key REJECT 5 for the pending txid", SUBCRED_MSG_REJECT,
		0 };
	struct world w;
	struct tally ty;
	uint8_t ans[HN_MSG_MAX], rej[HN_MSG_MAX];
	int n, r;

	r = setup(&w) || to_dual(&w);	/* the CONFIRM is lost */
	w.dev.pending = 0;		/* the device's deadline passes */
	w.now = r ? w.now : get(&w)->txn.next_retry;
	r = r || hn_proto_timer(&w.db, &cfg, ID, w.now, &w.res);
	ok(!r && hn_result_has(&w.res, HN_D_RETRANSMIT) && w.res.nout == 1 &&
	   w.res.out[0].len == w.confirm_len &&
	   !memcmp(w.res.out[0].buf, w.confirm, w.confirm_len) && is_dual(&w),
	   "the network retransmits the CONFIRM byte for byte, both keys kept");
	n = tdev_input(&w.dev, w.notice, w.notice_len, ans);
	ok(n > 0 && ans[3] == SUBCRED_MSG_SYNC,
	   "a late copy of the NOTICE: the device answers SYNC (SQN used)");
	r = n > 0 ? feed(&w, ans, n, DEV) : -1;
	ok(!r && hn_result_has(&w.res, HN_D_IGNORE) && !w.res.nout &&
	   is_dual(&w), "the network ignores that SYNC (§6.5)");
	n = tdev_input(&w.dev, w.confirm, w.confirm_len, rej);	/* late */
	ok(n > 0 && w.dev.last_cause == SUBCRED_REJECT_NO_TXN &&
	   w.dev.version == 1,
	   "the late CONFIRM: the device answers REJECT 5 with the old key");
	mutate_all(&w, &sc, rej, n, &ty);
	report(&sc, &ty);
	ok(is_dual(&w), "no mutant aborted: both keys still held");
	r = feed(&w, rej, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_ABORT) && has_only(&w, &w.k1, 1),
	   "the genuine REJECT 5 aborts: the old key, v1, as the device");
	ok(th_accepts(&w.db, ID, &w.dev), "both hold the same key");
	r = hn_proto_rekey(&w.db, ID, SUBCRED_REASON_PERIODIC, w.now, &w.res);
	ok(!r && th_converge(&w.db, &cfg, ID, &w.dev, &w.now) &&
	   get(&w)->version == 2 && w.dev.version == 2,
	   "a new update from the old key succeeds: both on v2");
	teardown(&w);
}

static void test_reject_new_key(void)
{
	static const struct scene sc = {
		"new-key REJECT in the dual-key window", SUBCRED_MSG_REJECT,
		0 };
	struct world w;
	struct tally ty;
	uint8_t ans[HN_MSG_MAX], rej[HN_MSG_MAX];
	int n, r;

	r = setup(&w) || to_dual(&w);
	n = r ? -1 : device(&w, ans);	/* device commits; the ACK is lost */
	n = n > 0 ? tdev_reject(&w.dev, &w.dev.key, get(&w)->txn.txid,
				SUBCRED_REJECT_NO_TXN, rej) : -1;
	ok(n > 0 && w.dev.version == 2 && is_dual(&w),
	   "REJECT tagged with the new key, network in the dual-key window");
	mutate_all(&w, &sc, rej, n, &ty);
	report(&sc, &ty);
	ok(is_dual(&w), "no mutant committed: both keys still held");
	r = feed(&w, rej, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_COMMIT) &&
	   has_only(&w, &w.dev.key, 2), "the genuine one commits");
	teardown(&w);
}

static void test_request_idle(void)
{
	static const struct scene sc = {
		"REQUEST while idle", SUBCRED_MSG_REQUEST, 0 };
	struct world w;
	struct tally ty;
	uint8_t req[HN_MSG_MAX], nonce[16];
	int n, r;

	r = setup(&w);
	hn_random(nonce, sizeof(nonce));
	n = r ? -1 : tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC,
				  nonce, req);
	ok(n > 0 && has_only(&w, &w.k1, 1), "REQUEST from the device, "
	   "network idle");
	mutate_all(&w, &sc, req, n, &ty);
	report(&sc, &ty);
	ok(has_only(&w, &w.k1, 1) && !get(&w)->rekey && get(&w)->seq_next == 1,
	   "no mutant started an update");
	r = feed(&w, req, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_NOTICE) && w.res.nout == 1,
	   "the genuine REQUEST starts an update");
	ok(th_converge(&w.db, &cfg, ID, &w.dev, &w.now) &&
	   get(&w)->version == 2, "network and device converge on v2");
	teardown(&w);
}

static void test_request_new_key(void)
{
	static const struct scene sc = {
		"new-key REQUEST in the dual-key window",
		SUBCRED_MSG_REQUEST, 0 };
	struct world w;
	struct tally ty;
	uint8_t ans[HN_MSG_MAX], req[HN_MSG_MAX], nonce[16];
	int n, r;

	r = setup(&w) || to_dual(&w);
	n = r ? -1 : device(&w, ans);	/* device commits; the ACK is lost */
	hn_random(nonce, sizeof(nonce));
	n = n > 0 ? tdev_request(&w.dev, &w.dev.key, 2,
				 SUBCRED_REASON_PERIODIC, nonce, req) : -1;
	ok(n > 0 && is_dual(&w), "REQUEST tagged with the new key, network "
	   "in the dual-key window");
	mutate_all(&w, &sc, req, n, &ty);
	report(&sc, &ty);
	ok(is_dual(&w), "no mutant committed: both keys still held");
	r = feed(&w, req, n, DEV);
	ok(!r && hn_result_has(&w.res, HN_D_COMMIT) &&
	   get(&w)->version == 2 &&
	   !memcmp(&get(&w)->key, &w.dev.key, sizeof(w.dev.key)),
	   "the genuine one commits");
	ok(th_converge(&w.db, &cfg, ID, &w.dev, &w.now) &&
	   get(&w)->version == 3, "... and the update it asks for: both on v3");
	teardown(&w);
}

int main(void)
{
	tap_start();
	hn_log_quiet = 1;
	test_response();
	test_ack();
	test_sync();
	test_reject_after_expiry();
	test_reject_new_key();
	test_request_idle();
	test_request_new_key();
	hn_sub_wipe(&sub);
	return tap_done();
}
