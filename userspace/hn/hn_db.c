// SPDX-License-Identifier: GPL-2.0
/* SQLite store of subcred-hn (see hn_db.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hn_db.h"
#include "hn_util.h"

#define SCHEMA_VERSION	1

static const char schema[] =
	"CREATE TABLE subscriber ("
	" id TEXT PRIMARY KEY,"
	" k BLOB NOT NULL, opc BLOB NOT NULL,"
	" key_version INTEGER NOT NULL,"
	" seq_next INTEGER NOT NULL, ind_next INTEGER NOT NULL,"
	" device TEXT,"
	" state INTEGER NOT NULL,"
	" rekey INTEGER NOT NULL, wait_contact INTEGER NOT NULL,"
	" last_txid BLOB, last_result TEXT,"
	" rejected INTEGER NOT NULL,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE TABLE txn ("
	" id TEXT PRIMARY KEY REFERENCES subscriber(id) ON DELETE CASCADE,"
	" txid BLOB NOT NULL, reason INTEGER NOT NULL,"
	" rand BLOB NOT NULL, xres BLOB NOT NULL, sqn BLOB NOT NULL,"
	" sk_n BLOB, notice BLOB NOT NULL,"
	" k_new BLOB, opc_new BLOB, k_conf BLOB, h_t BLOB, confirm BLOB,"
	" sync_count INTEGER NOT NULL, tries INTEGER NOT NULL,"
	" next_retry INTEGER NOT NULL, started INTEGER NOT NULL);"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ts INTEGER NOT NULL, id TEXT, txid TEXT,"
	" event TEXT NOT NULL, decision TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX audit_id ON audit(id, seq);"
	"CREATE TABLE stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);";

static void db_err(hn_db *db, const char *what)
{
	fprintf(stderr, "subcred-hn: database: %s: %s\n", what,
		sqlite3_errmsg(db->db));
}

static int exec(hn_db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "subcred-hn: database: %s\n",
			msg ? msg : sqlite3_errmsg(db->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prep(hn_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(db, "prepare");
		return NULL;
	}
	return st;
}

static int user_version(hn_db *db)
{
	sqlite3_stmt *st = prep(db, "PRAGMA user_version");
	int v = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* mkdir -p of the directory of @path, mode 0700. */
static int make_dir(const char *path)
{
	char buf[4096], *dir, *p;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	dir = dirname(buf);
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

int hn_db_open(hn_db *db, const char *path, int create)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	mode_t old;
	int v, ret;

	db->db = NULL;
	if (create) {
		flags |= SQLITE_OPEN_CREATE;
		if (make_dir(path)) {
			fprintf(stderr, "subcred-hn: %s: cannot create its "
				"directory: %s\n", path, strerror(errno));
			return -1;
		}
	} else if (access(path, F_OK)) {
		fprintf(stderr, "subcred-hn: %s: %s (add a subscriber "
			"first)\n", path, strerror(errno));
		return -1;
	}
	/* the database and its -wal/-shm files hold long-term keys */
	old = umask(077);
	ret = sqlite3_open_v2(path, &db->db, flags, NULL);
	umask(old);
	if (ret != SQLITE_OK) {
		fprintf(stderr, "subcred-hn: %s: %s\n", path,
			db->db ? sqlite3_errmsg(db->db) : "cannot open");
		hn_db_close(db);
		return -1;
	}
	if (chmod(path, 0600))
		fprintf(stderr, "subcred-hn: warning: chmod %s: %s\n", path,
			strerror(errno));
	sqlite3_busy_timeout(db->db, 10000);
	if (exec(db, "PRAGMA journal_mode=WAL") ||
	    exec(db, "PRAGMA synchronous=FULL") ||
	    exec(db, "PRAGMA secure_delete=ON") ||
	    exec(db, "PRAGMA foreign_keys=ON"))
		goto fail;
	if (hn_db_begin(db))
		goto fail;
	v = user_version(db);
	if (v == 0) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
			 SCHEMA_VERSION);
		if (exec(db, schema) || exec(db, sql)) {
			hn_db_rollback(db);
			goto fail;
		}
	} else if (v != SCHEMA_VERSION) {
		fprintf(stderr, "subcred-hn: %s: schema version %d, this "
			"program knows %d\n", path, v, SCHEMA_VERSION);
		hn_db_rollback(db);
		goto fail;
	}
	if (hn_db_commit(db))
		goto fail;
	return 0;
fail:
	hn_db_close(db);
	return -1;
}

void hn_db_close(hn_db *db)
{
	if (db->db)
		sqlite3_close(db->db);
	db->db = NULL;
}

int hn_db_begin(hn_db *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

int hn_db_commit(hn_db *db)
{
	int scrub = db->scrub;

	db->scrub = 0;
	if (exec(db, "COMMIT")) {
		hn_db_rollback(db);
		return -1;
	}
	/*
	 * Best effort: a reader of an older snapshot (a `list` at this very
	 * moment) keeps the frames; the next scrub takes them.
	 */
	if (scrub)
		sqlite3_exec(db->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
			     NULL, NULL);
	return 0;
}

void hn_db_rollback(hn_db *db)
{
	db->scrub = 0;
	if (!sqlite3_get_autocommit(db->db))
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- columns ---- */

static int col_blob(sqlite3_stmt *st, int i, void *out, size_t len)
{
	if (sqlite3_column_type(st, i) != SQLITE_BLOB ||
	    (size_t)sqlite3_column_bytes(st, i) != len)
		return -1;
	memcpy(out, sqlite3_column_blob(st, i), len);
	return 0;
}

/* A variable-length blob of at most @size octets; sets *@len. */
static int col_vblob(sqlite3_stmt *st, int i, void *out, size_t size,
		     size_t *len)
{
	int n;

	if (sqlite3_column_type(st, i) != SQLITE_BLOB)
		return -1;
	n = sqlite3_column_bytes(st, i);
	if (n <= 0 || (size_t)n > size)
		return -1;
	memcpy(out, sqlite3_column_blob(st, i), n);
	*len = n;
	return 0;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
	return sqlite3_bind_blob(st, i, p, (int)len, SQLITE_TRANSIENT);
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

#define SUB_COLS "k, opc, key_version, seq_next, ind_next, device, state," \
		 " rekey, wait_contact, last_txid, last_result, rejected," \
		 " created, updated"
#define TXN_COLS "txid, reason, rand, xres, sqn, sk_n, notice, k_new," \
		 " opc_new, k_conf, h_t, confirm, sync_count, tries," \
		 " next_retry, started"

static int load_txn(hn_db *db, struct hn_sub *s)
{
	struct hn_txn *t = &s->txn;
	sqlite3_stmt *st;
	int r, ret = -1;

	st = prep(db, "SELECT " TXN_COLS " FROM txn WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		s->has_txn = 0;
		ret = 0;
		goto out;
	}
	if (r != SQLITE_ROW) {
		db_err(db, "read transaction");
		goto out;
	}
	s->has_txn = 1;
	t->reason = sqlite3_column_int(st, 1);
	t->has_sk = sqlite3_column_type(st, 5) != SQLITE_NULL;
	t->has_new = sqlite3_column_type(st, 7) != SQLITE_NULL;
	if (col_blob(st, 0, t->txid, sizeof(t->txid)) ||
	    col_blob(st, 2, t->rand, sizeof(t->rand)) ||
	    col_blob(st, 3, t->xres, sizeof(t->xres)) ||
	    col_blob(st, 4, t->sqn, sizeof(t->sqn)) ||
	    (t->has_sk && col_blob(st, 5, t->sk_n, sizeof(t->sk_n))) ||
	    col_vblob(st, 6, t->notice, sizeof(t->notice), &t->notice_len) ||
	    (t->has_new &&
	     (col_blob(st, 7, t->new_key.k, HN_K_LEN) ||
	      col_blob(st, 8, t->new_key.opc, HN_K_LEN) ||
	      col_blob(st, 9, t->k_conf, HN_HASH_LEN) ||
	      col_blob(st, 10, t->h_t, HN_HASH_LEN) ||
	      col_vblob(st, 11, t->confirm, sizeof(t->confirm),
			&t->confirm_len)))) {
		fprintf(stderr, "subcred-hn: database: transaction of %s is "
			"malformed\n", s->id);
		goto out;
	}
	t->sync_count = sqlite3_column_int(st, 12);
	t->tries = sqlite3_column_int(st, 13);
	t->next_retry = sqlite3_column_int64(st, 14);
	t->started = sqlite3_column_int64(st, 15);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int hn_db_get(hn_db *db, const char *id, struct hn_sub *s)
{
	sqlite3_stmt *st;
	int r, ret = -1;

	memset(s, 0, sizeof(*s));
	st = prep(db, "SELECT " SUB_COLS " FROM subscriber WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (r != SQLITE_ROW) {
		db_err(db, "read subscriber");
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", id);
	if (col_blob(st, 0, s->key.k, HN_K_LEN) ||
	    col_blob(st, 1, s->key.opc, HN_K_LEN)) {
		fprintf(stderr, "subcred-hn: database: key of %s is "
			"malformed\n", id);
		goto out;
	}
	s->version = (uint32_t)sqlite3_column_int64(st, 2);
	s->seq_next = (uint64_t)sqlite3_column_int64(st, 3);
	s->ind_next = (unsigned int)sqlite3_column_int(st, 4) & 31;
	col_text(st, 5, s->device, sizeof(s->device));
	s->state = sqlite3_column_int(st, 6);
	s->rekey = sqlite3_column_int(st, 7);
	s->wait_contact = sqlite3_column_int(st, 8);
	s->has_last = !col_blob(st, 9, s->last_txid, sizeof(s->last_txid));
	col_text(st, 10, s->last_result, sizeof(s->last_result));
	s->rejected = (uint64_t)sqlite3_column_int64(st, 11);
	s->created = sqlite3_column_int64(st, 12);
	s->updated = sqlite3_column_int64(st, 13);
	sqlite3_finalize(st);
	st = NULL;
	if (load_txn(db, s))
		goto out;
	s->loaded_sk = s->has_txn && s->txn.has_sk;
	s->loaded_new = s->has_txn && s->txn.has_new;
	memcpy(s->loaded_txid, s->txn.txid, sizeof(s->loaded_txid));
	ret = 1;
out:
	sqlite3_finalize(st);
	if (ret != 1)
		hn_sub_wipe(s);
	return ret;
}

static int bind_sub(sqlite3_stmt *st, const struct hn_sub *s)
{
	int e = 0;

	e |= sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
	e |= bind_blob(st, 2, s->key.k, HN_K_LEN);
	e |= bind_blob(st, 3, s->key.opc, HN_K_LEN);
	e |= sqlite3_bind_int64(st, 4, s->version);
	e |= sqlite3_bind_int64(st, 5, (sqlite3_int64)s->seq_next);
	e |= sqlite3_bind_int(st, 6, (int)s->ind_next);
	e |= bind_text_or_null(st, 7, s->device);
	e |= sqlite3_bind_int(st, 8, s->state);
	e |= sqlite3_bind_int(st, 9, s->rekey);
	e |= sqlite3_bind_int(st, 10, s->wait_contact);
	if (s->has_last)
		e |= bind_blob(st, 11, s->last_txid, sizeof(s->last_txid));
	else
		e |= sqlite3_bind_null(st, 11);
	e |= bind_text_or_null(st, 12, s->last_result);
	e |= sqlite3_bind_int64(st, 13, (sqlite3_int64)s->rejected);
	e |= sqlite3_bind_int64(st, 14, s->created);
	e |= sqlite3_bind_int64(st, 15, s->updated);
	return e ? -1 : 0;
}

static int write_sub(hn_db *db, const struct hn_sub *s, const char *verb)
{
	char sql[512];
	sqlite3_stmt *st;
	int r;

	snprintf(sql, sizeof(sql), "%s INTO subscriber (id, " SUB_COLS ") "
		 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", verb);
	st = prep(db, sql);
	if (!st)
		return -1;
	if (bind_sub(st, s)) {
		sqlite3_finalize(st);
		db_err(db, "bind");
		return -1;
	}
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT)
		return 1;
	if (r != SQLITE_DONE) {
		db_err(db, "write subscriber");
		return -1;
	}
	return 0;
}

static int write_txn(hn_db *db, const struct hn_sub *s)
{
	const struct hn_txn *t = &s->txn;
	sqlite3_stmt *st;
	int r;

	if (!s->has_txn) {
		st = prep(db, "DELETE FROM txn WHERE id = ?");
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
	} else {
		int e = 0;

		st = prep(db, "INSERT OR REPLACE INTO txn (id, " TXN_COLS
			  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			  " ?, ?, ?, ?)");
		if (!st)
			return -1;
		e |= sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
		e |= bind_blob(st, 2, t->txid, sizeof(t->txid));
		e |= sqlite3_bind_int(st, 3, t->reason);
		e |= bind_blob(st, 4, t->rand, sizeof(t->rand));
		e |= bind_blob(st, 5, t->xres, sizeof(t->xres));
		e |= bind_blob(st, 6, t->sqn, sizeof(t->sqn));
		e |= t->has_sk ? bind_blob(st, 7, t->sk_n, sizeof(t->sk_n)) :
				 sqlite3_bind_null(st, 7);
		e |= bind_blob(st, 8, t->notice, t->notice_len);
		if (t->has_new) {
			e |= bind_blob(st, 9, t->new_key.k, HN_K_LEN);
			e |= bind_blob(st, 10, t->new_key.opc, HN_K_LEN);
			e |= bind_blob(st, 11, t->k_conf, HN_HASH_LEN);
			e |= bind_blob(st, 12, t->h_t, HN_HASH_LEN);
			e |= bind_blob(st, 13, t->confirm, t->confirm_len);
		}
		e |= sqlite3_bind_int(st, 14, t->sync_count);
		e |= sqlite3_bind_int(st, 15, t->tries);
		e |= sqlite3_bind_int64(st, 16, t->next_retry);
		e |= sqlite3_bind_int64(st, 17, t->started);
		if (e) {
			sqlite3_finalize(st);
			db_err(db, "bind");
			return -1;
		}
	}
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		db_err(db, "write transaction");
		return -1;
	}
	return 0;
}

/* Whether writing @s drops a secret it was loaded with. */
static int drops_secret(const struct hn_sub *s)
{
	const struct hn_txn *t = &s->txn;
	int same = s->has_txn &&
		   !memcmp(t->txid, s->loaded_txid, sizeof(t->txid));

	return (s->loaded_sk && !(same && t->has_sk)) ||
	       (s->loaded_new && !(same && t->has_new));
}

int hn_db_put(hn_db *db, const struct hn_sub *s)
{
	if (drops_secret(s))
		db->scrub = 1;
	if (write_sub(db, s, "INSERT OR REPLACE"))
		return -1;
	return write_txn(db, s);
}

int hn_db_insert(hn_db *db, const struct hn_sub *s)
{
	int r = write_sub(db, s, "INSERT");

	if (r)
		return r;
	return write_txn(db, s);
}

int hn_db_delete(hn_db *db, const char *id)
{
	sqlite3_stmt *st = prep(db, "DELETE FROM subscriber WHERE id = ?");
	int r;

	db->scrub = 1;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		db_err(db, "delete");
		return -1;
	}
	return sqlite3_changes(db->db) ? 0 : 1;
}

int hn_db_audit(hn_db *db, int64_t ts, const char *id, const uint8_t *txid,
		const char *event, const char *decision, const char *detail)
{
	sqlite3_stmt *st;
	int r;

	st = prep(db, "INSERT INTO audit (ts, id, txid, event, decision,"
		  " detail) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ts);
	bind_text_or_null(st, 2, id);
	if (txid) {
		char hex[2 * SUBCRED_WIRE_TXID_LEN + 1];

		hn_hex(txid, SUBCRED_WIRE_TXID_LEN, hex);
		sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_text(st, 4, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, decision, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 6, detail);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		db_err(db, "audit");
		return -1;
	}
	return 0;
}

int hn_db_stat_add(hn_db *db, const char *name, int64_t delta)
{
	sqlite3_stmt *st;
	int r;

	st = prep(db, "INSERT INTO stats (name, value) VALUES (?, ?) "
		  "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, delta);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		db_err(db, "stats");
		return -1;
	}
	return 0;
}

int64_t hn_db_stat(hn_db *db, const char *name)
{
	sqlite3_stmt *st = prep(db, "SELECT value FROM stats WHERE name = ?");
	int64_t v = -1;
	int r;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (r == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(st);
	return v;
}

int hn_db_due(hn_db *db, int64_t now, char (*ids)[HN_ID_MAX + 1], int max)
{
	sqlite3_stmt *st;
	int n = 0, r;

	st = prep(db, "SELECT id FROM txn WHERE next_retry > 0 AND"
		  " next_retry <= ?1 UNION SELECT id FROM subscriber WHERE"
		  " state = 0 AND rekey > 0 AND wait_contact = 0 AND"
		  " device IS NOT NULL ORDER BY 1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	while (n < max && (r = sqlite3_step(st)) == SQLITE_ROW)
		col_text(st, 0, ids[n++], HN_ID_MAX + 1);
	sqlite3_finalize(st);
	return n;
}

int hn_db_list(hn_db *db, const char *id,
	       int (*fn)(const struct hn_sub_info *, void *), void *arg)
{
	struct hn_sub_info in;
	sqlite3_stmt *st;
	uint8_t txid[SUBCRED_WIRE_TXID_LEN];
	int r, ret = 0;

	st = prep(db, "SELECT s.id, s.key_version, s.state,"
		  " t.k_new IS NOT NULL, s.seq_next, s.device, s.rekey,"
		  " s.wait_contact, s.last_txid, s.last_result,"
		  " coalesce(t.tries, 0), coalesce(t.next_retry, 0),"
		  " s.rejected FROM subscriber s LEFT JOIN txn t"
		  " ON t.id = s.id WHERE ?1 IS NULL OR s.id = ?1"
		  " ORDER BY s.id");
	if (!st)
		return -1;
	if (id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&in, 0, sizeof(in));
		col_text(st, 0, in.id, sizeof(in.id));
		in.version = (uint32_t)sqlite3_column_int64(st, 1);
		in.state = sqlite3_column_int(st, 2);
		in.dual = sqlite3_column_int(st, 3);
		in.seq_next = (uint64_t)sqlite3_column_int64(st, 4);
		col_text(st, 5, in.device, sizeof(in.device));
		in.rekey = sqlite3_column_int(st, 6);
		in.wait_contact = sqlite3_column_int(st, 7);
		in.has_last = !col_blob(st, 8, txid, sizeof(txid));
		if (in.has_last)
			hn_hex(txid, sizeof(txid), in.last_txid);
		col_text(st, 9, in.last_result, sizeof(in.last_result));
		in.tries = sqlite3_column_int(st, 10);
		in.next_retry = sqlite3_column_int64(st, 11);
		in.rejected = (uint64_t)sqlite3_column_int64(st, 12);
		ret = fn(&in, arg);
		if (ret)
			break;
	}
	if (!ret && r != SQLITE_DONE) {
		db_err(db, "list");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

int hn_db_audit_list(hn_db *db, const char *id,
		     int (*fn)(const struct hn_audit_row *, void *),
		     void *arg)
{
	struct hn_audit_row row;
	sqlite3_stmt *st;
	int r, ret = 0;

	st = prep(db, "SELECT seq, ts, id, txid, event, decision, detail"
		  " FROM audit WHERE ?1 IS NULL OR id = ?1 ORDER BY seq");
	if (!st)
		return -1;
	if (id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		row.seq = sqlite3_column_int64(st, 0);
		row.ts = sqlite3_column_int64(st, 1);
		row.id = (const char *)sqlite3_column_text(st, 2);
		row.txid = (const char *)sqlite3_column_text(st, 3);
		row.event = (const char *)sqlite3_column_text(st, 4);
		row.decision = (const char *)sqlite3_column_text(st, 5);
		row.detail = (const char *)sqlite3_column_text(st, 6);
		ret = fn(&row, arg);
		if (ret)
			break;
	}
	if (!ret && r != SQLITE_DONE) {
		db_err(db, "audit");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

const char *hn_state_name(int state)
{
	switch (state) {
	case HN_IDLE:
		return "idle";
	case HN_NOTICE_SENT:
		return "notice-sent";
	case HN_CONFIRM_SENT:
		return "confirm-sent";
	case HN_STALLED:
		return "stalled";
	}
	return "?";
}

void hn_sub_wipe(struct hn_sub *s)
{
	hn_wipe(s, sizeof(*s));
}
