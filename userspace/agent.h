/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agent.h - shared declarations of subcred-agent, the device-side relay:
 * configuration (agent_conf.c), logging (agent_log.c) and the state
 * directory of sealed blobs (agent_store.c).
 */
#ifndef SUBCRED_AGENT_H
#define SUBCRED_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>

#define AGENT_NAME		"subcred-agent"
#ifndef AGENT_VERSION
#define AGENT_VERSION		"0.1"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define AGENT_EXIT_OK		0
#define AGENT_EXIT_ERR		1	/* runtime error: systemd restarts */
#define AGENT_EXIT_USAGE	2	/* bad command line or config file */

#define AGENT_DEFAULT_CONFIG	"/etc/subcred/agent.conf"
#define AGENT_DEFAULT_LISTEN	"0.0.0.0:7306"
#define AGENT_DEFAULT_STATE_DIR	"/var/lib/subcred"
#define AGENT_NETWORK_PORT	"7305"
#define AGENT_LISTEN_PORT	"7306"
#define AGENT_ADDR_MAX		256	/* "HOST:PORT" as configured */

/* ---- configuration (agent_conf.c) ---- */

/* The fault points of --crash-at, in the order a persist passes them. */
enum agent_crash {
	AGENT_CRASH_NONE,
	AGENT_CRASH_BEFORE_WRITE,	/* temp file created, nothing written */
	AGENT_CRASH_AFTER_WRITE,	/* written, not fsynced */
	AGENT_CRASH_AFTER_FSYNC,	/* fsynced and closed, not renamed */
	AGENT_CRASH_AFTER_RENAME,	/* renamed, dir fsynced, no PERSISTED */
	AGENT_CRASH_AFTER_PERSISTED,	/* PERSISTED answered, nothing sent */
};

struct agent_conf {
	char network[AGENT_ADDR_MAX];	/* HOST[:PORT] of subcred-hn */
	char listen[AGENT_ADDR_MAX];	/* ADDR[:PORT] of the UDP socket */
	char state_dir[4096];
	enum agent_crash crash_at;
	uint64_t crash_gen;		/* crash at the first gen >= this */
	bool crash_reboot;		/* sysrq 'b' instead of _exit(99) */
};

/*
 * Fill @conf from the command line and the config file. Returns -1 to go
 * on, or the exit status (--help, --version: 0; any error: 2, reported).
 */
int agent_conf_load(struct agent_conf *conf, int argc, char **argv);

const char *agent_crash_name(enum agent_crash point);

/* A resolved UDP address. */
struct agent_addr {
	struct sockaddr_storage sa;
	socklen_t len;
};

/*
 * Split "HOST:PORT", "[V6]:PORT", "HOST", "[V6]" or a bare IPv6 address
 * into @host and @port (@defport if none). Returns 0, or -1 with a reason
 * in @why.
 */
int agent_addr_split(const char *s, const char *defport, char *host,
		     size_t hlen, char *port, size_t plen, const char **why);

/*
 * Resolve @s for a UDP socket of @family (AF_UNSPEC: any; AF_INET6 also
 * gives IPv4-mapped addresses). @passive: a local address to bind.
 * Returns 0, or -1 with a message in @err.
 */
int agent_addr_resolve(const char *s, const char *defport, int family,
		       bool passive, struct agent_addr *out, char *err,
		       size_t errlen);

/* "192.0.2.1:7305" or "[2001:db8::1]:7305" */
const char *agent_addr_str(const struct sockaddr *sa, socklen_t len,
			   char *buf, size_t buflen);

/* ---- logging (agent_log.c) ---- */

/*
 * One line to stderr. Under journald (JOURNAL_STREAM names stderr) with
 * a "<prio>" prefix that journald turns into the priority; else prefixed
 * with the program name.
 */
void agent_log_init(void);
void alog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A log line built piece by piece while one event is handled. */
struct agent_line {
	char s[768];
	size_t n;
	int prio;
};

void line_start(struct agent_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void line_add(struct agent_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void line_prio(struct agent_line *l, int prio);	/* raise to @prio */
void line_end(struct agent_line *l);

/* ---- the state directory (agent_store.c) ---- */

struct agent_store {
	const char *path;
	int dirfd;
	/* fault injection */
	enum agent_crash crash_at;
	uint64_t crash_gen;
	bool crash_reboot;
	bool crash_used;		/* the first matching persist is taken */
	bool crash_armed;		/* ... and it is the current one */
	char cur_id[65];		/* the persist under way, for the log */
	uint64_t cur_gen;
};

/*
 * Create @conf->state_dir (0700) if missing, open it and lock it against a
 * second agent. Returns 0 or an exit status (reported).
 */
int store_open(struct agent_store *st, const struct agent_conf *conf);
void store_close(struct agent_store *st);

/* Ids with a blob file, sorted; stale temp files are removed. */
struct store_list {
	char **ids;
	size_t n;
};

int store_scan(struct agent_store *st, struct store_list *list);
void store_list_free(struct store_list *list);
bool store_has(const struct agent_store *st, const char *id);

/*
 * Read "<id>.blob" into a malloc'ed buffer. Returns 0, or a negative errno
 * with a message in @err.
 */
int store_read(struct agent_store *st, const char *id, unsigned char **blob,
	       size_t *len, char *err, size_t errlen);

/*
 * Make @blob durable as "<id>.blob": temp file, write, fsync, rename,
 * fsync the directory. Returns 0, or a negative errno with the failed
 * step in @err (the temp file is removed; the old blob is untouched).
 */
int store_persist(struct agent_store *st, const char *id, uint64_t gen,
		  const unsigned char *blob, size_t len, char *err,
		  size_t errlen);

/* Remove "<id>.blob" and fsync the directory; a missing file is fine. */
int store_remove(struct agent_store *st, const char *id, char *err,
		 size_t errlen);

/* Simulate a power cut here if --crash-at names @point (see store.c). */
void store_crash_point(struct agent_store *st, enum agent_crash point);

/* 1..64 of [A-Za-z0-9._-], as the kernel wants. */
bool agent_id_valid(const char *id, size_t len);

#endif /* SUBCRED_AGENT_H */
