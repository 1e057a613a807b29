// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of `make bench` (bench/run.sh, bench/guest.sh), as root
 * with subcred.ko loaded and a master key in the caller's keyring:
 *
 *   update  N updates of one credential, each a genuine NOTICE and CONFIRM
 *           of the test network model (selftests/network.c), every
 *           RESPONSE and ACK verified by it; only the four device-side
 *           netlink calls (NOTICE, PERSISTED, CONFIRM, PERSISTED) are timed,
 *           never the network model.
 *   user    the same device-side computation in this process on OpenSSL,
 *           N times, its RESPONSE and ACK verified by the network model.
 *   rtt     netlink round trip of a request that does nothing (PERSISTED
 *           of a generation already durable) and of CRED_GET, vs. NOTICE.
 *   store   memory per credential (/proc/slabinfo by cache, /proc/meminfo
 *           Slab) at C credentials, provisioning and deletion rate,
 *           lookup (CRED_GET doit) at 100 and at C credentials.
 *
 * With --floor FILE (subcred_bench.ko's results) it also prints the
 * ratios to the in-kernel crypto floor, and with --floor-live FILE
 * (subcred_bench.ko's floor file) it times that floor after each update,
 * through a system call for each half as the real path, under the same
 * load: the ratio that counts. Inputs come from a PRNG seeded
 * with --seed; every count is printed. Output: TAP, the table as "#"
 * lines; exit status 1 if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <linux/subcred.h>
#include "../selftests/genl.h"
#include "../selftests/network.h"

#define ID_FMT		"imsi-00101%010u"	/* 20 octets, as the floor */
#define PLAIN_LEN	437	/* kmod/seal.c SUBCRED_PLAIN_LEN */
#define BLOB_HDR_LEN	49	/* kmod/seal.c header with a 20-octet id */

static uint64_t rng_s;
static int floor_fd = -1;	/* --floor-live */
static int tap_n, tap_fail;
static struct genl_sock gs;

/* splitmix64: the inputs, reproducible from --seed */
static uint64_t rng(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rng();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void ok(int good, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d bench: ", good ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!good)
		tap_fail++;
}

struct dist {
	uint64_t median, p99, mean;
	unsigned int n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct dist dist_of(uint64_t *t, unsigned int n)
{
	struct dist d = { .n = n };
	uint64_t sum = 0;
	unsigned int i;

	if (!n)
		return d;
	qsort(t, n, sizeof(*t), cmp_u64);
	for (i = 0; i < n; i++)
		sum += t[i];
	d.median = t[n / 2];
	d.p99 = t[(uint64_t)n * 99 / 100];
	d.mean = sum / n;
	return d;
}

static void row(const char *name, struct dist d, const char *what)
{
	printf("# %-22s n=%-7u median %9.1f us  p99 %9.1f us  mean %9.1f us  %s\n",
	       name, d.n, d.median / 1e3, d.p99 / 1e3, d.mean / 1e3, what);
}

/* ---- netlink ---- */

struct answer {
	uint8_t msg[SUBCRED_WIRE_MAX_LEN];
	size_t msg_len;
	uint64_t generation;
	int blob;
};

static struct genl_msg req, rep;

static void answer_of(struct answer *a)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	memset(a, 0, sizeof(*a));
	genl_parse(&rep.nlh, tb, SUBCRED_A_MAX);
	a->blob = !!tb[SUBCRED_A_BLOB];
	if (tb[SUBCRED_A_GENERATION])
		a->generation = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_MSG] &&
	    tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN <= SUBCRED_WIRE_MAX_LEN) {
		a->msg_len = tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN;
		memcpy(a->msg, (const char *)tb[SUBCRED_A_MSG] + NLA_HDRLEN,
		       a->msg_len);
	}
}

/* The request is built before, the reply parsed after: only genl_do. */
static int timed_do(uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int err = genl_do(&gs, &req, &rep);

	*ns = now_ns() - t0;
	return err;
}

static void msg_req(const uint8_t *msg, size_t len)
{
	genl_msg_init(&gs, &req, SUBCRED_CMD_MSG, 0);
	genl_put(&req, SUBCRED_A_MSG, msg, len);
}

static void persisted_req(const char *id, uint64_t gen)
{
	genl_msg_init(&gs, &req, SUBCRED_CMD_PERSISTED, 0);
	genl_put_str(&req, SUBCRED_A_ID, id);
	genl_put_u64(&req, SUBCRED_A_GENERATION, gen);
}

static void get_req(const char *id)
{
	genl_msg_init(&gs, &req, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&req, SUBCRED_A_ID, id);
}

/* The device's key version of @id, 0 if none. */
static uint32_t device_version(const char *id)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	get_req(id);
	if (genl_do(&gs, &req, &rep))
		return 0;
	genl_parse(&rep.nlh, tb, SUBCRED_A_MAX);
	return tb[SUBCRED_A_KEY_VERSION] ?
		genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]) : 0;
}

static int provision(const char *id, const uint8_t *k, const uint8_t *opc,
		     uint64_t *ns)
{
	genl_msg_init(&gs, &req, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&req, SUBCRED_A_ID, id);
	genl_put(&req, SUBCRED_A_K, k, 16);
	genl_put(&req, SUBCRED_A_OPC, opc, 16);
	return timed_do(ns);
}

static int delete(const char *id, uint64_t *ns)
{
	genl_msg_init(&gs, &req, SUBCRED_CMD_CRED_DEL, 0);
	genl_put_str(&req, SUBCRED_A_ID, id);
	return timed_do(ns);
}

/* ---- the network model's side of one update (never timed) ---- */

static void txn_next(struct txn *t, unsigned int i)
{
	rng_bytes(t->txid, sizeof(t->txid));
	rng_bytes(t->rand, sizeof(t->rand));
	rng_bytes(t->sk_n, sizeof(t->sk_n));
	t->sqn = (uint64_t)(i + 1) * 32 + (i % 32);	/* SEQ i + 1 */
	t->amf = 0x0080;
	t->reason = 1;
	net_notice(t);
}

static void txn_commit(struct txn *t)
{
	memcpy(t->k, t->k_new, 16);
	memcpy(t->opc, t->opc_new, 16);
	t->version++;
}

/* ---- update: the device side in the kernel ---- */

struct kstats {
	struct dist total, notice, persisted1, confirm, persisted2;
	struct dist floor, ratio;	/* --floor-live: floor, update/floor */
};

/* One floor run: the crypto of NOTICE, then of CONFIRM, one write each. */
static int floor_live(uint64_t *ns)
{
	uint64_t t0 = now_ns();

	if (write(floor_fd, "n", 1) != 1 || write(floor_fd, "c", 1) != 1)
		return -1;
	*ns = now_ns() - t0;
	return 0;
}

static int bench_update(unsigned int n, unsigned int warm, struct kstats *ks)
{
	uint64_t *tot = calloc(n, 8), *st[4], *fl = calloc(n, 8);
	uint64_t *ratio = calloc(n, 8);
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	unsigned int i, j, bad = 0;
	struct answer a;
	struct txn t;
	uint64_t ns;
	size_t clen;

	for (j = 0; j < 4; j++)
		st[j] = calloc(n, 8);
	memset(&t, 0, sizeof(t));
	snprintf(t.id, sizeof(t.id), ID_FMT, 1U);
	rng_bytes(t.k, 16);
	rng_bytes(t.opc, 16);
	t.version = 1;
	if (provision(t.id, t.k, t.opc, &ns)) {
		ok(0, "provision %s: %s", t.id, gs.extack);
		ok(0, "delete %s", t.id);
		return -1;
	}
	for (i = 0; i < warm + n && bad < 5; i++) {
		uint64_t s[4];
		int err;

		txn_next(&t, i);
		msg_req(t.notice, t.notice_len);
		err = timed_do(&s[0]);
		answer_of(&a);
		if (err || !a.blob || a.msg_len) {
			printf("# update %u: NOTICE: %d %s\n", i, err, gs.extack);
			bad++;
			continue;
		}
		persisted_req(t.id, a.generation);
		err = timed_do(&s[1]);
		answer_of(&a);
		if (err || net_response(&t, a.msg, a.msg_len)) {
			printf("# update %u: RESPONSE: %d\n", i, err);
			bad++;
			continue;
		}
		clen = net_confirm(&t, t.version + 1, confirm);
		msg_req(confirm, clen);
		err = timed_do(&s[2]);
		answer_of(&a);
		if (err || !a.blob || a.msg_len) {
			printf("# update %u: CONFIRM: %d %s\n", i, err,
			       gs.extack);
			bad++;
			continue;
		}
		persisted_req(t.id, a.generation);
		err = timed_do(&s[3]);
		answer_of(&a);
		if (err || net_ack(&t, a.msg, a.msg_len)) {
			printf("# update %u: ACK: %d\n", i, err);
			bad++;
			continue;
		}
		txn_commit(&t);
		if (floor_fd >= 0 && floor_live(&ns)) {
			printf("# update %u: floor: %s\n", i, strerror(errno));
			bad++;
			continue;
		}
		if (i < warm)
			continue;
		tot[i - warm] = s[0] + s[1] + s[2] + s[3];
		if (floor_fd >= 0) {
			fl[i - warm] = ns;
			/* per mille, so that the ratio sorts as an integer */
			ratio[i - warm] = tot[i - warm] * 1000 / (ns ? ns : 1);
		}
		for (j = 0; j < 4; j++)
			st[j][i - warm] = s[j];
	}
	ok(!bad && i == warm + n && device_version(t.id) == t.version,
	   "%u updates of one credential (+%u warm-up), every RESPONSE and ACK verified by the network model, device on v%u",
	   n, warm, t.version);
	ok(!delete(t.id, &ns), "delete %s", t.id);
	ks->total = dist_of(tot, n);
	ks->notice = dist_of(st[0], n);
	ks->persisted1 = dist_of(st[1], n);
	ks->confirm = dist_of(st[2], n);
	ks->persisted2 = dist_of(st[3], n);
	ks->floor = dist_of(fl, floor_fd >= 0 ? n : 0);
	ks->ratio = dist_of(ratio, floor_fd >= 0 ? n : 0);
	for (j = 0; j < 4; j++)
		free(st[j]);
	free(tot);
	free(fl);
	free(ratio);
	return bad ? -1 : 0;
}

/* ---- user: the same device-side computation on OpenSSL ---- */

/* Milenage as kmod/challenge.c uses it: AK, RES, CK, IK, then f1. */
static void us_milenage(const uint8_t *k, const uint8_t *opc,
			const uint8_t *rand, const uint8_t *autn,
			uint8_t *res, uint8_t *ck, uint8_t *ik, uint8_t *mac)
{
	static const int r[6] = { 0, 8, 0, 4, 8, 12 };
	static const uint8_t c[6] = { 0, 0, 1, 2, 4, 8 };
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t temp[16], in[16], out[16], in1[16];
	int i, j, len;

	EVP_EncryptInit_ex(x, EVP_aes_128_ecb(), NULL, k, NULL);
	EVP_CIPHER_CTX_set_padding(x, 0);
	for (i = 0; i < 16; i++)
		in[i] = rand[i] ^ opc[i];
	EVP_EncryptUpdate(x, temp, &len, in, 16);
	for (j = 2; j <= 4; j++) {
		for (i = 0; i < 16; i++)
			in[i] = temp[(i + r[j]) % 16] ^ opc[(i + r[j]) % 16];
		in[15] ^= c[j];
		EVP_EncryptUpdate(x, out, &len, in, 16);
		for (i = 0; i < 16; i++)
			out[i] ^= opc[i];
		if (j == 2) {
			memcpy(res, out + 8, 8);
			for (i = 0; i < 6; i++)	/* SQN = (SQN ^ AK) ^ AK */
				in1[i] = autn[i] ^ out[i];
		}
		if (j == 3)
			memcpy(ck, out, 16);
		if (j == 4)
			memcpy(ik, out, 16);
	}
	memcpy(in1 + 6, autn + 6, 2);
	memcpy(in1 + 8, in1, 8);
	for (i = 0; i < 16; i++)
		in[i] = in1[(i + 8) % 16] ^ opc[(i + 8) % 16] ^ temp[i];
	EVP_EncryptUpdate(x, out, &len, in, 16);
	for (i = 0; i < 8; i++)
		mac[i] = out[i] ^ opc[i];
	EVP_CIPHER_CTX_free(x);
}

static int us_seal(const uint8_t *master, const uint8_t *plain, uint8_t *out)
{
	uint8_t key[32], iv[12], hdr[BLOB_HDR_LEN];
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len, ok1;

	net_kdf(master, 32, "seal", NULL, 0, key);
	RAND_bytes(iv, sizeof(iv));
	memset(hdr, 0x5a, sizeof(hdr));
	ok1 = EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
	      EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	      EVP_EncryptInit_ex(x, NULL, NULL, key, iv) &&
	      EVP_EncryptUpdate(x, NULL, &len, hdr, sizeof(hdr)) &&
	      EVP_EncryptUpdate(x, out, &len, plain, PLAIN_LEN) &&
	      EVP_EncryptFinal_ex(x, out + len, &len) &&
	      EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16,
				  out + PLAIN_LEN);
	EVP_CIPHER_CTX_free(x);
	return ok1 ? 0 : -1;
}

/* The device's state between NOTICE and CONFIRM. */
struct us_dev {
	uint8_t k[16], opc[16], k_auth[32], h_t[32], k_conf[32];
	uint8_t k_new[16], opc_new[16];
	uint8_t resp[SUBCRED_WIRE_MAX_LEN], ack[SUBCRED_WIRE_MAX_LEN];
	size_t resp_len, ack_len;
	uint32_t version;
};

static int us_notice(struct us_dev *d, const uint8_t *notice, size_t len,
		     const uint8_t *master, const uint8_t *plain,
		     uint8_t *blob)
{
	uint8_t hash[32], res[8] = { 0 }, ck[16] = { 0 }, ik[16] = { 0 };
	uint8_t mac[8], tag[32], sk[32], ikm[64], s[32], out[32], nv[4];
	struct subcred_msg m, r;
	struct buf in[3];
	int rlen;

	if (subcred_wire_parse(notice, len, &m, NULL))
		return -1;
	in[0] = (struct buf){ notice, len };
	net_sha256(in, 1, hash);
	us_milenage(d->k, d->opc, m.notice.rand, m.notice.autn, res, ck, ik,
		    mac);
	if (memcmp(mac, m.notice.autn + 8, 8))
		return -1;
	memcpy(ikm, ck, 16);
	memcpy(ikm + 16, ik, 16);
	in[0] = (struct buf){ m.id, m.id_len };
	in[1] = (struct buf){ m.txid, 8 };
	net_kdf(ikm, 32, "auth", in, 2, d->k_auth);
	in[0] = (struct buf){ notice, len - 32 };
	net_hmac(d->k_auth, 32, in, 1, tag);
	if (memcmp(tag, m.tag, 32) || m.notice.key_version != d->version)
		return -1;

	memset(&r, 0, sizeof(r));
	r.type = SUBCRED_MSG_RESPONSE;
	r.id_len = m.id_len;
	memcpy(r.id, m.id, m.id_len);
	memcpy(r.txid, m.txid, 8);
	memcpy(r.response.res, res, 8);
	RAND_bytes(sk, 32);
	sk[0] &= 248;
	sk[31] = (sk[31] & 127) | 64;
	net_x25519_public(sk, r.response.pk);
	if (net_x25519(sk, m.notice.pk, ikm + 32))
		return -1;
	rlen = subcred_wire_build(&r, d->resp, sizeof(d->resp));
	if (rlen < 0)
		return -1;
	d->resp_len = rlen;
	in[0] = (struct buf){ hash, 32 };
	in[1] = (struct buf){ d->resp, rlen - 32 };
	net_hmac(d->k_auth, 32, in, 2, tag);
	subcred_wire_set_tag(d->resp, rlen, tag);
	in[0] = (struct buf){ notice, len };
	net_sha256(in, 2, d->h_t);
	in[0] = (struct buf){ m.id, m.id_len };
	in[1] = (struct buf){ m.txid, 8 };
	in[2] = (struct buf){ d->h_t, 32 };
	net_kdf(ikm, 64, "session", in, 3, s);
	nv[0] = (d->version + 1) >> 24;
	nv[1] = (d->version + 1) >> 16;
	nv[2] = (d->version + 1) >> 8;
	nv[3] = d->version + 1;
	in[0] = (struct buf){ nv, 4 };
	net_kdf(s, 32, "k", in, 1, out);
	memcpy(d->k_new, out, 16);
	net_kdf(s, 32, "opc", in, 1, out);
	memcpy(d->opc_new, out, 16);
	net_kdf(s, 32, "confirm", in, 1, d->k_conf);
	return us_seal(master, plain, blob);
}

static int us_confirm(struct us_dev *d, const uint8_t *confirm, size_t len,
		      const uint8_t *master, const uint8_t *plain,
		      uint8_t *blob)
{
	struct subcred_msg m, a;
	uint8_t tag[32];
	struct buf in[3];
	int alen;

	if (subcred_wire_parse(confirm, len, &m, NULL))
		return -1;
	in[0] = (struct buf){ "confirm", 7 };
	in[1] = (struct buf){ d->h_t, 32 };
	in[2] = (struct buf){ confirm, len - 32 };
	net_hmac(d->k_conf, 32, in, 3, tag);
	if (memcmp(tag, m.tag, 32) || m.confirm.new_version != d->version + 1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.type = SUBCRED_MSG_ACK;
	a.id_len = m.id_len;
	memcpy(a.id, m.id, m.id_len);
	memcpy(a.txid, m.txid, 8);
	a.ack.new_version = d->version + 1;
	alen = subcred_wire_build(&a, d->ack, sizeof(d->ack));
	if (alen < 0)
		return -1;
	d->ack_len = alen;
	in[0] = (struct buf){ "ack", 3 };
	in[2] = (struct buf){ d->ack, alen - 32 };
	net_hmac(d->k_conf, 32, in, 3, tag);
	subcred_wire_set_tag(d->ack, alen, tag);
	return us_seal(master, plain, blob);
}

static int bench_user(unsigned int n, unsigned int warm, struct dist *out)
{
	uint8_t master[32], plain[PLAIN_LEN], blob[PLAIN_LEN + 16];
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	uint64_t *tot = calloc(n, 8);
	unsigned int i, bad = 0;
	struct us_dev d;
	struct txn t;
	size_t clen;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	snprintf(t.id, sizeof(t.id), ID_FMT, 2U);
	rng_bytes(t.k, 16);
	rng_bytes(t.opc, 16);
	rng_bytes(master, sizeof(master));
	rng_bytes(plain, sizeof(plain));
	memcpy(d.k, t.k, 16);
	memcpy(d.opc, t.opc, 16);
	t.version = d.version = 1;
	for (i = 0; i < warm + n && bad < 5; i++) {
		uint64_t t0, t1, t2;
		int err;

		txn_next(&t, i);
		t0 = now_ns();
		err = us_notice(&d, t.notice, t.notice_len, master, plain,
				blob);
		t1 = now_ns();
		if (err || net_response(&t, d.resp, d.resp_len)) {
			bad++;
			continue;
		}
		clen = net_confirm(&t, t.version + 1, confirm);
		t2 = now_ns();
		err = us_confirm(&d, confirm, clen, master, plain, blob);
		t2 = now_ns() - t2;
		if (err || net_ack(&t, d.ack, d.ack_len)) {
			bad++;
			continue;
		}
		txn_commit(&t);
		memcpy(d.k, d.k_new, 16);
		memcpy(d.opc, d.opc_new, 16);
		d.version++;
		if (i >= warm)
			tot[i - warm] = t1 - t0 + t2;
	}
	ok(!bad && i == warm + n,
	   "%u updates computed on OpenSSL in userspace (+%u warm-up), every RESPONSE and ACK verified by the network model",
	   n, warm);
	*out = dist_of(tot, n);
	free(tot);
	return bad ? -1 : 0;
}

/* ---- rtt: a request that does nothing vs. NOTICE ---- */

static int bench_rtt(unsigned int n, struct dist *noop, struct dist *get)
{
	uint64_t *a = calloc(n, 8), *b = calloc(n, 8), ns;
	unsigned int i, bad = 0;
	uint8_t k[16], opc[16];
	char id[32];

	snprintf(id, sizeof(id), ID_FMT, 3U);
	rng_bytes(k, 16);
	rng_bytes(opc, 16);
	bad += !!provision(id, k, opc, &ns);
	for (i = 0; i < n && !bad; i++) {
		/* generation 1, durable since CRED_NEW: nothing to do */
		persisted_req(id, 1);
		bad += !!timed_do(&a[i]);
		get_req(id);
		bad += !!timed_do(&b[i]);
	}
	bad += !!delete(id, &ns);
	ok(!bad, "%u PERSISTED of a durable generation and %u CRED_GET", n,
	   n);
	*noop = dist_of(a, n);
	*get = dist_of(b, n);
	free(a);
	free(b);
	return bad ? -1 : 0;
}

/* ---- store: memory, provisioning, lookup ---- */

#define MAX_CACHES 512

struct cache {
	char name[64];
	long active, total, objsize, pages;	/* pages of all its slabs */
};

static int slabinfo(struct cache *c)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < MAX_CACHES) {
		long per, pps, slabs;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %*d %*d %*d : slabdata %*d %ld",
			   c[n].name, &c[n].active, &c[n].total, &c[n].objsize,
			   &per, &pps, &slabs) != 7)
			continue;
		c[n].pages = slabs * pps;
		n++;
	}
	fclose(f);
	return n;
}

static long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;
	size_t kl = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = atol(line + kl + 1);
	fclose(f);
	return v;
}

/* What a cache holds for a credential (kmod/cred.c, security/keys/). */
static const char *cache_role(const char *name, long objsize)
{
	if (!strcmp(name, "key_jar"))
		return "struct key";
	if (!strcmp(name, "subcred_cred"))
		return "payload: struct subcred_cred (own cache)";
	if (!strcmp(name, "radix_tree_node"))
		return "dump index (xarray)";
	if (strncmp(name, "kmalloc-", 8))
		return "";
	if (objsize == 1024)
		return "payload: struct subcred_cred";
	if (objsize == 64)
		return "payload: struct subcred_secret";
	if (objsize == 192)
		return "keyring index (assoc_array nodes)";
	if (objsize == 32)
		return "key description (the id)";
	return "";
}

static void slab_delta(const struct cache *a, int na, const struct cache *b,
		       int nb, unsigned int creds, int print, long *sum_obj,
		       long *sum_pages)
{
	int i, j;

	*sum_obj = *sum_pages = 0;
	for (j = 0; j < nb; j++) {
		long d_obj, d_pages;

		for (i = 0; i < na && strcmp(a[i].name, b[j].name); i++)
			;
		d_obj = b[j].active - (i < na ? a[i].active : 0);
		d_pages = b[j].pages - (i < na ? a[i].pages : 0);
		*sum_obj += d_obj * b[j].objsize;
		*sum_pages += d_pages;
		if (!print || d_obj < (long)creds / 100)
			continue;
		printf("# %-24s objsize %5ld  +%8ld objects (%5.2f per credential)  %7.1f bytes/credential  %s\n",
		       b[j].name, b[j].objsize, d_obj, (double)d_obj / creds,
		       (double)d_obj * b[j].objsize / creds,
		       cache_role(b[j].name, b[j].objsize));
	}
}

static void creds_key(unsigned int i, uint8_t *k, uint8_t *opc)
{
	uint64_t s = rng_s;

	rng_s = i * 0x2545f4914f6cdd1dULL;
	rng_bytes(k, 16);
	rng_bytes(opc, 16);
	rng_s = s;
}

/* @n CRED_GET doit of ids drawn among the first @have */
static int lookups(unsigned int have, unsigned int n, struct dist *d)
{
	uint64_t *t = calloc(n, 8);
	unsigned int i, bad = 0;
	char id[32];

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), ID_FMT, 1000 + (unsigned int)(rng() % have));
		get_req(id);
		bad += !!timed_do(&t[i]);
	}
	*d = dist_of(t, n);
	free(t);
	return bad;
}

static int provision_range(unsigned int from, unsigned int to, uint64_t *ns,
			   struct dist *d)
{
	uint64_t *t = calloc(to - from, 8), t0 = now_ns();
	uint8_t k[16], opc[16];
	unsigned int i, bad = 0;
	char id[32];

	for (i = from; i < to; i++) {
		snprintf(id, sizeof(id), ID_FMT, 1000 + i);
		creds_key(i, k, opc);
		if (provision(id, k, opc, &t[i - from]) && bad++ < 3)
			printf("# provision %s: %s\n", id, gs.extack);
	}
	*ns = now_ns() - t0;
	*d = dist_of(t, to - from);
	free(t);
	return bad;
}

static int bench_store(unsigned int creds, unsigned int nlook)
{
	static struct cache before[MAX_CACHES], after[MAX_CACHES];
	static struct cache gone[MAX_CACHES];
	struct dist p_small, p_big, l_small, l_big, l_big100, l_after, del;
	long slab0, slab1, slab2, obj, pages, obj2, pages2;
	uint64_t ns_small, ns_big, t0, *t;
	unsigned int i, bad = 0;
	int na, nb, nc;
	char id[32];

	na = slabinfo(before);
	slab0 = meminfo_kb("Slab");
	bad += provision_range(0, 100, &ns_small, &p_small);
	bad += lookups(100, nlook, &l_small);
	bad += provision_range(100, creds, &ns_big, &p_big);
	bad += lookups(creds, nlook, &l_big);
	bad += lookups(100, nlook, &l_big100);
	nb = slabinfo(after);
	slab1 = meminfo_kb("Slab");
	ok(!bad && na > 0 && nb > 0,
	   "%u credentials provisioned, %u lookups at 100 and at %u",
	   creds, nlook, creds);

	printf("#\n# memory, %u credentials: /proc/slabinfo, caches that grew by >= 1 object per 100 credentials\n",
	       creds);
	slab_delta(before, na, after, nb, creds, 1, &obj, &pages);
	printf("# slab objects in all caches: %.1f bytes/credential; slab pages: %.1f bytes/credential; /proc/meminfo Slab: +%ld kB = %.1f bytes/credential\n",
	       (double)obj / creds, (double)pages * 4096 / creds,
	       slab1 - slab0, (double)(slab1 - slab0) * 1024 / creds);
	printf("#\n# provisioning: first 100 in %.3f s, next %u in %.2f s: %.0f credentials/s\n",
	       ns_small / 1e9, creds - 100, ns_big / 1e9,
	       (creds - 100) / (ns_big / 1e9));
	row("CRED_NEW (<= 100)", p_small, "");
	row("CRED_NEW (to all)", p_big, "");
	row("lookup at 100", l_small, "CRED_GET doit, random id");
	row("lookup at all", l_big, "CRED_GET doit, random id");
	row("lookup at all, 100 ids", l_big100,
	    "the same 100 ids as at 100: the index alone");
	printf("# lookup median ratio all/100: %.2f random ids, %.2f same 100 ids (goal: flat, ~1)\n",
	       (double)l_big.median / l_small.median,
	       (double)l_big100.median / l_small.median);

	/* down to the first 100 again, lookups, then those 100 too */
	t = calloc(creds, 8);
	t0 = now_ns();
	bad = 0;
	for (i = 100; i < creds; i++) {
		snprintf(id, sizeof(id), ID_FMT, 1000 + i);
		bad += !!delete(id, &t[i - 100]);
	}
	t0 = now_ns() - t0;
	bad += lookups(100, nlook, &l_after);
	for (i = 0; i < 100; i++) {
		uint64_t t1 = now_ns();

		snprintf(id, sizeof(id), ID_FMT, 1000 + i);
		bad += !!delete(id, &t[creds - 100 + i]);
		t0 += now_ns() - t1;
	}
	row("lookup at 100, again", l_after,
	    "after deleting all but the first 100");
	printf("# lookup median ratio all/100 against the later 100: %.2f, %.2f\n",
	       (double)l_big.median / l_after.median,
	       (double)l_big100.median / l_after.median);
	del = dist_of(t, creds);
	free(t);
	row("CRED_DEL", del, "");
	printf("# deletion: %u in %.2f s: %.0f credentials/s\n", creds,
	       t0 / 1e9, creds / (t0 / 1e9));
	ok(!bad, "%u credentials deleted", creds);
	/* key GC runs from a work item: give it a moment */
	for (i = 0; i < 20; i++) {
		struct timespec ts = { 0, 250000000 };

		nanosleep(&ts, NULL);
		nc = slabinfo(gone);
		slab_delta(before, na, gone, nc, creds, 0, &obj2, &pages2);
		if (obj2 < obj / 20)
			break;
	}
	slab2 = meminfo_kb("Slab");
	printf("# after deletion: slab objects %+.1f bytes/credential, /proc/meminfo Slab %+ld kB vs. before\n",
	       (double)obj2 / creds, slab2 - slab0);
	return 0;
}

/* ---- the floor, from subcred_bench.ko ---- */

static int floor_of(const char *file, const char *name, struct dist *d)
{
	char line[512], want[64];
	FILE *f = fopen(file, "r");
	unsigned long long med, p99, mean;
	unsigned int n;
	int found = 0;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "case %s n=", name);
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line + strlen(want), "%u median_ns=%llu p99_ns=%llu mean_ns=%llu",
			   &n, &med, &p99, &mean) == 4)
			found = 1;
	fclose(f);
	if (!found)
		return -1;
	*d = (struct dist){ med, p99, mean, n };
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--seed N] [--updates N] [--warmup N] [--creds N] [--lookups N]\n"
		"             [--floor FILE] [--floor-live FILE] [update] [user] [rtt] [store]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "updates", required_argument, NULL, 'u' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "creds", required_argument, NULL, 'c' },
		{ "lookups", required_argument, NULL, 'l' },
		{ "floor", required_argument, NULL, 'f' },
		{ "floor-live", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int updates = 1000, warm = 50, creds = 100000, nlook = 2000;
	struct dist user, noop, get, fl, fl_n, fl_c, fl_cold;
	const char *floor_file = NULL;
	unsigned long long seed = 1;
	int o, i, has_floor = 0;
	int want[4] = { 0 };
	struct kstats ks = { 0 };
	int have_k = 0;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'u': updates = strtoul(optarg, NULL, 0); break;
		case 'w': warm = strtoul(optarg, NULL, 0); break;
		case 'c': creds = strtoul(optarg, NULL, 0); break;
		case 'l': nlook = strtoul(optarg, NULL, 0); break;
		case 'f': floor_file = optarg; break;
		case 'F':
			floor_fd = open(optarg, O_WRONLY);
			if (floor_fd < 0) {
				perror(optarg);
				return 1;
			}
			break;
		default: usage();
		}
	}
	if (updates < 100 || creds < 200 || nlook < 100)
		usage();
	for (i = optind; i < argc; i++) {
		static const char *const names[4] = {
			"update", "user", "rtt", "store"
		};
		int j;

		for (j = 0; j < 4 && strcmp(argv[i], names[j]); j++)
			;
		if (j == 4)
			usage();
		want[j] = 1;
	}
	if (optind == argc)
		want[0] = want[1] = want[2] = want[3] = 1;

	rng_s = seed;
	printf("TAP version 13\n");
	printf("1..%d\n", 1 + want[0] * 2 + want[1] + want[2] + want[3] * 2);
	printf("# seed %llu, %u updates (+%u warm-up), %u credentials, %u lookups\n",
	       seed, updates, warm, creds, nlook);
	ok(!genl_open(&gs, SUBCRED_GENL_NAME), "netlink family %s",
	   SUBCRED_GENL_NAME);
	if (tap_fail)
		return 1;
	if (floor_file && !floor_of(floor_file, "update", &fl) &&
	    !floor_of(floor_file, "notice", &fl_n) &&
	    !floor_of(floor_file, "confirm", &fl_c) &&
	    !floor_of(floor_file, "update_cold", &fl_cold))
		has_floor = 1;

	if (want[0] && !bench_update(updates, warm, &ks)) {
		have_k = 1;
		printf("#\n# device-side cost of one update (kernel, timed around each netlink call)\n");
		row("update", ks.total, "NOTICE+PERSISTED+CONFIRM+PERSISTED");
		row("  NOTICE", ks.notice, "-> blob");
		row("  PERSISTED (1)", ks.persisted1, "-> RESPONSE");
		row("  CONFIRM", ks.confirm, "-> blob");
		row("  PERSISTED (2)", ks.persisted2, "-> ACK");
		if (floor_fd >= 0) {
			row("floor, interleaved", ks.floor,
			    "subcred_bench.ko floor file: NOTICE, CONFIRM crypto");
			printf("# ratio update/floor, interleaved: %.3f of the medians; per update: median %.3f, p99 %.3f (goal <= 1.15)\n",
			       (double)ks.total.median / ks.floor.median,
			       ks.ratio.median / 1e3, ks.ratio.p99 / 1e3);
		}
		if (has_floor) {
			row("floor (kernel crypto)", fl, "subcred_bench.ko: update");
			row("  floor NOTICE", fl_n, "");
			row("  floor CONFIRM", fl_c, "");
			row("floor, cold TLB", fl_cold,
			    "subcred_bench.ko: update_cold");
			printf("# ratio update/floor: median %.3f, p99 %.3f (goal <= 1.15)\n",
			       (double)ks.total.median / fl.median,
			       (double)ks.total.p99 / fl.p99);
			printf("# ratio update/floor (cold TLB): median %.3f, p99 %.3f\n",
			       (double)ks.total.median / fl_cold.median,
			       (double)ks.total.p99 / fl_cold.p99);
		}
	}
	if (want[1] && !bench_user(updates, warm, &user)) {
		row("userspace (OpenSSL)", user, "same computation, this process");
		if (have_k)
			printf("# ratio kernel update/userspace: median %.3f (goal < 1: the kernel path is faster)\n",
			       (double)ks.total.median / user.median);
		if (has_floor)
			printf("# ratio kernel floor/userspace: median %.3f\n",
			       (double)fl.median / user.median);
	}
	if (want[2] && !bench_rtt(updates, &noop, &get)) {
		printf("#\n# netlink round trip\n");
		row("no-op (PERSISTED)", noop, "durable generation: nothing to do");
		row("CRED_GET", get, "one credential");
		if (have_k)
			printf("# NOTICE call %.1f us = %.1f%% control plane (no-op round trip)\n",
			       ks.notice.median / 1e3,
			       100.0 * noop.median / ks.notice.median);
	}
	if (want[3])
		bench_store(creds, nlook);
	genl_close(&gs);
	printf("# %d failed\n", tap_fail);
	return tap_fail ? 1 : 0;
}
