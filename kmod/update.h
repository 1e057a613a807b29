/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of the update (Documentation/protocol.md §5).
 */
#ifndef _SUBCRED_UPDATE_H
#define _SUBCRED_UPDATE_H

#include <linux/bits.h>
#include <linux/netlink.h>

#include "cred.h"
#include "wire.h"

/*
 * The kernel's answer to an input: a sealed state to make durable, or a
 * message to send, or nothing. Never both (see uapi/linux/subcred.h).
 */
struct subcred_answer {
	struct key *key;		/* the credential, referenced */
	u8 *blob;			/* kmalloc'ed */
	size_t blob_len;
	u64 generation;
	size_t msg_len;
	u8 msg[SUBCRED_WIRE_MAX_LEN];
};

void subcred_answer_release(struct subcred_answer *ans);

int subcred_update_input(const u8 *buf, size_t len,
			 struct subcred_answer *ans,
			 struct netlink_ext_ack *extack);
int subcred_update_persisted(struct key *key, u64 generation,
			     struct subcred_answer *ans,
			     struct netlink_ext_ack *extack);
int subcred_update_export(struct key *key, struct subcred_answer *ans,
			  struct netlink_ext_ack *extack);
int subcred_update_import(const u8 *blob, size_t len, const char *id,
			  struct subcred_answer *ans,
			  struct netlink_ext_ack *extack);
int subcred_update_aka(struct key *key, const u8 *rand, const u8 *autn,
		       u8 *res, u8 *auts, struct netlink_ext_ack *extack);

/* Internal to the update: challenge.c */
#define SUBCRED_AMF_REKEY	0x0080		/* design §4 */
#define SUBCRED_SEQ_DELTA	BIT_ULL(28)	/* TS 33.102 C.3 */

struct subcred_aka_out {
	u64 sqn;
	u8 res[SUBCRED_WIRE_RES_LEN];
	u8 ck[16];
	u8 ik[16];
	u8 auts[SUBCRED_WIRE_AUTS_LEN];
};

int subcred_auts(const u8 *k, const u8 *opc, const u8 *rand, u64 sqn_ms,
		 u8 *auts);
int subcred_challenge(struct key *key, const u8 *rand, const u8 *autn,
		      bool rekey, struct subcred_aka_out *out);
void subcred_accept_sqn(struct subcred_cred *cred, u64 sqn);

/* notice.c */

/* Work space of one NOTICE, on the heap: most of it is secret. */
struct subcred_notice_ws {
	struct subcred_aka_out aka;
	u8 k_auth[32];
	u8 tag[32];
	u8 sk[32];			/* ephemeral X25519 key pair */
	u8 pk[32];
	u8 ikm[16 + 16 + 32];		/* CK || IK || Z */
	u8 s[32];
	u8 out[32];
	struct subcred_msg resp;
};

int subcred_k_auth(const u8 *ck, const u8 *ik, const struct subcred_msg *m,
		   u8 *k_auth);
int subcred_respond(const u8 *notice, size_t len,
		    const struct subcred_msg *m, u32 version,
		    struct subcred_notice_ws *ws, struct subcred_pending *p);
int subcred_tag_keys(const u8 *k, const u8 *opc, const char *id,
		     const char *label, const u8 *ctx, size_t ctx_len,
		     u8 *msg, size_t len);
int subcred_tag_active(struct key *key, const char *label, const u8 *ctx,
		       size_t ctx_len, u8 *msg, size_t len);
int subcred_notice(struct key *key, const u8 *buf, size_t len,
		   const struct subcred_msg *m, struct subcred_answer *ans,
		   struct netlink_ext_ack *extack);
int subcred_reject(struct key *key, const u8 *txid, u8 cause,
		   struct subcred_answer *ans);

/* commit.c */
int subcred_confirm_tag(const struct subcred_pending *p, const char *label,
			const u8 *msg, size_t len, u8 *tag);
int subcred_ack(const struct subcred_msg *m, struct subcred_pending *p);
void subcred_last_set(struct subcred_last *last,
		      const struct subcred_pending *p);
int subcred_last_ack(const char *id, u8 id_len, u32 version,
		     const struct subcred_last *last, u8 *out, size_t size);
int subcred_confirm(struct key *key, const u8 *buf, size_t len,
		    const struct subcred_msg *m, struct subcred_answer *ans,
		    struct netlink_ext_ack *extack);
int subcred_answer_seal(struct key *key, struct subcred_answer *ans,
			struct netlink_ext_ack *extack);

#endif /* _SUBCRED_UPDATE_H */
