// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the device state machine: kmod/challenge.c,
 * notice.c, commit.c, age.c and seal.c built unchanged in userspace
 * against a kernel shim (shim/, fuzz_kshim.c), a userspace store
 * (fuzz_store.c) and crypto.h on OpenSSL (fuzz_crypto.c), driven by a
 * network model (fuzz_net.c) and an agent model (fuzz_agent.c).
 *
 * The input is a configuration octet and then a sequence of operations on
 * one or two credentials (see enum op): the network's genuine NOTICE or
 * CONFIRM, raw octets, mutations and replays of genuine messages, the
 * agent's PERSISTED with the right or a wrong generation, a crash of the
 * agent between write and PERSISTED, export, import of the durable, an
 * older, a foreign or a corrupted blob, ordinary AKA with a good or bad
 * AUTN, time (PENDING expiry, REQUEST), deletion, allocation failure and a
 * missing master key. After every step (Documentation/protocol.md §5, §6.5,
 * §8) the harness checks:
 *  - an answer is a blob or a message or nothing, never two;
 *  - every blob opens (independent opener) to the credential's state or,
 *    while committing, to the new state; one generation, one state;
 *  - the device's active key is one the network holds (never split), and
 *    it changes only by PERSISTED releasing the ACK of a sealed new state
 *    handed out earlier, or by IMPORT; version and generation never go back;
 *  - a NOTICE or CONFIRM is accepted only if it is a genuine one;
 *  - a RESPONSE leaves only after PERSISTED of its state; REJECT and
 *    REQUEST verify under the active key; COMMITTING only for the
 *    network's transaction.
 * Then the genuine protocol runs to completion (import of the durable blob
 * if the credential was deleted, the network's retransmissions, one more
 * full update) and an ordinary AKA under the network's key must
 * authenticate: never bricked. A violation aborts (a libFuzzer crash).
 */
#include "shim/kshim.h"
#include "fuzz_agent.h"
#include "fuzz_crypto.h"
#include "fuzz_kshim.h"
#include "fuzz_net.h"
#include "fuzz_store.h"

#include "../../kmod/seal.h"
#include "../../kmod/update.h"

#define check(c)	fuzz_check(c)
#define SIDES		2
#define HIST		8
#define MAX_OPS		32
#define MSG_MAX		SUBCRED_WIRE_MAX_LEN

enum op {
	OP_SEND,		/* the network's NOTICE or CONFIRM (new from IDLE) */
	OP_RECV,		/* the device's last message reaches the network */
	OP_PERSIST,		/* agent writes the newest blob, PERSISTED */
	OP_CRASH,		/* agent writes it and dies before PERSISTED */
	OP_PERSISTED_BAD,	/* PERSISTED of an older or unknown generation */
	OP_RAW,			/* arbitrary octets as a datagram */
	OP_MUTATE,		/* a genuine message flipped, cut or spliced */
	OP_REPLAY_DEV,		/* an old device message reaches the network */
	OP_AKA,			/* ordinary AKA, good or bad AUTN */
	OP_TIME,		/* time passes; due work runs */
	OP_EXPORT,
	OP_IMPORT,		/* durable, older, foreign or corrupted blob */
	OP_DELETE,
	OP_FAULT,		/* the next step fails an allocation / no master */
	OP_SWITCH,		/* operate on the other credential */
	OP_REPLAY_NET,		/* an old genuine NOTICE/CONFIRM again */
	OP_COUNT
};

struct snap {
	bool alive;
	u8 k[16], opc[16];
	u32 version;
	u64 generation;
	bool pending, committing;
	u64 release_gen;
};

struct side {
	const char *id;
	u8 k0[16], opc0[16];
	bool provisioned;	/* ever created */
	struct net_cred net;
	struct agent_cred agent;
	u8 out[MSG_MAX];	/* the device's last message, to the network */
	size_t out_len;
	u8 dev[HIST][MSG_MAX];	/* device messages sent */
	size_t dev_len[HIST];
	int ndev;
	u8 gen[HIST][MSG_MAX];	/* genuine network messages sent */
	size_t gen_len[HIST];
	int ngen;
	struct snap before;
	u32 min_version;	/* monotonic within one life of the key */
	u64 min_generation;
};

static struct side sides[SIDES];
static bool tracing;		/* FUZZ_UPDATE_TRACE=1: each step on stderr */

#define trace(...)							\
	do {								\
		if (tracing)						\
			fprintf(stderr, __VA_ARGS__);			\
	} while (0)

static int msg_type(const u8 *m, size_t len)
{
	return len > 3 ? m[3] : 0;
}
static u32 cfg_max_age, cfg_timeout;
static bool faulty;		/* a fault is armed for this step */

struct input {
	const u8 *p;
	size_t n;
};

static u8 take(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static struct key *dev_key(const struct side *s)
{
	struct key *key = subcred_lookup(s->id);

	return IS_ERR(key) ? NULL : key;
}

static struct side *side_of(const char *id)
{
	int i;

	for (i = 0; i < SIDES; i++)
		if (!strcmp(sides[i].id, id))
			return &sides[i];
	return NULL;
}

static void take_snap(struct side *s, struct snap *sn)
{
	struct key *key = dev_key(s);
	struct subcred_cred *cred;
	struct subcred_secret *sec;

	memset(sn, 0, sizeof(*sn));
	if (!key)
		return;
	cred = subcred_cred(key);
	sec = key->payload.data[0];
	sn->alive = true;
	memcpy(sn->k, sec->k, 16);
	memcpy(sn->opc, sec->opc, 16);
	sn->version = cred->version;
	sn->generation = cred->generation;
	if (cred->pending) {
		sn->pending = true;
		sn->committing = cred->pending->committing;
		sn->release_gen = cred->pending->release_gen;
	}
	key_put(key);
}

static void remember(u8 (*h)[MSG_MAX], size_t *hl, int *n, const u8 *m,
		     size_t len)
{
	int i = *n < HIST ? (*n)++ : (memmove(h, h + 1, MSG_MAX * (HIST - 1)),
				      memmove(hl, hl + 1,
					      sizeof(*hl) * (HIST - 1)),
				      HIST - 1);

	memcpy(h[i], m, len);
	hl[i] = len;
}

static bool is_genuine(const struct side *s, const u8 *buf, size_t len)
{
	int i;

	for (i = 0; i < s->ngen; i++)
		if (s->gen_len[i] == len && !memcmp(s->gen[i], buf, len))
			return true;
	return false;
}

static void snap_all(void)
{
	int i;

	fuzz_nevents = 0;
	for (i = 0; i < SIDES; i++)
		take_snap(&sides[i], &sides[i].before);
}

/* A blob handed out for @s: it must open to the state of the device. */
static void check_blob(struct side *s, const struct subcred_answer *ans)
{
	struct agent_image img;
	const struct agent_blob *prev;
	struct key *key = dev_key(s);
	struct subcred_cred *cred;
	struct subcred_secret *sec;
	struct subcred_pending *p;
	u8 ack[SUBCRED_ACK_MAX];
	int i;

	check(key);
	cred = subcred_cred(key);
	sec = key->payload.data[0];
	p = cred->pending;
	check(!agent_open(ans->blob, ans->blob_len, &img));
	check(img.id_len == strlen(s->id) && !strcmp(img.id, s->id));
	check(img.generation == ans->generation);
	check(img.generation <= cred->generation);
	check(img.sqn == cred->sqn);
	for (i = 0; i < SUBCRED_IND_COUNT; i++)
		check(img.seq[i] == subcred_seq(cred, i));
	if (p && p->committing) {
		check(img.generation >= p->release_gen);
		check(img.version == p->new_version);
		check(!memcmp(img.k, p->k_new, 16));
		check(!memcmp(img.opc, p->opc_new, 16));
		check(img.ack_len == p->ack_len &&
		      !memcmp(img.ack, p->ack, p->ack_len));
		check(!memcmp(img.last_txid, p->txid, 8));
	} else {
		check(img.version == cred->version);
		check(!memcmp(img.k, sec->k, 16));
		check(!memcmp(img.opc, sec->opc, 16));
		check(img.ack_len == 0 || cred->last.present);
		if (cred->last.present)	/* LAST stands for the sealed ACK */
			check(subcred_last_ack(s->id, strlen(s->id),
					       cred->version, &cred->last, ack,
					       sizeof(ack)) == img.ack_len &&
			      !memcmp(ack, img.ack, img.ack_len) &&
			      !memcmp(img.last_txid, cred->last.txid, 8));
	}
	/* one generation, one state */
	prev = agent_find(&s->agent, img.generation);
	if (prev)
		check(!memcmp(&prev->img, &img, sizeof(img)));
	agent_got(&s->agent, ans->blob, ans->blob_len, ans->generation, &img);
	key_put(key);
}

/* A message the device released for @s. */
static void check_msg(struct side *s, const struct subcred_answer *ans,
		      bool persisted, u64 g)
{
	struct key *key = dev_key(s);
	struct subcred_cred *cred;
	struct subcred_secret *sec;
	const struct agent_image *img;
	const struct agent_blob *b;
	struct subcred_msg m;
	bool sealed = false;
	int i;

	check(key);
	cred = subcred_cred(key);
	sec = key->payload.data[0];
	check(!subcred_wire_parse(ans->msg, ans->msg_len, &m, NULL));
	check(!strcmp(m.id, s->id));
	switch (m.type) {
	case SUBCRED_MSG_RESPONSE:
		/* only after PERSISTED of the state that accepted the SQN */
		check(cred->pending && !cred->pending->committing);
		check(cred->pending->released);
		check(!memcmp(cred->pending->txid, m.txid, 8));
		check(s->agent.persisted >= cred->pending->release_gen);
		break;
	case SUBCRED_MSG_ACK:
		if (!persisted) {
			/*
			 * LAST's ACK: of the committed version, and octet
			 * for octet the ACK sealed with LAST in every blob
			 * of that state still held.
			 */
			check(cred->last.present &&
			      !memcmp(m.txid, cred->last.txid, 8) &&
			      m.ack.new_version == cred->version);
			for (i = 0; i < s->agent.ngot; i++) {
				img = &s->agent.got[i].img;
				if (img->version == cred->version &&
				    img->ack_len &&
				    !memcmp(img->last_txid, m.txid, 8))
					check(img->ack_len == ans->msg_len &&
					      !memcmp(img->ack, ans->msg,
						      ans->msg_len));
			}
			break;
		}
		/* the switch: a sealed new state was handed out before */
		check(!cred->pending);
		for (i = 0; i < s->agent.ngot; i++) {
			b = &s->agent.got[i];
			img = &b->img;
			if (b->gen <= g && img->version == cred->version &&
			    !memcmp(img->k, sec->k, 16) &&
			    !memcmp(img->opc, sec->opc, 16) &&
			    img->ack_len == ans->msg_len &&
			    !memcmp(img->ack, ans->msg, ans->msg_len))
				sealed = true;
		}
		check(sealed);
		break;
	case SUBCRED_MSG_REJECT:
		check(net_device_tag_ok(sec->k, sec->opc, ans->msg,
					ans->msg_len));
		break;
	case SUBCRED_MSG_SYNC:
		break;
	default:
		check(0);	/* a device sends nothing else as an answer */
	}
	memcpy(s->out, ans->msg, ans->msg_len);
	s->out_len = ans->msg_len;
	remember(s->dev, s->dev_len, &s->ndev, ans->msg, ans->msg_len);
	key_put(key);
}

enum step { STEP_INPUT, STEP_PERSISTED, STEP_IMPORT, STEP_OTHER };

/* After every step: the invariants of every credential. */
static void after_step(enum step kind, struct side *who, const u8 *in,
		       size_t in_len)
{
	int i, e;

	fuzz_rcu_quiesce();
	fuzz_fail_alloc(0);
	fuzz_master_missing(false);
	faulty = false;
	for (e = 0; e < fuzz_nevents; e++) {
		struct fuzz_event *ev = &fuzz_events[e];
		struct side *s = NULL;
		struct key *key;

		for (i = 0; i < SIDES; i++) {
			key = fuzz_store_slot(ev->slot);
			if (key && !strcmp(key->description, sides[i].id))
				s = &sides[i];
		}
		if (ev->event != SUBCRED_EVENT_REQUEST || !s)
			continue;
		key = dev_key(s);
		check(key);
		check(!subcred_cred(key)->pending);
		check(net_device_tag_ok(((struct subcred_secret *)
					 key->payload.data[0])->k,
					((struct subcred_secret *)
					 key->payload.data[0])->opc,
					ev->msg, ev->len));
		key_put(key);
		memcpy(s->out, ev->msg, ev->len);
		s->out_len = ev->len;
		remember(s->dev, s->dev_len, &s->ndev, ev->msg, ev->len);
	}

	for (i = 0; i < SIDES; i++) {
		struct side *s = &sides[i];
		struct snap now;
		struct key *key;
		struct subcred_pending *p;

		take_snap(s, &now);
		if (!now.alive)
			continue;
		if (!s->before.alive) {		/* a new life of the key */
			s->min_version = 0;
			s->min_generation = 0;
		}
		check(net_holds(&s->net, now.k, now.opc, now.version));
		check(now.version >= s->min_version);
		check(now.generation >= s->min_generation);
		s->min_version = now.version;
		s->min_generation = now.generation;
		if (s->before.alive &&
		    (memcmp(now.k, s->before.k, 16) ||
		     memcmp(now.opc, s->before.opc, 16) ||
		     now.version != s->before.version))
			check((kind == STEP_PERSISTED || kind == STEP_IMPORT) &&
			      who == s);

		key = dev_key(s);
		p = subcred_cred(key)->pending;
		if (p && !p->committing && p->release_gen > s->before.generation)
			/* a NOTICE was accepted: only a genuine one */
			check(kind == STEP_INPUT && who == s &&
			      is_genuine(s, in, in_len));
		if (p && p->committing) {
			if (!s->before.committing)
				check(kind == STEP_INPUT && who == s &&
				      is_genuine(s, in, in_len));
			/* the network's own transaction, both keys held */
			check(s->net.state == NET_CONFIRM_SENT &&
			      !memcmp(p->txid, s->net.txid, 8) &&
			      !memcmp(p->k_new, s->net.k_new, 16) &&
			      !memcmp(p->opc_new, s->net.opc_new, 16) &&
			      p->new_version == s->net.v + 1);
		}
		key_put(key);
	}
}

static void finish_answer(struct side *s, struct subcred_answer *ans, int err,
			  bool persisted, u64 g)
{
	if (!err) {
		check(!(ans->blob && ans->msg_len));
		if (ans->blob)
			check_blob(s, ans);
		if (ans->msg_len)
			check_msg(s, ans, persisted, g);
	}
	subcred_answer_release(ans);
}

/* A datagram from the network to the agent, to the kernel. */
static int dev_input(struct side *s, const u8 *buf, size_t len)
{
	struct subcred_answer ans = {};
	struct netlink_ext_ack ext = {};
	struct side *to = s;
	int err;

	snap_all();
	err = subcred_update_input(buf, len, &ans, &ext);
	trace("  input type %d len %zu -> err %d blob gen %llu msg type %d\n",
	      msg_type(buf, len), len, err,
	      ans.blob ? (unsigned long long)ans.generation : 0ULL,
	      msg_type(ans.msg, ans.msg_len));
	if (ans.key)
		to = side_of(ans.key->description);
	check(to);
	after_step(STEP_INPUT, to, buf, len);
	finish_answer(to, &ans, err, false, 0);
	return err;
}

static int dev_persisted(struct side *s, u64 g)
{
	struct subcred_answer ans = {};
	struct netlink_ext_ack ext = {};
	struct key *key = dev_key(s);
	u64 gen_before;
	int err;

	if (!key)
		return -ENOENT;
	snap_all();
	gen_before = subcred_cred(key)->generation;
	ans.key = key;
	err = subcred_update_persisted(key, g, &ans, &ext);
	trace("  PERSISTED(%llu) -> err %d msg type %d\n",
	      (unsigned long long)g, err, msg_type(ans.msg, ans.msg_len));
	if (g > gen_before)
		check(err == -EINVAL && !ans.msg_len);
	else if (!err && g > s->agent.persisted)
		s->agent.persisted = g;
	after_step(STEP_PERSISTED, s, NULL, 0);
	finish_answer(s, &ans, err, true, g);
	return err;
}

static void dev_export(struct side *s)
{
	struct subcred_answer ans = {};
	struct netlink_ext_ack ext = {};
	struct key *key = dev_key(s);
	int err;

	if (!key)
		return;
	snap_all();
	ans.key = key;
	err = subcred_update_export(key, &ans, &ext);
	after_step(STEP_OTHER, s, NULL, 0);
	if (!err)
		check(ans.blob && !ans.msg_len);
	finish_answer(s, &ans, err, false, 0);
}

static int dev_import(struct side *s, const u8 *blob, size_t len,
		      const char *id)
{
	struct subcred_answer ans = {};
	struct netlink_ext_ack ext = {};
	int err;

	snap_all();
	err = subcred_update_import(blob, len, id, &ans, &ext);
	trace("  IMPORT len %zu -> err %d\n", len, err);
	after_step(STEP_IMPORT, s, NULL, 0);
	if (!err)
		check(ans.key && !ans.blob && !ans.msg_len);
	subcred_answer_release(&ans);
	return err;
}

static void provision(struct side *s)
{
	struct subcred_init init = {
		.k = s->k0, .opc = s->opc0, .sqn = 0, .version = 1,
		.max_age = cfg_max_age, .pending_timeout = cfg_timeout,
	};
	struct key *key;

	fuzz_fail_alloc(0);
	fuzz_master_missing(false);
	faulty = false;
	snap_all();
	key = subcred_create(s->id, &init);
	check(!IS_ERR(key));
	key_put(key);
	s->provisioned = true;
	after_step(STEP_OTHER, s, NULL, 0);
}

/* The agent's persist: write the newest blob, then PERSISTED unless dead. */
static void persist(struct side *s, bool crash)
{
	const struct agent_blob *b = agent_latest(&s->agent);

	if (!b)
		return;
	agent_write(&s->agent, b);
	if (!crash)
		dev_persisted(s, b->gen);
}

static void deliver(struct side *s, const u8 *buf, size_t len)
{
	dev_input(s, buf, len);
}

/* The network sends; with @arg bit 7 the datagram is lost on the way. */
static void net_send_to_dev(struct side *s, u8 arg)
{
	u8 buf[MSG_MAX];
	size_t len = net_send(&s->net, arg & 3, buf);

	if (!len)
		return;
	if (!is_genuine(s, buf, len))
		remember(s->gen, s->gen_len, &s->ngen, buf, len);
	if (!(arg & 0x80))
		deliver(s, buf, len);
}

static void to_network(struct side *s, const u8 *buf, size_t len)
{
	enum net_result r;

	r = net_receive(&s->net, buf, len);
	trace("  network got type %d -> result %d, state %d, v %u\n",
	      msg_type(buf, len), r, s->net.state, s->net.v);
	/* the network's key change must keep the device's key held */
	snap_all();
	after_step(STEP_OTHER, s, NULL, 0);
}

static void advance(u8 arg)
{
	unsigned long target, ticks = (unsigned long)HZ << (arg % 18);
	int i, rounds = 0;

	target = jiffies + ticks;
	while (rounds++ < 200) {
		unsigned long next = target;
		struct delayed_work *w = NULL;

		for (i = 0; i < FUZZ_STORE_MAX; i++) {
			struct key *key = fuzz_store_slot(i);
			struct delayed_work *dw;

			if (!key)
				continue;
			dw = &subcred_cred(key)->work;
			if (fuzz_work_pending(dw) &&
			    time_after_eq(next, fuzz_work_expires(dw)) &&
			    (!w || time_after(fuzz_work_expires(w),
					      fuzz_work_expires(dw)))) {
				w = dw;
				next = fuzz_work_expires(dw);
			}
		}
		if (time_after(next, jiffies))
			fuzz_clock_tick(next - jiffies);
		if (!w)
			break;
		snap_all();
		trace("  work runs at +%lu s\n", (jiffies - target + ticks) / HZ);
		fuzz_work_run(w);
		after_step(STEP_OTHER, NULL, NULL, 0);
	}
}

static void mutate(struct side *s, struct input *in)
{
	u8 buf[2 * MSG_MAX];
	u8 sel = take(in), how = take(in), pos = take(in);
	struct side *o = &sides[(s - sides + 1) % SIDES];
	size_t len, n2;

	if (!s->ngen)
		return;
	len = s->gen_len[sel % s->ngen];
	memcpy(buf, s->gen[sel % s->ngen], len);
	switch (how % 4) {
	case 0:				/* bit flip */
		buf[pos % len] ^= 1 << (take(in) % 8);
		break;
	case 1:				/* truncate */
		len = pos % len;
		break;
	case 2:				/* splice with another genuine one */
		if (o->ngen && (take(in) & 1)) {
			n2 = o->gen_len[sel % o->ngen];
			memcpy(buf + pos % len, o->gen[sel % o->ngen], n2);
			len = pos % len + n2 < len ? len : pos % len + n2;
		} else {
			n2 = s->gen_len[(sel + 1) % s->ngen];
			memcpy(buf + pos % len, s->gen[(sel + 1) % s->ngen],
			       n2);
			len = pos % len + n2;
		}
		break;
	default:			/* an octet replaced */
		buf[pos % len] = take(in);
		break;
	}
	deliver(s, buf, len);
}

static void aka(struct side *s, u8 arg)
{
	u8 rand[16], autn[16], xres[8], res[8], auts[14];
	struct netlink_ext_ack ext = {};
	struct key *key = dev_key(s);
	struct snap sn;
	int err;

	if (!key)
		return;
	net_aka_vector(&s->net, rand, autn, xres);
	if (arg & 1)
		autn[arg % 16] ^= 1 << (arg >> 5);	/* a bad AUTN */
	snap_all();
	take_snap(s, &sn);
	err = subcred_update_aka(key, rand, autn, res, auts, &ext);
	trace("  AKA %s -> err %d\n", arg & 1 ? "bad" : "good", err);
	after_step(STEP_OTHER, s, NULL, 0);
	if (arg & 1)
		check(err);
	if (!err) {
		/* genuine AUTN under the key the device holds */
		check(!memcmp(res, xres, 8));
		check(!memcmp(sn.k, s->net.k, 16) && sn.version == s->net.v);
	}
	key_put(key);
}

static void import(struct side *s, u8 arg)
{
	struct side *o = &sides[(s - sides + 1) % SIDES];
	struct key *key = dev_key(s);
	struct agent_blob b;
	bool alive = key, f = faulty;
	u64 live;
	u32 version;
	int err;

	key_put(key);
	switch (arg % 5) {
	case 0:				/* boot: the durable blob */
		if (!s->agent.durable.len) {
			/* nothing on disk: nothing was ever committed */
			if (!alive && s->provisioned)
				provision(s);
			return;
		}
		err = dev_import(s, s->agent.durable.data, s->agent.durable.len,
				 (arg & 8) ? s->id : NULL);
		if (err)
			check(f || (err == -ESTALE && alive));
		return;
	case 1:		/* one handed out: never a rollback of a live key */
		if (!alive || !s->agent.ngot)
			return;
		b = s->agent.got[(arg >> 3) % s->agent.ngot];
		/* the agent imports from its disk: a newer one is on it now */
		agent_write(&s->agent, &b);
		key = dev_key(s);
		live = subcred_cred(key)->generation;
		version = subcred_cred(key)->version;
		key_put(key);
		err = dev_import(s, b.data, b.len, NULL);
		if (f)
			return;
		if (b.gen < live || b.img.version < version)
			check(err == -ESTALE);
		else
			check(!err);
		return;
	case 2:				/* corrupted */
		if (!s->agent.ngot)
			return;
		b = s->agent.got[s->agent.ngot - 1];
		b.data[(arg * 7u) % b.len] ^= 1 << (arg % 8);
		check(dev_import(s, b.data, b.len, NULL));
		return;
	case 3:				/* another credential's, under our id */
		if (!o->agent.ngot)
			return;
		b = *agent_latest(&o->agent);
		err = dev_import(s, b.data, b.len, s->id);
		check(err == -EINVAL || (err && f));
		return;
	default:			/* truncated */
		if (!s->agent.ngot)
			return;
		b = *agent_latest(&s->agent);
		err = dev_import(s, b.data, (arg * 13u) % b.len, NULL);
		check(err == -EINVAL || (err && f));
		return;
	}
}

static void delete(struct side *s)
{
	struct key *key = dev_key(s);

	if (!key)
		return;
	snap_all();
	check(!subcred_delete(key));
	key_put(key);
	after_step(STEP_OTHER, s, NULL, 0);
	check(!dev_key(s));
	/* what never reached the disk is gone with the agent's memory */
	s->agent.ngot = 0;
	s->agent.persisted = s->agent.durable.gen;
}

static void persisted_bad(struct side *s, u8 arg)
{
	struct key *key = dev_key(s);
	u64 gen;

	if (!key)
		return;
	gen = subcred_cred(key)->generation;
	key_put(key);
	if (arg & 1) {
		dev_persisted(s, gen + 1 + (arg >> 1));	/* never sealed */
	} else if (s->agent.ngot) {
		const struct agent_blob *b =
			&s->agent.got[(arg >> 1) % s->agent.ngot];

		agent_write(&s->agent, b);	/* truthful: that one is on disk */
		dev_persisted(s, b->gen);
	}
}

/*
 * The genuine protocol to its end: the device restored from its durable
 * blob if it was deleted, the network's transaction (if any) driven to
 * commit or abort by its retransmissions and the agent, then an ordinary
 * AKA under the network's key.
 */
static void complete(struct side *s)
{
	u8 rand[16], autn[16], xres[8], res[8], auts[14];
	struct netlink_ext_ack ext = {};
	unsigned int i;
	struct key *key;

	if (!s->provisioned)
		return;
	key = dev_key(s);
	if (!key) {
		if (s->agent.durable.len)
			check(!dev_import(s, s->agent.durable.data,
					  s->agent.durable.len, s->id));
		else
			provision(s);
		key = dev_key(s);
	}
	check(key);
	key_put(key);

	for (i = 0; i < 40 && s->net.state != NET_IDLE; i++) {
		u8 buf[MSG_MAX];
		size_t len;

		len = net_send(&s->net, 1, buf);
		check(len);
		remember(s->gen, s->gen_len, &s->ngen, buf, len);
		s->out_len = 0;
		{
			int before = s->agent.ngot;

			dev_input(s, buf, len);
			if (s->agent.ngot != before ||
			    (s->agent.ngot &&
			     agent_latest(&s->agent)->gen >
			     s->agent.persisted))
				persist(s, false);
		}
		if (s->out_len)
			to_network(s, s->out, s->out_len);
	}
	trace("  completed %s in %u rounds, v %u\n", s->id, i, s->net.v);
	check(i < 40);		/* bricked: the update never completes */
	check(s->net.state == NET_IDLE);

	key = dev_key(s);
	check(key);
	net_aka_vector(&s->net, rand, autn, xres);
	check(!subcred_update_aka(key, rand, autn, res, auts, &ext));
	check(!memcmp(res, xres, 8));
	key_put(key);
	snap_all();
	after_step(STEP_OTHER, s, NULL, 0);
}

static void setup(const u8 cfg)
{
	static const u32 ages[4] = { 0, 60, 3600, 86400 };
	static const u32 timeouts[4] = { 600, 1, 30, 86400 };
	int i, j;

	fuzz_kshim_reset(0x5eed0000 + cfg);
	fuzz_store_reset();
	cfg_max_age = ages[cfg & 3];
	cfg_timeout = timeouts[(cfg >> 2) & 3];
	for (i = 0; i < SIDES; i++) {
		struct side *s = &sides[i];

		memset(s, 0, sizeof(*s));
		s->id = i ? "imsi-001010000000002" : "imsi-001010000000001";
		for (j = 0; j < 16; j++) {
			s->k0[j] = (u8)(0x46 + 13 * j + 101 * i);
			s->opc0[j] = (u8)(0xcd + 7 * j + 59 * i);
		}
		net_init(&s->net, s->id, s->k0, s->opc0);
	}
	provision(&sides[0]);
}

/*
 * A smaller quarantine and shorter allocation stacks: a third less time
 * (page faults of fresh memory); frees of the last 16 MiB still trap.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:malloc_context_size=5";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("FUZZ_UPDATE_TRACE");

	(void)argc;
	(void)argv;
	tracing = t && *t == '1';
	fuzz_crypto_selfcheck();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct side *s = &sides[0];
	u8 raw[MSG_MAX + 16];
	int ops = 0, i;
	u8 arg;

	setup(take(&in));
	while (in.n && ops++ < MAX_OPS) {
		u8 op = take(&in);

		trace("op %d on %s\n", op % OP_COUNT, s->id);
		switch (op % OP_COUNT) {
		case OP_SEND:
			net_send_to_dev(s, take(&in));
			break;
		case OP_RECV:
			if (s->out_len)
				to_network(s, s->out, s->out_len);
			break;
		case OP_PERSIST:
			persist(s, false);
			break;
		case OP_CRASH:
			persist(s, true);
			break;
		case OP_PERSISTED_BAD:
			persisted_bad(s, take(&in));
			break;
		case OP_RAW:
			arg = take(&in) % sizeof(raw);
			for (i = 0; i < arg; i++)
				raw[i] = take(&in);
			deliver(s, raw, arg);
			break;
		case OP_MUTATE:
			mutate(s, &in);
			break;
		case OP_REPLAY_DEV:
			arg = take(&in);
			if (s->ndev)
				to_network(s, s->dev[arg % s->ndev],
					   s->dev_len[arg % s->ndev]);
			break;
		case OP_AKA:
			aka(s, take(&in));
			break;
		case OP_TIME:
			advance(take(&in));
			break;
		case OP_EXPORT:
			dev_export(s);
			break;
		case OP_IMPORT:
			import(s, take(&in));
			break;
		case OP_DELETE:
			delete(s);
			break;
		case OP_FAULT:
			arg = take(&in);
			if (arg & 1)
				fuzz_master_missing(true);
			else
				fuzz_fail_alloc(1 + (arg >> 1) % 8);
			faulty = true;
			/* the fault applies to the next operation only */
			continue;
		case OP_SWITCH:
			s = &sides[(s - sides + 1) % SIDES];
			if (!s->provisioned)
				provision(s);
			break;
		default:
			arg = take(&in);
			if (s->ngen)
				deliver(s, s->gen[arg % s->ngen],
					s->gen_len[arg % s->ngen]);
			break;
		}
	}
	fuzz_fail_alloc(0);
	fuzz_master_missing(false);
	trace("completion\n");
	for (i = 0; i < SIDES; i++)
		complete(&sides[i]);
	fuzz_store_reset();
	return 0;
}
