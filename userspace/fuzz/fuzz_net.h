/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small network model for fuzz_update (fuzz_net.c): the home network of
 * Documentation/protocol.md §6 for one subscriber, on OpenSSL through
 * subcred-hn's primitives, independent of kmod/. It makes the genuine
 * NOTICE and CONFIRM, checks device messages and keeps the dual-key
 * window of §6.5. It is the harness's oracle of which keys may be active.
 */
#ifndef FUZZ_NET_H
#define FUZZ_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "subcred-types.h"
#include "../../kmod/wire.h"

enum net_state { NET_IDLE, NET_NOTICE_SENT, NET_CONFIRM_SENT };

/* What a device message did at the network. */
enum net_result {
	NET_IGNORED,		/* no transaction it belongs to */
	NET_BAD,		/* does not verify: dropped */
	NET_CONFIRM,		/* RESPONSE verified: CONFIRM to send */
	NET_COMMIT,		/* new key is the current key */
	NET_ABORT,		/* transaction dropped, key unchanged */
	NET_RESYNC,		/* SYNC verified: SEQ_HE moved, IDLE */
};

struct net_cred {
	char id[SUBCRED_WIRE_ID_MAX + 1];
	u8 id_len;
	u8 k[16], opc[16];
	u32 v;
	u64 seq_he;		/* next SEQ */
	unsigned int ind;	/* next IND */
	u64 txids;		/* transactions started */
	enum net_state state;
	u8 txid[SUBCRED_WIRE_TXID_LEN];
	u8 rand[16], xres[8], ck[16], ik[16], k_auth[32], sk[32];
	u8 notice[SUBCRED_WIRE_MAX_LEN];
	size_t notice_len;
	u8 k_new[16], opc_new[16], k_conf[32], h_t[32];
	u8 confirm[SUBCRED_WIRE_MAX_LEN];
	size_t confirm_len;
	unsigned int commits;
};

void net_init(struct net_cred *n, const char *id, const u8 *k, const u8 *opc);

/*
 * The message the network sends now: its NOTICE or CONFIRM again, or a new
 * NOTICE with @reason (1..3) from IDLE. Returns its length, 0 if none.
 */
size_t net_send(struct net_cred *n, u8 reason, u8 *buf);

/* A device message received from the agent. */
enum net_result net_receive(struct net_cred *n, const u8 *buf, size_t len);

/* Whether the device may hold (@k, @opc, @v): the keys of §6.5. */
bool net_holds(const struct net_cred *n, const u8 *k, const u8 *opc, u32 v);

/* An ordinary AKA vector (AMF 8000) under the current key. */
void net_aka_vector(struct net_cred *n, u8 *rand, u8 *autn, u8 *xres);

/* Whether @tag of @msg verifies as TAG_J / TAG_R under (@k, @opc). */
bool net_device_tag_ok(const u8 *k, const u8 *opc, const u8 *msg,
		       size_t len);

#endif
