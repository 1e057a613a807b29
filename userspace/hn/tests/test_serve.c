// SPDX-License-Identifier: GPL-2.0
/*
 * The subcred-hn binary end to end over UDP on 127.0.0.1, with the
 * simulated device of tdev.c on its own socket: add (key files and
 * stdin), rekey, serve (NOTICE, RESPONSE, CONFIRM, SIGKILL and restart,
 * CONFIRM again, ACK), list, challenge, audit, unknown ids, SIGTERM.
 * The binary is ./subcred-hn or $SUBCRED_HN; $SUBCRED_HN_KEEP keeps the
 * temporary files (database, serve.log).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "hn_util.h"
#include "tap.h"
#include "tdev.h"

#define ID	"imsi-001010000000123"

static const char *bin = "./subcred-hn";
static char dir[] = "/tmp/subcred-hn-serve.XXXXXX";
static char db[300], logf[300], kf[300], of[300];
static int dev_fd, serve_port;
static pid_t serve_pid;

static int udp_socket(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* Run the binary with @args (a shell string); stdout into @out. */
static int run(char *out, size_t size, const char *input, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

static int run(char *out, size_t size, const char *input, const char *fmt,
	       ...)
{
	char cmd[2048], args[1536];
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (input)
		snprintf(cmd, sizeof(cmd), "printf '%s' | %s --db %s %s "
			 "2>>%s/cli.err", input, bin, db, args, dir);
	else
		snprintf(cmd, sizeof(cmd), "%s --db %s %s </dev/null "
			 "2>>%s/cli.err", bin, db, args, dir);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		size_t n = fread(out, 1, size - 1, p);

		out[n] = '\0';
	} else {
		char sink[4096];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_has(const char *path, const char *needle);

/* Wait up to 5 s for @needle in @path (1 if it came). */
static int wait_file(const char *path, const char *needle)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (file_has(path, needle))
			return 1;
		usleep(50000);
	}
	return 0;
}

/* Lines of @path that contain @needle. */
static int count_lines(const char *path, const char *needle)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		n += strstr(buf, needle) != NULL;
	fclose(f);
	return n;
}

static void start_serve(void)
{
	static int starts;
	char listen[64], want[96];

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", serve_port);
	serve_pid = fork();
	if (!serve_pid) {
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 2);
		execl(bin, bin, "--db", db, "serve", "--listen", listen,
		      "--rto-ms", "300", "--rto-max-ms", "600", "--max-tries",
		      "3", "--poll-ms", "50", (char *)NULL);
		_exit(127);
	}
	/* the n-th "listening" line of the log */
	starts++;
	snprintf(want, sizeof(want), "listening on %s", listen);
	for (int i = 0; i < 100 && count_lines(logf, want) < starts; i++)
		usleep(50000);
}

static int stop_serve(int sig)
{
	int st;

	kill(serve_pid, sig);
	if (waitpid(serve_pid, &st, 0) != serve_pid)
		return -1;
	serve_pid = 0;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* A datagram from the server within @ms, or 0. */
static int dev_recv(uint8_t *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = dev_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	n = recv(dev_fd, buf, size, 0);
	return n > 0 ? (int)n : 0;
}

/* The next datagram of @type within @ms (retransmissions of others skipped). */
static int dev_recv_type(int type, uint8_t *buf, size_t size, int ms)
{
	int64_t end = hn_now_ms() + ms;
	int n;

	do {
		n = dev_recv(buf, size, (int)(end - hn_now_ms()));
		if (n > 3 && buf[3] == type)
			return n;
	} while (n > 0 && hn_now_ms() < end);
	return 0;
}

static void dev_send(const uint8_t *buf, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(serve_port);
	sendto(dev_fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a));
}

static int file_has(const char *path, const char *needle)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The value of "@key": in a one-line JSON object, or -1. */
static long json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static int json_str_is(const char *json, const char *key, const char *want)
{
	char pat[160];

	snprintf(pat, sizeof(pat), "\"%s\":\"%s\"", key, want);
	return strstr(json, pat) != NULL;
}

int main(void)
{
	static const char k_hex[] = "0396eb317b6d1c36f19c1c84cd6ffd16";
	static const char opc_hex[] = "53c15671c60a4b731c55b4a441c0bde2";
	char out[16384], khex_k[33];
	uint8_t buf[HN_MSG_MAX], ans[HN_MSG_MAX], confirm[HN_MSG_MAX];
	struct hn_key key = { { 0 }, { 0 } };
	struct tdev d;
	int dev_port, n, clen, r;

	tap_start();
	if (getenv("SUBCRED_HN"))
		bin = getenv("SUBCRED_HN");
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof(db), "%s/hn.db", dir);
	snprintf(logf, sizeof(logf), "%s/serve.log", dir);
	snprintf(kf, sizeof(kf), "%s/k", dir);
	snprintf(of, sizeof(of), "%s/opc", dir);
	signal(SIGPIPE, SIG_IGN);
	hn_unhex(k_hex, key.k, 16);
	hn_unhex(opc_hex, key.opc, 16);
	tdev_init(&d, ID, &key, 1);
	dev_fd = udp_socket(&dev_port);
	{
		int fd = udp_socket(&serve_port);

		close(fd);
	}

	ok(run(out, sizeof(out), NULL, "--help") == 0 &&
	   strstr(out, "challenge"), "--help lists the commands");
	ok(run(NULL, 0, NULL, "list") == 1,
	   "list without a database fails (exit 1)");
	ok(!write_file(kf, k_hex) && !write_file(of, "53c15671c60a4b731c55b4a4"
						 "41c0bde2\n") &&
	   run(NULL, 0, NULL, "add " ID " --k-file %s --opc-file %s --device "
	       "127.0.0.1:%d", kf, of, dev_port) == 0,
	   "add from key files");
	ok(run(NULL, 0, NULL, "add " ID " --k-file %s --opc-file %s", kf, of)
	   == 1, "add of an existing id fails (exit 1)");
	ok(run(NULL, 0, NULL, "add imsi-2 --k-file %s", kf) == 2,
	   "add without --opc-file is a usage error (exit 2)");
	snprintf(khex_k, sizeof(khex_k), "%s", k_hex);
	snprintf(out, sizeof(out), "%s\\n%s\\n", k_hex, opc_hex);
	ok(run(NULL, 0, out, "add imsi-2 --k-file - --opc-file - --sqn 40 "
	       "--key-version 7") == 0 &&
	   run(out, sizeof(out), NULL, "list -j imsi-2") == 0 &&
	   json_num(out, "key_version") == 7 &&
	   json_num(out, "next_seq") == 40 && strstr(out, "\"device\":null"),
	   "add from stdin (two lines), --sqn, --key-version");
	ok(run(out, sizeof(out), NULL, "list") == 0 &&
	   !strncmp(out, "ID ", 3) && strstr(out, ID) && strstr(out, "idle") &&
	   !strstr(out, k_hex) && !strstr(out, opc_hex),
	   "list: a table, no secrets");
	snprintf(out, sizeof(out), "imsi-b1 %s %s\\n# comment\\n\\n"
		 "imsi-b2\\t%s  %s\\n", k_hex, opc_hex, k_hex, opc_hex);
	ok(run(NULL, 0, out, "add --batch - --sqn 9") == 0 &&
	   run(out, sizeof(out), NULL, "list -j imsi-b2") == 0 &&
	   json_num(out, "next_seq") == 9 &&
	   run(NULL, 0, NULL, "list imsi-b1") == 0,
	   "add --batch: one subscriber per line, comments and blank lines");
	snprintf(out, sizeof(out), "imsi-b3 %s %s\\nimsi-b4 %s\\n", k_hex,
		 opc_hex, k_hex);
	ok(run(NULL, 0, out, "add --batch -") == 1 &&
	   run(NULL, 0, NULL, "list imsi-b3") == 1,
	   "add --batch with a malformed line adds nothing (exit 1)");
	snprintf(out, sizeof(out), "imsi-b3 %s %s\\nimsi-b1 %s %s\\n", k_hex,
		 opc_hex, k_hex, opc_hex);
	ok(run(NULL, 0, out, "add --batch -") == 1 &&
	   run(NULL, 0, NULL, "list imsi-b3") == 1,
	   "add --batch with an existing id adds nothing (exit 1)");
	ok(run(NULL, 0, NULL, "add --batch - " ID) == 2,
	   "add --batch with an ID is a usage error (exit 2)");
	ok(run(out, sizeof(out), NULL, "rekey imsi-b1 imsi-nobody imsi-b2 "
	       "--reason periodic") == 1 &&
	   strstr(out, "imsi-b1: rekey-queued") &&
	   strstr(out, "imsi-b2: rekey-queued") &&
	   run(out, sizeof(out), NULL, "list -j imsi-b2") == 0 &&
	   strstr(out, "\"rekey\":\"periodic\""),
	   "rekey of several ids: each queued, an unknown one fails (exit 1)");

	start_serve();
	ok(run(out, sizeof(out), NULL, "rekey " ID " --reason compromise") == 0
	   && strstr(out, "rekey-queued"), "rekey queues an update");
	n = dev_recv_type(SUBCRED_MSG_NOTICE, buf, sizeof(buf), 5000);
	ok(n > 0 && buf[3] == SUBCRED_MSG_NOTICE,
	   "serve picks the rekey up and sends a NOTICE");
	n = n > 0 ? tdev_input(&d, buf, n, ans) : -1;
	ok(n > 0 && ans[3] == SUBCRED_MSG_RESPONSE,
	   "the device accepts the NOTICE");
	dev_send(ans, n);
	clen = dev_recv_type(SUBCRED_MSG_CONFIRM, confirm, sizeof(confirm),
			     5000);
	ok(clen > 0 && confirm[3] == SUBCRED_MSG_CONFIRM,
	   "serve answers the RESPONSE with a CONFIRM");
	ok(run(out, sizeof(out), NULL, "list -j " ID) == 0 &&
	   json_str_is(out, "state", "confirm-sent") &&
	   strstr(out, "\"old_key\":true") && json_num(out, "new_version") == 2,
	   "list -j: confirm-sent, old key held, new_version 2");

	/* kill -9 in the dual-key window; a new serve resumes */
	ok(stop_serve(SIGKILL) == 128 + SIGKILL, "serve killed with SIGKILL");
	while (dev_recv(buf, sizeof(buf), 100) > 0)
		;
	start_serve();
	n = dev_recv_type(SUBCRED_MSG_CONFIRM, buf, sizeof(buf), 5000);
	ok(n > 0 && n == clen && !memcmp(buf, confirm, clen),
	   "the restarted serve retransmits the same CONFIRM");
	n = n > 0 ? tdev_input(&d, buf, n, ans) : -1;
	ok(n > 0 && ans[3] == SUBCRED_MSG_ACK && d.version == 2,
	   "the device commits and ACKs");
	dev_send(ans, n);
	wait_file(logf, "decision=commit");
	ok(run(out, sizeof(out), NULL, "list -j " ID) == 0 &&
	   json_str_is(out, "state", "idle") &&
	   json_num(out, "key_version") == 2 &&
	   strstr(out, "\"old_key\":false") &&
	   json_str_is(out, "last_result", "committed v2"),
	   "serve committed: key_version 2, one key");
	while (dev_recv(buf, sizeof(buf), 0) > 0)
		;	/* what was sent before the commit */
	ok(!dev_recv(buf, sizeof(buf), 800), "nothing is retransmitted after "
	   "the commit");

	r = run(out, sizeof(out), NULL, "challenge " ID " -j");
	{
		uint8_t rnd[16], xres[8];
		struct hn_milenage o;
		const char *p = strstr(out, "\"rand\":\""), *x;

		x = strstr(out, "\"xres\":\"");
		ok(!r && p && x &&
		   sscanf(p + 8, "%32[0-9a-f]", khex_k) == 1 &&
		   !hn_unhex(khex_k, rnd, 16) &&
		   sscanf(x + 8, "%16[0-9a-f]", khex_k) == 1 &&
		   !hn_unhex(khex_k, xres, 8) &&
		   !hn_milenage_f2345(d.key.k, d.key.opc, rnd, &o) &&
		   !memcmp(o.res, xres, 8) && json_num(out, "key_version") == 2,
		   "challenge -j: XRES is the device's RES under the new key");
	}
	ok(run(out, sizeof(out), NULL, "challenge " ID) == 0 &&
	   strstr(out, "\nRAND ") && strstr(out, "\nAUTN ") &&
	   strstr(out, "\nXRES ") && strstr(out, "\nSQN "),
	   "challenge: NAME value lines");
	ok(run(NULL, 0, NULL, "challenge " ID " --key new") == 1,
	   "challenge --key new outside a dual-key window fails");

	/* an unknown id and garbage: dropped, logged */
	{
		struct tdev other;

		tdev_init(&other, "imsi-nobody", &key, 1);
		n = tdev_reject(&other, &key, (uint8_t[8]){ 1 }, 5, ans);
		dev_send(ans, n);
		dev_send((const uint8_t *)"hello", 5);
		wait_file(logf, "decision=drop: malformed");
	}
	ok(file_has(logf, "id=imsi-nobody") &&
	   file_has(logf, "decision=drop-unknown-id") &&
	   file_has(logf, "decision=drop: malformed"),
	   "unknown id and malformed datagram logged as dropped");

	ok(run(out, sizeof(out), NULL, "audit " ID) == 0 &&
	   strstr(out, " notice ") && strstr(out, " confirm ") &&
	   strstr(out, " commit ") && strstr(out, " RESPONSE ") &&
	   strstr(out, " ACK "), "audit: NOTICE, CONFIRM, commit are there");
	ok(run(out, sizeof(out), NULL, "audit -j") == 0 && out[0] == '[' &&
	   strstr(out, "\"decision\":\"commit\"") &&
	   strstr(out, "\"decision\":\"drop-unknown-id\""),
	   "audit -j: a JSON array with the unknown id too");

	ok(stop_serve(SIGTERM) == 0, "SIGTERM: serve exits 0");
	ok(file_has(logf, "decision=notice") && file_has(logf,
							 "decision=confirm") &&
	   file_has(logf, "decision=commit") &&
	   file_has(logf, "exiting on SIGTERM"),
	   "serve logged NOTICE, CONFIRM, commit and its exit");
	{
		char k_new[33], opc_new[33];

		hn_hex(d.key.k, 16, k_new);
		hn_hex(d.key.opc, 16, opc_new);
		ok(!file_has(logf, k_hex) && !file_has(logf, opc_hex) &&
		   !file_has(logf, k_new) && !file_has(logf, opc_new) &&
		   run(out, sizeof(out), NULL, "audit -j") == 0 &&
		   !strstr(out, k_new) && !strstr(out, k_hex),
		   "no key in the log or the audit trail");
	}
	ok(run(NULL, 0, NULL, "del imsi-2") == 0 &&
	   run(NULL, 0, NULL, "list imsi-2") == 1, "del removes a subscriber");

	if (serve_pid)
		stop_serve(SIGKILL);
	if (!tap_failed && !getenv("SUBCRED_HN_KEEP")) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	} else {
		printf("# files kept in %s\n", dir);
	}
	return tap_done();
}
