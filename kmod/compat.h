/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where kernel versions differ for subcred. Every switch is
 * a SUBCRED_HAVE_* macro that Kbuild sets by probing the headers of the
 * kernel being built against (see Kbuild), never a version number.
 *
 * Supported: Linux 6.1 to 6.12.
 */
#ifndef _SUBCRED_COMPAT_H
#define _SUBCRED_COMPAT_H

/* 6.2: genl_split_ops, which pre_doit and post_doit take from then on. */
#ifndef SUBCRED_HAVE_GENL_SPLIT_OPS
#define genl_split_ops genl_ops
#endif

/*
 * crypto_memneq() and crypto_xor(): <crypto/utils.h> where it exists (6.12),
 * before that <crypto/algapi.h> (6.1). Users include neither themselves.
 */
#ifdef SUBCRED_HAVE_CRYPTO_UTILS_H
#include <crypto/utils.h>
#else
#include <crypto/algapi.h>
#endif

#endif /* _SUBCRED_COMPAT_H */
