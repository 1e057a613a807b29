/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers of subcred-hn: hex, time, log lines, secret files. */
#ifndef HN_UTIL_H
#define HN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define HN_TIME_MAX	32	/* "2026-11-27T12:34:56.789Z" */

/* Milliseconds since the epoch (CLOCK_REALTIME: survives restarts). */
int64_t hn_now_ms(void);

/* Lower-case hex of @n octets into @out (2n + 1 octets). */
void hn_hex(const uint8_t *p, size_t n, char *out);

/* Exactly 2 * @n hex digits to @n octets. Returns 0 or -1. */
int hn_unhex(const char *s, uint8_t *out, size_t n);

/* ISO 8601 UTC with milliseconds. */
void hn_fmt_time(int64_t ms, char *out, size_t size);

/* One line on stderr: "subcred-hn: " fmt "\n". Never given a secret. */
void hn_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Silence hn_log (tests). */
extern int hn_log_quiet;

/*
 * K and OPc from files (or '-' for stdin; both '-': two lines, K then
 * OPc). A file holds 32 hex digits with optional surrounding white space,
 * or exactly 16 raw octets that are not all hex digits. Returns 0 or -1
 * with a message on stderr.
 */
int hn_read_secrets(const char *k_file, const char *opc_file, uint8_t *k,
		    uint8_t *opc);

/* Reason names: periodic, compromise, operator; 0 if unknown. */
int hn_reason_parse(const char *s);
const char *hn_reason_name(int reason);

/* Message type names (NOTICE...REQUEST), "?" if unknown. */
const char *hn_type_name(int type);

#endif /* HN_UTIL_H */
