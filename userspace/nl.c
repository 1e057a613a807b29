// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - generic netlink helpers for the "subcred" family (libnl-genl-3).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/subcred.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif

static const char *const scnl_attr_names[] = {
	[SUBCRED_A_UNSPEC]		= "SUBCRED_A_UNSPEC",
	[SUBCRED_A_ID]			= "SUBCRED_A_ID",
	[SUBCRED_A_K]			= "SUBCRED_A_K",
	[SUBCRED_A_OPC]			= "SUBCRED_A_OPC",
	[SUBCRED_A_SQN]			= "SUBCRED_A_SQN",
	[SUBCRED_A_KEY_VERSION]		= "SUBCRED_A_KEY_VERSION",
	[SUBCRED_A_MAX_AGE]		= "SUBCRED_A_MAX_AGE",
	[SUBCRED_A_PENDING_TIMEOUT]	= "SUBCRED_A_PENDING_TIMEOUT",
	[SUBCRED_A_KEY_SERIAL]		= "SUBCRED_A_KEY_SERIAL",
	[SUBCRED_A_AGE]			= "SUBCRED_A_AGE",
	[SUBCRED_A_EVENT]		= "SUBCRED_A_EVENT",
	[SUBCRED_A_PAD]			= "SUBCRED_A_PAD",
	[SUBCRED_A_MSG]			= "SUBCRED_A_MSG",
	[SUBCRED_A_BLOB]		= "SUBCRED_A_BLOB",
	[SUBCRED_A_GENERATION]		= "SUBCRED_A_GENERATION",
	[SUBCRED_A_RAND]		= "SUBCRED_A_RAND",
	[SUBCRED_A_AUTN]		= "SUBCRED_A_AUTN",
	[SUBCRED_A_RES]			= "SUBCRED_A_RES",
	[SUBCRED_A_AUTS]		= "SUBCRED_A_AUTS",
	[SUBCRED_A_STATE]		= "SUBCRED_A_STATE",
	[SUBCRED_A_STATS]		= "SUBCRED_A_STATS",
};

const char *scnl_attr_name(int type)
{
	if (type < 0 || (size_t)type >= sizeof(scnl_attr_names) /
					sizeof(scnl_attr_names[0]))
		return NULL;
	return scnl_attr_names[type];
}

int scnl_nlerr_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS:	return 0;
	case NLE_INTR:		return EINTR;
	case NLE_BAD_SOCK:	return EBADF;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_NOMEM:		return ENOMEM;	/* also ENOBUFS */
	case NLE_EXIST:		return EEXIST;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_BUSY:		return EBUSY;
	case NLE_NOACCESS:	return EACCES;
	case NLE_PERM:		return EPERM;
	case NLE_NODEV:		return ENODEV;
	case NLE_DUMP_INTR:	return EINTR;
	default:		return EPROTO;
	}
}

/* Attribute of the request in flight that starts at byte @offs, or -1. */
static int scnl_offs_attr(struct nl_msg *req, uint32_t offs)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *gnlh;
	struct nlattr *a;
	int rem;

	if (!req)
		return -1;
	nlh = nlmsg_hdr(req);
	gnlh = nlmsg_data(nlh);
	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		size_t pos = (size_t)((char *)a - (char *)nlh);

		if (offs >= pos && offs < pos + NLA_ALIGN(a->nla_len))
			return nla_type(a);
	}
	return -1;
}

/*
 * Parse the extack TLVs of an NLMSG_ERROR or NLMSG_DONE message; they
 * start @off bytes into the payload.
 */
static void scnl_parse_ext(struct scnl *nl, const struct nlmsghdr *nlh,
			   size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t plen;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN)
		return;
	plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= plen)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((unsigned char *)NLMSG_DATA(nlh) + off),
		      (int)(plen - off), NULL) < 0)
		return;

	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->ext.msg, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->ext.msg));
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    nla_len(tb[NLMSGERR_ATTR_OFFS]) >= (int)sizeof(uint32_t))
		nl->ext.attr = scnl_offs_attr(nl->req,
					nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
#ifdef NLMSGERR_ATTR_MISS_TYPE
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= (int)sizeof(uint32_t))
		nl->ext.miss_type =
			(int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
#endif
}

/* Offset of the extack TLVs in the payload of an NLMSG_ERROR message. */
static size_t scnl_err_tlv_off(const struct nlmsghdr *nlh,
			       const struct nlmsgerr *e)
{
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	return off;
}

static int scnl_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the payload; the header sits right before it */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)
		((const unsigned char *)e - NLMSG_HDRLEN);
	struct scnl *nl = arg;

	(void)nla;
	nl->ext.err = e->error < 0 ? -e->error : e->error;
	scnl_parse_ext(nl, nlh, scnl_err_tlv_off(nlh, e));
	nl->done = 1;
	return NL_STOP;
}

static int scnl_ack_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct scnl *nl = arg;

	/* an ACK may carry a warning */
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr))
		scnl_parse_ext(nl, nlh, scnl_err_tlv_off(nlh, NLMSG_DATA(nlh)));
	nl->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; its payload is an int error (and extack TLVs) */
static int scnl_finish_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct scnl *nl = arg;
	int err;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(err)) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			nl->ext.err = -err;
			scnl_parse_ext(nl, nlh, sizeof(err));
		}
	}
	nl->done = 1;
	return NL_STOP;
}

int scnl_open(struct scnl *nl)
{
	int one = 1;
	int fd, r;

	memset(nl, 0, sizeof(*nl));
	nl->ext.attr = -1;
	nl->ext.miss_type = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	r = genl_connect(nl->sk);
	if (r < 0)
		goto fail;

	/*
	 * Extended ACK for error strings and offsets; capped ACK so that an
	 * error reply never copies a request (K, OPc) back to us.
	 * Both are best effort (Linux >= 4.12 and >= 4.3).
	 */
	fd = nl_socket_get_fd(nl->sk);
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_enable_msg_peek(nl->sk);

	r = genl_ctrl_resolve(nl->sk, SUBCRED_GENL_NAME);
	if (r < 0)
		goto fail;
	nl->family = r;
	return 0;

fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -scnl_nlerr_errno(r);
}

void scnl_close(struct scnl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *scnl_msg(const struct scnl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, SUBCRED_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int scnl_send(struct scnl *nl, struct nl_msg *req)
{
	int r;

	nl->req = req;
	r = nl_send_auto(nl->sk, req);
	return r < 0 ? -scnl_nlerr_errno(r) : 0;
}

/* No error, no details. */
static void scnl_ext_clear(struct scnl *nl)
{
	memset(&nl->ext, 0, sizeof(nl->ext));
	nl->ext.attr = -1;
	nl->ext.miss_type = -1;
}

int scnl_recv(struct scnl *nl, nl_recvmsg_msg_cb_t cb, void *arg)
{
	struct nl_cb *c;
	int r;

	scnl_ext_clear(nl);
	nl->done = 0;

	c = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c) {
		nl->ext.err = ENOMEM;
		goto out;
	}
	nl_cb_err(c, NL_CB_CUSTOM, scnl_err_cb, nl);
	nl_cb_set(c, NL_CB_ACK, NL_CB_CUSTOM, scnl_ack_cb, nl);
	nl_cb_set(c, NL_CB_FINISH, NL_CB_CUSTOM, scnl_finish_cb, nl);
	if (cb)
		nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);

	while (!nl->done) {
		r = nl_recvmsgs(nl->sk, c);
		if (r == -NLE_DUMP_INTR && !nl->ext.err) {
			/* dump changed under us; the caller may retry */
			nl->ext.err = EINTR;
			break;
		}
		if (r < 0 && !nl->done) {
			nl->ext.err = scnl_nlerr_errno(r);
			break;
		}
	}
	nl_cb_put(c);
out:
	nl->req = NULL;
	return -nl->ext.err;
}

int scnl_transact(struct scnl *nl, struct nl_msg *req,
		  nl_recvmsg_msg_cb_t cb, void *arg)
{
	int r = scnl_send(nl, req);

	if (r < 0) {
		nl->req = NULL;
		return r;
	}
	return scnl_recv(nl, cb, arg);
}

/*
 * Before Linux 6.7 the kernel cannot refuse the join to a process without
 * CAP_NET_ADMIN; the module then sends it no event.  So that it fails the
 * same way everywhere, a CRED_GET without an id tells: the kernel answers
 * EPERM for want of CAP_NET_ADMIN before it looks at the attributes, and
 * EINVAL (no id) otherwise.
 */
static int scnl_may_listen(struct scnl *nl)
{
	struct nl_msg *req = scnl_msg(nl, SUBCRED_CMD_CRED_GET, 0);
	int r;

	if (!req)
		return -ENOMEM;
	r = scnl_transact(nl, req, NULL, NULL);
	nlmsg_free(req);
	scnl_ext_clear(nl);	/* the probe's "missing attribute" is no news */
	return r == -EPERM ? r : 0;
}

int scnl_join(struct scnl *nl, const char *name)
{
	int grp, r;

	grp = genl_ctrl_resolve_grp(nl->sk, SUBCRED_GENL_NAME, name);
	if (grp < 0)
		return -scnl_nlerr_errno(grp);
	/* first: after the join, its reply could be preceded by an event */
	r = scnl_may_listen(nl);
	if (r)
		return r;
	r = nl_socket_add_membership(nl->sk, grp);
	return r < 0 ? -scnl_nlerr_errno(r) : 0;
}

static void scnl_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void scnl_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
	if (*pos >= len)
		*pos = len - 1;
}

static const char *scnl_label(int type, char *buf, size_t len)
{
	const char *name = scnl_attr_name(type);

	if (name)
		return name;
	snprintf(buf, len, "#%d", type);
	return buf;
}

size_t scnl_ext_format(const struct scnl_ext *ext, char *buf, size_t len)
{
	char tmp[16];
	size_t pos = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!ext->msg[0] && ext->attr < 0 && ext->miss_type < 0)
		return 0;

	scnl_cat(buf, len, &pos, "kernel: ");
	if (ext->attr >= 0)
		scnl_cat(buf, len, &pos, "attribute %s%s",
			 scnl_label(ext->attr, tmp, sizeof(tmp)),
			 ext->msg[0] || ext->miss_type >= 0 ? ": " : "");
	if (ext->msg[0])
		scnl_cat(buf, len, &pos, "%s", ext->msg);
	if (ext->miss_type >= 0)
		scnl_cat(buf, len, &pos, "%s%s",
			 ext->msg[0] ? ": " : "missing attribute ",
			 scnl_label(ext->miss_type, tmp, sizeof(tmp)));
	return pos;
}
