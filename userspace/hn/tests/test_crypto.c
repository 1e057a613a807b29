// SPDX-License-Identifier: GPL-2.0
/*
 * subcred-hn primitives against published values: Milenage (every function
 * of the 6 test sets of TS 35.208, selftests/vectors/milenage-ts35208.txt),
 * the KDF example of protocol-v1.txt, X25519 (RFC 7748 6.1 keys of the
 * vector), SHA-256 (FIPS 180-2 "abc") and HMAC-SHA-256 (RFC 4231 case 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hn_crypto.h"
#include "hn_util.h"
#include "../../tests/vectors.h"
#include "tap.h"

static int unhex(const char *s, uint8_t *out, size_t n)
{
	return hn_unhex(s, out, n);
}

struct mset {
	int set;
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
	uint8_t f1[8], f1s[8], f2[8], f5[6], f3[16], f4[16], f5s[6];
};

static int parse_set(char *line, struct mset *m)
{
	char *tok[14];
	int n = 0;

	for (char *p = strtok(line, " \t\n"); p && n < 14;
	     p = strtok(NULL, " \t\n"))
		tok[n++] = p;
	if (n != 14)
		return -1;
	m->set = atoi(tok[0]);
	return unhex(tok[1], m->k, 16) || unhex(tok[2], m->rand, 16) ||
	       unhex(tok[3], m->sqn, 6) || unhex(tok[4], m->amf, 2) ||
	       unhex(tok[5], m->op, 16) || unhex(tok[6], m->opc, 16) ||
	       unhex(tok[7], m->f1, 8) || unhex(tok[8], m->f1s, 8) ||
	       unhex(tok[9], m->f2, 8) || unhex(tok[10], m->f5, 6) ||
	       unhex(tok[11], m->f3, 16) || unhex(tok[12], m->f4, 16) ||
	       unhex(tok[13], m->f5s, 6) ? -1 : 0;
}

static void test_set(const struct mset *m)
{
	struct hn_milenage o;
	uint8_t opc[16];
	int s = m->set;

	memset(&o, 0, sizeof(o));
	ok(!hn_milenage_opc(m->k, m->op, opc) && !memcmp(opc, m->opc, 16),
	   "milenage set %d: OPc from OP", s);
	ok(!hn_milenage_f1(m->k, m->opc, m->rand, m->sqn, m->amf, &o) &&
	   !memcmp(o.mac_a, m->f1, 8), "milenage set %d: f1 (MAC-A)", s);
	ok(!memcmp(o.mac_s, m->f1s, 8), "milenage set %d: f1* (MAC-S)", s);
	ok(!hn_milenage_f2345(m->k, m->opc, m->rand, &o) &&
	   !memcmp(o.res, m->f2, 8), "milenage set %d: f2 (RES)", s);
	ok(!memcmp(o.ak, m->f5, 6), "milenage set %d: f5 (AK)", s);
	ok(!memcmp(o.ck, m->f3, 16), "milenage set %d: f3 (CK)", s);
	ok(!memcmp(o.ik, m->f4, 16), "milenage set %d: f4 (IK)", s);
	ok(!memcmp(o.ak_s, m->f5s, 6), "milenage set %d: f5* (AK*)", s);
}

static void test_milenage(void)
{
	const char *path = vectors_path("milenage-ts35208.txt");
	char line[1024];
	int seen = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		ok(0, "milenage: vector file readable");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct mset m;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (parse_set(line, &m)) {
			ok(0, "milenage: line parses: %.20s", line);
			continue;
		}
		test_set(&m);
		seen |= 1 << m.set;
	}
	fclose(f);
	ok(seen == 0x7e, "milenage: all 6 test sets present");

	/* a changed input changes the output (the test can fail) */
	{
		struct mset m;
		struct hn_milenage o;

		memset(&m, 0, sizeof(m));
		memset(&o, 0, sizeof(o));
		hn_milenage_f2345(m.k, m.opc, m.rand, &o);
		m.rand[15] = 1;
		{
			struct hn_milenage o2;

			hn_milenage_f2345(m.k, m.opc, m.rand, &o2);
			ok(memcmp(o.res, o2.res, 8) && memcmp(o.ck, o2.ck, 16),
			   "milenage: one RAND bit changes RES and CK");
		}
	}
}

static void test_kdf(void)
{
	uint8_t key[32], want[32], got[32], p1[2] = { 1, 2 };
	struct hn_buf params[2] = { { "id", 2 }, { p1, 2 } };
	int i;

	for (i = 0; i < 32; i++)
		key[i] = i;
	ok(vector_hex("KDF_example", want, 32) == 32 &&
	   !hn_kdf(key, 32, "auth", params, 2, got) && !memcmp(got, want, 32),
	   "kdf: KDF_example = KDF(00..1f, \"auth\", \"id\", 0102)");
	ok(!hn_kdf(key, 32, "auth", params, 1, got) && memcmp(got, want, 32),
	   "kdf: a missing parameter changes the output");
}

static void test_hash(void)
{
	uint8_t got[32], want[32];
	struct hn_buf abc[2] = { { "a", 1 }, { "bc", 2 } };
	struct hn_buf msg = { "what do ya want for nothing?", 28 };

	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      want, 32);
	ok(!hn_sha256(abc, 2, got) && !memcmp(got, want, 32),
	   "sha256: \"abc\" in two parts");
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	      want, 32);
	ok(!hn_hmac((const uint8_t *)"Jefe", 4, &msg, 1, got) &&
	   !memcmp(got, want, 32), "hmac-sha256: RFC 4231 test case 2");
}

static void test_x25519(void)
{
	uint8_t sk_n[32], sk_d[32], pk[32], want[32], z[32], zero[32];

	vector_hex("sk_N", sk_n, 32);
	vector_hex("sk_D", sk_d, 32);
	vector_hex("PK_N", want, 32);
	ok(!hn_x25519_public(sk_n, pk) && !memcmp(pk, want, 32),
	   "x25519: PK_N from sk_N (RFC 7748 6.1)");
	vector_hex("PK_D", want, 32);
	ok(!hn_x25519_public(sk_d, pk) && !memcmp(pk, want, 32),
	   "x25519: PK_D from sk_D");
	vector_hex("Z", want, 32);
	ok(!hn_x25519(sk_n, pk, z) && !memcmp(z, want, 32),
	   "x25519: Z = X25519(sk_N, PK_D)");
	memset(zero, 0, sizeof(zero));
	ok(hn_x25519(sk_n, zero, z) && !memcmp(z, zero, 32),
	   "x25519: the all-zero point is refused (Z = 0)");
	ok(hn_equal(want, want, 32) && !hn_equal(want, zero, 32),
	   "hn_equal: equal and unequal");
}

int main(void)
{
	tap_start();
	if (vectors_load(vectors_path("protocol-v1.txt")))
		return 1;
	test_milenage();
	test_kdf();
	test_hash();
	test_x25519();
	return tap_done();
}
