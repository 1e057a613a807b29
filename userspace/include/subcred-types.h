/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The kernel's fixed-size integer names for the files of kmod/ that also
 * build in userspace (wire.c). Userspace builds add -I userspace/include.
 */
#ifndef SUBCRED_TYPES_H
#define SUBCRED_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
