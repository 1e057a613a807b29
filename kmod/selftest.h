/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What crypto.c offers the known-answer tests of selftest.c beyond crypto.h.
 */
#ifndef _SUBCRED_SELFTEST_H
#define _SUBCRED_SELFTEST_H

#include <linux/types.h>

/* The X25519 public key of the private key @sk (RFC 7748 §6.1 vectors). */
int subcred_x25519_public(const u8 *sk, u8 *pk);

/* protocol_selftest.c: the device side on the protocol v1 worked example. */
int subcred_protocol_selftest(void);

#endif /* _SUBCRED_SELFTEST_H */
