// SPDX-License-Identifier: GPL-2.0
/*
 * subcred-hn against vectors/protocol-v1.txt: every value of the worked
 * example, first through the message functions (hn_msg), then through the
 * state machine `serve` runs (hn_proto) on a temporary database, with the
 * vector's txid, RAND and sk_N injected as its randomness.
 */
#include <stdio.h>
#include <string.h>

#include "hn_msg.h"
#include "hn_proto.h"
#include "hn_util.h"
#include "../../tests/vectors.h"
#include "tap.h"
#include "thelp.h"

#define TAG	SUBCRED_WIRE_TAG_LEN
#define DEV	"127.0.0.1:7306"

static struct hn_key key;
static char id[SUBCRED_WIRE_ID_MAX + 1];
static uint8_t txid[8], rnd[16], sqn[6], amf[2], sk_n[32];

static int vec(const char *name, uint8_t *out, size_t size)
{
	int n = vector_hex(name, out, size);

	if (n < 0)
		printf("# vector %s missing\n", name);
	return n;
}

static int same(const char *name, const uint8_t *p, size_t len)
{
	uint8_t want[512];
	int n = vec(name, want, sizeof(want));

	if (n != (int)len || memcmp(want, p, len)) {
		char hex[1025];

		hn_hex(p, len < 512 ? len : 512, hex);
		printf("# %s: got %s\n", name, hex);
		return 0;
	}
	return 1;
}

static void load_inputs(void)
{
	snprintf(id, sizeof(id), "%s", vector_text("id"));
	vec("K", key.k, 16);
	vec("OPc", key.opc, 16);
	vec("txid", txid, 8);
	vec("RAND", rnd, 16);
	vec("SQN", sqn, 6);
	vec("AMF", amf, 2);
	vec("sk_N", sk_n, 32);
}

/*
 * @buf is accepted, and every single-bit flip of its octets @end - @span to
 * @end (counted from the end of the message) is refused.
 */
static int flips_refused(uint8_t *buf, size_t len, size_t end, size_t span,
			 int (*accepts)(const uint8_t *, size_t))
{
	size_t i, last = len - end;
	int bad = 0;

	for (i = (last - span) * 8; i < last * 8; i++) {
		buf[i / 8] ^= 1 << (i % 8);
		bad += accepts(buf, len);
		buf[i / 8] ^= 1 << (i % 8);
	}
	return !bad && accepts(buf, len);
}

/* The same for the last @span octets. */
static int all_flips_refused(uint8_t *buf, size_t len, size_t span,
			     int (*accepts)(const uint8_t *, size_t))
{
	return flips_refused(buf, len, 0, span, accepts);
}

/* ---- message functions ---- */

static struct hn_session sess;
static uint8_t notice[HN_MSG_MAX], xres[8];
static int notice_len;

static int response_ok(const uint8_t *buf, size_t len)
{
	struct subcred_msg m;
	struct hn_session s;

	return !subcred_wire_parse(buf, len, &m, NULL) &&
	       !hn_msg_response(&key, rnd, xres, notice, notice_len, sk_n, 2,
				buf, len, &m, &s);
}

static int ack_ok(const uint8_t *buf, size_t len)
{
	return hn_msg_ack_ok(sess.k_conf, sess.h_t, buf, len);
}

static int sync_ok(const uint8_t *buf, size_t len)
{
	struct subcred_msg m;
	uint8_t sqn_ms[6];

	return !subcred_wire_parse(buf, len, &m, NULL) &&
	       !hn_msg_sync(&key, rnd, m.sync.auts, sqn_ms);
}

static int device_tag_ok(const uint8_t *buf, size_t len)
{
	struct subcred_msg m;

	return !subcred_wire_parse(buf, len, &m, NULL) &&
	       hn_msg_device_tag_ok(&key, &m, buf, len);
}

static void test_messages(void)
{
	struct hn_notice_in in;
	struct subcred_msg m;
	uint8_t autn[16], kauth[32], buf[HN_MSG_MAX], sqn_ms[6];
	struct hn_key other;
	int len;

	ok(!hn_msg_autn(&key, rnd, sqn, amf, autn, xres) &&
	   same("AUTN", autn, 16), "vector: AUTN = SQN^AK || AMF || MAC-A");
	ok(same("RES", xres, 8), "vector: XRES = RES");
	ok(!hn_msg_kauth(&key, rnd, id, txid, kauth) &&
	   same("K_auth", kauth, 32), "vector: K_auth");

	memset(&in, 0, sizeof(in));
	in.id = id;
	memcpy(in.txid, txid, 8);
	in.reason = 1;
	in.key_version = 1;
	memcpy(in.rand, rnd, 16);
	memcpy(in.sqn, sqn, 6);
	memcpy(in.amf, amf, 2);
	memcpy(in.sk_n, sk_n, 32);
	notice_len = hn_msg_notice(&key, &in, notice, sizeof(notice), xres);
	ok(notice_len > 0 && same("NOTICE", notice, notice_len),
	   "vector: NOTICE built byte for byte from its inputs");

	len = vec("RESPONSE", buf, sizeof(buf));
	ok(len > 0 && !subcred_wire_parse(buf, len, &m, NULL) &&
	   !hn_msg_response(&key, rnd, xres, notice, notice_len, sk_n, 2, buf,
			    len, &m, &sess), "vector: RESPONSE verifies");
	ok(same("H_T", sess.h_t, 32), "vector: H_T");
	ok(same("S", sess.s, 32), "vector: S");
	ok(same("K_new", sess.k_new, 16), "vector: K_new");
	ok(same("OPc_new", sess.opc_new, 16), "vector: OPc_new");
	ok(same("K_conf", sess.k_conf, 32), "vector: K_conf");
	ok(all_flips_refused(buf, len, TAG, response_ok),
	   "vector: RESPONSE with any one tag bit flipped is refused");
	ok(flips_refused(buf, len, TAG + 32, 8, response_ok),
	   "vector: RESPONSE with any one RES bit flipped is refused");
	ok(!hn_msg_response_again(&key, rnd, notice, notice_len, sess.h_t,
				  buf, len, &m),
	   "vector: the same RESPONSE again is recognised");
	buf[len - TAG - 1] ^= 1;	/* PK_D */
	ok(!subcred_wire_parse(buf, len, &m, NULL) &&
	   hn_msg_response_again(&key, rnd, notice, notice_len, sess.h_t,
				 buf, len, &m),
	   "vector: a RESPONSE with another PK_D is not the same one");
	buf[len - TAG - 1] ^= 1;

	len = hn_msg_confirm(id, txid, 2, sess.k_conf, sess.h_t, buf,
			     sizeof(buf));
	ok(len > 0 && same("CONFIRM", buf, len),
	   "vector: CONFIRM built byte for byte");

	len = vec("ACK", buf, sizeof(buf));
	ok(len > 0 && ack_ok(buf, len), "vector: ACK tag (TAG_A) verifies");
	ok(all_flips_refused(buf, len, TAG, ack_ok),
	   "vector: ACK with any one tag bit flipped is refused");
	buf[len - TAG - 1] ^= 1;	/* new_version */
	ok(!ack_ok(buf, len), "vector: ACK with new_version changed is "
	   "refused");

	len = vec("SYNC", buf, sizeof(buf));
	ok(len > 0 && !subcred_wire_parse(buf, len, &m, NULL) &&
	   !hn_msg_sync(&key, rnd, m.sync.auts, sqn_ms) &&
	   same("SYNC_SQN_MS", sqn_ms, 6),
	   "vector: SYNC MAC-S verifies, SQN_MS recovered");
	ok(hn_sqn_seq(sqn_ms) == 9 && hn_sqn_ind(sqn_ms) == 3,
	   "vector: SYNC_SQN_MS is SEQ 9 IND 3");
	ok(all_flips_refused(buf, len, 8, sync_ok),
	   "vector: SYNC with any one MAC-S bit flipped is refused");
	ok(all_flips_refused(buf, len, 14, sync_ok),
	   "vector: SYNC with any one AUTS bit flipped is refused");

	len = vec("REJECT", buf, sizeof(buf));
	ok(len > 0 && device_tag_ok(buf, len),
	   "vector: REJECT tag (TAG_J) verifies with K, OPc");
	ok(all_flips_refused(buf, len, TAG, device_tag_ok),
	   "vector: REJECT with any one tag bit flipped is refused");
	ok(all_flips_refused(buf, len, TAG + 1 + 8, device_tag_ok),
	   "vector: REJECT with any one txid, cause or tag bit flipped is "
	   "refused (or unparsable)");
	memcpy(other.k, sess.k_new, 16);
	memcpy(other.opc, sess.opc_new, 16);
	ok(!subcred_wire_parse(buf, len, &m, NULL) &&
	   !hn_msg_device_tag_ok(&other, &m, buf, len),
	   "vector: REJECT does not verify with K_new, OPc_new");

	len = vec("REQUEST", buf, sizeof(buf));
	ok(len > 0 && device_tag_ok(buf, len),
	   "vector: REQUEST tag (TAG_R) verifies with K, OPc");
	ok(all_flips_refused(buf, len, TAG, device_tag_ok),
	   "vector: REQUEST with any one tag bit flipped is refused");
	ok(all_flips_refused(buf, len, TAG + 16, device_tag_ok),
	   "vector: REQUEST with any one nonce bit flipped is refused");
	ok(!subcred_wire_parse(buf, len, &m, NULL) &&
	   !hn_msg_device_tag_ok(&other, &m, buf, len),
	   "vector: REQUEST does not verify with K_new, OPc_new");
}

/* ---- through the state machine ---- */

static const struct hn_cfg cfg = { 1000, 8000, 4 };

static void inject_vector_randomness(void)
{
	th_random_reset();
	th_random_push(txid, 8);
	th_random_push(rnd, 16);
	th_random_push(sk_n, 32);
}

/* A database with the vector's subscriber and its NOTICE out. */
static int notice_out(hn_db *db, char *path, size_t size,
		      struct hn_result *res)
{
	if (th_db(db, path, size) ||
	    th_add(db, id, &key, 1, 5, 3, DEV))	/* SEQ 5 IND 3 */
		return -1;
	inject_vector_randomness();
	if (hn_proto_rekey(db, id, SUBCRED_REASON_PERIODIC, 2000, res) ||
	    hn_proto_timer(db, &cfg, id, 2000, res))
		return -1;
	th_random_reset();
	return 0;
}

static int input_vec(hn_db *db, const char *name, int64_t now,
		     struct hn_result *res)
{
	uint8_t buf[HN_MSG_MAX];
	int len = vec(name, buf, sizeof(buf));

	if (len < 0)
		return -1;
	return hn_proto_input(db, &cfg, buf, len, DEV, now, res);
}

static void test_proto(void)
{
	struct hn_result res;
	struct hn_sub s;
	char path[256];
	hn_db db;
	int r;

	r = notice_out(&db, path, sizeof(path), &res);
	ok(!r && res.nout == 1 && !strcmp(res.out[0].addr, DEV) &&
	   same("NOTICE", res.out[0].buf, res.out[0].len) &&
	   hn_result_has(&res, HN_D_NOTICE),
	   "proto: rekey + timer sends the vector NOTICE byte for byte");
	ok(th_get(&db, id, &s) == 1 && s.state == HN_NOTICE_SENT &&
	   s.seq_next == 6 && s.ind_next == 4 && s.txn.has_sk &&
	   !s.txn.has_new && !s.rekey && same("RES", s.txn.xres, 8),
	   "proto: notice-sent, XRES and sk_N stored, SQN_HE moved on");

	r = input_vec(&db, "RESPONSE", 2500, &res);
	ok(!r && hn_result_has(&res, HN_D_CONFIRM) && res.nout == 1 &&
	   same("CONFIRM", res.out[0].buf, res.out[0].len),
	   "proto: vector RESPONSE answered with the vector CONFIRM");
	ok(th_get(&db, id, &s) == 1 && s.state == HN_CONFIRM_SENT &&
	   s.txn.has_new && !s.txn.has_sk && s.version == 1 &&
	   same("K_new", s.txn.new_key.k, 16) &&
	   same("OPc_new", s.txn.new_key.opc, 16) &&
	   same("K", s.key.k, 16) && same("H_T", s.txn.h_t, 32) &&
	   same("K_conf", s.txn.k_conf, 32),
	   "proto: dual-key window: old K and K_new both held, sk_N wiped");

	r = input_vec(&db, "RESPONSE", 2600, &res);
	ok(!r && hn_result_has(&res, HN_D_RETRANSMIT) && res.nout == 1 &&
	   same("CONFIRM", res.out[0].buf, res.out[0].len),
	   "proto: a duplicate RESPONSE gets the same CONFIRM");

	r = input_vec(&db, "REJECT", 2700, &res);
	ok(!r && hn_result_has(&res, HN_D_NO_CHANGE) &&
	   !hn_result_has(&res, HN_D_ABORT) && th_get(&db, id, &s) == 1 &&
	   s.state == HN_CONFIRM_SENT && s.txn.has_new,
	   "proto: vector REJECT (cause 5, another txid, old key) changes "
	   "nothing");
	r = input_vec(&db, "REQUEST", 2800, &res);
	ok(!r && hn_result_has(&res, HN_D_NO_CHANGE) &&
	   th_get(&db, id, &s) == 1 && s.state == HN_CONFIRM_SENT &&
	   s.txn.has_new, "proto: vector REQUEST (old key) changes nothing");
	r = input_vec(&db, "SYNC", 2900, &res);
	ok(!r && hn_result_has(&res, HN_D_IGNORE) &&
	   th_get(&db, id, &s) == 1 && s.state == HN_CONFIRM_SENT,
	   "proto: SYNC after the RESPONSE is ignored");

	r = input_vec(&db, "ACK", 3000, &res);
	ok(!r && hn_result_has(&res, HN_D_COMMIT) && res.nout == 0,
	   "proto: vector ACK commits");
	ok(th_get(&db, id, &s) == 1 && s.state == HN_IDLE && !s.has_txn &&
	   s.version == 2 && same("K_new", s.key.k, 16) &&
	   same("OPc_new", s.key.opc, 16) &&
	   !strcmp(s.last_result, "committed v2"),
	   "proto: after the ACK K_new/OPc_new version 2 is the only key");
	r = input_vec(&db, "ACK", 3100, &res);
	ok(!r && hn_result_has(&res, HN_D_IGNORE) &&
	   th_get(&db, id, &s) == 1 && s.version == 2,
	   "proto: a duplicate ACK changes nothing");
	hn_db_close(&db);
	th_db_remove(path);

	/* SYNC: the device already accepted SEQ 9 */
	r = notice_out(&db, path, sizeof(path), &res);
	r = r || input_vec(&db, "SYNC", 2500, &res);
	ok(!r && hn_result_has(&res, HN_D_RESYNC) &&
	   hn_result_has(&res, HN_D_NOTICE) && res.nout == 1,
	   "proto: vector SYNC accepted, fresh NOTICE sent");
	ok(th_get(&db, id, &s) == 1 && s.state == HN_NOTICE_SENT &&
	   hn_sqn_seq(s.txn.sqn) == 10 && s.seq_next == 11 &&
	   memcmp(s.txn.txid, txid, 8) && memcmp(s.txn.rand, rnd, 16) &&
	   s.txn.sync_count == 1,
	   "proto: SQN_HE set past SYNC_SQN_MS (SEQ 10), fresh txid, RAND");
	{
		struct hn_milenage o;
		struct subcred_msg m;
		uint8_t q[6];
		int i;

		subcred_wire_parse(res.out[0].buf, res.out[0].len, &m, NULL);
		hn_milenage_f2345(key.k, key.opc, m.notice.rand, &o);
		for (i = 0; i < 6; i++)
			q[i] = m.notice.autn[i] ^ o.ak[i];
		ok(hn_sqn_seq(q) == 10 && m.notice.autn[6] == 0x00 &&
		   m.notice.autn[7] == 0x80,
		   "proto: the fresh NOTICE carries SEQ 10 and AMF 0080");
	}
	hn_sub_wipe(&s);
	hn_db_close(&db);
	th_db_remove(path);
}

int main(void)
{
	tap_start();
	hn_log_quiet = 1;
	if (vectors_load(vectors_path("protocol-v1.txt")))
		return 1;
	load_inputs();
	test_messages();
	test_proto();
	return tap_done();
}
