/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to hn_proto.c and hn_admin.c: the context of one call (one SQL
 * transaction) and how its events become log lines and audit rows.
 */
#ifndef HN_CTX_H
#define HN_CTX_H

#include "hn_proto.h"

/* Everything one call works on. */
struct hn_ctx {
	hn_db *db;
	const struct hn_cfg *cfg;
	int64_t now;
	struct hn_result *res;
	struct hn_sub *s;	/* the subscriber, written back by hn_finish() */
	const char *event;	/* what triggered this call */
	const char *from;	/* source address of a datagram, or NULL */
};

/* Record an event of c->s (or of no subscriber): log line and audit row. */
void hn_ev(struct hn_ctx *c, const uint8_t *txid, enum hn_decision d,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Write c->s back (if set) and the audit rows of the events, then commit.
 * On failure: rollback, nothing to send. 0 or -1.
 */
int hn_finish(struct hn_ctx *c);

void hn_res_init(struct hn_result *res);

#endif /* HN_CTX_H */
