// SPDX-License-Identifier: GPL-2.0
/*
 * Network-side state machine of protocol v1 (see hn_proto.h and design §6).
 *
 * Keys change only on authenticated evidence:
 *  - commit (the new key becomes the only key) on a valid ACK, or on any
 *    REJECT or REQUEST tagged with the new key;
 *  - abort (drop the new key) only on a REJECT cause 5 for the pending
 *    txid tagged with the old key;
 *  - nothing else drops a key: an old-key REQUEST or other REJECT may be
 *    stale, and a timeout proves nothing, so when the CONFIRM tries are
 *    exhausted both keys are kept ("stalled") until the device speaks.
 * Before a RESPONSE is verified there is no new key, and the update may be
 * abandoned freely (tries exhausted, two SYNCs in a row, cause 3).
 */
#include <stdio.h>
#include <string.h>

#include "hn_ctx.h"
#include "hn_util.h"

#define TXID	SUBCRED_WIRE_TXID_LEN
#define SEQ_MAX	((1ULL << 43) - 1)
#define DELTA	(1ULL << 28)	/* TS 33.102 C.2.1 delta */
#define SYNC_MAX 2		/* consecutive SYNCs before giving up */
#define HN_VERSION_MAX	0xfffffffeU	/* as the device: no update past it */

int (*hn_proto_random)(uint8_t *buf, size_t len) = hn_random;

/* Queue @buf for the device; nothing if its address is unknown. */
static void out(struct hn_ctx *c, const uint8_t *buf, size_t len)
{
	struct hn_result *r = c->res;
	struct hn_out *o;

	if (!c->s->device[0] || r->nout == HN_OUT_MAX)
		return;
	o = &r->out[r->nout++];
	snprintf(o->addr, sizeof(o->addr), "%s", c->s->device);
	memcpy(o->buf, buf, len);
	o->len = len;
}

static int64_t backoff(const struct hn_cfg *cfg, int tries)
{
	int64_t t = cfg->rto_ms;

	while (--tries > 0 && t < cfg->rto_max_ms)
		t *= 2;
	return t < cfg->rto_max_ms ? t : cfg->rto_max_ms;
}

/* (Re)send the current message of the transaction and arm the timer. */
static void send_current(struct hn_ctx *c, int count)
{
	struct hn_txn *t = &c->s->txn;

	if (t->has_new)
		out(c, t->confirm, t->confirm_len);
	else
		out(c, t->notice, t->notice_len);
	if (count)
		t->tries++;
	t->next_retry = c->now + backoff(c->cfg, t->tries ? t->tries : 1);
}

static void drop_txn(struct hn_sub *s)
{
	hn_wipe(&s->txn, sizeof(s->txn));
	s->has_txn = 0;
	s->state = HN_IDLE;
}

/* An authenticated datagram: the device is at c->from. */
static void contact(struct hn_ctx *c)
{
	if (c->from)
		snprintf(c->s->device, sizeof(c->s->device), "%s", c->from);
	c->s->wait_contact = 0;
}

/* Start an update from idle: fresh txid, RAND, SQN, X25519 key; NOTICE. */
static int start(struct hn_ctx *c, int reason, int sync_count)
{
	struct hn_sub *s = c->s;
	struct hn_txn *t = &s->txn;
	struct hn_notice_in in;
	int len;

	if (s->version >= HN_VERSION_MAX) {
		hn_ev(c, NULL, HN_D_ABANDON, "key_version %u is the last one",
		   s->version);
		s->rekey = 0;
		return 0;
	}
	if (s->seq_next > SEQ_MAX) {
		hn_ev(c, NULL, HN_D_ABANDON, "SQN space exhausted");
		s->rekey = 0;
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.id = s->id;
	in.reason = reason;
	in.key_version = s->version;
	in.amf[0] = HN_AMF_REKEY >> 8;
	in.amf[1] = HN_AMF_REKEY & 0xff;
	hn_sqn_make(s->seq_next, s->ind_next, in.sqn);
	if (hn_proto_random(in.txid, TXID) ||
	    hn_proto_random(in.rand, HN_RAND_LEN) ||
	    hn_proto_random(in.sk_n, HN_X25519_LEN))
		goto fail;

	drop_txn(s);
	len = hn_msg_notice(&s->key, &in, t->notice, sizeof(t->notice),
			    t->xres);
	if (len < 0)
		goto fail;
	t->notice_len = len;
	memcpy(t->txid, in.txid, TXID);
	t->reason = reason;
	memcpy(t->rand, in.rand, HN_RAND_LEN);
	memcpy(t->sqn, in.sqn, HN_SQN_LEN);
	memcpy(t->sk_n, in.sk_n, HN_X25519_LEN);
	t->has_sk = 1;
	t->sync_count = sync_count;
	t->started = c->now;
	s->has_txn = 1;
	s->state = HN_NOTICE_SENT;
	s->seq_next++;
	s->ind_next = (s->ind_next + 1) % 32;
	if (!sync_count)	/* a retry after SYNC leaves a queued rekey */
		s->rekey = 0;
	s->wait_contact = 0;
	s->has_last = 1;
	memcpy(s->last_txid, in.txid, TXID);
	snprintf(s->last_result, sizeof(s->last_result), "in progress");
	hn_wipe(&in, sizeof(in));

	send_current(c, 1);
	hn_ev(c, t->txid, HN_D_NOTICE, "reason %s, key_version %u, SEQ %llu "
	   "IND %u", hn_reason_name(reason), s->version,
	   (unsigned long long)hn_sqn_seq(t->sqn), hn_sqn_ind(t->sqn));
	return 0;
fail:
	hn_wipe(&in, sizeof(in));
	drop_txn(s);
	return -1;
}

static void commit(struct hn_ctx *c, const char *why)
{
	struct hn_sub *s = c->s;
	uint8_t txid[TXID];

	memcpy(txid, s->txn.txid, TXID);
	s->key = s->txn.new_key;
	s->version++;
	drop_txn(s);
	snprintf(s->last_result, sizeof(s->last_result), "committed v%u",
		 s->version);
	hn_ev(c, txid, HN_D_COMMIT, "%s; key_version %u is the only key", why,
	   s->version);
}

static void abort_txn(struct hn_ctx *c, const char *why)
{
	struct hn_sub *s = c->s;
	uint8_t txid[TXID];

	memcpy(txid, s->txn.txid, TXID);
	drop_txn(s);
	snprintf(s->last_result, sizeof(s->last_result), "aborted");
	hn_ev(c, txid, HN_D_ABORT, "%s; new key dropped, key_version %u kept",
	   why, s->version);
}

/* Give up before a RESPONSE; the update is wanted again at next contact. */
static void abandon(struct hn_ctx *c, const char *why)
{
	struct hn_sub *s = c->s;
	uint8_t txid[TXID];
	int reason = s->txn.reason;

	memcpy(txid, s->txn.txid, TXID);
	drop_txn(s);
	if (!s->rekey)		/* keep an operator's reason queued meanwhile */
		s->rekey = reason;
	s->wait_contact = 1;
	snprintf(s->last_result, sizeof(s->last_result), "abandoned: %s",
		 why);
	hn_ev(c, txid, HN_D_ABANDON, "%s; no key changed, update retried at the "
	   "device's next contact", why);
}

/* Stalled with both keys: send the CONFIRM again, tries from zero. */
static void reprobe(struct hn_ctx *c, const char *why)
{
	struct hn_sub *s = c->s;

	s->state = HN_CONFIRM_SENT;
	s->txn.tries = 0;
	send_current(c, 1);
	hn_ev(c, s->txn.txid, HN_D_REPROBE, "%s; CONFIRM again, both keys kept",
	   why);
}

static void rejected(struct hn_ctx *c, const uint8_t *txid, const char *why)
{
	c->s->rejected++;
	hn_ev(c, txid, HN_D_DROP, "%s; no change", why);
}

static int same_txid(const struct hn_sub *s, const struct subcred_msg *m)
{
	return s->has_txn && !memcmp(s->txn.txid, m->txid, TXID);
}

/* ---- messages ---- */

static int on_response(struct hn_ctx *c, const struct subcred_msg *m,
		       const uint8_t *buf, size_t len)
{
	struct hn_sub *s = c->s;
	struct hn_txn *t = &s->txn;
	struct hn_session ss;
	int r;

	if (!same_txid(s, m)) {
		hn_ev(c, m->txid, HN_D_IGNORE, "no transaction with this txid");
		return 0;
	}
	if (s->state != HN_NOTICE_SENT) {
		r = hn_msg_response_again(&s->key, t->rand, t->notice,
					  t->notice_len, t->h_t, buf, len, m);
		if (r == HN_MSG_ERR)
			return -1;
		if (r) {
			rejected(c, m->txid, "RESPONSE does not verify");
			return 0;
		}
		contact(c);
		if (s->state == HN_STALLED) {
			reprobe(c, "RESPONSE again");
		} else {
			send_current(c, 0);
			hn_ev(c, m->txid, HN_D_RETRANSMIT, "RESPONSE again; "
			   "CONFIRM again");
		}
		return 0;
	}

	r = hn_msg_response(&s->key, t->rand, t->xres, t->notice,
			    t->notice_len, t->sk_n, s->version + 1, buf, len,
			    m, &ss);
	if (r == HN_MSG_ERR)
		return -1;
	if (r) {
		rejected(c, m->txid, r == HN_MSG_BAD_RES ? "RES != XRES" :
			 r == HN_MSG_BAD_TAG ? "TAG_D invalid" :
			 "PK_D invalid");
		return 0;
	}
	contact(c);
	r = hn_msg_confirm(s->id, t->txid, s->version + 1, ss.k_conf, ss.h_t,
			   t->confirm, sizeof(t->confirm));
	if (r < 0) {
		hn_wipe(&ss, sizeof(ss));
		return -1;
	}
	t->confirm_len = r;
	memcpy(t->new_key.k, ss.k_new, HN_K_LEN);
	memcpy(t->new_key.opc, ss.opc_new, HN_K_LEN);
	memcpy(t->k_conf, ss.k_conf, HN_HASH_LEN);
	memcpy(t->h_t, ss.h_t, HN_HASH_LEN);
	hn_wipe(&ss, sizeof(ss));
	hn_wipe(t->sk_n, sizeof(t->sk_n));
	t->has_sk = 0;
	t->has_new = 1;
	t->sync_count = 0;
	t->tries = 0;
	s->state = HN_CONFIRM_SENT;
	send_current(c, 1);
	hn_ev(c, t->txid, HN_D_CONFIRM, "RESPONSE verified; holding key_version "
	   "%u and %u; CONFIRM new_version %u", s->version, s->version + 1,
	   s->version + 1);
	return 0;
}

static int on_ack(struct hn_ctx *c, const struct subcred_msg *m,
		  const uint8_t *buf, size_t len)
{
	struct hn_sub *s = c->s;

	if (!same_txid(s, m) || !s->txn.has_new) {
		hn_ev(c, m->txid, HN_D_IGNORE, "no new key pending for this txid");
		return 0;
	}
	if (!hn_msg_ack_ok(s->txn.k_conf, s->txn.h_t, buf, len)) {
		rejected(c, m->txid, "TAG_A invalid");
		return 0;
	}
	contact(c);
	if (m->ack.new_version != s->version + 1) {
		hn_ev(c, m->txid, HN_D_NO_CHANGE, "ACK new_version %u, expected %u",
		   m->ack.new_version, s->version + 1);
		return 0;
	}
	commit(c, "valid ACK");
	return 0;
}

static int on_sync(struct hn_ctx *c, const struct subcred_msg *m)
{
	struct hn_sub *s = c->s;
	uint8_t sqn_ms[HN_SQN_LEN];
	uint64_t seq_ms;
	int r, count, reason;

	if (!same_txid(s, m) || s->state != HN_NOTICE_SENT) {
		hn_ev(c, m->txid, HN_D_IGNORE, "no NOTICE outstanding with this "
		   "txid");
		return 0;
	}
	r = hn_msg_sync(&s->key, s->txn.rand, m->sync.auts, sqn_ms);
	if (r == HN_MSG_ERR)
		return -1;
	if (r) {
		rejected(c, m->txid, "MAC-S invalid");
		return 0;
	}
	contact(c);
	seq_ms = hn_sqn_seq(sqn_ms);
	/* TS 33.102 C.3.4: move SQN_HE only if the next one would fail */
	if (s->seq_next <= seq_ms || s->seq_next - seq_ms > DELTA)
		s->seq_next = seq_ms + 1;
	count = s->txn.sync_count + 1;
	reason = s->txn.reason;
	if (count >= SYNC_MAX) {
		hn_ev(c, m->txid, HN_D_RESYNC, "SQN_MS SEQ %llu IND %u; next SEQ "
		   "%llu", (unsigned long long)seq_ms, hn_sqn_ind(sqn_ms),
		   (unsigned long long)s->seq_next);
		abandon(c, "2 consecutive SYNCs");
		return 0;
	}
	hn_ev(c, m->txid, HN_D_RESYNC, "SQN_MS SEQ %llu IND %u; next SEQ %llu; "
	   "fresh NOTICE", (unsigned long long)seq_ms, hn_sqn_ind(sqn_ms),
	   (unsigned long long)s->seq_next);
	drop_txn(s);
	return start(c, reason, count);
}

/* An old-key REQUEST while a transaction runs: the device is reachable. */
static void nudge(struct hn_ctx *c)
{
	struct hn_sub *s = c->s;

	if (s->state == HN_STALLED)
		reprobe(c, "device reachable");
	else if (s->state == HN_NOTICE_SENT || s->state == HN_CONFIRM_SENT)
		send_current(c, 0);
}

static int on_reject(struct hn_ctx *c, const struct subcred_msg *m, int new_key)
{
	struct hn_sub *s = c->s;
	int cause = m->reject.cause;

	if (new_key) {
		char why[96];

		snprintf(why, sizeof(why), "REJECT cause %d tagged with the "
			 "new key", cause);
		commit(c, why);
		return 0;
	}
	if (same_txid(s, m) && s->txn.has_new &&
	    cause == SUBCRED_REJECT_NO_TXN) {
		abort_txn(c, "REJECT cause 5 for the pending txid tagged with "
			  "the old key");
		return 0;
	}
	if (same_txid(s, m) && s->state == HN_NOTICE_SENT &&
	    cause == SUBCRED_REJECT_VERSION) {
		abandon(c, "REJECT cause 3: the device has another key_version");
		return 0;
	}
	hn_ev(c, m->txid, HN_D_NO_CHANGE, "REJECT cause %d tagged with the old "
	   "key%s", cause, s->txn.has_new ? " (may be stale)" : "");
	/*
	 * Only a stalled update is probed again at once; otherwise the timer
	 * retransmits (counted), so that a device rejecting every NOTICE
	 * cannot keep both sides in a loop.
	 */
	if (s->state == HN_STALLED)
		reprobe(c, "device reachable");
	return 0;
}

static int on_request(struct hn_ctx *c, const struct subcred_msg *m,
		      int new_key)
{
	struct hn_sub *s = c->s;
	int reason;

	if (new_key)
		commit(c, "REQUEST tagged with the new key");
	if (s->state != HN_IDLE) {
		hn_ev(c, m->txid, HN_D_NO_CHANGE, "REQUEST (key_version %u) "
		   "tagged with the old key%s", m->request.key_version,
		   s->txn.has_new ? " (may be stale)" : "");
		nudge(c);
		return 0;
	}
	/* an operator's wanted update takes precedence over the device's */
	reason = s->rekey ? s->rekey : m->request.reason;
	return start(c, reason, 0);
}

static int on_tagged(struct hn_ctx *c, const struct subcred_msg *m,
		     const uint8_t *buf, size_t len)
{
	struct hn_sub *s = c->s;
	int old_ok, new_ok;

	old_ok = hn_msg_device_tag_ok(&s->key, m, buf, len);
	new_ok = s->has_txn && s->txn.has_new &&
		 hn_msg_device_tag_ok(&s->txn.new_key, m, buf, len);
	if (!old_ok && !new_ok) {
		rejected(c, m->txid, m->type == SUBCRED_MSG_REJECT ?
			 "TAG_J invalid" : "TAG_R invalid");
		return 0;
	}
	contact(c);
	if (m->type == SUBCRED_MSG_REJECT)
		return on_reject(c, m, new_ok);
	return on_request(c, m, new_ok);
}

static const char *const wire_errors[] = {
	[SUBCRED_WIRE_OK] = "ok",
	[SUBCRED_WIRE_SHORT] = "short",
	[SUBCRED_WIRE_MAGIC] = "bad magic",
	[SUBCRED_WIRE_VERSION_BAD] = "bad version",
	[SUBCRED_WIRE_TYPE] = "unknown type",
	[SUBCRED_WIRE_LENGTH] = "bad length",
	[SUBCRED_WIRE_FLAGS] = "flags set",
	[SUBCRED_WIRE_ID] = "bad id",
	[SUBCRED_WIRE_FIELD] = "field out of range",
};

int hn_proto_input(hn_db *db, const struct hn_cfg *cfg, const uint8_t *buf,
		   size_t len, const char *from, int64_t now,
		   struct hn_result *res)
{
	enum subcred_wire_error why = SUBCRED_WIRE_OK;
	struct subcred_msg m;
	struct hn_sub s;
	struct hn_ctx c = {
		.db = db, .cfg = cfg, .now = now, .res = res, .from = from,
	};
	int r, ret = -1;

	hn_res_init(res);
	if (subcred_wire_parse(buf, len, &m, &why)) {
		c.event = "datagram";
		hn_ev(&c, NULL, HN_D_DROP, "malformed (%s, %zu octets)",
		   (unsigned int)why < sizeof(wire_errors) /
		   sizeof(*wire_errors) ? wire_errors[why] : "?", len);
		if (hn_db_begin(db) || hn_db_stat_add(db, "malformed", 1)) {
			hn_db_rollback(db);
			return -1;
		}
		return hn_db_commit(db);
	}
	c.event = hn_type_name(m.type);
	if (hn_db_begin(db))
		return -1;
	r = hn_db_get(db, m.id, &s);
	if (r < 0) {
		hn_db_rollback(db);
		return -1;
	}
	if (!r) {
		struct hn_event *e;

		hn_ev(&c, m.txid, HN_D_UNKNOWN_ID, "no such subscriber");
		e = &res->ev[res->nev - 1];
		snprintf(e->id, sizeof(e->id), "%s", m.id);
		if (hn_db_stat_add(db, "unknown_id", 1))
			goto fail;
		return hn_finish(&c);
	}
	c.s = &s;
	switch (m.type) {
	case SUBCRED_MSG_RESPONSE:
		r = on_response(&c, &m, buf, len);
		break;
	case SUBCRED_MSG_ACK:
		r = on_ack(&c, &m, buf, len);
		break;
	case SUBCRED_MSG_SYNC:
		r = on_sync(&c, &m);
		break;
	case SUBCRED_MSG_REJECT:
	case SUBCRED_MSG_REQUEST:
		r = on_tagged(&c, &m, buf, len);
		break;
	default:	/* NOTICE, CONFIRM: the network's own messages */
		hn_ev(&c, m.txid, HN_D_DROP, "%s is sent by the network, not to "
		   "it", hn_type_name(m.type));
		r = 0;
		break;
	}
	if (r)
		goto fail;
	/* a wanted update starts at the first contact that leaves it idle */
	if (s.state == HN_IDLE && s.rekey && s.device[0] && !s.wait_contact &&
	    !hn_result_has(res, HN_D_ABANDON) && start(&c, s.rekey, 0))
		goto fail;
	ret = hn_finish(&c);
	hn_sub_wipe(&s);
	return ret;
fail:
	hn_db_rollback(db);
	hn_sub_wipe(&s);
	res->nout = 0;
	return -1;
}

int hn_proto_timer(hn_db *db, const struct hn_cfg *cfg, const char *id,
		   int64_t now, struct hn_result *res)
{
	struct hn_sub s;
	struct hn_ctx c = {
		.db = db, .cfg = cfg, .now = now, .res = res, .s = &s,
		.event = "timer",
	};
	struct hn_txn *t = &s.txn;
	int r;

	hn_res_init(res);
	if (hn_db_begin(db))
		return -1;
	r = hn_db_get(db, id, &s);
	if (r <= 0) {
		hn_db_rollback(db);
		return r;
	}
	if (s.has_txn && t->next_retry && t->next_retry <= now) {
		if (t->tries < cfg->max_tries) {
			send_current(&c, 1);
			hn_ev(&c, t->txid, HN_D_RETRANSMIT, "%s try %d of %d",
			   t->has_new ? "CONFIRM" : "NOTICE", t->tries,
			   cfg->max_tries);
		} else if (!t->has_new) {
			char why[64];

			snprintf(why, sizeof(why), "no answer to %d NOTICEs",
				 t->tries);
			abandon(&c, why);
		} else {
			t->next_retry = 0;
			s.state = HN_STALLED;
			snprintf(s.last_result, sizeof(s.last_result),
				 "stalled");
			hn_ev(&c, t->txid, HN_D_STALL, "no answer to %d CONFIRMs; "
			   "holding key_version %u and %u until the device "
			   "speaks", t->tries, s.version, s.version + 1);
		}
	} else if (s.state == HN_IDLE && s.rekey && s.device[0] &&
		   !s.wait_contact) {
		if (start(&c, s.rekey, 0))
			goto fail;
	}
	r = hn_finish(&c);
	hn_sub_wipe(&s);
	return r;
fail:
	hn_db_rollback(db);
	hn_sub_wipe(&s);
	res->nout = 0;
	return -1;
}

int hn_proto_rekey(hn_db *db, const char *id, int reason, int64_t now,
		   struct hn_result *res)
{
	static const struct hn_cfg cfg = HN_CFG_DEFAULT;
	struct hn_sub s;
	struct hn_ctx c = {
		.db = db, .cfg = &cfg, .now = now, .res = res, .s = &s,
		.event = "rekey",
	};
	int r;

	hn_res_init(res);
	if (hn_db_begin(db))
		return -1;
	r = hn_db_get(db, id, &s);
	if (r <= 0) {
		hn_db_rollback(db);
		return r < 0 ? -1 : 1;
	}
	s.rekey = reason;
	s.wait_contact = 0;
	if (s.state == HN_STALLED) {
		/* both keys held: learn which one the device has first */
		s.state = HN_CONFIRM_SENT;
		s.txn.tries = 0;
		s.txn.next_retry = now;
		hn_ev(&c, s.txn.txid, HN_D_REPROBE, "rekey while stalled: CONFIRM "
		   "again to learn which key the device holds");
	}
	hn_ev(&c, NULL, HN_D_QUEUED, "reason %s; %s", hn_reason_name(reason),
	   s.state != HN_IDLE ? "starts after the current transaction" :
	   s.device[0] ? "serve starts it within its poll period" :
	   "starts at the device's next contact");
	r = hn_finish(&c);
	hn_sub_wipe(&s);
	res->nout = 0;
	return r;
}
