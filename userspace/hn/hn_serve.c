// SPDX-License-Identifier: GPL-2.0
/*
 * `subcred-hn serve`: one UDP socket, one protocol message per datagram.
 * Each datagram and each due timer is one call into hn_proto (one SQL
 * transaction); what it decided is sent only after it committed. Between
 * datagrams the database is polled, so `rekey` from another process is
 * picked up within --poll-ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "hn_addr.h"
#include "hn_serve.h"
#include "hn_util.h"

#define RECV_MAX	64	/* datagrams per round, then timers */
#define DUE_MAX		32	/* due subscribers per round, then datagrams */
#define RCVBUF		(4 << 20)	/* octets of queued datagrams */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void send_one(int fd, int family, const struct hn_out *o)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (hn_addr_parse(o->addr, 0, &ss, &len)) {
		hn_log("cannot send to '%s': bad address", o->addr);
		return;
	}
	if (family == AF_INET6 && ss.ss_family == AF_INET) {
		struct sockaddr_in in = *(struct sockaddr_in *)&ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		memset(in6, 0, sizeof(*in6));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = in.sin_port;
		in6->sin6_addr.s6_addr[10] = 0xff;
		in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&in6->sin6_addr.s6_addr[12], &in.sin_addr, 4);
		len = sizeof(*in6);
	}
	if (sendto(fd, o->buf, o->len, 0, (struct sockaddr *)&ss, len) < 0)
		hn_log("send to %s: %s", o->addr, strerror(errno));
}

static void deliver(int fd, int family, const struct hn_result *res, int rc)
{
	int i;

	hn_result_log(res);
	if (rc) {
		hn_log("database error: nothing changed, nothing sent");
		return;
	}
	for (i = 0; i < res->nout; i++)
		send_one(fd, family, &res->out[i]);
}

static void receive(hn_db *db, const struct hn_serve_opts *o, int fd,
		    int family)
{
	uint8_t buf[HN_MSG_MAX + 64];
	struct sockaddr_storage from;
	struct hn_result res;
	char addr[HN_ADDR_MAX];
	int i;

	for (i = 0; i < RECV_MAX && !stop_signal; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n;
		int rc;

		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				hn_log("receive: %s", strerror(errno));
			return;
		}
		if ((size_t)n > sizeof(buf))
			n = sizeof(buf);	/* oversized: refused by length */
		hn_addr_format((struct sockaddr *)&from, addr, sizeof(addr));
		rc = hn_proto_input(db, &o->cfg, buf, n, addr, hn_now_ms(),
				    &res);
		deliver(fd, family, &res, rc);
	}
}

/* The due work; true if there may be more of it than one round takes. */
static int timers(hn_db *db, const struct hn_serve_opts *o, int fd,
		  int family)
{
	static char ids[DUE_MAX][HN_ID_MAX + 1];
	struct hn_result res;
	int i, n;

	n = hn_db_due(db, hn_now_ms(), ids, DUE_MAX);
	for (i = 0; i < n && !stop_signal; i++) {
		/*
		 * The time of each, not of the round: a round of hundreds of
		 * NOTICEs takes seconds, and the retransmission timeout of
		 * the last ones must count from when they leave.
		 */
		int rc = hn_proto_timer(db, &o->cfg, ids[i], hn_now_ms(), &res);

		deliver(fd, family, &res, rc);
	}
	return n == DUE_MAX;
}

int hn_serve(hn_db *db, const struct hn_serve_opts *o)
{
	struct sockaddr_storage ss;
	struct pollfd pfd;
	char addr[HN_ADDR_MAX];
	socklen_t len;
	int fd, off = 0, rcvbuf = RCVBUF;
	int64_t next_timers = 0;

	if (hn_addr_parse(o->listen, HN_DEFAULT_PORT, &ss, &len)) {
		fprintf(stderr, "subcred-hn: --listen '%s': expected ADDR[:PORT]"
			"\n", o->listen);
		return 1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0) {
		fprintf(stderr, "subcred-hn: socket: %s\n", strerror(errno));
		return 1;
	}
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	/*
	 * Answers of many devices arrive while a round of timers runs: the
	 * default buffer (~200 datagrams) overflowed with a few hundred
	 * updates at once, and each lost answer cost a retransmission
	 * timeout. Above net.core.rmem_max only with CAP_NET_ADMIN.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "subcred-hn: bind %s: %s\n", o->listen,
			strerror(errno));
		close(fd);
		return 1;
	}
	if (install_signals()) {
		fprintf(stderr, "subcred-hn: sigaction: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	hn_addr_format((struct sockaddr *)&ss, addr, sizeof(addr));
	hn_log("listening on %s (rto %lld ms, max %lld ms, %d tries)", addr,
	       (long long)o->cfg.rto_ms, (long long)o->cfg.rto_max_ms,
	       o->cfg.max_tries);

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop_signal) {
		int64_t now = hn_now_ms();
		int r = poll(&pfd, 1, next_timers > now ?
			     (int)(next_timers - now) : 0);

		if (r < 0 && errno != EINTR) {
			hn_log("poll: %s", strerror(errno));
			break;
		}
		if (stop_signal)
			break;
		if (r > 0 && (pfd.revents & POLLIN))
			receive(db, o, fd, ss.ss_family);
		/*
		 * The due work once per poll period, not after every
		 * datagram: its query reads every subscriber, which made a
		 * thousand updates at once quadratic.
		 */
		if (hn_now_ms() >= next_timers)
			next_timers = timers(db, o, fd, ss.ss_family) ? 0 :
				      hn_now_ms() + o->poll_ms;
	}
	if (stop_signal)
		hn_log("exiting on %s", stop_signal == SIGTERM ? "SIGTERM" :
		       "SIGINT");
	close(fd);
	return stop_signal ? 0 : 1;
}
