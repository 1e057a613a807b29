// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary AKA run for the shell tests:
 *   aka_tool device ID RAND AUTN   the device's answer: "res HEX",
 *                                  "auts HEX" or "mac-failure"
 *   aka_tool vector K OPC SQN      a network vector: "RAND AUTN XRES"
 * Hex arguments; exit 0 on success, 1 on a failed AKA, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/subcred.h>
#include "genl.h"
#include "network.h"

static int unhex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	return 0;
}

static void hex(const uint8_t *p, size_t len)
{
	while (len--)
		printf("%02x", *p++);
}

static int device(const char *id, const char *r, const char *a)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	uint8_t rand[16], autn[16];
	struct genl_sock s;
	struct genl_msg m, reply;
	int err;

	if (unhex(r, rand, 16) || unhex(a, autn, 16))
		return 2;
	err = genl_open(&s, SUBCRED_GENL_NAME);
	if (err) {
		fprintf(stderr, "aka_tool: %s\n", strerror(-err));
		return 1;
	}
	genl_msg_init(&s, &m, SUBCRED_CMD_AKA, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	genl_put(&m, SUBCRED_A_RAND, rand, 16);
	genl_put(&m, SUBCRED_A_AUTN, autn, 16);
	err = genl_do(&s, &m, &reply);
	if (err == -EBADMSG) {
		printf("mac-failure\n");
		return 1;
	}
	if (err) {
		fprintf(stderr, "aka_tool: %s (%s)\n", strerror(-err), s.extack);
		return 1;
	}
	genl_parse(&reply.nlh, tb, SUBCRED_A_MAX);
	if (tb[SUBCRED_A_RES]) {
		printf("res ");
		hex((uint8_t *)tb[SUBCRED_A_RES] + NLA_HDRLEN, 8);
	} else if (tb[SUBCRED_A_AUTS]) {
		printf("auts ");
		hex((uint8_t *)tb[SUBCRED_A_AUTS] + NLA_HDRLEN, 14);
	}
	printf("\n");
	return tb[SUBCRED_A_RES] ? 0 : 1;
}

static int vector(const char *k_hex, const char *opc_hex, const char *sqn)
{
	uint8_t k[16], opc[16], rand[16], autn[16], xres[8];

	if (unhex(k_hex, k, 16) || unhex(opc_hex, opc, 16))
		return 2;
	net_aka_vector(k, opc, strtoull(sqn, NULL, 0), rand, autn, xres);
	hex(rand, 16);
	printf(" ");
	hex(autn, 16);
	printf(" ");
	hex(xres, 8);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "device"))
		return device(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "vector"))
		return vector(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: aka_tool device ID RAND AUTN\n"
			"       aka_tool vector K OPC SQN\n");
	return 2;
}
