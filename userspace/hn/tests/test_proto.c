// SPDX-License-Identifier: GPL-2.0
/*
 * The design §6 decision table, driven through hn_proto (the code `serve`
 * runs) on a temporary database, against the simulated device of tdev.c:
 * commit on ACK and on new-key REJECT/REQUEST; abort only on an old-key
 * REJECT cause 5 for the pending txid; no change on old-key REQUESTs,
 * other old-key REJECTs, forged tags, unknown ids and timeouts; SYNC;
 * stall and resolution; updates waiting for the device's address.
 */
#include <stdio.h>
#include <string.h>

#include "hn_proto.h"
#include "hn_util.h"
#include "tap.h"
#include "tdev.h"
#include "thelp.h"

#define ID	"imsi-001010000000042"
#define DEV	"127.0.0.1:7306"
#define TAG	SUBCRED_WIRE_TAG_LEN

static const struct hn_cfg cfg = { 1000, 4000, 4 };

struct world {
	hn_db db;
	char path[256];
	struct tdev dev;
	struct hn_key k1;	/* provisioned key, version 1 */
	struct hn_result res;
	int64_t now;
	uint8_t confirm[HN_MSG_MAX];	/* last CONFIRM the network sent */
	int confirm_len;
	uint8_t txid[8];		/* the transaction of the update */
};

static int setup(struct world *w, const char *device)
{
	memset(w, 0, sizeof(*w));
	hn_random(w->k1.k, 16);
	hn_random(w->k1.opc, 16);
	w->now = 10000;
	tdev_init(&w->dev, ID, &w->k1, 1);
	if (th_db(&w->db, w->path, sizeof(w->path)))
		return -1;
	return th_add(&w->db, ID, &w->k1, 1, 1, 0, device);
}

static void teardown(struct world *w)
{
	hn_db_close(&w->db);
	th_db_remove(w->path);
}

/* The network's state now. */
static struct hn_sub sub;

static struct hn_sub *get(struct world *w)
{
	if (th_get(&w->db, ID, &sub) != 1)
		memset(&sub, 0, sizeof(sub));
	return &sub;
}

static int in(struct world *w, const uint8_t *buf, size_t len)
{
	w->now += 10;
	return hn_proto_input(&w->db, &cfg, buf, len, DEV, w->now, &w->res);
}

/* Deliver the network's output @i to the device, its answer back. */
static int relay(struct world *w, int i)
{
	uint8_t ans[HN_MSG_MAX];
	int n;

	if (i >= w->res.nout)
		return -1;
	n = tdev_input(&w->dev, w->res.out[i].buf, w->res.out[i].len, ans);
	if (n <= 0)
		return n;
	return in(w, ans, n);
}

/* rekey + timer: the NOTICE is w->res.out[0]. */
static int start(struct world *w)
{
	if (hn_proto_rekey(&w->db, ID, SUBCRED_REASON_PERIODIC, w->now,
			   &w->res) ||
	    hn_proto_timer(&w->db, &cfg, ID, w->now, &w->res) ||
	    w->res.nout != 1)
		return -1;
	memcpy(w->txid, get(w)->txn.txid, 8);
	return 0;
}

/* Up to the dual-key window: CONFIRM sent, not delivered. */
static int to_dual(struct world *w)
{
	if (start(w) || relay(w, 0) || !hn_result_has(&w->res, HN_D_CONFIRM)
	    || w->res.nout != 1)
		return -1;
	memcpy(w->confirm, w->res.out[0].buf, w->res.out[0].len);
	w->confirm_len = w->res.out[0].len;
	return 0;
}

/* The device receives the CONFIRM; its answer in @ans. */
static int device_confirm(struct world *w, uint8_t *ans)
{
	return tdev_input(&w->dev, w->confirm, w->confirm_len, ans);
}

static int is_dual(struct world *w)
{
	struct hn_sub *s = get(w);

	return s->has_txn && s->txn.has_new && s->version == 1 &&
	       !memcmp(&s->key, &w->k1, sizeof(w->k1)) &&
	       (s->state == HN_CONFIRM_SENT || s->state == HN_STALLED);
}

static int has_only(struct world *w, const struct hn_key *k, uint32_t v)
{
	struct hn_sub *s = get(w);

	return s->state == HN_IDLE && !s->has_txn && s->version == v &&
	       !memcmp(&s->key, k, sizeof(*k));
}

static int commits_to_device_key(struct world *w)
{
	return hn_result_has(&w->res, HN_D_COMMIT) &&
	       !hn_result_has(&w->res, HN_D_ABORT) &&
	       has_only(w, &w->dev.key, 2) && w->dev.version == 2;
}

static void test_commit(void)
{
	struct world w;
	uint8_t ans[HN_MSG_MAX], nonce[16] = { 1 };
	int n, r;

	/* valid ACK */
	r = setup(&w, DEV) || to_dual(&w);
	ok(!r && is_dual(&w), "dual-key window after a verified RESPONSE");
	n = device_confirm(&w, ans);
	ans[n - 1] ^= 0x01;
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w) &&
	   get(&w)->rejected == 1, "ACK with a flipped tag bit: no change");
	ans[n - 1] ^= 0x01;
	ans[n - TAG - 1] ^= 0x01;
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w),
	   "ACK with a flipped new_version bit: no change");
	ans[n - TAG - 1] ^= 0x01;
	r = in(&w, ans, n);
	ok(!r && commits_to_device_key(&w), "valid ACK: commit to the new key");
	ok(!strcmp(get(&w)->last_result, "committed v2"),
	   "last_result says committed v2");
	teardown(&w);

	/* REJECT tagged with the new key (ACK lost) */
	r = setup(&w, DEV) || to_dual(&w);
	device_confirm(&w, ans);	/* device commits, ACK lost */
	n = tdev_reject(&w.dev, &w.dev.key, nonce + 8, SUBCRED_REJECT_MAC,
			ans);
	r = r || in(&w, ans, n);
	ok(!r && commits_to_device_key(&w),
	   "REJECT cause 1, another txid, tagged with the new key: commit");
	teardown(&w);

	r = setup(&w, DEV) || to_dual(&w);
	device_confirm(&w, ans);
	n = tdev_reject(&w.dev, &w.dev.key, w.txid, SUBCRED_REJECT_NO_TXN,
			ans);
	r = r || in(&w, ans, n);
	ok(!r && commits_to_device_key(&w),
	   "REJECT cause 5, pending txid, tagged with the new key: commit");
	teardown(&w);

	/* REQUEST tagged with the new key: commit, then a new update */
	r = setup(&w, DEV) || to_dual(&w);
	device_confirm(&w, ans);
	n = tdev_request(&w.dev, &w.dev.key, 2, SUBCRED_REASON_COMPROMISE,
			 nonce, ans);
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_COMMIT) &&
	   get(&w)->version == 2 &&
	   !memcmp(&get(&w)->key, &w.dev.key, sizeof(w.dev.key)),
	   "REQUEST tagged with the new key: commit");
	ok(hn_result_has(&w.res, HN_D_NOTICE) && w.res.nout == 1 &&
	   get(&w)->state == HN_NOTICE_SENT &&
	   get(&w)->txn.reason == SUBCRED_REASON_COMPROMISE,
	   "... and, now idle, a new update with the request's reason");
	r = relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_CONFIRM),
	   "... which the device answers with the new key");
	teardown(&w);
}

static void test_abort(void)
{
	struct world w;
	uint8_t ans[HN_MSG_MAX], other[8] = { 9, 9, 9 };
	int n, r;

	/* PENDING expired on the device: cause 5 for the pending txid */
	r = setup(&w, DEV) || to_dual(&w);
	w.dev.pending = 0;
	n = device_confirm(&w, ans);
	ok(n > 0 && w.dev.last_cause == SUBCRED_REJECT_NO_TXN,
	   "device without PENDING answers the CONFIRM with REJECT cause 5");
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_ABORT) &&
	   has_only(&w, &w.k1, 1) && !strcmp(get(&w)->last_result, "aborted"),
	   "old-key REJECT cause 5 for the pending txid: abort, old key kept");
	/* the device and the network agree: a new update works */
	r = start(&w) || relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_CONFIRM),
	   "after the abort a new update runs on the old key");
	teardown(&w);

	/* cause 5 for another txid: stale, no change */
	r = setup(&w, DEV) || to_dual(&w);
	n = tdev_reject(&w.dev, &w.k1, other, SUBCRED_REJECT_NO_TXN, ans);
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NO_CHANGE) && is_dual(&w),
	   "old-key REJECT cause 5 for another txid: no change");
	teardown(&w);

	/* before the RESPONSE: cause 3 abandons, cause 1 changes nothing */
	r = setup(&w, DEV);
	w.dev.version = 2;	/* provisioned with another key_version */
	r = r || start(&w) || relay(&w, 0);
	ok(!r && w.dev.last_cause == SUBCRED_REJECT_VERSION &&
	   hn_result_has(&w.res, HN_D_ABANDON) && has_only(&w, &w.k1, 1) &&
	   get(&w)->wait_contact, "NOTICE answered by REJECT cause 3: "
	   "abandoned, no key changed");
	teardown(&w);
	r = setup(&w, DEV) || start(&w);
	n = tdev_reject(&w.dev, &w.k1, w.txid, SUBCRED_REJECT_MAC, ans);
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NO_CHANGE) &&
	   get(&w)->state == HN_NOTICE_SENT && w.res.nout == 0,
	   "NOTICE answered by REJECT cause 1: no change, the timer "
	   "retransmits");
	teardown(&w);

	/* other causes for the pending txid: no change */
	for (int cause = 1; cause <= 4; cause++) {
		r = setup(&w, DEV) || to_dual(&w);
		n = tdev_reject(&w.dev, &w.k1, w.txid, cause, ans);
		r = r || in(&w, ans, n);
		ok(!r && hn_result_has(&w.res, HN_D_NO_CHANGE) &&
		   !hn_result_has(&w.res, HN_D_ABORT) && is_dual(&w),
		   "old-key REJECT cause %d for the pending txid: no change",
		   cause);
		teardown(&w);
	}
}

static void test_no_change(void)
{
	struct world w;
	struct hn_key forged;
	uint8_t ans[HN_MSG_MAX], nonce[16] = { 7 };
	int64_t unknown0;
	int n, r;

	/* old-key REQUEST in the dual-key window */
	r = setup(&w, DEV) || to_dual(&w);
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NO_CHANGE) && is_dual(&w) &&
	   w.res.nout == 1 && w.res.out[0].len == (size_t)w.confirm_len &&
	   !memcmp(w.res.out[0].buf, w.confirm, w.confirm_len),
	   "old-key REQUEST while dual: no change, CONFIRM sent again");

	/* forged tags */
	hn_random(forged.k, 16);
	hn_random(forged.opc, 16);
	n = tdev_reject(&w.dev, &forged, w.txid, SUBCRED_REJECT_NO_TXN, ans);
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w),
	   "forged REJECT cause 5 for the pending txid: no change");
	n = tdev_request(&w.dev, &forged, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w) &&
	   w.res.nout == 0, "forged REQUEST: no change, no answer");
	n = tdev_reject(&w.dev, &w.k1, w.txid, SUBCRED_REJECT_NO_TXN, ans);
	ans[n - 5] ^= 0x10;
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w),
	   "REJECT cause 5 with one tag bit flipped: no change");
	ok(get(&w)->rejected == 3, "unauthenticated messages are counted");

	/* unknown id */
	unknown0 = hn_db_stat(&w.db, "unknown_id");
	{
		struct tdev other;

		tdev_init(&other, "imsi-999", &w.k1, 1);
		n = tdev_reject(&other, &w.k1, w.txid, SUBCRED_REJECT_NO_TXN,
				ans);
		r = in(&w, ans, n);
	}
	ok(!r && hn_result_has(&w.res, HN_D_UNKNOWN_ID) && w.res.nout == 0 &&
	   is_dual(&w) && hn_db_stat(&w.db, "unknown_id") == unknown0 + 1,
	   "message for an unknown id: dropped, counted, no answer");
	{
		uint8_t junk[40] = { 'S', 'C', 1, 4 };

		r = in(&w, junk, sizeof(junk));
		ok(!r && hn_result_has(&w.res, HN_D_DROP) && is_dual(&w) &&
		   hn_db_stat(&w.db, "malformed") == 1,
		   "malformed datagram: dropped, counted");
	}
	teardown(&w);

	/* old-key REQUEST while idle: a new update (reason from it) */
	r = setup(&w, DEV);
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_COMPROMISE, nonce,
			 ans);
	r = r || in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NOTICE) &&
	   get(&w)->txn.reason == SUBCRED_REASON_COMPROMISE &&
	   get(&w)->version == 1,
	   "valid REQUEST while idle: new update, reason from the request");
	teardown(&w);

	/* forged RESPONSE */
	r = setup(&w, DEV) || start(&w);
	{
		uint8_t out[HN_MSG_MAX];

		n = tdev_input(&w.dev, w.res.out[0].buf, w.res.out[0].len,
			       out);
		out[n - TAG - 33] ^= 1;	/* RES */
		r = r || in(&w, out, n);
		ok(!r && hn_result_has(&w.res, HN_D_DROP) &&
		   get(&w)->state == HN_NOTICE_SENT && get(&w)->txn.has_sk,
		   "RESPONSE with a wrong RES: no change");
		out[n - TAG - 33] ^= 1;
		out[n - 1] ^= 0x80;
		r = in(&w, out, n);
		ok(!r && hn_result_has(&w.res, HN_D_DROP) &&
		   get(&w)->state == HN_NOTICE_SENT,
		   "RESPONSE with a flipped tag bit: no change");
		out[n - 1] ^= 0x80;
		r = in(&w, out, n);
		ok(!r && hn_result_has(&w.res, HN_D_CONFIRM),
		   "the genuine RESPONSE is still accepted");
	}
	teardown(&w);
}

/* Run the timer of the subscriber at @t; 0 or -1. */
static int timer_at(struct world *w, int64_t t)
{
	w->now = t;
	return hn_proto_timer(&w->db, &cfg, ID, t, &w->res);
}

static void test_timeouts(void)
{
	struct world w;
	uint8_t ans[HN_MSG_MAX], nonce[16] = { 3 };
	int64_t expect[] = { 1000, 2000, 4000 }, next;
	int i, r, bad, n;

	/* no answer to the NOTICE: retransmit with backoff, then abandon */
	r = setup(&w, DEV) || start(&w);
	next = get(&w)->txn.next_retry;
	ok(!r && next == w.now + 1000, "NOTICE: first timeout after rto");
	r = timer_at(&w, next - 1);
	ok(!r && w.res.nout == 0 && w.res.nev == 0,
	   "timer before the timeout: nothing");
	for (bad = 0, i = 0; i < 3; i++) {
		int64_t t = get(&w)->txn.next_retry;

		r = timer_at(&w, t);
		bad += r || !hn_result_has(&w.res, HN_D_RETRANSMIT) ||
		       w.res.nout != 1 || get(&w)->txn.tries != i + 2 ||
		       get(&w)->txn.next_retry !=
		       t + (i < 2 ? expect[i + 1] : 4000);
	}
	ok(!bad, "NOTICE retransmitted with backoff 2x rto, 4x rto (capped)");
	r = timer_at(&w, get(&w)->txn.next_retry);
	ok(!r && hn_result_has(&w.res, HN_D_ABANDON) &&
	   has_only(&w, &w.k1, 1) && get(&w)->rekey && get(&w)->wait_contact,
	   "tries exhausted before a RESPONSE: abandoned, no key changed");
	{
		char ids[4][HN_ID_MAX + 1];

		ok(hn_db_due(&w.db, w.now + 100000, ids, 4) == 0,
		   "abandoned update is not restarted by the timer");
	}
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NOTICE) && w.res.nout == 1,
	   "... but restarted at the device's next contact");
	teardown(&w);

	/* no answer to the CONFIRM: retransmit, then stall with both keys */
	bad = setup(&w, DEV) || to_dual(&w);
	for (i = 0; i < cfg.max_tries - 1; i++) {
		r = timer_at(&w, get(&w)->txn.next_retry);
		bad += r || !hn_result_has(&w.res, HN_D_RETRANSMIT) ||
		       w.res.nout != 1 || w.res.out[0].len !=
		       (size_t)w.confirm_len ||
		       memcmp(w.res.out[0].buf, w.confirm, w.confirm_len);
	}
	ok(!bad, "CONFIRM retransmitted byte for byte");
	r = timer_at(&w, get(&w)->txn.next_retry);
	ok(!r && hn_result_has(&w.res, HN_D_STALL) && is_dual(&w) &&
	   get(&w)->state == HN_STALLED && !get(&w)->txn.next_retry,
	   "tries exhausted after the RESPONSE: stalled, both keys kept");
	r = timer_at(&w, w.now + 10000000);
	ok(!r && w.res.nev == 0 && is_dual(&w),
	   "a stalled subscriber stays dual whatever the time");
	n = device_confirm(&w, ans);	/* a late CONFIRM did arrive */
	r = in(&w, ans, n);
	ok(!r && commits_to_device_key(&w), "stalled, then ACK: commit");
	teardown(&w);

	/* stalled, device PENDING expired, device speaks (old key) */
	r = setup(&w, DEV) || to_dual(&w);
	for (i = 0; i < cfg.max_tries; i++)
		r |= timer_at(&w, get(&w)->txn.next_retry);
	w.dev.pending = 0;
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	r = r || in(&w, ans, n);
	ok(!r && get(&w)->state == HN_CONFIRM_SENT && is_dual(&w) &&
	   hn_result_has(&w.res, HN_D_REPROBE) && w.res.nout == 1,
	   "stalled, old-key REQUEST: no key change, CONFIRM again");
	r = relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_ABORT) && has_only(&w, &w.k1, 1),
	   "... answered by REJECT cause 5 (old key): abort");
	teardown(&w);

	/* rekey while stalled: keep both until evidence, then start over */
	r = setup(&w, DEV) || to_dual(&w);
	for (i = 0; i < cfg.max_tries; i++)
		r |= timer_at(&w, get(&w)->txn.next_retry);
	device_confirm(&w, ans);	/* device committed; ACKs lost */
	r = r || hn_proto_rekey(&w.db, ID, SUBCRED_REASON_COMPROMISE, w.now,
				&w.res);
	ok(!r && is_dual(&w) && get(&w)->state == HN_CONFIRM_SENT &&
	   get(&w)->rekey == SUBCRED_REASON_COMPROMISE,
	   "rekey while stalled: both keys kept, CONFIRM probe armed");
	r = timer_at(&w, w.now);
	ok(!r && w.res.nout == 1 && hn_result_has(&w.res, HN_D_RETRANSMIT),
	   "... the probe is sent");
	r = relay(&w, 0);	/* cached ACK */
	ok(!r && hn_result_has(&w.res, HN_D_COMMIT) &&
	   hn_result_has(&w.res, HN_D_NOTICE) && get(&w)->version == 2 &&
	   get(&w)->txn.reason == SUBCRED_REASON_COMPROMISE,
	   "... the cached ACK commits, then the wanted update starts from "
	   "the proven key");
	r = relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_CONFIRM),
	   "... and the device accepts it");
	teardown(&w);
}

static void test_sync(void)
{
	struct world w;
	int r;

	r = setup(&w, DEV);
	w.dev.seq_ms = 1000;
	r = r || start(&w) || relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_RESYNC) &&
	   hn_result_has(&w.res, HN_D_NOTICE) && get(&w)->seq_next == 1002,
	   "SYNC: SQN_HE set past SQN_MS, fresh NOTICE");
	r = relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_CONFIRM),
	   "the fresh NOTICE is accepted");
	teardown(&w);

	r = setup(&w, DEV);
	w.dev.seq_ms = 1000;
	r = r || start(&w) || relay(&w, 0);
	w.dev.seq_ms = 5000;	/* the device moved on meanwhile */
	r = r || relay(&w, 0);
	ok(!r && hn_result_has(&w.res, HN_D_ABANDON) &&
	   has_only(&w, &w.k1, 1) && get(&w)->seq_next == 5001,
	   "2 consecutive SYNCs: abandoned, no key changed");
	teardown(&w);
}

static void test_address(void)
{
	struct world w;
	char ids[4][HN_ID_MAX + 1];
	uint8_t ans[HN_MSG_MAX], nonce[16] = { 5 };
	int n, r;

	r = setup(&w, NULL) ||
	    hn_proto_rekey(&w.db, ID, SUBCRED_REASON_OPERATOR, w.now, &w.res);
	ok(!r && hn_db_due(&w.db, w.now + 1000000, ids, 4) == 0 &&
	   get(&w)->rekey == SUBCRED_REASON_OPERATOR,
	   "rekey without a device address waits");
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	r = in(&w, ans, n);
	ok(!r && hn_result_has(&w.res, HN_D_NOTICE) && w.res.nout == 1 &&
	   !strcmp(w.res.out[0].addr, DEV) && !strcmp(get(&w)->device, DEV) &&
	   get(&w)->txn.reason == SUBCRED_REASON_OPERATOR,
	   "the device's REQUEST gives its address; the update starts");
	teardown(&w);

	r = setup(&w, NULL);
	n = tdev_request(&w.dev, &w.k1, 1, SUBCRED_REASON_PERIODIC, nonce,
			 ans);
	ans[n - 1] ^= 1;
	r = r || in(&w, ans, n);
	ok(!r && !get(&w)->device[0] && w.res.nout == 0,
	   "an unauthenticated datagram does not set the address");
	teardown(&w);
}

static void test_challenge(void)
{
	struct world w;
	struct hn_vector v;
	struct hn_milenage o;
	int r;

	r = setup(&w, DEV);
	r = r || hn_proto_challenge(&w.db, ID, HN_KEY_CURRENT, w.now, &v);
	hn_milenage_f2345(w.k1.k, w.k1.opc, v.rand, &o);
	ok(!r && !memcmp(o.res, v.xres, 8) && v.key_version == 1 &&
	   v.autn[6] == 0x80 && v.autn[7] == 0x00 && hn_sqn_seq(v.sqn) == 1,
	   "challenge: XRES of the current key, AMF 8000, SEQ 1");
	ok(get(&w)->seq_next == 2, "challenge: SQN_HE moved on");
	ok(hn_proto_challenge(&w.db, ID, HN_KEY_NEW, w.now, &v) == 2,
	   "challenge --key new outside a dual-key window: refused");
	r = to_dual(&w);
	r = r || hn_proto_challenge(&w.db, ID, HN_KEY_NEW, w.now, &v);
	hn_milenage_f2345(w.dev.p.k_new, w.dev.p.opc_new, v.rand, &o);
	ok(!r && !memcmp(o.res, v.xres, 8) && v.key_version == 2,
	   "challenge --key new: XRES of the pending new key");
	ok(hn_proto_challenge(&w.db, "imsi-nobody", HN_KEY_CURRENT, w.now,
			      &v) == 1, "challenge of an unknown id: 1");
	teardown(&w);
}

/* 1 if the octets @p (@n) are in the file @path (a missing file: 0). */
static int file_has(const char *path, const uint8_t *p, size_t n)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t len, i;

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (i = 0; i + n <= len; i++)
		if (!memcmp(buf + i, p, n))
			return 1;
	return 0;
}

static int db_has(const struct world *w, const uint8_t *p, size_t n)
{
	char wal[300];

	snprintf(wal, sizeof(wal), "%s-wal", w->path);
	return file_has(w->path, p, n) || file_has(wal, p, n);
}

/* Wiped secrets leave the database files, WAL included, at once. */
static void test_scrub(void)
{
	uint8_t sk[32], ans[HN_MSG_MAX];
	struct world w;
	int n, r;

	r = setup(&w, DEV) || start(&w);
	memcpy(sk, get(&w)->txn.sk_n, sizeof(sk));
	ok(!r && get(&w)->txn.has_sk && db_has(&w, sk, sizeof(sk)),
	   "NOTICE_SENT: sk_N is in the database (needed after a restart)");
	r = relay(&w, 0) || w.res.nout != 1;
	if (!r) {
		memcpy(w.confirm, w.res.out[0].buf, w.res.out[0].len);
		w.confirm_len = w.res.out[0].len;
	}
	ok(!r && is_dual(&w) && !db_has(&w, sk, sizeof(sk)),
	   "RESPONSE verified: sk_N is in neither the database nor its WAL");
	n = device_confirm(&w, ans);
	r = in(&w, ans, n);
	ok(!r && commits_to_device_key(&w) &&
	   !db_has(&w, w.k1.k, sizeof(w.k1.k)) &&
	   !db_has(&w, w.k1.opc, sizeof(w.k1.opc)),
	   "committed: the old K and OPc are in neither the database nor "
	   "its WAL");
	teardown(&w);
	memset(sk, 0, sizeof(sk));
}

int main(void)
{
	tap_start();
	hn_log_quiet = 1;
	test_commit();
	test_abort();
	test_no_change();
	test_timeouts();
	test_sync();
	test_address();
	test_challenge();
	test_scrub();
	hn_sub_wipe(&sub);
	return tap_done();
}
