// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of crypto.c, run at module load like the kernel's
 * testmgr: the module refuses to load if any primitive gives a wrong answer.
 *
 * Vectors: TS 35.208 §4.3 test sets 1-6 (Milenage, with OPc given), FIPS
 * 180-2 "abc" (SHA-256), RFC 4231 §4.3 test case 2 (HMAC-SHA-256), the
 * KDF_example of vectors/protocol-v1.txt (design §3), RFC 7748 §6.1 (X25519)
 * and test case 16 of the GCM specification (AES-256-GCM with AAD, also in
 * the kernel's testmgr). All are public: a failure names the test and prints
 * no value.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "crypto.h"
#include "selftest.h"

struct subcred_milenage_kat {
	u8 k[SUBCRED_MILENAGE_KEY_LEN];
	u8 rand[SUBCRED_MILENAGE_KEY_LEN];
	u8 sqn[SUBCRED_SQN_LEN];
	u8 amf[SUBCRED_AMF_LEN];
	u8 opc[SUBCRED_MILENAGE_KEY_LEN];
	u8 f1[SUBCRED_MAC_LEN];			/* MAC-A */
	u8 f1star[SUBCRED_MAC_LEN];		/* MAC-S */
	u8 f2[SUBCRED_RES_LEN];			/* RES */
	u8 f3[SUBCRED_MILENAGE_KEY_LEN];	/* CK */
	u8 f4[SUBCRED_MILENAGE_KEY_LEN];	/* IK */
	u8 f5[SUBCRED_AK_LEN];			/* AK */
	u8 f5star[SUBCRED_AK_LEN];		/* AK for AUTS */
};

static const struct subcred_milenage_kat subcred_milenage_kats[] = { {
	/* TS 35.208 test set 1 */
	.k	= "\x46\x5b\x5c\xe8\xb1\x99\xb4\x9f"
		  "\xaa\x5f\x0a\x2e\xe2\x38\xa6\xbc",
	.rand	= "\x23\x55\x3c\xbe\x96\x37\xa8\x9d"
		  "\x21\x8a\xe6\x4d\xae\x47\xbf\x35",
	.sqn	= "\xff\x9b\xb4\xd0\xb6\x07",
	.amf	= "\xb9\xb9",
	.opc	= "\xcd\x63\xcb\x71\x95\x4a\x9f\x4e"
		  "\x48\xa5\x99\x4e\x37\xa0\x2b\xaf",
	.f1	= "\x4a\x9f\xfa\xc3\x54\xdf\xaf\xb3",
	.f1star	= "\x01\xcf\xaf\x9e\xc4\xe8\x71\xe9",
	.f2	= "\xa5\x42\x11\xd5\xe3\xba\x50\xbf",
	.f3	= "\xb4\x0b\xa9\xa3\xc5\x8b\x2a\x05"
		  "\xbb\xf0\xd9\x87\xb2\x1b\xf8\xcb",
	.f4	= "\xf7\x69\xbc\xd7\x51\x04\x46\x04"
		  "\x12\x76\x72\x71\x1c\x6d\x34\x41",
	.f5	= "\xaa\x68\x9c\x64\x83\x70",
	.f5star	= "\x45\x1e\x8b\xec\xa4\x3b",
}, {
	/* TS 35.208 test set 2 */
	.k	= "\x03\x96\xeb\x31\x7b\x6d\x1c\x36"
		  "\xf1\x9c\x1c\x84\xcd\x6f\xfd\x16",
	.rand	= "\xc0\x0d\x60\x31\x03\xdc\xee\x52"
		  "\xc4\x47\x81\x19\x49\x42\x02\xe8",
	.sqn	= "\xfd\x8e\xef\x40\xdf\x7d",
	.amf	= "\xaf\x17",
	.opc	= "\x53\xc1\x56\x71\xc6\x0a\x4b\x73"
		  "\x1c\x55\xb4\xa4\x41\xc0\xbd\xe2",
	.f1	= "\x5d\xf5\xb3\x18\x07\xe2\x58\xb0",
	.f1star	= "\xa8\xc0\x16\xe5\x1e\xf4\xa3\x43",
	.f2	= "\xd3\xa6\x28\xed\x98\x86\x20\xf0",
	.f3	= "\x58\xc4\x33\xff\x7a\x70\x82\xac"
		  "\xd4\x24\x22\x0f\x2b\x67\xc5\x56",
	.f4	= "\x21\xa8\xc1\xf9\x29\x70\x2a\xdb"
		  "\x3e\x73\x84\x88\xb9\xf5\xc5\xda",
	.f5	= "\xc4\x77\x83\x99\x5f\x72",
	.f5star	= "\x30\xf1\x19\x70\x61\xc1",
}, {
	/* TS 35.208 test set 3 */
	.k	= "\xfe\xc8\x6b\xa6\xeb\x70\x7e\xd0"
		  "\x89\x05\x75\x7b\x1b\xb4\x4b\x8f",
	.rand	= "\x9f\x7c\x8d\x02\x1a\xcc\xf4\xdb"
		  "\x21\x3c\xcf\xf0\xc7\xf7\x1a\x6a",
	.sqn	= "\x9d\x02\x77\x59\x5f\xfc",
	.amf	= "\x72\x5c",
	.opc	= "\x10\x06\x02\x0f\x0a\x47\x8b\xf6"
		  "\xb6\x99\xf1\x5c\x06\x2e\x42\xb3",
	.f1	= "\x9c\xab\xc3\xe9\x9b\xaf\x72\x81",
	.f1star	= "\x95\x81\x4b\xa2\xb3\x04\x43\x24",
	.f2	= "\x80\x11\xc4\x8c\x0c\x21\x4e\xd2",
	.f3	= "\x5d\xbd\xbb\x29\x54\xe8\xf3\xcd"
		  "\xe6\x65\xb0\x46\x17\x9a\x50\x98",
	.f4	= "\x59\xa9\x2d\x3b\x47\x6a\x04\x43"
		  "\x48\x70\x55\xcf\x88\xb2\x30\x7b",
	.f5	= "\x33\x48\x4d\xc2\x13\x6b",
	.f5star	= "\xde\xac\xdd\x84\x8c\xc6",
}, {
	/* TS 35.208 test set 4 */
	.k	= "\x9e\x59\x44\xae\xa9\x4b\x81\x16"
		  "\x5c\x82\xfb\xf9\xf3\x2d\xb7\x51",
	.rand	= "\xce\x83\xdb\xc5\x4a\xc0\x27\x4a"
		  "\x15\x7c\x17\xf8\x0d\x01\x7b\xd6",
	.sqn	= "\x0b\x60\x4a\x81\xec\xa8",
	.amf	= "\x9e\x09",
	.opc	= "\xa6\x4a\x50\x7a\xe1\xa2\xa9\x8b"
		  "\xb8\x8e\xb4\x21\x01\x35\xdc\x87",
	.f1	= "\x74\xa5\x82\x20\xcb\xa8\x4c\x49",
	.f1star	= "\xac\x2c\xc7\x4a\x96\x87\x18\x37",
	.f2	= "\xf3\x65\xcd\x68\x3c\xd9\x2e\x96",
	.f3	= "\xe2\x03\xed\xb3\x97\x15\x74\xf5"
		  "\xa9\x4b\x0d\x61\xb8\x16\x34\x5d",
	.f4	= "\x0c\x45\x24\xad\xea\xc0\x41\xc4"
		  "\xdd\x83\x0d\x20\x85\x4f\xc4\x6b",
	.f5	= "\xf0\xb9\xc0\x8a\xd0\x2e",
	.f5star	= "\x60\x85\xa8\x6c\x6f\x63",
}, {
	/* TS 35.208 test set 5 */
	.k	= "\x4a\xb1\xde\xb0\x5c\xa6\xce\xb0"
		  "\x51\xfc\x98\xe7\x7d\x02\x6a\x84",
	.rand	= "\x74\xb0\xcd\x60\x31\xa1\xc8\x33"
		  "\x9b\x2b\x6c\xe2\xb8\xc4\xa1\x86",
	.sqn	= "\xe8\x80\xa1\xb5\x80\xb6",
	.amf	= "\x9f\x07",
	.opc	= "\xdc\xf0\x7c\xbd\x51\x85\x52\x90"
		  "\xb9\x2a\x07\xa9\x89\x1e\x52\x3e",
	.f1	= "\x49\xe7\x85\xdd\x12\x62\x6e\xf2",
	.f1star	= "\x9e\x85\x79\x03\x36\xbb\x3f\xa2",
	.f2	= "\x58\x60\xfc\x1b\xce\x35\x1e\x7e",
	.f3	= "\x76\x57\x76\x6b\x37\x3d\x1c\x21"
		  "\x38\xf3\x07\xe3\xde\x92\x42\xf9",
	.f4	= "\x1c\x42\xe9\x60\xd8\x9b\x8f\xa9"
		  "\x9f\x27\x44\xe0\x70\x8c\xcb\x53",
	.f5	= "\x31\xe1\x1a\x60\x91\x18",
	.f5star	= "\xfe\x25\x55\xe5\x4a\xa9",
}, {
	/* TS 35.208 test set 6 */
	.k	= "\x6c\x38\xa1\x16\xac\x28\x0c\x45"
		  "\x4f\x59\x33\x2e\xe3\x5c\x8c\x4f",
	.rand	= "\xee\x64\x66\xbc\x96\x20\x2c\x5a"
		  "\x55\x7a\xbb\xef\xf8\xba\xbf\x63",
	.sqn	= "\x41\x4b\x98\x22\x21\x81",
	.amf	= "\x44\x64",
	.opc	= "\x38\x03\xef\x53\x63\xb9\x47\xc6"
		  "\xaa\xa2\x25\xe5\x8f\xae\x39\x34",
	.f1	= "\x07\x8a\xdf\xb4\x88\x24\x1a\x57",
	.f1star	= "\x80\x24\x6b\x8d\x01\x86\xbc\xf1",
	.f2	= "\x16\xc8\x23\x3f\x05\xa0\xac\x28",
	.f3	= "\x3f\x8c\x75\x87\xfe\x8e\x4b\x23"
		  "\x3a\xf6\x76\xae\xde\x30\xba\x3b",
	.f4	= "\xa7\x46\x6c\xc1\xe6\xb2\xa1\x33"
		  "\x7d\x49\xd3\xb6\x6e\x95\xd7\xb4",
	.f5	= "\x45\xb0\xf6\x9a\xb0\x6c",
	.f5star	= "\x1f\x53\xcd\x2b\x11\x13",
} };

static const u8 subcred_kat_sha256_abc[32] =
	"\xba\x78\x16\xbf\x8f\x01\xcf\xea"
	"\x41\x41\x40\xde\x5d\xae\x22\x23"
	"\xb0\x03\x61\xa3\x96\x17\x7a\x9c"
	"\xb4\x10\xff\x61\xf2\x00\x15\xad";

static const u8 subcred_kat_hmac_jefe[32] =
	"\x5b\xdc\xc1\x46\xbf\x60\x75\x4e"
	"\x6a\x04\x24\x26\x08\x95\x75\xc7"
	"\x5a\x00\x3f\x08\x9d\x27\x39\x83"
	"\x9d\xec\x58\xb9\x64\xec\x38\x43";

static const u8 subcred_kat_kdf_key[32] =
	"\x00\x01\x02\x03\x04\x05\x06\x07"
	"\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
	"\x10\x11\x12\x13\x14\x15\x16\x17"
	"\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";

static const u8 subcred_kat_kdf[32] =
	"\x0d\x59\x7f\xb3\xad\xf6\x5a\x42"
	"\x9b\x46\xdb\xb4\x5f\x17\xdc\x8c"
	"\xe8\x9e\x3d\xc1\x25\x74\xd2\xf6"
	"\x46\xf3\x11\x57\x60\x1b\x16\x80";

static const u8 subcred_kat_x25519_sk_a[32] =
	"\x77\x07\x6d\x0a\x73\x18\xa5\x7d"
	"\x3c\x16\xc1\x72\x51\xb2\x66\x45"
	"\xdf\x4c\x2f\x87\xeb\xc0\x99\x2a"
	"\xb1\x77\xfb\xa5\x1d\xb9\x2c\x2a";

static const u8 subcred_kat_x25519_pk_a[32] =
	"\x85\x20\xf0\x09\x89\x30\xa7\x54"
	"\x74\x8b\x7d\xdc\xb4\x3e\xf7\x5a"
	"\x0d\xbf\x3a\x0d\x26\x38\x1a\xf4"
	"\xeb\xa4\xa9\x8e\xaa\x9b\x4e\x6a";

static const u8 subcred_kat_x25519_sk_b[32] =
	"\x5d\xab\x08\x7e\x62\x4a\x8a\x4b"
	"\x79\xe1\x7f\x8b\x83\x80\x0e\xe6"
	"\x6f\x3b\xb1\x29\x26\x18\xb6\xfd"
	"\x1c\x2f\x8b\x27\xff\x88\xe0\xeb";

static const u8 subcred_kat_x25519_pk_b[32] =
	"\xde\x9e\xdb\x7d\x7b\x7d\xc1\xb4"
	"\xd3\x5b\x61\xc2\xec\xe4\x35\x37"
	"\x3f\x83\x43\xc8\x5b\x78\x67\x4d"
	"\xad\xfc\x7e\x14\x6f\x88\x2b\x4f";

static const u8 subcred_kat_x25519_z[32] =
	"\x4a\x5d\x9d\x5b\xa4\xce\x2d\xe1"
	"\x72\x8e\x3b\xf4\x80\x35\x0f\x25"
	"\xe0\x7e\x21\xc9\x47\xd1\x9e\x33"
	"\x76\xf0\x9b\x3c\x1e\x16\x17\x42";

static const u8 subcred_kat_gcm_key[32] =
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c"
	"\x6d\x6a\x8f\x94\x67\x30\x83\x08"
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c"
	"\x6d\x6a\x8f\x94\x67\x30\x83\x08";

static const u8 subcred_kat_gcm_iv[12] =
	"\xca\xfe\xba\xbe\xfa\xce\xdb\xad"
	"\xde\xca\xf8\x88";

static const u8 subcred_kat_gcm_aad[20] =
	"\xfe\xed\xfa\xce\xde\xad\xbe\xef"
	"\xfe\xed\xfa\xce\xde\xad\xbe\xef"
	"\xab\xad\xda\xd2";

static const u8 subcred_kat_gcm_pt[60] =
	"\xd9\x31\x32\x25\xf8\x84\x06\xe5"
	"\xa5\x59\x09\xc5\xaf\xf5\x26\x9a"
	"\x86\xa7\xa9\x53\x15\x34\xf7\xda"
	"\x2e\x4c\x30\x3d\x8a\x31\x8a\x72"
	"\x1c\x3c\x0c\x95\x95\x68\x09\x53"
	"\x2f\xcf\x0e\x24\x49\xa6\xb5\x25"
	"\xb1\x6a\xed\xf5\xaa\x0d\xe6\x57"
	"\xba\x63\x7b\x39";

static const u8 subcred_kat_gcm_ct[76] =
	"\x52\x2d\xc1\xf0\x99\x56\x7d\x07"
	"\xf4\x7f\x37\xa3\x2a\x84\x42\x7d"
	"\x64\x3a\x8c\xdc\xbf\xe5\xc0\xc9"
	"\x75\x98\xa2\xbd\x25\x55\xd1\xaa"
	"\x8c\xb0\x8e\x48\x59\x0d\xbb\x3d"
	"\xa7\xb0\x8b\x10\x56\x82\x88\x38"
	"\xc5\xf6\x1e\x63\x93\xba\x7a\x0a"
	"\xbc\xc9\xf6\x62\x76\xfc\x6e\xce"
	"\x0f\x4e\x17\x68\xcd\xdf\x88\x53"
	"\xbb\x2d\x55\x1b";

/* Fails the test @name if @err is set or @got is not @want. */
static int subcred_kat(const char *name, int err, const void *got,
		       const void *want, size_t len)
{
	if (err) {
		pr_err("self-test %s failed: error %d\n", name, err);
		return err;
	}
	if (memcmp(got, want, len)) {
		pr_err("self-test %s failed: wrong result\n", name);
		return -EINVAL;
	}
	return 0;
}

static int subcred_selftest_milenage_set(unsigned int set,
					 const struct subcred_milenage_kat *v)
{
	u8 mac_a[SUBCRED_MAC_LEN], mac_s[SUBCRED_MAC_LEN];
	u8 res[SUBCRED_RES_LEN], ak[SUBCRED_AK_LEN], aks[SUBCRED_AK_LEN];
	u8 ck[SUBCRED_MILENAGE_KEY_LEN], ik[SUBCRED_MILENAGE_KEY_LEN];
	const struct {
		const char *name;
		const u8 *got, *want;
		size_t len;
	} check[] = {
		{ "f1", mac_a, v->f1, sizeof(v->f1) },
		{ "f1*", mac_s, v->f1star, sizeof(v->f1star) },
		{ "f2", res, v->f2, sizeof(v->f2) },
		{ "f3", ck, v->f3, sizeof(v->f3) },
		{ "f4", ik, v->f4, sizeof(v->f4) },
		{ "f5", ak, v->f5, sizeof(v->f5) },
		{ "f5*", aks, v->f5star, sizeof(v->f5star) },
	};
	unsigned int i;
	int err;

	/* f1 and f1* one at a time: the NULL outputs are part of the API. */
	err = subcred_milenage_f1(v->k, v->opc, v->rand, v->sqn, v->amf,
				  mac_a, NULL);
	if (!err)
		err = subcred_milenage_f1(v->k, v->opc, v->rand, v->sqn,
					  v->amf, NULL, mac_s);
	if (!err)
		err = subcred_milenage_f2345(v->k, v->opc, v->rand, res, ck,
					     ik, ak);
	if (!err)
		err = subcred_milenage_f5star(v->k, v->opc, v->rand, aks);
	if (err) {
		pr_err("self-test milenage set %u failed: error %d\n", set,
		       err);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(check); i++) {
		if (memcmp(check[i].got, check[i].want, check[i].len)) {
			pr_err("self-test milenage set %u %s failed: wrong result\n",
			       set, check[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

static int subcred_selftest_hash(void)
{
	/* Split inputs: the buffers are concatenated. */
	const struct subcred_buf abc[] = { { "a", 1 }, { "bc", 2 } };
	const struct subcred_buf jefe[] = {
		{ "what do ya want ", 16 }, { "for nothing?", 12 },
	};
	const struct subcred_buf kdf[] = { { "id", 2 }, { "\x01\x02", 2 } };
	u8 out[SUBCRED_HASH_LEN];
	int err;

	err = subcred_sha256(abc, ARRAY_SIZE(abc), out);
	err = subcred_kat("sha256", err, out, subcred_kat_sha256_abc,
			  sizeof(out));
	if (err)
		return err;
	err = subcred_hmac("Jefe", 4, jefe, ARRAY_SIZE(jefe), out);
	err = subcred_kat("hmac", err, out, subcred_kat_hmac_jefe,
			  sizeof(out));
	if (err)
		return err;
	err = subcred_kdf(subcred_kat_kdf_key, sizeof(subcred_kat_kdf_key),
			  "auth", kdf, ARRAY_SIZE(kdf), out);
	return subcred_kat("kdf", err, out, subcred_kat_kdf, sizeof(out));
}

static int subcred_selftest_x25519(void)
{
	static const u8 zero[SUBCRED_X25519_LEN];
	u8 sk[2][SUBCRED_X25519_LEN], pk[2][SUBCRED_X25519_LEN];
	u8 out[SUBCRED_X25519_LEN], z[SUBCRED_X25519_LEN];
	int err;

	err = subcred_x25519_public(subcred_kat_x25519_sk_a, out);
	err = subcred_kat("x25519 public a", err, out,
			  subcred_kat_x25519_pk_a, sizeof(out));
	if (err)
		return err;
	err = subcred_x25519_public(subcred_kat_x25519_sk_b, out);
	err = subcred_kat("x25519 public b", err, out,
			  subcred_kat_x25519_pk_b, sizeof(out));
	if (err)
		return err;
	err = subcred_x25519(subcred_kat_x25519_sk_a, subcred_kat_x25519_pk_b,
			     out);
	err = subcred_kat("x25519 shared", err, out, subcred_kat_x25519_z,
			  sizeof(out));
	if (err)
		return err;

	/*
	 * A low-order point (here 0) gives Z = 0, which must be refused.
	 * Any other error (-ENOMEM) is returned as it is.
	 */
	err = subcred_x25519(subcred_kat_x25519_sk_a, zero, out);
	if (!err) {
		pr_err("self-test x25519 zero Z failed: not refused\n");
		return -EINVAL;
	}
	if (err != -EINVAL)
		return err;

	/* Two random key pairs: the public keys are right, both agree on Z. */
	err = subcred_x25519_keypair(sk[0], pk[0]);
	if (!err)
		err = subcred_x25519_keypair(sk[1], pk[1]);
	if (!err)
		err = subcred_x25519_public(sk[0], out);
	err = subcred_kat("x25519 keypair", err, out, pk[0], sizeof(out));
	if (!err) {
		err = subcred_x25519(sk[0], pk[1], z);
		if (!err)
			err = subcred_x25519(sk[1], pk[0], out);
		err = subcred_kat("x25519 keypair agreement", err, out, z,
				  sizeof(out));
	}
	memzero_explicit(sk, sizeof(sk));
	memzero_explicit(z, sizeof(z));
	memzero_explicit(out, sizeof(out));
	return err;
}

static int subcred_selftest_gcm(void)
{
	u8 ct[sizeof(subcred_kat_gcm_ct)], pt[sizeof(subcred_kat_gcm_pt)];
	u8 aad[sizeof(subcred_kat_gcm_aad)];
	int err;

	err = subcred_seal(subcred_kat_gcm_key, subcred_kat_gcm_iv,
			   subcred_kat_gcm_aad, sizeof(aad),
			   subcred_kat_gcm_pt, sizeof(pt), ct);
	err = subcred_kat("gcm seal", err, ct, subcred_kat_gcm_ct,
			  sizeof(ct));
	if (err)
		return err;
	err = subcred_open(subcred_kat_gcm_key, subcred_kat_gcm_iv,
			   subcred_kat_gcm_aad, sizeof(aad), ct, sizeof(ct),
			   pt);
	err = subcred_kat("gcm open", err, pt, subcred_kat_gcm_pt,
			  sizeof(pt));
	if (err)
		return err;

	/* A flipped bit in the ciphertext, then in the AAD: -EBADMSG. */
	ct[7] ^= 0x10;
	err = subcred_open(subcred_kat_gcm_key, subcred_kat_gcm_iv,
			   subcred_kat_gcm_aad, sizeof(aad), ct, sizeof(ct),
			   pt);
	if (err != -EBADMSG) {
		pr_err("self-test gcm tampered ciphertext failed: %d\n", err);
		return err ?: -EINVAL;
	}
	ct[7] ^= 0x10;
	memcpy(aad, subcred_kat_gcm_aad, sizeof(aad));
	aad[0] ^= 0x01;
	err = subcred_open(subcred_kat_gcm_key, subcred_kat_gcm_iv, aad,
			   sizeof(aad), ct, sizeof(ct), pt);
	if (err != -EBADMSG) {
		pr_err("self-test gcm tampered aad failed: %d\n", err);
		return err ?: -EINVAL;
	}
	return 0;
}

int subcred_crypto_selftest(void)
{
	ktime_t start = ktime_get();
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(subcred_milenage_kats); i++) {
		err = subcred_selftest_milenage_set(i + 1,
						    &subcred_milenage_kats[i]);
		if (err)
			return err;
	}
	err = subcred_selftest_hash();
	if (!err)
		err = subcred_selftest_x25519();
	if (!err)
		err = subcred_selftest_gcm();
	if (err)
		return err;

	pr_info("self-tests passed (milenage %zu sets, sha256, hmac, kdf, x25519, gcm)\n",
		ARRAY_SIZE(subcred_milenage_kats));
	pr_debug("self-tests took %lld us\n",
		 ktime_us_delta(ktime_get(), start));
	return 0;
}
