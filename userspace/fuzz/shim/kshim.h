/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API that kmod/{challenge,notice,commit,age,seal}.c use, for
 * building them unchanged in userspace (fuzz_update). Only what they use.
 * Locks are checked, not taken: a double lock, an unlock of a free lock or
 * a lockdep_is_held() that fails aborts. RCU frees wait for
 * fuzz_rcu_quiesce(); jiffies and the wall clock move only when the
 * harness advances them; kzalloc() is calloc() (with injectable failure)
 * and kfree_sensitive() wipes then frees, so ASan sees any later use.
 * Runtime: fuzz_kshim.c.
 */
#ifndef FUZZ_KSHIM_H
#define FUZZ_KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "subcred-types.h"

typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef s64 time64_t;
typedef int32_t key_serial_t;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef int gfp_t;

#define __rcu
#define GFP_KERNEL	0
#define __GFP_NOFAIL	1
#define HZ		250
/* <linux/kconfig.h>, for #if only: the shim's kernel has encrypted keys */
#define CONFIG_ENCRYPTED_KEYS	1
#define IS_REACHABLE(option)	(option)
#define BIT_ULL(n)	(1ULL << (n))
#define BIT(n)		(1UL << (n))

#define static_assert(e, ...)	_Static_assert(e, #e)
#define U16_MAX		UINT16_MAX
#define lower_32_bits(n)	((u32)(n))
#define upper_32_bits(n)	((u32)((n) >> 32))
#define min(a, b)	((a) < (b) ? (a) : (b))
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))
#define WRITE_ONCE(x, v)	((x) = (v))
#define READ_ONCE(x)		(x)

#include "../fuzz_check.h"

/* printk: formats are checked, nothing is printed. */
static inline __attribute__((format(printf, 1, 2)))
void fuzz_printk(const char *fmt, ...) { (void)fmt; }
#define pr_notice_ratelimited(...)	fuzz_printk(__VA_ARGS__)
#define pr_notice(...)			fuzz_printk(__VA_ARGS__)
#define pr_warn(...)			fuzz_printk(__VA_ARGS__)

/* err.h */
#define MAX_ERRNO	4095
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}
#define ERR_CAST(p)	((void *)(p))

/* string.h */
void memzero_explicit(void *p, size_t n);
ssize_t strscpy(char *dst, const char *src, size_t size);
int crypto_memneq(const void *a, const void *b, size_t n);

/* slab.h */
void *kzalloc(size_t n, gfp_t gfp);
void *kmalloc(size_t n, gfp_t gfp);
void kfree(const void *p);
void kfree_sensitive(const void *p);

/* mutex.h: checked, single-threaded */
struct mutex {
	int held;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
#define lockdep_is_held(m)	((m)->held)

struct rw_semaphore {
	int readers;
};
void down_read(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);

/* rcupdate.h */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
static inline void *fuzz_rcu_protected(int held, void *p)
{
	fuzz_check(held);	/* lockdep: the condition must hold */
	return p;
}
#define rcu_dereference_protected(p, c)	fuzz_rcu_protected((c), (p))

/* jiffies.h, timekeeping.h */
extern unsigned long jiffies;
time64_t ktime_get_real_seconds(void);
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)

/* random.h */
void get_random_bytes(void *buf, size_t n);

/* workqueue.h */
struct work_struct {
	void (*func)(struct work_struct *work);
};
struct delayed_work {
	struct work_struct work;
	unsigned long expires;		/* jiffies */
	bool pending;
};
struct workqueue_struct;
extern struct workqueue_struct *system_wq;
#define INIT_DELAYED_WORK(w, f)						\
	do {								\
		(w)->work.func = (f);					\
		(w)->pending = false;					\
	} while (0)
static inline struct delayed_work *to_delayed_work(struct work_struct *w)
{
	return container_of(w, struct delayed_work, work);
}
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *w,
		      unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *w);

/* key.h */
union key_payload {
	void __rcu *rcu_data0;
	void *data[4];
};
struct key_type {
	const char *name;
};
struct key {
	int usage;			/* references */
	key_serial_t serial;
	char *description;
	bool linked;			/* in the store (fuzz_store.c) */
	struct rw_semaphore sem;
	union key_payload payload;
};
void key_put(struct key *key);
struct key *key_get(struct key *key);
struct key *request_key(struct key_type *type, const char *desc,
			const char *info);
#define rcu_assign_keypointer(k, p)	((k)->payload.rcu_data0 = (p))

/* keys/user-type.h, keys/encrypted-type.h */
struct user_key_payload {
	unsigned short datalen;
	char data[];
};
struct encrypted_key_payload {
	u8 *decrypted_data;
	unsigned short decrypted_datalen;
};
extern struct key_type key_type_user, key_type_logon, key_type_encrypted;
static inline const struct user_key_payload *
user_key_payload_locked(const struct key *key)
{
	return key->payload.data[0];
}

/* netlink.h */
struct netlink_ext_ack {
	const char *msg;
};
#define NL_SET_ERR_MSG(e, m)						\
	do {								\
		if (e)							\
			(e)->msg = (m);					\
	} while (0)

#endif /* FUZZ_KSHIM_H */
