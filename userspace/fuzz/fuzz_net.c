// SPDX-License-Identifier: GPL-2.0
/*
 * The network model of fuzz_update: Documentation/protocol.md §4 and §6
 * for one subscriber, written from the specification. It shares nothing
 * with the device code under test but the wire codec; Milenage and X25519
 * are subcred-hn's (OpenSSL EVP), SHA-256, HMAC and the KDF the fast ones
 * of fuzz_crypto.c (checked against OpenSSL's EVP at start).
 */
#include <string.h>

#include "../hn/hn_crypto.h"
#include "fuzz_crypto.h"
#include "shim/kshim.h"
#include "../../kmod/crypto.h"
#include "fuzz_kshim.h"
#include "fuzz_net.h"

#define AMF_REKEY_0	0x00
#define AMF_REKEY_1	0x80

static void be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put48(u8 *p, u64 v)
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static u64 get48(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

static void must(int ok)
{
	if (!ok)
		abort();	/* the model's own primitives never fail */
}

/*
 * SHA-256, HMAC and the KDF: the fast ones of fuzz_crypto.c, checked
 * against OpenSSL's at start; Milenage and X25519 are subcred-hn's.
 */
#define NET_PARTS	4

static void to_bufs(const struct hn_buf *in, size_t n, struct subcred_buf *b)
{
	size_t i;

	must(n <= NET_PARTS);
	for (i = 0; i < n; i++)
		b[i] = (struct subcred_buf){ in[i].p, in[i].len };
}

static int net_sha256(const struct hn_buf *in, size_t n, u8 *out)
{
	struct subcred_buf b[NET_PARTS];

	to_bufs(in, n, b);
	return subcred_sha256(b, n, out);
}

static int net_hmac(const u8 *key, size_t klen, const struct hn_buf *in,
		    size_t n, u8 *out)
{
	struct subcred_buf b[NET_PARTS];

	to_bufs(in, n, b);
	return subcred_hmac(key, klen, b, n, out);
}

static int net_kdf(const u8 *key, size_t klen, const char *label,
		   const struct hn_buf *in, size_t n, u8 *out)
{
	struct subcred_buf b[NET_PARTS];

	to_bufs(in, n, b);
	return subcred_kdf(key, klen, label, b, n, out);
}

void net_init(struct net_cred *n, const char *id, const u8 *k, const u8 *opc)
{
	memset(n, 0, sizeof(*n));
	n->id_len = strlen(id);
	memcpy(n->id, id, n->id_len);
	memcpy(n->k, k, 16);
	memcpy(n->opc, opc, 16);
	n->v = 1;
	n->seq_he = 1;		/* provisioned SQN 0: SEQ 0 counts as used */
}

/* The next SQN: SEQ_HE with the next IND (§6.2 step 3). */
static u64 next_sqn(struct net_cred *n)
{
	u64 sqn = n->seq_he << 5 | n->ind;

	n->seq_he++;
	n->ind = (n->ind + 1) % 32;
	return sqn;
}

static void header(struct subcred_msg *m, const struct net_cred *n, u8 type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id_len = n->id_len;
	memcpy(m->id, n->id, n->id_len);
	memcpy(m->txid, n->txid, sizeof(n->txid));
}

static void new_notice(struct net_cred *n, u8 reason)
{
	static const u8 amf[2] = { AMF_REKEY_0, AMF_REKEY_1 };
	struct hn_milenage mil;
	struct subcred_msg m;
	u8 sqn[6], pk[32], r, tag[32];
	struct hn_buf kp[2], in;
	u8 ckik[32];
	int i, len;

	n->txids++;
	memset(n->txid, 0, sizeof(n->txid));
	n->txid[0] = 0x7e;		/* unique per subscriber, never reused */
	for (i = 0; i < 7; i++)
		n->txid[7 - i] = n->txids >> (8 * i);
	get_random_bytes(n->rand, sizeof(n->rand));
	get_random_bytes(&r, 1);
	fuzz_keypair(r, n->sk, pk);
	put48(sqn, next_sqn(n));

	must(!hn_milenage_f2345(n->k, n->opc, n->rand, &mil));
	memcpy(n->xres, mil.res, 8);
	memcpy(n->ck, mil.ck, 16);
	memcpy(n->ik, mil.ik, 16);
	header(&m, n, SUBCRED_MSG_NOTICE);
	for (i = 0; i < 6; i++)
		m.notice.autn[i] = sqn[i] ^ mil.ak[i];
	must(!hn_milenage_f1(n->k, n->opc, n->rand, sqn, amf, &mil));
	memcpy(m.notice.autn + 6, amf, 2);
	memcpy(m.notice.autn + 8, mil.mac_a, 8);
	m.notice.reason = reason;
	m.notice.key_version = n->v;
	memcpy(m.notice.rand, n->rand, 16);
	memcpy(m.notice.pk, pk, 32);
	len = subcred_wire_build(&m, n->notice, sizeof(n->notice));
	must(len > 0);
	n->notice_len = len;

	memcpy(ckik, n->ck, 16);
	memcpy(ckik + 16, n->ik, 16);
	kp[0] = (struct hn_buf){ n->id, n->id_len };
	kp[1] = (struct hn_buf){ n->txid, 8 };
	must(!net_kdf(ckik, 32, "auth", kp, 2, n->k_auth));
	in = (struct hn_buf){ n->notice, len - 32 };
	must(!net_hmac(n->k_auth, 32, &in, 1, tag));
	subcred_wire_set_tag(n->notice, len, tag);
	n->state = NET_NOTICE_SENT;
}

size_t net_send(struct net_cred *n, u8 reason, u8 *buf)
{
	if (n->state == NET_IDLE) {
		if (n->v > 0xfffffffdU)
			return 0;
		new_notice(n, reason % 3 + 1);
	}
	if (n->state == NET_NOTICE_SENT) {
		memcpy(buf, n->notice, n->notice_len);
		return n->notice_len;
	}
	memcpy(buf, n->confirm, n->confirm_len);
	return n->confirm_len;
}

/* TAG_D, H_T, and from them everything of §6.3; false if it fails. */
static bool response(struct net_cred *n, const u8 *buf, size_t len,
		     const struct subcred_msg *m, u8 *h_t)
{
	u8 hn[32], tag[32], z[32], ikm[64], s[32], nv[4], out[32];
	struct hn_buf in[3];

	in[0] = (struct hn_buf){ n->notice, n->notice_len };
	must(!net_sha256(in, 1, hn));
	in[0] = (struct hn_buf){ hn, 32 };
	in[1] = (struct hn_buf){ buf, len - 32 };
	must(!net_hmac(n->k_auth, 32, in, 2, tag));
	if (!hn_equal(tag, m->tag, 32) || !hn_equal(m->response.res, n->xres, 8))
		return false;
	in[0] = (struct hn_buf){ n->notice, n->notice_len };
	must(!net_sha256(in, 2, h_t));
	if (n->state == NET_CONFIRM_SENT)
		return true;
	if (fuzz_x25519(n->sk, m->response.pk, z))
		return false;

	memcpy(ikm, n->ck, 16);
	memcpy(ikm + 16, n->ik, 16);
	memcpy(ikm + 32, z, 32);
	in[0] = (struct hn_buf){ n->id, n->id_len };
	in[1] = (struct hn_buf){ n->txid, 8 };
	in[2] = (struct hn_buf){ h_t, 32 };
	must(!net_kdf(ikm, 64, "session", in, 3, s));
	be32(nv, n->v + 1);
	in[0] = (struct hn_buf){ nv, 4 };
	must(!net_kdf(s, 32, "k", in, 1, out));
	memcpy(n->k_new, out, 16);
	must(!net_kdf(s, 32, "opc", in, 1, out));
	memcpy(n->opc_new, out, 16);
	must(!net_kdf(s, 32, "confirm", in, 1, n->k_conf));
	memcpy(n->h_t, h_t, 32);
	return true;
}

static void make_confirm(struct net_cred *n)
{
	struct subcred_msg m;
	struct hn_buf in[3];
	u8 tag[32];
	int len;

	header(&m, n, SUBCRED_MSG_CONFIRM);
	m.confirm.new_version = n->v + 1;
	len = subcred_wire_build(&m, n->confirm, sizeof(n->confirm));
	must(len > 0);
	in[0] = (struct hn_buf){ "confirm", 7 };
	in[1] = (struct hn_buf){ n->h_t, 32 };
	in[2] = (struct hn_buf){ n->confirm, len - 32 };
	must(!net_hmac(n->k_conf, 32, in, 3, tag));
	subcred_wire_set_tag(n->confirm, len, tag);
	n->confirm_len = len;
	n->state = NET_CONFIRM_SENT;
}

static enum net_result commit(struct net_cred *n)
{
	memcpy(n->k, n->k_new, 16);
	memcpy(n->opc, n->opc_new, 16);
	n->v++;
	n->state = NET_IDLE;
	n->commits++;
	return NET_COMMIT;
}

static bool ack_ok(const struct net_cred *n, const u8 *buf, size_t len,
		   const struct subcred_msg *m)
{
	struct hn_buf in[3];
	u8 tag[32];

	if (m->ack.new_version != n->v + 1)
		return false;
	in[0] = (struct hn_buf){ "ack", 3 };
	in[1] = (struct hn_buf){ n->h_t, 32 };
	in[2] = (struct hn_buf){ buf, len - 32 };
	must(!net_hmac(n->k_conf, 32, in, 3, tag));
	return hn_equal(tag, m->tag, 32);
}

/* TAG_J or TAG_R of a device message under the key (@k, @opc). */
bool net_device_tag_ok(const u8 *k, const u8 *opc, const u8 *buf,
		       size_t len)
{
	struct subcred_msg m;
	struct hn_buf p[2], in;
	u8 kk[32], tk[32], tag[32];
	const char *label;

	if (subcred_wire_parse(buf, len, &m, NULL))
		return false;
	p[0] = (struct hn_buf){ m.id, m.id_len };
	if (m.type == SUBCRED_MSG_REJECT) {
		label = "reject";
		p[1] = (struct hn_buf){ m.txid, 8 };
	} else if (m.type == SUBCRED_MSG_REQUEST) {
		label = "request";
		p[1] = (struct hn_buf){ m.request.nonce, 16 };
	} else {
		return false;
	}
	memcpy(kk, k, 16);
	memcpy(kk + 16, opc, 16);
	must(!net_kdf(kk, 32, label, p, 2, tk));
	in = (struct hn_buf){ buf, len - 32 };
	must(!net_hmac(tk, 32, &in, 1, tag));
	return hn_equal(tag, m.tag, 32);
}

static enum net_result sync(struct net_cred *n, const struct subcred_msg *m)
{
	static const u8 amf[2];
	struct hn_milenage mil;
	u8 sqn[6];
	u64 sqn_ms, seq_ms;
	int i;

	must(!hn_milenage_f2345(n->k, n->opc, n->rand, &mil));
	for (i = 0; i < 6; i++)
		sqn[i] = m->sync.auts[i] ^ mil.ak_s[i];
	must(!hn_milenage_f1(n->k, n->opc, n->rand, sqn, amf, &mil));
	if (!hn_equal(mil.mac_s, m->sync.auts + 6, 8))
		return NET_BAD;
	sqn_ms = get48(sqn);
	seq_ms = sqn_ms >> 5;
	if (n->seq_he <= seq_ms || n->seq_he - seq_ms > (1ULL << 28))
		n->seq_he = seq_ms + 1;
	n->state = NET_IDLE;
	return NET_RESYNC;
}

enum net_result net_receive(struct net_cred *n, const u8 *buf, size_t len)
{
	bool pending, old_ok, new_ok;
	struct subcred_msg m;
	u8 h_t[32];

	if (subcred_wire_parse(buf, len, &m, NULL) ||
	    m.id_len != n->id_len || memcmp(m.id, n->id, n->id_len))
		return NET_IGNORED;
	pending = n->state != NET_IDLE && !memcmp(m.txid, n->txid, 8);

	switch (m.type) {
	case SUBCRED_MSG_RESPONSE:
		if (!pending)
			return NET_IGNORED;
		if (!response(n, buf, len, &m, h_t))
			return NET_BAD;
		if (n->state == NET_CONFIRM_SENT)
			return hn_equal(h_t, n->h_t, 32) ? NET_CONFIRM : NET_BAD;
		make_confirm(n);
		return NET_CONFIRM;
	case SUBCRED_MSG_ACK:
		if (!pending || n->state != NET_CONFIRM_SENT)
			return NET_IGNORED;
		return ack_ok(n, buf, len, &m) ? commit(n) : NET_BAD;
	case SUBCRED_MSG_SYNC:
		if (!pending || n->state != NET_NOTICE_SENT)
			return NET_IGNORED;
		return sync(n, &m);
	case SUBCRED_MSG_REJECT:
	case SUBCRED_MSG_REQUEST:
		old_ok = net_device_tag_ok(n->k, n->opc, buf, len);
		new_ok = n->state == NET_CONFIRM_SENT &&
			 net_device_tag_ok(n->k_new, n->opc_new, buf, len);
		if (new_ok)
			return commit(n);
		if (!old_ok)
			return NET_BAD;
		if (m.type == SUBCRED_MSG_REQUEST || !pending)
			return NET_IGNORED;
		if (n->state == NET_NOTICE_SENT ||
		    m.reject.cause == SUBCRED_REJECT_NO_TXN) {
			n->state = NET_IDLE;
			return NET_ABORT;
		}
		return NET_IGNORED;
	default:
		return NET_IGNORED;
	}
}

bool net_holds(const struct net_cred *n, const u8 *k, const u8 *opc, u32 v)
{
	if (v == n->v && !memcmp(k, n->k, 16) && !memcmp(opc, n->opc, 16))
		return true;
	return n->state == NET_CONFIRM_SENT && v == n->v + 1 &&
	       !memcmp(k, n->k_new, 16) && !memcmp(opc, n->opc_new, 16);
}

void net_aka_vector(struct net_cred *n, u8 *rand, u8 *autn, u8 *xres)
{
	static const u8 amf[2] = { 0x80, 0x00 };
	struct hn_milenage mil;
	u8 sqn[6];
	int i;

	get_random_bytes(rand, 16);
	put48(sqn, next_sqn(n));
	must(!hn_milenage_f2345(n->k, n->opc, rand, &mil));
	memcpy(xres, mil.res, 8);
	for (i = 0; i < 6; i++)
		autn[i] = sqn[i] ^ mil.ak[i];
	must(!hn_milenage_f1(n->k, n->opc, rand, sqn, amf, &mil));
	memcpy(autn + 6, amf, 2);
	memcpy(autn + 8, mil.mac_a, 8);
}
