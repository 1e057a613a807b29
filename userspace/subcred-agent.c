// SPDX-License-Identifier: GPL-2.0
/*
 * subcred-agent - the device-side relay of subcred (design §2, §5).
 *
 * Passes over-the-air messages between the network peer (UDP) and the
 * kernel module (generic netlink family "subcred"), and keeps the sealed
 * state the kernel hands out durable in the state directory. The kernel's
 * answer to any input is EITHER a sealed blob + generation to make durable
 * OR a message to send: the agent persists the blob (agent_store.c), then
 * says SUBCRED_CMD_PERSISTED, and sends whatever message that releases.
 *
 * One event loop (poll) over the genl event socket (group "events", and
 * nlctrl "notify" to see the module go away), the genl request socket
 * (requests are synchronous: it must stay silent in between), the UDP
 * socket and a signalfd. The agent never sees key material; it logs only
 * ids, generations, versions, message types and lengths.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <linux/subcred.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "agent.h"
#include "nl.h"

#define DGRAM_MAX	2048	/* far above any protocol v1 message */
#define MSG_MAX		1024
#define BLOB_MAX	65536
#define BURST		64	/* datagrams or events per wakeup */

struct agent {
	struct agent_conf conf;
	struct agent_store st;
	struct scnl req;		/* requests, one at a time */
	struct scnl ev;			/* events + nlctrl notifications */
	int udp;
	int sigfd;
	struct agent_addr net;		/* the network peer */
	char net_str[80];
	int family;			/* of the UDP socket */
	bool gone;			/* the module went away */
	bool resync;			/* events were lost */
	bool stop;
};

/* What the kernel answered to one request. */
struct reply {
	char id[SUBCRED_ID_MAX_LEN + 1];
	bool has_gen, has_version;
	uint64_t gen;
	uint32_t version;
	unsigned char *blob;		/* malloc'ed */
	size_t blob_len;
	unsigned char msg[MSG_MAX];
	size_t msg_len;
	const char *bad;		/* why the reply is unusable */
};

static const struct nla_policy reply_policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]		= { .type = NLA_STRING,
				    .maxlen = SUBCRED_ID_MAX_LEN + 1 },
	[SUBCRED_A_KEY_VERSION]	= { .type = NLA_U32 },
	[SUBCRED_A_EVENT]	= { .type = NLA_U32 },
	[SUBCRED_A_GENERATION]	= { .type = NLA_U64 },
};

static void reply_init(struct reply *rep)
{
	memset(rep, 0, sizeof(*rep));
}

static void reply_free(struct reply *rep)
{
	free(rep->blob);
	rep->blob = NULL;
}

/* Fill @rep from the attributes of a reply or an event. */
static void reply_parse(struct reply *rep, struct nlattr **tb)
{
	if (tb[SUBCRED_A_ID]) {
		nla_strlcpy(rep->id, tb[SUBCRED_A_ID], sizeof(rep->id));
		if (!agent_id_valid(rep->id, strlen(rep->id))) {
			rep->bad = "invalid id";
			rep->id[0] = '\0';
		}
	}
	if (tb[SUBCRED_A_GENERATION]) {
		rep->gen = nla_get_u64(tb[SUBCRED_A_GENERATION]);
		rep->has_gen = true;
	}
	if (tb[SUBCRED_A_KEY_VERSION]) {
		rep->version = nla_get_u32(tb[SUBCRED_A_KEY_VERSION]);
		rep->has_version = true;
	}
	if (tb[SUBCRED_A_MSG]) {
		size_t n = (size_t)nla_len(tb[SUBCRED_A_MSG]);

		if (n > sizeof(rep->msg) || !n) {
			rep->bad = "message of a bad length";
		} else {
			memcpy(rep->msg, nla_data(tb[SUBCRED_A_MSG]), n);
			rep->msg_len = n;
		}
	}
	if (tb[SUBCRED_A_BLOB] && !rep->blob) {
		size_t n = (size_t)nla_len(tb[SUBCRED_A_BLOB]);

		rep->blob = n && n <= BLOB_MAX ? malloc(n) : NULL;
		if (!rep->blob) {
			rep->bad = n && n <= BLOB_MAX ? "out of memory" :
				   "blob of a bad length";
		} else {
			memcpy(rep->blob, nla_data(tb[SUBCRED_A_BLOB]), n);
			rep->blob_len = n;
		}
	}
	if (rep->blob && (!rep->has_gen || !rep->id[0]))
		rep->bad = "blob without generation or id";
}

static int reply_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct reply *rep = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SUBCRED_A_MAX,
			  reply_policy) < 0) {
		rep->bad = "malformed reply";
		return NL_SKIP;
	}
	reply_parse(rep, tb);
	return NL_OK;
}

/* "no credential with this id (No such file or directory)" */
static const char *kerr(const struct scnl *nl, int r, char *buf, size_t len)
{
	if (nl->ext.msg[0])
		snprintf(buf, len, "%s (%s)", nl->ext.msg, strerror(-r));
	else if (r == -EPERM)
		snprintf(buf, len, "%s (needs CAP_NET_ADMIN)", strerror(-r));
	else
		snprintf(buf, len, "%s", strerror(-r));
	return buf;
}

/* Is the family gone (module unloaded) or another one (reloaded)? */
static bool family_gone(struct agent *a)
{
	int id = genl_ctrl_resolve(a->req.sk, SUBCRED_GENL_NAME);

	return id < 0 || id != a->req.family;
}

/*
 * One request on the request socket, @cb called for every reply message.
 * Frees @req. Returns 0 or a negative errno (a->req.ext has the details).
 */
static int request_cb(struct agent *a, struct nl_msg *req,
		      nl_recvmsg_msg_cb_t cb, void *arg)
{
	int r;

	memset(&a->req.ext, 0, sizeof(a->req.ext));
	if (!req)
		return -ENOMEM;
	r = scnl_transact(&a->req, req, cb, arg);
	nlmsg_free(req);
	/* ENOENT is also "no credential with this id": ask nlctrl */
	if (r == -ENOENT && family_gone(a))
		a->gone = true;
	return r;
}

/* One request, its reply into @rep. */
static int request(struct agent *a, struct nl_msg *req, struct reply *rep)
{
	int r = request_cb(a, req, reply_cb, rep);

	if (!r && rep->bad) {
		snprintf(a->req.ext.msg, sizeof(a->req.ext.msg),
			 "unusable reply from the kernel: %s", rep->bad);
		r = -EPROTO;
	}
	return r;
}

static struct nl_msg *id_msg(struct agent *a, uint8_t cmd, const char *id)
{
	struct nl_msg *msg = scnl_msg(&a->req, cmd, 0);

	if (msg && nla_put_string(msg, SUBCRED_A_ID, id) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* ---- over-the-air messages, as far as logging needs them ---- */

static const char *const msg_names[] = {
	NULL, "NOTICE", "RESPONSE", "CONFIRM", "ACK", "SYNC", "REJECT",
	"REQUEST",
};

/* Header: 'S' 'C' version type len(2) id_len flags | id | txid (8) | ... */
static const char *msg_type(const unsigned char *m, size_t len, char *buf,
			    size_t buflen)
{
	size_t cause_off;

	if (len < 8 || m[0] != 'S' || m[1] != 'C') {
		snprintf(buf, buflen, "non-subcred datagram");
		return buf;
	}
	if (!m[3] || m[3] >= ARRAY_SIZE(msg_names)) {
		snprintf(buf, buflen, "message type %u", m[3]);
		return buf;
	}
	cause_off = 8 + (size_t)m[6] + 8;
	if (m[3] == 6 && cause_off < len)	/* REJECT: the cause helps */
		snprintf(buf, buflen, "REJECT cause %u", m[cause_off]);
	else
		snprintf(buf, buflen, "%s", msg_names[m[3]]);
	return buf;
}

/* The credential id a message claims, for the log only; "?" if unclear. */
static const char *msg_id(const unsigned char *m, size_t len, char *buf,
			  size_t buflen)
{
	size_t n = len >= 8 ? m[6] : 0;

	if (len < 8 || m[0] != 'S' || m[1] != 'C' || 8 + n > len ||
	    n >= buflen || !agent_id_valid((const char *)m + 8, n))
		return "?";
	memcpy(buf, m + 8, n);
	buf[n] = '\0';
	return buf;
}

static void send_net(struct agent *a, struct agent_line *l,
		     const unsigned char *m, size_t len)
{
	char type[32];
	ssize_t n;

	msg_type(m, len, type, sizeof(type));
	do {
		n = sendto(a->udp, m, len, 0, (const struct sockaddr *)&a->net.sa,
			   a->net.len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		line_prio(l, LOG_ERR);
		line_add(l, ", %s NOT sent to %s: %s", type, a->net_str,
			 strerror(errno));
	} else {
		line_add(l, ", %s sent (%zu bytes)", type, len);
	}
}

/*
 * The two-step commit: make @rep's blob durable, say PERSISTED, send what
 * that releases. Nothing is said to the kernel if the blob is not durable:
 * it keeps its answer back, and the network retransmits.
 */
static int commit_blob(struct agent *a, struct agent_line *l,
		       const struct reply *rep)
{
	char err[512];
	struct reply prep;
	struct nl_msg *msg;
	int r;

	r = store_persist(&a->st, rep->id, rep->gen, rep->blob, rep->blob_len,
			  err, sizeof(err));
	if (r < 0) {
		line_prio(l, LOG_ERR);
		line_add(l, "gen %" PRIu64 " NOT persisted: %s; PERSISTED not "
			 "sent", rep->gen, err);
		return r;
	}
	line_add(l, "gen %" PRIu64 " persisted (%zu bytes)", rep->gen,
		 rep->blob_len);

	msg = id_msg(a, SUBCRED_CMD_PERSISTED, rep->id);
	if (msg && nla_put_u64(msg, SUBCRED_A_GENERATION, rep->gen) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	reply_init(&prep);
	r = request(a, msg, &prep);
	if (r < 0) {
		line_prio(l, LOG_ERR);
		line_add(l, ", PERSISTED failed: %s",
			 kerr(&a->req, r, err, sizeof(err)));
		reply_free(&prep);
		return r;
	}
	store_crash_point(&a->st, AGENT_CRASH_AFTER_PERSISTED);
	if (prep.msg_len) {
		send_net(a, l, prep.msg, prep.msg_len);
		if (prep.has_version)
			line_add(l, ", active key v%" PRIu32, prep.version);
	}
	reply_free(&prep);
	return 0;
}

/* CRED_EXPORT @id -> persist -> PERSISTED (-> send). */
static int export_cred(struct agent *a, struct agent_line *l, const char *id)
{
	struct reply rep;
	int r;

	reply_init(&rep);
	r = request(a, id_msg(a, SUBCRED_CMD_CRED_EXPORT, id), &rep);
	if (!r && !rep.blob) {
		snprintf(a->req.ext.msg, sizeof(a->req.ext.msg),
			 "export reply without a blob");
		r = -EPROTO;
	}
	if (r < 0) {
		char err[300];

		line_prio(l, LOG_ERR);
		line_add(l, "export failed: %s",
			 kerr(&a->req, r, err, sizeof(err)));
	} else {
		r = commit_blob(a, l, &rep);
	}
	reply_free(&rep);
	return r;
}

/* ---- datagrams from the network ---- */

static bool same_addr(const struct sockaddr_storage *x,
		      const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *p = (const void *)x;
		const struct sockaddr_in *q = (const void *)y;

		return p->sin_port == q->sin_port &&
		       p->sin_addr.s_addr == q->sin_addr.s_addr;
	}
	if (x->ss_family == AF_INET6) {
		const struct sockaddr_in6 *p = (const void *)x;
		const struct sockaddr_in6 *q = (const void *)y;

		return p->sin6_port == q->sin6_port &&
		       !memcmp(&p->sin6_addr, &q->sin6_addr,
			       sizeof(p->sin6_addr));
	}
	return false;
}

static void handle_datagram(struct agent *a, const unsigned char *buf,
			    ssize_t n, const struct sockaddr_storage *from,
			    socklen_t flen)
{
	char idbuf[SUBCRED_ID_MAX_LEN + 1], type[32];
	size_t len = n > DGRAM_MAX ? DGRAM_MAX : (size_t)n;
	struct agent_line l;
	struct reply rep;
	struct nl_msg *req;
	int r;

	line_start(&l, "%s %s (%zd bytes)", msg_id(buf, len, idbuf,
		   sizeof(idbuf)), msg_type(buf, len, type, sizeof(type)), n);
	if (!same_addr(from, &a->net.sa)) {
		char src[80];

		line_prio(&l, LOG_WARNING);
		line_add(&l, " from %s, not the network peer %s (accepted)",
			 agent_addr_str((const struct sockaddr *)from, flen,
					src, sizeof(src)), a->net_str);
	}
	line_add(&l, ": ");
	if (n > DGRAM_MAX || n == 0) {
		line_prio(&l, LOG_WARNING);
		line_add(&l, "%s, dropped", n ? "too long" : "empty");
		line_end(&l);
		return;
	}

	req = scnl_msg(&a->req, SUBCRED_CMD_MSG, 0);
	if (req && nla_put(req, SUBCRED_A_MSG, (int)len, buf) < 0) {
		nlmsg_free(req);
		req = NULL;
	}
	reply_init(&rep);
	r = request(a, req, &rep);
	if (r < 0) {
		char err[300];

		line_prio(&l, LOG_WARNING);
		line_add(&l, "dropped: %s", kerr(&a->req, r, err, sizeof(err)));
	} else if (rep.blob) {
		commit_blob(a, &l, &rep);
		if (rep.msg_len) {
			/* the API says never both; durable first anyway */
			line_prio(&l, LOG_WARNING);
			line_add(&l, "; the kernel also gave a message");
			send_net(a, &l, rep.msg, rep.msg_len);
		}
	} else if (rep.msg_len) {
		line_add(&l, "answered");
		send_net(a, &l, rep.msg, rep.msg_len);
	} else {
		line_add(&l, "no answer (dropped by the kernel)");
	}
	reply_free(&rep);
	line_end(&l);
}

static void on_udp(struct agent *a)
{
	unsigned char buf[DGRAM_MAX];
	struct sockaddr_storage from;
	int i;

	for (i = 0; i < BURST && !a->gone; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(a->udp, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				alog(LOG_WARNING, "UDP receive: %s",
				     strerror(errno));
			return;
		}
		handle_datagram(a, buf, n, &from, flen);
	}
}

/* ---- kernel events ---- */

static const char *const event_names[] = {
	[SUBCRED_EVENT_NEW]	= "NEW",
	[SUBCRED_EVENT_DEL]	= "DEL",
	[SUBCRED_EVENT_SET]	= "SET",
	[SUBCRED_EVENT_UPDATED]	= "UPDATED",
	[SUBCRED_EVENT_REQUEST]	= "REQUEST",
	[SUBCRED_EVENT_EXPIRED]	= "EXPIRED",
	[SUBCRED_EVENT_CHANGED]	= "CHANGED",
};

static void handle_event(struct agent *a, uint32_t ev, const struct reply *e)
{
	const char *name = ev < ARRAY_SIZE(event_names) ? event_names[ev] : NULL;
	struct agent_line l;
	char err[300];
	int r;

	line_start(&l, "%s", e->id[0] ? e->id : "?");
	if (e->has_version)
		line_add(&l, " v%" PRIu32, e->version);
	if (name)
		line_add(&l, " event %s: ", name);
	else
		line_add(&l, " event %" PRIu32 ": ", ev);
	if (e->bad || !e->id[0]) {
		line_prio(&l, LOG_WARNING);
		line_add(&l, "ignored (%s)", e->bad ? e->bad : "no id");
		line_end(&l);
		return;
	}

	switch (ev) {
	case SUBCRED_EVENT_NEW:
	case SUBCRED_EVENT_SET:
	case SUBCRED_EVENT_UPDATED:
	case SUBCRED_EVENT_CHANGED:
		export_cred(a, &l, e->id);
		break;
	case SUBCRED_EVENT_DEL:
		r = store_remove(&a->st, e->id, err, sizeof(err));
		if (r < 0) {
			line_prio(&l, LOG_ERR);
			line_add(&l, "%s", err);
		} else {
			line_add(&l, r ? "no blob file" : "%s.blob removed",
				 e->id);
		}
		break;
	case SUBCRED_EVENT_REQUEST:
		if (!e->msg_len) {
			line_prio(&l, LOG_WARNING);
			line_add(&l, "no message to send");
			break;
		}
		line_add(&l, "key too old");
		send_net(a, &l, e->msg, e->msg_len);
		break;
	case SUBCRED_EVENT_EXPIRED:
		line_add(&l, "the pending update expired");
		break;
	default:
		line_add(&l, "ignored");
		break;
	}
	line_end(&l);
}

/* nlctrl: did the family "subcred" go away? */
static void ctrl_event(struct agent *a, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (genlmsg_hdr(nlh)->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]),
		   SUBCRED_GENL_NAME))
		return;
	a->gone = true;
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct agent *a = arg;
	struct reply e;

	if (a->gone)
		return NL_STOP;
	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		ctrl_event(a, nlh);
		return a->gone ? NL_STOP : NL_OK;
	}
	if (nlh->nlmsg_type != a->ev.family ||
	    genlmsg_hdr(nlh)->cmd != SUBCRED_CMD_EVENT)
		return NL_SKIP;
	reply_init(&e);
	if (genlmsg_parse(nlh, 0, tb, SUBCRED_A_MAX, reply_policy) < 0 ||
	    !tb[SUBCRED_A_EVENT]) {
		alog(LOG_WARNING, "malformed event from the kernel: ignored");
		return NL_SKIP;
	}
	reply_parse(&e, tb);
	handle_event(a, nla_get_u32(tb[SUBCRED_A_EVENT]), &e);
	reply_free(&e);
	return a->gone ? NL_STOP : NL_OK;
}

static int on_events(struct agent *a)
{
	int i;

	for (i = 0; i < BURST && !a->gone; i++) {
		int r = nl_recvmsgs_default(a->ev.sk);

		if (r > 0)
			continue;
		if (r == 0 || r == -NLE_AGAIN)
			return 0;
		if (r == -NLE_NOMEM) {
			/* receive buffer overrun: what did we miss? */
			alog(LOG_WARNING, "kernel events lost (receive buffer "
			     "overrun): storing every credential again");
			a->resync = true;
			return 0;	/* what is queued is stale: drained */
		}
		if (r == -NLE_INTR || r == -NLE_DUMP_INTR)
			continue;
		alog(LOG_ERR, "event socket: %s", nl_geterror(r));
		return -1;
	}
	return 0;
}

/*
 * After an overrun the kernel drops every further event, without another
 * error, until the queue has been read empty (NETLINK_S_CONGESTED). Empty
 * it before the dump that replaces the lost events: events dropped
 * between the dump and the end of the queue would be lost unseen (seen:
 * credentials provisioned during the dump never stored). What the queue
 * held, the dump covers; a module that went away fails the dump.
 */
static void drain_events(struct agent *a)
{
	unsigned char buf[8192];
	int fd = nl_socket_get_fd(a->ev.sk);

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0 ||
	       errno == EINTR || errno == ENOBUFS)
		;
}

/* Nothing may arrive on the request socket between two requests. */
static void on_req_socket(struct agent *a)
{
	unsigned char buf[8192];
	ssize_t n;

	while ((n = recv(nl_socket_get_fd(a->req.sk), buf, sizeof(buf),
			 MSG_DONTWAIT)) >= 0 || errno == EINTR)
		if (n >= 0)
			alog(LOG_WARNING, "unexpected %zd bytes on the "
			     "netlink request socket: ignored", n);
}

/* ---- start: restore, then store what has no blob yet ---- */

struct cred_list {
	struct reply *v;
	size_t n, cap;
	bool nomem;
};

static int dump_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct cred_list *cl = arg;
	struct reply *rep;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SUBCRED_A_MAX,
			  reply_policy) < 0)
		return NL_SKIP;
	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? 2 * cl->cap : 16;
		struct reply *v = realloc(cl->v, cap * sizeof(*v));

		if (!v) {
			cl->nomem = true;
			return NL_SKIP;
		}
		cl->v = v;
		cl->cap = cap;
	}
	rep = &cl->v[cl->n];
	reply_init(rep);
	reply_parse(rep, tb);
	if (rep->id[0])
		cl->n++;
	return NL_OK;
}

static bool in_list(const struct store_list *sl, const char *id)
{
	size_t i;

	for (i = 0; sl && i < sl->n; i++)
		if (!strcmp(sl->ids[i], id))
			return true;
	return false;
}

/*
 * Export every credential the kernel holds, except those in @skip (their
 * blob file was just imported: disk and kernel agree).
 */
static int store_all(struct agent *a, const struct store_list *skip,
		     const char *why)
{
	struct cred_list cl = { NULL, 0, 0, false };
	struct agent_line l;
	char err[300];
	size_t i;
	int r, tries = 0;

	do {
		cl.n = 0;
		cl.nomem = false;
		r = request_cb(a, scnl_msg(&a->req, SUBCRED_CMD_CRED_GET,
					   NLM_F_DUMP), dump_cb, &cl);
	} while (r == -EINTR && ++tries < 3);	/* the dump changed */
	if (!r && cl.nomem)
		r = -ENOMEM;
	if (r < 0) {
		alog(LOG_ERR, "cannot list the credentials: %s",
		     kerr(&a->req, r, err, sizeof(err)));
		goto out;
	}
	for (i = 0; i < cl.n && !a->gone; i++) {
		const struct reply *c = &cl.v[i];

		if (in_list(skip, c->id))
			continue;
		line_start(&l, "%s v%" PRIu32 " %s: ", c->id, c->version, why);
		export_cred(a, &l, c->id);
		line_end(&l);
	}
out:
	free(cl.v);
	return r;
}

static int restore(struct agent *a, struct store_list *imported)
{
	struct store_list files;
	unsigned char *blob;
	char err[512];
	struct reply rep;
	struct nl_msg *req;
	size_t i, len;

	imported->ids = NULL;
	imported->n = 0;
	if (store_scan(&a->st, &files) < 0)
		return -1;
	imported->ids = calloc(files.n ? files.n : 1, sizeof(char *));
	if (!imported->ids) {
		store_list_free(&files);
		alog(LOG_ERR, "out of memory");
		return -1;
	}
	for (i = 0; i < files.n && !a->gone; i++) {
		const char *id = files.ids[i];
		int r = store_read(&a->st, id, &blob, &len, err, sizeof(err));

		if (r < 0) {
			alog(LOG_ERR, "%s: not restored: %s", id, err);
			continue;
		}
		req = id_msg(a, SUBCRED_CMD_CRED_IMPORT, id);
		if (req && nla_put(req, SUBCRED_A_BLOB, (int)len, blob) < 0) {
			nlmsg_free(req);
			req = NULL;
		}
		free(blob);
		reply_init(&rep);
		r = request(a, req, &rep);
		if (r < 0) {
			alog(LOG_ERR, "%s: %s.blob refused: %s", id, id,
			     kerr(&a->req, r, err, sizeof(err)));
		} else {
			alog(LOG_INFO, "%s: restored v%" PRIu32 " gen %" PRIu64
			     " from %s.blob", id, rep.version, rep.gen, id);
			imported->ids[imported->n] = strdup(id);
			if (imported->ids[imported->n])
				imported->n++;
		}
		reply_free(&rep);
	}
	store_list_free(&files);
	return a->gone ? -1 : 0;
}

/* ---- setup ---- */

static int open_nl(struct scnl *nl)
{
	int r = scnl_open(nl);

	if (r == -ENOENT) {
		alog(LOG_ERR, "kernel module subcred not loaded "
		     "(modprobe subcred)");
		return AGENT_EXIT_ERR;
	}
	if (r < 0) {
		alog(LOG_ERR, "cannot open a generic netlink socket: %s",
		     strerror(-r));
		return AGENT_EXIT_ERR;
	}
	return AGENT_EXIT_OK;
}

/*
 * Receive buffers for bursts: hundreds of credentials provisioned or
 * updated at once overflowed the defaults (net.core.rmem_max caps
 * SO_RCVBUF; the agent has CAP_NET_ADMIN, which SO_RCVBUFFORCE needs).
 */
static void big_rcvbuf(int fd)
{
	int size = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
}

static int open_netlink(struct agent *a)
{
	int grp, r;

	r = open_nl(&a->req);
	if (!r)
		r = open_nl(&a->ev);
	if (r)
		return r;
	r = scnl_join(&a->ev, SUBCRED_MCGRP_EVENTS);
	if (r < 0) {
		alog(LOG_ERR, "cannot join the multicast group \"%s\": %s%s",
		     SUBCRED_MCGRP_EVENTS, strerror(-r), r == -EPERM ?
		     " (needs CAP_NET_ADMIN)" : "");
		return AGENT_EXIT_ERR;
	}
	/* CTRL_CMD_DELFAMILY tells us at once when the module goes away */
	grp = genl_ctrl_resolve_grp(a->ev.sk, "nlctrl", "notify");
	r = grp < 0 ? grp : nl_socket_add_membership(a->ev.sk, grp);
	if (r < 0) {
		alog(LOG_ERR, "cannot join the nlctrl group \"notify\": %s",
		     nl_geterror(r));
		return AGENT_EXIT_ERR;
	}
	nl_socket_disable_seq_check(a->ev.sk);
	(void)nl_socket_set_buffer_size(a->ev.sk, 1 << 20, 0);
	big_rcvbuf(nl_socket_get_fd(a->ev.sk));
	r = nl_socket_set_nonblocking(a->ev.sk);
	if (r < 0) {
		alog(LOG_ERR, "event socket: %s", nl_geterror(r));
		return AGENT_EXIT_ERR;
	}
	nl_socket_modify_cb(a->ev.sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, a);
	return AGENT_EXIT_OK;
}

static int resolve_net(struct agent *a)
{
	struct agent_addr na;
	char err[400];

	if (agent_addr_resolve(a->conf.network, AGENT_NETWORK_PORT, a->family,
			       false, &na, err, sizeof(err)) < 0) {
		alog(LOG_ERR, "cannot resolve the network peer %s", err);
		return -1;
	}
	a->net = na;
	agent_addr_str((const struct sockaddr *)&a->net.sa, a->net.len,
		       a->net_str, sizeof(a->net_str));
	return 0;
}

static int open_udp(struct agent *a)
{
	struct agent_addr la;
	char err[400];
	int off = 0;

	if (agent_addr_resolve(a->conf.listen, AGENT_LISTEN_PORT, AF_UNSPEC,
			       true, &la, err, sizeof(err)) < 0) {
		alog(LOG_ERR, "cannot use the listen address %s", err);
		return AGENT_EXIT_ERR;
	}
	a->family = la.sa.ss_family;
	a->udp = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (a->udp < 0) {
		alog(LOG_ERR, "UDP socket: %s", strerror(errno));
		return AGENT_EXIT_ERR;
	}
	/* an IPv6 socket also talks to an IPv4 peer (mapped) */
	if (a->family == AF_INET6)
		(void)setsockopt(a->udp, IPPROTO_IPV6, IPV6_V6ONLY, &off,
				 sizeof(off));
	big_rcvbuf(a->udp);
	if (bind(a->udp, (const struct sockaddr *)&la.sa, la.len) < 0) {
		char buf[80];
		int e = errno;

		alog(LOG_ERR, "cannot bind UDP %s: %s",
		     agent_addr_str((const struct sockaddr *)&la.sa, la.len,
				    buf, sizeof(buf)), strerror(e));
		return AGENT_EXIT_ERR;
	}
	return resolve_net(a) < 0 ? AGENT_EXIT_ERR : AGENT_EXIT_OK;
}

static int open_signals(struct agent *a)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -1;
	a->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return a->sigfd < 0 ? -1 : 0;
}

static void on_signal(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGHUP) {
			alog(LOG_INFO, "%s: exiting", strsignal((int)si.ssi_signo));
			a->stop = true;
			return;
		}
		alog(LOG_INFO, "SIGHUP: resolving the network peer again and "
		     "storing every credential");
		if (!resolve_net(a))
			alog(LOG_INFO, "network peer %s", a->net_str);
		store_all(a, NULL, "SIGHUP");
	}
}

int main(int argc, char **argv)
{
	enum { FD_SIG, FD_EV, FD_REQ, FD_UDP, N_FD };
	struct store_list imported = { NULL, 0 };
	struct pollfd pfd[N_FD];
	struct agent *a;
	int r, code = AGENT_EXIT_ERR;

	agent_log_init();
	a = calloc(1, sizeof(*a));
	if (!a) {
		alog(LOG_ERR, "out of memory");
		return AGENT_EXIT_ERR;
	}
	a->udp = a->sigfd = -1;
	a->st.dirfd = -1;
	r = agent_conf_load(&a->conf, argc, argv);
	if (r >= 0) {
		free(a);
		return r;
	}
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	if (open_signals(a) < 0) {
		alog(LOG_ERR, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (open_netlink(a) || store_open(&a->st, &a->conf) || open_udp(a))
		goto out;
	alog(LOG_INFO, "started: network peer %s, UDP %s, state directory %s%s%s",
	     a->net_str, a->conf.listen, a->conf.state_dir,
	     a->conf.crash_at ? ", crash-at " : "",
	     a->conf.crash_at ? agent_crash_name(a->conf.crash_at) : "");

	/* events are joined already: nothing is missed from here on */
	if (restore(a, &imported) < 0 ||
	    (store_all(a, &imported, "at start") < 0 && !a->gone))
		goto out;
	alog(LOG_INFO, "ready: %zu credential%s restored", imported.n,
	     imported.n == 1 ? "" : "s");

	pfd[FD_SIG] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
	pfd[FD_EV] = (struct pollfd){ .fd = nl_socket_get_fd(a->ev.sk),
				      .events = POLLIN };
	pfd[FD_REQ] = (struct pollfd){ .fd = nl_socket_get_fd(a->req.sk),
				       .events = POLLIN };
	pfd[FD_UDP] = (struct pollfd){ .fd = a->udp, .events = POLLIN };
	while (!a->stop && !a->gone) {
		if (a->resync) {
			a->resync = false;
			drain_events(a);
			store_all(a, NULL, "after lost events");
			continue;
		}
		if (poll(pfd, N_FD, -1) < 0) {
			if (errno == EINTR)
				continue;
			alog(LOG_ERR, "poll: %s", strerror(errno));
			goto out;
		}
		if (pfd[FD_SIG].revents)
			on_signal(a);
		if (a->stop)
			break;
		if (pfd[FD_EV].revents && on_events(a) < 0)
			goto out;
		if (pfd[FD_REQ].revents)
			on_req_socket(a);
		if (pfd[FD_UDP].revents)
			on_udp(a);
	}
	if (!a->gone)
		code = AGENT_EXIT_OK;
out:
	if (a->gone)
		alog(LOG_ERR, "kernel module subcred unloaded: exiting");
	store_list_free(&imported);
	if (a->udp >= 0)
		close(a->udp);
	if (a->sigfd >= 0)
		close(a->sigfd);
	store_close(&a->st);
	scnl_close(&a->ev);
	scnl_close(&a->req);
	free(a);
	return code;
}
