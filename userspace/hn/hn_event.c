// SPDX-License-Identifier: GPL-2.0
/*
 * Events of subcred-hn: every decision becomes one log line (after the
 * commit, by the caller) and one audit row (in the same SQL transaction
 * as the state change it describes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hn_ctx.h"
#include "hn_util.h"

#define TXID	SUBCRED_WIRE_TXID_LEN

static const char *const decision_names[] = {
	[HN_D_NONE] = "none",
	[HN_D_DROP] = "drop",
	[HN_D_UNKNOWN_ID] = "drop-unknown-id",
	[HN_D_IGNORE] = "ignore",
	[HN_D_NO_CHANGE] = "no-change",
	[HN_D_NOTICE] = "notice",
	[HN_D_CONFIRM] = "confirm",
	[HN_D_COMMIT] = "commit",
	[HN_D_ABORT] = "abort",
	[HN_D_RESYNC] = "resync",
	[HN_D_ABANDON] = "abandon",
	[HN_D_STALL] = "stall",
	[HN_D_RETRANSMIT] = "retransmit",
	[HN_D_REPROBE] = "reprobe",
	[HN_D_QUEUED] = "rekey-queued",
	[HN_D_CHALLENGE] = "challenge",
	[HN_D_ADD] = "add",
	[HN_D_DELETE] = "delete",
};

const char *hn_decision_name(enum hn_decision d)
{
	if ((unsigned int)d >= sizeof(decision_names) / sizeof(*decision_names))
		return "?";
	return decision_names[d];
}

int hn_result_has(const struct hn_result *res, enum hn_decision d)
{
	int i;

	for (i = 0; i < res->nev; i++)
		if (res->ev[i].decision == d)
			return 1;
	return 0;
}

void hn_result_log(const struct hn_result *res)
{
	char hex[2 * TXID + 1];
	int i;

	for (i = 0; i < res->nev; i++) {
		const struct hn_event *e = &res->ev[i];

		if (e->has_txid)
			hn_hex(e->txid, TXID, hex);
		else
			strcpy(hex, "-");
		hn_log("id=%s txid=%s event=%s decision=%s%s%s",
		       e->id[0] ? e->id : "-", hex, e->event,
		       hn_decision_name(e->decision), e->detail[0] ? ": " : "",
		       e->detail);
	}
}

void hn_ev(struct hn_ctx *c, const uint8_t *txid, enum hn_decision d, const char *fmt,
   ...)
{
	struct hn_result *r = c->res;
	struct hn_event *e;
	size_t n;
	va_list ap;

	if (r->nev == HN_EV_MAX)
		return;
	e = &r->ev[r->nev++];
	memset(e, 0, sizeof(*e));
	if (c->s)
		snprintf(e->id, sizeof(e->id), "%s", c->s->id);
	if (txid) {
		e->has_txid = 1;
		memcpy(e->txid, txid, TXID);
	}
	e->event = c->event;
	e->decision = d;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	n = strlen(e->detail);
	if (c->from && n + 1 < sizeof(e->detail))
		snprintf(e->detail + n, sizeof(e->detail) - n, "%sfrom %s",
			 n ? "; " : "", c->from);
}

int hn_finish(struct hn_ctx *c)
{
	int i;

	if (c->s)
		c->s->updated = c->now;
	if (c->s && hn_db_put(c->db, c->s))
		goto fail;
	for (i = 0; i < c->res->nev; i++) {
		const struct hn_event *e = &c->res->ev[i];

		if (hn_db_audit(c->db, c->now, e->id[0] ? e->id : NULL,
				e->has_txid ? e->txid : NULL, e->event,
				hn_decision_name(e->decision), e->detail))
			goto fail;
	}
	if (hn_db_commit(c->db))
		goto fail_nr;
	return 0;
fail:
	hn_db_rollback(c->db);
fail_nr:
	c->res->nout = 0;
	return -1;
}

void hn_res_init(struct hn_result *res)
{
	res->nev = 0;
	res->nout = 0;
}
