// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime of the kernel shim (shim/kshim.h) for fuzz_update: checked
 * locks, deferred RCU frees, a clock the harness moves, delayed work run
 * when the harness advances time, deterministic randomness, allocation
 * failure injection and the master key that seal.c looks up.
 */
#include "shim/kshim.h"
#include "fuzz_kshim.h"

#include <malloc.h>

unsigned long jiffies;
struct workqueue_struct *system_wq;
struct key_type key_type_user = { "user" };
struct key_type key_type_logon = { "logon" };
struct key_type key_type_encrypted = { "encrypted" };

static int locks_held;
static struct rcu_head *rcu_queue;
static u64 rng_state;
static time64_t now_base;
static unsigned long jiffies_base;
static int alloc_fail_at;	/* 0: none; n: the n-th allocation from now */
static bool master_missing;
static struct key master;
static u8 master_payload[sizeof(struct user_key_payload) + FUZZ_MASTER_LEN];

void memzero_explicit(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size);

	fuzz_check(size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

int crypto_memneq(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	u8 d = 0;

	while (n--)
		d |= *x++ ^ *y++;
	return d != 0;
}

void *kzalloc(size_t n, gfp_t gfp)
{
	if (!(gfp & __GFP_NOFAIL) && alloc_fail_at && !--alloc_fail_at)
		return NULL;
	return calloc(1, n);
}

void *kmalloc(size_t n, gfp_t gfp)
{
	return kzalloc(n, gfp);
}

void kfree(const void *p)
{
	free((void *)p);
}

void kfree_sensitive(const void *p)
{
	if (!p)
		return;
	memzero_explicit((void *)p, malloc_usable_size((void *)p));
	free((void *)p);
}

void mutex_init(struct mutex *m)
{
	m->held = 0;
}

void mutex_lock(struct mutex *m)
{
	fuzz_check(!m->held);		/* self-deadlock */
	m->held = 1;
	locks_held++;
}

void mutex_unlock(struct mutex *m)
{
	fuzz_check(m->held);
	m->held = 0;
	locks_held--;
}

void down_read(struct rw_semaphore *s)
{
	s->readers++;
}

void up_read(struct rw_semaphore *s)
{
	fuzz_check(s->readers > 0);
	s->readers--;
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->next = rcu_queue;
	rcu_queue = head;
}

/* A grace period: only between two steps, with no lock held. */
void fuzz_rcu_quiesce(void)
{
	struct rcu_head *h;

	fuzz_check(!locks_held);
	while ((h = rcu_queue)) {
		rcu_queue = h->next;
		h->func(h);
	}
}

time64_t ktime_get_real_seconds(void)
{
	return now_base + (time64_t)((jiffies - jiffies_base) / HZ);
}

void fuzz_clock_tick(unsigned long ticks)
{
	jiffies += ticks;
}

/* splitmix64: deterministic per input, so that crashes reproduce */
static u64 rng_next(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void get_random_bytes(void *buf, size_t n)
{
	u8 *p = buf;

	while (n) {
		u64 r = rng_next();
		size_t k = n < 8 ? n : 8;

		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *w,
		      unsigned long delay)
{
	bool was = w->pending;

	(void)wq;
	w->pending = true;
	w->expires = jiffies + delay;
	return was;
}

bool cancel_delayed_work_sync(struct delayed_work *w)
{
	bool was = w->pending;

	w->pending = false;
	return was;
}

bool fuzz_work_due(const struct delayed_work *w, unsigned long at)
{
	return w->pending && time_after_eq(at, w->expires);
}

unsigned long fuzz_work_expires(const struct delayed_work *w)
{
	return w->expires;
}

bool fuzz_work_pending(const struct delayed_work *w)
{
	return w->pending;
}

void fuzz_work_run(struct delayed_work *w)
{
	fuzz_check(!locks_held);
	w->pending = false;
	w->work.func(&w->work);
}

struct key *key_get(struct key *key)
{
	fuzz_check(key->usage > 0);
	key->usage++;
	return key;
}

struct key *request_key(struct key_type *type, const char *desc,
			const char *info)
{
	(void)info;
	if (master_missing || type != &key_type_logon ||
	    strcmp(desc, "subcred:master"))
		return ERR_PTR(-ENOKEY);
	return key_get(&master);
}

void fuzz_fail_alloc(int nth)
{
	alloc_fail_at = nth;
}

void fuzz_master_missing(bool missing)
{
	master_missing = missing;
}

void fuzz_kshim_reset(u64 seed)
{
	struct user_key_payload *up = (void *)master_payload;
	int i;

	fuzz_check(!locks_held && !rcu_queue);
	rng_state = seed;
	/* 64-bit jiffies close to wrapping: every comparison must be safe */
	jiffies = (unsigned long)-(30L * 60 * HZ);
	jiffies_base = jiffies;
	now_base = 1764288000;		/* 2025-11-28 */
	alloc_fail_at = 0;
	master_missing = false;
	master.usage = 1 << 30;
	master.serial = 1;
	up->datalen = FUZZ_MASTER_LEN;
	for (i = 0; i < FUZZ_MASTER_LEN; i++)
		up->data[i] = (char)(0xa0 + i);
	master.payload.data[0] = up;
}

const u8 *fuzz_master_key(void)
{
	return (const u8 *)((struct user_key_payload *)master_payload)->data;
}
