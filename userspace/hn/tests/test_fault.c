// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised fault model of design §6 through hn_proto and the simulated
 * device: messages lost, duplicated, reordered, forged and bit-flipped,
 * PENDING expiring on the device, operator rekeys and device REQUESTs at
 * any time. After every step the device's key must be one the network
 * holds; once the faults stop, both sides must converge on one key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hn_proto.h"
#include "hn_util.h"
#include "tap.h"
#include "tdev.h"
#include "thelp.h"

#define ID	"imsi-001010000000099"
#define DEV	"127.0.0.1:9"
#define POOL	24

static const struct hn_cfg cfg = { 1000, 8000, 3 };

struct msg {
	int to_dev;
	size_t len;
	uint8_t buf[HN_MSG_MAX];
};

static struct msg pool[POOL];
static int npool;

static void put(int to_dev, const uint8_t *buf, size_t len)
{
	struct msg *m;

	if (npool == POOL)	/* full: the oldest is lost */
		memmove(pool, pool + 1, sizeof(pool[0]) * --npool);
	m = &pool[npool++];
	m->to_dev = to_dev;
	m->len = len;
	memcpy(m->buf, buf, len);
}

static void put_result(const struct hn_result *res)
{
	int i;

	for (i = 0; i < res->nout; i++)
		put(1, res->out[i].buf, res->out[i].len);
}

struct stats {
	int steps, violations, errors, commits, aborts, stalls, forged;
};

static void step(hn_db *db, struct tdev *d, int64_t *now, struct stats *st)
{
	struct hn_result res;
	uint8_t ans[HN_MSG_MAX], nonce[16];
	int a = rand() % 100, i, n;

	res.nev = res.nout = 0;
	if (a < 30) {			/* time passes, timers fire */
		char ids[2][HN_ID_MAX + 1];

		*now += rand() % 3000;
		if (hn_db_due(db, *now, ids, 2) > 0 &&
		    hn_proto_timer(db, &cfg, ID, *now, &res))
			st->errors++;
		put_result(&res);
	} else if (a < 70 && npool) {	/* deliver one, any order */
		struct msg m;

		i = rand() % npool;
		m = pool[i];
		if (rand() % 5)		/* else: duplicated */
			memmove(pool + i, pool + i + 1,
				sizeof(pool[0]) * (--npool - i));
		if (m.to_dev) {
			n = tdev_input(d, m.buf, m.len, ans);
			if (n > 0)
				put(0, ans, n);
		} else {
			if (hn_proto_input(db, &cfg, m.buf, m.len, DEV, *now,
					   &res))
				st->errors++;
			put_result(&res);
		}
	} else if (a < 78 && npool) {	/* lost */
		i = rand() % npool;
		memmove(pool + i, pool + i + 1,
			sizeof(pool[0]) * (--npool - i));
	} else if (a < 86 && npool) {	/* forged: a flipped bit */
		struct msg m = pool[rand() % npool];

		if (!m.to_dev) {
			size_t bit = rand() % (m.len * 8);

			m.buf[bit / 8] ^= 1 << (bit % 8);
			if (hn_proto_input(db, &cfg, m.buf, m.len, DEV, *now,
					   &res))
				st->errors++;
			if (hn_result_has(&res, HN_D_COMMIT) ||
			    hn_result_has(&res, HN_D_ABORT))
				st->forged++;
		}
	} else if (a < 90) {		/* PENDING expires */
		d->pending = 0;
	} else if (a < 95) {		/* the operator wants an update */
		if (hn_proto_rekey(db, ID, 1 + rand() % 3, *now, &res))
			st->errors++;
	} else {			/* the device asks (key age) */
		hn_random(nonce, sizeof(nonce));
		n = tdev_request(d, &d->key, d->version, 1, nonce, ans);
		put(0, ans, n);
	}
	st->commits += hn_result_has(&res, HN_D_COMMIT);
	st->aborts += hn_result_has(&res, HN_D_ABORT);
	st->stalls += hn_result_has(&res, HN_D_STALL);
	st->violations += !th_accepts(db, ID, d);
	st->steps++;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 150, steps = 150, r;
	unsigned int seed = argc > 2 ? (unsigned int)atoi(argv[2]) :
				       (unsigned int)time(NULL);
	struct stats st;
	int converged = 0;

	tap_start();
	hn_log_quiet = 1;
	srand(seed);
	printf("# seed %u, %d runs of %d steps\n", seed, runs, steps);
	memset(&st, 0, sizeof(st));
	for (r = 0; r < runs; r++) {
		struct hn_key k = { { 0 }, { 0 } };
		struct tdev d;
		char path[256];
		int64_t now = 1000000;
		hn_db db;
		int i;

		hn_random(k.k, 16);
		hn_random(k.opc, 16);
		tdev_init(&d, ID, &k, 1);
		npool = 0;
		/* durability is test_db's subject: spare the fsyncs here */
		if (th_db(&db, path, sizeof(path)) ||
		    sqlite3_exec(db.db, "PRAGMA synchronous=OFF", NULL, NULL,
				 NULL) != SQLITE_OK ||
		    th_add(&db, ID, &k, 1, 1, 0, DEV)) {
			st.errors++;
			continue;
		}
		for (i = 0; i < steps; i++)
			step(&db, &d, &now, &st);
		converged += th_converge(&db, &cfg, ID, &d, &now);
		st.violations += !th_accepts(&db, ID, &d);
		hn_db_close(&db);
		th_db_remove(path);
	}
	ok(!st.errors, "fault model: no internal errors");
	ok(!st.violations, "fault model: after each of %d steps the device's "
	   "key was one the network holds (%d violations)", st.steps,
	   st.violations);
	ok(!st.forged, "fault model: no forged message changed a key");
	ok(converged == runs, "fault model: %d of %d runs converged once the "
	   "faults stopped", converged, runs);
	ok(st.commits > runs && st.aborts > 0 && st.stalls > 0,
	   "fault model: the runs exercised commits (%d), aborts (%d) and "
	   "stalls (%d)", st.commits, st.aborts, st.stalls);
	return tap_done();
}
