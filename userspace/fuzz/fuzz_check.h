/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_check(): a property of the fuzz targets. A violation names itself on
 * stderr and aborts, which libFuzzer reports as a crash.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define fuzz_check(c)							\
	do {								\
		if (!(c)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				__LINE__, #c);				\
			abort();					\
		}							\
	} while (0)

#endif /* FUZZ_CHECK_H */
