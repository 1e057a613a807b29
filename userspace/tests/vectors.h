/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read a vector file (selftests/vectors/, copies of the design's, or
 * $SUBCRED_VECTORS): "name value" lines, values hex unless named in
 * vectors_text().
 */
#ifndef SUBCRED_TEST_VECTORS_H
#define SUBCRED_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Load the file once; returns 0 or -1 with a message on stderr. */
int vectors_load(const char *path);

/* The value of @name decoded from hex into @out; returns its length or -1. */
int vector_hex(const char *name, uint8_t *out, size_t size);

/* The raw text of @name, or NULL. */
const char *vector_text(const char *name);

/* Default path: $SUBCRED_VECTORS or selftests/vectors/ of the tree. */
const char *vectors_path(const char *file);

#endif
