// SPDX-License-Identifier: GPL-2.0
/*
 * agent_log.c - one line per event on stderr, for journald or a terminal.
 *
 * Nothing secret ever reaches this file: the agent holds no key material,
 * and it logs only lengths and types of blobs and messages, never bytes.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"

static bool journal;

void agent_log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	/* journald sets "DEV:INODE" of the stream it hands us as stdout/err */
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    !fstat(2, &sb) && sb.st_dev == dev && sb.st_ino == ino)
		journal = true;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	char buf[1024];
	char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one event, one line: whatever came from outside stays on it */
	for (p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (journal)
		fprintf(stderr, "<%d>%s\n", prio, buf);
	else
		fprintf(stderr, "%s: %s\n", AGENT_NAME, buf);
}

void alog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

static void line_vadd(struct agent_line *l, const char *fmt, va_list ap)
{
	int r;

	if (l->n >= sizeof(l->s) - 1)
		return;
	r = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	if (r > 0)
		l->n += (size_t)r;
	if (l->n >= sizeof(l->s))
		l->n = sizeof(l->s) - 1;
}

void line_start(struct agent_line *l, const char *fmt, ...)
{
	va_list ap;

	l->n = 0;
	l->s[0] = '\0';
	l->prio = LOG_INFO;
	va_start(ap, fmt);
	line_vadd(l, fmt, ap);
	va_end(ap);
}

void line_add(struct agent_line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vadd(l, fmt, ap);
	va_end(ap);
}

void line_prio(struct agent_line *l, int prio)
{
	if (prio < l->prio)	/* LOG_ERR < LOG_WARNING < LOG_INFO */
		l->prio = prio;
}

void line_end(struct agent_line *l)
{
	alog(l->prio, "%s", l->s);
	l->n = 0;
	l->s[0] = '\0';
}
