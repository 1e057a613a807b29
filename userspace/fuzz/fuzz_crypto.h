/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the device's crypto (fuzz_crypto.c) and the network model. */
#ifndef FUZZ_CRYPTO_H
#define FUZZ_CRYPTO_H

#include "subcred-types.h"

#define FUZZ_KEYPAIRS	8

/* The i-th X25519 key pair of the fixed pool (i modulo its size). */
void fuzz_keypair(unsigned int i, u8 *sk, u8 *pk);

/* Z = X25519(sk, pk), memoised; -EINVAL if Z is all zero or pk bad. */
int fuzz_x25519(const u8 *sk, const u8 *pk, u8 *z);

/* The fast primitives against subcred-hn's EVP ones; aborts on a mismatch. */
void fuzz_crypto_selfcheck(void);

#endif
