/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the subcred-hn unit tests. */
#ifndef HN_TAP_H
#define HN_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static void __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
}

/* The plan goes last: the number of checks depends on the data. */
static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

static void __attribute__((unused)) tap_start(void)
{
	printf("TAP version 13\n");
}

#endif /* HN_TAP_H */
