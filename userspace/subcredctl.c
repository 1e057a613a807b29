// SPDX-License-Identifier: GPL-2.0
/*
 * subcredctl - administer subscription credentials held by subcred.ko
 *
 * Talks to the generic netlink family "subcred" (see linux/subcred.h).
 * K and OPc are read from files or stdin, never from the command line.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <linux/subcred.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "nl.h"

#ifndef SUBCREDCTL_VERSION
#define SUBCREDCTL_VERSION	"0.1"
#endif

#define EXIT_OK		0
#define EXIT_ERR	1	/* kernel or runtime error */
#define EXIT_USAGE	2	/* bad command line */

#define ID_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789._-"
#define SECRET_MAX	64	/* octets; > 16 only with --no-validate */
#define INPUT_MAX	(4 * SECRET_MAX + 64)

static const char prog[] = "subcredctl";
static bool json, pretty, no_validate;

struct cmd {
	const char *name;
	int (*fn)(const struct cmd *c, int argc, char **argv);
	const char *args;
	const char *help;
};

/* Secrets live only here: locked in RAM, wiped as soon as they are sent. */
static struct {
	unsigned char in[INPUT_MAX + 1];
	unsigned char k[SECRET_MAX];
	unsigned char opc[SECRET_MAX];
	size_t k_len, opc_len;
} sec;

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- usage ---- */

static void cmd_usage(const struct cmd *c, FILE *f, bool full)
{
	fprintf(f, "Usage: %s %s%s%s\n", prog, c->name,
		c->args[0] ? " " : "", c->args);
	if (full)
		fprintf(f, "\n%s", c->help);
	else
		fprintf(f, "Try '%s %s --help' for more information.\n",
			prog, c->name);
}

static int usage_err(const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_err(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_usage(c, stderr, false);
	return EXIT_USAGE;
}

/* getopt results every command handles alike; -1 means "go on" */
static int opt_common(const struct cmd *c, int opt, char **argv)
{
	switch (opt) {
	case 'h':
		cmd_usage(c, stdout, true);
		return EXIT_OK;
	case 'j':
		json = true;
		return -1;
	case 'p':
		json = pretty = true;
		return -1;
	case ':':
		return usage_err(c, "option '%s' requires an argument",
				 argv[optind - 1]);
	default:
		if (optopt)
			return usage_err(c, "unknown option '-%c'", optopt);
		return usage_err(c, "unknown option '%s'", argv[optind - 1]);
	}
}

/* ---- argument checks (the kernel checks everything again) ---- */

static bool check_id(const struct cmd *c, const char *id)
{
	size_t n = strlen(id);

	if (no_validate || (n >= 1 && n <= SUBCRED_ID_MAX_LEN &&
			    strspn(id, ID_CHARS) == n))
		return true;
	usage_err(c, "invalid ID '%s': must be 1..%d characters of "
		  "[A-Za-z0-9._-]", id, SUBCRED_ID_MAX_LEN);
	return false;
}

/* Decimal or 0x-prefixed hex in [min, max] ([0, type_max] if !validate). */
static bool parse_num(const struct cmd *c, const char *opt, const char *s,
		      uint64_t min, uint64_t max, uint64_t type_max,
		      uint64_t *out)
{
	const char *p = s;
	unsigned long long v;
	int base = 10;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) ||
	    (base == 10 && !isdigit((unsigned char)*p))) {
		usage_err(c, "invalid %s '%s': not a number", opt, s);
		return false;
	}
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end) {
		usage_err(c, "invalid %s '%s': not a number or too large",
			  opt, s);
		return false;
	}
	if (no_validate) {
		min = 0;
		max = type_max;
	}
	if (v < min || v > max) {
		usage_err(c, "invalid %s '%s': must be in %" PRIu64 "..%"
			  PRIu64, opt, s, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* ---- secrets ---- */

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool all_hex(const unsigned char *s, size_t n)
{
	while (n--)
		if (hexval(*s++) < 0)
			return false;
	return true;
}

/* Read @fd to EOF into sec.in; returns the length or -1. */
static ssize_t read_fd(int fd, const char *name)
{
	size_t n = 0;

	while (n < sizeof(sec.in)) {
		ssize_t r = read(fd, sec.in + n, sizeof(sec.in) - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err("%s: %s", name, strerror(errno));
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > INPUT_MAX) {
		err("%s: too large for a key file", name);
		return -1;
	}
	return (ssize_t)n;
}

static ssize_t read_source(const char *path)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (!strcmp(path, "-"))
		return read_fd(STDIN_FILENO, "stdin");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		err("warning: %s is readable by group or others", path);
	n = read_fd(fd, path);
	close(fd);
	return n;
}

/*
 * Decode one secret: 2 * @want hex digits with optional surrounding white
 * space, or (if @raw) exactly @want raw octets that are not all hex digits.
 */
static bool decode_secret(const char *what, const char *src,
			  const unsigned char *s, size_t n, size_t want,
			  bool raw, unsigned char *out, size_t *out_len)
{
	size_t i, lead = 0;

	if (raw && n == want && !all_hex(s, n)) {
		memcpy(out, s, n);
		*out_len = n;
		return true;
	}
	while (n && isspace(s[0])) {
		s++;
		n--;
		lead++;
	}
	while (n && isspace(s[n - 1]))
		n--;
	for (i = 0; i < n; i++) {
		if (hexval(s[i]) < 0) {
			err("%s (%s): invalid character at offset %zu, "
			    "expected hex digits", what, src, lead + i);
			return false;
		}
	}
	if (n % 2 || n / 2 > SECRET_MAX || (!no_validate && n != 2 * want)) {
		err("%s (%s): expected %zu hex digits%s, got %zu", what, src,
		    2 * want, raw ? " or exactly 16 raw octets" : "", n);
		return false;
	}
	for (i = 0; i < n / 2; i++)
		out[i] = (unsigned char)(hexval(s[2 * i]) << 4 |
					 hexval(s[2 * i + 1]));
	*out_len = n / 2;
	return true;
}

static bool load_secrets(const char *kf, const char *of)
{
	const unsigned char *eol;
	bool ok = false;
	ssize_t n;

	if (!strcmp(kf, "-") && !strcmp(of, "-")) {
		/* two lines on stdin: K, then OPc */
		n = read_fd(STDIN_FILENO, "stdin");
		if (n < 0)
			goto out;
		eol = memchr(sec.in, '\n', (size_t)n);
		if (!eol) {
			err("stdin: expected two lines, K then OPc");
			goto out;
		}
		ok = decode_secret("K", "stdin line 1", sec.in,
				   (size_t)(eol - sec.in), SUBCRED_K_LEN,
				   false, sec.k, &sec.k_len) &&
		     decode_secret("OPc", "stdin line 2", eol + 1,
				   (size_t)(sec.in + n - eol - 1),
				   SUBCRED_OPC_LEN, false, sec.opc,
				   &sec.opc_len);
		goto out;
	}

	n = read_source(kf);
	if (n < 0 || !decode_secret("K", kf, sec.in, (size_t)n, SUBCRED_K_LEN,
				    true, sec.k, &sec.k_len))
		goto out;
	explicit_bzero(sec.in, sizeof(sec.in));
	n = read_source(of);
	if (n < 0 || !decode_secret("OPc", of, sec.in, (size_t)n,
				    SUBCRED_OPC_LEN, true, sec.opc,
				    &sec.opc_len))
		goto out;
	ok = true;
out:
	explicit_bzero(sec.in, sizeof(sec.in));
	if (ok && sec.k_len == sec.opc_len &&
	    !memcmp(sec.k, sec.opc, sec.k_len))
		err("warning: K and OPc are identical");
	return ok;
}

/* ---- netlink plumbing ---- */

static int open_nl(struct scnl *nl, const char *what)
{
	int r = scnl_open(nl);

	if (r == -ENOENT) {
		fprintf(stderr, "subcred: kernel module not loaded "
			"(try: modprobe subcred)\n");
		return EXIT_ERR;
	}
	if (r < 0) {
		err("%s: cannot open generic netlink socket: %s", what,
		    strerror(-r));
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* "subcredctl: add imsi-1: File exists (kernel: ...)" */
static int report(const struct scnl *nl, const char *what, int r)
{
	char ext[512];

	if (scnl_ext_format(&nl->ext, ext, sizeof(ext)))
		err("%s: %s (%s)", what, strerror(-r), ext);
	else if (r == -EPERM)
		err("%s: %s (needs CAP_NET_ADMIN)", what, strerror(-r));
	else
		err("%s: %s", what, strerror(-r));
	return EXIT_ERR;
}

/* Report the outcome of a request: error, or a kernel warning on success */
static int done(const struct scnl *nl, const char *what, int r)
{
	char ext[512];

	if (r < 0)
		return report(nl, what, r);
	if (scnl_ext_format(&nl->ext, ext, sizeof(ext)))
		err("warning: %s: %s", what, ext);
	return EXIT_OK;
}

/* Send a request that carries no secrets and expects no reply data. */
static int simple_request(struct scnl *nl, struct nl_msg *msg,
			  const char *what)
{
	int r = scnl_transact(nl, msg, NULL, NULL);

	nlmsg_free(msg);
	return done(nl, what, r);
}

static int put_u32_opt(struct nl_msg *msg, int type, bool set, uint64_t v)
{
	return set ? nla_put_u32(msg, type, (uint32_t)v) : 0;
}

/* The policy options that add and set share: --max-age, --pending-timeout */
struct policy {
	uint64_t age, pto;
	bool has_age, has_pto;
};

static bool parse_policy(const struct cmd *c, int opt, struct policy *p)
{
	if (opt == 'a') {
		p->has_age = true;
		return parse_num(c, "--max-age", optarg, 0, UINT32_MAX,
				 UINT32_MAX, &p->age);
	}
	p->has_pto = true;
	return parse_num(c, "--pending-timeout", optarg, 1,
			 SUBCRED_PENDING_TIMEOUT_MAX, UINT32_MAX, &p->pto);
}

static int put_policy(struct nl_msg *msg, const struct policy *p)
{
	return put_u32_opt(msg, SUBCRED_A_MAX_AGE, p->has_age, p->age) ||
	       put_u32_opt(msg, SUBCRED_A_PENDING_TIMEOUT, p->has_pto, p->pto);
}

/* ---- add ---- */

static int cmd_add(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "k-file",		required_argument, NULL, 'k' },
		{ "opc-file",		required_argument, NULL, 'o' },
		{ "sqn",		required_argument, NULL, 's' },
		{ "key-version",	required_argument, NULL, 'v' },
		{ "max-age",		required_argument, NULL, 'a' },
		{ "pending-timeout",	required_argument, NULL, 't' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *kf = NULL, *of = NULL, *id;
	uint64_t sqn = 0, ver = 0;
	bool has_sqn = false, has_ver = false;
	struct policy pol = { 0 };
	struct nlattr *ka = NULL, *oa = NULL;
	struct nl_msg *msg;
	struct scnl nl;
	char what[96];
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			kf = optarg;
			break;
		case 'o':
			of = optarg;
			break;
		case 's':
			if (!parse_num(c, "--sqn", optarg, 0, SUBCRED_SQN_MAX,
				       UINT64_MAX, &sqn))
				return EXIT_USAGE;
			has_sqn = true;
			break;
		case 'v':
			if (!parse_num(c, "--key-version", optarg, 1,
				       SUBCRED_KEY_VERSION_MAX, UINT32_MAX,
				       &ver))
				return EXIT_USAGE;
			has_ver = true;
			break;
		case 'a':
		case 't':
			if (!parse_policy(c, opt, &pol))
				return EXIT_USAGE;
			break;
		default:
			r = opt_common(c, opt, argv);
			if (r >= 0)
				return r;
		}
	}
	if (argc - optind != 1)
		return usage_err(c, "expected exactly one ID");
	id = argv[optind];
	if (!check_id(c, id))
		return EXIT_USAGE;
	if (!kf || !of)
		return usage_err(c, "--k-file and --opc-file are required");
	snprintf(what, sizeof(what), "add %s", id);

	/* keep secrets out of swap, core dumps and ptrace; best effort */
	(void)mlock(&sec, sizeof(sec));
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	if (!load_secrets(kf, of)) {
		explicit_bzero(&sec, sizeof(sec));
		return EXIT_ERR;
	}
	r = open_nl(&nl, what);
	if (r) {
		explicit_bzero(&sec, sizeof(sec));
		return r;
	}

	msg = scnl_msg(&nl, SUBCRED_CMD_CRED_NEW, 0);
	if (msg) {
		(void)mlock(nlmsg_hdr(msg), nlmsg_get_max_size(msg));
		if (!nla_put_string(msg, SUBCRED_A_ID, id)) {
			ka = nla_reserve(msg, SUBCRED_A_K, (int)sec.k_len);
			oa = nla_reserve(msg, SUBCRED_A_OPC,
					 (int)sec.opc_len);
		}
	}
	if (ka && oa) {
		memcpy(nla_data(ka), sec.k, sec.k_len);
		memcpy(nla_data(oa), sec.opc, sec.opc_len);
	}
	explicit_bzero(&sec, sizeof(sec));

	if (!ka || !oa ||
	    (has_sqn && nla_put_u64(msg, SUBCRED_A_SQN, sqn)) ||
	    put_u32_opt(msg, SUBCRED_A_KEY_VERSION, has_ver, ver) ||
	    put_policy(msg, &pol)) {
		r = -ENOMEM;
	} else {
		r = scnl_send(&nl, msg);
	}
	/* the message now only needs its attribute headers */
	if (ka)
		explicit_bzero(nla_data(ka), (size_t)nla_len(ka));
	if (oa)
		explicit_bzero(nla_data(oa), (size_t)nla_len(oa));
	if (!r)
		r = scnl_recv(&nl, NULL, NULL);
	nlmsg_free(msg);
	r = done(&nl, what, r);
	scnl_close(&nl);
	return r;
}

/* ---- del, set ---- */

static int cmd_del(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nl_msg *msg;
	struct scnl nl;
	char what[96];
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		r = opt_common(c, opt, argv);
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_err(c, "expected exactly one ID");
	if (!check_id(c, argv[optind]))
		return EXIT_USAGE;
	snprintf(what, sizeof(what), "del %s", argv[optind]);

	r = open_nl(&nl, what);
	if (r)
		return r;
	msg = scnl_msg(&nl, SUBCRED_CMD_CRED_DEL, 0);
	if (!msg || nla_put_string(msg, SUBCRED_A_ID, argv[optind])) {
		nlmsg_free(msg);
		r = report(&nl, what, -ENOMEM);
	} else {
		r = simple_request(&nl, msg, what);
	}
	scnl_close(&nl);
	return r;
}

static int cmd_set(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-age",		required_argument, NULL, 'a' },
		{ "pending-timeout",	required_argument, NULL, 't' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct policy pol = { 0 };
	struct nl_msg *msg;
	struct scnl nl;
	char what[96];
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
		case 't':
			if (!parse_policy(c, opt, &pol))
				return EXIT_USAGE;
			break;
		default:
			r = opt_common(c, opt, argv);
			if (r >= 0)
				return r;
		}
	}
	if (argc - optind != 1)
		return usage_err(c, "expected exactly one ID");
	if (!check_id(c, argv[optind]))
		return EXIT_USAGE;
	if (!pol.has_age && !pol.has_pto && !no_validate)
		return usage_err(c, "nothing to set: give --max-age and/or "
				 "--pending-timeout");
	snprintf(what, sizeof(what), "set %s", argv[optind]);

	r = open_nl(&nl, what);
	if (r)
		return r;
	msg = scnl_msg(&nl, SUBCRED_CMD_CRED_SET, 0);
	if (!msg || nla_put_string(msg, SUBCRED_A_ID, argv[optind]) ||
	    put_policy(msg, &pol)) {
		nlmsg_free(msg);
		r = report(&nl, what, -ENOMEM);
	} else {
		r = simple_request(&nl, msg, what);
	}
	scnl_close(&nl);
	return r;
}

/* ---- show ---- */

static const struct col {
	const char *hdr;
	const char *key;
	int attr;
	bool u64;
} cols[] = {
	{ "VERSION", "key_version", SUBCRED_A_KEY_VERSION, false },
	{ "SQN", "sqn", SUBCRED_A_SQN, true },
	{ "MAX-AGE", "max_age", SUBCRED_A_MAX_AGE, false },
	{ "PENDING-TIMEOUT", "pending_timeout", SUBCRED_A_PENDING_TIMEOUT, false },
	{ "AGE", "age", SUBCRED_A_AGE, true },
	{ "SERIAL", "key_serial", SUBCRED_A_KEY_SERIAL, false },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

static const struct nla_policy policy[SUBCRED_A_MAX + 1] = {
	[SUBCRED_A_ID]			= { .type = NLA_STRING,
					    .maxlen = SUBCRED_ID_MAX_LEN + 1 },
	[SUBCRED_A_SQN]			= { .type = NLA_U64 },
	[SUBCRED_A_KEY_VERSION]		= { .type = NLA_U32 },
	[SUBCRED_A_MAX_AGE]		= { .type = NLA_U32 },
	[SUBCRED_A_PENDING_TIMEOUT]	= { .type = NLA_U32 },
	[SUBCRED_A_KEY_SERIAL]		= { .type = NLA_U32 },
	[SUBCRED_A_AGE]			= { .type = NLA_U64 },
	[SUBCRED_A_EVENT]		= { .type = NLA_U32 },
};

struct row {
	char id[SUBCRED_ID_MAX_LEN + 1];
	uint64_t v[NCOLS];
	unsigned int have;		/* bit i: v[i] present */
};

struct rows {
	struct row *r;
	size_t n, cap;
	bool bad;			/* a reply could not be parsed */
	bool nomem;
};

/* Replace what a terminal could misinterpret; the kernel sends clean IDs. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			*s = '?';
}

static int show_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct rows *rows = arg;
	struct row *row;
	size_t i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SUBCRED_A_MAX, policy) < 0 ||
	    !tb[SUBCRED_A_ID]) {
		rows->bad = true;
		return NL_SKIP;
	}
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? 2 * rows->cap : 16;
		struct row *r = realloc(rows->r, cap * sizeof(*r));

		if (!r) {
			rows->nomem = true;
			return NL_SKIP;
		}
		rows->r = r;
		rows->cap = cap;
	}
	row = &rows->r[rows->n++];
	memset(row, 0, sizeof(*row));
	nla_strlcpy(row->id, tb[SUBCRED_A_ID], sizeof(row->id));
	if (!json)
		sanitize(row->id);
	for (i = 0; i < NCOLS; i++) {
		const struct nlattr *a = tb[cols[i].attr];

		if (!a)
			continue;
		row->v[i] = cols[i].u64 ? nla_get_u64(a) : nla_get_u32(a);
		row->have |= 1U << i;
	}
	return NL_OK;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_json(const struct rows *rows)
{
	const char *nl = pretty ? "\n" : "";
	const char *ind1 = pretty ? "    " : "";
	const char *ind2 = pretty ? "        " : "";
	const char *sep = pretty ? ": " : ":";
	size_t i, j;

	printf("[%s", rows->n ? nl : "");
	for (i = 0; i < rows->n; i++) {
		const struct row *r = &rows->r[i];

		printf("%s{%s%s\"id\"%s", ind1, nl, ind2, sep);
		json_str(r->id);
		for (j = 0; j < NCOLS; j++)
			if (r->have & (1U << j))
				printf(",%s%s\"%s\"%s%" PRIu64, nl, ind2,
				       cols[j].key, sep, r->v[j]);
		printf("%s%s}%s%s", nl, ind1, i + 1 < rows->n ? "," : "", nl);
	}
	printf("]\n");
}

static void print_table(const struct rows *rows)
{
	char cell[NCOLS][24];
	int w[NCOLS + 1];
	size_t i, j;

	w[0] = 2;				/* "ID" */
	for (j = 0; j < NCOLS; j++)
		w[j + 1] = (int)strlen(cols[j].hdr);
	for (i = 0; i < rows->n; i++) {
		const struct row *r = &rows->r[i];

		if ((int)strlen(r->id) > w[0])
			w[0] = (int)strlen(r->id);
		for (j = 0; j < NCOLS; j++) {
			int n = snprintf(cell[j], sizeof(cell[j]), "%" PRIu64,
					 r->v[j]);

			if (n > w[j + 1])
				w[j + 1] = n;
		}
	}

	printf("%-*s", w[0], "ID");
	for (j = 0; j < NCOLS; j++)
		printf("  %*s", w[j + 1], cols[j].hdr);
	putchar('\n');
	for (i = 0; i < rows->n; i++) {
		const struct row *r = &rows->r[i];

		printf("%-*s", w[0], r->id);
		for (j = 0; j < NCOLS; j++) {
			if (r->have & (1U << j))
				snprintf(cell[j], sizeof(cell[j]),
					 "%" PRIu64, r->v[j]);
			else
				strcpy(cell[j], "-");
			printf("  %*s", w[j + 1], cell[j]);
		}
		putchar('\n');
	}
}

static int cmd_show(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",   no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help",   no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rows rows = { 0 };
	const char *id = NULL;
	struct nl_msg *msg;
	struct scnl nl;
	char what[96];
	int opt, r, tries;

	optind = 0;
	while ((opt = getopt_long(argc, argv, ":hjp", opts, NULL)) != -1) {
		r = opt_common(c, opt, argv);
		if (r >= 0)
			return r;
	}
	if (argc - optind > 1)
		return usage_err(c, "expected at most one ID");
	if (argc - optind == 1) {
		id = argv[optind];
		if (!check_id(c, id))
			return EXIT_USAGE;
	}
	snprintf(what, sizeof(what), "show%s%s", id ? " " : "", id ? id : "");

	r = open_nl(&nl, what);
	if (r)
		return r;
	/* a dump interrupted by concurrent changes is simply retried */
	for (tries = 0; tries < 3; tries++) {
		rows.n = 0;
		rows.bad = rows.nomem = false;
		msg = scnl_msg(&nl, SUBCRED_CMD_CRED_GET, id ? 0 : NLM_F_DUMP);
		if (!msg || (id && nla_put_string(msg, SUBCRED_A_ID, id))) {
			nlmsg_free(msg);
			r = -ENOMEM;
			break;
		}
		r = scnl_transact(&nl, msg, show_cb, &rows);
		nlmsg_free(msg);
		if (r != -EINTR || id)
			break;
	}
	if (!r && rows.nomem)
		r = -ENOMEM;
	if (r < 0) {
		r = report(&nl, what, r);
		goto out;
	}
	if (rows.bad)
		err("warning: %s: ignored a malformed reply", what);

	qsort(rows.r, rows.n, sizeof(*rows.r), row_cmp);
	if (json)
		print_json(&rows);
	else
		print_table(&rows);
	if (fflush(stdout) == EOF) {
		err("%s: write error: %s", what, strerror(errno));
		r = EXIT_ERR;
	}
out:
	free(rows.r);
	scnl_close(&nl);
	return r;
}

/* ---- monitor ---- */

static const char *const event_names[] = {
	[SUBCRED_EVENT_NEW] = "new",
	[SUBCRED_EVENT_DEL] = "del",
	[SUBCRED_EVENT_SET] = "set",
	[SUBCRED_EVENT_UPDATED] = "updated",
	[SUBCRED_EVENT_REQUEST] = "request",
	[SUBCRED_EVENT_EXPIRED] = "expired",
	[SUBCRED_EVENT_CHANGED] = "changed",
};

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	const struct scnl *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[SUBCRED_A_MAX + 1];
	char id[SUBCRED_ID_MAX_LEN + 1] = "?";
	const char *name = NULL;
	uint32_t ev = 0;

	if (nlh->nlmsg_type != nl->family ||
	    genlmsg_hdr(nlh)->cmd != SUBCRED_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, SUBCRED_A_MAX, policy) < 0)
		return NL_SKIP;
	if (tb[SUBCRED_A_EVENT]) {
		ev = nla_get_u32(tb[SUBCRED_A_EVENT]);
		if (ev < sizeof(event_names) / sizeof(event_names[0]))
			name = event_names[ev];
	}
	if (tb[SUBCRED_A_ID]) {
		nla_strlcpy(id, tb[SUBCRED_A_ID], sizeof(id));
		if (!json)
			sanitize(id);
	}

	if (json) {
		printf("{\"event\":");
		if (name)
			json_str(name);
		else
			printf("\"unknown\",\"code\":%" PRIu32, ev);
		if (tb[SUBCRED_A_ID]) {
			printf(",\"id\":");
			json_str(id);
		}
		if (tb[SUBCRED_A_KEY_VERSION])
			printf(",\"key_version\":%" PRIu32,
			       nla_get_u32(tb[SUBCRED_A_KEY_VERSION]));
		printf("}\n");
	} else {
		if (name)
			printf("%s %s", name, id);
		else
			printf("event %" PRIu32 " %s", ev, id);
		if (tb[SUBCRED_A_KEY_VERSION])
			printf(" version %" PRIu32,
			       nla_get_u32(tb[SUBCRED_A_KEY_VERSION]));
		putchar('\n');
	}
	if (fflush(stdout) == EOF)
		exit(EXIT_ERR);
	return NL_OK;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(EXIT_OK);
}

static int cmd_monitor(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",   no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help",   no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct scnl nl;
	int opt, r;

	optind = 0;
	while ((opt = getopt_long(argc, argv, ":hjp", opts, NULL)) != -1) {
		r = opt_common(c, opt, argv);
		if (r >= 0)
			return r;
	}
	if (argc != optind)
		return usage_err(c, "unexpected argument '%s'", argv[optind]);

	r = open_nl(&nl, "monitor");
	if (r)
		return r;
	r = scnl_join(&nl, SUBCRED_MCGRP_EVENTS);
	if (r < 0) {
		r = report(&nl, "monitor: join group " SUBCRED_MCGRP_EVENTS, r);
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	(void)nl_socket_set_buffer_size(nl.sk, 1 << 20, 0);
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, &nl);
	for (;;) {
		r = nl_recvmsgs_default(nl.sk);
		if (r >= 0)
			continue;
		r = -scnl_nlerr_errno(r);
		if (r == -ENOMEM) {
			err("warning: monitor: events lost "
			    "(receive buffer overrun)");
			continue;
		}
		r = report(&nl, "monitor", r);
		break;
	}
out:
	scnl_close(&nl);
	return r;
}

/* ---- main ---- */

static int cmd_help(const struct cmd *c, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "add", cmd_add,
	  "ID --k-file FILE --opc-file FILE [--sqn N] [--key-version V]\n"
	  "\t[--max-age SECONDS] [--pending-timeout SECONDS]",
	  "Provision credential ID.  FILE holds 32 hex digits (surrounding\n"
	  "white space allowed) or exactly 16 raw octets; '-' is stdin.  If\n"
	  "both files are '-', stdin holds two lines: K, then OPc.\n"
	  "  --sqn N                  initial SQN_MS, < 2^48 (default 0)\n"
	  "  --key-version V          1..4294967294 (default 1)\n"
	  "  --max-age SECONDS        request a new key after this age,\n"
	  "                           0 = never (default)\n"
	  "  --pending-timeout SECONDS  1..86400 (default: module "
	  "parameter)\n" },
	{ "show", cmd_show, "[-j] [-p] [ID]",
	  "Show one credential, or all of them (sorted by ID).  Never shows\n"
	  "key material.  -j prints JSON, -p pretty-printed JSON.\n" },
	{ "del", cmd_del, "ID",
	  "Delete credential ID; the kernel wipes its key material.\n" },
	{ "set", cmd_set, "ID [--max-age SECONDS] [--pending-timeout SECONDS]",
	  "Change the policy of credential ID (at least one option).\n" },
	{ "monitor", cmd_monitor, "[-j]",
	  "Print one line per credential event until interrupted;\n"
	  "-j prints one JSON object per line.\n" },
	{ "help", cmd_help, "[COMMAND]", "Show help for COMMAND.\n" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [OPTIONS] COMMAND [ARGS]\n\nCommands:\n", prog);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s%s%s\n", cmds[i].name,
			cmds[i].args[0] ? " " : "", cmds[i].args);
	fprintf(f,
		"\nOptions:\n"
		"  -j, --json         JSON output (show, monitor)\n"
		"  -p, --pretty       pretty-printed JSON (implies -j)\n"
		"      --no-validate  skip local argument checks, leave them "
		"to the kernel\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"\nK and OPc are read from files or stdin, never from the "
		"command line.\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

static int cmd_help(const struct cmd *c, int argc, char **argv)
{
	const struct cmd *t;

	if (argc > 2)
		return usage_err(c, "expected at most one COMMAND");
	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		cmd_usage(c, stdout, true);
		return EXIT_OK;
	}
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	t = find_cmd(argv[1]);
	if (!t)
		return usage_err(c, "unknown command '%s'", argv[1]);
	cmd_usage(t, stdout, true);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	 no_argument, NULL, 'j' },
		{ "pretty",	 no_argument, NULL, 'p' },
		{ "no-validate", no_argument, NULL, 'N' },
		{ "help",	 no_argument, NULL, 'h' },
		{ "version",	 no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd *c;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jphV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 'N':
			no_validate = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s (genl family %s version %d)\n", prog,
			       SUBCREDCTL_VERSION, SUBCRED_GENL_NAME,
			       SUBCRED_GENL_VERSION);
			return EXIT_OK;
		default:
			if (optopt)
				err("unknown option '-%c'", optopt);
			else
				err("unknown option '%s'", argv[optind - 1]);
			fprintf(stderr, "Try '%s --help' for more "
				"information.\n", prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		err("unknown command '%s'", argv[optind]);
		fprintf(stderr, "Try '%s --help' for more information.\n",
			prog);
		return EXIT_USAGE;
	}
	return c->fn(c, argc - optind, argv + optind);
}
