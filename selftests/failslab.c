// SPDX-License-Identifier: GPL-2.0
/*
 * Systematic fault injection, as syzkaller does it: for N = 1, 2, ... write
 * N to /proc/thread-self/fail-nth right before one operation (a generic
 * netlink request and its answer, init_module or delete_module), so that
 * the N-th fault point of that operation fails, until fail-nth reads back
 * non-zero afterwards: the operation had fewer than N fault points.
 *
 * Two kinds of fault point, one pass each:
 *  - failslab: every slab allocation; it returns NULL.
 *  - fail_function: the module's per-call keyed transforms (kmod/crypto.c,
 *    ALLOW_ERROR_INJECTION), allocation and setkey in one; the call returns
 *    -ENOENT, as if the algorithm were gone. failslab's cache-filter is on
 *    meanwhile, with no cache marked, so that only those calls count.
 *
 * After each injected failure
 * the operation must have failed with a clean errno (or succeeded on a
 * fallback), left no partial state (version, generation, SQN, state of the
 * credential via CRED_GET), the credential must still authenticate with
 * its key, and a retry (the retransmission the protocol prescribes) must
 * complete the operation. Leaks: selftests/kmemleak.sh after the suite;
 * KASAN and lockdep reports fail the run (the console scan of run.sh).
 *
 * Run as root in the debug guest, with subcred.ko loaded from MODULE:
 *   failslab MODULE
 * The module is unloaded and loaded again by the module cases; it is
 * loaded (without parameters) when the test ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <linux/keyctl.h>

#include <linux/subcred.h>
#include "genl.h"
#include "network.h"

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define MAX_NTH		20000

static const uint8_t v_k[16] = {
	0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
	0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
static const uint8_t v_opc[16] = {
	0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
	0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };

static const char *module_path;
static int nth_fd = -1;
static int fei;			/* the fail_function pass, not failslab */
static unsigned int cur_n;	/* the N of the iteration, for messages */
static struct genl_sock gs;

/* ---- fail-nth ---------------------------------------------------------- */

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static void nth_set(unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(nth_fd, b, l, 0) != l) {
		perror("fail-nth");
		exit(1);
	}
}

/* What is left of the counter (0: the fault was injected); resets it. */
static unsigned int nth_left(void)
{
	char b[16] = "";
	ssize_t l = pread(nth_fd, b, sizeof(b) - 1, 0);

	nth_set(0);
	if (l <= 0) {
		perror("fail-nth");
		exit(1);
	}
	return strtoul(b, NULL, 10);
}

/* ---- netlink with a fault ---------------------------------------------- */

enum where { OUT_OK, OUT_SEND, OUT_DOIT, OUT_ACK };

static const char *const where_name[] = {
	"succeeded", "sendmsg failed", "command failed", "answer lost" };

struct res {
	int fired;		/* the N-th fault point was reached */
	unsigned int left;	/* else what fail-nth had left */
	enum where where;
	int err;		/* -errno of sendmsg, the command or recv */
	char extack[256];
};

static void parse_err(const struct nlmsghdr *nlh, struct res *r)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const char *p, *end = (const char *)nlh + nlh->nlmsg_len;

	r->err = e->error;
	r->extack[0] = '\0';
	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	p = (const char *)e + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		p += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%s",
				 (const char *)NLA_DATA(a));
		p += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Send @req with fail-nth @n (0: no fault), wait for its answer; a reply
 * goes to @reply. With one fault, an error of recv() (ENOBUFS) means the
 * kernel could not queue its acknowledgement: the command had succeeded.
 */
static struct res nth_do(struct genl_sock *s, struct genl_msg *req,
			 struct genl_msg *reply, unsigned int n)
{
	static char buf[65536];
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct res r = { 0 };
	ssize_t len;
	int done = 0;

	if (n)
		nth_set(n);
	len = sendto(s->fd, req->buf, req->nlh.nlmsg_len, 0,
		     (struct sockaddr *)&to, sizeof(to));
	if (len < 0) {
		r.err = -errno;
		r.where = OUT_SEND;
	}
	while (len >= 0 && !done) {
		struct nlmsghdr *nlh;

		len = recv(s->fd, buf, sizeof(buf), 0);
		if (len < 0) {
			r.err = -errno;
			r.where = OUT_ACK;
			break;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != req->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_err(nlh, &r);
				r.where = r.err ? OUT_DOIT : OUT_OK;
				done = 1;
				break;
			}
			if (reply && nlh->nlmsg_len <= sizeof(reply->buf))
				memcpy(reply->buf, nlh, nlh->nlmsg_len);
		}
	}
	if (n) {
		r.left = nth_left();
		r.fired = !r.left;
	}
	return r;
}

/* ---- checks ------------------------------------------------------------ */

static int fails;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# N=%u %s:%d: %s: ", cur_n, __func__, __LINE__,	\
		       #cond);						\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		fails++;						\
		return -1;						\
	}								\
} while (0)

/* A clean error of an injected failure. */
static int clean_err(const struct res *r)
{
	if (fei)	/* no allocation fails: the errno comes back as it is */
		return r->where == OUT_DOIT && r->err == -ENOENT;
	if (r->where == OUT_ACK)
		return r->err == -ENOBUFS;
	return r->err == -ENOMEM || r->err == -ENOBUFS;
}

struct snap {
	int err;
	uint32_t version, state;
	uint64_t sqn, gen;
};

static struct snap snap_of(const char *id)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct snap sn = { 0 };
	struct genl_msg m, r;
	struct res x;

	genl_msg_init(&gs, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	x = nth_do(&gs, &m, &r, 0);
	sn.err = x.err;
	if (x.err)
		return sn;
	genl_parse(&r.nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_KEY_VERSION] || !tb[SUBCRED_A_STATE] ||
	    !tb[SUBCRED_A_SQN] || !tb[SUBCRED_A_GENERATION]) {
		sn.err = -EPROTO;
		return sn;
	}
	sn.version = genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]);
	sn.state = genl_attr_u32(tb[SUBCRED_A_STATE]);
	sn.sqn = genl_attr_u64(tb[SUBCRED_A_SQN]);
	sn.gen = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	return sn;
}

static int snap_eq(const struct snap *a, const struct snap *b)
{
	return a->err == b->err && a->version == b->version &&
	       a->state == b->state && a->sqn == b->sqn && a->gen == b->gen;
}

#define SNAP_FMT "err %d version %u state %u sqn %#llx generation %llu"
#define SNAP_ARGS(s) (s).err, (s).version, (s).state,			\
	(unsigned long long)(s).sqn, (unsigned long long)(s).gen

static void msg_provision(struct genl_msg *m, const char *id,
			  const uint8_t *k, const uint8_t *opc)
{
	genl_msg_init(&gs, m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(m, SUBCRED_A_ID, id);
	genl_put(m, SUBCRED_A_K, k, 16);
	genl_put(m, SUBCRED_A_OPC, opc, 16);
}

static int provision(const char *id)
{
	struct genl_msg m;

	msg_provision(&m, id, v_k, v_opc);
	return nth_do(&gs, &m, NULL, 0).err;
}

static int del(const char *id)
{
	struct genl_msg m;

	genl_msg_init(&gs, &m, SUBCRED_CMD_CRED_DEL, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	return nth_do(&gs, &m, NULL, 0).err;
}

/* The AKA request of a vector of K, OPc at @sqn; its XRES in @xres. */
static void msg_aka(struct genl_msg *m, const char *id, const uint8_t *k,
		    const uint8_t *opc, uint64_t sqn, uint8_t *xres)
{
	uint8_t rand[16], autn[16];

	net_aka_vector(k, opc, sqn, rand, autn, xres);
	genl_msg_init(&gs, m, SUBCRED_CMD_AKA, 0);
	genl_put_str(m, SUBCRED_A_ID, id);
	genl_put(m, SUBCRED_A_RAND, rand, 16);
	genl_put(m, SUBCRED_A_AUTN, autn, 16);
}

/* 1: RES matches; 0: it does not; 2: AUTS (sequence failure); -errno. */
static int aka_answer(const struct genl_msg *r, const uint8_t *xres)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	genl_parse(&r->nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_AUTS])
		return 2;
	if (!tb[SUBCRED_A_RES] || tb[SUBCRED_A_RES]->nla_len != NLA_HDRLEN + 8)
		return -EPROTO;
	return !memcmp(NLA_DATA(tb[SUBCRED_A_RES]), xres, 8);
}

static int aka(const char *id, const uint8_t *k, const uint8_t *opc,
	       uint64_t sqn)
{
	struct genl_msg m, r;
	uint8_t xres[8];
	struct res x;

	msg_aka(&m, id, k, opc, sqn, xres);
	x = nth_do(&gs, &m, &r, 0);
	if (x.err)
		return x.err;
	return aka_answer(&r, xres);
}

/* ---- the update, as the network and the agent drive it ----------------- */

struct answer {
	struct res r;
	uint8_t blob[1024];
	size_t blob_len;
	uint64_t generation;
	uint8_t msg[SUBCRED_WIRE_MAX_LEN];
	size_t msg_len;
};

static void answer_of(const struct genl_msg *r, struct answer *a)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	genl_parse(&r->nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_BLOB] &&
	    (size_t)tb[SUBCRED_A_BLOB]->nla_len - NLA_HDRLEN <= sizeof(a->blob)) {
		a->blob_len = tb[SUBCRED_A_BLOB]->nla_len - NLA_HDRLEN;
		memcpy(a->blob, NLA_DATA(tb[SUBCRED_A_BLOB]), a->blob_len);
	}
	if (tb[SUBCRED_A_GENERATION])
		a->generation = genl_attr_u64(tb[SUBCRED_A_GENERATION]);
	if (tb[SUBCRED_A_MSG] &&
	    (size_t)tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN <= sizeof(a->msg)) {
		a->msg_len = tb[SUBCRED_A_MSG]->nla_len - NLA_HDRLEN;
		memcpy(a->msg, NLA_DATA(tb[SUBCRED_A_MSG]), a->msg_len);
	}
}

static struct answer deliver(const uint8_t *msg, size_t len, unsigned int n)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(&gs, &m, SUBCRED_CMD_MSG, 0);
	genl_put(&m, SUBCRED_A_MSG, msg, len);
	a.r = nth_do(&gs, &m, &r, n);
	if (a.r.where == OUT_OK)
		answer_of(&r, &a);
	return a;
}

static struct answer persisted(const char *id, uint64_t gen, unsigned int n)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(&gs, &m, SUBCRED_CMD_PERSISTED, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put_u64(&m, SUBCRED_A_GENERATION, gen);
	a.r = nth_do(&gs, &m, &r, n);
	if (a.r.where == OUT_OK)
		answer_of(&r, &a);
	return a;
}

static struct answer blob_cmd(uint8_t cmd, const char *id,
			      const uint8_t *blob, size_t len, unsigned int n)
{
	struct answer a = { 0 };
	struct genl_msg m, r;

	memset(&r, 0, sizeof(r));
	genl_msg_init(&gs, &m, cmd, 0);
	if (id)
		genl_put_str(&m, SUBCRED_A_ID, id);
	if (blob)
		genl_put(&m, SUBCRED_A_BLOB, blob, len);
	a.r = nth_do(&gs, &m, &r, n);
	if (a.r.where == OUT_OK)
		answer_of(&r, &a);
	return a;
}

#define UPD_ID	"fs-update"

struct upd {
	struct txn t;
	uint8_t confirm[SUBCRED_WIRE_MAX_LEN];
	size_t confirm_len;
	uint64_t gen;		/* of the last blob */
	int responded;		/* the network has the RESPONSE */
};

static void upd_start(struct upd *u)
{
	static uint8_t txid;

	memset(u, 0, sizeof(*u));
	snprintf(u->t.id, sizeof(u->t.id), "%s", UPD_ID);
	memcpy(u->t.k, v_k, 16);
	memcpy(u->t.opc, v_opc, 16);
	u->t.version = 1;
	memset(u->t.txid, 0x5c, 8);
	u->t.txid[7] = ++txid;
	memset(u->t.rand, 0x23, 16);
	u->t.rand[0] = txid;
	u->t.sqn = 0xa3;		/* SEQ 5, IND 3 */
	u->t.amf = 0x0080;
	memset(u->t.sk_n, 0x77, 32);
	u->t.sk_n[0] = txid;
	u->t.reason = 1;
	net_notice(&u->t);
}

/* A blob answered: check it, PERSISTED it (no fault), return its answer. */
static int upd_persist(const struct answer *a, struct answer *out)
{
	CHECK(a->blob_len > 0 && a->msg_len == 0,
	      "blob %zu msg %zu", a->blob_len, a->msg_len);
	*out = persisted(UPD_ID, a->generation, 0);
	CHECK(out->r.err == 0, "PERSISTED %d (%s)", out->r.err,
	      out->r.extack);
	return 0;
}

/* Drive the update to the end from any state, retransmitting as needed. */
static int upd_finish(struct upd *u)
{
	struct answer a, b;
	struct snap sn = snap_of(UPD_ID);
	int i;

	for (i = 0; i < 8; i++) {
		sn = snap_of(UPD_ID);
		CHECK(sn.err == 0, SNAP_FMT, SNAP_ARGS(sn));
		if (sn.version == 2 && sn.state == SUBCRED_STATE_IDLE)
			break;
		if (sn.state == SUBCRED_STATE_COMMITTING ||
		    (sn.state == SUBCRED_STATE_PENDING && u->responded)) {
			a = deliver(u->confirm, u->confirm_len, 0);
			CHECK(a.r.err == 0, "CONFIRM %d (%s)", a.r.err,
			      a.r.extack);
			if (upd_persist(&a, &b))
				return -1;
			CHECK(b.msg_len > 0, "no ACK after PERSISTED");
			CHECK(net_ack(&u->t, b.msg, b.msg_len) == 0, "bad ACK");
			continue;
		}
		/* IDLE at version 1 or PENDING: the NOTICE (again) */
		a = deliver(u->t.notice, u->t.notice_len, 0);
		CHECK(a.r.err == 0, "NOTICE %d (%s)", a.r.err, a.r.extack);
		if (a.blob_len) {
			if (upd_persist(&a, &b))
				return -1;
			a = b;
		}
		CHECK(a.msg_len > 0, "no RESPONSE");
		CHECK(net_response(&u->t, a.msg, a.msg_len) == 0,
		      "bad RESPONSE");
		u->confirm_len = net_confirm(&u->t, 2, u->confirm);
		u->responded = 1;
	}
	CHECK(sn.version == 2 && sn.state == SUBCRED_STATE_IDLE,
	      SNAP_FMT, SNAP_ARGS(sn));
	/* the ACK again, from the cache: what a lost ACK costs */
	a = deliver(u->confirm, u->confirm_len, 0);
	CHECK(a.r.err == 0 && a.msg_len > 0, "CONFIRM again %d", a.r.err);
	CHECK(net_ack(&u->t, a.msg, a.msg_len) == 0, "bad cached ACK");
	CHECK(aka(UPD_ID, v_k, v_opc, 0x200) == -EBADMSG, "old key works");
	CHECK(aka(UPD_ID, u->t.k_new, u->t.opc_new, 0x200) == 1,
	      "new key fails");
	return 0;
}

enum step {
	S_NOTICE,		/* NOTICE: blob of the SQN and pending state */
	S_PERSISTED_1,		/* PERSISTED: the RESPONSE */
	S_CONFIRM,		/* CONFIRM: blob of the committing state */
	S_PERSISTED_2,		/* PERSISTED: commit, the ACK */
	S_ACK_AGAIN,		/* CONFIRM of the committed update: ACK */
	S_NOTICE_AGAIN,		/* NOTICE retransmitted while pending */
};

static const char *const step_name[] = {
	"NOTICE", "PERSISTED (RESPONSE)", "CONFIRM", "PERSISTED (ACK)",
	"CONFIRM again (cached ACK)", "NOTICE again (cached RESPONSE)" };

/* Drive a fresh update to just before @step; *a: the last answer. */
static int upd_before(struct upd *u, enum step step, struct answer *a)
{
	struct answer b;

	del(UPD_ID);
	CHECK(provision(UPD_ID) == 0, "provision");
	upd_start(u);
	if (step == S_NOTICE)
		return 0;
	*a = deliver(u->t.notice, u->t.notice_len, 0);
	CHECK(a->r.err == 0, "NOTICE %d (%s)", a->r.err, a->r.extack);
	if (step == S_PERSISTED_1)
		return 0;
	if (upd_persist(a, &b))
		return -1;
	CHECK(net_response(&u->t, b.msg, b.msg_len) == 0, "bad RESPONSE");
	u->confirm_len = net_confirm(&u->t, 2, u->confirm);
	u->responded = 1;
	if (step == S_CONFIRM || step == S_NOTICE_AGAIN)
		return 0;
	*a = deliver(u->confirm, u->confirm_len, 0);
	CHECK(a->r.err == 0, "CONFIRM %d (%s)", a->r.err, a->r.extack);
	if (step == S_PERSISTED_2)
		return 0;
	if (upd_persist(a, &b))
		return -1;
	CHECK(net_ack(&u->t, b.msg, b.msg_len) == 0, "bad ACK");
	return 0;
}

struct count {
	unsigned int points, failed, fallback, lost;
};

static void count_of(struct count *c, const struct res *r)
{
	if (r->where == OUT_OK)
		c->fallback++;
	else if (r->where == OUT_ACK)
		c->lost++;
	else
		c->failed++;
}

/*
 * One iteration of a step: 1 if the fault fired and everything held, 0 if
 * the step had fewer than N fault points, -1 on a failed check.
 */
static int upd_iter(enum step step, unsigned int n, struct count *c)
{
	struct upd u;
	struct answer a = { 0 }, f;
	struct snap before, after;
	int r;

	if (upd_before(&u, step, &a))
		return -1;
	before = snap_of(UPD_ID);
	switch (step) {
	case S_NOTICE:
	case S_NOTICE_AGAIN:
		f = deliver(u.t.notice, u.t.notice_len, n);
		break;
	case S_PERSISTED_1:
	case S_PERSISTED_2:
		f = persisted(UPD_ID, a.generation, n);
		break;
	default:
		f = deliver(u.confirm, u.confirm_len, n);
		break;
	}
	after = snap_of(UPD_ID);
	if (!f.r.fired) {
		CHECK(f.r.where == OUT_OK, "without a fault: %d (%s)", f.r.err,
		      f.r.extack);
		c->points = n - f.r.left;
		return upd_finish(&u) ? -1 : 0;
	}
	count_of(c, &f.r);
	if (f.r.where != OUT_OK)
		CHECK(clean_err(&f.r), "%s: %d (%s)", where_name[f.r.where],
		      f.r.err, f.r.extack);
	/* nothing reached the kernel: nothing changed */
	if (f.r.where == OUT_SEND)
		CHECK(snap_eq(&before, &after), "before " SNAP_FMT
		      ", after " SNAP_FMT, SNAP_ARGS(before),
		      SNAP_ARGS(after));
	CHECK(after.err == 0, "before " SNAP_FMT ", after " SNAP_FMT,
	      SNAP_ARGS(before), SNAP_ARGS(after));
	if (f.r.where == OUT_DOIT) {
		/*
		 * The command failed. The state is the one before, or the
		 * design committed it first and a retransmission answers
		 * from it: NOTICE (SQN accepted, pending, blob not sent),
		 * CONFIRM (committing, blob not sent), PERSISTED (ACK):
		 * committed, the ACK comes again for the CONFIRM.
		 */
		if (!snap_eq(&before, &after)) {
			int ok = 0;

			if (step == S_NOTICE)
				ok = after.state == SUBCRED_STATE_PENDING &&
				     after.gen == before.gen + 1 &&
				     after.version == 1;
			else if (step == S_CONFIRM)
				ok = after.state == SUBCRED_STATE_COMMITTING &&
				     after.gen == before.gen + 1 &&
				     after.version == 1;
			else if (step == S_PERSISTED_2)
				ok = after.state == SUBCRED_STATE_IDLE &&
				     after.gen == before.gen &&
				     after.version == 2;
			CHECK(ok, "%s failed, state changed: before " SNAP_FMT
			      ", after " SNAP_FMT, step_name[step],
			      SNAP_ARGS(before), SNAP_ARGS(after));
		}
	}
	/* the old key still authenticates, unless an update commits */
	r = aka(UPD_ID, v_k, v_opc, 0x100);
	if (after.state == SUBCRED_STATE_COMMITTING)
		CHECK(r == -EBUSY, "AKA while committing: %d", r);
	else if (after.version == 1)
		CHECK(r == 1, "AKA with the old key: %d", r);
	else
		CHECK(r == -EBADMSG, "AKA with the old key after commit: %d",
		      r);
	return upd_finish(&u) ? -1 : 1;
}

/* ---- the cases --------------------------------------------------------- */

typedef int (*iter_fn)(unsigned int n, struct count *c, void *arg);

/*
 * insmod has hundreds of fault points (the loader's, the known-answer
 * tests', the init ladder's) and each costs a load under KASAN: the first
 * 20 (the loader) and the last 40 (the store and netlink steps of the
 * ladder) are all injected, in between every S-th, S from
 * FAILSLAB_MODULE_STRIDE or such that about 40 are. FAILSLAB_MODULE_STRIDE=1:
 * every one.
 */
static unsigned int module_stride, load_points, load_injected;

/*
 * Not by default (FAILSLAB_INSMOD=1 runs it): on the debug 6.12 kernel,
 * injected failures inside the module loader and kmem_cache_create() make
 * the kernel itself report: warn_alloc() stacks (the KASAN shadow vmalloc
 * of execmem_alloc()), the dump_stack() of a failed kmem_cache_create(),
 * "kmemleak: Cannot allocate a scan area", and a 16-byte leak of the cache
 * name's kobject when sysfs_slab_add() fails. The console scan and
 * kmemleak.sh take those for failures of the run.
 */

static int run_case(int num, const char *name, iter_fn fn, void *arg)
{
	struct count c = { 0 };
	struct timespec t0, t1;
	unsigned int n;
	int r = 1, before = fails;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 1; n <= MAX_NTH && r == 1; n++) {
		cur_n = n;
		r = fn(n, &c, arg);
	}
	cur_n = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r == 1) {
		printf("# more than %d fault points\n", MAX_NTH);
		fails++;
	}
	printf("# %s: %u fault points: %u failed cleanly, %u succeeded "
	       "(fallback), %u answers lost; %ld s\n", name, c.points,
	       c.failed, c.fallback, c.lost, (long)(t1.tv_sec - t0.tv_sec));
	if (fails == before && c.points == 0) {
		printf("# no fault point: is %s configured?\n",
		       fei ? "fail_function" : "failslab");
		fails++;
	}
	printf("%sok %d %s: %s\n", fails == before ? "" : "not ", num,
	       fei ? "fail_function" : "failslab", name);
	fflush(stdout);
	return fails == before;
}

static int iter_update(unsigned int n, struct count *c, void *arg)
{
	return upd_iter(*(enum step *)arg, n, c);
}

/* CRED_NEW: absent or present and working, never half made. */
static int iter_new(unsigned int n, struct count *c, void *arg)
{
	const char *id = "fs-new";
	struct genl_msg m;
	struct snap sn;
	struct res f;
	int r;

	(void)arg;
	del(id);
	msg_provision(&m, id, v_k, v_opc);
	f = nth_do(&gs, &m, NULL, n);
	sn = snap_of(id);
	if (!f.fired) {
		CHECK(f.where == OUT_OK, "%d (%s)", f.err, f.extack);
		c->points = n - f.left;
	} else {
		count_of(c, &f);
		if (f.where != OUT_OK)
			CHECK(clean_err(&f), "%s: %d (%s)",
			      where_name[f.where], f.err, f.extack);
	}
	if (f.where == OUT_SEND || f.where == OUT_DOIT) {
		CHECK(sn.err == -ENOENT, "failed, yet " SNAP_FMT,
		      SNAP_ARGS(sn));
		/* the retry */
		CHECK((r = provision(id)) == 0, "retry: %d", r);
		sn = snap_of(id);
	}
	CHECK(sn.err == 0 && sn.version == 1 && sn.sqn == 0 &&
	      sn.state == SUBCRED_STATE_IDLE, SNAP_FMT, SNAP_ARGS(sn));
	CHECK((r = aka(id, v_k, v_opc, 0x40)) == 1, "AKA: %d", r);
	CHECK((r = del(id)) == 0, "delete: %d", r);
	CHECK((r = provision(id)) == 0, "provision after delete: %d", r);
	CHECK((r = del(id)) == 0, "delete: %d", r);
	return f.fired;
}

/* CRED_DEL: present and working, or gone; the id can be used again. */
static int iter_del(unsigned int n, struct count *c, void *arg)
{
	const char *id = "fs-del";
	struct genl_msg m;
	struct snap sn, before;
	struct res f;
	int r;

	(void)arg;
	del(id);
	CHECK((r = provision(id)) == 0, "provision: %d", r);
	before = snap_of(id);
	genl_msg_init(&gs, &m, SUBCRED_CMD_CRED_DEL, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	f = nth_do(&gs, &m, NULL, n);
	sn = snap_of(id);
	if (!f.fired) {
		CHECK(f.where == OUT_OK, "%d (%s)", f.err, f.extack);
		c->points = n - f.left;
	} else {
		count_of(c, &f);
		if (f.where != OUT_OK)
			CHECK(clean_err(&f), "%s: %d (%s)",
			      where_name[f.where], f.err, f.extack);
	}
	if (f.where == OUT_SEND || f.where == OUT_DOIT) {
		CHECK(snap_eq(&sn, &before), "failed, yet " SNAP_FMT,
		      SNAP_ARGS(sn));
		CHECK((r = aka(id, v_k, v_opc, 0x40)) == 1, "AKA: %d", r);
		CHECK((r = del(id)) == 0, "retry: %d", r);
		sn = snap_of(id);
	}
	CHECK(sn.err == -ENOENT, "deleted, yet " SNAP_FMT, SNAP_ARGS(sn));
	CHECK((r = aka(id, v_k, v_opc, 0x60)) == -ENOENT, "AKA: %d", r);
	CHECK((r = provision(id)) == 0, "the id again: %d", r);
	CHECK((r = aka(id, v_k, v_opc, 0x60)) == 1, "AKA: %d", r);
	CHECK((r = del(id)) == 0, "delete: %d", r);
	return f.fired;
}

/* AKA: the SQN is taken only with an answer (or a lost acknowledgement). */
static int iter_aka(unsigned int n, struct count *c, void *arg)
{
	const char *id = "fs-aka";
	struct genl_msg m, rep;
	struct snap sn, before;
	uint8_t xres[8];
	struct res f;
	int r, fired;

	(void)arg;
	if (n == 1) {
		del(id);
		CHECK((r = provision(id)) == 0, "provision: %d", r);
	}
	before = snap_of(id);
	/* a fresh SQN each time: SEQ n+1, IND 0 */
	msg_aka(&m, id, v_k, v_opc, (uint64_t)(n + 1) << 5, xres);
	memset(&rep, 0, sizeof(rep));
	f = nth_do(&gs, &m, &rep, n);
	fired = f.fired;
	sn = snap_of(id);
	if (!f.fired) {
		CHECK(f.where == OUT_OK, "%d (%s)", f.err, f.extack);
		c->points = n - f.left;
	} else {
		count_of(c, &f);
		if (f.where != OUT_OK)
			CHECK(clean_err(&f), "%s: %d (%s)",
			      where_name[f.where], f.err, f.extack);
	}
	if (f.where == OUT_SEND || f.where == OUT_DOIT) {
		CHECK(snap_eq(&sn, &before), "failed, yet before " SNAP_FMT
		      ", after " SNAP_FMT, SNAP_ARGS(before), SNAP_ARGS(sn));
		/* the network's retry: the same vector */
		f = nth_do(&gs, &m, &rep, 0);
		CHECK(f.err == 0, "retry: %d (%s)", f.err, f.extack);
		sn = snap_of(id);
	}
	if (f.where == OUT_OK)
		CHECK((r = aka_answer(&rep, xres)) == 1, "RES: %d", r);
	CHECK(sn.err == 0 && sn.sqn == (uint64_t)(n + 1) << 5 &&
	      sn.gen == before.gen + 1, "before " SNAP_FMT ", after " SNAP_FMT,
	      SNAP_ARGS(before), SNAP_ARGS(sn));
	if (!fired) {
		CHECK((r = del(id)) == 0, "delete: %d", r);
		return 0;
	}
	return 1;
}

/* CRED_GET (doit) and CRED_SET: read-only, and a policy change. */
static int iter_get_set(unsigned int n, struct count *c, void *arg)
{
	const char *id = "fs-getset";
	int set = *(int *)arg;
	struct genl_msg m, rep;
	struct snap sn, before;
	struct res f;
	int r;

	if (n == 1) {
		del(id);
		CHECK((r = provision(id)) == 0, "provision: %d", r);
	}
	before = snap_of(id);
	genl_msg_init(&gs, &m, set ? SUBCRED_CMD_CRED_SET : SUBCRED_CMD_CRED_GET,
		      0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	if (set)
		genl_put_u32(&m, SUBCRED_A_MAX_AGE, 1000 + n);
	memset(&rep, 0, sizeof(rep));
	f = nth_do(&gs, &m, &rep, n);
	sn = snap_of(id);
	if (!f.fired) {
		CHECK(f.where == OUT_OK, "%d (%s)", f.err, f.extack);
		c->points = n - f.left;
	} else {
		count_of(c, &f);
		if (f.where != OUT_OK)
			CHECK(clean_err(&f), "%s: %d (%s)",
			      where_name[f.where], f.err, f.extack);
	}
	if (!set || f.where == OUT_SEND || f.where == OUT_DOIT)
		CHECK(snap_eq(&sn, &before), "before " SNAP_FMT ", after "
		      SNAP_FMT, SNAP_ARGS(before), SNAP_ARGS(sn));
	else
		CHECK(sn.err == 0 && sn.gen == before.gen + 1 &&
		      sn.sqn == before.sqn, "before " SNAP_FMT ", after "
		      SNAP_FMT, SNAP_ARGS(before), SNAP_ARGS(sn));
	if (!set && f.where == OUT_OK)
		CHECK(rep.nlh.nlmsg_type == gs.family, "no reply");
	CHECK((r = aka(id, v_k, v_opc, (uint64_t)(n + 1) << 5)) == 1,
	      "AKA: %d", r);
	if (!f.fired)
		CHECK((r = del(id)) == 0, "delete: %d", r);
	return f.fired;
}

static int count_ids(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];

	genl_parse(nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_ID] &&
	    !strncmp(genl_attr_str(tb[SUBCRED_A_ID]), "fs-dump-", 8))
		(*(int *)arg)++;
	return 0;
}

/* The dump of CRED_GET, on a socket of its own, with 3 credentials. */
static int iter_dump(unsigned int n, struct count *c, void *arg)
{
	struct genl_sock d;
	struct genl_msg m;
	int i, r, found = 0, fired;
	unsigned int left;
	char id[16];

	(void)arg;
	if (n == 1)
		for (i = 0; i < 3; i++) {
			snprintf(id, sizeof(id), "fs-dump-%d", i);
			del(id);
			CHECK((r = provision(id)) == 0, "provision: %d", r);
		}
	CHECK(genl_open(&d, SUBCRED_GENL_NAME) == 0, "socket");
	genl_msg_init(&d, &m, SUBCRED_CMD_CRED_GET, 0);
	nth_set(n);
	r = genl_dump(&d, &m, count_ids, &found, NULL);
	left = nth_left();
	fired = !left;
	genl_close(&d);
	if (!fired) {
		CHECK(r == 0 && found == 3, "dump: %d, %d found", r, found);
		c->points = n - left;
		for (i = 0; i < 3; i++) {
			snprintf(id, sizeof(id), "fs-dump-%d", i);
			CHECK((r = del(id)) == 0, "delete: %d", r);
		}
		return 0;
	}
	if (r) {
		c->failed++;
		CHECK(r == -ENOMEM || r == -ENOBUFS, "dump: %d", r);
	} else {
		c->fallback++;
		CHECK(found == 3, "dump succeeded with %d of 3", found);
	}
	/* the retry: all three */
	CHECK(genl_open(&d, SUBCRED_GENL_NAME) == 0, "socket");
	genl_msg_init(&d, &m, SUBCRED_CMD_CRED_GET, 0);
	found = 0;
	r = genl_dump(&d, &m, count_ids, &found, NULL);
	genl_close(&d);
	CHECK(r == 0 && found == 3, "dump again: %d, %d found", r, found);
	return 1;
}

/* EXPORT and IMPORT (of a deleted credential, as at boot). */
static int iter_blob(unsigned int n, struct count *c, void *arg)
{
	const char *id = "fs-blob";
	int import = *(int *)arg;
	struct snap sn, before;
	struct answer e, f;
	int r, fired;

	del(id);
	CHECK((r = provision(id)) == 0, "provision: %d", r);
	CHECK((r = aka(id, v_k, v_opc, 0x40)) == 1, "AKA: %d", r);
	before = snap_of(id);
	if (import) {
		e = blob_cmd(SUBCRED_CMD_CRED_EXPORT, id, NULL, 0, 0);
		CHECK(e.r.err == 0 && e.blob_len, "export: %d", e.r.err);
		CHECK((r = del(id)) == 0, "delete: %d", r);
		f = blob_cmd(SUBCRED_CMD_CRED_IMPORT, id, e.blob, e.blob_len,
			     n);
	} else {
		f = blob_cmd(SUBCRED_CMD_CRED_EXPORT, id, NULL, 0, n);
	}
	fired = f.r.fired;
	sn = snap_of(id);
	if (!f.r.fired) {
		CHECK(f.r.where == OUT_OK, "%d (%s)", f.r.err, f.r.extack);
		c->points = n - f.r.left;
	} else {
		count_of(c, &f.r);
		if (f.r.where != OUT_OK)
			CHECK(clean_err(&f.r), "%s: %d (%s)",
			      where_name[f.r.where], f.r.err, f.r.extack);
	}
	if (import && (f.r.where == OUT_SEND || f.r.where == OUT_DOIT)) {
		/*
		 * Absent, or (the reply could not be allocated after the
		 * credential was made) exactly the blob's state: importing
		 * the same blob again is a no-op that succeeds.
		 */
		CHECK(sn.err == -ENOENT ||
		      (f.r.where == OUT_DOIT && snap_eq(&sn, &before)),
		      "import failed, yet " SNAP_FMT, SNAP_ARGS(sn));
		f = blob_cmd(SUBCRED_CMD_CRED_IMPORT, id, e.blob, e.blob_len,
			     0);
		CHECK(f.r.err == 0, "retry: %d (%s)", f.r.err, f.r.extack);
		sn = snap_of(id);
	}
	if (!import && f.r.where != OUT_OK) {
		f = blob_cmd(SUBCRED_CMD_CRED_EXPORT, id, NULL, 0, 0);
		CHECK(f.r.err == 0, "retry: %d (%s)", f.r.err, f.r.extack);
	}
	if (f.r.where == OUT_OK)
		CHECK(f.generation == before.gen, "generation %llu, not %llu",
		      (unsigned long long)f.generation,
		      (unsigned long long)before.gen);
	CHECK(snap_eq(&sn, &before), "before " SNAP_FMT ", after " SNAP_FMT,
	      SNAP_ARGS(before), SNAP_ARGS(sn));
	/* the SQN came back: 0x40 is stale, 0x60 works */
	CHECK((r = aka(id, v_k, v_opc, 0x40)) == 2, "AKA replay: %d", r);
	CHECK((r = aka(id, v_k, v_opc, 0x60)) == 1, "AKA: %d", r);
	CHECK((r = del(id)) == 0, "delete: %d", r);
	return fired;
}

/* ---- the module -------------------------------------------------------- */

static int module_loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "r");
	int found = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "subcred ", 8))
			found = 1;
	fclose(f);
	return found;
}

/*
 * init_module (the image read here first) with fail-nth @n; what
 * nth_left() said in *left. Not finit_module: its kernel_read_file()
 * vmalloc()s without __GFP_NOWARN, and that allocation failure report
 * carries a stack trace, which the console scan takes for a splat.
 */
static int load(unsigned int n, unsigned int *left)
{
	static char *image;
	static size_t len;
	int err = 0;

	if (!image) {
		FILE *f = fopen(module_path, "r");
		size_t cap = 1 << 20;

		image = f ? malloc(cap) : NULL;
		if (!image) {
			if (f)
				fclose(f);
			return -ENOENT;
		}
		len = fread(image, 1, cap, f);
		fclose(f);
		if (!len || len == cap) {
			free(image);
			image = NULL;
			return -EFBIG;
		}
	}
	if (n)
		nth_set(n);
	if (syscall(__NR_init_module, image, len, ""))
		err = -errno;
	if (n)
		*left = nth_left();
	return err;
}

static int unload(unsigned int n, unsigned int *left)
{
	int err = 0;

	if (n)
		nth_set(n);
	if (syscall(__NR_delete_module, "subcred", O_NONBLOCK))
		err = -errno;
	if (n)
		*left = nth_left();
	return err;
}

static int master_key(void)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	return syscall(__NR_add_key, "logon", "subcred:master", key,
		       sizeof(key), KEY_SPEC_SESSION_KEYRING) > 0 ? 0 : -errno;
}

static int open_family(void)
{
	struct timeval tv = { .tv_sec = 60 };
	int err;

	genl_close(&gs);
	err = genl_open(&gs, SUBCRED_GENL_NAME);
	if (!err && setsockopt(gs.fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			       sizeof(tv)))
		err = -errno;
	return err;
}

/* After an unload or a failed load: nothing of the module answers. */
static int module_gone(void)
{
	struct genl_sock s;
	int r;

	CHECK((r = module_loaded()) == 0, "/proc/modules: %d", r);
	CHECK((r = genl_open(&s, SUBCRED_GENL_NAME)) != 0,
	      "family still registered");
	/* the key type is gone: the kernel does not know "subcred" */
	r = syscall(__NR_add_key, "subcred", "fs-x", "x", 1,
		    KEY_SPEC_SESSION_KEYRING) < 0 ? -errno : 0;
	CHECK(r == -ENODEV, "add_key of type subcred: %d", r);
	return 0;
}

/* Loaded, the store works: provision, AKA, delete. */
static int module_works(void)
{
	int r;

	CHECK((r = open_family()) == 0, "family: %d", r);
	CHECK((r = provision("fs-mod")) == 0, "provision: %d", r);
	CHECK((r = aka("fs-mod", v_k, v_opc, 0x40)) == 1, "AKA: %d", r);
	CHECK((r = del("fs-mod")) == 0, "delete: %d", r);
	return 0;
}

static int iter_load(unsigned int n, struct count *c, void *arg)
{
	unsigned int left = 0, p = load_points, stride;
	int r;

	(void)arg;
	if (n == 1) {
		if (module_loaded() == 1)
			CHECK((r = unload(0, NULL)) == 0, "rmmod: %d", r);
		/* how many: a fail-nth beyond them all */
		CHECK((r = load(1000000, &left)) == 0 && left,
		      "load: %d, %u left", r, left);
		load_points = p = 1000000 - left;
		CHECK((r = unload(0, NULL)) == 0, "rmmod: %d", r);
		CHECK((r = module_gone()) == 0, "after rmmod");
	}
	stride = module_stride ?: (p / 40 ?: 1);
	if (n > 20 && n + 40 <= p && n % stride)
		return 1;	/* not this one */
	load_injected++;
	r = load(n, &left);
	if (left) {
		CHECK(r == 0, "load without a fault: %d", r);
		c->points = n - left;
		return module_works() ? -1 : 0;
	}
	if (r == 0) {
		c->fallback++;
		if (module_works())
			return -1;
		CHECK((r = unload(0, NULL)) == 0, "rmmod: %d", r);
	} else {
		c->failed++;
		CHECK(r == -ENOMEM, "load: %d", r);
	}
	if (module_gone())
		return -1;
	return 1;
}

/* rmmod with credentials present, one of them in the middle of an update. */
static int iter_unload(unsigned int n, struct count *c, void *arg)
{
	struct upd u;
	struct answer a;
	unsigned int left = 0;
	int r;

	(void)arg;
	if (module_loaded() != 1) {
		CHECK((r = load(0, NULL)) == 0, "insmod: %d", r);
		CHECK((r = open_family()) == 0, "family: %d", r);
	}
	CHECK((r = provision("fs-unload-1")) == 0, "provision: %d", r);
	CHECK((r = provision("fs-unload-2")) == 0, "provision: %d", r);
	if (upd_before(&u, S_CONFIRM, &a))
		return -1;
	genl_close(&gs);
	gs.fd = -1;
	r = unload(n, &left);
	CHECK(r == 0, "rmmod: %d", r);
	if (module_gone())
		return -1;
	CHECK((r = load(0, NULL)) == 0, "insmod: %d", r);
	CHECK((r = open_family()) == 0, "family: %d", r);
	CHECK(snap_of("fs-unload-1").err == -ENOENT, "a credential survived");
	if (left) {
		c->points = n - left;
		return 0;
	}
	c->fallback++;
	return 1;
}

static int setup(void)
{
	static const char *const conf[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/probability", "0" },
		{ "/sys/kernel/debug/failslab/interval", "1" },
		{ "/sys/kernel/debug/failslab/times", "-1" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		r = write_file(conf[i][0], conf[i][1]);
		if (r) {
			printf("# %s: %s\n", conf[i][0], strerror(-r));
			return r;
		}
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		printf("# fail-nth: %s\n", strerror(errno));
		return -errno;
	}
	r = master_key();
	if (r)
		printf("# master key: %s\n", strerror(-r));
	return r;
}

/* ---- fail_function ----------------------------------------------------- */

#define FEI_DIR		"/sys/kernel/debug/fail_function"

static const char *const fei_funcs[] = {
	"subcred_aes_alloc", "subcred_hmac_alloc", "subcred_kpp_alloc",
	"subcred_gcm_alloc" };

/*
 * Switch to the fail_function pass (@on) or back to failslab. The
 * functions return a pointer: the return value is ERR_PTR(-ENOENT), all
 * 64 bits of it.
 */
static int fei_set(int on)
{
	static const char *const conf[][2] = {
		{ FEI_DIR "/probability", "0" },
		{ FEI_DIR "/interval", "1" },
		{ FEI_DIR "/times", "-1" },
		{ FEI_DIR "/verbose", "0" },
	};
	char path[128];
	size_t i;
	int r;

	r = write_file(FEI_DIR "/inject", "\n");	/* the list cleared */
	for (i = 0; on && !r && i < sizeof(conf) / sizeof(conf[0]); i++)
		r = write_file(conf[i][0], conf[i][1]);
	for (i = 0; on && !r && i < sizeof(fei_funcs) / sizeof(fei_funcs[0]);
	     i++) {
		r = write_file(FEI_DIR "/inject", fei_funcs[i]);
		if (r) {
			printf("# inject %s: %s\n", fei_funcs[i], strerror(-r));
			return r;
		}
		snprintf(path, sizeof(path), FEI_DIR "/%s/retval",
			 fei_funcs[i]);
		r = write_file(path, "0xfffffffffffffffe");
	}
	if (!r)
		r = write_file("/sys/kernel/debug/failslab/cache-filter",
			       on ? "Y" : "N");
	if (r)
		printf("# fail_function setup: %s\n", strerror(-r));
	else
		fei = on;
	return r;
}

int main(int argc, char **argv)
{
	static enum step steps[] = { S_NOTICE, S_PERSISTED_1, S_NOTICE_AGAIN,
				     S_CONFIRM, S_PERSISTED_2, S_ACK_AGAIN };
	/* the steps that compute with a keyed transform */
	static enum step fei_steps[] = { S_NOTICE, S_CONFIRM };
	static int zero, one = 1;
	char name[64];
	int num = 0, ok = 0, total = 21;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODULE\n", argv[0]);
		return 2;
	}
	module_path = argv[1];
	if (getenv("FAILSLAB_MODULE_STRIDE"))
		module_stride = strtoul(getenv("FAILSLAB_MODULE_STRIDE"),
					NULL, 10);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", total);
	gs.fd = -1;
	if (setup() || open_family()) {
		for (num = 1; num <= total; num++)
			printf("not ok %d failslab: setup\n", num);
		return 1;
	}
	ok += run_case(++num, "CRED_NEW", iter_new, NULL);
	ok += run_case(++num, "CRED_DEL", iter_del, NULL);
	ok += run_case(++num, "CRED_GET", iter_get_set, &zero);
	ok += run_case(++num, "CRED_SET", iter_get_set, &one);
	ok += run_case(++num, "CRED_GET dump", iter_dump, NULL);
	ok += run_case(++num, "AKA", iter_aka, NULL);
	ok += run_case(++num, "CRED_EXPORT", iter_blob, &zero);
	ok += run_case(++num, "CRED_IMPORT", iter_blob, &one);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(name, sizeof(name), "update: %s",
			 step_name[steps[i]]);
		ok += run_case(++num, name, iter_update, &steps[i]);
	}
	if (!fei_set(1)) {
		ok += run_case(++num, "AKA", iter_aka, NULL);
		ok += run_case(++num, "CRED_EXPORT", iter_blob, &zero);
		ok += run_case(++num, "CRED_IMPORT", iter_blob, &one);
		for (i = 0; i < sizeof(fei_steps) / sizeof(fei_steps[0]); i++) {
			snprintf(name, sizeof(name), "update: %s",
				 step_name[fei_steps[i]]);
			ok += run_case(++num, name, iter_update, &fei_steps[i]);
		}
	} else {
		for (i = 0; i < 3 + sizeof(fei_steps) / sizeof(fei_steps[0]);
		     i++)
			printf("not ok %d fail_function: setup\n", ++num);
	}
	if (fei_set(0)) {
		printf("# could not switch back to failslab\n");
		fails++;
	}
	del(UPD_ID);
	ok += run_case(++num, "rmmod with credentials", iter_unload, NULL);
	if (getenv("FAILSLAB_INSMOD")) {
		ok += run_case(++num, "insmod", iter_load, NULL);
		printf("# insmod: injected at %u of %u fault points\n",
		       load_injected - 1, load_points);
	} else {
		/* see the comment above iter_load() */
		printf("ok %d failslab: insmod # SKIP without FAILSLAB_INSMOD=1\n",
		       ++num);
		ok++;
	}
	if (module_loaded() != 1 && load(0, NULL))
		printf("# could not load %s again\n", module_path);
	return ok == total ? 0 : 1;
}
