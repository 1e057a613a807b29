// SPDX-License-Identifier: GPL-2.0
/*
 * agent_store.c - the state directory of subcred-agent: one sealed blob
 * per credential, "<id>.blob", replaced atomically and durably:
 *
 *   ".<id>.blob.tmp" (O_CREAT|O_EXCL, 0600) -> write all -> fsync -> close
 *   -> rename to "<id>.blob" -> fsync the directory
 *
 * Only after the last step may the caller tell the kernel PERSISTED. The
 * blobs are sealed by the kernel: this file never looks inside them.
 *
 * The fault points of --crash-at (power-cut tests) are here as well.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "agent.h"

#define BLOB_SUFFIX	".blob"
#define TMP_SUFFIX	".tmp"
#define BLOB_MAX	65536	/* far more than any sealed state */
#define NAME_MAX_LEN	(1 + 64 + sizeof(BLOB_SUFFIX TMP_SUFFIX))

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int store_open(struct agent_store *st, const struct agent_conf *conf)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	st->path = conf->state_dir;
	st->dirfd = -1;
	st->crash_at = conf->crash_at;
	st->crash_gen = conf->crash_gen;
	st->crash_reboot = conf->crash_reboot;

	if (mkdir(st->path, 0700) == 0)
		alog(LOG_INFO, "created state directory %s", st->path);
	else if (errno != EEXIST) {
		alog(LOG_ERR, "cannot create state directory %s: %s%s",
		     st->path, strerror(errno), errno == ENOENT ?
		     " (its parent directory does not exist)" : "");
		return AGENT_EXIT_ERR;
	}
	st->dirfd = open(st->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		alog(LOG_ERR, "cannot open state directory %s: %s", st->path,
		     strerror(errno));
		return AGENT_EXIT_ERR;
	}
	if (fstat(st->dirfd, &sb) == 0 && (sb.st_mode & 077))
		alog(LOG_WARNING, "state directory %s has mode %04o; 0700 "
		     "is expected", st->path, (unsigned int)(sb.st_mode & 07777));
	/* two agents would both answer the network and race on the files */
	if (flock(st->dirfd, LOCK_EX | LOCK_NB) < 0) {
		alog(LOG_ERR, "state directory %s: %s", st->path,
		     errno == EWOULDBLOCK ? "in use by another " AGENT_NAME :
		     strerror(errno));
		close(st->dirfd);
		st->dirfd = -1;
		return AGENT_EXIT_ERR;
	}
	return AGENT_EXIT_OK;
}

void store_close(struct agent_store *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->dirfd = -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_list_free(struct store_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->ids[i]);
	free(list->ids);
	list->ids = NULL;
	list->n = 0;
}

int store_scan(struct agent_store *st, struct store_list *list)
{
	const struct dirent *de;
	bool removed = false;
	size_t cap = 0;
	DIR *d;
	int fd;

	list->ids = NULL;
	list->n = 0;
	fd = dup(st->dirfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		alog(LOG_ERR, "cannot read state directory %s: %s", st->path,
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t len = strlen(name);

		if (ends_with(name, TMP_SUFFIX)) {
			/* a persist that did not reach its rename */
			if (unlinkat(st->dirfd, name, 0) == 0) {
				alog(LOG_WARNING, "removed stale temporary "
				     "file %s/%s", st->path, name);
				removed = true;
			} else {
				alog(LOG_WARNING, "cannot remove stale "
				     "temporary file %s/%s: %s", st->path,
				     name, strerror(errno));
			}
			continue;
		}
		if (!ends_with(name, BLOB_SUFFIX) ||
		    !agent_id_valid(name, len - strlen(BLOB_SUFFIX)))
			continue;
		if (list->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			char **ids = realloc(list->ids, ncap * sizeof(*ids));

			if (!ids)
				goto nomem;
			list->ids = ids;
			cap = ncap;
		}
		list->ids[list->n] = strndup(name, len - strlen(BLOB_SUFFIX));
		if (!list->ids[list->n])
			goto nomem;
		list->n++;
	}
	closedir(d);
	if (removed && fsync(st->dirfd) < 0)
		alog(LOG_WARNING, "fsync %s: %s", st->path, strerror(errno));
	if (list->n)
		qsort(list->ids, list->n, sizeof(*list->ids), cmp_str);
	return 0;
nomem:
	closedir(d);
	store_list_free(list);
	alog(LOG_ERR, "out of memory reading %s", st->path);
	return -1;
}

bool store_has(const struct agent_store *st, const char *id)
{
	char name[NAME_MAX_LEN];

	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, id);
	return faccessat(st->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_read(struct agent_store *st, const char *id, unsigned char **blob,
	       size_t *len, char *err, size_t errlen)
{
	char name[NAME_MAX_LEN];
	unsigned char *buf = NULL;
	struct stat sb;
	size_t got = 0;
	int fd, r;

	*blob = NULL;
	*len = 0;
	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, id);
	fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s: %s", name,
			 strerror(errno));
		return r;
	}
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		snprintf(err, errlen, "stat %s: %s", name, strerror(errno));
		close(fd);
		return r;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > BLOB_MAX) {
		snprintf(err, errlen, "%s: %s", name, S_ISREG(sb.st_mode) ?
			 "too large for a blob" : "not a regular file");
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "read %s: %s", name,
				 strerror(errno));
			free(buf);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > (size_t)sb.st_size) {
			snprintf(err, errlen, "%s: grew while being read", name);
			free(buf);
			close(fd);
			return -EAGAIN;
		}
	}
	close(fd);
	*blob = buf;
	*len = got;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A power cut: "b" to /proc/sysrq-trigger reboots at once, with nothing
 * synced; the default mode only ends the process (the page cache stays).
 */
void store_crash_point(struct agent_store *st, enum agent_crash point)
{
	if (!st->crash_armed || point != st->crash_at)
		return;
	alog(LOG_WARNING, "%s gen %" PRIu64 ": crash-at %s: simulating a "
	     "power cut (%s)", st->cur_id, st->cur_gen,
	     agent_crash_name(point), st->crash_reboot ?
	     "sysrq reboot, no sync" : "_exit(99)");
	if (st->crash_reboot) {
		int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "b", 1) != 1)
			alog(LOG_ERR, "crash-at: /proc/sysrq-trigger: %s; "
			     "exiting instead", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	_exit(99);
}

int store_persist(struct agent_store *st, const char *id, uint64_t gen,
		  const unsigned char *blob, size_t len, char *err,
		  size_t errlen)
{
	char tmp[NAME_MAX_LEN], name[NAME_MAX_LEN];
	const char *step;
	int fd, r, tries = 0;

	st->crash_armed = false;
	if (st->crash_at != AGENT_CRASH_NONE && !st->crash_used &&
	    gen >= st->crash_gen) {
		st->crash_armed = st->crash_used = true;
		snprintf(st->cur_id, sizeof(st->cur_id), "%s", id);
		st->cur_gen = gen;
	}

	snprintf(tmp, sizeof(tmp), ".%s" BLOB_SUFFIX TMP_SUFFIX, id);
	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, id);
	for (;;) {
		fd = openat(st->dirfd, tmp, O_CREAT | O_EXCL | O_WRONLY |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || tries++)
			break;
		/* left by an earlier failure: this agent owns the dir */
		(void)unlinkat(st->dirfd, tmp, 0);
	}
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "create %s: %s", tmp, strerror(errno));
		return r;
	}
	store_crash_point(st, AGENT_CRASH_BEFORE_WRITE);

	step = "write";
	r = write_all(fd, blob, len);
	if (r)
		goto fail;
	store_crash_point(st, AGENT_CRASH_AFTER_WRITE);
	step = "fsync";
	if (fsync(fd) < 0)
		goto fail_errno;
	step = "close";
	r = close(fd);
	fd = -1;
	if (r < 0)
		goto fail_errno;
	store_crash_point(st, AGENT_CRASH_AFTER_FSYNC);

	if (renameat(st->dirfd, tmp, st->dirfd, name) < 0) {
		r = -errno;
		snprintf(err, errlen, "rename %s to %s: %s", tmp, name,
			 strerror(errno));
		(void)unlinkat(st->dirfd, tmp, 0);
		return r;
	}
	if (fsync(st->dirfd) < 0) {
		/* the rename may or may not survive a power cut */
		r = -errno;
		snprintf(err, errlen, "fsync %s: %s", st->path,
			 strerror(errno));
		return r;
	}
	store_crash_point(st, AGENT_CRASH_AFTER_RENAME);
	return 0;

fail_errno:
	r = -errno;
fail:
	snprintf(err, errlen, "%s %s: %s", step, tmp, strerror(-r));
	if (fd >= 0)
		close(fd);
	(void)unlinkat(st->dirfd, tmp, 0);
	return r;
}

int store_remove(struct agent_store *st, const char *id, char *err,
		 size_t errlen)
{
	char name[NAME_MAX_LEN];
	int r;

	snprintf(name, sizeof(name), "%s" BLOB_SUFFIX, id);
	if (unlinkat(st->dirfd, name, 0) < 0) {
		if (errno == ENOENT)
			return 1;
		r = -errno;
		snprintf(err, errlen, "unlink %s: %s", name, strerror(errno));
		return r;
	}
	if (fsync(st->dirfd) < 0) {
		r = -errno;
		snprintf(err, errlen, "fsync %s: %s", st->path,
			 strerror(errno));
		return r;
	}
	return 0;
}
