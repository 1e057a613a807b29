// SPDX-License-Identifier: GPL-2.0
/*
 * agent_conf.c - command line, config file and UDP addresses of
 * subcred-agent. Flags override the file; the file overrides defaults.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "agent.h"

static const char *const crash_names[] = {
	[AGENT_CRASH_NONE]		= "none",
	[AGENT_CRASH_BEFORE_WRITE]	= "before-write",
	[AGENT_CRASH_AFTER_WRITE]	= "after-write",
	[AGENT_CRASH_AFTER_FSYNC]	= "after-fsync",
	[AGENT_CRASH_AFTER_RENAME]	= "after-rename",
	[AGENT_CRASH_AFTER_PERSISTED]	= "after-persisted",
};

#define N_CRASH	ARRAY_SIZE(crash_names)

const char *agent_crash_name(enum agent_crash point)
{
	return (size_t)point < N_CRASH ? crash_names[point] : "?";
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " AGENT_NAME " --network HOST[:PORT] [OPTIONS]\n"
"\n"
"Relay between the subcred kernel module and the network peer (subcred-hn):\n"
"pass over-the-air messages between UDP and the kernel, and keep the\n"
"kernel's sealed credential state durable in the state directory.\n"
"\n"
"  -n, --network HOST[:PORT]  the network peer (port default "
				AGENT_NETWORK_PORT ")\n"
"  -l, --listen ADDR[:PORT]   local UDP address (default "
				AGENT_DEFAULT_LISTEN ")\n"
"  -d, --state-dir DIR        sealed blobs (default "
				AGENT_DEFAULT_STATE_DIR ")\n"
"  -c, --config FILE          'key = value' lines: network, listen,\n"
"                             state_dir (default " AGENT_DEFAULT_CONFIG
				",\n"
"                             which may be missing)\n"
"      --crash-at POINT       testing: simulate a power cut at POINT of\n"
"                             the first persist: before-write, after-write,\n"
"                             after-fsync, after-rename, after-persisted\n"
"      --crash-gen N          ... of the first blob of generation >= N\n"
"      --crash-mode MODE      exit (_exit(99), default) or reboot\n"
"                             (sysrq 'b': no sync)\n"
"  -h, --help                 this help\n"
"  -V, --version              the version\n"
"\n"
"Signals: SIGTERM, SIGINT stop; SIGHUP re-resolves the network peer and\n"
"stores every credential again.  See subcred-agent(8).\n");
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, AGENT_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" AGENT_NAME " --help' for more information.\n");
	return AGENT_EXIT_USAGE;
}

bool agent_id_valid(const char *id, size_t len)
{
	size_t i;

	if (!len || len > 64)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

/* ---- addresses ---- */

static bool valid_port(const char *p)
{
	unsigned long v;
	char *end;

	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5)
		return false;
	v = strtoul(p, &end, 10);
	return v >= 1 && v <= 65535;
}

int agent_addr_split(const char *s, const char *defport, char *host,
		     size_t hlen, char *port, size_t plen, const char **why)
{
	const char *h = s, *p = NULL, *colon;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close) {
			*why = "missing ']' after an IPv6 address";
			return -1;
		}
		h = s + 1;
		n = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1]) {
			*why = "expected ':PORT' after ']'";
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			n = strlen(s);		/* a bare IPv6 address */
		} else {
			n = colon ? (size_t)(colon - s) : strlen(s);
			p = colon ? colon + 1 : NULL;
		}
	}
	if (n >= hlen) {
		*why = "host name too long";
		return -1;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	if (strpbrk(host, " \t[]/")) {
		*why = "invalid character in the host";
		return -1;
	}
	if (!p)
		p = defport;
	if (!valid_port(p)) {
		*why = "PORT must be a number in 1..65535";
		return -1;
	}
	if (strlen(p) >= plen) {
		*why = "port too long";
		return -1;
	}
	strcpy(port, p);
	return 0;
}

int agent_addr_resolve(const char *s, const char *defport, int family,
		       bool passive, struct agent_addr *out, char *err,
		       size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char host[AGENT_ADDR_MAX], port[8];
	const char *why;
	int r;

	if (agent_addr_split(s, defport, host, sizeof(host), port,
			     sizeof(port), &why) < 0) {
		snprintf(err, errlen, "'%s': %s", s, why);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) |
			 (family == AF_INET6 ? AI_V4MAPPED : 0);
	r = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "'%s': %s%s", s,
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r),
			 family == AF_INET && r == EAI_ADDRFAMILY ?
			 " (the listen address is IPv4)" : "");
		return -1;
	}
	if (res->ai_addrlen > sizeof(out->sa)) {
		freeaddrinfo(res);
		snprintf(err, errlen, "'%s': address too long", s);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->sa, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *agent_addr_str(const struct sockaddr *sa, socklen_t len,
			   char *buf, size_t buflen)
{
	char host[INET6_ADDRSTRLEN], serv[8];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, buflen, "?");
		return buf;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(buf, buflen, "[%s]:%s", host, serv);
	else
		snprintf(buf, buflen, "%s:%s", host, serv);
	return buf;
}

/* ---- the config file ---- */

struct conf_val {
	const char *key;	/* in the file */
	const char *flag;	/* on the command line */
	char *dst;
	size_t size;
	bool set;		/* by a flag or the file */
	bool by_flag;		/* by a flag: the file does not count */
};

/*
 * Copy @v to @cv, checking its syntax. @where: "FILE:LINE", or NULL for
 * the command line.
 */
static int conf_set(struct conf_val *cv, const char *v, const char *where)
{
	const char *name = where ? cv->key : cv->flag;
	const char *sep = where ? ": " : "";
	char host[AGENT_ADDR_MAX], port[8];
	const char *why;

	if (!where)
		where = "";
	if (!*v)
		return usage_err("%s%s%s is empty", where, sep, name);
	if (strlen(v) >= cv->size)
		return usage_err("%s%s%s is too long (at most %zu characters)",
				 where, sep, name, cv->size - 1);
	if (strcmp(cv->key, "state_dir") &&
	    agent_addr_split(v, "1", host, sizeof(host), port, sizeof(port),
			     &why) < 0)
		return usage_err("%s%sinvalid %s '%s': %s", where, sep, name, v,
				 why);
	if (!strcmp(cv->key, "network") && !host[0])
		return usage_err("%s%sinvalid %s '%s': no host", where, sep,
				 name, v);
	strcpy(cv->dst, v);
	cv->set = true;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Apply the `key = value` lines of @path to what no flag has set. */
static int conf_file(const char *path, bool named, struct conf_val *vals,
		     size_t nvals)
{
	bool from_file[8] = { false };
	char line[4096 + 64], where[4200];
	unsigned int lineno = 0;
	int r = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !named)
			return -1;
		fprintf(stderr, AGENT_NAME ": cannot read config file %s: %s\n",
			path, strerror(errno));
		return AGENT_EXIT_USAGE;
	}
	while (r < 0 && fgets(line, sizeof(line), f)) {
		char *key, *val, *eq;
		size_t i, len = strlen(line);

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			r = usage_err("%s: line too long", where);
			break;
		}
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			r = usage_err("%s: expected 'key = value'", where);
			break;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		for (i = 0; i < nvals; i++)
			if (!strcmp(key, vals[i].key))
				break;
		if (i == nvals) {
			r = usage_err("%s: unknown key '%s' (known: network, "
				      "listen, state_dir)", where, key);
			break;
		}
		if (from_file[i]) {
			r = usage_err("%s: '%s' given twice", where, key);
			break;
		}
		from_file[i] = true;
		if (strpbrk(val, " \t")) {
			r = usage_err("%s: the value of '%s' has white space",
				      where, key);
			break;
		}
		if (vals[i].by_flag)	/* a flag wins */
			continue;
		r = conf_set(&vals[i], val, where);
	}
	if (r < 0 && ferror(f)) {
		fprintf(stderr, AGENT_NAME ": cannot read config file %s: %s\n",
			path, strerror(errno));
		r = AGENT_EXIT_USAGE;
	}
	fclose(f);
	return r;
}

/* ---- the command line ---- */

int agent_conf_load(struct agent_conf *conf, int argc, char **argv)
{
	enum { OPT_CRASH_AT = 0x100, OPT_CRASH_GEN, OPT_CRASH_MODE };
	static const struct option opts[] = {
		{ "network",	required_argument, NULL, 'n' },
		{ "listen",	required_argument, NULL, 'l' },
		{ "state-dir",	required_argument, NULL, 'd' },
		{ "config",	required_argument, NULL, 'c' },
		{ "crash-at",	required_argument, NULL, OPT_CRASH_AT },
		{ "crash-gen",	required_argument, NULL, OPT_CRASH_GEN },
		{ "crash-mode",	required_argument, NULL, OPT_CRASH_MODE },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf_val vals[] = {
		{ "network", "--network", conf->network,
		  sizeof(conf->network), false, false },
		{ "listen", "--listen", conf->listen, sizeof(conf->listen),
		  false, false },
		{ "state_dir", "--state-dir", conf->state_dir,
		  sizeof(conf->state_dir), false, false },
	};
	const char *config = AGENT_DEFAULT_CONFIG;
	bool named = false, gen_set = false, mode_set = false;
	int opt, r;
	size_t i;

	memset(conf, 0, sizeof(*conf));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":n:l:d:c:hV", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			r = conf_set(&vals[0], optarg, NULL);
			break;
		case 'l':
			r = conf_set(&vals[1], optarg, NULL);
			break;
		case 'd':
			r = conf_set(&vals[2], optarg, NULL);
			break;
		case 'c':
			if (!*optarg)
				return usage_err("--config: empty file name");
			config = optarg;
			named = true;
			r = -1;
			break;
		case OPT_CRASH_AT:
			conf->crash_at = AGENT_CRASH_NONE;
			for (i = AGENT_CRASH_BEFORE_WRITE; i < N_CRASH; i++)
				if (!strcmp(optarg, crash_names[i]))
					conf->crash_at = (enum agent_crash)i;
			r = -1;
			if (conf->crash_at == AGENT_CRASH_NONE)
				r = usage_err("invalid --crash-at '%s': one of "
					      "before-write, after-write, "
					      "after-fsync, after-rename, "
					      "after-persisted", optarg);
			break;
		case OPT_CRASH_GEN: {
			char *end;

			errno = 0;
			conf->crash_gen = strtoull(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end || errno)
				return usage_err("invalid --crash-gen '%s': "
						 "a generation number", optarg);
			gen_set = true;
			r = -1;
			break;
		}
		case OPT_CRASH_MODE:
			if (!strcmp(optarg, "exit"))
				conf->crash_reboot = false;
			else if (!strcmp(optarg, "reboot"))
				conf->crash_reboot = true;
			else
				return usage_err("invalid --crash-mode '%s': "
						 "exit or reboot", optarg);
			mode_set = true;
			r = -1;
			break;
		case 'h':
			usage(stdout);
			return AGENT_EXIT_OK;
		case 'V':
			printf(AGENT_NAME " " AGENT_VERSION "\n");
			return AGENT_EXIT_OK;
		case ':':
			return usage_err("option '%s' requires an argument",
					 argv[optind - 1]);
		default:
			if (optopt && optopt < 0x100)
				return usage_err("unknown option '-%c'", optopt);
			return usage_err("unknown option '%s'",
					 argv[optind - 1]);
		}
		if (r >= 0)
			return r;
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if ((gen_set || mode_set) && conf->crash_at == AGENT_CRASH_NONE)
		return usage_err("--crash-gen and --crash-mode need --crash-at");

	for (i = 0; i < ARRAY_SIZE(vals); i++)
		vals[i].by_flag = vals[i].set;
	r = conf_file(config, named, vals, ARRAY_SIZE(vals));
	if (r >= 0)
		return r;

	if (!vals[0].set)
		return usage_err("no network peer: give --network HOST[:PORT] "
				 "or 'network = HOST[:PORT]' in %s", config);
	if (!vals[1].set)
		strcpy(conf->listen, AGENT_DEFAULT_LISTEN);
	if (!vals[2].set)
		strcpy(conf->state_dir, AGENT_DEFAULT_STATE_DIR);
	return -1;
}
