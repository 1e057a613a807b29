// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz - an in-guest fuzzer of the subcred generic netlink family. Run as
 * root in a guest with subcred.ko loaded:
 *
 *   nlfuzz [-n COUNT] [-u COUNT] [-j WORKERS] [-s SEED] [-t SECONDS]
 *          [-c EVERY] [-v]
 *
 * WORKERS root processes (default 2; the family is parallel_ops) each send
 * COUNT datagrams (default 200000) or run for SECONDS (default 60),
 * whichever ends first, each with its own credentials (ids nlfuzz-*,
 * nlfuzz1-*, ...); meanwhile a child that dropped to uid and gid 65534
 * without capabilities sends up to -u datagrams (default COUNT/4) over two
 * sockets, one opened as root before dropping and one opened after. Worker
 * k draws everything from a PRNG seeded with SEED + k (SEED default 1,
 * printed): the same -s and -j with -n N replay a worker's first N
 * datagrams (its answers depend only on its own credentials).
 *
 * What is sent: valid templates of every command for the fuzzer's own
 * credentials (CRED_NEW/DEL/GET/SET, MSG with real NOTICEs and CONFIRMs
 * built by the OpenSSL network side of network.c, and the other message
 * types, PERSISTED, CRED_EXPORT and CRED_IMPORT with real and mutated
 * blobs, AKA with real vectors), whole update flows (NOTICE, PERSISTED,
 * CONFIRM, PERSISTED) that reach every state, the same with one attribute
 * changed (value, length, type, flags, removed, duplicated, a random one
 * added, nested or not), byte-level mutations of the datagram (bit flips,
 * truncated headers and attributes, bad nlmsg_len and nla_len, garbage
 * after the message), random messages with random commands and attributes,
 * dumps with random flags, and batches of several messages per datagram.
 *
 * Invariants, checked while fuzzing and at the end (TAP, plain):
 *  - every message the netlink core processes with NLM_F_ACK, and every
 *    dump request, gets its answer (an error/ack or NLMSG_DONE) within
 *    a receive timeout; no reply arrives for a sequence number nobody
 *    waits for; no reply carries a K or OPc the fuzzer knows. (Datagrams
 *    too short for a netlink header, or whose nlmsg_len exceeds the
 *    datagram, are dropped silently by the netlink core by design.)
 *  - unprivileged: every message that reaches the family's permission
 *    check gets -EPERM, every other one an error; never a success, a data
 *    reply or a dump;
 *  - three witness credentials with known K/OPc, provisioned before the
 *    run (one IDLE, one with key version 7 and a high SQN, one with an
 *    update PENDING), are never sent a command that could change them by
 *    the root fuzzer except commands that are invalid by construction
 *    (which must all fail) or read-only ones (GET, EXPORT, IMPORT of their
 *    own current blob); every datagram naming a witness id otherwise is
 *    discarded before sending. Their key serial, version, SQN, policy,
 *    generation, state and counters stay the same; at the end each still
 *    answers an AKA built with its known K/OPc and the pending update
 *    still completes with the network's CONFIRM;
 *  - the dump of all credentials works and lists exactly the credentials
 *    that existed before, the witnesses and the ones the worker created,
 *    besides those of the other workers (checked every -c datagrams and
 *    at the end); each worker deletes its own at the end, then its
 *    witnesses; when all are done the store is exactly as it was.
 * Worker 0 and the unprivileged child report in TAP lines, the other
 * workers in comments and one TAP line for all of them.
 * A kernel splat fails the run through selftests/qemu/run.sh.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include <linux/subcred.h>
#include "genl.h"
#include "network.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NPOOL		8	/* the fuzzer's own credentials nlfuzz-0..7 */
#define NWIT		3
#define NEXTRA		40	/* other ids the fuzzer may create */
#define MAXTRACK	1024
#define MAXSECRETS	512
#define DGRAM		16384
#define ARENA		16384
#define MAXA		24
#define MAXEXP		16
#define RCVTIMEO_S	10
#define FAILS_SHOWN	20
#define BLOB_MAX	1100
#define AMBIG		256

#define GHDR		(NLMSG_HDRLEN + GENL_HDRLEN)

/* ---- deterministic randomness: splitmix64 seeds xorshift64* ---- */

struct rng {
	uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static int chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

static void rnd_bytes(struct rng *r, void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd(r) >> 56;
}

/* ---- one generic netlink message as a list of attributes ---- */

struct attr {
	uint16_t type;
	uint32_t off, len;
};

struct gmsg {
	uint16_t nltype, nlflags;
	uint8_t cmd, version;
	uint16_t reserved;
	int n;
	struct attr a[MAXA];
	uint32_t used;
	uint8_t arena[ARENA];
};

struct dgram {
	size_t len;
	uint8_t b[DGRAM + 64];
};

/* ---- state ---- */

struct snap {
	uint32_t serial, version, max_age, pto, state;
	uint64_t sqn, gen;
	uint32_t stats_len;
	uint8_t stats[512];
};

struct witness {
	char id[40];
	uint8_t k[16], opc[16];
	uint32_t version;
	uint64_t sqn;			/* provisioned SQN */
	uint32_t pto;
	int pending;
	struct txn t;			/* the pending update */
	struct snap s;
	uint8_t blob[BLOB_MAX];
	uint32_t blob_len;
};

struct pool {
	char id[24];
	uint8_t k[16], opc[16];
	uint32_t version;
	uint64_t seq_next;		/* next SEQ (SQN >> 5) to use */
	uint64_t gen;			/* latest generation seen */
	uint8_t blob[BLOB_MAX];
	uint32_t blob_len;
	struct txn t;			/* the update in flight */
	uint64_t notice_gen;		/* NOTICE accepted: blob of this gen */
	int have_resp;			/* RESPONSE verified: CONFIRM ready */
	uint64_t commit_gen;		/* CONFIRM accepted: blob of this gen */
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	size_t confirm_len;
};

/* What one fuzzing process counted; the child sends its own over a pipe. */
struct counts {
	long ops, nlmsgs, sent_bytes, send_err, answered, data, dumps_done;
	long errs[140];			/* by -errno; [0] = success acks */
	long timeouts, unexpected, late, truncated, secret_hits;
	long skipped_protected;
	long wit_bad, wit_bad_accepted, wit_ro, wit_ro_bad;
	long perm_reached, perm_ok, perm_wrong, other_err, unpriv_success;
	long unpriv_data;
	long created, deleted, updates, notices_accepted, confirms_accepted;
	long checks, check_fail;
	long model_fail;		/* an answer the rules do not allow */
	long fails;
	int dropped_ok;			/* unprivileged: uid/gid/caps verified */
};

static struct {
	struct rng r;
	int unpriv, verbose;
	int worker, nworkers;		/* root fuzzing processes */
	char prefix[16];		/* of every id this worker uses */
	uint16_t family;
	long op;
	struct pool pool[NPOOL];
	struct witness wit[NWIT];
	char (*pre)[SUBCRED_ID_MAX_LEN + 1];	/* ids that existed before */
	int npre;
	char track[MAXTRACK][SUBCRED_ID_MAX_LEN + 1];
	int ntrack;
	uint8_t secrets[MAXSECRETS][16];
	int nsecrets;
	uint32_t ambig[AMBIG];
	unsigned int nambig;
	struct counts c;
	uint8_t fuzz_k[16], fuzz_opc[16];
} G;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	G.c.fails++;
	if (G.c.fails > FAILS_SHOWN)
		return;
	if (G.unpriv)
		printf("# unprivileged: FAIL op %ld: ", G.op);
	else if (G.worker)
		printf("# worker %d: FAIL op %ld: ", G.worker, G.op);
	else
		printf("# FAIL op %ld: ", G.op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	size_t i;

	if (G.c.fails > FAILS_SHOWN)
		return;
	printf("# %s (%zu octets):", what, n);
	for (i = 0; i < n && i < 256; i++)
		printf("%s%02x", i % 32 ? "" : "\n#   ", p[i]);
	printf("%s\n", n > 256 ? " ..." : "");
}

static void add_secret(const uint8_t *s)
{
	int i;

	for (i = 0; i < G.nsecrets; i++)
		if (!memcmp(G.secrets[i], s, 16))
			return;
	if (G.nsecrets < MAXSECRETS)
		memcpy(G.secrets[G.nsecrets++], s, 16);
}

/* Worker 0 names its credentials nlfuzz-..., worker k nlfuzzk-... */
static void worker_prefix(int k, char *out)
{
	if (k)
		sprintf(out, "nlfuzz%c-", '0' + k % 10);
	else
		strcpy(out, "nlfuzz-");
}

static int is_pool_id(const char *id)
{
	size_t n = strlen(G.prefix);

	return !strncmp(id, G.prefix, n) && id[n] >= '0' &&
	       id[n] < '0' + NPOOL && !id[n + 1];
}

static struct pool *pool_of(const char *id)
{
	return is_pool_id(id) ? &G.pool[id[strlen(G.prefix)] - '0'] : NULL;
}

/* An id of another root worker's (ignored in this worker's dumps). */
static int other_worker(const char *id)
{
	char p[16];
	int k;

	for (k = 0; k < G.nworkers; k++) {
		worker_prefix(k, p);
		if (k != G.worker && !strncmp(id, p, strlen(p)))
			return 1;
	}
	return 0;
}

static int tracked(const char *id)
{
	int i;

	for (i = 0; i < G.ntrack; i++)
		if (!strcmp(G.track[i], id))
			return i;
	return -1;
}

static int is_protected_id(const char *id)
{
	int i;

	for (i = 0; i < NWIT; i++)
		if (!strcmp(G.wit[i].id, id))
			return 1;
	for (i = 0; i < G.npre; i++)
		if (!strcmp(G.pre[i], id))
			return 1;
	return 0;
}

static void track(const char *id)
{
	if (tracked(id) >= 0 || is_protected_id(id))
		return;
	if (G.ntrack == MAXTRACK) {
		G.c.model_fail++;
		fail("more than %d credentials created", MAXTRACK);
		return;
	}
	snprintf(G.track[G.ntrack++], SUBCRED_ID_MAX_LEN + 1, "%s", id);
	G.c.created++;
}

static void untrack(const char *id)
{
	int i = tracked(id);

	if (i < 0)
		return;
	G.c.deleted++;
	memmove(G.track[i], G.track[i + 1],
		(G.ntrack - i - 1) * sizeof(G.track[0]));
	G.ntrack--;
}

static void pool_reset_flow(struct pool *p)
{
	p->notice_gen = 0;
	p->have_resp = 0;
	p->commit_gen = 0;
}

/* ---- building messages ---- */

static void g_init(struct gmsg *m, uint8_t cmd, uint16_t flags)
{
	m->nltype = G.family;
	m->nlflags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->cmd = cmd;
	m->version = SUBCRED_GENL_VERSION;
	m->reserved = 0;
	m->n = 0;
	m->used = 0;
}

/* Add an attribute; with @d NULL its payload is left for the caller. */
static uint8_t *g_add(struct gmsg *m, uint16_t type, const void *d,
		      uint32_t len)
{
	uint8_t *p;

	if (m->n == MAXA || len > ARENA - m->used)
		return NULL;
	p = m->arena + m->used;
	if (d)
		memcpy(p, d, len);
	m->a[m->n++] = (struct attr){ type, m->used, len };
	m->used += len;
	return p;
}

static void g_str(struct gmsg *m, uint16_t type, const char *s)
{
	g_add(m, type, s, strlen(s) + 1);
}

static void g_u32(struct gmsg *m, uint16_t type, uint32_t v)
{
	g_add(m, type, &v, 4);
}

static void g_u64(struct gmsg *m, uint16_t type, uint64_t v)
{
	g_add(m, type, &v, 8);
}

/* Append @m to @d as one netlink message with sequence number @seq. */
static void g_emit(const struct gmsg *m, struct dgram *d, uint32_t seq)
{
	size_t start = NLMSG_ALIGN(d->len), off;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int i;

	if (start + GHDR > DGRAM)
		return;
	memset(d->b + d->len, 0, start - d->len);
	nlh = (struct nlmsghdr *)(d->b + start);
	nlh->nlmsg_type = m->nltype;
	nlh->nlmsg_flags = m->nlflags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	g = (struct genlmsghdr *)(d->b + start + NLMSG_HDRLEN);
	g->cmd = m->cmd;
	g->version = m->version;
	g->reserved = m->reserved;
	off = start + GHDR;
	for (i = 0; i < m->n; i++) {
		const struct attr *a = &m->a[i];
		struct nlattr *na = (struct nlattr *)(d->b + off);
		size_t len = a->len;

		if (len > 0xffff - NLA_HDRLEN)
			len = 0xffff - NLA_HDRLEN;
		if (off + NLA_ALIGN(NLA_HDRLEN + len) > DGRAM)
			break;
		na->nla_type = a->type;
		na->nla_len = NLA_HDRLEN + len;
		memcpy(d->b + off + NLA_HDRLEN, m->arena + a->off, len);
		memset(d->b + off + NLA_HDRLEN + len, 0,
		       NLA_ALIGN(len) - len);
		off += NLA_ALIGN(NLA_HDRLEN + len);
	}
	nlh->nlmsg_len = off - start;
	d->len = off;
}

/* ---- interesting values ---- */

static uint32_t any_u32(struct rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 60, 86399, 86400, 86401, 0x7fffffff, 0x80000000,
		0xfffffffd, 0xfffffffe, 0xffffffff,
	};

	return chance(r, 60) ? v[below(r, sizeof(v) / sizeof(v[0]))] :
			       (uint32_t)rnd(r);
}

static uint64_t any_u64(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 31, 32, 0xffffffffffffULL, 0x1000000000000ULL,
		0xffffffffULL, 0x7fffffffffffffffULL, ~0ULL,
	};

	return chance(r, 60) ? v[below(r, sizeof(v) / sizeof(v[0]))] :
			       rnd(r);
}

static uint32_t any_len(struct rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15, 16, 17, 31, 32, 33,
		64, 65, 66, 136, 137, 138, 232, 233, 501, 502, 503, 546, 1023,
		1024, 1025, 2048, 4096, 8000,
	};

	return chance(r, 70) ? v[below(r, sizeof(v) / sizeof(v[0]))] :
			       below(r, 600);
}

/* Random attributes, possibly nested, written to @out; their length. */
static size_t rand_attrs(struct rng *r, uint8_t *out, size_t max, int depth)
{
	size_t off = 0;
	int i, n = below(r, 5);

	for (i = 0; i < n; i++) {
		struct nlattr *na = (struct nlattr *)(out + off);
		size_t len;

		if (off + NLA_HDRLEN > max)
			break;
		na->nla_type = below(r, SUBCRED_A_MAX + 4);
		if (chance(r, 10))
			na->nla_type |= chance(r, 50) ? NLA_F_NESTED :
							NLA_F_NET_BYTEORDER;
		if (depth < 3 && chance(r, 25)) {
			na->nla_type |= NLA_F_NESTED;
			len = rand_attrs(r, out + off + NLA_HDRLEN,
					 max - off - NLA_HDRLEN, depth + 1);
		} else {
			len = chance(r, 80) ? below(r, 40) : any_len(r);
			if (len > max - off - NLA_HDRLEN)
				len = max - off - NLA_HDRLEN;
			rnd_bytes(r, out + off + NLA_HDRLEN, len);
		}
		na->nla_len = NLA_HDRLEN + len;
		if (chance(r, 5))
			na->nla_len = below(r, 0x10000);
		len = NLA_ALIGN(NLA_HDRLEN + len);
		if (off + len > max)
			break;
		off += len;
	}
	return off;
}

static void add_random_attr(struct rng *r, struct gmsg *m)
{
	uint16_t type = below(r, SUBCRED_A_MAX + 4);
	uint32_t len;
	uint8_t *p;

	if (chance(r, 15)) {
		uint8_t tmp[512];

		len = rand_attrs(r, tmp, sizeof(tmp), 1);
		g_add(m, type | NLA_F_NESTED, tmp, len);
		return;
	}
	if (chance(r, 10))
		type |= chance(r, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	len = chance(r, 70) ? below(r, 40) : any_len(r);
	p = g_add(m, type, NULL, len);
	if (p)
		rnd_bytes(r, p, len);
}

/* ---- templates ---- */

static void be48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static uint64_t get_be48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

/* An ordinary AKA vector for SQN with AMF @amf, RAND from @r. */
static void aka_vector(struct rng *r, const uint8_t *k, const uint8_t *opc,
		       uint64_t sqn, uint16_t amf, uint8_t *rand,
		       uint8_t *autn, uint8_t *xres)
{
	uint8_t s[6], a[2] = { amf >> 8, amf };
	struct milenage mil;
	int i;

	rnd_bytes(r, rand, 16);
	be48(s, sqn);
	net_milenage(k, opc, rand, s, a, &mil);
	for (i = 0; i < 6; i++)
		autn[i] = s[i] ^ mil.ak[i];
	memcpy(autn + 6, a, 2);
	memcpy(autn + 8, mil.mac_a, 8);
	if (xres)
		memcpy(xres, mil.res, 8);
}

static uint64_t next_sqn(struct rng *r, struct pool *p)
{
	uint64_t seq = p->seq_next++;

	return (seq << 5 | below(r, 32)) & SUBCRED_SQN_MAX;
}

/* A fresh NOTICE for @p into p->t (the update the pool now runs). */
static void make_notice(struct rng *r, struct pool *p)
{
	struct txn *t = &p->t;

	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", p->id);
	memcpy(t->k, p->k, 16);
	memcpy(t->opc, p->opc, 16);
	t->version = p->version;
	rnd_bytes(r, t->txid, 8);
	rnd_bytes(r, t->rand, 16);
	t->sqn = next_sqn(r, p);
	t->amf = chance(r, 95) ? 0x0080 : (uint16_t)rnd(r);
	rnd_bytes(r, t->sk_n, 32);
	t->reason = 1 + below(r, 3);
	net_notice(t);
	pool_reset_flow(p);
}

/* Another protocol message for @id: any type, random fields, built. */
static size_t other_wire(struct rng *r, const char *id, uint8_t *out)
{
	struct subcred_msg m;
	int len;

	memset(&m, 0, sizeof(m));
	m.type = 1 + below(r, SUBCRED_MSG_TYPE_MAX);
	m.id_len = strlen(id);
	memcpy(m.id, id, m.id_len);
	rnd_bytes(r, m.txid, 8);
	switch (m.type) {
	case SUBCRED_MSG_NOTICE:
		m.notice.reason = 1 + below(r, 3);
		m.notice.key_version = any_u32(r);
		rnd_bytes(r, m.notice.rand, 16);
		rnd_bytes(r, m.notice.autn, 16);
		rnd_bytes(r, m.notice.pk, 32);
		if (chance(r, 30))
			memset(m.notice.pk, 0, 32);
		break;
	case SUBCRED_MSG_RESPONSE:
		rnd_bytes(r, m.response.res, 8);
		rnd_bytes(r, m.response.pk, 32);
		break;
	case SUBCRED_MSG_CONFIRM:
	case SUBCRED_MSG_ACK:
		m.confirm.new_version = any_u32(r);
		break;
	case SUBCRED_MSG_SYNC:
		rnd_bytes(r, m.sync.auts, 14);
		break;
	case SUBCRED_MSG_REJECT:
		m.reject.cause = 1 + below(r, 5);
		break;
	case SUBCRED_MSG_REQUEST:
		m.request.reason = 1;
		m.request.key_version = any_u32(r);
		rnd_bytes(r, m.request.nonce, 16);
		break;
	}
	rnd_bytes(r, m.tag, 32);
	len = subcred_wire_build(&m, out, SUBCRED_WIRE_MAX_LEN);
	return len < 0 ? 0 : len;
}

static const char *extra_id(struct rng *r, char *buf)
{
	sprintf(buf, "%sx%u", G.prefix, below(r, NEXTRA));
	return buf;
}

/* A valid-looking message of command @cmd for pool credential @p. */
static void tmpl_cmd(struct rng *r, struct gmsg *m, uint8_t cmd,
		     struct pool *p)
{
	uint8_t rand[16], autn[16], wire[SUBCRED_WIRE_MAX_LEN];
	const struct pool *q;
	char xid[32];
	size_t len;

	g_init(m, cmd, 0);
	switch (cmd) {
	case SUBCRED_CMD_CRED_NEW:
		g_str(m, SUBCRED_A_ID, chance(r, 80) ? p->id : extra_id(r, xid));
		g_add(m, SUBCRED_A_K, chance(r, 50) ? p->k : G.fuzz_k, 16);
		g_add(m, SUBCRED_A_OPC, chance(r, 50) ? p->opc : G.fuzz_opc,
		      16);
		if (chance(r, 30))
			g_u64(m, SUBCRED_A_SQN, chance(r, 80) ?
			      below(r, 1 << 20) : below(r, 1 << 30) *
			      (uint64_t)below(r, 1 << 18));
		if (chance(r, 30))
			g_u32(m, SUBCRED_A_KEY_VERSION, chance(r, 80) ?
			      1 + below(r, 100) : 0xfffffffe - below(r, 3));
		if (chance(r, 30))
			g_u32(m, SUBCRED_A_MAX_AGE, chance(r, 70) ? 0 :
			      below(r, 100000));
		if (chance(r, 30))
			g_u32(m, SUBCRED_A_PENDING_TIMEOUT, 1 + below(r, 86400));
		break;
	case SUBCRED_CMD_CRED_DEL:
		g_str(m, SUBCRED_A_ID, chance(r, 70) ? p->id : extra_id(r, xid));
		break;
	case SUBCRED_CMD_CRED_GET:
	case SUBCRED_CMD_CRED_EXPORT:
		g_str(m, SUBCRED_A_ID, p->id);
		break;
	case SUBCRED_CMD_CRED_SET:
		g_str(m, SUBCRED_A_ID, p->id);
		if (chance(r, 60))
			g_u32(m, SUBCRED_A_MAX_AGE, chance(r, 70) ? 0 :
			      below(r, 100000));
		if (chance(r, 60))
			g_u32(m, SUBCRED_A_PENDING_TIMEOUT, 1 + below(r, 86400));
		break;
	case SUBCRED_CMD_MSG:
		switch (below(r, 5)) {
		case 0:
		case 1:
			make_notice(r, p);
			g_add(m, SUBCRED_A_MSG, p->t.notice, p->t.notice_len);
			break;
		case 2:
			if (!p->t.notice_len)
				make_notice(r, p);
			if (p->have_resp) {
				g_add(m, SUBCRED_A_MSG, p->confirm,
				      p->confirm_len);
				break;
			}
			len = net_confirm(&p->t, p->version + 1, wire);
			g_add(m, SUBCRED_A_MSG, wire, len);
			break;
		case 3:
			len = other_wire(r, p->id, wire);
			g_add(m, SUBCRED_A_MSG, wire, len);
			break;
		default:
			len = chance(r, 50) ? below(r, SUBCRED_WIRE_MAX_LEN + 1)
					    : any_len(r);
			if (len > sizeof(wire))
				len = sizeof(wire);
			rnd_bytes(r, wire, len);
			if (len >= 4 && chance(r, 50)) {
				wire[0] = 'S';
				wire[1] = 'C';
				wire[2] = 1;
				wire[3] = below(r, 9);
			}
			g_add(m, SUBCRED_A_MSG, wire, len);
		}
		break;
	case SUBCRED_CMD_PERSISTED:
		g_str(m, SUBCRED_A_ID, p->id);
		g_u64(m, SUBCRED_A_GENERATION, chance(r, 70) ?
		      p->gen + below(r, 3) - 1 : any_u64(r));
		break;
	case SUBCRED_CMD_CRED_IMPORT:
		q = chance(r, 80) ? p : &G.pool[below(r, NPOOL)];
		if (chance(r, 40))
			g_str(m, SUBCRED_A_ID, chance(r, 80) ? q->id : p->id);
		if (q->blob_len) {
			g_add(m, SUBCRED_A_BLOB, q->blob, q->blob_len);
		} else {
			uint8_t *b = g_add(m, SUBCRED_A_BLOB, NULL,
					   482 + strlen(q->id));

			if (b) {
				rnd_bytes(r, b, 482 + strlen(q->id));
				memcpy(b, "SCB\1", 4);
				b[4] = strlen(q->id);
				memcpy(b + 5, q->id, strlen(q->id));
			}
		}
		break;
	case SUBCRED_CMD_AKA:
		g_str(m, SUBCRED_A_ID, p->id);
		if (chance(r, 80)) {
			aka_vector(r, p->k, p->opc, next_sqn(r, p),
				   chance(r, 90) ? 0x8000 : 0x0080, rand, autn,
				   NULL);
		} else {
			rnd_bytes(r, rand, 16);
			rnd_bytes(r, autn, 16);
		}
		g_add(m, SUBCRED_A_RAND, rand, 16);
		g_add(m, SUBCRED_A_AUTN, autn, 16);
		break;
	default:
		break;
	}
}

static const uint8_t cmds[] = {
	SUBCRED_CMD_CRED_NEW, SUBCRED_CMD_CRED_DEL, SUBCRED_CMD_CRED_GET,
	SUBCRED_CMD_CRED_SET, SUBCRED_CMD_MSG, SUBCRED_CMD_PERSISTED,
	SUBCRED_CMD_CRED_EXPORT, SUBCRED_CMD_CRED_IMPORT, SUBCRED_CMD_AKA,
};
/* relative weights of cmds[] in valid templates */
static const uint8_t cmd_weight[] = { 8, 3, 10, 8, 30, 12, 10, 10, 9 };

static uint8_t pick_cmd(struct rng *r)
{
	unsigned int i, total = 0, x;

	for (i = 0; i < sizeof(cmds); i++)
		total += cmd_weight[i];
	x = below(r, total);
	for (i = 0; x >= cmd_weight[i]; i++)
		x -= cmd_weight[i];
	return cmds[i];
}

/* The next step of the update flow of @p. */
static void tmpl_flow(struct rng *r, struct gmsg *m, struct pool *p)
{
	g_init(m, SUBCRED_CMD_MSG, 0);
	if (p->commit_gen || p->notice_gen) {
		m->cmd = SUBCRED_CMD_PERSISTED;
		g_str(m, SUBCRED_A_ID, p->id);
		g_u64(m, SUBCRED_A_GENERATION,
		      p->commit_gen ? p->commit_gen : p->notice_gen);
		/* a lost PERSISTED: the next step sends it again */
		if (chance(r, 90)) {
			p->commit_gen = 0;
			p->notice_gen = 0;
		}
	} else if (p->have_resp) {
		g_add(m, SUBCRED_A_MSG, p->confirm, p->confirm_len);
		if (chance(r, 90))
			p->have_resp = 0;
	} else {
		make_notice(r, p);
		g_add(m, SUBCRED_A_MSG, p->t.notice, p->t.notice_len);
	}
}

/* ---- mutations ---- */

static void set_len(struct rng *r, struct gmsg *m, int i, uint32_t len)
{
	struct attr *a = &m->a[i];
	uint32_t keep = len < a->len ? len : a->len;

	if (len > ARENA - m->used)
		return;
	memmove(m->arena + m->used, m->arena + a->off, keep);
	rnd_bytes(r, m->arena + m->used + keep, len - keep);
	a->off = m->used;
	a->len = len;
	m->used += len;
}

static void mutate_id(struct rng *r, struct gmsg *m, int i)
{
	/* the first three are valid ids: only after the prefix */
	static const char *const odd[] = {
		"-", ".", "..", "", "a b", "imsi/1", "%s", "\n", "\xff", "0\n",
	};
	char id[80];
	size_t len;

	switch (below(r, 6)) {
	case 0:		/* no NUL */
		set_len(r, m, i, m->a[i].len ? m->a[i].len - 1 : 0);
		return;
	case 1:		/* odd, alone or after the prefix */
		if (chance(r, 50))
			snprintf(id, sizeof(id), "%s%s", G.prefix,
				 odd[below(r, 10)]);
		else
			snprintf(id, sizeof(id), "%s", odd[3 + below(r, 7)]);
		break;
	case 2:		/* 64 or 65 characters */
		len = 64 + below(r, 2);
		memset(id, 'a' + below(r, 26), len);
		id[len] = 0;
		memcpy(id, G.prefix, strlen(G.prefix));
		id[strlen(G.prefix)] = 'y';
		break;
	case 3:		/* an embedded NUL */
		set_len(r, m, i, m->a[i].len + 3);
		return;
	case 4:		/* another credential of the fuzzer's */
		snprintf(id, sizeof(id), "%s%u", G.prefix, below(r, NPOOL));
		break;
	default:
		snprintf(id, sizeof(id), "%sx%u", G.prefix, below(r, NEXTRA));
	}
	len = strlen(id) + 1;
	set_len(r, m, i, len);
	memcpy(m->arena + m->a[i].off, id, len);
}

/* Change one thing of one attribute, or the attribute list. */
static void mutate_attr(struct rng *r, struct gmsg *m)
{
	struct attr *a;
	uint8_t *d;
	int i;

	if (!m->n) {
		add_random_attr(r, m);
		return;
	}
	i = below(r, m->n);
	a = &m->a[i];
	d = m->arena + a->off;
	switch (below(r, 11)) {
	case 0:		/* one bit */
		if (a->len)
			d[below(r, a->len)] ^= 1 << below(r, 8);
		break;
	case 1:		/* random value */
		rnd_bytes(r, d, a->len);
		break;
	case 2:		/* another length */
		set_len(r, m, i, chance(r, 50) ? a->len + below(r, 3) - 1 :
						 any_len(r));
		break;
	case 3:		/* another type */
		a->type = below(r, SUBCRED_A_MAX + 4);
		break;
	case 4:		/* type flags */
		a->type ^= chance(r, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 5:		/* removed */
		memmove(&m->a[i], &m->a[i + 1], (m->n - i - 1) * sizeof(*a));
		m->n--;
		break;
	case 6:		/* duplicated, maybe changed */
		if (m->n < MAXA) {
			m->a[m->n++] = *a;
			if (chance(r, 50))
				set_len(r, m, m->n - 1, a->len);
		}
		break;
	case 7:		/* one more, random */
		add_random_attr(r, m);
		break;
	case 8:		/* an interesting integer */
		if (a->len == 4) {
			uint32_t v = any_u32(r);

			memcpy(d, &v, 4);
		} else if (a->len == 8) {
			uint64_t v = any_u64(r);

			memcpy(d, &v, 8);
		} else if (a->len) {
			d[below(r, a->len)] = rnd(r);
		}
		break;
	case 9:		/* the id */
		if ((a->type & NLA_TYPE_MASK) == SUBCRED_A_ID)
			mutate_id(r, m, i);
		else if (a->len)
			d[below(r, a->len)] = rnd(r);
		break;
	default:	/* swapped with another */
		if (m->n > 1) {
			int j = below(r, m->n);
			struct attr t = m->a[i];

			m->a[i] = m->a[j];
			m->a[j] = t;
		}
	}
}

/* A random message: any command, any attributes. */
static void gen_random(struct rng *r, struct gmsg *m)
{
	int i, n;

	g_init(m, chance(r, 85) ? below(r, SUBCRED_CMD_MAX + 3) :
				  (uint8_t)rnd(r), 0);
	if (chance(r, 10))
		m->version = rnd(r);
	if (chance(r, 5))
		m->reserved = rnd(r);
	if (chance(r, 10))
		m->nlflags |= rnd(r) & 0xfff8;
	n = below(r, 7);
	for (i = 0; i < n; i++) {
		if (chance(r, 40)) {
			uint16_t type = 1 + below(r, SUBCRED_A_MAX);
			uint32_t len = chance(r, 50) ? 4 : 8;
			uint8_t *p;

			if (type == SUBCRED_A_ID) {
				char xid[32];

				g_str(m, type, chance(r, 50) ?
				      G.pool[below(r, NPOOL)].id :
				      extra_id(r, xid));
				continue;
			}
			if (type == SUBCRED_A_K || type == SUBCRED_A_OPC ||
			    type == SUBCRED_A_RAND || type == SUBCRED_A_AUTN)
				len = 16;
			p = g_add(m, type, NULL, len);
			if (p)
				rnd_bytes(r, p, len);
		} else {
			add_random_attr(r, m);
		}
	}
}

/* A dump request with random flags. */
static void gen_dump(struct rng *r, struct gmsg *m)
{
	static const uint16_t extra[] = {
		NLM_F_ECHO, NLM_F_ATOMIC, NLM_F_MULTI, NLM_F_ACK_TLVS,
		NLM_F_EXCL, NLM_F_CAPPED, NLM_F_NONREC,
	};

	g_init(m, chance(r, 80) ? SUBCRED_CMD_CRED_GET :
				  below(r, SUBCRED_CMD_MAX + 3), NLM_F_DUMP);
	if (chance(r, 40))
		m->nlflags &= ~NLM_F_ACK;
	if (chance(r, 30))
		m->nlflags |= extra[below(r, sizeof(extra) / sizeof(extra[0]))];
	if (chance(r, 10))
		m->nlflags = (m->nlflags & ~NLM_F_DUMP) |
			     (chance(r, 50) ? NLM_F_ROOT : NLM_F_MATCH);
	if (chance(r, 15))
		g_str(m, SUBCRED_A_ID, G.pool[below(r, NPOOL)].id);
	if (chance(r, 15))
		add_random_attr(r, m);
}

/* Byte-level damage to the datagram @d (one message at its start). */
static void mutate_bytes(struct rng *r, struct dgram *d)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)d->b;
	int i, n = 1 + below(r, 3);

	for (i = 0; i < n; i++) {
		switch (below(r, 8)) {
		case 0:		/* one bit anywhere */
			if (d->len)
				d->b[below(r, d->len)] ^= 1 << below(r, 8);
			break;
		case 1:		/* one octet anywhere */
			if (d->len)
				d->b[below(r, d->len)] = rnd(r);
			break;
		case 2:		/* the datagram cut short */
			d->len = chance(r, 30) ? below(r, GHDR + 8) :
						 below(r, d->len + 1);
			break;
		case 3:		/* garbage after it */
			if (d->len + 64 <= DGRAM) {
				size_t k = 1 + below(r, 64);

				rnd_bytes(r, d->b + d->len, k);
				d->len += k;
			}
			break;
		case 4:		/* nlmsg_len */
			if (d->len >= NLMSG_HDRLEN)
				nlh->nlmsg_len = chance(r, 50) ?
					nlh->nlmsg_len + below(r, 9) - 4 :
					below(r, d->len + 16);
			break;
		case 5:		/* one attribute's nla_len */
			if (d->len >= GHDR + NLA_HDRLEN) {
				size_t off = GHDR;
				size_t pick = below(r, 8);

				while (pick-- && off + NLA_HDRLEN <= d->len) {
					struct nlattr *a = (void *)(d->b + off);

					if (a->nla_len < NLA_HDRLEN)
						break;
					if (off + NLA_ALIGN(a->nla_len) +
					    NLA_HDRLEN > d->len)
						break;
					off += NLA_ALIGN(a->nla_len);
				}
				if (off + NLA_HDRLEN <= d->len) {
					struct nlattr *a = (void *)(d->b + off);

					a->nla_len = chance(r, 50) ?
						a->nla_len + below(r, 9) - 4 :
						below(r, 0x10000);
				}
			}
			break;
		case 6:		/* genl header */
			if (d->len >= GHDR)
				d->b[NLMSG_HDRLEN + below(r, GENL_HDRLEN)] =
					rnd(r);
			break;
		default:	/* nlmsg_flags */
			if (d->len >= NLMSG_HDRLEN)
				nlh->nlmsg_flags ^= 1 << below(r, 16);
		}
	}
}

/* ---- what the kernel will answer ---- */

struct expect {
	size_t off;		/* of the request in the datagram */
	uint32_t seq, len;
	uint16_t type, flags;
	int cmd;		/* -1: no genl header */
	int reserved;
	int need;		/* an answer must come */
	int done, err, data, dump_done;
};

static int is_dump(uint16_t flags)
{
	return (flags & NLM_F_DUMP) == NLM_F_DUMP;
}

/*
 * The messages of @d as the netlink core walks them (netlink_rcv_skb()).
 * With @fix, first normalize each: a type that is not a control message
 * becomes the family (never another family's command); CRED_NEW, DEL and
 * IMPORT always ask for an ACK (so that the fuzzer knows what exists);
 * unprivileged, every message is a request with NLM_F_ACK.
 */
static int walk(struct dgram *d, struct expect *e, int fix)
{
	size_t off = 0;
	int n = 0;

	while (d->len - off >= NLMSG_HDRLEN && n < MAXEXP) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(d->b + off);
		struct expect *x = &e[n];
		int cmd = -1;

		if (nlh->nlmsg_len < NLMSG_HDRLEN ||
		    nlh->nlmsg_len > d->len - off)
			break;
		if (nlh->nlmsg_len >= GHDR)
			cmd = d->b[off + NLMSG_HDRLEN];
		if (fix) {
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE || G.unpriv)
				nlh->nlmsg_type = G.family;
			if (G.unpriv)
				nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			if (cmd == SUBCRED_CMD_CRED_NEW ||
			    cmd == SUBCRED_CMD_CRED_DEL ||
			    cmd == SUBCRED_CMD_CRED_IMPORT)
				nlh->nlmsg_flags |= NLM_F_ACK;
		}
		memset(x, 0, sizeof(*x));
		x->off = off;
		x->seq = nlh->nlmsg_seq;
		x->len = nlh->nlmsg_len;
		x->type = nlh->nlmsg_type;
		x->flags = nlh->nlmsg_flags;
		x->cmd = cmd;
		if (cmd >= 0)
			x->reserved = ((struct genlmsghdr *)
				       (d->b + off + NLMSG_HDRLEN))->reserved;
		x->need = (x->flags & NLM_F_ACK) ||
			  ((x->flags & NLM_F_REQUEST) && is_dump(x->flags) &&
			   x->type == G.family);
		n++;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > d->len)
			break;
	}
	return n;
}

/* Attributes of a request or reply, last one of a type wins (nla_parse). */
static void parse_attrs(const uint8_t *msg, uint32_t len,
			const struct nlattr **tb)
{
	uint32_t off = GHDR;

	memset(tb, 0, sizeof(*tb) * (SUBCRED_A_MAX + 1));
	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(msg + off);
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			break;
		if (type <= SUBCRED_A_MAX)
			tb[type] = a;
		off += NLA_ALIGN(a->nla_len);
	}
}

#define A_DATA(a)	((const uint8_t *)(a) + NLA_HDRLEN)
#define A_LEN(a)	((uint32_t)(a)->nla_len - NLA_HDRLEN)

static const char *a_id(const struct nlattr *a)
{
	if (!a || !A_LEN(a) || A_LEN(a) > SUBCRED_ID_MAX_LEN + 1 ||
	    A_DATA(a)[A_LEN(a) - 1])
		return NULL;
	return (const char *)A_DATA(a);
}

/* ---- what the root fuzzer learns from answers ---- */

/* The pool credential's state after a successful command @x. */
static void learn_done(const uint8_t *req, const struct expect *x)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	const char *id;
	struct pool *p;

	if (x->err || x->dump_done || x->cmd < 0 || is_dump(x->flags) ||
	    x->type != G.family || !(x->flags & NLM_F_REQUEST))
		return;
	parse_attrs(req, x->len, tb);
	id = a_id(tb[SUBCRED_A_ID]);
	switch (x->cmd) {
	case SUBCRED_CMD_CRED_NEW:
		if (!id) {
			G.c.model_fail++;
			fail("CRED_NEW succeeded without a valid id");
			return;
		}
		track(id);
		p = pool_of(id);
		if (!p)
			return;
		if (tb[SUBCRED_A_K] && A_LEN(tb[SUBCRED_A_K]) == 16)
			memcpy(p->k, A_DATA(tb[SUBCRED_A_K]), 16);
		if (tb[SUBCRED_A_OPC] && A_LEN(tb[SUBCRED_A_OPC]) == 16)
			memcpy(p->opc, A_DATA(tb[SUBCRED_A_OPC]), 16);
		add_secret(p->k);
		add_secret(p->opc);
		p->version = tb[SUBCRED_A_KEY_VERSION] ?
			genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]) : 1;
		p->seq_next = (tb[SUBCRED_A_SQN] ?
			       genl_attr_u64(tb[SUBCRED_A_SQN]) >> 5 : 0) + 1;
		p->gen = 1;
		p->blob_len = 0;
		pool_reset_flow(p);
		break;
	case SUBCRED_CMD_CRED_DEL:
		if (!id) {
			G.c.model_fail++;
			fail("CRED_DEL succeeded without a valid id");
			return;
		}
		if (tracked(id) < 0 && ++G.c.model_fail)
			fail("CRED_DEL deleted '%s', which the fuzzer did not "
			     "create", id);
		untrack(id);
		p = pool_of(id);
		if (p)
			pool_reset_flow(p);
		break;
	}
}

/* A data reply (@rep) to the request @req (command @x->cmd). */
static void learn_reply(const uint8_t *req, const struct expect *x,
			const struct nlmsghdr *rep)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1], *rq[SUBCRED_A_MAX + 1];
	struct subcred_msg in, out;
	const char *id;
	struct pool *p;

	parse_attrs((const uint8_t *)rep, rep->nlmsg_len, tb);
	id = a_id(tb[SUBCRED_A_ID]);
	if (!id)
		return;
	if (x->cmd == SUBCRED_CMD_CRED_IMPORT && !is_dump(x->flags))
		track(id);
	p = pool_of(id);
	if (!p)
		return;
	if (tb[SUBCRED_A_KEY_VERSION])
		p->version = genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]);
	if (tb[SUBCRED_A_GENERATION])
		p->gen = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_SQN]) {
		uint64_t seq = (genl_attr_u64(tb[SUBCRED_A_SQN]) >> 5) + 1;

		if (seq > p->seq_next)
			p->seq_next = seq;
	}
	if (tb[SUBCRED_A_BLOB] && A_LEN(tb[SUBCRED_A_BLOB]) <= BLOB_MAX) {
		p->blob_len = A_LEN(tb[SUBCRED_A_BLOB]);
		memcpy(p->blob, A_DATA(tb[SUBCRED_A_BLOB]), p->blob_len);
	}
	if (x->cmd == SUBCRED_CMD_CRED_IMPORT)
		pool_reset_flow(p);
	if (tb[SUBCRED_A_AUTS])
		p->seq_next += 1 << 10;

	/* the update flow: which message was answered, and how */
	memset(&in, 0, sizeof(in));
	if (x->cmd == SUBCRED_CMD_MSG) {
		parse_attrs(req, x->len, rq);
		if (!rq[SUBCRED_A_MSG] ||
		    subcred_wire_parse(A_DATA(rq[SUBCRED_A_MSG]),
				       A_LEN(rq[SUBCRED_A_MSG]), &in, NULL))
			return;
	}
	if (tb[SUBCRED_A_BLOB] && tb[SUBCRED_A_GENERATION] &&
	    x->cmd == SUBCRED_CMD_MSG && !memcmp(in.txid, p->t.txid, 8)) {
		if (in.type == SUBCRED_MSG_NOTICE) {
			p->notice_gen = p->gen;
			G.c.notices_accepted++;
		} else if (in.type == SUBCRED_MSG_CONFIRM) {
			p->commit_gen = p->gen;
			G.c.confirms_accepted++;
		}
	}
	if (!tb[SUBCRED_A_MSG] ||
	    subcred_wire_parse(A_DATA(tb[SUBCRED_A_MSG]),
			       A_LEN(tb[SUBCRED_A_MSG]), &out, NULL) ||
	    memcmp(out.txid, p->t.txid, 8))
		return;
	switch (out.type) {
	case SUBCRED_MSG_RESPONSE:
		if (!net_response(&p->t, A_DATA(tb[SUBCRED_A_MSG]),
				  A_LEN(tb[SUBCRED_A_MSG]))) {
			p->confirm_len = net_confirm(&p->t, p->t.version + 1,
						     p->confirm);
			p->have_resp = 1;
			add_secret(p->t.k_new);
			add_secret(p->t.opc_new);
		}
		break;
	case SUBCRED_MSG_ACK:
		if (p->t.notice_len && !net_ack(&p->t, A_DATA(tb[SUBCRED_A_MSG]),
						A_LEN(tb[SUBCRED_A_MSG]))) {
			memcpy(p->k, p->t.k_new, 16);
			memcpy(p->opc, p->t.opc_new, 16);
			p->version = p->t.version + 1;
			G.c.updates++;
			pool_reset_flow(p);
		}
		break;
	case SUBCRED_MSG_SYNC: {
		uint8_t s[6], a[2] = { 0, 0 };
		struct milenage mil;
		int i;

		be48(s, 0);
		net_milenage(p->t.k, p->t.opc, p->t.rand, s, a, &mil);
		for (i = 0; i < 6; i++)
			s[i] = out.sync.auts[i] ^ mil.ak_s[i];
		p->seq_next = (get_be48(s) >> 5) + 1;
		break;
	}
	}
}

/* ---- sending and receiving ---- */

struct fsock {
	int fd;
	uint32_t seq;
};

static int holds_secret(const uint8_t *p, size_t n)
{
	int i;

	for (i = 0; i < G.nsecrets; i++)
		if (memmem(p, n, G.secrets[i], 16))
			return 1;
	return 0;
}

static int ambiguous(uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < AMBIG && i < G.nambig; i++)
		if (G.ambig[i] == seq)
			return 1;
	return 0;
}

/*
 * Send @d and collect the answers of its messages @e (@n of them) until
 * each one that must be answered was. 0, or -1 if an answer did not come.
 */
static int exchange(struct fsock *s, struct dgram *d, struct expect *e,
		    int n)
{
	static uint8_t buf[1 << 17];
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	int i, waiting = 0;

	for (i = 0; i < n; i++)
		waiting += e[i].need;
	G.c.nlmsgs += n;
	G.c.sent_bytes += d->len;
	if (sendto(s->fd, d->b, d->len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		G.c.send_err++;
		/* 6.12 refuses an empty datagram with ENODATA */
		if (errno != ENODATA || d->len) {
			G.c.model_fail++;
			fail("sendto: %s", strerror(errno));
		}
		return 0;
	}
	while (waiting > 0) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), MSG_TRUNC);
		struct nlmsghdr *nlh;
		int rem;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				G.c.timeouts++;
				fail("no answer within %d s to %d message(s)",
				     RCVTIMEO_S, waiting);
				hexdump("datagram", d->b, d->len);
				return -1;
			}
			fail("recv: %s", strerror(errno));
			return -1;
		}
		if ((size_t)len > sizeof(buf)) {
			G.c.truncated++;
			fail("reply of %zd octets truncated", len);
			len = sizeof(buf);
		}
		if (holds_secret(buf, len)) {
			G.c.secret_hits++;
			fail("a reply holds a K or OPc");
			hexdump("reply", buf, len);
		}
		rem = len;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			struct expect *x = NULL;

			for (i = 0; i < n && !x; i++)
				if (e[i].seq == nlh->nlmsg_seq && !e[i].done)
					x = &e[i];
			if (!x) {
				if (ambiguous(nlh->nlmsg_seq) &&
			    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
					G.c.late++;
					continue;
				}
				G.c.unexpected++;
				fail("answer type %u for sequence number %u "
				     "that no request waits for",
				     nlh->nlmsg_type, nlh->nlmsg_seq);
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				x->done = 1;
				x->dump_done = nlh->nlmsg_type == NLMSG_DONE;
				x->err = *(int *)NLMSG_DATA(nlh);
				if (x->dump_done)
					G.c.dumps_done++;
				if (x->err <= 0 && -x->err < 140)
					G.c.errs[-x->err]++;
				G.c.answered++;
				if (x->need)
					waiting--;
				if (!G.unpriv)
					learn_done(d->b + x->off, x);
			} else {
				x->data++;
				G.c.data++;
				if (!G.unpriv && x->cmd >= 0)
					learn_reply(d->b + x->off, x, nlh);
			}
		}
	}
	for (i = 0; i < n; i++)
		if (!e[i].need) {
			G.ambig[G.nambig % AMBIG] = e[i].seq;
			G.nambig++;
		}
	return 0;
}

/* ---- the witnesses and the dump of all credentials ---- */

/*
 * With several root workers, a CRED_NEW must name an id of this worker's
 * (a random one could be valid and then unexpected in the others' dumps).
 */
static int foreign_new(const struct dgram *d, const struct expect *e, int n)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	const char *id;
	int i;

	if (G.nworkers < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (e[i].cmd != SUBCRED_CMD_CRED_NEW)
			continue;
		parse_attrs(d->b + e[i].off, e[i].len, tb);
		id = a_id(tb[SUBCRED_A_ID]);
		if (id && strncmp(id, G.prefix, strlen(G.prefix)))
			return 1;
	}
	return 0;
}

static int protected(const struct dgram *d)
{
	int i;

	for (i = 0; i < NWIT; i++)
		if (memmem(d->b, d->len, G.wit[i].id, strlen(G.wit[i].id)))
			return 1;
	for (i = 0; i < G.npre; i++)
		if (memmem(d->b, d->len, G.pre[i], strlen(G.pre[i])))
			return 1;
	return 0;
}

static int snap_of(const struct nlmsghdr *nlh, struct snap *s)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	parse_attrs((const uint8_t *)nlh, nlh->nlmsg_len, tb);
	memset(s, 0, sizeof(*s));
	if (!tb[SUBCRED_A_KEY_SERIAL] || !tb[SUBCRED_A_KEY_VERSION] ||
	    !tb[SUBCRED_A_SQN] || !tb[SUBCRED_A_MAX_AGE] ||
	    !tb[SUBCRED_A_PENDING_TIMEOUT] || !tb[SUBCRED_A_GENERATION] ||
	    !tb[SUBCRED_A_STATE] || !tb[SUBCRED_A_STATS] ||
	    A_LEN(tb[SUBCRED_A_STATS]) > sizeof(s->stats))
		return -1;
	s->serial = genl_attr_u32(tb[SUBCRED_A_KEY_SERIAL]);
	s->version = genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]);
	s->sqn = genl_attr_u64(tb[SUBCRED_A_SQN]);
	s->max_age = genl_attr_u32(tb[SUBCRED_A_MAX_AGE]);
	s->pto = genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]);
	s->gen = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	s->state = genl_attr_u32(tb[SUBCRED_A_STATE]);
	s->stats_len = A_LEN(tb[SUBCRED_A_STATS]);
	memcpy(s->stats, A_DATA(tb[SUBCRED_A_STATS]), s->stats_len);
	return 0;
}

/* "" if @a equals @b, else what differs. */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	static char why[160];

	why[0] = 0;
	if (a->serial != b->serial)
		strcat(why, " key serial");
	if (a->version != b->version)
		strcat(why, " key version");
	if (a->sqn != b->sqn)
		strcat(why, " SQN");
	if (a->max_age != b->max_age || a->pto != b->pto)
		strcat(why, " policy");
	if (a->gen != b->gen)
		strcat(why, " generation");
	if (a->state != b->state)
		strcat(why, " state");
	if (a->stats_len != b->stats_len ||
	    memcmp(a->stats, b->stats, a->stats_len))
		strcat(why, " counters");
	return why;
}

static int cred_get(struct genl_sock *s, const char *id, struct snap *out)
{
	struct genl_msg m, r;
	int err;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	err = genl_do(s, &m, &r);
	if (err)
		return err;
	return snap_of(&r.nlh, out) ? -EPROTO : 0;
}

struct idlist {
	int n;
	char id[MAXTRACK + 64][SUBCRED_ID_MAX_LEN + 1];
};

static int dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct idlist *l = arg;
	const char *id;

	parse_attrs((const uint8_t *)nlh, nlh->nlmsg_len, tb);
	id = a_id(tb[SUBCRED_A_ID]);
	if (!id || l->n == MAXTRACK + 64)
		return -EPROTO;
	snprintf(l->id[l->n++], SUBCRED_ID_MAX_LEN + 1, "%s", id);
	return 0;
}

static int dump_ids(struct genl_sock *s, struct idlist *l)
{
	struct genl_msg m;

	l->n = 0;
	genl_msg_init(s, &m, SUBCRED_CMD_CRED_GET, 0);
	return genl_dump(s, &m, dump_cb, l, NULL);
}

static int in_list(const struct idlist *l, const char *id)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->id[i], id))
			return 1;
	return 0;
}

/*
 * The dump lists exactly: what existed before, the witnesses (if
 * @with_wit), the fuzzer's (if @with_own). "" or what is wrong.
 */
static const char *check_dump(struct genl_sock *s, int with_wit,
			      int with_own)
{
	static struct idlist l;
	static char why[512];
	int i, err, want, others = 0;

	why[0] = 0;
	err = dump_ids(s, &l);
	if (err) {
		snprintf(why, sizeof(why), "dump failed: %s", strerror(-err));
		return why;
	}
	want = G.npre + (with_wit ? NWIT : 0) + (with_own ? G.ntrack : 0);
	for (i = 0; i < l.n; i++) {
		const char *id = l.id[i];
		int j, known = 0;

		if (other_worker(id)) {
			others++;
			continue;
		}
		for (j = 0; j < G.npre; j++)
			known |= !strcmp(G.pre[j], id);
		for (j = 0; with_wit && j < NWIT; j++)
			known |= !strcmp(G.wit[j].id, id);
		if (with_own)
			known |= tracked(id) >= 0;
		if (!known && strlen(why) < sizeof(why) - 100)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " unexpected '%s';", id);
	}
	for (i = 0; i < G.npre; i++)
		if (!in_list(&l, G.pre[i]))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " missing '%s';", G.pre[i]);
	for (i = 0; with_wit && i < NWIT; i++)
		if (!in_list(&l, G.wit[i].id))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " missing witness '%s';", G.wit[i].id);
	for (i = 0; with_own && i < G.ntrack; i++)
		if (!in_list(&l, G.track[i]) &&
		    strlen(why) < sizeof(why) - 100)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " missing '%s';", G.track[i]);
	if (!why[0] && l.n - others != want)
		snprintf(why, sizeof(why), "%d ids listed, %d expected (a "
			 "duplicate?)", l.n - others, want);
	return why;
}

/* Every witness unchanged, and the dump as expected. */
static void periodic_check(struct genl_sock *s)
{
	const char *why;
	struct snap now;
	int i, err;

	G.c.checks++;
	for (i = 0; i < NWIT; i++) {
		err = cred_get(s, G.wit[i].id, &now);
		if (err) {
			G.c.check_fail++;
			fail("witness %s: CRED_GET: %s", G.wit[i].id,
			     strerror(-err));
			continue;
		}
		why = snap_diff(&G.wit[i].s, &now);
		if (*why) {
			G.c.check_fail++;
			fail("witness %s changed:%s", G.wit[i].id, why);
		}
	}
	why = check_dump(s, 1, 1);
	if (*why) {
		G.c.check_fail++;
		fail("dump of all credentials: %s", why);
	}
}

/* ---- commands aimed at witnesses ---- */

static const uint32_t policy_of[] = {
	[SUBCRED_CMD_CRED_NEW] = 1 << SUBCRED_A_ID | 1 << SUBCRED_A_K |
		1 << SUBCRED_A_OPC | 1 << SUBCRED_A_SQN |
		1 << SUBCRED_A_KEY_VERSION | 1 << SUBCRED_A_MAX_AGE |
		1 << SUBCRED_A_PENDING_TIMEOUT,
	[SUBCRED_CMD_CRED_DEL] = 1 << SUBCRED_A_ID,
	[SUBCRED_CMD_CRED_GET] = 1 << SUBCRED_A_ID,
	[SUBCRED_CMD_CRED_SET] = 1 << SUBCRED_A_ID | 1 << SUBCRED_A_MAX_AGE |
		1 << SUBCRED_A_PENDING_TIMEOUT,
	[SUBCRED_CMD_MSG] = 1 << SUBCRED_A_MSG,
	[SUBCRED_CMD_PERSISTED] = 1 << SUBCRED_A_ID |
		1 << SUBCRED_A_GENERATION,
	[SUBCRED_CMD_CRED_EXPORT] = 1 << SUBCRED_A_ID,
	[SUBCRED_CMD_CRED_IMPORT] = 1 << SUBCRED_A_ID | 1 << SUBCRED_A_BLOB,
	[SUBCRED_CMD_AKA] = 1 << SUBCRED_A_ID | 1 << SUBCRED_A_RAND |
		1 << SUBCRED_A_AUTN,
};

/* Fixed length of an attribute type in the policies, or 0. */
static uint32_t fixed_len(int type)
{
	switch (type) {
	case SUBCRED_A_K:
	case SUBCRED_A_OPC:
	case SUBCRED_A_RAND:
	case SUBCRED_A_AUTN:
		return 16;
	case SUBCRED_A_SQN:
	case SUBCRED_A_GENERATION:
		return 8;
	case SUBCRED_A_KEY_VERSION:
	case SUBCRED_A_MAX_AGE:
	case SUBCRED_A_PENDING_TIMEOUT:
		return 4;
	}
	return 0;
}

/* A valid-looking command for witness @w (valid if sent as is). */
static void wit_tmpl(struct rng *r, struct gmsg *m, uint8_t cmd,
		     struct witness *w)
{
	uint8_t rand[16], autn[16];
	struct pool fake;

	g_init(m, cmd, 0);
	switch (cmd) {
	case SUBCRED_CMD_CRED_NEW:
		g_str(m, SUBCRED_A_ID, w->id);
		g_add(m, SUBCRED_A_K, G.fuzz_k, 16);
		g_add(m, SUBCRED_A_OPC, G.fuzz_opc, 16);
		g_u64(m, SUBCRED_A_SQN, 0);
		g_u32(m, SUBCRED_A_KEY_VERSION, 1);
		g_u32(m, SUBCRED_A_MAX_AGE, 1);
		g_u32(m, SUBCRED_A_PENDING_TIMEOUT, 1);
		break;
	case SUBCRED_CMD_CRED_SET:
		g_str(m, SUBCRED_A_ID, w->id);
		g_u32(m, SUBCRED_A_MAX_AGE, 1);
		g_u32(m, SUBCRED_A_PENDING_TIMEOUT, 1);
		break;
	case SUBCRED_CMD_MSG:
		/* the witness's own NOTICE: valid, so only with damage */
		memset(&fake, 0, sizeof(fake));
		snprintf(fake.id, sizeof(fake.id), "x");
		memcpy(fake.k, w->k, 16);
		memcpy(fake.opc, w->opc, 16);
		fake.version = w->version;
		fake.seq_next = (w->sqn >> 5) + 100;
		make_notice(r, &fake);
		snprintf(fake.t.id, sizeof(fake.t.id), "%s", w->id);
		net_notice(&fake.t);
		g_add(m, SUBCRED_A_MSG, fake.t.notice, fake.t.notice_len);
		break;
	case SUBCRED_CMD_PERSISTED:
		g_str(m, SUBCRED_A_ID, w->id);
		g_u64(m, SUBCRED_A_GENERATION, w->s.gen);
		break;
	case SUBCRED_CMD_CRED_IMPORT:
		g_str(m, SUBCRED_A_ID, w->id);
		g_add(m, SUBCRED_A_BLOB, w->blob, w->blob_len);
		break;
	case SUBCRED_CMD_AKA:
		g_str(m, SUBCRED_A_ID, w->id);
		aka_vector(r, w->k, w->opc, w->sqn + (1000 << 5), 0x8000,
			   rand, autn, NULL);
		g_add(m, SUBCRED_A_RAND, rand, 16);
		g_add(m, SUBCRED_A_AUTN, autn, 16);
		break;
	default:	/* DEL, GET, EXPORT */
		g_str(m, SUBCRED_A_ID, w->id);
	}
}

/*
 * A command naming witness @w that the kernel must refuse whatever the
 * state: a valid-looking one with one change the policy or the parser
 * refuses before anything is looked up. Returns how many trailing octets
 * to add after the message (0..3), or -1 for a truncated last attribute.
 */
static int wit_bad(struct rng *r, struct gmsg *m, struct witness *w)
{
	uint8_t cmd = cmds[below(r, sizeof(cmds))];
	uint32_t allowed = policy_of[cmd], len;
	int i, type;
	uint8_t *p;

	wit_tmpl(r, m, cmd, w);
	switch (below(r, 8)) {
	case 0:		/* an attribute the command does not take */
		do {
			type = 1 + below(r, SUBCRED_A_MAX);
		} while (allowed & 1 << type);
		len = fixed_len(type) ? fixed_len(type) : 1 + below(r, 20);
		p = g_add(m, type, NULL, len);
		if (p)
			rnd_bytes(r, p, len);
		if (m->n > 1 && chance(r, 50)) {	/* not at the end */
			struct attr t = m->a[m->n - 1];

			i = below(r, m->n - 1);
			m->a[m->n - 1] = m->a[i];
			m->a[i] = t;
		}
		return 0;
	case 1:		/* an unknown type */
		g_u32(m, chance(r, 20) ? 0 : SUBCRED_A_MAX + 1 + below(r, 8),
		      any_u32(r));
		return 0;
	case 2:		/* trailing octets */
		return 1 + below(r, 3);
	case 3:		/* a truncated last attribute */
		return -1;
	case 4:		/* a fixed-length attribute of another length */
		for (i = 0; i < m->n; i++)
			if (fixed_len(m->a[i].type))
				break;
		if (i == m->n)
			return -1;
		set_len(r, m, i, chance(r, 50) ? m->a[i].len - 1 - below(r, 4) :
						 m->a[i].len + 1 + below(r, 8));
		return 0;
	case 5:
	case 6:
		if (cmd == SUBCRED_CMD_MSG) {	/* a message that does not parse */
			uint8_t *d = m->arena + m->a[0].off;

			switch (below(r, 4)) {
			case 0:
				d[below(r, 2)] ^= 1 + below(r, 255); /* magic */
				break;
			case 1:
				d[2] = 2 + below(r, 254);	/* version */
				break;
			case 2:
				d[7] = 1 + below(r, 255);	/* flags */
				break;
			default:
				set_len(r, m, 0, m->a[0].len - 1 - below(r, 8));
			}
			return 0;
		}
		if (chance(r, 50)) {		/* NLA_F_NESTED on the id */
			for (i = 0; i < m->n; i++)
				if (m->a[i].type == SUBCRED_A_ID)
					m->a[i].type |= NLA_F_NESTED;
			return 0;
		}
		break;
	default:
		break;
	}
	/* out of range, or IMPORT of a damaged blob; else truncated */
	for (i = 0; i < m->n; i++) {
		uint32_t v32;
		uint64_t v64;

		switch (m->a[i].type) {
		case SUBCRED_A_PENDING_TIMEOUT:
			v32 = chance(r, 50) ? 0 : 86401 + below(r, 1000);
			memcpy(m->arena + m->a[i].off, &v32, 4);
			return 0;
		case SUBCRED_A_KEY_VERSION:
			v32 = chance(r, 50) ? 0 : 0xffffffff;
			memcpy(m->arena + m->a[i].off, &v32, 4);
			return 0;
		case SUBCRED_A_SQN:
			v64 = SUBCRED_SQN_MAX + 1 + below(r, 1000);
			memcpy(m->arena + m->a[i].off, &v64, 8);
			return 0;
		case SUBCRED_A_BLOB:
			/* the ciphertext or tag: GCM refuses it */
			m->arena[m->a[i].off + 30 + strlen(w->id) +
				 below(r, 400)] ^= 1 << below(r, 8);
			return 0;
		}
	}
	return -1;
}

/* ---- one operation ---- */

enum op_class {
	C_FLOW, C_VALID, C_ATTR, C_BYTES, C_RANDOM, C_DUMP, C_BATCH,
	C_WIT_BAD, C_WIT_RO, C_N
};
static const uint8_t class_weight[C_N] = { 18, 12, 25, 14, 10, 5, 6, 6, 4 };

static enum op_class pick_class(struct rng *r)
{
	unsigned int i, total = 0, x;

	for (i = 0; i < C_N; i++)
		total += class_weight[i];
	x = below(r, total);
	for (i = 0; x >= class_weight[i]; i++)
		x -= class_weight[i];
	return i;
}

static void one_message(struct rng *r, struct gmsg *m)
{
	struct pool *p = &G.pool[below(r, NPOOL)];

	switch (below(r, 5)) {
	case 0:
		gen_random(r, m);
		break;
	case 1:
		tmpl_flow(r, m, p);
		break;
	default:
		tmpl_cmd(r, m, pick_cmd(r), p);
		if (chance(r, 50))
			mutate_attr(r, m);
	}
}

/* A witness command answered: check what must hold. */
static void wit_ro_check(const struct dgram *d, const struct expect *x,
			 struct witness *w, int kind)
{
	(void)d;
	if (!x->done) {
		G.c.wit_ro_bad++;
		fail("read-only command on witness %s not answered", w->id);
	} else if (x->err) {
		G.c.wit_ro_bad++;
		fail("read-only command %d on witness %s: %s", kind, w->id,
		     strerror(-x->err));
	} else if (kind != 3 && !x->data) {
		G.c.wit_ro_bad++;
		fail("read-only command %d on witness %s: no data", kind,
		     w->id);
	}
}

static struct gmsg gm;

static void one_op(struct rng *r, struct fsock *s)
{
	static struct dgram d;
	static struct expect e[MAXEXP];
	enum op_class cls;
	struct witness *w = NULL;
	int n, tries = 0, trail = 0, kind = 0;

again:
	d.len = 0;
	cls = pick_class(r);
	if (G.unpriv && (cls == C_WIT_BAD || cls == C_WIT_RO) && chance(r, 50))
		cls = C_VALID;
	switch (cls) {
	case C_FLOW:
		tmpl_flow(r, &gm, &G.pool[below(r, NPOOL)]);
		if (chance(r, 15))
			mutate_attr(r, &gm);
		g_emit(&gm, &d, ++s->seq);
		break;
	case C_VALID:
		if (G.unpriv && chance(r, 30)) {
			w = &G.wit[below(r, NWIT)];
			wit_tmpl(r, &gm, cmds[below(r, sizeof(cmds))], w);
		} else {
			tmpl_cmd(r, &gm, pick_cmd(r), &G.pool[below(r, NPOOL)]);
		}
		g_emit(&gm, &d, ++s->seq);
		break;
	case C_ATTR:
		tmpl_cmd(r, &gm, pick_cmd(r), &G.pool[below(r, NPOOL)]);
		mutate_attr(r, &gm);
		if (chance(r, 30))
			mutate_attr(r, &gm);
		g_emit(&gm, &d, ++s->seq);
		break;
	case C_BYTES:
		one_message(r, &gm);
		g_emit(&gm, &d, ++s->seq);
		mutate_bytes(r, &d);
		break;
	case C_RANDOM:
		gen_random(r, &gm);
		g_emit(&gm, &d, ++s->seq);
		break;
	case C_DUMP:
		gen_dump(r, &gm);
		g_emit(&gm, &d, ++s->seq);
		break;
	case C_BATCH: {
		int i, k = 2 + below(r, 3);

		for (i = 0; i < k; i++) {
			if (chance(r, 15))
				gen_dump(r, &gm);
			else
				one_message(r, &gm);
			g_emit(&gm, &d, ++s->seq);
		}
		if (chance(r, 20))
			d.len -= below(r, d.len / 4 + 1);
		break;
	}
	case C_WIT_BAD:
		w = &G.wit[below(r, NWIT)];
		trail = wit_bad(r, &gm, w);
		g_emit(&gm, &d, ++s->seq);
		if (trail > 0) {
			memset(d.b + d.len, 0xa5, trail);
			d.len += trail;
			((struct nlmsghdr *)d.b)->nlmsg_len = d.len;
		} else if (trail < 0 && gm.n) {
			/* the last attribute claims more than there is */
			struct nlmsghdr *nlh = (struct nlmsghdr *)d.b;
			size_t off = GHDR, last = GHDR;

			while (off < d.len) {
				last = off;
				off += NLA_ALIGN(((struct nlattr *)
						  (d.b + off))->nla_len);
			}
			((struct nlattr *)(d.b + last))->nla_len +=
				4 + below(r, 64);
			nlh->nlmsg_len = d.len;
		}
		break;
	case C_WIT_RO:
		w = &G.wit[below(r, NWIT)];
		kind = below(r, 4);
		if (kind == 3 && !w->blob_len)
			kind = 0;
		switch (kind) {
		case 0:
			wit_tmpl(r, &gm, SUBCRED_CMD_CRED_GET, w);
			break;
		case 1:
			wit_tmpl(r, &gm, SUBCRED_CMD_CRED_EXPORT, w);
			break;
		case 2:
			g_init(&gm, SUBCRED_CMD_CRED_GET, NLM_F_DUMP);
			break;
		default:	/* its own current blob: a no-op */
			wit_tmpl(r, &gm, SUBCRED_CMD_CRED_IMPORT, w);
		}
		g_emit(&gm, &d, ++s->seq);
		break;
	default:
		break;
	}

	n = walk(&d, e, 1);
	if (!G.unpriv && cls != C_WIT_BAD && cls != C_WIT_RO &&
	    (protected(&d) || foreign_new(&d, e, n))) {
		G.c.skipped_protected++;
		if (++tries < 10)
			goto again;
		return;
	}
	if (G.verbose)
		hexdump(G.unpriv ? "unprivileged datagram" : "datagram",
			d.b, d.len);
	G.c.ops++;
	if (exchange(s, &d, e, n))
		return;

	if (cls == C_WIT_BAD && !G.unpriv) {
		G.c.wit_bad++;
		if (n != 1 || !e[0].done || !e[0].err) {
			G.c.wit_bad_accepted++;
			fail("an invalid command naming witness %s was not "
			     "refused (answered: %d, error %d)", w->id,
			     n == 1 && e[0].done, n == 1 ? e[0].err : 0);
			hexdump("datagram", d.b, d.len);
		}
	}
	if (cls == C_WIT_RO && !G.unpriv) {
		G.c.wit_ro++;
		if (n == 1)
			wit_ro_check(&d, &e[0], w, kind);
	}
	if (G.unpriv) {
		int i;

		for (i = 0; i < n; i++) {
			const struct expect *x = &e[i];
			int reach = x->type == G.family &&
				(x->flags & NLM_F_REQUEST) && x->len >= GHDR;
			int strict = reach && !x->reserved &&
				!((is_dump(x->flags) ? x->flags & ~NLM_F_DUMP :
				   x->flags) & ~(NLM_F_REQUEST | NLM_F_ACK |
						 NLM_F_ECHO));

			if (is_dump(x->flags))
				reach &= x->cmd == SUBCRED_CMD_CRED_GET;
			else
				reach &= x->cmd >= SUBCRED_CMD_CRED_NEW &&
					 x->cmd <= SUBCRED_CMD_AKA &&
					 x->cmd != SUBCRED_CMD_EVENT;
			if (x->data) {
				G.c.unpriv_data++;
				fail("%d data replies", x->data);
			}
			if (x->dump_done || (x->done && !x->err)) {
				G.c.unpriv_success++;
				fail("command %d succeeded", x->cmd);
			}
			if (!x->done)
				continue;
			if (reach && strict) {
				G.c.perm_reached++;
				if (x->err == -EPERM) {
					G.c.perm_ok++;
				} else {
					G.c.perm_wrong++;
					fail("command %d: %s, not EPERM",
					     x->cmd, strerror(-x->err));
				}
			} else if (reach && x->err != -EPERM &&
				   x->err != -EINVAL) {
				G.c.perm_wrong++;
				fail("command %d (reserved bits): %s",
				     x->cmd, strerror(-x->err));
			} else if (x->err < 0) {
				G.c.other_err++;
			}
		}
	}
}

/* ---- setup ---- */

static int32_t master_key(void)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	return syscall(__NR_add_key, "logon", "subcred:master", key,
		       sizeof(key), KEY_SPEC_SESSION_KEYRING);
}

static int set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = RCVTIMEO_S };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int open_sock(struct genl_sock *s)
{
	int err = genl_open(s, SUBCRED_GENL_NAME);

	if (err)
		return err;
	if (set_timeout(s->fd)) {
		genl_close(s);
		return -errno;
	}
	G.family = s->family;
	return 0;
}

struct answer {
	int err;
	uint64_t gen;
	uint8_t msg[SUBCRED_WIRE_MAX_LEN];
	size_t msg_len;
	uint8_t blob[BLOB_MAX];
	size_t blob_len;
};

static struct answer ask(struct genl_sock *s, struct genl_msg *m)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct answer a = { 0 };
	static struct genl_msg r;

	memset(&r, 0, sizeof(r));
	a.err = genl_do(s, m, &r);
	if (a.err)
		return a;
	parse_attrs((const uint8_t *)r.buf, r.nlh.nlmsg_len, tb);
	if (tb[SUBCRED_A_GENERATION])
		a.gen = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_MSG] && A_LEN(tb[SUBCRED_A_MSG]) <= sizeof(a.msg)) {
		a.msg_len = A_LEN(tb[SUBCRED_A_MSG]);
		memcpy(a.msg, A_DATA(tb[SUBCRED_A_MSG]), a.msg_len);
	}
	if (tb[SUBCRED_A_BLOB] && A_LEN(tb[SUBCRED_A_BLOB]) <= sizeof(a.blob)) {
		a.blob_len = A_LEN(tb[SUBCRED_A_BLOB]);
		memcpy(a.blob, A_DATA(tb[SUBCRED_A_BLOB]), a.blob_len);
	}
	if (tb[SUBCRED_A_RES] && A_LEN(tb[SUBCRED_A_RES]) == 8) {
		memcpy(a.msg, A_DATA(tb[SUBCRED_A_RES]), 8);
		a.msg_len = 8;
	}
	return a;
}

static struct answer msg_cmd(struct genl_sock *s, const uint8_t *msg,
			     size_t len)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_MSG, 0);
	genl_put(&m, SUBCRED_A_MSG, msg, len);
	return ask(s, &m);
}

static struct answer id_cmd(struct genl_sock *s, uint8_t cmd, const char *id,
			    uint64_t gen)
{
	struct genl_msg m;

	genl_msg_init(s, &m, cmd, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	if (cmd == SUBCRED_CMD_PERSISTED)
		genl_put_u64(&m, SUBCRED_A_GENERATION, gen);
	return ask(s, &m);
}

/* An AKA with @k/@opc at SQN @sqn: 1 if the RES matches, 0, or -errno. */
static int aka(struct rng *r, struct genl_sock *s, const char *id,
	       const uint8_t *k, const uint8_t *opc, uint64_t sqn)
{
	uint8_t rand[16], autn[16], xres[8];
	struct genl_msg m;
	struct answer a;

	aka_vector(r, k, opc, sqn, 0x8000, rand, autn, xres);
	genl_msg_init(s, &m, SUBCRED_CMD_AKA, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_RAND, rand, 16);
	genl_put(&m, SUBCRED_A_AUTN, autn, 16);
	a = ask(s, &m);
	if (a.err)
		return a.err;
	return a.msg_len == 8 && !memcmp(a.msg, xres, 8);
}

static int provision(struct genl_sock *s, const char *id, const uint8_t *k,
		     const uint8_t *opc, uint64_t sqn, uint32_t version,
		     uint32_t max_age, uint32_t pto)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_K, k, 16);
	genl_put(&m, SUBCRED_A_OPC, opc, 16);
	genl_put_u64(&m, SUBCRED_A_SQN, sqn);
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, version);
	genl_put_u32(&m, SUBCRED_A_MAX_AGE, max_age);
	genl_put_u32(&m, SUBCRED_A_PENDING_TIMEOUT, pto);
	return genl_do(s, &m, NULL);
}

/* The witnesses: provisioned, one with an update PENDING, exported. */
static const char *setup_witnesses(struct rng *r, struct genl_sock *s)
{
	static char why[400];
	struct answer a;
	int i, err;

	for (i = 0; i < NWIT; i++) {
		struct witness *w = &G.wit[i];

		rnd_bytes(r, w->k, 16);
		rnd_bytes(r, w->opc, 16);
		add_secret(w->k);
		add_secret(w->opc);
		w->version = i == 1 ? 7 : 1;
		w->sqn = i == 1 ? 0x123456789aULL : 0;
		w->pto = 86400;
		w->pending = i == 2;
		snprintf(w->id, sizeof(w->id), "%switness-%s", G.prefix,
			 i == 0 ? "idle" : i == 1 ? "v7" : "pending");
		err = provision(s, w->id, w->k, w->opc, w->sqn, w->version,
				i == 1 ? 1000000 : 0, w->pto);
		if (err) {
			snprintf(why, sizeof(why), "provision %.40s: %.60s "
				 "(%.200s)", w->id, strerror(-err), s->extack);
			return why;
		}
		if (!w->pending)
			continue;
		memset(&w->t, 0, sizeof(w->t));
		memcpy(w->t.id, w->id, sizeof(w->id));
		memcpy(w->t.k, w->k, 16);
		memcpy(w->t.opc, w->opc, 16);
		w->t.version = w->version;
		rnd_bytes(r, w->t.txid, 8);
		rnd_bytes(r, w->t.rand, 16);
		w->t.sqn = 2 << 5;
		w->t.amf = 0x0080;
		rnd_bytes(r, w->t.sk_n, 32);
		net_notice(&w->t);
		a = msg_cmd(s, w->t.notice, w->t.notice_len);
		if (a.err || !a.blob_len)
			return "NOTICE to the pending witness: no blob";
		a = id_cmd(s, SUBCRED_CMD_PERSISTED, w->id, a.gen);
		if (a.err || !a.msg_len ||
		    net_response(&w->t, a.msg, a.msg_len))
			return "PERSISTED of the pending witness: no valid "
			       "RESPONSE";
		add_secret(w->t.k_new);
		add_secret(w->t.opc_new);
	}
	for (i = 0; i < NWIT; i++) {
		struct witness *w = &G.wit[i];

		a = id_cmd(s, SUBCRED_CMD_CRED_EXPORT, w->id, 0);
		if (a.err || !a.blob_len)
			return "CRED_EXPORT of a witness failed";
		memcpy(w->blob, a.blob, a.blob_len);
		w->blob_len = a.blob_len;
		err = cred_get(s, w->id, &w->s);
		if (err)
			return "CRED_GET of a witness failed";
		if (w->s.state != (w->pending ? SUBCRED_STATE_PENDING :
						SUBCRED_STATE_IDLE))
			return "a witness is not in its state";
	}
	return NULL;
}

/* ---- the unprivileged child ---- */

static int dropped_ok(void)
{
	char line[256];
	int ok = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			ok = strtoull(line + 7, NULL, 16) == 0;
	fclose(f);
	return ok && getuid() == 65534 && geteuid() == 65534 &&
	       getgid() == 65534 && getegid() == 65534;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Two counts: socket opened after dropping, and inherited from root. */
struct unpriv_result {
	struct counts after, inherited;
};

static void unpriv_child(uint64_t seed, long count, double secs, int out)
{
	struct unpriv_result res;
	struct genl_sock as_root, as_user;
	struct fsock fs[2];
	struct counts c[2];
	double end = now_s() + secs;
	long i;

	memset(&res, 0, sizeof(res));
	memset(c, 0, sizeof(c));
	G.unpriv = 1;
	memset(&G.c, 0, sizeof(G.c));
	rng_seed(&G.r, seed);
	if (open_sock(&as_root) ||
	    setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534) || !dropped_ok() ||
	    open_sock(&as_user)) {
		printf("# unprivileged child: could not drop privileges or "
		       "open sockets\n");
		if (write(out, &res, sizeof(res)) < 0)
			_exit(1);
		_exit(1);
	}
	fs[0] = (struct fsock){ as_user.fd, 1000 };
	fs[1] = (struct fsock){ as_root.fd, 1000 };
	for (i = 0; i < count && now_s() < end; i++) {
		int k = below(&G.r, 2);

		G.c = c[k];
		G.op = i;
		one_op(&G.r, &fs[k]);
		c[k] = G.c;
		if (c[k].timeouts)
			break;
	}
	c[0].dropped_ok = c[1].dropped_ok = dropped_ok();
	res.after = c[0];
	res.inherited = c[1];
	if (write(out, &res, sizeof(res)) != sizeof(res))
		_exit(1);
	_exit(0);
}

/* ---- main ---- */

static int tap_n, tap_failed;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A TAP line; other root workers report theirs as comments. */
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	if (G.worker)
		printf("# worker %d: %sok ", G.worker, ok ? "" : "not ");
	else
		printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	tap_failed += !ok;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void print_errs(const char *who, const struct counts *c)
{
	char line[512];
	int i, len;

	len = snprintf(line, sizeof(line), "# %s answers:", who);
	for (i = 0; i < 140; i++)
		if (c->errs[i] && len < (int)sizeof(line) - 40)
			len += snprintf(line + len, sizeof(line) - len,
					" %s %ld,", !i ? "0" : strerrorname_np(i) ?
					strerrorname_np(i) : "?", c->errs[i]);
	printf("%s\n", line);
}

/* 16 lines of root worker 0, 1 for the others, 3 unprivileged, 1 store */
#define TESTS 21

struct opts {
	long count, ucount, check_every;
	uint64_t seed;
	double secs;
};

/* Witnesses and the fuzzer's own credentials of this worker. */
static int worker_setup(struct genl_sock *ctl, const struct opts *o)
{
	const char *why;
	long i;

	rng_seed(&G.r, o->seed + G.worker);
	rnd_bytes(&G.r, G.fuzz_k, 16);
	rnd_bytes(&G.r, G.fuzz_opc, 16);
	add_secret(G.fuzz_k);
	add_secret(G.fuzz_opc);
	why = setup_witnesses(&G.r, ctl);
	for (i = 0; i < NPOOL && !why; i++) {
		struct pool *p = &G.pool[i];

		snprintf(p->id, sizeof(p->id), "%s%c", G.prefix,
			 (char)('0' + i));
		rnd_bytes(&G.r, p->k, 16);
		rnd_bytes(&G.r, p->opc, 16);
		add_secret(p->k);
		add_secret(p->opc);
		p->version = 1;
		p->seq_next = 1;
		p->gen = 1;
		if (provision(ctl, p->id, p->k, p->opc, 0, 1, 0, 3600))
			why = "provision of the fuzzer's credentials failed";
		else
			track(p->id);
	}
	G.c.created = 0;
	tap(!why, "setup: %d credentials existed, %d witnesses (idle, v7, "
	    "pending), %d fuzzer credentials %s*%s%s", G.npre, NWIT, NPOOL,
	    G.prefix, why ? ": " : "", why ? why : "");
	return why ? -1 : 0;
}

/* Fuzz as root; then the checks of this worker, its clean-up. */
static void worker_run(struct genl_sock *ctl, const struct opts *o)
{
	struct genl_sock fz;
	struct fsock fs;
	double t0, t;
	const char *why;
	int err, ok;
	struct rng fin;
	long i;

	err = open_sock(&fz);
	if (err) {
		tap(0, "fuzzing socket: %s", strerror(-err));
		return;
	}
	rng_seed(&fin, (o->seed + G.worker) ^ 0x5eedf00dULL);
	fs = (struct fsock){ fz.fd, 1000 };
	t0 = now_s();
	for (i = 0; i < o->count && now_s() - t0 < o->secs; i++) {
		G.op = i;
		one_op(&G.r, &fs);
		if (G.c.timeouts)
			break;
		if ((i + 1) % o->check_every == 0)
			periodic_check(ctl);
	}
	t = now_s() - t0;
	G.op = i;
	periodic_check(ctl);
	genl_close(&fz);
	if (G.worker)
		printf("# worker %d (%s*, seed %" PRIu64 "):\n", G.worker,
		       G.prefix, o->seed + G.worker);
	printf("# root: %ld datagrams (%ld messages, %ld octets) in %.1f s%s, "
	       "%ld answers, %ld data replies, %ld dumps completed\n",
	       G.c.ops, G.c.nlmsgs, G.c.sent_bytes, t,
	       i < o->count && !G.c.timeouts ? " (time bound)" : "",
	       G.c.answered, G.c.data, G.c.dumps_done);
	print_errs("root", &G.c);
	printf("# root: %ld NOTICEs and %ld CONFIRMs accepted, %ld updates "
	       "committed; %ld credentials created, %ld deleted; %ld "
	       "datagrams discarded (naming a witness or another worker's "
	       "id); %ld late answers to messages without NLM_F_ACK; %ld "
	       "send errors\n", G.c.notices_accepted, G.c.confirms_accepted,
	       G.c.updates, G.c.created, G.c.deleted, G.c.skipped_protected,
	       G.c.late, G.c.send_err);

	tap(!G.c.timeouts && !G.c.unexpected && !G.c.truncated &&
	    !G.c.model_fail,
	    "root: every message that must be answered was (%ld datagrams, "
	    "%ld timeouts), no answer without a request (%ld), no other "
	    "answer against the rules (%ld)", G.c.ops, G.c.timeouts,
	    G.c.unexpected, G.c.model_fail);
	tap(G.c.wit_bad > 0 && !G.c.wit_bad_accepted,
	    "root: every invalid command naming a witness was refused (%ld "
	    "sent, %ld accepted)", G.c.wit_bad, G.c.wit_bad_accepted);
	tap(G.c.wit_ro > 0 && !G.c.wit_ro_bad,
	    "root: read-only commands on witnesses (GET, dump, EXPORT, "
	    "IMPORT of their own blob) answered (%ld, %ld wrong)",
	    G.c.wit_ro, G.c.wit_ro_bad);
	tap(!G.c.secret_hits, "root: no reply carried any of %d known K/OPc "
	    "values (%ld did)", G.nsecrets, G.c.secret_hits);
	tap(G.c.checks > 0 && !G.c.check_fail,
	    "root: %ld periodic checks of the witnesses and of the dump "
	    "(%ld failed)", G.c.checks, G.c.check_fail);

	/* the witnesses after the run */
	for (i = 0; i < NWIT; i++) {
		struct witness *w = &G.wit[i];
		struct snap now;

		err = cred_get(ctl, w->id, &now);
		why = err ? strerror(-err) : snap_diff(&w->s, &now);
		tap(!*why, "witness %s unchanged: serial, key version %u, "
		    "SQN, policy, generation %" PRIu64 ", state, counters%s%s",
		    w->id, w->s.version, w->s.gen, *why ? ": differs in" : "",
		    why);
	}
	for (i = 0; i < NWIT; i++) {
		struct witness *w = &G.wit[i];
		uint64_t sqn = ((w->sqn >> 5) + 50) << 5 | 7;

		err = aka(&fin, ctl, w->id, w->k, w->opc, sqn);
		tap(err == 1, "witness %s answers an AKA with its known K/OPc "
		    "(%s)", w->id, err == 1 ? "RES = XRES" :
		    err == 0 ? "wrong RES" : strerror(-err));
	}
	{
		struct witness *w = &G.wit[2];
		uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
		size_t clen = net_confirm(&w->t, w->version + 1, confirm);
		struct answer a = msg_cmd(ctl, confirm, clen);

		ok = !a.err && a.blob_len;
		if (ok) {
			a = id_cmd(ctl, SUBCRED_CMD_PERSISTED, w->id, a.gen);
			ok = !a.err && a.msg_len &&
			     !net_ack(&w->t, a.msg, a.msg_len);
		}
		if (ok)
			ok = aka(&fin, ctl, w->id, w->t.k_new, w->t.opc_new,
				 100 << 5) == 1;
		tap(ok, "witness %s: the update left PENDING before the run "
		    "commits with the network's CONFIRM; the new key answers "
		    "AKA", w->id);
	}

	why = check_dump(ctl, 1, 1);
	tap(!*why, "dump after the run lists exactly the %d earlier ids, %d "
	    "witnesses and %d fuzzer credentials%s", G.npre, NWIT, G.ntrack,
	    why);

	/* clean up: the fuzzer's own, then the witnesses */
	err = 0;
	while (G.ntrack) {
		struct answer a = id_cmd(ctl, SUBCRED_CMD_CRED_DEL,
					 G.track[G.ntrack - 1], 0);

		if (a.err) {
			printf("# CRED_DEL %s: %s\n", G.track[G.ntrack - 1],
			       strerror(-a.err));
			err = a.err;
		}
		G.ntrack--;
	}
	why = check_dump(ctl, 1, 0);
	tap(!err && !*why, "fuzzer credentials deleted; the dump lists the "
	    "earlier ids and the witnesses only%s", why);
	err = 0;
	for (i = 0; i < NWIT; i++) {
		struct answer a = id_cmd(ctl, SUBCRED_CMD_CRED_DEL,
					 G.wit[i].id, 0);

		err |= a.err;
	}
	why = check_dump(ctl, 0, 0);
	tap(!err && !*why, "witnesses deleted; the dump lists the earlier "
	    "ids only%s", why);
	printf("# %ld failures logged (first %d shown) after %ld datagrams\n",
	       G.c.fails, FAILS_SHOWN, G.c.ops);
}

/*
 * A root worker k > 0: its own ids, seed + k, its own sockets (@parent's is
 * the parent's: replies must not go to the wrong process); exit status =
 * failures.
 */
static void worker_child(int k, struct genl_sock *parent, const struct opts *o)
{
	struct genl_sock own, *ctl = &own;

	genl_close(parent);
	if (open_sock(ctl)) {
		printf("# worker %d: cannot open a socket\n", k);
		_exit(1);
	}
	memset(G.pool, 0, sizeof(G.pool));
	memset(G.wit, 0, sizeof(G.wit));
	memset(&G.c, 0, sizeof(G.c));
	G.ntrack = 0;
	G.nambig = 0;
	G.worker = k;
	worker_prefix(k, G.prefix);
	tap_failed = 0;
	if (!worker_setup(ctl, o))
		worker_run(ctl, o);
	genl_close(ctl);
	fflush(stdout);
	_exit(tap_failed > 255 ? 255 : tap_failed);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz [-n COUNT] [-u COUNT] [-j WORKERS] [-s SEED] "
		"[-t SECONDS] [-c EVERY] [-v]\n"
		"  -n COUNT    datagrams per root worker (default 200000)\n"
		"  -u COUNT    datagrams unprivileged (default COUNT/4)\n"
		"  -j WORKERS  root fuzzing processes, each with its own "
		"credentials\n"
		"              and seed SEED+k, run at once (default 2, "
		"max 9)\n"
		"  -s SEED     PRNG seed (default 1)\n"
		"  -t SECONDS  time bound of each fuzzing loop (default 60)\n"
		"  -c EVERY    check witnesses and the dump every EVERY "
		"datagrams (default 2000)\n"
		"  -v          print every datagram\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct unpriv_result ur;
	static struct idlist pre;
	struct opts o = {
		.count = 200000, .ucount = -1, .check_every = 2000,
		.seed = 1, .secs = 60,
	};
	pid_t child, workers[9];
	int opt, pipefd[2], status, ok, err, k, wfail = 0;
	struct genl_sock ctl;
	const char *why;
	long i;

	G.nworkers = 2;
	while ((opt = getopt(argc, argv, "n:u:j:s:t:c:v")) != -1) {
		switch (opt) {
		case 'n':
			o.count = strtol(optarg, NULL, 0);
			break;
		case 'u':
			o.ucount = strtol(optarg, NULL, 0);
			break;
		case 'j':
			G.nworkers = strtol(optarg, NULL, 0);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o.secs = strtod(optarg, NULL);
			break;
		case 'c':
			o.check_every = strtol(optarg, NULL, 0);
			break;
		case 'v':
			G.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.count < 0 || o.secs <= 0 ||
	    o.check_every <= 0 || G.nworkers < 1 || G.nworkers > 9)
		usage();
	if (o.ucount < 0)
		o.ucount = o.count / 4;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", TESTS);
	printf("# nlfuzz: seed %" PRIu64 ", %d root workers (seeds %" PRIu64
	       "..%" PRIu64 "), %ld datagrams each, %ld unprivileged, at "
	       "most %g s each\n", o.seed, G.nworkers, o.seed,
	       o.seed + G.nworkers - 1, o.count, o.ucount, o.secs);

	err = open_sock(&ctl);
	if (err) {
		printf("Bail out! subcred family: %s (is subcred.ko loaded?)\n",
		       strerror(-err));
		return 1;
	}
	if (master_key() < 0) {
		printf("Bail out! master key: %s\n", strerror(errno));
		return 1;
	}
	err = dump_ids(&ctl, &pre);
	if (err) {
		printf("Bail out! dump: %s\n", strerror(-err));
		return 1;
	}
	G.pre = pre.id;
	G.npre = pre.n;
	for (i = 0; i < pre.n; i++)
		if (!strncmp(pre.id[i], "nlfuzz", 6)) {
			printf("Bail out! '%s' exists: a previous run did not "
			       "clean up\n", pre.id[i]);
			return 1;
		}

	/* root worker 0 is this process */
	G.worker = 0;
	worker_prefix(0, G.prefix);
	if (worker_setup(&ctl, &o)) {
		printf("Bail out! setup failed\n");
		return 1;
	}

	/* the unprivileged child, also aimed at worker 0's witnesses */
	if (pipe(pipefd)) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		printf("Bail out! fork: %s\n", strerror(errno));
		return 1;
	}
	if (!child) {
		close(pipefd[0]);
		genl_close(&ctl);
		unpriv_child(o.seed ^ 0x0123456789abcdefULL, o.ucount, o.secs,
			     pipefd[1]);
	}
	close(pipefd[1]);

	/* the other root workers, at the same time */
	for (k = 1; k < G.nworkers; k++) {
		fflush(stdout);
		workers[k] = fork();
		if (workers[k] < 0) {
			printf("Bail out! fork: %s\n", strerror(errno));
			return 1;
		}
		if (!workers[k]) {
			close(pipefd[0]);
			worker_child(k, &ctl, &o);
		}
	}

	worker_run(&ctl, &o);

	for (k = 1; k < G.nworkers; k++) {
		waitpid(workers[k], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# worker %d: status 0x%x\n", k, status);
			wfail++;
		}
	}
	tap(!wfail, "%d other root worker(s) at the same time, each with its "
	    "own witnesses and credentials: every check held (%d failed)",
	    G.nworkers - 1, wfail);

	/* collect the unprivileged child */
	{
		ssize_t got = 0, r;
		double deadline = now_s() + o.secs + 60;

		while (got < (ssize_t)sizeof(ur) && now_s() < deadline) {
			r = read(pipefd[0], (char *)&ur + got,
				 sizeof(ur) - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got != sizeof(ur)) {
			kill(child, SIGKILL);
			memset(&ur, 0, sizeof(ur));
		}
		waitpid(child, &status, 0);
		close(pipefd[0]);
	}
	ok = WIFEXITED(status) && !WEXITSTATUS(status) &&
	     ur.after.dropped_ok && ur.inherited.dropped_ok;
	tap(ok, "unprivileged: child ran as uid/gid 65534 without "
	    "capabilities (exit status 0x%x)", status);
	for (i = 0; i < 2; i++) {
		const struct counts *c = i ? &ur.inherited : &ur.after;

		printf("# unprivileged, socket %s: %ld datagrams, %ld messages, "
		       "%ld reached the permission check: %ld EPERM, %ld "
		       "other; %ld refused before it\n",
		       i ? "opened as root" : "opened after dropping",
		       c->ops, c->nlmsgs, c->perm_reached, c->perm_ok,
		       c->perm_wrong, c->other_err);
		print_errs(i ? "unprivileged (root socket)" :
			       "unprivileged", c);
		tap(ok && c->ops > 0 && c->perm_reached > 0 &&
		    c->perm_ok == c->perm_reached && !c->perm_wrong &&
		    !c->unpriv_success && !c->unpriv_data && !c->timeouts &&
		    !c->unexpected && !c->secret_hits && !c->fails,
		    "unprivileged, socket %s: only EPERM (%ld of %ld), no "
		    "success (%ld), no data (%ld), all answered (%ld "
		    "timeouts)", i ? "opened as root before dropping" :
		    "opened after dropping", c->perm_ok, c->perm_reached,
		    c->unpriv_success, c->unpriv_data, c->timeouts);
	}

	/* everyone is done: the store is exactly as before */
	G.nworkers = 1;
	why = check_dump(&ctl, 0, 0);
	tap(!*why, "all done: the store holds exactly the %d credentials of "
	    "before%s", G.npre, why);
	printf("# replay: nlfuzz -s %" PRIu64 " -j %d -n N -u %ld, N the "
	       "datagrams of the worker to replay (worker 0: %ld; each worker's "
	       "sequence depends only on the seed, -j and its own "
	       "credentials)\n", o.seed, k, ur.after.ops + ur.inherited.ops,
	       G.c.ops);
	genl_close(&ctl);
	return tap_n == TESTS && !tap_failed ? 0 : 1;
}
