// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the over-the-air codec, kmod/wire.c built unchanged
 * in userspace. Properties checked on every input:
 *  - parse never reads outside the input (ASan) and fails with a reason;
 *  - a message that parses is exactly as long as subcred_wire_len() says
 *    and builds back to the same octets (nothing is ignored or normalised);
 *  - a parsed message built into a buffer one octet too small is refused;
 *  - the same octets as a message struct: build then parse gives back the
 *    same struct, or build refuses it.
 * Any violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/wire.h"
#include "fuzz_check.h"

#define check(c)	fuzz_check(c)

static void parsed_round_trip(const uint8_t *data, size_t size)
{
	enum subcred_wire_error why = SUBCRED_WIRE_OK;
	struct subcred_msg m;
	uint8_t out[SUBCRED_WIRE_MAX_LEN];
	int n;

	if (subcred_wire_parse(data, size, &m, &why)) {
		check(why != SUBCRED_WIRE_OK);
		return;
	}
	check(size == subcred_wire_len(m.type, m.id_len));
	check(size <= SUBCRED_WIRE_MAX_LEN);
	check(strlen(m.id) == m.id_len);
	n = subcred_wire_build(&m, out, sizeof(out));
	check(n == (int)size);
	check(!memcmp(out, data, size));
	check(subcred_wire_build(&m, out, size - 1) < 0);
}

/* The input as a struct subcred_msg: whatever build accepts must parse. */
static void built_round_trip(const uint8_t *data, size_t size)
{
	struct subcred_msg m, back;
	uint8_t out[SUBCRED_WIRE_MAX_LEN];
	int n;

	if (size < sizeof(m))
		return;
	memcpy(&m, data, sizeof(m));
	m.id[SUBCRED_WIRE_ID_MAX] = '\0';
	n = subcred_wire_build(&m, out, sizeof(out));
	if (n < 0)
		return;
	check((size_t)n == subcred_wire_len(m.type, m.id_len));
	check(!subcred_wire_parse(out, n, &back, NULL));
	check(back.type == m.type && back.id_len == m.id_len);
	check(!memcmp(back.id, m.id, m.id_len) && !back.id[m.id_len]);
	check(!memcmp(back.txid, m.txid, sizeof(m.txid)));
	if (subcred_wire_tagged(m.type))
		check(!memcmp(back.tag, m.tag, sizeof(m.tag)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parsed_round_trip(data, size);
	built_round_trip(data, size);
	return 0;
}
