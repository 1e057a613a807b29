// SPDX-License-Identifier: GPL-2.0
/*
 * Crash safety of the subscriber database: state survives a reopen; the
 * file is private and in WAL mode; audit rows are written with the state
 * they describe; and a process killed with SIGKILL at random instants in
 * the middle of updates leaves a database that is consistent, still
 * accepts the device's key, and from which the protocol converges.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hn_proto.h"
#include "hn_util.h"
#include "tap.h"
#include "tdev.h"
#include "thelp.h"

#define ID	"imsi-001010000000077"
#define DEV	"127.0.0.1:9"

static const struct hn_cfg cfg = { 1000, 4000, 3 };

static int count_rows(hn_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int text_is(hn_db *db, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		r = !strcmp((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	return r;
}

/* Every subscriber's state matches its transaction row. */
static int consistent(hn_db *db)
{
	return text_is(db, "PRAGMA integrity_check", "ok") &&
	       count_rows(db, "SELECT count(*) FROM subscriber s LEFT JOIN "
			  "txn t ON t.id = s.id WHERE NOT ("
			  "(s.state = 0 AND t.id IS NULL) OR "
			  "(s.state = 1 AND t.sk_n IS NOT NULL AND "
			  " t.k_new IS NULL) OR "
			  "(s.state IN (2, 3) AND t.sk_n IS NULL AND "
			  " t.k_new IS NOT NULL AND t.confirm IS NOT NULL))")
	       == 0;
}

static void test_reopen(void)
{
	struct hn_result res;
	struct hn_sub a, b;
	struct hn_key k = { { 0 }, { 0 } };
	struct tdev dev;
	struct stat st;
	uint8_t ans[HN_MSG_MAX];
	char path[256];
	hn_db db;
	int r, n;

	hn_random(k.k, 16);
	hn_random(k.opc, 16);
	tdev_init(&dev, ID, &k, 1);
	r = th_db(&db, path, sizeof(path)) || th_add(&db, ID, &k, 1, 1, 0, DEV);
	ok(!r && !stat(path, &st) && (st.st_mode & 0777) == 0600,
	   "database file is mode 0600");
	ok(text_is(&db, "PRAGMA journal_mode", "wal") &&
	   count_rows(&db, "PRAGMA synchronous") == 2 &&
	   count_rows(&db, "PRAGMA secure_delete") == 1,
	   "WAL, synchronous=FULL, secure_delete");

	r = hn_proto_rekey(&db, ID, 1, 5000, &res) ||
	    hn_proto_timer(&db, &cfg, ID, 5000, &res);
	n = r ? -1 : tdev_input(&dev, res.out[0].buf, res.out[0].len, ans);
	r = r || n <= 0 ||
	    hn_proto_input(&db, &cfg, ans, n, DEV, 5100, &res) ||
	    !hn_result_has(&res, HN_D_CONFIRM);
	ok(!r && th_get(&db, ID, &a) == 1 && a.state == HN_CONFIRM_SENT,
	   "dual-key state reached");
	hn_db_close(&db);

	r = hn_db_open(&db, path, 0);
	ok(!r && th_get(&db, ID, &b) == 1 && b.state == a.state &&
	   b.version == 1 && !memcmp(&b.key, &a.key, sizeof(a.key)) &&
	   b.has_txn && b.txn.has_new && !b.txn.has_sk &&
	   !memcmp(&b.txn.new_key, &a.txn.new_key, sizeof(a.txn.new_key)) &&
	   !memcmp(b.txn.k_conf, a.txn.k_conf, 32) &&
	   !memcmp(b.txn.h_t, a.txn.h_t, 32) &&
	   b.txn.confirm_len == a.txn.confirm_len &&
	   !memcmp(b.txn.confirm, a.txn.confirm, a.txn.confirm_len) &&
	   b.txn.tries == a.txn.tries && b.txn.next_retry == a.txn.next_retry &&
	   b.seq_next == a.seq_next && !strcmp(b.device, DEV),
	   "after a reopen every field of the dual-key state is there");
	ok(count_rows(&db, "SELECT count(*) FROM audit WHERE id = '" ID
		      "' AND decision IN ('add', 'rekey-queued', 'notice',"
		      " 'confirm')") == 4,
	   "audit rows of add, rekey, NOTICE and CONFIRM are there");
	r = hn_proto_timer(&db, &cfg, ID, b.txn.next_retry, &res);
	ok(!r && res.nout == 1 && res.out[0].len == a.txn.confirm_len &&
	   !memcmp(res.out[0].buf, a.txn.confirm, a.txn.confirm_len),
	   "the reopened database retransmits the same CONFIRM");
	n = tdev_input(&dev, res.out[0].buf, res.out[0].len, ans);
	r = n <= 0 || hn_proto_input(&db, &cfg, ans, n, DEV, 9000, &res);
	ok(!r && hn_result_has(&res, HN_D_COMMIT) && th_accepts(&db, ID, &dev)
	   && th_get(&db, ID, &b) == 1 && b.version == 2 && !b.has_txn,
	   "and commits on the ACK");
	ok(count_rows(&db, "SELECT count(*) FROM txn") == 0 &&
	   consistent(&db), "no transaction row left, database consistent");
	hn_sub_wipe(&a);
	hn_sub_wipe(&b);
	hn_db_close(&db);
	th_db_remove(path);
}

/* ---- SIGKILL at random instants ---- */

static const char *dev_path(const char *db_path, char *buf, size_t size)
{
	snprintf(buf, size, "%s.dev", db_path);
	return buf;
}

/* The device persists before it answers (write temp, rename). */
static void dev_save(const struct tdev *d, const char *path)
{
	char tmp[300];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, d, sizeof(*d)) != (ssize_t)sizeof(*d))
		_exit(3);
	close(fd);
	if (rename(tmp, path))
		_exit(3);
}

static int dev_load(struct tdev *d, const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, d, sizeof(*d));
	close(fd);
	return n == (ssize_t)sizeof(*d) ? 0 : -1;
}

/* Child: updates forever, with losses, until killed. */
static void __attribute__((noreturn)) churn(const char *path,
					    unsigned int seed)
{
	char dp[300];
	struct hn_result res, res2;
	struct tdev d;
	uint8_t ans[HN_MSG_MAX];
	int64_t now = 100000;
	hn_db db;
	int i, n;

	srand(seed);
	if (hn_db_open(&db, path, 0) || dev_load(&d, dev_path(path, dp,
							      sizeof(dp))))
		_exit(2);
	for (;;) {
		struct hn_sub s;

		now += 1000 + rand() % 3000;
		if (th_get(&db, ID, &s) != 1)
			_exit(2);
		if (s.state == HN_IDLE && !s.rekey)
			hn_proto_rekey(&db, ID, 1 + rand() % 3, now, &res);
		else if (s.state == HN_STALLED || s.wait_contact) {
			uint8_t nonce[16];

			hn_random(nonce, 16);
			n = tdev_request(&d, &d.key, d.version, 1, nonce, ans);
			if (hn_proto_input(&db, &cfg, ans, n, DEV, now, &res2))
				_exit(2);
		}
		hn_sub_wipe(&s);
		if (hn_proto_timer(&db, &cfg, ID, now, &res))
			_exit(2);
		for (i = 0; i < res.nout; i++) {
			if (rand() % 4 == 0)
				continue;	/* lost */
			n = tdev_input(&d, res.out[i].buf, res.out[i].len,
				       ans);
			if (rand() % 8 == 0)
				d.pending = 0;	/* PENDING expired */
			dev_save(&d, dp);
			if (n <= 0 || rand() % 4 == 0)
				continue;
			if (hn_proto_input(&db, &cfg, ans, n, DEV, now + 5,
					   &res2))
				_exit(2);
			/* a CONFIRM the answer asked for goes through too */
			if (res2.nout && rand() % 2) {
				n = tdev_input(&d, res2.out[0].buf,
					       res2.out[0].len, ans);
				dev_save(&d, dp);
				if (n > 0 && hn_proto_input(&db, &cfg, ans, n,
							    DEV, now + 6,
							    &res2))
					_exit(2);
			}
		}
	}
}

static void test_kill(void)
{
	const int runs = 40;
	int i, bad_consistent = 0, bad_accept = 0, bad_converge = 0;
	int updates = 0, stuck = 0;
	char path[256], dp[300];
	struct hn_key k = { { 0 }, { 0 } };
	struct tdev d;
	hn_db db;

	hn_random(k.k, 16);
	hn_random(k.opc, 16);
	tdev_init(&d, ID, &k, 1);
	if (th_db(&db, path, sizeof(path)) || th_add(&db, ID, &k, 1, 1, 0, DEV)) {
		ok(0, "kill: setup");
		return;
	}
	hn_db_close(&db);
	dev_save(&d, dev_path(path, dp, sizeof(dp)));

	for (i = 0; i < runs; i++) {
		struct timespec ts = { 0, (long)(rand() % 40 + 5) * 1000000 };
		int64_t now = 10000000000LL;
		pid_t pid = fork();
		int status;

		if (pid < 0)
			break;
		if (!pid)
			churn(path, (unsigned int)i * 7919 + 1);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status)) {
			stuck++;
			continue;
		}
		if (hn_db_open(&db, path, 0) || dev_load(&d, dp)) {
			bad_consistent++;
			continue;
		}
		bad_consistent += !consistent(&db);
		bad_accept += !th_accepts(&db, ID, &d);
		/* resume from what survived and converge */
		bad_converge += !th_converge(&db, &cfg, ID, &d, &now);
		updates = d.version;
		dev_save(&d, dp);
		hn_db_close(&db);
	}
	ok(!stuck, "kill: the child was alive at every SIGKILL (%d runs)",
	   runs);
	ok(!bad_consistent, "kill: database consistent after every SIGKILL "
	   "(%d bad)", bad_consistent);
	ok(!bad_accept, "kill: the network holds the device's key after "
	   "every SIGKILL (%d bad)", bad_accept);
	ok(!bad_converge, "kill: both sides converge on one key after every "
	   "SIGKILL (%d bad)", bad_converge);
	ok(updates > runs / 2, "kill: updates completed meanwhile (key_version "
	   "%d)", updates);
	unlink(dp);
	th_db_remove(path);
}

int main(void)
{
	tap_start();
	hn_log_quiet = 1;
	srand((unsigned int)time(NULL));
	test_reopen();
	test_kill();
	return tap_done();
}
