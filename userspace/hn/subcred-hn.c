// SPDX-License-Identifier: GPL-2.0
/*
 * subcred-hn - the network side ("home network") of the subcred key update
 * protocol v1: a subscriber database and a UDP peer (see subcred-hn(8)).
 * K and OPc are read from files or stdin, never from the command line, and
 * never printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hn_addr.h"
#include "hn_serve.h"
#include "hn_util.h"

#ifndef SUBCRED_HN_VERSION
#define SUBCRED_HN_VERSION	"0.1"
#endif

#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

static const char *db_path = HN_DEFAULT_DB;

struct cmd {
	const char *name;
	int (*fn)(const struct cmd *c, int argc, char **argv);
	const char *args;
	const char *help;
};

static int usage_err(const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_err(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "subcred-hn: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: subcred-hn [--db FILE] %s %s\n", c->name,
		c->args);
	return EXIT_USAGE;
}

static void cmd_help(const struct cmd *c)
{
	printf("usage: subcred-hn [--db FILE] %s %s\n\n%s", c->name, c->args,
	       c->help);
}

/* Decimal in [min, max]. */
static int parse_num(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (!n || n > HN_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._-", id[i]))
			return 0;
	return 1;
}

/* Common option handling: 'h' prints the help; '?' and ':' are errors. */
static int common_opt(const struct cmd *c, int opt, char **argv)
{
	switch (opt) {
	case 'h':
		cmd_help(c);
		return EXIT_OK;
	case ':':
		return usage_err(c, "option '%s' needs a value",
				 argv[optind - 1]);
	default:
		return usage_err(c, "unknown option '%s'", argv[optind - 1]);
	}
}

static int open_db(hn_db *db, int create)
{
	return hn_db_open(db, db_path, create) ? EXIT_ERR : EXIT_OK;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_str_or_null(const char *s)
{
	if (s && *s)
		json_str(s);
	else
		printf("null");
}

/* ---- add ---- */

/*
 * The subscribers of a batch file: one "ID K OPC" per line (32 hex digits
 * each), blank lines and lines starting with '#' skipped. Each gets the
 * version, SEQ and device of @tmpl. Returns the number read, or -1 with a
 * message naming the line; *@out is then NULL.
 */
static long read_batch(const char *path, const struct hn_sub *tmpl,
		       struct hn_sub **out)
{
	static char iobuf[16384];	/* our own, to wipe: it sees keys */
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct hn_sub *v = NULL, *nv;
	size_t cap = 0, len = 0;
	char *line = NULL, *save, *id, *k, *opc;
	long n = 0, lineno = 0;

	*out = NULL;
	if (!f) {
		fprintf(stderr, "subcred-hn: %s: %s\n", path, strerror(errno));
		return -1;
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	while (getline(&line, &len, f) > 0) {
		lineno++;
		id = strtok_r(line, " \t\r\n", &save);
		if (!id || id[0] == '#')
			continue;
		k = strtok_r(NULL, " \t\r\n", &save);
		opc = k ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		if ((size_t)n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fprintf(stderr, "subcred-hn: out of memory\n");
				goto fail;
			}
			v = nv;
		}
		v[n] = *tmpl;
		if (!id_ok(id) || !opc || strtok_r(NULL, " \t\r\n", &save) ||
		    strlen(k) != 2 * HN_K_LEN || strlen(opc) != 2 * HN_K_LEN ||
		    hn_unhex(k, v[n].key.k, HN_K_LEN) ||
		    hn_unhex(opc, v[n].key.opc, HN_K_LEN)) {
			fprintf(stderr, "subcred-hn: %s line %ld: expected ID "
				"K OPC (ID 1..64 of [A-Za-z0-9._-], K and OPc "
				"32 hex digits each)\n", path, lineno);
			goto fail;
		}
		snprintf(v[n].id, sizeof(v[n].id), "%s", id);
		n++;
	}
	if (ferror(f)) {
		fprintf(stderr, "subcred-hn: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	hn_wipe(line, len);
	free(line);
	if (f != stdin)
		fclose(f);
	hn_wipe(iobuf, sizeof(iobuf));
	if (!n)
		fprintf(stderr, "subcred-hn: %s: no subscriber in it\n", path);
	*out = v;
	return n;
fail:
	if (line)
		hn_wipe(line, len);
	free(line);
	if (v)
		hn_wipe(v, cap * sizeof(*v));
	free(v);
	if (f != stdin)
		fclose(f);
	hn_wipe(iobuf, sizeof(iobuf));
	return -1;
}

static int add_batch(const char *path, const struct hn_sub *tmpl)
{
	struct hn_sub *v;
	size_t bad = 0;
	long n = read_batch(path, tmpl, &v);
	hn_db db;
	int r = -1;

	if (n <= 0) {
		free(v);
		return EXIT_ERR;
	}
	if (!open_db(&db, 1)) {
		r = hn_proto_add_many(&db, v, (size_t)n, hn_now_ms(), &bad);
		hn_db_close(&db);
	}
	if (r == 1)
		fprintf(stderr, "subcred-hn: %s: already exists (or twice in "
			"%s); nothing added\n", v[bad].id, path);
	else if (r)
		fprintf(stderr, "subcred-hn: %s: nothing added\n", path);
	hn_wipe(v, (size_t)n * sizeof(*v));
	free(v);
	return r ? EXIT_ERR : EXIT_OK;
}

static int do_add(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "k-file", required_argument, NULL, 'k' },
		{ "opc-file", required_argument, NULL, 'o' },
		{ "sqn", required_argument, NULL, 's' },
		{ "key-version", required_argument, NULL, 'v' },
		{ "device", required_argument, NULL, 'd' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *kf = NULL, *of = NULL, *batch = NULL;
	struct sockaddr_storage ss;
	struct hn_sub s;
	uint64_t v;
	socklen_t len;
	hn_db db;
	int opt, r;

	memset(&s, 0, sizeof(s));
	s.version = 1;
	s.seq_next = 1;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			kf = optarg;
			break;
		case 'o':
			of = optarg;
			break;
		case 's':
			if (parse_num(optarg, 0, (1ULL << 43) - 1, &v))
				return usage_err(c, "invalid --sqn '%s': must "
						 "be 0..2^43-1", optarg);
			s.seq_next = v;
			break;
		case 'v':
			if (parse_num(optarg, 1, 4294967294ULL, &v))
				return usage_err(c, "invalid --key-version "
						 "'%s': must be 1..4294967294",
						 optarg);
			s.version = (uint32_t)v;
			break;
		case 'd':
			if (hn_addr_parse(optarg, 0, &ss, &len))
				return usage_err(c, "invalid --device '%s': "
						 "expected HOST:PORT", optarg);
			hn_addr_format((struct sockaddr *)&ss, s.device,
				       sizeof(s.device));
			break;
		case 'b':
			batch = optarg;
			break;
		default:
			return common_opt(c, opt, argv);
		}
	}
	if (batch) {
		if (optind != argc || kf || of)
			return usage_err(c, "--batch takes no ID, --k-file or "
					 "--opc-file");
		return add_batch(batch, &s);
	}
	if (optind + 1 != argc)
		return usage_err(c, "expected one ID");
	if (!id_ok(argv[optind]))
		return usage_err(c, "invalid ID '%s': 1..64 of [A-Za-z0-9._-]",
				 argv[optind]);
	if (!kf || !of)
		return usage_err(c, "--k-file and --opc-file are required");
	snprintf(s.id, sizeof(s.id), "%s", argv[optind]);
	if (hn_read_secrets(kf, of, s.key.k, s.key.opc))
		return EXIT_ERR;
	if (open_db(&db, 1)) {
		hn_sub_wipe(&s);
		return EXIT_ERR;
	}
	r = hn_proto_add(&db, &s, hn_now_ms());
	hn_sub_wipe(&s);
	hn_db_close(&db);
	if (r == 1)
		fprintf(stderr, "subcred-hn: %s: already exists\n",
			argv[optind]);
	return r ? EXIT_ERR : EXIT_OK;
}

/* ---- del ---- */

static int do_del(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	hn_db db;
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		return common_opt(c, opt, argv);
	if (optind + 1 != argc)
		return usage_err(c, "expected one ID");
	if (open_db(&db, 0))
		return EXIT_ERR;
	r = hn_proto_delete(&db, argv[optind], hn_now_ms());
	hn_db_close(&db);
	if (r == 1)
		fprintf(stderr, "subcred-hn: %s: no such subscriber\n",
			argv[optind]);
	return r ? EXIT_ERR : EXIT_OK;
}

/* ---- list ---- */

struct list_ctx {
	int json;
	int n;
};

static int waiting(const struct hn_sub_info *in)
{
	return in->rekey && in->state == HN_IDLE &&
	       (in->wait_contact || !in->device[0]);
}

static int list_row(const struct hn_sub_info *in, void *arg)
{
	struct list_ctx *l = arg;

	if (l->json) {
		printf("%s{\"id\":", l->n ? "," : "");
		json_str(in->id);
		printf(",\"key_version\":%" PRIu32 ",\"state\":\"%s\","
		       "\"old_key\":%s,\"new_version\":", in->version,
		       hn_state_name(in->state), in->dual ? "true" : "false");
		if (in->dual)
			printf("%" PRIu64, (uint64_t)in->version + 1);
		else
			printf("null");
		printf(",\"next_seq\":%" PRIu64 ",\"device\":", in->seq_next);
		json_str_or_null(in->device);
		printf(",\"last_txid\":");
		json_str_or_null(in->has_last ? in->last_txid : NULL);
		printf(",\"last_result\":");
		json_str_or_null(in->last_result);
		printf(",\"rekey\":");
		json_str_or_null(in->rekey ? hn_reason_name(in->rekey) : NULL);
		printf(",\"waiting_for_contact\":%s,\"tries\":%d,"
		       "\"next_retry_ms\":", waiting(in) ? "true" : "false",
		       in->tries);
		if (in->next_retry)
			printf("%" PRId64, in->next_retry);
		else
			printf("null");
		printf(",\"rejected\":%" PRIu64 "}", in->rejected);
	} else {
		char rekey[40];

		if (in->rekey)
			snprintf(rekey, sizeof(rekey), "%s%s",
				 hn_reason_name(in->rekey),
				 waiting(in) ? "(wait-contact)" : "");
		else
			strcpy(rekey, "-");
		printf("%-24s %7" PRIu32 "  %-12s %-7s %-9" PRIu64 " %-22s "
		       "%-16s %-13s %s\n", in->id, in->version,
		       hn_state_name(in->state), in->dual ? "yes" : "no",
		       in->seq_next, in->device[0] ? in->device : "-",
		       in->has_last ? in->last_txid : "-",
		       in->last_result[0] ? in->last_result : "-", rekey);
	}
	l->n++;
	return 0;
}

static int do_list(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct list_ctx l = { 0, 0 };
	const char *id = NULL;
	hn_db db;
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":hj", opts, NULL)) != -1) {
		if (opt == 'j')
			l.json = 1;
		else
			return common_opt(c, opt, argv);
	}
	if (optind + 1 < argc)
		return usage_err(c, "too many arguments");
	if (optind < argc)
		id = argv[optind];
	if (open_db(&db, 0))
		return EXIT_ERR;
	if (l.json)
		printf("[");
	else
		printf("%-24s %7s  %-12s %-7s %-9s %-22s %-16s %-13s %s\n",
		       "ID", "VERSION", "STATE", "OLD-KEY", "NEXT-SEQ",
		       "DEVICE", "LAST-TXID", "LAST-RESULT", "REKEY");
	r = hn_db_list(&db, id, list_row, &l);
	if (l.json)
		printf("]\n");
	hn_db_close(&db);
	if (!r && id && !l.n) {
		fprintf(stderr, "subcred-hn: %s: no such subscriber\n", id);
		return EXIT_ERR;
	}
	return r ? EXIT_ERR : EXIT_OK;
}

/* ---- rekey ---- */

static int do_rekey(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int reason = SUBCRED_REASON_OPERATOR, ret = EXIT_OK, opt, i;
	struct hn_result res;
	hn_db db;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt != 'r')
			return common_opt(c, opt, argv);
		reason = hn_reason_parse(optarg);
		if (!reason)
			return usage_err(c, "invalid --reason '%s': periodic, "
					 "compromise or operator", optarg);
	}
	if (optind >= argc)
		return usage_err(c, "expected at least one ID");
	if (open_db(&db, 0))
		return EXIT_ERR;
	/* one transaction per ID: each is queued or reported on its own */
	for (; optind < argc; optind++) {
		int r = hn_proto_rekey(&db, argv[optind], reason, hn_now_ms(),
				       &res);

		if (r == 1)
			fprintf(stderr, "subcred-hn: %s: no such subscriber\n",
				argv[optind]);
		if (r) {
			ret = EXIT_ERR;
			continue;
		}
		for (i = 0; i < res.nev; i++)
			printf("%s: %s: %s\n", res.ev[i].id,
			       hn_decision_name(res.ev[i].decision),
			       res.ev[i].detail);
	}
	hn_db_close(&db);
	return ret;
}

/* ---- challenge ---- */

static int do_challenge(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const keys[] = { "current", "old", "new" };
	char sqn[13], rand[33], autn[33], xres[17];
	int which = HN_KEY_CURRENT, json = 0, opt, r;
	struct hn_vector v;
	hn_db db;

	while ((opt = getopt_long(argc, argv, ":hj", opts, NULL)) != -1) {
		if (opt == 'j') {
			json = 1;
		} else if (opt == 'k') {
			for (which = 0; which < 3; which++)
				if (!strcmp(optarg, keys[which]))
					break;
			if (which == 3)
				return usage_err(c, "invalid --key '%s': "
						 "current, old or new", optarg);
		} else {
			return common_opt(c, opt, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_err(c, "expected one ID");
	if (open_db(&db, 0))
		return EXIT_ERR;
	r = hn_proto_challenge(&db, argv[optind], which, hn_now_ms(), &v);
	hn_db_close(&db);
	if (r == 1)
		fprintf(stderr, "subcred-hn: %s: no such subscriber\n",
			argv[optind]);
	else if (r == 2)
		fprintf(stderr, "subcred-hn: %s: no %s key (not in a dual-key "
			"window)\n", argv[optind], keys[which]);
	if (r)
		return EXIT_ERR;
	hn_hex(v.sqn, sizeof(v.sqn), sqn);
	hn_hex(v.rand, sizeof(v.rand), rand);
	hn_hex(v.autn, sizeof(v.autn), autn);
	hn_hex(v.xres, sizeof(v.xres), xres);
	if (json) {
		printf("{\"id\":");
		json_str(argv[optind]);
		printf(",\"key\":\"%s\",\"key_version\":%" PRIu32 ",\"sqn\":"
		       "\"%s\",\"rand\":\"%s\",\"autn\":\"%s\",\"xres\":\"%s\""
		       "}\n", keys[which], v.key_version, sqn, rand, autn, xres);
	} else {
		printf("id %s\nkey %s\nkey_version %" PRIu32 "\nSQN %s\n"
		       "RAND %s\nAUTN %s\nXRES %s\n", argv[optind],
		       keys[which], v.key_version, sqn, rand, autn, xres);
	}
	return EXIT_OK;
}

/* ---- audit ---- */

static int audit_row(const struct hn_audit_row *a, void *arg)
{
	int *json = arg;
	char t[HN_TIME_MAX];

	hn_fmt_time(a->ts, t, sizeof(t));
	if (json[0]) {
		printf("%s{\"seq\":%" PRId64 ",\"time\":\"%s\",\"ts_ms\":%"
		       PRId64 ",\"id\":", json[1] ? "," : "", a->seq, t, a->ts);
		json_str_or_null(a->id);
		printf(",\"txid\":");
		json_str_or_null(a->txid);
		printf(",\"event\":");
		json_str(a->event);
		printf(",\"decision\":");
		json_str(a->decision);
		printf(",\"detail\":");
		json_str_or_null(a->detail);
		printf("}");
	} else {
		printf("%" PRId64 " %s %s %s %s %s%s%s\n", a->seq, t,
		       a->id ? a->id : "-", a->txid ? a->txid : "-", a->event,
		       a->decision, a->detail ? " " : "",
		       a->detail ? a->detail : "");
	}
	json[1]++;
	return 0;
}

static int do_audit(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int json[2] = { 0, 0 }, opt, r;
	const char *id = NULL;
	hn_db db;

	while ((opt = getopt_long(argc, argv, ":hj", opts, NULL)) != -1) {
		if (opt == 'j')
			json[0] = 1;
		else
			return common_opt(c, opt, argv);
	}
	if (optind + 1 < argc)
		return usage_err(c, "too many arguments");
	if (optind < argc)
		id = argv[optind];
	if (open_db(&db, 0))
		return EXIT_ERR;
	if (json[0])
		printf("[");
	r = hn_db_audit_list(&db, id, audit_row, json);
	if (json[0])
		printf("]\n");
	hn_db_close(&db);
	return r ? EXIT_ERR : EXIT_OK;
}

/* ---- serve ---- */

static int do_serve(const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "rto-ms", required_argument, NULL, 'r' },
		{ "rto-max-ms", required_argument, NULL, 'R' },
		{ "max-tries", required_argument, NULL, 't' },
		{ "poll-ms", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct hn_serve_opts o = {
		.listen = "0.0.0.0:7305",
		.cfg = HN_CFG_DEFAULT,
		.poll_ms = 150,
	};
	uint64_t v;
	hn_db db;
	int opt, r;

	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			o.listen = optarg;
			break;
		case 'r':
			if (parse_num(optarg, 1, 86400000, &v))
				return usage_err(c, "invalid --rto-ms '%s'",
						 optarg);
			o.cfg.rto_ms = (int64_t)v;
			break;
		case 'R':
			if (parse_num(optarg, 1, 86400000, &v))
				return usage_err(c, "invalid --rto-max-ms '%s'",
						 optarg);
			o.cfg.rto_max_ms = (int64_t)v;
			break;
		case 't':
			if (parse_num(optarg, 1, 1000, &v))
				return usage_err(c, "invalid --max-tries '%s': "
						 "must be 1..1000", optarg);
			o.cfg.max_tries = (int)v;
			break;
		case 'p':
			if (parse_num(optarg, 10, 10000, &v))
				return usage_err(c, "invalid --poll-ms '%s': "
						 "must be 10..10000", optarg);
			o.poll_ms = (int)v;
			break;
		default:
			return common_opt(c, opt, argv);
		}
	}
	if (optind != argc)
		return usage_err(c, "unexpected argument '%s'", argv[optind]);
	if (o.cfg.rto_max_ms < o.cfg.rto_ms)
		return usage_err(c, "--rto-max-ms is smaller than --rto-ms");
	if (open_db(&db, 1))
		return EXIT_ERR;
	setvbuf(stderr, NULL, _IOLBF, 0);
	r = hn_serve(&db, &o);
	hn_db_close(&db);
	return r ? EXIT_ERR : EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "add", do_add,
	  "{ID --k-file FILE --opc-file FILE | --batch FILE} [--sqn N] "
	  "[--key-version V] [--device HOST:PORT]",
	  "Add the network's copy of subscriber ID.  FILE holds 32 hex digits\n"
	  "(white space around them allowed) or exactly 16 raw octets; '-' is\n"
	  "stdin, and if both are '-' stdin holds two lines, K then OPc.\n"
	  "--batch FILE ('-': stdin) adds one subscriber per line \"ID K OPC\"\n"
	  "(hex; blank and '#' lines skipped) in one transaction: all or none.\n"
	  "  --sqn N            SEQ of the next vector, SQN_HE (default 1)\n"
	  "  --key-version V    1..4294967294 (default 1)\n"
	  "  --device HOST:PORT where the device listens (else: learnt from\n"
	  "                     its first authenticated message)\n" },
	{ "del", do_del, "ID", "Delete subscriber ID and its keys.\n" },
	{ "list", do_list, "[-j] [ID]",
	  "List subscribers: version, state, whether an old key is still\n"
	  "held (dual-key window), next SEQ, device address, last\n"
	  "transaction, wanted update.  Never secrets.  -j: JSON array.\n" },
	{ "rekey", do_rekey, "ID... [--reason periodic|compromise|operator]",
	  "Want a key update of each ID (default reason: operator).  A running\n"
	  "`serve` starts it within its poll period if the subscriber is idle\n"
	  "and its address is known, else at the device's next contact or\n"
	  "after the current transaction.\n" },
	{ "serve", do_serve,
	  "[--listen ADDR[:PORT]] [--rto-ms N] [--rto-max-ms N] "
	  "[--max-tries N] [--poll-ms N]",
	  "Run the network peer on UDP (default 0.0.0.0:7305).  Retransmits\n"
	  "NOTICE and CONFIRM after --rto-ms (1000), doubling up to\n"
	  "--rto-max-ms (60000), at most --max-tries (8) sends; polls the\n"
	  "database every --poll-ms (150).  One line per event on stderr.\n"
	  "SIGTERM or SIGINT: exit 0.\n" },
	{ "challenge", do_challenge, "ID [--key current|old|new] [-j]",
	  "Make an ordinary AKA vector (AMF 8000, no rekey bit) with the\n"
	  "chosen key and print SQN, RAND, AUTN and XRES in hex (SQN_HE moves\n"
	  "on).  current: the committed key; old/new: the two keys of a\n"
	  "dual-key window.\n" },
	{ "audit", do_audit, "[-j] [ID]",
	  "Print the audit trail: every transaction and decision with its\n"
	  "time.  -j: JSON array.\n" },
};

#define NCMDS	(sizeof(cmds) / sizeof(*cmds))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: subcred-hn [--db FILE] COMMAND [ARGS]\n"
		"       subcred-hn --help | --version\n\n"
		"  --db FILE   subscriber database (default " HN_DEFAULT_DB ")\n\n"
		"commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f, "\n`subcred-hn COMMAND --help` for more; see "
		"subcred-hn(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *name;
	size_t i;
	int opt;

	while ((opt = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("subcred-hn %s\n", SUBCRED_HN_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (!strcmp(name, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < NCMDS; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		argc -= optind;
		argv += optind;
		optind = 0;	/* glibc: reinitialise (main used "+") */
		return cmds[i].fn(&cmds[i], argc, argv);
	}
	fprintf(stderr, "subcred-hn: unknown command '%s'\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
