// SPDX-License-Identifier: GPL-2.0
/*
 * relay - a deterministic fault-injecting UDP relay for the subcred
 * selftests (selftests/faults.sh). It sits between subcred-agent and
 * subcred-hn: the agent's --network points at the device-facing socket,
 * the subscribers' --device address in subcred-hn is the network-facing
 * socket. Rules select protocol messages by type, credential id and
 * occurrence and drop, duplicate, delay, reorder, replay or corrupt them;
 * random loss uses a seeded PRNG. Every message is counted per type, and
 * forged device messages (right header and txid, wrong tag) can be
 * injected towards the network. `relay ctl` talks to a running relay over
 * a unix socket. No key material passes through here: only ids, txids and
 * message types are logged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../kmod/wire.h"

#define DGRAM_MAX	2048
#define RULES_MAX	64
#define HELD_MAX	65536
#define IDS_MAX		16384		/* power of two */
#define BURST		256
#define CTL_MAX		65536
#define RCVBUF		(4 << 20)

enum { UP, DOWN };			/* device -> network, network -> device */
static const char *const dir_names[] = { "up", "down" };

#define T_OTHER	0			/* not a parsable protocol message */
#define T_ANY	8			/* rules only */
#define T_N	8
static const char *const type_names[] = {
	"other", "notice", "response", "confirm", "ack", "sync", "reject",
	"request", "any",
};

enum counter {
	C_SEEN, C_FORWARDED, C_DROPPED, C_LOST, C_DUPLICATED, C_DELAYED,
	C_REORDERED, C_REPLAYED, C_CORRUPTED, C_FORGED, C_N,
};
static const char *const counter_names[] = {
	"seen", "forwarded", "dropped", "lost", "duplicated", "delayed",
	"reordered", "replayed", "corrupted", "forged",
};

enum action { A_PASS, A_DROP, A_DUP, A_DELAY, A_REORDER, A_REPLAY,
	       A_CORRUPT };
static const char *const action_names[] = {
	"pass", "drop", "dup", "delay", "reorder", "replay", "corrupt",
};

struct rule {
	int num;			/* 0: free slot */
	int type;			/* 1..7 or T_ANY */
	char id[SUBCRED_WIRE_ID_MAX + 1];	/* "": any */
	uint64_t from, to;		/* occurrences, 1-based, inclusive */
	enum action act;
	long arg;			/* -1: none */
	uint64_t matched, applied;
	char text[160];
};

enum held_kind { H_DELAY, H_REORDER, H_REPLAY };

struct held {
	struct held *next;
	enum held_kind kind;
	int dir, type;
	int64_t due;			/* ms; 0: until released by command */
	char id[SUBCRED_WIRE_ID_MAX + 1];
	size_t len;
	uint8_t buf[];
};

/* What the relay last saw of a credential, for forging. */
struct id_info {
	char id[SUBCRED_WIRE_ID_MAX + 1];	/* "": free */
	uint8_t txid[SUBCRED_WIRE_TXID_LEN];
	uint32_t version, new_version;
	int has_txid;
};

struct relay {
	struct sockaddr_storage dev_addr, net_addr;
	socklen_t dev_len, net_len;
	int dev_fd, net_fd, ctl_fd, sig_fd;
	const char *ctl_path, *stats_path;
	int verbose;
	struct rule rules[RULES_MAX];
	int next_rule;
	double loss;			/* percent */
	uint64_t rng;
	uint64_t cnt[T_N][C_N];
	struct held *held;
	size_t nheld;
	struct id_info *ids;
	int64_t t0;
	int stop;
};

static struct relay R;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	int64_t t = now_ms() - R.t0;
	va_list ap;

	fprintf(stderr, "relay: %" PRId64 ".%03" PRId64 " ", t / 1000,
		t % 1000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- deterministic randomness (xorshift64*, seeded by splitmix64) ---- */

static void rng_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	R.rng = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(void)
{
	R.rng ^= R.rng >> 12;
	R.rng ^= R.rng << 25;
	R.rng ^= R.rng >> 27;
	return R.rng * 0x2545f4914f6cdd1dULL;
}

static void rng_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)(rng_next() >> 56);
}

/* ---- addresses ---- */

/* "A.B.C.D:PORT" or "[V6]:PORT". */
static int parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct addrinfo hints, *ai;
	char host[128];
	const char *port;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, end - s - 1);
		host[end - s - 1] = '\0';
		port = end + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, colon - s);
		host[colon - s] = '\0';
		port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (!*port || getaddrinfo(host, port, &hints, &ai))
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int udp_socket(const char *what, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, size = RCVBUF;

	if (parse_addr(addr, &ss, &len)) {
		fprintf(stderr, "relay: %s '%s': expected ADDR:PORT or "
			"[ADDR]:PORT\n", what, addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "relay: socket: %s\n", strerror(errno));
		return -1;
	}
	/* a burst of a thousand updates must not overflow the relay */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "relay: %s: bind %s: %s\n", what, addr,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- per-credential memory ---- */

static struct id_info *id_slot(const char *id, int create)
{
	uint32_t h = 2166136261u;
	const char *p;
	unsigned int n;

	for (p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (n = 0; n < IDS_MAX; n++) {
		unsigned int i = (h + n) & (IDS_MAX - 1);

		if (!strcmp(R.ids[i].id, id))
			return &R.ids[i];
		if (!R.ids[i].id[0]) {
			if (!create)
				return NULL;
			snprintf(R.ids[i].id, sizeof(R.ids[i].id), "%s", id);
			return &R.ids[i];
		}
	}
	return NULL;
}

static void remember(const struct subcred_msg *m)
{
	struct id_info *in = id_slot(m->id, 1);

	if (!in)
		return;
	if (m->type != SUBCRED_MSG_REQUEST) {	/* its txid names nothing */
		memcpy(in->txid, m->txid, sizeof(in->txid));
		in->has_txid = 1;
	}
	if (m->type == SUBCRED_MSG_NOTICE)
		in->version = m->notice.key_version;
	else if (m->type == SUBCRED_MSG_CONFIRM)
		in->new_version = m->confirm.new_version;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	while (n--) {
		*out++ = d[*p >> 4];
		*out++ = d[*p++ & 15];
	}
	*out = '\0';
}

/* ---- sending and holding ---- */

static void release_reordered(int dir, const uint8_t *buf, size_t len);

static void send_raw(int dir, const uint8_t *buf, size_t len)
{
	int fd = dir == UP ? R.net_fd : R.dev_fd;
	const struct sockaddr_storage *to = dir == UP ? &R.net_addr :
							&R.dev_addr;
	socklen_t tolen = dir == UP ? R.net_len : R.dev_len;

	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, tolen) < 0)
		logf_("%s: send: %s", dir_names[dir], strerror(errno));
}

/* Send in @dir; what waits to be reordered goes right after it. */
static void send_dir(int dir, const uint8_t *buf, size_t len)
{
	send_raw(dir, buf, len);
	release_reordered(dir, buf, len);
}

static int hold(enum held_kind kind, int dir, int type, const char *id,
		int64_t due, const uint8_t *buf, size_t len)
{
	struct held *h, **pp;

	if (R.nheld >= HELD_MAX)
		return -1;
	h = malloc(sizeof(*h) + len);
	if (!h)
		return -1;
	h->next = NULL;
	h->kind = kind;
	h->dir = dir;
	h->type = type;
	h->due = due;
	snprintf(h->id, sizeof(h->id), "%s", id);
	h->len = len;
	memcpy(h->buf, buf, len);
	for (pp = &R.held; *pp; pp = &(*pp)->next)
		;
	*pp = h;
	R.nheld++;
	return 0;
}

static void release(struct held *h, const char *why)
{
	if (h->kind == H_REPLAY)
		R.cnt[h->type][C_REPLAYED]++;
	else
		R.cnt[h->type][C_FORWARDED]++;
	if (R.verbose || h->kind != H_DELAY)
		logf_("%s %s id=%s: %s %s", dir_names[h->dir],
		      type_names[h->type], h->id[0] ? h->id : "?",
		      h->kind == H_REPLAY ? "replayed" : h->kind == H_DELAY ?
		      "delayed one sent" : "reordered one sent", why);
	if (h->kind == H_REORDER)
		send_raw(h->dir, h->buf, h->len);
	else
		send_dir(h->dir, h->buf, h->len);
}

/* Take out the held messages @pick selects and send them in order. */
static int release_if(int (*pick)(const struct held *, const void *),
		      const void *arg, const char *why)
{
	struct held *list = NULL, **tail = &list, **pp = &R.held, *h;
	int n = 0;

	while ((h = *pp)) {
		if (pick(h, arg)) {
			*pp = h->next;
			h->next = NULL;
			*tail = h;
			tail = &h->next;
			R.nheld--;
		} else {
			pp = &h->next;
		}
	}
	while ((h = list)) {
		list = h->next;
		release(h, why);
		free(h);
		n++;
	}
	return n;
}

static int pick_reorder(const struct held *h, const void *arg)
{
	return h->kind == H_REORDER && h->dir == *(const int *)arg;
}

/* After @buf went out in @dir: what was held to be reordered follows. */
static void release_reordered(int dir, const uint8_t *buf, size_t len)
{
	struct subcred_msg m;
	const struct held *h;
	char why[128];

	for (h = R.held; h; h = h->next)
		if (pick_reorder(h, &dir))
			break;
	if (!h)
		return;
	if (subcred_wire_parse(buf, len, &m, NULL))
		snprintf(why, sizeof(why), "after a datagram");
	else
		snprintf(why, sizeof(why), "after %s id=%s",
			 type_names[m.type], m.id);
	release_if(pick_reorder, &dir, why);
}

static int pick_due(const struct held *h, const void *arg)
{
	return h->due && h->due <= *(const int64_t *)arg;
}

static int pick_replay(const struct held *h, const void *arg)
{
	const char *id = arg;

	return h->kind == H_REPLAY && (!id || !strcmp(id, h->id));
}

static int pick_all(const struct held *h, const void *arg)
{
	(void)h;
	(void)arg;
	return 1;
}

static int64_t next_due(void)
{
	const struct held *h;
	int64_t due = 0;

	for (h = R.held; h; h = h->next)
		if (h->due && (!due || h->due < due))
			due = h->due;
	return due;
}

/* ---- rules ---- */

static int type_parse(const char *s, size_t n)
{
	int t;

	for (t = 1; t <= T_ANY; t++)
		if (strlen(type_names[t]) == n && !strncmp(s, type_names[t], n))
			return t;
	return -1;
}

static int num_parse(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* TYPE[@ID][:WHICH]=ACTION[:ARG]; fills @r, or an error in @err. */
static int rule_parse(const char *text, struct rule *r, char *err,
		      size_t errlen)
{
	const char *eq = strchr(text, '='), *p, *end, *colon;
	uint64_t v;
	size_t n;
	int a;

	memset(r, 0, sizeof(r[0]));
	r->from = 1;
	r->to = UINT64_MAX;
	r->arg = -1;
	if (strlen(text) >= sizeof(r->text) || !eq) {
		snprintf(err, errlen, "rule '%s': expected "
			 "TYPE[@ID][:WHICH]=ACTION[:ARG]", text);
		return -1;
	}
	snprintf(r->text, sizeof(r->text), "%s", text);
	n = strcspn(text, "@:=");
	r->type = type_parse(text, n);
	if (r->type < 0) {
		snprintf(err, errlen, "rule '%s': unknown type '%.*s' (notice, "
			 "response, confirm, ack, sync, reject, request, any)",
			 text, (int)n, text);
		return -1;
	}
	p = text + n;
	if (*p == '@') {
		n = strcspn(++p, ":=");
		if (!n || n > SUBCRED_WIRE_ID_MAX) {
			snprintf(err, errlen, "rule '%s': bad id", text);
			return -1;
		}
		memcpy(r->id, p, n);
		r->id[n] = '\0';
		p += n;
	}
	if (*p == ':') {
		end = eq;
		n = end - ++p;
		if (n == 3 && !strncmp(p, "all", 3)) {
			;
		} else {
			const char *dash = memchr(p, '-', n);
			size_t n1 = dash ? (size_t)(dash - p) : n;

			if (num_parse(p, n1, UINT64_MAX / 2, &r->from) ||
			    !r->from)
				goto which;
			r->to = r->from;
			if (dash) {
				r->to = UINT64_MAX;
				if (dash + 1 < end &&
				    num_parse(dash + 1, end - dash - 1,
					      UINT64_MAX / 2, &r->to))
					goto which;
				if (r->to < r->from)
					goto which;
			}
		}
		p = eq;
	}
	if (p != eq) {
		snprintf(err, errlen, "rule '%s': expected '=' after the "
			 "selector", text);
		return -1;
	}
	p = eq + 1;
	colon = strchr(p, ':');
	n = colon ? (size_t)(colon - p) : strlen(p);
	for (a = 0; a <= A_CORRUPT; a++)
		if (strlen(action_names[a]) == n &&
		    !strncmp(p, action_names[a], n))
			break;
	if (a > A_CORRUPT) {
		snprintf(err, errlen, "rule '%s': unknown action '%.*s' (pass, "
			 "drop, dup[:N], delay:MS, reorder[:MS], replay[:MS], "
			 "corrupt[:BIT])", text, (int)n, p);
		return -1;
	}
	r->act = a;
	if (colon) {
		uint64_t max = a == A_DUP ? 100 : a == A_CORRUPT ?
			       8 * DGRAM_MAX - 1 : 600000;

		if (a == A_PASS || a == A_DROP ||
		    num_parse(colon + 1, strlen(colon + 1), max, &v) ||
		    (a == A_DUP && !v)) {
			snprintf(err, errlen, "rule '%s': bad argument for %s "
				 "(dup 1..100, delay/reorder/replay 0..600000 "
				 "ms, corrupt a bit number)", text,
				 action_names[a]);
			return -1;
		}
		r->arg = (long)v;
	} else if (a == A_DELAY) {
		snprintf(err, errlen, "rule '%s': delay needs :MS", text);
		return -1;
	}
	return 0;
which:
	snprintf(err, errlen, "rule '%s': WHICH is N, N-M, N- or all "
		 "(occurrences count from 1)", text);
	return -1;
}

static int rule_add(const char *text, char *err, size_t errlen)
{
	struct rule r;
	int i;

	if (rule_parse(text, &r, err, errlen))
		return -1;
	for (i = 0; i < RULES_MAX; i++) {
		if (!R.rules[i].num) {
			r.num = ++R.next_rule;
			R.rules[i] = r;
			return r.num;
		}
	}
	snprintf(err, errlen, "too many rules (%d)", RULES_MAX);
	return -1;
}

/* ---- one datagram ---- */

static void handle(int dir, uint8_t *buf, size_t len)
{
	struct subcred_msg m;
	struct rule *dec = NULL;
	char txid[2 * SUBCRED_WIRE_TXID_LEN + 1] = "-";
	const char *id = "";
	int type = T_OTHER, i;
	uint64_t nth = 0;

	if (!subcred_wire_parse(buf, len, &m, NULL)) {
		type = m.type;
		id = m.id;
		hex(m.txid, sizeof(m.txid), txid);
		remember(&m);
	}
	R.cnt[type][C_SEEN]++;
	for (i = 0; i < RULES_MAX; i++) {
		struct rule *r = &R.rules[i];

		if (!r->num || (r->type != T_ANY && r->type != type) ||
		    (r->type == T_ANY && type == T_OTHER) ||
		    (r->id[0] && strcmp(r->id, id)))
			continue;
		r->matched++;
		if (!dec && r->matched >= r->from && r->matched <= r->to) {
			dec = r;
			nth = r->matched;
			r->applied++;
		}
	}
	if (!dec) {
		if (R.loss > 0 &&
		    (double)(rng_next() >> 11) * 0x1.0p-53 * 100.0 < R.loss) {
			R.cnt[type][C_LOST]++;
			logf_("%s %s id=%s txid=%s: lost (random)",
			      dir_names[dir], type_names[type], id, txid);
			return;
		}
		R.cnt[type][C_FORWARDED]++;
		if (R.verbose)
			logf_("%s %s id=%s txid=%s: forwarded", dir_names[dir],
			      type_names[type], id, txid);
		send_dir(dir, buf, len);
		return;
	}
	logf_("%s %s id=%s txid=%s: rule %d (%s), occurrence %" PRIu64,
	      dir_names[dir], type_names[type], id, txid, dec->num, dec->text,
	      nth);
	switch (dec->act) {
	case A_PASS:
		R.cnt[type][C_FORWARDED]++;
		send_dir(dir, buf, len);
		break;
	case A_DROP:
		R.cnt[type][C_DROPPED]++;
		break;
	case A_DUP:
		R.cnt[type][C_FORWARDED]++;
		send_dir(dir, buf, len);
		for (i = 0; i < (dec->arg > 0 ? dec->arg : 1); i++) {
			R.cnt[type][C_DUPLICATED]++;
			send_dir(dir, buf, len);
		}
		break;
	case A_DELAY:
	case A_REORDER:
		if (hold(dec->act == A_DELAY ? H_DELAY : H_REORDER, dir, type,
			 id, now_ms() + (dec->arg >= 0 ? dec->arg : 5000), buf,
			 len)) {
			logf_("cannot hold more: forwarded at once");
			R.cnt[type][C_FORWARDED]++;
			send_dir(dir, buf, len);
			break;
		}
		R.cnt[type][dec->act == A_DELAY ? C_DELAYED : C_REORDERED]++;
		break;
	case A_REPLAY:
		R.cnt[type][C_FORWARDED]++;
		send_dir(dir, buf, len);
		if (hold(H_REPLAY, dir, type, id,
			 dec->arg >= 0 ? now_ms() + dec->arg : 0, buf, len))
			logf_("cannot hold more: no replay");
		break;
	case A_CORRUPT: {
		size_t bit = dec->arg >= 0 && (size_t)dec->arg < 8 * len ?
			     (size_t)dec->arg : 8 * len - 1;

		buf[bit / 8] ^= 0x80 >> (bit % 8);
		R.cnt[type][C_CORRUPTED]++;
		R.cnt[type][C_FORWARDED]++;
		send_dir(dir, buf, len);
		break;
	}
	}
}

static void receive(int dir)
{
	int fd = dir == UP ? R.dev_fd : R.net_fd;
	uint8_t buf[DGRAM_MAX];
	int i;

	for (i = 0; i < BURST; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				logf_("%s: receive: %s", dir_names[dir],
				      strerror(errno));
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			logf_("%s: %zd-octet datagram: dropped", dir_names[dir],
			      n);
			continue;
		}
		handle(dir, buf, (size_t)n);
	}
}

/* ---- forging ---- */

static int forge(const char *tname, const char *id, const char *cause,
		 FILE *out)
{
	uint8_t buf[SUBCRED_WIRE_MAX_LEN];
	char txid[2 * SUBCRED_WIRE_TXID_LEN + 1];
	struct id_info *in = id_slot(id, 0);
	struct subcred_msg m;
	uint64_t c = SUBCRED_REJECT_NO_TXN;
	int type = type_parse(tname, strlen(tname)), len;

	if (type != SUBCRED_MSG_RESPONSE && type != SUBCRED_MSG_ACK &&
	    type != SUBCRED_MSG_SYNC && type != SUBCRED_MSG_REJECT &&
	    type != SUBCRED_MSG_REQUEST) {
		fprintf(out, "error: forge: TYPE is response, ack, sync, reject "
			"or request\n");
		return -1;
	}
	if (!in || !in->has_txid) {
		fprintf(out, "error: forge: no message of '%s' seen yet: no "
			"txid to use\n", id);
		return -1;
	}
	if (cause && (num_parse(cause, strlen(cause), 255, &c) ||
		      type != SUBCRED_MSG_REJECT)) {
		fprintf(out, "error: forge: CAUSE is a number, for reject only\n");
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.id_len = strlen(id);
	memcpy(m.id, id, m.id_len);
	memcpy(m.txid, in->txid, sizeof(m.txid));
	switch (type) {
	case SUBCRED_MSG_RESPONSE:
		rng_bytes(m.response.res, sizeof(m.response.res));
		rng_bytes(m.response.pk, sizeof(m.response.pk));
		break;
	case SUBCRED_MSG_ACK:
		m.ack.new_version = in->new_version ? in->new_version :
				    in->version + 1;
		break;
	case SUBCRED_MSG_SYNC:
		rng_bytes(m.sync.auts, sizeof(m.sync.auts));
		break;
	case SUBCRED_MSG_REJECT:
		m.reject.cause = (uint8_t)c;
		break;
	case SUBCRED_MSG_REQUEST:
		m.request.reason = SUBCRED_REASON_PERIODIC;
		m.request.key_version = in->version ? in->version : 1;
		rng_bytes(m.request.nonce, sizeof(m.request.nonce));
		break;
	}
	len = subcred_wire_build(&m, buf, sizeof(buf));
	if (len < 0) {
		fprintf(out, "error: forge: cannot build (cause out of range?)"
			"\n");
		return -1;
	}
	if (subcred_wire_tagged(type)) {
		uint8_t tag[SUBCRED_WIRE_TAG_LEN];

		rng_bytes(tag, sizeof(tag));	/* the wrong tag */
		subcred_wire_set_tag(buf, len, tag);
	}
	hex(m.txid, sizeof(m.txid), txid);
	R.cnt[type][C_FORGED]++;
	logf_("up %s id=%s txid=%s: forged, %d octets", type_names[type], id,
	      txid, len);
	send_dir(UP, buf, len);
	fprintf(out, "forged %s id=%s txid=%s\n", type_names[type], id, txid);
	return 0;
}

/* ---- counters ---- */

static void stats(FILE *f)
{
	uint64_t all[C_N] = { 0 };
	int t, c, i;

	for (t = 0; t < T_N; t++) {
		for (c = 0; c < C_N; c++) {
			fprintf(f, "%s.%s %" PRIu64 "\n", type_names[t],
				counter_names[c], R.cnt[t][c]);
			all[c] += R.cnt[t][c];
		}
	}
	for (c = 0; c < C_N; c++)
		fprintf(f, "all.%s %" PRIu64 "\n", counter_names[c], all[c]);
	fprintf(f, "held %zu\n", R.nheld);
	for (i = 0; i < RULES_MAX; i++) {
		const struct rule *r = &R.rules[i];

		if (!r->num)
			continue;
		fprintf(f, "rule.%d.matched %" PRIu64 "\nrule.%d.applied %"
			PRIu64 "\n# rule %d: %s\n", r->num, r->matched, r->num,
			r->applied, r->num, r->text);
	}
}

static void write_stats(void)
{
	char tmp[4200];
	FILE *f;

	if (!R.stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", R.stats_path);
	f = fopen(tmp, "w");
	if (!f) {
		logf_("%s: %s", tmp, strerror(errno));
		return;
	}
	stats(f);
	if (fclose(f) || rename(tmp, R.stats_path))
		logf_("%s: %s", R.stats_path, strerror(errno));
}

/* ---- control ---- */

static void ctl_command(char *line, FILE *out)
{
	char *argv[RULES_MAX + 2], *save = NULL, *tok, err[400];
	int argc = 0, i, n;
	uint64_t v;

	for (tok = strtok_r(line, " \n", &save); tok && argc < RULES_MAX + 2;
	     tok = strtok_r(NULL, " \n", &save))
		argv[argc++] = tok;
	if (!argc) {
		fprintf(out, "error: empty command\n");
		return;
	}
	if (!strcmp(argv[0], "ping") && argc == 1) {
		fprintf(out, "ok\n");
	} else if (!strcmp(argv[0], "add") && argc > 1) {
		char *msg = NULL;
		size_t mlen = 0;
		FILE *m = open_memstream(&msg, &mlen);

		for (i = 1; i < argc && m; i++) {
			n = rule_add(argv[i], err, sizeof(err));
			if (n < 0)
				break;
			fprintf(m, "rule %d\n", n);
			logf_("rule %d: %s", n, argv[i]);
		}
		if (m)
			fclose(m);
		if (!m || i < argc)
			fprintf(out, "error: %s%s\n", m ? err : "out of memory",
				i > 1 ? " (the rules before it were added)" : "");
		else
			fprintf(out, "ok\n%s", msg);
		free(msg);
	} else if (!strcmp(argv[0], "del") && argc > 1) {
		for (i = 1; i < argc; i++) {
			int j;

			if (num_parse(argv[i], strlen(argv[i]), INT32_MAX, &v))
				break;
			for (j = 0; j < RULES_MAX; j++)
				if (R.rules[j].num && R.rules[j].num == (int)v)
					break;
			if (j == RULES_MAX)
				break;
			logf_("rule %d deleted", R.rules[j].num);
			R.rules[j].num = 0;
		}
		if (i < argc)
			fprintf(out, "error: no rule '%s'\n", argv[i]);
		else
			fprintf(out, "ok\n");
	} else if (!strcmp(argv[0], "clear") && argc == 1) {
		for (i = 0; i < RULES_MAX; i++)
			R.rules[i].num = 0;
		logf_("rules cleared");
		fprintf(out, "ok\n");
	} else if (!strcmp(argv[0], "loss") && (argc == 2 || argc == 3)) {
		char *end;
		double p = strtod(argv[1], &end);

		if (*end || !(p >= 0 && p <= 100) ||
		    (argc == 3 && num_parse(argv[2], strlen(argv[2]),
					    UINT64_MAX / 2, &v))) {
			fprintf(out, "error: loss PCT [SEED]: PCT 0..100\n");
			return;
		}
		R.loss = p;
		if (argc == 3)
			rng_seed(v);
		logf_("random loss %g%%%s%s", p, argc == 3 ? ", seed " : "",
		      argc == 3 ? argv[2] : "");
		fprintf(out, "ok\n");
	} else if (!strcmp(argv[0], "stats") && argc == 1) {
		fprintf(out, "ok\n");
		stats(out);
	} else if (!strcmp(argv[0], "reset") && argc == 1) {
		memset(R.cnt, 0, sizeof(R.cnt));
		for (i = 0; i < RULES_MAX; i++)
			R.rules[i].matched = R.rules[i].applied = 0;
		fprintf(out, "ok\n");
	} else if (!strcmp(argv[0], "replay") && argc <= 2) {
		n = release_if(pick_replay, argc == 2 ? argv[1] : NULL,
			       "on command");
		fprintf(out, "ok\nreplayed %d\n", n);
	} else if (!strcmp(argv[0], "flush") && argc == 1) {
		n = release_if(pick_all, NULL, "flushed");
		fprintf(out, "ok\nreleased %d\n", n);
	} else if (!strcmp(argv[0], "forge") && (argc == 3 || argc == 4)) {
		char *msg = NULL;
		size_t mlen = 0;
		FILE *m = open_memstream(&msg, &mlen);

		if (!m) {
			fprintf(out, "error: out of memory\n");
			return;
		}
		n = forge(argv[1], argv[2], argc == 4 ? argv[3] : NULL, m);
		fclose(m);
		fprintf(out, "%s%s", n ? "" : "ok\n", msg);
		free(msg);
	} else {
		fprintf(out, "error: unknown command or wrong arguments: '%s' "
			"(ping, add RULE..., del N..., clear, loss PCT [SEED], "
			"stats, reset, replay [ID], flush, forge TYPE ID "
			"[CAUSE])\n", argv[0]);
	}
}

static void on_ctl(void)
{
	struct timeval tv = { 1, 0 };
	char line[4096], *reply = NULL;
	size_t rlen = 0;
	ssize_t n;
	FILE *out;
	int fd;

	fd = accept4(R.ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, line, sizeof(line) - 1, 0);
	if (n <= 0) {
		close(fd);
		return;
	}
	line[n] = '\0';
	out = open_memstream(&reply, &rlen);
	if (out) {
		ctl_command(line, out);
		fclose(out);
		if (send(fd, reply, rlen > CTL_MAX ? CTL_MAX : rlen,
			 MSG_NOSIGNAL) < 0)
			logf_("control: send: %s", strerror(errno));
	}
	free(reply);
	close(fd);
}

static int ctl_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "relay: --control '%s': path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "relay: socket: %s\n", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 16)) {
		fprintf(stderr, "relay: --control %s: %s\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* `relay ctl SOCKET COMMAND [ARG]...` */
static int ctl_client(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[4096], *reply;
	size_t len = 0;
	ssize_t n;
	int fd, i;

	if (argc < 4) {
		fprintf(stderr, "usage: relay ctl SOCKET COMMAND [ARG]...\n");
		return 2;
	}
	if (strlen(argv[2]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "relay: ctl: socket path too long\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[2]);
	line[0] = '\0';
	for (i = 3; i < argc; i++) {
		n = snprintf(line + len, sizeof(line) - len, "%s%s",
			     i > 3 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - len) {
			fprintf(stderr, "relay: ctl: command too long\n");
			return 2;
		}
		len += n;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "relay: ctl: %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	if (send(fd, line, len, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "relay: ctl: send: %s\n", strerror(errno));
		return 1;
	}
	reply = malloc(CTL_MAX + 1);
	if (!reply)
		return 1;
	n = recv(fd, reply, CTL_MAX, 0);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "relay: ctl: no reply%s%s\n", n ? ": " : "",
			n ? strerror(errno) : "");
		free(reply);
		return 1;
	}
	reply[n] = '\0';
	if (!strncmp(reply, "ok\n", 3)) {
		fputs(reply + 3, stdout);
		free(reply);
		return 0;
	}
	fprintf(stderr, "relay: %s", reply);
	free(reply);
	return 1;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: relay [OPTIONS] [--rule RULE]...\n"
"       relay ctl SOCKET COMMAND [ARG]...\n"
"\n"
"A deterministic fault-injecting UDP relay between subcred-agent (device)\n"
"and subcred-hn (network), for the selftests. What arrives on the\n"
"device-facing socket goes to --network from the network-facing socket;\n"
"what arrives on the network-facing socket goes to --device from the\n"
"device-facing one.\n"
"\n"
"  --listen-device ADDR:PORT   device-facing socket, the agent's --network\n"
"                              (default 192.0.2.1:7400)\n"
"  --device ADDR:PORT          the agent (default 192.0.2.2:7306)\n"
"  --listen-network ADDR:PORT  network-facing socket, the subscribers'\n"
"                              --device in subcred-hn (default 192.0.2.1:7401)\n"
"  --network ADDR:PORT         subcred-hn (default 192.0.2.1:7305)\n"
"  --rule RULE                 a fault rule (repeatable, see below)\n"
"  --loss PCT                  lose PCT %% (0..100) of the messages no rule\n"
"                              selects, in both directions\n"
"  --seed N                    seed of the loss and forging PRNG (default 1)\n"
"  --control PATH              unix socket for `relay ctl`\n"
"  --stats FILE                write the counters to FILE on SIGUSR1 and at\n"
"                              exit\n"
"  -v, --verbose               log every datagram, not only the faults\n"
"  -h, --help\n"
"\n"
"RULE is SELECT=ACTION. SELECT is TYPE[@ID][:WHICH]: TYPE one of notice,\n"
"response, confirm, ack, sync, reject, request, any (byte 3 of the header);\n"
"@ID only messages of that credential; WHICH the occurrences among the\n"
"messages the rule selects, counted from 1: N, N-M, N- or all (default).\n"
"ACTION:\n"
"  pass            sent unchanged (the rule only counts)\n"
"  drop            the message is not sent\n"
"  dup[:N]         sent, then N more copies (default 1)\n"
"  delay:MS        sent MS milliseconds later\n"
"  reorder[:MS]    held, sent right after the next message going the same\n"
"                  way (at the latest after MS, default 5000)\n"
"  replay[:MS]     sent, and a copy sent again MS ms later or, without MS,\n"
"                  on SIGUSR2 or `relay ctl SOCKET replay`\n"
"  corrupt[:BIT]   bit BIT flipped (0 = the top bit of octet 0; default and\n"
"                  beyond the end: the last bit, inside the tag)\n"
"Every rule counts the messages it selects; the first rule whose WHICH\n"
"covers a message decides; messages no rule decides are subject to --loss.\n"
"\n"
"Control commands: ping; add RULE...; del N...; clear; loss PCT [SEED];\n"
"stats; reset (the counters); replay [ID]; flush (send everything held);\n"
"forge TYPE ID [CAUSE]: a device message (response, ack, sync, reject,\n"
"request) for ID with the txid of the last message seen for ID and a\n"
"random (wrong) tag, sent to --network from the network-facing socket;\n"
"reject has cause CAUSE (default 5), ack the new_version of the last\n"
"CONFIRM, request the key_version of the last NOTICE.\n"
"\n"
"Counters (stats, --stats): TYPE.COUNTER N for TYPE other (unparsable),\n"
"notice ... request and all, COUNTER one of seen, forwarded, dropped,\n"
"lost, duplicated, delayed, reordered, replayed, corrupted, forged; held N;\n"
"rule.N.matched, rule.N.applied. SIGTERM, SIGINT: exit 0.\n");
}

static int arg_addr(const char *what, const char *s,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	if (parse_addr(s, ss, len)) {
		fprintf(stderr, "relay: %s '%s': expected ADDR:PORT or "
			"[ADDR]:PORT\n", what, s);
		return -1;
	}
	return 0;
}

static int on_signal(void)
{
	struct signalfd_siginfo si;

	while (read(R.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			write_stats();
			break;
		case SIGUSR2:
			logf_("SIGUSR2: %d replayed",
			      release_if(pick_replay, NULL, "on SIGUSR2"));
			break;
		default:
			logf_("%s: exiting", strsignal((int)si.ssi_signo));
			R.stop = 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen-device", required_argument, NULL, 'D' },
		{ "device", required_argument, NULL, 'd' },
		{ "listen-network", required_argument, NULL, 'N' },
		{ "network", required_argument, NULL, 'n' },
		{ "rule", required_argument, NULL, 'r' },
		{ "loss", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'c' },
		{ "stats", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *listen_dev = "192.0.2.1:7400", *listen_net = "192.0.2.1:7401";
	const char *dev = "192.0.2.2:7306", *net = "192.0.2.1:7305";
	const char *rules[RULES_MAX];
	int nrules = 0, opt, i;
	uint64_t seed = 1;
	char err[400], *end;
	struct pollfd pfd[4];
	sigset_t mask;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_client(argc, argv);
	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'D':
			listen_dev = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'N':
			listen_net = optarg;
			break;
		case 'n':
			net = optarg;
			break;
		case 'r':
			if (nrules == RULES_MAX) {
				fprintf(stderr, "relay: at most %d rules\n",
					RULES_MAX);
				return 2;
			}
			rules[nrules++] = optarg;
			break;
		case 'l':
			R.loss = strtod(optarg, &end);
			if (*end || !(R.loss >= 0 && R.loss <= 100)) {
				fprintf(stderr, "relay: --loss '%s': a "
					"percentage, 0..100\n", optarg);
				return 2;
			}
			break;
		case 's':
			if (num_parse(optarg, strlen(optarg), UINT64_MAX / 2,
				      &seed)) {
				fprintf(stderr, "relay: --seed '%s': a decimal "
					"number\n", optarg);
				return 2;
			}
			break;
		case 'c':
			R.ctl_path = optarg;
			break;
		case 'S':
			R.stats_path = optarg;
			break;
		case 'v':
			R.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "relay: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	R.t0 = now_ms();
	rng_seed(seed);
	for (i = 0; i < nrules; i++) {
		if (rule_add(rules[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "relay: %s\n", err);
			return 2;
		}
	}
	if (arg_addr("--device", dev, &R.dev_addr, &R.dev_len) ||
	    arg_addr("--network", net, &R.net_addr, &R.net_len))
		return 2;
	R.ids = calloc(IDS_MAX, sizeof(*R.ids));
	if (!R.ids) {
		fprintf(stderr, "relay: out of memory\n");
		return 1;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	R.ctl_fd = -1;
	R.dev_fd = udp_socket("--listen-device", listen_dev);
	if (R.dev_fd < 0)
		return 1;
	R.net_fd = udp_socket("--listen-network", listen_net);
	if (R.net_fd < 0)
		return 1;
	if (R.ctl_path) {
		R.ctl_fd = ctl_socket(R.ctl_path);
		if (R.ctl_fd < 0)
			return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (R.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "relay: signalfd: %s\n", strerror(errno));
		return 1;
	}
	logf_("device side %s -> %s, network side %s -> %s, %d rule%s, "
	      "loss %g%%, seed %" PRIu64, listen_dev, net, listen_net, dev,
	      nrules, nrules == 1 ? "" : "s", R.loss, seed);

	pfd[0] = (struct pollfd){ .fd = R.sig_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = R.dev_fd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = R.net_fd, .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = R.ctl_fd, .events = POLLIN };
	while (!R.stop) {
		int64_t due = next_due(), now;
		int timeout = -1;

		if (due) {
			now = now_ms();
			timeout = due > now ? (int)(due - now) : 0;
		}
		if (poll(pfd, R.ctl_fd >= 0 ? 4 : 3, timeout) < 0 &&
		    errno != EINTR) {
			logf_("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			on_signal();
		if (R.stop)
			break;
		if (pfd[1].revents)
			receive(UP);
		if (pfd[2].revents)
			receive(DOWN);
		if (R.ctl_fd >= 0 && pfd[3].revents)
			on_ctl();
		now = now_ms();
		release_if(pick_due, &now, "when due");
	}
	write_stats();
	if (R.ctl_path)
		unlink(R.ctl_path);
	return 0;
}
