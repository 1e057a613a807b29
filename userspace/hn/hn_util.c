// SPDX-License-Identifier: GPL-2.0
/* Small helpers of subcred-hn (see hn_util.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hn_crypto.h"
#include "hn_util.h"
#include "wire.h"

int hn_log_quiet;

int64_t hn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hn_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hn_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void hn_fmt_time(int64_t ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[24];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%03dZ", base, (int)(ms % 1000));
}

void hn_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (hn_log_quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "subcred-hn: %s\n", line);
}

/* ---- secrets ---- */

#define SECRET_IN_MAX	256

static int read_all(int fd, const char *name, uint8_t *buf, size_t size,
		    size_t *len)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "subcred-hn: %s: %s\n", name,
				strerror(errno));
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n == size) {
			fprintf(stderr, "subcred-hn: %s: too large for a key "
				"file\n", name);
			return -1;
		}
	}
	*len = n;
	return 0;
}

static int read_path(const char *path, uint8_t *buf, size_t size, size_t *len)
{
	struct stat st;
	int fd, ret;

	if (!strcmp(path, "-"))
		return read_all(STDIN_FILENO, "stdin", buf, size, len);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "subcred-hn: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr, "subcred-hn: warning: %s is readable by "
			"group or others\n", path);
	ret = read_all(fd, path, buf, size, len);
	close(fd);
	return ret;
}

/* 32 hex digits with surrounding space, or (@raw) 16 non-hex raw octets. */
static int decode_key(const char *what, const char *src, const uint8_t *s,
		      size_t n, int raw, uint8_t *out)
{
	size_t i;
	int all_hex = 1;

	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			all_hex = 0;
	if (raw && n == HN_K_LEN && !all_hex) {
		memcpy(out, s, HN_K_LEN);
		return 0;
	}
	while (n && isspace(s[0])) {
		s++;
		n--;
	}
	while (n && isspace(s[n - 1]))
		n--;
	if (n != 2 * HN_K_LEN) {
		fprintf(stderr, "subcred-hn: %s (%s): expected 32 hex digits%s\n",
			what, src, raw ? " or exactly 16 raw octets" : "");
		return -1;
	}
	for (i = 0; i < HN_K_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fprintf(stderr, "subcred-hn: %s (%s): invalid "
				"character, expected hex digits\n", what, src);
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int hn_read_secrets(const char *k_file, const char *opc_file, uint8_t *k,
		    uint8_t *opc)
{
	uint8_t in[SECRET_IN_MAX];
	const uint8_t *eol;
	size_t n;
	int ret = -1;

	if (!strcmp(k_file, "-") && !strcmp(opc_file, "-")) {
		if (read_all(STDIN_FILENO, "stdin", in, sizeof(in), &n))
			goto out;
		eol = memchr(in, '\n', n);
		if (!eol) {
			fprintf(stderr, "subcred-hn: stdin: expected two "
				"lines, K then OPc\n");
			goto out;
		}
		ret = decode_key("K", "stdin line 1", in, eol - in, 0, k) ||
		      decode_key("OPc", "stdin line 2", eol + 1,
				 in + n - eol - 1, 0, opc) ? -1 : 0;
		goto out;
	}
	if (read_path(k_file, in, sizeof(in), &n) ||
	    decode_key("K", k_file, in, n, 1, k))
		goto out;
	hn_wipe(in, sizeof(in));
	if (read_path(opc_file, in, sizeof(in), &n) ||
	    decode_key("OPc", opc_file, in, n, 1, opc))
		goto out;
	ret = 0;
out:
	hn_wipe(in, sizeof(in));
	if (ret) {
		hn_wipe(k, HN_K_LEN);
		hn_wipe(opc, HN_K_LEN);
	}
	return ret;
}

static const char *const reasons[] = {
	[SUBCRED_REASON_PERIODIC] = "periodic",
	[SUBCRED_REASON_COMPROMISE] = "compromise",
	[SUBCRED_REASON_OPERATOR] = "operator",
};

int hn_reason_parse(const char *s)
{
	int i;

	for (i = SUBCRED_REASON_PERIODIC; i <= SUBCRED_REASON_OPERATOR; i++)
		if (!strcmp(s, reasons[i]))
			return i;
	return 0;
}

const char *hn_reason_name(int reason)
{
	if (reason < SUBCRED_REASON_PERIODIC ||
	    reason > SUBCRED_REASON_OPERATOR)
		return "-";
	return reasons[reason];
}

const char *hn_type_name(int type)
{
	static const char *const names[] = {
		NULL, "NOTICE", "RESPONSE", "CONFIRM", "ACK", "SYNC",
		"REJECT", "REQUEST",
	};

	if (type < SUBCRED_MSG_NOTICE || type > SUBCRED_MSG_TYPE_MAX)
		return "?";
	return names[type];
}
