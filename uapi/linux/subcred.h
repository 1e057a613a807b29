/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * subcred: subscription security credentials (K, OPc, SQN) held in the
 * kernel and updated over the air.
 *
 * Generic netlink family "subcred", version 1. Every command needs
 * CAP_NET_ADMIN in the initial user namespace. K and OPc go in once, with
 * SUBCRED_CMD_CRED_NEW, and never come out: replies, dumps and events
 * carry no key material; blobs are sealed by the module; the AKA reply
 * carries only RES or AUTS. Bad lengths and out-of-range values are
 * -ERANGE or -EINVAL with an extended ack naming the attribute.
 *
 * SUBCRED_CMD_CRED_NEW: provision a credential.
 *   SUBCRED_A_ID                 required, 1..64 of [A-Za-z0-9._-]
 *   SUBCRED_A_K                  required, 16 octets
 *   SUBCRED_A_OPC                required, 16 octets
 *   SUBCRED_A_SQN                optional u64, initial SQN_MS (< 2^48), 0
 *   SUBCRED_A_KEY_VERSION        optional u32, 1..0xfffffffe, default 1
 *   SUBCRED_A_MAX_AGE            optional u32 seconds, 0 = never (default)
 *   SUBCRED_A_PENDING_TIMEOUT    optional u32 seconds, 1..86400, default
 *                                the module parameter pending_timeout
 *
 * SUBCRED_CMD_CRED_DEL: delete a credential; its key material is wiped.
 *   SUBCRED_A_ID                 required
 *
 * SUBCRED_CMD_CRED_GET: doit with SUBCRED_A_ID, or dump of all credentials.
 *   Reply (one message per credential): SUBCRED_A_ID, SUBCRED_A_KEY_SERIAL,
 *   SUBCRED_A_KEY_VERSION, SUBCRED_A_SQN, SUBCRED_A_MAX_AGE,
 *   SUBCRED_A_PENDING_TIMEOUT, SUBCRED_A_AGE, SUBCRED_A_GENERATION,
 *   SUBCRED_A_STATE, SUBCRED_A_STATS.
 *
 * SUBCRED_CMD_CRED_SET: change the policy of a credential.
 *   SUBCRED_A_ID                 required
 *   SUBCRED_A_MAX_AGE            optional (at least one of the two)
 *   SUBCRED_A_PENDING_TIMEOUT    optional
 *
 * SUBCRED_CMD_EVENT: notification on the multicast group "events"
 *   (CAP_NET_ADMIN to join, or before Linux 6.7 to receive; delivered in
 *   the network namespaces of the initial user namespace only):
 *   SUBCRED_A_EVENT, SUBCRED_A_ID, SUBCRED_A_KEY_VERSION; with
 *   SUBCRED_EVENT_REQUEST also SUBCRED_A_MSG, the REQUEST message for the
 *   agent to send to the network.
 *
 * The update (Documentation/protocol.md). The kernel's answer to any input
 * is a sealed state to make durable (SUBCRED_A_BLOB with its
 * SUBCRED_A_GENERATION) or a message to send (SUBCRED_A_MSG), never both:
 * a message that depends on a state leaves only after SUBCRED_CMD_PERSISTED
 * for that state.
 *
 * SUBCRED_CMD_MSG: an over-the-air message from the network.
 *   SUBCRED_A_MSG                required, the message as received
 *   Reply: SUBCRED_A_ID, SUBCRED_A_KEY_VERSION, and SUBCRED_A_BLOB +
 *   SUBCRED_A_GENERATION, or SUBCRED_A_MSG, or neither (a duplicate that
 *   needs no answer). An error (the message is dropped and counted, e.g.
 *   -EBADMSG for a CONFIRM that does not verify, -EBUSY for a NOTICE while
 *   an update is being committed) means: send nothing.
 *
 * SUBCRED_CMD_PERSISTED: the blob of a generation is durable.
 *   SUBCRED_A_ID, SUBCRED_A_GENERATION   required
 *   Reply: SUBCRED_A_ID, SUBCRED_A_KEY_VERSION and, if one was waiting
 *   for this state, SUBCRED_A_MSG.
 *
 * SUBCRED_CMD_CRED_EXPORT: the current state of a credential, sealed.
 *   SUBCRED_A_ID                 required
 *   Reply: SUBCRED_A_ID, SUBCRED_A_KEY_VERSION, SUBCRED_A_BLOB,
 *   SUBCRED_A_GENERATION.
 *
 * SUBCRED_CMD_CRED_IMPORT: restore a sealed state (at boot).
 *   SUBCRED_A_BLOB               required
 *   SUBCRED_A_ID                 optional, must be the blob's id
 *   Reply: SUBCRED_A_ID, SUBCRED_A_GENERATION, SUBCRED_A_KEY_VERSION.
 *
 * SUBCRED_CMD_AKA: an ordinary authentication with the active key (tests,
 * diagnostics). SUBCRED_A_ID, SUBCRED_A_RAND, SUBCRED_A_AUTN required.
 *   Reply: SUBCRED_A_RES, or SUBCRED_A_AUTS on a sequence failure;
 *   -EBADMSG on a MAC failure.
 */
#ifndef _UAPI_LINUX_SUBCRED_H
#define _UAPI_LINUX_SUBCRED_H

#define SUBCRED_GENL_NAME		"subcred"
#define SUBCRED_GENL_VERSION		1
#define SUBCRED_MCGRP_EVENTS		"events"

#define SUBCRED_ID_MAX_LEN		64
#define SUBCRED_K_LEN			16
#define SUBCRED_OPC_LEN			16
#define SUBCRED_SQN_MAX			0xffffffffffffULL
#define SUBCRED_KEY_VERSION_MAX		0xfffffffeU
#define SUBCRED_PENDING_TIMEOUT_MAX	86400

enum subcred_cmd {
	SUBCRED_CMD_UNSPEC,
	SUBCRED_CMD_CRED_NEW,
	SUBCRED_CMD_CRED_DEL,
	SUBCRED_CMD_CRED_GET,
	SUBCRED_CMD_CRED_SET,
	SUBCRED_CMD_EVENT,
	SUBCRED_CMD_MSG,
	SUBCRED_CMD_PERSISTED,
	SUBCRED_CMD_CRED_EXPORT,
	SUBCRED_CMD_CRED_IMPORT,
	SUBCRED_CMD_AKA,

	__SUBCRED_CMD_MAX
};

#define SUBCRED_CMD_MAX (__SUBCRED_CMD_MAX - 1)

enum subcred_attr {
	SUBCRED_A_UNSPEC,
	SUBCRED_A_ID,			/* NUL-terminated string */
	SUBCRED_A_K,			/* binary, SUBCRED_K_LEN */
	SUBCRED_A_OPC,			/* binary, SUBCRED_OPC_LEN */
	SUBCRED_A_SQN,			/* u64 */
	SUBCRED_A_KEY_VERSION,		/* u32 */
	SUBCRED_A_MAX_AGE,		/* u32, seconds */
	SUBCRED_A_PENDING_TIMEOUT,	/* u32, seconds */
	SUBCRED_A_KEY_SERIAL,		/* u32, serial of the kernel key */
	SUBCRED_A_AGE,			/* u64, seconds since the key was set */
	SUBCRED_A_EVENT,		/* u32, enum subcred_event */
	SUBCRED_A_PAD,
	SUBCRED_A_MSG,			/* binary, an over-the-air message */
	SUBCRED_A_BLOB,			/* binary, a sealed state */
	SUBCRED_A_GENERATION,		/* u64, the state's generation */
	SUBCRED_A_RAND,			/* binary, 16 */
	SUBCRED_A_AUTN,			/* binary, 16 */
	SUBCRED_A_RES,			/* binary, 8 */
	SUBCRED_A_AUTS,			/* binary, 14 */
	SUBCRED_A_STATE,		/* u32, enum subcred_state */
	SUBCRED_A_STATS,		/* nested, enum subcred_stat */

	__SUBCRED_A_MAX
};

#define SUBCRED_A_MAX (__SUBCRED_A_MAX - 1)

enum subcred_event {
	SUBCRED_EVENT_UNSPEC,
	SUBCRED_EVENT_NEW,		/* credential provisioned */
	SUBCRED_EVENT_DEL,		/* credential deleted and wiped */
	SUBCRED_EVENT_SET,		/* policy changed */
	SUBCRED_EVENT_UPDATED,		/* new key active (version is new) */
	SUBCRED_EVENT_REQUEST,		/* key too old: send SUBCRED_A_MSG */
	SUBCRED_EVENT_EXPIRED,		/* a pending update timed out */
	SUBCRED_EVENT_CHANGED,		/* stored state changed (SQN): export */

	__SUBCRED_EVENT_MAX
};

#define SUBCRED_EVENT_MAX (__SUBCRED_EVENT_MAX - 1)

enum subcred_state {
	SUBCRED_STATE_IDLE,		/* no update under way */
	SUBCRED_STATE_PENDING,		/* RESPONSE sent, waiting for CONFIRM */
	SUBCRED_STATE_COMMITTING,	/* new state sealed, waiting PERSISTED */
};

/* Per-credential counters, u64 each, nested in SUBCRED_A_STATS. */
enum subcred_stat {
	SUBCRED_STAT_UNSPEC,
	SUBCRED_STAT_UPDATES,		/* updates committed */
	SUBCRED_STAT_REJECT_MAC,	/* REJECT cause 1 sent */
	SUBCRED_STAT_REJECT_TAG,	/* REJECT cause 2 */
	SUBCRED_STAT_REJECT_VERSION,	/* REJECT cause 3 */
	SUBCRED_STAT_REJECT_PK,		/* REJECT cause 4 */
	SUBCRED_STAT_REJECT_NO_TXN,	/* REJECT cause 5 */
	SUBCRED_STAT_SYNC,		/* SQN failures answered with SYNC */
	SUBCRED_STAT_DUPLICATE,		/* NOTICE/CONFIRM answered from cache */
	SUBCRED_STAT_DROPPED,		/* bad CONFIRM tag or version, busy */
	SUBCRED_STAT_EXPIRED,		/* pending updates timed out */
	SUBCRED_STAT_REQUESTS,		/* REQUEST events for key age */
	SUBCRED_STAT_AKA,		/* ordinary authentications */
	SUBCRED_STAT_PAD,

	__SUBCRED_STAT_MAX
};

#define SUBCRED_STAT_MAX (__SUBCRED_STAT_MAX - 1)

#endif /* _UAPI_LINUX_SUBCRED_H */
