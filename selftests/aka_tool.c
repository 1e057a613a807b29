// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary AKA run for the shell tests:
 *   aka_tool device ID RAND AUTN   the device's answer: "res HEX",
 *                                  "auts HEX" or "mac-failure"
 *   aka_tool vector K OPC SQN      a network vector: "RAND AUTN XRES"
 *   aka_tool milenage K OPC RAND   f2..f4 of RAND: "RES CK IK" (the
 *                                  secrets tests look for CK and IK)
 *   aka_tool x25519 SK PK          X25519(SK, PK): "Z"; exit 1 if it fails
 *   aka_tool add-batch FILE        provision every "ID K OPC" line of FILE
 *                                  in the kernel (the file subcred-hn add
 *                                  --batch reads), for the bulk tests
 *   aka_tool del-prefix PREFIX     delete every credential whose id starts
 *                                  with PREFIX (the bulk tests' cleanup)
 *   aka_tool reseal ID             seal ID's state (CRED_EXPORT), delete it
 *                                  and restore it from that blob
 *                                  (CRED_IMPORT): "sealed N octets", or
 *                                  the kernel's error and message
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

static int add_batch(const char *path)
{
	char line[256], id[65], k_hex[33], opc_hex[33], extra;
	uint8_t k[16], opc[16];
	struct genl_sock s;
	struct genl_msg m;
	int err, n = 0, lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "aka_tool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = genl_open(&s, SUBCRED_GENL_NAME);
	if (err) {
		fprintf(stderr, "aka_tool: %s\n", strerror(-err));
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%64s %32s %32s %c", id, k_hex, opc_hex,
			   &extra) != 3 || unhex(k_hex, k, 16) ||
		    unhex(opc_hex, opc, 16)) {
			fprintf(stderr, "aka_tool: %s line %d: expected ID K "
				"OPC\n", path, lineno);
			err = -EINVAL;
			break;
		}
		genl_msg_init(&s, &m, SUBCRED_CMD_CRED_NEW, 0);
		genl_put_str(&m, SUBCRED_A_ID, id);
		genl_put(&m, SUBCRED_A_K, k, 16);
		genl_put(&m, SUBCRED_A_OPC, opc, 16);
		err = genl_do(&s, &m, NULL);
		if (err) {
			fprintf(stderr, "aka_tool: %s: %s (%s)\n", id,
				strerror(-err), s.extack);
			break;
		}
		n++;
	}
	memset(line, 0, sizeof(line));
	memset(k_hex, 0, sizeof(k_hex));
	memset(opc_hex, 0, sizeof(opc_hex));
	memset(k, 0, sizeof(k));
	memset(opc, 0, sizeof(opc));
	fclose(f);
	genl_close(&s);
	if (!err)
		printf("added %d\n", n);
	return err ? 1 : 0;
}

struct ids {
	const char *prefix;
	char (*v)[65];
	size_t n, cap;
};

static int collect(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct ids *ids = arg;
	const char *id;

	genl_parse(nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_ID])
		return 0;
	id = genl_attr_str(tb[SUBCRED_A_ID]);
	if (strncmp(id, ids->prefix, strlen(ids->prefix)))
		return 0;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? 2 * ids->cap : 256;
		void *v = realloc(ids->v, cap * sizeof(*ids->v));

		if (!v)
			return -ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	snprintf(ids->v[ids->n++], sizeof(*ids->v), "%s", id);
	return 0;
}

static int del_prefix(const char *prefix)
{
	struct ids ids = { prefix, NULL, 0, 0 };
	struct genl_sock s;
	struct genl_msg m;
	size_t i;
	int err;

	err = genl_open(&s, SUBCRED_GENL_NAME);
	if (!err) {
		genl_msg_init(&s, &m, SUBCRED_CMD_CRED_GET, 0);
		err = genl_dump(&s, &m, collect, &ids, NULL);
	}
	for (i = 0; !err && i < ids.n; i++) {
		genl_msg_init(&s, &m, SUBCRED_CMD_CRED_DEL, 0);
		genl_put_str(&m, SUBCRED_A_ID, ids.v[i]);
		err = genl_do(&s, &m, NULL);
		if (err == -ENOENT)	/* gone meanwhile */
			err = 0;
	}
	if (err)
		fprintf(stderr, "aka_tool: del-prefix %s: %s\n", prefix,
			strerror(-err));
	else
		printf("deleted %zu\n", ids.n);
	free(ids.v);
	genl_close(&s);
	return err ? 1 : 0;
}

/* One command of ID or BLOB; prints the kernel's error. */
static int blob_do(struct genl_sock *s, uint8_t cmd, const char *id,
		   const struct nlattr *blob, struct genl_msg *reply)
{
	struct genl_msg m;
	int err;

	genl_msg_init(s, &m, cmd, 0);
	if (id)
		genl_put_str(&m, SUBCRED_A_ID, id);
	if (blob)
		genl_put(&m, SUBCRED_A_BLOB, (const char *)blob + NLA_HDRLEN,
			 blob->nla_len - NLA_HDRLEN);
	err = genl_do(s, &m, reply);
	if (err)
		fprintf(stderr, "aka_tool: %s (%s)\n", strerror(-err),
			s->extack);
	return err;
}

static int reseal(const char *id)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg blob;
	struct genl_sock s;
	int err;

	err = genl_open(&s, SUBCRED_GENL_NAME);
	if (err) {
		fprintf(stderr, "aka_tool: %s\n", strerror(-err));
		return 1;
	}
	err = blob_do(&s, SUBCRED_CMD_CRED_EXPORT, id, NULL, &blob);
	if (!err) {
		genl_parse(&blob.nlh, tb, SUBCRED_A_MAX);
		err = tb[SUBCRED_A_BLOB] ? 0 : -ENODATA;
	}
	if (!err)
		err = blob_do(&s, SUBCRED_CMD_CRED_DEL, id, NULL, NULL);
	if (!err)
		err = blob_do(&s, SUBCRED_CMD_CRED_IMPORT, NULL,
			      tb[SUBCRED_A_BLOB], NULL);
	if (!err)
		printf("sealed %u octets\n",
		       tb[SUBCRED_A_BLOB]->nla_len - NLA_HDRLEN);
	genl_close(&s);
	return err ? 1 : 0;
}

static int milenage(const char *k_hex, const char *opc_hex,
		    const char *rand_hex)
{
	uint8_t k[16], opc[16], rand[16], zero[6] = { 0 };
	struct milenage mil;

	if (unhex(k_hex, k, 16) || unhex(opc_hex, opc, 16) ||
	    unhex(rand_hex, rand, 16))
		return 2;
	net_milenage(k, opc, rand, zero, zero, &mil);
	hex(mil.res, 8);
	printf(" ");
	hex(mil.ck, 16);
	printf(" ");
	hex(mil.ik, 16);
	printf("\n");
	return 0;
}

static int x25519(const char *sk_hex, const char *pk_hex)
{
	uint8_t sk[32], pk[32], z[32];

	if (unhex(sk_hex, sk, 32) || unhex(pk_hex, pk, 32))
		return 2;
	if (net_x25519(sk, pk, z))
		return 1;
	hex(z, 32);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "device"))
		return device(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "vector"))
		return vector(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "milenage"))
		return milenage(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "x25519"))
		return x25519(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "add-batch"))
		return add_batch(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "del-prefix"))
		return del_prefix(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "reseal"))
		return reseal(argv[2]);
	fprintf(stderr, "usage: aka_tool device ID RAND AUTN\n"
			"       aka_tool vector K OPC SQN\n"
			"       aka_tool milenage K OPC RAND\n"
			"       aka_tool x25519 SK PK\n"
			"       aka_tool add-batch FILE\n"
			"       aka_tool del-prefix PREFIX\n"
			"       aka_tool reseal ID\n");
	return 2;
}
