/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl.h - generic netlink helpers for the "subcred" family (libnl-genl-3).
 *
 * Shared by subcredctl and subcred-agent: socket setup, family resolution,
 * request/reply transactions and extended ACK (extack) error details.
 */
#ifndef SUBCRED_NL_H
#define SUBCRED_NL_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

/* Details of the last error (or warning) reported by the kernel. */
struct scnl_ext {
	int err;		/* positive errno, 0 = success */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	int attr;		/* attribute at NLMSGERR_ATTR_OFFS, or -1 */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
};

struct scnl {
	struct nl_sock *sk;
	int family;		/* resolved generic netlink family id */
	struct scnl_ext ext;	/* filled in by scnl_recv() */
	/* private */
	struct nl_msg *req;	/* request in flight, to map error offsets */
	int done;
};

/*
 * Open a generic netlink socket (extended ACK on, capped ACK so that error
 * replies never echo a request carrying key material) and resolve the
 * "subcred" family.  Returns 0, -ENOENT if the family is not registered
 * (module not loaded), or another negative errno.
 */
int scnl_open(struct scnl *nl);
void scnl_close(struct scnl *nl);

/* New request for @cmd; @flags e.g. NLM_F_DUMP (NLM_F_ACK is automatic). */
struct nl_msg *scnl_msg(const struct scnl *nl, uint8_t cmd, int flags);

/*
 * scnl_send() sends @req, scnl_recv() reads until the ACK, NLMSG_DONE or an
 * error, calling @cb (may be NULL) for every reply message.  @req must stay
 * allocated until scnl_recv() returns (error offsets are mapped back onto
 * its attributes).  Both return 0 or a negative errno; after scnl_recv()
 * nl->ext holds the kernel's extack details (also the warning text of a
 * successful ACK, with ext.err == 0).
 */
int scnl_send(struct scnl *nl, struct nl_msg *req);
int scnl_recv(struct scnl *nl, nl_recvmsg_msg_cb_t cb, void *arg);
int scnl_transact(struct scnl *nl, struct nl_msg *req,
		  nl_recvmsg_msg_cb_t cb, void *arg);

/*
 * Join the multicast group @name of the family (-ENOENT if unknown, -EPERM
 * without CAP_NET_ADMIN on every kernel).
 */
int scnl_join(struct scnl *nl, const char *name);

/* "SUBCRED_A_K" etc., or NULL for an unknown type. */
const char *scnl_attr_name(int type);

/*
 * Format ext as "kernel: attribute SUBCRED_A_K: <msg>" into @buf; returns
 * the length, 0 if the kernel gave no details.
 */
size_t scnl_ext_format(const struct scnl_ext *ext, char *buf, size_t len);

/* Map a libnl error code (positive or negative NLE_*) to a positive errno. */
int scnl_nlerr_errno(int nlerr);

#endif /* SUBCRED_NL_H */
