// SPDX-License-Identifier: GPL-2.0
/*
 * The administrative entry points of hn_proto.h: provision and delete a
 * subscriber, make an ordinary AKA vector (challenge). Each is one SQL
 * transaction with its audit row.
 */
#include <stdio.h>
#include <string.h>

#include "hn_ctx.h"
#include "hn_util.h"

#define SEQ_MAX	((1ULL << 43) - 1)

int hn_proto_add(hn_db *db, struct hn_sub *s, int64_t now)
{
	return hn_proto_add_many(db, s, 1, now, NULL);
}

int hn_proto_add_many(hn_db *db, struct hn_sub *s, size_t n, int64_t now,
		      size_t *bad)
{
	char detail[HN_DETAIL_MAX];
	size_t i;

	if (hn_db_begin(db))
		return -1;
	for (i = 0; i < n; i++) {
		int r;

		s[i].state = HN_IDLE;
		s[i].has_txn = 0;
		s[i].created = s[i].updated = now;
		r = hn_db_insert(db, &s[i]);
		snprintf(detail, sizeof(detail), "key_version %u, next SEQ %llu, "
			 "device %s", s[i].version,
			 (unsigned long long)s[i].seq_next,
			 s[i].device[0] ? s[i].device : "unknown");
		if (!r && hn_db_audit(db, now, s[i].id, NULL, "add",
				      hn_decision_name(HN_D_ADD), detail))
			r = -1;
		if (r) {
			hn_db_rollback(db);
			if (bad)
				*bad = i;
			return r;
		}
	}
	return hn_db_commit(db);
}

int hn_proto_delete(hn_db *db, const char *id, int64_t now)
{
	struct hn_result res;
	struct hn_ctx c = {
		.db = db, .now = now, .res = &res, .event = "delete",
	};
	int r;

	hn_res_init(&res);
	if (hn_db_begin(db))
		return -1;
	r = hn_db_delete(db, id);
	if (r) {
		hn_db_rollback(db);
		return r;
	}
	hn_ev(&c, NULL, HN_D_DELETE, "keys wiped");
	snprintf(res.ev[0].id, sizeof(res.ev[0].id), "%s", id);
	return hn_finish(&c);
}

int hn_proto_challenge(hn_db *db, const char *id, enum hn_key_choice which,
		       int64_t now, struct hn_vector *v)
{
	static const uint8_t amf[HN_AMF_LEN] = {
		HN_AMF_AKA >> 8, HN_AMF_AKA & 0xff,
	};
	static const char *const names[] = { "current", "old", "new" };
	const struct hn_key *key;
	struct hn_result res;
	struct hn_sub s;
	struct hn_ctx c = {
		.db = db, .now = now, .res = &res, .s = &s,
		.event = "challenge",
	};
	int r;

	hn_res_init(&res);
	memset(v, 0, sizeof(*v));
	if (hn_db_begin(db))
		return -1;
	r = hn_db_get(db, id, &s);
	if (r <= 0) {
		hn_db_rollback(db);
		return r < 0 ? -1 : 1;
	}
	key = &s.key;
	v->key_version = s.version;
	if (which != HN_KEY_CURRENT && !(s.has_txn && s.txn.has_new)) {
		hn_db_rollback(db);
		hn_sub_wipe(&s);
		return 2;
	}
	if (which == HN_KEY_NEW) {
		key = &s.txn.new_key;
		v->key_version = s.version + 1;
	}
	if (s.seq_next > SEQ_MAX)
		goto fail;
	hn_sqn_make(s.seq_next, s.ind_next, v->sqn);
	if (hn_proto_random(v->rand, HN_RAND_LEN) ||
	    hn_msg_autn(key, v->rand, v->sqn, amf, v->autn, v->xres))
		goto fail;
	s.seq_next++;
	s.ind_next = (s.ind_next + 1) % 32;
	hn_ev(&c, NULL, HN_D_CHALLENGE, "key %s (key_version %u), SEQ %llu IND "
	   "%u", names[which], v->key_version,
	   (unsigned long long)hn_sqn_seq(v->sqn), hn_sqn_ind(v->sqn));
	r = hn_finish(&c);
	hn_sub_wipe(&s);
	return r;
fail:
	hn_db_rollback(db);
	hn_sub_wipe(&s);
	return -1;
}
