// SPDX-License-Identifier: GPL-2.0
/* Shared helpers of the subcred-hn unit tests (see thelp.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hn_util.h"
#include "thelp.h"

static uint8_t queue[4096];
static size_t q_len, q_pos;

static int scripted_random(uint8_t *buf, size_t len)
{
	if (q_pos + len <= q_len) {
		memcpy(buf, queue + q_pos, len);
		q_pos += len;
		return 0;
	}
	return hn_random(buf, len);
}

void th_random_push(const uint8_t *p, size_t len)
{
	if (q_len + len > sizeof(queue))
		return;
	memcpy(queue + q_len, p, len);
	q_len += len;
	hn_proto_random = scripted_random;
}

void th_random_reset(void)
{
	q_len = q_pos = 0;
	hn_proto_random = hn_random;
}

int th_db(hn_db *db, char *path, size_t size)
{
	char dir[] = "/tmp/subcred-hn-test.XXXXXX";

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, size, "%s/hn.db", dir);
	return hn_db_open(db, path, 1);
}

void th_db_remove(const char *path)
{
	char buf[4096], *slash;
	static const char *const suffix[] = { "", "-wal", "-shm" };
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "%s%s", path, suffix[i]);
		unlink(buf);
	}
	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		rmdir(buf);
	}
}

int th_add(hn_db *db, const char *id, const struct hn_key *key,
	   uint32_t version, uint64_t seq, unsigned int ind,
	   const char *device)
{
	struct hn_sub s;
	int r;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", id);
	s.key = *key;
	s.version = version;
	s.seq_next = seq;
	s.ind_next = ind;
	if (device)
		snprintf(s.device, sizeof(s.device), "%s", device);
	r = hn_proto_add(db, &s, 1000);
	hn_sub_wipe(&s);
	return r ? -1 : 0;
}

int th_get(hn_db *db, const char *id, struct hn_sub *s)
{
	return hn_db_get(db, id, s);
}

int th_accepts(hn_db *db, const char *id, const struct tdev *d)
{
	struct hn_sub s;
	int r = 0;

	if (th_get(db, id, &s) != 1)
		return 0;
	if (s.version == d->version && !memcmp(&s.key, &d->key, sizeof(d->key)))
		r = 1;
	if (s.has_txn && s.txn.has_new && s.version + 1 == d->version &&
	    !memcmp(&s.txn.new_key, &d->key, sizeof(d->key)))
		r = 1;
	hn_sub_wipe(&s);
	return r;
}

/* Deliver every output of @res to the device and the answers back. */
static int exchange(hn_db *db, const struct hn_cfg *cfg, struct tdev *d,
		    int64_t now, struct hn_result *res, int depth)
{
	struct hn_result next;
	uint8_t ans[HN_MSG_MAX];
	int i;

	for (i = 0; i < res->nout && depth < 8; i++) {
		int n = tdev_input(d, res->out[i].buf, res->out[i].len, ans);
		if (n <= 0)
			continue;
		if (hn_proto_input(db, cfg, ans, n, "127.0.0.1:9", now, &next) ||
		    exchange(db, cfg, d, now, &next, depth + 1))
			return -1;
	}
	return 0;
}

int th_converge(hn_db *db, const struct hn_cfg *cfg, const char *id,
		struct tdev *d, int64_t *now)
{
	struct hn_result res;
	struct hn_sub s;
	uint8_t ans[HN_MSG_MAX], nonce[16];
	int round, n, done = 0;

	for (round = 0; round < 200 && !done; round++) {
		if (th_get(db, id, &s) != 1)
			return 0;
		if (s.state == HN_IDLE && !s.rekey) {
			done = 1;
		} else if (s.state == HN_STALLED ||
			   (s.state == HN_IDLE && s.rekey)) {
			/* the device speaks (e.g. its key-age REQUEST) */
			hn_random(nonce, sizeof(nonce));
			n = tdev_request(d, &d->key, d->version,
					 SUBCRED_REASON_PERIODIC, nonce, ans);
			*now += 10;
			if (hn_proto_input(db, cfg, ans, n, "127.0.0.1:9", *now,
					   &res) ||
			    exchange(db, cfg, d, *now, &res, 0))
				done = -1;
		} else {
			if (s.txn.next_retry > *now)
				*now = s.txn.next_retry;
			if (hn_proto_timer(db, cfg, id, *now, &res) ||
			    exchange(db, cfg, d, *now, &res, 0))
				done = -1;
		}
		hn_sub_wipe(&s);
	}
	if (done != 1 || th_get(db, id, &s) != 1)
		return 0;
	n = s.version == d->version && !memcmp(&s.key, &d->key, sizeof(d->key));
	hn_sub_wipe(&s);
	return n;
}
