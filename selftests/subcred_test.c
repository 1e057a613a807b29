// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the credential store and its netlink family. Run as root in
 * a guest with subcred.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include <linux/subcred.h>
#include "genl.h"
#include "kselftest_harness.h"

static const uint8_t test_k[SUBCRED_K_LEN] = {
	0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
	0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
};

static const uint8_t test_opc[SUBCRED_OPC_LEN] = {
	0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
	0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
};

static long keyctl(int cmd, unsigned long a2, unsigned long a3,
		   unsigned long a4, unsigned long a5)
{
	return syscall(__NR_keyctl, cmd, a2, a3, a4, a5);
}

static void new_msg(struct genl_sock *s, struct genl_msg *m, const char *id)
{
	genl_msg_init(s, m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(m, SUBCRED_A_ID, id);
	genl_put(m, SUBCRED_A_K, test_k, sizeof(test_k));
	genl_put(m, SUBCRED_A_OPC, test_opc, sizeof(test_opc));
}

static int cred_new(struct genl_sock *s, const char *id)
{
	struct genl_msg m;

	new_msg(s, &m, id);
	return genl_do(s, &m, NULL);
}

static int cred_id_cmd(struct genl_sock *s, uint8_t cmd, const char *id,
		       struct genl_msg *reply)
{
	struct genl_msg m;

	genl_msg_init(s, &m, cmd, 0);
	genl_put_str(&m, SUBCRED_A_ID, id);
	return genl_do(s, &m, reply);
}

static int cred_del(struct genl_sock *s, const char *id)
{
	return cred_id_cmd(s, SUBCRED_CMD_CRED_DEL, id, NULL);
}

static int cred_get(struct genl_sock *s, const char *id,
		    const struct nlattr **tb, struct genl_msg *reply)
{
	int err = cred_id_cmd(s, SUBCRED_CMD_CRED_GET, id, reply);

	if (!err)
		genl_parse(&reply->nlh, tb, SUBCRED_A_MAX);
	return err;
}

/* Does @hay hold the test K or OPc, raw or as hex in either case? */
static int holds_secret(const char *hay, size_t len)
{
	const uint8_t *secrets[] = { test_k, test_opc };
	char hex[2 * SUBCRED_K_LEN + 1];
	size_t i, j;

	for (i = 0; i < 2; i++) {
		if (memmem(hay, len, secrets[i], SUBCRED_K_LEN))
			return 1;
		for (j = 0; j < SUBCRED_K_LEN; j++)
			sprintf(hex + 2 * j, "%02x", secrets[i][j]);
		if (memmem(hay, len, hex, 2 * SUBCRED_K_LEN))
			return 1;
		for (j = 0; j < SUBCRED_K_LEN; j++)
			sprintf(hex + 2 * j, "%02X", secrets[i][j]);
		if (memmem(hay, len, hex, 2 * SUBCRED_K_LEN))
			return 1;
		/* also the first 8 octets alone */
		if (memmem(hay, len, hex, SUBCRED_K_LEN))
			return 1;
	}
	return 0;
}

static size_t read_file(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return n;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, val, strlen(val));
	close(fd);
	return r < 0 ? -errno : 0;
}

static int32_t cred_serial(struct genl_sock *s, const char *id)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg reply;

	if (cred_get(s, id, tb, &reply) || !tb[SUBCRED_A_KEY_SERIAL])
		return -1;
	return genl_attr_u32(tb[SUBCRED_A_KEY_SERIAL]);
}

FIXTURE(store) {
	struct genl_sock s;
};

FIXTURE_SETUP(store)
{
	ASSERT_EQ(0, genl_open(&self->s, SUBCRED_GENL_NAME))
		TH_LOG("is subcred.ko loaded?");
}

FIXTURE_TEARDOWN(store)
{
	genl_close(&self->s);
}

TEST_F(store, new_get_metadata)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m, reply;

	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&m, SUBCRED_A_ID, "imsi-001010000000001");
	genl_put(&m, SUBCRED_A_K, test_k, sizeof(test_k));
	genl_put(&m, SUBCRED_A_OPC, test_opc, sizeof(test_opc));
	genl_put_u64(&m, SUBCRED_A_SQN, 0x1234567890ULL);
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, 7);
	genl_put_u32(&m, SUBCRED_A_MAX_AGE, 86400);
	genl_put_u32(&m, SUBCRED_A_PENDING_TIMEOUT, 120);
	ASSERT_EQ(0, genl_do(&self->s, &m, NULL)) TH_LOG("%s", self->s.extack);

	ASSERT_EQ(0, cred_get(&self->s, "imsi-001010000000001", tb, &reply));
	ASSERT_NE(NULL, tb[SUBCRED_A_ID]);
	EXPECT_STREQ("imsi-001010000000001", genl_attr_str(tb[SUBCRED_A_ID]));
	EXPECT_EQ(7, genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]));
	EXPECT_EQ(0x1234567890ULL, genl_attr_u64(tb[SUBCRED_A_SQN]));
	EXPECT_EQ(86400, genl_attr_u32(tb[SUBCRED_A_MAX_AGE]));
	EXPECT_EQ(120, genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]));
	EXPECT_GT(genl_attr_u32(tb[SUBCRED_A_KEY_SERIAL]), 0);
	EXPECT_LT(genl_attr_u64(tb[SUBCRED_A_AGE]), 60);
	EXPECT_EQ(NULL, tb[SUBCRED_A_K]);
	EXPECT_EQ(NULL, tb[SUBCRED_A_OPC]);
	EXPECT_FALSE(holds_secret(reply.buf, reply.nlh.nlmsg_len));

	EXPECT_EQ(0, cred_del(&self->s, "imsi-001010000000001"));
}

TEST_F(store, new_defaults)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg reply;
	char param[32];

	ASSERT_EQ(0, cred_new(&self->s, "defaults"));
	ASSERT_EQ(0, cred_get(&self->s, "defaults", tb, &reply));
	read_file("/sys/module/subcred/parameters/pending_timeout", param,
		  sizeof(param));
	EXPECT_EQ(1, genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]));
	EXPECT_EQ(0, genl_attr_u64(tb[SUBCRED_A_SQN]));
	EXPECT_EQ(0, genl_attr_u32(tb[SUBCRED_A_MAX_AGE]));
	EXPECT_EQ(strtoul(param, NULL, 10),
		  genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]));
	EXPECT_EQ(0, cred_del(&self->s, "defaults"));
}

TEST_F(store, duplicate_id)
{
	ASSERT_EQ(0, cred_new(&self->s, "dup"));
	EXPECT_EQ(-EEXIST, cred_new(&self->s, "dup"));
	EXPECT_STREQ("a credential with this id exists", self->s.extack);
	EXPECT_EQ(SUBCRED_A_ID, self->s.bad_attr_type);
	EXPECT_EQ(0, cred_del(&self->s, "dup"));
}

TEST_F(store, unknown_id)
{
	struct genl_msg m;
	uint8_t cmds[] = { SUBCRED_CMD_CRED_GET, SUBCRED_CMD_CRED_DEL };
	size_t i;

	for (i = 0; i < sizeof(cmds); i++) {
		EXPECT_EQ(-ENOENT, cred_id_cmd(&self->s, cmds[i], "nobody",
					       NULL));
		EXPECT_STREQ("no credential with this id", self->s.extack);
		EXPECT_EQ(SUBCRED_A_ID, self->s.bad_attr_type);
	}
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "nobody");
	genl_put_u32(&m, SUBCRED_A_MAX_AGE, 1);
	EXPECT_EQ(-ENOENT, genl_do(&self->s, &m, NULL));
}

/*
 * Netlink reports which attribute is missing (MISS_TYPE) from 6.0 on;
 * before, kmod/compat.h says "missing attribute".
 */
static uint32_t reported_missing(uint16_t type)
{
	unsigned int major = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.", &major) != 1)
		return type;
	return major >= 6 ? type : 0;
}

TEST_F(store, missing_attributes)
{
	static const uint16_t need[] = { SUBCRED_A_ID, SUBCRED_A_K,
					 SUBCRED_A_OPC };
	uint8_t cmds[] = { SUBCRED_CMD_CRED_GET, SUBCRED_CMD_CRED_DEL,
			   SUBCRED_CMD_CRED_SET };
	struct genl_msg m;
	size_t i;

	for (i = 0; i < 3; i++) {
		genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_NEW, 0);
		if (need[i] != SUBCRED_A_ID)
			genl_put_str(&m, SUBCRED_A_ID, "missing");
		if (need[i] != SUBCRED_A_K)
			genl_put(&m, SUBCRED_A_K, test_k, 16);
		if (need[i] != SUBCRED_A_OPC)
			genl_put(&m, SUBCRED_A_OPC, test_opc, 16);
		EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
		EXPECT_EQ(reported_missing(need[i]), self->s.missing_type);
		if (!self->s.missing_type)
			EXPECT_STREQ("missing attribute", self->s.extack);
	}
	for (i = 0; i < sizeof(cmds); i++) {
		genl_msg_init(&self->s, &m, cmds[i], 0);
		EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
		EXPECT_EQ(reported_missing(SUBCRED_A_ID), self->s.missing_type);
		if (!self->s.missing_type)
			EXPECT_STREQ("missing attribute", self->s.extack);
	}
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "missing"));
}

/* One attribute of a valid CRED_NEW replaced by @len octets of @val. */
static int new_with(struct genl_sock *s, uint16_t type, const void *val,
		    uint16_t len)
{
	struct genl_msg m;

	genl_msg_init(s, &m, SUBCRED_CMD_CRED_NEW, 0);
	genl_put_str(&m, SUBCRED_A_ID, "badattr");
	if (type != SUBCRED_A_K)
		genl_put(&m, SUBCRED_A_K, test_k, sizeof(test_k));
	if (type != SUBCRED_A_OPC)
		genl_put(&m, SUBCRED_A_OPC, test_opc, sizeof(test_opc));
	genl_put(&m, type, val, len);
	return genl_do(s, &m, NULL);
}

TEST_F(store, bad_lengths)
{
	static const struct { uint16_t type; uint16_t len; } cases[] = {
		{ SUBCRED_A_K, 0 }, { SUBCRED_A_K, 15 }, { SUBCRED_A_K, 17 },
		{ SUBCRED_A_OPC, 0 }, { SUBCRED_A_OPC, 15 },
		{ SUBCRED_A_OPC, 17 },
		{ SUBCRED_A_SQN, 4 }, { SUBCRED_A_SQN, 16 },
		{ SUBCRED_A_KEY_VERSION, 2 }, { SUBCRED_A_KEY_VERSION, 8 },
		{ SUBCRED_A_MAX_AGE, 0 }, { SUBCRED_A_MAX_AGE, 8 },
		{ SUBCRED_A_PENDING_TIMEOUT, 1 },
		{ SUBCRED_A_PENDING_TIMEOUT, 8 },
	};
	uint8_t buf[32];
	size_t i;

	memset(buf, 1, sizeof(buf));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = new_with(&self->s, cases[i].type, buf, cases[i].len);

		EXPECT_TRUE(err == -EINVAL || err == -ERANGE)
			TH_LOG("attr %u len %u: %d", cases[i].type,
			       cases[i].len, err);
		EXPECT_EQ(cases[i].type, self->s.bad_attr_type)
			TH_LOG("attr %u len %u", cases[i].type, cases[i].len);
		EXPECT_NE(0, self->s.extack[0]);
	}
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "badattr"));
}

TEST_F(store, bad_ranges)
{
	static const struct { uint16_t type; uint64_t val; int u64; } cases[] = {
		{ SUBCRED_A_KEY_VERSION, 0, 0 },
		{ SUBCRED_A_KEY_VERSION, 0xffffffffULL, 0 },
		{ SUBCRED_A_PENDING_TIMEOUT, 0, 0 },
		{ SUBCRED_A_PENDING_TIMEOUT, SUBCRED_PENDING_TIMEOUT_MAX + 1,
		  0 },
		{ SUBCRED_A_SQN, SUBCRED_SQN_MAX + 1, 1 },
		{ SUBCRED_A_SQN, ~0ULL, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v32 = cases[i].val;
		int err;

		if (cases[i].u64)
			err = new_with(&self->s, cases[i].type, &cases[i].val,
				       8);
		else
			err = new_with(&self->s, cases[i].type, &v32, 4);
		EXPECT_EQ(-ERANGE, err) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].type, self->s.bad_attr_type);
		EXPECT_STREQ("integer out of range", self->s.extack);
	}
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "badattr"));

	/* the edges are accepted */
	ASSERT_EQ(0, new_with(&self->s, SUBCRED_A_SQN,
			      &(uint64_t){ SUBCRED_SQN_MAX }, 8));
	EXPECT_EQ(0, cred_del(&self->s, "badattr"));
	ASSERT_EQ(0, new_with(&self->s, SUBCRED_A_KEY_VERSION,
			      &(uint32_t){ SUBCRED_KEY_VERSION_MAX }, 4));
	EXPECT_EQ(0, cred_del(&self->s, "badattr"));
}

TEST_F(store, attributes_not_for_the_command)
{
	struct genl_msg m;

	/* K is input to CRED_NEW only */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "x");
	genl_put(&m, SUBCRED_A_K, test_k, sizeof(test_k));
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	EXPECT_EQ(SUBCRED_A_K, self->s.bad_attr_type);

	/* output-only attributes */
	EXPECT_EQ(-EINVAL, new_with(&self->s, SUBCRED_A_KEY_SERIAL,
				    &(uint32_t){ 1 }, 4));
	EXPECT_EQ(SUBCRED_A_KEY_SERIAL, self->s.bad_attr_type);
	EXPECT_EQ(-EINVAL, new_with(&self->s, SUBCRED_A_AGE,
				    &(uint64_t){ 1 }, 8));
	/* unknown attribute */
	EXPECT_EQ(-EINVAL, new_with(&self->s, SUBCRED_A_MAX + 1,
				    &(uint32_t){ 1 }, 4));
	/* unknown command */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_MAX + 1, 0);
	EXPECT_EQ(-EOPNOTSUPP, genl_do(&self->s, &m, NULL));
	genl_msg_init(&self->s, &m, SUBCRED_CMD_EVENT, 0);
	EXPECT_EQ(-EOPNOTSUPP, genl_do(&self->s, &m, NULL));
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "badattr"));
}

TEST_F(store, id_lengths)
{
	char id[80];
	struct genl_msg m;

	/* empty */
	EXPECT_EQ(-EINVAL, cred_new(&self->s, ""));
	EXPECT_STREQ("id is empty", self->s.extack);
	EXPECT_EQ(SUBCRED_A_ID, self->s.bad_attr_type);

	memset(id, 'a', sizeof(id));
	id[64] = '\0';
	EXPECT_EQ(0, cred_new(&self->s, id)) TH_LOG("%s", self->s.extack);
	EXPECT_EQ(0, cred_del(&self->s, id));

	id[64] = 'a';
	id[65] = '\0';
	EXPECT_EQ(-EINVAL, cred_new(&self->s, id));
	EXPECT_STREQ("id is longer than 64 characters", self->s.extack);
	EXPECT_EQ(SUBCRED_A_ID, self->s.bad_attr_type);

	/* not NUL-terminated, zero octets, embedded NUL */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put(&m, SUBCRED_A_ID, "abc", 3);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	EXPECT_STREQ("id must be one NUL-terminated string", self->s.extack);
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put(&m, SUBCRED_A_ID, "", 0);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put(&m, SUBCRED_A_ID, "ab\0cd", 6);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	EXPECT_STREQ("id must be one NUL-terminated string", self->s.extack);
	/* an id given as u32 */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	genl_put_u32(&m, SUBCRED_A_ID, 0x41414141);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
}

TEST_F(store, id_charset)
{
	static const char *const bad[] = {
		"imsi 1", "imsi/1", "imsi:1", "imsi\n1", "imsi\t", "caf\xc3\xa9",
		"*", "..\\x", "a;b", "\x7f", "id%s",
		"caf\xe9", "\xc0\xff",	/* Latin-1 letters are not ASCII */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, cred_new(&self->s, bad[i]))
			TH_LOG("id '%s'", bad[i]);
		EXPECT_STREQ("id may contain only A-Z a-z 0-9 . _ -",
			     self->s.extack);
	}
	EXPECT_EQ(0, cred_new(&self->s, "Az09._-"));
	EXPECT_EQ(0, cred_del(&self->s, "Az09._-"));
}

TEST_F(store, set_policy)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m, reply;

	ASSERT_EQ(0, cred_new(&self->s, "policy"));
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	genl_put_u32(&m, SUBCRED_A_MAX_AGE, 3600);
	EXPECT_EQ(0, genl_do(&self->s, &m, NULL));
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	genl_put_u32(&m, SUBCRED_A_PENDING_TIMEOUT, 45);
	EXPECT_EQ(0, genl_do(&self->s, &m, NULL));
	ASSERT_EQ(0, cred_get(&self->s, "policy", tb, &reply));
	EXPECT_EQ(3600, genl_attr_u32(tb[SUBCRED_A_MAX_AGE]));
	EXPECT_EQ(45, genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]));

	/* nothing to set, and out of range */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	EXPECT_STREQ("nothing to set: give max-age or pending-timeout",
		     self->s.extack);
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	genl_put_u32(&m, SUBCRED_A_PENDING_TIMEOUT, 0);
	EXPECT_EQ(-ERANGE, genl_do(&self->s, &m, NULL));
	/* the secret cannot be changed by SET */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	genl_put(&m, SUBCRED_A_K, test_opc, 16);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "policy");
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, 9);
	EXPECT_EQ(-EINVAL, genl_do(&self->s, &m, NULL));

	ASSERT_EQ(0, cred_get(&self->s, "policy", tb, &reply));
	EXPECT_EQ(3600, genl_attr_u32(tb[SUBCRED_A_MAX_AGE]));
	EXPECT_EQ(45, genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]));
	EXPECT_EQ(1, genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]));
	EXPECT_EQ(0, cred_del(&self->s, "policy"));
}

TEST_F(store, delete_wipes_and_frees_the_id)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg reply;

	ASSERT_EQ(0, cred_new(&self->s, "again"));
	EXPECT_EQ(0, cred_del(&self->s, "again"));
	EXPECT_EQ(-ENOENT, cred_get(&self->s, "again", tb, &reply));
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "again"));
	EXPECT_EQ(0, cred_new(&self->s, "again"));
	EXPECT_EQ(0, cred_del(&self->s, "again"));
}

TEST_F(store, proc_keys_shows_id_and_version_only)
{
	static char buf[1 << 20];
	struct genl_msg m;
	char *line;
	size_t n;

	new_msg(&self->s, &m, "imsi-proc");
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, 42);
	ASSERT_EQ(0, genl_do(&self->s, &m, NULL));

	n = read_file("/proc/keys", buf, sizeof(buf));
	ASSERT_GT(n, 0);
	EXPECT_FALSE(holds_secret(buf, n));
	line = strstr(buf, "subcred   imsi-proc: v42\n");
	EXPECT_NE(NULL, line) TH_LOG("/proc/keys:\n%s", buf);
	EXPECT_EQ(0, cred_del(&self->s, "imsi-proc"));
}

TEST_F(store, keyctl_cannot_read_or_change)
{
	char desc[256], buf[64];
	int32_t serial;
	long n;

	ASSERT_EQ(0, cred_new(&self->s, "imsi-keyctl"));
	serial = cred_serial(&self->s, "imsi-keyctl");
	ASSERT_GT(serial, 0);

	n = keyctl(KEYCTL_DESCRIBE, serial, (unsigned long)desc,
		   sizeof(desc), 0);
	ASSERT_GT(n, 0);
	EXPECT_NE(NULL, strstr(desc, "subcred;0;0;"));
	EXPECT_NE(NULL, strstr(desc, ";imsi-keyctl"));

	EXPECT_EQ(-1, keyctl(KEYCTL_READ, serial, (unsigned long)buf,
			     sizeof(buf), 0));
	EXPECT_TRUE(errno == EACCES || errno == EOPNOTSUPP);
	EXPECT_EQ(-1, keyctl(KEYCTL_UPDATE, serial, (unsigned long)test_k,
			     sizeof(test_k), 0));
	EXPECT_TRUE(errno == EACCES || errno == EOPNOTSUPP);
	EXPECT_EQ(-1, keyctl(KEYCTL_SETPERM, serial, 0x3f3f3f3f, 0, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, keyctl(KEYCTL_REVOKE, serial, 0, 0, 0));
	EXPECT_TRUE(errno == EACCES || errno == EPERM);
	EXPECT_EQ(-1, keyctl(KEYCTL_INVALIDATE, serial, 0, 0, 0));
	EXPECT_TRUE(errno == EACCES || errno == EPERM);
	EXPECT_EQ(-1, keyctl(KEYCTL_LINK, serial, KEY_SPEC_PROCESS_KEYRING,
			     0, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, keyctl(KEYCTL_SET_TIMEOUT, serial, 1, 0, 0));
	EXPECT_EQ(EACCES, errno);

	/* still there, still whole */
	EXPECT_EQ(serial, cred_serial(&self->s, "imsi-keyctl"));
	EXPECT_EQ(0, cred_del(&self->s, "imsi-keyctl"));
}

TEST_F(store, add_key_of_type_subcred_refused)
{
	uint8_t payload[64];
	size_t sizes[] = { 0, 16, 32, 40, 48, 64 };
	size_t i;
	long r;

	memset(payload, 0x41, sizeof(payload));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		r = syscall(__NR_add_key, "subcred", "imsi-forged",
			    sizes[i] ? payload : NULL, sizes[i],
			    KEY_SPEC_PROCESS_KEYRING);
		EXPECT_EQ(-1, r) TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(EPERM, errno) TH_LOG("size %zu", sizes[i]);
	}
	/* request_key never reaches the module's keyring */
	ASSERT_EQ(0, cred_new(&self->s, "imsi-requested"));
	r = syscall(__NR_request_key, "subcred", "imsi-requested", NULL,
		    KEY_SPEC_PROCESS_KEYRING);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOKEY, errno);
	EXPECT_EQ(0, cred_del(&self->s, "imsi-requested"));
}

static void expect_event(struct __test_metadata *_metadata,
			 struct genl_sock *s, uint32_t event, const char *id,
			 uint32_t version)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg m;

	ASSERT_EQ(0, genl_recv_event(s, &m, 2000));
	EXPECT_FALSE(holds_secret(m.buf, m.nlh.nlmsg_len));
	genl_parse(&m.nlh, tb, SUBCRED_A_MAX);
	ASSERT_NE(NULL, tb[SUBCRED_A_EVENT]);
	ASSERT_NE(NULL, tb[SUBCRED_A_ID]);
	EXPECT_EQ(event, genl_attr_u32(tb[SUBCRED_A_EVENT]));
	EXPECT_STREQ(id, genl_attr_str(tb[SUBCRED_A_ID]));
	EXPECT_EQ(version, genl_attr_u32(tb[SUBCRED_A_KEY_VERSION]));
	EXPECT_EQ(NULL, tb[SUBCRED_A_K]);
}

/*
 * The events group: the join is refused (GENL_MCAST_CAP_NET_ADMIN), or on
 * kernels that cannot refuse it, no event reaches this socket. The parent
 * sends an event when told 'j' and answers 'e' once its own listener has
 * it: delivery to every listener is done by then.
 */
static bool unprivileged_gets_no_event(struct genl_sock *s, int tx, int rx)
{
	struct genl_msg m;
	int err = genl_join_events(s);
	char c = err ? 'r' : 'j';

	if (write(tx, &c, 1) != 1)
		return false;
	if (err)
		return err == -EPERM;
	if (read(rx, &c, 1) != 1 || c != 'e')
		return false;
	return genl_recv_event(s, &m, 100) == -ETIMEDOUT;
}

/* In a child without privileges: returns a bitmask of what succeeded. */
static int unprivileged_probe(int32_t serial, int tx, int rx)
{
	static const uint8_t cmds[] = {
		SUBCRED_CMD_CRED_NEW, SUBCRED_CMD_CRED_DEL,
		SUBCRED_CMD_CRED_GET, SUBCRED_CMD_CRED_SET,
	};
	struct genl_sock s;
	struct genl_msg m;
	int wrong = 0, bit = 0;
	char buf[256];
	size_t i;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 0xff;
	if (genl_open(&s, SUBCRED_GENL_NAME))
		return 0xfe;
	for (i = 0; i < sizeof(cmds); i++, bit++) {
		if (cmds[i] == SUBCRED_CMD_CRED_NEW)
			new_msg(&s, &m, "unpriv");
		else
			genl_msg_init(&s, &m, cmds[i], 0);
		genl_put_str(&m, SUBCRED_A_ID, "imsi-unpriv");
		if (cmds[i] == SUBCRED_CMD_CRED_SET)
			genl_put_u32(&m, SUBCRED_A_MAX_AGE, 1);
		if (genl_do(&s, &m, NULL) != -EPERM)
			wrong |= 1 << bit;
	}
	genl_msg_init(&s, &m, SUBCRED_CMD_CRED_GET, 0);
	if (genl_dump(&s, &m, NULL, NULL, NULL) != -EPERM)
		wrong |= 1 << bit;
	bit++;
	if (!unprivileged_gets_no_event(&s, tx, rx))
		wrong |= 1 << bit;
	bit++;
	if (keyctl(KEYCTL_READ, serial, (unsigned long)buf, sizeof(buf),
		   0) != -1 || errno != EACCES)
		wrong |= 1 << bit;
	bit++;
	if (keyctl(KEYCTL_DESCRIBE, serial, (unsigned long)buf, sizeof(buf),
		   0) != -1 || errno != EACCES)
		wrong |= 1 << bit;
	genl_close(&s);
	return wrong;
}

TEST_F(store, unprivileged_gets_eperm)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg reply, m;
	int up[2], down[2];
	struct genl_sock ev;
	int32_t serial;
	int status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, cred_new(&self->s, "imsi-unpriv"));
	serial = cred_serial(&self->s, "imsi-unpriv");
	ASSERT_GT(serial, 0);
	ASSERT_EQ(0, genl_open(&ev, SUBCRED_GENL_NAME));
	ASSERT_EQ(0, genl_join_events(&ev));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(up[0]);
		close(down[1]);
		_exit(unprivileged_probe(serial, up[1], down[0]));
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) == 1 && c == 'j') {
		/* joined: an event it must not get */
		genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
		genl_put_str(&m, SUBCRED_A_ID, "imsi-unpriv");
		genl_put_u32(&m, SUBCRED_A_MAX_AGE, 0);
		ASSERT_EQ(0, genl_do(&self->s, &m, NULL));
		expect_event(_metadata, &ev, SUBCRED_EVENT_SET, "imsi-unpriv",
			     1);
		ASSERT_EQ(1, write(down[1], "e", 1));
	}
	close(up[0]);
	close(down[1]);
	genl_close(&ev);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("bitmask of checks that failed: 0x%x",
		       WEXITSTATUS(status));

	/* the failed attempts changed nothing */
	ASSERT_EQ(0, cred_get(&self->s, "imsi-unpriv", tb, &reply));
	EXPECT_EQ(0, genl_attr_u32(tb[SUBCRED_A_MAX_AGE]));
	EXPECT_EQ(0, cred_del(&self->s, "imsi-unpriv"));
}

TEST_F(store, events)
{
	struct genl_sock ev;
	struct genl_msg m;

	ASSERT_EQ(0, genl_open(&ev, SUBCRED_GENL_NAME));
	ASSERT_NE(0, ev.events_group);
	ASSERT_EQ(0, genl_join_events(&ev));

	new_msg(&self->s, &m, "imsi-events");
	genl_put_u32(&m, SUBCRED_A_KEY_VERSION, 3);
	ASSERT_EQ(0, genl_do(&self->s, &m, NULL));
	expect_event(_metadata, &ev, SUBCRED_EVENT_NEW, "imsi-events", 3);

	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_SET, 0);
	genl_put_str(&m, SUBCRED_A_ID, "imsi-events");
	genl_put_u32(&m, SUBCRED_A_MAX_AGE, 10);
	ASSERT_EQ(0, genl_do(&self->s, &m, NULL));
	expect_event(_metadata, &ev, SUBCRED_EVENT_SET, "imsi-events", 3);

	ASSERT_EQ(0, cred_del(&self->s, "imsi-events"));
	expect_event(_metadata, &ev, SUBCRED_EVENT_DEL, "imsi-events", 3);

	/* a failed command sends nothing */
	EXPECT_EQ(-ENOENT, cred_del(&self->s, "imsi-events"));
	EXPECT_EQ(-ETIMEDOUT, genl_recv_event(&ev, &m, 200));
	genl_close(&ev);
}

struct dump_count {
	const char *prefix;
	int listed;
	int matched;
	int secret;
	char seen[4000];
};

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct dump_count *c = arg;
	const char *id;

	c->secret |= holds_secret((const char *)nlh, nlh->nlmsg_len);
	genl_parse(nlh, tb, SUBCRED_A_MAX);
	if (!tb[SUBCRED_A_ID])
		return -EPROTO;
	id = genl_attr_str(tb[SUBCRED_A_ID]);
	c->listed++;
	if (*c->prefix && !strncmp(id, c->prefix, strlen(c->prefix))) {
		int i = atoi(id + strlen(c->prefix));

		if (i >= 0 && i < 4000 && !c->seen[i]++)
			c->matched++;
		else
			return -EEXIST;	/* listed twice */
	}
	return 0;
}

/*
 * Thousands of netlink commands: a second on Debian's kernels, minutes on the
 * debug kernel (KASAN, lockdep) under TCG; not the harness's default 30 s.
 */
#define BULK_TIMEOUT	900

TEST_F_TIMEOUT(store, thousand_provisioned_dumped_deleted, BULK_TIMEOUT)
{
	struct dump_count c = { .prefix = "imsi-bulk-" };
	struct genl_msg m;
	char id[32];
	int i, recvs;

	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "imsi-bulk-%d", i);
		ASSERT_EQ(0, cred_new(&self->s, id)) TH_LOG("%s", id);
	}
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	ASSERT_EQ(0, genl_dump(&self->s, &m, count_cb, &c, &recvs));
	EXPECT_EQ(1000, c.matched);
	EXPECT_GT(recvs, 2) TH_LOG("a dump of 1000 should be multi-part");
	EXPECT_FALSE(c.secret);

	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "imsi-bulk-%d", i);
		ASSERT_EQ(0, cred_del(&self->s, id)) TH_LOG("%s", id);
	}
	memset(&c, 0, sizeof(c));
	c.prefix = "imsi-bulk-";
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	ASSERT_EQ(0, genl_dump(&self->s, &m, count_cb, &c, NULL));
	EXPECT_EQ(0, c.matched);
}

/* Both children add the same 200 ids and 150 of their own. */
static int provision_racer(int who)
{
	struct genl_sock s;
	char id[32];
	int i, won = 0, err;

	if (genl_open(&s, SUBCRED_GENL_NAME))
		return 255;
	for (i = 0; i < 350; i++) {
		if (i < 200)
			snprintf(id, sizeof(id), "race-%d", i);
		else
			snprintf(id, sizeof(id), "race-%d", who * 1000 + i);
		err = cred_new(&s, id);
		if (!err && i < 200)
			won++;
		else if (err && (i >= 200 || err != -EEXIST))
			return 254;
	}
	genl_close(&s);
	return won;
}

TEST_F_TIMEOUT(store, concurrent_provisioning, BULK_TIMEOUT)
{
	struct dump_count c = { .prefix = "race-" };
	int status[2], total = 0, i;
	struct genl_msg m;
	char id[32];
	pid_t pid[2];

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i])
			_exit(provision_racer(i + 1));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status[i], 0));
		ASSERT_TRUE(WIFEXITED(status[i]));
		ASSERT_LE(WEXITSTATUS(status[i]), 200);
		total += WEXITSTATUS(status[i]);
	}
	EXPECT_EQ(200, total) TH_LOG("each shared id created exactly once");

	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	ASSERT_EQ(0, genl_dump(&self->s, &m, count_cb, &c, NULL));
	EXPECT_EQ(500, c.matched);

	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "race-%d", i);
		EXPECT_EQ(0, cred_del(&self->s, id));
	}
	for (i = 200; i < 350; i++) {
		snprintf(id, sizeof(id), "race-%d", 1000 + i);
		EXPECT_EQ(0, cred_del(&self->s, id));
		snprintf(id, sizeof(id), "race-%d", 2000 + i);
		EXPECT_EQ(0, cred_del(&self->s, id));
	}
}

TEST_F(store, max_credentials)
{
	const char *param = "/sys/module/subcred/parameters/max_credentials";
	struct dump_count c = { .prefix = "" };
	char old[32], cap[32];
	struct genl_msg m;

	ASSERT_GT(read_file(param, old, sizeof(old)), 0);
	ASSERT_EQ(0, cred_new(&self->s, "cap-1"));
	/* count what the store holds, then allow one more */
	genl_msg_init(&self->s, &m, SUBCRED_CMD_CRED_GET, 0);
	ASSERT_EQ(0, genl_dump(&self->s, &m, count_cb, &c, NULL));
	snprintf(cap, sizeof(cap), "%d", c.listed + 1);
	ASSERT_EQ(0, write_file(param, cap));
	EXPECT_EQ(0, cred_new(&self->s, "cap-2"));
	EXPECT_EQ(-ENOSPC, cred_new(&self->s, "cap-3"));
	EXPECT_STREQ("credential store full (max_credentials)",
		     self->s.extack);
	EXPECT_EQ(0, cred_del(&self->s, "cap-2"));
	EXPECT_EQ(0, cred_new(&self->s, "cap-3"));
	ASSERT_EQ(0, write_file(param, old));
	EXPECT_EQ(0, cred_del(&self->s, "cap-1"));
	EXPECT_EQ(0, cred_del(&self->s, "cap-3"));
}

TEST_F(store, pending_timeout_parameter)
{
	const char *param = "/sys/module/subcred/parameters/pending_timeout";
	const struct nlattr *tb[SUBCRED_A_MAX + 1];
	struct genl_msg reply;
	char old[32];

	ASSERT_GT(read_file(param, old, sizeof(old)), 0);
	EXPECT_EQ(-EINVAL, write_file(param, "0"));
	EXPECT_EQ(-EINVAL, write_file(param, "86401"));
	EXPECT_EQ(-EINVAL, write_file(param, "ten"));
	ASSERT_EQ(0, write_file(param, "30"));
	ASSERT_EQ(0, cred_new(&self->s, "pt"));
	ASSERT_EQ(0, cred_get(&self->s, "pt", tb, &reply));
	EXPECT_EQ(30, genl_attr_u32(tb[SUBCRED_A_PENDING_TIMEOUT]));
	EXPECT_EQ(0, write_file(param, old));
	EXPECT_EQ(0, cred_del(&self->s, "pt"));
}

TEST_HARNESS_MAIN
