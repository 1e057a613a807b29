// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink for the selftests (see genl.h). */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define GENL_HDRLEN_ALL	(NLMSG_HDRLEN + GENL_HDRLEN)

static struct nlattr *genl_tail(struct genl_msg *m)
{
	return (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));
}

void genl_msg_init(struct genl_sock *s, struct genl_msg *m, uint8_t cmd,
		   uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, GENL_HDRLEN_ALL);
	m->nlh.nlmsg_len = GENL_HDRLEN_ALL;
	m->nlh.nlmsg_type = s->family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh.nlmsg_seq = ++s->seq;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = 1;
}

void genl_put(struct genl_msg *m, uint16_t type, const void *data,
	      uint16_t len)
{
	struct nlattr *a = genl_tail(m);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(a), data, len);
	memset((char *)NLA_DATA(a) + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

void genl_put_str(struct genl_msg *m, uint16_t type, const char *str)
{
	genl_put(m, type, str, strlen(str) + 1);
}

void genl_put_u32(struct genl_msg *m, uint16_t type, uint32_t v)
{
	genl_put(m, type, &v, sizeof(v));
}

void genl_put_u64(struct genl_msg *m, uint16_t type, uint64_t v)
{
	genl_put(m, type, &v, sizeof(v));
}

void genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
		int max)
{
	const char *p = (const char *)nlh + GENL_HDRLEN_ALL;
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if (type <= max)
			tb[type] = a;
		p += NLA_ALIGN(a->nla_len);
	}
}

uint32_t genl_attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

uint64_t genl_attr_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

const char *genl_attr_str(const struct nlattr *a)
{
	return NLA_DATA(a);
}

/* Keep errno, extack message, bad attribute offset and missing type. */
static int genl_error(struct genl_sock *s, const struct nlmsghdr *nlh,
		      const struct genl_msg *req)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const char *p, *end = (const char *)nlh + nlh->nlmsg_len;

	s->extack[0] = '\0';
	s->bad_attr_offs = 0;
	s->missing_type = 0;
	s->bad_attr_type = -1;
	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;

	p = (const char *)e + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		p += e->msg.nlmsg_len - NLMSG_HDRLEN;
	for (; p + NLA_HDRLEN <= end;) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN)
			break;
		switch (a->nla_type) {
		case NLMSGERR_ATTR_MSG:
			snprintf(s->extack, sizeof(s->extack), "%s",
				 (const char *)NLA_DATA(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			s->bad_attr_offs = genl_attr_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			s->missing_type = genl_attr_u32(a);
			break;
		}
		p += NLA_ALIGN(a->nla_len);
	}
	if (req && s->bad_attr_offs >= GENL_HDRLEN_ALL &&
	    s->bad_attr_offs + NLA_HDRLEN <= req->nlh.nlmsg_len) {
		const struct nlattr *a = (const void *)(req->buf +
							s->bad_attr_offs);

		s->bad_attr_type = a->nla_type & NLA_TYPE_MASK;
	}
	return e->error;
}

static int genl_send(struct genl_sock *s, const struct genl_msg *m)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (sendto(s->fd, m->buf, m->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int genl_do(struct genl_sock *s, struct genl_msg *req,
	    struct genl_msg *reply)
{
	static char buf[65536];
	int err, done = 0, ret = 0;

	err = genl_send(s, req);
	if (err)
		return err;
	while (!done) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != req->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = genl_error(s, nlh, req);
				done = 1;
				break;
			}
			if (reply && nlh->nlmsg_len <= sizeof(reply->buf))
				memcpy(reply->buf, nlh, nlh->nlmsg_len);
		}
	}
	return ret;
}

int genl_dump(struct genl_sock *s, struct genl_msg *req,
	      int (*cb)(const struct nlmsghdr *nlh, void *arg), void *arg,
	      int *recvs)
{
	static char buf[65536];
	int err;

	req->nlh.nlmsg_flags |= NLM_F_DUMP;
	err = genl_send(s, req);
	if (err)
		return err;
	if (recvs)
		*recvs = 0;
	for (;;) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (n < 0)
			return -errno;
		if (recvs)
			(*recvs)++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != req->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(nlh);
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return genl_error(s, nlh, req);
			err = cb(nlh, arg);
			if (err)
				return err;
		}
	}
}

int genl_recv_event(struct genl_sock *s, struct genl_msg *m, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r < 0)
			return -errno;
		if (!r)
			return -ETIMEDOUT;
		n = recv(s->fd, m->buf, sizeof(m->buf), 0);
		if (n < 0)
			return -errno;
		if (NLMSG_OK(&m->nlh, n) && m->nlh.nlmsg_seq == 0 &&
		    m->nlh.nlmsg_type == s->family)
			return 0;
	}
}

/* Resolve the family id and the "events" group through nlctrl. */
static int genl_resolve(struct genl_sock *s, const char *name)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genl_msg req, reply;
	const char *p, *end;
	int err;

	s->family = GENL_ID_CTRL;
	genl_msg_init(s, &req, CTRL_CMD_GETFAMILY, 0);
	genl_put_str(&req, CTRL_ATTR_FAMILY_NAME, name);
	err = genl_do(s, &req, &reply);
	if (err)
		return err;
	genl_parse(&reply.nlh, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -EPROTO;
	s->family = *(uint16_t *)NLA_DATA(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;

	p = NLA_DATA(tb[CTRL_ATTR_MCAST_GROUPS]);
	end = (const char *)tb[CTRL_ATTR_MCAST_GROUPS] +
	      tb[CTRL_ATTR_MCAST_GROUPS]->nla_len;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *grp = (const void *)p;
		const char *q = NLA_DATA(grp);
		const char *gend = p + grp->nla_len;
		const char *gname = NULL;
		uint32_t id = 0;

		while (q + NLA_HDRLEN <= gend) {
			const struct nlattr *a = (const void *)q;

			if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
				gname = NLA_DATA(a);
			else if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
				id = genl_attr_u32(a);
			q += NLA_ALIGN(a->nla_len);
		}
		if (gname && !strcmp(gname, "events"))
			s->events_group = id;
		p += NLA_ALIGN(grp->nla_len);
	}
	return 0;
}

int genl_open(struct genl_sock *s, const char *family_name)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0 ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one)) < 0) {
		err = -errno;
		close(s->fd);
		return err;
	}
	err = genl_resolve(s, family_name);
	if (err)
		close(s->fd);
	return err;
}

int genl_join_events(struct genl_sock *s)
{
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &s->events_group, sizeof(s->events_group)) < 0)
		return -errno;
	return 0;
}

void genl_close(struct genl_sock *s)
{
	close(s->fd);
}
