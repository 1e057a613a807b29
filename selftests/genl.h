/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the selftests: it builds any attribute
 * of any length, so that tests can send exactly the malformed input they
 * mean to, and it keeps the kernel's extended ack for assertions.
 */
#ifndef SUBCRED_SELFTEST_GENL_H
#define SUBCRED_SELFTEST_GENL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#define GENL_BUF_SIZE 16384

struct genl_sock {
	int fd;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	/* from the last error */
	char extack[256];
	uint32_t bad_attr_offs;
	uint32_t missing_type;
	/* bad attribute type, when bad_attr_offs named one in the request */
	int bad_attr_type;
};

struct genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[GENL_BUF_SIZE];
	};
};

int genl_open(struct genl_sock *s, const char *family_name);
void genl_close(struct genl_sock *s);
int genl_join_events(struct genl_sock *s);

void genl_msg_init(struct genl_sock *s, struct genl_msg *m, uint8_t cmd,
		   uint16_t flags);
void genl_put(struct genl_msg *m, uint16_t type, const void *data,
	      uint16_t len);
void genl_put_str(struct genl_msg *m, uint16_t type, const char *str);
void genl_put_u32(struct genl_msg *m, uint16_t type, uint32_t v);
void genl_put_u64(struct genl_msg *m, uint16_t type, uint64_t v);

/*
 * Send @req, wait for its answer. With @reply, a reply message is copied
 * there. Returns 0 or the kernel's -errno.
 */
int genl_do(struct genl_sock *s, struct genl_msg *req,
	    struct genl_msg *reply);

/*
 * Send a dump request and call @cb for each message. Returns 0 or -errno;
 * *recvs counts the datagrams the dump took.
 */
int genl_dump(struct genl_sock *s, struct genl_msg *req,
	      int (*cb)(const struct nlmsghdr *nlh, void *arg), void *arg,
	      int *recvs);

/* Receive one notification, waiting at most @timeout_ms. */
int genl_recv_event(struct genl_sock *s, struct genl_msg *m, int timeout_ms);

/* Attributes of a genetlink message, by type, up to @max. */
void genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
		int max);
uint32_t genl_attr_u32(const struct nlattr *a);
uint64_t genl_attr_u64(const struct nlattr *a);
const char *genl_attr_str(const struct nlattr *a);

#endif
