// SPDX-License-Identifier: GPL-2.0
/*
 * subcred_bench: the crypto floor of one over-the-air update, measured in
 * the kernel on the very primitives subcred.ko uses (kmod/crypto.c, linked
 * in here and checked by its known-answer tests before anything is timed).
 *
 * At load, after @warmup untimed runs, each case runs @iterations times,
 * each run timed alone with ktime_get_ns() on inputs drawn from a PRNG
 * seeded with @seed (drawn outside the timed region). The "update" case is
 * the device's whole computation of one update, in the order of
 * kmod/notice.c and kmod/commit.c, with the message and blob sizes of a
 * 20-octet id; what it leaves out (netlink, the keyring, request_key of
 * the master key, copies, allocations outside crypto.c) is what
 * bench/bench.c's ratio update/floor shows.
 *
 * The results, plain text, are in /sys/kernel/debug/subcred_bench/results
 * (root only): one line per case with median, p99 and mean in ns, and the
 * object sizes behind a credential's memory. While the module is loaded,
 * writing "n" or "c" to /sys/kernel/debug/subcred_bench/floor runs the
 * crypto of NOTICE or of CONFIRM once, so that bench/bench can time the
 * floor from userspace through one system call, interleaved with the real
 * updates: both then start from a system call, under the same load. No secret exists here: every
 * key is PRNG output; nothing is printed to the kernel log but errors.
 */

#include <linux/debugfs.h>
#include <linux/key.h>
#include <linux/ktime.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#ifdef CONFIG_X86
#include <asm/special_insns.h>
#endif

#include "../kmod/cred.h"
#include "../kmod/crypto.h"

static unsigned int iterations = 1000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "Timed runs per case, 100..100000 (default 1000)");

static unsigned int warmup = 100;
module_param(warmup, uint, 0444);
MODULE_PARM_DESC(warmup, "Untimed runs before each case, 0..10000 (default 100)");

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "PRNG seed of the inputs (default 1)");

#define BENCH_ID_LEN	20	/* "imsi-001010000000001" */
#define BENCH_NOTICE	(SUBCRED_WIRE_HDR_LEN + BENCH_ID_LEN + \
			 SUBCRED_WIRE_TXID_LEN + 1 + 4 + \
			 SUBCRED_WIRE_RAND_LEN + SUBCRED_WIRE_AUTN_LEN + \
			 SUBCRED_WIRE_PK_LEN + SUBCRED_WIRE_TAG_LEN)
#define BENCH_RESPONSE	(SUBCRED_WIRE_HDR_LEN + BENCH_ID_LEN + \
			 SUBCRED_WIRE_TXID_LEN + SUBCRED_WIRE_RES_LEN + \
			 SUBCRED_WIRE_PK_LEN + SUBCRED_WIRE_TAG_LEN)
#define BENCH_CONFIRM	(SUBCRED_WIRE_HDR_LEN + BENCH_ID_LEN + \
			 SUBCRED_WIRE_TXID_LEN + 4 + SUBCRED_WIRE_TAG_LEN)
/* kmod/seal.c: SUBCRED_BLOB_FIXED + id, SUBCRED_PLAIN_LEN */
#define BENCH_BLOB_HDR	(3 + 1 + 1 + BENCH_ID_LEN + 4 + 8 + \
			 SUBCRED_SEAL_IV_LEN)
#define BENCH_PLAIN	(SUBCRED_K_LEN + SUBCRED_OPC_LEN + 8 + \
			 8 * SUBCRED_IND_COUNT + 4 + 4 + 8 + \
			 SUBCRED_WIRE_TXID_LEN + 1 + SUBCRED_ACK_MAX)

/* The inputs of one run, PRNG output, and its scratch space. */
struct bench_in {
	u8 k[16], opc[16], rand[16], sqn[6], amf[2];
	u8 master[32], iv[SUBCRED_SEAL_IV_LEN];
	u8 notice[BENCH_NOTICE], response[BENCH_RESPONSE];
	u8 confirm[BENCH_CONFIRM];
	u8 blob_hdr[BENCH_BLOB_HDR], plain[BENCH_PLAIN];
	/* scratch */
	u8 res[8], ck[16], ik[16], ak[6], mac[8];
	u8 hash[32], k_auth[32], tag[32], sk[32], pk[32], peer[32];
	u8 ikm[64], s[32], out[32], k_conf[32], h_t[32], seal_key[32];
	u8 blob[BENCH_PLAIN + SUBCRED_SEAL_TAG_LEN];
};

struct bench_case {
	const char *name;
	const char *what;
	int (*run)(struct bench_in *in);
};

static int bench_milenage(struct bench_in *in)
{
	int err;

	/* kmod/challenge.c: f2..f5, then f1 on the unconcealed SQN */
	err = subcred_milenage_f2345(in->k, in->opc, in->rand, in->res, in->ck,
				     in->ik, in->ak);
	if (!err)
		err = subcred_milenage_f1(in->k, in->opc, in->rand, in->sqn,
					  in->amf, in->mac, NULL);
	return err;
}

static int bench_x25519_pair(struct bench_in *in)
{
	return subcred_x25519_keypair(in->sk, in->pk);
}

static int bench_x25519(struct bench_in *in)
{
	return subcred_x25519(in->sk, in->peer, in->ikm + 32);
}

static int bench_hmac(struct bench_in *in)
{
	struct subcred_buf b = { in->notice, BENCH_NOTICE - 32 };

	return subcred_hmac(in->k_auth, 32, &b, 1, in->tag);
}

static int bench_sha256(struct bench_in *in)
{
	struct subcred_buf b = { in->notice, BENCH_NOTICE };

	return subcred_sha256(&b, 1, in->hash);
}

static int bench_seal(struct bench_in *in)
{
	int err;

	/* kmod/seal.c: the seal key from the master key, then AES-256-GCM */
	err = subcred_kdf(in->master, sizeof(in->master), "seal", NULL, 0,
			  in->seal_key);
	if (!err)
		err = subcred_seal(in->seal_key, in->iv, in->blob_hdr,
				   BENCH_BLOB_HDR, in->plain, BENCH_PLAIN,
				   in->blob);
	return err;
}

/* TAG_C, TAG_A: HMAC(K_conf, label || H_T || message before its tag) */
static int bench_confirm_tag(struct bench_in *in, const char *label)
{
	struct subcred_buf b[3] = {
		{ label, strlen(label) },
		{ in->h_t, 32 },
		{ in->confirm, BENCH_CONFIRM - 32 },
	};

	return subcred_hmac(in->k_conf, 32, b, 3, in->tag);
}

/* NOTICE -> RESPONSE and blob (kmod/notice.c), in its order */
static int bench_notice(struct bench_in *in)
{
	struct subcred_buf b[3];
	u8 nv[4] = { 0, 0, 0, 2 };
	int err;

	b[0] = (struct subcred_buf){ in->notice, BENCH_NOTICE };
	err = subcred_sha256(b, 1, in->hash);
	if (!err)
		err = bench_milenage(in);
	if (err)
		return err;
	memcpy(in->ikm, in->ck, 16);
	memcpy(in->ikm + 16, in->ik, 16);
	b[0] = (struct subcred_buf){ in->notice, BENCH_ID_LEN };
	b[1] = (struct subcred_buf){ in->notice + 8, 8 };
	err = subcred_kdf(in->ikm, 32, "auth", b, 2, in->k_auth);
	if (!err)
		err = bench_hmac(in);
	if (!err)
		err = bench_x25519_pair(in);
	if (!err)
		err = bench_x25519(in);
	if (err)
		return err;
	b[0] = (struct subcred_buf){ in->hash, 32 };
	b[1] = (struct subcred_buf){ in->response, BENCH_RESPONSE - 32 };
	err = subcred_hmac(in->k_auth, 32, b, 2, in->tag);
	b[0] = (struct subcred_buf){ in->notice, BENCH_NOTICE };
	if (!err)
		err = subcred_sha256(b, 2, in->h_t);
	b[0] = (struct subcred_buf){ in->notice, BENCH_ID_LEN };
	b[1] = (struct subcred_buf){ in->notice + 8, 8 };
	b[2] = (struct subcred_buf){ in->h_t, 32 };
	if (!err)
		err = subcred_kdf(in->ikm, 64, "session", b, 3, in->s);
	b[0] = (struct subcred_buf){ nv, sizeof(nv) };
	if (!err)
		err = subcred_kdf(in->s, 32, "k", b, 1, in->out);
	if (!err)
		err = subcred_kdf(in->s, 32, "opc", b, 1, in->out);
	if (!err)
		err = subcred_kdf(in->s, 32, "confirm", b, 1, in->k_conf);
	if (!err)
		err = bench_seal(in);
	return err;
}

/* CONFIRM -> ACK and blob (kmod/commit.c) */
static int bench_confirm(struct bench_in *in)
{
	int err;

	err = bench_confirm_tag(in, "confirm");
	if (!err)
		err = bench_confirm_tag(in, "ack");
	if (!err)
		err = bench_seal(in);
	return err;
}

static int bench_update(struct bench_in *in)
{
	int err = bench_notice(in);

	return err ? err : bench_confirm(in);
}

/*
 * A CR3 reload: every non-global TLB entry gone (under QEMU TCG, the
 * whole soft TLB). "update_cold" does it before NOTICE and before CONFIRM:
 * a bound on what a cold start costs the floor, as after a context switch
 * or, with page table isolation, after every system call.
 */
static void bench_cold(void)
{
#ifdef CONFIG_X86
	unsigned long flags;

	local_irq_save(flags);
	native_write_cr3(__native_read_cr3());
	local_irq_restore(flags);
#endif
}

static int bench_update_cold(struct bench_in *in)
{
	int err;

	bench_cold();
	err = bench_notice(in);
	if (err)
		return err;
	bench_cold();
	return bench_confirm(in);
}

static const struct bench_case bench_cases[] = {
	{ "milenage", "f2345+f1, one AUTN check", bench_milenage },
	{ "x25519_keypair", "fresh key pair", bench_x25519_pair },
	{ "x25519", "Z = X25519(sk, pk)", bench_x25519 },
	{ "hmac", "HMAC-SHA-256 of 105 octets", bench_hmac },
	{ "sha256", "SHA-256 of 137 octets", bench_sha256 },
	{ "seal", "KDF seal + AES-256-GCM of 437 octets", bench_seal },
	{ "notice", "device side of NOTICE", bench_notice },
	{ "confirm", "device side of CONFIRM", bench_confirm },
	{ "update", "floor: notice + confirm", bench_update },
	{ "update_cold", "floor, CR3 reload before each half", bench_update_cold },
};

static struct rnd_state bench_rnd;
static struct bench_in *bench_live;	/* the inputs of the floor file */
static DEFINE_MUTEX(bench_live_lock);	/* serialises its writers */
static char *bench_text;
static size_t bench_len, bench_size;
static struct debugfs_blob_wrapper bench_blob;
static struct dentry *bench_dir;

static __printf(1, 2) void bench_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_len += vscnprintf(bench_text + bench_len, bench_size - bench_len,
				fmt, ap);
	va_end(ap);
}

static void bench_fill(struct bench_in *in)
{
	prandom_bytes_state(&bench_rnd, in->k, sizeof(in->k));
	prandom_bytes_state(&bench_rnd, in->opc, sizeof(in->opc));
	prandom_bytes_state(&bench_rnd, in->rand, sizeof(in->rand));
	prandom_bytes_state(&bench_rnd, in->sqn, sizeof(in->sqn));
	in->amf[0] = 0;
	in->amf[1] = 0x80;
	prandom_bytes_state(&bench_rnd, in->master, sizeof(in->master));
	prandom_bytes_state(&bench_rnd, in->iv, sizeof(in->iv));
	prandom_bytes_state(&bench_rnd, in->notice, sizeof(in->notice));
	prandom_bytes_state(&bench_rnd, in->response, sizeof(in->response));
	prandom_bytes_state(&bench_rnd, in->confirm, sizeof(in->confirm));
	prandom_bytes_state(&bench_rnd, in->blob_hdr, sizeof(in->blob_hdr));
	prandom_bytes_state(&bench_rnd, in->plain, sizeof(in->plain));
	prandom_bytes_state(&bench_rnd, in->k_auth, sizeof(in->k_auth));
	prandom_bytes_state(&bench_rnd, in->k_conf, sizeof(in->k_conf));
	prandom_bytes_state(&bench_rnd, in->sk, sizeof(in->sk));
}

static int bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int bench_one(const struct bench_case *c, struct bench_in *in, u64 *t)
{
	unsigned int i;
	u64 start, sum = 0;
	int err;

	for (i = 0; i < warmup + iterations; i++) {
		bench_fill(in);
		start = ktime_get_ns();
		err = c->run(in);
		if (i >= warmup)
			t[i - warmup] = ktime_get_ns() - start;
		if (err) {
			pr_err("case %s failed: %d\n", c->name, err);
			return err;
		}
		cond_resched();
	}
	sort(t, iterations, sizeof(*t), bench_cmp, NULL);
	for (i = 0; i < iterations; i++)
		sum += t[i];
	bench_printf("case %s n=%u median_ns=%llu p99_ns=%llu mean_ns=%llu # %s\n",
		     c->name, iterations, t[iterations / 2],
		     t[iterations * 99 / 100], div_u64(sum, iterations),
		     c->what);
	return 0;
}

static int bench_run(void)
{
	struct bench_in *in;
	unsigned int i;
	u64 *t;
	int err = 0;

	in = kzalloc(sizeof(*in), GFP_KERNEL);
	t = kvmalloc_array(iterations, sizeof(*t), GFP_KERNEL);
	if (!in || !t) {
		err = -ENOMEM;
		goto out;
	}
	prandom_seed_state(&bench_rnd, seed);
	/* a valid peer key: the public key of a PRNG private key */
	bench_fill(in);
	err = subcred_x25519_keypair(in->peer, in->pk);
	if (err)
		goto out;
	memcpy(in->peer, in->pk, sizeof(in->peer));

	bench_printf("subcred_bench seed=%lu warmup=%u iterations=%u\n", seed,
		     warmup, iterations);
	for (i = 0; !err && i < ARRAY_SIZE(bench_cases); i++)
		err = bench_one(&bench_cases[i], in, t);

	/* what one credential is made of (kmod/cred.c) */
	bench_printf("size struct_key=%zu subcred_cred=%zu/%zu",
		     sizeof(struct key), sizeof(struct subcred_cred),
		     kmalloc_size_roundup(sizeof(struct subcred_cred)));
	bench_printf(" subcred_secret=%zu/%zu subcred_pending=%zu # bytes/kmalloc\n",
		     sizeof(struct subcred_secret),
		     kmalloc_size_roundup(sizeof(struct subcred_secret)),
		     sizeof(struct subcred_pending));
out:
	kvfree(t);
	kfree_sensitive(in);
	return err;
}

static ssize_t bench_floor_write(struct file *file, const char __user *buf,
				 size_t len, loff_t *ppos)
{
	char c;
	int err;

	if (!len)
		return -EINVAL;
	if (get_user(c, buf))
		return -EFAULT;
	mutex_lock(&bench_live_lock);
	if (c == 'n')
		err = bench_notice(bench_live);
	else if (c == 'c')
		err = bench_confirm(bench_live);
	else
		err = -EINVAL;
	mutex_unlock(&bench_live_lock);
	return err ? err : len;
}

static const struct file_operations bench_floor_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= bench_floor_write,
	.llseek	= noop_llseek,
};

static int __init subcred_bench_init(void)
{
	int err;

	if (iterations < 100 || iterations > 100000 || warmup > 10000)
		return -EINVAL;
	bench_size = 4096;
	bench_text = kzalloc(bench_size, GFP_KERNEL);
	bench_live = kzalloc(sizeof(*bench_live), GFP_KERNEL);
	if (!bench_text || !bench_live) {
		err = -ENOMEM;
		goto err_text;
	}
	err = subcred_crypto_init();
	if (err)
		goto err_text;
	err = subcred_crypto_selftest();
	if (!err)
		err = bench_run();
	if (err)
		goto err_crypto;
	/* the floor file's inputs: PRNG output, then a valid peer key */
	bench_fill(bench_live);
	err = subcred_x25519_keypair(bench_live->sk, bench_live->peer);
	if (err)
		goto err_crypto;

	bench_blob.data = bench_text;
	bench_blob.size = bench_len;
	bench_dir = debugfs_create_dir("subcred_bench", NULL);
	debugfs_create_blob("results", 0400, bench_dir, &bench_blob);
	debugfs_create_file("floor", 0200, bench_dir, NULL, &bench_floor_fops);
	return 0;

err_crypto:
	subcred_crypto_exit();
err_text:
	kfree_sensitive(bench_live);
	kfree(bench_text);
	return err;
}

static void __exit subcred_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	subcred_crypto_exit();
	kfree_sensitive(bench_live);
	kfree(bench_text);
}

module_init(subcred_bench_init);
module_exit(subcred_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subcred: the crypto floor of one update (benchmark only)");
MODULE_AUTHOR("subcred developers");
